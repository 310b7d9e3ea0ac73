package twenty_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
)

// Hostile values: one value in one record that its Go type cannot hold,
// for every field type the model uses, sent through List, All and Get.
// The page must decode, the record's other fields and the other records
// must be what they would be without the value, the value must be kept
// where the type can hold it, and a warning must name the object, the
// record and the field.
//
// The server here is a plain httptest server, not twentytest or a
// spec-validated one: these bodies are off-spec by design, and the
// validator would refuse them.

type wantWarn struct {
	field   string
	dropped bool
}

type hostileValue struct {
	name string
	// typ is the model's field type the case covers, as modelFieldTypes
	// names them; "" for a case about no field type (an unknown field).
	typ    string
	object string // plural API name
	field  string // the record's top-level JSON field the value goes into
	value  string // raw JSON
	// want is the field's Go value after decoding; nil: its zero value.
	want  any
	warns []wantWarn
}

func kept(field string) []wantWarn    { return []wantWarn{{field, false}} }
func dropped(field string) []wantWarn { return []wantWarn{{field, true}} }

func mustTime(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func mustUUID(s string) *api.ID {
	var id api.ID
	if err := id.UnmarshalText([]byte(s)); err != nil {
		panic(err)
	}
	return &id
}

var otherID = "00000000-0000-4000-8000-00000000abcd"

var hostileValues = []hostileValue{
	// TEXT
	{name: "number in text", typ: "TEXT", object: "companies", field: "name", value: `12`, want: "12", warns: kept("name")},
	{name: "boolean in text", typ: "TEXT", object: "companies", field: "name", value: `true`, want: "true", warns: kept("name")},
	{name: "object in text", typ: "TEXT", object: "companies", field: "name", value: `{"en":"Acme"}`, warns: dropped("name")},
	{name: "list in text", typ: "TEXT", object: "companies", field: "name", value: `["Acme"]`, warns: dropped("name")},
	{name: "null text", typ: "TEXT", object: "companies", field: "name", value: `null`},
	// NUMBER (integers)
	{name: "fraction in an int", typ: "NUMBER int", object: "companies", field: "employees", value: `12.5`, want: ptr(13), warns: kept("employees")},
	{name: "negative fraction in an int", typ: "NUMBER int", object: "companies", field: "employees", value: `-12.5`, want: ptr(-13), warns: kept("employees")},
	{name: "fraction below a half", typ: "NUMBER int", object: "companies", field: "employees", value: `12.49`, want: ptr(12), warns: kept("employees")},
	{name: "exponent in an int", typ: "NUMBER int", object: "companies", field: "employees", value: `1e3`, want: ptr(1000), warns: kept("employees")},
	{name: "int as a string", typ: "NUMBER int", object: "companies", field: "employees", value: `"12"`, want: ptr(12), warns: kept("employees")},
	{name: "fraction as a string", typ: "NUMBER int", object: "companies", field: "employees", value: `" 7.5 "`, want: ptr(8), warns: kept("employees")},
	{name: "words in an int", typ: "NUMBER int", object: "companies", field: "employees", value: `"many"`, warns: dropped("employees")},
	{name: "int out of range", typ: "NUMBER int", object: "companies", field: "employees", value: `1e30`, warns: dropped("employees")},
	{name: "boolean in an int", typ: "NUMBER int", object: "companies", field: "employees", value: `true`, warns: dropped("employees")},
	{name: "object in an int", typ: "NUMBER int", object: "companies", field: "employees", value: `{"n":1}`, warns: dropped("employees")},
	{name: "null int", typ: "NUMBER int", object: "companies", field: "employees", value: `null`},
	// POSITION (float64)
	{name: "position as a string", typ: "POSITION", object: "companies", field: "position", value: `"1.5"`, want: ptr(1.5), warns: kept("position")},
	{name: "position out of range", typ: "POSITION", object: "companies", field: "position", value: `1e400`, warns: dropped("position")},
	{name: "position as an object", typ: "POSITION", object: "companies", field: "position", value: `{"x":1}`, warns: dropped("position")},
	{name: "position as a hex string", typ: "POSITION", object: "companies", field: "position", value: `"0x10"`, warns: dropped("position")},
	// BOOLEAN
	{name: "boolean as a string", typ: "BOOLEAN", object: "companies", field: "idealCustomerProfile", value: `"true"`, want: ptr(true), warns: kept("idealCustomerProfile")},
	{name: "boolean as 0", typ: "BOOLEAN", object: "companies", field: "idealCustomerProfile", value: `0`, want: ptr(false), warns: kept("idealCustomerProfile")},
	{name: "boolean as words", typ: "BOOLEAN", object: "companies", field: "idealCustomerProfile", value: `"yes"`, warns: dropped("idealCustomerProfile")},
	{name: "boolean as 2", typ: "BOOLEAN", object: "companies", field: "idealCustomerProfile", value: `2`, warns: dropped("idealCustomerProfile")},
	// DATE_TIME
	{name: "date alone", typ: "DATE_TIME", object: "companies", field: "createdAt", value: `"2024-01-02"`, want: mustTime("2024-01-02T00:00:00Z"), warns: kept("createdAt")},
	{name: "PostgreSQL date-time", typ: "DATE_TIME", object: "companies", field: "createdAt", value: `"2024-01-02 03:04:05.5+02"`,
		want: mustTime("2024-01-02T03:04:05.5+02:00"), warns: kept("createdAt")},
	{name: "date-time without a zone", typ: "DATE_TIME", object: "companies", field: "createdAt", value: `"2024-01-02T03:04:05"`,
		want: mustTime("2024-01-02T03:04:05Z"), warns: kept("createdAt")},
	{name: "date-time in words", typ: "DATE_TIME", object: "companies", field: "createdAt", value: `"yesterday"`, warns: dropped("createdAt")},
	{name: "date-time as epoch", typ: "DATE_TIME", object: "companies", field: "createdAt", value: `1700000000`, warns: dropped("createdAt")},
	{name: "empty date-time", typ: "DATE_TIME", object: "companies", field: "createdAt", value: `""`, warns: dropped("createdAt")},
	// UUID
	{name: "empty uuid", typ: "UUID", object: "companies", field: "accountOwnerId", value: `""`, warns: dropped("accountOwnerId")},
	{name: "malformed uuid", typ: "UUID", object: "companies", field: "accountOwnerId", value: `"not-a-uuid"`, warns: dropped("accountOwnerId")},
	{name: "uuid as a number", typ: "UUID", object: "companies", field: "accountOwnerId", value: `42`, warns: dropped("accountOwnerId")},
	// SELECT: an unknown option is a new option, kept without a warning.
	{name: "unknown select option", typ: "SELECT", object: "opportunities", field: "stage", value: `"BRAND_NEW_STAGE"`, want: ptr(api.OpportunityStage("BRAND_NEW_STAGE"))},
	{name: "select as a number", typ: "SELECT", object: "opportunities", field: "stage", value: `3`, want: ptr(api.OpportunityStage("3")), warns: kept("stage")},
	{name: "select as an object", typ: "SELECT", object: "opportunities", field: "stage", value: `{"value":"NEW"}`, warns: dropped("stage")},
	// MULTI_SELECT
	{name: "unknown multi-select option", typ: "MULTI_SELECT", object: "workflows", field: "statuses", value: `["ACTIVE","NEW_STATUS"]`,
		want: []api.WorkflowStatuses{"ACTIVE", "NEW_STATUS"}},
	{name: "multi-select as one value", typ: "MULTI_SELECT", object: "workflows", field: "statuses", value: `"ACTIVE"`,
		want: []api.WorkflowStatuses{"ACTIVE"}, warns: kept("statuses")},
	{name: "multi-select with a bad element", typ: "MULTI_SELECT", object: "workflows", field: "statuses", value: `[{"x":1},"DRAFT",7]`,
		want: []api.WorkflowStatuses{"DRAFT", "7"}, warns: []wantWarn{{"statuses[0]", true}, {"statuses[2]", false}}},
	// CURRENCY
	{name: "amount in words", typ: "CURRENCY", object: "companies", field: "annualRevenue", value: `{"amountMicros":"lots","currencyCode":"USD"}`,
		want: api.CurrencyForResponse{CurrencyCode: "USD"}, warns: dropped("annualRevenue.amountMicros")},
	{name: "amount as a boolean", typ: "CURRENCY", object: "companies", field: "annualRevenue", value: `{"amountMicros":true,"currencyCode":"EUR"}`,
		want: api.CurrencyForResponse{CurrencyCode: "EUR"}, warns: dropped("annualRevenue.amountMicros")},
	{name: "currency code as a number", typ: "CURRENCY", object: "companies", field: "annualRevenue", value: `{"amountMicros":"1500000","currencyCode":978}`,
		want: api.CurrencyForResponse{AmountMicros: ptr(api.Decimal("1500000")), CurrencyCode: "978"}, warns: kept("annualRevenue.currencyCode")},
	{name: "currency as text", typ: "CURRENCY", object: "companies", field: "annualRevenue", value: `"100 USD"`, warns: dropped("annualRevenue")},
	// FULL_NAME
	{name: "first name as a number", typ: "FULL_NAME", object: "people", field: "name", value: `{"firstName":7,"lastName":"Lovelace"}`,
		want: api.FullNameForResponse{FirstName: "7", LastName: "Lovelace"}, warns: kept("name.firstName")},
	{name: "full name as text", typ: "FULL_NAME", object: "people", field: "name", value: `"Ada Lovelace"`, warns: dropped("name")},
	// LINKS
	{name: "secondary links as one object", typ: "LINKS", object: "companies", field: "domainName",
		value: `{"primaryLinkUrl":"https://acme.test","secondaryLinks":{"url":"https://b.test","label":"b"}}`,
		want:  api.LinksForResponse{PrimaryLinkURL: "https://acme.test", SecondaryLinks: []api.SecondaryLinkForResponse{{URL: "https://b.test", Label: "b"}}},
		warns: kept("domainName.secondaryLinks")},
	{name: "secondary links as text", typ: "LINKS", object: "companies", field: "domainName",
		value: `{"primaryLinkUrl":"https://acme.test","secondaryLinks":"https://b.test"}`,
		want:  api.LinksForResponse{PrimaryLinkURL: "https://acme.test"}, warns: dropped("domainName.secondaryLinks")},
	// EMAILS
	{name: "additional emails as one string", typ: "EMAILS", object: "people", field: "emails", value: `{"primaryEmail":"a@b.test","additionalEmails":"c@d.test"}`,
		want: api.EmailsForResponse{PrimaryEmail: "a@b.test", AdditionalEmails: []string{"c@d.test"}}, warns: kept("emails.additionalEmails")},
	{name: "an additional email as an object", typ: "EMAILS", object: "people", field: "emails", value: `{"primaryEmail":"a@b.test","additionalEmails":["c@d.test",{"e":1}]}`,
		want: api.EmailsForResponse{PrimaryEmail: "a@b.test", AdditionalEmails: []string{"c@d.test"}}, warns: dropped("emails.additionalEmails[1]")},
	// PHONES
	{name: "phone number as a number", typ: "PHONES", object: "people", field: "phones", value: `{"primaryPhoneNumber":612345678,"primaryPhoneCountryCode":"FR"}`,
		want: api.PhonesForResponse{PrimaryPhoneNumber: "612345678", PrimaryPhoneCountryCode: "FR"}, warns: kept("phones.primaryPhoneNumber")},
	{name: "additional phones as a string", typ: "PHONES", object: "people", field: "phones", value: `{"primaryPhoneNumber":"1","additionalPhones":"+33 6"}`,
		want: api.PhonesForResponse{PrimaryPhoneNumber: "1"}, warns: dropped("phones.additionalPhones")},
	// ADDRESS
	{name: "latitude in words", typ: "ADDRESS", object: "companies", field: "address", value: `{"addressCity":"Paris","addressLat":"north","addressLng":2.35}`,
		want: api.AddressForResponse{AddressCity: "Paris", AddressLng: ptr(api.Decimal("2.35"))}, warns: dropped("address.addressLat")},
	{name: "postcode as a number", typ: "ADDRESS", object: "companies", field: "address", value: `{"addressPostcode":75001}`,
		want: api.AddressForResponse{AddressPostcode: "75001"}, warns: kept("address.addressPostcode")},
	// ACTOR
	{name: "actor with an unknown source and a bad member id", typ: "ACTOR", object: "companies", field: "createdBy",
		value: `{"source":"SOME_NEW_SOURCE","name":"Bot","workspaceMemberId":"nope"}`,
		want:  api.ActorForResponse{Source: ptr(api.ActorSource("SOME_NEW_SOURCE")), Name: "Bot"}, warns: dropped("createdBy.workspaceMemberId")},
	{name: "actor as text", typ: "ACTOR", object: "companies", field: "createdBy", value: `"API"`, warns: dropped("createdBy")},
	// RICH_TEXT
	{name: "markdown as a list", typ: "RICH_TEXT", object: "notes", field: "bodyV2", value: `{"markdown":["a","b"],"blocknote":"[]"}`,
		want: api.RichTextForResponse{Blocknote: "[]"}, warns: dropped("bodyV2.markdown")},
	{name: "rich text as plain text", typ: "RICH_TEXT", object: "notes", field: "bodyV2", value: `"hello"`, warns: dropped("bodyV2")},
	// RAW_JSON holds anything.
	{name: "raw JSON as a number", typ: "RAW_JSON", object: "timelineActivities", field: "properties", value: `12.5`, want: 12.5},
	{name: "raw JSON as a list", typ: "RAW_JSON", object: "timelineActivities", field: "properties", value: `[1,"two",null]`, want: []any{1.0, "two", nil}},
	// FILES
	{name: "file with a bad id", typ: "FILES", object: "people", field: "avatarFile", value: `[{"fileId":"bad","label":"a.png"}]`,
		want: []api.FileItemForResponse{{Label: "a.png"}}, warns: dropped("avatarFile[0].fileId")},
	{name: "files as one object", typ: "FILES", object: "people", field: "avatarFile", value: `{"label":"a.png","extension":"png"}`,
		want: []api.FileItemForResponse{{Label: "a.png", Extension: "png"}}, warns: kept("avatarFile")},
	// RELATION: the id of a many-to-one, and records embedded with depth=1.
	{name: "relation id malformed", typ: "RELATION MANY_TO_ONE", object: "people", field: "companyId", value: `"company-7"`, warns: dropped("companyId")},
	{name: "embedded record with a fraction", typ: "RELATION MANY_TO_ONE", object: "people", field: "company", value: `{"id":"` + otherID + `","position":"2.5"}`,
		want: &api.CompanyForResponse{ID: *mustUUID(otherID), Position: ptr(2.5)}, warns: kept("company.position")},
	{name: "embedded record as text", typ: "RELATION MANY_TO_ONE", object: "people", field: "company", value: `"Acme"`, warns: dropped("company")},
	{name: "embedded records, one bad", typ: "RELATION ONE_TO_MANY", object: "companies", field: "people",
		value: `[{"id":"` + otherID + `","name":{"firstName":1}},5]`,
		want:  []api.PersonForResponse{{ID: *mustUUID(otherID), Name: api.FullNameForResponse{FirstName: "1"}}},
		warns: []wantWarn{{"people[0].name.firstName", false}, {"people[1]", true}}},
	// MORPH_RELATION: a target of a note.
	{name: "morph target id empty", typ: "MORPH_RELATION", object: "noteTargets", field: "targetPersonId", value: `""`, warns: dropped("targetPersonId")},
	{name: "morph target with a bad field", typ: "MORPH_RELATION", object: "noteTargets", field: "targetPerson", value: `{"id":"` + otherID + `","jobTitle":5}`,
		want: &api.PersonForResponse{ID: *mustUUID(otherID), JobTitle: "5"}, warns: kept("targetPerson.jobTitle")},
	// An unknown field: ignored, as it always was, without a warning.
	{name: "unknown field", object: "companies", field: "someNewField", value: `{"deep":[1,{"x":2.5}]}`},
	{name: "unknown field beside a bad value", object: "companies", field: "employees", value: `1.5`, want: ptr(2), warns: kept("employees")},
}

// hostileRecords are three clean records per object; the case's value goes
// into the middle one.
func hostileRecords(object string) []map[string]any {
	recs := make([]map[string]any, 3)
	for i := range recs {
		rec := map[string]any{
			"id":        personID(i + 1),
			"createdAt": fmt.Sprintf("2025-01-0%dT10:00:00Z", i+1),
			"updatedBy": map[string]any{"source": "API", "name": "key"},
			"position":  float64(i) + 0.5,
		}
		switch object {
		case "people":
			rec["name"] = map[string]any{"firstName": "P", "lastName": fmt.Sprint(i)}
			rec["jobTitle"] = "CTO"
		case "companies":
			rec["name"] = fmt.Sprint("Company ", i)
			rec["employees"] = 10 + i
			rec["domainName"] = map[string]any{"primaryLinkUrl": "https://c.test"}
		case "opportunities":
			rec["name"] = "deal"
			rec["amount"] = map[string]any{"amountMicros": "1000000", "currencyCode": "USD"}
		case "notes":
			rec["title"] = "note"
		case "noteTargets":
			rec["noteId"] = otherID
		case "workflows":
			rec["name"] = "flow"
		case "timelineActivities":
			rec["name"] = "linked"
		}
		recs[i] = rec
	}
	return recs
}

// hostileFetch runs List, All or Get on object typed with the generated
// record type, returning the records as any and List's page warnings.
type hostileFetch func(ctx context.Context, c *twenty.Client, object, op string) ([]any, []twenty.DecodeWarning, error)

func fetchAs[R any](ctx context.Context, c *twenty.Client, object, op string) ([]any, []twenty.DecodeWarning, error) {
	res := twenty.NewResource[R, R, R](c, object)
	var out []any
	switch op {
	case "List":
		page, err := res.List(ctx, nil)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range page.Records {
			out = append(out, r)
		}
		return out, page.Warnings, nil
	case "All":
		for r, err := range res.All(ctx, nil) {
			if err != nil {
				return nil, nil, err
			}
			out = append(out, r)
		}
		return out, nil, nil
	default:
		r, err := res.Get(ctx, personID(2), nil)
		if err != nil {
			return nil, nil, err
		}
		return []any{r}, nil, nil
	}
}

var hostileObjects = map[string]struct {
	key   string // Get's payload key
	fetch hostileFetch
	typ   reflect.Type
}{
	"people":             {"person", fetchAs[api.PersonForResponse], reflect.TypeFor[api.PersonForResponse]()},
	"companies":          {"company", fetchAs[api.CompanyForResponse], reflect.TypeFor[api.CompanyForResponse]()},
	"opportunities":      {"opportunity", fetchAs[api.OpportunityForResponse], reflect.TypeFor[api.OpportunityForResponse]()},
	"notes":              {"note", fetchAs[api.NoteForResponse], reflect.TypeFor[api.NoteForResponse]()},
	"noteTargets":        {"noteTarget", fetchAs[api.NoteTargetForResponse], reflect.TypeFor[api.NoteTargetForResponse]()},
	"workflows":          {"workflow", fetchAs[api.WorkflowForResponse], reflect.TypeFor[api.WorkflowForResponse]()},
	"timelineActivities": {"timelineActivity", fetchAs[api.TimelineActivityForResponse], reflect.TypeFor[api.TimelineActivityForResponse]()},
}

// hostileValueServer serves the records of one case: a page of three at
// /rest/<object> and the middle one at /rest/<object>/<id>.
func hostileValueServer(t *testing.T, object string, recs []json.RawMessage) *httptest.Server {
	t.Helper()
	key := hostileObjects[object].key
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body string
		switch r.URL.Path {
		case "/rest/" + object:
			list, _ := json.Marshal(recs)
			body = `{"data":{"` + object + `":` + string(list) + `},"pageInfo":{"startCursor":"a","endCursor":"c","hasNextPage":false,"hasPreviousPage":false},"totalCount":3}`
		case "/rest/" + object + "/" + personID(2):
			body = `{"data":{"` + key + `":` + string(recs[1]) + `}}`
		default:
			http.NotFound(w, r)
			return
		}
		writeJSON(w, http.StatusOK, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// jsonField returns the struct field of v named name in JSON.
func jsonField(v reflect.Value, name string) reflect.Value {
	for i := range v.NumField() {
		tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if tag == name {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}

func TestHostileValues(t *testing.T) {
	t.Parallel()
	for _, hv := range hostileValues {
		obj, ok := hostileObjects[hv.object]
		require.True(t, ok, hv.object)
		clean := hostileRecords(hv.object)
		raws := make([]json.RawMessage, len(clean))
		for i, rec := range clean {
			raws[i] = json.RawMessage(mustJSONString(rec))
		}
		// The hostile record: the clean one with the value set.
		var hostile map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raws[1], &hostile))
		hostile[hv.field] = json.RawMessage(hv.value)
		if hv.name == "unknown field beside a bad value" {
			hostile["someNewField"] = json.RawMessage(`{"x":[1]}`)
		}
		raws[1] = json.RawMessage(mustJSONString(hostile))
		// What each record must decode to: the clean records as they are,
		// the hostile one with want in its field.
		want := make([]any, len(clean))
		for i, rec := range clean {
			if i == 1 {
				rec = maps.Clone(rec)
				delete(rec, hv.field)
			}
			p := reflect.New(obj.typ)
			require.NoError(t, json.Unmarshal([]byte(mustJSONString(rec)), p.Interface()))
			if i == 1 {
				f := jsonField(p.Elem(), hv.field)
				if hv.want != nil {
					require.True(t, f.IsValid(), "%s has no field %s", hv.object, hv.field)
					f.Set(reflect.ValueOf(hv.want))
				} else if f.IsValid() {
					f.SetZero()
				}
			}
			want[i] = p.Elem().Interface()
		}

		for _, op := range []string{"List", "All", "Get"} {
			t.Run(hv.name+"/"+op, func(t *testing.T) {
				t.Parallel()
				srv := hostileValueServer(t, hv.object, raws)
				var mu sync.Mutex
				var warns []twenty.DecodeWarning
				c, err := twenty.NewClient(twenty.WithAPIKey(plantedKey), twenty.WithBaseURL(srv.URL), twenty.WithRetryPolicy(twenty.NoRetries),
					twenty.WithDecodeWarnings(func(w twenty.DecodeWarning) {
						mu.Lock()
						defer mu.Unlock()
						warns = append(warns, w)
					}))
				require.NoError(t, err)
				var got []any
				var pageWarns []twenty.DecodeWarning
				require.NotPanics(t, func() { got, pageWarns, err = obj.fetch(t.Context(), c, hv.object, op) })
				require.NoError(t, err, "one value never fails the page")
				if op == "Get" {
					require.Len(t, got, 1)
					assert.Equal(t, want[1], got[0])
				} else {
					require.Len(t, got, 3)
					assert.Equal(t, want, got, "the page decodes; the other records and fields are intact")
				}
				if op == "List" {
					assert.Equal(t, warns, pageWarns, "Page.Warnings holds what the callback saw")
				}
				require.Len(t, warns, len(hv.warns), "warnings: %v", warns)
				for i, w := range warns {
					assert.Equal(t, hv.object, w.Object)
					assert.Equal(t, personID(2), w.RecordID)
					assert.Equal(t, hv.warns[i].field, w.Field)
					assert.Equal(t, hv.warns[i].dropped, w.Dropped, "dropped, for %v", w)
					assert.NotEmpty(t, w.Value)
					assert.NotEmpty(t, w.Reason)
					assert.LessOrEqual(t, len(w.Value), 200+len("…"))
					assertOneShortLine(t, w.String())
				}
			})
		}
	}
}

// modelFieldTypes lists the field types of the standard model, a relation
// with its kind and a number with its data type: RELATION MANY_TO_ONE,
// NUMBER int.
func modelFieldTypes(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("internal/model/standard.json")
	require.NoError(t, err)
	var m struct {
		Objects []struct {
			Fields []struct {
				Type     string `json:"type"`
				Settings struct {
					DataType string `json:"dataType"`
				} `json:"settings"`
				Relation struct {
					Type string `json:"type"`
				} `json:"relation"`
			} `json:"fields"`
		} `json:"objects"`
	}
	require.NoError(t, json.Unmarshal(data, &m))
	var types []string
	for _, o := range m.Objects {
		for _, f := range o.Fields {
			typ := f.Type
			switch typ {
			case "RELATION":
				typ += " " + f.Relation.Type
			case "NUMBER":
				dt := f.Settings.DataType
				if dt == "" {
					dt = "float"
				}
				typ += " " + dt
			}
			if !slices.Contains(types, typ) {
				types = append(types, typ)
			}
		}
	}
	slices.Sort(types)
	return types
}

// A new field type in the model needs its hostile values here.
func TestHostileValuesCoverEveryFieldType(t *testing.T) {
	t.Parallel()
	types := modelFieldTypes(t)
	require.Contains(t, types, "TEXT", "the model was read")
	covered := map[string]bool{}
	for _, hv := range hostileValues {
		covered[hv.typ] = true
	}
	for _, typ := range types {
		assert.True(t, covered[typ], "no hostile value covers the model's field type %s", typ)
	}
}

// Select options are string types: a new option the server adds decodes
// as it is, without a warning, in every record type the accessors give.
func TestSelectTypesHoldAnyOption(t *testing.T) {
	t.Parallel()
	seen := map[reflect.Type]bool{}
	enums := 0
	var walk func(reflect.Type)
	walk = func(t0 reflect.Type) {
		for t0.Kind() == reflect.Pointer || t0.Kind() == reflect.Slice {
			t0 = t0.Elem()
		}
		if seen[t0] {
			return
		}
		seen[t0] = true
		if _, ok := t0.MethodByName("Valid"); ok {
			enums++
			assert.Equal(t, reflect.String, t0.Kind(), "%s is a select type but not a string", t0)
			return
		}
		if t0.Kind() == reflect.Struct {
			for i := range t0.NumField() {
				walk(t0.Field(i).Type)
			}
		}
	}
	for _, typ := range recordTypes() {
		walk(typ)
	}
	assert.Greater(t, enums, 5, "the walk found the select types")
}

// recordTypes are the record types of every accessor on Client.
func recordTypes() []reflect.Type {
	var out []reflect.Type
	ct := reflect.TypeFor[*twenty.Client]()
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		if m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || !strings.HasPrefix(m.Type.Out(0).String(), "*twenty.Resource[") {
			continue
		}
		// Resource[R, C, U]: R is the type its Get returns.
		get, ok := m.Type.Out(0).MethodByName("Get")
		if ok && get.Type.Out(0).Kind() == reflect.Struct {
			out = append(out, get.Type.Out(0))
		}
	}
	return out
}

// A record that is no record at all cannot be repaired: the typed error
// stays. So does a malformed envelope around a repairable record.
func TestUnrepairableRecordsStillFail(t *testing.T) {
	t.Parallel()
	bad := `{"id":"` + personID(2) + `","employees":1.5}`
	page := func(recs string, extra string) string {
		return `{"data":{"companies":[` + recs + `]}` + extra + `}`
	}
	for _, tc := range []struct{ name, list, one string }{
		{"record is a string", page(`"x",`+bad, ""), `{"data":{"company":"x"}}`},
		{"record is a number", page(`12,`+bad, ""), `{"data":{"company":12}}`},
		{"record is a list", page(`[1],`+bad, ""), `{"data":{"company":[` + bad + `]}}`},
		{"payload null", `{"data":{"companies":null}}`, `{"data":{"company":null}}`},
		{"pageInfo malformed", page(bad, `,"pageInfo":{"hasNextPage":"yes"}`), `{"data":{"company":` + bad + `}} trailing`},
		{"totalCount malformed", page(bad, `,"totalCount":"3"`), `{"data":{"company":` + bad + `},"data":{"company":` + bad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.Count(r.URL.Path, "/") == 2 {
					writeJSON(w, 200, tc.list)
				} else {
					writeJSON(w, 200, tc.one)
				}
			}))
			t.Cleanup(srv.Close)
			var warned bool
			c, err := twenty.NewClient(twenty.WithAPIKey(plantedKey), twenty.WithBaseURL(srv.URL), twenty.WithRetryPolicy(twenty.NoRetries),
				twenty.WithDecodeWarnings(func(twenty.DecodeWarning) { warned = true }))
			require.NoError(t, err)
			_, err = c.Companies().List(t.Context(), nil)
			assertMatchesExactly(t, err, twenty.ErrUnexpected)
			_, err = c.Companies().Get(t.Context(), personID(2), nil)
			assertMatchesExactly(t, err, twenty.ErrUnexpected)
			assert.False(t, warned, "no warning for a page that failed")
		})
	}
}

