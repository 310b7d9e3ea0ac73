package twenty_test

import (
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/internal/query"
)

type stage string

type uuidLike [2]byte

func (u uuidLike) String() string { return "0102-id" }

func TestFilterString(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 3, 1, 11, 0, 0, 123_987_000, time.FixedZone("CET", 3600))
	f := twenty.Field
	tests := []struct {
		name   string
		filter twenty.Filter
		want   string
	}{
		{"string", f("city").Eq("Paris"), `city[eq]:"Paris"`},
		{"empty string", f("city").Eq(""), `city[eq]:""`},
		{"named string type", f("stage").Neq(stage("NEW")), `stage[neq]:"NEW"`},
		{"stringer", f("companyId").Eq(uuidLike{}), `companyId[eq]:"0102-id"`},
		{"int", f("employees").Gt(100), `employees[gt]:100`},
		{"negative int", f("employees").Gte(int8(-3)), `employees[gte]:-3`},
		{"uint", f("employees").Lt(uint64(math.MaxUint64)), `employees[lt]:18446744073709551615`},
		{"float", f("score").Lte(4.5), `score[lte]:4.5`},
		{"float32", f("score").Eq(float32(0.1)), `score[eq]:0.1`},
		{"big float", f("score").Eq(1e21), `score[eq]:1e+21`},
		{"large float plain", f("score").Eq(663000000.0), `score[eq]:663000000`},
		{"tiny float", f("score").Eq(1e-7), `score[eq]:1e-07`},
		{"json.Number", f("amount.amountMicros").Eq(json.Number("12.50")), `amount.amountMicros[eq]:12.50`},
		{"bool", f("idealCustomerProfile").Eq(true), `idealCustomerProfile[eq]:true`},
		{"time in UTC, ms", f("createdAt").Gte(at), `createdAt[gte]:2024-03-01T10:00:00.123Z`},
		{"like", f("name.lastName").Like("Pic%"), `name.lastName[like]:"Pic%"`},
		{"ilike", f("emails.primaryEmail").ILike("%@ACME.COM"), `emails.primaryEmail[ilike]:"%@ACME.COM"`},
		{"startsWith", f("city").StartsWith("Par"), `city[startsWith]:"Par"`},
		{"endsWith", f("city").EndsWith("is"), `city[endsWith]:"is"`},
		{"in strings", f("stage").In("NEW", stage("MEETING")), `stage[in]:["NEW","MEETING"]`},
		{"in numbers", f("employees").In(1, 2.5), `employees[in]:[1,2.5]`},
		{"containsAny", f("tags").ContainsAny("b2b"), `tags[containsAny]:["b2b"]`},
		{"is null", f("deletedAt").IsNull(), `deletedAt[is]:NULL`},
		{"is not null", f("deletedAt").IsNotNull(), `deletedAt[is]:NOT_NULL`},
		{"and of conditions is a comma list", twenty.And(f("a").Eq(1), f("b").Eq(2)), `a[eq]:1,b[eq]:2`},
		{"and of one", twenty.And(f("a").Eq(1)), `a[eq]:1`},
		{"nested and is flattened", twenty.And(twenty.And(f("a").Eq(1), f("b").Eq(2)), f("c").Eq(3)), `a[eq]:1,b[eq]:2,c[eq]:3`},
		{"and with a group", twenty.And(f("a").Eq(1), twenty.Or(f("b").Eq(2), f("c").Eq(3))), `and(a[eq]:1,or(b[eq]:2,c[eq]:3))`},
		{"or", twenty.Or(f("a").Eq(1), f("b").Eq(2)), `or(a[eq]:1,b[eq]:2)`},
		{"nested or is flattened", twenty.Or(f("a").Eq(1), twenty.Or(f("b").Eq(2), f("c").Eq(3))), `or(a[eq]:1,b[eq]:2,c[eq]:3)`},
		{"not", twenty.Not(f("a").Eq(1)), `not(a[eq]:1)`},
		{"not of and", twenty.Not(twenty.And(f("a").Eq(1), f("b").Eq(2))), `not(and(a[eq]:1,b[eq]:2))`},
		{"and with not", twenty.And(f("a").Eq(1), twenty.Not(f("b").Eq(2))), `and(a[eq]:1,not(b[eq]:2))`},
		// Quoting.
		{"comma and parentheses", f("name").Eq("Doe, John (Jr)"), `name[eq]:"Doe, John (Jr)"`},
		{"balanced double quotes", f("name").Eq(`say "hi", ok`), `name[eq]:"say "hi", ok"`},
		{"double quote and comma", f("name").Eq(`a"b,c"d`), `name[eq]:'a"b,c"d'`},
		{"both quotes", f("name").Eq(`it's "x"'`), `name[eq]:"it's "x"'"`},
		{"one of each quote", f("name").Eq(`a"b'c`), `name[eq]:"a"b'c'`},
		{"colon and brackets", f("name").Eq("a:[b]"), `name[eq]:"a:[b]"`},
		{"leading space", f("name").Eq(" x "), `name[eq]:" x "`},
		{"NULL is a plain string for eq", f("name").Eq("NULL"), `name[eq]:"NULL"`},
		{"list with one of each quote", f("name").In(`a"b'c`, `d`), `name[in]:["a"b'c',"d"]`},
		// An unmatched quote or bracket must come last, at every level.
		{"apostrophe", f("name.lastName").Eq("O'Brien"), `name.lastName[eq]:"O'Brien"`},
		{"apostrophe moved last",
			twenty.And(f("name.lastName").Eq("O'Brien"), f("city").Eq("Paris")),
			`city[eq]:"Paris",name.lastName[eq]:"O'Brien"`},
		{"apostrophe group moved last",
			twenty.Or(twenty.And(f("a").Eq(1), f("b").Eq("O'Brien")), f("c").Eq(2)),
			`or(c[eq]:2,and(a[eq]:1,b[eq]:"O'Brien"))`},
		{"apostrophe in a list", twenty.And(f("name").In("O'Brien", "Smith"), f("a").Eq(1)), `a[eq]:1,name[in]:["O'Brien","Smith"]`},
		{"two apostrophes in one list cancel", twenty.And(f("name").In("O'Brien", "D'Arcy"), f("a").Eq(1)), `name[in]:["O'Brien","D'Arcy"],a[eq]:1`},
		{"unmatched bracket", twenty.And(f("a").Eq("x]"), f("b").Eq(1)), `b[eq]:1,a[eq]:"x]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tt.filter.Err())
			assert.Equal(t, tt.want, tt.filter.String())
		})
	}
}

func TestFilterInvalid(t *testing.T) {
	t.Parallel()
	f := twenty.Field
	valid := f("a").Eq(1)
	var nilFilter twenty.Filter
	tests := []struct {
		name   string
		filter twenty.Filter
		msg    string // a fragment of the error
	}{
		{"empty path", f("").Eq(1), `field path ""`},
		{"space in path", f("a b").Eq(1), `field path "a b"`},
		{"empty segment", f("a..b").Eq(1), `field path "a..b"`},
		{"trailing dot", f("a.").IsNull(), `field path "a."`},
		{"leading digit", f("1a").Eq(1), `field path "1a"`},
		{"bracket in path", f("a[eq]").Eq(1), `field path "a[eq]"`},
		{"zero FieldRef", twenty.FieldRef{}.Eq(1), "empty field path"},
		{"nil value", f("a").Eq(nil), "use IsNull"},
		{"slice value", f("a").Eq([]string{"x"}), "unsupported value type []string"},
		{"map value", f("a").Eq(map[string]any{}), "unsupported value type"},
		{"NaN", f("a").Gt(math.NaN()), "not a finite number"},
		{"Inf", f("a").Gt(math.Inf(-1)), "not a finite number"},
		{"bad json.Number", f("a").Eq(json.Number("NaN")), "not a number"},
		{"time out of range", f("a").Eq(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)), "out of range"},
		{"newline", f("a").Eq("x\ny"), "line breaks"},
		{"carriage return", f("a").Like("x\r"), "line breaks"},
		{"line separator", f("a").Eq("x\u2028"), "line breaks"},
		{"unbalanced parenthesis", f("a").Eq("a(b"), "unbalanced parentheses"},
		{"smiley", f("a").Eq("ok :)"), "unbalanced parentheses"},
		{"parentheses in wrong order", f("a").Eq(")("), "closes before it opens"},
		{"unprotectable comma", f("a").Eq(`",'",'"`), "split the value at a comma"},
		{"closes before it opens", f("a").Eq(")x("), "closes before it opens"},
		{"invalid UTF-8", f("a").Eq("\xff"), "UTF-8"},
		{"NUL", f("a").Eq("a\x00"), "UTF-8"},
		{"empty in", f("a").In(), "at least one value"},
		{"comma in list", f("a").In("x,y"), "cannot contain ','"},
		{"bracket in list", f("a").ContainsAny("[x"), "cannot contain"},
		{"bad list element", f("a").In(1, nil), "use IsNull"},
		{"list parentheses", f("a").In(")", "("), "closes before it opens"},
		{"empty and", twenty.And(), "and needs at least one filter"},
		{"empty or", twenty.Or(), "or needs at least one filter"},
		{"nil in and", twenty.And(valid, nilFilter), "nil filter passed to and"},
		{"nil not", twenty.Not(nilFilter), "nil filter passed to not"},
		{"two unmatched quotes", twenty.And(f("a").Eq("O'Brien"), f("b").Eq("D'Arcy")), "more than one value"},
		{"two unmatched quotes deep", twenty.Or(twenty.Not(f("a").Eq("x]")), twenty.And(valid, f("b").Eq(`"`))), "more than one value"},
		{"error propagates through and", twenty.And(valid, f("").Eq(1)), `field path ""`},
		{"error propagates through or", twenty.Or(f("a").Eq(nil), valid), "use IsNull"},
		{"error propagates through not", twenty.Not(f("a").In()), "at least one value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.filter.Err()
			require.ErrorIs(t, err, twenty.ErrInvalidFilter)
			assert.Contains(t, err.Error(), tt.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "twenty: invalid filter: "), err.Error())
			// A forgotten Err check still cannot reach the database.
			assert.Equal(t, "!invalid", tt.filter.String())
			_, perr := query.ParseFilter(tt.filter.String())
			assert.Error(t, perr)
			// Nor can it hide inside a larger filter.
			assert.Equal(t, "!invalid", twenty.And(valid, tt.filter).String())
		})
	}
}

