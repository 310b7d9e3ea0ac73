package twenty_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/internal/spectest"
)

// Hostile responses: what a broken proxy, a misconfigured gateway or a
// server of another era may send. errors_test.go covers error bodies
// and unreadable 2xx bodies one operation at a time through Get; this
// table sends each response to the typed layer's List, Get, Create and
// All and to the generated client behind API(), and checks that each
// gives a typed error or a decoded record: never a panic, never an
// unbounded read.
//
// Decided here, and documented by the cases:
//   - The typed layer does not look at Content-Type: a 2xx body is
//     decoded if it is the JSON the API sends, whatever the header says,
//     as lenient as the real server is strict (it always sends
//     application/json).
//   - The generated client under API() decodes a 2xx body only when
//     Content-Type mentions json, and with encoding/json's errors: a
//     non-2xx answer is an *APIError (the doer's promise), a 2xx body
//     it cannot read is its own business (JSON200 stays nil, or the
//     json error comes back), never a panic.

// outcome is what a hostile response must give.
type outcome int

const (
	decoded    outcome = iota + 1 // the record, no error
	unexpected                    // *APIError matching ErrUnexpected
	statusErr                     // *APIError with the response's status
	tooLarge                      // an error matching ErrTooLarge
)

type hostileOp struct {
	name   string
	key    string // the payload's key in a success envelope
	list   bool   // the payload is a list of records
	status int    // the success status
	method string
	path   string // the path template errors name
	api    bool   // through the generated client
	call   func(ctx context.Context, c *twenty.Client) hostileResult
}

type hostileResult struct {
	recs []api.PersonForResponse
	err  error
	// noJSON: the generated client returned a response without JSON200
	// (it decodes only JSON content types); body is what it kept.
	noJSON bool
	body   []byte
}

var hostileOps = []hostileOp{
	{name: "List", key: "people", list: true, status: 200, method: "GET", path: "/rest/people",
		call: func(ctx context.Context, c *twenty.Client) hostileResult {
			p, err := c.People().List(ctx, &twenty.ListOptions{Limit: 10})
			if err != nil {
				return hostileResult{err: err}
			}
			return hostileResult{recs: p.Records}
		}},
	{name: "Get", key: "person", status: 200, method: "GET", path: "/rest/people/{id}",
		call: func(ctx context.Context, c *twenty.Client) hostileResult {
			p, err := c.People().Get(ctx, personID(1), nil)
			if err != nil {
				return hostileResult{err: err}
			}
			return hostileResult{recs: []api.PersonForResponse{p}}
		}},
	{name: "Create", key: "createPerson", status: 201, method: "POST", path: "/rest/people",
		call: func(ctx context.Context, c *twenty.Client) hostileResult {
			p, err := c.People().Create(ctx, api.Person{JobTitle: ptr("x")}, nil)
			if err != nil {
				return hostileResult{err: err}
			}
			return hostileResult{recs: []api.PersonForResponse{p}}
		}},
	{name: "All", key: "people", list: true, status: 200, method: "GET", path: "/rest/people",
		call: func(ctx context.Context, c *twenty.Client) hostileResult {
			var res hostileResult
			for p, err := range c.People().All(ctx, &twenty.ListOptions{Limit: 10}) {
				if err != nil {
					if res.err != nil {
						panic("All yielded a second error")
					}
					res.err = err
					continue
				}
				res.recs = append(res.recs, p)
			}
			return res
		}},
	{name: "API find one", key: "person", status: 200, method: "GET", path: "/rest/people/{id}", api: true,
		call: func(ctx context.Context, c *twenty.Client) hostileResult {
			var id api.ID
			_ = id.UnmarshalText([]byte(personID(1)))
			resp, err := c.API().FindOnePersonWithResponse(ctx, id, nil)
			if err != nil {
				return hostileResult{err: err}
			}
			if resp.JSON200 == nil {
				return hostileResult{noJSON: true, body: resp.Body}
			}
			return hostileResult{recs: []api.PersonForResponse{resp.JSON200.Data.Person}}
		}},
	{name: "API find many", key: "people", list: true, status: 200, method: "GET", path: "/rest/people", api: true,
		call: func(ctx context.Context, c *twenty.Client) hostileResult {
			resp, err := c.API().FindManyPeopleWithResponse(ctx, nil)
			if err != nil {
				return hostileResult{err: err}
			}
			if resp.JSON200 == nil {
				return hostileResult{noJSON: true, body: resp.Body}
			}
			return hostileResult{recs: resp.JSON200.Data.People}
		}},
	{name: "API create one", key: "createPerson", status: 201, method: "POST", path: "/rest/people", api: true,
		call: func(ctx context.Context, c *twenty.Client) hostileResult {
			resp, err := c.API().CreateOnePersonWithResponse(ctx, nil, api.Person{JobTitle: ptr("x")})
			if err != nil {
				return hostileResult{err: err}
			}
			if resp.JSON201 == nil {
				return hostileResult{noJSON: true, body: resp.Body}
			}
			return hostileResult{recs: []api.PersonForResponse{resp.JSON201.Data.CreatePerson}}
		}},
}

