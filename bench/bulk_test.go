package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
)

// batchServer answers POST /rest/batch/people like the server: the records
// sent come back with an id and timestamps, in order, under
// {"data":{"createPeople":[...]}}. It counts requests, and may add latency
// and a request budget.
type batchServer struct {
	latency time.Duration
	requestBudget

	requests atomic.Int64
	seq      atomic.Int64
}

// requestBudget, when budget is positive, allows budget requests per
// window: a fixed window that starts with the first request after the
// previous one ended, as the server's usage limit (and twentytest) counts.
// Past it the answer is 429 with Retry-After and the server's RATE_LIMITED
// body.
type requestBudget struct {
	budget int
	window time.Duration

	refused     atomic.Int64
	mu          sync.Mutex
	windowStart time.Time
	windowUsed  int
}

func (s *batchServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.Method != http.MethodPost || r.URL.Path != "/rest/batch/people" || r.Header.Get("Authorization") != "Bearer "+testKey {
		http.Error(w, `{"statusCode":404,"error":"NotFound","messages":["no"]}`, http.StatusNotFound)
		return
	}
	if s.overBudget(w) {
		return
	}
	if s.latency > 0 {
		time.Sleep(s.latency)
	}
	var in []json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in) == 0 || len(in) > 200 {
		http.Error(w, `{"statusCode":400,"error":"BadRequestException","messages":["bad batch"]}`, http.StatusBadRequest)
		return
	}
	var out bytes.Buffer
	out.WriteString(`{"data":{"createPeople":[`)
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	for i, rec := range in {
		if i > 0 {
			out.WriteByte(',')
		}
		n := s.seq.Add(1)
		fmt.Fprintf(&out, `{"id":"%08x-0000-4000-8000-%012x","createdAt":"%s","updatedAt":"%s","deletedAt":null`, n, n, now, now)
		if rest := bytes.TrimSpace(rec); len(rest) > 2 {
			out.WriteByte(',')
			out.Write(rest[1:])
		} else {
			out.WriteByte('}')
		}
	}
	out.WriteString(`]}}`)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(out.Len()))
	w.WriteHeader(http.StatusCreated)
	w.Write(out.Bytes())
}

func (s *requestBudget) overBudget(w http.ResponseWriter) bool {
	if s.budget <= 0 {
		return false
	}
	now := time.Now()
	s.mu.Lock()
	if s.windowStart.IsZero() || now.Sub(s.windowStart) >= s.window {
		s.windowStart, s.windowUsed = now, 0
	}
	if s.windowUsed < s.budget {
		s.windowUsed++
		s.mu.Unlock()
		return false
	}
	left := s.window - now.Sub(s.windowStart)
	s.mu.Unlock()
	s.refused.Add(1)
	retry := max(int(math.Ceil(left.Seconds())), 1)
	w.Header().Set("Retry-After", strconv.Itoa(retry))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprintf(w, `{"statusCode":429,"error":"RATE_LIMITED","messages":["Limit reached (%d requests per %d ms)"],"limit":%d,"remaining":0,"retryAfterSeconds":%d}`,
		s.budget, s.window.Milliseconds(), s.budget, retry)
	return true
}