// Expected trees for the round trip, in query.Node terms.
func c(path, op, value string) query.Node {
	return query.Node{Op: op, Path: strings.Split(path, "."), Value: value}
}

func l(path, op string, values ...string) query.Node {
	return query.Node{Op: op, Path: strings.Split(path, "."), Values: values}
}

func g(op string, kids ...query.Node) query.Node { return query.Node{Op: op, Children: kids} }

// canon renders a tree with and/or operands sorted and single-operand and/or
// collapsed, so trees equal up to the builder's reordering compare equal.
func canon(n query.Node) string {
	if !n.IsConjunction() {
		if n.Values != nil {
			return strings.Join(n.Path, ".") + " " + n.Op + " " + strconv.Quote(strings.Join(n.Values, "\x00"))
		}
		return strings.Join(n.Path, ".") + " " + n.Op + " " + strconv.Quote(n.Value)
	}
	if n.Op != query.OpNot && len(n.Children) == 1 {
		return canon(n.Children[0])
	}
	kids := make([]string, len(n.Children))
	for i, k := range n.Children {
		kids[i] = canon(k)
	}
	if n.Op != query.OpNot {
		slices.Sort(kids)
	}
	return n.Op + "(" + strings.Join(kids, ", ") + ")"
}

func TestFilterRoundTrip(t *testing.T) {
	t.Parallel()
	f := twenty.Field
	at := time.Date(2024, 3, 1, 10, 0, 0, 5_000_000, time.UTC)
	tests := []struct {
		name   string
		filter twenty.Filter
		want   query.Node
	}{
		{"every comparator",
			twenty.And(
				f("a").Eq("x"), f("b").Neq(2), f("c").Gt(1.5), f("d").Gte(at), f("e").Lt(-1), f("f").Lte(true),
				f("g").Like("%x%"), f("h").ILike("X_"), f("i").StartsWith("p"), f("j").EndsWith("s"),
				f("k").In("x", 1), f("m").ContainsAny("t"), f("n").IsNull(), f("o").IsNotNull(),
			),
			g(query.OpAnd,
				c("a", "eq", "x"), c("b", "neq", "2"), c("c", "gt", "1.5"), c("d", "gte", "2024-03-01T10:00:00.005Z"),
				c("e", "lt", "-1"), c("f", "lte", "true"), c("g", "like", "%x%"), c("h", "ilike", "X_"),
				c("i", "startsWith", "p"), c("j", "endsWith", "s"), l("k", "in", "x", "1"), l("m", "containsAny", "t"),
				c("n", "is", "NULL"), c("o", "is", "NOT_NULL"),
			)},
		{"dotted paths",
			twenty.Or(f("name.firstName").Eq("Jo"), f("emails.primaryEmail").ILike("%@x.io")),
			g(query.OpOr, c("name.firstName", "eq", "Jo"), c("emails.primaryEmail", "ilike", "%@x.io"))},
		{"nesting",
			twenty.Or(twenty.And(f("a").Eq(1), twenty.Not(twenty.Or(f("b").Eq(2), f("c").Eq(3)))), twenty.Not(f("d").IsNull())),
			g(query.OpOr,
				g(query.OpAnd, c("a", "eq", "1"), g(query.OpNot, g(query.OpOr, c("b", "eq", "2"), c("c", "eq", "3")))),
				g(query.OpNot, c("d", "is", "NULL")))},
		{"awkward strings",
			twenty.And(
				f("a").Eq("Doe, John (Jr)"), f("b").Eq(`say "hi", ok`), f("c").Eq(`a"b,c"d`), f("d").Eq("f(x, g(y))"),
				f("e").Eq(`it's "x"'`), f("g").Eq("'quoted'"), f("h").Eq(`"`+`"`), f("i").Eq("and(x)"),
				f("j").Eq("[1,2]"), f("k").Eq(" "), f("m").Eq("%_\\"), f("n").In(`a"b'c`, "(", ")", ""),
				f("o").Eq("O'Brien"),
			),
			g(query.OpAnd,
				c("a", "eq", "Doe, John (Jr)"), c("b", "eq", `say "hi", ok`), c("c", "eq", `a"b,c"d`), c("d", "eq", "f(x, g(y))"),
				c("e", "eq", `it's "x"'`), c("g", "eq", "'quoted'"), c("h", "eq", `""`), c("i", "eq", "and(x)"),
				c("j", "eq", "[1,2]"), c("k", "eq", " "), c("m", "eq", "%_\\"), l("n", "in", `a"b'c`, "(", ")", ""),
				c("o", "eq", "O'Brien"),
			)},
		{"unmatched bracket deep inside",
			twenty.And(twenty.Or(f("a").Eq(1), twenty.Not(f("b").Eq("[x"))), f("c").Eq("y, z")),
			g(query.OpAnd, g(query.OpOr, c("a", "eq", "1"), g(query.OpNot, c("b", "eq", "[x"))), c("c", "eq", "y, z"))},
		{"field names that are conjunctions",
			twenty.And(f("and").Eq("(x)"), f("not").Eq(1), f("or").IsNull()),
			g(query.OpAnd, c("and", "eq", "(x)"), c("not", "eq", "1"), c("or", "is", "NULL"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tt.filter.Err())
			got, err := query.ParseFilter(tt.filter.String())
			require.NoError(t, err, tt.filter.String())
			assert.Equal(t, canon(tt.want), canon(got), tt.filter.String())
		})
	}
}

