package twentytest

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/query"
)

// dimension is one group_by entry: a field path, and for dates a
// granularity.
type dimension struct {
	path        []string
	granularity string
}

// aggregate is one parsed aggregate name such as sumAmountAmountMicros.
type aggregate struct {
	name string
	op   string // totalCount, countEmpty, ..., sum
	path []string
}

var aggregateOps = []string{
	"countUniqueValues", "countNotEmpty", "countEmpty", "percentageNotEmpty", "percentageEmpty",
	"countTrue", "countFalse", "min", "max", "avg", "sum",
}

// sampleSize is how many records include_records_sample embeds per group.
const sampleSize = 10

func parseDimensions(oi *objInfo, raw string) ([]dimension, *apiError) {
	invalid := badRequest("'group_by' invalid: expected a JSON array such as [{\"stage\":true}] or [{\"createdAt\":{\"granularity\":\"MONTH\"}}], got '%s'", raw)
	v, err := decodeJSON([]byte(raw))
	if err != nil {
		return nil, invalid
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, invalid
	}
	var dims []dimension
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok || len(m) != 1 {
			return nil, invalid
		}
		for name, spec := range m {
			d := dimension{path: []string{name}}
			switch x := spec.(type) {
			case bool:
				if !x {
					return nil, invalid
				}
			case map[string]any:
				if g, ok := x["granularity"].(string); ok && len(x) == 1 {
					d.granularity = g
				} else if len(x) == 1 {
					for sub, on := range x {
						if on != true {
							return nil, invalid
						}
						d.path = append(d.path, sub)
					}
				} else {
					return nil, invalid
				}
			default:
				return nil, invalid
			}
			if e := checkPath(oi, d.path); e != nil {
				return nil, e
			}
			if d.granularity != "" {
				f := fieldByPath(oi, d.path)
				if f.Type != model.DateTime && f.Type != model.Date {
					return nil, badRequest("'group_by' granularity only applies to date fields, not '%s'", name)
				}
				if !validGranularity(d.granularity) {
					return nil, badRequest("'group_by' granularity '%s' invalid", d.granularity)
				}
			}
			dims = append(dims, d)
		}
	}
	return dims, nil
}

func validGranularity(g string) bool {
	switch g {
	case "NONE", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "DAY_OF_THE_WEEK", "MONTH_OF_THE_YEAR", "QUARTER_OF_THE_YEAR":
		return true
	}
	return false
}

func parseAggregates(oi *objInfo, raw string) ([]aggregate, *apiError) {
	if raw == "" {
		return []aggregate{{name: "totalCount", op: "totalCount"}}, nil
	}
	v, err := decodeJSON([]byte(raw))
	list, ok := v.([]any)
	if err != nil || !ok {
		return nil, badRequest("'aggregate' invalid: expected a JSON array such as [\"countNotEmptyId\"], got '%s'", raw)
	}
	var out []aggregate
	for _, item := range list {
		name, _ := item.(string)
		a, ok := resolveAggregate(oi, name)
		if !ok {
			return nil, badRequest("'aggregate' invalid: unknown aggregate '%v' for object %s", item, oi.o.NameSingular)
		}
		out = append(out, a)
	}
	return out, nil
}

// resolveAggregate splits a name like maxAmountAmountMicros into the
// operation and the (sub-)field, matching field names from the model.
func resolveAggregate(oi *objInfo, name string) (aggregate, bool) {
	if name == "totalCount" {
		return aggregate{name: name, op: name}, true
	}
	for _, op := range aggregateOps {
		rest, ok := strings.CutPrefix(name, op)
		if !ok || rest == "" {
			continue
		}
		for _, f := range oi.o.Fields {
			names := []string{f.Name}
			if f.IsRelation() {
				if f.Relation.Type != model.ManyToOne {
					continue
				}
				names = []string{f.Relation.JoinColumnName}
			}
			for _, n := range names {
				if rest == upperFirst(n) {
					return aggregate{name: name, op: op, path: []string{n}}, true
				}
				for _, sf := range composites[f.Type] {
					if rest == upperFirst(n)+upperFirst(sf.name) {
						return aggregate{name: name, op: op, path: []string{n, sf.name}}, true
					}
				}
			}
		}
	}
	return aggregate{}, false
}

