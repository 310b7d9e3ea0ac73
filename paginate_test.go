package twenty_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/twentytest"
)

// cursor is the opaque cursor of record i: standard base64 with + / and =,
// which a client that does not escape them mangles.
func cursor(i int) string {
	return base64.StdEncoding.EncodeToString([]byte{0xfb, 0xff, 0xbf, byte(i >> 8), byte(i)})
}

func cursorIndex(c string) (int, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil || len(b) != 5 || b[0] != 0xfb || b[1] != 0xff || b[2] != 0xbf {
		return 0, false
	}
	return int(b[3])<<8 | int(b[4]), true
}

func TestCursorsNeedEscaping(t *testing.T) {
	t.Parallel()
	c := cursor(7)
	assert.True(t, strings.ContainsAny(c, "+"), c)
	assert.True(t, strings.ContainsAny(c, "/"), c)
	assert.True(t, strings.ContainsAny(c, "="), c)
	i, ok := cursorIndex(c)
	assert.True(t, ok)
	assert.Equal(t, 7, i)
}

// listServer serves GET /rest/people over n synthetic people. A full page
// says hasNextPage, so a total that is a multiple of the page size ends
// with an empty page. hook, if set, may answer a request itself.
type listServer struct {
	*server
	hook func(req int, w http.ResponseWriter, r *http.Request) bool

	mu      sync.Mutex
	n       int
	queries []url.Values
}

func newListServer(t *testing.T, n int, hook func(req int, w http.ResponseWriter, r *http.Request) bool) *listServer {
	ls := &listServer{n: n, hook: hook}
	ls.server = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || rest(r) != "/rest/people" {
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
			return
		}
		q := r.URL.Query()
		ls.mu.Lock()
		ls.queries = append(ls.queries, q)
		req, n := len(ls.queries), ls.n
		ls.mu.Unlock()
		if ls.hook != nil && ls.hook(req, w, r) {
			return
		}
		writeJSON(w, http.StatusOK, listPage(t, n, q))
	})
	return ls
}

// listPage is the page of n people that q asks for.
func listPage(t *testing.T, n int, q url.Values) string {
	limit := 60
	if v := q.Get("limit"); v != "" {
		var err error
		limit, err = strconv.Atoi(v)
		require.NoError(t, err)
		assert.LessOrEqual(t, limit, 200, "the client clamps the page size")
	}
	start, end := 0, 0
	switch {
	case q.Has("starting_after"):
		i, ok := cursorIndex(q.Get("starting_after"))
		if !ok {
			t.Errorf("cursor arrived mangled: %q", q.Get("starting_after"))
		}
		start = i + 1
		end = min(start+limit, n)
	case q.Has("ending_before"):
		i, ok := cursorIndex(q.Get("ending_before"))
		if !ok {
			t.Errorf("cursor arrived mangled: %q", q.Get("ending_before"))
		}
		end = i
		start = max(end-limit, 0)
	default:
		end = min(limit, n)
	}
	start = min(start, n)
	end = max(end, start)
	recs := make([]any, 0, end-start)
	for i := start; i < end; i++ {
		recs = append(recs, person(i))
	}
	var first, last any // null on an empty page
	if len(recs) > 0 {
		first, last = cursor(start), cursor(end-1)
	}
	return mustJSON(t, map[string]any{
		"data": map[string]any{"people": recs},
		"pageInfo": map[string]any{
			"startCursor":     first,
			"endCursor":       last,
			"hasNextPage":     !q.Has("ending_before") && len(recs) > 0 && len(recs) == limit,
			"hasPreviousPage": q.Has("ending_before") && start > 0,
		},
		"totalCount": n,
	})
}

func (ls *listServer) seen() []url.Values {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return slices.Clone(ls.queries)
}

// collect runs seq to the end, returning the ids and every error.
func collect(seq func(func(api.PersonForResponse, error) bool)) (ids []string, errs []error) {
	for p, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, p.ID.String())
	}
	return ids, errs
}

