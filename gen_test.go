package twenty_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/authn"
	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/specgen"
	"github.com/twenty-go/twenty/internal/spectest"
)

func loadSpec(t *testing.T) *spectest.Spec {
	t.Helper()
	spec, err := spectest.LoadCached(twenty.OpenAPISpec())
	require.NoError(t, err)
	return spec
}

func operations(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			ops[op.OperationID] = op
		}
	}
	return ops
}

func TestSpecIsValidOpenAPI(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t) // Load validates, examples included
	assert.Equal(t, "3.0.3", spec.Doc.OpenAPI)
	ops, recordOps := 0, 0
	for path, item := range spec.Doc.Paths.Map() {
		assert.True(t, strings.HasPrefix(path, "/rest/"), path)
		for method, op := range item.Operations() {
			ops++
			if !strings.HasPrefix(path, "/rest/metadata/") {
				recordOps++
			}
			effective := spec.Doc.Security
			if op.Security != nil {
				effective = *op.Security
			}
			assert.Equal(t, openapi3.SecurityRequirements{{"bearerAuth": {}}}, effective, "%s %s needs bearer auth", method, path)
		}
	}
	assert.Equal(t, 28*13+1, recordOps, "13 operations for each of the 28 objects, and duplicating a dashboard")
	assert.Equal(t, 3*5, ops-recordOps, "list, get, create, update, delete for objects, fields and webhooks")
	assert.Len(t, operations(spec.Doc), ops, "operationIds are unique")
	assert.Equal(t, "https://api.twenty.com", spec.Doc.Servers[0].URL)
	scheme := spec.Doc.Components.SecuritySchemes["bearerAuth"].Value
	assert.Equal(t, "http", scheme.Type)
	assert.Equal(t, "bearer", scheme.Scheme)
}

func TestSpecNamesFollowTheServer(t *testing.T) {
	t.Parallel()
	ops := operations(loadSpec(t).Doc)
	for _, id := range []string{
		"findManyPeople", "findOnePerson", "createOnePerson", "createManyPeople", "updateOnePerson",
		"updateManyPeople", "deleteOnePerson", "deleteManyPeople", "findPersonDuplicates",
		"restoreOnePerson", "restoreManyPeople", "mergeManyPeople", "groupByPeople",
		"findManyTimelineActivities", "findOneTimelineActivity", "findWorkspaceMemberDuplicates",
	} {
		assert.Contains(t, ops, id)
	}
	schemas := loadSpec(t).Doc.Components.Schemas
	for _, name := range []string{"Person", "PersonForUpdate", "PersonForResponse", "FullName", "Emails",
		"Phones", "Links", "Address", "Currency", "Actor", "RichText", "FileItem", "PageInfo"} {
		assert.Contains(t, schemas, name)
	}
	pageInfo := schemas["PageInfo"].Value.Properties
	assert.Contains(t, pageInfo, "hasPreviousPage")
	assert.Empty(t, pageInfo["endCursor"].Value.Format, "cursors are opaque, not uuids")
}

// The committed spec is exactly what the generator makes of the committed
// standard model, so the two cannot drift apart.
func TestSpecMatchesStandardModel(t *testing.T) {
	t.Parallel()
	got, err := specgen.Generate(model.Standard(), specgen.Options{})
	require.NoError(t, err)
	if !bytes.Equal(got, twenty.OpenAPISpec()) {
		t.Fatal("openapi.yaml differs from the standard model's spec: run `make spec` (go run ./cmd/twenty-spec -o openapi.yaml)")
	}
}

// Regenerating api/ with the oapi-codegen pinned in tools/go.mod reproduces
// it byte for byte.
func TestGeneratedCodeIsUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generator")
	}
	t.Parallel()
	dir := t.TempDir()
	for _, part := range []string{"types", "client"} {
		out := filepath.Join(dir, part+".gen.go")
		cmd := exec.Command("go", "-C", "tools", "tool", "oapi-codegen",
			"-config", "../api/"+part+".cfg.yaml", "-o", out, "../openapi.yaml")
		cmd.Stderr = new(bytes.Buffer)
		require.NoError(t, cmd.Run(), "oapi-codegen: %s", cmd.Stderr)
		want, err := os.ReadFile(out)
		require.NoError(t, err)
		have, err := os.ReadFile(filepath.Join("api", part+".gen.go"))
		require.NoError(t, err)
		if !bytes.Equal(want, have) {
			t.Errorf("api/%s.gen.go is stale: run `make generate`", part)
		}
	}
	out := filepath.Join(dir, "objects.gen.go")
	cmd := exec.Command("go", "run", "./internal/cmd/twenty-accessors", "-o", out, "openapi.yaml")
	cmd.Stderr = new(bytes.Buffer)
	require.NoError(t, cmd.Run(), "twenty-accessors: %s", cmd.Stderr)
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	have, err := os.ReadFile("objects.gen.go")
	require.NoError(t, err)
	if !bytes.Equal(want, have) {
		t.Error("objects.gen.go is stale: run `make generate`")
	}
}

