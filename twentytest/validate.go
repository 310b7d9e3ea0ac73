package twentytest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/twenty-go/twenty/internal/spectest"
)

// discard is the Reporter of the per-request validators: they run Lenient
// and the server judges their findings itself.
type discard struct{}

func (discard) Helper()               {}
func (discard) Errorf(string, ...any) {}

// serveValidated serves r through spectest's middleware and judges the
// exchange:
//   - a response that breaks the spec is always a failure: it is the
//     fake's bug (or the spec's);
//   - a request that breaks the spec is a failure only if the fake accepted
//     it (status below 400), because answering off-spec requests with a 400,
//     401 or 403 is exactly what the real server does;
//   - a request no operation describes (an unknown object, a bad path)
//     cannot have its response checked by spectest, so a 4xx answer is
//     checked here against the ErrorBody schema.
//
// A fresh validator per request keeps each verdict tied to its request.
func (s *Server) serveValidated(w http.ResponseWriter, r *http.Request) {
	v := spectest.New(discard{}, s.spec)
	v.Lenient = true
	v.Middleware(s.url, http.HandlerFunc(s.serveAPI)).ServeHTTP(w, r)
	ex := v.Exchanges()
	if len(ex) != 1 {
		return
	}
	e := ex[0]
	s.log(slog.LevelDebug, "exchange", "method", e.Method, "path", e.Path, "operation", e.OperationID, "status", e.Status)
	if e.Violation == nil {
		return
	}
	var reqErrs, respErrs []string
	if multi, ok := e.Violation.(interface{ Unwrap() []error }); ok {
		for _, err := range multi.Unwrap() {
			if strings.HasPrefix(err.Error(), "response: ") {
				respErrs = append(respErrs, err.Error())
			} else {
				reqErrs = append(reqErrs, err.Error())
			}
		}
	} else {
		// "no operation matches": nothing was checked.
		reqErrs = append(reqErrs, e.Violation.Error())
		if e.Status >= 400 {
			if err := s.checkErrorBody(e.Body); err != nil {
				respErrs = append(respErrs, "response: "+err.Error())
			}
		}
	}
	where := fmt.Sprintf("%s %s (%s) -> %d", e.Method, r.URL.RequestURI(), e.OperationID, e.Status)
	if len(respErrs) > 0 {
		s.violation(true, where+": response breaks openapi.yaml: "+strings.Join(respErrs, "; "))
	}
	if len(reqErrs) > 0 && e.Status < 400 {
		s.violation(!s.cfg.lenientReqs, where+": the fake accepted a request that breaks openapi.yaml: "+strings.Join(reqErrs, "; "))
	}
}

func (s *Server) violation(fail bool, msg string) {
	s.ctl.Lock()
	s.violations = append(s.violations, msg)
	s.ctl.Unlock()
	s.log(slog.LevelError, "twentytest: spec violation", "detail", msg)
	if fail && s.tb != nil {
		s.tb.Errorf("twentytest: %s", msg)
	}
}

// checkErrorBody validates an error response of an unrouted request
// against the spec's ErrorBody schema.
func (s *Server) checkErrorBody(body []byte) error {
	ref := s.spec.Doc.Components.Schemas["ErrorBody"]
	if ref == nil {
		return nil
	}
	var plain any // VisitJSON wants float64 numbers
	if err := json.Unmarshal(body, &plain); err != nil {
		return fmt.Errorf("error body is not JSON: %w", err)
	}
	return ref.Value.VisitJSON(plain)
}
