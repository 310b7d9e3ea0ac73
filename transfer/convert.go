package transfer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrValue reports a value that does not fit its field.
var ErrValue = errors.New("transfer: bad value")

// ValueError names the field and the value that does not fit it.
type ValueError struct {
	Path  string // such as emails.primaryEmail
	Value string // as given, shortened
	Want  string // what the field accepts
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("%s: %q is not %s", e.Path, e.Value, e.Want)
}

// Is matches ErrValue.
func (e *ValueError) Is(target error) bool { return target == ErrValue }

func badValue(path string, v any, want string) error {
	s, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		s = string(b)
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return &ValueError{Path: path, Value: s, Want: want}
}

var (
	uuidSyntax    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	numberSyntax  = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)
	plainDecimal  = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	currencySplit = regexp.MustCompile(`^\s*(?:([A-Za-z]{3})\s*([-0-9.,eE+]+)|([-0-9.,eE+]+)\s*([A-Za-z]{3}))\s*$`)
)

// timeLayouts are the date-times accepted besides RFC 3339, in order.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}

// wireTime is how the server writes date-times.
const wireTime = "2006-01-02T15:04:05.000Z"

// Convert turns v into the value the API takes for f: v is text from a
// CSV cell (the empty string meaning null) or a value decoded from JSON
// (strings, json.Number or float64, bools, maps, slices, nil). path names
// the field in errors. A composite takes a JSON object, or for currency a
// text such as "EUR 1500.50".
func Convert(f *Field, path string, v any, fromText bool) (any, error) {
	if v == nil {
		return nil, nil
	}
	s, isText := v.(string)
	if isText && fromText && s == "" {
		return nil, nil
	}
	switch f.Kind {
	case KindString:
		if isText {
			return s, nil
		}
		return nil, badValue(path, v, "text")
	case KindNumber, KindInteger:
		n, ok := number(v)
		if !ok {
			return nil, badValue(path, v, "a number")
		}
		if f.Kind == KindInteger {
			if _, err := strconv.ParseInt(n, 10, 64); err != nil {
				return nil, badValue(path, v, "a whole number")
			}
		}
		return json.Number(n), nil
	case KindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "yes", "y", "1":
			return true, nil
		case "false", "no", "n", "0":
			return false, nil
		}
		return nil, badValue(path, v, "true or false")
	case KindDateTime, KindDate:
		if !isText {
			return nil, badValue(path, v, "a date")
		}
		return parseTime(f.Kind, path, s)
	case KindUUID:
		if !isText || !uuidSyntax.MatchString(strings.TrimSpace(s)) {
			return nil, badValue(path, v, "a UUID")
		}
		return strings.ToLower(strings.TrimSpace(s)), nil
	case KindSelect:
		if !isText {
			return nil, badValue(path, v, "one of "+strings.Join(f.Options, ", "))
		}
		return option(f, path, s)
	case KindMultiSelect, KindStrings:
		return list(f, path, v)
	case KindJSON:
		// A cell holds an object or array as JSON text; anything else is
		// the text itself, as Text writes a JSON string bare.
		if t := strings.TrimSpace(s); isText && fromText && (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) {
			var out any
			if err := decodeJSON(s, &out); err != nil {
				return nil, badValue(path, v, "JSON")
			}
			return out, nil
		}
		return v, nil
	case KindComposite:
		return composite(f, path, v)
	}
	return nil, badValue(path, v, f.Kind.String())
}

// number returns v as JSON number text, exactly as written.
func number(v any) (string, bool) {
	switch n := v.(type) {
	case json.Number:
		return n.String(), numberSyntax.MatchString(n.String())
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64), true
	case string:
		t := strings.TrimSpace(n)
		return t, numberSyntax.MatchString(t)
	}
	return "", false
}

func parseTime(k Kind, path, s string) (any, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if k == KindDate {
			return t.Format("2006-01-02"), nil
		}
		return t.UTC().Format(wireTime), nil
	}
	if k == KindDate {
		return nil, badValue(path, s, "a date (YYYY-MM-DD)")
	}
	return nil, badValue(path, s, "a date-time (RFC 3339, such as 2024-05-01T09:30:00Z)")
}

func option(f *Field, path, s string) (any, error) {
	t := strings.TrimSpace(s)
	for _, o := range f.Options {
		if strings.EqualFold(o, t) {
			return o, nil
		}
	}
	return nil, badValue(path, s, "one of "+strings.Join(f.Options, ", "))
}

// list reads a JSON array, or text separated by commas.
func list(f *Field, path string, v any) (any, error) {
	var items []any
	switch x := v.(type) {
	case []any:
		items = x
	case string:
		if t := strings.TrimSpace(x); strings.HasPrefix(t, "[") {
			if err := decodeJSON(t, &items); err != nil {
				return nil, badValue(path, v, "a JSON array or a comma-separated list")
			}
			break
		}
		for _, p := range strings.Split(x, ",") {
			if p = strings.TrimSpace(p); p != "" {
				items = append(items, p)
			}
		}
	default:
		return nil, badValue(path, v, "a list")
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, badValue(path, v, "a list of strings")
		}
		if f.Kind == KindMultiSelect {
			o, err := option(f, path, s)
			if err != nil {
				return nil, err
			}
			s = o.(string)
		}
		out = append(out, s)
	}
	return out, nil
}

func composite(f *Field, path string, v any) (any, error) {
	m, ok := v.(map[string]any)
	if s, isText := v.(string); isText {
		if f.Currency {
			if c, ok := parseCurrency(s); ok {
				return c, nil
			}
		}
		if err := decodeJSON(s, &m); err != nil || m == nil {
			want := "a JSON object with " + strings.Join(subNames(f), ", ")
			if f.Currency {
				want = `an amount with its currency, such as "EUR 1500.50"`
			}
			return nil, badValue(path, v, want)
		}
		ok = true
	}
	if !ok {
		return nil, badValue(path, v, "an object")
	}
	out := make(map[string]any, len(m))
	for k, sv := range m {
		sub := f.Subs[k]
		if sub == nil {
			return nil, badValue(path+"."+k, sv, "a sub-field of "+path+" ("+strings.Join(subNames(f), ", ")+")")
		}
		c, err := Convert(sub, path+"."+k, sv, false)
		if err != nil {
			return nil, err
		}
		out[k] = c
	}
	return out, nil
}

func subNames(f *Field) []string {
	out := make([]string, 0, len(f.Subs))
	for k := range f.Subs {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// parseCurrency reads "EUR 1500.50" or "1,500.50 EUR" into amountMicros
// (exact: the amount times a million) and currencyCode.
func parseCurrency(s string) (map[string]any, bool) {
	m := currencySplit.FindStringSubmatch(s)
	if m == nil {
		return nil, false
	}
	code, amount := m[1], m[2]
	if code == "" {
		code, amount = m[4], m[3]
	}
	amount = strings.ReplaceAll(amount, ",", "")
	// Plain decimals only: an exponent such as 1e999999999 would make the
	// exact product enormous.
	if !plainDecimal.MatchString(amount) || len(amount) > 40 {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(amount)
	if !ok {
		return nil, false
	}
	r.Mul(r, big.NewRat(1_000_000, 1))
	if !r.IsInt() {
		return nil, false
	}
	return map[string]any{"amountMicros": json.Number(r.Num().String()), "currencyCode": strings.ToUpper(code)}, true
}

func decodeJSON(s string, into any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

// Text writes a converted value as the text Convert reads back: what
// an export's CSV cell holds.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
