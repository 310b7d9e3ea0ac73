package twenty

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"sync/atomic"

	gojson "github.com/goccy/go-json"
)

// The server wraps every payload in an envelope whose inner key names the
// operation: {"data":{"people":[...]}}, {"data":{"createPerson":{...}}}.
// The decoders here walk the envelope token by token and decode the
// payload straight into the caller's type: one pass, no intermediate
// json.RawMessage copy, and the inner key need not be known, so custom
// objects work without knowing their singular name.

var (
	errNoPayload   = errors.New("no payload in data")
	errNullPayload = errors.New("payload is null")
)

type pageMeta struct {
	PageInfo   PageInfo
	TotalCount int
}

// decodeEnvelope decodes {"data":{"<key>": X}, ...} calling into for X.
// meta, when not nil, receives pageInfo and totalCount.
func decodeEnvelope(body []byte, into func(dec *json.Decoder) error, meta *pageMeta) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	found := false
	for dec.More() {
		key, err := nextKey(dec)
		if err != nil {
			return err
		}
		switch {
		case key == "data":
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			if tok != json.Delim('{') {
				return fmt.Errorf("data is %v, not an object", tokenKind(tok))
			}
			for dec.More() {
				if _, err := nextKey(dec); err != nil {
					return err
				}
				if found {
					if err := skipValue(dec); err != nil {
						return err
					}
					continue
				}
				if err := into(dec); err != nil {
					return err
				}
				found = true
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
		case key == "pageInfo" && meta != nil:
			var pi struct {
				StartCursor     *string `json:"startCursor"`
				EndCursor       *string `json:"endCursor"`
				HasNextPage     bool    `json:"hasNextPage"`
				HasPreviousPage bool    `json:"hasPreviousPage"`
			}
			if err := dec.Decode(&pi); err != nil {
				return fmt.Errorf("pageInfo: %w", err)
			}
			meta.PageInfo = PageInfo{HasNextPage: pi.HasNextPage, HasPreviousPage: pi.HasPreviousPage}
			if pi.StartCursor != nil {
				meta.PageInfo.StartCursor = *pi.StartCursor
			}
			if pi.EndCursor != nil {
				meta.PageInfo.EndCursor = *pi.EndCursor
			}
		case key == "totalCount" && meta != nil:
			var n *int
			if err := dec.Decode(&n); err != nil {
				return fmt.Errorf("totalCount: %w", err)
			}
			if n != nil {
				meta.TotalCount = *n
			}
		default:
			if err := skipValue(dec); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if !found {
		return errNoPayload
	}
	return trailing(dec)
}

// decodeArrayEnvelope decodes {"data":[X, X, ...]} calling into for each X.
func decodeArrayEnvelope(body []byte, into func(dec *json.Decoder) error) error {
	var env struct {
		Data *[]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return err
	}
	if env.Data == nil {
		return errNoPayload
	}
	for _, item := range *env.Data {
		if err := into(json.NewDecoder(bytes.NewReader(item))); err != nil {
			return err
		}
	}
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return errors.New("empty body")
		}
		return err
	}
	if tok != want {
		return fmt.Errorf("body is %v, not an object", tokenKind(tok))
	}
	return nil
}

func nextKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("unexpected %v where a key belongs", tokenKind(tok))
	}
	return key, nil
}

func skipValue(dec *json.Decoder) error {
	var skip json.RawMessage
	return dec.Decode(&skip)
}

