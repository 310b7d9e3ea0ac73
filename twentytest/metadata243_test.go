package twentytest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/internal/metamodel"
	"github.com/twenty-go/twenty/twentytest"
)

// 2.43's field rows: a relation is its settings, a morph member also its
// morphId, shared with its siblings; the targets are in /rest/open-api/core.
func TestMetadataWithoutRelationBlocks(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t, twentytest.WithoutRelationBlocks())
	company := do(t, s, "GET", "/rest/metadata/fields/"+metamodel.FieldID("person", "company").String(), nil)
	require.Equal(t, 200, company.status, string(company.raw))
	assert.NotContains(t, company.body, "relation")
	assert.Equal(t, map[string]any{"relationType": "MANY_TO_ONE", "joinColumnName": "companyId", "onDelete": "SET_NULL"}, company.body["settings"])

	morphID := func(field string) any {
		r := do(t, s, "GET", "/rest/metadata/fields/"+metamodel.FieldID("noteTarget", field).String(), nil)
		require.Equal(t, 200, r.status, string(r.raw))
		assert.NotContains(t, r.body, "relation")
		return r.body["morphId"]
	}
	assert.NotEmpty(t, morphID("targetPerson"))
	assert.Equal(t, morphID("targetPerson"), morphID("targetCompany"), "members of one morph relation share its id")

	doc := do(t, s, "GET", "/rest/open-api/core", nil)
	require.Equal(t, 200, doc.status, string(doc.raw))
	targets, err := metamodel.TargetsFromOpenAPI(doc.raw)
	require.NoError(t, err)
	assert.Equal(t, "Company", targets["Person.company"])
	assert.Equal(t, "Person", targets["Company.people"])
	skeleton := doKey(t, s, "not-a-key", "GET", "/rest/open-api/core", nil)
	assert.Equal(t, 200, skeleton.status, "a bad key gets the base document, as on the server")
	assert.Empty(t, skeleton.body["paths"], "without the workspace's paths")

	plain := twentytest.NewServer(t)
	r := do(t, plain, "GET", "/rest/metadata/fields/"+metamodel.FieldID("person", "company").String(), nil)
	assert.Contains(t, r.body, "relation", "by default the fake serves 1.x's relation blocks")
	assert.Empty(t, s.Violations())
}
