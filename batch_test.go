package twenty_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
)

// batchServer serves POST /rest/batch/people, echoing each record with an
// id. Inputs carry their position in jobTitle, so the server knows which
// span each request holds. hook, if set, may answer a request itself.
type batchServer struct {
	*server
	hook func(req int, positions []int, w http.ResponseWriter, r *http.Request) bool

	mu       sync.Mutex
	batches  [][]int // positions per request, in arrival order
	queries  []string
	answered [][]int // positions of the batches answered 201
	inFlight atomic.Int64
	maxIn    atomic.Int64
}

func newBatchServer(t *testing.T, hook func(req int, positions []int, w http.ResponseWriter, r *http.Request) bool) *batchServer {
	bs := &batchServer{hook: hook}
	bs.server = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || rest(r) != "/rest/batch/people" {
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
			return
		}
		in := bs.inFlight.Add(1)
		defer bs.inFlight.Add(-1)
		for {
			m := bs.maxIn.Load()
			if in <= m || bs.maxIn.CompareAndSwap(m, in) {
				break
			}
		}
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		var recs []map[string]any
		require.NoError(t, json.Unmarshal(body, &recs))
		positions := make([]int, len(recs))
		for i, rec := range recs {
			positions[i], err = strconv.Atoi(rec["jobTitle"].(string))
			require.NoError(t, err)
		}
		bs.mu.Lock()
		bs.batches = append(bs.batches, positions)
		bs.queries = append(bs.queries, r.URL.RawQuery)
		req := len(bs.batches)
		bs.mu.Unlock()
		if bs.hook != nil && bs.hook(req, positions, w, r) {
			return
		}
		out := make([]any, len(positions))
		for i, p := range positions {
			out[i] = person(p)
		}
		writeJSON(w, http.StatusCreated, envelope(t, "createPeople", out))
		bs.mu.Lock()
		bs.answered = append(bs.answered, positions)
		bs.mu.Unlock()
	})
	return bs
}

func (bs *batchServer) seen() [][]int {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	return slices.Clone(bs.batches)
}

func inputs(n int) []api.Person {
	out := make([]api.Person, n)
	for i := range out {
		out[i] = api.Person{JobTitle: ptr(strconv.Itoa(i))}
	}
	return out
}

// positionsOf reads back the input positions of created records.
func positionsOf(t *testing.T, recs []api.PersonForResponse) []int {
	t.Helper()
	out := make([]int, len(recs))
	for i, r := range recs {
		require.NotNil(t, r.JobTitle)
		p, err := strconv.Atoi(r.JobTitle)
		require.NoError(t, err)
		assert.Equal(t, personID(p), r.ID.String())
		out[i] = p
	}
	return out
}

func seq(from, to int) []int {
	out := []int{}
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// batchesOf60 gives the batch size of older servers, which many tests
// below use to cut 1,000 records into many batches.
var batchesOf60 = twenty.WithBatchSize(60)

func TestCreateManySplitsIntoBatches(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 199, 200, 201, 401, 1000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			bs := newBatchServer(t, nil)
			got, err := bs.client(t).People().CreateMany(t.Context(), inputs(n), nil)
			require.NoError(t, err)
			assert.Equal(t, seq(0, n), positionsOf(t, got), "records come back in input order")
			batches := bs.seen()
			assert.Len(t, batches, (n+199)/200, "200 records a batch by default")
			for k, b := range batches {
				assert.Equal(t, seq(200*k, min(200*k+200, n)), b, "batch %d", k)
			}
		})
	}
}

