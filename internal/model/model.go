// Package model describes a Twenty workspace's data model: its objects and
// their fields, in the vocabulary of Twenty's metadata API. The OpenAPI
// generator and the fake server both read it, so the spec and the fake can
// never disagree about what an object looks like.
package model

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// FieldType is a Twenty field metadata type (TEXT, FULL_NAME, RELATION, ...).
type FieldType string

// The field types this module knows how to describe.
const (
	UUID        FieldType = "UUID"
	Text        FieldType = "TEXT"
	Number      FieldType = "NUMBER"
	Numeric     FieldType = "NUMERIC"
	Boolean     FieldType = "BOOLEAN"
	DateTime    FieldType = "DATE_TIME"
	Date        FieldType = "DATE"
	Position    FieldType = "POSITION"
	Select      FieldType = "SELECT"
	MultiSelect FieldType = "MULTI_SELECT"
	Rating      FieldType = "RATING"
	RawJSON     FieldType = "RAW_JSON"
	Array       FieldType = "ARRAY"
	FullName    FieldType = "FULL_NAME"
	Emails      FieldType = "EMAILS"
	Phones      FieldType = "PHONES"
	Links       FieldType = "LINKS"
	Address     FieldType = "ADDRESS"
	Currency    FieldType = "CURRENCY"
	Actor       FieldType = "ACTOR"
	// RichText is the {blocknote, markdown} composite under its 2.x name.
	// Before 1.20 the same name meant plain text; specs built from those
	// releases' metadata must type it by release.
	RichText FieldType = "RICH_TEXT"
	// RichTextV2 is the composite's name from 0.3x to 1.19, still accepted.
	RichTextV2    FieldType = "RICH_TEXT_V2"
	Files         FieldType = "FILES"
	Relation      FieldType = "RELATION"
	MorphRelation FieldType = "MORPH_RELATION"
)

// RelationType says which side of a relation a field is on.
type RelationType string

const (
	ManyToOne RelationType = "MANY_TO_ONE"
	OneToMany RelationType = "ONE_TO_MANY"
)

// Model is a whole data model.
type Model struct {
	Objects []Object `json:"objects"`
}

// Object is one record type, such as person/people.
type Object struct {
	NameSingular  string `json:"nameSingular"`
	NamePlural    string `json:"namePlural"`
	LabelSingular string `json:"labelSingular"`
	LabelPlural   string `json:"labelPlural"`
	Description   string `json:"description,omitempty"`
	IsCustom      bool   `json:"isCustom,omitempty"`
	// Deprecated, when set, says which release removed the object and why
	// it is still described: older or upgraded workspaces serve it.
	Deprecated string  `json:"deprecated,omitempty"`
	Fields     []Field `json:"fields"`
}

// Field is one field of an object.
type Field struct {
	Name        string    `json:"name"`
	Type        FieldType `json:"type"`
	Label       string    `json:"label,omitempty"`
	Description string    `json:"description,omitempty"`
	// IsNullable defaults to true: Twenty stores NULL for most fields.
	IsNullable *bool `json:"isNullable,omitempty"`
	// IsSystem marks server-managed fields (id, createdAt, ...): read-only.
	IsSystem     bool           `json:"isSystem,omitempty"`
	IsUnique     bool           `json:"isUnique,omitempty"`
	IsCustom     bool           `json:"isCustom,omitempty"`
	DefaultValue any            `json:"defaultValue,omitempty"`
	Options      []Option       `json:"options,omitempty"`
	Relation     *RelationInfo  `json:"relation,omitempty"`
	Settings     *FieldSettings `json:"settings,omitempty"`
	// Deprecated, when set, says which release removed the field; servers
	// of that release or later do not send it.
	Deprecated string `json:"deprecated,omitempty"`
}

// Option is one choice of a SELECT or MULTI_SELECT field.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label,omitempty"`
}

// RelationInfo describes the far side of a RELATION or MORPH_RELATION field.
type RelationInfo struct {
	Type         RelationType `json:"type"`
	TargetObject string       `json:"targetObject"` // singular name
	// JoinColumnName is the foreign-key field a MANY_TO_ONE side writes
	// (companyId, targetPersonId, ...).
	JoinColumnName string `json:"joinColumnName,omitempty"`
}

// FieldSettings carries type-specific settings.
type FieldSettings struct {
	// DataType is "int" or "float" for NUMBER fields.
	DataType string `json:"dataType,omitempty"`
}

// Nullable reports whether the field may hold null.
func (f Field) Nullable() bool { return f.IsNullable == nil || *f.IsNullable }

// IsRelation reports whether the field is either kind of relation.
func (f Field) IsRelation() bool { return f.Type == Relation || f.Type == MorphRelation }

// Object returns the object with the given singular name.
func (m *Model) Object(singular string) (*Object, bool) {
	for i := range m.Objects {
		if m.Objects[i].NameSingular == singular {
			return &m.Objects[i], true
		}
	}
	return nil, false
}

// ObjectByPlural returns the object with the given plural name.
func (m *Model) ObjectByPlural(plural string) (*Object, bool) {
	for i := range m.Objects {
		if m.Objects[i].NamePlural == plural {
			return &m.Objects[i], true
		}
	}
	return nil, false
}

// Field returns the field with the given name.
func (o *Object) Field(name string) (*Field, bool) {
	for i := range o.Fields {
		if o.Fields[i].Name == name {
			return &o.Fields[i], true
		}
	}
	return nil, false
}

//go:embed standard.json
var standardJSON []byte

// Standard returns a fresh copy of the standard data model committed in this
// repository: the objects openapi.yaml describes.
func Standard() *Model {
	m, err := Parse(standardJSON)
	if err != nil {
		panic("model: embedded standard.json is invalid: " + err.Error())
	}
	return m
}

// Parse decodes and validates a model.
func Parse(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks names are present and unique and relations are complete.
func (m *Model) Validate() error {
	seen := map[string]bool{}
	for _, o := range m.Objects {
		if o.NameSingular == "" || o.NamePlural == "" {
			return fmt.Errorf("model: object %q needs singular and plural names", o.NameSingular+o.NamePlural)
		}
		if seen[o.NameSingular] || seen[o.NamePlural] {
			return fmt.Errorf("model: object name %q used twice", o.NameSingular)
		}
		seen[o.NameSingular], seen[o.NamePlural] = true, true
		fields := map[string]bool{}
		for _, f := range o.Fields {
			if f.Name == "" || f.Type == "" {
				return fmt.Errorf("model: %s has a field without name or type", o.NameSingular)
			}
			if fields[f.Name] {
				return fmt.Errorf("model: %s.%s defined twice", o.NameSingular, f.Name)
			}
			fields[f.Name] = true
			if f.IsRelation() {
				if f.Relation == nil || f.Relation.TargetObject == "" {
					return fmt.Errorf("model: relation %s.%s has no target", o.NameSingular, f.Name)
				}
				if f.Relation.Type == ManyToOne && f.Relation.JoinColumnName == "" {
					return fmt.Errorf("model: relation %s.%s has no join column", o.NameSingular, f.Name)
				}
			}
		}
	}
	return nil
}
