package twenty_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/twentytest"
)

func companies(n int) []api.Company {
	out := make([]api.Company, n)
	for i := range out {
		out[i] = api.Company{Name: twentyPtr(fmt.Sprintf("Company %04d", i))}
	}
	return out
}

func twentyPtr[T any](v T) *T { return &v }

// A job of 1,000 records costs ceil(1000/200) requests each way against a
// server that takes 200, and falls back once against one that takes 60.
func TestDefaultSizesAgainstTheFake(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name              string
		serverMax         int
		creates, listings int
	}{
		{"2.x server", 200, 5, 5},
		// The old server refuses the first 200-record batch, then takes
		// 17 of 60; its pages are clamped to what it serves, silently, as
		// QUERY_MAX_RECORDS clamps the limit.
		{"server taking 60", 60, 1 + 17, 17},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := twentytest.NewServer(t, twentytest.WithSeed(false), twentytest.WithMaxBatch(tc.serverMax))
			c := soakClient(t, s)
			created, err := c.Companies().CreateMany(t.Context(), companies(1000), nil)
			require.NoError(t, err)
			require.Len(t, created, 1000)
			assert.Equal(t, tc.creates, s.RequestsFor("createManyCompanies"))

			seen := map[string]bool{}
			for rec, err := range c.Companies().All(t.Context(), &twenty.ListOptions{OrderBy: []twenty.Order{twenty.Asc("name")}}) {
				require.NoError(t, err)
				assert.False(t, seen[rec.ID.String()], "a record twice")
				seen[rec.ID.String()] = true
			}
			assert.Len(t, seen, 1000, "every record, none created twice")
			assert.Equal(t, tc.listings, s.RequestsFor("findManyCompanies"))
		})
	}
}
