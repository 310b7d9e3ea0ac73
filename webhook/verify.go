package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Header names of a signed delivery. Only the timestamp and the body are
// covered by the signature; the nonce is not.
const (
	SignatureHeader = "X-Twenty-Webhook-Signature"
	TimestampHeader = "X-Twenty-Webhook-Timestamp"
	NonceHeader     = "X-Twenty-Webhook-Nonce"
)

// Defaults used when a Verifier field is zero.
const (
	DefaultTolerance    = 5 * time.Minute
	DefaultMaxBodyBytes = 1 << 20 // 1 MiB
)

// Errors returned by Verify, ReadAndVerify, Decode and DecodeRecord. They
// may be wrapped; test with errors.Is.
var (
	ErrNoSecret         = errors.New("webhook: no secret configured")
	ErrMissingSignature = errors.New("webhook: missing " + SignatureHeader + " header")
	ErrInvalidSignature = errors.New("webhook: invalid signature")
	ErrInvalidTimestamp = errors.New("webhook: missing or malformed " + TimestampHeader + " header")
	ErrStaleTimestamp   = errors.New("webhook: timestamp outside the accepted window")
	ErrBodyTooLarge     = errors.New("webhook: body too large")
	ErrMalformedPayload = errors.New("webhook: malformed payload")
	ErrNoRecord         = errors.New("webhook: event carries no record")
)