func idRange(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, personID(i))
	}
	return out
}

func TestAllWalksEveryPage(t *testing.T) {
	t.Parallel()
	for _, prefetch := range []bool{false, true} {
		t.Run(fmt.Sprintf("prefetch=%t", prefetch), func(t *testing.T) {
			t.Parallel()
			ls := newListServer(t, 250, nil)
			c := ls.client(t)
			filter := twenty.Or(twenty.Field("city").Eq("Paris, France"), twenty.Field("jobTitle").ILike("%CTO%"))
			opts := &twenty.ListOptions{Limit: 50, Filter: filter, OrderBy: []twenty.Order{twenty.Asc("name.lastName")}, Prefetch: prefetch}

			ids, errs := collect(c.People().All(t.Context(), opts))
			require.Empty(t, errs)
			assert.Equal(t, idRange(0, 250), ids)

			seen := ls.seen()
			require.Len(t, seen, 6, "five full pages and a final empty one")
			for i, q := range seen {
				assert.Equal(t, "50", q.Get("limit"))
				assert.Equal(t, filter.String(), q.Get("filter"), "the filter arrives intact")
				assert.Equal(t, "name.lastName[AscNullsFirst]", q.Get("order_by"))
				if i == 0 {
					assert.False(t, q.Has("starting_after"))
				} else {
					assert.Equal(t, cursor(50*i-1), q.Get("starting_after"), "page %d follows the previous end cursor", i)
				}
			}
		})
	}
}

func TestAllEndsOnAShortPage(t *testing.T) {
	t.Parallel()
	ls := newListServer(t, 245, nil)
	ids, errs := collect(ls.client(t).People().All(t.Context(), &twenty.ListOptions{Limit: 50}))
	require.Empty(t, errs)
	assert.Equal(t, idRange(0, 245), ids)
	assert.Len(t, ls.seen(), 5, "hasNextPage false ends the walk")
}

func TestAllOverNothing(t *testing.T) {
	t.Parallel()
	for _, prefetch := range []bool{false, true} {
		ls := newListServer(t, 0, nil)
		ids, errs := collect(ls.client(t).People().All(t.Context(), &twenty.ListOptions{Prefetch: prefetch}))
		assert.Empty(t, ids)
		assert.Empty(t, errs)
		assert.Len(t, ls.seen(), 1)
	}
}

func TestAllSendsNothingUntilTheLoopStarts(t *testing.T) {
	t.Parallel()
	ls := newListServer(t, 30, nil)
	people := ls.client(t).People()
	seq := people.All(t.Context(), &twenty.ListOptions{Limit: 10})
	prefetched := people.All(t.Context(), &twenty.ListOptions{Limit: 10, Prefetch: true})
	ls.noRequests(t)

	ids, errs := collect(seq)
	require.Empty(t, errs)
	assert.Equal(t, idRange(0, 30), ids)
	again, _ := collect(seq)
	assert.Equal(t, ids, again, "the sequence can be ranged over again, from the start")
	viaPrefetch, _ := collect(prefetched)
	assert.Equal(t, ids, viaPrefetch)
}

func TestAllAndListDoNotModifyTheOptions(t *testing.T) {
	t.Parallel()
	ls := newListServer(t, 450, nil)
	people := ls.client(t).People()
	orders := []twenty.Order{twenty.Desc("createdAt"), twenty.Asc("name.firstName")}
	opts := &twenty.ListOptions{
		Filter:        twenty.Field("city").Eq("Oslo"),
		OrderBy:       orders,
		Limit:         500,
		Depth:         1,
		StartingAfter: cursor(9),
	}
	want := *opts
	want.OrderBy = slices.Clone(orders)

	ids, errs := collect(people.All(t.Context(), opts))
	require.Empty(t, errs)
	assert.Equal(t, idRange(10, 450), ids, "the walk starts after the given cursor")
	opts.Prefetch = true
	ids, errs = collect(people.All(t.Context(), opts))
	require.Empty(t, errs)
	assert.Equal(t, idRange(10, 450), ids)
	opts.Prefetch = false
	_, err := people.List(t.Context(), opts)
	require.NoError(t, err)

	assert.True(t, reflect.DeepEqual(want, *opts), "options changed: %+v", *opts)
	assert.Equal(t, orders, want.OrderBy)
	for _, q := range ls.seen() {
		assert.Equal(t, "200", q.Get("limit"), "500 is sent as the server's maximum")
		assert.Equal(t, "1", q.Get("depth"))
		assert.Equal(t, "createdAt[DescNullsLast],name.firstName[AscNullsFirst]", q.Get("order_by"))
	}
}

