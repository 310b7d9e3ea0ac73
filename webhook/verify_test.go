package webhook_test

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/webhook"
)

// Vectors computed outside Go, never with webhook.Sign.
//
// vectorBody/vectorSig were produced with Node.js exactly as the server's
// CallWebhookJob.generateSignature does it:
//
//	body = JSON.stringify(payload)   // the payload object with Date eventDate
//	crypto.createHmac('sha256', secret).update(`${ts}:${body}`).digest('hex')
//
// and cross-checked with
//
//	printf '%s' "1737745039761:$body" | openssl dgst -sha256 -hmac "$secret"
//
// The two short vectors come from
//
//	printf '%s' '1700000000000:{"eventName":"person.created"}' | openssl dgst -sha256 -hmac 'test-secret'
//	printf '%s' '1700000000000:' | openssl dgst -sha256 -hmac 'test-secret'
const (
	vectorSecret = "6f1c2a9e8b7d4c3f0a1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978"
	vectorTS     = "1737745039761"
	vectorBody   = `{"targetUrl":"https://hooks.example.com/twenty","eventName":"person.updated","objectMetadata":{"id":"20202020-e674-48e5-a542-72570eee7213","nameSingular":"person"},"workspaceId":"3b8e6458-5fc1-4e63-8563-008ccddaa6db","webhookId":"90056586-1228-4e03-a507-70140aa85c05","eventDate":"2025-01-24T18:57:19.761Z","userId":"20202020-9e3b-46d4-a556-88b9ddc2b034","workspaceMemberId":"20202020-0687-4c41-b707-ed1bfca972a7","record":{"id":"2a0c8b1e-4f5d-4c3b-9a8e-7d6c5b4a3f21","name":{"firstName":"Ada","lastName":"Lovelace"},"emails":{"primaryEmail":"ada@example.com","additionalEmails":[]},"jobTitle":"Analyst — “Engines”","city":"London","position":1,"createdAt":"2025-01-24T18:50:00.000Z","updatedAt":"2025-01-24T18:57:19.700Z","deletedAt":null},"updatedFields":["jobTitle","city"]}`
	vectorSig    = "ad0cc1ca91d0e9312f12e9197c3899cbf30d69a87d13a6eb8f2bf077d35adb54"

	shortSecret  = "test-secret"
	shortTS      = "1700000000000"
	shortBody    = `{"eventName":"person.created"}`
	shortSig     = "c50221b72e344d8f18117cf764637c951d190f7c80bf58d034a489ecf90dcabe"
	emptyBodySig = "a809b3e1ad501e1c1e03c82e4aa937650745dfb8ed5a9ffd5e4b504fedb6979f"
)

// hmacHex is the reference signature, written against crypto/hmac directly.
func hmacHex(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + ":"))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func millis(ts string) time.Time {
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		panic(err)
	}
	return time.UnixMilli(ms)
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func headers(ts, sig string) http.Header {
	h := http.Header{}
	if ts != "" {
		h.Set(webhook.TimestampHeader, ts)
	}
	if sig != "" {
		h.Set(webhook.SignatureHeader, sig)
	}
	return h
}

func newVerifier(t *testing.T, secret string, now time.Time, opts ...webhook.Option) *webhook.Verifier {
	t.Helper()
	v, err := webhook.NewVerifier(secret, append([]webhook.Option{webhook.WithClock(fixedClock(now))}, opts...)...)
	require.NoError(t, err)
	return v
}

