package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/twenty-go/twenty"
)

// ErrCountMismatch reports an export that wrote fewer records than the
// server counted when it began.
var ErrCountMismatch = errors.New("transfer: exported fewer records than the server counted")

// Mark is a position in the order (time, id) of an incremental export:
// everything up to and including it has been written.
type Mark struct {
	Time string `json:"time,omitempty"` // as the server wrote it
	ID   string `json:"id,omitempty"`
}

// State is what an incremental export keeps between runs.
type State struct {
	Object  string `json:"object"`
	Updated Mark   `json:"updated"`           // last record written, by updatedAt then id
	Deleted Mark   `json:"deleted,omitempty"` // last deletion written, by deletedAt then id
	// Partial marks a run that stopped part way: a re-run continues it.
	Partial bool     `json:"partial,omitempty"`
	Columns []string `json:"columns,omitempty"` // a CSV export's columns, kept for appending
}

// Changes exports the records of one object changed after a mark, in the
// order (updatedAt, id), page by page. Each page asks for the records
// after the last one written ((updatedAt, id) greater than the mark)
// rather than following a cursor: a record updated during the run moves
// after the mark and is written again with its new values, none is
// skipped, and none is written twice for the same change.
type Changes struct {
	Client *twenty.Client
	Object string
	// IncludeDeleted also writes the records soft-deleted after the
	// state's deletion mark, ordered by deletedAt then id.
	IncludeDeleted bool
	PageSize       int // default 200, the server's maximum
}

// Run writes every change after st through write, then returns the new
// state. After each page, save (if set) gets the state so far, Partial
// set: an interrupted run resumes from it. The number of records written
// is checked against the total the server counted at the start.
func (x *Changes) Run(ctx context.Context, st State, write func(rec json.RawMessage) error, save func(State) error) (State, int, error) {
	st.Object = x.Object
	n, err := x.pass(ctx, "updatedAt", &st.Updated, nil, &st, write, save)
	if err != nil || !x.IncludeDeleted {
		st.Partial = err != nil
		return st, n, err
	}
	deleted := twenty.Field("deletedAt").IsNotNull()
	m, err := x.pass(ctx, "deletedAt", &st.Deleted, deleted, &st, write, save)
	st.Partial = err != nil
	return st, n + m, err
}

func (x *Changes) pass(ctx context.Context, field string, mark *Mark, extra twenty.Filter, st *State, write func(json.RawMessage) error, save func(State) error) (int, error) {
	res := x.Client.RawObject(x.Object)
	size := x.PageSize
	if size <= 0 {
		size = DefaultChunkSize
	}
	total, written := -1, 0
	for {
		var filters []twenty.Filter
		if extra != nil {
			filters = append(filters, extra)
		}
		switch {
		case mark.Time != "" && mark.ID != "":
			// The server writes times to the millisecond but may store
			// them finer: the records of the mark's millisecond are those
			// in [t, t+1ms), never an equality.
			t, err := time.Parse(time.RFC3339Nano, mark.Time)
			if err != nil {
				return written, fmt.Errorf("%w: state mark %q is not a time", twenty.ErrInvalidInput, mark.Time)
			}
			next := t.Add(time.Millisecond).UTC().Format(wireTime)
			filters = append(filters, twenty.Or(
				twenty.Field(field).Gte(next),
				twenty.And(twenty.Field(field).Gte(mark.Time), twenty.Field(field).Lt(next), twenty.Field("id").Gt(mark.ID))))
		case mark.Time != "":
			filters = append(filters, twenty.Field(field).Gte(mark.Time))
		}
		opts := &twenty.ListOptions{Limit: size, OrderBy: []twenty.Order{twenty.Asc(field), twenty.Asc("id")}}
		switch len(filters) {
		case 0:
		case 1:
			opts.Filter = filters[0]
		default:
			opts.Filter = twenty.And(filters...)
		}
		page, err := res.List(ctx, opts)
		if err != nil {
			return written, err
		}
		if total < 0 {
			total = page.TotalCount
		}
		for _, raw := range page.Records {
			var key struct {
				ID      string `json:"id"`
				Updated string `json:"updatedAt"`
				Deleted string `json:"deletedAt"`
			}
			if err := json.Unmarshal(raw, &key); err != nil || key.ID == "" {
				return written, fmt.Errorf("%w: a record without id", twenty.ErrUnexpected)
			}
			if err := write(raw); err != nil {
				return written, err
			}
			written++
			mark.ID, mark.Time = key.ID, key.Updated
			if field == "deletedAt" {
				mark.Time = key.Deleted
			}
		}
		if save != nil && len(page.Records) > 0 {
			st.Partial = true
			if err := save(*st); err != nil {
				return written, err
			}
		}
		if len(page.Records) < size || !page.PageInfo.HasNextPage && len(page.Records) == 0 {
			break
		}
	}
	if written < total {
		return written, fmt.Errorf("%w: %s by %s: %d written, %d counted", ErrCountMismatch, x.Object, field, written, total)
	}
	return written, nil
}
