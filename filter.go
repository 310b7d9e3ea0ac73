package twenty

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/twenty-go/twenty/internal/query"
)

// Twenty's filter syntax has no escape character: the server splits operands
// on commas unless a bracket, double-quote or single-quote toggle is open, and
// counts parentheses everywhere, inside quotes too. The builder picks quoting
// the server reads back exactly, or refuses the value. internal/query ports
// the server's parser, and the tests run every rendering through it. Source:
// twentyhq/twenty, packages/twenty-server/src/engine/api/rest/
// input-request-parsers/filter-parser-utils/.

// ErrInvalidFilter is wrapped by every error from Filter.Err.
var ErrInvalidFilter = errors.New("twenty: invalid filter")

// ErrInvalidOrder is wrapped by every error from Order.Err.
var ErrInvalidOrder = errors.New("twenty: invalid order")

// invalidFilter is what an invalid Filter renders: a string with no '[', so
// every Twenty server answers 400 instead of running a query that was meant
// differently. That matters most for bulk update and delete.
const invalidFilter = "!invalid"

// invalidOrder is the order_by counterpart: a direction every server rejects.
const invalidOrder = "![invalid]"

// Filter is a condition on records, built with Field, And, Or and Not, and
// sent as the `filter` query parameter of list, update-many and delete-many
// calls.
//
// String values are quoted (or, when no quoting protects them but the bare
// text reads back unchanged, sent bare) and may hold commas, colons, brackets, quotes and
// balanced parentheses. A few cannot be sent at all (line breaks, unbalanced
// parentheses, some mixes of quotes and commas). A value with an unmatched
// quote or bracket, such as O'Brien, is rendered last so that it cannot
// swallow a following operand; a filter may hold only one such value.
//
// A Filter whose construction failed (a bad field path, an unsupported value,
// a string Twenty's syntax cannot carry) is still a Filter: Err reports why,
// and String renders a value the server always rejects with 400, so a missed
// check fails loudly rather than matching the wrong records.
type Filter interface {
	// String renders the value of the `filter` query parameter.
	String() string
	// Err is nil for a filter that renders faithfully.
	Err() error
	expr() *filterExpr
}

// filterExpr is the only Filter implementation: a comparison (op is a
// comparator) or a group (op is "and", "or" or "not"). It is immutable, so
// filters can be shared and reused.
type filterExpr struct {
	op   string
	path string
	tok  string // rendered value of a comparison
	kids []*filterExpr
	// tails counts comparisons beneath whose value leaves one of the
	// server's quote or bracket toggles open. Such a value reads back
	// correctly only if no operand follows it at any level, so it is
	// rendered last, and a filter may hold at most one.
	tails int
	err   error
}

func (e *filterExpr) expr() *filterExpr { return e }

func (e *filterExpr) Err() error { return e.err }

func (e *filterExpr) String() string {
	if e.err != nil {
		return invalidFilter
	}
	// The server reads a top-level comma list as and(...). Only a list of
	// comparisons may use it: each starts with a field name, so the list
	// cannot pass for one and(...)/or(...) group.
	if e.op == filterAnd {
		flat := true
		for _, k := range e.kids {
			flat = flat && !k.group()
		}
		if flat {
			return e.renderKids()
		}
	}
	var b strings.Builder
	e.render(&b)
	return b.String()
}

const (
	filterAnd = "and"
	filterOr  = "or"
	filterNot = "not"
)

func (e *filterExpr) group() bool { return e.op == filterAnd || e.op == filterOr || e.op == filterNot }

func (e *filterExpr) render(b *strings.Builder) {
	if !e.group() {
		b.WriteString(e.path + "[" + e.op + "]:" + e.tok)
		return
	}
	b.WriteString(e.op + "(" + e.renderKids() + ")")
}

