package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/twentytest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

type result struct {
	code           int
	stdout, stderr string
}

// cli runs the command in-process against srv with the environment given.
func cli(t *testing.T, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{ctx: t.Context(), stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		lookup:     func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		clientOpts: []twenty.Option{twenty.WithRetryPolicy(twenty.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})},
	}
	code := e.main(args)
	return result{code, out.String(), errOut.String()}
}

func envFor(s *twentytest.Server) map[string]string {
	return map[string]string{"TWENTY_API_KEY": s.APIKey(), "TWENTY_BASE_URL": s.URL()}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./cmd/twenty -update to create it")
	assert.Equal(t, string(want), got)
}

func TestListGolden(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := cli(t, envFor(s), "", "list", "people", "--limit", "3", "--order-by", "name.lastName[AscNullsFirst]")
	require.Equal(t, 0, r.code, r.stderr)
	golden(t, "list-people", r.stdout)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 3, "JSON Lines, one record per line")

	// Flags before the object work too, and --all follows every page.
	all := cli(t, envFor(s), "", "list", "--all", "--limit", "7", "people")
	require.Equal(t, 0, all.code, all.stderr)
	lines := strings.Split(strings.TrimSpace(all.stdout), "\n")
	assert.Len(t, lines, len(s.Records("people")))
	seen := map[string]bool{}
	for _, l := range lines {
		var rec struct{ ID string }
		require.NoError(t, json.Unmarshal([]byte(l), &rec))
		assert.False(t, seen[rec.ID], "no record twice")
		seen[rec.ID] = true
	}
}

func TestListFilter(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := cli(t, envFor(s), "", "list", "companies", "--filter", "annualRevenue.amountMicros[gt]:90000000000000")
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	assert.Len(t, lines, 2, "two sample companies make more than 90 million")
	for _, l := range lines {
		var rec struct {
			AnnualRevenue struct{ AmountMicros float64 }
		}
		require.NoError(t, json.Unmarshal([]byte(l), &rec))
		assert.Greater(t, rec.AnnualRevenue.AmountMicros, 90e12)
	}
}

func TestGetGolden(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	id := s.Records("companies")[0]["id"].(string)
	r := cli(t, envFor(s), "", "get", "companies", id)
	require.Equal(t, 0, r.code, r.stderr)
	golden(t, "get-company", r.stdout)
}

func TestExportGolden(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	for _, format := range []string{"jsonl", "csv"} {
		r := cli(t, envFor(s), "", "export", "companies", "--format", format)
		require.Equal(t, 0, r.code, r.stderr)
		golden(t, "export-companies."+format, r.stdout)
		assert.Equal(t, "twenty: exported "+itoa(len(s.Records("companies")))+" companies to stdout ("+format+")\n", r.stderr,
			"no progress bar when stderr is not a terminal; the last line says what went where")
	}
	forced := cli(t, envFor(s), "", "export", "companies", "--progress", "always")
	require.Equal(t, 0, forced.code, forced.stderr)
	n := len(s.Records("companies"))
	assert.Contains(t, forced.stderr, "/"+itoa(n)+" 100%", "count, total and percentage")
	assert.Contains(t, forced.stderr, "/s", "rate")

	out := filepath.Join(t.TempDir(), "people.jsonl")
	r := cli(t, envFor(s), "", "export", "people", "--out", out)
	require.Equal(t, 0, r.code, r.stderr)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Len(t, strings.Split(strings.TrimSpace(string(data)), "\n"), len(s.Records("people")))
	assert.Equal(t, "twenty: exported "+itoa(len(s.Records("people")))+" people to "+out+" (jsonl)\n", r.stderr)
}

func itoa(n int) string { return strconv.Itoa(n) }

func jsonNumber(n int) string { return strconv.Itoa(n) }

