package twenty_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/authn"
)

// TestKeyNeverLeaks (client_test.go) checks the common paths with a short
// key. The tests here plant a key shaped like a real one, a JWT with a
// future exp, and drive every path the client has, including servers that
// echo the key back, and look for any of its parts in everything the
// client produces: errors, logs, formatted values.

// secretMarker is in the planted key's signature, the part that makes it
// a credential.
const secretMarker = "PLANTED-SECRET-"

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// plantedJWT is header.payload.signature with an exp ten years ahead, so
// the client's local expiry check lets it through.
var plantedJWT = b64(`{"alg":"HS256","typ":"JWT"}`) + "." +
	b64(fmt.Sprintf(`{"sub":"planted-workspace","type":"API_KEY","exp":%d}`, time.Now().AddDate(10, 0, 0).Unix())) + "." +
	secretMarker + "q2Nf7vXk1LzR0aWc9bmF0dXJl"

// leakNeedles are what must never show: the key, its payload and
// signature, the marker, and their hex forms (%x of a string).
func leakNeedles() []string {
	parts := strings.Split(plantedJWT, ".")
	needles := []string{plantedJWT, parts[1], parts[2], secretMarker, "q2Nf7vXk1LzR0aWc9"}
	for _, n := range slicesClone(needles) {
		needles = append(needles, hex.EncodeToString([]byte(n)), strings.ToUpper(hex.EncodeToString([]byte(n))))
	}
	return needles
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// assertNoSecret fails if out holds any part of the planted key.
func assertNoSecret(t *testing.T, out, what string) bool {
	t.Helper()
	for _, n := range leakNeedles() {
		if i := strings.Index(out, n); i >= 0 {
			t.Errorf("%s leaks the key (%.40q…) in: …%s…", what, n, out[max(0, i-60):min(len(out), i+len(n)+20)])
			return false
		}
	}
	return true
}

var allVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"}

// assertNoSecretFormatted formats v with every verb, and plain; it stops
// at the first leak.
func assertNoSecretFormatted(t *testing.T, v any, what string) bool {
	t.Helper()
	for _, verb := range allVerbs {
		if !assertNoSecret(t, fmt.Sprintf(verb, v), what+" formatted with "+verb) {
			return false
		}
	}
	return assertNoSecret(t, fmt.Sprint(v), what+" printed")
}

// assertNoSecretInError checks an error's text, every verb, every error
// in its tree and an *APIError's fields; it stops at the first leak.
func assertNoSecretInError(t *testing.T, err error, what string) bool {
	t.Helper()
	if err == nil {
		return true
	}
	if !assertNoSecret(t, err.Error(), what+": Error()") || !assertNoSecretFormatted(t, err, what) {
		return false
	}
	var apiErr *twenty.APIError
	if errors.As(err, &apiErr) {
		if !assertNoSecretFormatted(t, *apiErr, what+" as an APIError value") ||
			!assertNoSecret(t, strings.Join(apiErr.Messages, "\n")+apiErr.Code+apiErr.Snippet+apiErr.RequestID, what+" APIError fields") {
			return false
		}
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return assertNoSecretInError(t, u.Unwrap(), what+" unwrapped")
	case interface{ Unwrap() []error }:
		for i, e := range u.Unwrap() {
			if !assertNoSecretInError(t, e, fmt.Sprintf("%s unwrapped[%d]", what, i)) {
				return false
			}
		}
	}
	return true
}

// secretRoutes answers by record id: personID(status*10+shape) gives that
// status with the documented (shape 1) or the server's (shape 2) body.
func secretRoutes(t *testing.T) (http.HandlerFunc, *atomic.Int64) {
	var rateLimited atomic.Int64
	bodies := map[int][2]string{
		400: {`{"error":{"message":"Invalid filter","code":"BAD_REQUEST","details":{}}}`, `{"statusCode":400,"error":"BadRequestException","messages":["bad"]}`},
		401: {`{"error":{"message":"Invalid token","code":"UNAUTHORIZED","details":{}}}`, `{"statusCode":401,"messages":["Token invalid."],"error":"UNAUTHENTICATED"}`},
		403: {`{"error":{"message":"API key revoked","code":"REVOKED_API_KEY","details":{}}}`, `{"statusCode":403,"messages":["Forbidden resource"],"error":"FORBIDDEN_EXCEPTION"}`},
		404: {`{"error":{"message":"Record not found","code":"NOT_FOUND","details":{}}}`, `{"statusCode":404,"error":"NotFoundException","messages":["Record not found"]}`},
		429: {`{"error":{"message":"Too many requests","code":"RATE_LIMITED","details":{}}}`, `{"statusCode":429,"error":"RATE_LIMITED","messages":["Limit reached"],"retryAfterSeconds":0.001}`},
		500: {`{"error":{"message":"Internal error","code":"INTERNAL_SERVER_ERROR","details":{}}}`, `{"statusCode":500,"error":"InternalServerErrorException","messages":["boom"]}`},
	}
	h := func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if auth != "Bearer "+plantedJWT {
			t.Errorf("%s %s: Authorization = %q", r.Method, r.URL.Path, auth)
		}
		if strings.HasPrefix(r.URL.Path, "/rest/panickers") { // every method panics
			panic("handler failed while holding " + auth)
		}
		if r.URL.Path == "/rest/batch/people" {
			writeJSON(w, http.StatusInternalServerError, bodies[500][1])
			return
		}
		path := strings.TrimPrefix(r.URL.Path, "/rest/people")
		for status, shapes := range bodies {
			for shape, body := range shapes {
				if path == "/"+personID(status*10+shape+1) {
					writeJSON(w, status, body)
					return
				}
			}
		}
		switch path {
		case "":
			if r.Method == http.MethodPost {
				writeJSON(w, http.StatusCreated, envelope(t, "createPerson", person(1)))
				return
			}
			writeJSON(w, http.StatusOK, `{"data":{"people":[`+mustJSON(t, person(1))+`]},"pageInfo":{"startCursor":"a","endCursor":"a","hasNextPage":false,"hasPreviousPage":false},"totalCount":1}`)
		case "/" + personID(1):
			writeJSON(w, http.StatusOK, envelope(t, "person", person(1)))
		case "/" + personID(90001): // 429, then 200
			if rateLimited.Add(1) == 1 {
				w.Header().Set("Retry-After", "0")
				writeJSON(w, http.StatusTooManyRequests, bodies[429][1])
				return
			}
			writeJSON(w, http.StatusOK, envelope(t, "person", person(4291)))
		case "/" + personID(90002): // a handler that panics: net/http drops the connection
			panic("handler failed while holding " + auth)
		case "/" + personID(90003): // a server that echoes the key in its messages
			writeJSON(w, http.StatusUnauthorized, mustJSON(t, map[string]any{
				"statusCode": 401, "error": "UNAUTHENTICATED",
				"messages": []string{"Token invalid: " + strings.TrimPrefix(auth, "Bearer "), "header was " + auth}}))
		case "/" + personID(90004): // the same in the documented shape
			writeJSON(w, http.StatusUnauthorized, mustJSON(t, map[string]any{
				"error": map[string]any{"code": "UNAUTHORIZED", "message": "bad key " + strings.TrimPrefix(auth, "Bearer ")}}))
		case "/" + personID(90005): // a debugging proxy's error page listing the request headers
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<pre>Authorization: "+auth+"\nHost: "+r.Host+"</pre>")
		case "/" + personID(90006): // an echo service answering 200 with the request headers
			writeJSON(w, http.StatusOK, mustJSON(t, map[string]any{"headers": map[string]string{"Authorization": auth}}))
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
		}
	}
	return h, &rateLimited
}

