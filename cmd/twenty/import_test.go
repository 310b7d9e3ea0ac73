package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/transfer"
	"github.com/twenty-go/twenty/twentytest"
)

// dependencyOrder lists the objects so that every relation's target comes
// before the objects pointing to it.
func dependencyOrder(t *testing.T, sp *transfer.Spec) []string {
	var out []string
	seen := map[string]int{}
	var visit func(o string)
	visit = func(o string) {
		if seen[o] != 0 {
			return
		}
		seen[o] = 1
		s, err := sp.Schema(o)
		require.NoError(t, err)
		names := make([]string, 0, len(s.Fields))
		for n := range s.Fields {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if f := s.Fields[n]; f.Kind == transfer.KindRelation && f.Target != o {
				visit(f.Target)
			}
		}
		out = append(out, o)
	}
	for _, o := range sp.Objects() {
		visit(o)
	}
	return out
}

// normal makes a record comparable across a CSV round trip, which cannot
// tell null from "" nor an empty list from no list: those become nil, and
// read-only fields go.
func normal(s *transfer.Schema, rec map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range rec {
		f := s.Field(k)
		if f == nil || f.ReadOnly || f.Kind == transfer.KindRelation {
			continue
		}
		out[k] = normalValue(v)
	}
	return out
}

func normalValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			if n := normalValue(e); n != nil {
				m[k] = n
			}
		}
		if len(m) == 0 {
			return nil
		}
		return m
	case []any:
		if len(x) == 0 {
			return nil
		}
	case string:
		if x == "" {
			return nil
		}
	}
	b, _ := json.Marshal(v)
	var back any
	_ = json.Unmarshal(b, &back)
	return back
}

// TestExportImportRoundTripOfEveryStandardObject exports every standard
// object of a seeded workspace, in CSV and in JSON Lines, and imports the
// files into an empty one: every record comes back the same, ids and
// relations included.
func TestExportImportRoundTripOfEveryStandardObject(t *testing.T) {
	sp, err := transfer.ParseSpec(twenty.OpenAPISpec())
	require.NoError(t, err)
	order := dependencyOrder(t, sp)
	for _, format := range []string{"csv", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			src := twentytest.NewServer(t)
			dst := twentytest.NewServer(t, twentytest.WithSeed(false))
			dir := t.TempDir()
			for _, o := range order {
				path := filepath.Join(dir, o+"."+format)
				r := cli(t, envFor(src), "", "export", o, "--format", format, "--out", path)
				require.Equal(t, 0, r.code, r.stderr)
				r = cli(t, envFor(dst), "", "import", o, path)
				require.Equal(t, 0, r.code, "%s: %s%s", o, r.stdout, r.stderr)
			}
			for _, o := range order {
				s, err := sp.Schema(o)
				require.NoError(t, err)
				want := src.Records(o)
				require.Len(t, dst.Records(o), len(want), o)
				for _, w := range want {
					got, ok := dst.Record(o, w["id"].(string))
					require.True(t, ok, "%s %s missing", o, w["id"])
					assert.Equal(t, normal(s, w), normal(s, got), "%s %s", o, w["id"])
				}
			}
		})
	}
}

func TestImportDryRunKeyedDiffAndExitStatus(t *testing.T) {
	s := twentytest.NewServer(t)
	people := s.Records("people")
	email := people[0]["emails"].(map[string]any)["primaryEmail"].(string)
	dir := t.TempDir()
	path := filepath.Join(dir, "in.csv")
	body := "Email,name.firstName,city\n" +
		email + ",Changed,Lyon\n" +
		"new@example.com,New,Paris\n" +
		"bad,,\n"
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	before := len(s.Records("people"))
	r := cli(t, envFor(s), "", "import", "people", path, "--map", "Email=emails.primaryEmail", "--key", "emails.primaryEmail", "--dry-run")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "update "+people[0]["id"].(string)+": city, name.firstName")
	assert.Contains(t, r.stdout, "2 new, 1 changed, 0 unchanged, 0 bad")
	assert.Len(t, s.Records("people"), before, "a dry run writes nothing")

	r = cli(t, envFor(s), "", "import", "people", path, "--map", "Emial=emails.primaryEmail")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `"Email" is not a field of people`)

	// A unique email the server refuses: the batch is split until the
	// row is found, the others are created, exit status 5 (partial).
	dup := filepath.Join(dir, "dup.csv")
	require.NoError(t, os.WriteFile(dup, []byte("emails.primaryEmail,name.firstName\nfresh1@example.com,A\n"+email+",B\nfresh2@example.com,C\n"), 0o600))
	r = cli(t, envFor(s), "", "import", "people", dup)
	assert.Equal(t, exitPartial, r.code, r.stderr)
	rej, err := os.ReadFile(dup + ".rejects.csv")
	require.NoError(t, err)
	assert.Contains(t, string(rej), email)
	assert.Contains(t, string(rej), "A duplicate entry was detected")
	assert.Len(t, s.Records("people"), before+2)
	// Re-running finds everything in the journal: nothing sent again.
	n := s.Requests()
	r = cli(t, envFor(s), "", "import", "people", dup)
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, n, s.Requests())
	assert.Len(t, s.Records("people"), before+2)
}

func TestExportSinceAndStateAreIncremental(t *testing.T) {
	s := twentytest.NewServer(t)
	dir := t.TempDir()
	state, out := filepath.Join(dir, "state.json"), filepath.Join(dir, "out.jsonl")
	r := cli(t, envFor(s), "", "export", "companies", "--state", state, "--out", out, "--include-deleted")
	require.Equal(t, 0, r.code, r.stderr)
	lines := func() []string {
		data, err := os.ReadFile(out)
		require.NoError(t, err)
		if len(data) == 0 {
			return nil
		}
		return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	}
	assert.Len(t, lines(), len(s.Records("companies")))

	// Nothing changed: nothing written.
	r = cli(t, envFor(s), "", "export", "companies", "--state", state, "--out", out, "--include-deleted")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, lines())

	// One update, one soft delete: both, once.
	ids := []string{}
	for _, c := range s.Records("companies") {
		ids = append(ids, c["id"].(string))
	}
	r = cli(t, envFor(s), `{"name":"Renamed"}`, "update", "companies", ids[0])
	require.Equal(t, 0, r.code, r.stderr)
	r = cli(t, envFor(s), "", "delete", "companies", ids[1])
	require.Equal(t, 0, r.code, r.stderr)
	r = cli(t, envFor(s), "", "export", "companies", "--state", state, "--out", out, "--include-deleted")
	require.Equal(t, 0, r.code, r.stderr)
	got := lines()
	require.Len(t, got, 2, got)
	assert.Contains(t, got[0], "Renamed")
	assert.Contains(t, got[1], ids[1])
	assert.NotContains(t, got[1], `"deletedAt":null`)

	r = cli(t, envFor(s), "", "export", "companies", "--since", "bogus")
	assert.Equal(t, exitUsage, r.code)
}
