package twenty

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/twenty-go/twenty/authn"
)

// Sentinels for errors.Is. An *APIError matches the one its status and body
// call for; authentication failures also match authn's sentinels.
var (
	ErrBadRequest   = errors.New("twenty: bad request")
	ErrForbidden    = errors.New("twenty: forbidden")
	ErrNotFound     = errors.New("twenty: not found")
	ErrRateLimited  = errors.New("twenty: rate limited")
	ErrServer       = errors.New("twenty: server error")
	ErrConflict     = errors.New("twenty: conflict")
	ErrUnexpected   = errors.New("twenty: unexpected response") // a 2xx whose body is not what the API sends
	ErrTooLarge     = errors.New("twenty: response too large")
	ErrEmptyFilter  = errors.New("twenty: a filter is required")
	ErrInvalidInput = errors.New("twenty: invalid input")

	// ErrOutcomeUnknown marks a write that may or may not have happened: the
	// request reached the server but no answer came back. It is never
	// retried automatically; create with upsert to make retries safe.
	ErrOutcomeUnknown = errors.New("twenty: outcome unknown")

	// The authentication sentinels, re-exported so callers need one import.
	ErrUnauthorized      = authn.ErrUnauthorized
	ErrMissingAuthHeader = authn.ErrMissingAuthHeader
	ErrExpiredAPIKey     = authn.ErrExpiredAPIKey
	ErrRevokedAPIKey     = authn.ErrRevokedAPIKey
)

// maxErrorBody caps how much of an error body is read: enough for any real
// error, small enough that a hostile proxy page cannot exhaust memory.
const maxErrorBody = 1 << 20

// APIError is a non-2xx answer from the server, or a 2xx answer that could
// not be understood. Its Error text is one line and never holds the key.
type APIError struct {
	StatusCode int
	// Code is the documented body's code (EXPIRED_API_KEY) or the server's
	// error name (NotFoundException, UNAUTHENTICATED).
	Code      string
	Messages  []string
	Method    string
	Path      string // the path template, such as /rest/people/{id}
	RequestID string
	// RetryAfter is how long the server asked to wait on 429, if it said.
	RetryAfter time.Duration
	// Snippet is the start of a body that was not the expected JSON.
	Snippet string

	kind    error // the twenty sentinel, or nil
	auth    error // the authn classification, or nil
	unknown bool  // the request may have been applied
	cause   error // a decoding error behind an unexpected 2xx
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "twenty: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	// Code and messages are the server's text: kept one short line here.
	if e.Code != "" {
		b.WriteString(" (" + oneLine(e.Code, 64) + ")")
	}
	if len(e.Messages) > 0 {
		b.WriteString(": " + oneLine(strings.Join(e.Messages, "; "), 300))
	} else if e.Snippet != "" {
		fmt.Fprintf(&b, ": unexpected body %q", e.Snippet)
	}
	if e.cause != nil {
		b.WriteString(": " + e.cause.Error())
	}
	if e.RequestID != "" {
		b.WriteString(" [request " + e.RequestID + "]")
	}
	return b.String()
}

// Is matches the sentinel for the status, the authentication sentinels and,
// for writes that failed with 5xx, ErrOutcomeUnknown.
func (e *APIError) Is(target error) bool {
	if target == nil {
		return false
	}
	if target == e.kind || (e.unknown && target == ErrOutcomeUnknown) {
		return true
	}
	return e.auth != nil && errors.Is(e.auth, target)
}

// Unwrap exposes the authentication error (an *authn.Error) and the
// decoding error behind an unexpected body.
func (e *APIError) Unwrap() []error {
	var out []error
	if e.auth != nil {
		out = append(out, e.auth)
	}
	if e.cause != nil {
		out = append(out, e.cause)
	}
	return out
}

// Temporary reports whether retrying later may succeed.
func (e *APIError) Temporary() bool { return e.kind == ErrRateLimited || e.kind == ErrServer }

// newAPIError builds the error for a non-2xx response whose body (already
// capped) is body. It never fails: any body gives a usable error.
func newAPIError(method, path string, status int, header http.Header, body []byte) *APIError {
	e := &APIError{StatusCode: status, Method: method, Path: path}
	e.RequestID = redactSecrets(firstHeader(header, "X-Request-Id", "X-Request-ID", "Request-Id", "X-Amzn-Requestid"))
	if clean := redactSecrets(string(body)); clean != string(body) {
		body = []byte(clean) // a server echoed the key back
	}
	parseErrorBody(e, body)
	if e.Code == "" && len(e.Messages) == 0 {
		e.Snippet = snippet(body)
	}
	e.auth = authn.Classify(status, body)
	switch {
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity, status == http.StatusRequestEntityTooLarge:
		e.kind = ErrBadRequest
	case status == http.StatusUnauthorized:
		if e.auth == nil {
			e.auth = authn.ErrUnauthorized
		}
	case status == http.StatusForbidden:
		if e.auth == nil {
			e.kind = ErrForbidden
		}
	case status == http.StatusNotFound:
		e.kind = ErrNotFound
	case status == http.StatusConflict:
		e.kind = ErrConflict
	case status == http.StatusTooManyRequests:
		e.kind = ErrRateLimited
		if d, ok := retryAfter(header, time.Now()); ok {
			e.RetryAfter = d
		}
	case status >= 500:
		e.kind = ErrServer
	}
	return e
}

