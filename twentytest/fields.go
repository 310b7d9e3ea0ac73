package twentytest

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"github.com/twenty-go/twenty/internal/model"
)

// This file turns written values into the form the newer server returns:
// "" for empty text, [] for empty arrays, null for empty ids, dates,
// numbers and selects, composites always whole objects.

// subKind is how one composite sub-field is written and shown.
type subKind int

const (
	subText         subKind = iota // "" when empty
	subNullableText                // null when empty (currencyCode, blocknote)
	subDecimal                     // number or digit string, null when empty
	subStrings                     // string array, [] when empty
	subLinks                       // [{url,label}]
	subPhones                      // [{number,countryCode,callingCode}]
	subContext                     // actor context object
	subSource                      // actor source enum
	subUUID                        // actor workspaceMemberId
)

type subField struct {
	name string
	kind subKind
}

var composites = map[model.FieldType][]subField{
	model.FullName: {{"firstName", subText}, {"lastName", subText}},
	model.Emails:   {{"primaryEmail", subText}, {"additionalEmails", subStrings}},
	model.Phones: {{"primaryPhoneNumber", subText}, {"primaryPhoneCountryCode", subText},
		{"primaryPhoneCallingCode", subText}, {"additionalPhones", subPhones}},
	model.Links: {{"primaryLinkUrl", subText}, {"primaryLinkLabel", subText}, {"secondaryLinks", subLinks}},
	model.Address: {{"addressStreet1", subText}, {"addressStreet2", subText}, {"addressCity", subText},
		{"addressPostcode", subText}, {"addressState", subText}, {"addressCountry", subText},
		{"addressLat", subDecimal}, {"addressLng", subDecimal}},
	// Twenty's currencyCode column defaults to '' but is not mapped by the
	// formatter, so an unset one is "" and a cleared one null.
	model.Currency:   {{"amountMicros", subDecimal}, {"currencyCode", subNullableText}},
	model.Actor:      {{"source", subSource}, {"workspaceMemberId", subUUID}, {"name", subText}, {"context", subContext}},
	model.RichText:   {{"blocknote", subNullableText}, {"markdown", subText}},
	model.RichTextV2: {{"blocknote", subNullableText}, {"markdown", subText}},
}

// uniqueSub is the sub-field a unique composite is unique on.
var uniqueSub = map[model.FieldType]string{
	model.Emails: "primaryEmail",
	model.Links:  "primaryLinkUrl",
	model.Phones: "primaryPhoneNumber",
}

var actorSources = []string{"EMAIL", "CALENDAR", "WORKFLOW", "AGENT", "API", "IMPORT", "MANUAL", "SYSTEM", "WEBHOOK", "APPLICATION"}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isUUID(s string) bool { return uuidRE.MatchString(s) }

// timeFormat is how the server writes date-times: ISO-8601, ms, UTC.
const timeFormat = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// emptyValue is what the newer server returns for a field never set.
func emptyValue(f *model.Field) any {
	switch f.Type {
	case model.Text:
		return ""
	case model.MultiSelect, model.Array, model.Files:
		return []any{}
	}
	if subs, ok := composites[f.Type]; ok {
		out := map[string]any{}
		for _, sf := range subs {
			out[sf.name] = emptySub(sf.kind)
		}
		if f.Type == model.Currency {
			out["currencyCode"] = ""
		}
		return out
	}
	return nil
}

func emptySub(k subKind) any {
	switch k {
	case subText:
		return ""
	case subStrings, subLinks, subPhones:
		return []any{}
	case subContext:
		return map[string]any{}
	case subSource:
		return "MANUAL"
	}
	return nil
}

// fieldErr is the message of a value a field cannot take.
func fieldErr(o *objInfo, f *model.Field, v any, want string) *apiError {
	return badRequest("Invalid value %s for field \"%s\" of object %s: expected %s", short(v), f.Name, o.o.NameSingular, want)
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		b = append(b[:77], "..."...)
	}
	return string(b)
}

