package bench

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/twenty-go/twenty"
)

// The job users run most: export every record of an object, or import a
// file of them, under the server's request budget. Twenty Cloud allows 100
// requests a minute; the benchmark keeps that budget on a scaled clock (a
// "minute" of budgetWindow) so a run takes seconds.
const (
	jobRecords    = 10_000
	jobBudget     = 100
	budgetWindow  = 5 * time.Second
	jobWantedReqs = (jobRecords + 199) / 200 // ceil(N/200): pages and batches of 200
)

// budgetedServer answers GET /rest/people from a generated workspace of
// jobRecords people and POST /rest/batch/people as batchServer does, both
// under one request budget.
type budgetedServer struct {
	list  *listHandler
	batch *batchServer
}

func (s *budgetedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		s.batch.requests.Add(1)
		if s.batch.overBudget(w) {
			return
		}
		s.list.ServeHTTP(w, r)
		return
	}
	s.batch.ServeHTTP(w, r)
}

// BenchmarkBudgetedJob exports 10,000 people with All and imports 10,000
// with CreateMany through a client given the budget (WithRateLimit(100,
// minute)), and reports for each the requests sent, the 429s received and
// the job's time over the time the budget allows for its requests.
func BenchmarkBudgetedJob(b *testing.B) {
	recs := newPeople(b, jobRecords)
	list := newListHandler(NewGenerator(seed), jobRecords)
	ctx := context.Background()
	jobs := map[string]func(*twenty.Client) error{
		"export": func(c *twenty.Client) error {
			n := 0
			for _, err := range c.People().All(ctx, nil) { // the default page size
				if err != nil {
					return err
				}
				n++
			}
			if n != jobRecords {
				return fmt.Errorf("exported %d records, want %d", n, jobRecords)
			}
			return nil
		},
		"import": func(c *twenty.Client) error {
			got, err := c.People().CreateMany(ctx, recs, nil) // the default batch size
			if err == nil && len(got) != jobRecords {
				err = fmt.Errorf("imported %d records, want %d", len(got), jobRecords)
			}
			return err
		},
	}
	for _, name := range []string{"export", "import"} {
		b.Run(name, func(b *testing.B) {
			var requests, refused int64
			var ratio float64
			for b.Loop() {
				s := &budgetedServer{list: list, batch: &batchServer{requestBudget: requestBudget{budget: jobBudget, window: budgetWindow}}}
				srv := httptest.NewServer(s)
				c := newTwenty(b, srv.URL, twenty.WithRateLimit(jobBudget, budgetWindow))
				start := time.Now()
				err := jobs[name](c)
				took := time.Since(start)
				srv.Close()
				if err != nil {
					b.Fatal(err)
				}
				n := s.batch.requests.Load()
				requests = max(requests, n)
				refused += s.batch.refused.Load()
				allowed := time.Duration(float64(n-s.batch.refused.Load()) / jobBudget * float64(budgetWindow))
				ratio += float64(took) / float64(allowed)
			}
			b.ReportMetric(float64(requests), "requests")
			b.ReportMetric(float64(refused)/float64(b.N), "429s")
			b.ReportMetric(ratio/float64(b.N), "time/budget")
		})
	}
}

// TestBudgetedJobRequestCount: both jobs cost ceil(10000/200) requests.
func TestBudgetedJobRequestCount(t *testing.T) {
	if jobWantedReqs != int(math.Ceil(jobRecords/200.0)) {
		t.Fatalf("jobWantedReqs %d", jobWantedReqs)
	}
	recs := newPeople(t, jobRecords)
	s := &budgetedServer{list: newListHandler(NewGenerator(seed), jobRecords), batch: &batchServer{}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTwenty(t, srv.URL)
	n := 0
	for _, err := range c.People().All(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if got := s.batch.requests.Load(); n != jobRecords || got != jobWantedReqs {
		t.Errorf("export: %d records in %d requests, want %d in %d", n, got, jobRecords, jobWantedReqs)
	}
	if err := createAll(context.Background(), c, recs, 0); err != nil {
		t.Fatal(err)
	}
	if got := s.batch.requests.Load() - jobWantedReqs; got != jobWantedReqs {
		t.Errorf("import: %d requests, want %d", got, jobWantedReqs)
	}
}