func TestCreateManyBatchSize(t *testing.T) {
	t.Parallel()
	bs := newBatchServer(t, nil)
	ctx := t.Context()
	sizes := func() []int {
		var out []int
		for _, b := range bs.seen() {
			out = append(out, len(b))
		}
		bs.mu.Lock()
		bs.batches = nil
		bs.mu.Unlock()
		return out
	}

	small := bs.client(t, twenty.WithBatchSize(25))
	got, err := small.People().CreateMany(ctx, inputs(101), nil)
	require.NoError(t, err)
	assert.Equal(t, seq(0, 101), positionsOf(t, got))
	assert.Equal(t, []int{25, 25, 25, 25, 1}, sizes())

	_, err = small.People().CreateMany(ctx, inputs(101), &twenty.CreateOptions{BatchSize: 100})
	require.NoError(t, err)
	assert.Equal(t, []int{100, 1}, sizes(), "the call's batch size wins")

	_, err = bs.client(t, twenty.WithBatchSize(200)).People().CreateMany(ctx, inputs(401), nil)
	require.NoError(t, err)
	assert.Equal(t, []int{200, 200, 1}, sizes())

	for _, size := range []int{-1, 201} {
		_, err = small.People().CreateMany(ctx, inputs(10), &twenty.CreateOptions{BatchSize: size})
		assert.ErrorIs(t, err, twenty.ErrInvalidInput)
	}
	_, err = small.People().CreateMany(ctx, inputs(10), &twenty.CreateOptions{Depth: 2})
	assert.ErrorIs(t, err, twenty.ErrInvalidInput)
	assert.Empty(t, sizes(), "refused before sending")
}

func TestCreateManyOfNothing(t *testing.T) {
	t.Parallel()
	bs := newBatchServer(t, nil)
	for _, in := range [][]api.Person{nil, {}} {
		got, err := bs.client(t).People().CreateMany(t.Context(), in, &twenty.CreateOptions{Concurrency: 4})
		require.NoError(t, err)
		assert.Empty(t, got)
	}
	bs.noRequests(t)
}

const batchCapBody = `{"statusCode":400,"error":"BadRequestException","messages":["Maximum number of records to upsert is 200."]}`

func TestCreateManyFailureOfTheSecondBatch(t *testing.T) {
	t.Parallel()
	// Repeated: the outcome must not depend on scheduling.
	for round := range 20 {
		bs := newBatchServer(t, func(req int, positions []int, w http.ResponseWriter, r *http.Request) bool {
			if req == 2 {
				writeJSON(w, http.StatusBadRequest, batchCapBody)
				return true
			}
			return false
		})
		got, err := bs.client(t, batchesOf60).People().CreateMany(t.Context(), inputs(300), nil)
		require.Error(t, err)

		assert.Equal(t, seq(0, 60), positionsOf(t, got), "round %d: the records created", round)
		var be *twenty.BatchError
		require.ErrorAs(t, err, &be)
		assert.Equal(t, []twenty.Span{{Start: 0, End: 60}}, be.Created, "round %d", round)
		assert.Equal(t, []twenty.Span{{Start: 60, End: 120}}, be.Failed, "round %d", round)
		assert.Equal(t, []twenty.Span{{Start: 120, End: 180}, {Start: 180, End: 240}, {Start: 240, End: 300}}, be.NotSent, "round %d", round)
		assert.ErrorIs(t, err, twenty.ErrBadRequest)
		assert.NotErrorIs(t, err, twenty.ErrOutcomeUnknown)
		var apiErr *twenty.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
		assert.Equal(t, "/rest/batch/people", apiErr.Path)
		assert.Equal(t, []string{"Maximum number of records to upsert is 200."}, apiErr.Messages)
		assert.Len(t, bs.seen(), 2, "nothing is sent after the failure")
		assertOneShortLine(t, err.Error())
		assert.Contains(t, err.Error(), "created 0..59; failed 60..119; not sent 120..179, 180..239, 240..299")
		if t.Failed() {
			return
		}
	}
}

func TestCreateManyConcurrencyKeepsOrder(t *testing.T) {
	t.Parallel()
	rendezvous := make(chan struct{})
	var once sync.Once
	bs := newBatchServer(t, func(req int, positions []int, w http.ResponseWriter, r *http.Request) bool {
		switch req {
		case 1: // hold the first batch until a second one is in flight
			select {
			case <-rendezvous:
			case <-time.After(5 * time.Second):
				t.Error("batches were not sent concurrently")
			}
		case 2:
			once.Do(func() { close(rendezvous) })
		}
		// Answer out of order.
		time.Sleep(time.Duration(positions[0]/60%4) * time.Millisecond)
		return false
	})
	got, err := bs.client(t, batchesOf60).People().CreateMany(t.Context(), inputs(1000), &twenty.CreateOptions{Concurrency: 4})
	require.NoError(t, err)
	assert.Equal(t, seq(0, 1000), positionsOf(t, got), "input order despite concurrency")
	assert.Len(t, bs.seen(), 17)
	assert.LessOrEqual(t, bs.maxIn.Load(), int64(4), "at most Concurrency batches in flight")
	assert.GreaterOrEqual(t, bs.maxIn.Load(), int64(2))
}

