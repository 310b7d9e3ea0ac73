package twentytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/query"
	"github.com/twenty-go/twenty/internal/specgen"
	"github.com/twenty-go/twenty/internal/spectest"
)

// ErrorFormat selects the body of authentication failures. Other errors
// always use the body the real server sends: {statusCode, error, messages}.
//
// The default is Real, since the fidelity suite (the server's own REST
// integration tests, ported) showed that tests written against the
// documented body pass against the fake and fail against Twenty. Before
// that the default was Documented: tests that expect its 401s and
// {"error":{"code"}} bodies now need WithErrorFormat(Documented).
type ErrorFormat int

const (
	// Documented answers every authentication failure with status 401 and
	// the body of Twenty's API documentation:
	// {"error":{"message","code","details":{}}}, code one of UNAUTHORIZED,
	// MISSING_AUTH_HEADER, EXPIRED_API_KEY, REVOKED_API_KEY. 401 for all
	// four because that is how the documentation lists them; no server
	// sends it.
	Documented ErrorFormat = iota
	// Real (the default) answers as the real server's auth middleware
	// does: missing header 403 FORBIDDEN_EXCEPTION "Missing authentication
	// token", invalid or malformed key 401 UNAUTHENTICATED "Token
	// invalid.", expired key 401 UNAUTHENTICATED "Token has expired.",
	// revoked key 403 FORBIDDEN_EXCEPTION, with {statusCode, messages,
	// error} bodies.
	Real
)

func (f ErrorFormat) String() string {
	if f == Real {
		return "Real"
	}
	return "Documented"
}

// Option configures a Server.
type Option func(*config)

type config struct {
	seed        bool
	errorFormat ErrorFormat
	latency     time.Duration
	maxBatch    int
	budget      int
	window      time.Duration
	clock       func() time.Time
	logger      *slog.Logger
	model       *model.Model
	modelErr    error
	specYAML    []byte
	faults      []Fault
	lenientReqs bool
	metaFormat  MetadataFormat
	anyHookHost bool

	noRelationBlocks bool
}

// WithSeed fills the workspace with the sample data (default true).
func WithSeed(on bool) Option { return func(c *config) { c.seed = on } }

// WithErrorFormat chooses the body of authentication failures: Real (the
// default) or Documented.
func WithErrorFormat(f ErrorFormat) Option { return func(c *config) { c.errorFormat = f } }

// WithLatency delays every response by d.
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithMaxBatch sets the server's QUERY_MAX_RECORDS (default 200): how many
// records one batch create may carry and the largest page a list returns
// (larger limits are clamped silently, as the server does). Older releases
// used lower values.
func WithMaxBatch(n int) Option { return func(c *config) { c.maxBatch = n } }

// WithRequestBudget allows n authenticated requests per window (a fixed
// window starting at the first request), then answers 429 as newer servers
// do: a RATE_LIMITED body with retryAfterSeconds and the Retry-After,
// X-RateLimit-Limit and X-RateLimit-Remaining headers. n <= 0 disables it.
func WithRequestBudget(n int, window time.Duration) Option {
	return func(c *config) { c.budget, c.window = n, window }
}

// WithClock replaces time.Now for timestamps, key expiry and the budget.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithLogger logs every exchange at debug level and every spec violation at
// error level.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithFaults schedules faults from the start, as FailNext would.
func WithFaults(faults ...Fault) Option {
	return func(c *config) { c.faults = append(c.faults, faults...) }
}

// withModel serves another data model (this module's own tests; users
// pass theirs as JSON with WithModelJSON). Traffic is then validated
// against the spec generated from that model.
func withModel(m *model.Model) Option { return func(c *config) { c.model = m } }

// WithModelJSON serves the data model in data: the JSON that
// `twenty-spec -from-env -write-model model.json` writes for a workspace, so
// a fake can serve your custom objects exactly as your spec describes them.
// An invalid model makes NewServer fail the test and Start return an error.
func WithModelJSON(data []byte) Option {
	return func(c *config) {
		m, err := model.Parse(data)
		if err != nil {
			c.modelErr = err
			return
		}
		c.model = m
	}
}

