package twenty_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
)

// sentinels are every error an *APIError can match; each case says which
// of them it must match, and it must match none of the others.
var sentinels = map[string]error{
	"ErrBadRequest":        twenty.ErrBadRequest,
	"ErrForbidden":         twenty.ErrForbidden,
	"ErrNotFound":          twenty.ErrNotFound,
	"ErrRateLimited":       twenty.ErrRateLimited,
	"ErrServer":            twenty.ErrServer,
	"ErrConflict":          twenty.ErrConflict,
	"ErrUnexpected":        twenty.ErrUnexpected,
	"ErrTooLarge":          twenty.ErrTooLarge,
	"ErrOutcomeUnknown":    twenty.ErrOutcomeUnknown,
	"ErrUnauthorized":      twenty.ErrUnauthorized,
	"ErrMissingAuthHeader": twenty.ErrMissingAuthHeader,
	"ErrExpiredAPIKey":     twenty.ErrExpiredAPIKey,
	"ErrRevokedAPIKey":     twenty.ErrRevokedAPIKey,
}

func assertMatchesExactly(t *testing.T, err error, want ...error) {
	t.Helper()
	for name, s := range sentinels {
		wanted := false
		for _, w := range want {
			wanted = wanted || w == s
		}
		assert.Equal(t, wanted, errors.Is(err, s), "errors.Is(err, %s) for %v", name, err)
	}
}

// assertOneShortLine checks what every error text promises.
func assertOneShortLine(t *testing.T, msg string) {
	t.Helper()
	shown := msg
	if len(shown) > 300 {
		shown = shown[:300] + "…"
	}
	assert.False(t, strings.ContainsAny(msg, "\r\n"), "one line: %q", shown)
	assert.True(t, utf8.ValidString(msg), "valid UTF-8: %q", shown)
	assert.LessOrEqual(t, len(msg), 1000, "short: %q", shown)
	assert.False(t, strings.Contains(msg, "PLANTED"), "no key: %q", shown)
}

type errorCase struct {
	name       string
	status     int
	header     map[string]string
	ctype      string // default application/json; charset=utf-8
	body       string
	offSpec    bool // the response breaks openapi.yaml on purpose
	lenient    bool // hostile, whether or not the spec catches it
	is         []error
	code       string
	msgs       []string
	retryAfter time.Duration
	snippet    string // prefix of the Snippet; "" means no snippet
	requestID  string
}

