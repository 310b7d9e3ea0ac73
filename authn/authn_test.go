package authn_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twenty-go/twenty/authn"
)

// requestEditorFn has the shape of the generated client's RequestEditorFn;
// the assignment below fails to compile if RequestEditor drifts from it.
type requestEditorFn func(ctx context.Context, req *http.Request) error

var _ requestEditorFn = (*authn.Credential)(nil).RequestEditor()

// plant is a recognisable secret fragment. Every key built by the tests
// contains it, so a leak of any key shows up as this substring.
const plant = "PLANTEDs3cr3tK3y"

var (
	now       = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fixedNow  = authn.WithClock(func() time.Time { return now })
	plainKey  = "tw_" + plant + "_0123456789"
	futureJWT = makeJWT(map[string]any{"sub": "ws", "type": "API_KEY", "exp": now.Add(time.Hour).Unix()})
	pastJWT   = makeJWT(map[string]any{"sub": "ws", "type": "API_KEY", "exp": now.Add(-time.Hour).Unix()})
)

// makeJWT builds a compact JWS whose signature is the planted fragment: only
// the server could check a signature anyway.
func makeJWT(claims any) string {
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "HS256", "typ": "JWT"}) + "." + enc(claims) + "." + plant
}

// rawJWT is makeJWT with the payload given as raw text, for malformed claims.
func rawJWT(payload string) string {
	return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + plant
}

func mustCredential(t *testing.T, key string, opts ...authn.Option) *authn.Credential {
	t.Helper()
	c, err := authn.NewCredential(key, opts...)
	wantNoErr(t, err)
	return c
}

func newRequest(t *testing.T, rawURL string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, rawURL, nil)
	wantNoErr(t, err)
	return req
}

func TestNewCredentialValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		key     string
		wantErr string // substring of the error; "" means valid
	}{
		{"plain", plainKey, ""},
		{"jwt", futureJWT, ""},
		{"punctuation", "a-b_c.d~e+f/g=" + plant, ""},
		{"empty", "", "empty"},
		{"only spaces", "   ", "leading or trailing whitespace"},
		{"leading space", " " + plainKey, "leading or trailing whitespace"},
		{"trailing newline", plainKey + "\n", "leading or trailing whitespace"},
		{"trailing CRLF", plainKey + "\r\n", "leading or trailing whitespace"},
		{"inner space", plant + " x", "whitespace at byte offset 16"},
		{"inner tab", plant + "\tx", "whitespace at byte offset 16"},
		{"inner NUL", plant + "\x00x", "control character at byte offset 16"},
		{"inner newline", plant + "\nx", "control character"},
		{"inner DEL", plant + "\x7fx", "control character"},
		{"zero-width space", plant + "\u200bx", "non-ASCII"},
		{"no-break space", plant + "\u00a0x", "non-ASCII"},
		{"smart quotes", "\u201c" + plant + "\u201d", "non-ASCII"},
		{"bearer prefix", "Bearer " + plant, `without the "Bearer " prefix`},
		{"lowercase bearer prefix", "bearer " + plant, `without the "Bearer " prefix`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := authn.NewCredential(tt.key)
			if tt.wantErr == "" {
				wantNoErr(t, err)
				if c == nil {
					t.Fatal("nil Credential without error")
				}
				return
			}
			wantErrIs(t, err, authn.ErrInvalidAPIKey)
			if c != nil {
				t.Error("non-nil Credential with error")
			}
			wantContains(t, err.Error(), tt.wantErr)
			assertNoLeak(t, "validation error", err.Error())
		})
	}
}

func TestRequestEditorSetsHeader(t *testing.T) {
	t.Parallel()
	for _, key := range []string{plainKey, futureJWT} {
		c := mustCredential(t, key, fixedNow)

		req := newRequest(t, "https://api.twenty.com/rest/people")
		req.Header.Set("Authorization", "Basic old")
		wantNoErr(t, c.RequestEditor()(t.Context(), req))
		if got := req.Header.Values("Authorization"); !slices.Equal(got, []string{"Bearer " + key}) {
			t.Errorf("Authorization = %q, want exactly one Bearer value", got)
		}

		// A hand-built request may have no header map at all.
		bare := &http.Request{Method: http.MethodGet, URL: req.URL}
		wantNoErr(t, c.RequestEditor()(t.Context(), bare))
		wantEqual(t, bare.Header.Get("Authorization"), "Bearer "+key)
	}
}

func TestRequestEditorRejectsUnusableInput(t *testing.T) {
	t.Parallel()
	c := mustCredential(t, plainKey)
	if err := c.RequestEditor()(t.Context(), nil); err == nil {
		t.Error("nil request: no error")
	}

	for name, cred := range map[string]*authn.Credential{"zero": {}, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			req := newRequest(t, "https://api.twenty.com/rest/people")
			err := cred.RequestEditor()(t.Context(), req)
			wantErrIs(t, err, authn.ErrInvalidAPIKey)
			wantEqual(t, req.Header.Get("Authorization"), "")
			_, ok := cred.Expiry()
			wantEqual(t, ok, false)
			wantEqual(t, cred.Expired(), false)
		})
	}
}

