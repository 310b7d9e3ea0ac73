package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The package -pkg writes is generated exactly as this module's own api/,
// but for api's package comment (the user-templates block: api's header).
func TestCodegenConfigsMatchAPI(t *testing.T) {
	t.Parallel()
	for file, cfg := range map[string]string{"types.cfg.yaml": typesConfig, "client.cfg.yaml": clientConfig} {
		data, err := os.ReadFile(filepath.Join(repoRoot(t), "api", file))
		require.NoError(t, err)
		var lines []string
		inTemplates := false
		for _, l := range strings.Split(string(data), "\n") {
			switch {
			case strings.HasPrefix(l, "  user-templates:"):
				inTemplates = true
				continue
			case inTemplates && (l == "" || strings.HasPrefix(l, "    ")):
				continue // the template's lines
			}
			inTemplates = false
			if !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "package:") {
				lines = append(lines, l)
			}
		}
		assert.Equal(t, cfg, strings.Join(lines, "\n"), file)
	}
}

func TestWritePackageRefusesBadNames(t *testing.T) {
	t.Parallel()
	for _, pkg := range []string{"", "Crm", "my-crm", "1crm"} {
		assert.ErrorContains(t, writePackage(t.TempDir(), pkg, nil), "lower-case Go package name", pkg)
	}
	assert.ErrorContains(t, run(t.Context(), config{pkg: "crm"}), "-pkg needs -o")
}
