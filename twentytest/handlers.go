package twentytest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/query"
	"github.com/twenty-go/twenty/webhook"
)

// The operations, named as in the operationIds (findMany + People).
const (
	opFindMany    = "findMany"
	opFindOne     = "findOne"
	opCreateOne   = "createOne"
	opCreateMany  = "createMany"
	opUpdateOne   = "updateOne"
	opUpdateMany  = "updateMany"
	opDeleteOne   = "deleteOne"
	opDeleteMany  = "deleteMany"
	opDuplicates  = "duplicates"
	opRestoreOne  = "restoreOne"
	opRestoreMany = "restoreMany"
	opMerge       = "merge"
	opGroupBy     = "groupBy"
	// opDuplicateDashboard is the one object-specific operation.
	opDuplicateDashboard = "duplicateDashboard"
)

type route struct {
	op string
	oi *objInfo
	id string
	// meta is the operationId of a metadata API request, whose path
	// segments are in parts.
	meta  string
	parts []string
}

// operationID is the spec's operationId for a route.
func (rt route) operationID() string {
	if rt.meta != "" {
		return rt.meta
	}
	S, P := rt.oi.S, rt.oi.P
	switch rt.op {
	case opFindMany, opCreateMany, opUpdateMany, opDeleteMany, opRestoreMany, opGroupBy:
		return rt.op + P
	case opDuplicates:
		return "find" + S + "Duplicates"
	case opMerge:
		return "mergeMany" + P
	case opDuplicateDashboard:
		return opDuplicateDashboard
	}
	return rt.op + S
}

// operationID names the operation a request is for, or "" for requests no
// operation describes.
func (s *Server) operationID(r *http.Request) string {
	rt, err := s.resolve(r.Method, r.URL.Path)
	if err != nil {
		return ""
	}
	return rt.operationID()
}

// resolve maps a method and path to an operation the way the server's path
// parser does.
func (s *Server) resolve(method, path string) (route, *apiError) {
	rest, ok := strings.CutPrefix(path, "/rest/")
	if !ok {
		return route{}, &apiError{status: http.StatusNotFound, name: "Not Found", msg: "Cannot " + method + " " + path}
	}
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	invalid := badRequest("Query path '%s' invalid. Valid examples: /rest/companies/id or /rest/companies", path)
	if parts[0] == "" {
		return route{}, invalid
	}
	if parts[0] == "metadata" {
		if op := metaOp(method, parts); op != "" {
			return route{meta: op, parts: parts}, nil
		}
		return route{}, invalid
	}
	if parts[0] == "batch" {
		if len(parts) != 2 || method != http.MethodPost {
			return route{}, invalid
		}
		oi, err := s.object(parts[1])
		return route{op: opCreateMany, oi: oi}, err
	}
	oi, err := s.object(parts[0])
	if err != nil {
		return route{}, err
	}
	rt := route{oi: oi}
	switch len(parts) {
	case 1:
		rt.op = map[string]string{http.MethodGet: opFindMany, http.MethodPost: opCreateOne,
			http.MethodPatch: opUpdateMany, http.MethodDelete: opDeleteMany}[method]
	case 2:
		switch {
		case parts[1] == "duplicates" && method == http.MethodPost:
			rt.op = opDuplicates
		case parts[1] == "merge" && method == http.MethodPatch:
			rt.op = opMerge
		case parts[1] == "groupBy" && method == http.MethodGet:
			rt.op = opGroupBy
		case parts[1] == "restore" && method == http.MethodPatch:
			rt.op = opRestoreMany
		default:
			rt.op = map[string]string{http.MethodGet: opFindOne, http.MethodPatch: opUpdateOne,
				http.MethodDelete: opDeleteOne}[method]
			rt.id = parts[1]
		}
	case 3:
		switch {
		case parts[2] == "restore" && method == http.MethodPatch:
			rt.op, rt.id = opRestoreOne, parts[1]
		case parts[2] == "duplicate" && method == http.MethodPost && oi.o.NameSingular == "dashboard":
			rt.op, rt.id = opDuplicateDashboard, parts[1]
		}
	}
	if rt.op == "" {
		return route{}, invalid
	}
	if rt.id != "" {
		if !isUUID(rt.id) {
			return route{}, badRequest("'%s' is not a valid UUID", rt.id)
		}
		rt.id = strings.ToLower(rt.id)
	}
	return rt, nil
}

