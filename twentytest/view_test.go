package twentytest_test

import (
	"net/http"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/twentytest"
)

func keys(v any) []string {
	m, _ := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The newer server's fields projection and omit_null_values.
func TestFieldsAndOmitNullValues(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	id := twentytest.SeedID("person", 1)

	list := do(t, s, http.MethodGet, "/rest/people?limit=2&fields=name,companyId", nil)
	require.Equal(t, http.StatusOK, list.status, string(list.raw))
	for i := range 2 {
		assert.Equal(t, []string{"companyId", "id", "name"}, keys(at(list.body, "data", "people", i)))
	}

	one := do(t, s, http.MethodGet, "/rest/people/"+id+"?fields=emails", nil)
	require.Equal(t, http.StatusOK, one.status, string(one.raw))
	assert.Equal(t, []string{"emails", "id"}, keys(at(one.body, "data", "person")))

	full := do(t, s, http.MethodGet, "/rest/people/"+id, nil)
	lean := do(t, s, http.MethodGet, "/rest/people/"+id+"?omit_null_values=true", nil)
	require.Equal(t, http.StatusOK, lean.status)
	assert.Nil(t, at(full.body, "data", "person", "deletedAt"))
	assert.Contains(t, keys(at(full.body, "data", "person")), "deletedAt")
	assert.NotContains(t, keys(at(lean.body, "data", "person")), "deletedAt", "nulls left out")
	assert.Contains(t, keys(at(lean.body, "data", "person")), "name")

	bad := do(t, s, http.MethodGet, "/rest/people?fields=name,shoeSize", nil)
	assert.Equal(t, http.StatusBadRequest, bad.status)
	assert.Equal(t, "Field 'shoeSize' does not exist on object 'person'", message(bad))
}

// The client's Fields option asks for the projection and decodes it.
func TestClientFieldsOption(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c, err := twenty.NewClient(twenty.WithAPIKey(s.APIKey()), twenty.WithBaseURL(s.URL()))
	require.NoError(t, err)
	page, err := c.People().List(t.Context(), &twenty.ListOptions{Limit: 3, Fields: []string{"name"}})
	require.NoError(t, err)
	require.Len(t, page.Records, 3)
	for _, p := range page.Records {
		assert.NotEmpty(t, p.Name.FirstName)
		assert.Empty(t, p.Emails.PrimaryEmail, "not asked for")
		assert.Nil(t, p.CreatedAt)
	}
	p, err := c.People().Get(t.Context(), twentytest.SeedID("person", 1), &twenty.GetOptions{Fields: []string{"emails"}})
	require.NoError(t, err)
	assert.NotEmpty(t, p.Emails.PrimaryEmail)
	assert.Empty(t, p.Name.FirstName)

	_, err = c.People().List(t.Context(), &twenty.ListOptions{Fields: []string{"name,emails"}})
	assert.ErrorIs(t, err, twenty.ErrInvalidInput, "one name per entry")
	assert.Zero(t, s.RequestsFor("findManyPeople")-1, "refused before sending")
}
