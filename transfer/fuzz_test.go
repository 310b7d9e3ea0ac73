package transfer_test

import (
	"testing"

	"github.com/twenty-go/twenty/transfer"
)

// FuzzConvert feeds any text to every kind of field. Conversion never
// panics; what converts is written back by Text to a cell that converts
// to the same value (the CSV an export writes imports back unchanged).
func FuzzConvert(f *testing.F) {
	for _, s := range []string{"", "12", "-0.5e3", "1,5", "true", "Yes", "2024-05-01", "2024-05-01T09:30:00+02:00",
		"NEW", "new,meeting", `["a","b"]`, `{"firstName":"Ada"}`, "EUR 1500.50", "1,500.25 usd", "USD 0.0000001",
		"20202020-0002-4000-8000-000000000001", "[", `{"amountMicros":"x"}`, "\x00", "null"} {
		f.Add(s)
	}
	sp, err := transfer.ParseSpec(standardSpecBytes())
	if err != nil {
		f.Fatal(err)
	}
	var fields []*transfer.Field
	for _, o := range []string{"people", "companies", "opportunities", "tasks"} {
		s, err := sp.Schema(o)
		if err != nil {
			f.Fatal(err)
		}
		for _, fd := range s.Fields {
			if fd.Kind != transfer.KindRelation {
				fields = append(fields, fd)
			}
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, fd := range fields {
			v, err := transfer.Convert(fd, fd.Name, text, true)
			if err != nil {
				continue
			}
			back := transfer.Text(v)
			v2, err := transfer.Convert(fd, fd.Name, back, true)
			if err != nil {
				t.Fatalf("%s (%s): %q converts to %#v, written %q, which does not convert: %v", fd.Name, fd.Kind, text, v, back, err)
			}
			if again := transfer.Text(v2); again != back {
				t.Fatalf("%s (%s): %q → %q → %q", fd.Name, fd.Kind, text, back, again)
			}
		}
	})
}