// object finds an object by plural name; unknown names are a 400, with a
// hint when the singular was used.
func (s *Server) object(name string) (*objInfo, *apiError) {
	if oi, ok := s.store.objs[name]; ok {
		return oi, nil
	}
	if oi, ok := s.store.bySingular[name]; ok {
		return nil, badRequest("object '%s' not found. Did you mean '%s'?", name, oi.o.NamePlural)
	}
	eg := "companies"
	if _, ok := s.store.objs[eg]; !ok && len(s.m.Objects) > 0 {
		eg = s.m.Objects[0].NamePlural
	}
	return nil, badRequest("object '%s' not found. eg: %s", name, eg)
}

// serveAPI is the fake server proper: auth, budget, routing, operation.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !strings.HasPrefix(r.URL.Path, "/rest/") {
		// Nest's own 404 for routes no controller has.
		writeJSON(w, http.StatusNotFound, map[string]any{"statusCode": 404, "message": "Cannot " + r.Method + " " + r.URL.Path, "error": "Not Found"})
		return
	}
	if f := s.checkAuth(r); f != authOK {
		s.writeAuthFailure(w, f)
		return
	}
	if s.overBudget(w) {
		return
	}
	rt, e := s.resolve(r.Method, r.URL.Path)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	if r.Method != http.MethodGet {
		s.store.touch() // any other method may write
	}
	status, resp, e := s.dispatch(rt, r.URL.Query(), body)
	if e == nil {
		// Queued under mu, so deliveries follow the order of the changes.
		s.deliverChanges()
	}
	s.changes = nil
	s.mu.Unlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, status, resp)
}

// overBudget applies WithRequestBudget: a fixed window on the server's
// clock, answered like the newer server's usage-limit module.
func (s *Server) overBudget(w http.ResponseWriter) bool {
	if s.cfg.budget <= 0 {
		return false
	}
	now := s.now()
	s.ctl.Lock()
	if s.windowStart.IsZero() || now.Sub(s.windowStart) >= s.cfg.window {
		s.windowStart, s.windowUsed = now, 0
	}
	if s.windowUsed < s.cfg.budget {
		s.windowUsed++
		s.ctl.Unlock()
		return false
	}
	retry := retrySeconds(s.cfg.window - now.Sub(s.windowStart))
	s.ctl.Unlock()
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(retry))
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.cfg.budget))
	h.Set("X-RateLimit-Remaining", "0")
	writeJSON(w, http.StatusTooManyRequests, rateLimitError{
		serverError: errBody(http.StatusTooManyRequests, "RATE_LIMITED",
			fmt.Sprintf("Limit reached (%d requests per %d ms)", s.cfg.budget, s.cfg.window.Milliseconds())),
		LimitKind:         "REQUEST",
		Scope:             map[string]any{"spenderType": "API_KEY", "spenderId": seedID(0xa, 1)},
		Limit:             s.cfg.budget,
		PeriodCount:       s.cfg.window.Milliseconds(),
		PeriodUnit:        "MILLISECOND",
		RetryAfterSeconds: retry,
	})
	return true
}

