package authn

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// NormalizeBaseURL turns what a user configures (TWENTY_BASE_URL, a flag)
// into the base the client appends /rest/... to.
//
//   - "" gives DefaultBaseURL.
//   - The scheme must be http or https and a host is required; scheme and
//     host are lowercased.
//   - Userinfo, a query or a fragment is rejected: none has a meaning for a
//     base URL, and credentials or tokens there would leak into logs.
//   - Trailing "/" and a trailing "/rest" segment are removed (users often
//     paste the REST root from the docs), repeatedly, so the result is a fixed
//     point. A path prefix is kept: "https://crm.example.com/twenty/rest/"
//     gives "https://crm.example.com/twenty".
//
// Surrounding whitespace is an error rather than trimmed, as for keys. Error
// messages never repeat the URL, which could hold a password or token.
func NormalizeBaseURL(raw string) (string, error) {
	if raw == "" {
		return DefaultBaseURL, nil
	}
	if strings.TrimSpace(raw) != raw {
		return "", fmt.Errorf("%w: leading or trailing whitespace", ErrInvalidBaseURL)
	}
	// Checked before parsing so that no parse error can quote the userinfo.
	if hasUserinfo(raw) {
		return "", fmt.Errorf("%w: must not contain user information (user:password@); pass the API key separately", ErrInvalidBaseURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the whole URL; keep only the reason
		}
		return "", fmt.Errorf("%w: %v", ErrInvalidBaseURL, err)
	}
	switch u.Scheme {
	case "http", "https":
	case "":
		return "", fmt.Errorf("%w: missing scheme (want e.g. https://crm.example.com)", ErrInvalidBaseURL)
	default:
		return "", fmt.Errorf("%w: scheme must be http or https (missing \"https://\"?)", ErrInvalidBaseURL)
	}
	if u.Opaque != "" || u.Host == "" {
		return "", fmt.Errorf("%w: missing host (want e.g. https://crm.example.com)", ErrInvalidBaseURL)
	}
	if u.User != nil {
		return "", fmt.Errorf("%w: must not contain user information", ErrInvalidBaseURL)
	}
	if u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "?") {
		return "", fmt.Errorf("%w: must not contain a query", ErrInvalidBaseURL)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return "", fmt.Errorf("%w: must not contain a fragment", ErrInvalidBaseURL)
	}
	host := asciiLower(strings.TrimSuffix(u.Host, ":")) // "host:" means the default port
	if err := checkHost(host); err != nil {
		return "", err
	}

	// Work on the escaped path so that escapes such as %2F survive.
	p := u.EscapedPath()
	for {
		q := strings.TrimRight(p, "/")
		q = strings.TrimSuffix(q, "/rest")
		if q == p {
			break
		}
		p = q
	}
	return (&url.URL{Scheme: u.Scheme, Host: host}).String() + p, nil
}

// hasUserinfo reports an "@" in the authority (between "//" and the first
// "/", "?" or "#"), where url.Parse would read user information.
func hasUserinfo(raw string) bool {
	_, rest, ok := strings.Cut(raw, "//")
	if !ok {
		return false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return strings.Contains(rest, "@")
}

func checkHost(hostport string) error {
	for i := 0; i < len(hostport); i++ {
		if b := hostport[i]; b <= ' ' || b >= 0x7f {
			return fmt.Errorf("%w: host must be ASCII (use the punycode form of an internationalised name)", ErrInvalidBaseURL)
		}
	}
	u := url.URL{Host: hostport}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: missing host name", ErrInvalidBaseURL)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%w: port out of range 1-65535", ErrInvalidBaseURL)
		}
	}
	return nil
}

// asciiLower lowercases ASCII letters only. Host names on the wire are ASCII
// (IDNs travel as punycode), and Unicode case mapping could change bytes in
// ways a second pass would not repeat.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
