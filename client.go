package twenty

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/authn"
)

// Version is this module's version, sent in the default User-Agent.
const Version = "0.1.0"

// DefaultUserAgent names the module and its version.
const DefaultUserAgent = "twenty-go/" + Version + " (+https://github.com/twenty-go/twenty)"

const (
	defaultTimeout   = 30 * time.Second
	defaultBatchSize = 200 // the server's cap; older servers' lower cap is learnt from their refusal
	maxBatchSize     = 200 // the server's cap per batch request
	maxPageSize      = 200 // the server silently reduces larger limits to this
	allPageSize      = maxPageSize
	defaultMaxBody   = 64 << 20
)

// Client talks to one Twenty workspace. It is safe for concurrent use; a
// rate limit set on it is shared by every goroutine using it.
type Client struct {
	baseURL   string // normalised, without /rest
	cred      *authn.Credential
	doer      *doer
	api       *api.ClientWithResponses
	batchSize int
	// serverBatchMax is the batch size a server stated as its maximum when
	// it refused a larger batch; 0 until then.
	serverBatchMax *atomic.Int32 // shared by copies of the Client value
	onWarning      func(DecodeWarning)
}

type settings struct {
	apiKey        string
	haveKey       bool
	baseURL       string
	httpClient    *http.Client
	timeout       time.Duration
	userAgent     string
	logger        *slog.Logger
	retry         RetryPolicy
	limiter       *rate.Limiter
	allowInsecure bool
	batchSize     int
	maxBody       int64
	onWarning     func(DecodeWarning)
}

// Option configures a Client. Options check their input: a bad value makes
// NewClient return an error instead of a half-working client.
type Option func(*settings) error

// WithAPIKey sets the API key. Prefer NewClientFromEnv: keys do not belong
// in source code.
func WithAPIKey(key string) Option {
	return func(s *settings) error {
		if _, err := authn.NewCredential(key); err != nil {
			return err
		}
		s.apiKey, s.haveKey = key, true
		return nil
	}
}

// WithBaseURL sets the instance URL, with or without a trailing /rest.
// The default is https://api.twenty.com.
func WithBaseURL(raw string) Option {
	return func(s *settings) error {
		u, err := authn.NormalizeBaseURL(raw)
		if err != nil {
			return err
		}
		s.baseURL = u
		return nil
	}
}

// WithHTTPClient sends requests through a copy of c (its Transport,
// Jar and CheckRedirect are kept; the timeout is the client's own, and the
// key never follows a redirect to another scheme, host or port).
func WithHTTPClient(c *http.Client) Option {
	return func(s *settings) error {
		if c == nil {
			return fmt.Errorf("%w: nil *http.Client", ErrInvalidInput)
		}
		cp := *c
		s.httpClient = &cp
		return nil
	}
}

// WithTimeout bounds each attempt (default 30 s); 0 means no timeout.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 {
			return fmt.Errorf("%w: negative timeout %v", ErrInvalidInput, d)
		}
		s.timeout = d
		return nil
	}
}

// WithUserAgent replaces the default User-Agent.
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		if strings.TrimSpace(ua) == "" || strings.ContainsAny(ua, "\r\n\x00") {
			return fmt.Errorf("%w: User-Agent must be non-empty printable text", ErrInvalidInput)
		}
		s.userAgent = ua
		return nil
	}
}

// WithLogger logs one record per attempt: method, path template, status,
// attempt number and duration. Never headers, bodies, queries or the key.
// Clients are silent by default.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidInput)
		}
		s.logger = l
		return nil
	}
}

// WithRetryPolicy replaces the default retry policy; NoRetries disables
// retries.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *settings) error {
		if err := p.validate(); err != nil {
			return err
		}
		s.retry = p
		return nil
	}
}

