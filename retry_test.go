package twenty_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/twenty-go/twenty"
)

func TestRetryPolicyDecide(t *testing.T) {
	t.Parallel()
	p := twenty.RetryPolicy{
		MaxAttempts:   4,
		MinBackoff:    100 * time.Millisecond,
		MaxBackoff:    time.Second,
		MaxRetryAfter: 10 * time.Second,
		MaxElapsed:    30 * time.Second,
	}
	connRefused := &url.Error{Op: "Post", URL: "https://crm.example.com/rest/people", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	reset := &url.Error{Op: "Post", URL: "https://crm.example.com/rest/people", Err: syscall.ECONNRESET}
	canceled := &url.Error{Op: "Get", URL: "https://crm.example.com/rest/people", Err: context.Canceled}
	deadline := &url.Error{Op: "Get", URL: "https://crm.example.com/rest/people", Err: context.DeadlineExceeded}
	tooLarge := fmt.Errorf("%w: more than 10 bytes", twenty.ErrTooLarge)

	retryAfterBackoff := twenty.Decision{Retry: true, Wait: 50 * time.Millisecond} // attempt 1, jitter 0: MinBackoff/2
	none := twenty.Decision{}
	unknown := twenty.Decision{OutcomeUnknown: true}

	tests := []struct {
		name string
		a    twenty.Attempt
		want twenty.Decision
	}{
		// 429: refused before any work, so safe even for a create.
		{"429 without Retry-After", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 429}, retryAfterBackoff},
		{"429 with Retry-After", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 429, RetryAfter: 3 * time.Second}, twenty.Decision{Retry: true, Wait: 3 * time.Second}},
		{"429 Retry-After at the cap", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 429, RetryAfter: 10 * time.Second}, twenty.Decision{Retry: true, Wait: 10 * time.Second}},
		{"429 Retry-After above the cap", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 429, RetryAfter: 11 * time.Second}, none},
		{"429 on a create", twenty.Attempt{Number: 1, Replayable: false, Sent: true, StatusCode: 429}, retryAfterBackoff},
		{"429 on a create with Retry-After", twenty.Attempt{Number: 2, Replayable: false, Sent: true, StatusCode: 429, RetryAfter: time.Second}, twenty.Decision{Retry: true, Wait: time.Second}},

		// 5xx: retried when replaying is harmless, otherwise outcome unknown.
		{"500 replayable", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 500}, retryAfterBackoff},
		{"502 replayable", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 502}, retryAfterBackoff},
		{"503 replayable with Retry-After", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 503, RetryAfter: 2 * time.Second}, twenty.Decision{Retry: true, Wait: 2 * time.Second}},
		{"504 replayable", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 504}, retryAfterBackoff},
		{"500 not replayable", twenty.Attempt{Number: 1, Replayable: false, Sent: true, StatusCode: 500}, unknown},
		{"503 not replayable", twenty.Attempt{Number: 1, Replayable: false, Sent: true, StatusCode: 503}, unknown},
		{"501 replayable", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 501}, none},
		{"501 not replayable", twenty.Attempt{Number: 1, Replayable: false, Sent: true, StatusCode: 501}, none},
		{"505", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 505}, none},

		// Other statuses are final.
		{"200", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 200}, none},
		{"201 on a create", twenty.Attempt{Number: 1, Sent: true, StatusCode: 201}, none},
		{"400", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 400}, none},
		{"401", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 401}, none},
		{"403", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 403}, none},
		{"404", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 404}, none},
		{"409", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 409}, none},
		{"413", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 413}, none},

		// Transport errors.
		{"connection refused, POST not sent", twenty.Attempt{Number: 1, Replayable: false, Sent: false, Err: connRefused}, retryAfterBackoff},
		{"connection reset, POST sent", twenty.Attempt{Number: 1, Replayable: false, Sent: true, Err: reset}, unknown},
		{"body cut short, POST sent", twenty.Attempt{Number: 1, Replayable: false, Sent: true, Err: io.ErrUnexpectedEOF}, unknown},
		{"connection reset, upsert sent", twenty.Attempt{Number: 1, Replayable: true, Sent: true, Err: reset}, retryAfterBackoff},
		{"connection reset, GET sent", twenty.Attempt{Number: 2, Replayable: true, Sent: true, Err: reset}, twenty.Decision{Retry: true, Wait: 100 * time.Millisecond}},
		{"connection refused, last attempt", twenty.Attempt{Number: 4, Replayable: false, Sent: false, Err: connRefused}, none},
		{"connection reset, POST sent, last attempt", twenty.Attempt{Number: 4, Replayable: false, Sent: true, Err: reset}, unknown},

		// Context errors are never retried.
		{"canceled, GET not sent", twenty.Attempt{Number: 1, Replayable: true, Sent: false, Err: canceled}, none},
		{"canceled, GET sent", twenty.Attempt{Number: 1, Replayable: true, Sent: true, Err: canceled}, none},
		{"bare canceled", twenty.Attempt{Number: 1, Replayable: true, Err: context.Canceled}, none},
		{"deadline, GET sent", twenty.Attempt{Number: 1, Replayable: true, Sent: true, Err: deadline}, none},
		{"deadline, POST not sent", twenty.Attempt{Number: 1, Replayable: false, Sent: false, Err: deadline}, none},
		// A POST whose answer timed out may have been applied.
		{"deadline, POST sent", twenty.Attempt{Number: 1, Replayable: false, Sent: true, Err: deadline}, unknown},
		{"too large", twenty.Attempt{Number: 1, Replayable: true, Sent: true, Err: tooLarge}, none},

		// MaxAttempts counts the first attempt.
		{"third of four attempts", twenty.Attempt{Number: 3, Replayable: true, Sent: true, StatusCode: 500}, twenty.Decision{Retry: true, Wait: 200 * time.Millisecond}},
		{"fourth of four attempts", twenty.Attempt{Number: 4, Replayable: true, Sent: true, StatusCode: 500}, none},
		{"fourth of four attempts, 429", twenty.Attempt{Number: 4, Replayable: true, Sent: true, StatusCode: 429}, none},
		{"beyond MaxAttempts", twenty.Attempt{Number: 9, Replayable: true, Sent: true, StatusCode: 503}, none},
		{"fourth of four attempts, create 500", twenty.Attempt{Number: 4, Replayable: false, Sent: true, StatusCode: 500}, unknown},

		// MaxElapsed includes the wait about to be made.
		{"wait fits MaxElapsed", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 500, Elapsed: 29*time.Second + 900*time.Millisecond}, retryAfterBackoff},
		{"wait passes MaxElapsed", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 500, Elapsed: 29*time.Second + 960*time.Millisecond}, none},
		{"Retry-After passes MaxElapsed", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 429, RetryAfter: 6 * time.Second, Elapsed: 25 * time.Second}, none},
		{"Retry-After fits MaxElapsed", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 429, RetryAfter: 5 * time.Second, Elapsed: 25 * time.Second}, twenty.Decision{Retry: true, Wait: 5 * time.Second}},
		{"elapsed already past MaxElapsed", twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 500, Elapsed: time.Hour}, none},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, p.Decide(tt.a, 0))
		})
	}
}

