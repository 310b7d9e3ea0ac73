package twentytest_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/twentytest"
)

func list(t *testing.T, s *twentytest.Server, plural string, q url.Values) resp {
	t.Helper()
	path := "/rest/" + plural
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return do(t, s, "GET", path, nil)
}

func ids(r resp, plural string) []string {
	var out []string
	recs, _ := at(r.body, "data", plural).([]any)
	for _, rec := range recs {
		out = append(out, at(rec, "id").(string))
	}
	return out
}

func firstNames(r resp) []string {
	var out []string
	recs, _ := at(r.body, "data", "people").([]any)
	for _, rec := range recs {
		out = append(out, at(rec, "name", "firstName").(string))
	}
	sort.Strings(out)
	return out
}

// One test per comparator, through the HTTP API, on the seed.
func TestFilterComparators(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	cases := []struct {
		filter string
		want   []string // first names, sorted
	}{
		{"name.firstName[eq]:Maya", []string{"Maya"}},
		{"companyId[neq]:" + acme + ",city[eq]:Rotterdam", []string{"Anouk", "Pieter"}},
		{"city[in]:[Oslo,Bergen]", []string{"Erik", "Ingrid"}},
		{`name.firstName[in]:["Tom","Grace"]`, []string{"Grace", "Tom"}},
		{"companyId[is]:NULL", []string{"Alex"}},
		{"name.lastName[startsWith]:Ja", []string{"Anouk"}},
		{"name.lastName[endsWith]:sen", []string{"Anouk", "Erik"}},
		{"emails.primaryEmail[like]:%@deltafin.eu", []string{"Camille", "Hugo"}},
		{"emails.primaryEmail[like]:%@DELTAFIN.eu", nil},
		{"emails.primaryEmail[ilike]:%@DELTAFIN.EU", []string{"Camille", "Hugo"}},
		{"createdAt[lt]:2025-01-06T23:00:00.000Z", []string{"Maya", "Daniel", "Sofia"}},
		{"createdAt[lte]:2025-01-07T01:00:00.000Z,createdAt[gte]:2025-01-07T00:00:00Z", []string{"Anouk", "Lucas"}},
		{"createdAt[gt]:2025-01-07T09:00:00.000Z", []string{"Alex", "Alex", "Jonas", "Lena", "Lucía", "Mateo"}},
		{"or(city[eq]:Oslo,city[eq]:Madrid)", []string{"Ingrid", "Lucía"}},
		{"and(city[eq]:Berlin,not(name.firstName[eq]:Alex))", []string{"Lena"}},
		{"not(companyId[is]:NOT_NULL)", []string{"Alex"}},
		{"phones.primaryPhoneCallingCode[eq]:+47", []string{"Erik", "Ingrid"}},
	}
	for _, tc := range cases {
		t.Run(tc.filter, func(t *testing.T) {
			r := list(t, s, "people", url.Values{"filter": {tc.filter}})
			require.Equal(t, 200, r.status, string(r.raw))
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			assert.Equal(t, want, firstNames(r))
			assert.Equal(t, json.Number(fmt.Sprint(len(want))), at(r.body, "totalCount"))
		})
	}
}

func TestFilterOnNumbersBooleansAndSelects(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	for filter, want := range map[string]int{
		"employees[gte]:500":            3,
		"employees[lt]:50":              2,
		"idealCustomerProfile[eq]:true": 4,
		"annualRecurringRevenue.amountMicros[gt]:50000000000000": 3,
		"address.addressCountry[eq]:United States":               3,
	} {
		assert.Equal(t, want, totalCount(t, s, "/rest/companies?filter="+url.QueryEscape(filter)), filter)
	}
	assert.Equal(t, 2, totalCount(t, s, "/rest/opportunities?filter="+url.QueryEscape("stage[eq]:MEETING")))
	assert.Equal(t, 3, totalCount(t, s, "/rest/opportunities?filter="+url.QueryEscape("stage[in]:[NEW,SCREENING,CUSTOMER]")))
}