func TestVectors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, secret, ts, body, sig string
	}{
		{"node JSON.stringify payload", vectorSecret, vectorTS, vectorBody, vectorSig},
		{"short body", shortSecret, shortTS, shortBody, shortSig},
		{"empty body", shortSecret, shortTS, "", emptyBodySig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// The test's own HMAC agrees with the external tools.
			require.Equal(t, c.sig, hmacHex(c.secret, c.ts, []byte(c.body)))

			assert.Equal(t, c.sig, webhook.Sign([]byte(c.secret), millis(c.ts), []byte(c.body)))
			h := webhook.SignedHeaders([]byte(c.secret), millis(c.ts), []byte(c.body))
			assert.Equal(t, c.ts, h.Get(webhook.TimestampHeader))
			assert.Equal(t, c.sig, h.Get(webhook.SignatureHeader))
			assert.Equal(t, "application/json", h.Get("Content-Type"))
			assert.Regexp(t, `^[0-9a-f]{32}$`, h.Get(webhook.NonceHeader))

			v := newVerifier(t, c.secret, millis(c.ts).Add(time.Second))
			assert.NoError(t, v.Verify(headers(c.ts, c.sig), []byte(c.body)))
		})
	}
}

func TestSignMatchesReferenceHMAC(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 12, 0, 0, 123_456_789, time.UTC) // sub-ms part is dropped
	for i, body := range []string{"{}", "x", strings.Repeat("é", 1000), "\x00\xff"} {
		secret := fmt.Sprintf("secret-%d", i)
		want := hmacHex(secret, strconv.FormatInt(at.UnixMilli(), 10), []byte(body))
		assert.Equal(t, want, webhook.Sign([]byte(secret), at, []byte(body)))
	}
	// Nonces differ between deliveries.
	a := webhook.SignedHeaders([]byte("s"), at, nil).Get(webhook.NonceHeader)
	b := webhook.SignedHeaders([]byte("s"), at, nil).Get(webhook.NonceHeader)
	assert.NotEqual(t, a, b)

	// Without a secret the server sends no signature headers at all.
	unsigned := webhook.SignedHeaders(nil, at, []byte("{}"))
	assert.Equal(t, http.Header{"Content-Type": {"application/json"}}, unsigned)
}

func TestToleranceEdges(t *testing.T) {
	t.Parallel()
	sent := millis(shortTS)
	h := headers(shortTS, shortSig)
	body := []byte(shortBody)
	for _, tol := range []time.Duration{0, time.Second, 30 * time.Minute} {
		eff := tol
		if eff == 0 {
			eff = webhook.DefaultTolerance
		}
		cases := []struct {
			name string
			now  time.Time
			ok   bool
		}{
			{"same instant", sent, true},
			{"exactly tolerance old", sent.Add(eff), true},
			{"1ns beyond tolerance old", sent.Add(eff + time.Nanosecond), false},
			{"1ms beyond tolerance old", sent.Add(eff + time.Millisecond), false},
			{"exactly tolerance ahead", sent.Add(-eff), true},
			{"1ns beyond tolerance ahead", sent.Add(-eff - time.Nanosecond), false},
			{"far future", sent.Add(24 * time.Hour * 365), false},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%v/%s", tol, c.name), func(t *testing.T) {
				t.Parallel()
				v := newVerifier(t, shortSecret, c.now)
				v.Tolerance = tol // zero means the default
				err := v.Verify(h, body)
				if c.ok {
					assert.NoError(t, err)
				} else {
					assert.ErrorIs(t, err, webhook.ErrStaleTimestamp)
					assert.NotContains(t, err.Error(), "\n")
				}
			})
		}
	}
}

func TestReplayOfOldDeliveryRejected(t *testing.T) {
	t.Parallel()
	sent := millis(vectorTS)
	h := headers(vectorTS, vectorSig)
	clock := sent.Add(2 * time.Second)
	v, err := webhook.NewVerifier(vectorSecret, webhook.WithClock(func() time.Time { return clock }))
	require.NoError(t, err)
	require.NoError(t, v.Verify(h, []byte(vectorBody)))

	// The same captured request, sent again an hour later.
	clock = sent.Add(time.Hour)
	err = v.Verify(h, []byte(vectorBody))
	require.ErrorIs(t, err, webhook.ErrStaleTimestamp)
	assert.Contains(t, err.Error(), "ago")

	// Refreshing the timestamp header to make it look new breaks the signature.
	fresh := h.Clone()
	fresh.Set(webhook.TimestampHeader, strconv.FormatInt(clock.UnixMilli(), 10))
	assert.ErrorIs(t, v.Verify(fresh, []byte(vectorBody)), webhook.ErrInvalidSignature)
}

