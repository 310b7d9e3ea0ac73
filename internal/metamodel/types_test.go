package metamodel_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/internal/metamodel"
	"github.com/twenty-go/twenty/internal/model"
)

// Field rows as the two eras serve them. 1.x (the era of the reference
// document) carries isCustom and a relation block; 2.43 builds its rows
// with from-field-metadata-entity-to-field-metadata-dto.util.ts:
// universalIdentifier, applicationId, isUIReadOnly, morphId, no isCustom,
// no relation block.
func row1x(name, typ string, extra string) string {
	return fmt.Sprintf(`{"id":"00000000-0000-4000-8000-%012x","type":%q,"name":%q,"label":"L","description":null,"icon":"IconX",
		"isCustom":false,"isActive":true,"isSystem":false,"isNullable":true,"isUnique":false,"defaultValue":null,"options":null,
		"settings":null,"relation":null,"createdAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-01T00:00:00.000Z"%s}`,
		len(name), typ, name, extra)
}

func row243(name, typ string, extra string) string {
	return fmt.Sprintf(`{"id":"00000000-0000-4000-8000-%012x","universalIdentifier":"u-%s","applicationId":"a","type":%q,"name":%q,
		"label":"L","icon":"IconX","isActive":true,"isSystem":false,"isUIEditable":true,"isUIReadOnly":false,"isNullable":true,
		"isUnique":false,"workspaceId":"w","objectMetadataId":"00000000-0000-4000-8000-0000000000aa","isLabelSyncedWithName":true,
		"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"%s}`, len(name), name, typ, name, extra)
}

const (
	companyID = "00000000-0000-4000-8000-0000000000cc"
	thingID   = "00000000-0000-4000-8000-0000000000aa"
)

// convertField turns one row on a "thing" object (next to a "company"
// object) into a model field, with the server's OpenAPI targets if given.
func convertField(t *testing.T, row string, targets map[string]string) (*model.Field, []string, error) {
	t.Helper()
	body := `{"data":[{"id":"` + thingID + `","nameSingular":"thing","namePlural":"things","isActive":true,"fields":[` + row + `]},
		{"id":"` + companyID + `","nameSingular":"company","namePlural":"companies","isActive":true,"fields":[]}],
		"pageInfo":{"hasNextPage":false}}`
	objects, _, err := metamodel.ObjectsPage([]byte(body))
	require.NoError(t, err)
	var warnings []string
	m, err := metamodel.Convert(objects, metamodel.Options{Targets: targets, Warn: func(s string) { warnings = append(warnings, s) }})
	if err != nil {
		return nil, warnings, err
	}
	thing, ok := m.Object("thing")
	require.True(t, ok)
	if len(thing.Fields) == 0 {
		return nil, warnings, nil
	}
	require.Len(t, thing.Fields, 1)
	return &thing.Fields[0], warnings, nil
}

