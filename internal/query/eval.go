package query

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

type tri int8

const (
	unknown tri = iota
	no
	yes
)

func truth(b bool) tri {
	if b {
		return yes
	}
	return no
}

// Match reports whether record satisfies n. Evaluation follows the newer
// server's SQL (packages/twenty-server/src/engine/api/graphql/
// graphql-query-runner/utils/compute-where-condition-parts.ts) on records
// decoded from JSON, without field metadata: the record's own JSON type
// decides how a value is compared.
//
//   - Numbers (float64, json.Number, Go integers) compare numerically, bools
//     as the server coerces them (true iff the value is "true", any case).
//   - Strings that parse as RFC 3339 date-times compare chronologically with
//     the server's millisecond windows: eq matches [v, v+1ms), gt means
//     >= v+1ms, lte means < v+1ms. Other strings compare bytewise (Postgres
//     may use a locale collation; the fake does not).
//   - like/ilike take a SQL pattern: % any run, _ one character, \ escapes.
//     startsWith/endsWith are literal and case-sensitive (newer servers use
//     ^@ and RIGHT(); older ones used ILIKE and were case-insensitive).
//   - containsAny needs an array field and matches when the two sets overlap.
//   - SQL's three-valued logic applies: a comparison with a null (or absent)
//     field is unknown, not(unknown) is unknown, and only true matches. So
//     neither name[eq]:x nor not(name[eq]:x) matches a record without a name.
//   - Null equivalence: the server treats empty text and empty arrays as null
//     and returns "" for a null text. is NULL matches null, absent, "" and [];
//     is NOT_NULL is its exact negation. (The server's SQL for NOT_NULL omits
//     the empty-text case, so there a stored empty string would match both; the fake
//     takes the consistent reading.) eq, like and ilike with the value ""
//     also match null; neq "" never does.
func (n Node) Match(record map[string]any) bool {
	return n.eval(record) == yes
}

// Matcher returns Match as a function, prepared once for many records: an
// in-list becomes a set for the plain strings it is compared with (ids,
// emails, names), so a look-up of k values over N records costs N set
// probes instead of N×k comparisons. It matches exactly what Match does.
func (n Node) Matcher() func(map[string]any) bool {
	ev := n.compile()
	return func(rec map[string]any) bool { return ev(rec) == yes }
}

func (n Node) compile() func(map[string]any) tri {
	switch n.Op {
	case OpAnd, OpOr, OpNot:
		kids := make([]Node, len(n.Children))
		for i, k := range n.Children {
			ev := k.compile()
			kids[i] = Node{Op: opCompiled, compiled: ev}
		}
		m := Node{Op: n.Op, Children: kids}
		return m.eval
	case OpIn:
		set := make(map[string]struct{}, len(n.Values))
		for _, v := range n.Values {
			set[v] = struct{}{}
		}
		return func(rec map[string]any) tri {
			v := Lookup(rec, n.Path)
			if s, ok := v.(string); ok && s != "" {
				if _, isTime := parseDateTime(s); !isTime {
					_, in := set[s] // compareOp's bytewise equality
					return truth(in)
				}
			}
			return n.condition(v)
		}
	}
	return n.eval
}

func (n Node) eval(rec map[string]any) tri {
	switch n.Op {
	case OpAnd:
		res := yes
		for _, k := range n.Children {
			switch k.eval(rec) {
			case no:
				return no
			case unknown:
				res = unknown
			}
		}
		return res
	case OpOr:
		res := no
		for _, k := range n.Children {
			switch k.eval(rec) {
			case yes:
				return yes
			case unknown:
				res = unknown
			}
		}
		return res
	case OpNot:
		if len(n.Children) != 1 {
			return unknown
		}
		switch n.Children[0].eval(rec) {
		case yes:
			return no
		case no:
			return yes
		}
		return unknown
	case opCompiled:
		return n.compiled(rec)
	}
	return n.condition(Lookup(rec, n.Path))
}

// Lookup returns the value at a dotted path, or nil when any step is missing
// or not an object.
func Lookup(rec map[string]any, path []string) any {
	var v any = rec
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if v, ok = m[p]; !ok {
			return nil
		}
	}
	return v
}

func isNullish(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}

func (n Node) condition(v any) tri {
	if n.Op == OpIs {
		return truth(isNullish(v) == (n.Value == Null))
	}
	if v == nil {
		if n.Value == "" {
			switch n.Op {
			case OpEq, OpLike, OpILike:
				return yes
			case OpNeq:
				return no
			}
		}
		return unknown
	}
	switch n.Op {
	case OpEq, OpNeq, OpGt, OpGte, OpLt, OpLte:
		return compareOp(n.Op, v, n.Value)
	case OpIn:
		res := no
		for _, want := range n.Values {
			switch compareOp(OpEq, v, want) {
			case yes:
				return yes
			case unknown:
				res = unknown
			}
		}
		return res
	case OpContainsAny:
		arr, ok := v.([]any)
		if !ok {
			return unknown
		}
		for _, e := range arr {
			s, ok := text(e)
			if !ok {
				continue
			}
			for _, want := range n.Values {
				if s == want {
					return yes
				}
			}
		}
		return no
	}
	s, ok := text(v)
	if !ok {
		return unknown
	}
	switch n.Op {
	case OpStartsWith:
		return truth(strings.HasPrefix(s, n.Value))
	case OpEndsWith:
		return truth(strings.HasSuffix(s, n.Value))
	case OpLike:
		return truth(like(n.Value, s, false))
	case OpILike:
		return truth(like(n.Value, s, true))
	}
	return unknown
}

