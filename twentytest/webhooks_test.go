package twentytest_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/internal/metamodel"
	"github.com/twenty-go/twenty/twentytest"
	"github.com/twenty-go/twenty/webhook"
)

// hit is one request a receiver got.
type hit struct {
	header http.Header
	body   []byte
	event  *webhook.Event
}

// rawReceiver is a webhook endpoint that keeps every request as received,
// checking nothing, and answers status.
type rawReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	hits  []hit
	delay time.Duration // a random delay up to this before answering
}

func newRawReceiver(t *testing.T, status int) *rawReceiver {
	t.Helper()
	r := &rawReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		e, _ := webhook.Decode(body)
		if r.delay > 0 {
			time.Sleep(rand.N(r.delay))
		}
		r.mu.Lock()
		r.hits = append(r.hits, hit{req.Header.Clone(), body, e})
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *rawReceiver) got() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit(nil), r.hits...)
}

func wait(t *testing.T, s *twentytest.Server) []twentytest.Delivery {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	require.NoError(t, s.WaitDeliveries(c))
	return s.Deliveries()
}

// deliveredTo lists the event names delivered to one webhook, in order.
func deliveredTo(ds []twentytest.Delivery, webhookID string) []string {
	out := []string{}
	for _, d := range ds {
		if d.WebhookID == webhookID {
			out = append(out, d.Event)
		}
	}
	return out
}

