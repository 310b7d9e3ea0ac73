package twentytest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/twentytest"
)

func TestSmoke(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	res, err := c.FindManyPeopleWithResponse(context.Background(), nil)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode(), string(res.Body))
	require.Len(t, res.JSON200.Data.People, 20)
	t.Log(string(res.Body[:600]))
	for _, p := range []string{"/rest/companies?depth=1&limit=1", "/rest/opportunities?limit=1", "/rest/notes?depth=1&limit=1", "/rest/workspaceMembers?limit=1&depth=1", "/rest/tasks?limit=1&depth=1"} {
		r := do(t, s, "GET", p, nil)
		require.Equal(t, 200, r.status, string(r.raw))
	}
}