func TestWriteCommands(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	env := envFor(s)

	created := cli(t, env, `{"name":{"firstName":"Ada","lastName":"Lovelace"}}`, "create", "people")
	require.Equal(t, 0, created.code, created.stderr)
	var rec struct {
		ID       string
		JobTitle string
	}
	require.NoError(t, json.Unmarshal([]byte(created.stdout), &rec))

	batch := make([]string, 330)
	for i := range batch {
		batch[i] = `{"name":"Batch Co ` + jsonNumber(i) + `"}`
	}
	before := s.RequestsFor("createManyCompanies")
	many := cli(t, env, "["+strings.Join(batch, ",")+"]", "create", "companies")
	require.Equal(t, 0, many.code, many.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(many.stdout), "\n"), 330)
	assert.Equal(t, 2, s.RequestsFor("createManyCompanies")-before, "an array goes out in batches of 200")

	upd := cli(t, env, `{"jobTitle":"Analyst"}`, "update", "people", rec.ID)
	require.Equal(t, 0, upd.code, upd.stderr)
	require.NoError(t, json.Unmarshal([]byte(upd.stdout), &rec))
	assert.Equal(t, "Analyst", rec.JobTitle)

	del := cli(t, env, "", "delete", "people", rec.ID)
	require.Equal(t, 0, del.code, del.stderr)
	assert.Equal(t, "deleted "+rec.ID+"\n", del.stdout)
	gone := cli(t, env, "", "get", "people", rec.ID)
	assert.Equal(t, 4, gone.code, "soft-deleted records are not found")
	assert.Equal(t, "twenty: not found: Record not found\n", gone.stderr)

	res := cli(t, env, "", "restore", "people", rec.ID)
	require.Equal(t, 0, res.code, res.stderr)
	assert.Equal(t, "restored "+rec.ID+"\n", res.stdout, "like delete")
	back := cli(t, env, "", "get", "people", rec.ID)
	require.Equal(t, 0, back.code, back.stderr)

	destroy := cli(t, env, "", "delete", "people", rec.ID, "--destroy")
	require.Equal(t, 0, destroy.code, destroy.stderr)
	_, still := s.Record("people", rec.ID)
	assert.False(t, still, "--destroy deletes permanently")
	assert.Equal(t, 4, cli(t, env, "", "restore", "people", rec.ID).code)
}

func TestPing(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	before := s.RequestsFor("findManyPeople")
	r := cli(t, envFor(s), "", "ping")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "ok "+strings.TrimPrefix(s.URL(), "http://")+"\n", r.stdout)
	assert.Equal(t, 1, s.RequestsFor("findManyPeople")-before)
}