// TestFilterMatch runs builder filters through the fake's evaluator.
func TestFilterMatch(t *testing.T) {
	t.Parallel()
	f := twenty.Field
	rec := map[string]any{
		"name":      map[string]any{"firstName": "Seán", "lastName": "O'Brien"},
		"city":      "Paris, France",
		"employees": 120.0,
		"createdAt": "2024-03-01T10:00:00.123Z",
		"tags":      []any{"b2b"},
		"deletedAt": nil,
	}
	tests := []struct {
		filter twenty.Filter
		want   bool
	}{
		{twenty.And(f("name.lastName").Eq("O'Brien"), f("city").Eq("Paris, France")), true},
		{twenty.And(f("name.lastName").Eq("O'Brien"), f("city").Eq("Paris")), false},
		{f("createdAt").Eq(time.Date(2024, 3, 1, 11, 0, 0, 123_456_789, time.FixedZone("", 3600))), true},
		{f("createdAt").Gt(time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)), true},
		{twenty.Or(f("employees").Lt(100), f("tags").ContainsAny("b2b", "b2c")), true},
		{twenty.Not(f("city").ILike("paris%")), false},
		{f("deletedAt").IsNull(), true},
		{f("city").In("Paris", "Paris, France"), false}, // a comma in an In value is refused
	}
	for _, tt := range tests {
		s := tt.filter.String()
		n, err := query.ParseFilter(s)
		if tt.filter.Err() != nil {
			require.Error(t, err, s)
			continue
		}
		require.NoError(t, err, s)
		assert.Equal(t, tt.want, n.Match(rec), s)
	}
}