// Every operation that decodes records repairs them and reports the
// warnings to the callback.
func TestDecodeWarningsFromEveryOperation(t *testing.T) {
	t.Parallel()
	bad := `{"id":"` + personID(2) + `","position":"2.5"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/duplicates"):
			writeJSON(w, 200, `{"data":[{"companyDuplicates":[`+bad+`],"totalCount":1,"pageInfo":{"hasNextPage":false}}]}`)
		case strings.HasPrefix(r.URL.Path, "/rest/batch/"):
			writeJSON(w, 201, `{"data":{"createCompanies":[`+bad+`]}}`)
		case r.Method == http.MethodPatch && r.URL.Path == "/rest/companies", r.URL.Path == "/rest/companies/restore":
			writeJSON(w, 200, `{"data":{"updateCompanies":[`+bad+`]}}`)
		case r.Method == http.MethodPost:
			writeJSON(w, 201, `{"data":{"createCompany":`+bad+`}}`)
		default:
			writeJSON(w, 200, `{"data":{"company":`+bad+`}}`)
		}
	}))
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	var fields []string
	c, err := twenty.NewClient(twenty.WithAPIKey(plantedKey), twenty.WithBaseURL(srv.URL), twenty.WithRetryPolicy(twenty.NoRetries),
		twenty.WithDecodeWarnings(func(w twenty.DecodeWarning) {
			mu.Lock()
			defer mu.Unlock()
			fields = append(fields, w.Field)
		}))
	require.NoError(t, err)
	ctx := t.Context()
	cos := c.Companies()
	filter := twenty.Field("name").Eq("x")
	ops := map[string]func() (*float64, error){
		"Get": func() (*float64, error) { r, err := cos.Get(ctx, personID(2), nil); return r.Position, err },
		"Create": func() (*float64, error) {
			r, err := cos.Create(ctx, api.Company{Name: ptr("x")}, nil)
			return r.Position, err
		},
		"CreateMany": func() (*float64, error) {
			r, err := cos.CreateMany(ctx, []api.Company{{Name: ptr("x")}}, nil)
			if err != nil {
				return nil, err
			}
			return r[0].Position, nil
		},
		"Update": func() (*float64, error) {
			r, err := cos.Update(ctx, personID(2), api.CompanyForUpdate{}, nil)
			return r.Position, err
		},
		"UpdateMany": func() (*float64, error) {
			r, err := cos.UpdateMany(ctx, filter, api.CompanyForUpdate{})
			if err != nil {
				return nil, err
			}
			return r[0].Position, nil
		},
		"Restore": func() (*float64, error) { r, err := cos.Restore(ctx, personID(2)); return r.Position, err },
		"RestoreMany": func() (*float64, error) {
			r, err := cos.RestoreMany(ctx, filter)
			if err != nil {
				return nil, err
			}
			return r[0].Position, nil
		},
		"Merge": func() (*float64, error) {
			r, err := cos.Merge(ctx, []string{personID(1), personID(2)}, nil)
			return r.Position, err
		},
		"FindDuplicates": func() (*float64, error) {
			r, err := cos.FindDuplicates(ctx, personID(2))
			if err != nil {
				return nil, err
			}
			return r[0][0].Position, nil
		},
	}
	for name, op := range ops {
		mu.Lock()
		fields = nil
		mu.Unlock()
		n, err := op()
		require.NoError(t, err, name)
		assert.Equal(t, ptr(2.5), n, name)
		mu.Lock()
		assert.Equal(t, []string{"position"}, fields, name)
		mu.Unlock()
	}
}

// Without the callback, List still reports the warnings in its page and
// the other operations give the repaired records.
func TestDecodeWarningsWithoutCallback(t *testing.T) {
	t.Parallel()
	bad := `{"id":"` + personID(2) + `","position":"9"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/rest/companies" {
			writeJSON(w, 200, `{"data":{"companies":[`+bad+`]},"totalCount":1}`)
			return
		}
		writeJSON(w, 200, `{"data":{"company":`+bad+`}}`)
	}))
	t.Cleanup(srv.Close)
	c, err := twenty.NewClient(twenty.WithAPIKey(plantedKey), twenty.WithBaseURL(srv.URL))
	require.NoError(t, err)
	page, err := c.Companies().List(t.Context(), nil)
	require.NoError(t, err)
	assert.Equal(t, 1, page.TotalCount)
	require.Len(t, page.Warnings, 1)
	assert.Equal(t, "position", page.Warnings[0].Field)
	assert.Equal(t, ptr(9.0), page.Records[0].Position)
	rec, err := c.Companies().Get(t.Context(), personID(2), nil)
	require.NoError(t, err)
	assert.Equal(t, ptr(9.0), rec.Position)

	_, err = twenty.NewClient(twenty.WithAPIKey(plantedKey), twenty.WithDecodeWarnings(nil))
	assert.ErrorIs(t, err, twenty.ErrInvalidInput)
}

