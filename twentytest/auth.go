package twentytest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// KeyState is how the server treats an API key.
type KeyState int

const (
	// KeyValid keys are accepted until their JWT exp (if any) passes on
	// the server's clock.
	KeyValid KeyState = iota
	// KeyExpired keys are refused as expired whatever their exp says.
	KeyExpired
	// KeyRevoked keys are refused as revoked.
	KeyRevoked
)

// WorkspaceID is the id of the fake's workspace, the sub of its keys.
const WorkspaceID = "20202020-1c25-4d02-bf25-6aeccf7ea419"

var (
	// farFuture is 2100-01-01: valid keys must pass authn's local exp check.
	farFuture = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	// longAgo is the expired key's exp: in the past on any real clock,
	// so authn refuses it locally too.
	longAgo = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
)

// makeKey returns an unsigned JWT shaped like a Twenty API key. The fake
// recognises keys by their exact text, so no signature is needed.
func makeKey(name string, exp time.Time) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{
		"sub":         WorkspaceID,
		"type":        "API_KEY",
		"workspaceId": WorkspaceID,
		"jti":         seedID(0xa, map[string]int{"valid": 1, "expired": 2, "revoked": 3}[name]),
		"iat":         time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix(),
		"exp":         exp.Unix(),
	})
	return header + "." + enc.EncodeToString(claims) + "."
}

// APIKey returns a key the server accepts.
func (s *Server) APIKey() string { return s.apiKey }

// ExpiredKey returns a key the server refuses as expired; its exp claim is
// in the past, so clients that check exp locally refuse it too.
func (s *Server) ExpiredKey() string { return s.expiredKey }

// RevokedKey returns a key the server refuses as revoked.
func (s *Server) RevokedKey() string { return s.revokedKey }

// AddKey makes the server treat key as state. Any other key is invalid.
func (s *Server) AddKey(key string, state KeyState) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.keys[key] = state
}

// MakeKey returns an unsigned JWT-shaped key with the given exp, for use
// with AddKey (say, a KeyValid key that expires during a test on a fake
// clock).
func MakeKey(exp time.Time) string { return makeKey("custom", exp) }

// authHeader mirrors passport-jwt's fromAuthHeaderAsBearerToken: a scheme,
// whitespace and a value, the scheme compared case-insensitively. So
// "Bearer: x" has no token.
var authHeader = regexp.MustCompile(`^(\S+)\s+(\S+)$`)

type authFailure int

const (
	authOK authFailure = iota
	authMissing
	authInvalid
	authNoPayload
	authExpired
	authRevoked
)

func (s *Server) checkAuth(r *http.Request) authFailure {
	m := authHeader.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil || !strings.EqualFold(m[1], "bearer") {
		return authMissing
	}
	key := m[2]
	s.ctl.Lock()
	state, known := s.keys[key]
	s.ctl.Unlock()
	exp, hasExp, isJWT := jwtExp(key)
	switch {
	case !known && !isJWT:
		return authNoPayload
	case !known:
		return authInvalid
	case state == KeyRevoked:
		return authRevoked
	case state == KeyExpired, hasExp && !s.now().Before(exp):
		return authExpired
	}
	return authOK
}

func jwtExp(key string) (exp time.Time, hasExp, isJWT bool) {
	parts := strings.Split(key, ".")
	if len(parts) != 3 {
		return time.Time{}, false, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false, false
	}
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}, false, false
	}
	if claims.Exp == nil {
		return time.Time{}, false, true
	}
	return time.Unix(int64(*claims.Exp), 0), true, true
}

// writeAuthFailure answers in the configured format.
func (s *Server) writeAuthFailure(w http.ResponseWriter, f authFailure) {
	if s.cfg.errorFormat == Documented {
		code, msg := "UNAUTHORIZED", "Invalid API key"
		switch f {
		case authMissing:
			code, msg = "MISSING_AUTH_HEADER", "Missing authorization header"
		case authExpired:
			code, msg = "EXPIRED_API_KEY", "API key has expired"
		case authRevoked:
			code, msg = "REVOKED_API_KEY", "API key has been revoked"
		}
		type detail struct {
			Message string         `json:"message"`
			Code    string         `json:"code"`
			Details map[string]any `json:"details"`
		}
		writeJSON(w, http.StatusUnauthorized, struct {
			Error detail `json:"error"`
		}{detail{msg, code, map[string]any{}}})
		return
	}
	status, code, msg := http.StatusUnauthorized, "UNAUTHENTICATED", "Token invalid."
	switch f {
	case authMissing:
		status, code, msg = http.StatusForbidden, "FORBIDDEN_EXCEPTION", "Missing authentication token"
	case authNoPayload:
		// 1.x said "No payload"; 2.x's suite expects this for any non-JWT.
		msg = "Token invalid."
	case authExpired:
		msg = "Token has expired."
	case authRevoked:
		status, code, msg = http.StatusForbidden, "FORBIDDEN_EXCEPTION", "This API Key is revoked"
	}
	writeJSON(w, status, authError{StatusCode: status, Messages: []string{msg}, Error: code})
}