// renderKids joins the operands with the one holding an open toggle, if any,
// moved last; and/or are commutative, so the meaning is unchanged.
func (e *filterExpr) renderKids() string {
	var b strings.Builder
	var last *filterExpr
	for _, k := range e.kids {
		if k.tails > 0 {
			last = k
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		k.render(&b)
	}
	if last != nil {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		last.render(&b)
	}
	return b.String()
}

func invalidf(format string, args ...any) *filterExpr {
	return &filterExpr{err: fmt.Errorf("%w: "+format, append([]any{ErrInvalidFilter}, args...)...)}
}

// And matches records that satisfy every filter. Nested And calls are
// flattened; And of one filter is that filter.
func And(fs ...Filter) Filter { return newGroup(filterAnd, fs) }

// Or matches records that satisfy at least one filter.
func Or(fs ...Filter) Filter { return newGroup(filterOr, fs) }

func newGroup(op string, fs []Filter) Filter {
	if len(fs) == 0 {
		return invalidf("%s needs at least one filter", op)
	}
	g := &filterExpr{op: op}
	for _, f := range fs {
		if f == nil {
			return invalidf("nil filter passed to %s", op)
		}
		e := f.expr()
		if e.err != nil {
			return e
		}
		if e.op == op {
			g.kids = append(g.kids, e.kids...)
		} else {
			g.kids = append(g.kids, e)
		}
		g.tails += e.tails
	}
	if g.tails > 1 {
		return invalidf("more than one value has an unmatched quote or bracket; Twenty's filter syntax has no escape for that, so split the query")
	}
	if len(g.kids) == 1 {
		return g.kids[0]
	}
	return g
}

// Not matches records that do not satisfy f. As in SQL, a comparison with a
// null field is neither true nor false, so Not(Field("x").Eq(1)) does not
// match records where x is null; add Field("x").IsNull() with Or for that.
func Not(f Filter) Filter {
	if f == nil {
		return invalidf("nil filter passed to not")
	}
	e := f.expr()
	if e.err != nil {
		return e
	}
	return &filterExpr{op: filterNot, kids: []*filterExpr{e}, tails: e.tails}
}

// RawFilter takes a filter already written in Twenty's syntax, such as a
// command-line argument "city[eq]:Paris"; code should build filters with
// Field instead. The text is read with the server's grammar, so a syntax
// error shows up in Err with the server's own message, and then re-encoded
// by the builder: String returns an equivalent filter rather than s itself,
// and the result combines safely with And, Or and Not (a top-level comma
// list stays one operand).
func RawFilter(s string) Filter {
	n, err := query.ParseFilter(s)
	if err != nil {
		return invalidf("%v", err)
	}
	return fromNode(n)
}

func fromNode(n query.Node) Filter {
	if n.IsConjunction() {
		kids := make([]Filter, len(n.Children))
		for i, k := range n.Children {
			kids[i] = fromNode(k)
		}
		switch n.Op {
		case query.OpAnd:
			return And(kids...)
		case query.OpOr:
			return Or(kids...)
		}
		return Not(kids[0]) // the parser guarantees one operand
	}
	f := Field(strings.Join(n.Path, "."))
	values := make([]any, len(n.Values))
	for i, v := range n.Values {
		values[i] = v
	}
	switch n.Op {
	case query.OpEq:
		return f.Eq(n.Value)
	case query.OpNeq:
		return f.Neq(n.Value)
	case query.OpGt:
		return f.Gt(n.Value)
	case query.OpGte:
		return f.Gte(n.Value)
	case query.OpLt:
		return f.Lt(n.Value)
	case query.OpLte:
		return f.Lte(n.Value)
	case query.OpLike:
		return f.Like(n.Value)
	case query.OpILike:
		return f.ILike(n.Value)
	case query.OpStartsWith:
		return f.StartsWith(n.Value)
	case query.OpEndsWith:
		return f.EndsWith(n.Value)
	case query.OpIn:
		return f.In(values...)
	case query.OpContainsAny:
		return f.ContainsAny(values...)
	case query.OpIs:
		if n.Value == query.Null {
			return f.IsNull()
		}
		return f.IsNotNull()
	}
	return invalidf("comparator %q", n.Op)
}

// FieldRef names a field to compare; see Field.
//
// Comparison values may be strings, bools, integers and floats (named types
// by their kind), json.Number, time.Time (sent in UTC, truncated to the
// millisecond), or any other fmt.Stringer by its String (a UUID type, say).
// The server types each value by the field's type, so Eq(10) and Eq("10")
// mean the same on a number field. Null has IsNull and IsNotNull.
type FieldRef struct {
	path string
	err  error
}

var fieldIdentifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func validFieldPath(path string) bool {
	for _, seg := range strings.Split(path, ".") {
		if !fieldIdentifier.MatchString(seg) {
			return false
		}
	}
	return true
}

// Field refers to a field by its API name, or to a sub-field of a composite
// field with a dot: "city", "name.firstName", "emails.primaryEmail",
// "annualRecurringRevenue.amountMicros". Each dot-separated part must be an
// identifier (letters, digits, '_'; not starting with a digit).
func Field(path string) FieldRef {
	if !validFieldPath(path) {
		return FieldRef{path: path, err: fmt.Errorf("%w: field path %q: want identifiers separated by dots", ErrInvalidFilter, path)}
	}
	return FieldRef{path: path}
}

// Eq matches records whose field equals v. On date-time fields the server
// matches the whole millisecond v names.
func (f FieldRef) Eq(v any) Filter { return f.compare("eq", v) }

// Neq matches records whose field is not null and differs from v.
func (f FieldRef) Neq(v any) Filter { return f.compare("neq", v) }

// Gt matches records whose field is greater than v.
func (f FieldRef) Gt(v any) Filter { return f.compare("gt", v) }

// Gte matches records whose field is greater than or equal to v.
func (f FieldRef) Gte(v any) Filter { return f.compare("gte", v) }

// Lt matches records whose field is less than v.
func (f FieldRef) Lt(v any) Filter { return f.compare("lt", v) }

// Lte matches records whose field is less than or equal to v.
func (f FieldRef) Lte(v any) Filter { return f.compare("lte", v) }

// Like matches a case-sensitive SQL LIKE pattern: % matches any run of
// characters, _ one character, and a backslash escapes either.
func (f FieldRef) Like(pattern string) Filter { return f.compare("like", pattern) }

// ILike is Like ignoring case.
func (f FieldRef) ILike(pattern string) Filter { return f.compare("ilike", pattern) }

// StartsWith matches text fields starting with prefix, taken literally and
// case-sensitively. Older servers used ILIKE: case-insensitive, with % and _
// as wildcards.
func (f FieldRef) StartsWith(prefix string) Filter { return f.compare("startsWith", prefix) }

// EndsWith matches text fields ending with suffix; see StartsWith.
func (f FieldRef) EndsWith(suffix string) Filter { return f.compare("endsWith", suffix) }

// In matches records whose field equals one of vs. Twenty splits the list on
// every comma, quoted or not, so string values must not contain ',', '['
// or ']'.
func (f FieldRef) In(vs ...any) Filter { return f.list("in", vs) }

// ContainsAny matches array and multi-select fields holding at least one of
// vs; the same restrictions as In apply.
func (f FieldRef) ContainsAny(vs ...any) Filter { return f.list("containsAny", vs) }

// IsNull matches records whose field is null. The server counts an empty
// text and an empty array as null too.
func (f FieldRef) IsNull() Filter { return f.leaf("is", "NULL", false) }

// IsNotNull matches records whose field is not null.
func (f FieldRef) IsNotNull() Filter { return f.leaf("is", "NOT_NULL", false) }

// check reports a bad path, including that of the zero FieldRef.
func (f FieldRef) check() *filterExpr {
	if f.err != nil {
		return &filterExpr{err: f.err}
	}
	if f.path == "" {
		return invalidf("empty field path")
	}
	return nil
}

func (f FieldRef) leaf(op, tok string, open bool) Filter {
	if e := f.check(); e != nil {
		return e
	}
	e := &filterExpr{op: op, path: f.path, tok: tok}
	if open {
		e.tails = 1
	}
	return e
}

func (f FieldRef) compare(op string, v any) Filter {
	if e := f.check(); e != nil {
		return e
	}
	s, isString, err := filterScalar(v)
	if err != nil {
		return invalidf("%s[%s]: %v", f.path, op, err)
	}
	if !isString {
		return f.leaf(op, s, false)
	}
	tok, tail, err := quoteFilterString(s)
	if err != nil {
		return invalidf("%s[%s]: %v", f.path, op, err)
	}
	return f.leaf(op, tok, tail)
}

func (f FieldRef) list(op string, vs []any) Filter {
	if e := f.check(); e != nil {
		return e
	}
	if len(vs) == 0 {
		return invalidf("%s[%s]: needs at least one value", f.path, op)
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range vs {
		s, isString, err := filterScalar(v)
		if err != nil {
			return invalidf("%s[%s]: %v", f.path, op, err)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		if !isString {
			b.WriteString(s)
			continue
		}
		if strings.ContainsAny(s, ",[]") {
			return invalidf("%s[%s]: value %q: list values cannot contain ',', '[' or ']'", f.path, op, s)
		}
		// Inside [...] the bracket toggle protects the separators; pick
		// the closing quote that keeps the quote toggles balanced.
		closing := `"`
		if strings.Count(s, `"`)%2 == 1 && strings.Count(s, `'`)%2 == 1 {
			closing = `'`
		}
		b.WriteString(`"` + s + closing)
	}
	b.WriteByte(']')
	tok := b.String()
	open, problem := scanFilterToken(tok)
	if problem != "" {
		return invalidf("%s[%s]: values %s: %s", f.path, op, tok, problem)
	}
	return f.leaf(op, tok, open)
}

// filterScalar renders v; isString reports that it still needs quoting.
func filterScalar(v any) (s string, isString bool, err error) {
	switch x := v.(type) {
	case nil:
		return "", false, errors.New("nil value: use IsNull or IsNotNull")
	case time.Time:
		t := x.UTC()
		if t.Year() < 0 || t.Year() > 9999 {
			return "", false, fmt.Errorf("time %v out of range", x)
		}
		return t.Format("2006-01-02T15:04:05.000Z"), false, nil
	case json.Number:
		if !jsonNumberSyntax.MatchString(string(x)) {
			return "", false, fmt.Errorf("json.Number %q is not a number", string(x))
		}
		return string(x), false, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		s := rv.String()
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return "", false, fmt.Errorf("value %q: not valid UTF-8 text", s)
		}
		return s, true, nil
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), false, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), false, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), false, nil
	case reflect.Float32, reflect.Float64:
		bits := 64
		if rv.Kind() == reflect.Float32 {
			bits = 32
		}
		return formatFilterFloat(rv.Float(), bits)
	}
	if st, ok := v.(fmt.Stringer); ok {
		return filterScalar(st.String())
	}
	return "", false, fmt.Errorf("unsupported value type %T", v)
}

