package specgen

import (
	"fmt"

	"github.com/twenty-go/twenty/internal/model"
)

func nullableString() omap { return omap{{"type", "string"}, {"nullable", true}} }

// composites are written with pointer fields, so a request can tell "leave
// alone" (nil) from "set to empty" (""). Responses need no such
// distinction (the server itself treats null text as ""), so each also has
// a ...ForResponse variant whose text fields are plain strings: easier to
// read, and a page decodes with far fewer allocations.
var composites = []string{"FullName", "Emails", "AdditionalPhone", "Phones", "SecondaryLink", "Links",
	"Address", "Currency", "ActorContext", "Actor", "RichText", "FileItem"}

func isComposite(name string) bool {
	for _, c := range composites {
		if c == name {
			return true
		}
	}
	return false
}

// responseVariant copies a composite's schema, making its text fields
// plain strings and pointing nested composites at their variants.
func responseVariant(schema omap) omap {
	out := omap{}
	for _, e := range schema {
		if e.k == "example" {
			continue // the input variant carries it
		}
		if e.k != "properties" {
			out = append(out, e)
			continue
		}
		props := omap{}
		for _, p := range e.v.(omap) {
			props = append(props, kv{p.k, responseField(p.v.(omap))})
		}
		out = append(out, kv{"properties", props})
	}
	return out
}

// responseField is the response form of one property schema.
func responseField(f omap) omap {
	if r, ok := f.get("$ref"); ok {
		name := refName(r.(string))
		if isComposite(name) {
			return valueRef(name + "ForResponse")
		}
		return f
	}
	out := append(omap{}, f...)
	if t, _ := f.get("type"); t == "string" {
		if _, hasFormat := f.get("format"); !hasFormat {
			out.set("x-go-type-skip-optional-pointer", true)
		}
	}
	if items, ok := f.get("items"); ok {
		out.set("items", responseField(items.(omap)))
	}
	return out
}

// valueRef refers to a response composite as a value, not a pointer.
func valueRef(name string) omap {
	return omap{{"allOf", []any{schemaRef(name)}}, {"x-go-type-skip-optional-pointer", true}}
}

func refName(ref string) string {
	for i := len(ref) - 1; i >= 0; i-- {
		if ref[i] == '/' {
			return ref[i+1:]
		}
	}
	return ref
}

func object(props omap, extra ...kv) omap {
	o := omap{{"type", "object"}}
	o = append(o, extra...)
	o.set("properties", props)
	return o
}