func TestRequestEditorTransport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url           string
		allowInsecure bool
		wantErr       bool
	}{
		{"https://api.twenty.com/rest/people", false, false},
		{"https://crm.example.com:8443/twenty/rest/people", false, false},
		{"HTTPS://crm.example.com/rest/people", false, false},
		{"http://127.0.0.1:3000/rest/people", false, false},
		{"http://127.8.9.10/rest/people", false, false},
		{"http://localhost:3000/rest/people", false, false},
		{"http://LOCALHOST/rest/people", false, false},
		{"http://[::1]:3000/rest/people", false, false},
		{"http://[::ffff:127.0.0.1]/rest/people", false, false},
		{"http://example.com/rest/people", false, true},
		{"http://crm.example.com:3000/rest/people", false, true},
		{"http://10.0.0.5/rest/people", false, true},
		{"http://[2001:db8::1]/rest/people", false, true},
		{"http://localhost.example.com/rest/people", false, true},
		{"http://127.0.0.1.nip.io/rest/people", false, true},
		{"ws://example.com/rest/people", false, true},
		{"http://example.com/rest/people", true, false},
		{"https://example.com/rest/people", true, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s allow=%t", tt.url, tt.allowInsecure), func(t *testing.T) {
			t.Parallel()
			var opts []authn.Option
			if tt.allowInsecure {
				opts = append(opts, authn.AllowInsecureHTTP())
			}
			c := mustCredential(t, plainKey, opts...)
			req := newRequest(t, tt.url)
			err := c.RequestEditor()(t.Context(), req)
			if !tt.wantErr {
				wantNoErr(t, err)
				wantEqual(t, req.Header.Get("Authorization"), "Bearer "+plainKey)
				return
			}
			wantErrIs(t, err, authn.ErrInsecureTransport)
			if v := req.Header.Values("Authorization"); len(v) != 0 {
				t.Errorf("header set on refusal: %d values", len(v))
			}
			wantContains(t, err.Error(), req.URL.Hostname())
			assertNoLeak(t, "transport error", err.Error())
		})
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		key         string
		wantExp     time.Time // zero: no expiry
		wantExpired bool
	}{
		{"future exp", futureJWT, now.Add(time.Hour), false},
		{"past exp", pastJWT, now.Add(-time.Hour), true},
		{"exp is now", makeJWT(map[string]any{"exp": now.Unix()}), now, true},
		{"exp one second ahead", makeJWT(map[string]any{"exp": now.Unix() + 1}), now.Add(time.Second), false},
		{"fractional exp", rawJWT(fmt.Sprintf(`{"exp":%d.5}`, now.Unix())), now.Add(500 * time.Millisecond), false},
		{"exponent notation", rawJWT(`{"exp":1.7e9}`), time.Unix(1.7e9, 0), true},
		{"padded payload", strings.Replace(rawJWT(`{"exp":1}`), ".", "==.", 2), time.Unix(1, 0), true},
		{"no exp claim", makeJWT(map[string]any{"sub": "ws"}), time.Time{}, false},
		{"exp null", rawJWT(`{"exp":null}`), time.Time{}, false},
		{"exp string", rawJWT(`{"exp":"1700000000"}`), time.Time{}, false},
		{"exp huge", rawJWT(`{"exp":1e300}`), time.Time{}, false},
		{"payload not JSON", rawJWT(`not json`), time.Time{}, false},
		{"payload array", rawJWT(`[1,2]`), time.Time{}, false},
		{"payload not base64", "aaa.!!!." + plant, time.Time{}, false},
		{"two segments", "aaa." + plant, time.Time{}, false},
		{"not a JWT", plainKey, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustCredential(t, tt.key, fixedNow)
			exp, ok := c.Expiry()
			wantEqual(t, ok, !tt.wantExp.IsZero())
			if !exp.Equal(tt.wantExp) {
				t.Errorf("Expiry() = %v, want %v", exp, tt.wantExp)
			}
			wantEqual(t, c.Expired(), tt.wantExpired)

			req := newRequest(t, "https://api.twenty.com/rest/people")
			err := c.RequestEditor()(t.Context(), req)
			if !tt.wantExpired {
				wantNoErr(t, err)
				wantEqual(t, req.Header.Get("Authorization"), "Bearer "+tt.key)
				return
			}
			wantErrIs(t, err, authn.ErrExpiredAPIKey)
			wantContains(t, err.Error(), tt.wantExp.UTC().Format(time.RFC3339))
			if v := req.Header.Values("Authorization"); len(v) != 0 {
				t.Errorf("header set for an expired key: %d values", len(v))
			}
			assertNoLeak(t, "expiry error", err.Error())
		})
	}
}