// Every FieldMetadataType of 2.43 (twenty-shared's enum, from
// twenty-sdk@2.43.0) and of 1.x, from rows of both eras.
func TestEveryFieldTypeOfBothEras(t *testing.T) {
	t.Parallel()
	m2o := `,"settings":{"relationType":"MANY_TO_ONE","joinColumnName":"companyId","onDelete":"SET_NULL"}`
	o2m := `,"settings":{"relationType":"ONE_TO_MANY"}`
	block := func(rt string) string {
		return `,"relation":{"type":"` + rt + `","sourceObjectMetadata":{"id":"` + thingID + `","nameSingular":"thing","namePlural":"things"},
			"targetObjectMetadata":{"id":"` + companyID + `","nameSingular":"company","namePlural":"companies"},
			"sourceFieldMetadata":{"id":"` + thingID + `","name":"x"},"targetFieldMetadata":{"id":"` + companyID + `","name":"things"}}`
	}
	opts := `,"options":[{"id":"1","value":"A","label":"A","color":"red","position":0},{"id":"2","value":"B","label":"B","color":"blue","position":1}]`
	type tc struct {
		row  string
		want model.FieldType
		// check sees the field; nil means the type alone is the claim.
		check func(t *testing.T, f *model.Field)
	}
	isInt := func(t *testing.T, f *model.Field) {
		require.NotNil(t, f.Settings)
		assert.Equal(t, "int", f.Settings.DataType)
	}
	notInt := func(t *testing.T, f *model.Field) {
		assert.True(t, f.Settings == nil || f.Settings.DataType != "int", "%+v", f.Settings)
	}
	toCompany := func(rt model.RelationType) func(t *testing.T, f *model.Field) {
		return func(t *testing.T, f *model.Field) {
			require.NotNil(t, f.Relation)
			assert.Equal(t, rt, f.Relation.Type)
			assert.Equal(t, "company", f.Relation.TargetObject)
			if rt == model.ManyToOne {
				assert.Equal(t, "companyId", f.Relation.JoinColumnName)
			}
		}
	}
	cases := map[string]tc{}
	simple := map[string]model.FieldType{
		"ACTOR": model.Actor, "ADDRESS": model.Address, "ARRAY": model.Array, "BOOLEAN": model.Boolean,
		"CURRENCY": model.Currency, "DATE": model.Date, "DATE_TIME": model.DateTime, "EMAILS": model.Emails,
		"FILES": model.Files, "FULL_NAME": model.FullName, "LINKS": model.Links, "NUMERIC": model.Numeric,
		"PHONES": model.Phones, "POSITION": model.Position, "RAW_JSON": model.RawJSON, "TEXT": model.Text, "UUID": model.UUID,
	}
	for typ, want := range simple {
		cases["1.x "+typ] = tc{row: row1x("f", typ, ""), want: want}
		cases["2.43 "+typ] = tc{row: row243("f", typ, ""), want: want}
	}
	for _, typ := range []string{"SELECT", "MULTI_SELECT", "RATING"} {
		want := model.FieldType(typ)
		options := func(t *testing.T, f *model.Field) {
			assert.Equal(t, []model.Option{{Value: "A", Label: "A"}, {Value: "B", Label: "B"}}, f.Options)
		}
		cases["1.x "+typ] = tc{row: row1x("f", typ, opts), want: want, check: options}
		cases["2.43 "+typ] = tc{row: row243("f", typ, opts), want: want, check: options}
	}
	for name, c := range map[string]tc{
		// NUMBER: integer only when the settings say so.
		"1.x NUMBER int":                  {row: row1x("f", "NUMBER", `,"settings":{"dataType":"int","decimals":0,"type":"number"}`), want: model.Number, check: isInt},
		"1.x NUMBER decimals only":        {row: row1x("f", "NUMBER", `,"settings":{"decimals":0,"type":"number"}`), want: model.Number, check: notInt},
		"1.x NUMBER no settings":          {row: row1x("f", "NUMBER", ""), want: model.Number, check: notInt},
		"2.43 NUMBER int":                 {row: row243("f", "NUMBER", `,"settings":{"dataType":"int"}`), want: model.Number, check: isInt},
		"2.43 NUMBER float":               {row: row243("f", "NUMBER", `,"settings":{"dataType":"float","decimals":2}`), want: model.Number, check: notInt},
		"2.43 NUMBER bigint":              {row: row243("f", "NUMBER", `,"settings":{"dataType":"bigint"}`), want: model.Number, check: notInt},
		"2.43 NUMBER no settings":         {row: row243("f", "NUMBER", ""), want: model.Number, check: notInt},
		"1.x RICH_TEXT_V2":                {row: row1x("f", "RICH_TEXT_V2", `,"defaultValue":{"blocknote":"''","markdown":"''"}`), want: model.RichTextV2},
		"1.x RICH_TEXT (plain text)":      {row: row1x("f", "RICH_TEXT", `,"defaultValue":"''"`), want: model.Text},
		"2.43 RICH_TEXT (composite)":      {row: row243("f", "RICH_TEXT", `,"defaultValue":{"blocknote":null,"markdown":null}`), want: model.RichText},
		"2.43 RICH_TEXT without default":  {row: row243("f", "RICH_TEXT", ""), want: model.RichText},
		"1.x RELATION many-to-one":        {row: row1x("company", "RELATION", block("MANY_TO_ONE")+`,"settings":{"relationType":"MANY_TO_ONE","joinColumnName":"companyId","onDelete":"SET_NULL"}`), want: model.Relation, check: toCompany(model.ManyToOne)},
		"1.x RELATION one-to-many":        {row: row1x("companies", "RELATION", block("ONE_TO_MANY")), want: model.Relation, check: toCompany(model.OneToMany)},
		"1.x MORPH_RELATION member":       {row: row1x("targetCompany", "MORPH_RELATION", block("MANY_TO_ONE")+`,"settings":{"relationType":"MANY_TO_ONE","joinColumnName":"targetCompanyId"}`), want: model.MorphRelation},
		"2.43 RELATION target by id":      {row: row243("company", "RELATION", m2o+`,"relationTargetObjectMetadataId":"`+companyID+`"`), want: model.Relation, check: toCompany(model.ManyToOne)},
		"2.43 RELATION one-to-many by id": {row: row243("companies", "RELATION", o2m+`,"relationTargetObjectMetadataId":"`+companyID+`"`), want: model.Relation, check: toCompany(model.OneToMany)},
		"2.43 MORPH_RELATION member":      {row: row243("targetCompany", "MORPH_RELATION", `,"morphId":"m1","settings":{"relationType":"MANY_TO_ONE","joinColumnName":"targetCompanyId","onDelete":"SET_NULL"}`), want: model.MorphRelation},
	} {
		cases[name] = c
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.True(t, json.Valid([]byte(c.row)), c.row)
			f, _, err := convertField(t, c.row, nil)
			require.NoError(t, err)
			require.NotNil(t, f)
			assert.Equal(t, c.want, f.Type)
			if c.check != nil {
				c.check(t, f)
			}
		})
	}
}

