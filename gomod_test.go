package twenty_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A module that imports the library and runs `go mod tidy` gains only what
// the library's packages import: no code generator or linter. (tidy reads
// every file of an imported package whatever its build tags, so a
// tools.go with blank imports in the root package would add them.)
func TestUserModuleGainsNoTools(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy")
	}
	t.Parallel()
	repo, err := filepath.Abs(".")
	require.NoError(t, err)
	mod := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(mod, name), []byte(text), 0o644))
	}
	write("go.mod", "module example.com/user\n\ngo 1.26\n\nrequire github.com/twenty-go/twenty v0.0.0\n\nreplace github.com/twenty-go/twenty => "+repo+"\n")
	write("main.go", `package main

import (
	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/twentytest"
	"github.com/twenty-go/twenty/webhook"
)

var _ = twenty.NewClient
var _ = twentytest.Start
var _ = webhook.Decode

func main() {}
`)
	// The library's go.sum vouches for every module it may need, so the
	// check needs no checksum database. It runs offline when the module
	// cache holds every go.mod in the graph, and otherwise once more through
	// the configured proxy: a cold cache lacks go.mod files that only a
	// user's tidy reads (gopkg.in/check.v1, required by yaml.v3's
	// unpruned go.mod).
	sum, err := os.ReadFile("go.sum")
	require.NoError(t, err)
	write("go.sum", string(sum))
	tidy := func(proxy string) ([]byte, error) {
		cmd := exec.Command("go", "mod", "tidy")
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOSUMDB=off")
		if proxy != "" {
			cmd.Env = append(cmd.Env, "GOPROXY="+proxy)
		}
		return cmd.CombinedOutput()
	}
	out, err := tidy("off")
	if err != nil && strings.Contains(string(out), "module lookup disabled") {
		out, err = tidy("")
	}
	require.NoError(t, err, "%s", out)

	goMod, err := os.ReadFile(filepath.Join(mod, "go.mod"))
	require.NoError(t, err)
	goSum, err := os.ReadFile(filepath.Join(mod, "go.sum"))
	require.NoError(t, err)
	assert.Contains(t, string(goMod), "github.com/oapi-codegen/runtime", "tidy ran and kept what the library imports")
	for _, tool := range []string{"oapi-codegen/v2", "speakeasy-api", "golang.org/x/tools", "honnef.co/go/tools", "dprotaso/go-yit"} {
		assert.NotContains(t, string(goMod), tool, "go.mod")
		assert.False(t, strings.Contains(string(goSum), tool+" "), "go.sum lists %s", tool)
	}
}