// parseErrorBody reads either error body, leniently: the documented
// {"error":{"message","code"}}, the server's {statusCode, error, messages[]
// or message, code}, and the oldest {"errors":[{"message"}]}.
func parseErrorBody(e *APIError, body []byte) {
	var raw struct {
		Error    json.RawMessage `json:"error"`
		Messages json.RawMessage `json:"messages"`
		Message  json.RawMessage `json:"message"`
		Code     json.RawMessage `json:"code"`
		Errors   []struct {
			Message string `json:"message"`
		} `json:"errors"`
		RetryAfterSeconds *float64 `json:"retryAfterSeconds"`
	}
	if json.Unmarshal(body, &raw) != nil {
		return
	}
	var doc struct {
		Message string `json:"message"`
		Code    string `json:"code"`
	}
	if json.Unmarshal(raw.Error, &doc) == nil && (doc.Message != "" || doc.Code != "") {
		e.Code = doc.Code
		if doc.Message != "" {
			e.Messages = []string{doc.Message}
		}
		return
	}
	var name, code string
	_ = json.Unmarshal(raw.Error, &name)
	_ = json.Unmarshal(raw.Code, &code)
	e.Code = name
	if code != "" {
		e.Code = code
	}
	var msgs []string
	if json.Unmarshal(raw.Messages, &msgs) == nil {
		for _, m := range msgs {
			if m != "" {
				e.Messages = append(e.Messages, m)
			}
		}
	}
	var msg string
	if len(e.Messages) == 0 && json.Unmarshal(raw.Message, &msg) == nil && msg != "" {
		e.Messages = []string{msg}
	}
	for _, m := range raw.Errors {
		if m.Message != "" {
			e.Messages = append(e.Messages, m.Message)
		}
	}
	// Bounded as the header is: a larger value would overflow Duration
	// into a negative wait.
	if raw.RetryAfterSeconds != nil && *raw.RetryAfterSeconds > 0 && *raw.RetryAfterSeconds <= 1e9 {
		e.RetryAfter = time.Duration(*raw.RetryAfterSeconds * float64(time.Second))
	}
}

// snippet is a short, printable start of an unexpected body, with
// anything that looks like a credential redacted (in a start long enough
// that no token can straddle the cut).
func snippet(body []byte) string { return oneLine(redactSecrets(oneLine(string(body), 4096)), 120) }

// redactedCause is err, or, when its text quotes something shaped like a
// credential (a decoder quoting a value from the body: a time or a number
// it could not parse), the text redacted, without the original behind it.
func redactedCause(err error) error {
	if err == nil {
		return nil
	}
	if text := err.Error(); redactSecrets(text) != text {
		return errors.New(redactSecrets(text))
	}
	return err
}

// A server may echo the key back: a debugging proxy's page listing the
// request headers, an echo service the base URL points at by mistake, a
// message quoting the token it refused. Error texts end up in logs, so
// whatever the client keeps from a response body is cleaned of what looks
// like a credential: anything shaped like a JWT (every Twenty API key is
// one) and a token-like word after "Bearer".
var (
	jwtShape    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?`)
	bearerToken = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{16,}`)
)

const redactedSecret = "[REDACTED]"

func redactSecrets(s string) string {
	// The literal checks keep the common case, nothing to redact, cheap.
	if strings.Contains(s, "earer") || strings.Contains(s, "EARER") {
		s = bearerToken.ReplaceAllString(s, "${1}"+redactedSecret)
	}
	if strings.Contains(s, "eyJ") {
		s = jwtShape.ReplaceAllString(s, redactedSecret)
	}
	return s
}

// oneLine is s as one line of valid UTF-8 with runs of white space
// collapsed, cut to at most max bytes plus an ellipsis.
func oneLine(s string, max int) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

// OutcomeUnknownError reports a write whose request reached the server but
// whose answer was lost (dropped connection, timeout, truncated body).
type OutcomeUnknownError struct {
	Method string
	Path   string
	Err    error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("twenty: %s %s: outcome unknown, the request may have been applied: %v", e.Method, e.Path, e.Err)
}

// Is matches ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the transport error.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }
