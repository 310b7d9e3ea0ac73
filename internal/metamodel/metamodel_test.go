package metamodel_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/internal/metamodel"
	"github.com/twenty-go/twenty/internal/model"
)

// Serving the standard model as metadata and reading it back gives the
// same objects and fields: the fake and the generator agree.
func TestRoundTripStandardModel(t *testing.T) {
	t.Parallel()
	std := model.Standard()
	served := metamodel.FromModel(std)
	// Through JSON, as it travels.
	data, err := json.Marshal(served)
	require.NoError(t, err)
	var decoded []api.ObjectMetadata
	require.NoError(t, json.Unmarshal(data, &decoded))

	got, err := metamodel.ToModel(decoded, metamodel.Options{})
	require.NoError(t, err)
	require.Len(t, got.Objects, len(std.Objects))
	for _, want := range std.Objects {
		have, ok := got.ObjectByPlural(want.NamePlural)
		require.True(t, ok, want.NamePlural)
		assert.Equal(t, want.NameSingular, have.NameSingular)
		assert.Equal(t, want.LabelPlural, have.LabelPlural)
		require.Len(t, have.Fields, len(want.Fields), want.NamePlural)
		for _, wf := range want.Fields {
			hf, ok := have.Field(wf.Name)
			require.True(t, ok, "%s.%s", want.NameSingular, wf.Name)
			wf.Deprecated = "" // the metadata API does not say what a release removed
			assert.Equal(t, wf, *hf, "%s.%s", want.NameSingular, wf.Name)
		}
	}
}

func TestToModelFiltersAndOrders(t *testing.T) {
	t.Parallel()
	objs := metamodel.FromModel(model.Standard())
	inactive := false
	objs[0].Fields[5].IsActive = &inactive
	objs = append(objs, api.ObjectMetadata{ID: metamodel.ObjectID("x"), NameSingular: "messageChannel", NamePlural: "messageChannels", IsSystem: &[]bool{true}[0]})

	m, err := metamodel.ToModel(objs, metamodel.Options{})
	require.NoError(t, err)
	_, hasSystem := m.ObjectByPlural("messageChannels")
	assert.False(t, hasSystem, "system objects are left out by default")
	person, _ := m.ObjectByPlural("people")
	_, kept := person.Field(objs[0].Fields[5].Name)
	assert.False(t, kept, "inactive fields are left out")
	assert.Equal(t, []string{"id", "createdAt", "updatedAt", "deletedAt"},
		[]string{person.Fields[0].Name, person.Fields[1].Name, person.Fields[2].Name, person.Fields[3].Name})
	for i := 5; i < len(person.Fields); i++ {
		assert.Less(t, person.Fields[i-1].Name, person.Fields[i].Name, "fields after the system ones are sorted")
	}

	only, err := metamodel.ToModel(objs, metamodel.Options{Objects: []string{"companies", "messages"}})
	require.NoError(t, err)
	require.Len(t, only.Objects, 2)
	assert.Equal(t, "company", only.Objects[0].NameSingular)

	_, err = metamodel.ToModel(objs, metamodel.Options{Objects: []string{"invoices"}})
	assert.ErrorContains(t, err, `no active object "invoices"`)
}

func TestKeepBase(t *testing.T) {
	t.Parallel()
	m := &model.Model{Objects: []model.Object{{NameSingular: "company", NamePlural: "companies", LabelSingular: "C", LabelPlural: "Cs",
		Fields: []model.Field{{Name: "id", Type: model.UUID}, {Name: "name", Type: model.Text}, {Name: "accountOwnerId", Type: model.UUID}}}}}
	require.NoError(t, metamodel.KeepBase(m, model.Standard()))
	company, _ := m.Object("company")
	name, _ := company.Field("name")
	assert.Equal(t, model.Text, name.Type, "the workspace's field wins")
	_, ok := company.Field("employees")
	assert.True(t, ok, "a dropped standard field stays")
	_, ok = company.Field("accountOwner")
	assert.False(t, ok, "a relation whose join column the workspace uses is not added")
	_, ok = m.ObjectByPlural("people")
	assert.True(t, ok, "a dropped standard object stays")
}
