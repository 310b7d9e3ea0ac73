package authn_test

import (
	"errors"
	"strings"
	"testing"
)

// Small assertion helpers keep the tests on the standard library only.

// assertNoLeak fails if text contains the planted key fragment.
func assertNoLeak(t *testing.T, what, text string) {
	t.Helper()
	if strings.Contains(text, plant) {
		t.Errorf("%s leaks the key: %q", what, text)
	}
}

func wantErrIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want errors.Is %v", err, target)
	}
}

func wantNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func wantContains(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("%q does not contain %q", s, sub)
	}
}

func wantEqual[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}
