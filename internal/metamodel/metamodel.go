// Package metamodel converts between the data model the spec generator and
// the fake server use (internal/model) and what Twenty's metadata API
// serves (api.ObjectMetadata with inline fields). ToModel reads a live
// workspace; FromModel lets the fake serve its model the same way, so the
// two directions are tested against each other.
package metamodel

import (
	"crypto/sha1"
	"fmt"
	"sort"
	"strconv"
	"strings"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/internal/model"
)

// Options select what ToModel keeps.
type Options struct {
	// Objects, if not empty, keeps only these objects (plural names) and
	// Also; each of Objects must exist.
	Objects []string
	// Also are kept too when the workspace has them, and silently left out
	// when it does not (standard objects a newer server dropped, such as
	// favorites since 2.7).
	Also []string
	// IncludeSystem keeps system objects (messages, calendar, workflow
	// internals) that a workspace hides from its users.
	IncludeSystem bool
	// Targets names the target of relation fields the metadata leaves
	// without one, as TargetsFromOpenAPI reads them from the server's own
	// OpenAPI document: "Company.people" -> "Person" (schema base names).
	Targets map[string]string
	// Warn, if set, hears what could only be typed loosely (or not at all)
	// and why.
	Warn func(string)
}

// readOnly fields are managed by the server and never written.
var readOnly = map[string]int{"id": 0, "createdAt": 1, "updatedAt": 2, "deletedAt": 3}

// fieldTypes maps every FieldMetadataType of releases 1.x to 2.43 (2.43's
// list is twenty-shared's enum) to the model's type; RICH_TEXT and the
// relations are decided per field, TS_VECTOR has no REST representation.
var fieldTypes = map[string]model.FieldType{
	"ACTOR": model.Actor, "ADDRESS": model.Address, "ARRAY": model.Array, "BOOLEAN": model.Boolean,
	"CURRENCY": model.Currency, "DATE": model.Date, "DATE_TIME": model.DateTime, "EMAILS": model.Emails,
	"FILES": model.Files, "FULL_NAME": model.FullName, "LINKS": model.Links, "MULTI_SELECT": model.MultiSelect,
	"NUMBER": model.Number, "NUMERIC": model.Numeric, "PHONES": model.Phones, "POSITION": model.Position,
	"RATING": model.Rating, "RAW_JSON": model.RawJSON, "SELECT": model.Select, "TEXT": model.Text,
	"UUID": model.UUID, "RICH_TEXT_V2": model.RichTextV2,
	"RELATION": model.Relation, "MORPH_RELATION": model.MorphRelation,
	"RICH_TEXT": "", // plain text before 1.20, {blocknote, markdown} since: see richText
}

// ToModel builds a model from the metadata API's objects as the generated
// client decodes them; see Convert.
func ToModel(objects []api.ObjectMetadata, opts Options) (*model.Model, error) {
	rows, err := FromAPI(objects)
	if err != nil {
		return nil, err
	}
	return Convert(rows, opts)
}

// Convert builds a model from the metadata API's objects. The result is
// deterministic: objects sorted by name, server-managed fields first, then
// the others by name, so the same workspace always gives the same spec.
func Convert(objects []Object, opts Options) (*model.Model, error) {
	want, also := map[string]bool{}, map[string]bool{}
	for _, p := range opts.Objects {
		want[p] = true
	}
	for _, p := range opts.Also {
		also[p] = true
	}
	c := &converter{opts: opts, byID: map[string]*Object{}, bySchema: map[string]*Object{}}
	for i := range objects {
		o := &objects[i]
		c.byID[strings.ToLower(o.ID)] = o
		c.bySchema[upperFirst(o.NameSingular)] = o
		for _, f := range o.Fields {
			if f.Type == "RICH_TEXT_V2" {
				c.pre120 = true // 1.20 renamed RICH_TEXT_V2 to RICH_TEXT
			}
		}
	}
	m := &model.Model{}
	for i := range objects {
		o := &objects[i]
		keep := want[o.NamePlural] || also[o.NamePlural]
		if !isTrue(o.IsActive, true) || (isTrue(o.IsSystem, false) && !opts.IncludeSystem && !keep) {
			continue
		}
		if len(want) > 0 && !keep {
			continue
		}
		obj := model.Object{
			NameSingular:  o.NameSingular,
			NamePlural:    o.NamePlural,
			LabelSingular: deref(o.LabelSingular, o.NameSingular),
			LabelPlural:   deref(o.LabelPlural, o.NamePlural),
			Description:   deref(o.Description, ""),
			IsCustom:      isTrue(o.IsCustom, false),
		}
		for _, f := range o.Fields {
			if !isTrue(f.IsActive, true) || f.Type == "TS_VECTOR" {
				continue
			}
			field, ok, err := c.field(o, f)
			if err != nil {
				return nil, err
			}
			if ok {
				obj.Fields = append(obj.Fields, field)
			}
		}
		sort.SliceStable(obj.Fields, func(i, j int) bool { return fieldLess(obj.Fields[i].Name, obj.Fields[j].Name) })
		m.Objects = append(m.Objects, obj)
	}
	for p := range want {
		if _, ok := m.ObjectByPlural(p); !ok {
			return nil, fmt.Errorf("metamodel: the workspace has no active object %q", p)
		}
	}
	sort.Slice(m.Objects, func(i, j int) bool { return m.Objects[i].NameSingular < m.Objects[j].NameSingular })
	if err := dedupe(m); err != nil {
		return nil, err
	}
	return m, m.Validate()
}

