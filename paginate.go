package twenty

import (
	"context"
	"fmt"
	"iter"
	"slices"
)

// All yields every record matching opts, page after page, following each
// page's end cursor. It sends nothing until the loop starts, never
// modifies opts, stops after yielding an error, and stops fetching when
// the loop breaks. Pages hold 200 records unless opts.Limit says
// otherwise. With opts.Prefetch the next page is requested while
// the loop body works on the current one.
func (r *Resource[R, C, U]) All(ctx context.Context, opts *ListOptions) iter.Seq2[R, error] {
	var o ListOptions
	if opts != nil {
		o = *opts
		o.OrderBy = slices.Clone(opts.OrderBy)
	}
	if o.Limit == 0 {
		o.Limit = allPageSize // fewest requests; the server clamps what it cannot serve
	}
	return func(yield func(R, error) bool) {
		var zero R
		if o.EndingBefore != "" {
			yield(zero, fmt.Errorf("%w: All pages forwards; use List with EndingBefore to page backwards", ErrInvalidInput))
			return
		}
		if o.Prefetch {
			r.allPrefetch(ctx, o, yield)
			return
		}
		cursor := o.StartingAfter
		seen := map[string]bool{cursor: true}
		for {
			page, err := r.pageAfter(ctx, o, cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, rec := range page.Records {
				if !yield(rec, nil) {
					return
				}
			}
			next, ok, err := advance(page, seen)
			if err != nil {
				yield(zero, err)
				return
			}
			if !ok {
				return
			}
			cursor = next
		}
	}
}

func (r *Resource[R, C, U]) pageAfter(ctx context.Context, o ListOptions, cursor string) (*Page[R], error) {
	o.StartingAfter = cursor
	return r.List(ctx, &o)
}

// advance returns the next cursor. A server handing back a cursor it gave
// before would loop forever: that is an error, not the end. seen holds
// every cursor followed so far (a string per page: small next to the
// records themselves).
func advance[R any](page *Page[R], seen map[string]bool) (string, bool, error) {
	next, ok := page.NextCursor()
	if ok && seen[next] {
		return "", false, fmt.Errorf("%w: the server returned a cursor it had already returned", ErrUnexpected)
	}
	seen[next] = true
	return next, ok, nil
}

type pageResult[R any] struct {
	page *Page[R]
	err  error
}

func (r *Resource[R, C, U]) allPrefetch(ctx context.Context, o ListOptions, yield func(R, error) bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // a break abandons the request in flight
	fetch := func(cursor string) <-chan pageResult[R] {
		ch := make(chan pageResult[R], 1) // buffered: an abandoned fetch never blocks
		go func() {
			p, err := r.pageAfter(ctx, o, cursor)
			ch <- pageResult[R]{p, err}
		}()
		return ch
	}
	var zero R
	cursor := o.StartingAfter
	seen := map[string]bool{cursor: true}
	pending := fetch(cursor)
	for pending != nil {
		res := <-pending
		if res.err != nil {
			yield(zero, res.err)
			return
		}
		next, ok, err := advance(res.page, seen)
		pending = nil
		if ok {
			cursor = next
			pending = fetch(next)
		}
		for _, rec := range res.page.Records {
			if !yield(rec, nil) {
				return
			}
		}
		if err != nil {
			yield(zero, err)
			return
		}
	}
}
