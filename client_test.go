package twenty_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/authn"
	"github.com/twenty-go/twenty/internal/spectest"
)

// plantedKey is the API key every test client uses: it must never show up
// in an error, a formatted client or a log line.
const plantedKey = "sk-PLANTED-abc123"

// fastRetries keeps retrying tests quick; everything else is the default.
var fastRetries = twenty.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

func specFor(t *testing.T) *spectest.Spec {
	t.Helper()
	spec, err := spectest.LoadCached(twenty.OpenAPISpec())
	require.NoError(t, err)
	return spec
}

// server is an httptest server mounted under /crm, so a client that joins
// paths absolutely misses it, with a validator for the client side.
type server struct {
	*httptest.Server
	base     string // srv.URL + "/crm"
	v        *spectest.Validator
	requests atomic.Int64
}

// newServer serves h under /crm/rest/. Every request must carry the
// planted key; anything outside the base path fails the test.
func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{v: spectest.New(t, specFor(t))}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if !strings.HasPrefix(r.URL.Path, "/crm/rest/") {
			t.Errorf("request outside the base path: %s %s", r.Method, r.URL.Path)
			http.Error(w, "outside base", http.StatusTeapot)
			return
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+plantedKey {
			t.Errorf("%s %s: Authorization = %q", r.Method, r.URL.Path, got)
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	s.base = s.URL + "/crm"
	return s
}

// client builds a client for s whose traffic is validated against
// openapi.yaml; later options win over the defaults set here.
func (s *server) client(t *testing.T, opts ...twenty.Option) *twenty.Client {
	t.Helper()
	all := append([]twenty.Option{
		twenty.WithAPIKey(plantedKey),
		twenty.WithBaseURL(s.base),
		twenty.WithHTTPClient(&http.Client{Transport: s.v.Transport(s.base, nil)}),
		twenty.WithRetryPolicy(fastRetries),
	}, opts...)
	c, err := twenty.NewClient(all...)
	require.NoError(t, err)
	return c
}

// rest is the request path below /crm, such as /rest/people/<id>.
func rest(r *http.Request) string { return strings.TrimPrefix(r.URL.Path, "/crm") }

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// personID is a valid version-4 UUID for synthetic record i.
func personID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

func person(i int) map[string]any {
	return map[string]any{
		"id":       personID(i),
		"name":     map[string]any{"firstName": "Person", "lastName": strconv.Itoa(i)},
		"jobTitle": strconv.Itoa(i),
	}
}

func envelope(t testing.TB, key string, v any) string {
	t.Helper()
	return mustJSON(t, map[string]any{"data": map[string]any{key: v}})
}

func ptr[T any](v T) *T { return &v }

// noRequests fails when the server saw any request.
func (s *server) noRequests(t *testing.T) {
	t.Helper()
	assert.Zero(t, s.requests.Load(), "nothing may be sent")
}

func TestOptionValidation(t *testing.T) {
	t.Parallel()
	key := twenty.WithAPIKey(plantedKey)
	tests := []struct {
		name string
		opts []twenty.Option
		want error
	}{
		{"no key", nil, authn.ErrMissingAPIKey},
		{"empty key", []twenty.Option{twenty.WithAPIKey("")}, authn.ErrInvalidAPIKey},
		{"key with trailing newline", []twenty.Option{twenty.WithAPIKey(plantedKey + "\n")}, authn.ErrInvalidAPIKey},
		{"key with inner newline", []twenty.Option{twenty.WithAPIKey("sk-PLANTED\nabc123")}, authn.ErrInvalidAPIKey},
		{"key with Bearer prefix", []twenty.Option{twenty.WithAPIKey("Bearer " + plantedKey)}, authn.ErrInvalidAPIKey},
		{"base URL without scheme", []twenty.Option{key, twenty.WithBaseURL("crm.example.com")}, authn.ErrInvalidBaseURL},
		{"base URL ftp", []twenty.Option{key, twenty.WithBaseURL("ftp://crm.example.com")}, authn.ErrInvalidBaseURL},
		{"base URL with query", []twenty.Option{key, twenty.WithBaseURL("https://crm.example.com/?x=1")}, authn.ErrInvalidBaseURL},
		{"base URL with userinfo", []twenty.Option{key, twenty.WithBaseURL("https://u:" + plantedKey + "@crm.example.com")}, authn.ErrInvalidBaseURL},
		{"base URL garbage", []twenty.Option{key, twenty.WithBaseURL("https://%zz")}, authn.ErrInvalidBaseURL},
		{"nil http client", []twenty.Option{key, twenty.WithHTTPClient(nil)}, twenty.ErrInvalidInput},
		{"negative timeout", []twenty.Option{key, twenty.WithTimeout(-time.Second)}, twenty.ErrInvalidInput},
		{"empty user agent", []twenty.Option{key, twenty.WithUserAgent("")}, twenty.ErrInvalidInput},
		{"blank user agent", []twenty.Option{key, twenty.WithUserAgent("  ")}, twenty.ErrInvalidInput},
		{"user agent header injection", []twenty.Option{key, twenty.WithUserAgent("app\r\nX-Evil: 1")}, twenty.ErrInvalidInput},
		{"user agent NUL", []twenty.Option{key, twenty.WithUserAgent("app\x00")}, twenty.ErrInvalidInput},
		{"nil logger", []twenty.Option{key, twenty.WithLogger(nil)}, twenty.ErrInvalidInput},
		{"negative attempts", []twenty.Option{key, twenty.WithRetryPolicy(twenty.RetryPolicy{MaxAttempts: -1})}, twenty.ErrInvalidInput},
		{"negative backoff", []twenty.Option{key, twenty.WithRetryPolicy(twenty.RetryPolicy{MinBackoff: -1})}, twenty.ErrInvalidInput},
		{"min above max backoff", []twenty.Option{key, twenty.WithRetryPolicy(twenty.RetryPolicy{MinBackoff: time.Second, MaxBackoff: time.Millisecond})}, twenty.ErrInvalidInput},
		{"negative max elapsed", []twenty.Option{key, twenty.WithRetryPolicy(twenty.RetryPolicy{MaxElapsed: -time.Second})}, twenty.ErrInvalidInput},
		{"batch size 0", []twenty.Option{key, twenty.WithBatchSize(0)}, twenty.ErrInvalidInput},
		{"batch size 201", []twenty.Option{key, twenty.WithBatchSize(201)}, twenty.ErrInvalidInput},
		{"batch size negative", []twenty.Option{key, twenty.WithBatchSize(-5)}, twenty.ErrInvalidInput},
		{"rate limit 0", []twenty.Option{key, twenty.WithRateLimit(0, time.Second)}, twenty.ErrInvalidInput},
		{"rate limit negative", []twenty.Option{key, twenty.WithRateLimit(-1, time.Second)}, twenty.ErrInvalidInput},
		{"rate limit zero period", []twenty.Option{key, twenty.WithRateLimit(5, 0)}, twenty.ErrInvalidInput},
		{"max response bytes 0", []twenty.Option{key, twenty.WithMaxResponseBytes(0)}, twenty.ErrInvalidInput},
		// valid edge values
		{"nil option ignored", []twenty.Option{nil, key}, nil},
		{"timeout 0 means none", []twenty.Option{key, twenty.WithTimeout(0)}, nil},
		{"batch size 1", []twenty.Option{key, twenty.WithBatchSize(1)}, nil},
		{"batch size 200", []twenty.Option{key, twenty.WithBatchSize(200)}, nil},
		{"no retries", []twenty.Option{key, twenty.WithRetryPolicy(twenty.NoRetries)}, nil},
		{"rate limit", []twenty.Option{key, twenty.WithRateLimit(100, time.Minute)}, nil},
		{"base URL with /rest", []twenty.Option{key, twenty.WithBaseURL("https://crm.example.com/twenty/rest/")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := twenty.NewClient(tt.opts...)
			if tt.want == nil {
				require.NoError(t, err)
				require.NotNil(t, c)
				return
			}
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, tt.want)
			assert.NotContains(t, err.Error(), plantedKey)
			assert.NotContains(t, err.Error(), "abc123")
		})
	}
}

