package twenty_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every Go snippet in README.md is taken from a compiled Example function:
// each of its lines must appear in one Example's source, so the README
// cannot show code that no longer compiles.
func TestReadmeSnippetsMirrorExamples(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	examples := exampleSources(t)
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	require.NotEmpty(t, blocks)
	for _, b := range blocks {
		lines := strings.Split(strings.TrimSpace(b[1]), "\n")
		found := false
		for _, src := range examples {
			if containsLines(src, lines) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("README snippet starting %q is not the body of any Example function", lines[0])
		}
	}
}

// exampleSources returns the source of every Example function in the module.
func exampleSources(t *testing.T) []string {
	var out []string
	start := regexp.MustCompile(`(?m)^func Example\w*\(\) \{$`)
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != "." {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(src)
		for _, loc := range start.FindAllStringIndex(text, -1) {
			end := strings.Index(text[loc[1]:], "\n}\n")
			if end < 0 {
				continue
			}
			out = append(out, text[loc[1]:loc[1]+end])
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// containsLines reports whether want's lines appear in src in order,
// ignoring indentation.
func containsLines(src string, want []string) bool {
	have := strings.Split(src, "\n")
	i := 0
	for _, line := range have {
		if i < len(want) && strings.TrimSpace(line) == strings.TrimSpace(want[i]) {
			i++
		}
	}
	return i == len(want)
}