// WithRateLimit spaces requests so that at most n start in any period per
// (for Twenty Cloud's default budget, WithRateLimit(100, time.Minute)).
// Retries count too. Every goroutine using the client shares the limit.
//
// Requests are spaced rateMargin wider than per/n: the server counts when
// requests arrive, and without a margin a little network jitter puts the
// (n+1)th request into a window the server has already filled.
func WithRateLimit(n int, per time.Duration) Option {
	return func(s *settings) error {
		if n <= 0 || per <= 0 {
			return fmt.Errorf("%w: rate limit needs a positive count and period", ErrInvalidInput)
		}
		interval := time.Duration(float64(per) / float64(n) * (1 + rateMargin))
		s.limiter = rate.NewLimiter(rate.Every(interval), 1)
		return nil
	}
}

// rateMargin is the limiter's headroom: 5% of throughput buys tolerance
// for n·5% of one interval of arrival jitter (1.2 s for 100 a minute).
const rateMargin = 0.05

// WithInsecureHTTP allows sending the key over plain http:// to hosts
// other than loopback. Only for trusted networks. Without it NewClient
// refuses such a base URL with ErrInsecureTransport.
func WithInsecureHTTP() Option {
	return func(s *settings) error {
		s.allowInsecure = true
		return nil
	}
}

// WithBatchSize sets how many records CreateMany sends per request
// (default 200, the server's maximum; at most 200).
func WithBatchSize(n int) Option {
	return func(s *settings) error {
		if n < 1 || n > maxBatchSize {
			return fmt.Errorf("%w: batch size %d outside 1..%d", ErrInvalidInput, n, maxBatchSize)
		}
		s.batchSize = n
		return nil
	}
}

// WithMaxResponseBytes caps a successful response body (default 64 MiB).
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n <= 0 {
			return fmt.Errorf("%w: response cap must be positive", ErrInvalidInput)
		}
		s.maxBody = n
		return nil
	}
}

// WithDecodeWarnings has f called with every DecodeWarning of every
// operation that decodes records: List and All, Get, Create, CreateMany,
// Update, UpdateMany, Restore, RestoreMany, Merge and FindDuplicates.
// Without it, List still returns its page's warnings in Page.Warnings and
// the other operations accept the repaired records silently. f may be
// called from several goroutines at once (CreateMany's concurrent
// batches, All's prefetch) and must not block for long.
func WithDecodeWarnings(f func(DecodeWarning)) Option {
	return func(s *settings) error {
		if f == nil {
			return fmt.Errorf("%w: nil decode warning callback", ErrInvalidInput)
		}
		s.onWarning = f
		return nil
	}
}

// warned hands warnings to the callback, if there is one.
func (c *Client) warned(ws []DecodeWarning) {
	if c.onWarning == nil {
		return
	}
	for _, w := range ws {
		c.onWarning(w)
	}
}

// NewClient builds a client. WithAPIKey is required. Whatever every request
// would be refused for is refused here: a plain http:// base URL to a host
// other than loopback fails with ErrInsecureTransport unless WithInsecureHTTP.
func NewClient(opts ...Option) (*Client, error) {
	s := settings{
		baseURL:   authn.DefaultBaseURL,
		timeout:   defaultTimeout,
		userAgent: DefaultUserAgent,
		batchSize: defaultBatchSize,
		maxBody:   defaultMaxBody,
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&s); err != nil {
			return nil, err
		}
	}
	if !s.haveKey {
		return nil, fmt.Errorf("twenty: no API key: use WithAPIKey or NewClientFromEnv: %w", authn.ErrMissingAPIKey)
	}
	base, _ := url.Parse(s.baseURL) // normalised by WithBaseURL
	// Every request would be refused; say so now, naming this package's option.
	if base.Scheme != "https" && !s.allowInsecure && !authn.IsLoopback(base.Hostname()) {
		return nil, fmt.Errorf("twenty: %w: %s://%s (use https, or WithInsecureHTTP on a trusted network)",
			authn.ErrInsecureTransport, base.Scheme, base.Host)
	}
	var credOpts []authn.Option
	if s.allowInsecure {
		credOpts = append(credOpts, authn.AllowInsecureHTTP())
	}
	cred, err := authn.NewCredential(s.apiKey, credOpts...)
	if err != nil {
		return nil, err
	}
	hc := s.httpClient
	if hc == nil {
		hc = &http.Client{}
	}
	hc.Timeout = s.timeout
	hc.CheckRedirect = keyStaysOnOrigin(hc.CheckRedirect)
	d := &doer{
		hc:        hc,
		policy:    s.retry.withDefaults(),
		limiter:   s.limiter,
		logger:    s.logger,
		userAgent: s.userAgent,
		basePath:  base.Path, // no trailing "/" but an escaped one, %2F, which the decoded path keeps
		maxBody:   s.maxBody,
		jitter:    defaultJitter,
	}
	generated, err := api.NewClientWithResponses(s.baseURL,
		api.WithHTTPClient(d),
		api.WithRequestEditorFn(api.RequestEditorFn(cred.RequestEditor())))
	if err != nil {
		return nil, err
	}
	return &Client{baseURL: s.baseURL, cred: cred, doer: d, api: generated, batchSize: s.batchSize, serverBatchMax: new(atomic.Int32), onWarning: s.onWarning}, nil
}