// A receiver written as the webhook package documents it gets a person
// created and updated through the client, signed with the secret given to
// the metadata API; an unsigned webhook added with AddWebhook gets the same
// payload without signature headers.
func TestWebhookDeliveryEndToEnd(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := rootClient(t, s)

	secret := strings.Repeat("5e", 32) // 64 hex characters, as Twenty shows them
	v, err := webhook.NewVerifier(secret)
	require.NoError(t, err)
	type delivery struct {
		e *webhook.Event
		p api.PersonForResponse
	}
	got := make(chan delivery, 10)
	recv := httptest.NewServer(webhook.Handler(v, func(_ context.Context, e *webhook.Event) error {
		var p api.PersonForResponse
		if err := e.DecodeRecord(&p); err != nil {
			return err
		}
		got <- delivery{e, p}
		return nil
	}))
	t.Cleanup(recv.Close)
	next := func() delivery {
		t.Helper()
		select {
		case d := <-got:
			return d
		case <-time.After(10 * time.Second):
			t.Fatal("no delivery")
		}
		return delivery{}
	}

	hook, err := c.Metadata().CreateWebhook(ctx, api.CreateWebhookInput{TargetURL: recv.URL + "/twenty",
		Operations: []string{"person.*"}, Secret: &secret})
	require.NoError(t, err)
	raw := newRawReceiver(t, http.StatusNoContent)
	// localhost, not 127.0.0.1: names are fine as long as they are loopback.
	plainURL := strings.Replace(raw.URL, "127.0.0.1", "localhost", 1) + "/plain"
	plain := s.AddWebhook(plainURL, []string{"person.created"}, "")

	before := time.Now()
	p, err := c.People().Create(ctx, api.Person{Name: &api.FullName{FirstName: ptr("Ada"), LastName: ptr("Lovelace")},
		//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
		City: ptr("London")}, nil)
	require.NoError(t, err)
	d := next()
	assert.Equal(t, "person.created", d.e.Name)
	assert.Equal(t, webhook.Created, d.e.Operation())
	assert.Equal(t, "Ada", d.p.Name.FirstName)
	assert.Equal(t, "Lovelace", d.p.Name.LastName)
	assert.Equal(t, p.ID, d.p.ID)
	assert.Equal(t, webhook.ObjectMetadata{ID: metamodel.ObjectID("person").String(), NameSingular: "person"}, d.e.ObjectMetadata)
	assert.Equal(t, twentytest.WorkspaceID, d.e.WorkspaceID)
	assert.Equal(t, hook.ID.String(), d.e.WebhookID)
	assert.Equal(t, recv.URL+"/twenty", d.e.TargetURL)
	assert.WithinRange(t, d.e.EventDate, before.Add(-time.Second), time.Now().Add(time.Second))
	assert.WithinRange(t, d.e.SentAt, before.Add(-time.Second), time.Now().Add(time.Second))
	assert.Len(t, d.e.Nonce, 32)
	assert.Nil(t, d.e.UpdatedFields)

	//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
	_, err = c.People().Update(ctx, p.ID.String(), api.PersonForUpdate{JobTitle: ptr("Analyst"), City: ptr("Paris")}, nil)
	require.NoError(t, err)
	d = next()
	assert.Equal(t, "person.updated", d.e.Name)
	assert.ElementsMatch(t, []string{"jobTitle", "city"}, d.e.UpdatedFields)
	assert.Equal(t, "Analyst", d.p.JobTitle)
	//lint:ignore SA1019 the fake serves an upgraded workspace, which keeps the fields 2.10 demoted
	assert.Equal(t, "Paris", d.p.City)
	assert.Equal(t, "Ada", d.p.Name.FirstName, "the whole record, not only the change")

	ds := wait(t, s)
	require.Len(t, ds, 3)
	for _, d := range ds {
		assert.True(t, d.OK(), "%+v", d)
		assert.Equal(t, p.ID.String(), d.RecordID)
		signed := d.WebhookID == hook.ID.String()
		assert.Equal(t, signed, d.Signed)
		assert.Equal(t, map[bool]int{true: 200, false: 204}[signed], d.Status)
	}
	assert.Equal(t, []string{"person.created"}, deliveredTo(ds, plain))

	// The unsigned delivery: same payload, no signature headers.
	hits := raw.got()
	require.Len(t, hits, 1)
	h := hits[0]
	assert.Equal(t, "application/json", h.header.Get("Content-Type"))
	for _, name := range []string{webhook.SignatureHeader, webhook.TimestampHeader, webhook.NonceHeader} {
		assert.Empty(t, h.header.Values(name), name)
	}
	require.NotNil(t, h.event)
	assert.Equal(t, "person.created", h.event.Name)
	assert.Equal(t, plain, h.event.WebhookID)
	assert.Equal(t, plainURL, h.event.TargetURL)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(h.event.Record, &rec))
	assert.Equal(t, "London", rec["city"])
	for _, d := range ds {
		if d.WebhookID == plain {
			assert.Equal(t, string(d.Body), string(h.body), "Delivery.Body is the body sent")
		}
	}
	// Keys in the order the server writes them.
	assert.Regexp(t, `^\{"targetUrl":.*,"eventName":.*,"objectMetadata":.*,"workspaceId":.*,"webhookId":.*,"eventDate":.*,"record":\{`, string(h.body))
}

// Signatures are checked here without the webhook package: the hex
// HMAC-SHA256 of "<timestamp>:<body>" keyed with the secret as text.
func TestWebhookSignature(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	raw := newRawReceiver(t, 200)
	const secret = "not-hex-and-that-is-fine"
	s.AddWebhook(raw.URL, nil, secret)
	r := do(t, s, "POST", "/rest/companies", map[string]any{"name": "Initech <&>"})
	require.Equal(t, 201, r.status, string(r.raw))
	wait(t, s)
	hits := raw.got()
	require.Len(t, hits, 1)
	h := hits[0]
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(h.header.Get(webhook.TimestampHeader) + ":"))
	m.Write(h.body)
	assert.Equal(t, hex.EncodeToString(m.Sum(nil)), h.header.Get(webhook.SignatureHeader))
	assert.Contains(t, string(h.body), `"name":"Initech <&>"`, "not HTML-escaped, as JSON.stringify")
	assert.Equal(t, "company.created", h.event.Name)

	// A receiver holding another secret refuses the delivery; the fake
	// records the answer and does not retry.
	other, err := webhook.NewVerifier("another secret")
	require.NoError(t, err)
	calls := 0
	var mu sync.Mutex
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		webhook.Handler(other, func(context.Context, *webhook.Event) error { return nil }).ServeHTTP(w, r)
	}))
	t.Cleanup(refusing.Close)
	id := s.AddWebhook(refusing.URL, []string{"company.*"}, secret)
	r = do(t, s, "POST", "/rest/companies", map[string]any{"name": "Hooli"})
	require.Equal(t, 201, r.status)
	var mine []twentytest.Delivery
	for _, d := range wait(t, s) {
		if d.WebhookID == id {
			mine = append(mine, d)
		}
	}
	require.Len(t, mine, 1)
	assert.Equal(t, 401, mine[0].Status)
	assert.False(t, mine[0].OK())
	assert.NoError(t, mine[0].Err)
	mu.Lock()
	assert.Equal(t, 1, calls)
	mu.Unlock()
}

