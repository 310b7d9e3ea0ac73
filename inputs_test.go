package twenty_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
)

func TestPtr(t *testing.T) {
	t.Parallel()
	p := twenty.Ptr("x")
	require.NotNil(t, p)
	assert.Equal(t, "x", *p)
	assert.NotSame(t, p, twenty.Ptr("x"), "a fresh pointer each time")
}

func TestIDsAsStrings(t *testing.T) {
	t.Parallel()
	const id = "20202020-0002-4000-8000-000000000001"
	u, err := twenty.ParseID(id)
	require.NoError(t, err)
	assert.Equal(t, id, u.String())
	_, err = twenty.ParseID("nope")
	assert.ErrorIs(t, err, twenty.ErrInvalidInput)

	var nilPerson *api.PersonForResponse
	for name, tc := range map[string]struct {
		rec  any
		want string
	}{
		"typed":         {api.CompanyForResponse{ID: u}, id},
		"typed pointer": {&api.CompanyForResponse{ID: u}, id},
		"nil pointer":   {nilPerson, ""},
		"record":        {twenty.Record{"id": id}, id},
		"raw":           {json.RawMessage(`{"id":"` + id + `","name":"x"}`), id},
		"raw, no id":    {json.RawMessage(`[1]`), ""},
		"no ID field":   {struct{ Name string }{"x"}, ""},
		"not a record":  {42, ""},
		"nil":           {nil, ""},
	} {
		assert.Equal(t, tc.want, twenty.IDOf(tc.rec), name)
	}
}
