package twentytest_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/internal/metamodel"
	"github.com/twenty-go/twenty/twentytest"
)

func statusOf(t *testing.T, err error) int {
	t.Helper()
	var ae *twenty.APIError
	require.True(t, errors.As(err, &ae), "want an APIError, got %v", err)
	return ae.StatusCode
}

// The life of a custom object through the root client, in both envelopes:
// create it, use its records, add fields, relabel, deactivate, delete.
// The server checks every exchange against the spec of its current model.
func TestMetadataWriteLifecycle(t *testing.T) {
	t.Parallel()
	for _, format := range []twentytest.MetadataFormat{twentytest.MetadataUnified, twentytest.MetadataLegacy} {
		t.Run(format.String(), func(t *testing.T) {
			t.Parallel()
			s := twentytest.NewServer(t, twentytest.WithMetadataFormat(format))
			c := rootClient(t, s)
			meta := c.Metadata()

			o, err := meta.CreateObject(ctx, api.CreateObjectInput{NameSingular: "pet", NamePlural: "pets",
				LabelSingular: "Pet", LabelPlural: "Pets", Description: ptr("Animals")})
			require.NoError(t, err)
			petID := metamodel.ObjectID("pet").String()
			assert.Equal(t, petID, o.ID.String())
			assert.Equal(t, "pets", o.NamePlural)
			assert.Equal(t, true, *o.IsCustom)
			names := map[string]bool{}
			for _, f := range o.Fields {
				names[f.Name] = true
			}
			for _, n := range []string{"id", "createdAt", "updatedAt", "deletedAt", "name"} {
				assert.True(t, names[n], n)
			}
			got, err := meta.GetObject(ctx, petID)
			require.NoError(t, err)
			assert.Equal(t, "Pet", *got.LabelSingular)

			pets := c.Object("pets")
			rex, err := pets.Create(ctx, twenty.Record{"name": "Rex"}, nil)
			require.NoError(t, err)
			rexID := rex["id"].(string)
			assert.Len(t, s.Records("pets"), 1)

			// A field on an object with records: they get its default.
			f, err := meta.CreateField(ctx, api.CreateFieldInput{ObjectMetadataID: o.ID, Type: "SELECT", Name: "species",
				Label: "Species", DefaultValue: "'DOG'",
				Options: []api.FieldOption{{Value: "DOG", Label: ptr("Dog")}, {Value: "CAT", Label: ptr("Cat")}}})
			require.NoError(t, err)
			speciesID := metamodel.FieldID("pet", "species").String()
			assert.Equal(t, speciesID, f.ID.String())
			assert.Equal(t, "'DOG'", f.DefaultValue)
			_, err = meta.CreateField(ctx, api.CreateFieldInput{ObjectMetadataID: o.ID, Type: "NUMBER", Name: "age", Label: "Age"})
			require.NoError(t, err)
			rex, err = pets.Get(ctx, rexID, nil)
			require.NoError(t, err)
			assert.Equal(t, "DOG", rex["species"])
			assert.Nil(t, rex["age"])
			tom, err := pets.Create(ctx, twenty.Record{"name": "Tom", "species": "CAT", "age": 3}, nil)
			require.NoError(t, err)
			assert.Equal(t, "CAT", tom["species"])
			_, err = pets.Create(ctx, twenty.Record{"name": "Nemo", "species": "FISH"}, nil)
			assert.Equal(t, 400, statusOf(t, err))

			// A relation: pet.owner (MANY_TO_ONE to person) and person.pets.
			person := metamodel.ObjectID("person")
			rel, err := meta.CreateField(ctx, api.CreateFieldInput{ObjectMetadataID: o.ID, Type: "RELATION", Name: "owner",
				Label: "Owner", RelationCreationPayload: &api.RelationCreationPayload{Type: ptr("MANY_TO_ONE"),
					TargetObjectMetadataID: &person, TargetFieldLabel: ptr("Pets")}})
			require.NoError(t, err)
			assert.Equal(t, "ownerId", rel.Settings["joinColumnName"])
			inv, err := meta.GetField(ctx, metamodel.FieldID("person", "pets").String())
			require.NoError(t, err)
			assert.Equal(t, "ONE_TO_MANY", *inv.Relation.Type)
			personID := s.Records("people")[0]["id"].(string)
			_, err = pets.Update(ctx, rexID, twenty.Record{"ownerId": personID}, nil)
			require.NoError(t, err)
			owner, err := c.Object("people").Get(ctx, personID, &twenty.GetOptions{Depth: 1})
			require.NoError(t, err)
			require.Len(t, owner["pets"], 1)
			assert.Equal(t, "Rex", owner["pets"].([]any)[0].(map[string]any)["name"])

			// Relabel the object and a field, change options.
			o, err = meta.UpdateObject(ctx, petID, api.UpdateObjectInput{LabelSingular: ptr("Animal"), LabelPlural: ptr("Animals")})
			require.NoError(t, err)
			assert.Equal(t, "Animals", *o.LabelPlural)
			f, err = meta.UpdateField(ctx, speciesID, api.UpdateFieldInput{Label: ptr("Kind"),
				Options: []api.FieldOption{{Value: "DOG", Label: ptr("Dog")}, {Value: "BIRD", Label: ptr("Bird")}}})
			require.NoError(t, err)
			assert.Equal(t, "Kind", *f.Label)
			rec, ok := s.Record("pets", tom["id"].(string))
			require.True(t, ok)
			assert.Nil(t, rec["species"], "a removed option's values are cleared")
			_, err = pets.Create(ctx, twenty.Record{"species": "BIRD"}, nil)
			require.NoError(t, err)

			// Deactivate a field: it leaves the records, not the metadata.
			f, err = meta.UpdateField(ctx, metamodel.FieldID("pet", "age").String(), api.UpdateFieldInput{IsActive: ptr(false)})
			require.NoError(t, err)
			assert.False(t, *f.IsActive)
			rex, err = pets.Get(ctx, rexID, nil)
			require.NoError(t, err)
			assert.NotContains(t, rex, "age")
			require.NoError(t, meta.DeleteField(ctx, metamodel.FieldID("pet", "age").String()))
			_, err = meta.GetField(ctx, metamodel.FieldID("pet", "age").String())
			assert.Equal(t, 404, statusOf(t, err))

			// Deactivate, then delete; the records go with it.
			err = meta.DeleteObject(ctx, petID)
			assert.Equal(t, 400, statusOf(t, err), "an active object cannot be deleted")
			o, err = meta.UpdateObject(ctx, petID, api.UpdateObjectInput{IsActive: ptr(false)})
			require.NoError(t, err)
			assert.False(t, *o.IsActive)
			_, err = pets.List(ctx, nil)
			assert.Equal(t, 400, statusOf(t, err), "an inactive object is unknown to REST")
			owner, err = c.Object("people").Get(ctx, personID, &twenty.GetOptions{Depth: 1})
			require.NoError(t, err)
			assert.NotContains(t, owner, "pets")
			_, err = meta.UpdateObject(ctx, petID, api.UpdateObjectInput{IsActive: ptr(true)})
			require.NoError(t, err)
			page, err := pets.List(ctx, nil)
			require.NoError(t, err)
			assert.Len(t, page.Records, 3, "reactivation brings the records back")
			_, err = meta.UpdateObject(ctx, petID, api.UpdateObjectInput{IsActive: ptr(false)})
			require.NoError(t, err)
			require.NoError(t, meta.DeleteObject(ctx, petID))
			_, err = meta.GetObject(ctx, petID)
			assert.Equal(t, 404, statusOf(t, err))
			_, err = meta.GetField(ctx, metamodel.FieldID("person", "pets").String())
			assert.Equal(t, 404, statusOf(t, err), "the inverse relation goes with the object")
			assert.Nil(t, s.Records("pets"))
			objects, err := meta.ListObjects(ctx)
			require.NoError(t, err)
			for _, o := range objects {
				assert.NotEqual(t, "pet", o.NameSingular)
			}

			// The name is free again.
			_, err = meta.CreateObject(ctx, api.CreateObjectInput{NameSingular: "pet", NamePlural: "pets",
				LabelSingular: "Pet", LabelPlural: "Pets"})
			require.NoError(t, err)
			page, err = pets.List(ctx, nil)
			require.NoError(t, err)
			assert.Empty(t, page.Records)
		})
	}
}

