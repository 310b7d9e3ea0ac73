package transfer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/twenty-go/twenty"
)

// DefaultChunkSize is how many rows an import handles at once: one key
// look-up and one create batch. 200 is the server's maximum for both; the
// client splits a create further if its batch size is smaller.
const DefaultChunkSize = 200

// Action is what an import did, or in a dry run would do, with a row.
type Action string

// The actions.
const (
	ActionCreate    Action = "create"
	ActionUpdate    Action = "update"
	ActionUnchanged Action = "unchanged"
	ActionReject    Action = "reject"
	ActionUnknown   Action = "unknown" // sent, answer lost: not re-sent without --key or --upsert
)

// PlanEntry reports the decision on one row.
type PlanEntry struct {
	Line    int
	Action  Action
	ID      string   // the existing record, for updates and unchanged rows
	Changed []string // for updates: the fields that differ
	Reason  string   // for rejects and unknown outcomes
}

// Progress is how far an import has come.
type Progress struct {
	Done, Total int
}

// Summary counts what happened to the rows of an import.
type Summary struct {
	Rows      int // in the input
	Previous  int // confirmed or rejected by an earlier run (from the journal)
	Created   int // with Upsert, created or updated by the server
	Updated   int
	Unchanged int
	Rejected  int
	Unknown   int // sent but never confirmed; see Importer.RetryUnknown
	Pending   int // not done when the run stopped: a re-run does them
}

// Failed is the number of rows that did not make it in.
func (s Summary) Failed() int { return s.Rejected + s.Unknown + s.Pending }

func (s Summary) String() string {
	return fmt.Sprintf("%d rows: %d created, %d updated, %d unchanged, %d rejected, %d outcome unknown, %d pending, %d done before",
		s.Rows, s.Created, s.Updated, s.Unchanged, s.Rejected, s.Unknown, s.Pending, s.Previous)
}

// Importer imports rows into one object.
//
// Without Key or Upsert every row is created. A batch whose answer is
// lost may or may not have been created: its rows are reported as of
// unknown outcome and, on a re-run, left alone unless RetryUnknown.
// With Key, the import looks the batch's keys up (one request per batch),
// creates the new rows and updates, with only the fields that differ, the
// existing ones: a re-run, or a lost answer, can then never create a row
// twice. Upsert uses the server's ?upsert=true instead, whose matching has
// open bugs (twentyhq/twenty#13553, #22580).
type Importer struct {
	Client  *twenty.Client
	Mapping *Mapping
	// Key is the field path that identifies a record, such as
	// emails.primaryEmail; it must be one of the mapped columns.
	Key    string
	Upsert bool
	// RetryUnknown re-sends, without Key or Upsert, rows whose outcome an
	// earlier run could not learn: they may then exist twice.
	RetryUnknown bool
	// DryRun converts, checks and plans, reading from the server (key and
	// relation look-ups) but writing nothing, journal included.
	DryRun      bool
	ChunkSize   int // default DefaultChunkSize
	Concurrency int // chunks in flight; default 1
	Journal     *Journal
	Rejects     *Rejects
	// Progress and Plan, if set, are called as rows are decided; not
	// concurrently.
	Progress func(Progress)
	Plan     func(PlanEntry)
}

// item is a pending row and its record.
type item struct {
	row  Row
	rec  map[string]any
	refs []Ref
	key  string
}

type run struct {
	im    *Importer
	res   *twenty.Resource[twenty.Record, twenty.Record, twenty.Record]
	mu    sync.Mutex
	sum   Summary
	done  int
	total int
}

