package twentytest_test

import (
	"encoding/json"
	"net/url"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/twentytest"
)

func TestUpsert(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	up := &api.CreateOnePersonParams{Upsert: ptr(true)}

	// Matches on the unique email: Maya is updated, not duplicated.
	res, err := c.CreateOnePersonWithResponse(ctx, up, api.Person{
		Emails:   &api.Emails{PrimaryEmail: ptr("maya.chen@acme-robotics.com")},
		JobTitle: ptr("CEO"),
	})
	require.NoError(t, err)
	require.Equal(t, 201, res.StatusCode(), string(res.Body))
	assert.Equal(t, maya, res.JSON201.Data.CreatePerson.ID.String())
	assert.Equal(t, "CEO", res.JSON201.Data.CreatePerson.JobTitle)
	assert.Equal(t, "Maya", res.JSON201.Data.CreatePerson.Name.FirstName)
	assert.Equal(t, api.ActorSource("MANUAL"), *res.JSON201.Data.CreatePerson.CreatedBy.Source, "createdBy is not overwritten")
	assert.Len(t, s.Records("people"), 20)

	// Matches on id.
	r := do(t, s, "POST", "/rest/people?upsert=true", map[string]any{"id": maya, "city": "Tokyo"})
	require.Equal(t, 201, r.status, string(r.raw))
	assert.Equal(t, "Tokyo", at(r.body, "data", "createPerson", "city"))

	// No match: created.
	r = do(t, s, "POST", "/rest/people?upsert=true", map[string]any{"emails": map[string]any{"primaryEmail": "new@x.io"}})
	require.Equal(t, 201, r.status)
	assert.Len(t, s.Records("people"), 21)

	// A soft-deleted match is restored.
	require.Equal(t, 200, do(t, s, "DELETE", "/rest/companies/"+acme+"?soft_delete=true", nil).status)
	r = do(t, s, "POST", "/rest/batch/companies?upsert=true", []any{
		map[string]any{"domainName": map[string]any{"primaryLinkUrl": "https://acme-robotics.com/"}, "employees": 330},
		map[string]any{"name": "Brand new"},
	})
	require.Equal(t, 201, r.status, string(r.raw))
	got := at(r.body, "data", "createCompanies", 0)
	assert.Equal(t, acme, at(got, "id"))
	assert.Nil(t, at(got, "deletedAt"))
	assert.Equal(t, json.Number("330"), at(got, "employees"))
	assert.Equal(t, 200, do(t, s, "GET", "/rest/companies/"+acme, nil).status)

	// Two different records match: refused.
	r = do(t, s, "POST", "/rest/people?upsert=true", map[string]any{
		"id": maya, "emails": map[string]any{"primaryEmail": "daniel.okafor@acme-robotics.com"},
	})
	assert.Equal(t, 400, r.status)
	assert.Contains(t, message(r), "matches 2 existing people")

	// Without upsert the same body is a unique violation.
	r = do(t, s, "POST", "/rest/people", map[string]any{"emails": map[string]any{"primaryEmail": "new@x.io"}})
	assert.Equal(t, 400, r.status)
}

func TestDuplicates(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	alex1, alex2 := twentytest.SeedID("person", 19), twentytest.SeedID("person", 20)
	res, err := c.FindPersonDuplicatesWithResponse(ctx, nil, api.FindPersonDuplicatesInput{
		Ids: []openapi_types.UUID{uid(t, alex1), uid(t, maya)},
	})
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode(), string(res.Body))
	require.Len(t, res.JSON200.Data, 2, "one entry per input, in order")
	require.Len(t, res.JSON200.Data[0].PersonDuplicates, 1)
	assert.Equal(t, alex2, res.JSON200.Data[0].PersonDuplicates[0].ID.String(), "same first and last name")
	assert.Equal(t, 1, *res.JSON200.Data[0].TotalCount)
	assert.Empty(t, res.JSON200.Data[1].PersonDuplicates)
	assert.Nil(t, res.JSON200.Data[0].PersonDuplicates[0].Company, "depth 0 (the default) embeds nothing")

	// depth=1 embeds each duplicate's relations.
	one := 1
	deep, err := c.FindPersonDuplicatesWithResponse(ctx, &api.FindPersonDuplicatesParams{Depth: &one},
		api.FindPersonDuplicatesInput{Ids: []openapi_types.UUID{uid(t, alex2)}})
	require.NoError(t, err)
	require.Equal(t, 200, deep.StatusCode(), string(deep.Body))
	require.Len(t, deep.JSON200.Data[0].PersonDuplicates, 1)
	dup := deep.JSON200.Data[0].PersonDuplicates[0]
	assert.Equal(t, alex1, dup.ID.String())
	require.NotNil(t, dup.Company)
	assert.Equal(t, twentytest.SeedID("company", 7), dup.Company.ID.String())

	// By data: the same email as Maya, or the same company domain.
	r := do(t, s, "POST", "/rest/people/duplicates", map[string]any{"data": []any{
		map[string]any{"emails": map[string]any{"primaryEmail": "maya.chen@acme-robotics.com"}},
	}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, maya, at(r.body, "data", 0, "personDuplicates", 0, "id"))
	r = do(t, s, "POST", "/rest/companies/duplicates", map[string]any{"data": []any{
		map[string]any{"domainName": map[string]any{"primaryLinkUrl": "https://acme-robotics.com/"}},
		map[string]any{"name": "Fjord Studios"},
		map[string]any{"name": "Nobody"},
	}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, acme, at(r.body, "data", 0, "companyDuplicates", 0, "id"))
	assert.Equal(t, twentytest.SeedID("company", 6), at(r.body, "data", 1, "companyDuplicates", 0, "id"))
	assert.Equal(t, []any{}, at(r.body, "data", 2, "companyDuplicates"))
	assert.Nil(t, at(r.body, "data", 2, "pageInfo", "endCursor"))

	for body, want := range map[string]string{
		`{}`:                   `You must provide either "data" or "ids" argument`,
		`{"ids":[],"data":[]}`: `You cannot provide both "data" and "ids" arguments`,
		`{"ids":["x"]}`:        `'x' is not a valid UUID`,
	} {
		r := do(t, s, "POST", "/rest/people/duplicates", []byte(body))
		assert.Equal(t, 400, r.status, body)
		assert.Equal(t, want, message(r), body)
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	alex1, alex2 := twentytest.SeedID("person", 19), twentytest.SeedID("person", 20)
	// Give the second Alex a note target, to see references move.
	target, err := s.Create("noteTargets", map[string]any{"noteId": twentytest.SeedID("note", 1), "targetPersonId": alex2})
	require.NoError(t, err)

	in := api.MergeInput{Ids: []openapi_types.UUID{uid(t, alex1), uid(t, alex2)}, ConflictPriorityIndex: 1, DryRun: ptr(true)}
	dry, err := c.MergeManyPeopleWithResponse(ctx, nil, in)
	require.NoError(t, err)
	require.Equal(t, 200, dry.StatusCode(), string(dry.Body))
	merged := dry.JSON200.Data.MergePerson
	assert.Equal(t, alex2, merged.ID.String(), "the priority record survives")
	assert.Equal(t, "Freelance Designer", merged.JobTitle, "priority wins conflicts")
	assert.Equal(t, twentytest.SeedID("company", 7), merged.CompanyID.String(), "empty fields are filled from the others")
	assert.Equal(t, "alex.martin@mail.example", merged.Emails.PrimaryEmail)
	assert.Equal(t, []string{"alex.martin@granitecloud.dev"}, merged.Emails.AdditionalEmails, "other emails are kept")
	assert.Len(t, s.Records("people"), 20, "dry run changes nothing")
	assert.Nil(t, merged.Company, "depth 0 (the default) embeds nothing")

	// depth=1 embeds the merged record's relations, as for every read.
	one := 1
	deep, err := c.MergeManyPeopleWithResponse(ctx, &api.MergeManyPeopleParams{Depth: &one}, in)
	require.NoError(t, err)
	require.Equal(t, 200, deep.StatusCode(), string(deep.Body))
	require.NotNil(t, deep.JSON200.Data.MergePerson.Company)
	assert.Equal(t, twentytest.SeedID("company", 7), deep.JSON200.Data.MergePerson.Company.ID.String())
	// depth=2 is refused before the body is read, even a valid one.
	r := do(t, s, "PATCH", "/rest/people/merge?depth=2", map[string]any{"ids": []string{alex1, alex2}, "conflictPriorityIndex": 0})
	assert.Equal(t, 400, r.status, string(r.raw))
	assert.Equal(t, "'depth=2' parameter invalid. Allowed values are 0, 1", message(r))
	assert.Len(t, s.Records("people"), 20)

	in.DryRun = nil
	res, err := c.MergeManyPeopleWithResponse(ctx, nil, in)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode(), string(res.Body))
	assert.Len(t, s.Records("people"), 19)
	_, found := s.Record("people", alex1)
	assert.False(t, found, "merged-away records are destroyed")
	nt, _ := s.Record("noteTargets", at(target, "id").(string))
	assert.Equal(t, alex2, nt["targetPersonId"])

	cases := []struct {
		body   map[string]any
		status int
	}{
		{map[string]any{"ids": []string{maya}, "conflictPriorityIndex": 0}, 400},
		{map[string]any{"ids": []string{maya, alex2}, "conflictPriorityIndex": 2}, 400},
		{map[string]any{"ids": []string{maya, unknown}, "conflictPriorityIndex": 0}, 404},
		{map[string]any{"ids": []string{maya, maya}, "conflictPriorityIndex": 0}, 400},
	}
	for _, tc := range cases {
		r := do(t, s, "PATCH", "/rest/people/merge", tc.body)
		assert.Equal(t, tc.status, r.status, "%v: %s", tc.body, r.raw)
	}
	ten := make([]string, 10)
	for i := range ten {
		ten[i] = twentytest.SeedID("person", i+1)
	}
	r = do(t, s, "PATCH", "/rest/people/merge", map[string]any{"ids": ten, "conflictPriorityIndex": 0})
	assert.Equal(t, 400, r.status, "at most 9")
}

func TestGroupBy(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	agg := `["countNotEmptyId","sumAmountAmountMicros","maxAmountAmountMicros","totalCount"]`
	res, err := c.GroupByOpportunitiesWithResponse(ctx, &api.GroupByOpportunitiesParams{
		GroupBy: `[{"stage":true}]`, Aggregate: &agg,
	})
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode(), string(res.Body))
	var groups []map[string]any
	d := json.NewDecoder(bytesReader(res.Body))
	d.UseNumber()
	require.NoError(t, d.Decode(&groups), "a bare array")
	byStage := map[string]map[string]any{}
	for _, g := range groups {
		byStage[at(g, "groupByDimensionValues", 0).(string)] = g
	}
	require.Len(t, byStage, 5)
	meeting := byStage["MEETING"]
	assert.Equal(t, json.Number("2"), meeting["countNotEmptyId"])
	assert.Equal(t, "790000000000", meeting["sumAmountAmountMicros"], "numeric aggregates are strings")
	assert.Equal(t, "480000000000", meeting["maxAmountAmountMicros"])
	assert.Equal(t, json.Number("2"), meeting["totalCount"])
	assert.Equal(t, []any{"CUSTOMER"}, groups[0]["groupByDimensionValues"], "ordered by the dimension")

	r := list(t, s, "people/groupBy", url.Values{
		"group_by":               {`[{"companyId":true}]`},
		"aggregate":              {`["countNotEmptyId"]`},
		"order_by":               {"countNotEmptyId[DescNullsLast]"},
		"filter":                 {"city[neq]:Oakland"},
		"include_records_sample": {"true"},
		"limit":                  {"3"},
	})
	require.Equal(t, 200, r.status, string(r.raw))
	require.Len(t, r.list, 3)
	assert.Equal(t, json.Number("3"), at(r.list[0], "countNotEmptyId"))
	assert.Equal(t, []any{twentytest.SeedID("company", 2)}, at(r.list[0], "groupByDimensionValues"))
	assert.Len(t, at(r.list[0], "records"), 3)

	r = list(t, s, "opportunities/groupBy", url.Values{"group_by": {`[{"closeDate":{"granularity":"QUARTER"}}]`}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, []any{"2025-01-01"}, at(r.list[0], "groupByDimensionValues"))
	assert.Equal(t, json.Number("2"), at(r.list[0], "totalCount"))

	r = list(t, s, "people/groupBy", url.Values{"group_by": {`[{"name":{"lastName":true}}]`}, "filter": {"name.lastName[eq]:Martin"}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, []any{map[string]any{"groupByDimensionValues": []any{"Martin"}, "totalCount": json.Number("2")}}, r.list)

	for q, want := range map[string]string{
		`group_by=[{"nope":true}]`: `doesn't have any "nope" field`,
		`group_by=stage`:           `'group_by' invalid`,
		`group_by=[{"stage":true}]&aggregate=["sumStage2"]`: `unknown aggregate`,
	} {
		r := do(t, s, "GET", "/rest/opportunities/groupBy?"+escapeQuery(q), nil)
		assert.Equal(t, 400, r.status, q)
		assert.Contains(t, message(r), want, q)
	}
}

func escapeQuery(q string) string {
	v, err := url.ParseQuery(q)
	if err != nil {
		panic(err)
	}
	return v.Encode()
}

func TestDuplicateDashboard(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	layout := "0f1e2d3c-4b5a-4968-8776-655443322110"
	orig, err := s.Create("dashboards", map[string]any{"title": "Revenue", "pageLayoutId": layout, "position": 3})
	require.NoError(t, err)

	res, err := c.DuplicateDashboardWithResponse(ctx, uid(t, orig["id"].(string)))
	require.NoError(t, err)
	require.Equal(t, 201, res.StatusCode(), string(res.Body))
	dup := res.JSON201
	assert.NotEqual(t, orig["id"], dup.ID.String())
	assert.Equal(t, "Revenue (Copy)", *dup.Title)
	require.NotNil(t, dup.PageLayoutID)
	assert.NotEqual(t, layout, dup.PageLayoutID.String(), "the copy gets its own layout")
	assert.Equal(t, 3.0, *dup.Position)
	stored, found := s.Record("dashboards", dup.ID.String())
	require.True(t, found)
	assert.Equal(t, "Revenue (Copy)", stored["title"])

	// A copy of a copy keeps one suffix.
	again, err := c.DuplicateDashboardWithResponse(ctx, dup.ID)
	require.NoError(t, err)
	require.Equal(t, 201, again.StatusCode(), string(again.Body))
	assert.Equal(t, "Revenue (Copy)", *again.JSON201.Title)

	// Without a page layout (the seeded dashboard) or a record there is
	// nothing to copy.
	for _, id := range []string{twentytest.SeedID("dashboard", 1), unknown} {
		r := do(t, s, "POST", "/rest/dashboards/"+id+"/duplicate", nil)
		assert.Equal(t, 404, r.status, string(r.raw))
	}
	assert.Equal(t, 400, do(t, s, "POST", "/rest/people/"+maya+"/duplicate", nil).status, "dashboards only")
}
