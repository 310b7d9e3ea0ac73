package twentytest_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/twentytest"
)

// Behaviour of the 2.x server the ported suites do not reach.

func TestDefaultErrorFormatIsReal(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := doKey(t, s, "", "GET", "/rest/people", nil)
	assert.Equal(t, 403, r.status)
	assert.JSONEq(t, `{"statusCode":403,"messages":["Missing authentication token"],"error":"FORBIDDEN_EXCEPTION"}`, string(r.raw))
}

func TestPutIsPatch(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := do(t, s, "PUT", "/rest/people/"+maya, map[string]any{"jobTitle": "Put"})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, "Put", at(r.body, "data", "updatePerson", "jobTitle"))
	assert.Equal(t, 1, s.RequestsFor("updateOnePerson"), "counted as the PATCH it stands for")
	r = do(t, s, "PUT", "/rest/people?filter=id[eq]:"+maya, map[string]any{"jobTitle": "Put many"})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, "Put many", at(r.body, "data", "updatePeople", 0, "jobTitle"))
}

func TestOldRestorePathIsRefused(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	for _, path := range []string{"/rest/restore/people/" + maya, "/rest/restore/people?filter=id[eq]:" + maya} {
		r := do(t, s, "PATCH", path, nil)
		assert.Equal(t, 400, r.status, path)
		assert.Equal(t, "BadRequestException", at(r.body, "error"), path)
	}
}

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := do(t, s, "GET", "/rest/open-api/core", nil)
	require.Equal(t, 200, r.status)
	assert.Contains(t, at(r.body, "paths"), "/rest/people", "with a key: the whole spec")
	assert.NotNil(t, at(r.body, "components", "schemas", "Person"))
	r = doKey(t, s, "", "GET", "/rest/open-api/core", nil)
	require.Equal(t, 200, r.status)
	assert.Empty(t, at(r.body, "paths"), "without one: the skeleton")
}

func TestGroupByViewID(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	base := "/rest/opportunities/groupBy?group_by=" + url.QueryEscape(`[{"stage":true}]`)
	r := do(t, s, "GET", base+"&viewId="+maya, nil)
	assert.Equal(t, 400, r.status, "no saved view to apply")
	assert.Contains(t, message(r), "View")
	r = do(t, s, "GET", base+"&view_id="+maya, nil)
	assert.Equal(t, 200, r.status, "the server does not read view_id")
}

func TestOrderByRelationField(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t, twentytest.WithSeed(false))
	mk := func(plural string, fields map[string]any) string {
		rec, err := s.Create(plural, fields)
		require.NoError(t, err)
		return rec["id"].(string)
	}
	zeta, alpha := mk("companies", map[string]any{"name": "Zeta"}), mk("companies", map[string]any{"name": "Alpha"})
	var want []string
	for _, c := range []string{alpha, alpha, zeta} {
		want = append(want, mk("people", map[string]any{"companyId": c}))
	}
	nobody := mk("people", map[string]any{})
	// Within a company, ids break ties.
	if want[0] > want[1] {
		want[0], want[1] = want[1], want[0]
	}
	got := pageThrough(t, s, "/rest/people?order_by=company.name[AscNullsLast]&limit=1", "people")
	assert.Equal(t, append(want, nobody), got)
	got = pageThrough(t, s, "/rest/people?order_by=company.name[DescNullsFirst]&limit=3&depth=1", "people")
	assert.Equal(t, []string{nobody, want[2], want[0], want[1]}, got, "ties stay in id order")

	r := do(t, s, "GET", "/rest/people?order_by=company.domainName[AscNullsLast]", nil)
	assert.Equal(t, 400, r.status, "a composite of the relation")
	r = do(t, s, "GET", "/rest/people?order_by=company.nope[AscNullsLast]", nil)
	assert.Equal(t, 400, r.status)
	r = do(t, s, "GET", "/rest/people?order_by=company.people.name[AscNullsLast]", nil)
	assert.Equal(t, 400, r.status, "one level deep")
}
