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
	// Objects, if not empty, keeps only these objects (plural names).
	Objects []string
	// IncludeSystem keeps system objects (messages, calendar, workflow
	// internals) that a workspace hides from its users.
	IncludeSystem bool
}

// readOnly fields are managed by the server and never written.
var readOnly = map[string]int{"id": 0, "createdAt": 1, "updatedAt": 2, "deletedAt": 3}

// skipped field types have no REST representation.
var skipped = map[string]bool{"TS_VECTOR": true}

// ToModel builds a model from the metadata API's objects. The result is
// deterministic: objects sorted by name, server-managed fields first, then
// the others by name, so the same workspace always gives the same spec.
func ToModel(objects []api.ObjectMetadata, opts Options) (*model.Model, error) {
	want := map[string]bool{}
	for _, p := range opts.Objects {
		want[p] = true
	}
	m := &model.Model{}
	for _, o := range objects {
		if !isTrue(o.IsActive, true) || (isTrue(o.IsSystem, false) && !opts.IncludeSystem && !want[o.NamePlural]) {
			continue
		}
		if len(want) > 0 && !want[o.NamePlural] {
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
			if !isTrue(f.IsActive, true) || skipped[f.Type] {
				continue
			}
			field, err := toField(o, f)
			if err != nil {
				return nil, err
			}
			obj.Fields = append(obj.Fields, field)
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
	return m, m.Validate()
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

func toField(o api.ObjectMetadata, f api.FieldMetadata) (model.Field, error) {
	field := model.Field{
		Name:        f.Name,
		Type:        model.FieldType(f.Type),
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
	field.DefaultValue = defaultValue(field.Type, f.DefaultValue)
	switch field.Type {
	case model.Number:
		field.Settings = &model.FieldSettings{DataType: "int"}
		if dt, _ := f.Settings["dataType"].(string); dt == "float" {
			field.Settings.DataType = "float"
		} else if d, ok := f.Settings["decimals"].(float64); ok && d > 0 {
			field.Settings.DataType = "float"
		}
	case model.Relation, model.MorphRelation:
		if f.Relation == nil || f.Relation.TargetObjectMetadata == nil || f.Relation.TargetObjectMetadata.NameSingular == nil {
			return field, fmt.Errorf("metamodel: relation %s.%s has no target object", o.NameSingular, f.Name)
		}
		rel := &model.RelationInfo{
			Type:         model.RelationType(deref(f.Relation.Type, "")),
			TargetObject: *f.Relation.TargetObjectMetadata.NameSingular,
		}
		if rel.Type == model.ManyToOne {
			rel.JoinColumnName = f.Name + "Id"
			if jc, _ := f.Settings["joinColumnName"].(string); jc != "" {
				rel.JoinColumnName = jc
			}
		} else if rel.Type != model.OneToMany {
			return field, fmt.Errorf("metamodel: relation %s.%s has unknown type %q", o.NameSingular, f.Name, rel.Type)
		}
		field.Relation = rel
	}
	return field, nil
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
