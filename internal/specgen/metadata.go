package specgen

// The metadata API describes the workspace's data model: its objects and
// their fields. Servers answer in one of two envelopes (a feature flag
// picks): the legacy one wraps every payload under an operation key
// ({"data":{"objects":[...]}}, {"data":{"createOneObject":{...}}}); the
// newer one puts lists straight in data and sends single items bare. Each
// response is described as a oneOf of the two, which are mutually
// exclusive, so either validates and a client can read both.

type metaKind struct {
	singular, plural string // object, objects
	S, P             string // Object, Objects
	schema           string // ObjectMetadata
	create, update   string // input schemas
}

var metaKinds = []metaKind{
	{"object", "objects", "Object", "Objects", "ObjectMetadata", "CreateObjectInput", "UpdateObjectInput"},
	{"field", "fields", "Field", "Fields", "FieldMetadata", "CreateFieldInput", "UpdateFieldInput"},
	{"webhook", "webhooks", "Webhook", "Webhooks", "Webhook", "CreateWebhookInput", "UpdateWebhookInput"},
}

func (g *gen) metadataPaths(paths *omap) {
	for _, k := range metaKinds {
		base := "/rest/metadata/" + k.plural
		tags := []string{"metadata"}
		common := []string{"400", "401", "403", "429", "500"}
		withNotFound := []string{"400", "401", "403", "404", "429", "500"}
		mop := func(id, summary, desc string, params []string, body omap, okStatus, okSchema string, errs []string) omap {
			return op(tags, id, summary, desc, params, body, okStatus, okSchema, errs)
		}
		what := k.singular + " metadata"
		if k.singular == "webhook" {
			what = "webhooks"
		}
		paths.set(base, omap{
			{"get", mop("findMany"+k.P, "List "+what,
				"The workspace's "+k.plural+", one page at a time. Cursors here are plain ids.",
				[]string{"MetadataLimit", "MetadataStartingAfter", "MetadataEndingBefore"}, nil,
				"200", "FindMany"+k.P+"Result", common)},
			{"post", mop("createOne"+k.S, "Create a "+k.singular,
				"Adds a "+k.singular+" to the workspace.", nil, schemaRef(k.create),
				"201", "CreateOne"+k.S+"Result", common)},
		})
		paths.set(base+"/{id}", omap{
			{"get", mop("findOne"+k.S, "Get a "+k.singular, "One "+k.singular+" by id.",
				[]string{"Id"}, nil, "200", "FindOne"+k.S+"Result", withNotFound)},
			{"patch", mop("updateOne"+k.S, "Update a "+k.singular, "Changes the properties present in the body.",
				[]string{"Id"}, schemaRef(k.update), "200", "UpdateOne"+k.S+"Result", withNotFound)},
			{"delete", mop("deleteOne"+k.S, "Delete a "+k.singular, "Removes a "+k.singular+" from the workspace.",
				[]string{"Id"}, nil, "200", "DeleteOne"+k.S+"Result", withNotFound)},
		})
	}
}

func metadataParameters(params *omap) {
	params.set("MetadataLimit", queryParam("limit", "Items per page.", omap{{"type", "integer"}, {"minimum", 0}, {"default", 1000}}))
	params.set("MetadataStartingAfter", queryParam("starting_after", "Return the items after this id.", omap{{"type", "string"}, {"format", "uuid"}}))
	params.set("MetadataEndingBefore", queryParam("ending_before", "Return the items before this id.", omap{{"type", "string"}, {"format", "uuid"}}))
}

