package authn_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/twenty-go/twenty/authn"
)

func mapLookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestNormalizeBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string
		wantErr string // substring of the error; "" means success
	}{
		{"", authn.DefaultBaseURL, ""},
		{"https://api.twenty.com", "https://api.twenty.com", ""},
		{"https://api.twenty.com/", "https://api.twenty.com", ""},
		{"https://api.twenty.com/rest", "https://api.twenty.com", ""},
		{"https://api.twenty.com/rest/", "https://api.twenty.com", ""},
		{"https://api.twenty.com//rest//", "https://api.twenty.com", ""},
		{"https://api.twenty.com/rest/rest", "https://api.twenty.com", ""},
		{"HTTPS://API.Twenty.COM/rest/", "https://api.twenty.com", ""},
		{"https://crm.example.com/twenty/rest/", "https://crm.example.com/twenty", ""},
		{"https://crm.example.com/twenty/", "https://crm.example.com/twenty", ""},
		{"https://crm.example.com/Twenty/REST", "https://crm.example.com/Twenty/REST", ""}, // paths are case-sensitive
		{"https://crm.example.com/restful", "https://crm.example.com/restful", ""},
		{"https://crm.example.com/a%2Fb/rest", "https://crm.example.com/a%2Fb", ""},
		{"https://crm.example.com/a b/", "https://crm.example.com/a%20b", ""},
		{"http://localhost:3000/rest/", "http://localhost:3000", ""},
		{"http://[::1]:3000", "http://[::1]:3000", ""},
		{"https://crm.example.com:/", "https://crm.example.com", ""},
		{"http://crm.example.com", "http://crm.example.com", ""}, // transport is checked elsewhere

		{" https://api.twenty.com", "", "whitespace"},
		{"https://api.twenty.com\n", "", "whitespace"},
		{"api.twenty.com", "", "missing scheme"},
		{"localhost:3000", "", "scheme must be http or https"},
		{"ftp://api.twenty.com", "", "scheme must be http or https"},
		{"https://", "", "missing host"},
		{"https:///rest", "", "missing host"},
		{"https:api.twenty.com", "", "missing host"},
		{"https://:443", "", "missing host name"},
		{"https://api.twenty.com:0", "", "port out of range"},
		{"https://api.twenty.com:70000", "", "port out of range"},
		{"https://api.twenty.com:http", "", "invalid port"},
		{"https://user:pass@api.twenty.com", "", "user information"},
		{"https://@api.twenty.com", "", "user information"},
		{"https://api.twenty.com/rest?x=1", "", "query"},
		{"https://api.twenty.com/?", "", "query"},
		{"https://api.twenty.com/#top", "", "fragment"},
		{"https://api.twenty.com/#", "", "fragment"},
		{"https://api.twenty.com/%zz", "", "invalid URL escape"},
		{"https://api twenty.com", "", "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := authn.NormalizeBaseURL(tt.in)
			if tt.wantErr == "" {
				wantNoErr(t, err)
				wantEqual(t, got, tt.want)
				again, err := authn.NormalizeBaseURL(got)
				wantNoErr(t, err)
				wantEqual(t, again, got)
				return
			}
			wantErrIs(t, err, authn.ErrInvalidBaseURL)
			wantEqual(t, got, "")
			wantContains(t, err.Error(), tt.wantErr)
			if len(tt.in) > 12 && strings.Contains(err.Error(), strings.TrimSpace(tt.in)) {
				t.Errorf("error repeats the URL: %v", err)
			}
		})
	}
}

func TestNormalizeBaseURLDoesNotEchoUserinfo(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"https://admin:hunter2@crm.example.com/rest",
		"https://admin:hunter2@crm.example.com:bad/",
		"https://adm%zzin:hunter2@crm.example.com",
		"https://admin:hunter2@[::1",
	} {
		_, err := authn.NormalizeBaseURL(in)
		wantErrIs(t, err, authn.ErrInvalidBaseURL)
		for _, secret := range []string{"hunter2", "admin"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%q: error echoes userinfo: %v", in, err)
			}
		}
	}
}

func TestFromLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		opts     []authn.Option
		wantBase string
		wantErr  error
		wantText []string // substrings of the error
	}{
		{
			name:     "key only gives default base URL",
			env:      map[string]string{authn.EnvAPIKey: plainKey},
			wantBase: authn.DefaultBaseURL,
		},
		{
			name:     "empty base URL gives default",
			env:      map[string]string{authn.EnvAPIKey: plainKey, authn.EnvBaseURL: ""},
			wantBase: authn.DefaultBaseURL,
		},
		{
			name:     "path prefix kept",
			env:      map[string]string{authn.EnvAPIKey: plainKey, authn.EnvBaseURL: "https://crm.example.com/twenty/rest/"},
			wantBase: "https://crm.example.com/twenty",
		},
		{
			name:     "loopback http allowed",
			env:      map[string]string{authn.EnvAPIKey: plainKey, authn.EnvBaseURL: "http://localhost:3000/rest"},
			wantBase: "http://localhost:3000",
		},
		{
			name:     "expired key still loads; the request editor refuses it",
			env:      map[string]string{authn.EnvAPIKey: pastJWT},
			opts:     []authn.Option{fixedNow},
			wantBase: authn.DefaultBaseURL,
		},
		{
			name:     "remote http allowed with opt-in",
			env:      map[string]string{authn.EnvAPIKey: plainKey, authn.EnvBaseURL: "http://crm.internal/"},
			opts:     []authn.Option{authn.AllowInsecureHTTP()},
			wantBase: "http://crm.internal",
		},
		{
			name:     "remote http refused",
			env:      map[string]string{authn.EnvAPIKey: plainKey, authn.EnvBaseURL: "http://crm.internal/"},
			wantErr:  authn.ErrInsecureTransport,
			wantText: []string{authn.EnvBaseURL, "crm.internal"},
		},
		{
			name:     "key unset",
			env:      map[string]string{authn.EnvBaseURL: "https://crm.example.com"},
			wantErr:  authn.ErrMissingAPIKey,
			wantText: []string{authn.EnvAPIKey},
		},
		{
			name:     "key empty",
			env:      map[string]string{authn.EnvAPIKey: ""},
			wantErr:  authn.ErrMissingAPIKey,
			wantText: []string{authn.EnvAPIKey, "empty"},
		},
		{
			name:     "key with trailing newline",
			env:      map[string]string{authn.EnvAPIKey: plainKey + "\n"},
			wantErr:  authn.ErrInvalidAPIKey,
			wantText: []string{authn.EnvAPIKey, "whitespace"},
		},
		{
			name:     "bad scheme",
			env:      map[string]string{authn.EnvAPIKey: plainKey, authn.EnvBaseURL: "ftp://crm.example.com"},
			wantErr:  authn.ErrInvalidBaseURL,
			wantText: []string{authn.EnvBaseURL, "http or https"},
		},
		{
			name:     "no scheme",
			env:      map[string]string{authn.EnvAPIKey: plainKey, authn.EnvBaseURL: "crm.example.com"},
			wantErr:  authn.ErrInvalidBaseURL,
			wantText: []string{authn.EnvBaseURL, "missing scheme"},
		},
		{
			name:     "query",
			env:      map[string]string{authn.EnvAPIKey: plainKey, authn.EnvBaseURL: "https://crm.example.com/?token=x"},
			wantErr:  authn.ErrInvalidBaseURL,
			wantText: []string{authn.EnvBaseURL, "query"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := authn.FromLookup(mapLookup(tt.env), tt.opts...)
			if tt.wantErr != nil {
				wantErrIs(t, err, tt.wantErr)
				if cfg != nil {
					t.Error("non-nil Config with error")
				}
				for _, s := range tt.wantText {
					wantContains(t, err.Error(), s)
				}
				assertNoLeak(t, "FromLookup error", err.Error())
				return
			}
			wantNoErr(t, err)
			wantEqual(t, cfg.BaseURL, tt.wantBase)
			if cfg.Credential == nil {
				t.Fatal("nil Credential")
			}
		})
	}
}

// TestFromLookupBaseURLVariants checks that the spellings users paste all
// lead to the same base URL.
func TestFromLookupBaseURLVariants(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"https://crm.example.com",
		"https://crm.example.com/",
		"https://crm.example.com/rest",
		"https://crm.example.com/rest/",
		"HTTPS://CRM.EXAMPLE.COM/rest/",
	} {
		cfg, err := authn.FromLookup(mapLookup(map[string]string{authn.EnvAPIKey: plainKey, authn.EnvBaseURL: raw}))
		wantNoErr(t, err)
		wantEqual(t, cfg.BaseURL, "https://crm.example.com")
	}
}

func TestFromLookupNil(t *testing.T) {
	t.Parallel()
	if _, err := authn.FromLookup(nil); err == nil {
		t.Error("nil lookup: no error")
	}
}

// TestFromEnv mutates the process environment, so it cannot run in parallel.
func TestFromEnv(t *testing.T) {
	t.Setenv(authn.EnvAPIKey, plainKey)
	t.Setenv(authn.EnvBaseURL, "https://crm.example.com/rest/")
	cfg, err := authn.FromEnv()
	wantNoErr(t, err)
	wantEqual(t, cfg.BaseURL, "https://crm.example.com")

	t.Setenv(authn.EnvAPIKey, "")
	_, err = authn.FromEnv()
	if !errors.Is(err, authn.ErrMissingAPIKey) {
		t.Errorf("empty %s: %v, want ErrMissingAPIKey", authn.EnvAPIKey, err)
	}
}
