package twentytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/twenty-go/twenty/internal/metamodel"
	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/specgen"
	"github.com/twenty-go/twenty/internal/spectest"
)

// Writes to /rest/metadata/objects and /rest/metadata/fields change the
// served data model. Each one edits a copy of the full model (inactive
// objects and fields included), derives the active model REST serves,
// generates its spec and only then swaps all three in, with the schema
// lock held for writing, so a request is served and validated against one
// model from start to end. Records survive deactivation (rows are keyed by
// plural) and go with the object or field when it is deleted.

// isModelWrite reports whether r may change the data model: it then holds
// the schema lock for writing.
func isModelWrite(r *http.Request) bool {
	if r.Method == http.MethodGet {
		return false
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/rest/")
	if !ok {
		return false
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	return len(parts) >= 2 && parts[0] == "metadata" && (parts[1] == "objects" || parts[1] == "fields")
}

func objectKey(singular string) string      { return "o:" + singular }
func fieldKey(singular, name string) string { return "f:" + singular + "." + name }

func ptr[T any](v T) *T { return &v }

// cloneModel deep-copies a model through JSON, without validating it.
func cloneModel(m *model.Model) *model.Model {
	b, err := json.Marshal(m)
	if err != nil {
		panic("twentytest: model does not marshal: " + err.Error())
	}
	var out model.Model
	if err := json.Unmarshal(b, &out); err != nil {
		panic("twentytest: model does not unmarshal: " + err.Error())
	}
	return &out
}

func cloneSet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// activeModel is what REST serves of full: active objects, their active
// fields, and no relation to an inactive object.
func activeModel(full *model.Model, inactive map[string]bool) *model.Model {
	m := cloneModel(full)
	hidden := map[string]bool{}
	for _, o := range m.Objects {
		if inactive[objectKey(o.NameSingular)] {
			hidden[o.NameSingular] = true
		}
	}
	var objects []model.Object
	for _, o := range m.Objects {
		if hidden[o.NameSingular] {
			continue
		}
		var fields []model.Field
		for _, f := range o.Fields {
			if inactive[fieldKey(o.NameSingular, f.Name)] || f.IsRelation() && f.Relation != nil && hidden[f.Relation.TargetObject] {
				continue
			}
			fields = append(fields, f)
		}
		o.Fields = fields
		objects = append(objects, o)
	}
	m.Objects = objects
	return m
}

// applyModel makes full (with inactive) the served model: the spec is
// regenerated and the store's lookups rebuilt. Nothing changes on error.
// Called with the schema lock held for writing and mu held.
func (s *Server) applyModel(full *model.Model, inactive map[string]bool) *apiError {
	active := activeModel(full, inactive)
	if err := active.Validate(); err != nil {
		return badRequest("%v", err)
	}
	yaml, err := specgen.Generate(active, specgen.Options{JSON: true})
	if err != nil {
		return &apiError{status: http.StatusInternalServerError, name: "InternalServerError", msg: "twentytest: spec for the new model: " + err.Error()}
	}
	spec, err := spectest.LoadGenerated(yaml)
	if err != nil {
		return &apiError{status: http.StatusInternalServerError, name: "InternalServerError", msg: "twentytest: spec for the new model: " + err.Error()}
	}
	s.full, s.inactive, s.m, s.spec = full, inactive, active, spec
	s.store.setModel(active)
	return nil
}

// metaItemByID renders one object or field of the current model.
func (s *Server) metaItemByID(kind, id string) map[string]any {
	for _, it := range s.metadataItems(kind) {
		if it["id"] == id {
			return it
		}
	}
	return nil
}

// nameRE is what Twenty accepts as an object or field name: camelCase
// ASCII, at most 63 characters (a Postgres identifier).
var nameRE = regexp.MustCompile(`^[a-z][a-zA-Z0-9]{0,62}$`)

// reservedNames would collide with the fake's own routes or Twenty's
// reserved keywords.
var reservedNames = map[string]bool{"metadata": true, "batch": true, "rest": true, "graphql": true,
	"object": true, "objects": true, "field": true, "fields": true, "core": true, "event": true, "events": true}

func checkName(what, name string) *apiError {
	switch {
	case name == "":
		return badRequest("%s name cannot be empty", what)
	case !nameRE.MatchString(name):
		return badRequest("%s name \"%s\" should be in camelCase (letters and digits, starting with a lowercase letter, at most 63 characters)", what, name)
	case reservedNames[name]:
		return badRequest("%s name \"%s\" is reserved", what, name)
	}
	return nil
}

// readInput decodes a metadata body, refusing the properties typeName
// lacks as the GraphQL layer behind the metadata API does.
func readInput(body []byte, typeName string, allowed ...string) (map[string]any, *apiError) {
	in, e := decodeObject(body)
	if e != nil {
		return nil, e
	}
	ok := map[string]bool{}
	for _, k := range allowed {
		ok[k] = true
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !ok[k] {
			return nil, badRequest("Field \"%s\" is not defined by type \"%s\".", k, typeName)
		}
	}
	return in, nil
}

// str reads an optional string property; present reports whether it was
// there.
func str(in map[string]any, k string) (v string, present bool, e *apiError) {
	raw, ok := in[k]
	if !ok || raw == nil {
		return "", ok, nil
	}
	s, isStr := raw.(string)
	if !isStr {
		return "", true, badRequest("Field \"%s\" must be a string, got %s", k, short(raw))
	}
	return s, true, nil
}

func boolean(in map[string]any, k string) (v, present bool, e *apiError) {
	raw, ok := in[k]
	if !ok || raw == nil {
		return false, false, nil
	}
	b, isBool := raw.(bool)
	if !isBool {
		return false, true, badRequest("Field \"%s\" must be a boolean, got %s", k, short(raw))
	}
	return b, true, nil
}

// fullObject finds an object of the full model by metadata id.
func fullObject(m *model.Model, id string) int {
	for i, o := range m.Objects {
		if metamodel.ObjectID(o.NameSingular).String() == id {
			return i
		}
	}
	return -1
}

// fullField finds a field of the full model by metadata id.
func fullField(m *model.Model, id string) (int, int) {
	for i, o := range m.Objects {
		for j, f := range o.Fields {
			if metamodel.FieldID(o.NameSingular, f.Name).String() == id {
				return i, j
			}
		}
	}
	return -1, -1
}

// ---- objects ----

func (s *Server) objectWrite(op, id string, body []byte) (int, any, *apiError) {
	const kind = "objects"
	if op == "createOneObject" {
		return s.createObject(op, body)
	}
	full := cloneModel(s.full)
	inactive := cloneSet(s.inactive)
	i := fullObject(full, id)
	if i < 0 {
		return 0, nil, metaNotFound(kind)
	}
	o := &full.Objects[i]
	if op == "deleteOneObject" {
		switch {
		case !o.IsCustom:
			return 0, nil, badRequest("Standard objects cannot be deleted: %s is not a custom object", o.NameSingular)
		case !inactive[objectKey(o.NameSingular)]:
			return 0, nil, badRequest("Object %s must be deactivated (isActive: false) before it can be deleted", o.NameSingular)
		}
		singular, plural := o.NameSingular, o.NamePlural
		full.Objects = append(full.Objects[:i:i], full.Objects[i+1:]...)
		// Relations to it go with it, on both sides.
		for k := range full.Objects {
			other := &full.Objects[k]
			var keep []model.Field
			for _, f := range other.Fields {
				if f.IsRelation() && f.Relation != nil && f.Relation.TargetObject == singular {
					delete(inactive, fieldKey(other.NameSingular, f.Name))
					continue
				}
				keep = append(keep, f)
			}
			other.Fields = keep
		}
		for k := range inactive {
			if k == objectKey(singular) || strings.HasPrefix(k, "f:"+singular+".") {
				delete(inactive, k)
			}
		}
		if e := s.applyModel(full, inactive); e != nil {
			return 0, nil, e
		}
		delete(s.store.rows, plural)
		for k, v := range s.inverseOf {
			if strings.HasPrefix(k, "f:"+singular+".") || v[0] == singular {
				delete(s.inverseOf, k)
			}
		}
		return http.StatusOK, s.metaItem(op, kind, map[string]any{"id": id}), nil
	}

	in, e := readInput(body, "UpdateObjectInput", "nameSingular", "namePlural", "labelSingular", "labelPlural",
		"description", "icon", "isActive", "labelIdentifierFieldMetadataId")
	if e != nil {
		return 0, nil, e
	}
	for k, cur := range map[string]string{"nameSingular": o.NameSingular, "namePlural": o.NamePlural} {
		if v, ok, e := str(in, k); e != nil {
			return 0, nil, e
		} else if ok && v != cur {
			return 0, nil, badRequest("twentytest does not rename objects: %s stays \"%s\"", k, cur)
		}
	}
	for k, dst := range map[string]*string{"labelSingular": &o.LabelSingular, "labelPlural": &o.LabelPlural} {
		if v, ok, e := str(in, k); e != nil {
			return 0, nil, e
		} else if ok {
			if strings.TrimSpace(v) == "" {
				return 0, nil, badRequest("%s cannot be empty", k)
			}
			*dst = v
		}
	}
	if v, ok, e := str(in, "description"); e != nil {
		return 0, nil, e
	} else if ok {
		o.Description = v
	}
	if _, _, e := str(in, "icon"); e != nil {
		return 0, nil, e
	}
	if v, ok, e := str(in, "labelIdentifierFieldMetadataId"); e != nil {
		return 0, nil, e
	} else if ok {
		if oi, _ := fullField(full, strings.ToLower(v)); oi != i {
			return 0, nil, badRequest("labelIdentifierFieldMetadataId %s is not a field of %s", v, o.NameSingular)
		}
	}
	if active, ok, e := boolean(in, "isActive"); e != nil {
		return 0, nil, e
	} else if ok {
		if active {
			delete(inactive, objectKey(o.NameSingular))
		} else {
			inactive[objectKey(o.NameSingular)] = true
		}
	}
	if e := s.applyModel(full, inactive); e != nil {
		return 0, nil, e
	}
	return http.StatusOK, s.metaItem(op, kind, s.metaItemByID(kind, id)), nil
}

// customObjectFields are the fields Twenty gives every custom object that
// this fake can serve: the system ones, the name that labels its records,
// position and the actors. (Twenty also adds searchVector, which REST does
// not show, and relations to attachments, favorites, timeline activities,
// note and task targets, which the fake leaves out.)
func customObjectFields() []model.Field {
	no := false
	return []model.Field{
		{Name: "id", Type: model.UUID, IsSystem: true, IsNullable: &no, Label: "Id"},
		{Name: "createdAt", Type: model.DateTime, IsSystem: true, IsNullable: &no, Label: "Creation date"},
		{Name: "updatedAt", Type: model.DateTime, IsSystem: true, IsNullable: &no, Label: "Last update"},
		{Name: "deletedAt", Type: model.DateTime, IsSystem: true, Label: "Deleted at"},
		{Name: "name", Type: model.Text, Label: "Name"},
		{Name: "position", Type: model.Position, Label: "Position"},
		{Name: "createdBy", Type: model.Actor, Label: "Created by"},
		{Name: "updatedBy", Type: model.Actor, Label: "Updated by"},
	}
}

func (s *Server) createObject(op string, body []byte) (int, any, *apiError) {
	in, e := readInput(body, "CreateObjectInput", "nameSingular", "namePlural", "labelSingular", "labelPlural",
		"description", "icon", "isLabelSyncedWithName")
	if e != nil {
		return 0, nil, e
	}
	o := model.Object{IsCustom: true, Fields: customObjectFields()}
	for k, dst := range map[string]*string{"nameSingular": &o.NameSingular, "namePlural": &o.NamePlural,
		"labelSingular": &o.LabelSingular, "labelPlural": &o.LabelPlural, "description": &o.Description} {
		v, _, e := str(in, k)
		if e != nil {
			return 0, nil, e
		}
		*dst = v
	}
	for _, k := range []string{"icon", "isLabelSyncedWithName"} {
		if k == "icon" {
			if _, _, e := str(in, k); e != nil {
				return 0, nil, e
			}
		} else if _, _, e := boolean(in, k); e != nil {
			return 0, nil, e
		}
	}
	if e := checkName("Object", o.NameSingular); e != nil {
		return 0, nil, e
	}
	if e := checkName("Object", o.NamePlural); e != nil {
		return 0, nil, e
	}
	if o.NameSingular == o.NamePlural {
		return 0, nil, badRequest("The singular and plural names cannot be the same for an object")
	}
	if strings.TrimSpace(o.LabelSingular) == "" || strings.TrimSpace(o.LabelPlural) == "" {
		return 0, nil, badRequest("labelSingular and labelPlural cannot be empty")
	}
	full := cloneModel(s.full)
	for _, other := range full.Objects {
		for _, n := range []string{other.NameSingular, other.NamePlural} {
			if n == o.NameSingular || n == o.NamePlural {
				return 0, nil, badRequest("Object already exists: the name \"%s\" is taken by %s", n, other.NameSingular)
			}
		}
	}
	full.Objects = append(full.Objects, o)
	if e := s.applyModel(full, cloneSet(s.inactive)); e != nil {
		return 0, nil, e
	}
	s.store.rows[o.NamePlural] = map[string]map[string]any{}
	return http.StatusCreated, s.metaItem(op, "objects", s.metaItemByID("objects", metamodel.ObjectID(o.NameSingular).String())), nil
}

// ---- fields ----

// creatableTypes are the field types a client may add: those the spec
// generator and the store know, less the server-managed ones.
var creatableTypes = map[model.FieldType]bool{
	model.Text: true, model.Number: true, model.Numeric: true, model.Boolean: true, model.DateTime: true,
	model.Date: true, model.Select: true, model.MultiSelect: true, model.Rating: true, model.RawJSON: true,
	model.Array: true, model.FullName: true, model.Emails: true, model.Phones: true, model.Links: true,
	model.Address: true, model.Currency: true, model.RichText: true, model.RichTextV2: true, model.Files: true,
	model.Relation: true,
}

// takenNames are the names a new field of o may not use: its fields and
// the join columns of its MANY_TO_ONE relations.
func takenNames(o *model.Object) map[string]bool {
	out := map[string]bool{}
	for _, f := range o.Fields {
		out[f.Name] = true
		if f.IsRelation() && f.Relation != nil && f.Relation.JoinColumnName != "" {
			out[f.Relation.JoinColumnName] = true
		}
	}
	return out
}

// labelToName turns a label into a camelCase name, as Twenty computes a
// relation's far-side name from targetFieldLabel.
func labelToName(label string) string {
	words := strings.FieldsFunc(label, func(r rune) bool {
		return r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var b strings.Builder
	for i, w := range words {
		if i == 0 {
			b.WriteString(strings.ToLower(w[:1]) + w[1:])
		} else {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// readOptions reads the options of a SELECT, MULTI_SELECT or RATING field.
func readOptions(raw any) ([]model.Option, *apiError) {
	list, ok := raw.([]any)
	if !ok {
		return nil, badRequest("options must be an array, got %s", short(raw))
	}
	seen := map[string]bool{}
	var out []model.Option
	for _, it := range list {
		m, ok := it.(map[string]any)
		v, _ := m["value"].(string)
		if !ok || v == "" {
			return nil, badRequest("Every option needs a non-empty value, got %s", short(it))
		}
		if seen[v] {
			return nil, badRequest("Duplicate option value \"%s\"", v)
		}
		seen[v] = true
		label, _ := m["label"].(string)
		if label == "" {
			label = v
		}
		out = append(out, model.Option{Value: v, Label: label})
	}
	return out, nil
}

// readDefault reads a field's defaultValue as the metadata API writes it
// (text and selects as quoted SQL literals, "'NEW'") into the model's
// form, checked against the field.
func readDefault(oi *objInfo, f *model.Field, raw any) (any, *apiError) {
	if raw == nil {
		return nil, nil
	}
	var v any
	switch f.Type {
	case model.Text, model.Select, model.Rating:
		s, ok := raw.(string)
		if !ok {
			return nil, badRequest("defaultValue of a %s field must be a string, got %s", f.Type, short(raw))
		}
		if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
			s = s[1 : len(s)-1]
		}
		v = s
	case model.Boolean, model.Number, model.Numeric:
		v = raw
	default:
		return nil, badRequest("twentytest supports defaultValue only on TEXT, SELECT, RATING, BOOLEAN, NUMBER and NUMERIC fields, not %s", f.Type)
	}
	if _, e := writeValue(oi, f, v, nil); e != nil {
		return nil, badRequest("Invalid defaultValue: %s", e.msg)
	}
	return v, nil
}

func (s *Server) fieldWrite(op, id string, body []byte) (int, any, *apiError) {
	if op == "createOneField" {
		return s.createField(op, body)
	}
	const kind = "fields"
	full := cloneModel(s.full)
	inactive := cloneSet(s.inactive)
	i, j := fullField(full, id)
	if i < 0 {
		return 0, nil, metaNotFound(kind)
	}
	o := &full.Objects[i]
	f := &o.Fields[j]
	if op == "deleteOneField" {
		switch {
		case !f.IsCustom:
			return 0, nil, badRequest("Standard fields cannot be deleted: %s.%s is not a custom field", o.NameSingular, f.Name)
		case !inactive[fieldKey(o.NameSingular, f.Name)]:
			return 0, nil, badRequest("Field %s.%s must be deactivated (isActive: false) before it can be deleted", o.NameSingular, f.Name)
		}
		gone := []struct{ obj, field string }{{o.NameSingular, f.Name}}
		if inv, ok := s.inverseOf[fieldKey(o.NameSingular, f.Name)]; ok {
			gone = append(gone, struct{ obj, field string }{inv[0], inv[1]})
		}
		var cleared []func()
		for _, g := range gone {
			obj, ok := full.Object(g.obj)
			if !ok {
				continue
			}
			k := -1
			for n := range obj.Fields {
				if obj.Fields[n].Name == g.field {
					k = n
				}
			}
			if k < 0 {
				continue
			}
			col := obj.Fields[k].Name
			if r := obj.Fields[k].Relation; r != nil {
				col = r.JoinColumnName // "" for ONE_TO_MANY: nothing stored
			}
			plural := obj.NamePlural
			obj.Fields = append(obj.Fields[:k:k], obj.Fields[k+1:]...)
			delete(inactive, fieldKey(g.obj, g.field))
			if col != "" {
				cleared = append(cleared, func() { s.dropColumn(plural, col) })
			}
		}
		if e := s.applyModel(full, inactive); e != nil {
			return 0, nil, e
		}
		for _, g := range gone {
			delete(s.inverseOf, fieldKey(g.obj, g.field))
		}
		for _, c := range cleared {
			c()
		}
		return http.StatusOK, s.metaItem(op, kind, map[string]any{"id": id}), nil
	}

	in, e := readInput(body, "UpdateFieldInput", "name", "label", "description", "icon", "isActive",
		"isNullable", "defaultValue", "options", "settings")
	if e != nil {
		return 0, nil, e
	}
	if v, ok, e := str(in, "name"); e != nil {
		return 0, nil, e
	} else if ok && v != f.Name {
		return 0, nil, badRequest("twentytest does not rename fields: name stays \"%s\"", f.Name)
	}
	if v, ok, e := str(in, "label"); e != nil {
		return 0, nil, e
	} else if ok {
		if strings.TrimSpace(v) == "" {
			return 0, nil, badRequest("label cannot be empty")
		}
		f.Label = v
	}
	if v, ok, e := str(in, "description"); e != nil {
		return 0, nil, e
	} else if ok {
		f.Description = v
	}
	if _, _, e := str(in, "icon"); e != nil {
		return 0, nil, e
	}
	if v, ok, e := boolean(in, "isNullable"); e != nil {
		return 0, nil, e
	} else if ok && v != f.Nullable() {
		return 0, nil, badRequest("twentytest does not change isNullable of an existing field")
	}
	if raw, ok := in["settings"]; ok && raw != nil {
		if _, isObj := raw.(map[string]any); !isObj {
			return 0, nil, badRequest("settings must be an object")
		}
	}
	var dropOptions map[string]bool
	if raw, ok := in["options"]; ok {
		if f.Type != model.Select && f.Type != model.MultiSelect && f.Type != model.Rating {
			return 0, nil, badRequest("Only SELECT, MULTI_SELECT and RATING fields have options, not %s", f.Type)
		}
		opts, e := readOptions(raw)
		if e != nil {
			return 0, nil, e
		}
		if len(opts) == 0 {
			return 0, nil, badRequest("Options of a %s field cannot be empty", f.Type)
		}
		keep := map[string]bool{}
		for _, opt := range opts {
			keep[opt.Value] = true
		}
		dropOptions = map[string]bool{}
		for _, opt := range f.Options {
			if !keep[opt.Value] {
				dropOptions[opt.Value] = true
			}
		}
		f.Options = opts
		if d, isStr := f.DefaultValue.(string); isStr && !keep[d] {
			f.DefaultValue = nil
		}
	}
	if raw, ok := in["defaultValue"]; ok {
		dv, e := readDefault(&objInfo{o: o}, f, raw)
		if e != nil {
			return 0, nil, e
		}
		f.DefaultValue = dv
	}
	if active, ok, e := boolean(in, "isActive"); e != nil {
		return 0, nil, e
	} else if ok {
		switch {
		case active:
			delete(inactive, fieldKey(o.NameSingular, f.Name))
		case f.IsSystem:
			return 0, nil, badRequest("System field %s.%s cannot be deactivated", o.NameSingular, f.Name)
		default:
			inactive[fieldKey(o.NameSingular, f.Name)] = true
		}
	}
	plural, name, typ := o.NamePlural, f.Name, f.Type
	if e := s.applyModel(full, inactive); e != nil {
		return 0, nil, e
	}
	if len(dropOptions) > 0 {
		s.dropOptionValues(plural, name, typ, dropOptions)
	}
	return http.StatusOK, s.metaItem(op, kind, s.metaItemByID(kind, id)), nil
}

func (s *Server) createField(op string, body []byte) (int, any, *apiError) {
	in, e := readInput(body, "CreateFieldInput", "objectMetadataId", "type", "name", "label", "description", "icon",
		"isNullable", "isUnique", "defaultValue", "options", "settings", "relationCreationPayload")
	if e != nil {
		return 0, nil, e
	}
	objID, _, e := str(in, "objectMetadataId")
	if e != nil {
		return 0, nil, e
	}
	full := cloneModel(s.full)
	inactive := cloneSet(s.inactive)
	i := fullObject(full, strings.ToLower(objID))
	if i < 0 {
		// The spec gives createOneField no 404: the server answers 400.
		return 0, nil, badRequest("Object metadata %s not found", objID)
	}
	o := &full.Objects[i]
	f := model.Field{IsCustom: true}
	typ, _, e := str(in, "type")
	if e != nil {
		return 0, nil, e
	}
	f.Type = model.FieldType(typ)
	if !creatableTypes[f.Type] {
		return 0, nil, badRequest("twentytest cannot create fields of type \"%s\"", typ)
	}
	for k, dst := range map[string]*string{"name": &f.Name, "label": &f.Label, "description": &f.Description} {
		v, _, e := str(in, k)
		if e != nil {
			return 0, nil, e
		}
		*dst = v
	}
	if _, _, e := str(in, "icon"); e != nil {
		return 0, nil, e
	}
	if e := checkName("Field", f.Name); e != nil {
		return 0, nil, e
	}
	if strings.TrimSpace(f.Label) == "" {
		return 0, nil, badRequest("label cannot be empty")
	}
	taken := takenNames(o)
	if taken[f.Name] {
		return 0, nil, badRequest("Field already exists: %s already has a field or column \"%s\"", o.NameSingular, f.Name)
	}
	unique, _, e := boolean(in, "isUnique")
	if e != nil {
		return 0, nil, e
	}
	f.IsUnique = unique
	nullable, hasNullable, e := boolean(in, "isNullable")
	if e != nil {
		return 0, nil, e
	}
	if hasNullable && !nullable {
		f.IsNullable = ptr(false)
	}
	settings, _ := in["settings"].(map[string]any)
	if raw, ok := in["settings"]; ok && raw != nil && settings == nil {
		return 0, nil, badRequest("settings must be an object")
	}
	if f.Type == model.Number {
		f.Settings = &model.FieldSettings{DataType: "int"}
		if dt, _ := settings["dataType"].(string); dt == "float" {
			f.Settings.DataType = "float"
		} else if d, ok := settings["decimals"].(json.Number); ok && d.String() != "0" {
			f.Settings.DataType = "float"
		}
	}
	raw, hasOptions := in["options"]
	switch f.Type {
	case model.Select, model.MultiSelect, model.Rating:
		if hasOptions {
			if f.Options, e = readOptions(raw); e != nil {
				return 0, nil, e
			}
		}
		if len(f.Options) == 0 && f.Type == model.Rating {
			for n := 1; n <= 5; n++ {
				f.Options = append(f.Options, model.Option{Value: fmt.Sprintf("RATING_%d", n), Label: fmt.Sprint(n)})
			}
		}
		if len(f.Options) == 0 {
			return 0, nil, badRequest("Options are required for a %s field", f.Type)
		}
	default:
		if list, _ := raw.([]any); hasOptions && raw != nil && len(list) > 0 {
			return 0, nil, badRequest("Only SELECT, MULTI_SELECT and RATING fields have options, not %s", f.Type)
		}
	}

	var inverse *model.Field
	var target *model.Object
	if f.Type == model.Relation {
		if f.IsNullable != nil || f.IsUnique {
			return 0, nil, badRequest("twentytest does not support isNullable or isUnique on relations")
		}
		if in["defaultValue"] != nil {
			return 0, nil, badRequest("A relation has no defaultValue")
		}
		p, _ := in["relationCreationPayload"].(map[string]any)
		if p == nil {
			return 0, nil, badRequest("relationCreationPayload is required for a RELATION field")
		}
		rt, _ := p["type"].(string)
		tid, _ := p["targetObjectMetadataId"].(string)
		tlabel, _ := p["targetFieldLabel"].(string)
		if rt != string(model.ManyToOne) && rt != string(model.OneToMany) {
			return 0, nil, badRequest("relationCreationPayload.type must be MANY_TO_ONE or ONE_TO_MANY, got %s", short(p["type"]))
		}
		ti := fullObject(full, strings.ToLower(tid))
		if ti < 0 || inactive[objectKey(full.Objects[ti].NameSingular)] {
			return 0, nil, badRequest("Target object metadata %s not found", short(p["targetObjectMetadataId"]))
		}
		target = &full.Objects[ti]
		if strings.TrimSpace(tlabel) == "" {
			return 0, nil, badRequest("relationCreationPayload.targetFieldLabel is required")
		}
		tname := labelToName(tlabel)
		if e := checkName("Target field", tname); e != nil {
			return 0, nil, e
		}
		f.Relation = &model.RelationInfo{Type: model.RelationType(rt), TargetObject: target.NameSingular}
		inverse = &model.Field{Name: tname, Type: model.Relation, Label: tlabel, IsCustom: true,
			Relation: &model.RelationInfo{Type: model.OneToMany, TargetObject: o.NameSingular}}
		if f.Relation.Type == model.OneToMany {
			inverse.Relation.Type = model.ManyToOne
			inverse.Relation.JoinColumnName = tname + "Id"
		} else {
			f.Relation.JoinColumnName = f.Name + "Id"
			if taken[f.Relation.JoinColumnName] {
				return 0, nil, badRequest("Field already exists: %s already has a field or column \"%s\"", o.NameSingular, f.Relation.JoinColumnName)
			}
		}
		ttaken := takenNames(target)
		if target.NameSingular == o.NameSingular {
			ttaken[f.Name] = true
			if f.Relation.JoinColumnName != "" {
				ttaken[f.Relation.JoinColumnName] = true
			}
		}
		for _, n := range []string{inverse.Name, inverse.Relation.JoinColumnName} {
			if n != "" && ttaken[n] {
				return 0, nil, badRequest("Field already exists: %s already has a field or column \"%s\" (from targetFieldLabel)", target.NameSingular, n)
			}
		}
	} else {
		if in["relationCreationPayload"] != nil {
			return 0, nil, badRequest("relationCreationPayload is only for RELATION fields")
		}
		dv, e := readDefault(&objInfo{o: o}, &f, in["defaultValue"])
		if e != nil {
			return 0, nil, e
		}
		f.DefaultValue = dv
		if !f.Nullable() && f.DefaultValue == nil {
			return 0, nil, badRequest("A field with isNullable false needs a defaultValue for the existing records")
		}
	}

	singular, plural := o.NameSingular, o.NamePlural
	o.Fields = append(o.Fields, f)
	if inverse != nil {
		target.Fields = append(target.Fields, *inverse)
	}
	if e := s.applyModel(full, inactive); e != nil {
		return 0, nil, e
	}
	// Existing records get the new column: its default or empty value (a
	// stale value from a deleted field of the same name must not show).
	if inverse != nil {
		if inverse.Relation.Type == model.ManyToOne {
			s.fillColumn(target.NamePlural, inverse.Relation.JoinColumnName, nil)
		} else {
			s.fillColumn(plural, f.Relation.JoinColumnName, nil)
		}
		if s.inverseOf == nil {
			s.inverseOf = map[string][2]string{}
		}
		s.inverseOf[fieldKey(singular, f.Name)] = [2]string{target.NameSingular, inverse.Name}
		s.inverseOf[fieldKey(target.NameSingular, inverse.Name)] = [2]string{singular, f.Name}
	} else {
		var v any
		if oi := s.store.bySingular[singular]; oi != nil && f.DefaultValue != nil {
			v, _ = writeValue(oi, oi.fields[f.Name], normalizeJSON(f.DefaultValue), nil)
		} else {
			v = emptyValue(&f)
		}
		s.fillColumn(plural, f.Name, v)
	}
	return http.StatusCreated, s.metaItem(op, "fields", s.metaItemByID("fields", metamodel.FieldID(singular, f.Name).String())), nil
}

// fillColumn sets col to v in every record of an object, replacing the
// records (stored ones are never changed in place).
func (s *Server) fillColumn(plural, col string, v any) {
	s.store.touch()
	rows := s.store.rows[plural]
	for id, r := range rows {
		nr := cloneValue(r).(map[string]any)
		nr[col] = cloneValue(v)
		rows[id] = nr
	}
}

// dropColumn removes col from every record of an object.
func (s *Server) dropColumn(plural, col string) {
	s.store.touch()
	rows := s.store.rows[plural]
	for id, r := range rows {
		if _, ok := r[col]; !ok {
			continue
		}
		nr := cloneValue(r).(map[string]any)
		delete(nr, col)
		rows[id] = nr
	}
}

// dropOptionValues clears the values of options a field no longer has.
func (s *Server) dropOptionValues(plural, field string, typ model.FieldType, gone map[string]bool) {
	s.store.touch()
	rows := s.store.rows[plural]
	for id, r := range rows {
		switch v := r[field].(type) {
		case string:
			if gone[v] {
				nr := cloneValue(r).(map[string]any)
				nr[field] = nil
				rows[id] = nr
			}
		case []any:
			if typ != model.MultiSelect {
				continue
			}
			keep := []any{}
			for _, e := range v {
				if s, _ := e.(string); !gone[s] {
					keep = append(keep, e)
				}
			}
			if len(keep) != len(v) {
				nr := cloneValue(r).(map[string]any)
				nr[field] = keep
				rows[id] = nr
			}
		}
	}
}