func TestOrderBy(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "", twenty.OrderBy())
	assert.Equal(t, "name.lastName[AscNullsFirst]", twenty.OrderBy(twenty.Asc("name.lastName")))
	assert.Equal(t, "createdAt[DescNullsLast]", twenty.OrderBy(twenty.Desc("createdAt")))
	assert.Equal(t, "a[AscNullsLast],b[DescNullsFirst],c[AscNullsFirst],d[DescNullsLast],e[AscNullsFirst]",
		twenty.OrderBy(
			twenty.Asc("a").NullsLast(),
			twenty.Desc("b").NullsFirst(),
			twenty.Asc("c").NullsLast().NullsFirst(),
			twenty.Order{Field: "d", Direction: twenty.DescNullsLast},
			twenty.Order{Field: "e"},
		))

	got, err := query.ParseOrderBy(twenty.OrderBy(twenty.Desc("amount.amountMicros").NullsFirst(), twenty.Asc("id")))
	require.NoError(t, err)
	assert.Equal(t, []query.OrderTerm{
		{Path: []string{"amount", "amountMicros"}, Direction: query.DescNullsFirst},
		{Path: []string{"id"}, Direction: query.AscNullsFirst},
	}, got)

	for _, o := range []twenty.Order{
		twenty.Asc(""), twenty.Asc("a,b"), twenty.Desc("a[x]"), twenty.Asc("a..b"),
		{Field: "a", Direction: "Asc"}, {Field: "a", Direction: "toString"},
	} {
		require.ErrorIs(t, o.Err(), twenty.ErrInvalidOrder, "%+v", o)
		assert.Equal(t, "![invalid]", o.String())
		s := twenty.OrderBy(twenty.Asc("ok"), o)
		assert.Equal(t, "![invalid]", s)
		_, err := query.ParseOrderBy(s)
		assert.Error(t, err, "%+v", o)
	}
}