// Run imports in's rows. It returns when every row is done, rejected or
// of unknown outcome, or on the first error that stops it (the context
// ending, a rate limit outlasting the retries, a server down): the rows
// not done then stay pending, and a re-run with the same journal does
// them. The summary is valid in both cases.
func (im *Importer) Run(ctx context.Context, in *Input) (Summary, error) {
	r := &run{im: im, res: im.Client.Object(im.Mapping.Schema.Object), total: len(in.Rows)}
	r.sum.Rows = len(in.Rows)
	if im.Key != "" && im.Upsert {
		return r.sum, fmt.Errorf("%w: Key and Upsert cannot be combined", twenty.ErrInvalidInput)
	}
	var keyCol *Column
	if im.Key != "" {
		for _, c := range im.Mapping.Columns {
			if !c.Skip && c.Relation == nil && strings.Join(c.Path, ".") == im.Key {
				keyCol = c
			}
		}
		if keyCol == nil {
			return r.sum, fmt.Errorf("%w: --key %s is not one of the input's columns", twenty.ErrInvalidInput, im.Key)
		}
	}

	// Rows an earlier run finished are skipped; those it sent without an
	// answer are re-planned only when that cannot create them twice.
	var items []*item
	keys := map[string]int{}
	for _, row := range in.Rows {
		switch im.Journal.State(row.Index) {
		case Done, Rejected:
			r.sum.Previous++
			r.done++
			continue
		case Sent:
			if im.Key == "" && !im.Upsert && !im.RetryUnknown {
				r.sum.Unknown++
				r.done++
				r.plan(PlanEntry{Line: row.Line, Action: ActionUnknown, Reason: "sent by an earlier run without an answer; check, then re-run with --retry-unknown to send again"})
				continue
			}
		}
		conv, err := im.Mapping.Convert(row.Values, in.Format == CSV)
		if err != nil {
			if rerr := r.reject([]Row{row}, strings.ReplaceAll(err.Error(), "\n", "; ")); rerr != nil {
				return r.summary(), rerr
			}
			continue
		}
		it := &item{row: row, rec: conv.Record, refs: conv.Refs}
		if keyCol != nil {
			v, _ := Lookup(it.rec, im.Key)
			if v == nil {
				if err := r.reject([]Row{row}, "no value for the key "+im.Key); err != nil {
					return r.summary(), err
				}
				continue
			}
			it.key = Text(v)
			if first, dup := keys[it.key]; dup {
				if err := r.reject([]Row{row}, fmt.Sprintf("%s %q repeats line %d", im.Key, it.key, first)); err != nil {
					return r.summary(), err
				}
				continue
			}
			keys[it.key] = row.Line
		}
		items = append(items, it)
	}
	r.progress()
	if err := r.resolve(ctx, &items); err != nil {
		r.sum.Pending = len(items)
		return r.summary(), err
	}

	size := im.ChunkSize
	if size <= 0 {
		size = DefaultChunkSize
	}
	var chunks [][]*item
	for len(items) > 0 {
		n := min(size, len(items))
		chunks = append(chunks, items[:n])
		items = items[n:]
	}
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan []*item)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for range max(1, min(im.Concurrency, len(chunks))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range next {
				left, err := r.chunk(ctx, ch)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					cancel()
				}
				r.mu.Lock()
				r.sum.Pending += left
				r.mu.Unlock()
			}
		}()
	}
	for i, ch := range chunks {
		select {
		case next <- ch:
		case <-stop.Done():
			r.mu.Lock()
			for _, rest := range chunks[i:] {
				r.sum.Pending += len(rest)
			}
			r.mu.Unlock()
			close(next)
			wg.Wait()
			if firstErr == nil {
				firstErr = ctx.Err()
			}
			return r.summary(), firstErr
		}
	}
	close(next)
	wg.Wait()
	return r.summary(), firstErr
}

func (r *run) summary() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sum
}

func (r *run) plan(e PlanEntry) {
	if r.im.Plan != nil {
		r.im.Plan(e)
	}
}

// progress reports; called with r.mu held or before workers start.
func (r *run) progress() {
	if r.im.Progress != nil {
		r.im.Progress(Progress{Done: r.done, Total: r.total})
	}
}

// finish counts n rows as decided.
func (r *run) finish(n int, count *int) {
	*count += n
	r.done += n
	r.progress()
}

func (r *run) reject(rows []Row, reason string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, row := range rows {
		r.plan(PlanEntry{Line: row.Line, Action: ActionReject, Reason: reason})
	}
	r.finish(len(rows), &r.sum.Rejected)
	if r.im.DryRun {
		return nil
	}
	idx := make([]int, len(rows))
	for i, row := range rows {
		if err := r.im.Rejects.Reject(row, reason); err != nil {
			return err
		}
		idx[i] = row.Index
	}
	// After the reject file: a crash between the two re-rejects the row
	// (a duplicate line in the reject file) rather than losing it.
	return r.im.Journal.Mark(Rejected, idx)
}

func (r *run) mark(st RowState, its []*item) error {
	if r.im.DryRun {
		return nil
	}
	idx := make([]int, len(its))
	for i, it := range its {
		idx[i] = it.row.Index
	}
	return r.im.Journal.Mark(st, idx)
}