// writeValue validates v for f and returns the stored form. old is the
// current value, which composites are merged into.
func writeValue(o *objInfo, f *model.Field, v, old any) (any, *apiError) {
	if v == nil {
		if !f.Nullable() {
			return nil, badRequest("null value in column \"%s\" of relation \"%s\" violates not-null constraint", f.Name, o.o.NameSingular)
		}
		return emptyValue(f), nil
	}
	switch f.Type {
	case model.UUID:
		s, ok := v.(string)
		if !ok || !isUUID(s) {
			return nil, badRequest("invalid input syntax for type uuid: %s", short(v))
		}
		return strings.ToLower(s), nil
	case model.Text:
		s, ok := v.(string)
		if !ok {
			return nil, fieldErr(o, f, v, "a string")
		}
		return s, nil
	case model.Number, model.Position:
		n, ok := v.(json.Number)
		if !ok {
			return nil, badRequest("invalid input syntax for type double precision: %s", short(v))
		}
		fl, err := n.Float64()
		if err != nil || math.IsInf(fl, 0) || math.IsNaN(fl) {
			return nil, badRequest("invalid input syntax for type double precision: %s", short(v))
		}
		if f.Settings != nil && f.Settings.DataType == "int" {
			if fl != math.Trunc(fl) || math.Abs(fl) > 1<<31 {
				return nil, badRequest("invalid input syntax for type integer: %s", short(v))
			}
			return json.Number(strconv.FormatInt(int64(fl), 10)), nil
		}
		return n, nil
	case model.Numeric:
		return decimal(o, f, v)
	case model.Boolean:
		b, ok := v.(bool)
		if !ok {
			return nil, badRequest("invalid input syntax for type boolean: %s", short(v))
		}
		return b, nil
	case model.DateTime:
		s, ok := v.(string)
		t, good := parseTimeInput(s)
		if !ok || !good {
			return nil, badRequest("invalid input syntax for type timestamp with time zone: %s", short(v))
		}
		return formatTime(t), nil
	case model.Date:
		s, ok := v.(string)
		t, good := parseTimeInput(s)
		if !ok || !good {
			return nil, badRequest("invalid input syntax for type date: %s", short(v))
		}
		return t.Format("2006-01-02"), nil
	case model.Select, model.Rating:
		s, ok := v.(string)
		if !ok || !hasOption(f, s) {
			return nil, invalidOption(f, v)
		}
		return s, nil
	case model.MultiSelect:
		arr, ok := v.([]any)
		if !ok {
			return nil, fieldErr(o, f, v, "an array of options")
		}
		out := make([]any, 0, len(arr))
		for _, e := range arr {
			s, ok := e.(string)
			if !ok || !hasOption(f, s) {
				return nil, invalidOption(f, e)
			}
			out = append(out, s)
		}
		return out, nil
	case model.Array:
		arr, ok := v.([]any)
		if !ok {
			return nil, fieldErr(o, f, v, "an array of strings")
		}
		for _, e := range arr {
			if _, ok := e.(string); !ok {
				return nil, fieldErr(o, f, v, "an array of strings")
			}
		}
		return cloneValue(arr), nil
	case model.RawJSON:
		return cloneValue(v), nil
	case model.Files:
		return files(o, f, v)
	}
	if subs, ok := composites[f.Type]; ok {
		return composite(o, f, subs, v, old)
	}
	return nil, badRequest("field %s of object %s has unsupported type %s", f.Name, o.o.NameSingular, f.Type)
}

func hasOption(f *model.Field, s string) bool {
	if len(f.Options) == 0 && f.Type == model.Rating {
		return len(s) == len("RATING_1") && strings.HasPrefix(s, "RATING_") && s[7] >= '1' && s[7] <= '5'
	}
	for _, o := range f.Options {
		if o.Value == s {
			return true
		}
	}
	return false
}

// parseTimeInput accepts what Postgres casts to a timestamptz: RFC 3339
// with or without an offset, or a bare date.
func parseTimeInput(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

var decimalRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// decimal keeps a number as the JSON number it came as, and a digit
// string as a string, as the server's numeric columns do.
func decimal(o *objInfo, f *model.Field, v any) (any, *apiError) {
	switch x := v.(type) {
	case json.Number:
		return x, nil
	case string:
		if decimalRE.MatchString(x) {
			return x, nil
		}
	}
	return nil, badRequest("invalid input syntax for type numeric: %s", short(v))
}

func files(o *objInfo, f *model.Field, v any) (any, *apiError) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fieldErr(o, f, v, "an array of files")
	}
	out := make([]any, 0, len(arr))
	for _, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fieldErr(o, f, e, "a file {fileId, label, extension, url}")
		}
		id, _ := m["fileId"].(string)
		if !isUUID(id) {
			return nil, fieldErr(o, f, e, "a file with a uuid fileId")
		}
		item := map[string]any{"fileId": id, "label": "", "extension": "", "url": ""}
		for k, val := range m {
			switch k {
			case "fileId":
			case "label", "extension", "url":
				s, ok := val.(string)
				if val != nil && !ok {
					return nil, fieldErr(o, f, e, "string file attributes")
				}
				item[k] = s
			default:
				return nil, badRequest("Object %s doesn't have any \"%s.%s\" field.", o.o.NameSingular, f.Name, k)
			}
		}
		out = append(out, item)
	}
	return out, nil
}