// With batches in flight when one fails, the others finish: their records
// were created and are returned, not reported as failed.
func TestCreateManyConcurrentFailureLetsInFlightBatchesFinish(t *testing.T) {
	t.Parallel()
	var arrived atomic.Int64
	allIn := make(chan struct{})
	failed := make(chan struct{})
	bs := newBatchServer(t, func(req int, positions []int, w http.ResponseWriter, r *http.Request) bool {
		if arrived.Add(1) == 4 {
			close(allIn)
		}
		select {
		case <-allIn:
		case <-time.After(5 * time.Second):
			t.Error("four batches were not in flight together")
		}
		if positions[0] == 60 {
			writeJSON(w, http.StatusBadRequest, batchCapBody)
			close(failed)
			return true
		}
		<-failed
		time.Sleep(100 * time.Millisecond) // let the client see the failure first
		return false
	})
	got, err := bs.client(t, batchesOf60).People().CreateMany(t.Context(), inputs(1000), &twenty.CreateOptions{Concurrency: 4})
	var be *twenty.BatchError
	require.ErrorAs(t, err, &be)
	assert.ErrorIs(t, err, twenty.ErrBadRequest)
	assert.Equal(t, []twenty.Span{{Start: 0, End: 60}, {Start: 120, End: 180}, {Start: 180, End: 240}}, be.Created)
	assert.Equal(t, []twenty.Span{{Start: 60, End: 120}}, be.Failed)
	assert.Equal(t, append(seq(0, 60), seq(120, 240)...), positionsOf(t, got))
	checkPartition(t, be, 1000)
	assert.Len(t, bs.seen(), 4)
}

// checkPartition asserts that the spans cover [0, n) exactly once.
func checkPartition(t *testing.T, be *twenty.BatchError, n int) {
	t.Helper()
	var all []twenty.Span
	all = append(all, be.Created...)
	all = append(all, be.Failed...)
	all = append(all, be.NotSent...)
	slices.SortFunc(all, func(a, b twenty.Span) int { return a.Start - b.Start })
	next := 0
	for _, s := range all {
		assert.Equal(t, next, s.Start, "spans %v", all)
		assert.Greater(t, s.End, s.Start)
		next = s.End
	}
	assert.Equal(t, n, next)
}

func TestCreateManyConcurrentFailureInvariants(t *testing.T) {
	t.Parallel()
	for round := range 10 {
		bs := newBatchServer(t, func(req int, positions []int, w http.ResponseWriter, r *http.Request) bool {
			if positions[0] == 300 {
				writeJSON(w, http.StatusBadRequest, batchCapBody)
				return true
			}
			time.Sleep(time.Duration(req%3) * time.Millisecond)
			return false
		})
		got, err := bs.client(t, batchesOf60).People().CreateMany(t.Context(), inputs(1000), &twenty.CreateOptions{Concurrency: 4})
		var be *twenty.BatchError
		require.ErrorAs(t, err, &be, "round %d", round)
		checkPartition(t, be, 1000)
		assert.Equal(t, []twenty.Span{{Start: 300, End: 360}}, be.Failed, "round %d: only the refused batch failed", round)

		var created []int
		for _, s := range be.Created {
			created = append(created, seq(s.Start, s.End)...)
		}
		assert.Equal(t, created, positionsOf(t, got), "the records returned are the created spans, in order")

		bs.mu.Lock()
		var answered []int
		for _, b := range bs.answered {
			answered = append(answered, b...)
		}
		sent := map[int]bool{}
		for _, b := range bs.batches {
			sent[b[0]] = true
		}
		bs.mu.Unlock()
		slices.Sort(answered)
		assert.Equal(t, created, answered, "round %d: created is exactly what the server created", round)
		for _, s := range be.NotSent {
			assert.False(t, sent[s.Start], "round %d: %v was sent", round, s)
		}
		if t.Failed() {
			return
		}
	}
}