var jsonNumberSyntax = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// formatFilterFloat writes floats as JavaScript prints numbers (the server
// parses them with parseFloat): plain digits, exponent only for extremes.
func formatFilterFloat(f float64, bits int) (string, bool, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", false, fmt.Errorf("value %v is not a finite number", f)
	}
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(f, 'g', -1, bits), false, nil
	}
	return strconv.FormatFloat(f, 'f', -1, bits), false, nil
}

// quoteFilterString wraps s so that the server strips exactly the wrapping
// again. It strips one leading and one trailing quote of either kind, so there
// are four wrappings; the first the splitter reads without a stray split wins,
// preferably one that leaves its toggles closed. open reports that the chosen
// one leaves a toggle open (s holds an unmatched quote or bracket, as in
// O'Brien).
func quoteFilterString(s string) (tok string, open bool, err error) {
	fallback, firstProblem := "", ""
	candidates := []string{`"` + s + `"`, `'` + s + `'`, `"` + s + `'`, `'` + s + `"`}
	// Bare, as a last resort: the server strips quotes only when both ends
	// carry one, so a value that does not is read back as sent.
	if s != "" && !(isFilterQuote(s[0]) && isFilterQuote(s[len(s)-1])) {
		candidates = append(candidates, s)
	}
	for _, tok := range candidates {
		open, problem := scanFilterToken(tok)
		switch {
		case problem == "" && !open:
			return tok, false, nil
		case problem == "" && fallback == "":
			fallback = tok
		case firstProblem == "":
			firstProblem = problem
		}
	}
	if fallback != "" {
		return fallback, true, nil
	}
	return "", false, fmt.Errorf("value %q: %s", s, firstProblem)
}