func trailing(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

func tokenKind(tok json.Token) string {
	switch tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		if tok == json.Delim('[') {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}

// The fast path. Nearly every answer has the shape the server writes:
// {"data":{"<key>": X}, "pageInfo": ..., "totalCount": ...} with "data"
// first. decodeFast reads the key from the start of the body, then decodes
// the whole body in one pass with github.com/goccy/go-json, a drop-in
// encoding/json decoder several times faster on record lists, into a
// struct type made for that key whose payload field points at the
// caller's value (so a list goes straight into the slice sized for it).
// Anything else (another layout, a null payload, any error) makes it
// report false; the caller then runs decodeEnvelope, whose results and
// errors stay the reference.

type wirePageInfo struct {
	StartCursor     *string `json:"startCursor"`
	EndCursor       *string `json:"endCursor"`
	HasNextPage     bool    `json:"hasNextPage"`
	HasPreviousPage bool    `json:"hasPreviousPage"`
}

type envelopeKey struct {
	key string
	typ reflect.Type
}

var (
	envelopeTypes     sync.Map // envelopeKey -> reflect.Type
	envelopeTypeCount atomic.Int32
)

// maxEnvelopeTypes bounds the cache: a server inventing keys cannot grow
// it without end (past the bound, such answers take the general path).
const maxEnvelopeTypes = 1024

// envelopeType is struct { Data struct { Payload *T `json:"<key>"` }
// `json:"data"`; PageInfo *wirePageInfo; TotalCount *int }.
func envelopeType(key string, t reflect.Type) (reflect.Type, bool) {
	k := envelopeKey{key, t}
	if et, ok := envelopeTypes.Load(k); ok {
		return et.(reflect.Type), true
	}
	if envelopeTypeCount.Load() >= maxEnvelopeTypes {
		return nil, false
	}
	data := reflect.StructOf([]reflect.StructField{{
		Name: "Payload", Type: reflect.PointerTo(t), Tag: reflect.StructTag(`json:"` + key + `"`),
	}})
	et := reflect.StructOf([]reflect.StructField{
		{Name: "Data", Type: data, Tag: `json:"data"`},
		{Name: "PageInfo", Type: reflect.TypeFor[*wirePageInfo](), Tag: `json:"pageInfo"`},
		{Name: "TotalCount", Type: reflect.TypeFor[*int](), Tag: `json:"totalCount"`},
	})
	if _, loaded := envelopeTypes.LoadOrStore(k, et); !loaded {
		envelopeTypeCount.Add(1)
	}
	return et, true
}

// payloadKey returns <key> when body starts {"data":{"<key>": (white space
// allowed) and the key is a plain identifier, as the server's always are.
func payloadKey(body []byte) (string, bool) {
	i := 0
	ws := func() {
		for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r') {
			i++
		}
	}
	lit := func(s string) bool {
		ws()
		if len(body)-i < len(s) || string(body[i:i+len(s)]) != s {
			return false
		}
		i += len(s)
		return true
	}
	if !lit("{") || !lit(`"data"`) || !lit(":") || !lit("{") || !lit(`"`) {
		return "", false
	}
	start := i
	for i < len(body) && (body[i] >= 'a' && body[i] <= 'z' || body[i] >= 'A' && body[i] <= 'Z' ||
		i > start && body[i] >= '0' && body[i] <= '9') {
		i++
	}
	end := i
	if end == start || end-start > 128 || !lit(`"`) || !lit(":") {
		return "", false
	}
	return string(body[start:end]), true
}

// decodeFast decodes the usual envelope into *out, and pageInfo and
// totalCount into meta when it is not nil. When it reports false, *out may
// hold part of the payload and the caller must start again from a fresh
// value.
func decodeFast[T any](body []byte, out *T, meta *pageMeta) bool {
	key, ok := payloadKey(body)
	if !ok {
		return false
	}
	et, ok := envelopeType(key, reflect.TypeFor[T]())
	if !ok {
		return false
	}
	env := reflect.New(et)
	payload := env.Elem().Field(0).Field(0)
	payload.Set(reflect.ValueOf(out))
	if err := gojson.Unmarshal(body, env.Interface()); err != nil {
		return false
	}
	p, _ := payload.Interface().(*T)
	if p == nil {
		return false // null: the general path says what that means
	}
	if p != out {
		*out = *p
	}
	if meta != nil {
		var m pageMeta
		if pi, _ := env.Elem().Field(1).Interface().(*wirePageInfo); pi != nil {
			m.PageInfo = PageInfo{HasNextPage: pi.HasNextPage, HasPreviousPage: pi.HasPreviousPage}
			if pi.StartCursor != nil {
				m.PageInfo.StartCursor = *pi.StartCursor
			}
			if pi.EndCursor != nil {
				m.PageInfo.EndCursor = *pi.EndCursor
			}
		}
		if n, _ := env.Elem().Field(2).Interface().(*int); n != nil {
			m.TotalCount = *n
		}
		*meta = m
	}
	return true
}
