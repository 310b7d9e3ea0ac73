package twentytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/twenty-go/twenty/internal/metamodel"
	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/webhook"
)

// Webhooks: the metadata API's /rest/metadata/webhooks (create, read,
// update, delete) and AddWebhook register them; record changes made
// through the API are then posted to every webhook whose operations match,
// signed as the real server signs them. Deliveries run in the background,
// one at a time and in order per webhook, like the real server's job
// queue; they are recorded for Deliveries and WaitDeliveries.

const (
	// deliveryTimeout is how long Twenty waits for a receiver's answer.
	deliveryTimeout = 5 * time.Second
	// closeGrace is how long Close lets deliveries run before cancelling.
	closeGrace = 2 * time.Second
	// maxDeliveries is how many finished deliveries Deliveries keeps (the
	// latest ones), so a long-running fake does not grow without bound.
	maxDeliveries = 10000
)

// ErrNotLoopback is the error of a delivery the fake refused to send
// because its target is not a loopback address; see AllowExternalWebhooks.
var ErrNotLoopback = errors.New("twentytest: webhook target is not a loopback address")

// AllowExternalWebhooks lets webhook deliveries go to any host. By default
// the fake posts only to loopback: to localhost or a loopback IP in the
// URL, and only once the address it connects to is a loopback one, so a
// test cannot call out by mistake. Other deliveries fail with
// ErrNotLoopback without a connection being made.
func AllowExternalWebhooks() Option { return func(c *config) { c.anyHookHost = true } }

// hook is a registered webhook. Hooks are replaced, never changed in
// place.
type hook struct {
	id, targetURL        string
	operations           []string
	description          *string
	secret               string
	createdAt, updatedAt string
}

// render shows a webhook as the metadata API does.
func (h *hook) render() map[string]any {
	ops := make([]any, len(h.operations))
	for i, o := range h.operations {
		ops[i] = o
	}
	m := map[string]any{"id": h.id, "targetUrl": h.targetURL, "operations": ops, "description": nil,
		"secret": nil, "createdAt": h.createdAt, "updatedAt": h.updatedAt}
	if h.description != nil {
		m["description"] = *h.description
	}
	if h.secret != "" {
		m["secret"] = h.secret
	}
	return m
}

// matches is the server's lookup: a webhook receives object.operation if
// its operations hold that name, object.*, *.operation or *.*.
func (h *hook) matches(object, op string) bool {
	for _, o := range h.operations {
		if o == object+"."+op || o == object+".*" || o == "*."+op || o == "*.*" {
			return true
		}
	}
	return false
}

// AddWebhook registers a webhook as the metadata API would, and returns
// its id. operations are event names such as "person.created",
// "person.*", "*.created" or "*.*" (nil means "*.*", the server's
// default). With a secret, deliveries are signed; with "", they carry no
// signature headers. The target is not checked here: a delivery to a URL
// the fake cannot or will not post to is recorded with its error.
func (s *Server) AddWebhook(targetURL string, operations []string, secret string) (id string) {
	if operations == nil {
		operations = []string{"*.*"}
	}
	now := formatTime(s.now())
	h := &hook{id: newUUID(), targetURL: targetURL, operations: append([]string(nil), operations...),
		secret: secret, createdAt: now, updatedAt: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, h)
	return h.id
}

// webhookItems renders the webhooks in creation order; mu is held.
func (s *Server) webhookItems() []map[string]any {
	out := make([]map[string]any, 0, len(s.hooks))
	for _, h := range s.hooks {
		out = append(out, h.render())
	}
	return out
}