// Verifier checks the signature and freshness of deliveries signed with one
// webhook secret. Set the exported fields before first use (or use the
// options); afterwards a Verifier is safe for concurrent use.
type Verifier struct {
	secret []byte

	// Tolerance is how far the signed timestamp may lie from Now, in either
	// direction, for a delivery to be accepted. Zero means DefaultTolerance.
	Tolerance time.Duration

	// MaxBodyBytes caps the body ReadAndVerify reads. Zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Option configures a Verifier in NewVerifier.
type Option func(*Verifier) error

// WithTolerance sets Verifier.Tolerance; d must be positive.
func WithTolerance(d time.Duration) Option {
	return func(v *Verifier) error {
		if d <= 0 {
			return errors.New("webhook: tolerance must be positive")
		}
		v.Tolerance = d
		return nil
	}
}

// WithMaxBodyBytes sets Verifier.MaxBodyBytes; n must be positive.
func WithMaxBodyBytes(n int64) Option {
	return func(v *Verifier) error {
		if n <= 0 {
			return errors.New("webhook: body limit must be positive")
		}
		v.MaxBodyBytes = n
		return nil
	}
}

// WithClock sets Verifier.Now.
func WithClock(now func() time.Time) Option {
	return func(v *Verifier) error {
		v.Now = now
		return nil
	}
}

// NewVerifier returns a Verifier for the webhook secret exactly as Twenty
// shows it (a 64-character hex string, used as-is as the HMAC key, not
// hex-decoded). An empty secret is refused with ErrNoSecret.
func NewVerifier(secret string, opts ...Option) (*Verifier, error) {
	if secret == "" {
		return nil, ErrNoSecret
	}
	v := &Verifier{secret: []byte(secret)}
	for _, opt := range opts {
		if err := opt(v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// String describes the Verifier without revealing the secret, so that
// printing one with %v or %+v is safe.
func (v *Verifier) String() string {
	if v == nil {
		return "webhook.Verifier(nil)"
	}
	return fmt.Sprintf("webhook.Verifier{secret: [redacted], Tolerance: %v, MaxBodyBytes: %d}", v.tolerance(), v.maxBodyBytes())
}

// GoString is String, for %#v.
func (v *Verifier) GoString() string { return v.String() }

func (v *Verifier) tolerance() time.Duration {
	if v.Tolerance <= 0 {
		return DefaultTolerance
	}
	return v.Tolerance
}

func (v *Verifier) maxBodyBytes() int64 {
	if v.MaxBodyBytes <= 0 {
		return DefaultMaxBodyBytes
	}
	return v.MaxBodyBytes
}

func (v *Verifier) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}

// signedHeaders holds the parsed, not yet verified, signature headers.
type signedHeaders struct {
	rawTimestamp string
	sentAt       time.Time
	mac          []byte
}

// parseHeaders checks that the signature headers are present and well
// formed. It does not look at the body.
func parseHeaders(header http.Header) (signedHeaders, error) {
	var sh signedHeaders
	sigs := header.Values(SignatureHeader)
	switch {
	case len(sigs) == 0 || sigs[0] == "":
		return sh, ErrMissingSignature
	case len(sigs) > 1:
		return sh, fmt.Errorf("%w: more than one %s header", ErrInvalidSignature, SignatureHeader)
	}
	ts := header.Values(TimestampHeader)
	if len(ts) != 1 {
		return sh, ErrInvalidTimestamp
	}
	ms, ok := parseMillis(ts[0])
	if !ok {
		return sh, ErrInvalidTimestamp
	}
	sig := sigs[0]
	if len(sig) != hex.EncodedLen(sha256.Size) {
		return sh, fmt.Errorf("%w: want %d hex digits", ErrInvalidSignature, hex.EncodedLen(sha256.Size))
	}
	mac, err := hex.DecodeString(sig)
	if err != nil {
		return sh, fmt.Errorf("%w: not hexadecimal", ErrInvalidSignature)
	}
	sh.rawTimestamp = ts[0]
	sh.sentAt = time.UnixMilli(ms)
	sh.mac = mac
	return sh, nil
}

// parseMillis accepts what Date.now().toString() produces: decimal digits,
// no sign, no spaces.
func parseMillis(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	return ms, err == nil
}

// Verify checks that body was signed with the Verifier's secret at the time
// given by the timestamp header, and that this time is within Tolerance of
// Now. The signature is compared in constant time. A delivery that is
// authentic but too old (a replay) or too far in the future fails with
// ErrStaleTimestamp; the freshness check comes after the signature check,
// so that error always means "authentic but outside the window".
func (v *Verifier) Verify(header http.Header, body []byte) error {
	_, err := v.verify(header, body)
	return err
}

func (v *Verifier) verify(header http.Header, body []byte) (time.Time, error) {
	if v == nil || len(v.secret) == 0 {
		return time.Time{}, ErrNoSecret
	}
	sh, err := parseHeaders(header)
	if err != nil {
		return time.Time{}, err
	}
	return sh.sentAt, v.check(sh, body)
}

func (v *Verifier) check(sh signedHeaders, body []byte) error {
	if !hmac.Equal(sh.mac, mac(v.secret, sh.rawTimestamp, body)) {
		return ErrInvalidSignature
	}
	tol := v.tolerance()
	age := v.now().Sub(sh.sentAt)
	switch {
	case age > tol:
		return fmt.Errorf("%w: signed %v ago, tolerance %v", ErrStaleTimestamp, age.Round(time.Second), tol)
	case age < -tol:
		return fmt.Errorf("%w: signed %v in the future, tolerance %v", ErrStaleTimestamp, age.Abs().Round(time.Second), tol)
	}
	return nil
}

// ReadAndVerify reads r's body once, through a cap of MaxBodyBytes
// (ErrBodyTooLarge beyond it), and verifies it as Verify does. Headers are
// checked first, so a request without a well-formed signature is refused
// without reading its body. It returns the body exactly as received.
func (v *Verifier) ReadAndVerify(r *http.Request) ([]byte, error) {
	body, _, err := v.readAndVerify(r)
	return body, err
}

func (v *Verifier) readAndVerify(r *http.Request) ([]byte, signedHeaders, error) {
	if v == nil || len(v.secret) == 0 {
		return nil, signedHeaders{}, ErrNoSecret
	}
	sh, err := parseHeaders(r.Header)
	if err != nil {
		return nil, sh, err
	}
	limit := v.maxBodyBytes()
	if r.ContentLength > limit {
		return nil, sh, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
	}
	var body []byte
	if r.Body != nil {
		body, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			return nil, sh, fmt.Errorf("webhook: reading body: %w", err)
		}
		if int64(len(body)) > limit {
			return nil, sh, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
		}
	}
	if err := v.check(sh, body); err != nil {
		return nil, sh, err
	}
	return body, sh, nil
}

func mac(secret []byte, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	io.WriteString(m, timestamp)
	m.Write([]byte{':'})
	m.Write(body)
	return m.Sum(nil)
}

// Sign returns the X-Twenty-Webhook-Signature value Twenty sends for body
// at timestamp: the lowercase hex HMAC-SHA256, keyed with secret, of the
// timestamp in Unix milliseconds, a colon, and the body.
func Sign(secret []byte, timestamp time.Time, body []byte) string {
	return hex.EncodeToString(mac(secret, formatMillis(timestamp), body))
}

// SignedHeaders returns the headers a delivery of body signed at timestamp
// carries: Content-Type, the timestamp, the signature and a random nonce.
// Like the server, it adds only Content-Type when secret is empty.
func SignedHeaders(secret []byte, timestamp time.Time, body []byte) http.Header {
	h := make(http.Header, 4)
	h.Set("Content-Type", "application/json")
	if len(secret) == 0 {
		return h
	}
	ts := formatMillis(timestamp)
	nonce := make([]byte, 16)
	rand.Read(nonce) // never fails since Go 1.24
	h.Set(TimestampHeader, ts)
	h.Set(SignatureHeader, hex.EncodeToString(mac(secret, ts, body)))
	h.Set(NonceHeader, hex.EncodeToString(nonce))
	return h
}

func formatMillis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