// AllowOffSpecRequests stops treating a request that breaks openapi.yaml
// but which the fake accepted (a limit above 200, say, which the real server
// silently clamps) as a failure; it is still logged. Requests the fake
// refuses with a 4xx are never failures: refusing them is the point.
func AllowOffSpecRequests() Option { return func(c *config) { c.lenientReqs = true } }

// withSpec validates against spec instead of the model's own, so tests can
// make the two disagree on purpose.
func withSpec(yaml []byte) Option { return func(c *config) { c.specYAML = yaml } }

// Server is an in-memory Twenty workspace served over HTTP on loopback.
type Server struct {
	cfg      config
	m        *model.Model
	spec     *spectest.Spec
	tb       testing.TB
	url      string
	srv      *http.Server
	ln       net.Listener
	closing  chan struct{}
	closeOne sync.Once
	inflight sync.WaitGroup

	// schema guards the data model: m, spec, full, inactive and the
	// store's lookups derived from the model. Every request holds it for
	// reading from start to end, so an exchange is served and validated
	// against one model; the metadata writes that change the model hold
	// it for writing (see metawrite.go). Take it before mu, never after.
	schema sync.RWMutex
	// full is the model as the metadata API shows it, inactive objects and
	// fields included; m is what REST serves (only the active ones).
	full     *model.Model
	inactive map[string]bool
	// inverseOf pairs the two sides of the relations created through the
	// metadata API, by fieldKey: {object, field} of the other side.
	inverseOf map[string][2]string

	// mu guards the records; one lock keeps every operation atomic,
	// which is what makes batch writes all-or-nothing.
	mu    sync.Mutex
	store *store

	// ctl guards keys, faults, counters and the budget.
	ctl         sync.Mutex
	keys        map[string]KeyState
	apiKey      string
	expiredKey  string
	revokedKey  string
	queue       []Fault
	randRate    float64
	randFaults  []Fault
	rnd         *rand.Rand
	requests    int
	perOp       map[string]int
	windowStart time.Time
	windowUsed  int
	violations  []string

	// hooks are the registered webhooks, guarded by mu; changes are the
	// record events of the operation in progress, delivered when it
	// succeeds (see webhooks.go).
	hooks   []*hook
	changes []change
	dl      deliverer
}

