package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twenty-go/twenty"
	ogenpeople "github.com/twenty-go/twenty/bench/ogen"
)

const (
	testKey  = "bench-api-key" // never a real key: loopback servers only
	pageSize = 200
	seed     = 7
)

// measurement is one benchmark's cost per op, as `go test -bench` prints it.
type measurement struct{ ns, bytes, allocs float64 }

var (
	measuredMu sync.Mutex
	measured   = map[string]measurement{}
)

// loop runs op b.N times under b.Loop and records what it cost per op, so a
// later benchmark in the same run can report its ratio to this one.
func loop(b *testing.B, key string, op func() error) measurement {
	b.Helper()
	b.ReportAllocs()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&m1)
	m := perOp(m0, m1, b.Elapsed(), b.N)
	measuredMu.Lock()
	measured[key] = m
	measuredMu.Unlock()
	return m
}

func perOp(m0, m1 runtime.MemStats, elapsed time.Duration, n int) measurement {
	return measurement{
		ns:     float64(elapsed.Nanoseconds()) / float64(n),
		bytes:  float64(m1.TotalAlloc-m0.TotalAlloc) / float64(n),
		allocs: float64(m1.Mallocs-m0.Mallocs) / float64(n),
	}
}

// baseline returns the latest measurement of key in this run. When the
// run filtered that benchmark out, op is measured here for about a second
// (testing.Benchmark cannot run inside a benchmark).
func baseline(tb testing.TB, key string, op func() error) measurement {
	measuredMu.Lock()
	m, ok := measured[key]
	measuredMu.Unlock()
	if ok {
		return m
	}
	if err := op(); err != nil { // warm up
		tb.Fatal(err)
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start, n := time.Now(), 0
	for ; time.Since(start) < time.Second; n++ {
		if err := op(); err != nil {
			tb.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&m1)
	m = perOp(m0, m1, elapsed, n)
	measuredMu.Lock()
	measured[key] = m
	measuredMu.Unlock()
	return m
}

// pageServer serves body for GET /rest/people (any query) from loopback.
func pageServer(tb testing.TB, body []byte) *httptest.Server {
	tb.Helper()
	length := strconv.Itoa(len(body))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/rest/people" || r.Header.Get("Authorization") != "Bearer "+testKey {
			http.Error(w, `{"statusCode":404,"error":"NotFound","messages":["no"]}`, http.StatusNotFound)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Length", length)
		w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// memTransport answers every request with body, without a network: what is
// left of a client's call is building the request and decoding the answer.
type memTransport struct{ body []byte }

func (m memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Status:        "200 OK",
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:          io.NopCloser(bytes.NewReader(m.body)),
		ContentLength: int64(len(m.body)),
		Request:       req,
	}, nil
}

func newTwenty(tb testing.TB, baseURL string, opts ...twenty.Option) *twenty.Client {
	tb.Helper()
	c, err := twenty.NewClient(append([]twenty.Option{twenty.WithAPIKey(testKey), twenty.WithBaseURL(baseURL)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

type bearer struct{}

func (bearer) BearerAuth(context.Context, ogenpeople.OperationName) (ogenpeople.BearerAuth, error) {
	return ogenpeople.BearerAuth{Token: testKey}, nil
}

func newOgen(tb testing.TB, baseURL string, hc *http.Client) *ogenpeople.Client {
	tb.Helper()
	c, err := ogenpeople.NewClient(baseURL, bearer{}, ogenpeople.WithClient(hc))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