// dedupe refuses a field whose name another field already takes, such as an
// untyped relation's join column next to a field of that name.
func dedupe(m *model.Model) error {
	for _, o := range m.Objects {
		seen := map[string]bool{}
		for _, f := range o.Fields {
			if seen[f.Name] {
				return fmt.Errorf("metamodel: %s.%s: two fields of this name", o.NameSingular, f.Name)
			}
			seen[f.Name] = true
		}
	}
	return nil
}

type converter struct {
	opts     Options
	byID     map[string]*Object
	bySchema map[string]*Object // by upperFirst(nameSingular), as OpenAPI names schemas
	pre120   bool
}

func (c *converter) warn(format string, args ...any) {
	if c.opts.Warn != nil {
		c.opts.Warn(fmt.Sprintf(format, args...))
	}
}

func fieldLess(a, b string) bool {
	ra, aSys := readOnly[a]
	rb, bSys := readOnly[b]
	switch {
	case aSys && bSys:
		return ra < rb
	case aSys != bSys:
		return aSys
	}
	return a < b
}

// field converts one field; ok is false for a field left out.
func (c *converter) field(o *Object, f Field) (model.Field, bool, error) {
	where := o.NameSingular + "." + f.Name
	if f.Name == "" {
		return model.Field{}, false, fmt.Errorf("metamodel: object %s has a field without a name (id %s)", o.NameSingular, f.ID)
	}
	typ, known := fieldTypes[f.Type]
	switch {
	case f.Type == "":
		return model.Field{}, false, fmt.Errorf("metamodel: %s has no type", where)
	case !known:
		// A type newer than this module: kept as raw JSON so its values
		// still decode.
		c.warn("%s: field type %s is unknown here, typed as any JSON", where, f.Type)
		typ = model.FieldType(f.Type)
	case f.Type == "RICH_TEXT":
		typ = c.richText(where, f)
	}
	field := model.Field{
		Name:        f.Name,
		Type:        typ,
		Label:       deref(f.Label, ""),
		Description: deref(f.Description, ""),
		IsCustom:    isTrue(f.IsCustom, false),
		IsUnique:    isTrue(f.IsUnique, false),
	}
	if _, ok := readOnly[f.Name]; ok {
		field.IsSystem = true
	}
	if f.IsNullable != nil && !*f.IsNullable {
		no := false
		field.IsNullable = &no
	}
	for _, opt := range f.Options {
		field.Options = append(field.Options, model.Option{Value: opt.Value, Label: deref(opt.Label, "")})
	}
	if (typ == model.Select || typ == model.MultiSelect) && len(field.Options) == 0 {
		return field, false, fmt.Errorf("metamodel: %s is a %s without options", where, f.Type)
	}
	field.DefaultValue = defaultValue(field.Type, f.DefaultValue)
	switch typ {
	case model.Number:
		// Integer only when the settings say so: a fractional value in a
		// field typed integer would fail a whole page.
		if dt, _ := f.Settings["dataType"].(string); dt == "int" {
			field.Settings = &model.FieldSettings{DataType: "int"}
		} else if dt != "" {
			field.Settings = &model.FieldSettings{DataType: "float"}
		}
	case model.Relation, model.MorphRelation:
		return c.relation(o, f, field)
	}
	return field, true, nil
}

