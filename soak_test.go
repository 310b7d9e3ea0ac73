package twenty_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/twentytest"
)

// The soak tests run the client against twentytest, the in-memory fake,
// with injected faults: what transport_test.go proves one fault at a time
// against hand-written handlers, here under a steady rate of mixed faults
// and against a server that really stores the records.

// soakRetries retries often and fast; the fake's shortest Retry-After is
// one second, so MaxRetryAfter lets that through.
var soakRetries = twenty.RetryPolicy{
	MaxAttempts:   12,
	MinBackoff:    time.Millisecond,
	MaxBackoff:    8 * time.Millisecond,
	MaxRetryAfter: 2 * time.Second,
}

// faultLog is a slog handler for the fake's logger: it counts the faults
// the fake injected, by their description.
type faultLog struct {
	mu     sync.Mutex
	faults map[string]int
}

func (h *faultLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *faultLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *faultLog) WithGroup(string) slog.Handler            { return h }
func (h *faultLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "injecting fault" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "fault" {
			h.mu.Lock()
			if h.faults == nil {
				h.faults = map[string]int{}
			}
			h.faults[a.Value.String()]++
			h.mu.Unlock()
		}
		return true
	})
	return nil
}

func (h *faultLog) counts() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.faults)
}

// seedPeople fills the fake with people until it holds n, directly
// through the store (no HTTP), and returns their ids in the fake's default
// order, which is by id. Positions are given: the fake would otherwise
// compute each as one more than the largest, a scan of every record per
// create.
func seedPeople(t *testing.T, s *twentytest.Server, n int) []string {
	t.Helper()
	for i := len(s.Records("people")); i < n; i++ {
		_, err := s.Create("people", map[string]any{
			"name":     map[string]any{"firstName": "Soak", "lastName": strconv.Itoa(i)},
			"jobTitle": "record " + strconv.Itoa(i),
			"position": i,
		})
		require.NoError(t, err)
	}
	recs := s.Records("people") // oldest first
	require.Len(t, recs, n)
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r["id"].(string)
	}
	slices.Sort(ids) // the fake's order without order_by (lower-case UUIDs)
	return ids
}