func TestAllStopsFetchingWhenTheLoopBreaks(t *testing.T) {
	t.Parallel()
	ls := newListServer(t, 1000, nil)
	var got int
	for _, err := range ls.client(t).People().All(t.Context(), &twenty.ListOptions{Limit: 10}) {
		require.NoError(t, err)
		got++
		if got == 15 {
			break
		}
	}
	assert.Equal(t, 15, got)
	assert.Len(t, ls.seen(), 2)
}

func TestPrefetchBreakAbandonsTheRequestInFlight(t *testing.T) {
	t.Parallel()
	secondStarted := make(chan struct{})
	secondCancelled := make(chan struct{})
	ls := newListServer(t, 1000, func(req int, w http.ResponseWriter, r *http.Request) bool {
		if req != 2 {
			return false
		}
		close(secondStarted)
		select {
		case <-r.Context().Done():
			close(secondCancelled)
		case <-time.After(10 * time.Second):
		}
		return true
	})
	ls.v.Lenient = true // the abandoned request gets no answer
	var got int
	for _, err := range ls.client(t).People().All(t.Context(), &twenty.ListOptions{Limit: 10, Prefetch: true}) {
		require.NoError(t, err)
		got++
		if got == 1 {
			select {
			case <-secondStarted:
			case <-time.After(5 * time.Second):
				t.Error("the next page was not prefetched")
			}
			break
		}
	}
	assert.Equal(t, 1, got)
	select {
	case <-secondCancelled:
	case <-time.After(5 * time.Second):
		t.Error("the prefetch in flight was not cancelled by the break")
	}
	assert.Len(t, ls.seen(), 2)
}

func TestAllYieldsAnErrorOnceThenStops(t *testing.T) {
	t.Parallel()
	for _, prefetch := range []bool{false, true} {
		t.Run(fmt.Sprintf("prefetch=%t", prefetch), func(t *testing.T) {
			t.Parallel()
			ls := newListServer(t, 100, func(req int, w http.ResponseWriter, r *http.Request) bool {
				if req == 3 {
					writeJSON(w, http.StatusBadRequest, `{"statusCode":400,"error":"BadRequestException","messages":["Invalid cursor"]}`)
					return true
				}
				return false
			})
			ids, errs := collect(ls.client(t).People().All(t.Context(), &twenty.ListOptions{Limit: 10, Prefetch: prefetch}))
			assert.Equal(t, idRange(0, 20), ids, "every record before the failure")
			require.Len(t, errs, 1, "the error is yielded once")
			assert.ErrorIs(t, errs[0], twenty.ErrBadRequest)
			assert.Len(t, ls.seen(), 3, "nothing is fetched after the error")
		})
	}
}

func TestAllRefusesARepeatedCursor(t *testing.T) {
	t.Parallel()
	for _, prefetch := range []bool{false, true} {
		t.Run(fmt.Sprintf("prefetch=%t", prefetch), func(t *testing.T) {
			t.Parallel()
			ls := newListServer(t, 100, func(req int, w http.ResponseWriter, r *http.Request) bool {
				if req != 2 {
					return false
				}
				// A broken server: the same page and the cursor it was given.
				after := r.URL.Query().Get("starting_after")
				writeJSON(w, http.StatusOK, mustJSON(t, map[string]any{
					"data":       map[string]any{"people": []any{person(10)}},
					"pageInfo":   map[string]any{"startCursor": after, "endCursor": after, "hasNextPage": true},
					"totalCount": 100,
				}))
				return true
			})
			ids, errs := collect(ls.client(t).People().All(t.Context(), &twenty.ListOptions{Limit: 10, Prefetch: prefetch}))
			assert.Equal(t, append(idRange(0, 10), personID(10)), ids)
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], twenty.ErrUnexpected)
			assert.Len(t, ls.seen(), 2, "no endless loop")
		})
	}
}