// Every kind of change, through every operation that makes it, reaches
// the webhooks whose operations match it, in order.
func TestWebhookEventsAndOperations(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	raw := newRawReceiver(t, 200)
	all := s.AddWebhook(raw.URL, []string{"*.*"}, "")
	created := s.AddWebhook(raw.URL, []string{"*.created"}, "")
	some := s.AddWebhook(raw.URL, []string{"person.updated", "person.destroyed"}, "")
	companies := s.AddWebhook(raw.URL, []string{"company.*"}, "")
	none := s.AddWebhook(raw.URL, []string{}, "")

	ok := func(status int, method, path string, body any) resp {
		t.Helper()
		r := do(t, s, method, path, body)
		require.Equal(t, status, r.status, "%s %s: %s", method, path, r.raw)
		return r
	}
	a := at(ok(201, "POST", "/rest/people", map[string]any{"name": map[string]any{"firstName": "A"}}).body, "data", "createPerson", "id").(string)
	batch := ok(201, "POST", "/rest/batch/people", []any{map[string]any{"city": "B"}, map[string]any{"city": "C"}})
	b := at(batch.body, "data", "createPeople", 0, "id").(string)
	c := at(batch.body, "data", "createPeople", 1, "id").(string)
	ok(200, "PATCH", "/rest/people/"+a, map[string]any{"jobTitle": "CEO"})
	ok(200, "PATCH", "/rest/people?filter=id[in]:["+b+","+c+"]", map[string]any{"city": "Rome", "jobTitle": "Dev"})
	ok(201, "POST", "/rest/people?upsert=true", map[string]any{"id": a, "city": "Oslo"})
	ok(200, "DELETE", "/rest/people/"+a+"?soft_delete=true", nil)
	ok(200, "PATCH", "/rest/people/"+a+"/restore", nil)
	ok(200, "DELETE", "/rest/people?soft_delete=true&filter=id[eq]:"+b, nil)
	ok(200, "PATCH", "/rest/people/restore?filter=id[eq]:"+b, nil)
	ok(200, "DELETE", "/rest/people/"+a, nil)
	ok(200, "DELETE", "/rest/people?filter=id[eq]:"+c, nil)
	// Failed operations change nothing and deliver nothing, batches
	// included.
	ok(400, "PATCH", "/rest/people/"+b, map[string]any{"nope": 1})
	ok(400, "POST", "/rest/batch/people", []any{map[string]any{"city": "D"}, map[string]any{"nope": 1}})
	ok(404, "PATCH", "/rest/people/"+a, map[string]any{"city": "X"})

	ds := wait(t, s)
	assert.Equal(t, []string{
		"person.created", "person.created", "person.created",
		"person.updated", "person.updated", "person.updated", "person.updated",
		"person.deleted", "person.restored", "person.deleted", "person.restored",
		"person.destroyed", "person.destroyed",
	}, deliveredTo(ds, all))
	assert.Equal(t, []string{"person.created", "person.created", "person.created"}, deliveredTo(ds, created))
	assert.Equal(t, []string{"person.updated", "person.updated", "person.updated", "person.updated",
		"person.destroyed", "person.destroyed"}, deliveredTo(ds, some))
	assert.Empty(t, deliveredTo(ds, companies), "company.* gets nothing of people")
	assert.Empty(t, deliveredTo(ds, none))

	// What the events carry, from the *.* webhook's deliveries.
	var events []*webhook.Event
	for _, h := range raw.got() {
		if h.event.WebhookID == all {
			events = append(events, h.event)
		}
	}
	require.Len(t, events, 13)
	field := func(e *webhook.Event, name string) any {
		var m map[string]any
		require.NoError(t, json.Unmarshal(e.Record, &m))
		return m[name]
	}
	assert.Equal(t, []string{"jobTitle"}, events[3].UpdatedFields)
	assert.ElementsMatch(t, []string{"city", "jobTitle"}, events[4].UpdatedFields)
	assert.Equal(t, "Rome", field(events[4], "city"))
	assert.Equal(t, []string{"city"}, events[6].UpdatedFields, "an upsert that updates is an update")
	assert.Equal(t, a, field(events[6], "id"))
	assert.NotNil(t, field(events[7], "deletedAt"), "a soft-deleted record carries deletedAt")
	assert.Nil(t, field(events[8], "deletedAt"))
	assert.Equal(t, a, field(events[11], "id"), "a destroyed record as it was")
	assert.Equal(t, "Oslo", field(events[11], "city"))
	for i, e := range events {
		if e.Operation() != webhook.Updated {
			assert.Nil(t, e.UpdatedFields, i)
		}
	}

	// A company change reaches the company.* webhook, and *.* too.
	ok(201, "POST", "/rest/companies", map[string]any{"name": "Acme"})
	ds = wait(t, s)
	assert.Equal(t, []string{"company.created"}, deliveredTo(ds, companies))
	assert.Len(t, deliveredTo(ds, all), 14)
}