func (s *Server) groupBy(rt route, q url.Values) (int, any, *apiError) {
	oi, st := rt.oi, s.store
	if !q.Has("group_by") {
		return 0, nil, badRequest("'group_by' parameter is required, eg: group_by=[{\"stage\":true}]")
	}
	// The server applies the filters of the saved view viewId names (it
	// reads viewId; view_id is an unknown parameter, ignored). The fake
	// keeps no views, so any viewId names one it does not have.
	if id := q.Get("viewId"); id != "" {
		return 0, nil, badRequest("View '%s' not found: twentytest serves no saved views", id)
	}
	dims, e := parseDimensions(oi, q.Get("group_by"))
	if e != nil {
		return 0, nil, e
	}
	aggs, e := parseAggregates(oi, q.Get("aggregate"))
	if e != nil {
		return 0, nil, e
	}
	filter, e := parseFilter(oi, q)
	if e != nil {
		return 0, nil, e
	}
	limit, e := parseLimit(q, groupLimit, 0)
	if e != nil {
		return 0, nil, e
	}
	recordTerms, e := parseOrderBy(nil, oi, q.Get("order_by_for_records"))
	if e != nil {
		return 0, nil, e
	}
	groupTerms, err := query.ParseOrderBy(q.Get("order_by"))
	if err != nil {
		return 0, nil, badRequest("%s", err.Error())
	}
	sample := boolParam(q, "include_records_sample")

	type group struct {
		values []any
		recs   []map[string]any
	}
	var groups []*group
	index := map[string]*group{}
	for _, r := range st.sorted(oi, recordTerms, visible(filter)) {
		vals := make([]any, len(dims))
		for i, d := range dims {
			vals[i] = dimensionValue(query.Lookup(r, d.path), d.granularity)
		}
		key, _ := json.Marshal(vals)
		g := index[string(key)]
		if g == nil {
			g = &group{values: vals}
			index[string(key)] = g
			groups = append(groups, g)
		}
		g.recs = append(g.recs, r)
	}
	rows := make([]map[string]any, 0, len(groups))
	for _, g := range groups {
		row := map[string]any{"groupByDimensionValues": g.values}
		for _, a := range aggs {
			row[a.name] = computeAggregate(a, g.recs)
		}
		if sample {
			recs := []any{}
			for _, r := range g.recs[:min(len(g.recs), sampleSize)] {
				recs = append(recs, st.present(oi, r, 0))
			}
			row["records"] = recs
		}
		rows = append(rows, row)
	}
	// Groups sort by order_by, whose terms name a grouped field or an
	// aggregate; by default by their dimension values.
	keyed := make([]map[string]any, len(rows))
	for i, row := range rows {
		k := map[string]any{}
		for j, d := range dims {
			setPath(k, d.path, groups[i].values[j])
		}
		for _, a := range aggs {
			k[a.name] = sortable(row[a.name])
		}
		keyed[i] = k
	}
	terms := groupTerms
	if len(terms) == 0 {
		for _, d := range dims {
			terms = append(terms, query.OrderTerm{Path: d.path, Direction: query.AscNullsLast})
		}
	}
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ka, kb := keyed[order[a]], keyed[order[b]]
		for _, t := range terms {
			if c := compareNoID(ka, kb, t); c != 0 {
				return c < 0
			}
		}
		return false
	})
	out := make([]any, 0, len(rows))
	for _, i := range order[:min(limit, len(order))] {
		out = append(out, rows[i])
	}
	return http.StatusOK, out, nil
}

