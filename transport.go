package twenty

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"golang.org/x/time/rate"
)

// doer is the HttpRequestDoer under both the generated client and the
// typed layer: it waits for the rate limiter, sends, buffers the body
// through a cap, retries what the policy allows and turns every non-2xx
// answer into an *APIError.
type doer struct {
	hc        *http.Client
	policy    RetryPolicy
	limiter   *rate.Limiter
	logger    *slog.Logger
	userAgent string
	basePath  string // path prefix of a self-hosted instance, stripped for logs
	maxBody   int64
	jitter    func() float64
	attempts  atomic.Int64 // every try sent, for metrics and tests
	bodies    bodyCache
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	resp, body, err := d.do(req, false)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// do is Do for the typed layer, which takes the 2xx body as read instead of
// through resp.Body. With pooled, that body may be read into a reused
// buffer, which the caller may hand back with d.bodies.put once nothing
// refers to it.
func (d *doer) do(req *http.Request, pooled bool) (*http.Response, []byte, error) {
	ctx := req.Context()
	start := time.Now()
	path := d.template(req.URL.Path)
	replayable := isReplayable(req)
	for n := 1; ; n++ {
		if d.limiter != nil {
			if err := d.limiter.Wait(ctx); err != nil {
				if ctx.Err() == nil { // refused up front: the wait would outlast the deadline
					err = fmt.Errorf("%w: %v", context.DeadlineExceeded, err)
				}
				return nil, nil, d.ctxErr(ctx, req.Method, path, err)
			}
		}
		try, err := d.prepare(req, n)
		if err != nil {
			return nil, nil, err
		}
		var sent atomic.Bool
		try = try.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			WroteRequest: func(info httptrace.WroteRequestInfo) { sent.Store(info.Err == nil) },
		}))
		began := time.Now()
		d.attempts.Add(1)
		resp, err := d.hc.Do(try)
		if ue, ok := err.(*url.Error); ok {
			// Its text quotes the whole URL, query included, and queries
			// hold filter values: name the operation instead.
			err = &url.Error{Op: ue.Op, URL: path, Err: ue.Err}
		}
		var body []byte
		if err == nil {
			ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
			limit := d.maxBody
			if !ok {
				limit = maxErrorBody
			}
			var buf []byte
			if pooled && ok {
				buf = d.bodies.get()
			}
			body, err = readCapped(resp.Body, limit, ok, resp.ContentLength, buf)
			resp.Body.Close()
			if err != nil {
				sent.Store(true) // an answer began: the server got the request
			}
		}
		a := Attempt{Number: n, Replayable: replayable && (n == 1 || req.GetBody != nil || req.Body == nil),
			Sent: sent.Load(), Err: err, Elapsed: time.Since(start)}
		if err == nil {
			a.StatusCode = resp.StatusCode
			if resp.StatusCode == http.StatusTooManyRequests {
				a.RetryAfter = newAPIError(req.Method, path, resp.StatusCode, resp.Header, body).RetryAfter
			}
		}
		dec := d.policy.Decide(a, d.jitter())
		d.log(ctx, req.Method, path, a, time.Since(began), dec)
		if dec.Retry {
			if pooled {
				d.bodies.put(body) // a 2xx body cut short: not kept
			}
			if err := sleep(ctx, dec.Wait); err != nil {
				return nil, nil, d.ctxErr(ctx, req.Method, path, err)
			}
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, d.ctxErr(ctx, req.Method, path, ctx.Err())
			}
			if dec.OutcomeUnknown {
				return nil, nil, &OutcomeUnknownError{Method: req.Method, Path: path, Err: err}
			}
			return nil, nil, fmt.Errorf("twenty: %s %s: %w", req.Method, path, err)
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			apiErr := newAPIError(req.Method, path, resp.StatusCode, resp.Header, body)
			apiErr.unknown = dec.OutcomeUnknown
			return nil, nil, apiErr
		}
		resp.Body = http.NoBody // read whole: the body is returned instead
		return resp, body, nil
	}
}

// ctxErr keeps the context's error matchable with errors.Is, and its
// cause too when one was given.
func (d *doer) ctxErr(ctx context.Context, method, path string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
		if cause := context.Cause(ctx); cause != nil && cause != ctxErr {
			return fmt.Errorf("twenty: %s %s: %w: %w", method, path, ctxErr, cause)
		}
	}
	return fmt.Errorf("twenty: %s %s: %w", method, path, err)
}