// richText decides what a RICH_TEXT field holds from its own metadata:
// before 1.20 it was plain text (its default a quoted string), since 1.20
// it is the {blocknote, markdown} composite (its default an object).
// Without a default, the workspace's era decides: a RICH_TEXT_V2 field
// anywhere means the rename of 1.20 has not happened.
func (c *converter) richText(where string, f Field) model.FieldType {
	switch d := f.DefaultValue.(type) {
	case string:
		return model.Text
	case map[string]any:
		return model.RichText
	case nil:
		if c.pre120 {
			return model.Text
		}
		return model.RichText
	default:
		c.warn("%s: RICH_TEXT default %T is unexpected; typed as {blocknote, markdown}", where, d)
		return model.RichText
	}
}

func (c *converter) relation(o *Object, f Field, field model.Field) (model.Field, bool, error) {
	where := o.NameSingular + "." + f.Name
	rt, _ := f.Settings["relationType"].(string)
	if f.Relation != nil && f.Relation.Type != "" {
		rt = f.Relation.Type
	}
	rel := &model.RelationInfo{Type: model.RelationType(rt)}
	switch rel.Type {
	case model.ManyToOne:
		rel.JoinColumnName = f.Name + "Id"
		if jc, _ := f.Settings["joinColumnName"].(string); jc != "" {
			rel.JoinColumnName = jc
		}
	case model.OneToMany:
	case "":
		return field, false, fmt.Errorf("metamodel: relation %s has no relation type (neither a relation block nor settings.relationType)", where)
	default:
		return field, false, fmt.Errorf("metamodel: relation %s has unknown type %q", where, rel.Type)
	}
	target := c.target(o, f, rel.Type)
	if target == "" {
		if rel.Type == model.OneToMany {
			c.warn("%s: the metadata names no target object; left out (a one-to-many side only shows at depth 1)", where)
			return field, false, nil
		}
		c.warn("%s: the metadata names no target object; only its join column %s is typed (a UUID)", where, rel.JoinColumnName)
		return model.Field{Name: rel.JoinColumnName, Type: model.UUID, Label: field.Label,
			Description: strings.TrimSpace("Id of the related record. " + field.Description), IsCustom: field.IsCustom}, true, nil
	}
	rel.TargetObject = target
	field.Relation = rel
	return field, true, nil
}

// target finds where a relation points: the relation block (1.x), the
// relationTargetObjectMetadataId some releases serve, the server's own
// OpenAPI document (Options.Targets), or, for a morph member, the name
// the server derives from its target (computeMorphRelationFieldName:
// field name + capitalised singular, or plural on the one-to-many side).
func (c *converter) target(o *Object, f Field, rt model.RelationType) string {
	if r := f.Relation; r != nil && r.TargetObjectMetadata != nil {
		if r.TargetObjectMetadata.NameSingular != "" {
			return r.TargetObjectMetadata.NameSingular
		}
		if t := c.byID[strings.ToLower(r.TargetObjectMetadata.ID)]; t != nil {
			return t.NameSingular
		}
	}
	if t := c.byID[strings.ToLower(f.RelationTargetObjectMetadataID)]; t != nil {
		return t.NameSingular
	}
	if name := c.opts.Targets[upperFirst(o.NameSingular)+"."+f.Name]; name != "" {
		if t := c.bySchema[name]; t != nil {
			return t.NameSingular
		}
	}
	if f.Type != string(model.MorphRelation) {
		return ""
	}
	best := ""
	for schema, t := range c.bySchema {
		suffix := schema
		if rt == model.OneToMany {
			suffix = upperFirst(t.NamePlural)
		}
		if len(f.Name) > len(suffix) && strings.HasSuffix(f.Name, suffix) && len(suffix) > len(upperFirst(best)) {
			best = t.NameSingular
		}
	}
	if best != "" {
		c.warn("%s: morph member's target %s inferred from its name", o.NameSingular+"."+f.Name, best)
	}
	return best
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// defaultValue reads the metadata's default: select defaults are quoted
// SQL literals ("'NEW'"); only scalar defaults of simple types are kept.
func defaultValue(t model.FieldType, v any) any {
	switch t {
	case model.Select, model.Text:
		if s, ok := v.(string); ok && len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
			return s[1 : len(s)-1]
		}
	case model.Number:
		if n, ok := v.(float64); ok {
			return n
		}
	case model.Boolean:
		if b, ok := v.(bool); ok {
			return b
		}
	}
	return nil
}