// composite merges the written sub-fields into old (or the empty value):
// a partial update keeps the sub-fields it does not mention.
func composite(o *objInfo, f *model.Field, subs []subField, v, old any) (any, *apiError) {
	in, ok := v.(map[string]any)
	if !ok {
		return nil, fieldErr(o, f, v, "an object")
	}
	out, _ := cloneValue(old).(map[string]any)
	if out == nil {
		out, _ = emptyValue(f).(map[string]any)
	}
	for k, val := range in {
		var sf *subField
		for i := range subs {
			if subs[i].name == k {
				sf = &subs[i]
			}
		}
		if sf == nil {
			return nil, badRequest("Object %s doesn't have any \"%s.%s\" field.", o.o.NameSingular, f.Name, k)
		}
		stored, err := writeSub(o, f, *sf, val)
		if err != nil {
			return nil, err
		}
		if f.Type == model.Actor && k != "source" {
			continue // the server fills the actor; a caller picks the source
		}
		out[k] = stored
	}
	return out, nil
}

func writeSub(o *objInfo, f *model.Field, sf subField, v any) (any, *apiError) {
	where := &model.Field{Name: f.Name + "." + sf.name}
	if v == nil {
		return emptySub(sf.kind), nil
	}
	switch sf.kind {
	case subText, subNullableText:
		s, ok := v.(string)
		if !ok {
			return nil, fieldErr(o, where, v, "a string")
		}
		if f.Type == model.Links && sf.name == "primaryLinkUrl" {
			s = trimLink(s)
		}
		if f.Type == model.Emails {
			s = canonicalEmail(s)
		}
		return s, nil
	case subDecimal:
		return decimal(o, where, v)
	case subUUID:
		s, ok := v.(string)
		if !ok || !isUUID(s) {
			return nil, badRequest("invalid input syntax for type uuid: %s", short(v))
		}
		return s, nil
	case subSource:
		s, ok := v.(string)
		for _, src := range actorSources {
			if ok && s == src {
				return s, nil
			}
		}
		return nil, badRequest("invalid input value for enum %s_%s_source_enum: %s", o.o.NameSingular, f.Name, short(v))
	case subContext:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fieldErr(o, where, v, "an object")
		}
		return cloneValue(m), nil
	case subStrings:
		arr, ok := v.([]any)
		if !ok {
			return nil, fieldErr(o, where, v, "an array of strings")
		}
		out := make([]any, len(arr))
		for i, e := range arr {
			s, ok := e.(string)
			if !ok {
				return nil, fieldErr(o, where, v, "an array of strings")
			}
			if f.Type == model.Emails {
				s = canonicalEmail(s)
			}
			out[i] = s
		}
		return out, nil
	case subLinks, subPhones:
		keys := []string{"url", "label"}
		if sf.kind == subPhones {
			keys = []string{"number", "countryCode", "callingCode"}
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, fieldErr(o, where, v, "an array of objects")
		}
		out := make([]any, 0, len(arr))
		for _, e := range arr {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fieldErr(o, where, e, "an object")
			}
			item := map[string]any{}
			for _, k := range keys {
				item[k] = ""
			}
			for k, val := range m {
				if _, known := item[k]; !known {
					return nil, badRequest("Object %s doesn't have any \"%s.%s\" field.", o.o.NameSingular, where.Name, k)
				}
				s, ok := val.(string)
				if val != nil && !ok {
					return nil, fieldErr(o, where, e, "string attributes")
				}
				if k == "url" {
					s = trimLink(s)
				}
				item[k] = s
			}
			out = append(out, item)
		}
		return out, nil
	}
	return nil, fieldErr(o, where, v, "a known value")
}

// canonicalEmail is what 2.x stores of an email: lower case (the local
// part too), the domain's ideographic and fullwidth dots read as dots,
// its trailing dot dropped and its Unicode labels in punycode.
func canonicalEmail(s string) string {
	s = strings.ToLower(s)
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return s
	}
	domain := strings.NewReplacer("。", ".", "．", ".", "｡", ".").Replace(s[at+1:])
	domain = strings.TrimSuffix(domain, ".")
	if ascii, err := idna.Punycode.ToASCII(domain); err == nil {
		domain = ascii
	}
	return s[:at+1] + domain
}

// trimLink drops a trailing slash, as the server does on write.
func trimLink(s string) string { return strings.TrimSuffix(s, "/") }

// cloneValue deep-copies decoded JSON so stored records never share maps
// or slices with callers.
func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}

// isEmpty is the server's null equivalence: null, "", [] and composites
// whose sub-fields are all empty.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		for _, e := range x {
			if !isEmpty(e) {
				return false
			}
		}
		return true
	}
	return false
}