func TestCreateManyUpsert(t *testing.T) {
	t.Parallel()
	var failedOnce atomic.Bool
	bs := newBatchServer(t, func(req int, positions []int, w http.ResponseWriter, r *http.Request) bool {
		if failedOnce.CompareAndSwap(false, true) {
			writeJSON(w, http.StatusInternalServerError, serverErrorBody)
			return true
		}
		return false
	})
	got, err := bs.client(t, batchesOf60).People().CreateMany(t.Context(), inputs(130), &twenty.CreateOptions{Upsert: true})
	require.NoError(t, err, "an upsert batch is safe to send again")
	assert.Equal(t, seq(0, 130), positionsOf(t, got))
	assert.Len(t, bs.seen(), 4, "three batches, the first sent twice")
	bs.mu.Lock()
	for _, q := range bs.queries {
		assert.Equal(t, "upsert=true", q)
	}
	bs.mu.Unlock()
}

func TestCreateManyServerErrorWithoutUpsertIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	bs := newBatchServer(t, func(req int, positions []int, w http.ResponseWriter, r *http.Request) bool {
		writeJSON(w, http.StatusInternalServerError, serverErrorBody)
		return true
	})
	got, err := bs.client(t, batchesOf60).People().CreateMany(t.Context(), inputs(130), nil)
	assert.Empty(t, got)
	var be *twenty.BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, []twenty.Span{{Start: 0, End: 60}}, be.Failed)
	assert.Equal(t, []twenty.Span{{Start: 60, End: 120}, {Start: 120, End: 130}}, be.NotSent)
	assert.Empty(t, be.Created)
	assert.ErrorIs(t, err, twenty.ErrServer)
	assert.ErrorIs(t, err, twenty.ErrOutcomeUnknown)
	assert.Len(t, bs.seen(), 1, "a plain create batch is never replayed")
	bs.mu.Lock()
	assert.Equal(t, []string{""}, bs.queries)
	bs.mu.Unlock()
}

func TestCreateManyCountMismatch(t *testing.T) {
	t.Parallel()
	bs := newBatchServer(t, func(req int, positions []int, w http.ResponseWriter, r *http.Request) bool {
		out := make([]any, len(positions)-1)
		for i := range out {
			out[i] = person(positions[i])
		}
		writeJSON(w, http.StatusCreated, envelope(t, "createPeople", out))
		return true
	})
	_, err := bs.client(t).People().CreateMany(t.Context(), inputs(10), nil)
	var be *twenty.BatchError
	require.ErrorAs(t, err, &be)
	assert.ErrorIs(t, err, twenty.ErrUnexpected)
	assert.Equal(t, []twenty.Span{{Start: 0, End: 10}}, be.Failed)
}

func TestCreateManyCallerCancels(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	bs := newBatchServer(t, func(req int, positions []int, w http.ResponseWriter, r *http.Request) bool {
		if req == 2 {
			cancel() // the caller gives up while the second batch is in flight
			<-r.Context().Done()
			return true
		}
		return false
	})
	bs.v.Lenient = true // the cancelled request gets no answer
	got, err := bs.client(t, batchesOf60).People().CreateMany(ctx, inputs(250), nil)
	assert.Equal(t, seq(0, 60), positionsOf(t, got))
	var be *twenty.BatchError
	require.ErrorAs(t, err, &be)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []twenty.Span{{Start: 0, End: 60}}, be.Created)
	assert.Equal(t, []twenty.Span{{Start: 60, End: 120}}, be.Failed)
	assert.Equal(t, []twenty.Span{{Start: 120, End: 180}, {Start: 180, End: 240}, {Start: 240, End: 250}}, be.NotSent)
	assert.Len(t, bs.seen(), 2)
}

func TestCreateManyUntyped(t *testing.T) {
	t.Parallel()
	bs := newBatchServer(t, nil)
	recs := make([]twenty.Record, 61)
	for i := range recs {
		recs[i] = twenty.Record{"jobTitle": fmt.Sprint(i)}
	}
	got, err := bs.client(t).Object("people").CreateMany(t.Context(), recs, &twenty.CreateOptions{Concurrency: 2})
	require.NoError(t, err)
	require.Len(t, got, 61)
	for i, r := range got {
		assert.Equal(t, personID(i), r["id"])
	}
}

