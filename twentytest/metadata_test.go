package twentytest_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/internal/metamodel"
	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/twentytest"
)

func TestMetadataReadOnly(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	res, err := c.FindManyObjectsWithResponse(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode(), string(res.Body))

	// What the metadata API serves turns back into the served model.
	var objects []api.ObjectMetadata
	for _, o := range at(do(t, s, "GET", "/rest/metadata/objects", nil).body, "data").([]any) {
		var om api.ObjectMetadata
		require.NoError(t, roundTrip(o, &om))
		objects = append(objects, om)
	}
	m, err := metamodel.ToModel(objects, metamodel.Options{IncludeSystem: true})
	require.NoError(t, err)
	for _, o := range model.Standard().Objects {
		got, ok := m.Object(o.NameSingular)
		require.True(t, ok, o.NameSingular)
		assert.Len(t, got.Fields, len(o.Fields), o.NameSingular)
	}

	person := metamodel.ObjectID("person").String()
	r := do(t, s, "GET", "/rest/metadata/objects/"+person, nil)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, "people", at(r.body, "namePlural"))
	field := metamodel.FieldID("person", "emails").String()
	r = do(t, s, "GET", "/rest/metadata/fields/"+field, nil)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, "EMAILS", at(r.body, "type"))
	assert.Equal(t, 404, do(t, s, "GET", "/rest/metadata/fields/"+unknown, nil).status)
	assert.Equal(t, 400, do(t, s, "GET", "/rest/metadata/fields/nope", nil).status)
	assert.Equal(t, 400, do(t, s, "POST", "/rest/metadata/objects", map[string]any{"nameSingular": "person", "namePlural": "persons",
		"labelSingular": "Person", "labelPlural": "Persons"}).status)

	// Paging with ids as cursors, forwards and backwards.
	var seen []string
	cursor := ""
	for {
		q := url.Values{"limit": {"40"}}
		if cursor != "" {
			q.Set("starting_after", cursor)
		}
		r := list(t, s, "metadata/fields", q)
		require.Equal(t, 200, r.status, string(r.raw))
		for _, f := range at(r.body, "data").([]any) {
			seen = append(seen, at(f, "id").(string))
		}
		if at(r.body, "pageInfo", "hasNextPage") != true {
			break
		}
		cursor = at(r.body, "pageInfo", "endCursor").(string)
	}
	total := 0
	for _, o := range model.Standard().Objects {
		total += len(o.Fields)
	}
	assert.Len(t, seen, total)
	r = list(t, s, "metadata/fields", url.Values{"limit": {"2"}, "ending_before": {seen[5]}})
	require.Equal(t, 200, r.status)
	assert.Equal(t, seen[3], at(r.body, "data", 0, "id"))
	assert.Equal(t, true, at(r.body, "pageInfo", "hasPreviousPage"))
	assert.Equal(t, 1, s.RequestsFor("findOneObject"))
}

func rootClient(t *testing.T, s *twentytest.Server) *twenty.Client {
	t.Helper()
	c, err := twenty.NewClient(twenty.WithAPIKey(s.APIKey()), twenty.WithBaseURL(s.URL()))
	require.NoError(t, err)
	return c
}