// text is the value cast to Postgres text, for the string comparators.
func text(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	}
	if f, ok := number(v); ok {
		return strconv.FormatFloat(f, 'f', -1, 64), true
	}
	return "", false
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// compareOp applies an ordering comparator to a non-null record value and a
// filter value typed after the record value.
func compareOp(op string, v any, want string) tri {
	switch x := v.(type) {
	case bool:
		return fromCmp(op, cmpBool(x, strings.EqualFold(want, "true")))
	case string:
		if t, ok := parseDateTime(x); ok {
			if w, ok := parseFilterTime(want); ok {
				return timeOp(op, t, w)
			}
		}
		return fromCmp(op, strings.Compare(x, want))
	}
	if f, ok := number(v); ok {
		w, err := strconv.ParseFloat(strings.TrimSpace(want), 64)
		if err != nil || math.IsNaN(w) || math.IsInf(w, 0) {
			return unknown // the server answers 400 for a non-number here
		}
		return fromCmp(op, cmpFloat(f, w))
	}
	return unknown
}

func fromCmp(op string, c int) tri {
	switch op {
	case OpEq:
		return truth(c == 0)
	case OpNeq:
		return truth(c != 0)
	case OpGt:
		return truth(c > 0)
	case OpGte:
		return truth(c >= 0)
	case OpLt:
		return truth(c < 0)
	case OpLte:
		return truth(c <= 0)
	}
	return unknown
}

// timeOp mirrors the server's DATE_TIME clauses, which widen the filter
// value to the whole millisecond it names.
func timeOp(op string, t, v time.Time) tri {
	end := v.Add(time.Millisecond)
	switch op {
	case OpEq:
		return truth(!t.Before(v) && t.Before(end))
	case OpNeq:
		return truth(t.Before(v) || !t.Before(end))
	case OpGt:
		return truth(!t.Before(end))
	case OpGte:
		return truth(!t.Before(v))
	case OpLt:
		return truth(t.Before(v))
	case OpLte:
		return truth(t.Before(end))
	}
	return unknown
}

// parseDateTime recognises the date-time strings the server returns.
func parseDateTime(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02T15:04:05Z") || s[4] != '-' || s[10] != 'T' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// parseFilterTime also accepts what Postgres casts to a timestamptz in UTC:
// a date, or a date-time without an offset.
func parseFilterTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// like matches s against a SQL LIKE pattern (backslash escapes), with the
// usual single-backtrack wildcard algorithm: linear for one '%', O(len²) at
// worst, and no regexp to compile per record.
func like(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	type token struct {
		r    rune
		kind byte // 'l' literal, '_' one rune, '%' any run
	}
	var toks []token
	for i := 0; i < len(pattern); {
		r, size := utf8.DecodeRuneInString(pattern[i:])
		i += size
		switch r {
		case '%':
			toks = append(toks, token{kind: '%'})
		case '_':
			toks = append(toks, token{kind: '_'})
		case '\\':
			if i < len(pattern) {
				r, size = utf8.DecodeRuneInString(pattern[i:])
				i += size
			}
			toks = append(toks, token{r: r, kind: 'l'})
		default:
			toks = append(toks, token{r: r, kind: 'l'})
		}
	}
	rs := []rune(s)
	ti, si := 0, 0
	star, mark := -1, 0
	for si < len(rs) {
		switch {
		case ti < len(toks) && (toks[ti].kind == '_' || toks[ti].kind == 'l' && toks[ti].r == rs[si]):
			ti++
			si++
		case ti < len(toks) && toks[ti].kind == '%':
			star, mark = ti, si
			ti++
		case star >= 0:
			mark++
			ti, si = star+1, mark
		default:
			return false
		}
	}
	for ti < len(toks) && toks[ti].kind == '%' {
		ti++
	}
	return ti == len(toks)
}

// MentionsField reports whether a condition of n starts with field. The
// server hides soft-deleted rows unless the filter mentions deletedAt.
func MentionsField(n Node, field string) bool {
	if n.IsConjunction() {
		for _, k := range n.Children {
			if MentionsField(k, field) {
				return true
			}
		}
		return false
	}
	return len(n.Path) > 0 && n.Path[0] == field
}

// Compare orders two records by terms, then by id ascending as the server's
// final tie-breaker. Only nil and absent values are null here: Postgres sorts
// an empty string as the smallest string, not as a null.
func Compare(a, b map[string]any, terms []OrderTerm) int {
	for _, t := range terms {
		if c := compareTerm(Lookup(a, t.Path), Lookup(b, t.Path), t.Direction); c != 0 {
			return c
		}
	}
	return compareTerm(a["id"], b["id"], AscNullsFirst)
}

func compareTerm(a, b any, d Direction) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil || b == nil:
		c := 1
		if d.NullsFirst() {
			c = -1
		}
		if b == nil {
			c = -c
		}
		return c
	}
	c := compareValues(a, b)
	if d.Desc() {
		c = -c
	}
	return c
}

// compareValues is a total order: values of one JSON type compare naturally;
// different types (which one column never holds) by a fixed type rank.
func compareValues(a, b any) int {
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return cmpFloat(float64(ra), float64(rb))
	}
	switch ra {
	case 0:
		return cmpBool(a.(bool), b.(bool))
	case 1:
		fa, _ := number(a)
		fb, _ := number(b)
		return cmpFloat(fa, fb)
	case 2:
		sa, sb := a.(string), b.(string)
		if ta, ok := parseDateTime(sa); ok {
			if tb, ok := parseDateTime(sb); ok {
				return ta.Compare(tb)
			}
		}
		return strings.Compare(sa, sb)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Compare(ja, jb)
}

func rank(v any) int {
	switch v.(type) {
	case bool:
		return 0
	case string:
		return 2
	}
	if _, ok := number(v); ok {
		return 1
	}
	return 3
}
