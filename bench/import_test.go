package bench

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/transfer"
	"github.com/twenty-go/twenty/twentytest"
)

const (
	importRows  = 10_000
	importBatch = 200 // the server's maximum, the import's chunk
	// The budget: Twenty Cloud's 100 requests a minute, scaled to 100
	// per 10 s so that a run takes seconds (100 ms between requests, above
	// the fake's time per batch; two batches in flight hide that time).
	importBudget = 100
	importWindow = 10 * time.Second
)

// importCSV is importRows opportunities, each naming one of the seeded
// companies by its domain: one relation look-up for the whole file.
func importCSV(tb testing.TB, s *twentytest.Server) *transfer.Input {
	tb.Helper()
	var domains []string
	for _, c := range s.Records("companies") {
		domains = append(domains, c["domainName"].(map[string]any)["primaryLinkUrl"].(string))
	}
	var b strings.Builder
	b.WriteString("name,amount,stage,position,company\n")
	for i := range importRows {
		fmt.Fprintf(&b, "Deal %05d,EUR %d.50,NEW,%d,%s\n", i, i, i, domains[i%len(domains)])
	}
	in, err := transfer.ReadInput(strings.NewReader(b.String()), transfer.CSV)
	if err != nil {
		tb.Fatal(err)
	}
	return in
}

func runImport(tb testing.TB, s *twentytest.Server, in *transfer.Input, opts ...twenty.Option) transfer.Summary {
	tb.Helper()
	c, err := twenty.NewClient(append([]twenty.Option{twenty.WithAPIKey(s.APIKey()), twenty.WithBaseURL(s.URL()),
		twenty.WithBatchSize(importBatch)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	spec, err := transfer.ParseSpec(twenty.OpenAPISpec())
	if err != nil {
		tb.Fatal(err)
	}
	schema, err := spec.Schema("opportunities")
	if err != nil {
		tb.Fatal(err)
	}
	m, err := transfer.NewMapping(spec, schema, in.Headers, transfer.MapOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	im := &transfer.Importer{Client: c, Mapping: m, ChunkSize: importBatch, Concurrency: 2}
	sum, err := im.Run(context.Background(), in)
	if err != nil {
		tb.Fatal(err)
	}
	if sum.Created != importRows {
		tb.Fatalf("created %d of %d: %v", sum.Created, importRows, sum)
	}
	return sum
}

// importRequests is what a 10,000-row import may cost: one create per
// batch, plus one look-up for the relation column's distinct values.
var importRequests = int(math.Ceil(float64(importRows)/importBatch)) + 1

// TestImportRequestCount: 10,000 rows with a relation column cost
// ceil(10000/200) creates and one relation look-up, nothing more.
func TestImportRequestCount(t *testing.T) {
	s := twentytest.NewServer(t)
	in := importCSV(t, s)
	before := s.Requests()
	runImport(t, s, in)
	if got := s.Requests() - before; got != importRequests {
		t.Errorf("%d requests, want %d", got, importRequests)
	}
}

// BenchmarkImportAtRateLimit imports 10,000 rows through a client limited
// to the server's budget (100 requests per 10 s), two batches in flight, and reports the requests
// and the time over the time the budget allows for them.
func BenchmarkImportAtRateLimit(b *testing.B) {
	var ratio float64
	var requests, refused int
	for b.Loop() {
		b.StopTimer()
		s := twentytest.NewServer(b, twentytest.WithRequestBudget(importBudget, importWindow))
		in := importCSV(b, s)
		before := s.Requests()
		b.StartTimer()
		start := time.Now()
		runImport(b, s, in, twenty.WithRateLimit(importBudget, importWindow))
		took := time.Since(start)
		n := s.Requests() - before
		requests = max(requests, n)
		if n != importRequests {
			refused += n - importRequests
		}
		allowed := time.Duration(float64(n) / importBudget * float64(importWindow))
		ratio += float64(took) / float64(allowed)
		s.Close()
	}
	b.ReportMetric(float64(requests), "requests")
	b.ReportMetric(float64(refused)/float64(b.N), "429s")
	b.ReportMetric(ratio/float64(b.N), "time/budget")
}
