// Package specgen writes the OpenAPI 3.0.3 description of Twenty's /rest API
// from a data model. The rules it follows are the ones the real server's own
// served spec gets wrong: named composites, honest nullability, opaque
// cursors, the envelopes the server really sends, and both error bodies.
package specgen

import (
	"strings"

	"github.com/twenty-go/twenty/internal/model"
)

// Options tune the generated document.
type Options struct {
	// Title and Version fill the info block.
	Title   string
	Version string
	// JSON writes the document as JSON instead of YAML: the same content,
	// several times faster to write and to load, for programs (the fake
	// server) that regenerate a spec on the fly.
	JSON bool
}

// Generate returns openapi.yaml for m. The same model gives the same bytes.
func Generate(m *model.Model, opts Options) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if opts.Title == "" {
		opts.Title = "Twenty REST API"
	}
	if opts.Version == "" {
		opts.Version = "1.0.0"
	}
	g := &gen{m: m, schemas: omap{}}
	doc := omap{}
	doc.set("openapi", "3.0.3")
	doc.set("info", omap{
		{"title", opts.Title},
		{"version", opts.Version},
		{"description", "Records of a Twenty CRM workspace over REST. Every path lives under /rest; the workspace is implied by the API key, sent as a bearer token."},
	})
	doc.set("servers", []any{
		omap{{"url", "https://api.twenty.com"}, {"description", "Twenty Cloud"}},
		omap{
			{"url", "{baseUrl}"},
			{"description", "A self-hosted instance, given without the trailing /rest"},
			{"variables", omap{{"baseUrl", omap{{"default", "https://twenty.example.com"}}}}},
		},
	})
	doc.set("security", []any{omap{{"bearerAuth", []any{}}}})
	var tags []any
	for _, o := range m.Objects {
		desc := o.Description
		if desc == "" {
			desc = o.LabelPlural
		}
		// x-twenty-object lets tools (the accessor generator) find each
		// object's names without guessing them from operationIds.
		names := omap{{"nameSingular", o.NameSingular}, {"namePlural", o.NamePlural}}
		if o.Deprecated != "" {
			desc += " Deprecated: " + o.Deprecated + "."
			names.set("deprecated", o.Deprecated)
		}
		tags = append(tags, omap{{"name", o.NamePlural}, {"description", desc}, {"x-twenty-object", names}})
	}
	tags = append(tags, omap{{"name", "metadata"}, {"description", "The workspace's data model (objects and their fields) and its webhooks."}})
	doc.set("tags", tags)

	paths := omap{}
	for i := range m.Objects {
		g.objectPaths(&paths, &m.Objects[i])
	}
	g.metadataPaths(&paths)
	doc.set("paths", paths)

	g.sharedSchemas()
	for i := range m.Objects {
		g.objectSchemas(&m.Objects[i])
	}
	g.metadataSchemas()
	params := parameters()
	metadataParameters(&params)
	doc.set("components", omap{
		{"securitySchemes", omap{{"bearerAuth", omap{
			{"type", "http"},
			{"scheme", "bearer"},
			{"bearerFormat", "JWT"},
			{"description", "An API key from Settings > APIs & Webhooks, sent as `Authorization: Bearer <key>`."},
		}}}},
		{"parameters", params},
		{"responses", errorResponses()},
		{"schemas", g.schemas},
	})
	if opts.JSON {
		return marshalJSON(doc)
	}
	return marshal(doc)
}