func flipHex(s string, i int) string {
	b := []byte(s)
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	return string(b)
}

func TestVerifyFailures(t *testing.T) {
	t.Parallel()
	body := []byte(vectorBody)
	tampered := bytes.Replace(body, []byte("Lovelace"), []byte("Lovelacf"), 1)
	cases := []struct {
		name   string
		header http.Header
		body   []byte
		want   error
	}{
		{"valid", headers(vectorTS, vectorSig), body, nil},
		{"uppercase hex names the same MAC", headers(vectorTS, strings.ToUpper(vectorSig)), body, nil},
		{"tampered body", headers(vectorTS, vectorSig), tampered, webhook.ErrInvalidSignature},
		{"truncated body", headers(vectorTS, vectorSig), body[:len(body)-1], webhook.ErrInvalidSignature},
		{"empty body", headers(vectorTS, vectorSig), nil, webhook.ErrInvalidSignature},
		{"body with trailing newline", headers(vectorTS, vectorSig), append(append([]byte{}, body...), '\n'), webhook.ErrInvalidSignature},
		{"timestamp +1ms", headers("1737745039762", vectorSig), body, webhook.ErrInvalidSignature},
		{"timestamp with leading zero", headers("0"+vectorTS, vectorSig), body, webhook.ErrInvalidSignature},
		{"first hex digit flipped", headers(vectorTS, flipHex(vectorSig, 0)), body, webhook.ErrInvalidSignature},
		{"last hex digit flipped", headers(vectorTS, flipHex(vectorSig, 63)), body, webhook.ErrInvalidSignature},
		{"signature too short", headers(vectorTS, vectorSig[:62]), body, webhook.ErrInvalidSignature},
		{"signature too long", headers(vectorTS, vectorSig+"00"), body, webhook.ErrInvalidSignature},
		{"signature not hex", headers(vectorTS, strings.Repeat("g", 64)), body, webhook.ErrInvalidSignature},
		{"sha256= prefix", headers(vectorTS, "sha256="+vectorSig), body, webhook.ErrInvalidSignature},
		{"signature of another secret", headers(vectorTS, hmacHex("other", vectorTS, body)), body, webhook.ErrInvalidSignature},
		{"missing signature", headers(vectorTS, ""), body, webhook.ErrMissingSignature},
		{"missing both", http.Header{}, body, webhook.ErrMissingSignature},
		{"missing timestamp", headers("", vectorSig), body, webhook.ErrInvalidTimestamp},
		{"timestamp not a number", headers("yesterday", vectorSig), body, webhook.ErrInvalidTimestamp},
		{"timestamp negative", headers("-"+vectorTS, vectorSig), body, webhook.ErrInvalidTimestamp},
		{"timestamp with plus", headers("+"+vectorTS, vectorSig), body, webhook.ErrInvalidTimestamp},
		{"timestamp fractional", headers(vectorTS+".5", vectorSig), body, webhook.ErrInvalidTimestamp},
		{"timestamp ISO", headers("2025-01-24T18:57:19.761Z", vectorSig), body, webhook.ErrInvalidTimestamp},
		{"timestamp overflow", headers(strings.Repeat("9", 25), vectorSig), body, webhook.ErrInvalidTimestamp},
		{"timestamp with space", headers(" "+vectorTS, vectorSig), body, webhook.ErrInvalidTimestamp},
		{"two signatures", func() http.Header {
			h := headers(vectorTS, vectorSig)
			h.Add(webhook.SignatureHeader, vectorSig)
			return h
		}(), body, webhook.ErrInvalidSignature},
		{"two timestamps", func() http.Header {
			h := headers(vectorTS, vectorSig)
			h.Add(webhook.TimestampHeader, vectorTS)
			return h
		}(), body, webhook.ErrInvalidTimestamp},
	}
	v := newVerifier(t, vectorSecret, millis(vectorTS).Add(time.Minute))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := v.Verify(c.header, c.body)
			if c.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, c.want)
			msg := err.Error()
			assert.NotContains(t, msg, vectorSecret)
			assert.NotContains(t, msg, "\n")
			// The expected MAC must never leak through an error.
			assert.NotContains(t, msg, vectorSig)
		})
	}
}