func TestExpiryFollowsClock(t *testing.T) {
	t.Parallel()
	clock := now
	c := mustCredential(t, futureJWT, authn.WithClock(func() time.Time { return clock }))
	wantEqual(t, c.Expired(), false)
	clock = now.Add(2 * time.Hour)
	wantEqual(t, c.Expired(), true)

	// WithClock(nil) keeps the real clock rather than panicking later.
	wantEqual(t, mustCredential(t, pastJWT, authn.WithClock(nil)).Expired(), true)
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	cred := mustCredential(t, futureJWT, fixedNow)
	cfg := &authn.Config{Credential: cred, BaseURL: authn.DefaultBaseURL}

	subjects := map[string]any{
		"*Credential": cred,
		"Credential":  *cred,
		"*Config":     cfg,
		"Config":      *cfg,
		// fmt cannot call methods through unexported fields.
		"unexported value":   struct{ c authn.Credential }{*cred},
		"unexported pointer": struct{ c *authn.Credential }{cred},
	}
	for name, v := range subjects {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%z"} {
			assertNoLeak(t, name+" "+verb, fmt.Sprintf(verb, v))
		}
		b, _ := json.Marshal(v)
		assertNoLeak(t, name+" JSON", string(b))
	}
	wantEqual(t, cred.String(), "authn.Credential{key:[REDACTED]}")
	wantEqual(t, cred.GoString(), cred.String())
	wantEqual(t, fmt.Sprintf("%#v", cred), cred.String())
	wantEqual(t, fmt.Sprintf("%q", cred), `"authn.Credential{key:[REDACTED]}"`)
	wantEqual(t, fmt.Sprintf("%+v", cfg), "&{Credential:authn.Credential{key:[REDACTED]} BaseURL:https://api.twenty.com}")
	wantEqual(t, (*authn.Credential)(nil).String(), "authn.Credential(nil)")

	var jsonBuf, textBuf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&jsonBuf, nil), slog.NewTextHandler(&textBuf, nil)} {
		logger := slog.New(h)
		logger.Info("creds", "cred", cred, "cfg", cfg, "nil", (*authn.Credential)(nil))
		logger.Info("creds", slog.Any("config", *cfg))
	}
	assertNoLeak(t, "slog JSON", jsonBuf.String())
	assertNoLeak(t, "slog text", textBuf.String())
	wantContains(t, jsonBuf.String(), `"cred":{"key":"[REDACTED]","expires":"2026-03-01T13:00:00Z"}`)
	wantContains(t, textBuf.String(), "cred.key=[REDACTED]")
}

// TestErrorsDoNotLeak runs the failing paths with the planted key in reach
// and checks every error text.
func TestErrorsDoNotLeak(t *testing.T) {
	t.Parallel()
	var errs []error
	add := func(_ any, err error) { errs = append(errs, err) }

	for _, k := range []string{plant + " ", " " + plant, plant + "\n", "Bearer " + plant, plant + "\x00", plant + "\u200b"} {
		add(authn.NewCredential(k))
		add(authn.FromLookup(mapLookup(map[string]string{authn.EnvAPIKey: k})))
	}
	for _, u := range []string{
		"https://user:" + plant + "@crm.example.com",
		"https://" + plant + "@crm.example.com",
		"https://us%zz" + plant + ":x@crm.example.com",
		"https://crm.example.com/rest?token=" + plant,
		"https://crm.example.com/#" + plant,
		"https://crm.example.com/" + plant + "%zz",
		"https://crm.example.com:99999/" + plant,
		"ftp://crm.example.com/" + plant,
		"http://crm.example.com/" + plant + "/rest",
	} {
		add(authn.NormalizeBaseURL(u))
		add(authn.FromLookup(mapLookup(map[string]string{authn.EnvAPIKey: plainKey, authn.EnvBaseURL: u})))
	}
	for _, c := range []*authn.Credential{mustCredential(t, pastJWT, fixedNow), mustCredential(t, plainKey)} {
		errs = append(errs,
			c.RequestEditor()(t.Context(), newRequest(t, "http://example.com/rest/people")),
			c.RequestEditor()(t.Context(), newRequest(t, "https://example.com/rest/people")))
	}
	errs = append(errs, authn.Classify(401, []byte(`{"statusCode":401,"messages":["Token invalid."],"error":"UNAUTHENTICATED"}`)))

	var n int
	for _, err := range errs {
		if err == nil {
			continue
		}
		n++
		assertNoLeak(t, "error", err.Error())
		assertNoLeak(t, "error %+v", fmt.Sprintf("%+v", err))
	}
	if n < 30 {
		t.Errorf("only %d of %d paths failed; the table is meant to exercise errors", n, len(errs))
	}
}
