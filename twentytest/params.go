package twentytest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/query"
)

// Defaults and caps of the real server (twenty-shared constants).
const (
	defaultLimit = 60
	maxLimit     = 200
	groupLimit   = 50
)

func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, io.ErrUnexpectedEOF
	}
	return v, nil
}

func parseDepth(q url.Values) (int, *apiError) {
	if !q.Has("depth") {
		return 0, nil
	}
	switch v := q.Get("depth"); v {
	case "0":
		return 0, nil
	case "1":
		return 1, nil
	default:
		return 0, badRequest("'depth=%s' parameter invalid. Allowed values are 0, 1", v)
	}
}

// parseLimit silently clamps large values, as the server does, and
// refuses what is not a non-negative integer.
func parseLimit(q url.Values, def, max int) (int, *apiError) {
	if !q.Has("limit") {
		return def, nil
	}
	v := q.Get("limit")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, badRequest("limit '%s' is invalid. Should be an integer", v)
	}
	if max > 0 && n > max {
		n = max
	}
	return n, nil
}

// parseFilter returns nil when there is no filter parameter.
func parseFilter(oi *objInfo, q url.Values) (*query.Node, *apiError) {
	if !q.Has("filter") {
		return nil, nil
	}
	n, err := query.ParseFilter(q.Get("filter"))
	if err != nil {
		return nil, badRequest("%s", err.Error())
	}
	if e := checkFilterFields(oi, n); e != nil {
		return nil, e
	}
	return &n, nil
}

func checkFilterFields(oi *objInfo, n query.Node) *apiError {
	if n.IsConjunction() {
		for _, k := range n.Children {
			if e := checkFilterFields(oi, k); e != nil {
				return e
			}
		}
		return nil
	}
	return checkPath(oi, n.Path)
}

// checkPath accepts a field, a join column, or a composite's sub-field.
func checkPath(oi *objInfo, path []string) *apiError {
	name := oi.o.NameSingular
	if _, ok := oi.fks[path[0]]; ok && len(path) == 1 {
		return nil
	}
	f, ok := oi.fields[path[0]]
	if !ok {
		return badRequest("Object %s doesn't have any \"%s\" field.", name, strings.Join(path, "."))
	}
	subs, composite := composites[f.Type]
	switch {
	case len(path) == 1:
		return nil
	case composite && len(path) == 2:
		for _, sf := range subs {
			if sf.name == path[1] {
				return nil
			}
		}
	}
	return badRequest("Object %s doesn't have any \"%s\" field.", name, strings.Join(path, "."))
}

// parseOrderBy checks terms against oi; with st, a term may also name a
// field of a MANY_TO_ONE relation's target (company.name), which the
// caller must sort through st.joined.
func parseOrderBy(st *store, oi *objInfo, s string) ([]query.OrderTerm, *apiError) {
	terms, err := query.ParseOrderBy(s)
	if err != nil {
		return nil, badRequest("%s", err.Error())
	}
	for _, t := range terms {
		if e := checkOrderPath(st, oi, t.Path); e != nil {
			return nil, e
		}
	}
	return terms, nil
}

// checkOrderPath accepts a field, a composite's sub-field, or the same on
// the target of a MANY_TO_ONE relation (company.name), one level deep.
func checkOrderPath(st *store, oi *objInfo, path []string) *apiError {
	if rel, ok := oi.rels[path[0]]; ok && st != nil && len(path) > 1 && rel.Relation.Type == model.ManyToOne {
		if to := st.bySingular[rel.Relation.TargetObject]; to != nil {
			if _, nested := to.rels[path[1]]; !nested {
				return checkOrderPath(nil, to, path[1:])
			}
		}
	}
	if e := checkPath(oi, path); e != nil {
		return e
	}
	if f := oi.fields[path[0]]; f != nil && len(path) == 1 {
		if _, composite := composites[f.Type]; composite {
			return badRequest("'order_by' cannot sort by the composite field '%s': name one of its sub-fields, eg: %s.%s",
				f.Name, f.Name, composites[f.Type][0].name)
		}
	}
	return nil
}

// encodeCursor is the server's cursor: standard base64 (with + / =) of
// JSON holding the order_by values and the id.
func encodeCursor(rec map[string]any, terms []query.OrderTerm) string {
	c := map[string]any{}
	for _, t := range terms {
		setPath(c, t.Path, query.Lookup(rec, t.Path))
	}
	c["id"] = rec["id"]
	b, _ := json.Marshal(c)
	return base64.StdEncoding.EncodeToString(b)
}

func setPath(m map[string]any, path []string, v any) {
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// decodeCursor also takes URL-safe and unpadded base64, which clients
// that mangle cursors produce; anything else is a 400.
func decodeCursor(s string) (map[string]any, *apiError) {
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err == nil {
		v, jerr := decodeJSON(raw)
		if m, ok := v.(map[string]any); jerr == nil && ok {
			if id, ok := m["id"].(string); ok && id != "" {
				return m, nil
			}
		}
	}
	return nil, badRequest("Invalid cursor: %s", s)
}

func boolParam(q url.Values, name string) bool { return q.Get(name) == "true" }

// fieldByPath finds the field a path starts with, or the relation a join
// column belongs to.
func fieldByPath(oi *objInfo, path []string) *model.Field {
	if f, ok := oi.fields[path[0]]; ok {
		return f
	}
	return oi.fks[path[0]]
}
