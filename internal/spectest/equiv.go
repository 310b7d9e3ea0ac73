package spectest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Equivalent reports the first place where two JSON documents differ in
// content. It treats as equal what a Go round trip legitimately changes:
// null, absent, [] and {} (omitempty); a decimal as a JSON number or as a
// string of the same digits; the same instant written two ways.
func Equivalent(want, got []byte) error {
	a, err := decode(want)
	if err != nil {
		return fmt.Errorf("want: %w", err)
	}
	b, err := decode(got)
	if err != nil {
		return fmt.Errorf("got: %w", err)
	}
	return equiv("$", a, b)
}

func decode(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case []any:
		return len(v) == 0
	case map[string]any:
		for _, e := range v {
			if !empty(e) {
				return false
			}
		}
		return true
	}
	return false
}

func equiv(path string, a, b any) error {
	if empty(a) && empty(b) {
		return nil
	}
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want object, got %T", path, b)
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			if err := equiv(path+"."+k, av[k], bv[k]); err != nil {
				return err
			}
		}
		return nil
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return fmt.Errorf("%s: want %d items, got %v", path, len(av), b)
		}
		for i := range av {
			if err := equiv(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if scalarText(a) == scalarText(b) {
		return nil
	}
	if as, ok := a.(string); ok {
		if bs, ok := b.(string); ok {
			ta, errA := time.Parse(time.RFC3339Nano, as)
			tb, errB := time.Parse(time.RFC3339Nano, bs)
			if errA == nil && errB == nil && ta.Equal(tb) {
				return nil
			}
		}
	}
	return fmt.Errorf("%s: want %v, got %v", path, a, b)
}

// scalarText lets "123" and 123 compare equal: decimals travel either way.
func scalarText(v any) string {
	switch v := v.(type) {
	case json.Number:
		return "n:" + v.String()
	case string:
		if json.Valid([]byte(v)) && v != "" && (v[0] == '-' || v[0] >= '0' && v[0] <= '9') {
			return "n:" + v
		}
		return "s:" + v
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T:%v", v, v)
}