func TestFilterErrors(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	for filter, want := range map[string]string{
		"name.firstName[eq]Maya":     "'filter' invalid for 'name.firstName[eq]Maya'. eg: price[gte]:10",
		"city[equals]:x":             "comparator equals not in",
		"and(city[eq]:x":             "'filter' invalid. 1 close bracket is missing in the query",
		"city[in]:Oslo":              "array value expected",
		"nope[eq]:1":                 `Object person doesn't have any "nope" field.`,
		"name.middle[eq]:1":          `Object person doesn't have any "name.middle" field.`,
		"not(city[eq]:a,city[eq]:b)": "'not' conjunction should contain only 1 condition",
	} {
		r := list(t, s, "people", url.Values{"filter": {filter}})
		assert.Equal(t, 400, r.status, filter)
		assert.Contains(t, message(r), want, filter)
	}
}

func TestOrderBy(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := list(t, s, "companies", url.Values{"order_by": {"employees[DescNullsLast]"}, "limit": {"3"}})
	require.Equal(t, 200, r.status, string(r.raw))
	var names []string
	for _, c := range at(r.body, "data", "companies").([]any) {
		names = append(names, at(c, "name").(string))
	}
	assert.Equal(t, []string{"Blue Harbor Logistics", "Evergreen Health", "Helios Energy"}, names)

	// The two Alex Martins tie on name: id breaks the tie.
	r = list(t, s, "people", url.Values{"order_by": {"name.firstName,name.lastName[AscNullsLast]"}, "limit": {"2"}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, []string{twentytest.SeedID("person", 19), twentytest.SeedID("person", 20)}, ids(r, "people"))

	for q, want := range map[string]string{
		"name":               "composite",
		"city[Sideways]":     "'order_by' direction 'Sideways' invalid",
		"nope[AscNullsLast]": `doesn't have any "nope" field`,
	} {
		r := list(t, s, "people", url.Values{"order_by": {q}})
		assert.Equal(t, 400, r.status, q)
		assert.Contains(t, message(r), want, q)
	}
}

func TestLimit(t *testing.T) {
	t.Parallel()
	// limit=500 breaks the spec's maximum but the server clamps it.
	s := twentytest.NewServer(t, twentytest.WithSeed(false), twentytest.AllowOffSpecRequests())
	batch := make([]any, 200)
	for i := range batch {
		batch[i] = map[string]any{"title": fmt.Sprint(i)}
	}
	for range 2 {
		require.Equal(t, 201, do(t, s, "POST", "/rest/batch/notes", batch).status)
	}
	count := func(q string) int {
		r := do(t, s, "GET", "/rest/notes"+q, nil)
		require.Equal(t, 200, r.status, string(r.raw))
		return len(at(r.body, "data", "notes").([]any))
	}
	assert.Equal(t, 60, count(""), "default")
	assert.Equal(t, 7, count("?limit=7"))
	assert.Equal(t, 200, count("?limit=200"))
	assert.Equal(t, 200, count("?limit=500"), "silently clamped")
	assert.Equal(t, 0, count("?limit=0"))
	assert.Len(t, s.Violations(), 1, "the clamped request is still noted as off-spec")
	for _, bad := range []string{"-1", "abc", "NaN", "1.5"} {
		r := do(t, s, "GET", "/rest/notes?limit="+bad, nil)
		assert.Equal(t, 400, r.status, bad)
		assert.Equal(t, "limit '"+bad+"' is invalid. Should be an integer", message(r))
	}
}

func TestLimitAboveMaximumFailsByDefault(t *testing.T) {
	t.Parallel()
	ft := &fakeT{TB: t}
	s := twentytest.NewServer(ft)
	r := do(t, s, "GET", "/rest/notes?limit=500", nil)
	assert.Equal(t, 200, r.status)
	require.Len(t, ft.errors(), 1)
	assert.Contains(t, ft.errors()[0], "accepted a request that breaks openapi.yaml")
}

// walk pages through people with the given order, forwards with
// starting_after or backwards with ending_before, and returns the ids seen.
func walk(t *testing.T, s *twentytest.Server, orderBy string, limit int, backwards bool) (seen []string, pages int) {
	t.Helper()
	cursor := ""
	for {
		q := url.Values{"limit": {fmt.Sprint(limit)}}
		if orderBy != "" {
			q.Set("order_by", orderBy)
		}
		if cursor != "" {
			if backwards {
				q.Set("ending_before", cursor)
			} else {
				q.Set("starting_after", cursor)
			}
		}
		r := list(t, s, "people", q)
		require.Equal(t, 200, r.status, string(r.raw))
		pages++
		page := ids(r, "people")
		assert.Equal(t, json.Number("20"), at(r.body, "totalCount"), "totalCount counts every match")
		info := at(r.body, "pageInfo").(map[string]any)
		if backwards {
			seen = append(page, seen...)
		} else {
			seen = append(seen, page...)
		}
		more, other := info["hasNextPage"], info["hasPreviousPage"]
		if backwards {
			more, other = other, more
		}
		if !backwards {
			// 2.x sets the flag of the other direction too.
			assert.Equal(t, len(seen) > len(page), other, "hasPreviousPage")
		}
		if len(page) == 0 {
			assert.Nil(t, info["startCursor"])
			assert.Nil(t, info["endCursor"])
		}
		if more != true {
			return seen, pages
		}
		if backwards {
			cursor = info["startCursor"].(string)
		} else {
			cursor = info["endCursor"].(string)
		}
		require.Less(t, pages, 50)
	}
}

func TestCursorWalks(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	for _, orderBy := range []string{"", "name.firstName[DescNullsLast]", "city[AscNullsFirst],jobTitle[DescNullsFirst]", "createdAt[DescNullsLast]"} {
		t.Run("order "+orderBy, func(t *testing.T) {
			all := list(t, s, "people", url.Values{"order_by": {orderBy}, "limit": {"200"}})
			want := ids(all, "people")
			require.Len(t, want, 20)
			got, pages := walk(t, s, orderBy, 6, false)
			assert.Equal(t, want, got, "forwards, every record once, in order")
			assert.Equal(t, 4, pages)

			// Backwards from the end: start before a cursor past the last
			// record, i.e. the last record's own cursor, then prepend it.
			last := list(t, s, "people", url.Values{"order_by": {orderBy}, "limit": {"1"},
				"starting_after": {at(all.body, "pageInfo", "endCursor").(string)}})
			assert.Empty(t, ids(last, "people"))
			r := list(t, s, "people", url.Values{"order_by": {orderBy}, "limit": {"7"},
				"ending_before": {at(all.body, "pageInfo", "endCursor").(string)}})
			require.Equal(t, 200, r.status, string(r.raw))
			assert.Equal(t, want[12:19], ids(r, "people"))
			assert.Equal(t, true, at(r.body, "pageInfo", "hasPreviousPage"))
			assert.Equal(t, true, at(r.body, "pageInfo", "hasNextPage"), "the last record follows")
		})
	}
}

func TestCursorWalkBackwards(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	all := ids(list(t, s, "people", url.Values{"limit": {"200"}}), "people")
	// Start from the last record's cursor and page back to the first.
	cursor := at(list(t, s, "people", url.Values{"limit": {"200"}}).body, "pageInfo", "endCursor").(string)
	var seen []string
	pages := 0
	for {
		r := list(t, s, "people", url.Values{"limit": {"6"}, "ending_before": {cursor}})
		require.Equal(t, 200, r.status)
		pages++
		seen = append(ids(r, "people"), seen...)
		if at(r.body, "pageInfo", "hasPreviousPage") != true {
			break
		}
		cursor = at(r.body, "pageInfo", "startCursor").(string)
	}
	assert.Equal(t, all[:19], seen, "every record before the last, once, in order")
	assert.Equal(t, 4, pages)
}

func TestCursorFormatAndErrors(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := list(t, s, "people", url.Values{"limit": {"1"}, "order_by": {"name.firstName"}})
	cur := at(r.body, "pageInfo", "endCursor").(string)
	raw, err := base64Decode(cur)
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":{"firstName":"Alex"},"id":"`+twentytest.SeedID("person", 19)+`"}`, string(raw))

	r = list(t, s, "people", url.Values{"starting_after": {cur}, "ending_before": {cur}})
	assert.Equal(t, 400, r.status)
	r = list(t, s, "people", url.Values{"starting_after": {"%%%"}})
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "Invalid cursor: %%%", message(r))

	// The generated client percent-encodes + / = in cursors.
	c := client(t, s)
	page, err := c.FindManyPeopleWithResponse(ctx, &api.FindManyPeopleParams{Limit: ptr(5)})
	require.NoError(t, err)
	next, err := c.FindManyPeopleWithResponse(ctx, &api.FindManyPeopleParams{Limit: ptr(5), StartingAfter: page.JSON200.PageInfo.EndCursor})
	require.NoError(t, err)
	require.Equal(t, 200, next.StatusCode(), string(next.Body))
	assert.NotEqual(t, page.JSON200.Data.People[0].ID, next.JSON200.Data.People[0].ID)
	assert.True(t, *next.JSON200.PageInfo.HasNextPage)
}

