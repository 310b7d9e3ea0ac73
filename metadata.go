package twenty

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/twenty-go/twenty/api"
)

// Metadata reads and changes the workspace's data model: its objects and
// their fields. Servers answer in a legacy envelope or a newer one
// depending on their version and flags; both are read transparently.
type Metadata struct{ c *Client }

// Metadata returns the data-model operations.
func (c *Client) Metadata() *Metadata { return &Metadata{c: c} }

// metadataPageSize is the page size used to read whole lists.
const metadataPageSize = 200

// ListObjects returns every object of the data model, fields inline.
func (m *Metadata) ListObjects(ctx context.Context) ([]api.ObjectMetadata, error) {
	return listMetadata[api.ObjectMetadata](ctx, m, "objects", func(o api.ObjectMetadata) string { return o.ID.String() })
}

// ListFields returns every field of every object.
func (m *Metadata) ListFields(ctx context.Context) ([]api.FieldMetadata, error) {
	return listMetadata[api.FieldMetadata](ctx, m, "fields", func(f api.FieldMetadata) string { return f.ID.String() })
}

// GetObject returns one object by id.
func (m *Metadata) GetObject(ctx context.Context, id string) (api.ObjectMetadata, error) {
	return metadataItem[api.ObjectMetadata](ctx, m, http.MethodGet, "objects", id, nil)
}

// GetField returns one field by id.
func (m *Metadata) GetField(ctx context.Context, id string) (api.FieldMetadata, error) {
	return metadataItem[api.FieldMetadata](ctx, m, http.MethodGet, "fields", id, nil)
}

// CreateObject adds a custom object.
func (m *Metadata) CreateObject(ctx context.Context, in api.CreateObjectInput) (api.ObjectMetadata, error) {
	return metadataItem[api.ObjectMetadata](ctx, m, http.MethodPost, "objects", "", in)
}

// UpdateObject changes an object.
func (m *Metadata) UpdateObject(ctx context.Context, id string, in api.UpdateObjectInput) (api.ObjectMetadata, error) {
	return metadataItem[api.ObjectMetadata](ctx, m, http.MethodPatch, "objects", id, in)
}

// DeleteObject removes a custom object.
func (m *Metadata) DeleteObject(ctx context.Context, id string) error {
	_, err := metadataItem[api.MetadataDeleted](ctx, m, http.MethodDelete, "objects", id, nil)
	return err
}

// CreateField adds a field to an object.
func (m *Metadata) CreateField(ctx context.Context, in api.CreateFieldInput) (api.FieldMetadata, error) {
	return metadataItem[api.FieldMetadata](ctx, m, http.MethodPost, "fields", "", in)
}

// UpdateField changes a field.
func (m *Metadata) UpdateField(ctx context.Context, id string, in api.UpdateFieldInput) (api.FieldMetadata, error) {
	return metadataItem[api.FieldMetadata](ctx, m, http.MethodPatch, "fields", id, in)
}

// DeleteField removes a custom field.
func (m *Metadata) DeleteField(ctx context.Context, id string) error {
	_, err := metadataItem[api.MetadataDeleted](ctx, m, http.MethodDelete, "fields", id, nil)
	return err
}

func (m *Metadata) send(ctx context.Context, method, path string, q url.Values, body any) ([]byte, call, error) {
	r := &Resource[json.RawMessage, json.RawMessage, json.RawMessage]{c: m.c}
	return r.send(ctx, method, path, q, body)
}

