package twentytest_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/internal/metamodel"
	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/twentytest"
)

func TestMetadataReadOnly(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	res, err := c.FindManyObjectsWithResponse(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode(), string(res.Body))

	// What the metadata API serves turns back into the served model.
	var objects []api.ObjectMetadata
	for _, o := range at(do(t, s, "GET", "/rest/metadata/objects", nil).body, "data").([]any) {
		var om api.ObjectMetadata
		require.NoError(t, roundTrip(o, &om))
		objects = append(objects, om)
	}
	m, err := metamodel.ToModel(objects, metamodel.Options{IncludeSystem: true})
	require.NoError(t, err)
	for _, o := range model.Standard().Objects {
		got, ok := m.Object(o.NameSingular)
		require.True(t, ok, o.NameSingular)
		assert.Len(t, got.Fields, len(o.Fields), o.NameSingular)
	}

	person := metamodel.ObjectID("person").String()
	r := do(t, s, "GET", "/rest/metadata/objects/"+person, nil)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, "people", at(r.body, "namePlural"))
	field := metamodel.FieldID("person", "emails").String()
	r = do(t, s, "GET", "/rest/metadata/fields/"+field, nil)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, "EMAILS", at(r.body, "type"))
	assert.Equal(t, 404, do(t, s, "GET", "/rest/metadata/fields/"+unknown, nil).status)
	assert.Equal(t, 400, do(t, s, "GET", "/rest/metadata/fields/nope", nil).status)
	assert.Equal(t, 400, do(t, s, "POST", "/rest/metadata/objects", map[string]any{"nameSingular": "pet", "namePlural": "pets",
		"labelSingular": "Pet", "labelPlural": "Pets"}).status)

	// Paging with ids as cursors, forwards and backwards.
	var seen []string
	cursor := ""
	for {
		q := url.Values{"limit": {"40"}}
		if cursor != "" {
			q.Set("starting_after", cursor)
		}
		r := list(t, s, "metadata/fields", q)
		require.Equal(t, 200, r.status, string(r.raw))
		for _, f := range at(r.body, "data").([]any) {
			seen = append(seen, at(f, "id").(string))
		}
		if at(r.body, "pageInfo", "hasNextPage") != true {
			break
		}
		cursor = at(r.body, "pageInfo", "endCursor").(string)
	}
	total := 0
	for _, o := range model.Standard().Objects {
		total += len(o.Fields)
	}
	assert.Len(t, seen, total)
	r = list(t, s, "metadata/fields", url.Values{"limit": {"2"}, "ending_before": {seen[5]}})
	require.Equal(t, 200, r.status)
	assert.Equal(t, seen[3], at(r.body, "data", 0, "id"))
	assert.Equal(t, true, at(r.body, "pageInfo", "hasPreviousPage"))
	assert.Equal(t, 1, s.RequestsFor("findOneObject"))
}