// webhookWrite serves create, update and delete; mu is held.
func (s *Server) webhookWrite(op, id string, body []byte) (int, any, *apiError) {
	const kind = "webhooks"
	if op == "createOneWebhook" {
		in, e := decodeObject(body)
		if e != nil {
			return 0, nil, e
		}
		now := formatTime(s.now())
		h := &hook{id: newUUID(), operations: []string{"*.*"}, createdAt: now, updatedAt: now}
		if e := applyWebhookInput(h, in, "CreateWebhookInput"); e != nil {
			return 0, nil, e
		}
		if _, ok := in["targetUrl"]; !ok {
			return 0, nil, badRequest("Field \"targetUrl\" of required type \"String!\" was not provided.")
		}
		s.hooks = append(s.hooks, h)
		return http.StatusCreated, s.metaItem(op, kind, h.render()), nil
	}
	i := -1
	for j, h := range s.hooks {
		if h.id == id {
			i = j
		}
	}
	if i < 0 {
		return 0, nil, metaNotFound(kind)
	}
	if op == "deleteOneWebhook" {
		s.hooks = append(s.hooks[:i:i], s.hooks[i+1:]...)
		return http.StatusOK, s.metaItem(op, kind, map[string]any{"id": id}), nil
	}
	in, e := decodeObject(body)
	if e != nil {
		return 0, nil, e
	}
	h := *s.hooks[i]
	if e := applyWebhookInput(&h, in, "UpdateWebhookInput"); e != nil {
		return 0, nil, e
	}
	h.updatedAt = formatTime(s.now())
	s.hooks[i] = &h
	return http.StatusOK, s.metaItem(op, kind, h.render()), nil
}

// operationRE is an event name pattern: object or *, a dot, operation or *.
var operationRE = regexp.MustCompile(`^(\*|[A-Za-z][A-Za-z0-9]*)\.(\*|[A-Za-z]+)$`)

// applyWebhookInput checks a create or update body and writes it into h.
// Unknown properties are refused as the GraphQL layer behind the metadata
// API refuses them.
func applyWebhookInput(h *hook, in map[string]any, typeName string) *apiError {
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := in[k]
		str, isStr := v.(string)
		switch k {
		case "targetUrl":
			if !isStr {
				return badRequest("targetUrl must be a string")
			}
			u, err := url.Parse(str)
			if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
				return badRequest("Invalid target URL: %s", short(v))
			}
			h.targetURL = str
		case "operations":
			list, ok := v.([]any)
			if !ok {
				return badRequest("operations must be an array of event names such as person.created")
			}
			ops := make([]string, 0, len(list))
			for _, o := range list {
				name, _ := o.(string)
				if !operationRE.MatchString(name) {
					return badRequest("Invalid operation %s: use <object>.<operation>, either part possibly *", short(o))
				}
				ops = append(ops, name)
			}
			h.operations = ops
		case "description", "secret":
			if !isStr {
				return badRequest("%s must be a string", k)
			}
			if k == "secret" {
				h.secret = str // "" removes it
			} else {
				h.description = &str
			}
		default:
			return badRequest("Field \"%s\" is not defined by type \"%s\".", k, typeName)
		}
	}
	return nil
}

// change is a record event of the operation in progress.
type change struct {
	oi     *objInfo
	op     string         // webhook.Created, ...
	record map[string]any // at depth 0: after the change, or before a destroy
	fields []string       // updatedFields, for updates
	date   string
}

// noteChange records a change for the webhooks; mu is held. serveAPI
// delivers the changes once the whole operation has succeeded.
func (s *Server) noteChange(oi *objInfo, op string, rec map[string]any, fields []string) {
	if len(s.hooks) == 0 {
		return
	}
	if op == webhook.Updated && fields == nil {
		fields = []string{}
	}
	s.changes = append(s.changes, change{oi: oi, op: op, record: s.store.present(oi, rec, 0),
		fields: fields, date: formatTime(s.now())})
}

// writtenFields lists the fields an update wrote (its body's keys but
// id), in the model's field order: the updatedFields of its event.
func writtenFields(oi *objInfo, in map[string]any) []string {
	out := []string{}
	for k := range in {
		if k != "id" {
			out = append(out, k)
		}
	}
	sortByModel(oi, out)
	return out
}

// changedFields lists the fields whose value differs between two
// presented records, updatedAt aside, in the model's order.
func changedFields(oi *objInfo, before, after map[string]any) []string {
	out := []string{}
	for k, v := range after {
		if k != "updatedAt" && !sameValue(before[k], v) {
			out = append(out, k)
		}
	}
	sortByModel(oi, out)
	return out
}