// An operation that was applied although the client saw a failure (a
// gateway timing out after the backend committed) delivers its events.
func TestWebhookAppliedFault(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	raw := newRawReceiver(t, 200)
	s.AddWebhook(raw.URL, []string{"person.created"}, "")
	s.FailNext(twentytest.Fault{Kind: twentytest.FaultStatus, Status: 502, Applied: true},
		twentytest.Fault{Kind: twentytest.FaultStatus, Status: 503})
	assert.Equal(t, 502, do(t, s, "POST", "/rest/people", map[string]any{"city": "Applied"}).status)
	assert.Equal(t, 503, do(t, s, "POST", "/rest/people", map[string]any{"city": "Not applied"}).status)
	ds := wait(t, s)
	require.Len(t, ds, 1)
	assert.Contains(t, string(ds[0].Body), `"city":"Applied"`)
}

// Merging updates the kept record and destroys the others.
func TestWebhookMerge(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	raw := newRawReceiver(t, 200)
	id := s.AddWebhook(raw.URL, []string{"person.*"}, "")
	x := at(do(t, s, "POST", "/rest/people", map[string]any{"city": "X"}).body, "data", "createPerson", "id").(string)
	y := at(do(t, s, "POST", "/rest/people", map[string]any{"jobTitle": "Y"}).body, "data", "createPerson", "id").(string)
	r := do(t, s, "PATCH", "/rest/people/merge", map[string]any{"ids": []string{x, y}, "conflictPriorityIndex": 0})
	require.Equal(t, 200, r.status, string(r.raw))
	ds := wait(t, s)
	assert.Equal(t, []string{"person.created", "person.created", "person.destroyed", "person.updated"}, deliveredTo(ds, id))
	assert.Equal(t, y, ds[2].RecordID)
	assert.Equal(t, x, ds[3].RecordID)
	assert.Contains(t, string(ds[3].Body), `"updatedFields":["jobTitle"]`)
}

