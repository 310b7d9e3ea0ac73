package authn

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is an authentication failure reported by the server. errors.Is
// matches it against ErrUnauthorized, ErrMissingAuthHeader, ErrExpiredAPIKey
// or ErrRevokedAPIKey.
type Error struct {
	Status  int    // HTTP status
	Code    string // documented error.code, else the server's `error` (e.g. "UNAUTHENTICATED"); may be empty
	Message string // server message, sanitised to one bounded line; may be empty
	kind    error
}

// Error returns one short line: the kind, then status, code and message.
func (e *Error) Error() string {
	var b strings.Builder
	if e.kind != nil {
		b.WriteString(e.kind.Error())
	} else {
		b.WriteString("authn: authentication failed")
	}
	b.WriteString(" (HTTP ")
	b.WriteString(strconv.Itoa(e.Status))
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	b.WriteString(")")
	return b.String()
}

// Unwrap returns the sentinel for this kind of failure.
func (e *Error) Unwrap() error { return e.kind }

// Bodies above this size are not parsed (the status alone decides): error
// bodies are small, and a cap bounds the work on hostile input.
const maxClassifyBody = 1 << 20

// maxMessageLen bounds Error.Message so Error() stays short.
const maxMessageLen = 200

// Classify reports whether a response is an authentication failure and of
// which kind. It returns *Error, or nil for anything else: successes, 404s,
// and permission refusals of a valid key (a 403 "does not have permission" or
// "This endpoint is not available to this caller"), which a new key would not
// fix. It never panics, whatever the body.
//
// It understands the documented body {"error":{"code","message"}}, the body
// the real auth middleware sends {"statusCode","messages"|"message","error"}
// and the legacy {"errors":[{"message"}]} sent with status 500. In order:
//
//  1. a documented code (UNAUTHORIZED, MISSING_AUTH_HEADER, EXPIRED_API_KEY,
//     REVOKED_API_KEY) decides, whatever the error status;
//  2. otherwise a known auth message ("Token has expired.", "This API Key is
//     revoked", "Missing authentication token", "Token invalid.", "No
//     payload"), whatever the error status, since legacy servers sent them
//     with 500;
//  3. otherwise an auth code in `error` or `code` (UNAUTHENTICATED,
//     INVALID_JWT_TOKEN_TYPE; WORKSPACE_NOT_FOUND with 401);
//  4. otherwise any 401 is ErrUnauthorized.
//
// Statuses below 400 are never failures.
func Classify(status int, body []byte) error {
	if status < 400 {
		return nil
	}
	var b parsedBody
	if len(body) <= maxClassifyBody {
		b = parseBody(body)
	}
	e := &Error{Status: status, Code: b.docCode}
	if e.Code == "" {
		e.Code = b.errName
	}
	if e.Code == "" {
		e.Code = b.code
	}
	e.Code = clean(e.Code, 64)

	msg := b.docMessage
	if msg == "" && len(b.messages) > 0 {
		msg = b.messages[0]
	}
	switch b.docCode {
	case "UNAUTHORIZED":
		e.kind = ErrUnauthorized
	case "MISSING_AUTH_HEADER":
		e.kind = ErrMissingAuthHeader
	case "EXPIRED_API_KEY":
		e.kind = ErrExpiredAPIKey
	case "REVOKED_API_KEY":
		e.kind = ErrRevokedAPIKey
	}
	if e.kind == nil {
		for _, m := range append([]string{b.docMessage}, b.messages...) {
			if k := kindFromMessage(m); k != nil {
				e.kind, msg = k, m
				break
			}
		}
	}
	if e.kind == nil {
		for _, c := range []string{b.errName, b.code} {
			if k := kindFromCode(status, c); k != nil {
				e.kind = k
				break
			}
		}
	}
	if e.kind == nil && status == 401 {
		e.kind = ErrUnauthorized
	}
	if e.kind == nil {
		return nil
	}
	e.Message = clean(msg, maxMessageLen)
	return e
}

// kindFromMessage matches the auth middleware's messages. The short ones must
// match exactly; the distinctive phrases may sit inside a longer message.
func kindFromMessage(m string) error {
	s := strings.ToLower(strings.TrimSpace(m))
	switch {
	case s == "":
		return nil
	case strings.Contains(s, "token has expired"):
		return ErrExpiredAPIKey
	case strings.Contains(s, "api key is revoked"):
		return ErrRevokedAPIKey
	case strings.Contains(s, "missing authentication token"):
		return ErrMissingAuthHeader
	case s == "token invalid." || s == "token invalid" || s == "no payload":
		return ErrUnauthorized
	}
	return nil
}

// kindFromCode maps auth exception codes. FORBIDDEN_EXCEPTION is absent on
// purpose: the server also uses it for refusals that are not about the key,
// and its auth cases are recognised by message above.
func kindFromCode(status int, code string) error {
	switch code {
	case "UNAUTHORIZED", "UNAUTHENTICATED", "INVALID_JWT_TOKEN_TYPE":
		return ErrUnauthorized
	case "MISSING_AUTH_HEADER":
		return ErrMissingAuthHeader
	case "EXPIRED_API_KEY":
		return ErrExpiredAPIKey
	case "REVOKED_API_KEY":
		return ErrRevokedAPIKey
	case "WORKSPACE_NOT_FOUND":
		// Only the auth middleware sends it with 401; elsewhere it may be a
		// plain lookup failure.
		if status == 401 {
			return ErrUnauthorized
		}
	}
	return nil
}

// parsedBody is what Classify extracts from any of the body shapes.
type parsedBody struct {
	docCode, docMessage string   // {"error":{"code","message"}}
	errName, code       string   // {"error":"...","code":"..."}
	messages            []string // "messages", "message", "errors[].message"
}

func parseBody(body []byte) parsedBody {
	var p parsedBody
	var env struct {
		Error    json.RawMessage `json:"error"`
		Code     json.RawMessage `json:"code"`
		Messages json.RawMessage `json:"messages"`
		Message  json.RawMessage `json:"message"`
		Errors   json.RawMessage `json:"errors"`
	}
	// Anything but a JSON object (HTML, truncated JSON, null, arrays) leaves
	// env empty, and the status alone decides.
	if json.Unmarshal(body, &env) != nil {
		return p
	}
	if s, ok := jsonString(env.Error); ok {
		p.errName = s
	} else {
		var doc struct {
			Code    json.RawMessage `json:"code"`
			Message json.RawMessage `json:"message"`
		}
		if json.Unmarshal(env.Error, &doc) == nil {
			p.docCode, _ = jsonString(doc.Code)
			p.docMessage, _ = jsonString(doc.Message)
		}
	}
	p.code, _ = jsonString(env.Code)
	for _, raw := range []json.RawMessage{env.Messages, env.Message, env.Errors} {
		p.messages = append(p.messages, jsonStrings(raw)...)
	}
	return p
}

func jsonString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// jsonStrings accepts a string, or an array whose elements are strings or
// objects with a string "message" (the legacy errors[] shape).
func jsonStrings(raw json.RawMessage) []string {
	if s, ok := jsonString(raw); ok {
		return []string{s}
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []string
	for _, it := range items {
		if s, ok := jsonString(it); ok {
			out = append(out, s)
			continue
		}
		var obj struct {
			Message json.RawMessage `json:"message"`
		}
		if json.Unmarshal(it, &obj) == nil {
			if s, ok := jsonString(obj.Message); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// clean makes server text safe for a one-line error: valid UTF-8, control
// and other non-printable characters replaced by spaces, at most limit bytes.
func clean(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