func TestPlantedKeyNeverLeaks(t *testing.T) {
	t.Parallel()
	for _, handler := range []string{"json", "text"} {
		t.Run(handler, func(t *testing.T) {
			t.Parallel()
			h, _ := secretRoutes(t)
			srv := httptest.NewUnstartedServer(h)
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the panic's report is the server's business
			srv.Start()
			t.Cleanup(srv.Close)

			var logBuf syncBuffer
			hopts := &slog.HandlerOptions{Level: slog.LevelDebug, AddSource: true}
			var logger *slog.Logger
			if handler == "json" {
				logger = slog.New(slog.NewJSONHandler(&logBuf, hopts))
			} else {
				logger = slog.New(slog.NewTextHandler(&logBuf, hopts))
			}
			opts := []twenty.Option{
				twenty.WithAPIKey(plantedJWT),
				twenty.WithBaseURL(srv.URL),
				twenty.WithLogger(logger),
				twenty.WithRetryPolicy(fastRetries),
				twenty.WithUserAgent("secrets-test"),
				twenty.WithTimeout(5 * time.Second),
			}
			c, err := twenty.NewClient(opts...)
			require.NoError(t, err)
			ctx := t.Context()
			people := c.People()

			var errs []error
			record := func(what string, err error) {
				t.Helper()
				require.Error(t, err, what)
				errs = append(errs, fmt.Errorf("%s: %w", what, err))
			}

			// Success, through every layer.
			page, err := people.List(ctx, nil)
			require.NoError(t, err)
			require.Len(t, page.Records, 1)
			_, err = people.Get(ctx, personID(1), nil)
			require.NoError(t, err)
			_, err = people.Create(ctx, api.Person{JobTitle: ptr("x")}, nil)
			require.NoError(t, err)
			_, err = c.API().FindOnePersonWithResponse(ctx, uuidOf(t, personID(1)), nil)
			require.NoError(t, err)
			_, err = c.Object("people").Get(ctx, personID(1), nil)
			require.NoError(t, err)

			// Retries: 429, then 200.
			_, err = people.Get(ctx, personID(90001), nil)
			require.NoError(t, err)

			// Each error status, both bodies, typed and through API().
			for _, status := range []int{400, 401, 403, 404, 429, 500} {
				for shape := range 2 {
					id := personID(status*10 + shape + 1)
					_, err := people.Get(ctx, id, nil)
					var apiErr *twenty.APIError
					require.ErrorAs(t, err, &apiErr)
					require.Equal(t, status, apiErr.StatusCode)
					record(fmt.Sprintf("Get %d/%d", status, shape), err)
					_, err = c.API().FindOnePersonWithResponse(ctx, uuidOf(t, id), nil)
					record(fmt.Sprintf("API %d/%d", status, shape), err)
				}
			}

			// Servers that echo the key back.
			for _, id := range []int{90003, 90004, 90005} {
				_, err := people.Get(ctx, personID(id), nil)
				var apiErr *twenty.APIError
				require.ErrorAs(t, err, &apiErr)
				record(fmt.Sprintf("echo %d", id), err)
				_, err = c.API().FindOnePersonWithResponse(ctx, uuidOf(t, personID(id)), nil)
				record(fmt.Sprintf("API echo %d", id), err)
			}
			_, err = people.Get(ctx, personID(90006), nil)
			require.ErrorIs(t, err, twenty.ErrUnexpected)
			record("echo 200", err)

			// A panicking handler: a GET is retried and fails, a create's
			// outcome is unknown.
			_, err = people.Get(ctx, personID(90002), nil)
			record("panic", err)
			_, err = c.API().FindOnePersonWithResponse(ctx, uuidOf(t, personID(90002)), nil)
			record("API panic", err)
			_, err = c.Object("panickers").Create(ctx, twenty.Record{"name": "x"}, nil)
			require.ErrorIs(t, err, twenty.ErrOutcomeUnknown)
			record("panic on create", err)
			_, err = c.Object("panickers").Update(ctx, personID(1), twenty.Record{"name": "x"}, nil)
			record("panic on update", err)

			// Local failures: bad input, a cancelled context, an expired
			// key, plain http to another host, an oversized answer.
			_, err = people.Get(ctx, "not-a-uuid", nil)
			record("bad id", err)
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			_, err = people.List(cancelled, nil)
			record("cancelled", err)
			small, err := twenty.NewClient(append(opts, twenty.WithMaxResponseBytes(16))...)
			require.NoError(t, err)
			_, err = small.People().List(ctx, nil)
			require.ErrorIs(t, err, twenty.ErrTooLarge)
			record("too large", err)
			_, err = twenty.NewClient(append(opts, twenty.WithBaseURL("http://twenty.example.invalid"))...)
			require.ErrorIs(t, err, authn.ErrInsecureTransport)
			record("insecure", err)
			expired := b64(`{"alg":"HS256"}`) + "." + b64(`{"exp":1000000000}`) + "." + secretMarker + "expired"
			old, err := twenty.NewClient(append(opts, twenty.WithAPIKey(expired))...)
			require.NoError(t, err)
			_, err = old.People().Get(ctx, personID(1), nil)
			require.ErrorIs(t, err, twenty.ErrExpiredAPIKey)
			record("expired", err)
			for _, bad := range []string{plantedJWT + "\n", " " + plantedJWT, "Bearer " + plantedJWT, plantedJWT[:20] + " " + plantedJWT[20:], plantedJWT + "\u200b"} {
				_, err := twenty.NewClient(twenty.WithAPIKey(bad))
				require.ErrorIs(t, err, authn.ErrInvalidAPIKey)
				record("bad key", err)
				_, err = authn.NewCredential(bad)
				record("bad credential", err)
			}

			// Batch errors wrap the failed batch's.
			_, err = people.CreateMany(ctx, []api.Person{{}, {}}, &twenty.CreateOptions{BatchSize: 1})
			var be *twenty.BatchError
			require.ErrorAs(t, err, &be)
			record("create many", err)

			for i, err := range errs {
				assertNoSecretInError(t, err, fmt.Sprintf("error %d", i))
			}

			// Formatting the client, its options, the credential and config.
			assertNoSecretFormatted(t, c, "client")
			assertNoSecretFormatted(t, *c, "client value")
			assertNoSecretFormatted(t, people, "resource")
			assertNoSecretFormatted(t, c.API(), "generated client")
			assertNoSecretFormatted(t, opts, "options")
			for i, o := range opts {
				assertNoSecretFormatted(t, o, fmt.Sprintf("option %d", i))
			}
			assertNoSecretFormatted(t, twenty.WithAPIKey(plantedJWT), "WithAPIKey")
			cred, err := authn.NewCredential(plantedJWT)
			require.NoError(t, err)
			assertNoSecretFormatted(t, cred, "credential")
			assertNoSecretFormatted(t, *cred, "credential value")
			cfg, err := authn.FromLookup(func(k string) (string, bool) {
				return map[string]string{authn.EnvAPIKey: plantedJWT, authn.EnvBaseURL: srv.URL}[k], true
			})
			require.NoError(t, err)
			assertNoSecretFormatted(t, cfg, "config")
			assertNoSecretFormatted(t, *cfg, "config value")
			assertNoSecretFormatted(t, struct {
				C    *twenty.Client
				cred *authn.Credential
				cfg  authn.Config
			}{c, cred, *cfg}, "a struct holding them")

			// The same values logged at the most verbose level.
			logger.Debug("values", "client", c, "credential", cred, "config", cfg, "options", opts, "err", errs[0])
			logger.Debug("values", slog.Any("client", *c), slog.Any("credential", *cred), slog.Any("config", *cfg))
			for _, err := range errs {
				logger.Error("failed", "err", err)
			}

			out := logBuf.String()
			assertNoSecret(t, out, "the "+handler+" log")
			assert.Contains(t, out, "/rest/people/{id}", "the log is not empty")
			assert.Contains(t, out, "attempt", "the client's own records are there")
		})
	}
}

