// Package query parses and evaluates the `filter` and `order_by` query
// parameters of Twenty's REST API the way the Twenty server does. It backs the
// fake server used in tests, and the round-trip tests of the public builder.
//
// The parser is a port of the server's character-by-character algorithm, not
// of an idealised grammar, so that odd inputs behave as they do against a real
// server. Source (twentyhq/twenty, packages/twenty-server/src/engine/api/rest/
// input-request-parsers/):
//
//   - filter-parser-utils/check-filter-query.util.ts: '(' and ')' are counted
//     over the whole string, quotes included, and must balance.
//   - filter-parser-utils/add-default-conjunction.util.ts: a query that is not
//     wholly `and(…)`, `or(…)` or `not(…)` is wrapped in `and(…)`.
//   - filter-parser-utils/parse-filter.util.ts: recursion on conjunctions;
//     `not` takes exactly one operand.
//   - filter-parser-utils/parse-filter-content.util.ts: operands are split on
//     commas at parenthesis depth 1 while none of three toggles is open:
//     brackets ([ and ]), double quotes and single quotes. They are toggles,
//     not nesting: any embedded quote or bracket flips one, and there is no
//     escape character.
//   - filter-parser-utils/parse-base-filter.util.ts: `path[comparator]:value`;
//     the path ends at the first '[', the comparator at the next ']', the value
//     starts after the first ':' outside the comparator.
//   - filter-parser-utils/format-field-values.util.ts: `in`/`containsAny`
//     values must look like `[…]` and are split on every ',' (quotes do not
//     protect commas there); one leading and one trailing quote (either kind,
//     not necessarily matching) are stripped; `is` values are kept verbatim.
//   - order-by-parser-utils/utils/parse-order-by-rest-request-common.util.ts.
package query

import (
	"fmt"
	"regexp"
	"strings"
)

// Conjunctions and comparators, spelled as on the wire.
const (
	OpAnd = "and"
	OpOr  = "or"
	OpNot = "not"

	OpEq          = "eq"
	OpNeq         = "neq"
	OpIn          = "in"
	OpContainsAny = "containsAny"
	OpIs          = "is"
	OpGt          = "gt"
	OpGte         = "gte"
	OpLt          = "lt"
	OpLte         = "lte"
	OpStartsWith  = "startsWith"
	OpEndsWith    = "endsWith"
	OpLike        = "like"
	OpILike       = "ilike"
)

// Values of the `is` comparator.
const (
	Null    = "NULL"
	NotNull = "NOT_NULL"
)

// comparators is in the server's enum order, which its error message lists.
// Some server snapshots also accept containsExactly; it has no evaluation in
// the newer query builder, so it is left out here.
var comparators = []string{
	OpEq, OpNeq, OpIn, OpContainsAny, OpIs, OpGt, OpGte, OpLt, OpLte,
	OpStartsWith, OpEndsWith, OpLike, OpILike,
}

