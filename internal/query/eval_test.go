package query

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	rec := map[string]any{
		"id":                   "20202020-0000-4000-8000-000000000001",
		"city":                 "Paris",
		"empty":                "",
		"nothing":              nil,
		"employees":            120.0,
		"score":                json.Number("4.5"),
		"count":                7, // records built in Go rather than decoded
		"idealCustomerProfile": true,
		"createdAt":            "2024-03-01T10:00:00.123Z",
		"birthday":             "1990-05-17",
		"tags":                 []any{"b2b", "saas"},
		"noTags":               []any{},
		"name":                 map[string]any{"firstName": "Jean-Luc", "lastName": "Picard"},
		"emails":               map[string]any{"primaryEmail": "jl@enterprise.space", "additionalEmails": nil},
		"deletedAt":            nil,
	}
	tests := []struct {
		filter string
		want   bool
	}{
		// eq / neq on each JSON type.
		{"city[eq]:Paris", true},
		{`city[eq]:"Paris"`, true},
		{"city[eq]:paris", false},
		{"city[neq]:Lyon", true},
		{"city[neq]:Paris", false},
		{"employees[eq]:120", true},
		{"employees[eq]:120.0", true},
		{"employees[eq]:abc", false},
		{"score[gt]:4", true},
		{"count[lte]:7", true},
		{"count[lt]:7", false},
		{"idealCustomerProfile[eq]:true", true},
		{"idealCustomerProfile[eq]:TRUE", true},
		{"idealCustomerProfile[eq]:yes", false}, // anything but "true" is false
		{"idealCustomerProfile[neq]:false", true},
		// Ordering: numbers numerically, strings bytewise.
		{"employees[gt]:99", true}, // lexically "120" < "99"
		{"employees[gte]:120", true},
		{"employees[lt]:120", false},
		{"city[gt]:Lyon", true},
		{"city[lt]:Lyon", false},
		{"birthday[gte]:1990-05-17", true},
		{"birthday[lt]:1990-05-18", true},
		// Date-times chronologically, with the server's millisecond windows.
		{"createdAt[eq]:2024-03-01T10:00:00.123Z", true},
		{"createdAt[eq]:2024-03-01T11:00:00.123+01:00", true},
		{"createdAt[eq]:2024-03-01T10:00:00.122Z", false},
		{"createdAt[eq]:2024-03-01T10:00:00.1225Z", true},
		{"createdAt[neq]:2024-03-01T10:00:00.123Z", false},
		{"createdAt[gt]:2024-03-01T10:00:00.123Z", false},
		{"createdAt[gt]:2024-03-01T10:00:00.122Z", true},
		{"createdAt[gte]:2024-03-01T10:00:00.123Z", true},
		{"createdAt[lt]:2024-03-01T10:00:00.123Z", false},
		{"createdAt[lte]:2024-03-01T10:00:00.123Z", true},
		{"createdAt[lt]:2024-03-02", true},
		{"createdAt[gt]:2024-03-01", true},
		{"createdAt[gt]:2024-03-01T09:00:00", true},
		// Composite sub-fields by path.
		{"name.firstName[eq]:Jean-Luc", true},
		{"name.lastName[startsWith]:Pic", true},
		{"name.lastName[startsWith]:pic", false},
		{"name.lastName[endsWith]:card", true},
		{"emails.primaryEmail[ilike]:%@ENTERPRISE%", true},
		{"emails.primaryEmail[like]:%@ENTERPRISE%", false},
		{"emails.primaryEmail[like]:jl@_nterprise.space", true},
		{"emails.primaryEmail[like]:jl@nterprise.space", false},
		{"name.missing[eq]:x", false},
		{"city.sub[eq]:x", false},
		// like on numbers uses their text form.
		{"employees[like]:12%", true},
		{`city[like]:Par\%`, false},
		// in
		{"city[in]:[Lyon,Paris]", true},
		{`city[in]:["Lyon","Nice"]`, false},
		{"employees[in]:[1,120]", true},
		// containsAny
		{"tags[containsAny]:[saas,fintech]", true},
		{"tags[containsAny]:[fintech]", false},
		{"noTags[containsAny]:[saas]", false},
		{"city[containsAny]:[Paris]", false},
		// is NULL / NOT_NULL with null equivalence.
		{"nothing[is]:NULL", true},
		{"absent[is]:NULL", true},
		{"empty[is]:NULL", true},
		{"noTags[is]:NULL", true},
		{"emails.additionalEmails[is]:NULL", true},
		{"city[is]:NULL", false},
		{"city[is]:NOT_NULL", true},
		{"empty[is]:NOT_NULL", false},
		{"nothing[is]:NOT_NULL", false},
		{"employees[is]:NOT_NULL", true},
		// eq "" matches null; other comparisons with null are unknown.
		{`nothing[eq]:""`, true},
		{`empty[eq]:""`, true},
		{`nothing[neq]:""`, false},
		{"nothing[eq]:x", false},
		{"nothing[neq]:x", false},
		{"not(nothing[eq]:x)", false},
		{"not(nothing[neq]:x)", false},
		{"nothing[gt]:1", false},
		{"nothing[in]:[a]", false},
		{"nothing[startsWith]:a", false},
		// Conjunctions with three-valued logic.
		{"city[eq]:Paris,employees[gt]:100", true},
		{"city[eq]:Paris,employees[gt]:200", false},
		{"or(city[eq]:Lyon,employees[gt]:100)", true},
		{"or(city[eq]:Lyon,employees[gt]:200)", false},
		{"or(nothing[eq]:x,city[eq]:Paris)", true},
		{"not(or(nothing[eq]:x,city[eq]:Lyon))", false}, // not(unknown or false) = unknown
		{"not(and(nothing[eq]:x,city[eq]:Lyon))", true}, // not(unknown and false) = true
		{"not(city[eq]:Lyon)", true},
		{"not(not(city[eq]:Paris))", true},
		{"and(or(city[eq]:Lyon,not(tags[containsAny]:[x])),employees[gte]:120)", true},
		{"deletedAt[is]:NULL", true},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			t.Parallel()
			n, err := ParseFilter(tt.filter)
			require.NoError(t, err)
			assert.Equal(t, tt.want, n.Match(rec))
			assert.Equal(t, tt.want, n.Matcher()(rec), "the prepared matcher agrees")
		})
	}
}