// Decode errors and warnings quote values from the body, never the key:
// a server echoing the key into a value that does not fit gets it
// redacted.
func TestDecodeErrorsNeverQuoteTheKey(t *testing.T) {
	t.Parallel()
	echo := func(r *http.Request) string { return r.Header.Get("Authorization") }
	for _, tc := range []struct {
		name string
		list bool // List, not Get
		body func(r *http.Request) string
		warn bool // decoded with a warning; otherwise an error unless quiet
		// quiet: decoded, no warning
		quiet bool
	}{
		{"key in a date-time", false, func(r *http.Request) string {
			return `{"data":{"person":{"id":"` + personID(1) + `","createdAt":"` + echo(r) + `"}}}`
		}, true, false},
		{"bare key in a number", false, func(r *http.Request) string {
			return `{"data":{"person":{"id":"` + personID(1) + `","position":"` + strings.TrimPrefix(echo(r), "Bearer ") + `"}}}`
		}, true, false},
		{"key in a name", false, func(r *http.Request) string {
			return `{"data":{"person":{"id":"` + personID(1) + `","name":{"firstName":{"k":"` + echo(r) + `"}}}}}`
		}, true, false},
		{"key as the record", false, func(r *http.Request) string { return `{"data":{"person":"` + echo(r) + `"}}` }, false, false},
		// The decoder's error quotes the date-time; the next record is
		// beyond repair, so that error is the page's.
		{"key in a date-time beside a bad record", true, func(r *http.Request) string {
			return `{"data":{"people":[{"id":"` + personID(1) + `","createdAt":"` + echo(r) + `"},5]}}`
		}, false, false},
		{"key in pageInfo", true, func(r *http.Request) string {
			return `{"data":{"people":[]},"pageInfo":{"endCursor":{"k":"` + echo(r) + `"}}}`
		}, false, false},
		{"headers echoed as a record", false, func(r *http.Request) string {
			h, _ := json.Marshal(r.Header)
			return `{"data":{"person":` + string(h) + `}}`
		}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, tc.body(r))
			}))
			t.Cleanup(srv.Close)
			var warns []twenty.DecodeWarning
			c, err := twenty.NewClient(twenty.WithAPIKey(plantedJWT), twenty.WithBaseURL(srv.URL), twenty.WithRetryPolicy(twenty.NoRetries),
				twenty.WithDecodeWarnings(func(w twenty.DecodeWarning) { warns = append(warns, w) }))
			require.NoError(t, err)
			if tc.list {
				_, err = c.People().List(t.Context(), nil)
				require.Error(t, err)
			} else {
				_, err = c.People().Get(t.Context(), personID(1), nil)
				assert.Equal(t, tc.warn || tc.quiet, err == nil, "%v", err)
			}
			assertNoSecretInError(t, err, tc.name)
			assert.Equal(t, tc.warn, len(warns) > 0, "warnings %v, error %v", warns, err)
			for _, w := range warns {
				assertNoSecretFormatted(t, w, "warning")
				assertNoSecret(t, w.String(), "warning text")
			}
		})
	}
}
