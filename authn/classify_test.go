package authn_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/twenty-go/twenty/authn"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		want     error // nil: not an authentication failure
		wantCode string
		wantMsg  string
	}{
		// Documented shape: the code decides, whatever the error status.
		{"doc unauthorized", 401, `{"error":{"message":"Invalid token","code":"UNAUTHORIZED","details":{}}}`, authn.ErrUnauthorized, "UNAUTHORIZED", "Invalid token"},
		{"doc missing header", 401, `{"error":{"message":"Missing header","code":"MISSING_AUTH_HEADER","details":{}}}`, authn.ErrMissingAuthHeader, "MISSING_AUTH_HEADER", "Missing header"},
		{"doc expired", 401, `{"error":{"message":"Expired","code":"EXPIRED_API_KEY","details":{}}}`, authn.ErrExpiredAPIKey, "EXPIRED_API_KEY", "Expired"},
		{"doc revoked", 401, `{"error":{"message":"Revoked","code":"REVOKED_API_KEY","details":{}}}`, authn.ErrRevokedAPIKey, "REVOKED_API_KEY", "Revoked"},
		{"doc revoked as 403", 403, `{"error":{"message":"Revoked","code":"REVOKED_API_KEY"}}`, authn.ErrRevokedAPIKey, "REVOKED_API_KEY", "Revoked"},
		{"doc expired as 400", 400, `{"error":{"code":"EXPIRED_API_KEY"}}`, authn.ErrExpiredAPIKey, "EXPIRED_API_KEY", ""},
		{"doc code beats message", 401, `{"error":{"message":"Token invalid.","code":"EXPIRED_API_KEY"}}`, authn.ErrExpiredAPIKey, "EXPIRED_API_KEY", "Token invalid."},
		{"doc unknown code on 401", 401, `{"error":{"message":"Nope","code":"SOMETHING_ELSE"}}`, authn.ErrUnauthorized, "SOMETHING_ELSE", "Nope"},
		{"doc unknown code on 400", 400, `{"error":{"message":"Bad filter","code":"BAD_REQUEST"}}`, nil, "", ""},

		// Real auth middleware shape.
		{"real missing header", 403, `{"statusCode":403,"messages":["Missing authentication token"],"error":"FORBIDDEN_EXCEPTION"}`, authn.ErrMissingAuthHeader, "FORBIDDEN_EXCEPTION", "Missing authentication token"},
		{"real token invalid", 401, `{"statusCode":401,"messages":["Token invalid."],"error":"UNAUTHENTICATED"}`, authn.ErrUnauthorized, "UNAUTHENTICATED", "Token invalid."},
		{"real no payload", 401, `{"statusCode":401,"messages":["No payload"],"error":"UNAUTHENTICATED"}`, authn.ErrUnauthorized, "UNAUTHENTICATED", "No payload"},
		{"real wrong token type", 403, `{"statusCode":403,"messages":["Invalid token type"],"error":"INVALID_JWT_TOKEN_TYPE"}`, authn.ErrUnauthorized, "INVALID_JWT_TOKEN_TYPE", "Invalid token type"},
		{"real expired", 401, `{"statusCode":401,"messages":["Token has expired."],"error":"UNAUTHENTICATED"}`, authn.ErrExpiredAPIKey, "UNAUTHENTICATED", "Token has expired."},
		{"real revoked", 403, `{"statusCode":403,"messages":["This API Key is revoked"],"error":"FORBIDDEN_EXCEPTION"}`, authn.ErrRevokedAPIKey, "FORBIDDEN_EXCEPTION", "This API Key is revoked"},
		{"real workspace gone", 401, `{"statusCode":401,"messages":["Workspace not found"],"error":"WORKSPACE_NOT_FOUND"}`, authn.ErrUnauthorized, "WORKSPACE_NOT_FOUND", "Workspace not found"},
		{"real other 401", 401, `{"statusCode":401,"messages":["Something new"],"error":"SOME_NEW_CODE"}`, authn.ErrUnauthorized, "SOME_NEW_CODE", "Something new"},
		{"real message string", 401, `{"statusCode":401,"message":"Token has expired.","error":"UNAUTHENTICATED"}`, authn.ErrExpiredAPIKey, "UNAUTHENTICATED", "Token has expired."},
		{"real message array", 403, `{"statusCode":403,"message":["This API Key is revoked"],"error":"FORBIDDEN_EXCEPTION"}`, authn.ErrRevokedAPIKey, "FORBIDDEN_EXCEPTION", "This API Key is revoked"},
		{"real matching message not first", 401, `{"messages":["x","Token has expired."],"error":"UNAUTHENTICATED"}`, authn.ErrExpiredAPIKey, "UNAUTHENTICATED", "Token has expired."},
		{"newer code field", 401, `{"statusCode":401,"error":"UnauthorizedException","messages":["x"],"code":"UNAUTHENTICATED"}`, authn.ErrUnauthorized, "UnauthorizedException", "x"},
		{"code in error field", 403, `{"statusCode":403,"error":"REVOKED_API_KEY","messages":["Key gone"]}`, authn.ErrRevokedAPIKey, "REVOKED_API_KEY", "Key gone"},
		{"code in code field", 400, `{"statusCode":400,"error":"BadRequestException","code":"EXPIRED_API_KEY"}`, authn.ErrExpiredAPIKey, "BadRequestException", ""},
		{"missing header code", 403, `{"error":"MISSING_AUTH_HEADER"}`, authn.ErrMissingAuthHeader, "MISSING_AUTH_HEADER", ""},
		{"spec 401 example", 401, `{"statusCode":401,"message":"Token invalid.","error":"Unauthorized"}`, authn.ErrUnauthorized, "Unauthorized", "Token invalid."},

		// Permission refusals of a valid key are not authentication failures.
		{"permission era B", 400, `{"statusCode":400,"error":"PermissionsException","messages":["Entity performing the request does not have permission"]}`, nil, "", ""},
		{"permission newer", 403, `{"statusCode":403,"error":"ForbiddenException","messages":["Entity performing the request does not have permission"],"code":"PERMISSION_DENIED"}`, nil, "", ""},
		{"principal refused", 403, `{"statusCode":403,"messages":["This endpoint is not available to this caller"],"error":"FORBIDDEN_EXCEPTION"}`, nil, "", ""},
		{"other forbidden exception", 403, `{"statusCode":403,"messages":["Workspace is suspended"],"error":"FORBIDDEN_EXCEPTION"}`, nil, "", ""},
		{"workspace not found on 404", 404, `{"statusCode":404,"messages":["Workspace not found"],"error":"WORKSPACE_NOT_FOUND"}`, nil, "", ""},
		{"not found", 404, `{"statusCode":404,"error":"NotFoundException","messages":["Record not found"]}`, nil, "", ""},
		{"rate limited", 429, `{"statusCode":429,"error":"RATE_LIMITED","messages":["Limit reached"]}`, nil, "", ""},
		{"success", 200, `{"data":{"people":[]}}`, nil, "", ""},
		{"success with auth-looking body", 200, `{"statusCode":401,"messages":["Token has expired."],"error":"UNAUTHENTICATED"}`, nil, "", ""},
		{"created", 201, ``, nil, "", ""},
		{"server error", 500, `{"statusCode":500,"error":"INTERNAL_SERVER_ERROR","messages":["boom"]}`, nil, "", ""},

		// Legacy era A: status 500, message tells.
		{"era A expired", 500, `{"errors":[{"message":"Token has expired."}]}`, authn.ErrExpiredAPIKey, "", "Token has expired."},
		{"era A revoked", 500, `{"errors":[{"message":"This API Key is revoked"}]}`, authn.ErrRevokedAPIKey, "", "This API Key is revoked"},
		{"era A missing", 500, `{"errors":[{"message":"Missing authentication token"}]}`, authn.ErrMissingAuthHeader, "", "Missing authentication token"},
		{"era A invalid", 500, `{"errors":[{"message":"Token invalid."}]}`, authn.ErrUnauthorized, "", "Token invalid."},
		{"era A strings", 500, `{"errors":["Token has expired."]}`, authn.ErrExpiredAPIKey, "", "Token has expired."},
		{"era A other", 500, `{"errors":[{"message":"connection refused"}]}`, nil, "", ""},
		{"era A auth in 401", 401, `{"errors":[{"message":"Unauthorized"}]}`, authn.ErrUnauthorized, "", "Unauthorized"},

		// Malformed bodies: the status alone decides.
		{"html 401", 401, `<html><body><h1>401 Authorization Required</h1></body></html>`, authn.ErrUnauthorized, "", ""},
		{"html 403", 403, `<html><body>Forbidden</body></html>`, nil, "", ""},
		{"empty 401", 401, ``, authn.ErrUnauthorized, "", ""},
		{"empty 403", 403, ``, nil, "", ""},
		{"truncated 401", 401, `{"statusCode":401,"messages":["Token has exp`, authn.ErrUnauthorized, "", ""},
		{"truncated 403", 403, `{"statusCode":403,"messages":["This API Key is rev`, nil, "", ""},
		{"null", 401, `null`, authn.ErrUnauthorized, "", ""},
		{"array", 401, `[{"error":"UNAUTHENTICATED"}]`, authn.ErrUnauthorized, "", ""},
		{"array 403", 403, `["This API Key is revoked"]`, nil, "", ""},
		{"number", 403, `42`, nil, "", ""},
		{"wrong types", 403, `{"error":42,"messages":{"a":"Token has expired."},"message":7,"errors":"x","code":[]}`, nil, "", ""},
		{"error null", 403, `{"error":null,"messages":null}`, nil, "", ""},
		{"nested wrong types", 403, `{"error":{"code":5,"message":["x"]},"errors":[1,null,{"message":2}]}`, nil, "", ""},
		{"invalid UTF-8 in message", 401, "{\"messages\":[\"bad \xff byte\"]}", authn.ErrUnauthorized, "", "bad \uFFFD byte"},
		{"multi-line message", 401, `{"messages":["line1\nline2\ttab"],"error":"UNAUTHENTICATED"}`, authn.ErrUnauthorized, "UNAUTHENTICATED", "line1 line2 tab"},
		{"negative status", -1, `{"error":{"code":"UNAUTHORIZED"}}`, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := authn.Classify(tt.status, []byte(tt.body))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Classify = %v, want nil", err)
				}
				return
			}
			wantErrIs(t, err, tt.want)
			var ae *authn.Error
			if !errors.As(err, &ae) {
				t.Fatalf("Classify returned %T, want *authn.Error", err)
			}
			wantEqual(t, ae.Status, tt.status)
			wantEqual(t, ae.Code, tt.wantCode)
			wantEqual(t, ae.Message, tt.wantMsg)
			for _, other := range []error{authn.ErrUnauthorized, authn.ErrMissingAuthHeader, authn.ErrExpiredAPIKey, authn.ErrRevokedAPIKey} {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("also matches %v", other)
				}
			}
			checkErrorLine(t, err)
		})
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	err := authn.Classify(401, []byte(`{"statusCode":401,"messages":["Token has expired."],"error":"UNAUTHENTICATED"}`))
	wantEqual(t, err.Error(), "authn: API key expired (HTTP 401 UNAUTHENTICATED: Token has expired.)")
	wantEqual(t, authn.Classify(401, nil).Error(), "authn: API key not accepted (HTTP 401)")
	wantEqual(t, (&authn.Error{Status: 401}).Error(), "authn: authentication failed (HTTP 401)")
	if (&authn.Error{}).Unwrap() != nil {
		t.Error("zero Error unwraps to a sentinel")
	}
}

