package webhook

import (
	"context"
	"errors"
	"net/http"
)

// Handler returns an http.Handler that accepts Twenty deliveries: it reads
// and verifies the request with v, decodes it and calls h once with the
// request's context. It answers
//
//	405 for a method other than POST,
//	401 for a missing or invalid signature or timestamp, or a stale one,
//	413 for a body over v.MaxBodyBytes,
//	400 for a body that cannot be read or decoded,
//	500 when h returns an error (its text is not sent),
//	200 otherwise.
//
// Twenty waits 5 seconds for the answer and does not redeliver after a
// failure, so h should be quick and hand long work off. Handler panics if v
// or h is nil.
func Handler(v *Verifier, h func(ctx context.Context, e *Event) error) http.Handler {
	if v == nil || h == nil {
		panic("webhook: Handler needs a Verifier and a handler function")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, sh, err := v.readAndVerify(r)
		if err != nil {
			status, msg := errorStatus(err)
			http.Error(w, msg, status)
			return
		}
		e, err := Decode(body)
		if err != nil {
			http.Error(w, ErrMalformedPayload.Error(), http.StatusBadRequest)
			return
		}
		e.SentAt = sh.sentAt
		e.Nonce = r.Header.Get(NonceHeader)
		if err := h(r.Context(), e); err != nil {
			http.Error(w, "webhook: handler failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// errorStatus maps a ReadAndVerify error to a status and a one-line answer
// that names the failure without details.
func errorStatus(err error) (int, string) {
	for _, s := range []error{ErrMissingSignature, ErrInvalidSignature, ErrInvalidTimestamp, ErrStaleTimestamp} {
		if errors.Is(err, s) {
			return http.StatusUnauthorized, s.Error()
		}
	}
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge, ErrBodyTooLarge.Error()
	case errors.Is(err, ErrNoSecret):
		return http.StatusInternalServerError, ErrNoSecret.Error()
	}
	return http.StatusBadRequest, "webhook: cannot read body"
}