// Error is returned for every malformed input. Message is the server's text
// (the fake answers it as a 400 BadRequestException).
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func errorf(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// Node is a parsed filter: a conjunction (Op is OpAnd, OpOr or OpNot, with
// Children; OpNot has exactly one) or a condition (Op is a comparator).
type Node struct {
	Op       string
	Children []Node
	// Path is the field path of a condition, split on '.', e.g.
	// ["emails", "primaryEmail"]. Segments are not validated here: the server
	// checks them against the object's fields later, and so must the fake.
	Path []string
	// Value is the value of every comparator except OpIn and OpContainsAny,
	// after quote stripping. It stays a string: the server types it only once
	// it knows the field (see Match).
	Value string
	// Values holds the elements of OpIn and OpContainsAny.
	Values []string

	compiled func(map[string]any) tri // for opCompiled, made by Matcher
}

// opCompiled marks a node Matcher prepared; the parser never makes one.
const opCompiled = "compiled"

// IsConjunction reports whether n is and/or/not rather than a condition.
func (n Node) IsConjunction() bool {
	return n.Op == OpAnd || n.Op == OpOr || n.Op == OpNot
}

// JavaScript's '.' matches anything but a line terminator; the server's
// regexes rely on that, so a line terminator anywhere makes a filter invalid.
const jsDot = `[^\n\r\x{2028}\x{2029}]`

var (
	rootConjunction = regexp.MustCompile(`^(or|and|not)\(` + jsDot + `+\)$`)
	baseFilter      = regexp.MustCompile(`^` + jsDot + `+\[` + jsDot + `+\]:` + jsDot + `+$`)
)

// ParseFilter parses the value of the `filter` query parameter. The empty
// string is not a filter (the server ignores an absent parameter, but rejects
// `filter=`), so it is an error here too.
func ParseFilter(s string) (Node, error) {
	if err := checkParentheses(s); err != nil {
		return Node{}, err
	}
	if !rootConjunction.MatchString(s) {
		s = OpAnd + "(" + s + ")"
	}
	return parse(s)
}

func checkParentheses(s string) error {
	diff := strings.Count(s, "(") - strings.Count(s, ")")
	switch {
	case diff > 0:
		return errorf("'filter' invalid. %d close bracket%s missing in the query", diff, plural(diff))
	case diff < 0:
		return errorf("'filter' invalid. %d open bracket%s missing in the query", -diff, plural(-diff))
	}
	return nil
}

func plural(n int) string {
	if n > 1 {
		return "s are"
	}
	return " is"
}

func parse(s string) (Node, error) {
	if m := rootConjunction.FindStringSubmatch(s); m != nil {
		parts := splitOperands(s)
		// The server parses every operand before counting those of `not`,
		// so an operand's own error wins.
		kids := make([]Node, 0, len(parts))
		for _, p := range parts {
			k, err := parse(p)
			if err != nil {
				return Node{}, err
			}
			kids = append(kids, k)
		}
		if m[1] == OpNot && len(kids) > 1 {
			return Node{}, errorf("'filter' invalid. 'not' conjunction should contain only 1 condition. eg: not(field[eq]:1)")
		}
		return Node{Op: m[1], Children: kids}, nil
	}
	return parseCondition(s)
}

// splitOperands mirrors parseFilterContent: it keeps what lies inside the
// outermost parentheses and splits it on commas at depth 1 outside the
// bracket and quote toggles. Text at depth 0 (the conjunction's name, or
// anything between two top-level groups) is dropped, as on the server.
func splitOperands(s string) []string {
	var (
		parts            []string
		cur              strings.Builder
		depth            int
		brackets, dq, sq bool
	)
	for _, c := range s {
		keep := depth >= 1
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			keep = depth >= 1
		case '[', ']':
			brackets = !brackets
		case '"':
			dq = !dq
		case '\'':
			sq = !sq
		case ',':
			if depth == 1 && !brackets && !dq && !sq {
				parts = append(parts, cur.String())
				cur.Reset()
				keep = false
			}
		}
		if keep {
			cur.WriteRune(c)
		}
	}
	return append(parts, cur.String())
}