func (s *Server) dispatch(rt route, q url.Values, body []byte) (int, any, *apiError) {
	if rt.meta != "" {
		return s.metadata(rt.meta, rt.parts, q, body)
	}
	st := s.store
	switch rt.op {
	case opFindMany:
		return s.findMany(rt.oi, q)
	case opFindOne:
		depth, e := parseDepth(q)
		if e != nil {
			return 0, nil, e
		}
		view, e := parseView(rt.oi, q)
		if e != nil {
			return 0, nil, e
		}
		rec := st.get(rt.oi, rt.id)
		if rec == nil || rec["deletedAt"] != nil {
			return 0, nil, notFound()
		}
		return http.StatusOK, data(rt.oi.o.NameSingular, view.apply(st.present(rt.oi, rec, depth))), nil
	case opCreateOne, opCreateMany:
		return s.create(rt, q, body)
	case opUpdateOne:
		return s.updateOne(rt, q, body)
	case opUpdateMany:
		return s.updateMany(rt, q, body)
	case opDeleteOne:
		return s.deleteOne(rt, q)
	case opDeleteMany:
		return s.deleteMany(rt, q)
	case opRestoreOne:
		depth, e := parseDepth(q)
		if e != nil {
			return 0, nil, e
		}
		view, e := parseView(rt.oi, q)
		if e != nil {
			return 0, nil, e
		}
		rec := st.get(rt.oi, rt.id)
		if rec == nil {
			return 0, nil, notFound()
		}
		rec = s.restored(rt.oi, rec)
		return http.StatusOK, data("restore"+rt.oi.S, view.apply(st.present(rt.oi, rec, depth))), nil
	case opRestoreMany:
		return s.restoreMany(rt, q)
	case opDuplicates:
		return s.duplicates(rt, q, body)
	case opMerge:
		return s.merge(rt, q, body)
	case opGroupBy:
		return s.groupBy(rt, q)
	case opDuplicateDashboard:
		return s.duplicateDashboard(rt)
	}
	return 0, nil, badRequest("unsupported operation %s", rt.op)
}

func data(key string, v any) map[string]any {
	return map[string]any{"data": map[string]any{key: v}}
}

// visible is the server's default scope: soft-deleted rows are hidden
// unless the filter mentions deletedAt.
func visible(filter *query.Node) func(map[string]any) bool {
	withDeleted := filter != nil && query.MentionsField(*filter, "deletedAt")
	match := func(map[string]any) bool { return true }
	if filter != nil {
		match = filter.Matcher()
	}
	return func(r map[string]any) bool {
		if !withDeleted && r["deletedAt"] != nil {
			return false
		}
		return match(r)
	}
}

func (s *Server) findMany(oi *objInfo, q url.Values) (int, any, *apiError) {
	depth, e := parseDepth(q)
	if e != nil {
		return 0, nil, e
	}
	limit, e := parseLimit(q, defaultLimit, min(maxLimit, s.cfg.maxBatch))
	if e != nil {
		return 0, nil, e
	}
	filter, e := parseFilter(oi, q)
	if e != nil {
		return 0, nil, e
	}
	terms, e := parseOrderBy(s.store, oi, q.Get("order_by"))
	if e != nil {
		return 0, nil, e
	}
	after, before := q.Get("starting_after"), q.Get("ending_before")
	if after != "" && before != "" {
		return 0, nil, badRequest("Only one of starting_after and ending_before can be used at a time")
	}
	all := s.store.cachedSorted(oi.o.NamePlural+"\x00"+q.Get("order_by")+"\x00"+q.Get("filter"), oi, terms, visible(filter))
	var page []map[string]any
	hasNext, hasPrev := false, false
	switch {
	case before != "":
		cur, e := decodeCursor(before)
		if e != nil {
			return 0, nil, e
		}
		end := sort.Search(len(all), func(i int) bool { return query.Compare(s.store.joined(oi, all[i], terms), cur, terms) >= 0 })
		start := max(end-limit, 0)
		// Both flags are set, unlike 1.x which only set the one of the
		// direction of travel (2.x find-many suite).
		page, hasPrev, hasNext = all[start:end], start > 0, end < len(all)
	default:
		start := 0
		if after != "" {
			cur, e := decodeCursor(after)
			if e != nil {
				return 0, nil, e
			}
			start = sort.Search(len(all), func(i int) bool { return query.Compare(s.store.joined(oi, all[i], terms), cur, terms) > 0 })
		}
		end := min(start+limit, len(all))
		page, hasNext, hasPrev = all[start:end], end < len(all), start > 0
	}
	view, e := parseView(oi, q)
	if e != nil {
		return 0, nil, e
	}
	records := make([]any, 0, len(page))
	for _, r := range page {
		records = append(records, view.apply(s.store.present(oi, r, depth)))
	}
	return http.StatusOK, map[string]any{
		"data":       map[string]any{oi.o.NamePlural: records},
		"totalCount": len(all),
		"pageInfo":   pageInfo(s.store.joinedAll(oi, page, terms), terms, hasNext, hasPrev),
	}, nil
}

