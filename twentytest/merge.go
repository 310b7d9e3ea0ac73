package twentytest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/query"
	"github.com/twenty-go/twenty/webhook"
)

// duplicateCriteria are the field paths that make two records duplicates
// when all of them are non-empty and equal. Person and company follow their
// workspace entities; other objects use their unique fields.
func duplicateCriteria(oi *objInfo) [][][]string {
	var known [][][]string
	switch oi.o.NameSingular {
	case "person":
		known = [][][]string{
			{{"name", "firstName"}, {"name", "lastName"}},
			{{"emails", "primaryEmail"}},
			{{"linkedinLink", "primaryLinkUrl"}},
		}
	case "company":
		known = [][][]string{
			{{"name"}},
			{{"domainName", "primaryLinkUrl"}},
		}
	}
	var out [][][]string
	for _, c := range known {
		ok := true
		for _, p := range c {
			ok = ok && checkPath(oi, p) == nil
		}
		if ok {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		for _, p := range oi.uniqueKeys() {
			out = append(out, [][]string{p})
		}
	}
	return out
}

func isDuplicate(a, b map[string]any, criteria [][][]string) bool {
	for _, c := range criteria {
		all := true
		for _, p := range c {
			va, vb := query.Lookup(a, p), query.Lookup(b, p)
			if isEmpty(va) || isEmpty(vb) || !sameValue(va, vb) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func (s *Server) duplicates(rt route, q url.Values, body []byte) (int, any, *apiError) {
	oi, st := rt.oi, s.store
	depth, e := parseDepth(q)
	if e != nil {
		return 0, nil, e
	}
	in, e := decodeObject(body)
	if e != nil {
		return 0, nil, e
	}
	ids, hasIDs := in["ids"]
	recs, hasData := in["data"]
	if hasIDs && hasData {
		return 0, nil, badRequest("You cannot provide both \"data\" and \"ids\" arguments")
	}
	if !hasIDs && !hasData {
		return 0, nil, badRequest("You must provide either \"data\" or \"ids\" argument")
	}
	var probes []map[string]any
	if hasIDs {
		list, ok := ids.([]any)
		if !ok {
			return 0, nil, badRequest("\"ids\" must be an array of ids")
		}
		for _, v := range list {
			id, _ := v.(string)
			if !isUUID(id) {
				return 0, nil, badRequest("'%v' is not a valid UUID", v)
			}
			// An unknown id has no duplicates rather than failing: the
			// operation documents no 404.
			rec := st.get(oi, id)
			if rec == nil || rec["deletedAt"] != nil {
				rec = map[string]any{"id": strings.ToLower(id)}
			}
			probes = append(probes, rec)
		}
	} else {
		list, ok := recs.([]any)
		if !ok {
			return 0, nil, badRequest("\"data\" must be an array of records")
		}
		if len(list) == 0 {
			return 0, nil, badRequest("The \"data\" condition can not be empty when \"ids\" input not provided")
		}
		for _, v := range list {
			m, ok := v.(map[string]any)
			if !ok {
				return 0, nil, badRequest("A record must be a JSON object")
			}
			// Normalise as a create would (trailing slashes, defaults)
			// without storing anything.
			rec, e := st.write(oi, m, nil, st.actor)
			if e != nil {
				return 0, nil, e
			}
			if _, given := m["id"]; !given {
				rec["id"] = nil
			}
			probes = append(probes, rec)
		}
	}
	criteria := duplicateCriteria(oi)
	out := []any{}
	for _, p := range probes {
		found := st.sorted(oi, nil, func(r map[string]any) bool {
			return r["deletedAt"] == nil && r["id"] != p["id"] && isDuplicate(p, r, criteria)
		})
		list := make([]any, 0, len(found))
		for _, r := range found {
			list = append(list, st.present(oi, r, depth))
		}
		out = append(out, map[string]any{
			oi.o.NameSingular + "Duplicates": list,
			"totalCount":                     len(found),
			"pageInfo":                       pageInfo(found, nil, false, false),
		})
	}
	return http.StatusOK, map[string]any{"data": out}, nil
}

// maxMerge is MUTATION_MAX_MERGE_RECORDS.
const maxMerge = 9

func (s *Server) merge(rt route, q url.Values, body []byte) (int, any, *apiError) {
	oi, st := rt.oi, s.store
	// As rest-api-merge-many.handler.ts: depth is parsed first, and shapes
	// the merged record returned.
	depth, e := parseDepth(q)
	if e != nil {
		return 0, nil, e
	}
	in, e := decodeObject(body)
	if e != nil {
		return 0, nil, e
	}
	list, ok := in["ids"].([]any)
	if !ok || len(list) < 2 || len(list) > maxMerge {
		return 0, nil, badRequest("Merge needs between 2 and %d record ids in \"ids\"", maxMerge)
	}
	var recs []map[string]any
	seen := map[string]bool{}
	for _, v := range list {
		id, _ := v.(string)
		if !isUUID(id) {
			return 0, nil, badRequest("'%v' is not a valid UUID", v)
		}
		id = strings.ToLower(id)
		if seen[id] {
			return 0, nil, badRequest("Record %s is listed twice in \"ids\"", id)
		}
		seen[id] = true
		rec := st.get(oi, id)
		if rec == nil || rec["deletedAt"] != nil {
			return 0, nil, notFound()
		}
		recs = append(recs, rec)
	}
	n, ok := in["conflictPriorityIndex"].(json.Number)
	idx, err := n.Int64()
	if !ok || err != nil || idx < 0 || int(idx) >= len(recs) {
		return 0, nil, badRequest("conflictPriorityIndex must be an index in \"ids\" (0 to %d)", len(recs)-1)
	}
	dryRun, _ := in["dryRun"].(bool)

	priority := recs[idx]
	ordered := append([]map[string]any{priority}, append(append([]map[string]any{}, recs[:idx]...), recs[idx+1:]...)...)
	merged := mergeRecords(oi, ordered)
	merged["updatedAt"] = formatTime(s.now())
	if _, ok := oi.fields["updatedBy"]; ok {
		merged["updatedBy"] = cloneValue(st.actor)
	}
	if !dryRun {
		t := st.begin()
		others := map[string]bool{}
		for _, r := range ordered[1:] {
			others[r["id"].(string)] = true
		}
		st.repoint(t, oi, others, priority["id"].(string))
		for _, r := range ordered[1:] {
			s.destroy(t, oi, r)
		}
		t.put(oi, merged)
		if e := st.checkUnique(oi, merged); e != nil {
			t.rollback()
			return 0, nil, e
		}
		s.noteChange(oi, webhook.Updated, merged, changedFields(oi, st.present(oi, priority, 0), st.present(oi, merged, 0)))
	}
	return http.StatusOK, data("merge"+oi.S, st.present(oi, merged, depth)), nil
}

// mergeRecords keeps the first record's values and fills its empty fields
// from the others in order; emails, phones and links of the others become
// additional ones, and arrays are united.
func mergeRecords(oi *objInfo, recs []map[string]any) map[string]any {
	out := cloneValue(recs[0]).(map[string]any)
	for _, f := range oi.o.Fields {
		if f.IsSystem || f.Type == model.Actor || f.Type == model.Position {
			continue
		}
		if f.IsRelation() {
			if f.Relation.Type == model.ManyToOne {
				col := f.Relation.JoinColumnName
				out[col] = firstNonEmpty(recs, []string{col})
			}
			continue
		}
		switch f.Type {
		case model.Emails:
			out[f.Name] = mergeMulti(recs, f.Name, "primaryEmail", "additionalEmails",
				func(r map[string]any) any { return r["primaryEmail"] }, nil)
		case model.Links:
			out[f.Name] = mergeMulti(recs, f.Name, "primaryLinkUrl", "secondaryLinks",
				func(r map[string]any) any {
					return map[string]any{"url": r["primaryLinkUrl"], "label": r["primaryLinkLabel"]}
				}, []string{"primaryLinkLabel"})
		case model.Phones:
			out[f.Name] = mergeMulti(recs, f.Name, "primaryPhoneNumber", "additionalPhones",
				func(r map[string]any) any {
					return map[string]any{"number": r["primaryPhoneNumber"], "countryCode": r["primaryPhoneCountryCode"],
						"callingCode": r["primaryPhoneCallingCode"]}
				}, []string{"primaryPhoneCountryCode", "primaryPhoneCallingCode"})
		case model.Array, model.MultiSelect, model.Files:
			var all []any
			for _, r := range recs {
				arr, _ := r[f.Name].([]any)
				for _, v := range arr {
					if !containsValue(all, v) {
						all = append(all, cloneValue(v))
					}
				}
			}
			if all == nil {
				all = []any{}
			}
			out[f.Name] = all
		default:
			out[f.Name] = firstNonEmpty(recs, []string{f.Name})
		}
	}
	return out
}

func firstNonEmpty(recs []map[string]any, path []string) any {
	for _, r := range recs {
		if v := query.Lookup(r, path); !isEmpty(v) {
			return cloneValue(v)
		}
	}
	return cloneValue(query.Lookup(recs[0], path))
}

// mergeMulti merges a composite with a primary value and a list of others:
// the first non-empty primary wins (with its companion sub-fields), every
// other primary and extra goes to the list, without repeats.
func mergeMulti(recs []map[string]any, field, primary, extra string, asExtra func(map[string]any) any, companions []string) any {
	var chosen map[string]any
	for _, r := range recs {
		c, _ := r[field].(map[string]any)
		if c != nil && !isEmpty(c[primary]) {
			chosen = c
			break
		}
	}
	first, _ := recs[0][field].(map[string]any)
	if chosen == nil {
		return cloneValue(first)
	}
	out, _ := cloneValue(first).(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	out[primary] = chosen[primary]
	for _, c := range companions {
		out[c] = chosen[c]
	}
	var list []any
	add := func(v any) {
		if isEmpty(v) || containsValue(list, v) {
			return
		}
		if m, ok := v.(map[string]any); ok && sameValue(m[firstKey(m)], chosen[primary]) {
			return
		}
		if v == chosen[primary] {
			return
		}
		list = append(list, cloneValue(v))
	}
	for _, r := range recs {
		c, _ := r[field].(map[string]any)
		if c == nil {
			continue
		}
		if !isEmpty(c[primary]) {
			add(asExtra(c))
		}
		arr, _ := c[extra].([]any)
		for _, v := range arr {
			add(v)
		}
	}
	if list == nil {
		list = []any{}
	}
	out[extra] = list
	return out
}

// firstKey is the key holding the value of a link or phone item.
func firstKey(m map[string]any) string {
	if _, ok := m["url"]; ok {
		return "url"
	}
	return "number"
}

func containsValue(list []any, v any) bool {
	for _, e := range list {
		if sameValue(e, v) {
			return true
		}
	}
	return false
}