func TestClassifyBoundsMessage(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 5000)
	err := authn.Classify(401, []byte(`{"messages":["`+long+`"]}`))
	var ae *authn.Error
	if !errors.As(err, &ae) {
		t.Fatalf("Classify = %v", err)
	}
	if len(ae.Message) > 220 {
		t.Errorf("message not bounded: %d bytes", len(ae.Message))
	}
	checkErrorLine(t, err)

	// A body past the parse cap is judged by status alone.
	huge := `{"messages":["Token has expired."],"pad":"` + strings.Repeat("x", 2<<20) + `"}`
	wantErrIs(t, authn.Classify(401, []byte(huge)), authn.ErrUnauthorized)
	if err := authn.Classify(500, []byte(huge)); err != nil {
		t.Errorf("huge 500 = %v, want nil", err)
	}
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	wantErrIs(t, authn.Classify(401, []byte(deep)), authn.ErrUnauthorized)
}

// checkErrorLine asserts the properties every classified error has.
func checkErrorLine(t *testing.T, err error) {
	t.Helper()
	s := err.Error()
	if strings.ContainsAny(s, "\n\r\t") {
		t.Errorf("error is not one line: %q", s)
	}
	if len(s) > 400 {
		t.Errorf("error too long: %d bytes", len(s))
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []struct {
		status int
		body   string
	}{
		{401, `{"error":{"message":"m","code":"UNAUTHORIZED","details":{}}}`},
		{401, `{"error":{"message":"m","code":"EXPIRED_API_KEY","details":{}}}`},
		{403, `{"statusCode":403,"messages":["Missing authentication token"],"error":"FORBIDDEN_EXCEPTION"}`},
		{403, `{"statusCode":403,"messages":["This API Key is revoked"],"error":"FORBIDDEN_EXCEPTION"}`},
		{401, `{"statusCode":401,"message":"Token has expired.","error":"UNAUTHENTICATED"}`},
		{403, `{"statusCode":403,"messages":["This endpoint is not available to this caller"],"error":"FORBIDDEN_EXCEPTION"}`},
		{500, `{"errors":[{"message":"Token has expired."}]}`},
		{401, `<html></html>`},
		{401, `{"messages":["Tok`},
		{200, `null`},
		{403, `[1,{"message":null}]`},
	} {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		err := authn.Classify(status, body)
		if err == nil {
			return
		}
		if status < 400 {
			t.Fatalf("status %d classified as %v", status, err)
		}
		var ae *authn.Error
		if !errors.As(err, &ae) || ae.Status != status {
			t.Fatalf("Classify returned %#v", err)
		}
		var kinds int
		for _, k := range []error{authn.ErrUnauthorized, authn.ErrMissingAuthHeader, authn.ErrExpiredAPIKey, authn.ErrRevokedAPIKey} {
			if errors.Is(err, k) {
				kinds++
			}
		}
		if kinds != 1 {
			t.Fatalf("%v matches %d kinds", err, kinds)
		}
		checkErrorLine(t, err)
	})
}

