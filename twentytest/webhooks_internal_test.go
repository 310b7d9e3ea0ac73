package twentytest

import (
	"errors"
	"net/http"
	"testing"
)

// The dial-time guard refuses any address that is not loopback, whatever
// name the URL used; the URL check refuses non-loopback hosts before
// dialling unless AllowExternalWebhooks is set.
func TestLoopbackGuards(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:80": true, "127.8.9.10:443": true, "[::1]:8080": true,
		"192.0.2.1:80": false, "[2001:db8::1]:80": false, "0.0.0.0:80": false, "10.0.0.1:80": false,
	} {
		err := loopbackOnly("tcp", addr, nil)
		if ok != (err == nil) || !ok && !errors.Is(err, ErrNotLoopback) {
			t.Errorf("loopbackOnly(%s) = %v", addr, err)
		}
	}

	var local, external deliverer
	local.init(false)
	external.init(true)
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:1/x": true, "https://localhost/x": true, "http://LOCALHOST:9/": true, "http://[::1]:1/": true,
		"http://192.0.2.1/": false, "https://hooks.example.com/": false, "http://127.0.0.1.nip.io/": false,
	} {
		if err := local.checkTarget(raw); ok != (err == nil) || !ok && !errors.Is(err, ErrNotLoopback) {
			t.Errorf("checkTarget(%s) = %v", raw, err)
		}
		if err := external.checkTarget(raw); err != nil {
			t.Errorf("with AllowExternalWebhooks, checkTarget(%s) = %v", raw, err)
		}
	}
	if err := external.checkTarget("ftp://127.0.0.1/"); err == nil {
		t.Error("ftp accepted")
	}
	if local.client.Transport.(*http.Transport).Proxy != nil {
		t.Error("loopback-only deliveries may go through a proxy")
	}
}