func TestBaseURLIsNormalised(t *testing.T) {
	t.Parallel()
	c, err := twenty.NewClient(twenty.WithAPIKey(plantedKey), twenty.WithBaseURL("https://CRM.example.com/twenty/rest/"))
	require.NoError(t, err)
	assert.Equal(t, "https://crm.example.com/twenty", c.BaseURL())
	c, err = twenty.NewClient(twenty.WithAPIKey(plantedKey))
	require.NoError(t, err)
	assert.Equal(t, authn.DefaultBaseURL, c.BaseURL())
}

func TestNewClientFromEnv(t *testing.T) {
	// t.Setenv rules out t.Parallel.
	var gotAuth atomic.Value
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
		writeJSON(w, http.StatusOK, envelope(t, "person", person(1)))
	})

	t.Run("missing key", func(t *testing.T) {
		t.Setenv(authn.EnvAPIKey, "")
		os.Unsetenv(authn.EnvAPIKey)
		c, err := twenty.NewClientFromEnv()
		require.Error(t, err)
		assert.Nil(t, c)
		assert.ErrorIs(t, err, authn.ErrMissingAPIKey)
		assert.Contains(t, err.Error(), "TWENTY_API_KEY")
	})
	t.Run("empty key", func(t *testing.T) {
		t.Setenv(authn.EnvAPIKey, "")
		_, err := twenty.NewClientFromEnv()
		assert.ErrorIs(t, err, authn.ErrMissingAPIKey)
		assert.Contains(t, err.Error(), "TWENTY_API_KEY")
	})
	t.Run("bad base URL", func(t *testing.T) {
		t.Setenv(authn.EnvAPIKey, plantedKey)
		t.Setenv(authn.EnvBaseURL, "crm.example.com")
		_, err := twenty.NewClientFromEnv()
		assert.ErrorIs(t, err, authn.ErrInvalidBaseURL)
	})
	t.Run("key and base URL", func(t *testing.T) {
		t.Setenv(authn.EnvAPIKey, plantedKey)
		t.Setenv(authn.EnvBaseURL, srv.base+"/rest/")
		c, err := twenty.NewClientFromEnv(twenty.WithHTTPClient(&http.Client{Transport: srv.v.Transport(srv.base, nil)}))
		require.NoError(t, err)
		assert.Equal(t, srv.base, c.BaseURL())
		_, err = c.People().Get(t.Context(), personID(1), nil)
		require.NoError(t, err)
		assert.Equal(t, "Bearer "+plantedKey, gotAuth.Load())
	})
	t.Run("options win over the environment", func(t *testing.T) {
		t.Setenv(authn.EnvAPIKey, plantedKey)
		t.Setenv(authn.EnvBaseURL, "https://env.example.com")
		c, err := twenty.NewClientFromEnv(twenty.WithBaseURL("https://opt.example.com"))
		require.NoError(t, err)
		assert.Equal(t, "https://opt.example.com", c.BaseURL())
	})
	t.Run("default base URL", func(t *testing.T) {
		t.Setenv(authn.EnvAPIKey, plantedKey)
		t.Setenv(authn.EnvBaseURL, "")
		c, err := twenty.NewClientFromEnv()
		require.NoError(t, err)
		assert.Equal(t, authn.DefaultBaseURL, c.BaseURL())
	})
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var agents []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.Header.Get("User-Agent"))
		mu.Unlock()
		writeJSON(w, http.StatusOK, envelope(t, "person", person(1)))
	})
	ctx := t.Context()

	_, err := srv.client(t).People().Get(ctx, personID(1), nil)
	require.NoError(t, err)
	resp, err := srv.client(t).API().FindOnePersonWithResponse(ctx, uuidOf(t, personID(1)), nil)
	require.NoError(t, err)
	require.NotNil(t, resp.JSON200)
	_, err = srv.client(t, twenty.WithUserAgent("my-app/2.0")).People().Get(ctx, personID(1), nil)
	require.NoError(t, err)

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{twenty.DefaultUserAgent, twenty.DefaultUserAgent, "my-app/2.0"}, agents)
	assert.Contains(t, twenty.DefaultUserAgent, "twenty-go/"+twenty.Version)
}

