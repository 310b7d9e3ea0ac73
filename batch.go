package twenty

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// Span is a half-open range [Start, End) of input positions.
type Span struct{ Start, End int }

// BatchError reports a CreateMany that did not finish: which inputs were
// created, which batch failed and why, and which were never sent. The
// records returned alongside it are the created ones, in input order.
type BatchError struct {
	Created []Span
	Failed  []Span // batches the server refused or whose outcome is unknown
	NotSent []Span
	Err     error // the first failure
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("twenty: batch create incomplete (created %s; failed %s; not sent %s): %v",
		joinSpans(e.Created), joinSpans(e.Failed), joinSpans(e.NotSent), e.Err)
}

// Unwrap returns the failed batch's error, so errors.Is sees its class.
func (e *BatchError) Unwrap() error { return e.Err }

// CreateMany creates any number of records in batches of the client's
// batch size (60 by default, at most 200), optionally several batches at
// a time. Records come back in input order. On failure the error is a
// *BatchError and the records returned are those created.
func (r *Resource[R, C, U]) CreateMany(ctx context.Context, recs []C, opts *CreateOptions) ([]R, error) {
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	size, workers := r.c.batchSize, 1
	if opts != nil {
		if opts.BatchSize < 0 || opts.BatchSize > maxBatchSize {
			return nil, fmt.Errorf("%w: batch size %d outside 1..%d", ErrInvalidInput, opts.BatchSize, maxBatchSize)
		}
		if opts.BatchSize > 0 {
			size = opts.BatchSize
		}
		workers = max(opts.Concurrency, 1)
	}
	var spans []Span
	for start := 0; start < len(recs); start += size {
		spans = append(spans, Span{start, min(start+size, len(recs))})
	}
	results := make([][]R, len(spans))
	errs := make([]error, len(spans))
	attempted := make([]bool, len(spans))
	skipped := make([]bool, len(spans))

	// stop ends the handing out of batches after a failure. The requests
	// keep the caller's ctx, so the batches in flight finish and are
	// reported as they really ended.
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(spans)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if stop.Err() != nil {
					skipped[i] = true // handed out as the feed stopped: never sent
					continue
				}
				s := spans[i]
				got, err := r.many(ctx, http.MethodPost, "/rest/batch/"+r.plural, q, recs[s.Start:s.End], s.End-s.Start, nil)
				if err == nil && len(got) != s.End-s.Start {
					err = unexpected(call{http.MethodPost, "/rest/batch/" + r.plural, http.StatusCreated}, nil,
						fmt.Errorf("sent %d records, %d came back", s.End-s.Start, len(got)))
				}
				results[i], errs[i] = got, err
				if err != nil {
					cancel() // stop handing out batches; in-flight ones finish
				}
			}
		}()
	}
feed:
	for i := range spans {
		select {
		case next <- i:
			attempted[i] = true
		case <-stop.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()

	out := make([]R, 0, len(recs))
	berr := &BatchError{}
	for i, sp := range spans {
		switch {
		case errs[i] != nil:
			berr.Failed = append(berr.Failed, sp)
			if berr.Err == nil {
				berr.Err = errs[i]
			}
		case !attempted[i] || skipped[i]:
			berr.NotSent = append(berr.NotSent, sp)
		default:
			out = append(out, results[i]...)
			berr.Created = append(berr.Created, sp)
		}
	}
	if len(berr.Failed) == 0 && len(berr.NotSent) == 0 {
		return out, nil
	}
	if berr.Err == nil {
		berr.Err = ctx.Err() // the caller's context ended between batches
	}
	return out, berr
}

// joinSpans renders spans for messages, such as "0..59, 120..179".
func joinSpans(spans []Span) string {
	if len(spans) == 0 {
		return "none"
	}
	parts := make([]string, len(spans))
	for i, s := range spans {
		parts[i] = fmt.Sprintf("%d..%d", s.Start, s.End-1)
	}
	return strings.Join(parts, ", ")
}
