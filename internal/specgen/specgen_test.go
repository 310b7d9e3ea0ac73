package specgen

import (
	"encoding/json"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/twenty-go/twenty/internal/model"
)

// The JSON form (for programs that regenerate specs on the fly) is the
// same document as the committed YAML form.
func TestJSONAndYAMLAreTheSameDocument(t *testing.T) {
	t.Parallel()
	y, err := Generate(model.Standard(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := Generate(model.Standard(), Options{JSON: true})
	if err != nil {
		t.Fatal(err)
	}
	var fromYAML any
	if err := yaml.Unmarshal(y, &fromYAML); err != nil {
		t.Fatal(err)
	}
	viaJSON, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(viaJSON, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(j, &b); err != nil {
		t.Fatalf("JSON form does not parse: %v", err)
	}
	as, _ := json.Marshal(a)
	bs, _ := json.Marshal(b)
	if string(as) != string(bs) {
		t.Error("the JSON and YAML forms differ")
	}
}