// Deliveries to one webhook go one at a time, in the order of the changes,
// even from concurrent clients and with a receiver that answers after a
// random delay; every webhook sees the same order.
func TestWebhookDeliveryOrder(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r1, r2 := newRawReceiver(t, 200), newRawReceiver(t, 200)
	r1.delay, r2.delay = 3*time.Millisecond, time.Millisecond
	h1 := s.AddWebhook(r1.URL, nil, "one")
	h2 := s.AddWebhook(r2.URL, nil, "")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 10 {
				r := do(t, s, "POST", "/rest/people", map[string]any{"city": string(rune('a'+g)) + string(rune('a'+i))})
				assert.Equal(t, 201, r.status)
			}
		})
	}
	wg.Wait()
	ds := wait(t, s)
	require.Len(t, ds, 80)
	order := func(r *rawReceiver) []string {
		var ids []string
		for _, h := range r.got() {
			ids = append(ids, h.event.Name+" "+string(h.event.Record))
		}
		return ids
	}
	var recorded []string
	for _, d := range ds {
		if d.WebhookID == h1 {
			recorded = append(recorded, d.RecordID)
		}
	}
	var received []string
	for _, h := range r1.got() {
		var rec struct{ ID string }
		require.NoError(t, json.Unmarshal(h.event.Record, &rec))
		received = append(received, rec.ID)
	}
	assert.Equal(t, recorded, received, "received in the order sent")
	assert.Equal(t, order(r1), order(r2))
	assert.Len(t, deliveredTo(ds, h2), 40)

	// The order is the order of creation.
	var created []string
	for _, p := range s.Records("people") {
		if c, _ := p["city"].(string); len(c) == 2 {
			created = append(created, p["id"].(string))
		}
	}
	assert.ElementsMatch(t, created, received)
}

// A webhook's target must be on loopback: others are registered (the
// real server accepts them) but never called.
func TestWebhookNonLoopbackRefused(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	r := do(t, s, "POST", "/rest/metadata/webhooks", map[string]any{"targetUrl": "http://192.0.2.10/hook"})
	require.Equal(t, 201, r.status, string(r.raw))
	external := at(r.body, "id").(string)
	named := s.AddWebhook("https://hooks.example.com/twenty", nil, "secret")
	notHTTP := s.AddWebhook("ftp://127.0.0.1/x", nil, "")
	start := time.Now()
	require.Equal(t, 201, do(t, s, "POST", "/rest/people", map[string]any{"city": "Nowhere"}).status)
	ds := wait(t, s)
	assert.Less(t, time.Since(start), 2*time.Second, "nothing was dialled")
	require.Len(t, ds, 3)
	for _, d := range ds {
		assert.Zero(t, d.Status)
		assert.False(t, d.OK())
		require.Error(t, d.Err)
		switch d.WebhookID {
		case external, named:
			assert.ErrorIs(t, d.Err, twentytest.ErrNotLoopback)
		case notHTTP:
			assert.NotErrorIs(t, d.Err, twentytest.ErrNotLoopback)
			assert.Contains(t, d.Err.Error(), "not an http or https URL")
		}
	}
}

// A receiver that does not answer within 5 seconds fails the delivery;
// later deliveries to the same webhook still go, and none is retried.
func TestWebhookTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 5 seconds")
	}
	t.Parallel()
	s := twentytest.NewServer(t)
	release := make(chan struct{})
	var mu sync.Mutex
	calls := 0
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	s.AddWebhook(slow.URL, nil, "")
	start := time.Now()
	require.Equal(t, 201, do(t, s, "POST", "/rest/people", map[string]any{"city": "Slow"}).status)
	require.Equal(t, 201, do(t, s, "POST", "/rest/people", map[string]any{"city": "Fast"}).status)
	ds := wait(t, s)
	require.Len(t, ds, 2)
	assert.ErrorIs(t, ds[0].Err, context.DeadlineExceeded)
	assert.Zero(t, ds[0].Status)
	assert.WithinRange(t, time.Now(), start.Add(5*time.Second), start.Add(10*time.Second))
	assert.True(t, ds[1].OK(), "%+v", ds[1])
	mu.Lock()
	assert.Equal(t, 2, calls)
	mu.Unlock()
}