var errorCases = []errorCase{
	// The server's own bodies (facts §1, §2).
	{name: "400 server body", status: 400,
		body: `{"statusCode":400,"error":"BadRequestException","messages":["'x' is not a valid UUID"]}`,
		is:   []error{twenty.ErrBadRequest}, code: "BadRequestException", msgs: []string{"'x' is not a valid UUID"}},
	{name: "400 batch cap", status: 400,
		body: `{"statusCode":400,"error":"BadRequestException","messages":["Maximum number of records to upsert is 200."]}`,
		is:   []error{twenty.ErrBadRequest}, code: "BadRequestException", msgs: []string{"Maximum number of records to upsert is 200."}},
	{name: "400 message instead of messages", status: 400,
		body: `{"statusCode":400,"error":"BadRequestException","message":"limit 'x' is invalid. Should be an integer"}`,
		is:   []error{twenty.ErrBadRequest}, code: "BadRequestException", msgs: []string{"limit 'x' is invalid. Should be an integer"}},
	{name: "400 with custom code", status: 400,
		body: `{"statusCode":400,"error":"BadRequestException","messages":["bad"],"code":"INVALID_INPUT"}`,
		is:   []error{twenty.ErrBadRequest}, code: "INVALID_INPUT", msgs: []string{"bad"}},
	{name: "400 documented body", status: 400,
		body: `{"error":{"message":"Invalid filter","code":"BAD_REQUEST","details":{}}}`,
		is:   []error{twenty.ErrBadRequest}, code: "BAD_REQUEST", msgs: []string{"Invalid filter"}},
	{name: "400 permission refusal of era B", status: 400,
		body: `{"statusCode":400,"error":"BadRequestException","messages":["Entity performing the request does not have permission"]}`,
		is:   []error{twenty.ErrBadRequest}, code: "BadRequestException", msgs: []string{"Entity performing the request does not have permission"}},

	// Authentication, documented bodies.
	{name: "401 documented UNAUTHORIZED", status: 401,
		body: `{"error":{"message":"Invalid token","code":"UNAUTHORIZED","details":{}}}`,
		is:   []error{twenty.ErrUnauthorized}, code: "UNAUTHORIZED", msgs: []string{"Invalid token"}},
	{name: "401 documented MISSING_AUTH_HEADER", status: 401,
		body: `{"error":{"message":"Missing header","code":"MISSING_AUTH_HEADER","details":{}}}`,
		is:   []error{twenty.ErrMissingAuthHeader}, code: "MISSING_AUTH_HEADER", msgs: []string{"Missing header"}},
	{name: "401 documented EXPIRED_API_KEY", status: 401,
		body: `{"error":{"message":"API key has expired","code":"EXPIRED_API_KEY","details":{}}}`,
		is:   []error{twenty.ErrExpiredAPIKey}, code: "EXPIRED_API_KEY", msgs: []string{"API key has expired"}},
	{name: "401 documented REVOKED_API_KEY", status: 401,
		body: `{"error":{"message":"API key revoked","code":"REVOKED_API_KEY"}}`,
		is:   []error{twenty.ErrRevokedAPIKey}, code: "REVOKED_API_KEY", msgs: []string{"API key revoked"}},
	{name: "403 documented REVOKED_API_KEY", status: 403,
		body: `{"error":{"message":"API key revoked","code":"REVOKED_API_KEY","details":{}}}`,
		is:   []error{twenty.ErrRevokedAPIKey}, code: "REVOKED_API_KEY", msgs: []string{"API key revoked"}},
	{name: "403 documented FORBIDDEN", status: 403,
		body: `{"error":{"message":"Not allowed","code":"FORBIDDEN","details":{}}}`,
		is:   []error{twenty.ErrForbidden}, code: "FORBIDDEN", msgs: []string{"Not allowed"}},

	// Authentication, the real server's bodies (facts §1).
	{name: "401 bad signature", status: 401,
		body: `{"statusCode":401,"messages":["Token invalid."],"error":"UNAUTHENTICATED"}`,
		is:   []error{twenty.ErrUnauthorized}, code: "UNAUTHENTICATED", msgs: []string{"Token invalid."}},
	{name: "401 not a JWT", status: 401,
		body: `{"statusCode":401,"messages":["No payload"],"error":"UNAUTHENTICATED"}`,
		is:   []error{twenty.ErrUnauthorized}, code: "UNAUTHENTICATED", msgs: []string{"No payload"}},
	{name: "401 expired", status: 401,
		body: `{"statusCode":401,"messages":["Token has expired."],"error":"UNAUTHENTICATED"}`,
		is:   []error{twenty.ErrExpiredAPIKey}, code: "UNAUTHENTICATED", msgs: []string{"Token has expired."}},
	{name: "401 workspace gone", status: 401,
		body: `{"statusCode":401,"messages":["Workspace not found"],"error":"WORKSPACE_NOT_FOUND"}`,
		is:   []error{twenty.ErrUnauthorized}, code: "WORKSPACE_NOT_FOUND", msgs: []string{"Workspace not found"}},
	{name: "401 spec example", status: 401,
		body: `{"statusCode":401,"message":"Token invalid.","error":"Unauthorized"}`,
		is:   []error{twenty.ErrUnauthorized}, code: "Unauthorized", msgs: []string{"Token invalid."}},
	{name: "403 missing token", status: 403,
		body: `{"statusCode":403,"messages":["Missing authentication token"],"error":"FORBIDDEN_EXCEPTION"}`,
		is:   []error{twenty.ErrMissingAuthHeader}, code: "FORBIDDEN_EXCEPTION", msgs: []string{"Missing authentication token"}},
	{name: "403 revoked", status: 403,
		body: `{"statusCode":403,"messages":["This API Key is revoked"],"error":"FORBIDDEN_EXCEPTION"}`,
		is:   []error{twenty.ErrRevokedAPIKey}, code: "FORBIDDEN_EXCEPTION", msgs: []string{"This API Key is revoked"}},
	{name: "403 wrong token type", status: 403,
		body: `{"statusCode":403,"messages":["Invalid token type"],"error":"INVALID_JWT_TOKEN_TYPE"}`,
		is:   []error{twenty.ErrUnauthorized}, code: "INVALID_JWT_TOKEN_TYPE", msgs: []string{"Invalid token type"}},
	{name: "403 permission, newer server", status: 403,
		body: `{"statusCode":403,"error":"ForbiddenException","messages":["This endpoint is not available to this caller"],"code":"PERMISSION_DENIED"}`,
		is:   []error{twenty.ErrForbidden}, code: "PERMISSION_DENIED", msgs: []string{"This endpoint is not available to this caller"}},

	// Not found.
	{name: "404 server body", status: 404,
		body: `{"statusCode":404,"error":"NotFoundException","messages":["Record not found"]}`,
		is:   []error{twenty.ErrNotFound}, code: "NotFoundException", msgs: []string{"Record not found"}},
	{name: "404 documented body", status: 404,
		body: `{"error":{"message":"Record not found","code":"NOT_FOUND"}}`,
		is:   []error{twenty.ErrNotFound}, code: "NOT_FOUND", msgs: []string{"Record not found"}},

	// Rate limits (facts §2).
	{name: "429 era B, no headers", status: 429,
		body: `{"statusCode":429,"error":"HttpException","messages":["Limit reached (100 tokens per 60000 ms)"]}`,
		is:   []error{twenty.ErrRateLimited}, code: "HttpException", msgs: []string{"Limit reached (100 tokens per 60000 ms)"}},
	{name: "429 newer, header and body", status: 429,
		header: map[string]string{"Retry-After": "7", "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"},
		body:   `{"statusCode":429,"error":"RATE_LIMITED","messages":["Rate limit exceeded"],"retryAfterSeconds":7}`,
		is:     []error{twenty.ErrRateLimited}, code: "RATE_LIMITED", msgs: []string{"Rate limit exceeded"}, retryAfter: 7 * time.Second},
	{name: "429 body retryAfterSeconds only", status: 429,
		body: `{"statusCode":429,"error":"RATE_LIMITED","messages":["slow down"],"retryAfterSeconds":5}`,
		is:   []error{twenty.ErrRateLimited}, code: "RATE_LIMITED", msgs: []string{"slow down"}, retryAfter: 5 * time.Second},
	{name: "429 header wins over body", status: 429,
		header: map[string]string{"Retry-After": "3"},
		body:   `{"statusCode":429,"error":"RATE_LIMITED","messages":["slow down"],"retryAfterSeconds":9}`,
		is:     []error{twenty.ErrRateLimited}, code: "RATE_LIMITED", msgs: []string{"slow down"}, retryAfter: 3 * time.Second},
	{name: "429 documented body", status: 429,
		body: `{"error":{"message":"Too many requests","code":"RATE_LIMITED","details":{}}}`,
		is:   []error{twenty.ErrRateLimited}, code: "RATE_LIMITED", msgs: []string{"Too many requests"}},

	// Server errors.
	{name: "500 server body", status: 500, header: map[string]string{"X-Request-Id": "req-123"},
		body: `{"statusCode":500,"error":"InternalServerErrorException","messages":["Something went wrong"]}`,
		is:   []error{twenty.ErrServer}, code: "InternalServerErrorException", msgs: []string{"Something went wrong"}, requestID: "req-123"},
	{name: "500 auth middleware", status: 500,
		body: `{"statusCode":500,"messages":["oops"],"error":"INTERNAL_SERVER_ERROR"}`,
		is:   []error{twenty.ErrServer}, code: "INTERNAL_SERVER_ERROR", msgs: []string{"oops"}},
	{name: "500 documented body", status: 500,
		body: `{"error":{"message":"Internal error","code":"INTERNAL_SERVER_ERROR","details":{"trace":"x"}}}`,
		is:   []error{twenty.ErrServer}, code: "INTERNAL_SERVER_ERROR", msgs: []string{"Internal error"}},

	// Era A bodies: {"errors":[...]}.
	{name: "500 era A auth failure", status: 500, offSpec: true,
		body: `{"errors":[{"message":"Token invalid."}]}`,
		is:   []error{twenty.ErrServer, twenty.ErrUnauthorized}, msgs: []string{"Token invalid."}},
	{name: "400 era A", status: 400, offSpec: true,
		body: `{"errors":[{"message":"Invalid filter"},{"message":"second"}]}`,
		is:   []error{twenty.ErrBadRequest}, msgs: []string{"Invalid filter", "second"}},

	// Undocumented statuses.
	{name: "409 conflict", status: 409, offSpec: true,
		body: `{"statusCode":409,"error":"ConflictException","messages":["Record already exists"]}`,
		is:   []error{twenty.ErrConflict}, code: "ConflictException", msgs: []string{"Record already exists"}},
	{name: "422", status: 422, offSpec: true,
		body: `{"statusCode":422,"error":"UnprocessableEntityException","messages":["nope"]}`,
		is:   []error{twenty.ErrBadRequest}, code: "UnprocessableEntityException", msgs: []string{"nope"}},
	{name: "413 from a proxy", status: 413, offSpec: true, ctype: "text/html",
		body: "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body></body></html>",
		is:   []error{twenty.ErrBadRequest}, snippet: "<html> <head><title>413 Request Entity Too Large</title>"},
	{name: "418 unknown 4xx", status: 418, offSpec: true,
		body: `{"statusCode":418,"error":"TeapotException","messages":["short and stout"]}`,
		code: "TeapotException", msgs: []string{"short and stout"}},

	// Hostile bodies.
	{name: "502 HTML proxy page", status: 502, offSpec: true, ctype: "text/html",
		body: "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx/1.25.3</center>\n</body>\n</html>\n" + strings.Repeat("<!-- padding -->\n", 40),
		is:   []error{twenty.ErrServer}, snippet: "<html> <head><title>502 Bad Gateway</title></head> <body>"},
	{name: "401 HTML page", status: 401, offSpec: true, ctype: "text/html",
		body: "<html><body><h1>401 Authorization Required</h1></body></html>",
		is:   []error{twenty.ErrUnauthorized}, snippet: "<html><body><h1>401 Authorization Required</h1>"},
	{name: "503 plain text", status: 503, offSpec: true, ctype: "text/plain",
		body: "Service Unavailable\n",
		is:   []error{twenty.ErrServer}, snippet: "Service Unavailable"},
	{name: "500 empty body", status: 500, lenient: true,
		body: "",
		is:   []error{twenty.ErrServer}},
	{name: "403 empty body", status: 403, lenient: true,
		body: "",
		is:   []error{twenty.ErrForbidden}},
	{name: "504 empty body", status: 504, offSpec: true, ctype: "text/plain",
		body: "",
		is:   []error{twenty.ErrServer}},
	{name: "400 truncated JSON", status: 400, offSpec: true,
		body: `{"statusCode":400,"error":"BadRequestException","messages":["Invalid cur`,
		is:   []error{twenty.ErrBadRequest}, snippet: `{"statusCode":400,"error":"BadRequestException","messages":["Invalid cur`},
	{name: "404 JSON with the wrong content type", status: 404, offSpec: true, ctype: "text/plain; charset=utf-8",
		body: `{"statusCode":404,"error":"NotFoundException","messages":["Record not found"]}`,
		is:   []error{twenty.ErrNotFound}, code: "NotFoundException", msgs: []string{"Record not found"}},
	{name: "400 invalid UTF-8, not JSON", status: 400, offSpec: true, ctype: "text/plain",
		body: "bad \xff\xfe bytes \xc3",
		is:   []error{twenty.ErrBadRequest}, snippet: "bad \uFFFD"},
	{name: "400 invalid UTF-8 inside JSON", status: 400, lenient: true,
		body: "{\"statusCode\":400,\"error\":\"BadRequestException\",\"messages\":[\"bad \xff byte\"]}",
		is:   []error{twenty.ErrBadRequest}, code: "BadRequestException", msgs: []string{"bad \uFFFD byte"}},
	{name: "500 JSON null", status: 500, offSpec: true,
		body: `null`,
		is:   []error{twenty.ErrServer}, snippet: "null"},
	{name: "400 JSON array", status: 400, offSpec: true,
		body: `[{"error":"x"}]`,
		is:   []error{twenty.ErrBadRequest}, snippet: `[{"error":"x"}]`},
	{name: "400 JSON string", status: 400, offSpec: true,
		body: `"oops"`,
		is:   []error{twenty.ErrBadRequest}, snippet: `"oops"`},
	{name: "500 long message on many lines", status: 500, lenient: true,
		body: mustJSONString(map[string]any{"statusCode": 500, "error": "QueryFailedError\nDETAIL", "messages": []string{
			"duplicate key value violates unique constraint\nDETAIL:  Key (email)=(a@b.c) already exists.\r\n" + strings.Repeat("x", 5000)}}),
		is: []error{twenty.ErrServer}, code: "QueryFailedError\nDETAIL",
		msgs: []string{"duplicate key value violates unique constraint\nDETAIL:  Key (email)=(a@b.c) already exists.\r\n" + strings.Repeat("x", 5000)}},
	{name: "2 MB body", status: 500, offSpec: true, ctype: "text/plain",
		body: strings.Repeat("x", 2<<20),
		is:   []error{twenty.ErrServer}, snippet: "xxxxxxxx"},
}