func FuzzNormalizeBaseURL(f *testing.F) {
	for _, s := range []string{
		"", "https://api.twenty.com", "https://crm.example.com/twenty/rest/", "HTTP://LOCALHOST:3000/rest",
		"https://x/rest/rest//", "https://x/a%2Fb/rest", "http://[::1%25EN0]:80/", "https://u:p@x",
		"https://x?q", "https://x#f", "ftp://x", "https://x:", "https://x/%7e/rest", "http://rest/rest", "http://[::%25\x92]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out, err := authn.NormalizeBaseURL(raw)
		if err != nil {
			if !errors.Is(err, authn.ErrInvalidBaseURL) {
				t.Fatalf("error %v does not wrap ErrInvalidBaseURL", err)
			}
			return
		}
		again, err := authn.NormalizeBaseURL(out)
		if err != nil {
			t.Fatalf("NormalizeBaseURL(%q) = %q, which is rejected: %v", raw, out, err)
		}
		if again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, out, again)
		}
		u, err := url.Parse(out)
		if err != nil {
			t.Fatalf("%q -> %q does not parse: %v", raw, out, err)
		}
		if p := u.EscapedPath(); strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/rest") {
			t.Fatalf("%q -> %q keeps a trailing / or /rest", raw, out)
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("%q -> %q is not a plain http(s) base URL", raw, out)
		}
	})
}