func soakClient(t *testing.T, s *twentytest.Server, opts ...twenty.Option) *twenty.Client {
	t.Helper()
	c, err := twenty.NewClient(append([]twenty.Option{
		twenty.WithAPIKey(s.APIKey()),
		twenty.WithBaseURL(s.URL()),
		twenty.WithRetryPolicy(soakRetries),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

// TestSoakExportUnderFaults exports 10,000 records while a fifth of the
// requests fail in every way the fake knows, and checks that exactly the
// server's records arrive, once each, in the server's order.
func TestSoakExportUnderFaults(t *testing.T) {
	t.Parallel()
	const limit = 200
	// The fake sorts every record for every page, which -race makes slow:
	// the prefetching export, whose pages overlap, runs on fewer records.
	for _, tc := range []struct {
		total    int
		prefetch bool
		seed     uint64
	}{{10_000, false, 8}, {2_000, true, 15}} {
		total, prefetch, seed := tc.total, tc.prefetch, tc.seed
		t.Run(fmt.Sprintf("%d/prefetch=%v", total, prefetch), func(t *testing.T) {
			t.Parallel()
			flog := &faultLog{}
			s := twentytest.NewServer(t, twentytest.WithLogger(slog.New(flog)))
			want := seedPeople(t, s, total)
			c := soakClient(t, s)

			// Every fault that says nothing about the request's outcome
			// is retried for a list: it only reads. 429s come without
			// Retry-After here (the fake's shortest is a whole second);
			// two with Retry-After are scheduled during the export.
			kinds := []twentytest.Fault{
				{Kind: twentytest.FaultStatus, Status: 429},
				{Kind: twentytest.FaultStatus, Status: 500},
				{Kind: twentytest.FaultStatus, Status: 502},
				{Kind: twentytest.FaultStatus, Status: 503},
				{Kind: twentytest.FaultStatus, Status: 503, Applied: true},
				{Kind: twentytest.FaultDrop},
				{Kind: twentytest.FaultDrop, Applied: true},
				{Kind: twentytest.FaultTruncate},
			}
			s.FailRandomly(0.2, seed, kinds...)
			before := s.Requests()
			start := time.Now()
			opts := &twenty.ListOptions{Limit: limit, Prefetch: prefetch}
			got := make([]string, 0, total)
			seen := make(map[string]bool, total)
			for p, err := range c.People().All(t.Context(), opts) {
				require.NoError(t, err, "after %d records", len(got))
				id := p.ID.String()
				require.False(t, seen[id], "record %s arrived twice", id)
				seen[id] = true
				got = append(got, id)
				if len(got) == total/4 || len(got) == 3*total/4 {
					s.FailNext(twentytest.Fault{Kind: twentytest.FaultStatus, Status: 429, RetryAfter: time.Second})
				}
			}
			took := time.Since(start)
			require.Len(t, got, total)
			require.Equal(t, want, got, "the server's records, in the server's order")

			pages := (total + limit - 1) / limit
			requests := s.Requests() - before
			assert.Equal(t, requests, s.RequestsFor("findManyPeople"), "only list requests were sent")
			faults := flog.counts()
			injected := 0
			for _, n := range faults {
				injected += n
			}
			retries := requests - pages
			t.Logf("exported %d records in %d pages with %d requests: %d retries (%.0f%% of requests faulted) in %v; faults: %v",
				len(got), pages, requests, retries, 100*float64(injected)/float64(requests), took.Round(time.Millisecond), faults)
			// A drop on a reused connection is resent by net/http itself
			// rather than by the client's policy: one more request all the same.
			assert.Equal(t, injected, retries, "each fault costs exactly one retry, and nothing else does")
			assert.Greater(t, injected, pages/10, "the faults really happened")
			assert.Equal(t, 2, faults["status 429 retry-after=1s"], "both scheduled Retry-After answers")
			if !prefetch { // the sequential export's requests, and so its faults, are the same every run
				for _, k := range kinds {
					assert.Positive(t, faults[k.String()], "the seed makes every kind of fault happen: %v", k)
				}
			}
		})
	}
}

// A create whose connection drops after the server applied it must not be
// replayed: the caller gets ErrOutcomeUnknown and the record exists once.
// With upsert the same request is safe to replay, and is.
func TestSoakDroppedCreate(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := soakClient(t, s)
	people := c.People()
	ctx := t.Context()
	byEmail := func(email string) int {
		n := 0
		for _, r := range s.Records("people") {
			if e, _ := r["emails"].(map[string]any); e != nil && e["primaryEmail"] == email {
				n++
			}
		}
		return n
	}
	newPerson := func(email string) api.Person {
		return api.Person{
			Name:   &api.FullName{FirstName: ptr("Drop"), LastName: ptr("Test")},
			Emails: &api.Emails{PrimaryEmail: ptr(email)},
		}
	}

	t.Run("create", func(t *testing.T) {
		const email = "dropped-create@example.com"
		before := s.RequestsFor("createOnePerson")
		s.FailNext(twentytest.Fault{Kind: twentytest.FaultDrop, Applied: true})
		_, err := people.Create(ctx, newPerson(email), nil)
		require.ErrorIs(t, err, twenty.ErrOutcomeUnknown)
		var ou *twenty.OutcomeUnknownError
		require.ErrorAs(t, err, &ou)
		assert.Equal(t, "POST", ou.Method)
		assert.Equal(t, "/rest/people", ou.Path)
		assert.Equal(t, 1, s.RequestsFor("createOnePerson")-before, "never replayed")
		assert.Equal(t, 1, byEmail(email), "the server applied it once")
	})

	t.Run("create many", func(t *testing.T) {
		const email = "dropped-batch-%d@example.com"
		before := s.RequestsFor("createManyPeople")
		s.FailNext(twentytest.Fault{Kind: twentytest.FaultDrop, Applied: true})
		recs := []api.Person{newPerson(fmt.Sprintf(email, 1)), newPerson(fmt.Sprintf(email, 2))}
		_, err := people.CreateMany(ctx, recs, nil)
		require.ErrorIs(t, err, twenty.ErrOutcomeUnknown)
		var be *twenty.BatchError
		require.ErrorAs(t, err, &be)
		assert.Equal(t, []twenty.Span{{Start: 0, End: 2}}, be.Failed)
		assert.Equal(t, 1, s.RequestsFor("createManyPeople")-before, "never replayed")
		assert.Equal(t, 1, byEmail(fmt.Sprintf(email, 1)))
		assert.Equal(t, 1, byEmail(fmt.Sprintf(email, 2)))
	})

	t.Run("upsert", func(t *testing.T) {
		const email = "dropped-upsert@example.com"
		before := s.RequestsFor("createOnePerson")
		s.FailNext(twentytest.Fault{Kind: twentytest.FaultDrop, Applied: true})
		got, err := people.Create(ctx, newPerson(email), &twenty.CreateOptions{Upsert: true})
		require.NoError(t, err)
		assert.Equal(t, email, got.Emails.PrimaryEmail)
		assert.Equal(t, 2, s.RequestsFor("createOnePerson")-before, "replayed once")
		assert.Equal(t, 1, byEmail(email), "the replay updated the record the first try created")
		rec, ok := s.Record("people", got.ID.String())
		require.True(t, ok)
		assert.Equal(t, email, rec["emails"].(map[string]any)["primaryEmail"])
	})

	t.Run("upsert many", func(t *testing.T) {
		const email = "dropped-upsert-batch-%d@example.com"
		before := s.RequestsFor("createManyPeople")
		s.FailNext(twentytest.Fault{Kind: twentytest.FaultDrop, Applied: true},
			twentytest.Fault{Kind: twentytest.FaultStatus, Status: 503, Applied: true})
		recs := []api.Person{newPerson(fmt.Sprintf(email, 1)), newPerson(fmt.Sprintf(email, 2))}
		got, err := people.CreateMany(ctx, recs, &twenty.CreateOptions{Upsert: true})
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, 3, s.RequestsFor("createManyPeople")-before, "replayed twice")
		assert.Equal(t, 1, byEmail(fmt.Sprintf(email, 1)))
		assert.Equal(t, 1, byEmail(fmt.Sprintf(email, 2)))
	})
}

// retryWatch is a client-side slog handler that signals the first
// "retrying" record, which the client logs just before it sleeps.
type retryWatch struct {
	once     sync.Once
	retrying chan time.Duration
}

func (h *retryWatch) Enabled(context.Context, slog.Level) bool { return true }
func (h *retryWatch) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *retryWatch) WithGroup(string) slog.Handler            { return h }
func (h *retryWatch) Handle(_ context.Context, r slog.Record) error {
	if !strings.Contains(r.Message, "retrying") {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "wait" {
			h.once.Do(func() { h.retrying <- a.Value.Duration() })
		}
		return true
	})
	return nil
}

// Cancelling the export while the client waits to retry ends it at once,
// with the context's error, after the records already yielded.
func TestSoakCancelDuringExport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults []twentytest.Fault
	}{
		{"backoff after 503", []twentytest.Fault{{Kind: twentytest.FaultStatus, Status: 503}}},
		// Two drops: net/http itself resends a GET once when a reused
		// connection closes without an answer.
		{"backoff after a dropped connection", []twentytest.Fault{{Kind: twentytest.FaultDrop}, {Kind: twentytest.FaultDrop}}},
		{"Retry-After", []twentytest.Fault{{Kind: twentytest.FaultStatus, Status: 429, RetryAfter: 30 * time.Second}}},
	} {
		for _, prefetch := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/prefetch=%v", tc.name, prefetch), func(t *testing.T) {
				t.Parallel()
				s := twentytest.NewServer(t)
				watch := &retryWatch{retrying: make(chan time.Duration, 1)}
				// A long backoff: the test would take 20 s if the wait
				// ignored the cancellation.
				slow := twenty.RetryPolicy{MinBackoff: 20 * time.Second, MaxBackoff: 40 * time.Second}
				c := soakClient(t, s, twenty.WithRetryPolicy(slow), twenty.WithLogger(slog.New(watch)))
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()

				const limit = 5 // the seed's 20 people make 4 pages
				var (
					got      int
					finalErr error
					returned time.Time
				)
				cancelled := make(chan time.Time, 1)
				for _, err := range c.People().All(ctx, &twenty.ListOptions{Limit: limit, Prefetch: prefetch}) {
					if err != nil {
						finalErr, returned = err, time.Now()
						break
					}
					got++
					if got == limit {
						// The next page meets the fault. With prefetch it
						// may already be on its way: fail the one after.
						if prefetch {
							s.FailNext(append([]twentytest.Fault{{Kind: twentytest.FaultLatency}}, tc.faults...)...)
						} else {
							s.FailNext(tc.faults...)
						}
						go func() {
							wait := <-watch.retrying
							assert.GreaterOrEqual(t, wait, 10*time.Second, "the client is in a long wait")
							cancelled <- time.Now()
							cancel()
						}()
					}
				}
				require.Error(t, finalErr, "the export must not finish")
				assert.ErrorIs(t, finalErr, context.Canceled)
				assert.False(t, errors.Is(finalErr, twenty.ErrServer) || errors.Is(finalErr, twenty.ErrRateLimited),
					"the context's error, not the fault's: %v", finalErr)
				var cancelledAt time.Time
				select {
				case cancelledAt = <-cancelled:
				default:
					t.Fatalf("the export ended before the cancel: %v", finalErr)
				}
				took := returned.Sub(cancelledAt)
				assert.Less(t, took, time.Second, "returned %v after the cancel", took)
				assert.LessOrEqual(t, got, 3*limit, "records already fetched, never all")
				assert.GreaterOrEqual(t, got, limit)
			})
		}
	}
}
