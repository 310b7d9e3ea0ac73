package twenty

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfterParsing(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		value  string // "" means no header
		want   time.Duration
		wantOK bool
	}{
		{"absent", "", 0, false},
		{"zero", "0", 0, true},
		{"seconds", "5", 5 * time.Second, true},
		{"large seconds", "3600", time.Hour, true},
		{"fractional seconds", "1.5", 1500 * time.Millisecond, true},
		{"surrounding space", "  7 ", 7 * time.Second, true},
		{"negative", "-1", 0, false},
		{"negative zero", "-0", 0, true},
		{"NaN", "NaN", 0, false},
		{"infinity", "+Inf", 0, false},
		{"absurdly large", "1e10", 0, false},
		{"garbage", "soon", 0, false},
		{"seconds with unit", "5s", 0, false},
		{"hex", "0x10", 0, false},
		{"HTTP date ahead", now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{"HTTP date in the past", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"HTTP date now", now.Format(http.TimeFormat), 0, true},
		{"RFC 850 date", "Sunday, 01-Mar-26 12:02:00 GMT", 2 * time.Minute, true},
		{"ANSI C date", "Sun Mar  1 12:00:10 2026", 10 * time.Second, true},
		{"date without zone", "Sun, 01 Mar 2026 12:00:10", 0, false},
		{"ISO date", "2026-03-01T12:00:10Z", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tt.value != "" {
				h.Set("Retry-After", tt.value)
			}
			got, ok := retryAfter(h, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("retryAfter(%q) = %v, %t; want %v, %t", tt.value, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestBackoffDoesNotOverflow(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MinBackoff: time.Hour, MaxBackoff: 24 * time.Hour}.withDefaults()
	for _, n := range []int{1, 63, 64, 1000, 1 << 30} {
		got := p.backoff(n, 0.5)
		if got <= 0 || got > p.MaxBackoff {
			t.Errorf("backoff(%d) = %v, want within (0, %v]", n, got, p.MaxBackoff)
		}
	}
}

func TestPathTemplate(t *testing.T) {
	t.Parallel()
	d := &doer{basePath: "/crm"}
	tests := map[string]string{
		"/crm/rest/people": "/rest/people",
		"/crm/rest/people/00000000-0000-4000-8000-000000000001":      "/rest/people/{id}",
		"/crm/rest/people/00000000-0000-4000-8000-000000000001/x":    "/rest/people/{id}/x",
		"/crm/rest/batch/people":                                     "/rest/batch/people",
		"/crm/rest/people/not-a-uuid":                                "/rest/people/not-a-uuid",
		"/crm/rest/people/ABCDEF01-0000-4000-8000-000000000001":      "/rest/people/{id}",
		"/crm/rest/people/00000000-0000-4000-8000-000000000001extra": "/rest/people/00000000-0000-4000-8000-000000000001extra",
	}
	for in, want := range tests {
		if got := d.template(in); got != want {
			t.Errorf("template(%q) = %q, want %q", in, got, want)
		}
	}
}
