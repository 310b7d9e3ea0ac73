// Package spectest checks HTTP exchanges against openapi.yaml with
// kin-openapi, on the client side (a RoundTripper) or the server side (a
// handler middleware), so tests cannot pass on traffic the spec does not
// describe.
package spectest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// routingBase is the single server URL the router knows; requests are
// rewritten onto it, so one router serves every test server.
const routingBase = "http://spec.invalid"

// Reporter receives violations; *testing.T satisfies it.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Spec is a loaded, validated openapi.yaml.
type Spec struct {
	Doc    *openapi3.T
	router routers.Router
}

var bearerRE = regexp.MustCompile(`^Bearer \S+$`)

// Load parses and validates a spec and prepares its router.
func Load(data []byte) (*Spec, error) { return load(data, true) }

// LoadGenerated is Load for a spec fresh from internal/specgen, whose
// output is validated by this module's own tests: it skips the document
// validation, a third of the cost, for callers that regenerate often.
func LoadGenerated(data []byte) (*Spec, error) { return load(data, false) }

func load(data []byte, validate bool) (*Spec, error) {
	loader := openapi3.NewLoader()
	var doc *openapi3.T
	if len(data) > 0 && data[0] == '{' {
		// kin-openapi reads JSON through its YAML parser; encoding/json
		// is several times faster, which the fake needs when it
		// regenerates its spec after a data-model change.
		doc = &openapi3.T{}
		if err := json.Unmarshal(data, doc); err != nil {
			return nil, fmt.Errorf("spectest: load: %w", err)
		}
		if err := loader.ResolveRefsIn(doc, nil); err != nil {
			return nil, fmt.Errorf("spectest: load: %w", err)
		}
	} else {
		var err error
		if doc, err = loader.LoadFromData(data); err != nil {
			return nil, fmt.Errorf("spectest: load: %w", err)
		}
	}
	if validate {
		if err := doc.Validate(context.Background(), openapi3.EnableMultiError(), openapi3.EnableExamplesValidation()); err != nil {
			return nil, fmt.Errorf("spectest: invalid spec: %w", err)
		}
	}
	routed := *doc
	routed.Servers = openapi3.Servers{{URL: routingBase}}
	router, err := legacy.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("spectest: router: %w", err)
	}
	return &Spec{Doc: doc, router: router}, nil
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*Spec{}
)

// LoadCached is Load memoised by content: tests share one parse.
func LoadCached(data []byte) (*Spec, error) {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if s, ok := cache[string(data)]; ok {
		return s, nil
	}
	s, err := Load(data)
	if err == nil {
		cache[string(data)] = s
	}
	return s, err
}

// Exchange is one checked request/response pair.
type Exchange struct {
	OperationID string
	Method      string
	Path        string
	Status      int
	Violation   error // nil when both request and response match the spec
	// Body is the response body of a violating exchange (nil otherwise),
	// for callers that judge it further or report it.
	Body []byte
}

// Validator checks exchanges and reports violations.
type Validator struct {
	spec *Spec
	rep  Reporter
	// Lenient records violations without reporting them, for tests that
	// feed deliberately broken responses and assert on Violations.
	Lenient bool
	// SkipAuth skips the security requirement, for tests that send bad
	// or missing credentials on purpose.
	SkipAuth bool

	mu        sync.Mutex
	exchanges []Exchange
}

// New returns a validator reporting to rep.
func New(rep Reporter, spec *Spec) *Validator { return &Validator{spec: spec, rep: rep} }

// Exchanges returns every exchange seen so far.
func (v *Validator) Exchanges() []Exchange {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Exchange(nil), v.exchanges...)
}

// Violations returns the exchanges that broke the spec.
func (v *Validator) Violations() []Exchange {
	var out []Exchange
	for _, e := range v.Exchanges() {
		if e.Violation != nil {
			out = append(out, e)
		}
	}
	return out
}

func (v *Validator) options() *openapi3filter.Options {
	return &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			if v.SkipAuth {
				return nil
			}
			if in.SecuritySchemeName != "bearerAuth" {
				return fmt.Errorf("unexpected security scheme %q", in.SecuritySchemeName)
			}
			if !bearerRE.MatchString(in.RequestValidationInput.Request.Header.Get("Authorization")) {
				return errors.New("missing or malformed Authorization: Bearer header")
			}
			return nil
		},
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
		},
	}
}

// FindRoute finds the operation for req, whose URL sits under base (the
// server's base URL, possibly with a path prefix).
func (s *Spec) FindRoute(req *http.Request, base string) (*routers.Route, map[string]string, error) {
	route, params, _, err := s.route(req, base)
	return route, params, err
}

func (s *Spec) route(req *http.Request, base string) (*routers.Route, map[string]string, *http.Request, error) {
	u := *req.URL
	prefix := ""
	if base != "" {
		bu, err := url.Parse(base)
		if err != nil {
			return nil, nil, nil, err
		}
		prefix = strings.TrimSuffix(bu.Path, "/")
	}
	if !strings.HasPrefix(u.Path, prefix+"/") {
		return nil, nil, nil, fmt.Errorf("path %q is outside base %q", u.Path, base)
	}
	u.Path = strings.TrimPrefix(u.Path, prefix)
	u.RawPath = ""
	u.Scheme, u.Host = "http", "spec.invalid"
	r2 := req.Clone(req.Context())
	r2.URL = &u
	route, params, err := s.router.FindRoute(r2)
	return route, params, r2, err
}

func (v *Validator) record(e Exchange) {
	v.mu.Lock()
	v.exchanges = append(v.exchanges, e)
	v.mu.Unlock()
	if e.Violation != nil && !v.Lenient {
		v.rep.Helper()
		v.rep.Errorf("spectest: %s %s (%s) -> %d breaks openapi.yaml: %v", e.Method, e.Path, e.OperationID, e.Status, e.Violation)
	}
}

// check validates one exchange. reqBody and respBody are the full bodies.
func (v *Validator) check(req *http.Request, base string, reqBody []byte, status int, header http.Header, respBody []byte) {
	e := Exchange{Method: req.Method, Path: req.URL.Path, Status: status}
	route, params, r2, err := v.spec.route(req, base)
	if err != nil {
		e.Violation = fmt.Errorf("no operation matches: %w", err)
		e.Body = bytes.Clone(respBody)
		v.record(e)
		return
	}
	e.OperationID = route.Operation.OperationID
	opts := v.options()
	r2.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{Request: r2, PathParams: params, Route: route, Options: opts}
	var errs []error
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		errs = append(errs, fmt.Errorf("request: %w", err))
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		errs = append(errs, fmt.Errorf("response: %w", err))
	}
	e.Violation = errors.Join(errs...)
	if e.Violation != nil {
		e.Body = bytes.Clone(respBody)
	}
	v.record(e)
}

// Transport wraps next (nil: http.DefaultTransport) so every exchange the
// client makes with the server at base is checked.
func (v *Validator) Transport(base string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{v: v, base: base, next: next}
}

type transport struct {
	v    *Validator
	base string
	next http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.GetBody != nil {
		rc, err := req.GetBody()
		if err == nil {
			reqBody, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		// A truncated body is the client's problem to handle, not a spec
		// question: hand back what arrived plus the read error.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{rerr}))
		return resp, nil
	}
	t.v.check(req, t.base, reqBody, resp.StatusCode, resp.Header, body)
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// Middleware checks every exchange a handler serves under base.
func (v *Validator) Middleware(base string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqBody, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		v.check(r, base, reqBody, rec.status, w.Header(), rec.body.Bytes())
	})
}

type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