// prepare copies the request for one try: the caller's request is never
// modified, and a replay gets a fresh body from GetBody.
func (d *doer) prepare(req *http.Request, n int) (*http.Request, error) {
	try := req.Clone(req.Context())
	if n > 1 && req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return nil, fmt.Errorf("twenty: %s: request body cannot be replayed", req.Method)
		}
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		try.Body = body
	}
	if d.userAgent != "" && try.Header.Get("User-Agent") == "" {
		try.Header.Set("User-Agent", d.userAgent)
	}
	return try, nil
}

func (d *doer) log(ctx context.Context, method, path string, a Attempt, took time.Duration, dec Decision) {
	if d.logger == nil {
		return
	}
	level, msg := slog.LevelDebug, "twenty request"
	if dec.Retry {
		level, msg = slog.LevelWarn, "twenty request, retrying"
	} else if a.Err != nil || a.StatusCode >= 400 {
		level, msg = slog.LevelWarn, "twenty request failed"
	}
	// An allowlist: never headers, bodies, query strings or the key.
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("status", a.StatusCode),
		slog.Int("attempt", a.Number),
		slog.Duration("duration", took),
	}
	if dec.Retry {
		attrs = append(attrs, slog.Duration("wait", dec.Wait))
	}
	d.logger.LogAttrs(ctx, level, msg, attrs...)
}

var uuidSegment = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// template turns /prefix/rest/people/<uuid> into /rest/people/{id}: logs
// and errors name the operation, not the record.
func (d *doer) template(p string) string {
	p = strings.TrimPrefix(p, d.basePath)
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if uuidSegment.MatchString(s) {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// isReplayable reports whether sending req twice is harmless.
func isReplayable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	case http.MethodPost:
		// Finding duplicates only reads; an upsert converges to one record.
		return strings.HasSuffix(req.URL.Path, "/duplicates") || req.URL.Query().Get("upsert") == "true"
	}
	return false
}

// readCapped reads at most limit bytes. A success body over the cap is an
// error (silently cutting a record list would lose data); an error body is
// simply truncated, since only its start matters. size is the declared
// length (-1 if unknown): a body that says its length is read into one
// buffer of that size, up to maxPresize, instead of a growing one. buf, if
// not nil, is a buffer to reuse.
func readCapped(r io.Reader, limit int64, failOverLimit bool, size int64, buf []byte) ([]byte, error) {
	want := int64(512)
	if size >= 0 {
		want = min(size, limit, maxPresize) + 1 // +1: the read that sees EOF needs room
	}
	if int64(cap(buf)) < want {
		buf = make([]byte, 0, want)
	}
	buf = buf[:0]
	lr := &io.LimitedReader{R: r, N: limit + 1}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow as append does
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return buf, err
		}
	}
	if int64(len(buf)) > limit {
		if failOverLimit {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
		}
		buf = buf[:limit]
	}
	return buf, nil
}

// maxPresize bounds the buffer allocated for a declared length before the
// bytes arrive: a hostile Content-Length cannot make the client reserve
// its whole response cap up front.
const maxPresize = 8 << 20

// bodyCache keeps the buffer of the last 2xx body the typed layer decoded
// and dropped, for the next answer to be read into: a client listing page
// after page does not allocate a body each time. It holds the buffer only
// weakly, so nothing is kept past the next collection, and at most one
// buffer per client. Decoding copies every string out of the body, so
// nothing decoded refers to a reused buffer.
type bodyCache struct {
	mu    sync.Mutex
	spare weak.Pointer[[]byte]
}

// maxCachedBody keeps unusually large bodies out of the cache.
const maxCachedBody = 4 << 20

func (c *bodyCache) get() []byte {
	c.mu.Lock()
	p := c.spare.Value()
	c.spare = weak.Pointer[[]byte]{}
	c.mu.Unlock()
	if p == nil {
		return nil
	}
	return (*p)[:0]
}

// put hands back a body nothing refers to any more.
func (c *bodyCache) put(b []byte) {
	if cap(b) == 0 || cap(b) > maxCachedBody {
		return
	}
	p := &b
	c.mu.Lock()
	c.spare = weak.Make(p)
	c.mu.Unlock()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func defaultJitter() float64 { return rand.Float64() }