func isFilterQuote(b byte) bool { return b == '"' || b == '\'' }

// scanFilterToken runs the server's operand splitter over a value token,
// starting as it does at a value: depth 1, all toggles closed. problem is
// non-empty if the splitter would cut the token or leave its group, or a
// regex would refuse it; open reports a toggle left open at the end.
func scanFilterToken(tok string) (open bool, problem string) {
	if strings.Count(tok, "(") != strings.Count(tok, ")") {
		// The server's first check counts them over the whole query.
		return false, "unbalanced parentheses cannot be sent in a Twenty filter"
	}
	depth := 0
	var brackets, dq, sq bool
	for _, c := range tok {
		switch c {
		case '\n', '\r', '\u2028', '\u2029':
			return false, "line breaks cannot be sent in a Twenty filter"
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return false, "a parenthesis closes before it opens, which Twenty cannot parse"
			}
		case '[', ']':
			brackets = !brackets
		case '"':
			dq = !dq
		case '\'':
			sq = !sq
		case ',':
			if depth == 0 && !brackets && !dq && !sq {
				return false, "with these quotes and brackets, Twenty would split the value at a comma"
			}
		}
	}
	return brackets || dq || sq, ""
}

// Direction is the sort direction of an Order, with the place of nulls.
type Direction string

