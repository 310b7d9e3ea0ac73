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
	"sync/atomic"
	"time"

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
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
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
				return nil, d.ctxErr(ctx, req.Method, path, err)
			}
		}
		try, err := d.prepare(req, n)
		if err != nil {
			return nil, err
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
			limit := d.maxBody
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				limit = maxErrorBody
			}
			body, err = readCapped(resp.Body, limit, resp.StatusCode >= 200 && resp.StatusCode <= 299)
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
			if err := sleep(ctx, dec.Wait); err != nil {
				return nil, d.ctxErr(ctx, req.Method, path, err)
			}
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, d.ctxErr(ctx, req.Method, path, ctx.Err())
			}
			if dec.OutcomeUnknown {
				return nil, &OutcomeUnknownError{Method: req.Method, Path: path, Err: err}
			}
			return nil, fmt.Errorf("twenty: %s %s: %w", req.Method, path, err)
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			apiErr := newAPIError(req.Method, path, resp.StatusCode, resp.Header, body)
			apiErr.unknown = dec.OutcomeUnknown
			return nil, apiErr
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		return resp, nil
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
// simply truncated, since only its start matters.
func readCapped(r io.Reader, limit int64, failOverLimit bool) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return body, err
	}
	if int64(len(body)) > limit {
		if failOverLimit {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
		}
		body = body[:limit]
	}
	return body, nil
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