func TestHeaderNamesAreCaseInsensitive(t *testing.T) {
	t.Parallel()
	// A proxy may lower-case header names; net/http canonicalises them
	// when parsing a request.
	req, err := http.ReadRequest(bufioReader("POST /hook HTTP/1.1\r\nHost: x\r\n" +
		"x-twenty-webhook-timestamp: " + shortTS + "\r\n" +
		"x-twenty-webhook-signature: " + shortSig + "\r\n" +
		"Content-Length: " + strconv.Itoa(len(shortBody)) + "\r\n\r\n" + shortBody))
	require.NoError(t, err)
	v := newVerifier(t, shortSecret, millis(shortTS))
	body, err := v.ReadAndVerify(req)
	require.NoError(t, err)
	assert.Equal(t, shortBody, string(body))
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }

func TestNoSecret(t *testing.T) {
	t.Parallel()
	_, err := webhook.NewVerifier("")
	assert.ErrorIs(t, err, webhook.ErrNoSecret)

	var zero webhook.Verifier
	// With an empty key anyone could compute a "valid" signature.
	emptyKeySig := hmacHex("", shortTS, []byte(shortBody))
	assert.ErrorIs(t, zero.Verify(headers(shortTS, emptyKeySig), []byte(shortBody)), webhook.ErrNoSecret)
	var nilV *webhook.Verifier
	assert.ErrorIs(t, nilV.Verify(headers(shortTS, emptyKeySig), []byte(shortBody)), webhook.ErrNoSecret)
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(shortBody))
	req.Header = headers(shortTS, emptyKeySig)
	_, err = zero.ReadAndVerify(req)
	assert.ErrorIs(t, err, webhook.ErrNoSecret)
}

func TestOptions(t *testing.T) {
	t.Parallel()
	v, err := webhook.NewVerifier("s", webhook.WithTolerance(time.Minute), webhook.WithMaxBodyBytes(10))
	require.NoError(t, err)
	assert.Equal(t, time.Minute, v.Tolerance)
	assert.EqualValues(t, 10, v.MaxBodyBytes)

	for _, opt := range []webhook.Option{webhook.WithTolerance(0), webhook.WithTolerance(-time.Second), webhook.WithMaxBodyBytes(0), webhook.WithMaxBodyBytes(-1)} {
		_, err := webhook.NewVerifier("s", opt)
		assert.Error(t, err)
	}
}

func TestVerifierDoesNotPrintSecret(t *testing.T) {
	t.Parallel()
	v, err := webhook.NewVerifier(vectorSecret)
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, v)
		assert.NotContains(t, out, vectorSecret, verb)
		assert.NotContains(t, out, "54 102 49 99", verb) // nor its bytes ("6f1c")
	}
	assert.NotContains(t, fmt.Sprintf("%v", *v), vectorSecret[:16])
}