func TestCallersHTTPClientIsNotMutated(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, envelope(t, "person", person(1)))
	})
	transport := srv.v.Transport(srv.base, nil)
	jar := &countingJar{}
	hc := &http.Client{Transport: transport, Timeout: 7 * time.Second, Jar: jar}
	c := srv.client(t, twenty.WithHTTPClient(hc), twenty.WithTimeout(time.Second))
	_, err := c.People().Get(t.Context(), personID(1), nil)
	require.NoError(t, err)
	assert.Equal(t, 7*time.Second, hc.Timeout, "the caller's timeout is left alone")
	assert.Same(t, transport, hc.Transport)
	assert.Positive(t, jar.calls.Load(), "the caller's jar is kept in the copy")

	// A zero timeout on the caller's client does not disable the default.
	hc2 := &http.Client{Transport: transport}
	_ = srv.client(t, twenty.WithHTTPClient(hc2))
	assert.Zero(t, hc2.Timeout)
}

type countingJar struct{ calls atomic.Int64 }

func (j *countingJar) SetCookies(*url.URL, []*http.Cookie) { j.calls.Add(1) }
func (j *countingJar) Cookies(*url.URL) []*http.Cookie     { j.calls.Add(1); return nil }

// recordingTransport answers every request itself instead of dialing.
type recordingTransport struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, req)
	rt.mu.Unlock()
	body := `{"data":{"people":[]},"pageInfo":{"startCursor":null,"endCursor":null,"hasNextPage":false,"hasPreviousPage":false},"totalCount":0}`
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

func (rt *recordingTransport) requests() []*http.Request {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]*http.Request(nil), rt.reqs...)
}

func TestPlainHTTPToNonLoopbackIsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		base     string
		insecure bool
		refused  bool
	}{
		{"http://crm.example.com", false, true},
		{"http://10.1.2.3:3000/twenty", false, true},
		{"http://crm.example.com", true, false},
		{"https://crm.example.com", false, false},
		{"http://127.0.0.1:3000", false, false},
		{"http://localhost:3000/twenty", false, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s insecure=%t", tt.base, tt.insecure), func(t *testing.T) {
			t.Parallel()
			rt := &recordingTransport{}
			v := spectest.New(t, specFor(t))
			opts := []twenty.Option{twenty.WithAPIKey(plantedKey), twenty.WithBaseURL(tt.base),
				twenty.WithHTTPClient(&http.Client{Transport: v.Transport(tt.base, rt)})}
			if tt.insecure {
				opts = append(opts, twenty.WithInsecureHTTP())
			}
			c, err := twenty.NewClient(opts...)
			if tt.refused {
				// Refused where it is configured, naming this package's option
				// and the whole host:port, not at the first request.
				require.ErrorIs(t, err, authn.ErrInsecureTransport)
				assert.Nil(t, c)
				assert.Contains(t, err.Error(), "WithInsecureHTTP")
				assert.NotContains(t, err.Error(), "AllowInsecureHTTP")
				u, _ := url.Parse(tt.base)
				assert.Contains(t, err.Error(), "http://"+u.Host+" ")
				assert.NotContains(t, err.Error(), plantedKey)
				assert.Empty(t, rt.requests(), "the key must not leave the process")
				return
			}
			require.NoError(t, err)

			_, err = c.People().List(t.Context(), nil)
			_, apiErr := c.API().FindManyPeopleWithResponse(t.Context(), nil)
			require.NoError(t, err)
			require.NoError(t, apiErr)
			reqs := rt.requests()
			require.Len(t, reqs, 2)
			for _, r := range reqs {
				assert.Equal(t, "Bearer "+plantedKey, r.Header.Get("Authorization"))
				assert.True(t, strings.HasPrefix(r.URL.String(), tt.base+"/rest/people"), r.URL.String())
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func debugLogger(buf io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// logRecords decodes a JSON log.
func logRecords(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(log), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		out = append(out, rec)
	}
	return out
}

func TestKeyNeverLeaks(t *testing.T) {
	t.Parallel()
	const secretFilter = "secret-filter-value@example.com"
	var calls429 atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch rest(r) {
		case "/rest/people":
			writeJSON(w, http.StatusOK, `{"data":{"people":[`+mustJSON(t, person(1))+`]},"pageInfo":{"startCursor":"a","endCursor":"a","hasNextPage":false,"hasPreviousPage":false},"totalCount":1}`)
		case "/rest/people/" + personID(401):
			writeJSON(w, http.StatusUnauthorized, `{"statusCode":401,"messages":["Token invalid."],"error":"UNAUTHENTICATED"}`)
		case "/rest/people/" + personID(429):
			if calls429.Add(1) == 1 {
				w.Header().Set("Retry-After", "0")
				writeJSON(w, http.StatusTooManyRequests, `{"statusCode":429,"error":"RATE_LIMITED","messages":["Limit reached"],"retryAfterSeconds":1}`)
				return
			}
			writeJSON(w, http.StatusOK, envelope(t, "person", person(429)))
		case "/rest/people/" + personID(500):
			writeJSON(w, http.StatusInternalServerError, `{"statusCode":500,"error":"InternalServerErrorException","messages":["boom"]}`)
		default:
			t.Errorf("unexpected %s", r.URL.Path)
		}
	})
	var logBuf syncBuffer
	c := srv.client(t, twenty.WithLogger(debugLogger(&logBuf)))
	ctx := t.Context()
	people := c.People()

	page, err := people.List(ctx, &twenty.ListOptions{Filter: twenty.Field("emails.primaryEmail").Eq(secretFilter)})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	_, err429 := people.Get(ctx, personID(429), nil)
	require.NoError(t, err429)
	_, err401 := people.Get(ctx, personID(401), nil)
	require.ErrorIs(t, err401, twenty.ErrUnauthorized)
	_, err500 := people.Get(ctx, personID(500), nil)
	require.ErrorIs(t, err500, twenty.ErrServer)
	_, errAPI := c.API().FindOnePersonWithResponse(ctx, uuidOf(t, personID(401)), nil)
	require.ErrorIs(t, errAPI, twenty.ErrUnauthorized)

	for _, err := range []error{err401, err500, errAPI} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			assert.NotContains(t, fmt.Sprintf(verb, err), "PLANTED", "error formatted with %s", verb)
		}
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, c)
		assert.NotContains(t, out, "PLANTED", "client formatted with %s", verb)
		assert.NotContains(t, out, "abc123", "client formatted with %s", verb)
	}
	assert.NotContains(t, fmt.Sprintf("%+v %#v", *c, *c), "PLANTED", "client value formatted")
	assert.NotContains(t, fmt.Sprint(people), "PLANTED")
	assert.NotContains(t, fmt.Sprintf("%#v", people), "PLANTED")

	var clientLog syncBuffer
	debugLogger(&clientLog).Info("client", "client", c, "people", people)
	assert.NotContains(t, clientLog.String(), "PLANTED")
	assert.Contains(t, clientLog.String(), srv.base)

	log := logBuf.String()
	assert.NotContains(t, log, "PLANTED")
	assert.NotContains(t, log, "abc123")
	assert.NotContains(t, log, "Bearer")
	assert.NotContains(t, log, "secret-filter-value", "query strings are never logged")
	assert.NotContains(t, log, "filter")
	assert.NotContains(t, log, personID(429), "paths are logged as templates")
	assert.NotContains(t, log, "/crm", "the base path is not part of the template")

	// The log is not simply empty: one record per attempt, with the allowlist.
	recs := logRecords(t, log)
	var statuses []float64
	for _, rec := range recs {
		statuses = append(statuses, rec["status"].(float64))
		assert.Subset(t, []string{"time", "level", "msg", "method", "path", "status", "attempt", "duration", "wait"}, keys(rec))
	}
	assert.Equal(t, []float64{200, 429, 200, 401, 500, 500, 500, 500, 401}, statuses)
	assert.Equal(t, "/rest/people", recs[0]["path"])
	assert.Equal(t, "DEBUG", recs[0]["level"])
	assert.Equal(t, "/rest/people/{id}", recs[1]["path"])
	assert.Equal(t, "WARN", recs[1]["level"])
	assert.Contains(t, recs[1], "wait")
	assert.EqualValues(t, 2, recs[2]["attempt"])
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func uuidOf(t *testing.T, s string) api.ID {
	t.Helper()
	var id api.ID
	require.NoError(t, id.UnmarshalText([]byte(s)))
	return id
}

