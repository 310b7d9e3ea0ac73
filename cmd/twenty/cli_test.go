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
		assert.Empty(t, r.stderr, "no progress bar when stderr is not a terminal")
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

	batch := make([]string, 130)
	for i := range batch {
		batch[i] = `{"name":"Batch Co ` + jsonNumber(i) + `"}`
	}
	before := s.RequestsFor("createManyCompanies")
	many := cli(t, env, "["+strings.Join(batch, ",")+"]", "create", "companies")
	require.Equal(t, 0, many.code, many.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(many.stdout), "\n"), 130)
	assert.Equal(t, 3, s.RequestsFor("createManyCompanies")-before, "an array goes out in batches of 60")

	upd := cli(t, env, `{"jobTitle":"Analyst"}`, "update", "people", rec.ID)
	require.Equal(t, 0, upd.code, upd.stderr)
	require.NoError(t, json.Unmarshal([]byte(upd.stdout), &rec))
	assert.Equal(t, "Analyst", rec.JobTitle)

	del := cli(t, env, "", "delete", "people", rec.ID)
	require.Equal(t, 0, del.code, del.stderr)
	gone := cli(t, env, "", "get", "people", rec.ID)
	assert.Equal(t, 1, gone.code, "soft-deleted records are not found")
	assert.Equal(t, "twenty: not found: Record not found\n", gone.stderr)

	res := cli(t, env, "", "restore", "people", rec.ID)
	require.Equal(t, 0, res.code, res.stderr)
	back := cli(t, env, "", "get", "people", rec.ID)
	require.Equal(t, 0, back.code, back.stderr)

	destroy := cli(t, env, "", "delete", "people", rec.ID, "--destroy")
	require.Equal(t, 0, destroy.code, destroy.stderr)
	_, still := s.Record("people", rec.ID)
	assert.False(t, still, "--destroy deletes permanently")
	assert.Equal(t, 1, cli(t, env, "", "restore", "people", rec.ID).code)
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
		{"no key", map[string]string{"TWENTY_BASE_URL": s.URL()}, []string{"ping"}, 2, "TWENTY_API_KEY is not set"},
		{"key file", map[string]string{"TWENTY_BASE_URL": s.URL()}, []string{"--api-key-file", keyFile, "ping"}, 0, ""},
		{"base-url flag wins", map[string]string{"TWENTY_API_KEY": s.APIKey(), "TWENTY_BASE_URL": "https://unused.invalid"},
			[]string{"--base-url", s.URL(), "ping"}, 0, ""},
		{"expired key", map[string]string{"TWENTY_API_KEY": s.ExpiredKey(), "TWENTY_BASE_URL": s.URL()}, []string{"ping"}, 2, "authentication failed (EXPIRED_API_KEY)"},
		{"revoked key", map[string]string{"TWENTY_API_KEY": s.RevokedKey(), "TWENTY_BASE_URL": s.URL()}, []string{"ping"}, 2, "authentication failed (REVOKED_API_KEY)"},
		{"revoked key, real server", map[string]string{"TWENTY_API_KEY": real.RevokedKey(), "TWENTY_BASE_URL": real.URL()}, []string{"ping"}, 2, "authentication failed (REVOKED_API_KEY): This API Key is revoked"},
		{"invalid key, real server", map[string]string{"TWENTY_API_KEY": "not-a-key", "TWENTY_BASE_URL": real.URL()}, []string{"ping"}, 2, "authentication failed (UNAUTHORIZED)"},
		{"no command", envFor(s), nil, 64, "usage: twenty"},
		{"unknown command", envFor(s), []string{"frobnicate"}, 64, `unknown command "frobnicate"`},
		{"missing id", envFor(s), []string{"get", "people"}, 64, "get needs <object> <id>"},
		{"bad flag", envFor(s), []string{"list", "people", "--limit", "x"}, 64, "invalid value"},
		{"no api-key flag", envFor(s), []string{"--api-key", "k", "ping"}, 64, "flag provided but not defined"},
		{"unknown object", envFor(s), []string{"list", "invoices"}, 1, "bad request: object 'invoices' not found"},
		{"malformed id", envFor(s), []string{"get", "people", "nope"}, 1, `bad request: invalid input: "nope" is not a valid UUID`},
		{"bad filter", envFor(s), []string{"list", "people", "--filter", "name[zz]:x"}, 1, "bad request"},
		{"bad stdin", envFor(s), []string{"create", "people"}, 64, "stdin must hold a JSON object or array"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := cli(t, c.env, "", c.args...)
			assert.Equal(t, c.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, c.stderr)
			if c.code != 0 && c.code != 64 {
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
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "interrupted")
}
