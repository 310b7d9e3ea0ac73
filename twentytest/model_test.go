package twentytest_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/twentytest"
)

// A custom object added to the model is served, validated against the
// spec generated from that model, with no code of its own.
func TestCustomObject(t *testing.T) {
	t.Parallel()
	m := model.Standard()
	notNull := false
	m.Objects = append(m.Objects, model.Object{
		NameSingular: "pet", NamePlural: "pets", LabelSingular: "Pet", LabelPlural: "Pets", IsCustom: true,
		Fields: []model.Field{
			{Name: "id", Type: model.UUID, IsSystem: true, IsNullable: &notNull},
			{Name: "createdAt", Type: model.DateTime, IsSystem: true, IsNullable: &notNull},
			{Name: "updatedAt", Type: model.DateTime, IsSystem: true, IsNullable: &notNull},
			{Name: "deletedAt", Type: model.DateTime, IsSystem: true},
			{Name: "name", Type: model.Text},
			{Name: "species", Type: model.Select, DefaultValue: "CAT",
				Options: []model.Option{{Value: "CAT"}, {Value: "DOG"}}},
			{Name: "tags", Type: model.MultiSelect, Options: []model.Option{{Value: "CUTE"}, {Value: "LOUD"}}},
			{Name: "weight", Type: model.Number},
			{Name: "vetBill", Type: model.Currency},
			{Name: "chipId", Type: model.Text, IsUnique: true},
			{Name: "owner", Type: model.Relation, Relation: &model.RelationInfo{
				Type: model.ManyToOne, TargetObject: "person", JoinColumnName: "ownerId"}},
		},
	})
	person, _ := m.Object("person")
	person.Fields = append(person.Fields, model.Field{Name: "pets", Type: model.Relation,
		Relation: &model.RelationInfo{Type: model.OneToMany, TargetObject: "pet"}})

	s := twentytest.NewServer(t, twentytest.WithModelJSON(modelJSON(t, m)))
	r := do(t, s, "POST", "/rest/pets", map[string]any{
		"name": "Miso", "ownerId": maya, "tags": []string{"CUTE"}, "weight": 4.5, "chipId": "A1",
		"vetBill": map[string]any{"amountMicros": "120000000", "currencyCode": "EUR"},
	})
	require.Equal(t, 201, r.status, string(r.raw))
	pet := at(r.body, "data", "createPet")
	assert.Equal(t, "CAT", at(pet, "species"), "default from the model")
	assert.Equal(t, "120000000", at(pet, "vetBill", "amountMicros"), "decimals keep their JSON form")

	r = do(t, s, "POST", "/rest/pets", map[string]any{"chipId": "A1"})
	assert.Equal(t, 400, r.status, "isUnique")
	r = do(t, s, "POST", "/rest/pets", map[string]any{"tags": []string{"FLUFFY"}})
	assert.Contains(t, message(r), `Invalid value "FLUFFY" for field "tags". Valid values are: `)

	r = list(t, s, "pets", url.Values{"depth": {"1"}, "filter": {"tags[containsAny]:[CUTE,LOUD]"}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, "Maya", at(r.body, "data", "pets", 0, "owner", "name", "firstName"))

	r = do(t, s, "GET", "/rest/people/"+maya+"?depth=1", nil)
	require.Equal(t, 200, r.status)
	assert.Equal(t, "Miso", at(r.body, "data", "person", "pets", 0, "name"))

	r = list(t, s, "pets/groupBy", url.Values{"group_by": {`[{"species":true}]`}, "aggregate": {`["avgWeight","sumVetBillAmountMicros"]`}})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, "4.5", at(r.list, 0, "avgWeight"))
	assert.Equal(t, "120000000", at(r.list, 0, "sumVetBillAmountMicros"))
	assert.Equal(t, 1, s.RequestsFor("groupByPets"))

	r = do(t, s, "DELETE", "/rest/pets?filter=name[eq]:Miso", nil)
	require.Equal(t, 200, r.status)
	assert.Equal(t, json.Number("0"), at(do(t, s, "GET", "/rest/pets", nil).body, "totalCount"))
}

func modelJSON(t *testing.T, m *model.Model) []byte {
	t.Helper()
	data, err := json.Marshal(m)
	require.NoError(t, err)
	return data
}