// FromModel renders a model as the metadata API serves it, with ids
// derived from names so they are stable across runs.
func FromModel(m *model.Model) []api.ObjectMetadata {
	out := make([]api.ObjectMetadata, 0, len(m.Objects))
	for _, o := range m.Objects {
		om := api.ObjectMetadata{
			ID:            ObjectID(o.NameSingular),
			NameSingular:  o.NameSingular,
			NamePlural:    o.NamePlural,
			LabelSingular: ptr(o.LabelSingular),
			LabelPlural:   ptr(o.LabelPlural),
			Description:   ptr(o.Description),
			IsCustom:      ptr(o.IsCustom),
			IsActive:      ptr(true),
			IsSystem:      ptr(false),
			IsRemote:      ptr(false),
			Fields:        []api.FieldMetadata{},
		}
		for _, f := range o.Fields {
			om.Fields = append(om.Fields, fromField(m, o, f))
		}
		out = append(out, om)
	}
	return out
}

func fromField(m *model.Model, o model.Object, f model.Field) api.FieldMetadata {
	objID := ObjectID(o.NameSingular)
	fm := api.FieldMetadata{
		ID:               FieldID(o.NameSingular, f.Name),
		ObjectMetadataID: &objID,
		Type:             string(f.Type),
		Name:             f.Name,
		Label:            ptr(f.Label),
		Description:      ptr(f.Description),
		IsCustom:         ptr(f.IsCustom),
		IsActive:         ptr(true),
		IsSystem:         ptr(f.IsSystem),
		IsNullable:       ptr(f.Nullable()),
		IsUnique:         ptr(f.IsUnique),
	}
	for i, opt := range f.Options {
		pos := float64(i)
		fm.Options = append(fm.Options, api.FieldOption{ID: ptr(strconv.Itoa(i)), Value: opt.Value, Label: ptr(opt.Label), Position: &pos})
	}
	switch v := f.DefaultValue.(type) {
	case string:
		fm.DefaultValue = "'" + v + "'"
	case nil:
	default:
		fm.DefaultValue = v
	}
	if f.Settings != nil && f.Settings.DataType != "" {
		fm.Settings = map[string]any{"dataType": f.Settings.DataType}
	}
	if f.Relation != nil {
		target := api.RelationEnd{NameSingular: ptr(f.Relation.TargetObject)}
		if t, ok := m.Object(f.Relation.TargetObject); ok {
			id := ObjectID(t.NameSingular)
			target.ID, target.NamePlural = &id, ptr(t.NamePlural)
		}
		fm.Relation = &api.FieldRelation{
			Type:                 ptr(string(f.Relation.Type)),
			SourceObjectMetadata: &api.RelationEnd{ID: &objID, NameSingular: ptr(o.NameSingular), NamePlural: ptr(o.NamePlural)},
			TargetObjectMetadata: &target,
		}
		if f.Relation.JoinColumnName != "" {
			if fm.Settings == nil {
				fm.Settings = map[string]any{}
			}
			fm.Settings["joinColumnName"] = f.Relation.JoinColumnName
		}
	}
	return fm
}

// ObjectID is the stable id FromModel gives an object.
func ObjectID(singular string) openapi_types.UUID { return nameUUID("object:" + singular) }

// FieldID is the stable id FromModel gives a field.
func FieldID(singular, field string) openapi_types.UUID {
	return nameUUID("field:" + singular + "." + field)
}

// nameUUID is a version-5-style UUID from a name.
func nameUUID(name string) openapi_types.UUID {
	sum := sha1.Sum([]byte("twenty-go/" + name))
	var u openapi_types.UUID
	copy(u[:], sum[:16])
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

func ptr[T any](v T) *T { return &v }

func deref(s *string, def string) string {
	if s == nil || strings.TrimSpace(*s) == "" {
		return def
	}
	return *s
}

func isTrue(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}