// NewServer starts a fake on 127.0.0.1 that tb.Cleanup closes. Every
// exchange is checked against openapi.yaml; a violation fails tb.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := start(tb, opts)
	if err != nil {
		tb.Fatalf("twentytest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Start is NewServer for programs: spec violations are logged to the
// WithLogger logger and kept for Violations instead of failing a test.
func Start(opts ...Option) (*Server, error) { return start(nil, opts) }

func start(tb testing.TB, opts []Option) (*Server, error) {
	cfg := config{seed: true, maxBatch: 200, clock: time.Now, errorFormat: Real}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.modelErr != nil {
		return nil, cfg.modelErr
	}
	m := cfg.model
	specYAML := cfg.specYAML
	if m == nil {
		m = model.Standard()
		if specYAML == nil {
			specYAML = twenty.OpenAPISpec()
		}
	}
	// A private copy: the caller may go on changing theirs.
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if m, err = model.Parse(raw); err != nil {
		return nil, err
	}
	if specYAML == nil {
		var err error
		if specYAML, err = specgen.Generate(m, specgen.Options{JSON: true}); err != nil {
			return nil, fmt.Errorf("spec for the model: %w", err)
		}
	}
	spec, err := spectest.LoadCached(specYAML)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		m:       m,
		spec:    spec,
		tb:      tb,
		closing: make(chan struct{}),
		keys:    map[string]KeyState{},
		perOp:   map[string]int{},
		queue:   append([]Fault(nil), cfg.faults...),
	}
	s.full = cloneModel(m)
	s.inactive = map[string]bool{}
	s.store = newStore(m, s.now)
	s.dl.init(cfg.anyHookHost)
	s.apiKey = makeKey("valid", farFuture)
	s.expiredKey = makeKey("expired", longAgo)
	s.revokedKey = makeKey("revoked", farFuture)
	s.keys[s.apiKey] = KeyValid
	s.keys[s.expiredKey] = KeyExpired
	s.keys[s.revokedKey] = KeyRevoked
	if cfg.seed {
		if err := seed(s.store); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
	}
	// Loopback only: the fake is for tests and demos on this machine.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the base URL to give a client: no /rest suffix.
func (s *Server) URL() string { return s.url }

// Close stops the server, aborting injected delays, and waits for handlers
// still running, then for webhook deliveries: those queued or in flight
// get up to two seconds to end before they are cancelled. It is safe to
// call more than once.
func (s *Server) Close() {
	s.closeOne.Do(func() {
		close(s.closing)
		// Close, not Shutdown: Shutdown waits up to 5s for connections a
		// client opened but never used, and a test has nothing to drain.
		_ = s.srv.Close()
		s.inflight.Wait()
		// No handler runs any more, so nothing new is queued.
		s.dl.stop(closeGrace)
	})
}

func (s *Server) now() time.Time { return s.cfg.clock() }

// Requests counts every request received, faulted ones included.
func (s *Server) Requests() int {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return s.requests
}

// RequestsFor counts the requests received for one operation, named by
// its operationId in openapi.yaml (findManyPeople, createOnePerson, ...).
func (s *Server) RequestsFor(operationID string) int {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return s.perOp[operationID]
}

// Violations returns the spec violations seen so far (also those already
// reported to the test).
func (s *Server) Violations() []string {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return append([]string(nil), s.violations...)
}

// sleep waits d unless the request or the server goes away first.
func (s *Server) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closing:
		return errors.New("server closing")
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.inflight.Add(1)
	defer s.inflight.Done()
	if r.Method == http.MethodPut && !strings.HasPrefix(r.URL.Path, "/rest/metadata/") {
		// The core controller routes PUT to its PATCH handlers, so PUT is
		// served, counted and validated as the PATCH it stands for.
		r.Method = http.MethodPatch
	}
	if isModelWrite(r) {
		s.schema.Lock()
		defer s.schema.Unlock()
	} else {
		s.schema.RLock()
		defer s.schema.RUnlock()
	}
	op := s.operationID(r)
	s.ctl.Lock()
	s.requests++
	if op != "" {
		s.perOp[op]++
	}
	f, faulted := s.pickFault()
	s.ctl.Unlock()

	if err := s.sleep(r.Context(), s.cfg.latency); err != nil {
		return
	}
	if faulted {
		s.log(slog.LevelDebug, "injecting fault", "method", r.Method, "path", r.URL.Path, "fault", f.String())
		s.serveFault(w, r, f)
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == openAPIPath {
		s.serveOpenAPI(w, r) // no operation of the spec describes it
		return
	}
	s.serveValidated(w, r)
}

func (s *Server) log(level slog.Level, msg string, args ...any) {
	if s.cfg.logger != nil {
		s.cfg.logger.Log(context.Background(), level, msg, args...)
	}
}

// Records returns copies of every record of an object (by plural name),
// soft-deleted ones included, as the API shows them at depth 0, oldest
// first. It returns nil for an unknown object.
func (s *Server) Records(plural string) []map[string]any {
	s.schema.RLock()
	defer s.schema.RUnlock()
	oi := s.store.objs[plural]
	if oi == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	terms := []query.OrderTerm{{Path: []string{"createdAt"}, Direction: query.AscNullsFirst}}
	var out []map[string]any
	for _, r := range s.store.sorted(oi, terms, nil) {
		out = append(out, s.store.present(oi, r, 0))
	}
	return out
}

// Record returns a copy of one record, soft-deleted or not.
func (s *Server) Record(plural, id string) (map[string]any, bool) {
	s.schema.RLock()
	defer s.schema.RUnlock()
	oi := s.store.objs[plural]
	if oi == nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.store.get(oi, id)
	if r == nil {
		return nil, false
	}
	return s.store.present(oi, r, 0), true
}

// Create adds a record directly, with the checks and server-filled fields
// of a POST, for tests that need data the seed lacks. fields is decoded
// JSON (or Go values that marshal to it).
func (s *Server) Create(plural string, fields map[string]any) (map[string]any, error) {
	s.schema.RLock()
	defer s.schema.RUnlock()
	oi, e := s.object(plural)
	if e != nil {
		return nil, e
	}
	in, _ := normalizeJSON(fields).(map[string]any)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store.touch()
	t := s.store.begin()
	rec, _, e := s.createOrUpsert(t, oi, in, false)
	if e != nil {
		t.rollback()
		return nil, e
	}
	return s.store.present(oi, rec, 0), nil
}
