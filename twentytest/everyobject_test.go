package twentytest_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/twentytest"
)

// minimalRecord fills what the model requires: non-nullable fields with
// no default.
func minimalRecord(o *model.Object, n int) map[string]any {
	rec := map[string]any{}
	for _, f := range o.Fields {
		if f.Nullable() || f.IsSystem || f.DefaultValue != nil || f.IsRelation() {
			continue
		}
		switch f.Type {
		case model.UUID:
			rec[f.Name] = fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
		case model.FullName:
			rec[f.Name] = map[string]any{"firstName": "First", "lastName": fmt.Sprint(n)}
		case model.Text:
			rec[f.Name] = fmt.Sprint("text ", n)
		case model.Select:
			rec[f.Name] = f.Options[0].Value
		case model.RawJSON:
			rec[f.Name] = map[string]any{"n": n}
		}
	}
	return rec
}

// All 13 operations on every object of the standard model, each exchange
// checked against openapi.yaml by the server.
func TestEveryOperationOnEveryObject(t *testing.T) {
	t.Parallel()
	m := model.Standard()
	s := twentytest.NewServer(t, twentytest.WithSeed(false))
	for i := range m.Objects {
		o := &m.Objects[i]
		t.Run(o.NamePlural, func(t *testing.T) {
			P, base := o.NamePlural, "/rest/"+o.NamePlural
			S := upper(o.NameSingular)
			r := do(t, s, "POST", base, minimalRecord(o, 1))
			require.Equal(t, 201, r.status, string(r.raw))
			id := at(r.body, "data", "create"+S, "id").(string)
			r = do(t, s, "POST", "/rest/batch/"+P, []any{minimalRecord(o, 2), minimalRecord(o, 3)})
			require.Equal(t, 201, r.status, string(r.raw))
			id2 := at(r.body, "data", "create"+upper(P), 0, "id").(string)
			id3 := at(r.body, "data", "create"+upper(P), 1, "id").(string)

			for _, q := range []string{"", "?depth=1&limit=2", "?order_by=createdAt[DescNullsLast]"} {
				r = do(t, s, "GET", base+q, nil)
				require.Equal(t, 200, r.status, string(r.raw))
			}
			r = do(t, s, "GET", base+"/"+id+"?depth=1", nil)
			require.Equal(t, 200, r.status, string(r.raw))
			r = do(t, s, "PATCH", base+"/"+id, map[string]any{})
			require.Equal(t, 200, r.status, string(r.raw))
			r = do(t, s, "PATCH", base+"?filter="+url.QueryEscape("id[in]:["+id+","+id2+"]"), map[string]any{})
			require.Equal(t, 200, r.status, string(r.raw))
			assert.Len(t, at(r.body, "data", "update"+upper(P)), 2)
			r = do(t, s, "POST", base+"/duplicates", map[string]any{"ids": []string{id}})
			require.Equal(t, 200, r.status, string(r.raw))
			r = do(t, s, "GET", base+"/groupBy?group_by="+url.QueryEscape(`[{"createdAt":{"granularity":"DAY"}}]`)+
				"&aggregate="+url.QueryEscape(`["countNotEmptyId","totalCount"]`), nil)
			require.Equal(t, 200, r.status, string(r.raw))
			r = do(t, s, "PATCH", base+"/merge", map[string]any{"ids": []string{id, id2}, "conflictPriorityIndex": 0, "dryRun": true})
			require.Equal(t, 200, r.status, string(r.raw))
			r = do(t, s, "DELETE", base+"/"+id+"?soft_delete=true", nil)
			require.Equal(t, 200, r.status, string(r.raw))
			r = do(t, s, "PATCH", base+"/"+id+"/restore", nil)
			require.Equal(t, 200, r.status, string(r.raw))
			r = do(t, s, "DELETE", base+"?soft_delete=true&filter="+url.QueryEscape("id[eq]:"+id2), nil)
			require.Equal(t, 200, r.status, string(r.raw))
			r = do(t, s, "PATCH", base+"/restore?filter="+url.QueryEscape("id[eq]:"+id2), nil)
			require.Equal(t, 200, r.status, string(r.raw))
			r = do(t, s, "PATCH", base+"/merge", map[string]any{"ids": []string{id, id2}, "conflictPriorityIndex": 1})
			require.Equal(t, 200, r.status, string(r.raw))
			r = do(t, s, "DELETE", base+"/"+id3, nil)
			require.Equal(t, 200, r.status, string(r.raw))
			r = do(t, s, "DELETE", base+"?filter="+url.QueryEscape("id[eq]:"+id2), nil)
			require.Equal(t, 200, r.status, string(r.raw))
			assert.Empty(t, s.Records(P))

			for _, op := range []string{"findMany" + upper(P), "findOne" + S, "createOne" + S, "createMany" + upper(P),
				"updateOne" + S, "updateMany" + upper(P), "deleteOne" + S, "deleteMany" + upper(P), "find" + S + "Duplicates",
				"restoreOne" + S, "restoreMany" + upper(P), "mergeMany" + upper(P), "groupBy" + upper(P)} {
				assert.Positive(t, s.RequestsFor(op), op)
			}
		})
	}
}

func upper(s string) string { return string(s[0]-'a'+'A') + s[1:] }