func (g *gen) metadataSchemas() {
	s := &g.schemas
	str := func() omap { return omap{{"type", "string"}} }
	nstr := func() omap { return nullableString() }
	boolean := func() omap { return omap{{"type", "boolean"}} }
	uuid := func() omap { return omap{{"type", "string"}, {"format", "uuid"}} }
	dateTime := func() omap { return omap{{"type", "string"}, {"format", "date-time"}} }

	s.set("FieldOption", object(omap{
		{"id", nstr()},
		{"value", str()},
		{"label", nstr()},
		{"color", nstr()},
		{"position", omap{{"type", "number"}, {"nullable", true}}},
	}, kv{"description", "One choice of a SELECT or MULTI_SELECT field."}, kv{"required", []string{"value"}}))
	s.set("RelationEnd", object(omap{
		{"id", uuid()},
		{"nameSingular", str()},
		{"namePlural", str()},
		{"name", str()},
	}, kv{"description", "One end of a relation: an object (with its names) or a field (with its name)."}))
	s.set("FieldRelation", object(omap{
		{"type", omap{{"type", "string"}, {"description", "MANY_TO_ONE or ONE_TO_MANY, seen from this field."}}},
		{"sourceObjectMetadata", schemaRef("RelationEnd")},
		{"targetObjectMetadata", schemaRef("RelationEnd")},
		{"sourceFieldMetadata", schemaRef("RelationEnd")},
		{"targetFieldMetadata", schemaRef("RelationEnd")},
	}, kv{"description", "Where a RELATION field points."}, kv{"nullable", true}))
	s.set("FieldMetadata", object(omap{
		{"id", uuid()},
		{"objectMetadataId", uuid()},
		{"type", omap{{"type", "string"}, {"description", "TEXT, NUMBER, FULL_NAME, RELATION, ... (the set grows with server versions)."}}},
		{"name", str()},
		{"label", str()},
		{"description", nstr()},
		{"icon", nstr()},
		{"isCustom", boolean()},
		{"isActive", boolean()},
		{"isSystem", boolean()},
		{"isNullable", omap{{"type", "boolean"}, {"nullable", true}}},
		{"isUnique", omap{{"type", "boolean"}, {"nullable", true}}},
		{"defaultValue", omap{{"nullable", true}, {"description", "Any JSON value; strings are often quoted SQL literals such as \"'NEW'\"."}}},
		{"options", omap{{"type", "array"}, {"nullable", true}, {"items", schemaRef("FieldOption")}}},
		{"settings", omap{{"type", "object"}, {"nullable", true}, {"additionalProperties", true}}},
		{"relation", schemaRef("FieldRelation")},
		{"createdAt", dateTime()},
		{"updatedAt", dateTime()},
	}, kv{"description", "A field of an object in the data model."}, kv{"required", []string{"id", "type", "name"}}))
	s.set("ObjectMetadata", object(omap{
		{"id", uuid()},
		{"nameSingular", str()},
		{"namePlural", str()},
		{"labelSingular", str()},
		{"labelPlural", str()},
		{"description", nstr()},
		{"icon", nstr()},
		{"isCustom", boolean()},
		{"isActive", boolean()},
		{"isSystem", boolean()},
		{"isRemote", boolean()},
		{"labelIdentifierFieldMetadataId", omap{{"type", "string"}, {"format", "uuid"}, {"nullable", true}}},
		{"imageIdentifierFieldMetadataId", omap{{"type", "string"}, {"format", "uuid"}, {"nullable", true}}},
		{"fields", omap{{"type", "array"}, {"items", schemaRef("FieldMetadata")}}},
		{"createdAt", dateTime()},
		{"updatedAt", dateTime()},
	}, kv{"description", "An object of the data model, with its fields inline."}, kv{"required", []string{"id", "nameSingular", "namePlural"}}))
	s.set("MetadataPageInfo", object(omap{
		{"startCursor", nstr()},
		{"endCursor", nstr()},
		{"hasNextPage", boolean()},
		{"hasPreviousPage", boolean()},
	}, kv{"description", "Paging of a metadata list; cursors are item ids."}))
	s.set("CreateObjectInput", object(omap{
		{"nameSingular", str()},
		{"namePlural", str()},
		{"labelSingular", str()},
		{"labelPlural", str()},
		{"description", str()},
		{"icon", str()},
		{"isLabelSyncedWithName", boolean()},
	}, kv{"required", []string{"nameSingular", "namePlural", "labelSingular", "labelPlural"}}))
	s.set("UpdateObjectInput", object(omap{
		{"nameSingular", str()},
		{"namePlural", str()},
		{"labelSingular", str()},
		{"labelPlural", str()},
		{"description", str()},
		{"icon", str()},
		{"isActive", boolean()},
		{"labelIdentifierFieldMetadataId", uuid()},
	}))
	s.set("RelationCreationPayload", object(omap{
		{"type", str()},
		{"targetObjectMetadataId", uuid()},
		{"targetFieldLabel", str()},
		{"targetFieldIcon", str()},
	}, kv{"description", "For a new RELATION field: the other object and the label of the field created there."}))
	s.set("CreateFieldInput", object(omap{
		{"objectMetadataId", uuid()},
		{"type", str()},
		{"name", str()},
		{"label", str()},
		{"description", str()},
		{"icon", str()},
		{"isNullable", boolean()},
		{"isUnique", boolean()},
		{"defaultValue", omap{{"nullable", true}}},
		{"options", omap{{"type", "array"}, {"items", schemaRef("FieldOption")}}},
		{"settings", omap{{"type", "object"}, {"additionalProperties", true}}},
		{"relationCreationPayload", schemaRef("RelationCreationPayload")},
	}, kv{"required", []string{"objectMetadataId", "type", "name", "label"}}))
	s.set("UpdateFieldInput", object(omap{
		{"name", str()},
		{"label", str()},
		{"description", str()},
		{"icon", str()},
		{"isActive", boolean()},
		{"isNullable", boolean()},
		{"defaultValue", omap{{"nullable", true}}},
		{"options", omap{{"type", "array"}, {"items", schemaRef("FieldOption")}}},
		{"settings", omap{{"type", "object"}, {"additionalProperties", true}}},
	}))
	s.set("Webhook", object(omap{
		{"id", uuid()},
		{"targetUrl", str()},
		{"operations", omap{{"type", "array"}, {"items", str()}, {"description", "Events to deliver, such as person.created, person.* or *.*."}}},
		{"description", nstr()},
		{"secret", omap{{"type", "string"}, {"nullable", true}, {"description", "Signs each delivery (X-Twenty-Webhook-Signature)."}}},
		{"createdAt", dateTime()},
		{"updatedAt", dateTime()},
	}, kv{"description", "A URL that receives the workspace's record events."}, kv{"required", []string{"id", "targetUrl"}}))
	webhookInput := func() omap {
		return omap{
			{"targetUrl", str()},
			{"operations", omap{{"type", "array"}, {"items", str()}}},
			{"description", str()},
			{"secret", str()},
		}
	}
	s.set("CreateWebhookInput", object(webhookInput(), kv{"required", []string{"targetUrl"}}))
	s.set("UpdateWebhookInput", object(webhookInput()))
	s.set("MetadataDeleted", object(omap{{"id", uuid()}}, kv{"required", []string{"id"}}))

	for _, k := range metaKinds {
		// Lists: {data:{objects:[...]}} (legacy) or {data:[...]} (newer).
		s.set("FindMany"+k.P+"LegacyData", object(omap{
			{k.plural, omap{{"type", "array"}, {"items", schemaRef(k.schema)}}},
		}, kv{"required", []string{k.plural}}))
		s.set("FindMany"+k.P+"Legacy", object(omap{
			{"data", schemaRef("FindMany" + k.P + "LegacyData")},
			{"pageInfo", schemaRef("MetadataPageInfo")},
			{"totalCount", omap{{"type", "integer"}}},
		}, kv{"required", []string{"data"}}))
		s.set("FindMany"+k.P+"Unified", object(omap{
			{"data", omap{{"type", "array"}, {"items", schemaRef(k.schema)}}},
			{"pageInfo", schemaRef("MetadataPageInfo")},
			{"totalCount", omap{{"type", "integer"}}},
		}, kv{"required", []string{"data"}}))
		s.set("FindMany"+k.P+"Result", omap{
			{"description", "Either list envelope."},
			{"oneOf", []any{schemaRef("FindMany" + k.P + "Legacy"), schemaRef("FindMany" + k.P + "Unified")}},
		})
		// Single items: {data:{<key>:{...}}} (legacy) or the bare item.
		item := func(result, key, payload string) {
			s.set(result+"LegacyData", object(omap{{key, schemaRef(payload)}}, kv{"required", []string{key}}))
			s.set(result+"Legacy", object(omap{{"data", schemaRef(result + "LegacyData")}}, kv{"required", []string{"data"}}))
			s.set(result+"Result", omap{
				{"description", "The legacy envelope or the bare item."},
				{"oneOf", []any{schemaRef(result + "Legacy"), schemaRef(payload)}},
			})
		}
		item("FindOne"+k.S, k.singular, k.schema)
		item("CreateOne"+k.S, "createOne"+k.S, k.schema)
		item("UpdateOne"+k.S, "updateOne"+k.S, k.schema)
		item("DeleteOne"+k.S, "deleteOne"+k.S, "MetadataDeleted")
	}
}
