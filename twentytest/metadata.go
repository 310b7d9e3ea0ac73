package twentytest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/twenty-go/twenty/internal/metamodel"
)

// The metadata API serves objects and fields from the same model as the
// records (what a client learns from it is what the fake serves), and
// changes that model (metawrite.go); webhooks are in webhooks.go. Lists page with ids as cursors.
// Answers use the envelope chosen with WithMetadataFormat.

// MetadataFormat is the envelope of the metadata API's answers. Real
// servers use one or the other depending on their version and a feature
// flag; openapi.yaml accepts both.
type MetadataFormat int

const (
	// MetadataUnified is the newer envelope (the default): lists as
	// {data: [...], pageInfo, totalCount}, single items bare, deletions
	// as {id}.
	MetadataUnified MetadataFormat = iota
	// MetadataLegacy wraps every payload under a key: lists as
	// {data: {objects: [...]}, pageInfo, totalCount} (fields, webhooks
	// likewise), one item as {data: {object: {...}}}, and the answers of
	// writes under the operation's name: {data: {createOneWebhook: {...}}},
	// {data: {updateOneWebhook: {...}}}, {data: {deleteOneWebhook: {id}}}.
	MetadataLegacy
)

func (f MetadataFormat) String() string {
	if f == MetadataLegacy {
		return "MetadataLegacy"
	}
	return "MetadataUnified"
}

// WithMetadataFormat chooses the envelope of the metadata API.
func WithMetadataFormat(f MetadataFormat) Option { return func(c *config) { c.metaFormat = f } }

const metadataLimit = 1000

// metaKinds maps a metadata path segment to the operationIds' noun.
var metaKinds = map[string]string{"objects": "Object", "fields": "Field", "webhooks": "Webhook"}

// metaOp maps a metadata request to its operationId.
func metaOp(method string, parts []string) string {
	if len(parts) < 2 || len(parts) > 3 {
		return ""
	}
	kind := metaKinds[parts[1]]
	if kind == "" {
		return ""
	}
	if len(parts) == 2 {
		return map[string]string{http.MethodGet: "findMany" + kind + "s", http.MethodPost: "createOne" + kind}[method]
	}
	return map[string]string{http.MethodGet: "findOne" + kind, http.MethodPatch: "updateOne" + kind,
		http.MethodDelete: "deleteOne" + kind}[method]
}

// metadataItems renders the model as the metadata API serves it, as
// decoded JSON: objects with their fields inline, or all fields.
func (s *Server) metadataItems(kind string) []map[string]any {
	if kind == "webhooks" {
		return s.webhookItems()
	}
	objects := metamodel.FromModel(s.full)
	for i := range objects {
		o := &objects[i]
		if s.inactive[objectKey(o.NameSingular)] {
			o.IsActive = ptr(false)
		}
		for j := range o.Fields {
			if s.inactive[fieldKey(o.NameSingular, o.Fields[j].Name)] {
				o.Fields[j].IsActive = ptr(false)
			}
		}
	}
	var out []map[string]any
	add := func(v any) {
		b, _ := json.Marshal(v)
		m, _ := decodeJSON(b)
		if s.cfg.noRelationBlocks {
			stripRelations(m.(map[string]any))
		}
		out = append(out, m.(map[string]any))
	}
	for _, o := range objects {
		if kind == "objects" {
			add(o)
			continue
		}
		for _, f := range o.Fields {
			add(f)
		}
	}
	return out
}

// metadata serves a metadata request; it is called with mu held.
func (s *Server) metadata(op string, parts []string, q url.Values, body []byte) (int, any, *apiError) {
	kind := parts[1]
	id := ""
	if len(parts) == 3 {
		id = strings.ToLower(parts[2])
		if !isUUID(id) {
			return 0, nil, badRequest("'%s' is not a valid UUID", parts[2])
		}
	}
	switch {
	case strings.HasPrefix(op, "findMany"):
		return s.metadataList(kind, q)
	case strings.HasPrefix(op, "findOne"):
		for _, it := range s.metadataItems(kind) {
			if it["id"] == id {
				return http.StatusOK, s.metaItem(op, kind, it), nil
			}
		}
		return 0, nil, metaNotFound(kind)
	case kind == "webhooks":
		return s.webhookWrite(op, id, body)
	case kind == "objects":
		return s.objectWrite(op, id, body)
	}
	return s.fieldWrite(op, id, body)
}

func metaNotFound(kind string) *apiError {
	return &apiError{status: http.StatusNotFound, name: "NotFoundException", msg: strings.TrimSuffix(kind, "s") + " not found"}
}

// metaItem wraps one item in the configured envelope: bare, or under the
// singular name for a read and the operationId for a write.
func (s *Server) metaItem(op, kind string, item any) any {
	if s.cfg.metaFormat != MetadataLegacy {
		return item
	}
	key := op
	if strings.HasPrefix(op, "findOne") {
		key = strings.TrimSuffix(kind, "s")
	}
	return data(key, item)
}

func (s *Server) metadataList(kind string, q url.Values) (int, any, *apiError) {
	limit, e := parseLimit(q, metadataLimit, 0)
	if e != nil {
		return 0, nil, e
	}
	after, before := q.Get("starting_after"), q.Get("ending_before")
	if after != "" && before != "" {
		return 0, nil, badRequest("Only one of starting_after and ending_before can be used at a time")
	}
	items := s.metadataItems(kind)
	index := func(id string) (int, *apiError) {
		if !isUUID(id) {
			return 0, badRequest("'%s' is not a valid UUID", id)
		}
		for i, it := range items {
			if it["id"] == strings.ToLower(id) {
				return i, nil
			}
		}
		return 0, badRequest("Invalid cursor: %s", id)
	}
	var start, end int
	hasNext, hasPrev := false, false
	switch {
	case before != "":
		i, e := index(before)
		if e != nil {
			return 0, nil, e
		}
		end, start = i, max(i-limit, 0)
		hasPrev = start > 0
	default:
		if after != "" {
			i, e := index(after)
			if e != nil {
				return 0, nil, e
			}
			start = i + 1
		}
		end = min(start+limit, len(items))
		hasNext = end < len(items)
	}
	page := items[start:end]
	if page == nil {
		page = []map[string]any{} // [] not null, in both envelopes
	}
	info := map[string]any{"startCursor": nil, "endCursor": nil, "hasNextPage": hasNext, "hasPreviousPage": hasPrev}
	if len(page) > 0 {
		info["startCursor"], info["endCursor"] = page[0]["id"], page[len(page)-1]["id"]
	}
	var payload any = page
	if s.cfg.metaFormat == MetadataLegacy {
		payload = map[string]any{kind: page}
	}
	return http.StatusOK, map[string]any{"data": payload, "pageInfo": info, "totalCount": len(items)}, nil
}