func TestGeneratedAPIIsClean(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"api/types.gen.go", "api/client.gen.go"} {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NotContains(t, string(src), "float32", f)
		// Anonymous structs would mean an inline schema slipped in.
		assert.NotRegexp(t, `(?m)^\s+\w+\s+\*?\[?\]?struct \{`, string(src), f)
	}
}

// Values the generated client must carry to the server unchanged.
var paramSamples = map[string]any{
	"limit":                  10,
	"depth":                  1,
	"filter":                 `and(name.firstName[eq]:"Ada, (the first)",emails.primaryEmail[ilike]:%@example.com)`,
	"order_by":               "createdAt[DescNullsLast],name.lastName[AscNullsFirst]",
	"starting_after":         "eyJpZCI6ImFiYyJ9+/=", // cursors are base64 with + / =
	"upsert":                 true,
	"soft_delete":            true,
	"group_by":               `[{"stage":true}]`,
	"aggregate":              `["countNotEmptyId"]`,
	"order_by_for_records":   "name[AscNullsLast]",
	"include_records_sample": true,
	"fields":                 "name,emails",
	"omit_null_values":       true,
}

func fillParams(t *testing.T, params reflect.Value, viewID openapi_types.UUID) {
	st := params.Elem()
	for i := range st.NumField() {
		f := st.Field(i)
		name := strings.Split(st.Type().Field(i).Tag.Get("json"), ",")[0]
		if t := f.Type(); t == reflect.TypeOf(viewID) || t.Kind() == reflect.Pointer && t.Elem() == reflect.TypeOf(viewID) {
			setValue(f, reflect.ValueOf(viewID))
			continue
		}
		v, ok := paramSamples[name]
		if !ok {
			continue // ending_before cannot be combined with starting_after
		}
		setValue(f, reflect.ValueOf(v))
	}
}

func setValue(f reflect.Value, v reflect.Value) {
	if f.Kind() == reflect.Pointer {
		p := reflect.New(f.Type().Elem())
		p.Elem().Set(v.Convert(f.Type().Elem()))
		f.Set(p)
		return
	}
	f.Set(v.Convert(f.Type()))
}

func successStatus(op *openapi3.Operation) (int, *openapi3.SchemaRef) {
	for _, code := range []int{200, 201} {
		if r := op.Responses.Status(code); r != nil {
			return code, r.Value.Content.Get("application/json").Schema
		}
	}
	return 0, nil
}