// sharedSchemas adds the components every object uses: composites, paging,
// envelopes shared across objects and the two error bodies.
func (g *gen) sharedSchemas() {
	s := &g.schemas
	s.set("Decimal", omap{
		{"description", "A decimal number. Servers send it as a JSON number or, for numeric columns, as a string of digits; both are kept without losing precision."},
		{"nullable", true},
		{"x-go-type", "json.Number"},
		{"oneOf", []any{
			omap{{"type", "number"}},
			omap{{"type", "string"}, {"pattern", `^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`}},
		}},
	})
	s.set("FullName", object(omap{
		{"firstName", nullableString()},
		{"lastName", nullableString()},
	}, kv{"description", "A person's name."}, kv{"nullable", true},
		kv{"example", omap{{"firstName", "Ada"}, {"lastName", "Lovelace"}}}))
	s.set("Emails", object(omap{
		{"primaryEmail", nullableString()},
		{"additionalEmails", omap{{"type", "array"}, {"nullable", true}, {"items", omap{{"type", "string"}}}}},
	}, kv{"description", "A primary address and any others. Stored values are not checked as addresses."}, kv{"nullable", true},
		kv{"example", omap{{"primaryEmail", "ada@example.com"}, {"additionalEmails", []any{}}}}))
	s.set("AdditionalPhone", object(omap{
		{"number", nullableString()},
		{"countryCode", nullableString()},
		{"callingCode", nullableString()},
	}, kv{"description", "A phone number besides the primary one."}))
	s.set("Phones", object(omap{
		{"primaryPhoneNumber", nullableString()},
		{"primaryPhoneCountryCode", omap{{"type", "string"}, {"nullable", true}, {"description", "ISO 3166-1 alpha-2 code, such as FR."}}},
		{"primaryPhoneCallingCode", omap{{"type", "string"}, {"nullable", true}, {"description", "Such as +33."}}},
		{"additionalPhones", omap{{"type", "array"}, {"nullable", true}, {"items", schemaRef("AdditionalPhone")}}},
	}, kv{"description", "A primary phone number and any others."}, kv{"nullable", true}))
	s.set("SecondaryLink", object(omap{
		{"url", nullableString()},
		{"label", nullableString()},
	}, kv{"description", "A link besides the primary one."}))
	s.set("Links", object(omap{
		{"primaryLinkUrl", nullableString()},
		{"primaryLinkLabel", nullableString()},
		{"secondaryLinks", omap{{"type", "array"}, {"nullable", true}, {"items", schemaRef("SecondaryLink")}}},
	}, kv{"description", "A primary link and any others. The server drops a trailing slash from URLs."}, kv{"nullable", true},
		kv{"example", omap{{"primaryLinkUrl", "https://example.com"}, {"primaryLinkLabel", ""}, {"secondaryLinks", []any{}}}}))
	s.set("Address", object(omap{
		{"addressStreet1", nullableString()},
		{"addressStreet2", nullableString()},
		{"addressCity", nullableString()},
		{"addressPostcode", nullableString()},
		{"addressState", nullableString()},
		{"addressCountry", nullableString()},
		{"addressLat", schemaRef("Decimal")},
		{"addressLng", schemaRef("Decimal")},
	}, kv{"description", "A postal address with optional coordinates."}, kv{"nullable", true}))
	s.set("Currency", object(omap{
		{"amountMicros", omap{{"allOf", []any{schemaRef("Decimal")}}, {"description", "The amount times 1,000,000."}}},
		{"currencyCode", omap{{"type", "string"}, {"nullable", true}, {"description", "ISO 4217 code, such as EUR."}}},
	}, kv{"description", "An amount of money."}, kv{"nullable", true},
		kv{"example", omap{{"amountMicros", 1500000000}, {"currencyCode", "EUR"}}}))
	s.set("ActorSource", omap{
		{"type", "string"},
		{"description", "What created or changed the record."},
		{"enum", []string{"EMAIL", "CALENDAR", "WORKFLOW", "AGENT", "API", "IMPORT", "MANUAL", "SYSTEM", "WEBHOOK", "APPLICATION"}},
	})
	s.set("ActorContext", object(omap{
		{"provider", nullableString()},
	}, kv{"description", "Extra facts about the actor."}, kv{"nullable", true}))
	s.set("Actor", object(omap{
		{"source", schemaRef("ActorSource")},
		{"workspaceMemberId", omap{{"type", "string"}, {"format", "uuid"}, {"nullable", true}}},
		{"name", nullableString()},
		{"context", schemaRef("ActorContext")},
	}, kv{"description", "Who created or last changed a record. The server fills it; a caller may only choose the source."}, kv{"nullable", true}))
	s.set("RichText", object(omap{
		{"blocknote", omap{{"type", "string"}, {"nullable", true}, {"description", "The editor's JSON document, as a string."}}},
		{"markdown", nullableString()},
	}, kv{"description", "Formatted text, as Markdown and as the editor's document."}, kv{"nullable", true}))
	s.set("FileItem", object(omap{
		{"fileId", omap{{"type", "string"}, {"format", "uuid"}}},
		{"label", nullableString()},
		{"extension", nullableString()},
		{"url", nullableString()},
	}, kv{"description", "A stored file."}))
	for _, name := range composites {
		v, _ := s.get(name)
		s.set(name+"ForResponse", responseVariant(v.(omap)))
	}
	s.set("AnyRecord", omap{
		{"type", "object"},
		{"description", "A record of an object this description does not cover, kept as decoded JSON."},
		{"additionalProperties", true},
	})
	s.set("PageInfo", object(omap{
		{"startCursor", omap{{"type", "string"}, {"nullable", true}, {"description", "Opaque cursor of the first record; null on an empty page."}}},
		{"endCursor", omap{{"type", "string"}, {"nullable", true}, {"description", "Opaque cursor of the last record; pass it as starting_after for the next page."}}},
		{"hasNextPage", omap{{"type", "boolean"}}},
		{"hasPreviousPage", omap{{"type", "boolean"}}},
	}, kv{"description", "Where a page sits in the result. Cursors are opaque strings: never parse them."}))
	s.set("DeletedRecord", object(omap{
		{"id", omap{{"type", "string"}, {"format", "uuid"}}},
	}, kv{"required", []string{"id"}}))
	s.set("MergeInput", object(omap{
		{"ids", omap{{"type", "array"}, {"minItems", 2}, {"maxItems", 9}, {"items", omap{{"type", "string"}, {"format", "uuid"}}}}},
		{"conflictPriorityIndex", omap{{"type", "integer"}, {"minimum", 0}, {"description", "Index in ids of the record whose values win conflicts."}}},
		{"dryRun", omap{{"type", "boolean"}, {"description", "Return the merged record without saving it."}}},
	}, kv{"required", []string{"ids", "conflictPriorityIndex"}}))
	s.set("GroupByGroup", omap{
		{"type", "object"},
		{"description", "One group: the values that define it, the requested aggregates (numeric aggregates arrive as strings) and, if asked for, sample records."},
		{"properties", omap{
			{"groupByDimensionValues", omap{{"type", "array"}, {"items", omap{{"nullable", true}}}, {"x-go-type", "[]interface{}"}, {"x-go-type-skip-optional-pointer", true}, {"description", "One value per group_by field; null for the group of records without one."}}},
			{"records", omap{{"type", "array"}, {"items", schemaRef("AnyRecord")}}},
		}},
		{"additionalProperties", true},
	})
	s.set("GroupByResult", omap{
		{"type", "array"},
		{"description", "The groups, as a bare JSON array."},
		{"items", schemaRef("GroupByGroup")},
	})
	s.set("ErrorCode", omap{
		{"type", "string"},
		{"description", "Machine-readable cause in the documented error body."},
		{"enum", []string{"UNAUTHORIZED", "MISSING_AUTH_HEADER", "EXPIRED_API_KEY", "REVOKED_API_KEY", "FORBIDDEN",
			"BAD_REQUEST", "NOT_FOUND", "RATE_LIMITED", "INTERNAL_SERVER_ERROR"}},
	})
	s.set("DocumentedErrorDetail", object(omap{
		{"message", omap{{"type", "string"}}},
		{"code", schemaRef("ErrorCode")},
		{"details", omap{{"type", "object"}, {"additionalProperties", true}}},
	}, kv{"required", []string{"message", "code"}}))
	s.set("DocumentedError", object(omap{
		{"error", schemaRef("DocumentedErrorDetail")},
	}, kv{"description", "The error body of Twenty's API documentation."}, kv{"required", []string{"error"}},
		kv{"example", omap{{"error", omap{{"message", "API key has expired"}, {"code", "EXPIRED_API_KEY"}, {"details", omap{}}}}}}))
	s.set("ServerError", object(omap{
		{"statusCode", omap{{"type", "integer"}}},
		{"error", omap{{"type", "string"}, {"description", "An exception name (BadRequestException) or, for authentication failures, a code (UNAUTHENTICATED, FORBIDDEN_EXCEPTION)."}}},
		{"messages", omap{{"type", "array"}, {"items", omap{{"type", "string"}}}}},
		{"message", omap{{"type", "string"}, {"description", "Sent instead of messages by some versions."}}},
		{"code", omap{{"type", "string"}}},
		{"retryAfterSeconds", omap{{"type", "integer"}, {"description", "On 429 from newer servers: when to retry."}}},
	}, kv{"description", "The error body the server sends."}, kv{"required", []string{"statusCode", "error"}},
		kv{"example", omap{{"statusCode", 404}, {"error", "NotFoundException"}, {"messages", []string{"Record not found"}}}}))
	s.set("ErrorBody", omap{
		{"description", "Either error body: the documented one or the one the server sends."},
		{"oneOf", []any{schemaRef("DocumentedError"), schemaRef("ServerError")}},
	})
}

