package twentytest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/twenty-go/twenty/internal/metamodel"
)

// The metadata API is served read-only, in the newer unified envelope
// (bare items, {data: [...], pageInfo, totalCount} lists, ids as cursors),
// from the same model as the records: what a client learns from it is what
// the fake serves.

const metadataLimit = 1000

// metaOp maps a metadata request to its operationId.
func metaOp(method string, parts []string) string {
	if len(parts) < 2 || len(parts) > 3 {
		return ""
	}
	kind := map[string]string{"objects": "Object", "fields": "Field"}[parts[1]]
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
	objects := metamodel.FromModel(s.m)
	var out []map[string]any
	add := func(v any) {
		b, _ := json.Marshal(v)
		m, _ := decodeJSON(b)
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

func (s *Server) metadata(op string, parts []string, q url.Values) (int, any, *apiError) {
	kind := parts[1]
	if strings.HasPrefix(op, "findMany") {
		return s.metadataList(kind, q)
	}
	if !strings.HasPrefix(op, "findOne") {
		return 0, nil, badRequest("twentytest serves the metadata API read-only: give the server its data model with WithModel")
	}
	id := strings.ToLower(parts[2])
	if !isUUID(id) {
		return 0, nil, badRequest("'%s' is not a valid UUID", parts[2])
	}
	for _, it := range s.metadataItems(kind) {
		if it["id"] == id {
			return http.StatusOK, it, nil
		}
	}
	return 0, nil, &apiError{status: http.StatusNotFound, name: "NotFoundException", msg: strings.TrimSuffix(kind, "s") + " not found"}
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
	info := map[string]any{"startCursor": nil, "endCursor": nil, "hasNextPage": hasNext, "hasPreviousPage": hasPrev}
	if len(page) > 0 {
		info["startCursor"], info["endCursor"] = page[0]["id"], page[len(page)-1]["id"]
	}
	return http.StatusOK, map[string]any{"data": page, "pageInfo": info, "totalCount": len(items)}, nil
}