func pageInfo(page []map[string]any, terms []query.OrderTerm, hasNext, hasPrev bool) map[string]any {
	pi := map[string]any{"startCursor": nil, "endCursor": nil, "hasNextPage": hasNext, "hasPreviousPage": hasPrev}
	if len(page) > 0 {
		pi["startCursor"] = encodeCursor(page[0], terms)
		pi["endCursor"] = encodeCursor(page[len(page)-1], terms)
	}
	return pi
}

func (s *Server) create(rt route, q url.Values, body []byte) (int, any, *apiError) {
	oi := rt.oi
	depth, e := parseDepth(q)
	if e != nil {
		return 0, nil, e
	}
	v, err := decodeJSON(body)
	if err != nil {
		return 0, nil, badRequest("Invalid JSON body: %v", err)
	}
	var inputs []any
	if rt.op == opCreateMany {
		arr, ok := v.([]any)
		if !ok {
			return 0, nil, badRequest("The body of a batch create must be an array of records")
		}
		if len(arr) > s.cfg.maxBatch {
			return 0, nil, badRequest("Maximum number of records to upsert is %d.", s.cfg.maxBatch)
		}
		inputs = arr
	} else {
		inputs = []any{v}
	}
	view, e := parseView(oi, q)
	if e != nil {
		return 0, nil, e
	}
	upsert := boolParam(q, "upsert")
	t := s.store.begin()
	var out []any
	for _, in := range inputs {
		m, ok := in.(map[string]any)
		if !ok {
			t.rollback()
			return 0, nil, badRequest("A record must be a JSON object")
		}
		rec, old, e := s.createOrUpsert(t, oi, m, upsert)
		if e != nil {
			t.rollback()
			return 0, nil, e
		}
		if old != nil {
			s.noteChange(oi, webhook.Updated, rec, writtenFields(oi, m))
		} else {
			s.noteChange(oi, webhook.Created, rec, nil)
		}
		out = append(out, rec)
	}
	presented := make([]any, len(out))
	for i, r := range out {
		presented[i] = view.apply(s.store.present(oi, r.(map[string]any), depth))
	}
	if rt.op == opCreateMany {
		return http.StatusCreated, data("create"+oi.P, presented), nil
	}
	return http.StatusCreated, data("create"+oi.S, presented[0]), nil
}

// createOrUpsert inserts in, or with upsert updates the one record that
// has its id or a unique value (restoring it if soft-deleted); old is the
// record updated, nil for an insert.
func (s *Server) createOrUpsert(t *tx, oi *objInfo, in map[string]any, upsert bool) (rec, old map[string]any, _ *apiError) {
	st := s.store
	if upsert {
		matches := map[string]map[string]any{}
		if id, ok := in["id"].(string); ok {
			if r := st.get(oi, id); r != nil {
				matches[r["id"].(string)] = r
			}
		}
		for _, path := range oi.uniqueKeys() {
			v := query.Lookup(in, path)
			if s, ok := v.(string); ok && fieldByPath(oi, path).Type == model.Links {
				v = trimLink(s)
			}
			if isEmpty(v) {
				continue
			}
			for id, r := range st.rows[oi.o.NamePlural] {
				if sameValue(query.Lookup(r, path), v) {
					matches[id] = r
				}
			}
		}
		if len(matches) > 1 {
			return nil, nil, badRequest("Cannot upsert: the record matches %d existing %s on id or unique fields", len(matches), oi.o.NamePlural)
		}
		for _, old := range matches {
			in = withoutKey(in, "createdBy") // kept from the original
			rec, e := st.write(oi, in, old, st.actor)
			if e != nil {
				return nil, nil, e
			}
			rec["deletedAt"] = nil
			t.put(oi, rec)
			if e := st.checkUnique(oi, rec); e != nil {
				return nil, nil, e
			}
			return rec, old, nil
		}
	}
	rec, e := st.write(oi, in, nil, st.actor)
	if e != nil {
		return nil, nil, e
	}
	if st.get(oi, rec["id"].(string)) != nil {
		return nil, nil, duplicateEntry(oi.o.NameSingular, "PK_"+oi.o.NameSingular)
	}
	t.put(oi, rec)
	if e := st.checkUnique(oi, rec); e != nil {
		return nil, nil, e
	}
	return rec, nil, nil
}