func TestAllRefusesEndingBefore(t *testing.T) {
	t.Parallel()
	ls := newListServer(t, 10, nil)
	ids, errs := collect(ls.client(t).People().All(t.Context(), &twenty.ListOptions{EndingBefore: cursor(5)}))
	assert.Empty(t, ids)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], twenty.ErrInvalidInput)
	ls.noRequests(t)
}

func TestPrefetchYieldsTheSameSequence(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ n, limit int }{{0, 10}, {1, 10}, {59, 0}, {60, 0}, {61, 0}, {250, 7}, {401, 200}} {
		t.Run(fmt.Sprintf("n=%d limit=%d", tc.n, tc.limit), func(t *testing.T) {
			t.Parallel()
			ls := newListServer(t, tc.n, nil)
			people := ls.client(t).People()
			plain, errs := collect(people.All(t.Context(), &twenty.ListOptions{Limit: tc.limit}))
			require.Empty(t, errs)
			plainRequests := len(ls.seen())
			fetched, errs := collect(people.All(t.Context(), &twenty.ListOptions{Limit: tc.limit, Prefetch: true}))
			require.Empty(t, errs)
			assert.Equal(t, idRange(0, tc.n), plain)
			assert.Equal(t, plain, fetched)
			assert.Len(t, ls.seen(), 2*plainRequests, "prefetching fetches no extra page")
		})
	}
}

func TestPrefetchOverlapsRequests(t *testing.T) {
	t.Parallel()
	secondStarted := make(chan struct{})
	ls := newListServer(t, 30, func(req int, w http.ResponseWriter, r *http.Request) bool {
		if req == 2 {
			close(secondStarted)
		}
		return false
	})
	people := ls.client(t).People()

	// Without Prefetch nothing is requested while the loop body runs.
	first := true
	for _, err := range people.All(t.Context(), &twenty.ListOptions{Limit: 10}) {
		require.NoError(t, err)
		if first {
			first = false
			assert.Len(t, ls.seen(), 1)
		}
	}
	require.Len(t, ls.seen(), 4)

	// With Prefetch the second request begins while the consumer still
	// holds the first record: a handshake, no clock involved.
	ls.mu.Lock()
	ls.queries = nil
	ls.mu.Unlock()
	secondStarted = make(chan struct{})
	overlapped := false
	var ids []string
	for p, err := range people.All(t.Context(), &twenty.ListOptions{Limit: 10, Prefetch: true}) {
		require.NoError(t, err)
		if len(ids) == 0 {
			select {
			case <-secondStarted:
				overlapped = true
			case <-time.After(5 * time.Second):
			}
		}
		ids = append(ids, p.ID.String())
	}
	assert.True(t, overlapped, "the next page was requested while the consumer worked on the first")
	assert.Equal(t, idRange(0, 30), ids)
}