func TestLike(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"", "", false, true},
		{"", "a", false, false},
		{"%", "", false, true},
		{"%", "anything", false, true},
		{"a%", "abc", false, true},
		{"%c", "abc", false, true},
		{"%b%", "abc", false, true},
		{"a_c", "abc", false, true},
		{"a_c", "ac", false, false},
		{"a%b%c", "axxbyyc", false, true},
		{"a%b%c", "axxcyyb", false, false},
		{"%aab", "aaaab", false, true},
		{`100\%`, "100%", false, true},
		{`100\%`, "1000", false, false},
		{`a\_b`, "a_b", false, true},
		{`a\_b`, "axb", false, false},
		{`a\\b`, `a\b`, false, true},
		{"ÉTÉ%", "été indien", true, true},
		{"_té", "été", false, true},
		{"ABC", "abc", false, false},
		{"ABC", "abc", true, true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, like(tt.pattern, tt.s, tt.fold), "%q like %q fold=%v", tt.s, tt.pattern, tt.fold)
	}
}

func TestMentionsField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		filter string
		want   bool
	}{
		{"deletedAt[is]:NOT_NULL", true},
		{"city[eq]:x", false},
		{"or(city[eq]:x,not(deletedAt[gt]:2024-01-01))", true},
		{"deletedAtX[eq]:1", false},
		{"name.deletedAt[eq]:1", false},
		{"deletedAt.x[eq]:1", true},
	}
	for _, tt := range tests {
		n, err := ParseFilter(tt.filter)
		require.NoError(t, err)
		assert.Equal(t, tt.want, MentionsField(n, "deletedAt"), tt.filter)
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	recs := []map[string]any{
		{"id": "4", "name": map[string]any{"lastName": "B"}, "n": 2.0, "at": "2024-01-01T00:00:00.000Z"},
		{"id": "1", "name": map[string]any{"lastName": nil}, "n": nil, "at": "2023-12-31T23:00:00.000-02:00"},
		{"id": "3", "name": map[string]any{"lastName": "A"}, "n": 10.0},
		{"id": "2", "name": map[string]any{"lastName": "A"}, "n": 2.0, "at": "2024-01-01T00:00:00.001Z"},
		{"id": "5", "n": json.Number("-1"), "name": map[string]any{"lastName": ""}},
	}
	order := func(spec string) string {
		terms, err := ParseOrderBy(spec)
		require.NoError(t, err)
		sorted := slices.Clone(recs)
		slices.SortFunc(sorted, func(a, b map[string]any) int { return Compare(a, b, terms) })
		ids := make([]string, len(sorted))
		for i, r := range sorted {
			ids[i] = r["id"].(string)
		}
		return strings.Join(ids, "")
	}
	assert.Equal(t, "12345", order(""))
	// Numbers numerically (10 after 2), ties broken by id.
	assert.Equal(t, "15243", order("n"))
	assert.Equal(t, "15243", order("n[AscNullsFirst]"))
	assert.Equal(t, "52431", order("n[AscNullsLast]"))
	assert.Equal(t, "13245", order("n[DescNullsFirst]"))
	assert.Equal(t, "32451", order("n[DescNullsLast]"))
	// "" is a string, not a null.
	assert.Equal(t, "15234", order("name.lastName"))
	assert.Equal(t, "52341", order("name.lastName[AscNullsLast]"))
	assert.Equal(t, "42351", order("name.lastName[DescNullsLast],n"))
	assert.Equal(t, "43251", order("name.lastName[DescNullsLast],n[DescNullsLast]"))
	// Date-times chronologically: 2023-12-31T23:00-02:00 is after 2024-01-01T00:00Z.
	assert.Equal(t, "35421", order("at[AscNullsFirst]"))
	assert.Equal(t, "12435", order("at[DescNullsLast]"))
	// Explicit id order wins over the implicit tie-breaker.
	assert.Equal(t, "54321", order("id[DescNullsLast]"))
}
