package twenty_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/twentytest"
)

// Response bodies are read into reused buffers: records kept from an early
// page, raw JSON included, must not change when later pages arrive.
func TestRawRecordsSurviveLaterPages(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c, err := twenty.NewClient(twenty.WithAPIKey(s.APIKey()), twenty.WithBaseURL(s.URL()))
	require.NoError(t, err)
	var kept []json.RawMessage
	for rec, err := range c.RawObject("people").All(t.Context(), &twenty.ListOptions{Limit: 3}) {
		require.NoError(t, err)
		kept = append(kept, rec)
	}
	var maps []twenty.Record
	for rec, err := range c.Object("people").All(t.Context(), &twenty.ListOptions{Limit: 3}) {
		require.NoError(t, err)
		maps = append(maps, rec)
	}
	require.Len(t, kept, 20)
	seen := map[string]bool{}
	for i, r := range kept {
		var v struct{ ID string }
		require.NoError(t, json.Unmarshal(r, &v), "record %d: %s", i, r)
		require.False(t, seen[v.ID])
		seen[v.ID] = true
		require.Equal(t, maps[i]["id"], v.ID)
	}
}