// A pre-1.20 workspace (one with RICH_TEXT_V2 fields) has plain-text
// RICH_TEXT fields even without a default.
func TestRichTextEraFromTheWorkspace(t *testing.T) {
	t.Parallel()
	body := `{"data":{"objects":[{"id":"` + thingID + `","nameSingular":"note","namePlural":"notes","fields":[` +
		row1x("body", "RICH_TEXT", "") + "," + row1x("bodyV2", "RICH_TEXT_V2", "") + `]}]}}`
	objects, _, err := metamodel.ObjectsPage([]byte(body))
	require.NoError(t, err, "the older envelope")
	m, err := metamodel.Convert(objects, metamodel.Options{})
	require.NoError(t, err)
	note, _ := m.Object("note")
	body1, _ := note.Field("body")
	body2, _ := note.Field("bodyV2")
	assert.Equal(t, model.Text, body1.Type)
	assert.Equal(t, model.RichTextV2, body2.Type)
}

// 2.43's relation rows name no target: the server's OpenAPI document does;
// without it a many-to-one keeps its join column, typed, and says so.
func TestRelationsWithoutBlock(t *testing.T) {
	t.Parallel()
	m2o := row243("company", "RELATION", `,"settings":{"relationType":"MANY_TO_ONE","joinColumnName":"companyId","onDelete":"SET_NULL"}`)
	o2m := row243("companies", "RELATION", `,"settings":{"relationType":"ONE_TO_MANY"}`)

	doc := []byte(`{"openapi":"3.1.1","components":{"schemas":{
		"ThingForResponse":{"type":"object","properties":{
			"company":{"type":"object","oneOf":[{"$ref":"#/components/schemas/CompanyForResponse"}]},
			"companies":{"type":"array","items":{"$ref":"#/components/schemas/CompanyForResponse"}}}},
		"Thing with Relations":{"allOf":[{"$ref":"#/components/schemas/Thing"},{"type":"object","properties":{"old":{"type":"array","items":{"$ref":"#/components/schemas/Company"}}}}]}}}}`)
	targets, err := metamodel.TargetsFromOpenAPI(doc)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Thing.company": "Company", "Thing.companies": "Company", "Thing.old": "Company"}, targets)

	f, warnings, err := convertField(t, m2o, targets)
	require.NoError(t, err)
	assert.Equal(t, &model.RelationInfo{Type: model.ManyToOne, TargetObject: "company", JoinColumnName: "companyId"}, f.Relation)
	assert.Empty(t, warnings)
	f, _, err = convertField(t, o2m, targets)
	require.NoError(t, err)
	assert.Equal(t, &model.RelationInfo{Type: model.OneToMany, TargetObject: "company"}, f.Relation)

	f, warnings, err = convertField(t, m2o, nil)
	require.NoError(t, err)
	assert.Equal(t, model.Field{Name: "companyId", Type: model.UUID, Label: "L", Description: "Id of the related record."}, *f)
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "thing.company")
	f, warnings, err = convertField(t, o2m, nil)
	require.NoError(t, err)
	assert.Nil(t, f, "a one-to-many side without a target is left out")
	assert.Contains(t, strings.Join(warnings, "\n"), "thing.companies")

	// Morph members: the server names them after their target.
	f, warnings, err = convertField(t, row243("targetCompany", "MORPH_RELATION", `,"morphId":"m","settings":{"relationType":"MANY_TO_ONE","joinColumnName":"targetCompanyId"}`), nil)
	require.NoError(t, err)
	assert.Equal(t, &model.RelationInfo{Type: model.ManyToOne, TargetObject: "company", JoinColumnName: "targetCompanyId"}, f.Relation)
	assert.Contains(t, strings.Join(warnings, "\n"), "inferred")
	f, _, err = convertField(t, row243("ownerCompanies", "MORPH_RELATION", `,"morphId":"m","settings":{"relationType":"ONE_TO_MANY"}`), nil)
	require.NoError(t, err)
	assert.Equal(t, &model.RelationInfo{Type: model.OneToMany, TargetObject: "company"}, f.Relation)
}