// compareNoID compares on one term only: the records carry no id, so
// query.Compare's id tie-break finds them equal.
func compareNoID(a, b map[string]any, t query.OrderTerm) int {
	x := map[string]any{}
	y := map[string]any{}
	setPath(x, t.Path, query.Lookup(a, t.Path))
	setPath(y, t.Path, query.Lookup(b, t.Path))
	return query.Compare(x, y, []query.OrderTerm{t})
}

// sortable turns string-encoded numeric aggregates back into numbers for
// ordering.
func sortable(v any) any {
	if s, ok := v.(string); ok {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	}
	return v
}

func dimensionValue(v any, granularity string) any {
	if isEmpty(v) {
		return nil
	}
	s, ok := v.(string)
	if !ok || granularity == "" || granularity == "NONE" {
		return v
	}
	t, ok := parseTimeInput(s)
	if !ok {
		return v
	}
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	switch granularity {
	case "DAY":
		return day(t)
	case "WEEK":
		offset := (int(t.Weekday()) + 6) % 7 // weeks start on Monday
		return day(t.AddDate(0, 0, -offset))
	case "MONTH":
		return day(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC))
	case "QUARTER":
		return day(time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC))
	case "YEAR":
		return day(time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC))
	case "DAY_OF_THE_WEEK":
		return t.Weekday().String()
	case "MONTH_OF_THE_YEAR":
		return t.Month().String()
	case "QUARTER_OF_THE_YEAR":
		return "Q" + strconv.Itoa(int(t.Month()-1)/3+1)
	}
	return v
}

// computeAggregate returns counts as JSON numbers and, like Postgres
// numeric results, sums, averages, minima and maxima of numbers as strings.
func computeAggregate(a aggregate, recs []map[string]any) any {
	if a.op == "totalCount" {
		return len(recs)
	}
	var vals []any
	empty := 0
	for _, r := range recs {
		v := query.Lookup(r, a.path)
		if isEmpty(v) {
			empty++
			continue
		}
		vals = append(vals, v)
	}
	switch a.op {
	case "countEmpty":
		return empty
	case "countNotEmpty":
		return len(vals)
	case "countUniqueValues":
		seen := map[string]bool{}
		for _, v := range vals {
			b, _ := json.Marshal(v)
			seen[string(b)] = true
		}
		return len(seen)
	case "percentageEmpty", "percentageNotEmpty":
		if len(recs) == 0 {
			return 0
		}
		n := empty
		if a.op == "percentageNotEmpty" {
			n = len(vals)
		}
		return float64(n) / float64(len(recs))
	case "countTrue", "countFalse":
		n := 0
		for _, v := range vals {
			if b, ok := v.(bool); ok && b == (a.op == "countTrue") {
				n++
			}
		}
		return n
	}
	var nums []float64
	for _, v := range vals {
		switch x := v.(type) {
		case json.Number:
			if f, err := x.Float64(); err == nil {
				nums = append(nums, f)
			}
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil && a.op != "min" && a.op != "max" {
				nums = append(nums, f)
			}
		}
	}
	if (a.op == "min" || a.op == "max") && len(nums) == 0 {
		// Dates and text: min and max compare the values themselves.
		if len(vals) == 0 {
			return nil
		}
		best := vals[0]
		for _, v := range vals[1:] {
			c := query.Compare(map[string]any{"v": v}, map[string]any{"v": best}, []query.OrderTerm{{Path: []string{"v"}}})
			if (a.op == "min") == (c < 0) && c != 0 {
				best = v
			}
		}
		return best
	}
	if len(nums) == 0 {
		return nil
	}
	var res float64
	switch a.op {
	case "sum", "avg":
		for _, n := range nums {
			res += n
		}
		if a.op == "avg" {
			res /= float64(len(nums))
		}
	case "min":
		res = math.Inf(1)
		for _, n := range nums {
			res = math.Min(res, n)
		}
	case "max":
		res = math.Inf(-1)
		for _, n := range nums {
			res = math.Max(res, n)
		}
	}
	return strconv.FormatFloat(res, 'f', -1, 64)
}