func mustJSONString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func serveErrorCase(c errorCase) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range c.header {
			w.Header().Set(k, v)
		}
		ct := c.ctype
		if ct == "" {
			ct = "application/json; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(c.status)
		_, _ = io.WriteString(w, c.body)
	}
}

func checkAPIError(t *testing.T, c errorCase, err error) {
	t.Helper()
	require.Error(t, err)
	assertMatchesExactly(t, err, c.is...)
	var apiErr *twenty.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, c.status, apiErr.StatusCode)
	assert.Equal(t, http.MethodGet, apiErr.Method)
	assert.Equal(t, "/rest/people/{id}", apiErr.Path)
	assert.Equal(t, c.code, apiErr.Code)
	assert.Equal(t, c.msgs, apiErr.Messages)
	assert.Equal(t, c.retryAfter, apiErr.RetryAfter)
	assert.Equal(t, c.requestID, apiErr.RequestID)
	if c.snippet == "" {
		assert.Empty(t, apiErr.Snippet)
	} else {
		assert.True(t, strings.HasPrefix(apiErr.Snippet, c.snippet), "Snippet %q starts with %q", apiErr.Snippet, c.snippet)
		assert.LessOrEqual(t, utf8.RuneCountInString(apiErr.Snippet), 121, "a short snippet")
		assert.True(t, utf8.ValidString(apiErr.Snippet))
	}
	assert.Equal(t, c.status == 429 || c.status >= 500, apiErr.Temporary())

	msg := err.Error()
	assertOneShortLine(t, msg)
	assert.Contains(t, msg, strconv.Itoa(c.status))
	assert.Contains(t, msg, "/rest/people/{id}")
	if c.requestID != "" {
		assert.Contains(t, msg, c.requestID)
	}
	assert.NotContains(t, msg, personID(1), "the error names the operation, not the record")
}

