package twentytest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/twentytest"
)

func createNote(t *testing.T, s *twentytest.Server) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL()+"/rest/notes", strings.NewReader(`{"title":"x"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.APIKey())
	// A fresh transport per request: a dropped connection must not be
	// retried silently by a pooled one.
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	return (&http.Client{Transport: tr}).Do(req)
}

func TestFaultStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault       twentytest.Fault
		retryAfter  string
		contentType string
		body        string
		applied     bool
	}{
		{twentytest.Fault{Kind: twentytest.FaultStatus, Status: 429, RetryAfter: 1500 * time.Millisecond}, "2", "application/json",
			`{"statusCode":429,"error":"HttpException","messages":["Limit reached (100 tokens per 60000 ms)"]}`, false},
		{twentytest.Fault{Kind: twentytest.FaultStatus, Status: 429}, "", "application/json", `"statusCode":429`, false},
		{twentytest.Fault{Kind: twentytest.FaultStatus}, "", "application/json",
			`{"statusCode":500,"error":"InternalServerErrorException","messages":["Internal server error"]}`, false},
		{twentytest.Fault{Kind: twentytest.FaultStatus, Status: 502}, "", "text/html", `<h1>502 Bad Gateway</h1>`, false},
		{twentytest.Fault{Kind: twentytest.FaultStatus, Status: 503, RetryAfter: time.Second}, "1", "application/json", `"ServiceUnavailableException"`, false},
		{twentytest.Fault{Kind: twentytest.FaultStatus, Status: 504, Applied: true}, "", "application/json", `"Gateway Timeout"`, true},
	}
	for _, tc := range cases {
		t.Run(tc.fault.String(), func(t *testing.T) {
			t.Parallel()
			s := twentytest.NewServer(t, twentytest.WithSeed(false))
			s.FailNext(tc.fault)
			res, err := createNote(t, s)
			require.NoError(t, err)
			body := readAll(t, res)
			assert.Equal(t, tc.fault.Status|map[bool]int{true: 0, false: 500}[tc.fault.Status != 0], res.StatusCode)
			assert.Equal(t, tc.retryAfter, res.Header.Get("Retry-After"))
			assert.Contains(t, res.Header.Get("Content-Type"), tc.contentType)
			assert.Contains(t, string(body), tc.body)
			want := 0
			if tc.applied {
				want = 1
			}
			assert.Len(t, s.Records("notes"), want)
			// The fault was used up: the retry goes through.
			res, err = createNote(t, s)
			require.NoError(t, err)
			assert.Equal(t, 201, res.StatusCode)
			res.Body.Close()
			assert.Equal(t, 2, s.Requests())
			assert.Equal(t, 2, s.RequestsFor("createOneNote"))
		})
	}
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	for _, applied := range []bool{false, true} {
		s := twentytest.NewServer(t, twentytest.WithSeed(false))
		s.FailNext(twentytest.Fault{Kind: twentytest.FaultDrop, Applied: applied})
		res, err := createNote(t, s)
		if res != nil {
			res.Body.Close()
		}
		require.Error(t, err, "no answer")
		assert.True(t, errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset"), err.Error())
		want := 0
		if applied {
			want = 1 // the operation happened although the client saw nothing
		}
		assert.Len(t, s.Records("notes"), want)
		assert.Equal(t, 1, s.RequestsFor("createOneNote"))
	}
}

func TestFaultTruncate(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t, twentytest.WithSeed(false))
	s.FailNext(twentytest.Fault{Kind: twentytest.FaultTruncate})
	res, err := createNote(t, s)
	require.NoError(t, err, "status and headers arrive")
	assert.Equal(t, 201, res.StatusCode)
	assert.Greater(t, res.ContentLength, int64(100))
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, res.ContentLength/2, int64(len(b)))
	assert.Len(t, s.Records("notes"), 1, "truncation happens after the operation")

	// Through the generated client the read error surfaces.
	s.FailNext(twentytest.Fault{Kind: twentytest.FaultTruncate})
	_, err = client(t, s).FindManyNotesWithResponse(ctx, nil)
	assert.Error(t, err)
}

func TestFaultLatency(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	s.FailNext(twentytest.Fault{Kind: twentytest.FaultLatency, Delay: 2 * time.Second})
	c := client(t, s)
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err := c.FindManyPeopleWithResponse(short, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	s.FailNext(twentytest.Fault{Kind: twentytest.FaultLatency, Delay: 50 * time.Millisecond})
	start := time.Now()
	res, err := c.FindManyPeopleWithResponse(ctx, &api.FindManyPeopleParams{Limit: ptr(1)})
	require.NoError(t, err)
	assert.Equal(t, 200, res.StatusCode())
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
}

func TestWithLatency(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t, twentytest.WithLatency(30*time.Millisecond))
	start := time.Now()
	assert.Equal(t, 200, do(t, s, "GET", "/rest/companies?limit=1", nil).status)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
}

func TestFailRandomlyIsDeterministic(t *testing.T) {
	t.Parallel()
	outcomes := func() []int {
		s := twentytest.NewServer(t)
		s.FailRandomly(0.5, 42, twentytest.Fault{Kind: twentytest.FaultStatus, Status: 503},
			twentytest.Fault{Kind: twentytest.FaultStatus, Status: 429, RetryAfter: time.Second})
		var got []int
		for range 30 {
			got = append(got, do(t, s, "GET", "/rest/people?limit=1", nil).status)
		}
		assert.Equal(t, 30, s.RequestsFor("findManyPeople"))
		return got
	}
	a, b := outcomes(), outcomes()
	assert.Equal(t, a, b, "same seed, same faults")
	counts := map[int]int{}
	for _, st := range a {
		counts[st]++
	}
	assert.Greater(t, counts[200], 5)
	assert.Greater(t, counts[503], 2)
	assert.Greater(t, counts[429], 2)

	s := twentytest.NewServer(t, twentytest.WithFaults(twentytest.Fault{Kind: twentytest.FaultStatus, Status: 500}))
	s.FailRandomly(1, 1, twentytest.Fault{Kind: twentytest.FaultStatus, Status: 503})
	assert.Equal(t, 500, do(t, s, "GET", "/rest/people", nil).status, "scheduled faults first")
	assert.Equal(t, 503, do(t, s, "GET", "/rest/people", nil).status)
	s.FailRandomly(0, 0)
	assert.Equal(t, 200, do(t, s, "GET", "/rest/people", nil).status)
}

func TestRequestBudget(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := twentytest.NewServer(t, twentytest.WithClock(clk.Now), twentytest.WithRequestBudget(3, time.Minute))
	for range 3 {
		assert.Equal(t, 200, do(t, s, "GET", "/rest/people?limit=1", nil).status)
	}
	clk.Advance(20 * time.Second)
	r := do(t, s, "GET", "/rest/people?limit=1", nil)
	require.Equal(t, 429, r.status)
	assert.Equal(t, "40", r.header.Get("Retry-After"))
	assert.Equal(t, "3", r.header.Get("X-RateLimit-Limit"))
	assert.Equal(t, "0", r.header.Get("X-RateLimit-Remaining"))
	assert.Equal(t, "RATE_LIMITED", at(r.body, "error"))
	assert.Equal(t, "40", at(r.body, "retryAfterSeconds").(interface{ String() string }).String())
	// Unauthenticated requests are refused before the budget is used.
	assert.Equal(t, 403, doKey(t, s, "", "GET", "/rest/people", nil).status, "the real server's missing-token status")

	c := client(t, s)
	res, err := c.CreateOneNoteWithResponse(ctx, nil, api.Note{})
	require.NoError(t, err)
	require.NotNil(t, res.JSON429, "the generated client decodes the 429")
	clk.Advance(40 * time.Second)
	assert.Equal(t, 200, do(t, s, "GET", "/rest/people?limit=1", nil).status, "a new window")
}
