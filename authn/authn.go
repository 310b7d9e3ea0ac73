package authn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the Twenty Cloud API host. The REST paths (/rest/...)
// are appended by the client, so the base URL carries no /rest suffix.
const DefaultBaseURL = "https://api.twenty.com"

// Environment variables read by FromEnv.
const (
	EnvAPIKey  = "TWENTY_API_KEY"
	EnvBaseURL = "TWENTY_BASE_URL"
)

// Sentinel errors. Errors returned by this package wrap one of them, so
// callers test with errors.Is. The first four are server verdicts (see
// Classify); ErrExpiredAPIKey is also returned locally before a request is
// sent. The rest are local checks that fail before anything is sent.
var (
	ErrUnauthorized      = errors.New("authn: API key not accepted")
	ErrMissingAuthHeader = errors.New("authn: missing authorization header")
	ErrExpiredAPIKey     = errors.New("authn: API key expired")
	ErrRevokedAPIKey     = errors.New("authn: API key revoked")

	ErrInvalidAPIKey     = errors.New("authn: invalid API key")
	ErrInsecureTransport = errors.New("authn: refusing to send API key without TLS to a non-loopback host")
	ErrMissingAPIKey     = errors.New("authn: API key missing: set environment variable " + EnvAPIKey)
	ErrInvalidBaseURL    = errors.New("authn: invalid base URL")
)

const redacted = "[REDACTED]"

type options struct {
	now           func() time.Time
	allowInsecure bool
}

// Option configures a Credential.
type Option func(*options)

// AllowInsecureHTTP permits sending the key over plain http:// to hosts other
// than loopback, e.g. a self-hosted instance on a trusted private network.
// Without it such requests fail with ErrInsecureTransport, because anyone on
// the path could read the key and use it until it is revoked.
func AllowInsecureHTTP() Option {
	return func(o *options) { o.allowInsecure = true }
}

// WithClock replaces time.Now for expiry checks. A nil function is ignored.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// Credential holds a Twenty API key. The key never leaves the value except
// in the Authorization header set by RequestEditor: every printing and
// logging path shows a redacted form.
type Credential struct {
	// key is a closure, not a string, because fmt falls back to reflection
	// where our methods cannot run (a Credential value, an unexported field
	// of another struct, a bad verb) and reflection can print a string field
	// but not what a closure captured.
	key           func() string
	exp           time.Time
	hasExp        bool
	now           func() time.Time
	allowInsecure bool
}

// NewCredential validates apiKey and returns a Credential. Nothing is trimmed
// silently: an empty key, surrounding whitespace, or any whitespace, control or
// non-ASCII character inside it fails with an error wrapping ErrInvalidAPIKey.
// Twenty keys are JWTs (ASCII base64url), so such characters are copy/paste
// accidents (a trailing newline, a zero-width space) that would otherwise
// surface later as a confusing 401. Error messages never include the key.
func NewCredential(apiKey string, opts ...Option) (*Credential, error) {
	if err := validateKey(apiKey); err != nil {
		return nil, err
	}
	o := options{now: time.Now}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	c := &Credential{
		key:           func() string { return apiKey },
		now:           o.now,
		allowInsecure: o.allowInsecure,
	}
	c.exp, c.hasExp = jwtExpiry(apiKey)
	return c, nil
}

func validateKey(k string) error {
	if k == "" {
		return fmt.Errorf("%w: empty", ErrInvalidAPIKey)
	}
	if strings.TrimSpace(k) != k {
		return fmt.Errorf("%w: leading or trailing whitespace (keys are not trimmed automatically)", ErrInvalidAPIKey)
	}
	if len(k) > 7 && strings.EqualFold(k[:7], "bearer ") {
		return fmt.Errorf("%w: pass the key without the \"Bearer \" prefix", ErrInvalidAPIKey)
	}
	for i := 0; i < len(k); i++ {
		switch b := k[i]; {
		case b == ' ' || b == '\t':
			return fmt.Errorf("%w: whitespace at byte offset %d", ErrInvalidAPIKey, i)
		case b < 0x20 || b == 0x7f:
			return fmt.Errorf("%w: control character at byte offset %d", ErrInvalidAPIKey, i)
		case b >= 0x80:
			return fmt.Errorf("%w: non-ASCII character at byte offset %d", ErrInvalidAPIKey, i)
		}
	}
	return nil
}