func sortByModel(oi *objInfo, names []string) {
	pos := map[string]int{}
	for i, f := range oi.o.Fields {
		pos[f.Name] = i
		if f.IsRelation() && f.Relation != nil && f.Relation.Type == model.ManyToOne {
			pos[f.Relation.JoinColumnName] = i
		}
	}
	sort.SliceStable(names, func(i, j int) bool {
		pi, oki := pos[names[i]]
		pj, okj := pos[names[j]]
		if oki != okj {
			return oki
		}
		if pi != pj {
			return pi < pj
		}
		return names[i] < names[j]
	})
}

// eventPayload is the body of a record event, in the server's key order.
type eventPayload struct {
	TargetURL      string                 `json:"targetUrl"`
	EventName      string                 `json:"eventName"`
	ObjectMetadata webhook.ObjectMetadata `json:"objectMetadata"`
	WorkspaceID    string                 `json:"workspaceId"`
	WebhookID      string                 `json:"webhookId"`
	EventDate      string                 `json:"eventDate"`
	Record         map[string]any         `json:"record"`
	UpdatedFields  *[]string              `json:"updatedFields,omitempty"`
}

// deliverChanges queues a delivery of each noted change to each matching
// webhook; mu is held, so the queues follow the order of the changes.
func (s *Server) deliverChanges() {
	for _, c := range s.changes {
		object := c.oi.o.NameSingular
		for _, h := range s.hooks {
			if !h.matches(object, c.op) {
				continue
			}
			p := eventPayload{
				TargetURL:      h.targetURL,
				EventName:      object + "." + c.op,
				ObjectMetadata: webhook.ObjectMetadata{ID: metamodel.ObjectID(object).String(), NameSingular: object},
				WorkspaceID:    WorkspaceID,
				WebhookID:      h.id,
				EventDate:      c.date,
				Record:         c.record,
			}
			if c.op == webhook.Updated {
				p.UpdatedFields = &c.fields
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false) // as JSON.stringify
			if err := enc.Encode(p); err != nil {
				s.log(slog.LevelError, "twentytest: cannot encode a webhook payload", "error", err)
				continue
			}
			id, _ := c.record["id"].(string)
			s.enqueue(job{secret: h.secret, d: Delivery{WebhookID: h.id, URL: h.targetURL, Event: p.EventName,
				RecordID: id, Body: bytes.TrimSuffix(buf.Bytes(), []byte("\n"))}})
		}
	}
}

// Delivery is one webhook delivery the fake made, or tried to make.
type Delivery struct {
	WebhookID string
	URL       string
	// Event is the event name, such as "person.created".
	Event    string
	RecordID string
	// Body is the payload exactly as sent (and signed).
	Body []byte
	// Signed reports whether the delivery carried signature headers,
	// which it does when the webhook has a secret.
	Signed bool
	// Status is the receiver's status code; 0 when there was no answer.
	// Twenty counts anything but a 2xx as a failure and does not retry,
	// and neither does the fake. Redirects are not followed.
	Status int
	// Err says why there was no answer: a refused target
	// (ErrNotLoopback), a connection error, the 5-second timeout, or the
	// server closing.
	Err error
}

// OK reports whether the receiver answered with a 2xx status.
func (d Delivery) OK() bool { return d.Err == nil && d.Status >= 200 && d.Status < 300 }

type job struct {
	d      Delivery
	secret string
}

// hookQueue holds the deliveries of one webhook not yet sent; one
// goroutine at a time drains it.
type hookQueue struct {
	jobs    []job
	running bool
}

// deliverer sends the deliveries.
type deliverer struct {
	client   *http.Client
	external bool
	ctx      context.Context // cancelled by Close
	cancel   context.CancelFunc
	wg       sync.WaitGroup // the draining goroutines

	mu      sync.Mutex
	queues  map[string]*hookQueue // by webhook id
	pending int                   // queued or in flight
	idle    chan struct{}         // closed while pending is 0
	done    []Delivery
}

