package authn

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// jwtExpiry reads the exp claim (RFC 7519 NumericDate, seconds since the
// epoch, possibly fractional) of a compact JWS without checking the
// signature. Anything unexpected yields ok=false: the claim only lets us fail
// fast, the server remains the authority.
func jwtExpiry(token string) (exp time.Time, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	// JWTs use unpadded base64url; tolerate padding anyway.
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp json.RawMessage `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return time.Time{}, false
	}
	raw := bytes.TrimSpace(claims.Exp)
	if len(raw) == 0 || raw[0] == '"' || bytes.Equal(raw, []byte("null")) {
		return time.Time{}, false
	}
	if sec, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return time.Unix(sec, 0).UTC(), true
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	// The bounds keep the int64 conversion defined; such dates mean "never".
	if err != nil || math.IsNaN(f) || f >= 1<<62 || f <= -(1<<62) {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}