// keyStaysOnOrigin wraps a CheckRedirect (nil: net/http's default, at
// most 10 redirects) so that the key follows a redirect only to the
// scheme, host and port it was sent to, and never again once a redirect
// left them. net/http compares host names only: it would hand the key to
// another port of the same host, and from https to plain http.
func keyStaysOnOrigin(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if next != nil {
			if err := next(req, via); err != nil {
				return err
			}
		} else if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		home := origin(via[0].URL)
		left := origin(req.URL) != home
		for _, r := range via[1:] {
			left = left || origin(r.URL) != home
		}
		if left {
			req.Header.Del("Authorization")
		}
		return nil
	}
}

// origin is scheme://host:port, lower-cased, with the scheme's default port.
func origin(u *url.URL) string {
	scheme, port := strings.ToLower(u.Scheme), u.Port()
	if port == "" && scheme == "http" {
		port = "80"
	} else if port == "" && scheme == "https" {
		port = "443"
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// NewClientFromEnv builds a client from TWENTY_API_KEY and TWENTY_BASE_URL;
// opts are applied after them and win.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	key, ok := os.LookupEnv(authn.EnvAPIKey)
	if !ok || key == "" {
		return nil, fmt.Errorf("twenty: %s is not set: %w", authn.EnvAPIKey, authn.ErrMissingAPIKey)
	}
	envOpts := []Option{WithAPIKey(key)}
	if base := os.Getenv(authn.EnvBaseURL); base != "" {
		envOpts = append(envOpts, WithBaseURL(base))
	}
	return NewClient(append(envOpts, opts...)...)
}

// API returns the generated client, wired with the same authentication,
// retries, rate limit and error handling: every operation in openapi.yaml
// is reachable through it, and a non-2xx answer comes back as an *APIError.
func (c *Client) API() *api.ClientWithResponses { return c.api }

// BaseURL is the instance URL requests go to (without /rest).
func (c *Client) BaseURL() string { return c.baseURL }

// String never shows the key.
func (c *Client) String() string { return "twenty.Client{" + c.baseURL + "}" }

// GoString never shows the key.
func (c *Client) GoString() string { return c.String() }

// Format prints the redacted form for every verb.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue makes slog print the redacted form.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// newRequest builds a request to path (which starts with /rest/) with the
// key set by the same editor the generated client uses.
func (c *Client) newRequest(ctx context.Context, method, path string, query url.Values, body []byte) (*http.Request, error) {
	u := c.baseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode() // QueryEscape: an opaque cursor's + / = survive
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, method, u, bytesReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, method, u, nil)
	}
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if err := c.cred.RequestEditor()(ctx, req); err != nil {
		return nil, err
	}
	return req, nil
}