func TestRedirectToAnotherHostDropsAuthorization(t *testing.T) {
	t.Parallel()
	var otherAuth atomic.Value
	var otherHits atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		otherAuth.Store(r.Header.Get("Authorization"))
		writeJSON(w, http.StatusOK, envelope(t, "person", person(2)))
	}))
	t.Cleanup(other.Close)
	_, otherPort, err := net.SplitHostPort(other.Listener.Addr().String())
	require.NoError(t, err)

	var sameHostAuth atomic.Value
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch rest(r) {
		case "/rest/people/" + personID(1): // to another host
			http.Redirect(w, r, "http://other.test:"+otherPort+"/crm/rest/people/"+personID(2), http.StatusTemporaryRedirect)
		case "/rest/people/" + personID(3): // same host, another path
			http.Redirect(w, r, "/crm/rest/people/"+personID(4), http.StatusTemporaryRedirect)
		case "/rest/people/" + personID(4):
			sameHostAuth.Store(r.Header.Get("Authorization"))
			writeJSON(w, http.StatusOK, envelope(t, "person", person(4)))
		}
	})
	srv.v.Lenient = true // 307 is not in the spec
	dialer := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if strings.HasPrefix(addr, "other.test:") {
			addr = other.Listener.Addr().String()
		}
		return dialer.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	c := srv.client(t, twenty.WithHTTPClient(&http.Client{Transport: srv.v.Transport(srv.base, tr)}))

	got, err := c.People().Get(t.Context(), personID(1), nil)
	require.NoError(t, err)
	assert.Equal(t, personID(2), got.ID.String())
	require.EqualValues(t, 1, otherHits.Load())
	assert.Empty(t, otherAuth.Load(), "the key must not follow a redirect to another host")

	_, err = c.People().Get(t.Context(), personID(3), nil)
	require.NoError(t, err)
	assert.Equal(t, "Bearer "+plantedKey, sameHostAuth.Load(), "control: a same-host redirect keeps it")

	// The redirects break the spec, and so does the keyless request that
	// followed one to the other host: that is the point.
	for _, e := range srv.v.Violations() {
		if e.Status != http.StatusTemporaryRedirect {
			assert.Equal(t, "/crm/rest/people/"+personID(2), e.Path)
			assert.ErrorContains(t, e.Violation, "security requirements failed")
		}
	}
}

func TestRecordOperationsRefuseBadInputWithoutSending(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("nothing should be sent, got %s %s", r.Method, r.URL)
	})
	c := srv.client(t)
	people := c.People()
	ctx := t.Context()
	badFilter := twenty.Field("not a path!").Eq(1)

	checks := []struct {
		name string
		err  error
		want error
	}{}
	add := func(name string, err, want error) {
		checks = append(checks, struct {
			name string
			err  error
			want error
		}{name, err, want})
	}
	//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
	_, err := people.UpdateMany(ctx, nil, api.PersonForUpdate{City: ptr("Paris")})
	add("UpdateMany nil filter", err, twenty.ErrEmptyFilter)
	_, err = people.DeleteMany(ctx, nil)
	add("DeleteMany nil filter", err, twenty.ErrEmptyFilter)
	_, err = people.DestroyMany(ctx, nil)
	add("DestroyMany nil filter", err, twenty.ErrEmptyFilter)
	_, err = people.RestoreMany(ctx, nil)
	add("RestoreMany nil filter", err, twenty.ErrEmptyFilter)
	_, err = people.UpdateMany(ctx, badFilter, api.PersonForUpdate{})
	add("UpdateMany invalid filter", err, twenty.ErrInvalidFilter)
	_, err = people.DeleteMany(ctx, badFilter)
	add("DeleteMany invalid filter", err, twenty.ErrInvalidFilter)
	_, err = people.List(ctx, &twenty.ListOptions{Filter: badFilter})
	add("List invalid filter", err, twenty.ErrInvalidFilter)
	_, err = people.List(ctx, &twenty.ListOptions{OrderBy: []twenty.Order{{Field: "name", Direction: "Sideways"}}})
	add("List invalid order", err, twenty.ErrInvalidOrder)
	_, err = people.List(ctx, &twenty.ListOptions{Limit: -1})
	add("List negative limit", err, twenty.ErrInvalidInput)
	_, err = people.List(ctx, &twenty.ListOptions{Depth: 2})
	add("List depth 2", err, twenty.ErrInvalidInput)
	_, err = people.List(ctx, &twenty.ListOptions{StartingAfter: "a", EndingBefore: "b"})
	add("List both cursors", err, twenty.ErrInvalidInput)
	for _, id := range []string{"", "42", "not-a-uuid", personID(1) + "x", "../" + personID(1), personID(1)[:35]} {
		_, err = people.Get(ctx, id, nil)
		add("Get "+id, err, twenty.ErrInvalidInput)
	}
	_, err = people.Get(ctx, personID(1), &twenty.GetOptions{Depth: 3})
	add("Get depth 3", err, twenty.ErrInvalidInput)
	_, err = people.Update(ctx, "nope", api.PersonForUpdate{}, nil)
	add("Update bad id", err, twenty.ErrInvalidInput)
	add("Delete bad id", people.Delete(ctx, "nope"), twenty.ErrInvalidInput)
	add("Destroy bad id", people.Destroy(ctx, "nope"), twenty.ErrInvalidInput)
	_, err = people.Restore(ctx, "nope")
	add("Restore bad id", err, twenty.ErrInvalidInput)
	_, err = people.FindDuplicates(ctx, personID(1), "nope")
	add("FindDuplicates bad id", err, twenty.ErrInvalidInput)
	_, err = people.Create(ctx, api.Person{}, &twenty.CreateOptions{Depth: 5})
	add("Create depth 5", err, twenty.ErrInvalidInput)
	_, err = people.Merge(ctx, []string{personID(1)}, nil)
	add("Merge 1 id", err, twenty.ErrInvalidInput)
	_, err = people.Merge(ctx, nil, nil)
	add("Merge no ids", err, twenty.ErrInvalidInput)
	ten := make([]string, 10)
	for i := range ten {
		ten[i] = personID(i)
	}
	_, err = people.Merge(ctx, ten, nil)
	add("Merge 10 ids", err, twenty.ErrInvalidInput)
	_, err = people.Merge(ctx, []string{personID(1), "nope"}, nil)
	add("Merge bad id", err, twenty.ErrInvalidInput)
	_, err = people.Merge(ctx, []string{personID(1), personID(2)}, &twenty.MergeOptions{PriorityIndex: 2})
	add("Merge priority out of range", err, twenty.ErrInvalidInput)
	_, err = people.Merge(ctx, []string{personID(1), personID(2)}, &twenty.MergeOptions{PriorityIndex: -1})
	add("Merge negative priority", err, twenty.ErrInvalidInput)
	_, err = people.GroupBy(ctx, twenty.GroupByOptions{})
	add("GroupBy no fields", err, twenty.ErrInvalidInput)
	_, err = people.GroupBy(ctx, twenty.GroupByOptions{Fields: []twenty.GroupField{{Field: "city\"}]"}}})
	add("GroupBy bad field", err, twenty.ErrInvalidInput)
	_, err = people.GroupBy(ctx, twenty.GroupByOptions{Fields: []twenty.GroupField{{Field: "city"}}, Limit: -1})
	add("GroupBy negative limit", err, twenty.ErrInvalidInput)
	_, err = c.Object("bad-name").List(ctx, nil)
	add("Object bad name", err, twenty.ErrInvalidInput)
	_, err = c.Object("").Get(ctx, personID(1), nil)
	add("Object empty name", err, twenty.ErrInvalidInput)
	_, err = c.Object("people/../x").CreateMany(ctx, []twenty.Record{{}}, nil)
	add("Object path name", err, twenty.ErrInvalidInput)

	for _, ch := range checks {
		assert.ErrorIs(t, ch.err, ch.want, ch.name)
	}
	srv.noRequests(t)
}

