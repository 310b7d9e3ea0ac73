package webhook_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twenty-go/twenty/webhook"
)

func FuzzVerify(f *testing.F) {
	f.Add(shortSecret, shortTS, shortSig, []byte(shortBody))
	f.Add(vectorSecret, vectorTS, vectorSig, []byte(vectorBody))
	f.Add(vectorSecret, vectorTS, strings.ToUpper(vectorSig), []byte(vectorBody))
	f.Add("s", "", "", []byte(nil))
	f.Add("s", "-1", "zz", []byte("{"))
	f.Add("s", "99999999999999999999", strings.Repeat("0", 64), []byte("\xff\x00"))

	now := millis(shortTS).Add(time.Minute)
	f.Fuzz(func(t *testing.T, secret, ts, sig string, body []byte) {
		if secret == "" {
			secret = "fallback"
		}
		v, err := webhook.NewVerifier(secret, webhook.WithClock(fixedClock(now)))
		if err != nil {
			t.Fatal(err)
		}

		// Arbitrary headers: no panic, only known errors, and no false accept.
		h := http.Header{}
		h.Set(webhook.TimestampHeader, ts)
		h.Set(webhook.SignatureHeader, sig)
		err = v.Verify(h, body)
		switch {
		case err == nil:
			if !strings.EqualFold(sig, hmacHex(secret, ts, body)) {
				t.Fatalf("accepted a wrong signature %q for ts %q", sig, ts)
			}
		case errors.Is(err, webhook.ErrMissingSignature), errors.Is(err, webhook.ErrInvalidSignature),
			errors.Is(err, webhook.ErrInvalidTimestamp), errors.Is(err, webhook.ErrStaleTimestamp):
			if msg := err.Error(); !strings.HasPrefix(msg, "webhook: ") || strings.Contains(msg, "\n") {
				t.Fatalf("error is not one clean line: %q", msg)
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}

		// A correct signature for any body always verifies, directly and
		// through a request.
		sentAt := strconv.FormatInt(now.Add(-time.Second).UnixMilli(), 10)
		good := http.Header{}
		good.Set(webhook.TimestampHeader, sentAt)
		good.Set(webhook.SignatureHeader, hmacHex(secret, sentAt, body))
		if err := v.Verify(good, body); err != nil {
			t.Fatalf("valid signature rejected: %v", err)
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header = good
		got, err := v.ReadAndVerify(req)
		if err != nil {
			t.Fatalf("ReadAndVerify rejected a valid delivery: %v", err)
		}
		if !bytes.Equal(got, body) {
			t.Fatal("ReadAndVerify changed the body")
		}
		// Any single-byte change to the body is caught.
		if len(body) > 0 {
			bad := bytes.Clone(body)
			bad[len(bad)/2] ^= 0x01
			if err := v.Verify(good, bad); !errors.Is(err, webhook.ErrInvalidSignature) {
				t.Fatalf("tampered body: got %v", err)
			}
		}
	})
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{personCreated, companyUpdated, opportunityDeleted, noteDestroyed,
		metadataObjectCreated, legacyEventType, `{}`, `null`, `[]`, `{"eventName":1}`, `{"eventName":"a.b","record":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := webhook.Decode(body)
		if err != nil {
			if !errors.Is(err, webhook.ErrMalformedPayload) {
				t.Fatalf("unexpected error %v", err)
			}
			if e != nil {
				t.Fatal("event returned with an error")
			}
			return
		}
		if e.Name == "" || !bytes.Equal(e.Raw, body) {
			t.Fatalf("bad event %+v", e)
		}
		if op := e.Operation(); op != "" {
			prefix := ""
			if e.IsMetadata() {
				prefix = "metadata."
			}
			if prefix+e.ObjectName()+"."+op != e.Name {
				t.Fatalf("name %q split into %q and %q", e.Name, e.ObjectName(), op)
			}
		}
		var rec any
		if err := e.DecodeRecord(&rec); err != nil && !errors.Is(err, webhook.ErrNoRecord) && !errors.Is(err, webhook.ErrMalformedPayload) {
			t.Fatalf("DecodeRecord: %v", err)
		}
	})
}
