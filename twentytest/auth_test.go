package twentytest_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/authn"
	"github.com/twenty-go/twenty/twentytest"
)

func TestAuthFailures(t *testing.T) {
	t.Parallel()
	type want struct {
		status int
		body   string
		kind   error
	}
	cases := []struct {
		name       string
		header     func(s *twentytest.Server) string
		documented want
		real       want
	}{
		{"missing", func(*twentytest.Server) string { return "" },
			want{401, `{"error":{"message":"Missing authorization header","code":"MISSING_AUTH_HEADER","details":{}}}`, authn.ErrMissingAuthHeader},
			want{403, `{"statusCode":403,"messages":["Missing authentication token"],"error":"FORBIDDEN_EXCEPTION"}`, authn.ErrMissingAuthHeader}},
		{"not bearer", func(s *twentytest.Server) string { return "Bearer: " + s.APIKey() },
			want{401, `{"error":{"message":"Missing authorization header","code":"MISSING_AUTH_HEADER","details":{}}}`, authn.ErrMissingAuthHeader},
			want{403, `{"statusCode":403,"messages":["Missing authentication token"],"error":"FORBIDDEN_EXCEPTION"}`, authn.ErrMissingAuthHeader}},
		{"invalid", func(*twentytest.Server) string { return "Bearer " + twentytest.MakeKey(time.Now().Add(time.Hour)) },
			want{401, `{"error":{"message":"Invalid API key","code":"UNAUTHORIZED","details":{}}}`, authn.ErrUnauthorized},
			want{401, `{"statusCode":401,"messages":["Token invalid."],"error":"UNAUTHENTICATED"}`, authn.ErrUnauthorized}},
		{"not a jwt", func(*twentytest.Server) string { return "Bearer hello" },
			want{401, `{"error":{"message":"Invalid API key","code":"UNAUTHORIZED","details":{}}}`, authn.ErrUnauthorized},
			want{401, `{"statusCode":401,"messages":["Token invalid."],"error":"UNAUTHENTICATED"}`, authn.ErrUnauthorized}},
		{"expired", func(s *twentytest.Server) string { return "Bearer " + s.ExpiredKey() },
			want{401, `{"error":{"message":"API key has expired","code":"EXPIRED_API_KEY","details":{}}}`, authn.ErrExpiredAPIKey},
			want{401, `{"statusCode":401,"messages":["Token has expired."],"error":"UNAUTHENTICATED"}`, authn.ErrExpiredAPIKey}},
		{"revoked", func(s *twentytest.Server) string { return "bearer " + s.RevokedKey() },
			want{401, `{"error":{"message":"API key has been revoked","code":"REVOKED_API_KEY","details":{}}}`, authn.ErrRevokedAPIKey},
			want{403, `{"statusCode":403,"messages":["This API Key is revoked"],"error":"FORBIDDEN_EXCEPTION"}`, authn.ErrRevokedAPIKey}},
	}
	for _, format := range []twentytest.ErrorFormat{twentytest.Documented, twentytest.Real} {
		s := twentytest.NewServer(t, twentytest.WithErrorFormat(format))
		for _, tc := range cases {
			w := tc.documented
			if format == twentytest.Real {
				w = tc.real
			}
			for _, path := range []string{"/rest/people", "/rest/nope", "/rest/people/" + maya} {
				req, err := http.NewRequest("GET", s.URL()+path, nil)
				require.NoError(t, err)
				if h := tc.header(s); h != "" {
					req.Header.Set("Authorization", h)
				}
				res, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				body := readAll(t, res)
				assert.Equal(t, w.status, res.StatusCode, "%v %s %s", format, tc.name, path)
				assert.JSONEq(t, w.body, string(body), "%v %s %s", format, tc.name, path)
				err = authn.Classify(res.StatusCode, body)
				assert.True(t, errors.Is(err, w.kind), "%v %s: Classify gave %v", format, tc.name, err)
			}
		}
		// Auth comes before everything: no request reached an operation.
		assert.Zero(t, totalCountWithKey(t, s), "the valid key still works")
	}
}

func totalCountWithKey(t *testing.T, s *twentytest.Server) int {
	t.Helper()
	r := do(t, s, "GET", "/rest/people?filter=city[eq]:nowhere", nil)
	require.Equal(t, 200, r.status)
	return len(r.body["data"].(map[string]any)["people"].([]any))
}

// Newer servers no longer take the key from the query string.
func TestTokenQueryParameterIsNotAuth(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t, twentytest.WithErrorFormat(twentytest.Real))
	r := doKey(t, s, "", "GET", "/rest/people?token="+s.APIKey(), nil)
	assert.Equal(t, 403, r.status)
	assert.Equal(t, "Missing authentication token", message(r))
}

func TestKeysAndClock(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := newClock(now)
	s := twentytest.NewServer(t, twentytest.WithClock(clock.Now), twentytest.WithErrorFormat(twentytest.Real))
	soon := twentytest.MakeKey(now.Add(time.Hour))
	s.AddKey(soon, twentytest.KeyValid)
	assert.Equal(t, 200, doKey(t, s, soon, "GET", "/rest/people?limit=1", nil).status)
	clock.Advance(time.Hour)
	r := doKey(t, s, soon, "GET", "/rest/people?limit=1", nil)
	assert.Equal(t, 401, r.status, "exp reached on the server's clock")
	assert.Equal(t, "Token has expired.", message(r))

	s.AddKey(soon, twentytest.KeyRevoked)
	assert.Equal(t, 403, doKey(t, s, soon, "GET", "/rest/people", nil).status)
	s.AddKey("custom-opaque-key", twentytest.KeyValid)
	assert.Equal(t, 200, doKey(t, s, "custom-opaque-key", "GET", "/rest/people?limit=1", nil).status)
}

// The expired key is expired on any clock, so authn refuses it before
// sending anything.
func TestExpiredKeyIsRefusedLocallyByAuthn(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	cred, err := authn.NewCredential(s.ExpiredKey())
	require.NoError(t, err)
	assert.True(t, cred.Expired())
	c, err := api.NewClientWithResponses(s.URL(), api.WithRequestEditorFn(api.RequestEditorFn(cred.RequestEditor())))
	require.NoError(t, err)
	_, err = c.FindManyPeopleWithResponse(ctx, nil)
	assert.ErrorIs(t, err, authn.ErrExpiredAPIKey)
	assert.Zero(t, s.Requests())

	valid, err := authn.NewCredential(s.APIKey())
	require.NoError(t, err)
	exp, ok := valid.Expiry()
	assert.True(t, ok)
	assert.True(t, exp.After(time.Now().AddDate(50, 0, 0)))
}
