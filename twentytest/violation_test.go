package twentytest

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/internal/model"
)

// captureT records what the server reports instead of failing the test.
type captureT struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (c *captureT) Helper() {}

func (c *captureT) Errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

func (c *captureT) reports() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errs...)
}

// driftedModel says person.city is a number while openapi.yaml says text:
// a fake serving it sends responses the spec forbids.
func driftedModel() *model.Model {
	m := model.Standard()
	o, _ := m.Object("person")
	f, _ := o.Field("city")
	f.Type = model.Number
	return m
}

func send(t *testing.T, s *Server, method, path, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+s.APIKey())
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

func TestOffSpecResponseFailsTheTest(t *testing.T) {
	t.Parallel()
	ct := &captureT{TB: t}
	s := NewServer(ct, WithSeed(false), withModel(driftedModel()), withSpec(twenty.OpenAPISpec()))
	require.Equal(t, 201, send(t, s, "POST", "/rest/people", `{"city": 5}`))
	reports := ct.reports()
	require.Len(t, reports, 2, "%q", reports)
	assert.Contains(t, reports[0], "POST /rest/people (createOnePerson) -> 201: response breaks openapi.yaml")
	assert.Contains(t, reports[0], "city")
	assert.Contains(t, reports[1], "the fake accepted a request that breaks openapi.yaml")

	// Well-formed traffic is not reported.
	require.Equal(t, 200, send(t, s, "GET", "/rest/companies", ""))
	assert.Len(t, ct.reports(), 2)
	// Off-spec requests the server refuses are not reported either.
	require.Equal(t, 400, send(t, s, "GET", "/rest/companies/not-a-uuid?depth=7", ""))
	require.Equal(t, 400, send(t, s, "GET", "/rest/unknownObjects", ""))
	assert.Len(t, ct.reports(), 2)
	assert.Len(t, s.Violations(), 2)
}

func TestInjectedFaultsAreExempt(t *testing.T) {
	t.Parallel()
	ct := &captureT{TB: t}
	s := NewServer(ct, WithSeed(false))
	s.FailNext(Fault{Kind: FaultStatus, Status: 502}, Fault{Kind: FaultStatus, Status: 418})
	assert.Equal(t, 502, send(t, s, "GET", "/rest/people", ""))
	assert.Equal(t, 418, send(t, s, "GET", "/rest/people", ""))
	assert.Empty(t, ct.reports())
}

// An error body of an unrouted request is still checked against ErrorBody.
func TestUnroutedErrorBodiesAreChecked(t *testing.T) {
	t.Parallel()
	s := NewServer(t)
	assert.Error(t, s.checkErrorBody([]byte(`{"statusCode":"400"}`)))
	assert.Error(t, s.checkErrorBody([]byte(`<html>`)))
	assert.NoError(t, s.checkErrorBody([]byte(`{"statusCode":400,"error":"BadRequestException","messages":["x"]}`)))
}

func TestStartLogsViolations(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
	s, err := Start(WithSeed(false), withModel(driftedModel()), withSpec(twenty.OpenAPISpec()), WithLogger(logger))
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, 201, send(t, s, "POST", "/rest/people", `{"city": 5}`))
	assert.Len(t, s.Violations(), 2)
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, logs.String(), "spec violation")
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestCloseIsIdempotentAndAbortsDelays(t *testing.T) {
	t.Parallel()
	s, err := Start(WithFaults(Fault{Kind: FaultLatency, Delay: 10 * time.Minute}))
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequest("GET", s.URL()+"/rest/people", nil)
		req.Header.Set("Authorization", "Bearer "+s.APIKey())
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	for s.Requests() == 0 {
		time.Sleep(time.Millisecond)
	}
	s.Close()
	s.Close()
	<-done
}
