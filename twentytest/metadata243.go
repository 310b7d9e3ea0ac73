package twentytest

import (
	"strings"

	"github.com/twenty-go/twenty/internal/metamodel"
)

// WithoutRelationBlocks serves field metadata as 2.43 does
// (from-field-metadata-entity-to-field-metadata-dto.util.ts): a relation
// field has no relation block, only settings {relationType,
// joinColumnName, onDelete} and, on a morph member, the morphId its
// siblings share. A client then learns the targets from the workspace's
// OpenAPI document at /rest/open-api/core, which the fake always serves.
func WithoutRelationBlocks() Option { return func(c *config) { c.noRelationBlocks = true } }

// stripRelations rewrites a decoded object or field item in 2.43's shape.
func stripRelations(item map[string]any) {
	if fields, ok := item["fields"].([]any); ok {
		for _, f := range fields {
			if fm, ok := f.(map[string]any); ok {
				stripRelations(fm)
			}
		}
		return
	}
	rel, ok := item["relation"].(map[string]any)
	if !ok {
		return
	}
	delete(item, "relation")
	settings, _ := item["settings"].(map[string]any)
	if settings == nil {
		settings = map[string]any{}
		item["settings"] = settings
	}
	rt, _ := rel["type"].(string)
	settings["relationType"] = rt
	if rt == "MANY_TO_ONE" {
		settings["onDelete"] = "SET_NULL"
	}
	if item["type"] != "MORPH_RELATION" {
		return
	}
	// Members of one morph relation share its id: the field name less the
	// target's name (computeMorphRelationFieldName in reverse).
	target, _ := rel["targetObjectMetadata"].(map[string]any)
	suffix, _ := target["nameSingular"].(string)
	if rt == "ONE_TO_MANY" {
		suffix, _ = target["namePlural"].(string)
	}
	name, _ := item["name"].(string)
	object, _ := item["objectMetadataId"].(string)
	if suffix != "" {
		name = strings.TrimSuffix(name, strings.ToUpper(suffix[:1])+suffix[1:])
	}
	item["morphId"] = metamodel.FieldID("morph:"+object, name).String()
}