// listMetadata reads every page of a metadata list in either envelope:
// {"data":{"objects":[...]}} or {"data":[...]}.
func listMetadata[T any](ctx context.Context, m *Metadata, kind string, idOf func(T) string) ([]T, error) {
	var all []T
	cursor := ""
	for {
		q := url.Values{"limit": {strconv.Itoa(metadataPageSize)}}
		if cursor != "" {
			q.Set("starting_after", cursor)
		}
		data, tmpl, err := m.send(ctx, http.MethodGet, "/rest/metadata/"+kind, q, nil)
		if err != nil {
			return nil, err
		}
		var env struct {
			Data     json.RawMessage `json:"data"`
			PageInfo *struct {
				HasNextPage bool    `json:"hasNextPage"`
				EndCursor   *string `json:"endCursor"`
			} `json:"pageInfo"`
		}
		if err := json.Unmarshal(data, &env); err != nil {
			return nil, unexpected(tmpl, data, err)
		}
		var items []T
		if err := json.Unmarshal(env.Data, &items); err != nil {
			var legacy map[string]json.RawMessage
			if json.Unmarshal(env.Data, &legacy) != nil || legacy[kind] == nil {
				return nil, unexpected(tmpl, data, fmt.Errorf("no %s list in data", kind))
			}
			if err := json.Unmarshal(legacy[kind], &items); err != nil {
				return nil, unexpected(tmpl, data, err)
			}
		}
		all = append(all, items...)
		if env.PageInfo == nil || !env.PageInfo.HasNextPage || len(items) == 0 {
			return all, nil
		}
		next := idOf(items[len(items)-1])
		if env.PageInfo.EndCursor != nil && *env.PageInfo.EndCursor != "" {
			next = *env.PageInfo.EndCursor
		}
		if next == cursor {
			return nil, fmt.Errorf("%w: the server returned the same cursor twice", ErrUnexpected)
		}
		cursor = next
	}
}

// metadataItem sends a request answered by one item: bare (newer servers)
// or as {"data":{"<operation>":{...}}} (legacy).
func metadataItem[T any](ctx context.Context, m *Metadata, method, kind, id string, body any) (T, error) {
	var zero T
	path := "/rest/metadata/" + kind
	if id != "" {
		if err := checkID(id); err != nil {
			return zero, err
		}
		path += "/" + id
	}
	data, tmpl, err := m.send(ctx, method, path, nil, body)
	if err != nil {
		return zero, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return zero, unexpected(tmpl, data, err)
	}
	payload := json.RawMessage(data)
	if _, bare := top["id"]; !bare && top["data"] != nil {
		var inner map[string]json.RawMessage
		if err := json.Unmarshal(top["data"], &inner); err != nil || len(inner) != 1 {
			return zero, unexpected(tmpl, data, fmt.Errorf("legacy envelope without exactly one item"))
		}
		for _, v := range inner {
			payload = v
		}
	}
	var out T
	if err := json.Unmarshal(payload, &out); err != nil {
		return zero, unexpected(tmpl, data, err)
	}
	return out, nil
}

// ListWebhooks returns the workspace's webhooks.
func (m *Metadata) ListWebhooks(ctx context.Context) ([]api.Webhook, error) {
	return listMetadata[api.Webhook](ctx, m, "webhooks", func(w api.Webhook) string { return w.ID.String() })
}

// GetWebhook returns one webhook by id.
func (m *Metadata) GetWebhook(ctx context.Context, id string) (api.Webhook, error) {
	return metadataItem[api.Webhook](ctx, m, http.MethodGet, "webhooks", id, nil)
}

// CreateWebhook registers a URL for record events; set Secret to have the
// deliveries signed (see package webhook).
func (m *Metadata) CreateWebhook(ctx context.Context, in api.CreateWebhookInput) (api.Webhook, error) {
	return metadataItem[api.Webhook](ctx, m, http.MethodPost, "webhooks", "", in)
}

// UpdateWebhook changes a webhook.
func (m *Metadata) UpdateWebhook(ctx context.Context, id string, in api.UpdateWebhookInput) (api.Webhook, error) {
	return metadataItem[api.Webhook](ctx, m, http.MethodPatch, "webhooks", id, in)
}

// DeleteWebhook removes a webhook.
func (m *Metadata) DeleteWebhook(ctx context.Context, id string) error {
	_, err := metadataItem[api.MetadataDeleted](ctx, m, http.MethodDelete, "webhooks", id, nil)
	return err
}
