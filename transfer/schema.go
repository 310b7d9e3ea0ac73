// Package transfer moves records in and out of a Twenty workspace in bulk:
// CSV and JSON Lines mapped to records through the object's schema (taken
// from an OpenAPI document such as the one twenty embeds), text converted
// to typed field values and checked before anything is sent, a keyed
// upsert planned on the client, a journal that makes an import resumable,
// and an incremental export of the records changed since a point in time.
// The twenty command's import and export are built on it.
package transfer

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrSchema reports an OpenAPI document or object this package cannot use.
var ErrSchema = errors.New("transfer: schema")

// Kind is how a field's value is written.
type Kind int

// The kinds of values.
const (
	KindString      Kind = iota + 1
	KindNumber           // any JSON number, kept exact (json.Number)
	KindInteger          // a whole number
	KindBool             // true/false, yes/no, 1/0
	KindDateTime         // RFC 3339; sent in UTC with milliseconds
	KindDate             // YYYY-MM-DD
	KindUUID             // a record id
	KindSelect           // one of Options
	KindMultiSelect      // a list of Options
	KindStrings          // a list of strings
	KindJSON             // any JSON value, written as JSON text in CSV
	KindComposite        // sub-fields in Subs (name.firstName, amount.amountMicros)
	KindRelation         // a many-to-one relation, written through its Id field
)