func TestRetryPolicyDefaults(t *testing.T) {
	t.Parallel()
	var zero twenty.RetryPolicy
	a := twenty.Attempt{Number: 1, Replayable: true, Sent: true, StatusCode: 503}
	assert.Equal(t, twenty.Decision{Retry: true, Wait: 250 * time.Millisecond}, zero.Decide(a, 0), "MinBackoff 500 ms, equal jitter")
	a.Number = 3
	assert.Equal(t, twenty.Decision{Retry: true, Wait: time.Second}, zero.Decide(a, 0))
	a.Number = 4
	assert.Equal(t, twenty.Decision{}, zero.Decide(a, 0), "4 attempts by default")
	a.Number = 10
	a.StatusCode = 429
	assert.False(t, zero.Decide(a, 0).Retry)

	rl := twenty.Attempt{Number: 1, StatusCode: 429, RetryAfter: 60 * time.Second}
	assert.Equal(t, twenty.Decision{Retry: true, Wait: time.Minute}, zero.Decide(rl, 0), "a minute is accepted")
	rl.RetryAfter = 61 * time.Second
	assert.False(t, zero.Decide(rl, 0).Retry, "longer is returned to the caller")
	rl.RetryAfter = 30 * time.Second
	rl.Elapsed = 100 * time.Second
	assert.False(t, zero.Decide(rl, 0).Retry, "2 minutes in all by default")

	big := twenty.Attempt{Number: 30, Replayable: true, StatusCode: 500}
	assert.Equal(t, twenty.Decision{Retry: true, Wait: 15 * time.Second}, twenty.RetryPolicy{MaxAttempts: 100, MaxElapsed: time.Hour}.Decide(big, 0), "capped at MaxBackoff 30 s")

	for _, p := range []twenty.RetryPolicy{twenty.NoRetries, {MaxAttempts: 1}} {
		for _, a := range []twenty.Attempt{
			{Number: 1, StatusCode: 429},
			{Number: 1, Replayable: true, StatusCode: 503},
			{Number: 1, Err: io.EOF},
		} {
			assert.False(t, p.Decide(a, 0.5).Retry, "%+v", a)
		}
	}
}

func TestRetryBackoffGrowsAndIsCapped(t *testing.T) {
	t.Parallel()
	p := twenty.RetryPolicy{MaxAttempts: 1000, MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second, MaxElapsed: 1000 * time.Hour}
	wait := func(n int, jitter float64) time.Duration {
		d := p.Decide(twenty.Attempt{Number: n, Replayable: true, Sent: true, StatusCode: 503}, jitter)
		assert.True(t, d.Retry, "attempt %d", n)
		return d.Wait
	}
	steps := map[int]time.Duration{ // the full backoff before jitter
		1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond,
		4: 800 * time.Millisecond, 5: time.Second, 6: time.Second, 64: time.Second, 999: time.Second,
	}
	for n, step := range steps {
		assert.Equal(t, step/2, wait(n, 0), "attempt %d, jitter 0: half the step", n)
		assert.InDelta(t, float64(step)*0.9995, float64(wait(n, 0.999)), float64(time.Microsecond), "attempt %d, jitter 0.999: nearly the whole step", n)
		assert.Equal(t, step/2, wait(n, -3), "jitter below 0 is clamped")
		assert.Equal(t, step, wait(n, 7), "jitter above 1 is clamped")
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	prevMax := time.Duration(0)
	for n := 1; n <= 40; n++ {
		lo, hi := wait(n, 0), wait(n, 1)
		assert.GreaterOrEqual(t, hi, prevMax, "the upper bound never shrinks")
		prevMax = hi
		for range 50 {
			w := wait(n, rnd.Float64())
			assert.GreaterOrEqual(t, w, lo)
			assert.LessOrEqual(t, w, hi)
			assert.LessOrEqual(t, w, p.MaxBackoff)
			assert.Positive(t, w, "a retry never comes immediately")
		}
	}
}

func TestNoRetriesPolicyIsValid(t *testing.T) {
	t.Parallel()
	_, err := twenty.NewClient(twenty.WithAPIKey(plantedKey), twenty.WithRetryPolicy(twenty.NoRetries))
	assert.NoError(t, err)
	assert.False(t, errors.Is(err, twenty.ErrInvalidInput))
}