// Close gives deliveries in flight a short grace, then cancels them.
func TestWebhookCloseIsBounded(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	arrived := make(chan struct{}, 1)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets net/http notice the client going away.
		_, _ = io.Copy(io.Discard, r.Body)
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	t.Cleanup(hang.Close)
	s.AddWebhook(hang.URL, nil, "")
	require.Equal(t, 201, do(t, s, "POST", "/rest/people", map[string]any{"city": "Stuck"}).status)
	require.Equal(t, 201, do(t, s, "POST", "/rest/people", map[string]any{"city": "Queued"}).status)
	<-arrived
	start := time.Now()
	s.Close()
	assert.Less(t, time.Since(start), 4*time.Second)
	ds := s.Deliveries()
	require.Len(t, ds, 2, "both ended, neither is left running")
	for _, d := range ds {
		require.Error(t, d.Err)
		assert.Contains(t, d.Err.Error(), "server closed")
	}
	assert.NoError(t, s.WaitDeliveries(ctx))
}

// Deliveries are signed on the server's clock, so a receiver checking
// freshness against another clock sees a stale delivery: the way to test
// that a receiver refuses replays.
func TestWebhookSignedOnServerClock(t *testing.T) {
	t.Parallel()
	past := fixedClock("2025-03-01T10:00:00Z")
	s := twentytest.NewServer(t, twentytest.WithClock(past))
	const secret = "clock"
	strict, err := webhook.NewVerifier(secret)
	require.NoError(t, err)
	same, err := webhook.NewVerifier(secret, webhook.WithClock(past))
	require.NoError(t, err)
	var mu sync.Mutex
	var stale []error
	var events []*webhook.Event
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		stale = append(stale, strict.Verify(r.Header, body))
		if err := same.Verify(r.Header, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		e, _ := webhook.Decode(body)
		events = append(events, e)
	}))
	t.Cleanup(recv.Close)
	s.AddWebhook(recv.URL, nil, secret)
	require.Equal(t, 201, do(t, s, "POST", "/rest/people", map[string]any{"city": "Then"}).status)
	ds := wait(t, s)
	require.Len(t, ds, 1)
	assert.True(t, ds[0].OK(), "%+v", ds[0])
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, stale, 1)
	assert.True(t, errors.Is(stale[0], webhook.ErrStaleTimestamp), "%v", stale[0])
	require.Len(t, events, 1)
	assert.Equal(t, past(), events[0].EventDate)
}