// Every error body, through the typed layer and through the generated
// client, which must return (nil, *APIError) for a non-2xx answer.
func TestErrorClassification(t *testing.T) {
	t.Parallel()
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, serveErrorCase(c))
			srv.v.Lenient = c.offSpec || c.lenient
			client := srv.client(t, twenty.WithRetryPolicy(twenty.NoRetries))

			_, err := client.People().Get(t.Context(), personID(1), nil)
			checkAPIError(t, c, err)

			resp, err := client.API().FindOnePersonWithResponse(t.Context(), uuidOf(t, personID(1)), nil)
			assert.Nil(t, resp, "the generated client gets no response for a non-2xx answer")
			checkAPIError(t, c, err)

			assert.EqualValues(t, 2, srv.requests.Load(), "no retries with NoRetries")
			if c.offSpec {
				assert.NotEmpty(t, srv.v.Violations(), "the response is off-spec and the validator says so")
			}
		})
	}
}

// countingTransport counts the response bytes the client reads.
type countingTransport struct {
	next http.RoundTripper
	read atomic.Int64
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err == nil {
		resp.Body = &countingBody{resp.Body, &c.read}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func TestHugeErrorBodyIsReadThroughACap(t *testing.T) {
	t.Parallel()
	huge := `{"statusCode":500,"error":"InternalServerErrorException","messages":["` + strings.Repeat("a", 2<<20) + `"]}`
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusInternalServerError, huge)
	})
	srv.v.Lenient = true
	ct := &countingTransport{next: srv.v.Transport(srv.base, nil)}
	client := srv.client(t, twenty.WithRetryPolicy(twenty.NoRetries), twenty.WithHTTPClient(&http.Client{Transport: ct}))

	_, err := client.People().Get(t.Context(), personID(1), nil)
	assert.ErrorIs(t, err, twenty.ErrServer)
	var apiErr *twenty.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, ct.read.Load(), int64(1<<20+1), "at most 1 MiB of an error body is read")
	assert.Empty(t, apiErr.Messages, "the capped body is not valid JSON")
	assert.True(t, strings.HasPrefix(apiErr.Snippet, `{"statusCode":500`), apiErr.Snippet)
	assertOneShortLine(t, err.Error())

	ct.read.Store(0)
	_, err = client.API().FindOnePersonWithResponse(t.Context(), uuidOf(t, personID(1)), nil)
	assert.ErrorIs(t, err, twenty.ErrServer)
	assert.LessOrEqual(t, ct.read.Load(), int64(1<<20+1))
}

