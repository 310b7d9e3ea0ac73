package bench

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestOgenClientIsUpToDate regenerates the ogen client into a temporary
// directory with the pinned ogen and compares it with the committed one.
func TestOgenClientIsUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ogen")
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "github.com/ogen-go/ogen/cmd/ogen",
		"-config", "ogen/ogen.yml", "-target", dir, "-package", "ogen", "-clean", "ogen/openapi.yaml")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ogen: %v\n%s", err, out)
	}
	fresh, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(fresh) == 0 {
		t.Fatalf("ogen wrote nothing: %v", err)
	}
	committed, _ := filepath.Glob(filepath.Join("ogen", "*.go"))
	if len(committed) != len(fresh) {
		t.Errorf("ogen/ has %d Go files, ogen writes %d: run go generate in bench/", len(committed), len(fresh))
	}
	for _, f := range fresh {
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(filepath.Join("ogen", filepath.Base(f)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ogen/%s is not what ogen generates: run go generate in bench/", filepath.Base(f))
		}
	}
}