func withoutKey(m map[string]any, key string) map[string]any {
	if _, ok := m[key]; !ok {
		return m
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// decodeObject reads a JSON object; no body at all reads as {}, as
// Express's body parser leaves it.
func decodeObject(body []byte) (map[string]any, *apiError) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	v, err := decodeJSON(body)
	if err != nil {
		return nil, badRequest("Invalid JSON body: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, badRequest("The body must be a JSON object")
	}
	return m, nil
}

func (s *Server) updateOne(rt route, q url.Values, body []byte) (int, any, *apiError) {
	depth, e := parseDepth(q)
	if e != nil {
		return 0, nil, e
	}
	in, e := decodeObject(body)
	if e != nil {
		return 0, nil, e
	}
	old := s.store.get(rt.oi, rt.id)
	if old == nil || old["deletedAt"] != nil {
		return 0, nil, notFound()
	}
	t := s.store.begin()
	rec, e := s.update(t, rt.oi, in, old)
	if e != nil {
		t.rollback()
		return 0, nil, e
	}
	s.noteChange(rt.oi, webhook.Updated, rec, writtenFields(rt.oi, in))
	return http.StatusOK, data("update"+rt.oi.S, s.store.present(rt.oi, rec, depth)), nil
}

func (s *Server) update(t *tx, oi *objInfo, in, old map[string]any) (map[string]any, *apiError) {
	rec, e := s.store.write(oi, in, old, s.store.actor)
	if e != nil {
		return nil, e
	}
	t.put(oi, rec)
	if e := s.store.checkUnique(oi, rec); e != nil {
		return nil, e
	}
	return rec, nil
}

// updateMany without a filter updates every record: the real server has no
// guard here (unlike delete).
func (s *Server) updateMany(rt route, q url.Values, body []byte) (int, any, *apiError) {
	oi := rt.oi
	depth, e := parseDepth(q)
	if e != nil {
		return 0, nil, e
	}
	filter, e := parseFilter(oi, q)
	if e != nil {
		return 0, nil, e
	}
	in, e := decodeObject(body)
	if e != nil {
		return 0, nil, e
	}
	t := s.store.begin()
	out := []any{}
	for _, old := range s.store.sorted(oi, nil, visible(filter)) {
		rec, e := s.update(t, oi, in, old)
		if e != nil {
			t.rollback()
			return 0, nil, e
		}
		s.noteChange(oi, webhook.Updated, rec, writtenFields(oi, in))
		out = append(out, rec)
	}
	for i, r := range out {
		out[i] = s.store.present(oi, r.(map[string]any), depth)
	}
	return http.StatusOK, data("update"+oi.P, out), nil
}

func (s *Server) softDelete(t *tx, oi *objInfo, rec map[string]any) {
	nr := cloneValue(rec).(map[string]any)
	nr["deletedAt"] = formatTime(s.now())
	t.put(oi, nr)
	s.noteChange(oi, webhook.Deleted, nr, nil)
}

// destroy deletes a record for good, for the API.
func (s *Server) destroy(t *tx, oi *objInfo, rec map[string]any) {
	s.store.destroy(t, oi, rec["id"].(string))
	s.noteChange(oi, webhook.Destroyed, rec, nil)
}

func (s *Server) restored(oi *objInfo, rec map[string]any) map[string]any {
	if rec["deletedAt"] == nil {
		return rec
	}
	nr := cloneValue(rec).(map[string]any)
	nr["deletedAt"] = nil
	s.store.begin().put(oi, nr)
	s.noteChange(oi, webhook.Restored, nr, nil)
	return nr
}

// deleteOne destroys by default; soft_delete=true only sets deletedAt.
// Destroying finds soft-deleted records too (emptying the trash).
func (s *Server) deleteOne(rt route, q url.Values) (int, any, *apiError) {
	rec := s.store.get(rt.oi, rt.id)
	soft := boolParam(q, "soft_delete")
	if rec == nil || soft && rec["deletedAt"] != nil {
		return 0, nil, notFound()
	}
	t := s.store.begin()
	if soft {
		s.softDelete(t, rt.oi, rec)
	} else {
		s.destroy(t, rt.oi, rec)
	}
	return http.StatusOK, data("delete"+rt.oi.S, map[string]any{"id": rt.id}), nil
}

func (s *Server) deleteMany(rt route, q url.Values) (int, any, *apiError) {
	oi := rt.oi
	filter, e := parseFilter(oi, q)
	if e != nil {
		return 0, nil, e
	}
	soft := boolParam(q, "soft_delete")
	if filter == nil {
		kind := "destroy"
		if soft {
			kind = "delete"
		}
		return 0, nil, badRequest("Filters are mandatory for bulk %s operations", kind)
	}
	t := s.store.begin()
	out := []any{}
	for _, rec := range s.store.sorted(oi, nil, visible(filter)) {
		id := rec["id"].(string)
		if soft {
			if rec["deletedAt"] != nil {
				continue
			}
			s.softDelete(t, oi, rec)
		} else {
			s.destroy(t, oi, rec)
		}
		out = append(out, map[string]any{"id": id})
	}
	return http.StatusOK, data("delete"+oi.P, out), nil
}

// restoreMany restores the soft-deleted records the filter matches; with no
// filter, all of them (the filter parses to {} as for updateMany).
func (s *Server) restoreMany(rt route, q url.Values) (int, any, *apiError) {
	oi := rt.oi
	depth, e := parseDepth(q)
	if e != nil {
		return 0, nil, e
	}
	filter, e := parseFilter(oi, q)
	if e != nil {
		return 0, nil, e
	}
	view, e := parseView(oi, q)
	if e != nil {
		return 0, nil, e
	}
	out := []any{}
	for _, rec := range s.store.sorted(oi, nil, func(r map[string]any) bool {
		return r["deletedAt"] != nil && (filter == nil || filter.Match(r))
	}) {
		out = append(out, view.apply(s.store.present(oi, s.restored(oi, rec), depth)))
	}
	return http.StatusOK, data("restore"+oi.P, out), nil
}

// view is what the newer server's fields and omit_null_values parameters
// leave of a presented record.
type view struct {
	fields   map[string]bool // nil: every field
	omitNull bool
}

func parseView(oi *objInfo, q url.Values) (view, *apiError) {
	var v view
	switch q.Get("omit_null_values") {
	case "", "false":
	case "true":
		v.omitNull = true
	default:
		return v, badRequest("'omit_null_values' must be true or false")
	}
	raw, ok := q["fields"]
	if !ok {
		return v, nil
	}
	v.fields = map[string]bool{"id": true}
	for _, name := range strings.Split(strings.Join(raw, ","), ",") {
		name = strings.TrimSpace(name)
		if !oi.hasOutputField(name) {
			return v, badRequest("Field '%s' does not exist on object '%s'", name, oi.o.NameSingular)
		}
		v.fields[name] = true
	}
	return v, nil
}

// hasOutputField reports whether a record of oi can carry name: a field,
// or a relation's join column.
func (oi *objInfo) hasOutputField(name string) bool {
	for _, f := range oi.o.Fields {
		if f.Name == name || f.IsRelation() && f.Relation.JoinColumnName == name {
			return true
		}
	}
	return false
}

func (v view) apply(rec map[string]any) map[string]any {
	if v.fields == nil && !v.omitNull {
		return rec
	}
	for k, val := range rec {
		if v.fields != nil && !v.fields[k] || v.omitNull && val == nil {
			delete(rec, k)
		}
	}
	return rec
}