func TestEmptyPage(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := list(t, s, "people", url.Values{"filter": {"city[eq]:Atlantis"}})
	require.Equal(t, 200, r.status)
	assert.Equal(t, []any{}, at(r.body, "data", "people"))
	assert.Equal(t, map[string]any{"startCursor": nil, "endCursor": nil, "hasNextPage": false, "hasPreviousPage": false}, at(r.body, "pageInfo"))
	assert.Equal(t, json.Number("0"), at(r.body, "totalCount"))
}

func TestDepthOneEmbedding(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := list(t, s, "companies", url.Values{"depth": {"1"}, "filter": {"id[eq]:" + acme}})
	require.Equal(t, 200, r.status, string(r.raw))
	c := at(r.body, "data", "companies", 0).(map[string]any)
	assert.Len(t, c["people"], 3, "ONE_TO_MANY array")
	assert.Len(t, c["opportunities"], 1)
	assert.Equal(t, []any{}, c["attachments"], "empty relations are []")
	assert.Equal(t, []any{}, c["favorites"])
	assert.Equal(t, "Jane", at(c, "accountOwner", "name", "firstName"), "MANY_TO_ONE object")
	assert.NotContains(t, at(c, "people", 0), "company", "one level only")
	assert.Equal(t, acme, at(c, "people", 0, "companyId"))

	r = do(t, s, "GET", "/rest/people/"+twentytest.SeedID("person", 20)+"?depth=1", nil)
	require.Equal(t, 200, r.status)
	p := at(r.body, "data", "person").(map[string]any)
	assert.Contains(t, p, "company")
	assert.Nil(t, p["company"], "null FK embeds null")

	r = do(t, s, "GET", "/rest/noteTargets?depth=1&limit=1", nil)
	require.Equal(t, 200, r.status)
	nt := at(r.body, "data", "noteTargets", 0)
	assert.Equal(t, "Kick-off call", at(nt, "note", "title"))
	assert.Equal(t, "Maya", at(nt, "targetPerson", "name", "firstName"))

	// Through the generated types.
	cl := client(t, s)
	opp, err := cl.FindOneOpportunityWithResponse(ctx, uid(t, twentytest.SeedID("opportunity", 1)), &api.FindOneOpportunityParams{Depth: ptr(1)})
	require.NoError(t, err)
	require.Equal(t, 200, opp.StatusCode(), string(opp.Body))
	o := opp.JSON200.Data.Opportunity
	assert.Equal(t, "Maya", o.PointOfContact.Name.FirstName)
	assert.Equal(t, "Acme Robotics", o.Company.Name)
	assert.Equal(t, "Jane", o.Owner.Name.FirstName)
	assert.Equal(t, "250000000000", o.Amount.AmountMicros.String())
}

func TestEveryObjectLists(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	for _, plural := range []string{"people", "companies", "opportunities", "notes", "tasks", "noteTargets",
		"taskTargets", "attachments", "timelineActivities", "favorites", "workspaceMembers"} {
		for _, depth := range []string{"0", "1"} {
			r := list(t, s, plural, url.Values{"depth": {depth}})
			assert.Equal(t, 200, r.status, plural+": "+string(r.raw))
		}
	}
	assert.Len(t, s.Records("workspaceMembers"), 2)
	assert.Len(t, s.Records("companies"), 8)
	assert.Len(t, s.Records("opportunities"), 6)
	assert.NotEmpty(t, s.Records("noteTargets"))
	assert.NotEmpty(t, s.Records("taskTargets"))
}

func base64Decode(s string) ([]byte, error) {
	return stdBase64.DecodeString(strings.TrimSpace(s))
}