func TestExitCodesAndErrors(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	real := twentytest.NewServer(t, twentytest.WithErrorFormat(twentytest.Real))
	keyFile := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(s.APIKey()+"\n"), 0o600))
	cases := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"no key", map[string]string{"TWENTY_BASE_URL": s.URL()}, []string{"ping"}, 3, "configuration error: no API key: set TWENTY_API_KEY or use --api-key-file (nothing was sent)"},
		{"key file", map[string]string{"TWENTY_BASE_URL": s.URL()}, []string{"--api-key-file", keyFile, "ping"}, 0, ""},
		{"key file after the command", map[string]string{"TWENTY_BASE_URL": s.URL()}, []string{"ping", "--api-key-file", keyFile}, 0, ""},
		{"missing key file", map[string]string{"TWENTY_BASE_URL": s.URL()}, []string{"ping", "--api-key-file", keyFile + ".nope"}, 3, "configuration error: reading --api-key-file"},
		{"base-url flag wins", map[string]string{"TWENTY_API_KEY": s.APIKey(), "TWENTY_BASE_URL": "https://unused.invalid"},
			[]string{"--base-url", s.URL(), "ping"}, 0, ""},
		{"base-url flag after the command", map[string]string{"TWENTY_API_KEY": s.APIKey(), "TWENTY_BASE_URL": "https://unused.invalid"},
			[]string{"ping", "--base-url", s.URL()}, 0, ""},
		{"base URL without scheme", map[string]string{"TWENTY_API_KEY": s.APIKey(), "TWENTY_BASE_URL": "127.0.0.1:3000"}, []string{"ping"}, 3,
			`configuration error: TWENTY_BASE_URL "127.0.0.1:3000" has no scheme: did you mean http://127.0.0.1:3000?`},
		{"plain http to another host", map[string]string{"TWENTY_API_KEY": s.APIKey(), "TWENTY_BASE_URL": "http://crm.example.invalid:8080"}, []string{"ping"}, 3,
			"configuration error: plain http to crm.example.invalid:8080, not a loopback host, would expose the API key: use https, or --insecure-http"},
		{"plain http allowed", map[string]string{"TWENTY_API_KEY": s.APIKey(), "TWENTY_BASE_URL": "http://crm.example.invalid:8080"}, []string{"ping", "--insecure-http"}, 1,
			"crm.example.invalid"},
		{"plain http allowed by env", map[string]string{"TWENTY_API_KEY": s.APIKey(), "TWENTY_BASE_URL": "http://crm.example.invalid:8080", "TWENTY_INSECURE_HTTP": "1"}, []string{"ping"}, 1,
			"crm.example.invalid"},
		{"expired key", map[string]string{"TWENTY_API_KEY": s.ExpiredKey(), "TWENTY_BASE_URL": s.URL()}, []string{"ping"}, 2, "authentication failed (EXPIRED_API_KEY)"},
		{"revoked key", map[string]string{"TWENTY_API_KEY": s.RevokedKey(), "TWENTY_BASE_URL": s.URL()}, []string{"ping"}, 2, "authentication failed (REVOKED_API_KEY)"},
		{"revoked key, real server", map[string]string{"TWENTY_API_KEY": real.RevokedKey(), "TWENTY_BASE_URL": real.URL()}, []string{"ping"}, 2, "authentication failed (REVOKED_API_KEY): This API Key is revoked"},
		{"invalid key, real server", map[string]string{"TWENTY_API_KEY": "not-a-key", "TWENTY_BASE_URL": real.URL()}, []string{"ping"}, 2, "authentication failed (UNAUTHORIZED)"},
		{"no command", envFor(s), nil, 64, "usage: twenty"},
		{"unknown command", envFor(s), []string{"frobnicate"}, 64, `unknown command "frobnicate"`},
		{"misspelt command", envFor(s), []string{"lsit", "people"}, 64, `unknown command "lsit": did you mean list?`},
		{"missing id", envFor(s), []string{"get", "people"}, 64, "get needs <object> <id>\nrun 'twenty get --help' for usage"},
		{"bad flag", envFor(s), []string{"list", "people", "--limit", "x"}, 64, "invalid value"},
		{"negative limit", envFor(s), []string{"list", "people", "--limit", "-1"}, 64, "--limit -1: want 1 to 200"},
		{"limit too large", envFor(s), []string{"list", "people", "--limit", "500"}, 64, "--limit 500: want 1 to 200"},
		{"depth", envFor(s), []string{"list", "people", "--depth", "5"}, 64, "--depth 5: want 0 or 1"},
		{"get depth", envFor(s), []string{"get", "people", s.Records("people")[0]["id"].(string), "--depth", "2"}, 64, "--depth 2: want 0 or 1"},
		{"order direction", envFor(s), []string{"list", "people", "--order-by", "name.lastName[up]"}, 64,
			`direction "up": want one of AscNullsFirst, AscNullsLast, DescNullsFirst, DescNullsLast`},
		{"export format", envFor(s), []string{"export", "people", "--format", "xml"}, 64, `--format "xml": want jsonl or csv`},
		{"no api-key flag", envFor(s), []string{"--api-key", "k", "ping"}, 64, "flag provided but not defined"},
		{"misspelt object", envFor(s), []string{"list", "peple"}, 64, `unknown object "peple": did you mean people?`},
		{"singular object", envFor(s), []string{"get", "company", "x"}, 64, `unknown object "company": did you mean companies?`},
		{"unknown object", envFor(s), []string{"list", "invoices"}, 1, "bad request: object 'invoices' not found"},
		{"malformed id", envFor(s), []string{"get", "people", "nope"}, 64, `invalid input: "nope" is not a valid UUID`},
		{"bad filter", envFor(s), []string{"list", "people", "--filter", "name[zz]:x"}, 64, "comparator zz not in eq, neq"},
		{"empty stdin", envFor(s), []string{"create", "people"}, 64, "invalid input: stdin is empty: want JSON Lines, a JSON array or one JSON object"},
		{"extra argument", envFor(s), []string{"ping", "now"}, 64, `ping takes no arguments, got "now"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := cli(t, c.env, "", c.args...)
			assert.Equal(t, c.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, c.stderr)
			if c.code != 0 && c.code != 64 && c.name != "no command" {
				assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line on stderr")
			}

			for _, k := range []string{s.APIKey(), real.RevokedKey(), s.ExpiredKey()} {
				assert.NotContains(t, r.stderr+r.stdout, k, "keys never printed")
			}
		})
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	r := cli(t, map[string]string{}, "", "demo")
	require.Equal(t, 0, r.code, r.stderr)
	for _, want := range []string{"Quick test", "ok: the workspace has", "Filtered list", "Create a person",
		"Update it", "Paginated export", "authentication failed (EXPIRED_API_KEY)", "REVOKED_API_KEY"} {
		assert.Contains(t, r.stdout, want)
	}
}

func TestDemoHonoursCancellation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"demo"}, strings.NewReader(""), &out, &errOut, func(string) (string, bool) { return "", false })
	assert.Equal(t, 130, code)
	assert.Contains(t, errOut.String(), "interrupted")
}

// Usage, input and configuration errors are found before anything is sent.
func TestNothingSentOnUsageErrors(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	id := s.Records("people")[0]["id"].(string)
	cases := []struct {
		stdin string
		args  []string
		code  int
	}{
		{"", []string{"list", "people", "--limit", "-1"}, 64},
		{"", []string{"list", "people", "--depth", "5"}, 64},
		{"", []string{"list", "people", "--order-by", "createdAt[Sideways]"}, 64},
		{"", []string{"list", "people", "--filter", "city[eq]"}, 64},
		{"", []string{"list", "peple"}, 64},
		{"", []string{"get", "people", "nope"}, 64},
		{"", []string{"get", "people", id, "--depth", "3"}, 64},
		{"", []string{"export", "people", "--progress", "sometimes"}, 64},
		{`{"name":`, []string{"create", "people"}, 64},
		{`[{"name":"x"}, 3]`, []string{"create", "companies"}, 64},
		{`{"a":1}` + "\n" + `{"b":2}`, []string{"update", "people", id}, 64},
		{"", []string{"demo", "--port", "0"}, 64},
		{"", []string{"ping", "--base-url", "localhost:3000"}, 3},
		{"", []string{"ping", "--base-url", "http://10.0.0.1:3000"}, 3},
	}
	for _, c := range cases {
		before := s.Requests()
		r := cli(t, envFor(s), c.stdin, c.args...)
		assert.Equal(t, c.code, r.code, "%v: %s", c.args, r.stderr)
		assert.Equal(t, before, s.Requests(), "%v: nothing sent", c.args)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"--base-url", "http://127.0.0.1:1", "--help"}} {
		r := cli(t, nil, "", args...)
		require.Equal(t, 0, r.code, "%v: %s", args, r.stderr)
		assert.Empty(t, r.stderr)
		for _, c := range commands() {
			assert.Contains(t, r.stdout, "\n  "+c.name+" ", "%v lists %s", args, c.name)
		}
		for _, want := range []string{"--upsert", "--progress", "--serve", "--fields", "--all", "--insecure-http",
			"field[op]:value", "or(a[eq]:1,b[eq]:2)", "DescNullsLast", "JSON Lines", "Exit codes", "TWENTY_API_KEY"} {
			assert.Contains(t, r.stdout, want, "%v", args)
		}
	}
	for _, c := range commands() {
		for _, h := range []string{"--help", "-h"} {
			r := cli(t, nil, "", c.name, h)
			require.Equal(t, 0, r.code, "%s %s: %s", c.name, h, r.stderr)
			assert.True(t, strings.HasPrefix(r.stdout, "usage: twenty "+c.name), r.stdout)
			_, example, _ := strings.Cut(r.stdout, "Example:\n  ")
			assert.Contains(t, example, "twenty "+c.name, c.name)
			assert.Contains(t, r.stdout, "--base-url", "global flags")
		}
		byHelp := cli(t, nil, "", "help", c.name)
		assert.Equal(t, 0, byHelp.code)
		assert.Equal(t, cli(t, nil, "", c.name, "--help").stdout, byHelp.stdout)
	}
	list := cli(t, nil, "", "list", "people", "--help")
	for _, want := range []string{"--limit N", "--filter FILTER", "--order-by ORDER", "--fields FIELDS", "--all", "--depth D", "follow every page"} {
		assert.Contains(t, list.stdout, want)
	}
	export := cli(t, nil, "", "export", "--help")
	assert.Contains(t, export.stdout, "(default jsonl)")
	assert.Contains(t, export.stdout, "(default auto)")
	demo := cli(t, nil, "", "demo", "--help")
	assert.Contains(t, demo.stdout, "(default 3030)")
}

// The CLI reads its own output: list and export write JSON Lines that
// create takes, so records move from one workspace to another with a pipe.
func TestPipeRoundTrip(t *testing.T) {
	t.Parallel()
	from, to := twentytest.NewServer(t), twentytest.NewServer(t, twentytest.WithSeed(false))
	// Into an empty workspace, fields without references to other records.
	listed := cli(t, envFor(from), "", "list", "companies", "--limit", "2", "--fields", "name,domainName")
	require.Equal(t, 0, listed.code, listed.stderr)
	assert.Contains(t, listed.stderr, "printed 2 of "+itoa(len(from.Records("companies")))+" companies; --all prints every page")
	created := cli(t, envFor(to), listed.stdout, "create", "companies")
	require.Equal(t, 0, created.code, created.stderr)
	assert.Len(t, to.Records("companies"), 2)
	assert.Equal(t, ids(t, listed.stdout), ids(t, created.stdout), "same records, same ids")
	for _, name := range []string{"Acme Robotics", "Blue Harbor Logistics"} {
		assert.Contains(t, created.stdout, `"name":"`+name+`"`)
	}

	exported := cli(t, envFor(from), "", "export", "people", "--format", "jsonl", "--fields", "name,emails,jobTitle,city")
	require.Equal(t, 0, exported.code, exported.stderr)
	moved := cli(t, envFor(to), exported.stdout, "create", "people")
	require.Equal(t, 0, moved.code, moved.stderr)
	assert.Len(t, to.Records("people"), len(from.Records("people")))
	assert.Equal(t, ids(t, exported.stdout), ids(t, moved.stdout))

	// Whole records, read-only fields and all, back into their workspace.
	whole := cli(t, envFor(from), "", "export", "people")
	require.Equal(t, 0, whole.code, whole.stderr)
	again := cli(t, envFor(from), whole.stdout, "create", "people", "--upsert")
	require.Equal(t, 0, again.code, again.stderr)
	assert.Len(t, from.Records("people"), len(to.Records("people")), "--upsert updates instead of duplicating")
	one := cli(t, envFor(from), "", "list", "companies", "--limit", "1")
	require.Equal(t, 0, one.code, one.stderr)
	single := cli(t, envFor(from), one.stdout, "create", "companies", "--upsert")
	require.Equal(t, 0, single.code, single.stderr)
	assert.Equal(t, ids(t, one.stdout), ids(t, single.stdout), "one line is one record")
}

func ids(t *testing.T, jsonl string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(jsonl), "\n") {
		var rec struct{ ID string }
		require.NoError(t, json.Unmarshal([]byte(l), &rec))
		out = append(out, rec.ID)
	}
	return out
}

func TestReadRecords(t *testing.T) {
	t.Parallel()
	good := []struct {
		in     string
		n      int
		single bool
	}{
		{`{"a":1}`, 1, true},
		{" \n{\"a\":1}\n", 1, true},
		{`[{"a":1}]`, 1, false},
		{`[{"a":1},{"b":2}]`, 2, false},
		{"{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n", 3, false},
		{"{\"a\":1}{\"b\":2}", 2, false},
	}
	for _, c := range good {
		recs, single, err := readRecords(strings.NewReader(c.in))
		require.NoError(t, err, c.in)
		assert.Len(t, recs, c.n, c.in)
		assert.Equal(t, c.single, single, c.in)
	}
	bad := map[string]string{
		"":                   "stdin is empty",
		"  \n":               "stdin is empty",
		`[]`:                 "the array is empty",
		`{"a":`:              "record 1 ends early",
		"{\"a\":1}\n{\"b\"}": "record 2 is not valid JSON",
		`[{"a":1},2]`:        "array element 2 is a number, want an object",
		`[{"a":1}] {"b":2}`:  "text after the array",
		`"x"`:                "record 1 is a string, want an object",
		"{\"a\":1}\n[1]":     "record 2 is an array",
		`[{"a":1}`:           "the array ends early",
	}
	for in, want := range bad {
		_, _, err := readRecords(strings.NewReader(in))
		var ie inputError
		require.ErrorAs(t, err, &ie, "%q", in)
		assert.Contains(t, err.Error(), want, "%q", in)
	}
}
