package twentytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/twenty-go/twenty/internal/model"
)

// apiError is a non-auth failure, sent in the real server's shape:
// {"statusCode", "error": exception name, "messages": [...]}.
type apiError struct {
	status int
	name   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, name: "BadRequestException", msg: fmt.Sprintf(format, args...)}
}

func notFound() *apiError {
	return &apiError{status: http.StatusNotFound, name: "NotFoundException", msg: "Record not found"}
}

// serverError is the real body, fields in the server's order.
type serverError struct {
	StatusCode int      `json:"statusCode"`
	Error      string   `json:"error"`
	Messages   []string `json:"messages"`
}

func errBody(status int, name, msg string) serverError {
	return serverError{StatusCode: status, Error: name, Messages: []string{msg}}
}

// authError is the auth middleware's body: messages before error, and
// error is a code.
type authError struct {
	StatusCode int      `json:"statusCode"`
	Messages   []string `json:"messages"`
	Error      string   `json:"error"`
}

// rateLimitError is the newer usage-limit module's 429 body.
type rateLimitError struct {
	serverError
	LimitKind         string         `json:"limitKind"`
	Scope             map[string]any `json:"scope"`
	Limit             int            `json:"limit"`
	Remaining         int            `json:"remaining"`
	PeriodCount       int64          `json:"periodCount"`
	PeriodUnit        string         `json:"periodUnit"`
	RetryAfterSeconds int            `json:"retryAfterSeconds"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, errBody(e.status, e.name, e.msg))
}

// writeJSON sends v as Express does: JSON.stringify, which does not escape
// <, > and &, with a charset.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		_ = json.NewEncoder(&buf).Encode(errBody(status, "InternalServerErrorException", err.Error()))
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// duplicateEntry is the 2.x answer to a unique violation, the primary key
// included (Twenty 2.42: "A duplicate entry was detected: unique
// constraint person.IDX_UNIQUE_… was violated").
func duplicateEntry(object, constraint string) *apiError {
	return badRequest("A duplicate entry was detected: unique constraint %s.%s was violated", object, constraint)
}

// invalidOption is the 2.x answer to a value a SELECT or MULTI_SELECT does
// not offer; the options are listed in their order.
func invalidOption(f *model.Field, v any) *apiError {
	vals := make([]string, len(f.Options))
	for i, o := range f.Options {
		vals[i] = o.Value
	}
	s, ok := v.(string)
	if !ok {
		s = short(v)
	}
	return badRequest("Invalid value \"%s\" for field \"%s\". Valid values are: %s", s, f.Name, strings.Join(vals, ", "))
}
