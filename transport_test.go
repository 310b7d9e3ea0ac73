package twenty_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
)

const (
	rateLimitedBody = `{"statusCode":429,"error":"RATE_LIMITED","messages":["Limit reached (100 tokens per 60000 ms)"]}`
	serverErrorBody = `{"statusCode":500,"error":"InternalServerErrorException","messages":["boom"]}`
)

func emptyList() string {
	return `{"data":{"people":[]},"pageInfo":{"startCursor":null,"endCursor":null,"hasNextPage":false,"hasPreviousPage":false},"totalCount":0}`
}

// dropConnection closes the connection without answering: the request
// arrived, the answer never does.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	conn, _, err := http.NewResponseController(w).Hijack()
	require.NoError(t, err)
	require.NoError(t, conn.Close())
}

// truncate announces a body longer than it sends, then hangs up.
func truncate(t *testing.T, w http.ResponseWriter, status string, partial string) {
	t.Helper()
	conn, buf, err := http.NewResponseController(w).Hijack()
	require.NoError(t, err)
	_, _ = buf.WriteString("HTTP/1.1 " + status + "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 1000\r\n\r\n" + partial)
	_ = buf.Flush()
	require.NoError(t, conn.Close())
}

// retryLog captures the client's log records and signals the first retry.
type retryLog struct {
	mu       sync.Mutex
	waits    []time.Duration
	retrying chan struct{}
	once     sync.Once
}

func newRetryLog() *retryLog { return &retryLog{retrying: make(chan struct{})} }

func (h *retryLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *retryLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *retryLog) WithGroup(string) slog.Handler            { return h }
func (h *retryLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "wait" {
			h.mu.Lock()
			h.waits = append(h.waits, a.Value.Duration())
			h.mu.Unlock()
			h.once.Do(func() { close(h.retrying) })
		}
		return true
	})
	return nil
}

func (h *retryLog) Waits() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.waits)
}

func TestRateLimitedThenSuccessHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("X-RateLimit-Limit", "100")
			w.Header().Set("X-RateLimit-Remaining", "0")
			writeJSON(w, http.StatusTooManyRequests, `{"statusCode":429,"error":"RATE_LIMITED","messages":["Limit reached"],"retryAfterSeconds":1}`)
			return
		}
		writeJSON(w, http.StatusOK, emptyList())
	})
	log := newRetryLog()
	c := srv.client(t, twenty.WithLogger(slog.New(log)))
	start := time.Now()
	page, err := c.People().List(t.Context(), nil)
	require.NoError(t, err)
	assert.Empty(t, page.Records)
	assert.EqualValues(t, 2, srv.requests.Load())
	assert.Equal(t, []time.Duration{time.Second}, log.Waits(), "the server's Retry-After, not the 1 ms backoff")
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "the client did wait")
}

func TestRateLimitedWithRetryAfterZero(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, http.StatusTooManyRequests, rateLimitedBody)
			return
		}
		writeJSON(w, http.StatusOK, emptyList())
	})
	_, err := srv.client(t).People().List(t.Context(), nil)
	require.NoError(t, err)
	assert.EqualValues(t, 3, srv.requests.Load())
}

func TestRateLimitedCreateIsRetried(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var bodies []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		first := len(bodies) == 1
		mu.Unlock()
		if first {
			writeJSON(w, http.StatusTooManyRequests, rateLimitedBody)
			return
		}
		writeJSON(w, http.StatusCreated, envelope(t, "createPerson", person(1)))
	})
	got, err := srv.client(t).People().Create(t.Context(), api.Person{JobTitle: ptr("CEO")}, nil)
	require.NoError(t, err)
	assert.Equal(t, personID(1), got.ID.String())
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, bodies, 2, "a 429 did no work, so even a create is retried")
	assert.JSONEq(t, `{"jobTitle":"CEO"}`, bodies[1], "the body is replayed")
	assert.Equal(t, bodies[0], bodies[1])
}

func TestRetryAfterAboveTheCapIsReturned(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		writeJSON(w, http.StatusTooManyRequests, rateLimitedBody)
	})
	start := time.Now()
	_, err := srv.client(t).People().List(t.Context(), nil) // MaxRetryAfter defaults to 60 s
	assert.Less(t, time.Since(start), 30*time.Second)
	require.ErrorIs(t, err, twenty.ErrRateLimited)
	var apiErr *twenty.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 120*time.Second, apiErr.RetryAfter, "the caller learns how long to wait")
	assert.True(t, apiErr.Temporary())
	assert.EqualValues(t, 1, srv.requests.Load())
}

func TestPersistentRateLimitStopsAtMaxAttempts(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusTooManyRequests, rateLimitedBody)
	})
	p := fastRetries
	p.MaxAttempts = 3
	_, err := srv.client(t, twenty.WithRetryPolicy(p)).People().List(t.Context(), nil)
	assert.ErrorIs(t, err, twenty.ErrRateLimited)
	assert.EqualValues(t, 3, srv.requests.Load())
}

func Test503OnGetIsRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "<html><body>503 Service Temporarily Unavailable</body></html>")
			return
		}
		writeJSON(w, http.StatusOK, envelope(t, "person", person(1)))
	})
	srv.v.Lenient = true // a proxy's 503 is not in the spec
	got, err := srv.client(t).People().Get(t.Context(), personID(1), nil)
	require.NoError(t, err)
	assert.Equal(t, personID(1), got.ID.String())
	assert.EqualValues(t, 3, srv.requests.Load())
	violations := srv.v.Violations()
	assert.Len(t, violations, 2)
	for _, e := range violations {
		assert.Equal(t, http.StatusServiceUnavailable, e.Status)
	}
}

func Test503OnCreateIsNotRetried(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusServiceUnavailable, `{"statusCode":503,"error":"ServiceUnavailableException","messages":["try later"]}`)
	})
	srv.v.Lenient = true
	for _, call := range []func(*twenty.Client) error{
		func(c *twenty.Client) error {
			_, err := c.People().Create(t.Context(), api.Person{}, nil)
			return err
		},
		func(c *twenty.Client) error {
			_, err := c.API().CreateOnePersonWithResponse(t.Context(), nil, api.Person{})
			return err
		},
	} {
		srv.requests.Store(0)
		err := call(srv.client(t))
		assert.ErrorIs(t, err, twenty.ErrServer)
		assert.ErrorIs(t, err, twenty.ErrOutcomeUnknown, "a create that failed with 5xx may have been applied")
		var apiErr *twenty.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
		assert.Equal(t, http.MethodPost, apiErr.Method)
		assert.Equal(t, "/rest/people", apiErr.Path)
		assert.EqualValues(t, 1, srv.requests.Load(), "never replayed")
	}
	assert.NotEmpty(t, srv.v.Violations())
}

func TestServerErrorOnReplayableWritesIsRetried(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var bodies []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, r.Method+" "+r.URL.RawQuery+" "+string(b))
		odd := len(bodies)%2 == 1
		mu.Unlock()
		if odd {
			writeJSON(w, http.StatusInternalServerError, serverErrorBody)
			return
		}
		switch r.Method {
		case http.MethodPost:
			writeJSON(w, http.StatusCreated, envelope(t, "createPerson", person(1)))
		case http.MethodPatch:
			writeJSON(w, http.StatusOK, envelope(t, "updatePerson", person(1)))
		case http.MethodDelete:
			writeJSON(w, http.StatusOK, envelope(t, "deletePerson", map[string]any{"id": personID(1)}))
		}
	})
	c := srv.client(t)
	ctx := t.Context()
	//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
	_, err := c.People().Create(ctx, api.Person{City: ptr("Oslo")}, &twenty.CreateOptions{Upsert: true})
	require.NoError(t, err)
	//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
	_, err = c.People().Update(ctx, personID(1), api.PersonForUpdate{City: ptr("Rome")}, nil)
	require.NoError(t, err)
	require.NoError(t, c.People().Delete(ctx, personID(1)))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, bodies, 6)
	for i := 0; i < 6; i += 2 {
		assert.Equal(t, bodies[i], bodies[i+1], "the retry replays the same request")
	}
	assert.Equal(t, `POST upsert=true {"city":"Oslo"}`, bodies[0])
	assert.Equal(t, `PATCH  {"city":"Rome"}`, bodies[2])
}

func TestDroppedConnectionOnCreateIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		dropConnection(t, w)
	})
	//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
	_, err := srv.client(t).People().Create(t.Context(), api.Person{City: ptr("Oslo")}, nil)
	require.Error(t, err)
	var ou *twenty.OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.ErrorIs(t, err, twenty.ErrOutcomeUnknown)
	assert.Equal(t, http.MethodPost, ou.Method)
	assert.Equal(t, "/rest/people", ou.Path)
	var apiErr *twenty.APIError
	assert.False(t, errors.As(err, &apiErr), "no answer, so no APIError")
	assert.EqualValues(t, 1, srv.requests.Load(), "exactly one attempt")
	assertOneShortLine(t, err.Error())

	// Through the generated client too.
	srv.requests.Store(0)
	_, err = srv.client(t).API().CreateOnePersonWithResponse(t.Context(), nil, api.Person{})
	assert.ErrorIs(t, err, twenty.ErrOutcomeUnknown)
	assert.EqualValues(t, 1, srv.requests.Load())
}

func TestDroppedConnectionOnReplayableRequestsIsRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	var upserts atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		if n.Add(1)%2 == 1 {
			dropConnection(t, w)
			return
		}
		switch r.Method {
		case http.MethodPost:
			if r.URL.Query().Get("upsert") == "true" {
				upserts.Add(1)
			}
			writeJSON(w, http.StatusCreated, envelope(t, "createPerson", person(1)))
		case http.MethodGet:
			writeJSON(w, http.StatusOK, emptyList())
		}
	})
	c := srv.client(t)
	got, err := c.People().Create(t.Context(), api.Person{}, &twenty.CreateOptions{Upsert: true})
	require.NoError(t, err)
	assert.Equal(t, personID(1), got.ID.String())
	assert.EqualValues(t, 2, srv.requests.Load())
	assert.EqualValues(t, 1, upserts.Load())

	_, err = c.People().List(t.Context(), nil)
	require.NoError(t, err)
	assert.EqualValues(t, 4, srv.requests.Load())
}

// failFirstDial fails the first request before anything is written.
type failFirstDial struct {
	next  http.RoundTripper
	calls atomic.Int64
}

func (f *failFirstDial) RoundTrip(req *http.Request) (*http.Response, error) {
	if f.calls.Add(1) == 1 {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	return f.next.RoundTrip(req)
}

func TestConnectionRefusedCreateIsRetried(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, envelope(t, "createPerson", person(1)))
	})
	rt := &failFirstDial{next: srv.v.Transport(srv.base, nil)}
	c := srv.client(t, twenty.WithHTTPClient(&http.Client{Transport: rt}))
	_, err := c.People().Create(t.Context(), api.Person{}, nil)
	require.NoError(t, err, "a create that never left is safe to send again")
	assert.EqualValues(t, 2, rt.calls.Load())
	assert.EqualValues(t, 1, srv.requests.Load())
}

func TestTruncatedBody(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		if n.Add(1) == 1 {
			if r.Method == http.MethodGet {
				truncate(t, w, "200 OK", `{"data":{"people":[{"id":"`)
			} else {
				truncate(t, w, "201 Created", `{"data":{"createPerson":{"id":"`)
			}
			return
		}
		writeJSON(w, http.StatusOK, emptyList())
	})

	page, err := srv.client(t).People().List(t.Context(), nil)
	require.NoError(t, err, "a GET cut short is read again")
	assert.Empty(t, page.Records)
	assert.EqualValues(t, 2, srv.requests.Load())

	n.Store(0)
	srv.requests.Store(0)
	_, err = srv.client(t).People().Create(t.Context(), api.Person{}, nil)
	assert.ErrorIs(t, err, twenty.ErrOutcomeUnknown, "the create began to answer: it happened, but the record is lost")
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.EqualValues(t, 1, srv.requests.Load())
}

func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "10")
		writeJSON(w, http.StatusTooManyRequests, rateLimitedBody)
	})
	log := newRetryLog()
	c := srv.client(t, twenty.WithLogger(slog.New(log)),
		twenty.WithRetryPolicy(twenty.RetryPolicy{MaxRetryAfter: time.Minute}))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.People().List(ctx, nil)
		done <- err
	}()
	select {
	case <-log.retrying:
	case <-time.After(5 * time.Second):
		t.Fatal("the client never decided to retry")
	}
	assert.Equal(t, []time.Duration{10 * time.Second}, log.Waits())
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		assert.Less(t, time.Since(start), time.Second)
		assert.ErrorIs(t, err, context.Canceled)
		assertOneShortLine(t, err.Error())
	case <-time.After(5 * time.Second):
		t.Fatal("the 10 s wait ignored the cancellation")
	}
	assert.EqualValues(t, 1, srv.requests.Load())
}