// countingReader records how much of the body was read.
type countingReader struct {
	r    io.Reader
	n    int
	errs error
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.errs != nil {
		return 0, c.errs
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestReadAndVerify(t *testing.T) {
	t.Parallel()
	const limit = 64
	mk := func(body string, contentLength int64) (*http.Request, *countingReader) {
		cr := &countingReader{r: strings.NewReader(body)}
		req := httptest.NewRequest(http.MethodPost, "/hook", cr)
		req.ContentLength = contentLength
		req.Header = headers(shortTS, hmacHex(shortSecret, shortTS, []byte(body)))
		return req, cr
	}
	v := newVerifier(t, shortSecret, millis(shortTS), webhook.WithMaxBodyBytes(limit))

	t.Run("exactly at the cap", func(t *testing.T) {
		t.Parallel()
		body := `{"eventName":"x.created","p":"` + strings.Repeat("a", limit-32) + `"}`
		require.Len(t, body, limit)
		req, _ := mk(body, -1)
		got, err := v.ReadAndVerify(req)
		require.NoError(t, err)
		assert.Equal(t, body, string(got))
	})
	t.Run("one byte over the cap, unknown length", func(t *testing.T) {
		t.Parallel()
		req, cr := mk(strings.Repeat("a", limit+1), -1)
		_, err := v.ReadAndVerify(req)
		assert.ErrorIs(t, err, webhook.ErrBodyTooLarge)
		assert.LessOrEqual(t, cr.n, limit+1)
	})
	t.Run("huge body is not read past the cap", func(t *testing.T) {
		t.Parallel()
		req, cr := mk(strings.Repeat("a", 1<<20), -1)
		_, err := v.ReadAndVerify(req)
		assert.ErrorIs(t, err, webhook.ErrBodyTooLarge)
		assert.LessOrEqual(t, cr.n, limit+1)
	})
	t.Run("declared length over the cap is refused unread", func(t *testing.T) {
		t.Parallel()
		req, cr := mk(strings.Repeat("a", 100), 100)
		_, err := v.ReadAndVerify(req)
		assert.ErrorIs(t, err, webhook.ErrBodyTooLarge)
		assert.Zero(t, cr.n)
	})
	t.Run("default cap is 1 MiB", func(t *testing.T) {
		t.Parallel()
		dv := newVerifier(t, shortSecret, millis(shortTS))
		req, _ := mk(strings.Repeat("a", webhook.DefaultMaxBodyBytes), -1)
		_, err := dv.ReadAndVerify(req)
		assert.NoError(t, err)
		req, _ = mk(strings.Repeat("a", webhook.DefaultMaxBodyBytes+1), -1)
		_, err = dv.ReadAndVerify(req)
		assert.ErrorIs(t, err, webhook.ErrBodyTooLarge)
	})
	t.Run("unsigned request is refused before reading", func(t *testing.T) {
		t.Parallel()
		req, cr := mk(shortBody, -1)
		req.Header.Del(webhook.SignatureHeader)
		_, err := v.ReadAndVerify(req)
		assert.ErrorIs(t, err, webhook.ErrMissingSignature)
		assert.Zero(t, cr.n)
	})
	t.Run("tampered body", func(t *testing.T) {
		t.Parallel()
		req, _ := mk(shortBody, -1)
		req.Body = io.NopCloser(strings.NewReader(`{"eventName":"person.deleted"}`))
		_, err := v.ReadAndVerify(req)
		assert.ErrorIs(t, err, webhook.ErrInvalidSignature)
	})
	t.Run("read error", func(t *testing.T) {
		t.Parallel()
		req, cr := mk(shortBody, -1)
		cr.errs = errors.New("connection reset")
		_, err := v.ReadAndVerify(req)
		require.Error(t, err)
		assert.ErrorContains(t, err, "connection reset")
		for _, s := range []error{webhook.ErrInvalidSignature, webhook.ErrBodyTooLarge, webhook.ErrMissingSignature} {
			assert.NotErrorIs(t, err, s)
		}
	})
	t.Run("nil body is an empty body", func(t *testing.T) {
		t.Parallel()
		req, _ := mk("", 0)
		req.Body = nil
		req.Header = headers(shortTS, emptyBodySig)
		got, err := v.ReadAndVerify(req)
		require.NoError(t, err)
		assert.Empty(t, got)
	})
}