// reason is the server's own words for a refusal.
func reason(err error) string {
	var ae *twenty.APIError
	if errors.As(err, &ae) && len(ae.Messages) > 0 {
		return strings.Join(ae.Messages, "; ")
	}
	return strings.TrimPrefix(err.Error(), "twenty: ")
}

// refused says the server answered that it did not apply the request
// because of the request itself: sending the rows again would fail again.
func refused(err error) bool {
	if errors.Is(err, twenty.ErrOutcomeUnknown) || errors.Is(err, twenty.ErrRateLimited) {
		return false
	}
	var ae *twenty.APIError
	return errors.As(err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500 &&
		!errors.Is(err, twenty.ErrUnauthorized) && !errors.Is(err, twenty.ErrForbidden)
}

// chunk imports one chunk and returns how many of its rows are left
// pending when it stops on an error.
func (r *run) chunk(ctx context.Context, its []*item) (int, error) {
	if r.im.Key == "" {
		return r.create(ctx, its, 3)
	}
	for attempt := 0; ; attempt++ {
		unknown, left, err := r.keyed(ctx, its)
		if err != nil || len(unknown) == 0 {
			return left + len(unknown), err
		}
		if attempt == 3 || ctx.Err() != nil {
			return left + len(unknown), fmt.Errorf("%d rows: %w", len(unknown), twenty.ErrOutcomeUnknown)
		}
		its = unknown // look them up again: the lost answer may have created them
	}
}

// keyed plans a chunk against the records that have its keys, then
// updates and creates. Rows whose create had an unknown outcome come back
// to be looked up again.
func (r *run) keyed(ctx context.Context, its []*item) (unknown []*item, left int, err error) {
	keyField := r.im.Key
	vals := make([]any, len(its))
	for i, it := range its {
		vals[i] = it.key
	}
	found := map[string][]twenty.Record{}
	for rec, err := range r.res.All(ctx, &twenty.ListOptions{Filter: twenty.Field(keyField).In(vals...), Limit: DefaultChunkSize}) {
		if err != nil {
			return nil, len(its), err
		}
		v, _ := Lookup(rec, keyField)
		k := Text(canonical(keyColumnField(r.im.Mapping, keyField), v))
		found[k] = append(found[k], rec)
	}
	var creates []*item
	for i, it := range its {
		m := found[it.key]
		switch len(m) {
		case 0:
			creates = append(creates, it)
			continue
		case 1:
		default:
			if err := r.reject([]Row{it.row}, fmt.Sprintf("%d %s have %s %q: the key must be unique", len(m), r.res.Name(), keyField, it.key)); err != nil {
				return nil, len(its) - i, err
			}
			continue
		}
		id, _ := m[0]["id"].(string)
		changes, names := diff(r.im.Mapping.Schema, it.rec, m[0])
		if len(changes) == 0 {
			if err := r.mark(Done, []*item{it}); err != nil {
				return nil, len(its) - i, err
			}
			r.mu.Lock()
			r.plan(PlanEntry{Line: it.row.Line, Action: ActionUnchanged, ID: id})
			r.finish(1, &r.sum.Unchanged)
			r.mu.Unlock()
			continue
		}
		if !r.im.DryRun {
			if _, err := r.res.Update(ctx, id, changes, nil); err != nil {
				if !refused(err) {
					return nil, len(its) - i, err
				}
				if err := r.reject([]Row{it.row}, reason(err)); err != nil {
					return nil, len(its) - i, err
				}
				continue
			}
			if err := r.mark(Done, []*item{it}); err != nil {
				return nil, len(its) - i, err
			}
		}
		r.mu.Lock()
		r.plan(PlanEntry{Line: it.row.Line, Action: ActionUpdate, ID: id, Changed: names})
		r.finish(1, &r.sum.Updated)
		r.mu.Unlock()
	}
	if len(creates) == 0 {
		return nil, 0, nil
	}
	return r.createOnce(ctx, creates)
}

func keyColumnField(m *Mapping, key string) *Field {
	for _, c := range m.Columns {
		if strings.Join(c.Path, ".") == key {
			return c.Field
		}
	}
	return nil
}

// create sends its with retries of what a lost answer makes safe to
// repeat (everything with Upsert; nothing otherwise).
func (r *run) create(ctx context.Context, its []*item, tries int) (int, error) {
	unknown, left, err := r.createOnce(ctx, its)
	if len(unknown) == 0 {
		return left, err
	}
	if r.im.Upsert {
		if tries > 1 && err == nil && ctx.Err() == nil {
			n, err := r.create(ctx, unknown, tries-1)
			return left + n, err
		}
		return left + len(unknown), err // still pending: a re-run repeats them safely
	}
	// Sent without a way to tell whether they exist: the journal keeps
	// them as sent, and the user decides.
	r.mu.Lock()
	for _, it := range unknown {
		r.plan(PlanEntry{Line: it.row.Line, Action: ActionUnknown, Reason: "the answer was lost: the record may or may not exist"})
	}
	r.finish(len(unknown), &r.sum.Unknown)
	r.mu.Unlock()
	return left, err
}

// createOnce sends one CreateMany of its and sorts the rows: created (journaled
// done), refused (bisected down to the rows the server rejects), not sent
// (sent again while the context lives), and of unknown outcome (returned).
func (r *run) createOnce(ctx context.Context, its []*item) (unknown []*item, left int, err error) {
	if r.im.DryRun {
		r.mu.Lock()
		for _, it := range its {
			r.plan(PlanEntry{Line: it.row.Line, Action: ActionCreate})
		}
		r.finish(len(its), &r.sum.Created)
		r.mu.Unlock()
		return nil, 0, nil
	}
	safe := r.im.Key != "" || r.im.Upsert
	if !safe {
		if err := r.mark(Sent, its); err != nil {
			return nil, len(its), err
		}
	}
	recs := make([]twenty.Record, len(its))
	for i, it := range its {
		recs[i] = it.rec
	}
	_, cerr := r.res.CreateMany(ctx, recs, &twenty.CreateOptions{Upsert: r.im.Upsert})
	if cerr == nil {
		return nil, 0, r.created(its)
	}
	var be *twenty.BatchError
	if !errors.As(cerr, &be) {
		be = &twenty.BatchError{Failed: []twenty.Span{{Start: 0, End: len(its)}}, Err: cerr}
	}
	for _, sp := range be.Created {
		if err := r.created(its[sp.Start:sp.End]); err != nil {
			return nil, len(its), err
		}
	}
	var notSent []*item
	for _, sp := range be.NotSent {
		notSent = append(notSent, its[sp.Start:sp.End]...)
	}
	if !safe {
		if err := r.mark(Pending, notSent); err != nil {
			return nil, len(its), err
		}
	}
	for _, sp := range be.Failed {
		part := its[sp.Start:sp.End]
		switch {
		case refused(be.Err) && len(part) == 1:
			if err := r.reject([]Row{part[0].row}, reason(be.Err)); err != nil {
				return nil, len(its), err
			}
		case refused(be.Err):
			// The batch is one transaction: find the rows refused.
			if !safe {
				if err := r.mark(Pending, part); err != nil {
					return nil, len(its), err
				}
			}
			half := len(part) / 2
			for _, h := range [][]*item{part[:half], part[half:]} {
				u, l, err := r.createOnce(ctx, h)
				unknown = append(unknown, u...)
				if err != nil {
					return unknown, l + len(notSent), err
				}
			}
		case errors.Is(be.Err, twenty.ErrRateLimited):
			// Refused before any work: never applied, so pending again.
			if !safe {
				if err := r.mark(Pending, part); err != nil {
					return nil, len(its), err
				}
			}
			return unknown, len(part) + len(notSent), be.Err
		default:
			unknown = append(unknown, part...)
			if ctx.Err() != nil {
				return unknown, len(notSent), ctx.Err()
			}
		}
	}
	if len(notSent) > 0 {
		if ctx.Err() != nil {
			return unknown, len(notSent), ctx.Err()
		}
		u, l, err := r.createOnce(ctx, notSent)
		return append(unknown, u...), l, err
	}
	return unknown, 0, nil
}

func (r *run) created(its []*item) error {
	if err := r.mark(Done, its); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, it := range its {
		r.plan(PlanEntry{Line: it.row.Line, Action: ActionCreate})
	}
	r.finish(len(its), &r.sum.Created)
	return nil
}

// resolve turns relation values into ids: one `in` look-up per 200
// distinct values of each target field, across the whole input, cached.
// Rows whose value matches no record, or several, are rejected.
func (r *run) resolve(ctx context.Context, items *[]*item) error {
	type group struct {
		target, lookup string
		field          *Field
		values         map[string]bool
	}
	groups := map[string]*group{}
	for _, it := range *items {
		for _, ref := range it.refs {
			c := ref.Column
			k := c.Relation.Target + "\x00" + c.Lookup
			g := groups[k]
			if g == nil {
				g = &group{target: c.Relation.Target, lookup: c.Lookup, field: c.LookupField, values: map[string]bool{}}
				groups[k] = g
			}
			g.values[ref.Value] = true
		}
	}
	found := map[string]map[string][]string{}
	for k, g := range groups {
		vals := make([]string, 0, len(g.values))
		for v := range g.values {
			vals = append(vals, v)
		}
		sort.Strings(vals)
		m := map[string][]string{}
		found[k] = m
		res := r.im.Client.Object(g.target)
		for len(vals) > 0 {
			n := min(len(vals), DefaultChunkSize/2)
			batch := vals[:n]
			vals = vals[n:]
			var ask []any
			alias := map[string]string{}
			for _, v := range batch {
				for _, variant := range variants(g.lookup, v) {
					ask = append(ask, variant)
					alias[variant] = v
				}
			}
			for rec, err := range res.All(ctx, &twenty.ListOptions{Filter: twenty.Field(g.lookup).In(ask...), Limit: DefaultChunkSize}) {
				if err != nil {
					return err
				}
				v, _ := Lookup(rec, g.lookup)
				id, _ := rec["id"].(string)
				if orig, ok := alias[Text(v)]; ok && id != "" {
					m[orig] = append(m[orig], id)
				}
			}
		}
	}
	kept := (*items)[:0]
	for _, it := range *items {
		var problems []string
		for _, ref := range it.refs {
			c := ref.Column
			ids := found[c.Relation.Target+"\x00"+c.Lookup][ref.Value]
			switch len(ids) {
			case 1:
				it.rec[c.Relation.IDField] = ids[0]
			case 0:
				problems = append(problems, fmt.Sprintf("%s: no %s with %s %q", c.Header, c.Relation.Target, c.Lookup, ref.Value))
			default:
				problems = append(problems, fmt.Sprintf("%s: %d %s with %s %q", c.Header, len(ids), c.Relation.Target, c.Lookup, ref.Value))
			}
		}
		if len(problems) > 0 {
			if err := r.reject([]Row{it.row}, strings.Join(problems, "; ")); err != nil {
				return err
			}
			continue
		}
		kept = append(kept, it)
	}
	*items = kept
	return nil
}

// variants are the stored forms a looked-up value may have: a domain is
// stored as a URL, without a trailing slash.
func variants(lookup, v string) []string {
	out := []string{v}
	if strings.HasSuffix(lookup, "primaryLinkUrl") && !strings.Contains(v, "://") {
		out = append(out, "https://"+strings.TrimSuffix(v, "/"), "http://"+strings.TrimSuffix(v, "/"))
	}
	return out
}

// canonical converts a server value as the import would an input one, so
// the two compare; a value that does not convert is kept as it is.
func canonical(f *Field, v any) any {
	if f == nil {
		return v
	}
	c, err := Convert(f, "", v, false)
	if err != nil {
		return v
	}
	return c
}

func sameValue(f *Field, a, b any) bool {
	fa, fb := Text(canonical(f, a)), Text(canonical(f, b))
	return fa == fb
}

// diff returns the changes that make existing hold rec's values: whole
// fields, and for composites only the sub-fields that differ.
func diff(s *Schema, rec, existing map[string]any) (map[string]any, []string) {
	changes := map[string]any{}
	var names []string
	for k, v := range rec {
		if k == "id" {
			continue
		}
		f := s.Fields[k]
		if f != nil && f.Kind == KindComposite {
			sub, _ := v.(map[string]any)
			old, _ := existing[k].(map[string]any)
			ch := map[string]any{}
			for sk, sv := range sub {
				if !sameValue(f.Subs[sk], sv, old[sk]) {
					ch[sk] = sv
					names = append(names, k+"."+sk)
				}
			}
			if v == nil && !allEmpty(old) {
				changes[k] = nil
				names = append(names, k)
			}
			if len(ch) > 0 {
				changes[k] = ch
			}
			continue
		}
		if !sameValue(f, v, existing[k]) {
			changes[k] = v
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return changes, names
}

func allEmpty(m map[string]any) bool {
	for _, v := range m {
		if Text(v) != "" && Text(v) != "[]" {
			return false
		}
	}
	return true
}
