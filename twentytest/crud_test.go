package twentytest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/twentytest"
)

var (
	uuidV4  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	isoMS   = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	ctx     = context.Background()
	maya    = twentytest.SeedID("person", 1)
	acme    = twentytest.SeedID("company", 1)
	unknown = "7f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)

func ptr[T any](v T) *T { return &v }

func uid(t *testing.T, s string) openapi_types.UUID {
	t.Helper()
	var u openapi_types.UUID
	require.NoError(t, u.UnmarshalText([]byte(s)))
	return u
}

func TestCreateOneFillsServerFields(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	res, err := c.CreateOnePersonWithResponse(ctx, nil, api.Person{
		Name:         &api.FullName{FirstName: ptr("Ada"), LastName: ptr("Lovelace")},
		Emails:       &api.Emails{PrimaryEmail: ptr("ada@example.com")},
		LinkedinLink: &api.Links{PrimaryLinkURL: ptr("https://linkedin.com/in/ada/")},
		CompanyID:    ptr(uid(t, acme)),
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode(), string(res.Body))
	p := res.JSON201.Data.CreatePerson
	assert.Regexp(t, uuidV4, p.ID.String())
	assert.Equal(t, "https://linkedin.com/in/ada", p.LinkedinLink.PrimaryLinkURL, "trailing slash dropped")
	assert.Equal(t, acme, p.CompanyID.String())
	assert.Nil(t, p.DeletedAt)
	assert.Equal(t, api.ActorSource("API"), *p.CreatedBy.Source)
	assert.Nil(t, p.CreatedBy.WorkspaceMemberID)

	// The raw body shows the newer server's empty values.
	var raw map[string]any
	require.NoError(t, json.Unmarshal(res.Body, &raw))
	rec := at(raw, "data", "createPerson")
	assert.Equal(t, "", at(rec, "jobTitle"), "empty text is \"\"")
	assert.Equal(t, []any{}, at(rec, "avatarFile"), "empty arrays are []")
	assert.Equal(t, []any{}, at(rec, "emails", "additionalEmails"))
	assert.Regexp(t, isoMS, at(rec, "createdAt"))
	assert.Regexp(t, isoMS, at(rec, "updatedAt"))
	assert.Contains(t, rec, "deletedAt")
	assert.Contains(t, rec, "position")
	assert.NotContains(t, rec, "company", "depth 0 has no relation objects")
	assert.Equal(t, map[string]any{}, at(rec, "createdBy", "context"))
}

func TestCreateDefaultsFromModel(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := do(t, s, "POST", "/rest/opportunities", map[string]any{"name": "Deal"})
	require.Equal(t, 201, r.status, string(r.raw))
	o := at(r.body, "data", "createOpportunity")
	assert.Equal(t, "NEW", at(o, "stage"))
	assert.Nil(t, at(o, "closeDate"))
	assert.Nil(t, at(o, "companyId"))
	r = do(t, s, "POST", "/rest/companies", map[string]any{"name": "X"})
	assert.Equal(t, false, at(r.body, "data", "createCompany", "idealCustomerProfile"))
}

func TestCreateRefusals(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	cases := []struct {
		name, path string
		body       any
		want       string
	}{
		{"unknown field", "/rest/people", map[string]any{"foo": 1}, `Object person doesn't have any "foo" field.`},
		{"one-to-many relation", "/rest/companies", map[string]any{"people": []any{}}, `One-to-many relation "people"`},
		{"many-to-one object", "/rest/people", map[string]any{"company": map[string]any{"id": acme}}, `requires connect or disconnect`},
		{"morph relation as id", "/rest/noteTargets", map[string]any{"targetPerson": maya}, `requires connect or disconnect`},
		{"enum value", "/rest/opportunities", map[string]any{"stage": "WON"}, `Invalid value "WON" for field "stage". Valid values are: NEW, SCREENING, MEETING, PROPOSAL, CUSTOMER`},
		{"null on non-nullable", "/rest/workspaceMembers", map[string]any{"userId": nil}, `violates not-null constraint`},
		{"missing non-nullable", "/rest/workspaceMembers", map[string]any{"name": map[string]any{"firstName": "A"}}, `null value in column "userId"`},
		{"dangling foreign key", "/rest/people", map[string]any{"companyId": unknown}, `violates foreign key constraint`},
		{"bad uuid", "/rest/people", map[string]any{"companyId": "nope"}, `invalid input syntax for type uuid`},
		{"duplicate unique email", "/rest/people", map[string]any{"emails": map[string]any{"primaryEmail": "maya.chen@acme-robotics.com"}}, `A duplicate entry was detected`},
		{"duplicate id", "/rest/people", map[string]any{"id": maya}, `A duplicate entry was detected`},
		{"unknown sub-field", "/rest/people", map[string]any{"name": map[string]any{"middleName": "Q"}}, `doesn't have any "name.middleName" field.`},
		{"wrong type", "/rest/companies", map[string]any{"employees": "many"}, `invalid input syntax for type double precision`},
		{"not json", "/rest/people", []byte(`{"name":`), `Invalid JSON body`},
		{"batch not array", "/rest/batch/people", map[string]any{}, `must be an array`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, s, "POST", tc.path, tc.body)
			assert.Equal(t, 400, r.status, string(r.raw))
			assert.Equal(t, "BadRequestException", at(r.body, "error"))
			assert.Contains(t, message(r), tc.want)
		})
	}
	assert.Len(t, s.Records("people"), 20, "nothing was created")
}