// Expiry returns the `exp` claim of a JWT key, read without verifying the
// signature (only the server can do that; the claim is used solely to fail
// fast). It reports false for keys that are not JWTs or carry no exp.
func (c *Credential) Expiry() (time.Time, bool) {
	if c == nil || !c.hasExp {
		return time.Time{}, false
	}
	return c.exp, true
}

// Expired reports whether the key's exp has passed. Like the server's JWT
// check, a key is expired from the exp second onwards.
func (c *Credential) Expired() bool {
	exp, ok := c.Expiry()
	return ok && !c.now().Before(exp)
}

// RequestEditor returns a function that sets "Authorization: Bearer <key>" on
// a request. It is assignable to the generated client's RequestEditorFn.
//
// Editing the request (rather than wrapping the transport) lets net/http drop
// the header by itself when a redirect leaves the original host.
//
// Before setting anything it fails with ErrInsecureTransport if the request
// would carry the key over plain http to a non-loopback host (unless
// AllowInsecureHTTP was given), and with ErrExpiredAPIKey if the key's exp has
// passed, since the server would only answer 401.
func (c *Credential) RequestEditor() func(ctx context.Context, req *http.Request) error {
	return func(_ context.Context, req *http.Request) error {
		if c == nil || c.key == nil {
			return fmt.Errorf("%w: nil or zero Credential (use NewCredential)", ErrInvalidAPIKey)
		}
		if req == nil || req.URL == nil {
			return errors.New("authn: nil request or request URL")
		}
		if err := checkTransport(req.URL.Scheme, req.URL.Host, c.allowInsecure); err != nil {
			return err
		}
		if exp, ok := c.Expiry(); ok && !c.now().Before(exp) {
			return fmt.Errorf("%w: exp %s has passed", ErrExpiredAPIKey, exp.Format(time.RFC3339))
		}
		if req.Header == nil {
			req.Header = make(http.Header)
		}
		req.Header.Set("Authorization", "Bearer "+c.key())
		return nil
	}
}

// checkTransport allows https always, and http only to loopback unless
// allowInsecure. Other schemes are treated like http: the transport rejects
// them anyway, and the key must not be the reason a request leaks. hostport
// is shown whole: the port tells which of a host's services was refused.
func checkTransport(scheme, hostport string, allowInsecure bool) error {
	if strings.EqualFold(scheme, "https") || allowInsecure || IsLoopback((&url.URL{Host: hostport}).Hostname()) {
		return nil
	}
	return fmt.Errorf("%w: %s://%s (use https, or AllowInsecureHTTP on a trusted network)",
		ErrInsecureTransport, strings.ToLower(scheme), hostport)
}

// IsLoopback accepts "localhost" and loopback IP literals (127.0.0.0/8, ::1,
// including IPv4-mapped and zoned forms), the hosts plain http may reach
// with a key. Other names are not resolved: DNS could point them anywhere.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// String returns a redacted description; the key is never included.
func (c *Credential) String() string {
	if c == nil {
		return "authn.Credential(nil)"
	}
	return "authn.Credential{key:" + redacted + "}"
}

// GoString makes %#v redacted as well.
func (c *Credential) GoString() string { return c.String() }

// Format makes every fmt verb (%v, %+v, %#v, %s, %q, %x, ...) print the
// redacted form, so no verb falls back to printing struct fields.
func (c *Credential) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", c.String())
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// LogValue makes slog print the redacted form (plus the expiry, which is not
// secret and helps diagnose 401s).
func (c *Credential) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue(c.String())
	}
	attrs := []slog.Attr{slog.String("key", redacted)}
	if exp, ok := c.Expiry(); ok {
		attrs = append(attrs, slog.Time("expires", exp))
	}
	return slog.GroupValue(attrs...)
}