// Every operation in the spec, called through the generated
// ClientWithResponses with authn's editor, against a server that answers
// with dense sample bodies. Requests and responses are validated with
// kin-openapi (security included); each decoded response must re-encode to
// the same content, so no envelope or field is lost in decoding.
func TestEveryOperationRoundTrips(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t)
	ops := operations(spec.Doc)
	const key = "test-key-every-operation"
	viewID := openapi_types.UUID{1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12, 13, 14, 15, 16}

	var mu sync.Mutex
	served := map[string][]byte{}
	var base string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, _, err := spec.FindRoute(r, base)
		if err != nil {
			http.Error(w, err.Error(), http.StatusTeapot)
			return
		}
		op := route.Operation
		if got := r.Header.Get("Authorization"); got != "Bearer "+key {
			t.Errorf("%s: Authorization = %q", op.OperationID, got)
		}
		q := r.URL.Query()
		for _, p := range op.Parameters {
			name := p.Value.Name
			if p.Value.Schema.Value.Format == "uuid" {
				continue
			}
			if want, ok := paramSamples[name]; ok && p.Value.In == "query" && q.Get(name) != fmt.Sprint(want) {
				t.Errorf("%s: query %s arrived as %q, sent %q", op.OperationID, name, q.Get(name), fmt.Sprint(want))
			}
		}
		status, schema := successStatus(op)
		h := fnv.New64()
		h.Write([]byte(op.OperationID))
		body, err := json.Marshal(spectest.NewSampler(h.Sum64()).Value(schema))
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		served[op.OperationID] = body
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	base = srv.URL + "/self-hosted" // a path prefix catches absolute-path joins

	v := spectest.New(t, spec)
	cred, err := authn.NewCredential(key)
	require.NoError(t, err)
	client, err := api.NewClientWithResponses(base,
		api.WithHTTPClient(&http.Client{Transport: v.Transport(base, nil)}),
		api.WithRequestEditorFn(api.RequestEditorFn(cred.RequestEditor())))
	require.NoError(t, err)

	cv := reflect.ValueOf(client)
	ids := make([]string, 0, len(ops))
	for id := range ops {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		op := ops[id]
		t.Run(id, func(t *testing.T) {
			name := strings.ToUpper(id[:1]) + id[1:] + "WithResponse"
			m := cv.MethodByName(name)
			require.True(t, m.IsValid(), "generated client lacks %s", name)
			mt := m.Type()
			args := []reflect.Value{reflect.ValueOf(context.Background())}
			for i := 1; i < mt.NumIn(); i++ {
				in := mt.In(i)
				switch {
				case mt.IsVariadic() && i == mt.NumIn()-1:
				case in == reflect.TypeOf(openapi_types.UUID{}):
					args = append(args, reflect.ValueOf(viewID))
				case in.Kind() == reflect.Pointer && strings.HasSuffix(in.Elem().Name(), "Params"):
					p := reflect.New(in.Elem())
					fillParams(t, p, viewID)
					args = append(args, p)
				default: // the JSON request body
					schema := op.RequestBody.Value.Content.Get("application/json").Schema
					sample, err := json.Marshal(spectest.NewSampler(7).Value(schema))
					require.NoError(t, err)
					body := reflect.New(in)
					require.NoError(t, json.Unmarshal(sample, body.Interface()), "request body decodes into %s", in)
					args = append(args, body.Elem())
				}
			}
			out := m.Call(args)
			require.True(t, out[1].IsNil(), "%s: %v", name, out[1].Interface())
			resp := out[0].Elem()
			status, _ := successStatus(op)
			require.Equal(t, status, resp.MethodByName("StatusCode").Call(nil)[0].Interface())
			decoded := resp.FieldByName(fmt.Sprintf("JSON%d", status))
			require.True(t, decoded.IsValid() && !decoded.IsNil(), "JSON%d is set", status)
			again, err := json.Marshal(decoded.Interface())
			require.NoError(t, err)
			mu.Lock()
			sent := served[id]
			mu.Unlock()
			assert.NoError(t, spectest.Equivalent(sent, again), "decoding %s loses content", id)
		})
	}
	t.Cleanup(func() {
		if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
			return // a -run filter selects a subset on purpose
		}
		seen := map[string]bool{}
		for _, e := range v.Exchanges() {
			seen[e.OperationID] = true
		}
		assert.Len(t, seen, len(ops), "every operation was exercised and validated")
	})
}

// Both error bodies the client meets decode through the generated union.
func TestErrorBodiesDecode(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t)
	bodies := map[string]struct {
		status int
		body   string
	}{
		"documented": {401, `{"error":{"message":"API key has expired","code":"EXPIRED_API_KEY","details":{}}}`},
		"server":     {401, `{"statusCode":401,"messages":["Token has expired."],"error":"UNAUTHENTICATED"}`},
		"not found":  {404, `{"statusCode":404,"error":"NotFoundException","messages":["Record not found"]}`},
	}
	for name, c := range bodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(c.status)
				w.Write([]byte(c.body))
			}))
			defer srv.Close()
			v := spectest.New(t, spec)
			client, err := api.NewClientWithResponses(srv.URL, api.WithHTTPClient(&http.Client{Transport: v.Transport(srv.URL, nil)}),
				api.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
					r.Header.Set("Authorization", "Bearer k")
					return nil
				}))
			require.NoError(t, err)
			resp, err := client.FindOnePersonWithResponse(context.Background(), openapi_types.UUID{}, nil)
			require.NoError(t, err)
			var eb *api.ErrorBody
			if c.status == 401 {
				eb = resp.JSON401
			} else {
				eb = resp.JSON404
			}
			require.NotNil(t, eb)
			if name == "documented" {
				d, err := eb.AsDocumentedError()
				require.NoError(t, err)
				assert.Equal(t, api.ErrorCodeEXPIREDAPIKEY, d.Error.Code)
			} else {
				s, err := eb.AsServerError()
				require.NoError(t, err)
				assert.Equal(t, c.status, s.StatusCode)
				assert.NotEmpty(t, s.Messages)
			}
		})
	}
}