// newPeople makes n create inputs from generated people.
func newPeople(tb testing.TB, n int) []api.Person {
	tb.Helper()
	body := NewGenerator(seed+1).PageBody(0, n, n)
	var env struct {
		Data struct {
			People []json.RawMessage `json:"people"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		tb.Fatal(err)
	}
	out := make([]api.Person, n)
	for i, raw := range env.Data.People {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			tb.Fatal(err)
		}
		out[i].CreatedBy, out[i].UpdatedBy = nil, nil // the server fills them
	}
	return out
}

const (
	bulkRecords = 10_000
	bulkBatch   = 200 // the client's default batch size
	// The server's time per batch. It was 10 ms for batches of 60; a real
	// server inserting 200 records takes far longer than either, so the job
	// is mostly waiting, as it is in production, and the speed-up measures
	// how well workers overlap that wait rather than the loopback fake's CPU.
	bulkLatency = 40 * time.Millisecond
	bulkWorkers = 4
)

var bulkRequests = int64(math.Ceil(float64(bulkRecords) / bulkBatch)) // 50

// createAll sends recs with CreateMany and checks what came back.
func createAll(ctx context.Context, c *twenty.Client, recs []api.Person, workers int) error {
	got, err := c.People().CreateMany(ctx, recs, &twenty.CreateOptions{Concurrency: workers})
	if err != nil {
		return err
	}
	if len(got) != len(recs) {
		return fmt.Errorf("created %d of %d", len(got), len(recs))
	}
	for i := range got {
		if got[i].Emails.PrimaryEmail != *recs[i].Emails.PrimaryEmail {
			return fmt.Errorf("record %d came back out of order", i)
		}
	}
	return nil
}

// TestBulkCreateRequestCount: 10,000 records go out in ceil(10000/200) = 50
// requests, sequentially and with 4 workers, and come back in order.
func TestBulkCreateRequestCount(t *testing.T) {
	recs := newPeople(t, bulkRecords)
	for _, workers := range []int{0, bulkWorkers} {
		s := &batchServer{}
		srv := httptest.NewServer(s)
		if err := createAll(context.Background(), newTwenty(t, srv.URL), recs, workers); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		if got := s.requests.Load(); got != bulkRequests {
			t.Errorf("workers %d: %d requests, want %d", workers, got, bulkRequests)
		}
	}
}

// BenchmarkBulkCreate creates 10,000 people against a server that takes
// 40 ms per request, one batch at a time and then with 4 workers, and
// reports the requests each job sent and the speed-up (sequential time /
// concurrent time).
func BenchmarkBulkCreate(b *testing.B) {
	recs := newPeople(b, bulkRecords)
	s := &batchServer{latency: bulkLatency}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTwenty(b, srv.URL)
	ctx := context.Background()
	var seq, conc time.Duration
	var requests int64
	for b.Loop() {
		for _, workers := range []int{0, bulkWorkers} {
			before := s.requests.Load()
			start := time.Now()
			if err := createAll(ctx, c, recs, workers); err != nil {
				b.Fatal(err)
			}
			took := time.Since(start)
			n := s.requests.Load() - before
			requests = max(requests, n)
			if n != bulkRequests {
				b.Errorf("workers %d: %d requests, want %d", workers, n, bulkRequests)
			}
			if workers == 0 {
				seq += took
			} else {
				conc += took
			}
		}
	}
	b.ReportMetric(float64(requests), "requests")
	b.ReportMetric(float64(seq.Milliseconds())/float64(b.N), "seq-ms")
	b.ReportMetric(float64(conc.Milliseconds())/float64(b.N), "conc4-ms")
	b.ReportMetric(float64(seq)/float64(conc), "speedup")
}

const (
	rateBudget   = 20                     // requests per window
	rateWindow   = 200 * time.Millisecond // so one request per 10 ms
	rateRequests = 100                    // batches in the job
	rateLatency  = 2 * time.Millisecond
	// Batches of 60: the limiter's spacing is under test, not the time to
	// encode 200 records, which on a busy 2-core machine outgrows the 10 ms
	// between requests.
	rateBatch = 60
)

// BenchmarkRateLimit runs a bulk job of 100 batches (6,000 records, 4
// workers) against a server that allows 20 requests per 200 ms window and
// refuses the rest with 429, and reports the 429s the server sent and the
// job's time over the time the budget allows for its requests (requests /
// 20 * 200 ms: 1 s). exact makes the client with WithRateLimit(20, 200ms),
// the server's budget; headroom with 2% less (WithRateLimit(20, 204ms)).
func BenchmarkRateLimit(b *testing.B) {
	recs := newPeople(b, rateRequests*rateBatch)
	for _, v := range []struct {
		name string
		per  time.Duration
	}{{"exact", rateWindow}, {"headroom", rateWindow * 102 / 100}} {
		b.Run(v.name, func(b *testing.B) {
			ctx := context.Background()
			var refused int64
			var ratio float64
			for b.Loop() {
				s := &batchServer{latency: rateLatency, requestBudget: requestBudget{budget: rateBudget, window: rateWindow}}
				srv := httptest.NewServer(s)
				c := newTwenty(b, srv.URL, twenty.WithRateLimit(rateBudget, v.per), twenty.WithBatchSize(rateBatch))
				start := time.Now()
				err := createAll(ctx, c, recs, bulkWorkers)
				took := time.Since(start)
				srv.Close()
				if err != nil {
					b.Fatal(err)
				}
				ok := s.requests.Load() - s.refused.Load()
				refused += s.refused.Load()
				allowed := time.Duration(float64(ok) / rateBudget * float64(rateWindow))
				ratio += float64(took) / float64(allowed)
			}
			b.ReportMetric(float64(refused)/float64(b.N), "429s")
			b.ReportMetric(ratio/float64(b.N), "time/budget")
		})
	}
}