// variant is the role a record schema plays.
type variant int

const (
	forCreate variant = iota
	forUpdate
	forResponse
)

func (g *gen) objectSchemas(o *model.Object) {
	n := namesOf(o)
	for _, f := range o.Fields {
		if f.Type == model.Select || f.Type == model.MultiSelect {
			var vals []string
			for _, opt := range f.Options {
				vals = append(vals, opt.Value)
			}
			desc := fmt.Sprintf("Options of %s.%s. Workspace admins can add more: regenerate from your workspace to get them.", o.NameSingular, f.Name)
			g.schemas.set(enumName(n, f), omap{{"type", "string"}, {"description", desc}, {"enum", vals}})
		}
	}
	g.schemas.set(n.create, g.record(n, forCreate))
	g.schemas.set(n.update, g.record(n, forUpdate))
	g.schemas.set(n.response, g.record(n, forResponse))

	records := omap{{"type", "array"}, {"items", schemaRef(n.response)}}
	one := func(result, key string) {
		g.schemas.set(result+"Data", object(omap{{key, schemaRef(n.response)}}, kv{"required", []string{key}}))
		g.schemas.set(result+"Result", object(omap{{"data", schemaRef(result + "Data")}}, kv{"required", []string{"data"}}))
	}
	many := func(result, key string, items omap) {
		g.schemas.set(result+"Data", object(omap{{key, items}}, kv{"required", []string{key}}))
		g.schemas.set(result+"Result", object(omap{{"data", schemaRef(result + "Data")}}, kv{"required", []string{"data"}}))
	}

	g.schemas.set("FindMany"+n.P+"Data", object(omap{{o.NamePlural, records}}, kv{"required", []string{o.NamePlural}}))
	g.schemas.set("FindMany"+n.P+"Result", object(omap{
		{"data", schemaRef("FindMany" + n.P + "Data")},
		{"pageInfo", schemaRef("PageInfo")},
		{"totalCount", omap{{"type", "integer"}, {"description", "Records matching the filter, across all pages."}}},
	}, kv{"required", []string{"data"}}))
	one("FindOne"+n.S, o.NameSingular)
	one("CreateOne"+n.S, "create"+n.S)
	many("CreateMany"+n.P, "create"+n.P, records)
	one("UpdateOne"+n.S, "update"+n.S)
	many("UpdateMany"+n.P, "update"+n.P, records)
	g.schemas.set("DeleteOne"+n.S+"Data", object(omap{{"delete" + n.S, schemaRef("DeletedRecord")}}, kv{"required", []string{"delete" + n.S}}))
	g.schemas.set("DeleteOne"+n.S+"Result", object(omap{{"data", schemaRef("DeleteOne" + n.S + "Data")}}, kv{"required", []string{"data"}}))
	many("DeleteMany"+n.P, "delete"+n.P, omap{{"type", "array"}, {"items", schemaRef("DeletedRecord")}})
	one("RestoreOne"+n.S, "restore"+n.S)
	many("RestoreMany"+n.P, "restore"+n.P, records)
	one("MergeMany"+n.P, "merge"+n.S)

	dupKey := o.NameSingular + "Duplicates"
	g.schemas.set(n.S+"Duplicates", object(omap{
		{dupKey, records},
		{"totalCount", omap{{"type", "integer"}}},
		{"pageInfo", schemaRef("PageInfo")},
	}, kv{"description", "The duplicates found for one of the inputs, in input order."}, kv{"required", []string{dupKey}}))
	g.schemas.set("Find"+n.S+"DuplicatesResult", object(omap{
		{"data", omap{{"type", "array"}, {"items", schemaRef(n.S + "Duplicates")}}},
	}, kv{"required", []string{"data"}}))
	if o.NameSingular == dashboard {
		g.schemas.set("DuplicatedDashboard", object(omap{
			{"id", omap{{"type", "string"}, {"format", "uuid"}}},
			{"title", omap{{"type", "string"}, {"nullable", true}}},
			{"pageLayoutId", omap{{"type", "string"}, {"format", "uuid"}, {"nullable", true}, {"description", "The copy's own page layout."}}},
			{"position", omap{{"type", "number"}}},
			{"createdAt", omap{{"type", "string"}, {"format", "date-time"}}},
			{"updatedAt", omap{{"type", "string"}, {"format", "date-time"}}},
		}, kv{"description", "The new dashboard, as the duplicate route answers: a few fields, not the whole record."}, kv{"required", []string{"id"}}))
	}
	g.schemas.set("Find"+n.S+"DuplicatesInput", object(omap{
		{"ids", omap{{"type", "array"}, {"items", omap{{"type", "string"}, {"format", "uuid"}}}, {"description", "Find duplicates of these existing records."}}},
		{"data", omap{{"type", "array"}, {"items", schemaRef(n.create)}, {"description", "Or find duplicates of these records before creating them."}}},
	}, kv{"description", "Give either ids or data."}))
}

