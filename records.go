package twenty

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Resource gives the record operations of one object. R is the record as
// the server returns it, C the create input and U the update input: for the
// standard objects these are the generated types (api.PersonForResponse,
// api.Person, api.PersonForUpdate); for any object, custom ones included,
// Record or json.RawMessage work too.
type Resource[R, C, U any] struct {
	c      *Client
	plural string
	err    error // a bad object name, reported by every call
}

// Record is an untyped record: JSON objects decoded into maps.
type Record = map[string]any

var objectName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9]*$`)

// NewResource returns the operations on the object with the given plural
// name, typed with R, C and U. Use it for objects added to a regenerated
// api package; the standard objects have accessors such as People.
func NewResource[R, C, U any](c *Client, plural string) *Resource[R, C, U] {
	r := &Resource[R, C, U]{c: c, plural: plural}
	if !objectName.MatchString(plural) {
		r.err = fmt.Errorf("%w: object name %q: want the plural API name, such as people", ErrInvalidInput, plural)
	}
	return r
}

// Object returns untyped operations on any object by its plural API name,
// custom objects included, without regenerating anything.
func (c *Client) Object(plural string) *Resource[Record, Record, Record] {
	return NewResource[Record, Record, Record](c, plural)
}

// RawObject is Object with records left as raw JSON.
func (c *Client) RawObject(plural string) *Resource[json.RawMessage, json.RawMessage, json.RawMessage] {
	return NewResource[json.RawMessage, json.RawMessage, json.RawMessage](c, plural)
}

// Name is the object's plural API name.
func (r *Resource[R, C, U]) Name() string { return r.plural }

// PageInfo says where a page sits in the whole result. Cursors are opaque.
type PageInfo struct {
	StartCursor     string
	EndCursor       string
	HasNextPage     bool
	HasPreviousPage bool
}

// Page is one page of a list.
type Page[R any] struct {
	Records    []R
	PageInfo   PageInfo
	TotalCount int // records matching the filter, across all pages
	// Warnings lists the values of these records that did not fit their
	// Go type and were repaired or left out (see DecodeWarning); the
	// records themselves are all there.
	Warnings []DecodeWarning
}

// NextCursor is the cursor of the following page, if there is one.
func (p *Page[R]) NextCursor() (string, bool) {
	if !p.PageInfo.HasNextPage || p.PageInfo.EndCursor == "" || len(p.Records) == 0 {
		return "", false
	}
	return p.PageInfo.EndCursor, true
}

// ListOptions select, order and page records. The zero value lists the
// first page in the server's default order.
type ListOptions struct {
	Filter  Filter
	OrderBy []Order
	// Limit is the page size: 0 means the server's default (60) for List
	// and 200, the server's maximum, for All; values above 200 are reduced
	// to 200, as the server would. Servers with a lower maximum clamp the
	// page silently, and All follows their cursors just the same.
	Limit int
	// Depth 1 embeds related records one level deep.
	Depth         int
	StartingAfter string
	EndingBefore  string
	// Fields, if set, asks for only these fields (the id always comes
	// back): smaller pages for big objects. Newer servers only; older
	// ones return every field.
	Fields []string
	// Prefetch makes All fetch the next page while the caller consumes
	// the current one.
	Prefetch bool
}

func checkDepth(depth int) error {
	if depth != 0 && depth != 1 {
		return fmt.Errorf("%w: depth %d: allowed values are 0 and 1", ErrInvalidInput, depth)
	}
	return nil
}

func filterValue(f Filter) (string, error) {
	if f == nil {
		return "", nil
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	return f.String(), nil
}

func (o *ListOptions) query() (url.Values, int, error) {
	q := url.Values{}
	if o == nil {
		return q, 0, nil
	}
	if o.Limit < 0 {
		return nil, 0, fmt.Errorf("%w: negative limit %d", ErrInvalidInput, o.Limit)
	}
	if o.StartingAfter != "" && o.EndingBefore != "" {
		return nil, 0, fmt.Errorf("%w: StartingAfter and EndingBefore cannot be combined", ErrInvalidInput)
	}
	if err := checkDepth(o.Depth); err != nil {
		return nil, 0, err
	}
	limit := min(o.Limit, maxPageSize)
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if o.Depth != 0 {
		q.Set("depth", strconv.Itoa(o.Depth))
	}
	f, err := filterValue(o.Filter)
	if err != nil {
		return nil, 0, err
	}
	if f != "" {
		q.Set("filter", f)
	}
	if len(o.OrderBy) > 0 {
		for _, ord := range o.OrderBy {
			if err := ord.Err(); err != nil {
				return nil, 0, err
			}
		}
		q.Set("order_by", OrderBy(o.OrderBy...))
	}
	if o.StartingAfter != "" {
		q.Set("starting_after", o.StartingAfter)
	}
	if o.EndingBefore != "" {
		q.Set("ending_before", o.EndingBefore)
	}
	if err := setFields(q, o.Fields); err != nil {
		return nil, 0, err
	}
	return q, limit, nil
}

// send performs one call and returns the 2xx body. Every failure is typed:
// *APIError, *OutcomeUnknownError, an input error or the context's error.
func (r *Resource[R, C, U]) send(ctx context.Context, method, path string, q url.Values, body any) ([]byte, call, error) {
	if r.err != nil {
		return nil, call{}, r.err
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, call{}, fmt.Errorf("%w: encoding the request body: %v", ErrInvalidInput, err)
		}
	}
	req, err := r.c.newRequest(ctx, method, path, q, payload)
	if err != nil {
		return nil, call{}, err
	}
	c := call{method: method, path: r.c.doer.template(req.URL.Path)}
	// The body as the doer read it, not copied again. A caller done with
	// it may hand its buffer back with r.c.doer.bodies.put.
	resp, data, err := r.c.doer.do(req, true)
	if err != nil {
		return nil, c, err
	}
	c.status = resp.StatusCode
	return data, c, nil
}

// call names an exchange for errors: method, path template and status.
type call struct {
	method, path string
	status       int
}

// unexpected wraps a 2xx body the client cannot read.
func unexpected(c call, body []byte, err error) *APIError {
	return &APIError{StatusCode: c.status, Method: c.method, Path: c.path, Snippet: snippet(body), kind: ErrUnexpected, cause: redactedCause(err)}
}

func (r *Resource[R, C, U]) path(parts ...string) string {
	return "/rest/" + r.plural + strings.Join(parts, "")
}

// idAndDepth checks a record id and renders the depth parameter.
func idAndDepth(id string, depth int) (url.Values, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	if err := checkDepth(depth); err != nil {
		return nil, err
	}
	q := url.Values{}
	if depth != 0 {
		q.Set("depth", strconv.Itoa(depth))
	}
	return q, nil
}

func checkID(id string) error {
	if !uuidSegment.MatchString(id) {
		return fmt.Errorf("%w: %q is not a valid UUID", ErrInvalidInput, id)
	}
	return nil
}

// one sends a request answered by a single record in the envelope.
func (r *Resource[R, C, U]) one(ctx context.Context, method, path string, q url.Values, body any) (R, error) {
	var zero R
	data, tmpl, err := r.send(ctx, method, path, q, body)
	if err != nil {
		return zero, err
	}
	defer r.c.doer.bodies.put(data)
	var fast R
	if decodeFast(data, &fast, nil) {
		return fast, nil
	}
	var rec *R // stays nil for a null payload, which is no record
	if err := decodeEnvelope(data, func(dec *json.Decoder) error {
		if err := dec.Decode(&rec); err != nil {
			return err
		}
		if rec == nil {
			return errNullPayload
		}
		return nil
	}, nil); err != nil {
		fixed, warns, lerr := decodeOneLenient[R](data, r.plural)
		if lerr != nil {
			return zero, unexpected(tmpl, data, err)
		}
		r.c.warned(warns)
		return fixed, nil
	}
	return *rec, nil
}

// many sends a request answered by a list of records in the envelope. The
// warnings have been passed to the client's callback already.
func (r *Resource[R, C, U]) many(ctx context.Context, method, path string, q url.Values, body any, sizeHint int, meta *pageMeta) ([]R, []DecodeWarning, error) {
	data, tmpl, err := r.send(ctx, method, path, q, body)
	if err != nil {
		return nil, nil, err
	}
	defer r.c.doer.bodies.put(data)
	recs, warns, err := decodeList[R](data, sizeHint, meta, r.plural)
	if err != nil {
		return nil, nil, unexpected(tmpl, data, err)
	}
	r.c.warned(warns)
	return recs, warns, nil
}

// decodeList decodes an envelope holding a list: the fast path first, the
// general one (with its precise errors) when the body is unusual, and,
// when a record does not fit T, the records one by one, repaired where
// they need it (object names them in warnings; "" refuses repairs).
func decodeList[T any](data []byte, sizeHint int, meta *pageMeta, object string) ([]T, []DecodeWarning, error) {
	// Sizing the slice for the expected count saves the growth copies,
	// which are most of a page's allocations.
	list := make([]T, 0, sizeHint)
	if decodeFast(data, &list, meta) {
		return list, nil, nil
	}
	list = make([]T, 0, sizeHint) // afresh: the fast attempt may have filled part of it
	err := decodeListPayload(data, &list, meta)
	if err == nil || object == "" {
		return list, nil, err
	}
	fixed, warns, lerr := decodeListLenient[T](data, sizeHint, meta, object)
	if lerr != nil {
		return list, nil, err // the general path's error is the precise one
	}
	return fixed, warns, nil
}

// decodeListPayload decodes the envelope's payload, which must be a list,
// into *list with the general decoder.
func decodeListPayload[T any](data []byte, list *[]T, meta *pageMeta) error {
	return decodeEnvelope(data, func(dec *json.Decoder) error {
		if err := dec.Decode(list); err != nil {
			return err
		}
		if *list == nil { // null, not a list
			return errNullPayload
		}
		return nil
	}, meta)
}

// List fetches one page.
func (r *Resource[R, C, U]) List(ctx context.Context, opts *ListOptions) (*Page[R], error) {
	q, limit, err := opts.query()
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = 60
	}
	var meta pageMeta
	recs, warns, err := r.many(ctx, http.MethodGet, r.path(), q, nil, limit, &meta)
	if err != nil {
		return nil, err
	}
	return &Page[R]{Records: recs, PageInfo: meta.PageInfo, TotalCount: meta.TotalCount, Warnings: warns}, nil
}

// GetOptions tune Get.
type GetOptions struct {
	Depth int
	// Fields, as in ListOptions.
	Fields []string
}

var fieldName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// setFields renders the fields projection.
func setFields(q url.Values, fields []string) error {
	if len(fields) == 0 {
		return nil
	}
	for _, f := range fields {
		if !fieldName.MatchString(f) {
			return fmt.Errorf("%w: field %q: want a field name such as emails", ErrInvalidInput, f)
		}
	}
	q.Set("fields", strings.Join(fields, ","))
	return nil
}

// Get fetches one record by id. A soft-deleted or unknown id gives an
// error matching ErrNotFound.
func (r *Resource[R, C, U]) Get(ctx context.Context, id string, opts *GetOptions) (R, error) {
	var o GetOptions
	if opts != nil {
		o = *opts
	}
	var zero R
	q, err := idAndDepth(id, o.Depth)
	if err != nil {
		return zero, err
	}
	if err := setFields(q, o.Fields); err != nil {
		return zero, err
	}
	return r.one(ctx, http.MethodGet, r.path("/", id), q, nil)
}

// CreateOptions tune Create and CreateMany.
type CreateOptions struct {
	// Upsert updates the record with the same id or unique field (a
	// person's primary email, a company's domain) instead of failing, and
	// makes the request safe to retry.
	Upsert bool
	Depth  int
	// BatchSize overrides the client's batch size for CreateMany.
	BatchSize int
	// Concurrency is how many CreateMany batches may be in flight; 0 or 1
	// sends them one after another.
	Concurrency int
}

func (o *CreateOptions) query() (url.Values, error) {
	q := url.Values{}
	if o == nil {
		return q, nil
	}
	if err := checkDepth(o.Depth); err != nil {
		return nil, err
	}
	if o.Upsert {
		q.Set("upsert", "true")
	}
	if o.Depth != 0 {
		q.Set("depth", strconv.Itoa(o.Depth))
	}
	return q, nil
}

// Create creates one record. Without Upsert a create is never retried
// once it may have reached the server: a lost answer gives an error
// matching ErrOutcomeUnknown.
func (r *Resource[R, C, U]) Create(ctx context.Context, rec C, opts *CreateOptions) (R, error) {
	q, err := opts.query()
	if err != nil {
		var zero R
		return zero, err
	}
	return r.one(ctx, http.MethodPost, r.path(), q, rec)
}

// UpdateOptions tune Update.
type UpdateOptions struct {
	Depth int
}

// Update writes the fields set in changes and returns the whole record.
func (r *Resource[R, C, U]) Update(ctx context.Context, id string, changes U, opts *UpdateOptions) (R, error) {
	depth := 0
	if opts != nil {
		depth = opts.Depth
	}
	q, err := idAndDepth(id, depth)
	if err != nil {
		var zero R
		return zero, err
	}
	return r.one(ctx, http.MethodPatch, r.path("/", id), q, changes)
}

// requiredFilter refuses the nil or empty filter: the server would apply a
// bulk update to every record.
func requiredFilter(f Filter) (url.Values, error) {
	v, err := filterValue(f)
	if err != nil {
		return nil, err
	}
	if v == "" {
		return nil, ErrEmptyFilter
	}
	return url.Values{"filter": {v}}, nil
}

// UpdateMany applies the same changes to every record the filter matches.
// An empty filter is refused: the server would update every record.
func (r *Resource[R, C, U]) UpdateMany(ctx context.Context, filter Filter, changes U) ([]R, error) {
	q, err := requiredFilter(filter)
	if err != nil {
		return nil, err
	}
	recs, _, err := r.many(ctx, http.MethodPatch, r.path(), q, changes, 0, nil)
	return recs, err
}

// Delete soft-deletes a record: it disappears from lists and Get but can
// be brought back with Restore.
func (r *Resource[R, C, U]) Delete(ctx context.Context, id string) error {
	return r.deleteOne(ctx, id, url.Values{"soft_delete": {"true"}})
}

// Destroy deletes a record permanently. (The server's plain DELETE does
// this; Delete is the reversible one.)
func (r *Resource[R, C, U]) Destroy(ctx context.Context, id string) error {
	return r.deleteOne(ctx, id, nil)
}

func (r *Resource[R, C, U]) deleteOne(ctx context.Context, id string, q url.Values) error {
	if err := checkID(id); err != nil {
		return err
	}
	data, tmpl, err := r.send(ctx, http.MethodDelete, r.path("/", id), q, nil)
	if err != nil {
		return err
	}
	var deleted struct {
		ID string `json:"id"`
	}
	if err := decodeEnvelope(data, func(dec *json.Decoder) error { return dec.Decode(&deleted) }, nil); err != nil {
		return unexpected(tmpl, data, err)
	}
	return nil
}

// DeleteMany soft-deletes every record the filter matches and returns
// their ids. An empty filter is refused.
func (r *Resource[R, C, U]) DeleteMany(ctx context.Context, filter Filter) ([]string, error) {
	return r.deleteMany(ctx, filter, true)
}

// DestroyMany permanently deletes every record the filter matches.
func (r *Resource[R, C, U]) DestroyMany(ctx context.Context, filter Filter) ([]string, error) {
	return r.deleteMany(ctx, filter, false)
}

func (r *Resource[R, C, U]) deleteMany(ctx context.Context, filter Filter, soft bool) ([]string, error) {
	q, err := requiredFilter(filter)
	if err != nil {
		return nil, err
	}
	if soft {
		q.Set("soft_delete", "true")
	}
	data, tmpl, err := r.send(ctx, http.MethodDelete, r.path(), q, nil)
	if err != nil {
		return nil, err
	}
	deleted, _, err := decodeList[struct {
		ID string `json:"id"`
	}](data, 0, nil, "") // an id that is not one is no deleted record
	if err != nil {
		return nil, unexpected(tmpl, data, err)
	}
	ids := make([]string, len(deleted))
	for i, d := range deleted {
		ids[i] = d.ID
	}
	return ids, nil
}

// Restore brings back a soft-deleted record.
func (r *Resource[R, C, U]) Restore(ctx context.Context, id string) (R, error) {
	if err := checkID(id); err != nil {
		var zero R
		return zero, err
	}
	return r.one(ctx, http.MethodPatch, r.path("/", id, "/restore"), nil, nil)
}

// RestoreMany brings back every soft-deleted record the filter matches.
func (r *Resource[R, C, U]) RestoreMany(ctx context.Context, filter Filter) ([]R, error) {
	q, err := requiredFilter(filter)
	if err != nil {
		return nil, err
	}
	recs, _, err := r.many(ctx, http.MethodPatch, r.path("/restore"), q, nil, 0, nil)
	return recs, err
}

// FindDuplicates returns, for each id in order, the records that look
// like duplicates of it.
func (r *Resource[R, C, U]) FindDuplicates(ctx context.Context, ids ...string) ([][]R, error) {
	for _, id := range ids {
		if err := checkID(id); err != nil {
			return nil, err
		}
	}
	return r.duplicates(ctx, map[string]any{"ids": ids})
}

// FindDuplicatesOf returns, for each candidate record in order, the
// existing records that look like duplicates of it: check before creating.
func (r *Resource[R, C, U]) FindDuplicatesOf(ctx context.Context, candidates ...C) ([][]R, error) {
	return r.duplicates(ctx, map[string]any{"data": candidates})
}

func (r *Resource[R, C, U]) duplicates(ctx context.Context, body any) ([][]R, error) {
	data, tmpl, err := r.send(ctx, http.MethodPost, r.path("/duplicates"), nil, body)
	if err != nil {
		return nil, err
	}
	var out [][]R
	var warns []DecodeWarning
	err = decodeArrayEnvelope(data, func(dec *json.Decoder) error {
		// Each item is {"<singular>Duplicates": [...], totalCount, pageInfo}.
		var item map[string]json.RawMessage
		if err := dec.Decode(&item); err != nil {
			return err
		}
		for k, v := range item {
			if strings.HasSuffix(k, "Duplicates") {
				var recs []R
				if err := json.Unmarshal(v, &recs); err != nil {
					var raws []json.RawMessage
					if json.Unmarshal(v, &raws) != nil {
						return err
					}
					fixed, w, lerr := decodeRecords[R](raws, r.plural, 0)
					if lerr != nil {
						return err
					}
					recs = fixed
					warns = append(warns, w...)
				}
				out = append(out, recs)
				return nil
			}
		}
		return fmt.Errorf("duplicates item without records")
	})
	if err != nil {
		return nil, unexpected(tmpl, data, err)
	}
	r.c.warned(warns)
	return out, nil
}

// MergeOptions tune Merge.
type MergeOptions struct {
	// PriorityIndex is the index in ids of the record whose values win
	// where the records disagree.
	PriorityIndex int
	// DryRun returns the merged record without saving anything.
	DryRun bool
}

// Merge merges 2 to 9 records into one; the others are deleted unless
// DryRun is set.
func (r *Resource[R, C, U]) Merge(ctx context.Context, ids []string, opts *MergeOptions) (R, error) {
	var zero R
	if len(ids) < 2 || len(ids) > 9 {
		return zero, fmt.Errorf("%w: merge takes 2 to 9 ids, got %d", ErrInvalidInput, len(ids))
	}
	for _, id := range ids {
		if err := checkID(id); err != nil {
			return zero, err
		}
	}
	var o MergeOptions
	if opts != nil {
		o = *opts
	}
	if o.PriorityIndex < 0 || o.PriorityIndex >= len(ids) {
		return zero, fmt.Errorf("%w: priority index %d outside the %d ids", ErrInvalidInput, o.PriorityIndex, len(ids))
	}
	body := map[string]any{"ids": ids, "conflictPriorityIndex": o.PriorityIndex}
	if o.DryRun {
		body["dryRun"] = true
	}
	return r.one(ctx, http.MethodPatch, r.path("/merge"), nil, body)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
