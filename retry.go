package twenty

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy decides which failed attempts are tried again and how long to
// wait first. The zero value of a field means its default.
type RetryPolicy struct {
	// MaxAttempts counts the first attempt too; 1 disables retries.
	// Default 4.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the exponential backoff used when the
	// server gives no Retry-After: step n is MinBackoff·2ⁿ⁻¹ capped at
	// MaxBackoff, and the wait is a random point in its upper half, so the
	// first wait lies between MinBackoff/2 and MinBackoff. Defaults 500 ms
	// and 30 s.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest server-requested wait the client accepts;
	// a longer Retry-After returns the 429 to the caller. Default 60 s.
	MaxRetryAfter time.Duration
	// MaxElapsed bounds the total time spent on one call, waits included.
	// Default 2 minutes.
	MaxElapsed time.Duration
}

// NoRetries is a policy that sends every request once.
var NoRetries = RetryPolicy{MaxAttempts: 1}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = 4
	}
	if p.MinBackoff == 0 {
		p.MinBackoff = 500 * time.Millisecond
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = 30 * time.Second
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = time.Minute
	}
	if p.MaxElapsed == 0 {
		p.MaxElapsed = 2 * time.Minute
	}
	return p
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 0, p.MinBackoff < 0, p.MaxBackoff < 0, p.MaxRetryAfter < 0, p.MaxElapsed < 0:
		return fmt.Errorf("%w: retry policy values must not be negative", ErrInvalidInput)
	case p.MaxBackoff != 0 && p.MinBackoff > p.MaxBackoff:
		return fmt.Errorf("%w: retry policy MinBackoff exceeds MaxBackoff", ErrInvalidInput)
	}
	return nil
}

// Attempt describes how one try of a request ended.
type Attempt struct {
	Number int // 1 for the first try
	// Replayable means the server applying the request twice does no harm
	// (GET, HEAD, PUT, PATCH, DELETE, duplicate search, create with upsert).
	Replayable bool
	// Sent means the request was fully written, so the server may have
	// acted on it even though no answer arrived.
	Sent       bool
	StatusCode int   // 0 when Err is set
	Err        error // transport error, including a body cut short
	RetryAfter time.Duration
	Elapsed    time.Duration // since the first try began
}

// Decision is what the policy makes of an attempt.
type Decision struct {
	Retry bool
	Wait  time.Duration
	// OutcomeUnknown means the request may have been applied and was not
	// retried because applying it twice could do harm.
	OutcomeUnknown bool
}

// Decide is the whole retry policy as a pure function; jitter in [0,1)
// spreads the backoff so that clients do not retry in lockstep.
func (p RetryPolicy) Decide(a Attempt, jitter float64) Decision {
	p = p.withDefaults()
	var d Decision
	retryable := false
	switch {
	case a.Err != nil:
		if errors.Is(a.Err, ErrTooLarge) {
			return d // an answer came; a retry would get the same
		}
		d.OutcomeUnknown = a.Sent && !a.Replayable
		if errors.Is(a.Err, context.Canceled) || errors.Is(a.Err, context.DeadlineExceeded) {
			// Never retried, but a write whose answer timed out (the
			// per-attempt timeout) may still have been applied.
			return d
		}
		retryable = !a.Sent || a.Replayable
	case a.StatusCode == http.StatusTooManyRequests:
		// Refused before any work was done, so even a create is safe.
		retryable = a.RetryAfter <= p.MaxRetryAfter
	case a.StatusCode >= 500 && a.StatusCode != http.StatusNotImplemented && a.StatusCode != http.StatusHTTPVersionNotSupported:
		retryable = a.Replayable
		d.OutcomeUnknown = !a.Replayable
	}
	if !retryable || a.Number >= p.MaxAttempts {
		return d
	}
	wait := a.RetryAfter
	if wait <= 0 {
		wait = p.backoff(a.Number, jitter)
	}
	if a.Elapsed+wait > p.MaxElapsed {
		return d
	}
	return Decision{Retry: true, Wait: wait}
}

// backoff is exponential with "equal jitter": at least half the step, so a
// retry never comes immediately, at most the full step.
func (p RetryPolicy) backoff(attempt int, jitter float64) time.Duration {
	step := float64(p.MinBackoff) * math.Pow(2, float64(attempt-1))
	if step > float64(p.MaxBackoff) {
		step = float64(p.MaxBackoff)
	}
	jitter = math.Min(math.Max(jitter, 0), 1)
	return time.Duration(step/2 + jitter*step/2)
}

// retryAfter reads Retry-After as seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) || secs > 1e9 {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
