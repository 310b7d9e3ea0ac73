package bench

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
)

// heapSampler reads the heap from the consumer's side without stopping the
// world: the bytes in heap objects (what ReadMemStats calls HeapAlloc,
// garbage not yet collected included) and the live heap the last
// collection marked (which counts everything allocated while it marked).
type heapSampler struct {
	s                  []metrics.Sample
	peakObjs, peakLive uint64
}

func newHeapSampler() *heapSampler {
	return &heapSampler{s: []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/live:bytes"},
	}}
}

func (h *heapSampler) read() (objs, live uint64) {
	metrics.Read(h.s)
	return h.s[0].Value.Uint64(), h.s[1].Value.Uint64()
}

func (h *heapSampler) sample() {
	objs, live := h.read()
	h.peakObjs = max(h.peakObjs, objs)
	h.peakLive = max(h.peakLive, live)
}

// decodedPageBytes is the heap one decoded page of 200 people holds.
func decodedPageBytes(tb testing.TB, people *twenty.Resource[api.PersonForResponse, api.Person, api.PersonForUpdate]) uint64 {
	tb.Helper()
	// Once first, so that what is made once (decoders compiled for the
	// types, connections, pooled buffers) is there before and after.
	if _, err := people.List(context.Background(), &twenty.ListOptions{Limit: pageSize}); err != nil {
		tb.Fatal(err)
	}
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	page, err := people.List(context.Background(), &twenty.ListOptions{Limit: pageSize})
	if err != nil {
		tb.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	runtime.KeepAlive(page)
	if len(page.Records) != pageSize {
		tb.Fatalf("%d records", len(page.Records))
	}
	return m1.HeapAlloc - m0.HeapAlloc
}

// BenchmarkAll100k lists 100,000 people with All, 200 a page, from a
// server in another process (so the heap measured is the lister's alone),
// and reports, in decoded pages (page-KiB, the heap one List result holds):
//
//   - peak-heap-pages: the most the heap held above where it stood before
//     the listing, from the consumer's side: every 997 records (so at every
//     position in a page) it collects and reads HeapAlloc. Before the
//     listing the pools are emptied, so the recycled body buffer and the
//     decoder's copy of the input count as the listing's.
//   - peak-alloc-pages: the same without collecting, sampled every 10
//     records from runtime/metrics, so garbage not yet collected is
//     included: what the collector's pacing allows (by default it lets a
//     heap this small grow to 4 MB before collecting), not what the
//     listing keeps.
//   - allocs/record.
//
// Memory is flat when these do not grow with the number of records.
func BenchmarkAll100k(b *testing.B) {
	url := remoteServer(b)
	people := newTwenty(b, url).People()
	ctx := context.Background()
	pageBytes := float64(decodedPageBytes(b, people))
	list := func(each func(n int)) error {
		n := 0
		for p, err := range people.All(ctx, &twenty.ListOptions{Limit: pageSize}) {
			if err != nil {
				return err
			}
			if p.Name.FirstName == "" {
				return fmt.Errorf("record %d has no name", n)
			}
			n++
			each(n)
		}
		if n != listTotal {
			return fmt.Errorf("listed %d records, want %d", n, listTotal)
		}
		return nil
	}
	var peakHeap, peakAlloc, allocs float64
	for b.Loop() {
		// Timed: as a program would list, sampling the heap as it goes.
		h := newHeapSampler()
		runtime.GC()
		runtime.GC() // twice: pooled buffers survive one collection
		baseObjs, _ := h.read()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		if err := list(func(n int) {
			if n%10 == 0 {
				h.sample()
			}
		}); err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&m1)
		allocs += float64(m1.Mallocs-m0.Mallocs) / listTotal
		peakAlloc = max(peakAlloc, float64(h.peakObjs)-float64(baseObjs))

		// Untimed: what the listing holds, collecting at checkpoints.
		b.StopTimer()
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&m0)
		base := m0.HeapAlloc
		if err := list(func(n int) {
			if n%997 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&m1)
				peakHeap = max(peakHeap, float64(m1.HeapAlloc)-float64(base))
			}
		}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(peakHeap/pageBytes, "peak-heap-pages")
	b.ReportMetric(peakAlloc/pageBytes, "peak-alloc-pages")
	b.ReportMetric(pageBytes/1024, "page-KiB")
	b.ReportMetric(allocs/float64(b.N), "allocs/record")
}

const (
	prefetchPages   = 20
	prefetchLatency = 10 * time.Millisecond // per request, on the server
	prefetchWork    = 10 * time.Millisecond // per page, in the consumer
)

// BenchmarkPrefetch lists 20 pages of 200 from a server that takes 10 ms to
// answer, spending 10 ms on each page in the consumer, without and with
// Prefetch, and reports the ratio of the times (on/off).
func BenchmarkPrefetch(b *testing.B) {
	total := prefetchPages * pageSize
	h := newListHandler(NewGenerator(seed), total)
	for i := 0; i < total; i += pageSize { // bodies made before any timing
		h.page(i, pageSize)
	}
	h.latency = func() { time.Sleep(prefetchLatency) }
	srv := httptest.NewServer(h)
	defer srv.Close()
	people := newTwenty(b, srv.URL).People()
	ctx := context.Background()
	list := func(prefetch bool) (time.Duration, error) {
		start := time.Now()
		n := 0
		for p, err := range people.All(ctx, &twenty.ListOptions{Limit: pageSize, Prefetch: prefetch}) {
			if err != nil {
				return 0, err
			}
			if n%pageSize == 0 {
				time.Sleep(prefetchWork) // the consumer's work on this page
			}
			_ = p
			n++
		}
		if n != total {
			return 0, fmt.Errorf("listed %d, want %d", n, total)
		}
		return time.Since(start), nil
	}
	if _, err := list(true); err != nil { // warm the connections
		b.Fatal(err)
	}
	var off, on time.Duration
	for b.Loop() {
		d, err := list(false)
		if err != nil {
			b.Fatal(err)
		}
		off += d
		if d, err = list(true); err != nil {
			b.Fatal(err)
		}
		on += d
	}
	b.ReportMetric(float64(off.Milliseconds())/float64(b.N), "off-ms")
	b.ReportMetric(float64(on.Milliseconds())/float64(b.N), "on-ms")
	b.ReportMetric(float64(on)/float64(off), "on/off")
}
