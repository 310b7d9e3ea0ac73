package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/spectest"
	"github.com/twenty-go/twenty/twentytest"
)

// customModel is the standard model plus what a workspace admin adds: an
// invoices object (currency amount, a select with custom options, a
// relation to companies) and a custom select field on people.
func customModel() *model.Model {
	m := model.Standard()
	no := false
	m.Objects = append(m.Objects, model.Object{
		NameSingular: "invoice", NamePlural: "invoices", LabelSingular: "Invoice", LabelPlural: "Invoices",
		Description: "A bill sent to a customer.", IsCustom: true,
		Fields: []model.Field{
			{Name: "id", Type: model.UUID, IsSystem: true, IsNullable: &no},
			{Name: "createdAt", Type: model.DateTime, IsSystem: true, IsNullable: &no},
			{Name: "updatedAt", Type: model.DateTime, IsSystem: true, IsNullable: &no},
			{Name: "deletedAt", Type: model.DateTime, IsSystem: true},
			{Name: "number", Type: model.Text, Label: "Number", IsCustom: true},
			{Name: "total", Type: model.Currency, Label: "Total", IsCustom: true},
			{Name: "status", Type: model.Select, Label: "Status", IsCustom: true, DefaultValue: "DRAFT",
				Options: []model.Option{{Value: "DRAFT", Label: "Draft"}, {Value: "SENT", Label: "Sent"}, {Value: "PAID", Label: "Paid"}}},
			{Name: "customer", Type: model.Relation, Label: "Customer", IsCustom: true,
				Relation: &model.RelationInfo{Type: model.ManyToOne, TargetObject: "company", JoinColumnName: "customerId"}},
		},
	})
	company, _ := m.Object("company")
	company.Fields = append(company.Fields, model.Field{Name: "invoices", Type: model.Relation, Label: "Invoices", IsCustom: true,
		Relation: &model.RelationInfo{Type: model.OneToMany, TargetObject: "invoice"}})
	person, _ := m.Object("person")
	person.Fields = append(person.Fields, model.Field{Name: "loyaltyTier", Type: model.Select, Label: "Loyalty tier", IsCustom: true,
		Options: []model.Option{{Value: "BRONZE"}, {Value: "SILVER"}, {Value: "GOLD"}}})
	return m
}

// The program compiled against the workspace's own generated client.
const typedMain = `package main

import (
	"context"
	"fmt"
	"log"

	"github.com/oapi-codegen/nullable"
	"github.com/twenty-go/twenty/authn"

	"example.com/typed/api"
)

func main() {
	cfg, err := authn.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	c, err := api.NewClientWithResponses(cfg.BaseURL, api.WithRequestEditorFn(api.RequestEditorFn(cfg.Credential.RequestEditor())))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	companies, err := c.FindManyCompaniesWithResponse(ctx, nil)
	if err != nil || companies.JSON200 == nil {
		log.Fatalf("list companies: %v %s", err, companies.Body)
	}
	customer := companies.JSON200.Data.Companies[0].ID
	number, status, currency := "INV-001", api.InvoiceStatusSENT, "EUR"
	amount := api.Decimal("1250000000")
	created, err := c.CreateOneInvoiceWithResponse(ctx, nil, api.Invoice{
		Number: &number, Status: &status, CustomerID: &customer,
		Total: &api.Currency{AmountMicros: &amount, CurrencyCode: &currency},
	})
	if err != nil || created.JSON201 == nil {
		log.Fatalf("create invoice: %v %s", err, created.Body)
	}
	inv := created.JSON201.Data.CreateInvoice
	fmt.Println("created", inv.Number, *inv.Status, *inv.Total.AmountMicros, inv.CustomerID.String() == customer.String())

	depth := 1
	list, err := c.FindManyInvoicesWithResponse(ctx, &api.FindManyInvoicesParams{Depth: &depth})
	if err != nil || list.JSON200 == nil {
		log.Fatalf("list invoices: %v %s", err, list.Body)
	}
	fmt.Println("invoices", *list.JSON200.TotalCount, "customer", list.JSON200.Data.Invoices[0].Customer.Name)

	people, err := c.FindManyPeopleWithResponse(ctx, nil)
	if err != nil || people.JSON200 == nil {
		log.Fatalf("list people: %v", err)
	}
	gold := api.PersonLoyaltyTierGOLD
	id := people.JSON200.Data.People[0].ID
	upd, err := c.UpdateOnePersonWithResponse(ctx, id, nil, api.PersonForUpdate{LoyaltyTier: nullable.NewNullableWithValue(gold)})
	if err != nil || upd.JSON200 == nil {
		log.Fatalf("update person: %v %s", err, upd.Body)
	}
	fmt.Println("loyalty", *upd.JSON200.Data.UpdatePerson.LoyaltyTier)
}
`