func TestBatchCreate(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t, twentytest.WithSeed(false), twentytest.WithMaxBatch(3))
	c := client(t, s)
	res, err := c.CreateManyCompaniesWithResponse(ctx, nil, []api.Company{{Name: ptr("A")}, {Name: ptr("B")}})
	require.NoError(t, err)
	require.Equal(t, 201, res.StatusCode(), string(res.Body))
	require.Len(t, res.JSON201.Data.CreateCompanies, 2)
	assert.Equal(t, "A", res.JSON201.Data.CreateCompanies[0].Name)

	r := do(t, s, "POST", "/rest/batch/companies", []any{map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}})
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "Maximum number of records to upsert is 3.", message(r))

	// All or nothing: the second record fails, the first is not kept.
	r = do(t, s, "POST", "/rest/batch/companies", []any{map[string]any{"name": "C"}, map[string]any{"nope": 1}})
	assert.Equal(t, 400, r.status)
	assert.Len(t, s.Records("companies"), 2)

	// Duplicates inside one batch are refused too.
	r = do(t, s, "POST", "/rest/batch/companies", []any{
		map[string]any{"domainName": map[string]any{"primaryLinkUrl": "https://x.io"}},
		map[string]any{"domainName": map[string]any{"primaryLinkUrl": "https://x.io/"}},
	})
	assert.Equal(t, 400, r.status)
	assert.Contains(t, message(r), "A duplicate entry was detected")
	assert.Len(t, s.Records("companies"), 2)
}

func TestDefaultMaxBatchIs200(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t, twentytest.WithSeed(false))
	batch := make([]any, 201)
	for i := range batch {
		batch[i] = map[string]any{}
	}
	r := do(t, s, "POST", "/rest/batch/notes", batch)
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "Maximum number of records to upsert is 200.", message(r))
	r = do(t, s, "POST", "/rest/batch/notes", batch[:200])
	assert.Equal(t, 201, r.status)
	assert.Len(t, at(r.body, "data", "createNotes"), 200)
}

func TestFindOne(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	res, err := c.FindOnePersonWithResponse(ctx, uid(t, maya), nil)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode())
	assert.Equal(t, "Maya", res.JSON200.Data.Person.Name.FirstName)
	assert.Nil(t, res.JSON200.Data.Person.Company, "depth 0")

	res, err = c.FindOnePersonWithResponse(ctx, uid(t, maya), &api.FindOnePersonParams{Depth: ptr(1)})
	require.NoError(t, err)
	require.NotNil(t, res.JSON200.Data.Person.Company)
	assert.Equal(t, "Acme Robotics", res.JSON200.Data.Person.Company.Name)

	res, err = c.FindOnePersonWithResponse(ctx, uid(t, unknown), nil)
	require.NoError(t, err)
	assert.Equal(t, 404, res.StatusCode())
	r := do(t, s, "GET", "/rest/people/"+unknown, nil)
	assert.Equal(t, map[string]any{"statusCode": json.Number("404"), "error": "NotFoundException", "messages": []any{"Record not found"}}, r.body)
}