// The key follows a redirect only back to the same origin: scheme, host
// and port. net/http's own rule looks at host names only, so for it two
// loopback servers on different ports are the same host; the client's
// rule is stricter, as curl's is since CVE-2022-27776.
func TestRedirectKeepsTheKeyOnItsOrigin(t *testing.T) {
	t.Parallel()
	var secondAuth atomic.Value
	var hits atomic.Int64
	var firstURL string // set once first starts, before any request
	second := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		secondAuth.Store(r.Header.Get("Authorization"))
		if r.URL.Path == "/back" {
			http.Redirect(w, r, firstURL+"/rest/people/"+personID(8), http.StatusFound)
			return
		}
		writeJSON(w, http.StatusOK, envelope(t, "person", person(2)))
	}))
	t.Cleanup(second.Close)
	_, port, err := net.SplitHostPort(second.Listener.Addr().String())
	require.NoError(t, err)

	var sameAuth, backAuth atomic.Value
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch strings.TrimPrefix(r.URL.Path, "/rest/people/") {
		case personID(1): // the other server, same address: another port
			http.Redirect(w, r, second.URL+"/rest/people/"+personID(2), http.StatusFound)
		case personID(3): // the other server by another name
			http.Redirect(w, r, "http://localhost:"+port+"/rest/people/"+personID(2), http.StatusFound)
		case personID(5): // this server, another path
			http.Redirect(w, r, "/rest/people/"+personID(6), http.StatusFound)
		case personID(7): // the other server, which sends the client back here
			http.Redirect(w, r, second.URL+"/back", http.StatusFound)
		case personID(6):
			sameAuth.Store(r.Header.Get("Authorization"))
			writeJSON(w, http.StatusOK, envelope(t, "person", person(6)))
		case personID(8):
			backAuth.Store(r.Header.Get("Authorization"))
			writeJSON(w, http.StatusOK, envelope(t, "person", person(8)))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(first.Close)
	firstURL = first.URL

	c, err := twenty.NewClient(twenty.WithAPIKey(plantedJWT), twenty.WithBaseURL(first.URL), twenty.WithRetryPolicy(twenty.NoRetries))
	require.NoError(t, err)
	ctx := t.Context()

	for _, id := range []int{1, 3} {
		secondAuth.Store("unset")
		got, err := c.People().Get(ctx, personID(id), nil)
		require.NoError(t, err, "redirect %d", id)
		assert.Equal(t, personID(2), got.ID.String())
		assert.Empty(t, secondAuth.Load(), "redirect %d: the key must not reach another origin", id)
	}
	assert.EqualValues(t, 2, hits.Load())

	got, err := c.People().Get(ctx, personID(5), nil)
	require.NoError(t, err)
	assert.Equal(t, personID(6), got.ID.String())
	assert.Equal(t, "Bearer "+plantedJWT, sameAuth.Load(), "a same-origin redirect keeps the key")

	// Once a redirect left the origin, the key stays off: the other
	// origin chose where the client goes next.
	got, err = c.People().Get(ctx, personID(7), nil)
	require.NoError(t, err)
	assert.Equal(t, personID(8), got.ID.String())
	assert.Empty(t, backAuth.Load(), "the key does not come back after another origin's redirect")
	assert.EqualValues(t, 3, hits.Load())

	// A caller's CheckRedirect still decides whether to follow at all.
	stop := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c2, err := twenty.NewClient(twenty.WithAPIKey(plantedJWT), twenty.WithBaseURL(first.URL),
		twenty.WithRetryPolicy(twenty.NoRetries), twenty.WithHTTPClient(stop))
	require.NoError(t, err)
	_, err = c2.People().Get(ctx, personID(1), nil)
	var apiErr *twenty.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusFound, apiErr.StatusCode)
	assert.EqualValues(t, 3, hits.Load(), "not followed")
	assertNoSecretInError(t, err, "redirect refused")
}