// The legacy envelope wraps writes under the operation's name; creates
// answer 201.
func TestMetadataWriteEnvelopes(t *testing.T) {
	t.Parallel()
	for _, format := range []twentytest.MetadataFormat{twentytest.MetadataUnified, twentytest.MetadataLegacy} {
		t.Run(format.String(), func(t *testing.T) {
			t.Parallel()
			legacy := format == twentytest.MetadataLegacy
			s := twentytest.NewServer(t, twentytest.WithMetadataFormat(format))
			item := func(r resp, op string) any {
				if legacy {
					return at(r.body, "data", op)
				}
				return r.body
			}
			r := do(t, s, "POST", "/rest/metadata/objects", map[string]any{"nameSingular": "rocket", "namePlural": "rockets",
				"labelSingular": "Rocket", "labelPlural": "Rockets"})
			require.Equal(t, 201, r.status, string(r.raw))
			id := at(item(r, "createOneObject"), "id").(string)
			r = do(t, s, "POST", "/rest/metadata/fields", map[string]any{"objectMetadataId": id, "type": "BOOLEAN",
				"name": "launched", "label": "Launched", "defaultValue": false})
			require.Equal(t, 201, r.status, string(r.raw))
			fid := at(item(r, "createOneField"), "id").(string)
			r = do(t, s, "PATCH", "/rest/metadata/fields/"+fid, map[string]any{"description": "Off the pad"})
			require.Equal(t, 200, r.status, string(r.raw))
			assert.Equal(t, "Off the pad", at(item(r, "updateOneField"), "description"))
			r = do(t, s, "POST", "/rest/rockets", map[string]any{"name": "Saturn V"})
			require.Equal(t, 201, r.status, string(r.raw))
			assert.Equal(t, false, at(r.body, "data", "createRocket", "launched"))
			r = do(t, s, "PATCH", "/rest/metadata/fields/"+fid, map[string]any{"isActive": false})
			require.Equal(t, 200, r.status, string(r.raw))
			r = do(t, s, "DELETE", "/rest/metadata/fields/"+fid, nil)
			require.Equal(t, 200, r.status, string(r.raw))
			assert.Equal(t, fid, at(item(r, "deleteOneField"), "id"))
			r = do(t, s, "PATCH", "/rest/metadata/objects/"+id, map[string]any{"isActive": false})
			require.Equal(t, 200, r.status, string(r.raw))
			assert.Equal(t, false, at(item(r, "updateOneObject"), "isActive"))
			r = do(t, s, "DELETE", "/rest/metadata/objects/"+id, nil)
			require.Equal(t, 200, r.status, string(r.raw))
			assert.Equal(t, id, at(item(r, "deleteOneObject"), "id"))
		})
	}
}