// The four directions Twenty accepts.
const (
	AscNullsFirst  Direction = "AscNullsFirst"
	AscNullsLast   Direction = "AscNullsLast"
	DescNullsFirst Direction = "DescNullsFirst"
	DescNullsLast  Direction = "DescNullsLast"
)

// Order sorts by one field. Build it with Asc or Desc; the zero Direction
// means AscNullsFirst, the server's default.
type Order struct {
	// Field is as for Field ("name.lastName", "createdAt"), or a field of
	// a many-to-one relation's record ("company.name"): 2.x servers sort
	// with a join and page through it with cursors at any depth.
	Field     string
	Direction Direction
}

// Asc sorts ascending with nulls first, like the server's default and like
// Twenty's own UI.
func Asc(field string) Order { return Order{Field: field, Direction: AscNullsFirst} }

// Desc sorts descending with nulls last, mirroring Asc.
func Desc(field string) Order { return Order{Field: field, Direction: DescNullsLast} }

func (o Order) desc() bool { return o.Direction == DescNullsFirst || o.Direction == DescNullsLast }

// NullsFirst returns o with nulls sorted before all other values.
func (o Order) NullsFirst() Order {
	if o.desc() {
		o.Direction = DescNullsFirst
	} else {
		o.Direction = AscNullsFirst
	}
	return o
}

// NullsLast returns o with nulls sorted after all other values.
func (o Order) NullsLast() Order {
	if o.desc() {
		o.Direction = DescNullsLast
	} else {
		o.Direction = AscNullsLast
	}
	return o
}

// Err reports an invalid field path or direction. The server additionally
// refuses composite fields as a whole (order by "name.lastName", not "name").
func (o Order) Err() error {
	if !validFieldPath(o.Field) {
		return fmt.Errorf("%w: field path %q: want identifiers separated by dots", ErrInvalidOrder, o.Field)
	}
	switch o.Direction {
	case "", AscNullsFirst, AscNullsLast, DescNullsFirst, DescNullsLast:
		return nil
	}
	return fmt.Errorf("%w: direction %q", ErrInvalidOrder, string(o.Direction))
}

// String renders o as an order_by item, "field[Direction]".
func (o Order) String() string {
	if o.Err() != nil {
		return invalidOrder
	}
	d := o.Direction
	if d == "" {
		d = AscNullsFirst
	}
	return o.Field + "[" + string(d) + "]"
}

// OrderBy renders the value of the `order_by` query parameter, e.g.
// "name.lastName[AscNullsFirst],createdAt[DescNullsLast]"; "" for no orders.
// The server appends id as the final tie-breaker. If any order is invalid
// (see Order.Err), the result is a value every server rejects with 400.
func OrderBy(orders ...Order) string {
	parts := make([]string, len(orders))
	for i, o := range orders {
		if o.Err() != nil {
			return invalidOrder
		}
		parts[i] = o.String()
	}
	return strings.Join(parts, ",")
}