func TestPathErrors(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	cases := []struct {
		method, path string
		status       int
		want         string
	}{
		{"GET", "/rest/foo", 400, "object 'foo' not found. eg: companies"},
		{"GET", "/rest/person", 400, "object 'person' not found. Did you mean 'people'?"},
		{"GET", "/rest/people/x", 400, "'x' is not a valid UUID"},
		{"DELETE", "/rest/people/123", 400, "'123' is not a valid UUID"},
		{"GET", "/rest/people/" + unknown, 404, "Record not found"},
		{"PATCH", "/rest/people/" + unknown, 404, "Record not found"},
		{"DELETE", "/rest/people/" + unknown, 404, "Record not found"},
		{"PATCH", "/rest/people/" + unknown + "/restore", 404, "Record not found"},
		{"GET", "/rest/people/" + maya + "/extra", 400, "Query path '/rest/people/" + maya + "/extra' invalid."},
		{"GET", "/rest/people?depth=2", 400, "'depth=2' parameter invalid. Allowed values are 0, 1"},
		{"GET", "/rest/people/" + maya + "?depth=x", 400, "'depth=x' parameter invalid. Allowed values are 0, 1"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			var body any
			if tc.method == "PATCH" && !regexp.MustCompile(`restore$`).MatchString(tc.path) {
				body = map[string]any{}
			}
			r := do(t, s, tc.method, tc.path, body)
			assert.Equal(t, tc.status, r.status, string(r.raw))
			assert.Contains(t, message(r), tc.want)
		})
	}
}

func TestUpdateOne(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t, twentytest.WithClock(fixedClock("2026-03-01T12:00:00Z")))
	before, _ := s.Record("people", maya)
	r := do(t, s, "PATCH", "/rest/people/"+maya, map[string]any{
		"name":     map[string]any{"lastName": "Chen-Ito"}, // partial composite
		"jobTitle": "CEO",
		"phones":   map[string]any{"additionalPhones": []any{map[string]any{"number": "123"}}},
	})
	require.Equal(t, 200, r.status, string(r.raw))
	p := at(r.body, "data", "updatePerson")
	assert.Equal(t, "Maya", at(p, "name", "firstName"), "untouched sub-field kept")
	assert.Equal(t, "Chen-Ito", at(p, "name", "lastName"))
	assert.Equal(t, "CEO", at(p, "jobTitle"))
	assert.Equal(t, at(before, "phones", "primaryPhoneNumber"), at(p, "phones", "primaryPhoneNumber"))
	assert.Equal(t, map[string]any{"number": "123", "countryCode": "", "callingCode": ""}, at(p, "phones", "additionalPhones", 0))
	assert.Equal(t, "2026-03-01T12:00:00.000Z", at(p, "updatedAt"))
	assert.Equal(t, at(before, "createdAt"), at(p, "createdAt"))
	assert.Equal(t, "MANUAL", at(p, "createdBy", "source"), "createdBy kept")
	assert.Equal(t, "API", at(p, "updatedBy", "source"))

	// Clearing: null gives the empty value of the type.
	r = do(t, s, "PATCH", "/rest/people/"+maya, map[string]any{"jobTitle": nil, "companyId": nil, "emails": nil})
	require.Equal(t, 200, r.status, string(r.raw))
	p = at(r.body, "data", "updatePerson")
	assert.Equal(t, "", at(p, "jobTitle"))
	assert.Nil(t, at(p, "companyId"))
	assert.Equal(t, map[string]any{"primaryEmail": "", "additionalEmails": []any{}}, at(p, "emails"))

	r = do(t, s, "PATCH", "/rest/people/"+maya, map[string]any{"pointOfContactForOpportunities": []any{}})
	assert.Equal(t, 400, r.status)
}

func TestUpdateOneWithClient(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
	res, err := c.UpdateOneCompanyWithResponse(ctx, uid(t, acme), nil, api.CompanyForUpdate{Employees: nullableInt(400)})
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode(), string(res.Body))
	//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
	assert.Equal(t, 400, *res.JSON200.Data.UpdateCompany.Employees)
}

func TestUpdateMany(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := do(t, s, "PATCH", "/rest/people?filter=companyId[eq]:"+acme, map[string]any{"city": "Remote"})
	require.Equal(t, 200, r.status, string(r.raw))
	updated := at(r.body, "data", "updatePeople").([]any)
	assert.Len(t, updated, 3)
	for _, p := range updated {
		assert.Equal(t, "Remote", at(p, "city"))
	}
	// Without a filter, every record (the real server has no guard).
	r = do(t, s, "PATCH", "/rest/tasks", map[string]any{"status": "DONE"})
	require.Equal(t, 200, r.status)
	assert.Len(t, at(r.body, "data", "updateTasks"), 4)
	// A unique value cannot go to several records.
	r = do(t, s, "PATCH", "/rest/people?filter=companyId[eq]:"+acme, map[string]any{"emails": map[string]any{"primaryEmail": "same@x.io"}})
	assert.Equal(t, 400, r.status)
	p, _ := s.Record("people", maya)
	assert.Equal(t, "maya.chen@acme-robotics.com", at(p, "emails", "primaryEmail"), "rolled back")
}