// successBody wraps one record as op's success envelope.
func successBody(op hostileOp, rec string) string {
	if op.list {
		return `{"data":{"people":[` + rec + `]},"pageInfo":{"startCursor":"c","endCursor":"c","hasNextPage":false,"hasPreviousPage":false},"totalCount":1}`
	}
	return `{"data":{"` + op.key + `":` + rec + `}}`
}

const (
	htmlPage = "<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head>\n<body><h1>We'll be back soon</h1></body></html>\n"
	bigBody  = 20 << 20 // a 20 MB answer
	smallCap = 1 << 20  // the success-body cap the big cases run with
)

type hostileCase struct {
	name   string
	status int // 0: the operation's success status
	ctype  string
	header map[string]string
	body   func(op hostileOp) string
	// big streams a body of bigBody bytes made of prefix and padding.
	big    bool
	prefix string

	want outcome
	// wantAPI is the generated client's outcome for a 2xx body, which it
	// parses itself; 0 means the same as want.
	wantAPI   apiOutcome
	violation bool // the validator must reject the response
	check     func(t *testing.T, p api.PersonForResponse)
}

type apiOutcome int

const (
	apiSame    apiOutcome = iota
	apiNoJSON             // (resp, nil) with JSON200 nil and the body kept
	apiJSONErr            // encoding/json's error
	apiZero               // decodes into a zero record
)

func fixed(s string) func(hostileOp) string { return func(hostileOp) string { return s } }