func TestMetadataWriteErrors(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	person := metamodel.ObjectID("person").String()
	obj := func(sing, plur string) map[string]any {
		return map[string]any{"nameSingular": sing, "namePlural": plur, "labelSingular": "X", "labelPlural": "Xs"}
	}
	r := do(t, s, "POST", "/rest/metadata/objects", obj("pet", "pets"))
	require.Equal(t, 201, r.status, string(r.raw))
	pet := at(r.body, "id").(string)

	for name, c := range map[string]struct {
		method, path string
		body         any
		status       int
	}{
		"duplicate object":               {"POST", "/rest/metadata/objects", obj("pet", "pets"), 400},
		"name taken as plural":           {"POST", "/rest/metadata/objects", obj("people", "peoples"), 400},
		"empty names":                    {"POST", "/rest/metadata/objects", obj("", ""), 400},
		"not camelCase":                  {"POST", "/rest/metadata/objects", obj("Big Cat", "bigCats"), 400},
		"same singular as plural":        {"POST", "/rest/metadata/objects", obj("fish", "fish"), 400},
		"empty label":                    {"POST", "/rest/metadata/objects", map[string]any{"nameSingular": "a", "namePlural": "as", "labelSingular": "", "labelPlural": "As"}, 400},
		"unknown property":               {"POST", "/rest/metadata/objects", map[string]any{"nameSingular": "a", "namePlural": "as", "labelSingular": "A", "labelPlural": "As", "color": "red"}, 400},
		"update unknown object":          {"PATCH", "/rest/metadata/objects/" + unknown, map[string]any{"labelSingular": "X"}, 404},
		"rename object":                  {"PATCH", "/rest/metadata/objects/" + pet, map[string]any{"nameSingular": "dog"}, 400},
		"delete standard object":         {"DELETE", "/rest/metadata/objects/" + person, nil, 400},
		"delete active object":           {"DELETE", "/rest/metadata/objects/" + pet, nil, 400},
		"delete unknown object":          {"DELETE", "/rest/metadata/objects/" + unknown, nil, 404},
		"duplicate field":                {"POST", "/rest/metadata/fields", map[string]any{"objectMetadataId": person, "type": "TEXT", "name": "jobTitle", "label": "Job"}, 400},
		"field named like a join column": {"POST", "/rest/metadata/fields", map[string]any{"objectMetadataId": person, "type": "TEXT", "name": "companyId", "label": "C"}, 400},
		"field on unknown object":        {"POST", "/rest/metadata/fields", map[string]any{"objectMetadataId": unknown, "type": "TEXT", "name": "x", "label": "X"}, 400},
		"unsupported type":               {"POST", "/rest/metadata/fields", map[string]any{"objectMetadataId": pet, "type": "TS_VECTOR", "name": "x", "label": "X"}, 400},
		"select without options":         {"POST", "/rest/metadata/fields", map[string]any{"objectMetadataId": pet, "type": "SELECT", "name": "x", "label": "X"}, 400},
		"default not an option":          {"POST", "/rest/metadata/fields", map[string]any{"objectMetadataId": pet, "type": "SELECT", "name": "x", "label": "X", "options": []any{map[string]any{"value": "A"}}, "defaultValue": "'B'"}, 400},
		"not nullable without default":   {"POST", "/rest/metadata/fields", map[string]any{"objectMetadataId": pet, "type": "TEXT", "name": "x", "label": "X", "isNullable": false}, 400},
		"relation without payload":       {"POST", "/rest/metadata/fields", map[string]any{"objectMetadataId": pet, "type": "RELATION", "name": "x", "label": "X"}, 400},
		"relation inverse name taken": {"POST", "/rest/metadata/fields", map[string]any{"objectMetadataId": pet, "type": "RELATION", "name": "x", "label": "X",
			"relationCreationPayload": map[string]any{"type": "MANY_TO_ONE", "targetObjectMetadataId": person, "targetFieldLabel": "Job title"}}, 400},
		"update unknown field":          {"PATCH", "/rest/metadata/fields/" + unknown, map[string]any{"label": "X"}, 404},
		"deactivate a system field":     {"PATCH", "/rest/metadata/fields/" + metamodel.FieldID("person", "id").String(), map[string]any{"isActive": false}, 400},
		"delete standard field":         {"DELETE", "/rest/metadata/fields/" + metamodel.FieldID("person", "jobTitle").String(), nil, 400},
		"delete unknown field":          {"DELETE", "/rest/metadata/fields/" + unknown, nil, 404},
		"options on a text field":       {"PATCH", "/rest/metadata/fields/" + metamodel.FieldID("person", "jobTitle").String(), map[string]any{"options": []any{map[string]any{"value": "A"}}}, 400},
		"delete an active custom field": {"DELETE", "/rest/metadata/fields/" + metamodel.FieldID("pet", "name").String(), nil, 400},
	} {
		r := do(t, s, c.method, c.path, c.body)
		assert.Equal(t, c.status, r.status, "%s: %s", name, r.raw)
	}
	// Nothing above changed the model.
	r = do(t, s, "GET", "/rest/metadata/objects/"+pet, nil)
	require.Equal(t, 200, r.status)
	assert.Equal(t, "pet", at(r.body, "nameSingular"))
	assert.Equal(t, 400, do(t, s, "GET", "/rest/dogs", nil).status)
}