func enumName(n names, f model.Field) string { return n.S + upperFirst(f.Name) }

func (g *gen) inModel(singular string) bool {
	_, ok := g.m.Object(singular)
	return ok
}

// record builds one of the three record schemas of an object.
func (g *gen) record(n names, v variant) omap {
	props := omap{}
	var required []string
	for _, f := range n.o.Fields {
		if f.IsSystem && v != forResponse {
			continue
		}
		if f.IsRelation() {
			before := len(props)
			g.relationProps(&props, f, v)
			for i := before; i < len(props); i++ {
				props[i].v = deprecate(props[i].v.(omap), f.Deprecated)
			}
			continue
		}
		props.set(f.Name, deprecate(g.fieldSchema(n, f, v), f.Deprecated))
		if v == forCreate && !f.Nullable() && f.DefaultValue == nil {
			required = append(required, f.Name)
		}
		if v == forResponse && (f.Name == "id") {
			required = append(required, f.Name)
		}
	}
	desc := n.o.Description
	switch v {
	case forCreate:
		desc = "A new " + lower(n.o.LabelSingular) + ". " + desc
	case forUpdate:
		desc = "Changes to a " + lower(n.o.LabelSingular) + ": only the fields present are written. " + desc
	case forResponse:
		desc = "A " + lower(n.o.LabelSingular) + " as the server returns it. Fields the key may not read are left out. " + desc
	}
	s := omap{{"type", "object"}, {"description", desc}}
	if len(required) > 0 {
		s.set("required", required)
	}
	s.set("properties", props)
	return s
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func (g *gen) relationProps(props *omap, f model.Field, v variant) {
	r := f.Relation
	target := upperFirst(r.TargetObject)
	switch r.Type {
	case model.ManyToOne:
		props.set(r.JoinColumnName, withNullableWrite(omap{{"type", "string"}, {"format", "uuid"}, {"nullable", true},
			{"description", "Id of the related " + r.TargetObject + "."}}, v, "openapi_types.UUID"))
		if v != forResponse {
			return
		}
		if g.inModel(r.TargetObject) {
			props.set(f.Name, omap{{"allOf", []any{schemaRef(target + "ForResponse")}}, {"nullable", true},
				{"description", "With depth=1: the related " + r.TargetObject + ", or null."}})
		} else {
			props.set(f.Name, omap{{"allOf", []any{schemaRef("AnyRecord")}}, {"nullable", true},
				{"description", "With depth=1: the related " + r.TargetObject + ", or null."}})
		}
	case model.OneToMany:
		if v != forResponse {
			return // the server refuses writes to the many side
		}
		item := schemaRef("AnyRecord")
		if g.inModel(r.TargetObject) {
			item = schemaRef(target + "ForResponse")
		}
		props.set(f.Name, omap{{"type", "array"}, {"nullable", true}, {"items", item},
			{"description", "With depth=1: the related " + r.TargetObject + " records."}})
	}
}

// withNullableWrite makes a scalar clearable in update bodies: a plain
// pointer cannot tell "leave alone" (absent) from "clear" (null), so those
// fields use nullable.Nullable, which can.
func withNullableWrite(s omap, v variant, goType string) omap {
	if v != forUpdate {
		return s
	}
	s.set("x-go-type", "nullable.Nullable["+goType+"]")
	s.set("x-go-type-import", omap{{"path", "github.com/oapi-codegen/nullable"}})
	s.set("x-go-type-skip-optional-pointer", true)
	return s
}

// deprecate marks a property that newer servers no longer send: oapi-codegen
// writes a "Deprecated:" comment on its Go field, and the description says
// why for everyone else. A bare $ref cannot carry siblings, so it is wrapped.
func deprecate(s omap, reason string) omap {
	if reason == "" {
		return s
	}
	if r, ok := s.get("$ref"); ok {
		s = omap{{"allOf", []any{omap{{"$ref", r}}}}}
	} else {
		s = append(omap{}, s...)
	}
	desc, _ := s.get("description")
	d, _ := desc.(string)
	if d != "" {
		d += " "
	}
	// The blank line makes oapi-codegen's "Deprecated:" line a paragraph of
	// its own, which is what Go tooling looks for.
	s.set("description", d+"Older servers only: "+reason+".\n\n")
	s.set("deprecated", true)
	s.set("x-deprecated-reason", reason)
	return s
}

func withDesc(s omap, f model.Field) omap {
	if f.Description != "" {
		s.set("description", f.Description)
	}
	return s
}

func (g *gen) fieldSchema(n names, f model.Field, v variant) omap {
	nullable := f.Nullable() || v == forResponse && !f.IsSystem
	if f.Name == "id" || f.Name == "createdAt" || f.Name == "updatedAt" {
		nullable = false
	}
	scalar := func(typ, format, goType string) omap {
		s := omap{{"type", typ}}
		if format != "" {
			s.set("format", format)
		}
		if nullable {
			s.set("nullable", true)
		}
		withDesc(s, f)
		if nullable && goType != "" {
			return withNullableWrite(s, v, goType)
		}
		return s
	}
	composite := func(name string) omap {
		if v == forResponse {
			return valueRef(name + "ForResponse")
		}
		// Composites are nullable components, so a plain $ref is enough.
		return schemaRef(name)
	}
	switch f.Type {
	case model.UUID:
		return scalar("string", "uuid", "openapi_types.UUID")
	case model.Text:
		if v == forResponse {
			return scalar("string", "", "").with("x-go-type-skip-optional-pointer", true)
		}
		return scalar("string", "", "")
	case model.Number:
		if f.Settings != nil && f.Settings.DataType == "int" {
			return scalar("integer", "", "int")
		}
		return scalar("number", "", "float64")
	case model.Position:
		return scalar("number", "", "")
	case model.Numeric:
		return schemaRef("Decimal")
	case model.Boolean:
		return scalar("boolean", "", "bool")
	case model.DateTime:
		return scalar("string", "date-time", "time.Time")
	case model.Date:
		return scalar("string", "date", "openapi_types.Date")
	case model.Select, model.Rating:
		s := omap{{"allOf", []any{schemaRef(enumName(n, f))}}}
		if nullable {
			s.set("nullable", true)
		}
		desc := f.Description
		if f.DefaultValue != nil {
			desc += fmt.Sprintf(" Defaults to %v.", f.DefaultValue)
		}
		if desc != "" {
			s.set("description", trimSpace(desc))
		}
		if nullable {
			return withNullableWrite(s, v, enumName(n, f))
		}
		return s
	case model.MultiSelect:
		return withDesc(omap{{"type", "array"}, {"nullable", true}, {"items", schemaRef(enumName(n, f))}}, f)
	case model.Array:
		return withDesc(omap{{"type", "array"}, {"nullable", true}, {"items", omap{{"type", "string"}}}}, f)
	case model.RawJSON:
		desc := f.Description
		if desc == "" {
			desc = "Any JSON value."
		}
		return omap{{"nullable", true}, {"description", desc}}
	case model.FullName:
		return composite("FullName")
	case model.Emails:
		return composite("Emails")
	case model.Phones:
		return composite("Phones")
	case model.Links:
		return composite("Links")
	case model.Address:
		return composite("Address")
	case model.Currency:
		return composite("Currency")
	case model.Actor:
		return composite("Actor")
	case model.RichText, model.RichTextV2:
		return composite("RichText")
	case model.Files:
		item := "FileItem"
		if v == forResponse {
			item = "FileItemForResponse"
		}
		return withDesc(omap{{"type", "array"}, {"nullable", true}, {"items", schemaRef(item)}}, f)
	}
	// A type this generator does not model yet (servers add types over
	// time): accept any JSON rather than fail or reject real data.
	return omap{{"nullable", true}, {"description", fmt.Sprintf("A %s field, kept as raw JSON.", f.Type)}}
}

func trimSpace(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	return s
}
