package query

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cond(path []string, op, value string) Node {
	return Node{Op: op, Path: path, Value: value}
}

func p(s ...string) []string { return s }

func TestParseFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Node
	}{
		{"price[gte]:10", Node{Op: OpAnd, Children: []Node{cond(p("price"), OpGte, "10")}}},
		{"and(a[eq]:1)", Node{Op: OpAnd, Children: []Node{cond(p("a"), OpEq, "1")}}},
		{"a[eq]:1,b[neq]:2", Node{Op: OpAnd, Children: []Node{
			cond(p("a"), OpEq, "1"), cond(p("b"), OpNeq, "2"),
		}}},
		{"or(a[eq]:1,and(b[gt]:2,not(c[lt]:3)),d[is]:NULL)", Node{Op: OpOr, Children: []Node{
			cond(p("a"), OpEq, "1"),
			{Op: OpAnd, Children: []Node{
				cond(p("b"), OpGt, "2"),
				{Op: OpNot, Children: []Node{cond(p("c"), OpLt, "3")}},
			}},
			cond(p("d"), OpIs, Null),
		}}},
		// Dotted paths and every comparator.
		{"emails.primaryEmail[eq]:a@b.c", Node{Op: OpAnd, Children: []Node{cond(p("emails", "primaryEmail"), OpEq, "a@b.c")}}},
		{"not(x[lte]:1)", Node{Op: OpNot, Children: []Node{cond(p("x"), OpLte, "1")}}},
		{"name.firstName[startsWith]:Jo,name.lastName[endsWith]:son,city[like]:%ar%,city[ilike]:%AR%,deletedAt[is]:NOT_NULL",
			Node{Op: OpAnd, Children: []Node{
				cond(p("name", "firstName"), OpStartsWith, "Jo"),
				cond(p("name", "lastName"), OpEndsWith, "son"),
				cond(p("city"), OpLike, "%ar%"),
				cond(p("city"), OpILike, "%AR%"),
				cond(p("deletedAt"), OpIs, NotNull),
			}}},
		// Values: quotes protect commas and parentheses, and are stripped.
		{`name[eq]:"Doe, John (Jr)",city[eq]:'Paris, FR'`, Node{Op: OpAnd, Children: []Node{
			cond(p("name"), OpEq, "Doe, John (Jr)"), cond(p("city"), OpEq, "Paris, FR"),
		}}},
		// Any quote pair is stripped, even a mismatched one; a lone quote is not.
		{`a[eq]:"x'`, Node{Op: OpAnd, Children: []Node{cond(p("a"), OpEq, "x")}}},
		{`a[eq]:"`, Node{Op: OpAnd, Children: []Node{cond(p("a"), OpEq, `"`)}}},
		{`a[eq]:""`, Node{Op: OpAnd, Children: []Node{cond(p("a"), OpEq, "")}}},
		// The value starts after "]:" and keeps further colons and brackets.
		{"createdAt[gt]:2023-12-01T14:23:23.914Z", Node{Op: OpAnd, Children: []Node{cond(p("createdAt"), OpGt, "2023-12-01T14:23:23.914Z")}}},
		{"fieldNumber[gt]:valStart]:[valEnd", Node{Op: OpAnd, Children: []Node{cond(p("fieldNumber"), OpGt, "valStart]:[valEnd")}}},
		// Nested parentheses in an unquoted value survive; commas inside them too.
		{"a[eq]:f(x,y)", Node{Op: OpAnd, Children: []Node{cond(p("a"), OpEq, "f(x,y)")}}},
		// in / containsAny: every comma splits, quotes are stripped per element.
		{`stage[in]:[NEW,"MEETING",'X Y']`, Node{Op: OpAnd, Children: []Node{
			{Op: OpIn, Path: p("stage"), Values: []string{"NEW", "MEETING", "X Y"}},
		}}},
		{`tags[containsAny]:["a,b"]`, Node{Op: OpAnd, Children: []Node{
			{Op: OpContainsAny, Path: p("tags"), Values: []string{`"a`, `b"`}},
		}}},
		{`a[in]:[]`, Node{Op: OpAnd, Children: []Node{{Op: OpIn, Path: p("a"), Values: []string{""}}}}},
		// Server quirks reproduced on purpose.
		{".a[eq]:1", Node{Op: OpAnd, Children: []Node{cond(p("", "a"), OpEq, "1")}}},
		{"a[eq]x]:1", Node{Op: OpAnd, Children: []Node{cond(p("a"), OpEq, "1")}}},
		// Whole string starts with and( and ends with ): one group, and the
		// text between the two top-level groups is dropped.
		{"and(a[eq]:1),or(b[eq]:2)", Node{Op: OpAnd, Children: []Node{cond(p("a"), OpEq, "1b[eq]:2")}}},
		// An unmatched quote keeps later commas from splitting.
		{`a[eq]:"O'Brien",b[eq]:1`, Node{Op: OpAnd, Children: []Node{cond(p("a"), OpEq, `"O'Brien",b[eq]:1`)}}},
		{`b[eq]:1,a[eq]:"O'Brien"`, Node{Op: OpAnd, Children: []Node{cond(p("b"), OpEq, "1"), cond(p("a"), OpEq, "O'Brien")}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFilter(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseFilterErrors(t *testing.T) {
	t.Parallel()
	comparators := "eq, neq, in, containsAny, is, gt, gte, lt, lte, startsWith, endsWith, like, ilike"
	tests := []struct{ in, want string }{
		// Not wholly a group, so wrapped in and(...) which then fails as a
		// condition: the server reports the wrapped text.
		{"", "'filter' invalid for 'and()'. eg: price[gte]:10"},
		{"a[eq]:x\ny", "'filter' invalid for 'and(a[eq]:x\ny)'. eg: price[gte]:10"},
		{"x", "'filter' invalid for 'x'. eg: price[gte]:10"},
		{"a[eq]:", "'filter' invalid for 'a[eq]:'. eg: price[gte]:10"},
		{"a[eq]1", "'filter' invalid for 'a[eq]1'. eg: price[gte]:10"},
		{"a[eq]:1,", "'filter' invalid for ''. eg: price[gte]:10"},
		{"a[foo]:1", "'filter' invalid for 'a[foo]:1', comparator foo not in " + comparators},
		{"a[EQ]:1", "'filter' invalid for 'a[EQ]:1', comparator EQ not in " + comparators},
		{"and(a[eq]:1", "'filter' invalid. 1 close bracket is missing in the query"},
		{"and((a[eq]:1", "'filter' invalid. 2 close brackets are missing in the query"},
		{"a[eq]:1)", "'filter' invalid. 1 open bracket is missing in the query"},
		{`a[eq]:"x)"`, "'filter' invalid. 1 open bracket is missing in the query"},
		{"not(a[eq]:1,b[eq]:2)", "'filter' invalid. 'not' conjunction should contain only 1 condition. eg: not(field[eq]:1)"},
		{"not(a[eq]:1,b[x]:2)", "'filter' invalid for 'b[x]:2', comparator x not in " + comparators},
		{"a[in]:1", "'filter' invalid for 'in' operator. Received '1' but array value expected eg: 'field[in]:[value_1,value_2]'"},
		{"a[containsAny]:[1", "'filter' invalid for 'containsAny' operator. Received '[1' but array value expected eg: 'field[containsAny]:[value_1,value_2]'"},
		{"a[in]:[", "'filter' invalid for 'in' operator. Received '[' but array value expected eg: 'field[in]:[value_1,value_2]'"},
		{"a[is]:null", `Invalid filter value for "is" operator. Expected "NULL" or "NOT_NULL"`},
		{`a[is]:"NULL"`, `Invalid filter value for "is" operator. Expected "NULL" or "NOT_NULL"`},
		// A ':' in the path starts the value early, so the comparator runs on.
		{"a:b[eq]:1", "'filter' invalid for 'a:b[eq]:1', comparator eq]:1 not in " + comparators},
		{"and()", "'filter' invalid for 'and()'. eg: price[gte]:10"},
		{"!invalid", "'filter' invalid for '!invalid'. eg: price[gte]:10"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFilter(tt.in)
			var qe *Error
			require.ErrorAs(t, err, &qe)
			assert.Equal(t, tt.want, qe.Message)
		})
	}
}

func TestParseOrderBy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []OrderTerm
	}{
		{"", nil},
		{"name", []OrderTerm{{Path: p("name"), Direction: AscNullsFirst}}},
		{"fieldNumber[AscNullsFirst],fieldText[DescNullsLast]", []OrderTerm{
			{Path: p("fieldNumber"), Direction: AscNullsFirst},
			{Path: p("fieldText"), Direction: DescNullsLast},
		}},
		{"amount.amountMicros[DescNullsFirst],name.lastName[AscNullsLast],id", []OrderTerm{
			{Path: p("amount", "amountMicros"), Direction: DescNullsFirst},
			{Path: p("name", "lastName"), Direction: AscNullsLast},
			{Path: p("id"), Direction: AscNullsFirst},
		}},
		// Only a '[' or only a ']' is not a direction.
		{"a[", []OrderTerm{{Path: p("a["), Direction: AscNullsFirst}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseOrderBy(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseOrderByErrors(t *testing.T) {
	t.Parallel()
	const allowed = "Allowed values are 'AscNullsFirst', 'AscNullsLast', 'DescNullsFirst', 'DescNullsLast'. eg: ?order_by=field_1[AscNullsFirst],field_2[DescNullsLast],field_3"
	tests := []struct{ in, dir string }{
		{"fieldText[invalid]", "invalid"},
		{"a[asc]", "asc"},
		{"a[]", ""},
		{"a[toString]", "toString"},
		{"a[AscNullsFirst],b[Desc]", "Desc"},
		{"![invalid]", "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseOrderBy(tt.in)
			require.EqualError(t, err, "'order_by' direction '"+tt.dir+"' invalid. "+allowed)
		})
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"a[eq]:1", "or(a[eq]:1,and(b[in]:[1,2],not(c[is]:NULL)))", `a[eq]:"x,(y)"`,
		"and(a[eq]:1),or(b[eq]:2)", `a[eq]:"O'Brien"`, "a[in]:[", "not(", ")(", "a:b[c]:d]:e",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseFilter(s)
		if err != nil {
			var qe *Error
			if !assert.ErrorAs(t, err, &qe) || qe.Message == "" {
				t.Fatalf("error %v is not a *query.Error with a message", err)
			}
			return
		}
		// Whatever parsed must be a well-formed tree the evaluator accepts.
		checkTree(t, n)
		for _, rec := range []map[string]any{
			{"a": "x", "b": 1.0, "c": []any{"x"}},
			{"a": "2024-03-01T10:00:00.123Z", "b": "x", "c": nil, "d": true},
		} {
			if n.Match(rec) != n.Matcher()(rec) {
				t.Fatalf("Match and Matcher disagree on %v", rec)
			}
		}
		MentionsField(n, "deletedAt")
	})
}

func checkTree(t *testing.T, n Node) {
	t.Helper()
	if n.IsConjunction() {
		if len(n.Children) == 0 || n.Op == OpNot && len(n.Children) != 1 {
			t.Fatalf("conjunction %s with %d operands", n.Op, len(n.Children))
		}
		for _, k := range n.Children {
			checkTree(t, k)
		}
		return
	}
	if !isComparator(n.Op) || len(n.Path) == 0 {
		t.Fatalf("bad condition %+v", n)
	}
	if (n.Op == OpIn || n.Op == OpContainsAny) != (n.Values != nil) {
		t.Fatalf("values do not fit %s: %+v", n.Op, n)
	}
}

func FuzzParseOrderBy(f *testing.F) {
	for _, s := range []string{"a", "a[DescNullsLast],b.c", "a[", "a]b[", "[", ",", "company.name[AscNullsLast]", "company.address.addressCity[DescNullsFirst],id"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms, err := ParseOrderBy(s)
		if err != nil {
			return
		}
		for i, term := range terms {
			// A dotted path (a composite's sub-field or a relation's
			// field) keeps its segments in order.
			item := strings.Split(s, ",")[i]
			if strings.Contains(item, "[") && strings.Contains(item, "]") {
				item, _, _ = strings.Cut(item, "[")
			}
			if strings.Join(term.Path, ".") != item {
				t.Fatalf("path %q read as %q", item, term.Path)
			}
			switch term.Direction {
			case AscNullsFirst, AscNullsLast, DescNullsFirst, DescNullsLast:
			default:
				t.Fatalf("direction %q accepted", term.Direction)
			}
		}
		Compare(map[string]any{"id": "1"}, map[string]any{"id": "2"}, terms)
	})
}