var hostileCases = []hostileCase{
	{name: "HTML page with 200", ctype: "text/html; charset=utf-8", body: fixed(htmlPage),
		want: unexpected, wantAPI: apiNoJSON, violation: true},
	{name: "HTML page with 502", status: 502, ctype: "text/html", body: fixed(htmlPage),
		want: statusErr, violation: true},
	{name: "empty body", ctype: "application/json", body: fixed(""),
		want: unexpected, wantAPI: apiJSONErr, violation: true},
	{name: "truncated JSON", ctype: "application/json",
		body: func(op hostileOp) string { s := successBody(op, mustJSONString(person(1))); return s[:len(s)*2/3] },
		want: unexpected, wantAPI: apiJSONErr, violation: true},
	{name: "text/plain holding valid JSON", ctype: "text/plain; charset=utf-8",
		body: func(op hostileOp) string { return successBody(op, mustJSONString(person(1))) },
		want: decoded, wantAPI: apiNoJSON, violation: true,
		check: func(t *testing.T, p api.PersonForResponse) {
			assert.Equal(t, personID(1), p.ID.String())
			assert.Equal(t, "1", p.Name.LastName)
		}},
	{name: "20 MB success body", ctype: "application/json", big: true,
		prefix: `{"data":{"person":{"id":"` + personID(1) + `","jobTitle":"`,
		want:   tooLarge},
	{name: "20 MB error page", status: 502, ctype: "text/html", big: true, prefix: "<html><body>",
		want: statusErr, violation: true},
	{name: "invalid UTF-8 inside strings", ctype: "application/json",
		body: func(op hostileOp) string {
			return successBody(op, `{"id":"`+personID(1)+"\",\"jobTitle\":\"bad \xff\xfe bytes\",\"name\":{\"firstName\":\"\xc3\x28\",\"lastName\":\"ok\"}}")
		},
		// Not a violation: the validator reads bodies with encoding/json
		// too, which replaces invalid bytes, as the client does.
		want: decoded,
		check: func(t *testing.T, p api.PersonForResponse) {
			assert.Equal(t, "bad \uFFFD\uFFFD bytes", p.JobTitle, "invalid bytes become U+FFFD")
			assert.Equal(t, "\uFFFD(", p.Name.FirstName)
			assert.Equal(t, "ok", p.Name.LastName)
		}},
	{name: "418", status: http.StatusTeapot, ctype: "text/plain", body: fixed("I'm a teapot"),
		want: statusErr, violation: true},
	{name: "302 without Location", status: http.StatusFound, ctype: "text/html", body: fixed("<a>moved</a>"),
		want: statusErr, violation: true},
	{name: "JSON null", ctype: "application/json", body: fixed("null"),
		want: unexpected, wantAPI: apiZero, violation: true},
	{name: `{"data":null}`, ctype: "application/json", body: fixed(`{"data":null}`),
		want: unexpected, wantAPI: apiZero, violation: true},
	{name: "unknown fields", ctype: "application/json",
		body: func(op hostileOp) string {
			rec := person(1)
			rec["favouriteColour"] = "teal"
			rec["nested"] = map[string]any{"deep": []any{1, "two", nil, map[string]any{"x": true}}}
			rec["name"].(map[string]any)["middleName"] = "Q"
			s := successBody(op, mustJSONString(rec))
			return strings.Replace(s, `{"data":`, `{"meta":{"server":"v9"},"data":`, 1)
		},
		// Not a violation: openapi.yaml leaves records open to new fields,
		// as a server upgrade adds them.
		want: decoded,
		check: func(t *testing.T, p api.PersonForResponse) {
			assert.Equal(t, personID(1), p.ID.String())
			assert.Equal(t, "Person", p.Name.FirstName)
		}},
	{name: "nulls where values are expected", ctype: "application/json",
		body: func(op hostileOp) string {
			return successBody(op, `{"id":"`+personID(1)+`","name":null,"emails":null,"phones":null,"city":null,"jobTitle":null,`+
				`"position":null,"createdAt":null,"updatedAt":null,"createdBy":null,"avatarFile":null,"companyId":null,"linkedinLink":{"primaryLinkUrl":null,"secondaryLinks":null}}`)
		},
		want: decoded, violation: true,
		check: func(t *testing.T, p api.PersonForResponse) {
			assert.Equal(t, personID(1), p.ID.String())
			// Null text and composites read as empty values, as the
			// newer server sends them; null numbers, times and ids stay nil.
			assert.Zero(t, p.Name)
			assert.Zero(t, p.Emails)
			//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
			assert.Empty(t, p.City)
			assert.Empty(t, p.JobTitle)
			assert.Nil(t, p.Position)
			assert.Nil(t, p.CreatedAt)
			assert.Nil(t, p.CompanyID)
			assert.Empty(t, p.LinkedinLink.PrimaryLinkURL)
		}},
}

// hostileServer serves one canned response per request, checked by the
// spec validator on the server side (a client-side validator would read
// the whole body first, hiding whether the client reads it unbounded).
type hostileServer struct {
	*httptest.Server
	v       *spectest.Validator
	written atomic.Int64 // body bytes the server managed to write
}

func newHostileServer(t *testing.T, c hostileCase, op hostileOp) *hostileServer {
	t.Helper()
	hs := &hostileServer{v: spectest.New(t, specFor(t))}
	hs.v.Lenient = true
	status := c.status
	if status == 0 {
		status = op.status
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range c.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", c.ctype)
		w.WriteHeader(status)
		if !c.big {
			n, _ := io.WriteString(w, c.body(op))
			hs.written.Add(int64(n))
			return
		}
		n, _ := io.WriteString(w, c.prefix)
		hs.written.Add(int64(n))
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for left := bigBody - n; left > 0; left -= len(chunk) {
			n, err := w.Write(chunk[:min(len(chunk), left)])
			hs.written.Add(int64(n))
			if err != nil {
				return // the client hung up
			}
		}
	})
	if c.big {
		hs.Server = httptest.NewServer(h) // the validator would keep all 20 MB
	} else {
		hs.Server = httptest.NewServer(hs.v.Middleware("", h))
	}
	t.Cleanup(hs.Close)
	return hs
}

