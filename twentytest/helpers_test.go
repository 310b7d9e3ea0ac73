package twentytest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/authn"
	"github.com/twenty-go/twenty/twentytest"
)

// client returns the generated client, authenticated with authn's editor
// as users would set it up.
func client(t *testing.T, s *twentytest.Server) *api.ClientWithResponses {
	t.Helper()
	cred, err := authn.NewCredential(s.APIKey())
	require.NoError(t, err)
	c, err := api.NewClientWithResponses(s.URL(), api.WithRequestEditorFn(api.RequestEditorFn(cred.RequestEditor())))
	require.NoError(t, err)
	return c
}

type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
	list   []any
}

// do sends a raw request with the server's valid key (key "" means none;
// use doKey for others) and decodes the JSON answer.
func do(t *testing.T, s *twentytest.Server, method, path string, body any) resp {
	t.Helper()
	return doKey(t, s, s.APIKey(), method, path, body)
}

func doKey(t *testing.T, s *twentytest.Server, key, method, path string, body any) resp {
	t.Helper()
	h := http.Header{}
	if key != "" {
		h.Set("Authorization", "Bearer "+key)
	}
	return doHeader(t, s, h, method, path, body)
}

// doHeader sends a raw request with the headers h (and a JSON
// Content-Type when there is a body) and decodes the JSON answer.
func doHeader(t *testing.T, s *twentytest.Server, h http.Header, method, path string, body any) resp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			var err error
			b, err = json.Marshal(body)
			require.NoError(t, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	require.NoError(t, err)
	for k, v := range h {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	r := resp{status: res.StatusCode, header: res.Header, raw: raw}
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if d.Decode(&v) == nil {
		switch x := v.(type) {
		case map[string]any:
			r.body = x
		case []any:
			r.list = x
		}
	}
	return r
}

// at walks a decoded JSON value by keys and indexes.
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// message is the first of an error body's messages.
func message(r resp) string {
	m, _ := at(r.body, "messages", 0).(string)
	return m
}

func fixedClock(rfc3339 string) func() time.Time {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return t }
}

func nullableInt(n int) nullable.Nullable[int] { return nullable.NewNullableWithValue(n) }

var stdBase64 = base64.StdEncoding

// fakeT captures Errorf so tests can see what the server reports.
type fakeT struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeT) errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func readAll(t *testing.T, res *http.Response) []byte {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return b
}

// clock is a settable, concurrency-safe clock for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock { return &clock{now: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// roundTrip re-decodes a decoded JSON value into a typed one.
func roundTrip(v, into any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}