// Model changes and record traffic at once, under -race: every exchange
// is served and checked against one model.
func TestMetadataWriteConcurrent(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	// Each model write regenerates and reloads the spec (about 1.5 s, five
	// times that under -race on a loaded machine) and the four field
	// writes queue behind one another: the default 30 s timeout measures
	// the machine, not the behaviour under test.
	c, err := twenty.NewClient(twenty.WithAPIKey(s.APIKey()), twenty.WithBaseURL(s.URL()), twenty.WithTimeout(10*time.Minute))
	require.NoError(t, err)
	meta := c.Metadata()
	o, err := meta.CreateObject(ctx, api.CreateObjectInput{NameSingular: "pet", NamePlural: "pets", LabelSingular: "Pet", LabelPlural: "Pets"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				_, err := c.Object("pets").Create(ctx, twenty.Record{"name": "p"}, nil)
				assert.NoError(t, err)
				_, err = c.Object("people").List(ctx, nil)
				assert.NoError(t, err)
				_ = s.Records("pets")
			}
			_, err := meta.CreateField(ctx, api.CreateFieldInput{ObjectMetadataID: o.ID, Type: "TEXT",
				Name: []string{"a", "b", "c", "d"}[i], Label: "L"})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	page, err := c.Object("pets").List(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, page.Records, 20)
	for _, n := range []string{"a", "b", "c", "d"} {
		assert.Equal(t, "", page.Records[0][n])
	}
}
