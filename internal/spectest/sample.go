package spectest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Sampler makes JSON values that match a schema, filled as densely as the
// schema allows, so a decode/re-encode round trip shows any field a Go type
// drops. Nullable values are sometimes null, decimals alternate between
// JSON numbers and digit strings, and related records are embedded one
// level deep as the server does at depth=1.
type Sampler struct {
	rnd *rand.Rand
	// NullEvery makes roughly one nullable value in NullEvery null; 0 never.
	NullEvery int
	n         int
}

// NewSampler returns a deterministic sampler.
func NewSampler(seed uint64) *Sampler {
	return &Sampler{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), NullEvery: 5}
}

// UUID returns a random version-4 UUID.
func (s *Sampler) UUID() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(s.rnd.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Value returns a sample for ref.
func (s *Sampler) Value(ref *openapi3.SchemaRef) any { return s.value(ref, 0) }

func refName(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Ref == "" {
		return ""
	}
	return ref.Ref[strings.LastIndex(ref.Ref, "/")+1:]
}

func (s *Sampler) value(ref *openapi3.SchemaRef, embedded int) any {
	sc := ref.Value
	if strings.HasSuffix(refName(ref), "ForResponse") {
		embedded++
	}
	if sc.Nullable && s.NullEvery > 0 && s.rnd.IntN(s.NullEvery) == 0 {
		return nil
	}
	if goType, _ := sc.Extensions["x-go-type"].(string); goType == "json.Number" {
		s.n++
		if s.n%2 == 0 {
			return "9007199254740993123" // beyond float64's exact range: must survive as digits
		}
		return json.Number("1500000000")
	}
	if len(sc.AllOf) == 1 {
		if s.embeddedTooDeep(sc.AllOf[0], embedded) {
			return nil
		}
		return s.value(sc.AllOf[0], embedded)
	}
	if len(sc.OneOf) > 0 {
		return s.value(sc.OneOf[s.rnd.IntN(len(sc.OneOf))], embedded)
	}
	switch {
	case sc.Type.Is("object"):
		return s.object(sc, embedded)
	case sc.Type.Is("array"):
		if s.embeddedTooDeep(sc.Items, embedded) {
			return []any{}
		}
		n := 2
		if sc.MinItems > 2 {
			n = int(sc.MinItems)
		}
		if sc.MaxItems != nil && uint64(n) > *sc.MaxItems {
			n = int(*sc.MaxItems)
		}
		out := make([]any, n)
		for i := range out {
			out[i] = s.value(sc.Items, embedded)
		}
		return out
	case sc.Type.Is("string"):
		return s.str(sc)
	case sc.Type.Is("integer"):
		v := 7
		if sc.Min != nil && float64(v) < *sc.Min {
			v = int(*sc.Min)
		}
		if sc.Max != nil && float64(v) > *sc.Max {
			v = int(*sc.Max)
		}
		return v
	case sc.Type.Is("number"):
		return 2.5
	case sc.Type.Is("boolean"):
		return true
	}
	// Untyped (RAW_JSON): any JSON value.
	return map[string]any{"source": "sample", "tags": []any{"a", 1.5, true}}
}

// embeddedTooDeep stops relation embedding after one level, as depth=1 does.
func (s *Sampler) embeddedTooDeep(ref *openapi3.SchemaRef, embedded int) bool {
	return embedded >= 1 && strings.HasSuffix(refName(ref), "ForResponse")
}

func (s *Sampler) object(sc *openapi3.Schema, embedded int) any {
	out := map[string]any{}
	names := make([]string, 0, len(sc.Properties))
	for k := range sc.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		p := sc.Properties[k]
		if s.embeddedTooDeep(p, embedded) {
			continue
		}
		if p.Value.Type.Is("array") && s.embeddedTooDeep(p.Value.Items, embedded) {
			continue
		}
		if len(p.Value.AllOf) == 1 && s.embeddedTooDeep(p.Value.AllOf[0], embedded) {
			continue
		}
		out[k] = s.value(p, embedded)
	}
	if ap := sc.AdditionalProperties.Has; ap != nil && *ap {
		out["extraNumber"] = 3.0
		out["extraText"] = "kept"
	}
	return out
}

func (s *Sampler) str(sc *openapi3.Schema) any {
	if len(sc.Enum) > 0 {
		return sc.Enum[s.rnd.IntN(len(sc.Enum))]
	}
	switch sc.Format {
	case "uuid":
		return s.UUID()
	case "date-time":
		return fmt.Sprintf("2025-%02d-%02dT10:11:12.%03dZ", 1+s.rnd.IntN(12), 1+s.rnd.IntN(28), 1+s.rnd.IntN(999))
	case "date":
		return fmt.Sprintf("2025-%02d-%02d", 1+s.rnd.IntN(12), 1+s.rnd.IntN(28))
	}
	s.n++
	return fmt.Sprintf("text %d, with (punctuation) \"quoted\" é", s.n)
}
