package twenty

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// One value a record's type cannot hold (a fraction in an integer field,
// an object where text belongs, a malformed date) must not cost the caller
// the whole page. When the normal decode of a payload fails, the payload
// is decoded again record by record; a record that fails is taken apart
// field by field, each value that does not fit is repaired where the type
// can hold it or left out, and the record is decoded once more. Clean
// pages never reach this file: it runs only after both decoders refused.

// DecodeWarning reports one value of a record that did not fit its Go type
// and was repaired or left out, so that the rest of the record and of the
// page could be decoded.
type DecodeWarning struct {
	Object   string // the object's plural API name, such as companies
	RecordID string // the record's id, when it has one
	// Field is the value's path in the record: employees, name.firstName,
	// emails.additionalEmails[1].
	Field string
	// Value is the value as the server sent it, raw JSON cut to 200 bytes,
	// with anything shaped like a credential redacted.
	Value  string
	Reason string
	// Dropped says the value was left out: the field keeps its zero value
	// (or, for a list element, the element is missing). Otherwise the
	// value was repaired and kept.
	Dropped bool
}

// String is the warning on one line: object, record, field, what became
// of the value and the value.
func (w DecodeWarning) String() string {
	rec := w.Object
	if w.RecordID != "" {
		rec += " " + oneLine(w.RecordID, 64)
	}
	return fmt.Sprintf("twenty: %s, field %s: %s (value %s)", rec, oneLine(w.Field, 200), w.Reason, w.Value)
}

// maxWarningValue bounds DecodeWarning.Value.
const maxWarningValue = 200

// maxRepairDepth bounds how deep a repair looks: each level decodes its
// subtree once more, so a hostile body nested thousands deep must not be
// walked to the bottom. Real records (depth=1 relations included) are a
// handful of levels deep; below the bound a value that does not fit is
// left out whole.
const maxRepairDepth = 16

// repairer collects the warnings of one record.
type repairer struct {
	object, id string
	warns      []DecodeWarning
}

func (rp *repairer) warn(path string, raw []byte, dropped bool, reason string) {
	rp.warns = append(rp.warns, DecodeWarning{
		Object: rp.object, RecordID: rp.id, Field: path,
		Value:  oneLine(redactSecrets(oneLine(string(raw), 4*maxWarningValue)), maxWarningValue),
		Reason: reason, Dropped: dropped,
	})
}