var fuzzOps = []string{"eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "startsWith", "endsWith", "in", "containsAny", "is NULL", "is NOT_NULL"}

func build(ref twenty.FieldRef, op string, v any) twenty.Filter {
	switch op {
	case "eq":
		return ref.Eq(v)
	case "neq":
		return ref.Neq(v)
	case "gt":
		return ref.Gt(v)
	case "gte":
		return ref.Gte(v)
	case "lt":
		return ref.Lt(v)
	case "lte":
		return ref.Lte(v)
	case "is NULL":
		return ref.IsNull()
	case "is NOT_NULL":
		return ref.IsNotNull()
	}
	vs, _ := v.([]any)
	s, _ := v.(string)
	switch op {
	case "like":
		return ref.Like(s)
	case "ilike":
		return ref.ILike(s)
	case "startsWith":
		return ref.StartsWith(s)
	case "endsWith":
		return ref.EndsWith(s)
	case "in":
		return ref.In(vs...)
	}
	return ref.ContainsAny(vs...)
}

// squeeze maps fuzz bytes onto the characters that matter to the server's
// splitter, keeping \x1f as the list separator of the fuzz target.
func squeeze(s string) string {
	const alphabet = `,()"'[]x:% `
	b := []byte(s)
	for i, c := range b {
		if c != 0x1f {
			b[i] = alphabet[int(c)%len(alphabet)]
		}
	}
	return string(b)
}

var (
	plainPath  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
	plainValue = regexp.MustCompile(`^[^,()"'\[\]\n\r\x00\x{2028}\x{2029}]*$`)
)

// FuzzBuilderRoundTrip builds one comparison from fuzz input, checks that
// the server's grammar reads back the same path, operator and value, alone
// and nested among other operands, and that refusals are justified.
func FuzzBuilderRoundTrip(fz *testing.F) {
	fz.Add("city", uint8(0), "Paris", uint8(0), int64(0))
	fz.Add("name.lastName", uint8(0), "O'Brien", uint8(0), int64(0))
	fz.Add("company.name", uint8(0), "Acme", uint8(0), int64(0))
	fz.Add("company.address.addressCity", uint8(1), "Paris", uint8(0), int64(0))
	fz.Add("a", uint8(10), "x\x1fy,z\x1f'", uint8(0), int64(0))
	fz.Add("a", uint8(6), `a"b,c"d`, uint8(0), int64(0))
	fz.Add("n", uint8(2), "", uint8(1), int64(-42))
	fz.Add("n", uint8(3), "", uint8(2), int64(0x3ff0000000000001))
	fz.Add("t", uint8(4), "", uint8(3), int64(1700000000123))
	fz.Add("b", uint8(0), "", uint8(4), int64(1))
	fz.Add("a b", uint8(12), "", uint8(0), int64(0))
	fz.Add("a", uint8(0), "\x00\x01\x02\x03\x04\x05", uint8(0), int64(1))
	fz.Add("a", uint8(10), "\x03\x1f\x04\x1f\x01\x02", uint8(0), int64(1))
	fz.Fuzz(func(t *testing.T, path string, opIdx uint8, sv string, kind uint8, n int64) {
		op := fuzzOps[int(opIdx)%len(fuzzOps)]
		if n&1 == 1 {
			sv = squeeze(sv)
		}
		var (
			v        any = sv
			want         = sv
			wantList []string
			isFloat  bool
		)
		switch op {
		case "is NULL", "is NOT_NULL":
			want = strings.TrimPrefix(op, "is ")
		case "in", "containsAny":
			wantList = strings.Split(sv, "\x1f")
			vs := make([]any, len(wantList))
			for i, e := range wantList {
				vs[i] = e
			}
			v = vs
		case "like", "ilike", "startsWith", "endsWith":
		default:
			switch kind % 5 {
			case 1:
				v, want = n, strconv.FormatInt(n, 10)
			case 2:
				v, isFloat = math.Float64frombits(uint64(n)), true
			case 3:
				tm := time.UnixMilli(n).UTC()
				v, want = tm, tm.Format("2006-01-02T15:04:05.000Z")
			case 4:
				v, want = n%2 == 0, strconv.FormatBool(n%2 == 0)
			}
		}
		// The path as an order: a dotted one (a composite's sub-field, a
		// relation's field such as company.name) reads back whole.
		if ord := twenty.Desc(path).NullsFirst(); ord.Err() == nil {
			terms, err := query.ParseOrderBy(twenty.OrderBy(ord))
			require.NoError(t, err)
			require.Len(t, terms, 1)
			require.Equal(t, strings.Split(path, "."), terms[0].Path)
			require.Equal(t, query.DescNullsFirst, terms[0].Direction)
		}
		leaf := build(twenty.Field(path), op, v)

		if err := leaf.Err(); err != nil {
			require.ErrorIs(t, err, twenty.ErrInvalidFilter)
			require.Equal(t, "!invalid", leaf.String())
			_, perr := query.ParseFilter(leaf.String())
			require.Error(t, perr)
			_, isString := v.(string)
			if !isString || !plainPath.MatchString(path) {
				return
			}
			// Plain text is never refused, and other text only when no
			// token the server could strip back to it survives parsing.
			if utf8.ValidString(sv) && plainValue.MatchString(sv) {
				t.Fatalf("refused a plain filter: %v", err)
			}
			if !utf8.ValidString(sv) || strings.ContainsRune(sv, 0) {
				return
			}
			for _, tok := range []string{sv, `"` + sv + `"`, `'` + sv + `'`, `"` + sv + `'`, `'` + sv + `"`} {
				got, perr := query.ParseFilter(path + "[" + strings.SplitN(op, " ", 2)[0] + "]:" + tok)
				if perr == nil && len(got.Children) == 1 && got.Children[0].Value == sv {
					t.Fatalf("refused %q (%v), but %s reads back", sv, err, tok)
				}
			}
			return
		}
		s := leaf.String()
		got, err := query.ParseFilter(s)
		require.NoError(t, err, s)
		require.Equal(t, query.OpAnd, got.Op, s)
		require.Len(t, got.Children, 1, s)
		cnd := got.Children[0]
		require.Equal(t, strings.Split(path, "."), cnd.Path, s)
		require.Equal(t, strings.SplitN(op, " ", 2)[0], cnd.Op, s)
		switch {
		case wantList != nil:
			require.Equal(t, wantList, cnd.Values, s)
		case isFloat:
			back, err := strconv.ParseFloat(cnd.Value, 64)
			require.NoError(t, err, s)
			require.Equal(t, v, back, s) // exact: no precision lost
		default:
			require.Equal(t, want, cnd.Value, s)
		}

		// The same comparison among siblings, at several depths.
		other, otherNode := twenty.Field("zz").Eq("p, q"), c("zz", "eq", "p, q")
		for _, tc := range []struct {
			f    twenty.Filter
			want query.Node
		}{
			{twenty.And(leaf, other, twenty.Field("yy").In("r", "s")),
				g(query.OpAnd, cnd, otherNode, l("yy", "in", "r", "s"))},
			{twenty.Or(twenty.Not(leaf), twenty.And(other, twenty.Field("xx").IsNull())),
				g(query.OpOr, g(query.OpNot, cnd), g(query.OpAnd, otherNode, c("xx", "is", "NULL")))},
			{twenty.And(twenty.Or(other, leaf), twenty.Not(other)),
				g(query.OpAnd, g(query.OpOr, otherNode, cnd), g(query.OpNot, otherNode))},
		} {
			require.NoError(t, tc.f.Err())
			s := tc.f.String()
			parsed, err := query.ParseFilter(s)
			require.NoError(t, err, s)
			require.Equal(t, canon(tc.want), canon(parsed), s)
		}
	})
}

func TestRawFilter(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"city[eq]:Paris", `city[eq]:"Paris"`},
		{"employees[gt]:100,deletedAt[is]:NULL", `employees[gt]:"100",deletedAt[is]:NULL`},
		{`or(stage[in]:[NEW,MEETING],name.lastName[eq]:"O'Brien")`, `or(stage[in]:["NEW","MEETING"],name.lastName[eq]:"O'Brien")`},
		// The server reads this as one condition, the apostrophe swallowing
		// the comma; RawFilter keeps the server's reading.
		{`or(name.lastName[eq]:"O'Brien",stage[in]:[NEW,MEETING])`, `name.lastName[eq]:""O'Brien",stage[in]:[NEW,MEETING]"`},
		{"not(a[like]:%x%)", `not(a[like]:"%x%")`},
	}
	for _, tt := range tests {
		f := twenty.RawFilter(tt.in)
		require.NoError(t, f.Err(), tt.in)
		assert.Equal(t, tt.want, f.String(), tt.in)
	}

	// A top-level comma list stays one operand when combined.
	f := twenty.Or(twenty.RawFilter("a[eq]:1,b[eq]:2"), twenty.Field("c").Eq(3))
	assert.Equal(t, `or(and(a[eq]:"1",b[eq]:"2"),c[eq]:3)`, f.String())

	// Syntax errors carry the server's message.
	for in, msg := range map[string]string{
		"x":          "twenty: invalid filter: 'filter' invalid for 'x'. eg: price[gte]:10",
		"a[eq]:1)":   "twenty: invalid filter: 'filter' invalid. 1 open bracket is missing in the query",
		"a[foo]:1":   "twenty: invalid filter: 'filter' invalid for 'a[foo]:1', comparator foo not in eq, neq, in, containsAny, is, gt, gte, lt, lte, startsWith, endsWith, like, ilike",
		".a[eq]:1":   `twenty: invalid filter: field path ".a": want identifiers separated by dots`,
		"a[in]:1":    "twenty: invalid filter: 'filter' invalid for 'in' operator. Received '1' but array value expected eg: 'field[in]:[value_1,value_2]'",
		"a[is]:null": `twenty: invalid filter: Invalid filter value for "is" operator. Expected "NULL" or "NOT_NULL"`,
	} {
		f := twenty.RawFilter(in)
		require.ErrorIs(t, f.Err(), twenty.ErrInvalidFilter, in)
		assert.EqualError(t, f.Err(), msg, in)
		assert.Equal(t, "!invalid", f.String())
	}
}

// FuzzRawFilter re-encodes whatever the server's grammar accepts: the
// builder either refuses it or renders a filter with the same meaning.
func FuzzRawFilter(fz *testing.F) {
	for _, s := range []string{
		"a[eq]:1", `or(a[eq]:"x, y",and(b[in]:["p",q],not(c[is]:NULL)))`, `a[eq]:"O'Brien"`,
		`a[in]:["x,y"]`, "and(a[eq]:1),or(b[eq]:2)", "a[eq]:f(x,y)", `a[like]:'%"%'`,
	} {
		fz.Add(s)
	}
	fz.Fuzz(func(t *testing.T, s string) {
		want, err := query.ParseFilter(s)
		if err != nil {
			return
		}
		f := twenty.RawFilter(s)
		if f.Err() != nil {
			require.ErrorIs(t, f.Err(), twenty.ErrInvalidFilter)
			require.Equal(t, "!invalid", f.String())
			return
		}
		got, err := query.ParseFilter(f.String())
		require.NoError(t, err, f.String())
		require.Equal(t, canon(want), canon(got), "%s -> %s", s, f.String())
	})
}