// recorded is what a fake server saw of one request.
type recorded struct {
	Method string
	Path   string
	Query  url.Values
	Body   string
}

func recordRequest(t *testing.T, r *http.Request) recorded {
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return recorded{r.Method, rest(r), r.URL.Query(), string(b)}
}

func TestRecordOperationsSendWhatTheServerExpects(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []recorded
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		rec := recordRequest(t, r)
		mu.Lock()
		seen = append(seen, rec)
		mu.Unlock()
		p1, p2 := "/rest/people/"+personID(1), "/rest/people/"+personID(2)
		switch {
		case r.Method == http.MethodDelete && rec.Path == p1:
			writeJSON(w, http.StatusOK, envelope(t, "deletePerson", map[string]any{"id": personID(1)}))
		case r.Method == http.MethodDelete && rec.Path == "/rest/people":
			writeJSON(w, http.StatusOK, envelope(t, "deletePeople", []any{map[string]any{"id": personID(1)}, map[string]any{"id": personID(2)}}))
		case r.Method == http.MethodPatch && rec.Path == p2:
			writeJSON(w, http.StatusOK, envelope(t, "updatePerson", person(2)))
		case r.Method == http.MethodPatch && rec.Path == "/rest/people":
			writeJSON(w, http.StatusOK, envelope(t, "updatePeople", []any{person(1), person(2)}))
		case r.Method == http.MethodPatch && rec.Path == p1+"/restore":
			writeJSON(w, http.StatusOK, envelope(t, "restorePerson", person(1)))
		case r.Method == http.MethodPatch && rec.Path == "/rest/people/restore":
			writeJSON(w, http.StatusOK, envelope(t, "restorePeople", []any{person(1)}))
		case r.Method == http.MethodPatch && rec.Path == "/rest/people/merge":
			writeJSON(w, http.StatusOK, envelope(t, "mergePerson", person(1)))
		case r.Method == http.MethodPost && rec.Path == "/rest/people":
			writeJSON(w, http.StatusCreated, envelope(t, "createPerson", person(3)))
		case r.Method == http.MethodPost && rec.Path == "/rest/people/duplicates":
			writeJSON(w, http.StatusOK, mustJSON(t, map[string]any{"data": []any{
				map[string]any{"personDuplicates": []any{person(7), person(8)}, "totalCount": 2},
				map[string]any{"personDuplicates": []any{}, "totalCount": 0},
			}}))
		case r.Method == http.MethodGet && rec.Path == "/rest/people/groupBy":
			writeJSON(w, http.StatusOK, `[{"groupByDimensionValues":["Paris","2025-01-01"],"countNotEmptyId":"12"},{"groupByDimensionValues":["","2025-02-01"],"countNotEmptyId":"3","records":[{"id":"`+personID(5)+`"}]}]`)
		case r.Method == http.MethodGet && rec.Path == p1:
			writeJSON(w, http.StatusOK, envelope(t, "person", person(1)))
		default:
			t.Errorf("unexpected %s %s", r.Method, rec.Path)
			http.Error(w, "unexpected", http.StatusTeapot)
		}
	})
	c := srv.client(t)
	people := c.People()
	ctx := t.Context()
	last := func() recorded {
		mu.Lock()
		defer mu.Unlock()
		return seen[len(seen)-1]
	}
	byCity := twenty.Field("city").Eq("Paris")

	require.NoError(t, people.Delete(ctx, personID(1)))
	assert.Equal(t, url.Values{"soft_delete": {"true"}}, last().Query)

	require.NoError(t, people.Destroy(ctx, personID(1)))
	assert.Empty(t, last().Query, "a destroy is the server's plain DELETE")
	assert.Equal(t, http.MethodDelete, last().Method)

	ids, err := people.DeleteMany(ctx, byCity)
	require.NoError(t, err)
	assert.Equal(t, []string{personID(1), personID(2)}, ids)
	assert.Equal(t, url.Values{"soft_delete": {"true"}, "filter": {byCity.String()}}, last().Query)

	ids, err = people.DestroyMany(ctx, byCity)
	require.NoError(t, err)
	assert.Len(t, ids, 2)
	assert.Equal(t, url.Values{"filter": {byCity.String()}}, last().Query)

	updated, err := people.UpdateMany(ctx, byCity, api.PersonForUpdate{JobTitle: ptr("CTO")})
	require.NoError(t, err)
	assert.Len(t, updated, 2)
	assert.JSONEq(t, `{"jobTitle":"CTO"}`, last().Body)
	assert.Equal(t, url.Values{"filter": {byCity.String()}}, last().Query)

	//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
	one, err := people.Update(ctx, personID(2), api.PersonForUpdate{City: ptr("Lyon")}, &twenty.UpdateOptions{Depth: 1})
	require.NoError(t, err)
	assert.Equal(t, personID(2), one.ID.String())
	assert.JSONEq(t, `{"city":"Lyon"}`, last().Body, "only the fields set are sent")
	assert.Equal(t, url.Values{"depth": {"1"}}, last().Query)

	restored, err := people.Restore(ctx, personID(1))
	require.NoError(t, err)
	assert.Equal(t, personID(1), restored.ID.String())
	assert.Equal(t, http.MethodPatch, last().Method)

	many, err := people.RestoreMany(ctx, byCity)
	require.NoError(t, err)
	assert.Len(t, many, 1)
	assert.Equal(t, "/rest/people/restore", last().Path)

	created, err := people.Create(ctx, api.Person{JobTitle: ptr("new")}, &twenty.CreateOptions{Depth: 1})
	require.NoError(t, err)
	assert.Equal(t, personID(3), created.ID.String())
	assert.Equal(t, url.Values{"depth": {"1"}}, last().Query)
	assert.JSONEq(t, `{"jobTitle":"new"}`, last().Body)

	_, err = people.Create(ctx, api.Person{}, &twenty.CreateOptions{Upsert: true})
	require.NoError(t, err)
	assert.Equal(t, url.Values{"upsert": {"true"}}, last().Query)

	merged, err := people.Merge(ctx, []string{personID(1), personID(2), personID(3)}, &twenty.MergeOptions{PriorityIndex: 2, DryRun: true})
	require.NoError(t, err)
	assert.Equal(t, personID(1), merged.ID.String())
	assert.JSONEq(t, `{"ids":["`+personID(1)+`","`+personID(2)+`","`+personID(3)+`"],"conflictPriorityIndex":2,"dryRun":true}`, last().Body)
	nine := make([]string, 9)
	for i := range nine {
		nine[i] = personID(i)
	}
	_, err = people.Merge(ctx, nine, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"ids":`+mustJSON(t, nine)+`,"conflictPriorityIndex":0}`, last().Body)

	dups, err := people.FindDuplicates(ctx, personID(1), personID(2))
	require.NoError(t, err)
	require.Len(t, dups, 2)
	assert.Len(t, dups[0], 2)
	assert.Empty(t, dups[1])
	assert.JSONEq(t, `{"ids":["`+personID(1)+`","`+personID(2)+`"]}`, last().Body)
	dups, err = people.FindDuplicatesOf(ctx, api.Person{JobTitle: ptr("x")})
	require.NoError(t, err)
	require.Len(t, dups, 2)
	assert.JSONEq(t, `{"data":[{"jobTitle":"x"}]}`, last().Body)

	groups, err := people.GroupBy(ctx, twenty.GroupByOptions{
		Fields:               []twenty.GroupField{{Field: "city"}, {Field: "createdAt", Granularity: "MONTH"}},
		Aggregates:           []string{"countNotEmptyId"},
		Filter:               byCity,
		Limit:                5,
		IncludeRecordsSample: true,
	})
	require.NoError(t, err)
	q := last().Query
	assert.JSONEq(t, `[{"city":true},{"createdAt":{"granularity":"MONTH"}}]`, q.Get("group_by"))
	assert.JSONEq(t, `["countNotEmptyId"]`, q.Get("aggregate"))
	assert.Equal(t, byCity.String(), q.Get("filter"))
	assert.Equal(t, "5", q.Get("limit"))
	assert.Equal(t, "true", q.Get("include_records_sample"))
	require.Len(t, groups, 2)
	assert.Equal(t, []any{"Paris", "2025-01-01"}, groups[0].GroupByDimensionValues)
	assert.Equal(t, "12", groups[0].AdditionalProperties["countNotEmptyId"])
	assert.Len(t, groups[1].Records, 1)

	_, err = people.GroupBy(ctx, twenty.GroupByOptions{Fields: []twenty.GroupField{{Field: "address.addressCity"}}})
	require.NoError(t, err)
	assert.Equal(t, url.Values{"group_by": {`[{"address.addressCity":true}]`}}, last().Query)

	got, err := people.Get(ctx, personID(1), &twenty.GetOptions{Depth: 1})
	require.NoError(t, err)
	assert.Equal(t, "1", got.JobTitle)
	assert.Equal(t, url.Values{"depth": {"1"}}, last().Query)
}

func TestUntypedObject(t *testing.T) {
	t.Parallel()
	invoice := func(i int) map[string]any {
		return map[string]any{"id": personID(i), "number": "INV-" + strconv.Itoa(i), "amount": map[string]any{"amountMicros": "1500000000", "currencyCode": "EUR"}}
	}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		rec := recordRequest(t, r)
		switch {
		case r.Method == http.MethodGet && rec.Path == "/rest/invoices":
			writeJSON(w, http.StatusOK, `{"data":{"invoices":[`+mustJSON(t, invoice(1))+`,`+mustJSON(t, invoice(2))+`]},"pageInfo":{"startCursor":"x","endCursor":"y","hasNextPage":false,"hasPreviousPage":false},"totalCount":2}`)
		case r.Method == http.MethodGet && rec.Path == "/rest/invoices/"+personID(1):
			writeJSON(w, http.StatusOK, envelope(t, "invoice", invoice(1)))
		case r.Method == http.MethodPost && rec.Path == "/rest/invoices":
			var in map[string]any
			require.NoError(t, json.Unmarshal([]byte(rec.Body), &in))
			in["id"] = personID(9)
			writeJSON(w, http.StatusCreated, envelope(t, "createInvoice", in))
		case r.Method == http.MethodPost && rec.Path == "/rest/batch/invoices":
			var in []map[string]any
			require.NoError(t, json.Unmarshal([]byte(rec.Body), &in))
			writeJSON(w, http.StatusCreated, envelope(t, "createInvoices", in))
		default:
			t.Errorf("unexpected %s %s", r.Method, rec.Path)
		}
	})
	srv.v.Lenient = true // invoices are a custom object, not in openapi.yaml
	c := srv.client(t)
	invoices := c.Object("invoices")
	assert.Equal(t, "invoices", invoices.Name())
	ctx := t.Context()

	page, err := invoices.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, page.Records, 2)
	assert.Equal(t, "INV-2", page.Records[1]["number"])
	assert.Equal(t, 2, page.TotalCount)

	one, err := invoices.Get(ctx, personID(1), nil)
	require.NoError(t, err)
	assert.Equal(t, "EUR", one["amount"].(map[string]any)["currencyCode"])

	created, err := invoices.Create(ctx, twenty.Record{"number": "INV-9"}, nil)
	require.NoError(t, err)
	assert.Equal(t, personID(9), created["id"])
	assert.Equal(t, "INV-9", created["number"])

	batch, err := invoices.CreateMany(ctx, []twenty.Record{{"number": "a"}, {"number": "b"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, []twenty.Record{{"number": "a"}, {"number": "b"}}, batch)

	raw, err := c.RawObject("invoices").Get(ctx, personID(1), nil)
	require.NoError(t, err)
	assert.JSONEq(t, mustJSON(t, invoice(1)), string(raw))

	require.NotEmpty(t, srv.v.Exchanges())
	for _, e := range srv.v.Violations() {
		assert.ErrorContains(t, e.Violation, "no operation matches", "only the unknown object breaks the spec")
	}
}

func TestContextErrorsAreMatchable(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, envelope(t, "person", person(1)))
	})
	c := srv.client(t)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.People().Get(ctx, personID(1), nil)
	assert.ErrorIs(t, err, context.Canceled)

	cause := errors.New("sibling failed")
	ctx, cancelCause := context.WithCancelCause(t.Context())
	cancelCause(cause)
	_, err = c.People().Get(ctx, personID(1), nil)
	assert.ErrorIs(t, err, context.Canceled, "the context's error stays matchable when a cause is set")
	assert.ErrorIs(t, err, cause)

	ctx, cancel = context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	_, err = c.People().Get(ctx, personID(1), nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	// A rate limiter that cannot grant a slot before the deadline.
	limited := srv.client(t, twenty.WithRateLimit(1, time.Hour))
	_, err = limited.People().Get(t.Context(), personID(1), nil)
	require.NoError(t, err)
	ctx, cancel = context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err = limited.People().Get(ctx, personID(1), nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "a limiter wait that would pass the deadline")
	assert.EqualValues(t, 1, srv.requests.Load(), "only the limited client's first call was sent")
}
