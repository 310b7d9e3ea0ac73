package twenty

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