func parseCondition(s string) (Node, error) {
	if !baseFilter.MatchString(s) {
		return Node{}, errorf("'filter' invalid for '%s'. eg: price[gte]:10", s)
	}
	var (
		path, comparator, value       strings.Builder
		inPath, inComparator, inValue = true, false, false
	)
	// Same statement order as parseBaseFilter: a ':' inside the path already
	// starts the value, and a ']' inside the value does not end anything.
	for _, c := range s {
		if inValue {
			value.WriteRune(c)
		}
		if c == ']' && !inValue {
			inComparator = false
		}
		if c == ':' && !inComparator {
			inValue = true
		}
		if inComparator {
			comparator.WriteRune(c)
		}
		if c == '[' && inPath {
			inPath = false
			inComparator = true
		}
		if inPath {
			path.WriteRune(c)
		}
	}
	op := comparator.String()
	if !isComparator(op) {
		return Node{}, errorf("'filter' invalid for '%s', comparator %s not in %s", s, op, strings.Join(comparators, ", "))
	}
	n := Node{Op: op, Path: strings.Split(path.String(), ".")}
	v := value.String()
	switch op {
	case OpIn, OpContainsAny:
		if len(v) < 2 || v[0] != '[' || v[len(v)-1] != ']' {
			return Node{}, errorf("'filter' invalid for '%s' operator. Received '%s' but array value expected eg: 'field[%s]:[value_1,value_2]'", op, v, op)
		}
		for _, e := range strings.Split(v[1:len(v)-1], ",") {
			n.Values = append(n.Values, stripQuotes(e))
		}
	case OpIs:
		// The REST parser keeps `is` values verbatim; the server's filter
		// processor then accepts only these two.
		if v != Null && v != NotNull {
			return Node{}, errorf(`Invalid filter value for "is" operator. Expected "NULL" or "NOT_NULL"`)
		}
		n.Value = v
	default:
		n.Value = stripQuotes(v)
	}
	return n, nil
}

func isComparator(op string) bool {
	for _, c := range comparators {
		if c == op {
			return true
		}
	}
	return false
}

func isQuote(b byte) bool { return b == '"' || b == '\'' }

// stripQuotes drops a leading and a trailing quote of either kind. A lone
// quote survives: JavaScript's substring(1, 0) swaps its arguments.
func stripQuotes(v string) string {
	if len(v) >= 2 && isQuote(v[0]) && isQuote(v[len(v)-1]) {
		return v[1 : len(v)-1]
	}
	return v
}

// Direction is an order_by direction.
type Direction string

// The four directions the server accepts.
const (
	AscNullsFirst  Direction = "AscNullsFirst"
	AscNullsLast   Direction = "AscNullsLast"
	DescNullsFirst Direction = "DescNullsFirst"
	DescNullsLast  Direction = "DescNullsLast"
)

// Desc reports whether d sorts descending.
func (d Direction) Desc() bool { return d == DescNullsFirst || d == DescNullsLast }

// NullsFirst reports whether d puts null values before the others.
func (d Direction) NullsFirst() bool { return d == AscNullsFirst || d == DescNullsFirst }

// OrderTerm is one `field[Direction]` item of order_by.
type OrderTerm struct {
	Path      []string
	Direction Direction
}

// ParseOrderBy parses `field[Direction],field2,…`. An item without brackets
// sorts AscNullsFirst. Like the server, it splits naively on ',' and does not
// check field names; the caller validates Path against the object. The empty
// string yields no terms. The server tests the direction with JavaScript's
// `in`, which also admits "toString" and friends; only the four real
// directions are accepted here.
func ParseOrderBy(s string) ([]OrderTerm, error) {
	if s == "" {
		return nil, nil
	}
	var terms []OrderTerm
	for _, item := range strings.Split(s, ",") {
		field, dir := item, AscNullsFirst
		if strings.Contains(item, "[") && strings.Contains(item, "]") {
			parts := strings.Split(item, "[")
			d := strings.Replace(parts[1], "]", "", 1)
			switch Direction(d) {
			case AscNullsFirst, AscNullsLast, DescNullsFirst, DescNullsLast:
			default:
				return nil, errorf("'order_by' direction '%s' invalid. Allowed values are '%s', '%s', '%s', '%s'. eg: ?order_by=field_1[AscNullsFirst],field_2[DescNullsLast],field_3",
					d, AscNullsFirst, AscNullsLast, DescNullsFirst, DescNullsLast)
			}
			field, dir = parts[0], Direction(d)
		}
		terms = append(terms, OrderTerm{Path: strings.Split(field, "."), Direction: dir})
	}
	return terms, nil
}