// A workspace with a custom object and a custom field, served by the fake:
// twenty-spec reads its metadata API, oapi-codegen turns the spec into a
// client in a fresh module, which compiles and calls the new operations.
func TestCustomWorkspaceEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and compiles a client")
	}
	m := customModel()
	srv := twentytest.NewServer(t, twentytest.WithModelJSON(modelJSON(t, m)))
	env := map[string]string{"TWENTY_BASE_URL": srv.URL(), "TWENTY_API_KEY": srv.APIKey()}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }

	dir := t.TempDir()
	specPath := filepath.Join(dir, "openapi.yaml")
	require.NoError(t, run(t.Context(), config{fromEnv: true, objects: "invoices", out: specPath, lookup: lookup}))
	spec, err := os.ReadFile(specPath)
	require.NoError(t, err)
	_, err = spectest.Load(spec)
	require.NoError(t, err, "the workspace's spec is valid OpenAPI")
	for _, want := range []string{"/rest/invoices:", "createOneInvoice", "InvoiceStatus:", "- PAID", "customerId:", "PersonLoyaltyTier:"} {
		assert.Contains(t, string(spec), want)
	}

	// Deterministic: the same workspace gives the same bytes.
	again := filepath.Join(dir, "again.yaml")
	require.NoError(t, run(t.Context(), config{fromEnv: true, objects: "invoices", out: again, lookup: lookup}))
	second, err := os.ReadFile(again)
	require.NoError(t, err)
	assert.Equal(t, spec, second)

	repo := repoRoot(t)
	mod := filepath.Join(dir, "typed")
	require.NoError(t, os.MkdirAll(filepath.Join(mod, "api"), 0o755))
	for _, part := range []string{"types", "client"} {
		gen := exec.Command("go", "-C", "tools", "tool", "oapi-codegen",
			"-config", filepath.Join(repo, "api", part+".cfg.yaml"), "-o", filepath.Join(mod, "api", part+".gen.go"), specPath)
		gen.Dir = repo
		out, err := gen.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	goMod := "module example.com/typed\n\ngo 1.26\n\nrequire github.com/twenty-go/twenty v0.0.0\n\nreplace github.com/twenty-go/twenty => " + repo + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(mod, "go.mod"), []byte(goMod), 0o644))
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(mod, "go.sum"), sum, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(mod, "main.go"), []byte(typedMain), 0o644))

	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = mod
	tidy.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := tidy.CombinedOutput()
	require.NoError(t, err, "%s", out)

	prog := exec.Command("go", "run", ".")
	prog.Dir = mod
	prog.Env = append(os.Environ(), "TWENTY_BASE_URL="+srv.URL(), "TWENTY_API_KEY="+srv.APIKey())
	var stdout, stderr bytes.Buffer
	prog.Stdout, prog.Stderr = &stdout, &stderr
	require.NoError(t, prog.Run(), "%s", stderr.String())
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	require.Len(t, lines, 3, stdout.String())
	assert.Equal(t, "created INV-001 SENT 1250000000 true", lines[0])
	assert.Regexp(t, `^invoices 1 customer \S`, lines[1])
	assert.Equal(t, "loyalty GOLD", lines[2])
	assert.Empty(t, srv.Violations(), "every exchange matched the workspace's spec")
}

func repoRoot(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// The model file written with -write-model drives the fake: a user's tests
// can serve their own custom objects.
func TestWrittenModelDrivesTheFake(t *testing.T) {
	t.Parallel()
	srv := twentytest.NewServer(t, twentytest.WithModelJSON(modelJSON(t, customModel())))
	env := map[string]string{"TWENTY_BASE_URL": srv.URL(), "TWENTY_API_KEY": srv.APIKey()}
	dir := t.TempDir()
	modelPath := filepath.Join(dir, "model.json")
	require.NoError(t, run(t.Context(), config{fromEnv: true, out: filepath.Join(dir, "openapi.yaml"), writeModel: modelPath,
		lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}))
	data, err := os.ReadFile(modelPath)
	require.NoError(t, err)

	fake := twentytest.NewServer(t, twentytest.WithModelJSON(data))
	assert.Empty(t, fake.Records("invoices"), "the custom object exists, empty")
	_, err = fake.Create("invoices", map[string]any{"number": "INV-9"})
	require.NoError(t, err)
	assert.Len(t, fake.Records("invoices"), 1)

	_, err = twentytest.Start(twentytest.WithModelJSON([]byte(`{"objects":[{"nameSingular":""}]}`)))
	assert.Error(t, err, "an invalid model is refused")
}

// A key whose role may not read the data model gets an error that says so.
func TestMetadataPermissionError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"statusCode":403,"error":"ForbiddenException","messages":["Method not allowed for this role"],"code":"PERMISSION_DENIED"}`))
	}))
	defer srv.Close()
	env := map[string]string{"TWENTY_BASE_URL": srv.URL, "TWENTY_API_KEY": "a-key"}
	err := run(t.Context(), config{fromEnv: true, out: filepath.Join(t.TempDir(), "o.yaml"),
		lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	require.ErrorIs(t, err, errNoPermission)
	assert.Contains(t, err.Error(), "Method not allowed for this role")
	assert.NotContains(t, err.Error(), "a-key")

	err = run(t.Context(), config{fromEnv: true, lookup: func(string) (string, bool) { return "", false }})
	assert.ErrorContains(t, err, "TWENTY_API_KEY")
}

func modelJSON(t *testing.T, m *model.Model) []byte {
	t.Helper()
	data, err := json.Marshal(m)
	require.NoError(t, err)
	return data
}
