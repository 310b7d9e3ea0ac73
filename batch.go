package twenty

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
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
// batch size (200 by default, the most the server accepts), optionally
// several batches at a time. Records come back in input order. On failure
// the error is a *BatchError and the records returned are those created.
//
// A server that accepts fewer records per batch (older releases took 60)
// refuses the first batches with a 400 that names its maximum: CreateMany
// then re-sends the refused records in batches of that size, once, and the
// client keeps using that size from then on. Refused batches were not
// created, so nothing is created twice.
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
	if learnt := int(r.c.serverBatchMax.Load()); learnt > 0 {
		size = min(size, learnt)
	}
	outcomes := r.sendBatches(ctx, q, recs, split([]Span{{0, len(recs)}}, size), workers)
	if smaller, ok := refusedAsTooLarge(outcomes, size); ok {
		r.c.serverBatchMax.Store(int32(smaller))
		outcomes = r.resendRefused(ctx, q, recs, outcomes, smaller, workers)
	}
	return collect(ctx, outcomes, len(recs))
}

// batchOutcome is what became of one batch.
type batchOutcome[R any] struct {
	span Span
	recs []R
	err  error
	sent bool
}

// sendBatches sends spans of recs, up to workers at a time, and stops
// handing out batches after the first failure.
func (r *Resource[R, C, U]) sendBatches(ctx context.Context, q url.Values, recs []C, spans []Span, workers int) []batchOutcome[R] {
	out := make([]batchOutcome[R], len(spans))
	for i, s := range spans {
		out[i].span = s
	}
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
					continue // handed out as the feed stopped: never sent
				}
				s := spans[i]
				path := "/rest/batch/" + r.plural
				got, _, err := r.many(ctx, http.MethodPost, path, q, recs[s.Start:s.End], s.End-s.Start, nil)
				if err == nil && len(got) != s.End-s.Start {
					err = unexpected(call{http.MethodPost, path, http.StatusCreated}, nil,
						fmt.Errorf("sent %d records, %d came back", s.End-s.Start, len(got)))
				}
				out[i] = batchOutcome[R]{span: s, recs: got, err: err, sent: true}
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
		case <-stop.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return out
}

// resendRefused re-sends, in batches of size, the records of the batches
// refused as too large and of those never sent; the others stand.
func (r *Resource[R, C, U]) resendRefused(ctx context.Context, q url.Values, recs []C, outcomes []batchOutcome[R], size, workers int) []batchOutcome[R] {
	var kept []batchOutcome[R]
	var again []Span
	for _, o := range outcomes {
		if o.sent && o.err == nil {
			kept = append(kept, o)
		} else if n := len(again); n > 0 && again[n-1].End == o.span.Start {
			again[n-1].End = o.span.End // contiguous: cut anew at the smaller size
		} else {
			again = append(again, o.span)
		}
	}
	kept = append(kept, r.sendBatches(ctx, q, recs, split(again, size), workers)...)
	slices.SortFunc(kept, func(a, b batchOutcome[R]) int { return a.span.Start - b.span.Start })
	return kept
}

// split cuts spans into consecutive spans of at most size.
func split(spans []Span, size int) []Span {
	var out []Span
	for _, sp := range spans {
		for start := sp.Start; start < sp.End; start += size {
			out = append(out, Span{start, min(start+size, sp.End)})
		}
	}
	return out
}

// tooManyRecords is the server's refusal of an oversized batch, the same
// message in every release since the common query runner: "Maximum number
// of records to upsert is 200."
var tooManyRecords = regexp.MustCompile(`(?i)maximum number of records to (?:upsert|create|insert) is (\d+)`)

// refusedAsTooLarge reports the batch size the server asks for when every
// failed batch was refused for holding more records than the maximum it
// states, and that maximum is below size.
func refusedAsTooLarge[R any](outcomes []batchOutcome[R], size int) (int, bool) {
	smaller := 0
	for _, o := range outcomes {
		if !o.sent || o.err == nil {
			continue
		}
		n, ok := batchLimitIn(o.err)
		if !ok {
			return 0, false // another failure: report it as it is
		}
		if n < 1 || n >= size {
			return 0, false
		}
		if smaller == 0 || n < smaller {
			smaller = n
		}
	}
	return smaller, smaller > 0
}

// batchLimitIn reads the maximum a 400 refusing a batch as too large states.
func batchLimitIn(err error) (int, bool) {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		return 0, false
	}
	for _, m := range apiErr.Messages {
		if sub := tooManyRecords.FindStringSubmatch(m); sub != nil {
			n, err := strconv.Atoi(sub[1])
			return n, err == nil
		}
	}
	return 0, false
}

// collect puts the created records in input order and, if anything was not
// created, describes what happened to each span.
func collect[R any](ctx context.Context, outcomes []batchOutcome[R], n int) ([]R, error) {
	out := make([]R, 0, n)
	berr := &BatchError{}
	for _, o := range outcomes {
		switch {
		case o.err != nil:
			berr.Failed = append(berr.Failed, o.span)
			if berr.Err == nil {
				berr.Err = o.err
			}
		case !o.sent:
			berr.NotSent = append(berr.NotSent, o.span)
		default:
			out = append(out, o.recs...)
			berr.Created = append(berr.Created, o.span)
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