// What cannot be typed is an error naming the object and the field;
// inactive fields and TS_VECTOR are left out.
func TestUntypableAndLeftOut(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct{ row, want string }{
		"relation without a type": {row243("company", "RELATION", ""), "thing.company has no relation type"},
		"relation of an odd type": {row243("company", "RELATION", `,"settings":{"relationType":"MANY_TO_MANY"}`), `thing.company has unknown type "MANY_TO_MANY"`},
		"select without options":  {row243("stage", "SELECT", ""), "thing.stage is a SELECT without options"},
		"field without a type":    {row243("odd", "", ""), "thing.odd has no type"},
		"field without a name":    {row243("", "TEXT", ""), "object thing has a field without a name"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, _, err := convertField(t, c.row, nil)
			assert.ErrorContains(t, err, c.want)
		})
	}
	for name, row := range map[string]string{
		"inactive":  strings.Replace(row243("gone", "TEXT", ""), `"isActive":true`, `"isActive":false`, 1),
		"TS_VECTOR": row243("searchVector", "TS_VECTOR", ""),
	} {
		f, _, err := convertField(t, row, nil)
		require.NoError(t, err, name)
		assert.Nil(t, f, name)
	}
	// A type newer than this module is kept, as any JSON, and reported.
	f, warnings, err := convertField(t, row243("x", "HOLOGRAM", ""), nil)
	require.NoError(t, err)
	assert.Equal(t, model.FieldType("HOLOGRAM"), f.Type)
	assert.Contains(t, strings.Join(warnings, "\n"), "HOLOGRAM")
}

// -objects demands what the user named, not standard objects a newer
// server dropped.
func TestAlsoIsOptional(t *testing.T) {
	t.Parallel()
	objects, _, err := metamodel.ObjectsPage([]byte(`{"data":[{"id":"` + thingID + `","nameSingular":"invoice","namePlural":"invoices","fields":[]},
		{"id":"` + companyID + `","nameSingular":"company","namePlural":"companies","fields":[]},
		{"id":"` + companyID + `","nameSingular":"pet","namePlural":"pets","fields":[]}]}`))
	require.NoError(t, err)
	m, err := metamodel.Convert(objects, metamodel.Options{Objects: []string{"invoices"}, Also: []string{"companies", "favorites"}})
	require.NoError(t, err)
	var names []string
	for _, o := range m.Objects {
		names = append(names, o.NamePlural)
	}
	assert.Equal(t, []string{"companies", "invoices"}, names)
	_, err = metamodel.Convert(objects, metamodel.Options{Objects: []string{"favorites"}})
	assert.ErrorContains(t, err, `no active object "favorites"`)
}