// unexpectedCase is a 2xx answer the client cannot read.
type unexpectedCase struct {
	name string
	body string
}

var unexpectedBodies = []unexpectedCase{
	{"JSON null", `null`},
	{"empty array", `[]`},
	{"empty body", ``},
	{"data null", `{"data":null}`},
	{"data empty", `{"data":{}}`},
	{"data array", `{"data":[]}`},
	{"data string", `{"data":"x"}`},
	{"truncated", `{"data":{"x":{"id":"` + personID(1)[:10]},
	{"HTML", `<html><body>Welcome to nginx!</body></html>`},
	{"JSON string", `"ok"`},
	{"trailing garbage", `{"data":{"x":{"id":"` + personID(1) + `"}}} {"more":1}`},
	{"payload of the wrong type", `{"data":{"x":42}}`},
	{"payload null", `{"data":{"x":null}}`},
}

// A 2xx whose body is not what the API sends is an *APIError matching
// ErrUnexpected, never a panic and never a zero value with a nil error.
func TestUnexpectedSuccessBodies(t *testing.T) {
	t.Parallel()
	ops := []struct {
		name   string
		method string
		path   string
		status int
		call   func(context.Context, *twenty.Client) error
	}{
		{"Get", http.MethodGet, "/rest/people/{id}", 200, func(ctx context.Context, c *twenty.Client) error {
			_, err := c.People().Get(ctx, personID(1), nil)
			return err
		}},
		{"untyped Get", http.MethodGet, "/rest/people/{id}", 200, func(ctx context.Context, c *twenty.Client) error {
			_, err := c.Object("people").Get(ctx, personID(1), nil)
			return err
		}},
		{"List", http.MethodGet, "/rest/people", 200, func(ctx context.Context, c *twenty.Client) error {
			_, err := c.People().List(ctx, nil)
			return err
		}},
		{"Create", http.MethodPost, "/rest/people", 201, func(ctx context.Context, c *twenty.Client) error {
			_, err := c.People().Create(ctx, api.Person{}, nil)
			return err
		}},
		{"Update", http.MethodPatch, "/rest/people/{id}", 200, func(ctx context.Context, c *twenty.Client) error {
			_, err := c.People().Update(ctx, personID(1), api.PersonForUpdate{}, nil)
			return err
		}},
		{"Delete", http.MethodDelete, "/rest/people/{id}", 200, func(ctx context.Context, c *twenty.Client) error {
			return c.People().Delete(ctx, personID(1))
		}},
		{"DeleteMany", http.MethodDelete, "/rest/people", 200, func(ctx context.Context, c *twenty.Client) error {
			_, err := c.People().DeleteMany(ctx, twenty.Field("city").Eq("x"))
			return err
		}},
		{"GroupBy", http.MethodGet, "/rest/people/groupBy", 200, func(ctx context.Context, c *twenty.Client) error {
			_, err := c.People().GroupBy(ctx, twenty.GroupByOptions{Fields: []twenty.GroupField{{Field: "city"}}})
			return err
		}},
		{"FindDuplicates", http.MethodPost, "/rest/people/duplicates", 200, func(ctx context.Context, c *twenty.Client) error {
			_, err := c.People().FindDuplicates(ctx, personID(1))
			return err
		}},
	}
	for _, op := range ops {
		for _, b := range unexpectedBodies {
			if op.name == "GroupBy" && b.body == `[]` {
				continue // an empty list of groups is a valid answer
			}
			if op.name == "Delete" && b.name == "payload null" {
				continue // nothing to return from a delete
			}
			if op.name == "FindDuplicates" && b.name == "data array" {
				continue // no duplicates at all is a valid answer
			}
			t.Run(op.name+"/"+b.name, func(t *testing.T) {
				t.Parallel()
				srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, op.status, b.body)
				})
				srv.v.Lenient = true
				client := srv.client(t)
				var err error
				require.NotPanics(t, func() { err = op.call(t.Context(), client) })
				require.Error(t, err)
				assertMatchesExactly(t, err, twenty.ErrUnexpected)
				var apiErr *twenty.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, op.method, apiErr.Method)
				assert.Equal(t, op.path, apiErr.Path)
				assert.False(t, apiErr.Temporary())
				assertOneShortLine(t, err.Error())
				assert.EqualValues(t, 1, srv.requests.Load(), "an unreadable success is not retried")
				assert.NotEmpty(t, srv.v.Violations(), "the validator also refuses this body")
			})
		}
	}
}

func TestErrorTextsAreOneLine(t *testing.T) {
	t.Parallel()
	ou := &twenty.OutcomeUnknownError{Method: http.MethodPost, Path: "/rest/people", Err: io.ErrUnexpectedEOF}
	assert.ErrorIs(t, ou, twenty.ErrOutcomeUnknown)
	assert.ErrorIs(t, ou, io.ErrUnexpectedEOF)
	assertOneShortLine(t, ou.Error())
	assert.Contains(t, ou.Error(), "POST /rest/people")

	be := &twenty.BatchError{Created: []twenty.Span{{0, 60}}, Failed: []twenty.Span{{60, 120}}, NotSent: []twenty.Span{{120, 180}, {180, 200}}, Err: ou}
	assertOneShortLine(t, be.Error())
	assert.Contains(t, be.Error(), "created 0..59; failed 60..119; not sent 120..179, 180..199")
	assert.ErrorIs(t, be, twenty.ErrOutcomeUnknown)
	var got *twenty.OutcomeUnknownError
	assert.ErrorAs(t, be, &got)
	assert.Contains(t, fmt.Sprint(&twenty.BatchError{Err: io.EOF}), "created none")
}