func TestDeleteRestoreDestroy(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	id := uid(t, maya)

	del, err := c.DeleteOnePersonWithResponse(ctx, id, &api.DeleteOnePersonParams{SoftDelete: ptr(true)})
	require.NoError(t, err)
	require.Equal(t, 200, del.StatusCode(), string(del.Body))
	assert.Equal(t, id, del.JSON200.Data.DeletePerson.ID)

	get, _ := c.FindOnePersonWithResponse(ctx, id, nil)
	assert.Equal(t, 404, get.StatusCode(), "soft-deleted records are not found")
	list, _ := c.FindManyPeopleWithResponse(ctx, nil)
	assert.Equal(t, 19, *list.JSON200.TotalCount)
	list, _ = c.FindManyPeopleWithResponse(ctx, &api.FindManyPeopleParams{Filter: ptr("deletedAt[is]:NOT_NULL")})
	require.Len(t, list.JSON200.Data.People, 1, "visible when the filter mentions deletedAt")
	assert.NotNil(t, list.JSON200.Data.People[0].DeletedAt)
	//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
	upd, _ := c.UpdateOnePersonWithResponse(ctx, id, nil, api.PersonForUpdate{City: ptr("x")})
	assert.Equal(t, 404, upd.StatusCode())
	again, _ := c.DeleteOnePersonWithResponse(ctx, id, &api.DeleteOnePersonParams{SoftDelete: ptr(true)})
	assert.Equal(t, 404, again.StatusCode())

	res, err := c.RestoreOnePersonWithResponse(ctx, id, nil)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode(), string(res.Body))
	assert.Nil(t, res.JSON200.Data.RestorePerson.DeletedAt)
	get, _ = c.FindOnePersonWithResponse(ctx, id, nil)
	assert.Equal(t, 200, get.StatusCode())

	// Default delete destroys, and clears references (ON DELETE SET NULL).
	del, _ = c.DeleteOnePersonWithResponse(ctx, id, nil)
	require.Equal(t, 200, del.StatusCode())
	_, found := s.Record("people", maya)
	assert.False(t, found)
	opp, _ := s.Record("opportunities", twentytest.SeedID("opportunity", 1))
	assert.Nil(t, opp["pointOfContactId"])
	del, _ = c.DeleteOnePersonWithResponse(ctx, id, nil)
	assert.Equal(t, 404, del.StatusCode(), "already destroyed")
}

func TestDestroySoftDeleted(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	require.Equal(t, 200, do(t, s, "DELETE", "/rest/people/"+maya+"?soft_delete=true", nil).status)
	r := do(t, s, "DELETE", "/rest/people/"+maya, nil)
	assert.Equal(t, 200, r.status, "emptying the trash")
	_, found := s.Record("people", maya)
	assert.False(t, found)
}

func TestDeleteManyAndRestoreMany(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := do(t, s, "DELETE", "/rest/people", nil)
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "Filters are mandatory for bulk destroy operations", message(r))

	r = do(t, s, "DELETE", "/rest/people?soft_delete=true&filter=companyId[eq]:"+acme, nil)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Len(t, at(r.body, "data", "deletePeople"), 3)
	assert.Regexp(t, uuidV4OrSeed, at(r.body, "data", "deletePeople", 0, "id"))
	assert.Equal(t, 17, totalCount(t, s, "/rest/people"))

	r = do(t, s, "PATCH", "/rest/people/restore?filter=name.firstName[eq]:Maya", nil)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Len(t, at(r.body, "data", "restorePeople"), 1)
	assert.Equal(t, 18, totalCount(t, s, "/rest/people"))
	r = do(t, s, "PATCH", "/rest/people/restore", nil)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Len(t, at(r.body, "data", "restorePeople"), 2)
	assert.Equal(t, 20, totalCount(t, s, "/rest/people"))

	r = do(t, s, "DELETE", "/rest/people?filter=city[eq]:Rotterdam", nil)
	require.Equal(t, 200, r.status)
	assert.Len(t, at(r.body, "data", "deletePeople"), 2)
	assert.Len(t, s.Records("people"), 18, "destroyed")
}

var uuidV4OrSeed = regexp.MustCompile(`^[0-9a-f-]{36}$`)

func totalCount(t *testing.T, s *twentytest.Server, path string) int {
	t.Helper()
	r := do(t, s, "GET", path, nil)
	require.Equal(t, 200, r.status, string(r.raw))
	n, err := at(r.body, "totalCount").(json.Number).Int64()
	require.NoError(t, err)
	return int(n)
}