func TestListReturnsPageInfoAndTotalCount(t *testing.T) {
	t.Parallel()
	ls := newListServer(t, 100, nil)
	people := ls.client(t).People()
	ctx := t.Context()

	page, err := people.List(ctx, &twenty.ListOptions{Limit: 10})
	require.NoError(t, err)
	assert.Len(t, page.Records, 10)
	assert.Equal(t, 100, page.TotalCount)
	assert.Equal(t, twenty.PageInfo{StartCursor: cursor(0), EndCursor: cursor(9), HasNextPage: true}, page.PageInfo)
	next, ok := page.NextCursor()
	assert.True(t, ok)
	assert.Equal(t, cursor(9), next)

	page, err = people.List(ctx, &twenty.ListOptions{Limit: 10, StartingAfter: cursor(94)})
	require.NoError(t, err)
	assert.Len(t, page.Records, 5)
	assert.False(t, page.PageInfo.HasNextPage)
	_, ok = page.NextCursor()
	assert.False(t, ok)

	page, err = people.List(ctx, &twenty.ListOptions{Limit: 10, EndingBefore: cursor(50)})
	require.NoError(t, err)
	require.Len(t, page.Records, 10)
	assert.Equal(t, personID(40), page.Records[0].ID.String())
	assert.True(t, page.PageInfo.HasPreviousPage)
	assert.Equal(t, cursor(50), ls.seen()[2].Get("ending_before"))

	page, err = people.List(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, page.Records, 60, "the server's default page")
	assert.Equal(t, url.Values{}, ls.seen()[3], "nil options send no query")

	ls.mu.Lock()
	ls.n = 0
	ls.mu.Unlock()
	page, err = people.List(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, page.Records)
	assert.Equal(t, twenty.PageInfo{}, page.PageInfo, "null cursors on an empty page")
	_, ok = page.NextCursor()
	assert.False(t, ok)
}

// One client, many goroutines: run with -race.
func TestOneClientManyGoroutines(t *testing.T) {
	t.Parallel()
	var created atomic.Int64
	ls := newListServer(t, 120, nil)
	// The list server answers lists; the rest comes from a second handler.
	other := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.HasPrefix(rest(r), "/rest/people/"):
			writeJSON(w, http.StatusOK, envelope(t, "person", person(1)))
		case r.Method == http.MethodPost && rest(r) == "/rest/people":
			created.Add(1)
			writeJSON(w, http.StatusCreated, envelope(t, "createPerson", person(2)))
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
	})
	lister := ls.client(t)
	writer := other.client(t, twenty.WithRateLimit(1000, time.Second))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	var wg sync.WaitGroup
	for g := range 24 {
		wg.Go(func() {
			switch g % 3 {
			case 0:
				ids, errs := collect(lister.People().All(ctx, &twenty.ListOptions{Limit: 25, Prefetch: g%2 == 0}))
				assert.Empty(t, errs)
				assert.Equal(t, idRange(0, 120), ids)
			case 1:
				for range 5 {
					p, err := writer.People().Get(ctx, personID(1), nil)
					assert.NoError(t, err)
					assert.Equal(t, personID(1), p.ID.String())
				}
			case 2:
				for range 5 {
					//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
					_, err := writer.People().Create(ctx, api.Person{City: ptr("Kyiv")}, nil)
					assert.NoError(t, err)
				}
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 40, created.Load())
	assert.Len(t, ls.seen(), 8*5)
}

// TestAllOrderedByRelationField pages through people ordered by their
// company's name, the order 2.x sorts with a join, against twentytest.
func TestAllOrderedByRelationField(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "company.name[AscNullsFirst]", twenty.Asc("company.name").String())
	require.NoError(t, twenty.Desc("company.name").NullsFirst().Err())
	s := twentytest.NewServer(t)
	c, err := twenty.NewClient(twenty.WithAPIKey(s.APIKey()), twenty.WithBaseURL(s.URL()))
	require.NoError(t, err)
	opts := &twenty.ListOptions{Limit: 3, OrderBy: []twenty.Order{twenty.Asc("company.name").NullsLast()}}
	var names []string
	n := 0
	for p, err := range c.People().All(t.Context(), opts) {
		require.NoError(t, err)
		n++
		name := "" // people without a company sort last
		if p.CompanyID != nil {
			co, ok := s.Record("companies", p.CompanyID.String())
			require.True(t, ok)
			name, _ = co["name"].(string)
		} else {
			name = "\U0010ffff"
		}
		names = append(names, name)
	}
	assert.Equal(t, len(s.Records("people")), n, "every person once")
	assert.True(t, slices.IsSorted(names), "by company name: %v", names)
}