func (dl *deliverer) init(external bool) {
	dl.external = external
	dl.ctx, dl.cancel = context.WithCancel(context.Background())
	dl.queues = map[string]*hookQueue{}
	dl.idle = make(chan struct{})
	close(dl.idle)
	dialer := &net.Dialer{Timeout: deliveryTimeout}
	proxy := http.ProxyFromEnvironment
	if !external {
		// Checked on the address actually dialled, whatever the URL
		// said; and no proxy, which would be a way out.
		dialer.Control = loopbackOnly
		proxy = nil
	}
	dl.client = &http.Client{
		Transport: &http.Transport{
			Proxy:               proxy,
			DialContext:         dialer.DialContext,
			TLSHandshakeTimeout: deliveryTimeout,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func loopbackOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: %s", ErrNotLoopback, host)
	}
	return nil
}

// checkTarget refuses what the fake will not post to, before dialling.
func (dl *deliverer) checkTarget(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("twentytest: webhook target: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("twentytest: webhook target %q is not an http or https URL", raw)
	}
	if dl.external {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w: %q (AllowExternalWebhooks allows it)", ErrNotLoopback, host)
}

// enqueue adds a delivery to its webhook's queue and makes sure a
// goroutine drains it.
func (s *Server) enqueue(j job) {
	dl := &s.dl
	dl.mu.Lock()
	defer dl.mu.Unlock()
	if dl.pending == 0 {
		dl.idle = make(chan struct{})
	}
	dl.pending++
	q := dl.queues[j.d.WebhookID]
	if q == nil {
		q = &hookQueue{}
		dl.queues[j.d.WebhookID] = q
	}
	q.jobs = append(q.jobs, j)
	if !q.running {
		q.running = true
		dl.wg.Add(1)
		go s.drain(q)
	}
}

func (s *Server) drain(q *hookQueue) {
	dl := &s.dl
	defer dl.wg.Done()
	for {
		dl.mu.Lock()
		if len(q.jobs) == 0 {
			q.running = false
			dl.mu.Unlock()
			return
		}
		j := q.jobs[0]
		q.jobs[0] = job{}
		q.jobs = q.jobs[1:]
		dl.mu.Unlock()

		d := s.send(j)

		dl.mu.Lock()
		dl.done = append(dl.done, d)
		if n := len(dl.done); n > maxDeliveries {
			dl.done = append([]Delivery(nil), dl.done[n-maxDeliveries:]...)
		}
		dl.pending--
		if dl.pending == 0 {
			close(dl.idle)
		}
		dl.mu.Unlock()
	}
}

// send posts one delivery as the real server's job does: the payload, its
// signature headers when the webhook has a secret (signed now, on the
// server's clock), a 5-second timeout and no retry.
func (s *Server) send(j job) Delivery {
	d := j.d
	defer func() {
		s.log(slog.LevelDebug, "webhook delivery", "event", d.Event, "url", d.URL, "status", d.Status, "error", d.Err)
	}()
	if err := s.dl.checkTarget(d.URL); err != nil {
		d.Err = err
		return d
	}
	ctx, cancel := context.WithTimeout(s.dl.ctx, deliveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		d.Err = err
		return d
	}
	for k, v := range webhook.SignedHeaders([]byte(j.secret), s.now(), d.Body) {
		req.Header[k] = v
	}
	d.Signed = j.secret != ""
	res, err := s.dl.client.Do(req)
	if err != nil {
		if s.dl.ctx.Err() != nil {
			err = fmt.Errorf("twentytest: server closed: %w", err)
		}
		d.Err = err
		return d
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	_ = res.Body.Close()
	d.Status = res.StatusCode
	return d
}

// stop waits up to grace for the deliveries to end, then cancels the rest;
// no new ones may be queued.
func (dl *deliverer) stop(grace time.Duration) {
	done := make(chan struct{})
	go func() {
		dl.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		dl.cancel()
		<-done
	}
	dl.cancel()
	dl.client.CloseIdleConnections()
}

// Deliveries returns the webhook deliveries that have ended (answered,
// failed or refused), in the order they ended; per webhook, that is the
// order of the changes. Use WaitDeliveries first to see them all.
func (s *Server) Deliveries() []Delivery {
	s.dl.mu.Lock()
	defer s.dl.mu.Unlock()
	return append([]Delivery(nil), s.dl.done...)
}

// WaitDeliveries waits until no webhook delivery is queued or in flight,
// or ctx ends. Each delivery takes at most 5 seconds.
func (s *Server) WaitDeliveries(ctx context.Context) error {
	s.dl.mu.Lock()
	idle := s.dl.idle
	s.dl.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
