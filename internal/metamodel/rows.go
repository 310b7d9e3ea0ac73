package metamodel

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/internal/model"
)

// Object is one object as /rest/metadata/objects serves it in any release
// from 1.x to 2.43, fields inline. Decoded leniently: what a release does
// not send stays zero.
type Object struct {
	ID            string  `json:"id"`
	NameSingular  string  `json:"nameSingular"`
	NamePlural    string  `json:"namePlural"`
	LabelSingular *string `json:"labelSingular"`
	LabelPlural   *string `json:"labelPlural"`
	Description   *string `json:"description"`
	IsCustom      *bool   `json:"isCustom"`
	IsActive      *bool   `json:"isActive"`
	IsSystem      *bool   `json:"isSystem"`
	Fields        []Field `json:"fields"`
}

// Field is one field row. 1.x describes a relation in a relation block;
// 2.43 (from-field-metadata-entity-to-field-metadata-dto.util.ts) sends
// only settings {relationType, joinColumnName, onDelete} and, on morph
// members, the morphId they share.
type Field struct {
	ID                             string         `json:"id"`
	Type                           string         `json:"type"`
	Name                           string         `json:"name"`
	Label                          *string        `json:"label"`
	Description                    *string        `json:"description"`
	IsCustom                       *bool          `json:"isCustom"`
	IsActive                       *bool          `json:"isActive"`
	IsSystem                       *bool          `json:"isSystem"`
	IsNullable                     *bool          `json:"isNullable"`
	IsUnique                       *bool          `json:"isUnique"`
	DefaultValue                   any            `json:"defaultValue"`
	Options                        []FieldOption  `json:"options"`
	Settings                       map[string]any `json:"settings"`
	Relation                       *Relation      `json:"relation"`
	RelationTargetObjectMetadataID string         `json:"relationTargetObjectMetadataId"`
	MorphID                        string         `json:"morphId"`
}

// FieldOption is one choice of a SELECT or MULTI_SELECT field.
type FieldOption struct {
	Value string  `json:"value"`
	Label *string `json:"label"`
}

// Relation is 1.x's relation block.
type Relation struct {
	Type                 string       `json:"type"`
	TargetObjectMetadata *RelationEnd `json:"targetObjectMetadata"`
}

// RelationEnd names an object at one end of a relation.
type RelationEnd struct {
	ID           string `json:"id"`
	NameSingular string `json:"nameSingular"`
}

// FromAPI converts the generated client's metadata types to rows.
func FromAPI(objects []api.ObjectMetadata) ([]Object, error) {
	data, err := json.Marshal(objects)
	if err != nil {
		return nil, err
	}
	var rows []Object
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("metamodel: %w", err)
	}
	return rows, nil
}

// ObjectsPage reads one page of /rest/metadata/objects in either envelope:
// {data: [...]} (newer) or {data: {objects: [...]}} (older), with the
// page's endCursor and whether another follows.
func ObjectsPage(body []byte) (objects []Object, hasNext bool, err error) {
	var env struct {
		Data     json.RawMessage `json:"data"`
		PageInfo *struct {
			HasNextPage *bool `json:"hasNextPage"`
		} `json:"pageInfo"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, false, fmt.Errorf("metamodel: objects: %w", err)
	}
	if err := json.Unmarshal(env.Data, &objects); err != nil {
		var legacy struct {
			Objects []Object `json:"objects"`
		}
		if err2 := json.Unmarshal(env.Data, &legacy); err2 != nil || legacy.Objects == nil {
			return nil, false, fmt.Errorf("metamodel: objects: neither {data: [...]} nor {data: {objects: [...]}}: %w", err)
		}
		objects = legacy.Objects
	}
	if env.PageInfo != nil && env.PageInfo.HasNextPage != nil {
		hasNext = *env.PageInfo.HasNextPage
	}
	return objects, hasNext, nil
}

// TargetsFromOpenAPI reads relation targets from the per-workspace OpenAPI
// document a server serves at /rest/open-api/core (readable with any key):
// a relation property of a "<Object>ForResponse" schema (or, in old
// releases, "<Object> with Relations") refers to its target's schema.
// Keys are "<Object>.<field>", values the target's schema base name.
func TargetsFromOpenAPI(doc []byte) (map[string]string, error) {
	var d struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `yaml:"properties"`
				AllOf      []struct {
					Properties map[string]any `yaml:"properties"`
				} `yaml:"allOf"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("metamodel: the OpenAPI document: %w", err)
	}
	out := map[string]string{}
	for name, s := range d.Components.Schemas {
		base, ok := strings.CutSuffix(name, "ForResponse")
		if !ok {
			if base, ok = strings.CutSuffix(name, " with Relations"); !ok {
				continue
			}
		}
		props := s.Properties
		for _, part := range s.AllOf {
			for k, v := range part.Properties {
				if props == nil {
					props = map[string]any{}
				}
				props[k] = v
			}
		}
		for field, p := range props {
			if ref := firstRef(p); ref != "" {
				ref = strings.TrimSuffix(strings.TrimSuffix(ref, "ForResponse"), " with Relations")
				out[base+"."+field] = ref
			}
		}
	}
	return out, nil
}

// firstRef finds a schema reference anywhere in a property: a bare $ref,
// oneOf/allOf wrappers or an array's items.
func firstRef(v any) string {
	switch t := v.(type) {
	case map[string]any:
		if r, ok := t["$ref"].(string); ok {
			return strings.TrimPrefix(r, "#/components/schemas/")
		}
		for _, k := range []string{"oneOf", "allOf", "anyOf", "items"} {
			if r := firstRef(t[k]); r != "" {
				return r
			}
		}
	case []any:
		for _, e := range t {
			if r := firstRef(e); r != "" {
				return r
			}
		}
	}
	return ""
}

// KeepBase adds to m what base has and m lacks: whole objects, and fields
// of objects both have, so code written against base keeps compiling when
// a workspace dropped them (favorites since 2.7, company employees since
// 2.10). What m has wins. A base field whose name or join column m already
// uses is not added.
func KeepBase(m, base *model.Model) error {
	for _, bo := range base.Objects {
		o, ok := m.Object(bo.NameSingular)
		if !ok {
			if _, clash := m.ObjectByPlural(bo.NamePlural); !clash {
				m.Objects = append(m.Objects, bo)
			}
			continue
		}
		used := map[string]bool{}
		for _, f := range o.Fields {
			used[f.Name] = true
			if f.Relation != nil && f.Relation.JoinColumnName != "" {
				used[f.Relation.JoinColumnName] = true
			}
		}
		for _, bf := range bo.Fields {
			if used[bf.Name] || bf.Relation != nil && bf.Relation.JoinColumnName != "" && used[bf.Relation.JoinColumnName] {
				continue
			}
			o.Fields = append(o.Fields, bf)
		}
		sort.SliceStable(o.Fields, func(i, j int) bool { return fieldLess(o.Fields[i].Name, o.Fields[j].Name) })
	}
	sort.Slice(m.Objects, func(i, j int) bool { return m.Objects[i].NameSingular < m.Objects[j].NameSingular })
	return m.Validate()
}