func TestHostileResponses(t *testing.T) {
	t.Parallel()
	for _, c := range hostileCases {
		for _, op := range hostileOps {
			t.Run(c.name+"/"+op.name, func(t *testing.T) {
				t.Parallel()
				hs := newHostileServer(t, c, op)
				ct := &countingTransport{next: http.DefaultTransport}
				opts := []twenty.Option{
					twenty.WithAPIKey(plantedKey),
					twenty.WithBaseURL(hs.URL),
					twenty.WithHTTPClient(&http.Client{Transport: ct}),
					twenty.WithRetryPolicy(twenty.NoRetries),
				}
				if c.big {
					opts = append(opts, twenty.WithMaxResponseBytes(smallCap))
				}
				client, err := twenty.NewClient(opts...)
				require.NoError(t, err)

				var res hostileResult
				require.NotPanics(t, func() { res = op.call(t.Context(), client) })
				checkHostile(t, c, op, res)

				if c.big {
					limit := int64(smallCap)
					if c.status >= 300 {
						limit = 1 << 20 // the error-body cap
					}
					assert.LessOrEqual(t, ct.read.Load(), limit+1, "the client reads through its cap")
					assert.Less(t, hs.written.Load(), int64(bigBody), "the server could not push the whole body")
					t.Logf("client read %d bytes, server wrote %d of %d", ct.read.Load(), hs.written.Load(), bigBody)
					return
				}
				ex := hs.v.Exchanges()
				require.Len(t, ex, 1)
				if c.violation {
					assert.Error(t, ex[0].Violation, "the validator rejects this response")
				} else {
					assert.NoError(t, ex[0].Violation, "the validator accepts this response")
				}
			})
		}
	}
}

func checkHostile(t *testing.T, c hostileCase, op hostileOp, res hostileResult) {
	t.Helper()
	status := c.status
	if status == 0 {
		status = op.status
	}
	want := c.want
	if op.api && status < 300 && c.wantAPI != apiSame {
		switch c.wantAPI {
		case apiNoJSON:
			require.NoError(t, res.err)
			assert.True(t, res.noJSON, "JSON200 stays nil for a non-JSON content type")
			assert.Equal(t, c.body(op), string(res.body), "the body is kept")
		case apiJSONErr:
			require.Error(t, res.err)
			var se *json.SyntaxError
			assert.True(t, errors.As(res.err, &se) || errors.Is(res.err, io.ErrUnexpectedEOF) ||
				strings.Contains(res.err.Error(), "unexpected end of JSON input"), "encoding/json's error: %v", res.err)
			assertOneShortLine(t, res.err.Error())
		case apiZero:
			require.NoError(t, res.err)
			require.False(t, res.noJSON)
			if op.list {
				assert.Empty(t, res.recs)
			} else {
				require.Len(t, res.recs, 1)
				assert.Equal(t, api.PersonForResponse{}, res.recs[0])
			}
		}
		return
	}
	switch want {
	case decoded:
		require.NoError(t, res.err)
		require.Len(t, res.recs, 1)
		c.check(t, res.recs[0])
		return
	case tooLarge:
		require.Error(t, res.err)
		assertMatchesExactly(t, res.err, twenty.ErrTooLarge)
	case unexpected:
		require.Error(t, res.err)
		assertMatchesExactly(t, res.err, twenty.ErrUnexpected)
		var apiErr *twenty.APIError
		require.ErrorAs(t, res.err, &apiErr)
		assert.Equal(t, status, apiErr.StatusCode, "an unreadable 2xx keeps its status")
		assert.Equal(t, op.method, apiErr.Method)
		assert.Equal(t, op.path, apiErr.Path)
	case statusErr:
		require.Error(t, res.err)
		var apiErr *twenty.APIError
		require.ErrorAs(t, res.err, &apiErr)
		assert.Equal(t, status, apiErr.StatusCode)
		assert.Equal(t, op.method, apiErr.Method)
		assert.Equal(t, op.path, apiErr.Path)
		switch {
		case status >= 500 && op.method == http.MethodPost:
			assertMatchesExactly(t, res.err, twenty.ErrServer, twenty.ErrOutcomeUnknown)
		case status >= 500:
			assertMatchesExactly(t, res.err, twenty.ErrServer)
		default:
			assertMatchesExactly(t, res.err) // no sentinel claims a 418 or a 302
		}
		assert.NotEmpty(t, apiErr.Snippet, "the start of the body is kept")
	}
	assert.Empty(t, res.recs)
	assertOneShortLine(t, res.err.Error())
	assert.NotContains(t, fmt.Sprintf("%+v", res.err), "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"no more than a snippet of the body")
}