// The webhook endpoints check what they are given and page like the rest
// of the metadata API.
func TestWebhookCRUD(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	for name, body := range map[string]any{
		"no target":          map[string]any{"operations": []string{"*.*"}},
		"relative target":    map[string]any{"targetUrl": "/hook"},
		"not http":           map[string]any{"targetUrl": "mailto:a@example.com"},
		"target not string":  map[string]any{"targetUrl": 7},
		"bad operation":      map[string]any{"targetUrl": "http://127.0.0.1/", "operations": []string{"person"}},
		"operation not name": map[string]any{"targetUrl": "http://127.0.0.1/", "operations": []string{"person.cre ated"}},
		"operations string":  map[string]any{"targetUrl": "http://127.0.0.1/", "operations": "*.*"},
		"unknown property":   map[string]any{"targetUrl": "http://127.0.0.1/", "id": unknown},
		"secret not string":  map[string]any{"targetUrl": "http://127.0.0.1/", "secret": 1},
		"not an object":      []any{},
	} {
		r := do(t, s, "POST", "/rest/metadata/webhooks", body)
		assert.Equal(t, 400, r.status, "%s: %s", name, r.raw)
	}
	assert.Contains(t, message(do(t, s, "POST", "/rest/metadata/webhooks", map[string]any{"targetUrl": "http://127.0.0.1/", "id": unknown})),
		`Field "id" is not defined by type "CreateWebhookInput".`)

	var ids []string
	for i := range 5 {
		r := do(t, s, "POST", "/rest/metadata/webhooks", map[string]any{"targetUrl": "http://127.0.0.1/" + string(rune('a'+i)),
			"operations": []string{"person.created", "*.deleted"}, "description": "n"})
		require.Equal(t, 201, r.status, string(r.raw))
		ids = append(ids, at(r.body, "id").(string))
		assert.Equal(t, "n", at(r.body, "description"))
		assert.Nil(t, at(r.body, "secret"))
		assert.NotEmpty(t, at(r.body, "createdAt"))
	}
	r := list(t, s, "metadata/webhooks", map[string][]string{"limit": {"2"}, "starting_after": {ids[1]}})
	require.Equal(t, 200, r.status)
	assert.Equal(t, []any{ids[2], ids[3]}, []any{at(r.body, "data", 0, "id"), at(r.body, "data", 1, "id")})
	assert.Equal(t, true, at(r.body, "pageInfo", "hasNextPage"))
	assert.Equal(t, json.Number("5"), at(r.body, "totalCount"))
	r = list(t, s, "metadata/webhooks", map[string][]string{"ending_before": {ids[1]}})
	assert.Equal(t, ids[0], at(r.body, "data", 0, "id"))

	r = do(t, s, "PATCH", "/rest/metadata/webhooks/"+ids[0], map[string]any{"operations": []string{}, "description": "", "secret": "k"})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, []any{}, at(r.body, "operations"))
	assert.Equal(t, "", at(r.body, "description"))
	assert.Equal(t, "k", at(r.body, "secret"))
	r = do(t, s, "PATCH", "/rest/metadata/webhooks/"+ids[0], map[string]any{"secret": ""})
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Nil(t, at(r.body, "secret"), "an empty secret is none")
	assert.Equal(t, 400, do(t, s, "PATCH", "/rest/metadata/webhooks/"+ids[0], map[string]any{"description": nil}).status)
	assert.Equal(t, "http://127.0.0.1/a", at(r.body, "targetUrl"), "untouched")
	assert.Equal(t, 400, do(t, s, "PATCH", "/rest/metadata/webhooks/"+ids[0], map[string]any{"targetUrl": "nope"}).status)
	assert.Equal(t, "http://127.0.0.1/a", at(do(t, s, "GET", "/rest/metadata/webhooks/"+ids[0], nil).body, "targetUrl"),
		"a refused update changes nothing")

	assert.Equal(t, 404, do(t, s, "GET", "/rest/metadata/webhooks/"+unknown, nil).status)
	assert.Equal(t, 404, do(t, s, "PATCH", "/rest/metadata/webhooks/"+unknown, map[string]any{"secret": "x"}).status)
	assert.Equal(t, 404, do(t, s, "DELETE", "/rest/metadata/webhooks/"+unknown, nil).status)
	assert.Equal(t, 400, do(t, s, "GET", "/rest/metadata/webhooks/nope", nil).status)
	r = do(t, s, "DELETE", "/rest/metadata/webhooks/"+strings.ToUpper(ids[2]), nil)
	require.Equal(t, 200, r.status)
	assert.Equal(t, ids[2], at(r.body, "id"))
	assert.Equal(t, 404, do(t, s, "GET", "/rest/metadata/webhooks/"+ids[2], nil).status)
	assert.Len(t, at(list(t, s, "metadata/webhooks", nil).body, "data"), 4)
	assert.Equal(t, 2, s.RequestsFor("deleteOneWebhook"))
	assert.Empty(t, s.Violations())
}