// decodeRecord decodes one record into T, repairing it when the plain
// decode fails. The error is the plain decode's when the record cannot be
// repaired (it is not a JSON object, say).
func decodeRecord[T any](raw json.RawMessage, object string) (T, []DecodeWarning, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	if err == nil {
		return v, nil, nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		return v, nil, err // not an object: nothing to repair
	}
	rp := &repairer{object: object}
	var id string
	if json.Unmarshal(fields["id"], &id) == nil {
		rp.id = id
	}
	fixed, ok := rp.fix(reflect.TypeFor[T](), raw, "", 0)
	if !ok {
		return v, nil, err
	}
	var again T
	if json.Unmarshal(fixed, &again) != nil {
		return v, nil, err // not expected: every piece was checked on its own
	}
	return again, rp.warns, nil
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	numberType   = reflect.TypeFor[json.Number]()
	unmarshaler  = reflect.TypeFor[json.Unmarshaler]()
	textUnmarsh  = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonNumberRe = regexp.MustCompile(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$`)
)

// fix returns raw made to fit t, or false when it cannot be: the caller
// then leaves it out. path names the value in warnings.
func (rp *repairer) fix(t reflect.Type, raw json.RawMessage, path string, depth int) (json.RawMessage, bool) {
	if json.Unmarshal(raw, reflect.New(t).Interface()) == nil {
		return raw, true
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	raw = bytes.TrimSpace(raw)
	if depth >= maxRepairDepth || len(raw) == 0 {
		return nil, false
	}
	switch {
	case t == timeType:
		return rp.fixTime(raw, path)
	case t == numberType:
		return nil, false // a number, or a string holding one, decodes already
	case reflect.PointerTo(t).Implements(unmarshaler) || reflect.PointerTo(t).Implements(textUnmarsh):
		return nil, false // the type's own rules refused it
	}
	switch t.Kind() {
	case reflect.Struct:
		return rp.fixStruct(t, raw, path, depth)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil, false
		}
		return rp.fixSlice(t, raw, path, depth)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, false
		}
		return rp.fixMap(t, raw, path, depth)
	case reflect.String:
		if raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' || raw[0] == 't' || raw[0] == 'f' {
			s, _ := json.Marshal(string(raw))
			rp.warn(path, raw, false, kindOf(raw)+" where text belongs: kept as text")
			return s, true
		}
	case reflect.Bool:
		return rp.fixBool(raw, path)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rp.fixInt(t, raw, path)
	case reflect.Float32, reflect.Float64:
		return rp.fixFloat(t, raw, path)
	}
	return nil, false
}

// drop records a value left out; fix's callers use it when fix fails.
func (rp *repairer) drop(t reflect.Type, raw []byte, path string) {
	rp.warn(path, raw, true, misfit(t, raw))
}

// misfit says why raw does not fit t.
func misfit(t reflect.Type, raw []byte) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pt := reflect.PointerTo(t)
	if kindOf(raw) == "a string" && (pt.Implements(unmarshaler) || pt.Implements(textUnmarsh)) {
		return "not " + describe(t) + ": left out" // the right kind, the wrong content
	}
	return kindOf(raw) + " where " + describe(t) + " belongs: left out"
}

func describe(t reflect.Type) string {
	switch {
	case t == timeType:
		return "a date-time"
	case t == numberType:
		return "a number"
	case t.Kind() == reflect.Array && t.Len() == 16 && t.Elem().Kind() == reflect.Uint8:
		return "a UUID"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a " + t.String()
}

func kindOf(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// field is one decodable field of a struct, by its JSON name.
type field struct {
	name string
	typ  reflect.Type
}

var structFields sync.Map // reflect.Type -> []field

// fieldsOf lists t's fields as encoding/json sees them: exported or
// embedded, named by their tag, promoted from embedded structs.
func fieldsOf(t reflect.Type) []field {
	if fs, ok := structFields.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && f.Tag.Get("json") == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs = append(fs, field{name, f.Type})
	}
	structFields.Store(t, fs)
	return fs
}

// lookup finds the field a key decodes into as encoding/json does: the
// exact name first, then ignoring case.
func lookup(fs []field, key string) (field, bool) {
	for _, f := range fs {
		if f.name == key {
			return f, true
		}
	}
	for _, f := range fs {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return field{}, false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (rp *repairer) fixStruct(t reflect.Type, raw json.RawMessage, path string, depth int) (json.RawMessage, bool) {
	fs := fieldsOf(t)
	return rp.fixObject(raw, path, depth, func(key string) (reflect.Type, bool) {
		f, ok := lookup(fs, key)
		return f.typ, ok // an unknown field: ignored, as by the plain decode
	})
}

func (rp *repairer) fixMap(t reflect.Type, raw json.RawMessage, path string, depth int) (json.RawMessage, bool) {
	return rp.fixObject(raw, path, depth, func(string) (reflect.Type, bool) { return t.Elem(), true })
}

// fixObject repairs each member of a JSON object that typeOf gives a type.
func (rp *repairer) fixObject(raw json.RawMessage, path string, depth int, typeOf func(key string) (reflect.Type, bool)) (json.RawMessage, bool) {
	var obj map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		return nil, false
	}
	for _, key := range slices.Sorted(maps.Keys(obj)) { // warnings in a stable order
		t, ok := typeOf(key)
		if !ok {
			continue
		}
		v, p := obj[key], join(path, key)
		fixed, ok := rp.fix(t, v, p, depth+1)
		if !ok {
			rp.drop(t, v, p)
			delete(obj, key)
			continue
		}
		obj[key] = fixed
	}
	out, err := json.Marshal(obj)
	return out, err == nil
}

func (rp *repairer) fixSlice(t reflect.Type, raw json.RawMessage, path string, depth int) (json.RawMessage, bool) {
	if raw[0] != '[' {
		// One value where a list belongs: a list of that value, if it fits.
		mark := len(rp.warns)
		fixed, ok := rp.fix(t.Elem(), raw, path+"[0]", depth+1)
		if !ok {
			rp.warns = rp.warns[:mark]
			return nil, false
		}
		rp.warn(path, raw, false, kindOf(raw)+" where a list belongs: kept as a list of one")
		return append(append(json.RawMessage{'['}, fixed...), ']'), true
	}
	var elems []json.RawMessage
	if json.Unmarshal(raw, &elems) != nil {
		return nil, false
	}
	kept := elems[:0]
	for i, e := range elems {
		p := path + "[" + strconv.Itoa(i) + "]"
		fixed, ok := rp.fix(t.Elem(), e, p, depth+1)
		if !ok {
			rp.drop(t.Elem(), e, p)
			continue
		}
		kept = append(kept, fixed)
	}
	out, err := json.Marshal(kept)
	return out, err == nil
}

// numberText is raw's number: the literal, or the text of a string
// holding one (with the reason to say so).
func numberText(raw []byte) (s, how string, ok bool) {
	if raw[0] == '"' {
		if json.Unmarshal(raw, &s) != nil {
			return "", "", false
		}
		s = strings.TrimSpace(s)
		how = "a number given as a string"
	} else {
		s = string(raw)
		how = "a number"
	}
	return s, how, jsonNumberRe.MatchString(s)
}

func (rp *repairer) fixInt(t reflect.Type, raw json.RawMessage, path string) (json.RawMessage, bool) {
	s, how, ok := numberText(raw)
	if !ok {
		return nil, false
	}
	zero := reflect.New(t).Elem()
	unsigned := t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uintptr
	reason := how + ": read as an integer"
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if unsigned && (n < 0 || zero.OverflowUint(uint64(n))) || !unsigned && zero.OverflowInt(n) {
			return nil, false
		}
		rp.warn(path, raw, false, reason)
		return json.RawMessage(s), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, false
	}
	if r := math.Round(f); r != f {
		reason = how + " with a fraction: rounded half away from zero"
		f = r
	}
	// The bounds of int64 as float64: 2^63 is just past the largest.
	if f < -(1<<63) || f >= 1<<63 {
		return nil, false
	}
	n := int64(f)
	if unsigned && (n < 0 || zero.OverflowUint(uint64(n))) || !unsigned && zero.OverflowInt(n) {
		return nil, false
	}
	rp.warn(path, raw, false, reason)
	return json.RawMessage(strconv.FormatInt(n, 10)), true
}

func (rp *repairer) fixFloat(t reflect.Type, raw json.RawMessage, path string) (json.RawMessage, bool) {
	s, how, ok := numberText(raw)
	if !ok {
		return nil, false
	}
	f, err := strconv.ParseFloat(s, t.Bits())
	if err != nil || math.IsInf(f, 0) {
		return nil, false // out of range
	}
	rp.warn(path, raw, false, how+": read as a number")
	return json.RawMessage(s), true
}

func (rp *repairer) fixBool(raw json.RawMessage, path string) (json.RawMessage, bool) {
	var b bool
	switch s := string(raw); {
	case s == "0" || s == "1":
		b = s == "1"
	case raw[0] == '"':
		var text string
		if json.Unmarshal(raw, &text) != nil {
			return nil, false
		}
		switch strings.ToLower(strings.TrimSpace(text)) {
		case "true":
			b = true
		case "false":
		default:
			return nil, false
		}
	default:
		return nil, false
	}
	rp.warn(path, raw, false, kindOf(raw)+" where true or false belongs: read as "+strconv.FormatBool(b))
	return json.RawMessage(strconv.FormatBool(b)), true
}

// timeLayouts are the date-time forms read besides RFC 3339: a date alone
// (a DATE field), and date-times without a zone or with a space, as
// PostgreSQL writes them. Without a zone, UTC.
var timeLayouts = []string{
	"2006-01-02",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
}

func (rp *repairer) fixTime(raw json.RawMessage, path string) (json.RawMessage, bool) {
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return nil, false
	}
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			out, err := json.Marshal(t)
			if err != nil {
				return nil, false // a year outside 0..9999
			}
			rp.warn(path, raw, false, "a date-time not in RFC 3339: read as "+t.Format(time.RFC3339Nano))
			return out, true
		}
	}
	return nil, false
}

// decodeRecords decodes raw records into T, repairing those that need it.
func decodeRecords[T any](raws []json.RawMessage, object string, sizeHint int) ([]T, []DecodeWarning, error) {
	list := make([]T, 0, max(sizeHint, len(raws)))
	var warns []DecodeWarning
	for _, raw := range raws {
		v, w, err := decodeRecord[T](raw, object)
		if err != nil {
			return nil, nil, err
		}
		list = append(list, v)
		warns = append(warns, w...)
	}
	return list, warns, nil
}

// decodeListLenient is decodeList's last resort: the envelope as it is,
// the records one by one. Its error means the envelope itself or a record
// beyond repair; the caller reports its own first error instead.
func decodeListLenient[T any](data []byte, sizeHint int, meta *pageMeta, object string) ([]T, []DecodeWarning, error) {
	var raws []json.RawMessage
	if err := decodeListPayload(data, &raws, meta); err != nil {
		return nil, nil, err
	}
	return decodeRecords[T](raws, object, sizeHint)
}

// decodeOneLenient is the same for a single record.
func decodeOneLenient[T any](data []byte, object string) (T, []DecodeWarning, error) {
	var raw json.RawMessage
	if err := decodeEnvelope(data, func(dec *json.Decoder) error {
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if bytes.Equal(raw, []byte("null")) {
			return errNullPayload
		}
		return nil
	}, nil); err != nil {
		var zero T
		return zero, nil, err
	}
	return decodeRecord[T](raw, object)
}
