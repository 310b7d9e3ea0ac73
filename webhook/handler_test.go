package webhook_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/webhook"
)

// signed builds a delivery request signed with the test's own HMAC.
func signed(secret string, at time.Time, body string) *http.Request {
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	req := httptest.NewRequest(http.MethodPost, "/twenty", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.TimestampHeader, ts)
	req.Header.Set(webhook.SignatureHeader, hmacHex(secret, ts, []byte(body)))
	req.Header.Set(webhook.NonceHeader, "0123456789abcdef0123456789abcdef")
	return req
}

func TestHandlerSuccess(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 24, 18, 50, 1, 0, time.UTC)
	v := newVerifier(t, vectorSecret, now)
	var calls atomic.Int32
	var got *webhook.Event
	type ctxKey struct{}
	h := webhook.Handler(v, func(ctx context.Context, e *webhook.Event) error {
		calls.Add(1)
		got = e
		assert.Equal(t, "value", ctx.Value(ctxKey{}))
		return nil
	})

	sentAt := now.Add(-700 * time.Millisecond).Truncate(time.Millisecond)
	req := signed(vectorSecret, sentAt, personCreated)
	req = req.WithContext(context.WithValue(req.Context(), ctxKey{}, "value"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	assert.Equal(t, http.StatusOK, rec.Code)
	assert.EqualValues(t, 1, calls.Load())
	require.NotNil(t, got)
	assert.Equal(t, personCreated, string(got.Raw), "the handler sees exactly the signed bytes")
	assert.Equal(t, "person.created", got.Name)
	assert.True(t, sentAt.Equal(got.SentAt), "SentAt %v", got.SentAt)
	assert.Equal(t, "0123456789abcdef0123456789abcdef", got.Nonce)
}

func TestHandlerFailures(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 24, 18, 50, 1, 0, time.UTC)
	v := newVerifier(t, vectorSecret, now, webhook.WithMaxBodyBytes(4096))
	cases := []struct {
		name      string
		req       func() *http.Request
		hErr      error
		status    int
		wantCalls int32
	}{
		{"GET", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/twenty", nil)
		}, nil, http.StatusMethodNotAllowed, 0},
		{"PUT with valid signature", func() *http.Request {
			r := signed(vectorSecret, now, personCreated)
			r.Method = http.MethodPut
			return r
		}, nil, http.StatusMethodNotAllowed, 0},
		{"missing signature", func() *http.Request {
			r := signed(vectorSecret, now, personCreated)
			r.Header.Del(webhook.SignatureHeader)
			return r
		}, nil, http.StatusUnauthorized, 0},
		{"wrong secret", func() *http.Request {
			return signed("another-secret", now, personCreated)
		}, nil, http.StatusUnauthorized, 0},
		{"tampered body", func() *http.Request {
			r := signed(vectorSecret, now, personCreated)
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(personCreated, "Ada", "Eve", 1)))
			return r
		}, nil, http.StatusUnauthorized, 0},
		{"garbled timestamp", func() *http.Request {
			r := signed(vectorSecret, now, personCreated)
			r.Header.Set(webhook.TimestampHeader, "soon")
			return r
		}, nil, http.StatusUnauthorized, 0},
		{"stale", func() *http.Request {
			return signed(vectorSecret, now.Add(-time.Hour), personCreated)
		}, nil, http.StatusUnauthorized, 0},
		{"from the future", func() *http.Request {
			return signed(vectorSecret, now.Add(time.Hour), personCreated)
		}, nil, http.StatusUnauthorized, 0},
		{"too large", func() *http.Request {
			return signed(vectorSecret, now, `{"eventName":"person.created","record":{"x":"`+strings.Repeat("a", 5000)+`"}}`)
		}, nil, http.StatusRequestEntityTooLarge, 0},
		{"signed but not JSON", func() *http.Request {
			return signed(vectorSecret, now, "hello")
		}, nil, http.StatusBadRequest, 0},
		{"signed but no eventName", func() *http.Request {
			return signed(vectorSecret, now, `{"record":{}}`)
		}, nil, http.StatusBadRequest, 0},
		{"handler fails", func() *http.Request {
			return signed(vectorSecret, now, personCreated)
		}, errors.New("database down: password=hunter2"), http.StatusInternalServerError, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			h := webhook.Handler(v, func(context.Context, *webhook.Event) error {
				calls.Add(1)
				return c.hErr
			})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, c.req())
			assert.Equal(t, c.status, rec.Code)
			assert.Equal(t, c.wantCalls, calls.Load())
			body := rec.Body.String()
			assert.NotContains(t, body, vectorSecret)
			assert.NotContains(t, body, "hunter2", "the handler's error is not sent")
			if c.status == http.StatusMethodNotAllowed {
				assert.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
			}
		})
	}
}

// End to end over a real connection, with the fake-server helper signing.
func TestHandlerOverHTTP(t *testing.T) {
	t.Parallel()
	v, err := webhook.NewVerifier(vectorSecret)
	require.NoError(t, err)
	var calls atomic.Int32
	srv := httptest.NewServer(webhook.Handler(v, func(_ context.Context, e *webhook.Event) error {
		calls.Add(1)
		if e.Name != "company.updated" || string(e.Raw) != companyUpdated {
			return errors.New("unexpected event")
		}
		return nil
	}))
	defer srv.Close()

	send := func(h http.Header, body string) int {
		req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		require.NoError(t, err)
		req.Header = h
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	h := webhook.SignedHeaders([]byte(vectorSecret), time.Now(), []byte(companyUpdated))
	assert.Equal(t, http.StatusOK, send(h, companyUpdated))
	assert.EqualValues(t, 1, calls.Load())

	old := webhook.SignedHeaders([]byte(vectorSecret), time.Now().Add(-10*time.Minute), []byte(companyUpdated))
	assert.Equal(t, http.StatusUnauthorized, send(old, companyUpdated))
	assert.EqualValues(t, 1, calls.Load())
}

func TestHandlerNeedsArguments(t *testing.T) {
	t.Parallel()
	v, err := webhook.NewVerifier("s")
	require.NoError(t, err)
	assert.Panics(t, func() { webhook.Handler(nil, func(context.Context, *webhook.Event) error { return nil }) })
	assert.Panics(t, func() { webhook.Handler(v, nil) })

	// A Verifier built without NewVerifier has no secret: refuse, loudly.
	rec := httptest.NewRecorder()
	webhook.Handler(&webhook.Verifier{}, func(context.Context, *webhook.Event) error {
		t.Error("handler called without a secret")
		return nil
	}).ServeHTTP(rec, signed("", time.Now(), personCreated))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
}