// olderServer refuses batches of more than max records as a server built
// with a lower QUERY_MAX_RECORDS does, stating its maximum.
func olderServer(max int) func(int, []int, http.ResponseWriter, *http.Request) bool {
	return func(_ int, positions []int, w http.ResponseWriter, _ *http.Request) bool {
		if len(positions) <= max {
			return false
		}
		writeJSON(w, http.StatusBadRequest, fmt.Sprintf(
			`{"statusCode":400,"error":"BadRequestException","messages":["Maximum number of records to upsert is %d."]}`, max))
		return true
	}
}

// answeredPositions lists every input position the server created, in
// answer order: a position twice would be a record created twice.
func (bs *batchServer) answeredPositions() []int {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	var out []int
	for _, b := range bs.answered {
		out = append(out, b...)
	}
	return out
}

func TestCreateManyFallsBackToTheMaximumAnOlderServerStates(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprintf("concurrency %d", workers), func(t *testing.T) {
			t.Parallel()
			bs := newBatchServer(t, olderServer(60))
			c := bs.client(t)
			opts := &twenty.CreateOptions{Concurrency: workers}
			got, err := c.People().CreateMany(t.Context(), inputs(1000), opts)
			require.NoError(t, err)
			assert.Equal(t, seq(0, 1000), positionsOf(t, got), "every record, in input order")
			answered := bs.answeredPositions()
			slices.Sort(answered)
			assert.Equal(t, seq(0, 1000), answered, "each record created exactly once")
			refused := len(bs.seen()) - 17
			assert.GreaterOrEqual(t, refused, 1)
			assert.LessOrEqual(t, refused, workers, "only batches in flight before the first refusal")

			// The client remembers: the next job goes straight to 60.
			before := len(bs.seen())
			_, err = c.People().CreateMany(t.Context(), inputs(130), opts)
			require.NoError(t, err)
			after := bs.seen()[before:]
			assert.Len(t, after, 3)
			for _, b := range after {
				assert.LessOrEqual(t, len(b), 60)
			}
		})
	}
}

func TestCreateManyFallsBackOnlyOnce(t *testing.T) {
	t.Parallel()
	// A server that states 60 but refuses anything over 10: after one
	// fallback the refusal is reported, not chased.
	bs := newBatchServer(t, func(req int, positions []int, w http.ResponseWriter, r *http.Request) bool {
		if len(positions) > 10 {
			writeJSON(w, http.StatusBadRequest, `{"statusCode":400,"error":"BadRequestException","messages":["Maximum number of records to upsert is 60."]}`)
			return true
		}
		return false
	})
	got, err := bs.client(t).People().CreateMany(t.Context(), inputs(300), nil)
	assert.Empty(t, got)
	var be *twenty.BatchError
	require.ErrorAs(t, err, &be)
	assert.ErrorIs(t, err, twenty.ErrBadRequest)
	assert.Equal(t, []twenty.Span{{Start: 0, End: 60}}, be.Failed)
	checkPartition(t, be, 300)
	assert.Len(t, bs.seen(), 2, "the 200-record batch, then one of 60")
}

func TestCreateManyDoesNotFallBackForOtherRefusals(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"a stated maximum not below the batch": batchCapBody,
		"another 400":                          `{"statusCode":400,"error":"BadRequestException","messages":["Invalid value \"X\" for field \"stage\"."]}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bs := newBatchServer(t, func(int, []int, http.ResponseWriter, *http.Request) bool { return false })
			bs.hook = func(req int, positions []int, w http.ResponseWriter, r *http.Request) bool {
				writeJSON(w, http.StatusBadRequest, body)
				return true
			}
			_, err := bs.client(t).People().CreateMany(t.Context(), inputs(300), nil)
			var be *twenty.BatchError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, []twenty.Span{{Start: 0, End: 200}}, be.Failed)
			assert.Len(t, bs.seen(), 1)
		})
	}
}
