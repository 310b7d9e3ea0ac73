package twenty_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/authn"
)

// Fuzz targets of the client's input handling: error bodies, success
// bodies, cursors and base URLs. They run without a network: an in-memory
// RoundTripper answers, so a fuzz worker does hundreds of thousands of
// calls. The filter builder's fuzz targets (FuzzBuilderRoundTrip,
// FuzzRawFilter) are in filter_test.go; `make fuzz` runs them all.

// roundTripFunc answers requests in memory.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func respond(r *http.Request, status int, header http.Header, body []byte) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json; charset=utf-8")
	}
	return &http.Response{
		StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: header, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r,
	}
}

const fuzzBase = "https://twenty.fuzz.invalid"

func fuzzClient(t *testing.T, rt roundTripFunc, opts ...twenty.Option) *twenty.Client {
	t.Helper()
	c, err := twenty.NewClient(append([]twenty.Option{
		twenty.WithAPIKey(plantedJWT),
		twenty.WithBaseURL(fuzzBase),
		twenty.WithHTTPClient(&http.Client{Transport: rt}),
		twenty.WithRetryPolicy(twenty.NoRetries),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkErrorText is what every error text promises: one line of valid
// UTF-8, bounded, without the key.
func checkErrorText(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) || len(msg) > 1000 {
		t.Fatalf("not one short line of UTF-8 (%d bytes): %q", len(msg), msg)
	}
	for _, out := range []string{msg, fmt.Sprintf("%#v", err), fmt.Sprintf("%+v", err)} {
		if strings.Contains(out, secretMarker) {
			t.Fatalf("the key leaks: %q", out)
		}
	}
}

// FuzzErrorBody sends any body with any error status: the answer is an
// *APIError with that status, the sentinel the status calls for, and a
// one-line text, through the typed layer and the generated client. "$KEY"
// in the body stands for the client's key, echoed back by the server: it
// must never reach the error.
func FuzzErrorBody(f *testing.F) {
	for _, c := range errorCases {
		if len(c.body) < 8<<10 {
			f.Add(uint16(c.status), []byte(c.body), c.header["Retry-After"], c.ctype)
		}
	}
	f.Add(uint16(401), []byte(`{"statusCode":401,"messages":["Token invalid: $KEY"],"error":"UNAUTHENTICATED"}`), "", "")
	f.Add(uint16(500), []byte("<pre>Authorization: Bearer $KEY</pre>"), "", "text/html")
	f.Add(uint16(429), []byte(`{"retryAfterSeconds":1e308}`), "1e308", "")
	f.Add(uint16(429), []byte(`{"retryAfterSeconds":-1}`), "Wed, 21 Oct 2015 07:28:00 GMT", "")
	f.Add(uint16(503), []byte("\xff\xfe\x00"), "-5", "text/plain")
	f.Fuzz(func(t *testing.T, rawStatus uint16, body []byte, retryAfter, ctype string) {
		status := 400 + int(rawStatus)%200
		body = bytes.ReplaceAll(body, []byte("$KEY"), []byte(plantedJWT))
		header := http.Header{}
		if retryAfter != "" && !strings.ContainsAny(retryAfter, "\r\n\x00") {
			header.Set("Retry-After", retryAfter)
		}
		if ctype != "" && !strings.ContainsAny(ctype, "\r\n\x00") {
			header.Set("Content-Type", ctype)
		}
		c := fuzzClient(t, func(r *http.Request) (*http.Response, error) {
			return respond(r, status, header.Clone(), body), nil
		})
		_, typed := c.People().Get(context.Background(), personID(1), nil)
		_, generated := c.API().FindOnePersonWithResponse(context.Background(), api.ID{1}, nil)
		for _, err := range []error{typed, generated} {
			var apiErr *twenty.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("status %d: %T %v is not an *APIError", status, err, err)
			}
			if apiErr.StatusCode != status || apiErr.Method != http.MethodGet || apiErr.Path != "/rest/people/{id}" {
				t.Fatalf("wrong status, method or path: %+v", apiErr)
			}
			if apiErr.RetryAfter < 0 {
				t.Fatalf("negative RetryAfter %v", apiErr.RetryAfter)
			}
			if apiErr.Temporary() != (status == 429 || status >= 500) {
				t.Fatalf("Temporary() = %v for %d", apiErr.Temporary(), status)
			}
			var want error
			switch {
			case status == 400 || status == 413 || status == 422:
				want = twenty.ErrBadRequest
			case status == 404:
				want = twenty.ErrNotFound
			case status == 409:
				want = twenty.ErrConflict
			case status == 429:
				want = twenty.ErrRateLimited
			case status >= 500:
				want = twenty.ErrServer
			case status == 401:
				if !errors.Is(err, twenty.ErrUnauthorized) && !errors.Is(err, twenty.ErrExpiredAPIKey) &&
					!errors.Is(err, twenty.ErrRevokedAPIKey) && !errors.Is(err, twenty.ErrMissingAuthHeader) {
					t.Fatalf("a 401 that is no authentication error: %v", err)
				}
			}
			if want != nil && !errors.Is(err, want) {
				t.Fatalf("%v does not match %v", err, want)
			}
			if errors.Is(err, twenty.ErrUnexpected) || errors.Is(err, twenty.ErrOutcomeUnknown) {
				t.Fatalf("a GET's error answer is neither unexpected nor of unknown outcome: %v", err)
			}
			checkErrorText(t, err)
		}
	})
}

// FuzzSuccessBody sends any body with a 2xx status: the typed layer
// either decodes records or returns an *APIError matching ErrUnexpected.
func FuzzSuccessBody(f *testing.F) {
	rec := mustJSONString(person(1))
	for _, b := range []string{
		`{"data":{"person":` + rec + `}}`,
		`{"data":{"people":[` + rec + `]},"pageInfo":{"startCursor":"a","endCursor":"b","hasNextPage":true,"hasPreviousPage":false},"totalCount":2}`,
		`{"data":{"createPerson":` + rec + `}}`,
		`{"data":{"people":[]},"pageInfo":{"hasNextPage":true,"endCursor":null},"totalCount":null}`,
		`{"headers":{"Authorization":"Bearer $KEY"}}`,
		// Values that do not fit, for the repair path (lenient.go).
		`{"data":{"people":[{"id":"` + personID(1) + `","position":"1.5","name":{"firstName":7},"emails":{"additionalEmails":"a@b.c"}},` + rec + `]},"totalCount":2}`,
		`{"data":{"person":{"id":"` + personID(1) + `","createdAt":"2024-01-02","companyId":"","avatarFile":{"fileId":"x"}}}}`,
		`{"data":{"person":{"id":"` + personID(1) + `","company":{"id":"` + personID(2) + `","employees":12.5,"people":[{"name":"x"},5]}}}}`,
		`{"data":{"people":[{"createdAt":"Bearer $KEY"},"not a record"]}}`,
		`{"data":{"people":[{"position":1e400,"phones":{"primaryPhoneNumber":612}}]},"pageInfo":{"hasNextPage":"yes"}}`,
		`{"data":{"person":` + strings.Repeat(`{"company":{"people":[`, 20) + `{"jobTitle":{}}` + strings.Repeat(`]}}`, 20) + `}}`, // deeper than repairs go
	} {
		f.Add([]byte(b), false)
	}
	for _, c := range unexpectedBodies {
		f.Add([]byte(c.body), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, created bool) {
		body = bytes.ReplaceAll(body, []byte("$KEY"), []byte(plantedJWT))
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		c := fuzzClient(t, func(r *http.Request) (*http.Response, error) {
			return respond(r, status, nil, body), nil
		})
		ctx := context.Background()
		check := func(op string, n int, err error) {
			t.Helper()
			if err == nil {
				if n < 0 {
					t.Fatalf("%s: no error and no record", op)
				}
				return
			}
			var apiErr *twenty.APIError
			if !errors.As(err, &apiErr) || !errors.Is(err, twenty.ErrUnexpected) {
				t.Fatalf("%s: %T %v is not an unexpected-body *APIError", op, err, err)
			}
			if apiErr.StatusCode != status {
				t.Fatalf("%s: status %d, want %d", op, apiErr.StatusCode, status)
			}
			checkErrorText(t, err)
		}
		_, err := c.People().Get(ctx, personID(1), nil)
		check("Get", 1, err)
		_, err = c.Object("people").Get(ctx, personID(1), nil)
		check("untyped Get", 1, err)
		_, err = c.People().Create(ctx, api.Person{}, nil)
		check("Create", 1, err)
		page, err := c.People().List(ctx, nil)
		if err == nil {
			check("List", len(page.Records), nil)
		} else {
			check("List", 0, err)
		}
		n := 0
		for _, err := range c.People().All(ctx, nil) {
			if err != nil {
				// A page that says there is more with a cursor already
				// seen ends as a repeated cursor, which matches
				// ErrUnexpected without being one response's *APIError.
				if !errors.Is(err, twenty.ErrUnexpected) {
					t.Fatalf("All: %v", err)
				}
				checkErrorText(t, err)
				break
			}
			if n++; n > 1000 {
				t.Fatal("All does not end")
			}
		}
	})
}

// FuzzCursorRoundTrip has the server hand out any cursor: the client sends
// it back byte for byte in starting_after (All) and, given to it, in
// starting_after and ending_before (List).
func FuzzCursorRoundTrip(f *testing.F) {
	for _, s := range []string{
		"eyJpZCI6IjEifQ==", "a+b/c=d", "a b&c=d;e", "%2F%zz", "\x00\x01\u2028", "\xff\xfe", "?#[]@!$&'()*+,;=",
		strings.Repeat("é", 300), `"quoted"\`, "\u202e", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		// The cursor as the server's JSON carries it: invalid UTF-8 comes
		// back as U+FFFD, which is what the client then holds.
		raw, err := json.Marshal(cursor)
		if err != nil {
			t.Skip()
		}
		var want string
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var sent []url.Values
		c := fuzzClient(t, func(r *http.Request) (*http.Response, error) {
			q, err := url.ParseQuery(r.URL.RawQuery)
			if err != nil {
				t.Errorf("query %q does not parse: %v", r.URL.RawQuery, err)
			}
			mu.Lock()
			sent = append(sent, q)
			n := len(sent)
			mu.Unlock()
			if n == 1 && !q.Has("starting_after") && !q.Has("ending_before") {
				return respond(r, 200, nil, []byte(`{"data":{"people":[`+mustJSONString(person(1))+`]},"pageInfo":{"startCursor":"s","endCursor":`+string(raw)+
					`,"hasNextPage":true,"hasPreviousPage":false},"totalCount":2}`)), nil
			}
			return respond(r, 200, nil, []byte(`{"data":{"people":[`+mustJSONString(person(2))+`]},"pageInfo":{"startCursor":"x","endCursor":"y","hasNextPage":false,"hasPreviousPage":true},"totalCount":2}`)), nil
		})
		ctx := context.Background()
		var ids []string
		for p, err := range c.People().All(ctx, nil) {
			if err != nil {
				t.Fatalf("All: %v", err)
			}
			ids = append(ids, p.ID.String())
		}
		if want == "" {
			// An empty end cursor cannot be followed: All stops there.
			if len(ids) != 1 || len(sent) != 1 {
				t.Fatalf("empty cursor: got %v after %d requests", ids, len(sent))
			}
			return
		}
		if len(ids) != 2 || len(sent) != 2 {
			t.Fatalf("got %v after %d requests", ids, len(sent))
		}
		if got := sent[1].Get("starting_after"); got != want {
			t.Fatalf("starting_after = %q, the server sent %q", got, want)
		}

		for _, opts := range []*twenty.ListOptions{{StartingAfter: want}, {EndingBefore: want}} {
			sent = nil
			if _, err := c.People().List(ctx, opts); err != nil {
				t.Fatalf("List: %v", err)
			}
			if sent[0].Get("starting_after") != opts.StartingAfter || sent[0].Get("ending_before") != opts.EndingBefore {
				t.Fatalf("List sent %v for %+v", sent[0], opts)
			}
		}
	})
}

// FuzzWithBaseURL builds a client on any base URL: it is refused with
// ErrInvalidBaseURL (or ErrInsecureTransport for plain http to a host
// other than loopback), or requests go to exactly the normalised base plus
// the REST path, errors name the path template without the base's own
// path, and the key goes over plain http only to loopback.
func FuzzWithBaseURL(f *testing.F) {
	for _, s := range []string{
		"", "https://api.twenty.com", "https://crm.example.com/twenty/rest/", "HTTP://LOCALHOST:3000/rest",
		"http://127.0.0.1:3000", "http://crm.internal", "https://x/a%2Fb/rest", "https://x/rest/people",
		"https://x/" + personID(1), "http://[::1]:80/", "https://u:p@x", "https://x?q", "https://x/%7e/",
		"https://x/a b", "https://x/a;b", "http://localhost./", "https://x:443", "https://0/%2F",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var mu sync.Mutex
		var urls []string
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			urls = append(urls, r.URL.String())
			mu.Unlock()
			if r.Header.Get("Authorization") != "Bearer "+plantedJWT {
				t.Errorf("no key on %s", r.URL)
			}
			return respond(r, 404, nil, []byte(`{"statusCode":404,"error":"NotFoundException","messages":["Record not found"]}`)), nil
		})
		c, err := twenty.NewClient(twenty.WithAPIKey(plantedJWT), twenty.WithBaseURL(raw),
			twenty.WithHTTPClient(&http.Client{Transport: rt}), twenty.WithRetryPolicy(twenty.NoRetries))
		if errors.Is(err, authn.ErrInsecureTransport) {
			// Refused when built: plain http to a host that is not loopback.
			norm, nerr := authn.NormalizeBaseURL(raw)
			u, _ := url.Parse(norm)
			if nerr != nil || u.Scheme != "http" || authn.IsLoopback(u.Hostname()) {
				t.Fatalf("%q: refused as insecure: %v", raw, err)
			}
			checkErrorText(t, err)
			return
		}
		if err != nil {
			if !errors.Is(err, authn.ErrInvalidBaseURL) {
				t.Fatalf("%q: %v does not wrap ErrInvalidBaseURL", raw, err)
			}
			checkErrorText(t, err)
			return
		}
		base := c.BaseURL()
		if want, _ := authn.NormalizeBaseURL(raw); base != want {
			t.Fatalf("BaseURL() = %q, NormalizeBaseURL gives %q", base, want)
		}
		again, err := twenty.NewClient(twenty.WithAPIKey(plantedJWT), twenty.WithBaseURL(base))
		if err != nil || again.BaseURL() != base {
			t.Fatalf("%q -> %q is not a fixed point: %v", raw, base, err)
		}
		if strings.Contains(c.String(), secretMarker) {
			t.Fatal("the key leaks from String()")
		}

		_, err = c.People().Get(context.Background(), personID(7), nil)
		u, _ := url.Parse(base)
		ip, ipErr := netip.ParseAddr(u.Hostname())
		loopback := strings.EqualFold(u.Hostname(), "localhost") || ipErr == nil && ip.IsLoopback()
		if errors.Is(err, authn.ErrInsecureTransport) {
			if u.Scheme != "http" || loopback || len(urls) != 0 {
				t.Fatalf("%s: refused as insecure after %d requests", base, len(urls))
			}
			return
		}
		if u.Scheme == "http" && !loopback {
			t.Fatalf("%s: the key went over plain http to %v (err %v)", base, urls, err)
		}
		if len(urls) != 1 {
			t.Fatalf("%s: %d requests: %v (err %v)", base, len(urls), urls, err)
		}
		if want := base + "/rest/people/" + personID(7); urls[0] != want {
			t.Fatalf("request to %q, want %q", urls[0], want)
		}
		var apiErr *twenty.APIError
		if !errors.As(err, &apiErr) || !errors.Is(err, twenty.ErrNotFound) {
			t.Fatalf("%v is not the 404", err)
		}
		if apiErr.Path != "/rest/people/{id}" {
			t.Fatalf("base %s: error names %q, want the template", base, apiErr.Path)
		}
		checkErrorText(t, err)
	})
}

// TestMakefileListsEveryFuzzTarget keeps `make fuzz` complete: every
// func FuzzX in this module's packages is in FUZZ_TARGETS, and nothing
// else is.
func TestMakefileListsEveryFuzzTarget(t *testing.T) {
	t.Parallel()
	mk, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(mk), "\nFUZZ_TARGETS =")
	if !ok {
		t.Fatal("no FUZZ_TARGETS in the Makefile")
	}
	listed := map[string]bool{}
	for line := range strings.SplitSeq(block, "\n") {
		for f := range strings.FieldsSeq(strings.TrimSuffix(line, "\\")) {
			listed[f] = true
		}
		if !strings.HasSuffix(line, "\\") {
			break
		}
	}

	fuzzFunc := regexp.MustCompile(`(?m)^func (Fuzz\w*)\(`)
	found := map[string]bool{}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != "." {
				return filepath.SkipDir // another module, such as bench/
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		pkg := "."
		if dir := filepath.Dir(path); dir != "." {
			pkg = "./" + filepath.ToSlash(dir)
		}
		for _, m := range fuzzFunc.FindAllStringSubmatch(string(src), -1) {
			found[pkg+":"+m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for f := range found {
		if !listed[f] {
			t.Errorf("%s is missing from FUZZ_TARGETS in the Makefile", f)
		}
	}
	for f := range listed {
		if !found[f] {
			t.Errorf("FUZZ_TARGETS lists %s, which does not exist", f)
		}
	}
	if len(found) < 12 {
		t.Errorf("found only %d fuzz targets: %v", len(found), found)
	}
}