// Both envelopes, for objects, fields and webhooks, through the root
// client, the generated client and raw requests. Every exchange is also
// checked against openapi.yaml by the server itself.
func TestMetadataEnvelopes(t *testing.T) {
	t.Parallel()
	for _, format := range []twentytest.MetadataFormat{twentytest.MetadataUnified, twentytest.MetadataLegacy} {
		t.Run(format.String(), func(t *testing.T) {
			t.Parallel()
			legacy := format == twentytest.MetadataLegacy
			s := twentytest.NewServer(t, twentytest.WithMetadataFormat(format))
			meta := rootClient(t, s).Metadata()
			gen := client(t, s)
			person := metamodel.ObjectID("person").String()
			emails := metamodel.FieldID("person", "emails").String()

			// The root client reads either envelope.
			objects, err := meta.ListObjects(ctx)
			require.NoError(t, err)
			assert.Len(t, objects, len(model.Standard().Objects))
			o, err := meta.GetObject(ctx, person)
			require.NoError(t, err)
			assert.Equal(t, "people", o.NamePlural)
			assert.NotEmpty(t, o.Fields)
			f, err := meta.GetField(ctx, emails)
			require.NoError(t, err)
			assert.Equal(t, "EMAILS", f.Type)
			fields, err := meta.ListFields(ctx)
			require.NoError(t, err)
			total := 0
			for _, o := range model.Standard().Objects {
				total += len(o.Fields)
			}
			assert.Len(t, fields, total)

			secret := "s3cret"
			w, err := meta.CreateWebhook(ctx, api.CreateWebhookInput{TargetURL: "http://127.0.0.1:1/hook",
				Operations: []string{"person.*"}, Secret: &secret})
			require.NoError(t, err)
			assert.Equal(t, "http://127.0.0.1:1/hook", w.TargetURL)
			assert.Equal(t, []string{"person.*"}, w.Operations)
			require.NotNil(t, w.Secret)
			assert.Equal(t, secret, *w.Secret)
			got, err := meta.GetWebhook(ctx, w.ID.String())
			require.NoError(t, err)
			assert.Equal(t, w.ID, got.ID)
			desc := "CRM sync"
			up, err := meta.UpdateWebhook(ctx, w.ID.String(), api.UpdateWebhookInput{Description: &desc,
				Operations: []string{"*.created"}})
			require.NoError(t, err)
			assert.Equal(t, []string{"*.created"}, up.Operations)
			require.NotNil(t, up.Description)
			assert.Equal(t, desc, *up.Description)
			hooks, err := meta.ListWebhooks(ctx)
			require.NoError(t, err)
			require.Len(t, hooks, 1)
			assert.Equal(t, w.ID, hooks[0].ID)
			require.NoError(t, meta.DeleteWebhook(ctx, w.ID.String()))
			hooks, err = meta.ListWebhooks(ctx)
			require.NoError(t, err)
			assert.Empty(t, hooks)
			var apiErr *twenty.APIError
			require.ErrorAs(t, meta.DeleteWebhook(ctx, w.ID.String()), &apiErr)
			assert.Equal(t, 404, apiErr.StatusCode)

			// The generated client decodes the oneOf; the variant that
			// fits is the server's envelope.
			lo, err := gen.FindManyObjectsWithResponse(ctx, nil)
			require.NoError(t, err)
			require.Equal(t, 200, lo.StatusCode(), string(lo.Body))
			if legacy {
				v, err := lo.JSON200.AsFindManyObjectsLegacy()
				require.NoError(t, err)
				assert.Len(t, v.Data.Objects, len(model.Standard().Objects))
				assert.Equal(t, len(model.Standard().Objects), *v.TotalCount)
			} else {
				v, err := lo.JSON200.AsFindManyObjectsUnified()
				require.NoError(t, err)
				assert.Len(t, v.Data, len(model.Standard().Objects))
			}
			oo, err := gen.FindOneObjectWithResponse(ctx, metamodel.ObjectID("person"))
			require.NoError(t, err)
			require.Equal(t, 200, oo.StatusCode(), string(oo.Body))
			if legacy {
				v, err := oo.JSON200.AsFindOneObjectLegacy()
				require.NoError(t, err)
				assert.Equal(t, "person", v.Data.Object.NameSingular)
			} else {
				v, err := oo.JSON200.AsObjectMetadata()
				require.NoError(t, err)
				assert.Equal(t, "person", v.NameSingular)
			}
			lf, err := gen.FindManyFieldsWithResponse(ctx, &api.FindManyFieldsParams{Limit: ptr(3)})
			require.NoError(t, err)
			require.Equal(t, 200, lf.StatusCode(), string(lf.Body))
			if legacy {
				v, err := lf.JSON200.AsFindManyFieldsLegacy()
				require.NoError(t, err)
				assert.Len(t, v.Data.Fields, 3)
				assert.True(t, *v.PageInfo.HasNextPage)
			} else {
				v, err := lf.JSON200.AsFindManyFieldsUnified()
				require.NoError(t, err)
				assert.Len(t, v.Data, 3)
			}

			cw, err := gen.CreateOneWebhookWithResponse(ctx, api.CreateWebhookInput{TargetURL: "http://localhost:1/a"})
			require.NoError(t, err)
			require.Equal(t, 201, cw.StatusCode(), string(cw.Body))
			var hook api.Webhook
			if legacy {
				v, err := cw.JSON201.AsCreateOneWebhookLegacy()
				require.NoError(t, err)
				hook = v.Data.CreateOneWebhook
			} else {
				hook, err = cw.JSON201.AsWebhook()
				require.NoError(t, err)
			}
			assert.Equal(t, []string{"*.*"}, hook.Operations, "the server's default")
			assert.Nil(t, hook.Secret)
			uw, err := gen.UpdateOneWebhookWithResponse(ctx, hook.ID, api.UpdateWebhookInput{TargetURL: ptr("http://localhost:2/b")})
			require.NoError(t, err)
			require.Equal(t, 200, uw.StatusCode(), string(uw.Body))
			if legacy {
				v, err := uw.JSON200.AsUpdateOneWebhookLegacy()
				require.NoError(t, err)
				assert.Equal(t, "http://localhost:2/b", v.Data.UpdateOneWebhook.TargetURL)
			} else {
				v, err := uw.JSON200.AsWebhook()
				require.NoError(t, err)
				assert.Equal(t, "http://localhost:2/b", v.TargetURL)
			}
			lw, err := gen.FindManyWebhooksWithResponse(ctx, nil)
			require.NoError(t, err)
			require.Equal(t, 200, lw.StatusCode(), string(lw.Body))
			dw, err := gen.DeleteOneWebhookWithResponse(ctx, hook.ID)
			require.NoError(t, err)
			require.Equal(t, 200, dw.StatusCode(), string(dw.Body))
			if legacy {
				v, err := dw.JSON200.AsDeleteOneWebhookLegacy()
				require.NoError(t, err)
				assert.Equal(t, hook.ID, v.Data.DeleteOneWebhook.ID)
			} else {
				v, err := dw.JSON200.AsMetadataDeleted()
				require.NoError(t, err)
				assert.Equal(t, hook.ID, v.ID)
			}

			// The exact shapes on the wire.
			id := s.AddWebhook("http://127.0.0.1:1/raw", nil, "")
			shapes := []struct {
				method, path string
				body         any
				status       int
				legacyKey    string // under data in the legacy envelope
			}{
				{"GET", "/rest/metadata/objects?limit=2", nil, 200, "objects"},
				{"GET", "/rest/metadata/fields?limit=2", nil, 200, "fields"},
				{"GET", "/rest/metadata/webhooks", nil, 200, "webhooks"},
				{"GET", "/rest/metadata/objects/" + person, nil, 200, "object"},
				{"GET", "/rest/metadata/fields/" + emails, nil, 200, "field"},
				{"GET", "/rest/metadata/webhooks/" + id, nil, 200, "webhook"},
				{"PATCH", "/rest/metadata/webhooks/" + id, map[string]any{"secret": "x"}, 200, "updateOneWebhook"},
				{"POST", "/rest/metadata/webhooks", map[string]any{"targetUrl": "http://[::1]:1/"}, 201, "createOneWebhook"},
				{"DELETE", "/rest/metadata/webhooks/" + id, nil, 200, "deleteOneWebhook"},
			}
			for _, c := range shapes {
				r := do(t, s, c.method, c.path, c.body)
				require.Equal(t, c.status, r.status, "%s %s: %s", c.method, c.path, r.raw)
				isList := strings.HasSuffix(c.legacyKey, "s")
				switch {
				case legacy:
					require.Len(t, at(r.body, "data"), 1, "%s %s", c.method, c.path)
					payload := at(r.body, "data", c.legacyKey)
					require.NotNil(t, payload, "%s %s: %s", c.method, c.path, r.raw)
					if isList {
						assert.IsType(t, []any{}, payload)
					} else {
						assert.NotEmpty(t, at(payload, "id"))
					}
				case isList:
					assert.IsType(t, []any{}, at(r.body, "data"), "%s %s", c.method, c.path)
				default:
					assert.Nil(t, at(r.body, "data"))
					assert.NotEmpty(t, at(r.body, "id"), "%s %s", c.method, c.path)
				}
				if isList {
					assert.NotNil(t, at(r.body, "pageInfo"))
					assert.NotNil(t, at(r.body, "totalCount"))
				}
			}
			// The data model is writable in both envelopes (metawrite_test.go).
			r := do(t, s, "PATCH", "/rest/metadata/objects/"+person, map[string]any{"labelPlural": "Humans"})
			require.Equal(t, 200, r.status, string(r.raw))
			if legacy {
				assert.Equal(t, "Humans", at(r.body, "data", "updateOneObject", "labelPlural"))
			} else {
				assert.Equal(t, "Humans", at(r.body, "labelPlural"))
			}
			assert.Empty(t, s.Violations())
		})
	}
}