type gen struct {
	m       *model.Model
	schemas omap
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func ref(kind, name string) omap { return omap{{"$ref", "#/components/" + kind + "/" + name}} }
func schemaRef(name string) omap { return ref("schemas", name) }

// names holds every identifier derived from one object, so paths and
// schemas agree on them.
type names struct {
	o              *model.Object
	S, P           string // Person, People
	create, update string
	response       string
}

func namesOf(o *model.Object) names {
	S, P := upperFirst(o.NameSingular), upperFirst(o.NamePlural)
	return names{o: o, S: S, P: P, create: S, update: S + "ForUpdate", response: S + "ForResponse"}
}

// --- paths -------------------------------------------------------------------

func (g *gen) objectPaths(paths *omap, o *model.Object) {
	before := len(*paths)
	defer func() {
		if o.Deprecated == "" {
			return
		}
		for _, p := range (*paths)[before:] {
			methods := p.v.(omap)
			for i := range methods {
				op := methods[i].v.(omap)
				op.set("deprecated", true)
				op.set("x-deprecated-reason", o.Deprecated)
				methods[i].v = op
			}
		}
	}()
	n := namesOf(o)
	tags := []string{o.NamePlural}
	base := "/rest/" + o.NamePlural
	label, plural := strings.ToLower(o.LabelSingular), strings.ToLower(o.LabelPlural)
	common := []string{"400", "401", "403", "429", "500"}
	withNotFound := []string{"400", "401", "403", "404", "429", "500"}

	paths.set(base, omap{
		{"get", op(tags, "findMany"+n.P, "List "+plural,
			"One page of "+plural+" matching the filter, in the requested order. Follow pageInfo.endCursor with starting_after for the next page.",
			[]string{"Limit", "Depth", "OrderBy", "Filter", "StartingAfter", "EndingBefore", "Fields", "OmitNullValues"}, nil,
			"200", "FindMany"+n.P+"Result", common)},
		{"post", op(tags, "createOne"+n.S, "Create a "+label,
			"Creates one "+label+". With upsert=true an existing record with the same id or unique field is updated instead.",
			[]string{"Depth", "Upsert"}, schemaRef(n.create),
			"201", "CreateOne"+n.S+"Result", common)},
		{"patch", op(tags, "updateMany"+n.P, "Update "+plural+" matching a filter",
			"Applies the same changes to every "+label+" the filter matches. Without a filter the server updates every record.",
			[]string{"Filter", "Depth"}, schemaRef(n.update),
			"200", "UpdateMany"+n.P+"Result", common)},
		{"delete", op(tags, "deleteMany"+n.P, "Delete "+plural+" matching a filter",
			"Permanently deletes every "+label+" the filter matches, or soft-deletes them with soft_delete=true. The filter is mandatory.",
			[]string{"Filter", "SoftDelete"}, nil,
			"200", "DeleteMany"+n.P+"Result", common)},
	})
	paths.set(base+"/{id}", omap{
		{"get", op(tags, "findOne"+n.S, "Get a "+label, "One "+label+" by id. Soft-deleted records are not found.",
			[]string{"Id", "Depth", "Fields", "OmitNullValues"}, nil, "200", "FindOne"+n.S+"Result", withNotFound)},
		{"patch", op(tags, "updateOne"+n.S, "Update a "+label, "Changes the fields present in the body and leaves the others alone.",
			[]string{"Id", "Depth"}, schemaRef(n.update), "200", "UpdateOne"+n.S+"Result", withNotFound)},
		{"delete", op(tags, "deleteOne"+n.S, "Delete a "+label,
			"Permanently deletes the "+label+" unless soft_delete=true, which only sets deletedAt so it can be restored.",
			[]string{"Id", "SoftDelete"}, nil, "200", "DeleteOne"+n.S+"Result", withNotFound)},
	})
	paths.set("/rest/batch/"+o.NamePlural, omap{
		{"post", op(tags, "createMany"+n.P, "Create "+plural+" in one request",
			"Creates several "+plural+" at once, all or nothing. The server caps the number of records per request.",
			[]string{"Depth", "Upsert"}, omap{{"type", "array"}, {"items", schemaRef(n.create)}},
			"201", "CreateMany"+n.P+"Result", common)},
	})
	paths.set(base+"/duplicates", omap{
		{"post", op(tags, "find"+n.S+"Duplicates", "Find duplicate "+plural,
			"Looks for existing "+plural+" that duplicate the given ids or the given record data.",
			[]string{"Depth"}, schemaRef("Find"+n.S+"DuplicatesInput"), "200", "Find"+n.S+"DuplicatesResult", common)},
	})
	paths.set(base+"/merge", omap{
		{"patch", op(tags, "mergeMany"+n.P, "Merge "+plural,
			"Merges up to nine "+plural+" into one; conflicts are resolved from the record at conflictPriorityIndex. The others are deleted unless dryRun is set.",
			[]string{"Depth"}, schemaRef("MergeInput"), "200", "MergeMany"+n.P+"Result", withNotFound)},
	})
	paths.set(base+"/groupBy", omap{
		{"get", op(tags, "groupBy"+n.P, "Group "+plural,
			"Groups "+plural+" by one or more fields and returns aggregates per group.",
			[]string{"GroupBy", "Aggregate", "Filter", "OrderBy", "OrderByForRecords", "IncludeRecordsSample", "ViewId", "GroupLimit"}, nil,
			"200", "GroupByResult", common)},
	})
	paths.set(base+"/restore", omap{
		{"patch", op(tags, "restoreMany"+n.P, "Restore soft-deleted "+plural,
			"Clears deletedAt on every soft-deleted "+label+" the filter matches.",
			[]string{"Filter", "Depth"}, nil, "200", "RestoreMany"+n.P+"Result", common)},
	})
	paths.set(base+"/{id}/restore", omap{
		{"patch", op(tags, "restoreOne"+n.S, "Restore a soft-deleted "+label, "Clears deletedAt on one soft-deleted "+label+".",
			[]string{"Id", "Depth"}, nil, "200", "RestoreOne"+n.S+"Result", withNotFound)},
	})
	if o.NameSingular == dashboard {
		// The one object-specific route: the server's DashboardController,
		// beside the generic record routes.
		paths.set(base+"/{id}/duplicate", omap{
			{"post", op(tags, "duplicateDashboard", "Copy a dashboard",
				"Copies the dashboard and its page layout. The copy's title gets a \"(Copy)\" suffix; the answer is the new dashboard, not wrapped in data.",
				[]string{"Id"}, nil, "201", "DuplicatedDashboard", withNotFound)},
		})
	}
}

const dashboard = "dashboard"

func op(tags []string, id, summary, desc string, params []string, body omap, okStatus, okSchema string, errs []string) omap {
	o := omap{
		{"operationId", id},
		{"summary", summary},
		{"description", desc},
		{"tags", tags},
	}
	if len(params) > 0 {
		var ps []any
		for _, p := range params {
			ps = append(ps, ref("parameters", p))
		}
		o.set("parameters", ps)
	}
	if body != nil {
		o.set("requestBody", omap{
			{"required", true},
			{"content", omap{{"application/json", omap{{"schema", body}}}}},
		})
	}
	okDesc := "Success"
	if okStatus == "201" {
		okDesc = "Created"
	}
	responses := omap{{okStatus, omap{
		{"description", okDesc},
		{"content", omap{{"application/json", omap{{"schema", schemaRef(okSchema)}}}}},
	}}}
	for _, e := range errs {
		responses.set(e, ref("responses", errorResponseNames[e]))
	}
	o.set("responses", responses)
	return o
}

// --- parameters and error responses -------------------------------------------

func queryParam(name, desc string, schema omap) omap {
	return omap{{"name", name}, {"in", "query"}, {"required", false}, {"description", desc}, {"schema", schema}}
}

func parameters() omap {
	str := func() omap { return omap{{"type", "string"}} }
	return omap{
		{"Id", omap{{"name", "id"}, {"in", "path"}, {"required", true}, {"description", "The record's id."},
			{"schema", omap{{"type", "string"}, {"format", "uuid"}}}}},
		{"Limit", queryParam("limit", "Records per page. The server silently reduces larger values to 200.",
			omap{{"type", "integer"}, {"minimum", 0}, {"maximum", 200}, {"default", 60}})},
		{"Depth", queryParam("depth", "0 returns the record's own fields and foreign-key ids; 1 also embeds related records one level deep.",
			omap{{"type", "integer"}, {"minimum", 0}, {"maximum", 1}, {"default", 0}})},
		{"OrderBy", queryParam("order_by", "Comma-separated `field[Direction]` terms; Direction is AscNullsFirst (default), AscNullsLast, DescNullsFirst or DescNullsLast. The id is always the final tie-breaker.", str())},
		{"Filter", queryParam("filter", "Conditions such as `name.firstName[eq]:Ada`, joined by commas (and) or wrapped in and(...), or(...), not(...). Soft-deleted records are hidden unless the filter mentions deletedAt.", str())},
		{"StartingAfter", queryParam("starting_after", "Opaque cursor: return the records after it (pageInfo.endCursor of the previous page).", str())},
		{"EndingBefore", queryParam("ending_before", "Opaque cursor: return the records before it, paging backwards. Not allowed with starting_after.", str())},
		{"Fields", queryParam("fields", "Comma-separated fields to return, such as `name,emails`; the id always comes back. Newer servers only (older ones return every field); an unknown field is refused.", str())},
		{"OmitNullValues", queryParam("omit_null_values", "Leave out fields whose value is null. Newer servers only.", omap{{"type", "boolean"}, {"default", false}})},
		{"Upsert", queryParam("upsert", "Update the record that has the same id or unique field instead of failing; soft-deleted matches are restored.",
			omap{{"type", "boolean"}, {"default", false}})},
		{"SoftDelete", queryParam("soft_delete", "Only set deletedAt instead of deleting permanently. The server's default is a permanent delete.",
			omap{{"type", "boolean"}, {"default", false}})},
		{"GroupBy", omap{{"name", "group_by"}, {"in", "query"}, {"required", true},
			{"description", "JSON array of the fields to group by, such as `[{\"stage\":true}]` or `[{\"createdAt\":{\"granularity\":\"MONTH\"}}]`."},
			{"schema", str()}}},
		{"Aggregate", queryParam("aggregate", "JSON array of aggregates to compute per group, such as `[\"countNotEmptyId\"]`.", str())},
		{"OrderByForRecords", queryParam("order_by_for_records", "Order of the sample records inside each group, as order_by.", str())},
		{"IncludeRecordsSample", queryParam("include_records_sample", "Include a sample of each group's records.", omap{{"type", "boolean"}, {"default", false}})},
		{"ViewId", queryParam("viewId", "Apply the filters of this saved view (the server reads viewId, not view_id).", omap{{"type", "string"}, {"format", "uuid"}})},
		{"GroupLimit", queryParam("limit", "Maximum number of groups.", omap{{"type", "integer"}, {"minimum", 0}, {"default", 50}})},
	}
}

var errorResponseNames = map[string]string{
	"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden",
	"404": "NotFound", "429": "TooManyRequests", "500": "InternalServerError",
}

func errorResponses() omap {
	body := omap{{"application/json", omap{{"schema", schemaRef("ErrorBody")}}}}
	resp := func(desc string) omap { return omap{{"description", desc}, {"content", body}} }
	return omap{
		{"BadRequest", resp("The request was refused: a malformed parameter, id, filter or body, an unknown object or field, or a constraint the data would break.")},
		{"Unauthorized", resp("The API key is invalid or has expired.")},
		{"Forbidden", resp("No API key was sent, the key was revoked, or its role may not do this.")},
		{"NotFound", resp("No record has this id.")},
		{"TooManyRequests", omap{
			{"description", "The workspace's request budget is spent. Newer servers say when to retry."},
			{"headers", omap{
				{"Retry-After", omap{{"description", "Seconds to wait before retrying."}, {"schema", omap{{"type", "integer"}}}}},
				{"X-RateLimit-Limit", omap{{"description", "Requests allowed per window."}, {"schema", omap{{"type", "integer"}}}}},
				{"X-RateLimit-Remaining", omap{{"description", "Requests left in the current window."}, {"schema", omap{{"type", "integer"}}}}},
			}},
			{"content", body},
		}},
		{"InternalServerError", resp("The server failed.")},
	}
}