func TestPerAttemptTimeout(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		select {
		case <-r.Context().Done(): // the client gave up on this attempt
		case <-time.After(10 * time.Second):
		}
	})
	c := srv.client(t, twenty.WithTimeout(100*time.Millisecond), twenty.WithRetryPolicy(twenty.NoRetries))

	_, err := c.People().Create(t.Context(), api.Person{}, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, twenty.ErrOutcomeUnknown, "a create sent but not answered in time may have been applied")
	var ou *twenty.OutcomeUnknownError
	assert.ErrorAs(t, err, &ou)

	_, err = c.People().List(t.Context(), nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, twenty.ErrOutcomeUnknown, "a read has no outcome to lose")
	assert.NoError(t, t.Context().Err())
}

func TestTooLargeSuccessBody(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"data":{"people":[`+mustJSON(t, person(1))+`,`+mustJSON(t, person(2))+`]},"totalCount":2}`)
	})
	_, err := srv.client(t, twenty.WithMaxResponseBytes(64)).People().List(t.Context(), nil)
	assert.ErrorIs(t, err, twenty.ErrTooLarge, "a list is never silently cut")
	assert.EqualValues(t, 1, srv.requests.Load(), "and not fetched again")

	_, err = srv.client(t, twenty.WithMaxResponseBytes(1<<20)).People().List(t.Context(), nil)
	assert.NoError(t, err)
}

func TestGeneratedClientRetriesToo(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, http.StatusTooManyRequests, rateLimitedBody)
			return
		}
		writeJSON(w, http.StatusOK, `{"data":{"people":[`+mustJSON(t, person(1))+`]},"totalCount":1}`)
	})
	resp, err := srv.client(t).API().FindManyPeopleWithResponse(t.Context(), &api.FindManyPeopleParams{Limit: ptr(1)})
	require.NoError(t, err)
	require.NotNil(t, resp.JSON200)
	assert.Len(t, resp.JSON200.Data.People, 1)
	assert.EqualValues(t, 2, srv.requests.Load())
}

func TestRateLimitIsSharedByGoroutines(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var arrivals []time.Time
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		writeJSON(w, http.StatusOK, envelope(t, "person", person(1)))
	})
	const n, per = 5, 100 * time.Millisecond // one request every 20 ms
	c := srv.client(t, twenty.WithRateLimit(n, per))
	start := time.Now()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			_, err := c.People().Get(t.Context(), personID(1), nil)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	// The bound the limiter guarantees whatever the machine's load: the
	// tenth slot is 9 × 20 ms after the first, which is after start. (An
	// upper bound on requests per window cannot be asserted from arrival
	// times on a loaded machine; bench's BenchmarkRateLimit counts the 429s
	// a budgeted server sends instead.)
	assert.GreaterOrEqual(t, time.Since(start), 180*time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, arrivals, 10)
}

// Transport errors name the operation, not the URL: the query string holds
// filter values, which the client never logs and must not hand to a
// caller's logger inside an error either.
func TestTransportErrorsDoNotEchoTheQuery(t *testing.T) {
	t.Parallel()
	const secret = "secret-filter-value@example.com"
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		dropConnection(t, w)
	})
	c := srv.client(t, twenty.WithRetryPolicy(twenty.NoRetries))
	filter := twenty.Field("emails.primaryEmail").Eq(secret)

	_, err := c.People().List(t.Context(), &twenty.ListOptions{Filter: filter})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret-filter-value")
	assert.Contains(t, err.Error(), "GET /rest/people")
	assertOneShortLine(t, err.Error())
	var ue *url.Error
	assert.ErrorAs(t, err, &ue, "the transport error keeps its type")

	_, err = c.People().DeleteMany(t.Context(), filter)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret-filter-value")
	assert.ErrorIs(t, err, io.EOF)
}
