package authn

import (
	"errors"
	"fmt"
	"net/url"
	"os"
)

// Config is what a client needs to authenticate: a validated credential and
// a normalised base URL (see NormalizeBaseURL).
type Config struct {
	Credential *Credential
	BaseURL    string
}

// FromEnv reads TWENTY_API_KEY and TWENTY_BASE_URL; see FromLookup.
func FromEnv(opts ...Option) (*Config, error) {
	return FromLookup(os.LookupEnv, opts...)
}

// FromLookup builds a Config from lookup (os.LookupEnv in production, a map
// in tests). An unset or empty TWENTY_API_KEY fails with ErrMissingAPIKey; an
// unset or empty TWENTY_BASE_URL means DefaultBaseURL. Because the base URL
// is known here, a plain-http non-loopback URL fails now with
// ErrInsecureTransport (unless AllowInsecureHTTP) instead of on the first
// request.
func FromLookup(lookup func(string) (string, bool), opts ...Option) (*Config, error) {
	if lookup == nil {
		return nil, errors.New("authn: FromLookup: nil lookup function")
	}
	key, ok := lookup(EnvAPIKey)
	switch {
	case !ok:
		return nil, ErrMissingAPIKey
	case key == "":
		return nil, fmt.Errorf("%w (it is set but empty)", ErrMissingAPIKey)
	}
	cred, err := NewCredential(key, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w (from %s)", err, EnvAPIKey)
	}
	rawURL, _ := lookup(EnvBaseURL)
	base, err := NormalizeBaseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w (from %s)", err, EnvBaseURL)
	}
	u, err := url.Parse(base)
	if err != nil { // cannot happen: base was just produced by NormalizeBaseURL
		return nil, fmt.Errorf("%w: %v (from %s)", ErrInvalidBaseURL, err, EnvBaseURL)
	}
	if err := checkTransport(u.Scheme, u.Host, cred.allowInsecure); err != nil {
		return nil, fmt.Errorf("%w (from %s)", err, EnvBaseURL)
	}
	return &Config{Credential: cred, BaseURL: base}, nil
}