var kindNames = map[Kind]string{
	KindString: "text", KindNumber: "number", KindInteger: "integer", KindBool: "boolean",
	KindDateTime: "date-time", KindDate: "date", KindUUID: "uuid", KindSelect: "select",
	KindMultiSelect: "multi-select", KindStrings: "list of strings", KindJSON: "JSON",
	KindComposite: "composite", KindRelation: "relation",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Field describes one field of an object, or one sub-field of a composite.
type Field struct {
	Name     string
	Kind     Kind
	Options  []string          // KindSelect, KindMultiSelect
	Subs     map[string]*Field // KindComposite
	Currency bool              // a composite with amountMicros and currencyCode
	// ReadOnly fields (timestamps, actors) are exported but never sent.
	ReadOnly bool
	// Target is a relation's object (plural), IDField the field that
	// carries its id (companyId for company).
	Target  string
	IDField string
}

// Schema is what an import needs to know about one object.
type Schema struct {
	Object string            // plural API name
	Fields map[string]*Field // by name, relations under their own name
}

// Field returns the named field, nil if there is none.
func (s *Schema) Field(name string) *Field { return s.Fields[name] }

// names lists the field names, sorted, for suggestions and messages.
func (s *Schema) names() []string {
	out := make([]string, 0, len(s.Fields))
	for n := range s.Fields {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// node is a YAML schema as loaded; only what this package reads.
type node struct {
	Ref        string           `yaml:"$ref"`
	Type       string           `yaml:"type"`
	Format     string           `yaml:"format"`
	Enum       []string         `yaml:"enum"`
	Items      *node            `yaml:"items"`
	AllOf      []*node          `yaml:"allOf"`
	OneOf      []*node          `yaml:"oneOf"`
	Properties map[string]*node `yaml:"properties"`
	GoType     string           `yaml:"x-go-type"`
}

type document struct {
	Tags []struct {
		Name   string `yaml:"name"`
		Object *struct {
			Singular string `yaml:"nameSingular"`
			Plural   string `yaml:"namePlural"`
		} `yaml:"x-twenty-object"`
	} `yaml:"tags"`
	Components struct {
		Schemas map[string]*node `yaml:"schemas"`
	} `yaml:"components"`
}

// Spec is a parsed OpenAPI document of a workspace: twenty.OpenAPISpec()
// for the standard objects, or the openapi.yaml `twenty-spec -from-env`
// writes for yours.
type Spec struct {
	doc      document
	plurals  map[string]string // schema name (Person) → plural (people)
	schemas  map[string]string // plural → schema name
	nameList []string
}

// ParseSpec reads an OpenAPI document in YAML or JSON.
func ParseSpec(data []byte) (*Spec, error) {
	var d document
	if err := yaml.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSchema, err)
	}
	sp := &Spec{doc: d, plurals: map[string]string{}, schemas: map[string]string{}}
	for _, t := range d.Tags {
		if t.Object == nil || t.Object.Singular == "" {
			continue
		}
		name := strings.ToUpper(t.Object.Singular[:1]) + t.Object.Singular[1:]
		if d.Components.Schemas[name] == nil || d.Components.Schemas[name+"ForResponse"] == nil {
			continue
		}
		sp.plurals[name] = t.Object.Plural
		sp.schemas[t.Object.Plural] = name
		sp.nameList = append(sp.nameList, t.Object.Plural)
	}
	if len(sp.schemas) == 0 {
		return nil, fmt.Errorf("%w: the document describes no Twenty objects (no x-twenty-object tags)", ErrSchema)
	}
	sort.Strings(sp.nameList)
	return sp, nil
}

// Objects lists the plural names of the objects the document describes.
func (sp *Spec) Objects() []string { return append([]string(nil), sp.nameList...) }

// Schema returns the schema of the object with this plural name.
func (sp *Spec) Schema(plural string) (*Schema, error) {
	name, ok := sp.schemas[plural]
	if !ok {
		hint := ""
		if s := suggest(plural, sp.nameList); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		return nil, fmt.Errorf("%w: no object %q in the spec%s", ErrSchema, plural, hint)
	}
	comps := sp.doc.Components.Schemas
	create, resp := comps[name], comps[name+"ForResponse"]
	s := &Schema{Object: plural, Fields: map[string]*Field{}}
	for fname, p := range resp.Properties {
		in, writable := create.Properties[fname]
		if !writable {
			in = p
		}
		if rel := sp.relationTarget(p); rel != "" {
			if _, ok := create.Properties[fname+"Id"]; ok {
				s.Fields[fname] = &Field{Name: fname, Kind: KindRelation, Target: rel, IDField: fname + "Id"}
			}
			continue
		}
		if p.Type == "array" && p.Items != nil && sp.relationTarget(p.Items) != "" || p.Items != nil && p.Items.Ref == "#/components/schemas/AnyRecord" {
			continue // one-to-many: written from the other side
		}
		f := sp.field(fname, in)
		switch {
		case fname == "id":
			f.Kind = KindUUID // accepted on create, so an export imports back with its ids
		case !writable || refName(in) == "Actor":
			f.ReadOnly = true
		}
		s.Fields[fname] = f
	}
	return s, nil
}

// relationTarget returns the plural of the object a response property
// embeds (a many-to-one relation at depth 1), or "".
func (sp *Spec) relationTarget(p *node) string {
	r := refName(p)
	if !strings.HasSuffix(r, "ForResponse") {
		return ""
	}
	return sp.plurals[strings.TrimSuffix(r, "ForResponse")]
}

// refName is the component a property points to, directly or via allOf.
func refName(p *node) string {
	if p == nil {
		return ""
	}
	if p.Ref != "" {
		return strings.TrimPrefix(p.Ref, "#/components/schemas/")
	}
	if len(p.AllOf) == 1 {
		return refName(p.AllOf[0])
	}
	return ""
}

func (sp *Spec) field(name string, p *node) *Field {
	f := &Field{Name: name}
	if r := refName(p); r != "" {
		target := sp.doc.Components.Schemas[r]
		if target == nil {
			f.Kind = KindJSON
			return f
		}
		if len(target.Properties) == 0 || r == "Decimal" {
			return sp.scalar(f, target)
		}
		f.Kind, f.Subs = KindComposite, map[string]*Field{}
		for sub, sp2 := range target.Properties {
			f.Subs[sub] = sp.field(sub, sp2)
		}
		_, a := f.Subs["amountMicros"]
		_, c := f.Subs["currencyCode"]
		f.Currency = a && c
		return f
	}
	return sp.scalar(f, p)
}

func (sp *Spec) scalar(f *Field, p *node) *Field {
	switch {
	case p.GoType == "json.Number" || len(p.OneOf) > 0:
		f.Kind = KindNumber
	case len(p.Enum) > 0:
		f.Kind, f.Options = KindSelect, p.Enum
	case p.Type == "string" && p.Format == "uuid":
		f.Kind = KindUUID
	case p.Type == "string" && p.Format == "date-time":
		f.Kind = KindDateTime
	case p.Type == "string" && p.Format == "date":
		f.Kind = KindDate
	case p.Type == "string":
		f.Kind = KindString
	case p.Type == "number":
		f.Kind = KindNumber
	case p.Type == "integer":
		f.Kind = KindInteger
	case p.Type == "boolean":
		f.Kind = KindBool
	case p.Type == "array" && p.Items != nil && len(p.Items.Enum) > 0:
		f.Kind, f.Options = KindMultiSelect, p.Items.Enum
	case p.Type == "array" && p.Items != nil && p.Items.Type == "string" && refName(p.Items) == "":
		f.Kind = KindStrings
	default:
		f.Kind = KindJSON
	}
	return f
}
