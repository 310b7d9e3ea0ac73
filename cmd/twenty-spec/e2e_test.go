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

// The user's program, compiled against the package the README's command
// wrote: a custom object through twenty.Resource (CreateMany, All, typed
// errors) and a standard one with a custom field.
const userMain = `package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/twenty-go/twenty"

	"example.com/shop/crm"
)

func main() {
	client, err := twenty.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	objs := crm.With(client)
	n1, n2, sent := "INV-1", "INV-2", crm.InvoiceStatusSENT
	created, err := objs.Invoices().CreateMany(ctx, []crm.Invoice{{Number: &n1, Status: &sent}, {Number: &n2}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	listed := 0
	for inv, err := range objs.Invoices().All(ctx, nil) {
		if err != nil {
			log.Fatal(err)
		}
		if inv.Number != "" {
			listed++
		}
	}
	fmt.Println("created", len(created), "listed", listed, "status", *created[0].Status)
	_, err = objs.Invoices().Get(ctx, "00000000-0000-4000-8000-000000000000", nil)
	fmt.Println("missing is ErrNotFound:", errors.Is(err, twenty.ErrNotFound))
	for p, err := range objs.People().All(ctx, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("person", p.LoyaltyTier == nil)
		break
	}
}
`

// readmeSteps returns the commands of the README's "Your workspace, typed"
// block, the first shell block of that section.
func readmeSteps(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "## Your workspace, typed")
	require.True(t, ok)
	_, block, ok := strings.Cut(section, "```sh\n")
	require.True(t, ok)
	block, _, _ = strings.Cut(block, "```")
	var steps []string
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "export ") {
			steps = append(steps, line)
		}
	}
	return steps
}

// The README's path, step by step, in a fresh module against a 2.43-shaped
// fake (relation fields without a relation block) serving a custom model.
// The module replaces this library with this checkout, so `@latest` (which
// would fetch the published version) is dropped.
func TestReadmeWorkspacePackage(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and compiles a package")
	}
	srv := twentytest.NewServer(t, twentytest.WithModelJSON(modelJSON(t, customModel())), twentytest.WithoutRelationBlocks())
	repo := repoRoot(t)
	mod := t.TempDir()
	goMod := "module example.com/shop\n\ngo 1.26\n\nrequire github.com/twenty-go/twenty v0.0.0\n\nreplace github.com/twenty-go/twenty => " + repo + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(mod, "go.mod"), []byte(goMod), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(mod, "main.go"), []byte(userMain), 0o644))
	// Offline: the checksums this checkout's dependencies already have.
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(mod, "go.sum"), sum, 0o644))
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "TWENTY_BASE_URL="+srv.URL(), "TWENTY_API_KEY="+srv.APIKey())
	sh := func(line string) string {
		t.Helper()
		args := strings.Fields(strings.ReplaceAll(line, "@latest", ""))
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir, cmd.Env = mod, env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s: %s", line, out)
		return string(out)
	}
	steps := readmeSteps(t)
	require.Len(t, steps, 3, "go get, go run twenty-spec, go mod tidy")
	var generate string
	for _, step := range steps {
		out := sh(step)
		if strings.Contains(step, "twenty-spec") {
			generate = step
			assert.NotContains(t, out, srv.APIKey())
		}
	}
	files := func() map[string]string {
		got := map[string]string{}
		entries, err := os.ReadDir(filepath.Join(mod, "crm"))
		require.NoError(t, err)
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(mod, "crm", e.Name()))
			require.NoError(t, err)
			got[e.Name()] = string(data)
		}
		return got
	}
	first := files()
	assert.ElementsMatch(t, []string{"openapi.yaml", "types.gen.go", "client.gen.go", "objects.gen.go"}, keys(first))
	assert.Contains(t, first["objects.gen.go"], "func (o Objects) Invoices() *twenty.Resource[InvoiceForResponse, Invoice, InvoiceForUpdate]")
	assert.Contains(t, first["types.gen.go"], "Customer *CompanyForResponse", "the relation's target came from /rest/open-api/core")

	out := sh("go run .")
	assert.Equal(t, "created 2 listed 2 status SENT\nmissing is ErrNotFound: true\nperson true\n", out)

	sh(generate)
	assert.Equal(t, first, files(), "the same workspace gives the same package")
	assert.Empty(t, srv.Violations(), "every exchange matched the workspace's spec")
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// newerWorkspace is the standard model as a workspace created on a newer
// server has it: no favorites (dropped in 2.7), no company employees
// (demoted in 2.10), served without relation blocks.
func newerWorkspace() *model.Model {
	m := model.Standard()
	var objs []model.Object
	for _, o := range m.Objects {
		if o.NameSingular == "favorite" {
			continue
		}
		var fields []model.Field
		for _, f := range o.Fields {
			if f.Relation != nil && f.Relation.TargetObject == "favorite" || o.NameSingular == "company" && f.Name == "employees" {
				continue
			}
			fields = append(fields, f)
		}
		o.Fields = fields
		objs = append(objs, o)
	}
	m.Objects = objs
	return m
}

// `make spec` against a newer workspace, then `make generate`, in a copy of
// this checkout: the library still builds, because the standard objects and
// fields its handwritten code uses are kept.
func TestOwnAPIFromNewerWorkspaceBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerates and compiles the library")
	}
	srv := twentytest.NewServer(t, twentytest.WithModelJSON(modelJSON(t, newerWorkspace())), twentytest.WithoutRelationBlocks())
	repo := repoRoot(t)
	dir := t.TempDir()
	ls := exec.Command("git", "ls-files", "-co", "--exclude-standard")
	ls.Dir = repo
	list, err := ls.Output()
	require.NoError(t, err)
	for _, name := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		data, err := os.ReadFile(filepath.Join(repo, name))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "TWENTY_BASE_URL="+srv.URL(), "TWENTY_API_KEY="+srv.APIKey())
	for _, args := range [][]string{
		{"go", "run", "./cmd/twenty-spec", "-from-env", "-o", "openapi.yaml"},
		{"go", "generate", "."},
		{"go", "build", "./..."},
		{"go", "vet", ".", "./cmd/...", "./twentytest"},
	} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s: %s", strings.Join(args, " "), out)
	}
	spec, err := os.ReadFile(filepath.Join(dir, "openapi.yaml"))
	require.NoError(t, err)
	for _, want := range []string{"/rest/favorites:", "employees:"} {
		assert.Contains(t, string(spec), want, "kept from the standard model")
	}
}
