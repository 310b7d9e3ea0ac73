package twentytest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/query"
)

// objInfo is one object of the model with the lookups the handlers need,
// all derived from the model so custom objects need no code.
type objInfo struct {
	o      *model.Object
	S, P   string                  // Person, People
	fields map[string]*model.Field // non-relation fields
	fks    map[string]*model.Field // join column (companyId) -> its MANY_TO_ONE relation field
	rels   map[string]*model.Field // relation fields by name
	// inverse maps a ONE_TO_MANY field to the join column that points back
	// at this object on the target (company.people -> person.companyId).
	inverse map[string]string
}

type store struct {
	m          *model.Model
	now        func() time.Time
	objs       map[string]*objInfo // by plural
	bySingular map[string]*objInfo
	rows       map[string]map[string]map[string]any // plural -> id -> record
	// actor is who the server says wrote a record: the API key.
	actor map[string]any
	// sortCache keeps sorted, filtered lists between writes: paging through
	// a large object would otherwise sort it again for every page.
	sortCache map[string][]map[string]any
}

// touch forgets cached lists; every write path calls it first.
func (st *store) touch() { st.sortCache = nil }

// cachedSorted is sorted, memoised under key until the next write.
func (st *store) cachedSorted(key string, oi *objInfo, terms []query.OrderTerm, keep func(map[string]any) bool) []map[string]any {
	if rows, ok := st.sortCache[key]; ok {
		return rows
	}
	rows := st.sorted(oi, terms, keep)
	if st.sortCache == nil {
		st.sortCache = map[string][]map[string]any{}
	}
	st.sortCache[key] = rows
	return rows
}

func newStore(m *model.Model, now func() time.Time) *store {
	st := &store{
		m: m, now: now,
		rows: map[string]map[string]map[string]any{},
		actor: map[string]any{"source": "API", "workspaceMemberId": nil, "name": "twentytest API key",
			"context": map[string]any{}},
	}
	st.setModel(m)
	return st
}

// setModel derives the lookups from m, keeping the records of objects it
// still has (and those of objects merely hidden: rows is keyed by plural
// and only deleteObject drops an entry). Called with mu held.
func (st *store) setModel(m *model.Model) {
	st.m = m
	st.objs = map[string]*objInfo{}
	st.bySingular = map[string]*objInfo{}
	st.touch()
	for i := range m.Objects {
		o := &m.Objects[i]
		oi := &objInfo{o: o, S: upperFirst(o.NameSingular), P: upperFirst(o.NamePlural),
			fields: map[string]*model.Field{}, fks: map[string]*model.Field{},
			rels: map[string]*model.Field{}, inverse: map[string]string{}}
		for j := range o.Fields {
			f := &o.Fields[j]
			switch {
			case f.IsRelation():
				oi.rels[f.Name] = f
				if f.Relation.Type == model.ManyToOne {
					oi.fks[f.Relation.JoinColumnName] = f
				}
			default:
				oi.fields[f.Name] = f
			}
		}
		st.objs[o.NamePlural] = oi
		st.bySingular[o.NameSingular] = oi
		if st.rows[o.NamePlural] == nil {
			st.rows[o.NamePlural] = map[string]map[string]any{}
		}
	}
	for _, oi := range st.objs {
		for name, f := range oi.rels {
			if f.Relation.Type != model.OneToMany {
				continue
			}
			target := st.bySingular[f.Relation.TargetObject]
			if target == nil {
				continue
			}
			// The first MANY_TO_ONE of the target pointing back here, in
			// field order; the standard model has only one per pair.
			for _, tf := range target.o.Fields {
				if tf.IsRelation() && tf.Relation.Type == model.ManyToOne && tf.Relation.TargetObject == oi.o.NameSingular {
					oi.inverse[name] = tf.Relation.JoinColumnName
					break
				}
			}
		}
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// newUUID returns a random version-4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// tx is an undo log: writes go straight to the maps and a failed
// operation puts back what it touched, so batches are all-or-nothing.
type tx struct {
	st   *store
	undo []func()
}

func (st *store) begin() *tx {
	st.touch()
	return &tx{st: st}
}

func (t *tx) put(oi *objInfo, rec map[string]any) {
	rows := t.st.rows[oi.o.NamePlural]
	id := rec["id"].(string)
	old, had := rows[id]
	t.undo = append(t.undo, func() {
		if had {
			rows[id] = old
		} else {
			delete(rows, id)
		}
	})
	rows[id] = rec
}

func (t *tx) del(oi *objInfo, id string) {
	rows := t.st.rows[oi.o.NamePlural]
	old, had := rows[id]
	if !had {
		return
	}
	t.undo = append(t.undo, func() { rows[id] = old })
	delete(rows, id)
}

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

// write checks input against the object and returns the record to store:
// a new one when old is nil, else old with input merged in. Stored
// records are never modified in place, which is what lets tx undo work.
func (st *store) write(oi *objInfo, input map[string]any, old map[string]any, actor map[string]any) (map[string]any, *apiError) {
	name := oi.o.NameSingular
	rec := map[string]any{}
	if old != nil {
		rec = cloneValue(old).(map[string]any)
	}
	keys := make([]string, 0, len(input))
	for k := range input {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := input[k]
		if f, ok := oi.rels[k]; ok {
			if f.Relation.Type == model.OneToMany {
				return nil, badRequest("One-to-many relation \"%s\" of object %s cannot be written: set %s on the %s records instead",
					k, name, oi.inverseName(k), f.Relation.TargetObject)
			}
			return nil, badRequest("Relation field \"%s\" of object %s requires connect or disconnect operation: write %s instead",
				k, name, f.Relation.JoinColumnName)
		}
		if rf, ok := oi.fks[k]; ok {
			if v == nil {
				rec[k] = nil
				continue
			}
			s, isStr := v.(string)
			if !isStr || !isUUID(s) {
				return nil, badRequest("invalid input syntax for type uuid: %s", short(v))
			}
			s = strings.ToLower(s)
			if target := st.bySingular[rf.Relation.TargetObject]; target != nil {
				if _, exists := st.rows[target.o.NamePlural][s]; !exists {
					return nil, badRequest("insert or update on table \"%s\" violates foreign key constraint \"FK_%s_%s\"", name, name, k)
				}
			}
			rec[k] = s
			continue
		}
		f, ok := oi.fields[k]
		if !ok {
			return nil, badRequest("Object %s doesn't have any \"%s\" field.", name, k)
		}
		switch {
		case k == "id" && old != nil:
			continue // the path names the record
		case k == "updatedAt":
			continue // always the server's
		}
		stored, err := writeValue(oi, f, v, rec[k])
		if err != nil {
			return nil, err
		}
		if f.Type == model.Actor {
			continue // server-filled below; only the source is the caller's
		}
		rec[k] = stored
	}
	now := formatTime(st.now())
	if old == nil {
		for _, f := range oi.o.Fields {
			if f.IsRelation() {
				if f.Relation.Type == model.ManyToOne {
					if _, ok := rec[f.Relation.JoinColumnName]; !ok {
						rec[f.Relation.JoinColumnName] = nil
					}
				}
				continue
			}
			if _, ok := rec[f.Name]; ok {
				continue
			}
			switch {
			case f.Name == "id":
				rec["id"] = newUUID()
			case f.Name == "createdAt":
				rec["createdAt"] = now
			case f.Name == "deletedAt":
				rec["deletedAt"] = nil
			case f.Type == model.Position:
				rec[f.Name] = st.nextPosition(oi, f.Name)
			case f.Type == model.Actor:
				rec[f.Name] = cloneValue(actor)
			case f.DefaultValue != nil:
				v, err := writeValue(oi, &f, normalizeJSON(f.DefaultValue), nil)
				if err != nil {
					return nil, err
				}
				rec[f.Name] = v
			default:
				e := emptyValue(&f)
				if e == nil && !f.Nullable() && !f.IsSystem {
					return nil, badRequest("null value in column \"%s\" of relation \"%s\" violates not-null constraint", f.Name, name)
				}
				rec[f.Name] = e
			}
		}
		for _, f := range oi.o.Fields {
			if src, ok := sourceOf(input, f.Name); ok && f.Type == model.Actor {
				rec[f.Name].(map[string]any)["source"] = src
			}
		}
	} else if f, ok := oi.fields["updatedBy"]; ok && f.Type == model.Actor {
		// Newer servers record who made each change.
		upd := cloneValue(actor).(map[string]any)
		if src, ok := sourceOf(input, "updatedBy"); ok {
			upd["source"] = src
		}
		rec["updatedBy"] = upd
	}
	if _, ok := oi.fields["updatedAt"]; ok {
		rec["updatedAt"] = now
	}
	return rec, nil
}

// sourceOf returns the actor source a caller wrote, the one part of an
// actor the server lets it choose.
func sourceOf(input map[string]any, field string) (string, bool) {
	m, _ := input[field].(map[string]any)
	s, ok := m["source"].(string)
	return s, ok
}

func (oi *objInfo) inverseName(rel string) string {
	if c := oi.inverse[rel]; c != "" {
		return c
	}
	return oi.o.NameSingular + "Id"
}

// normalizeJSON round-trips a Go value (a model default) through JSON so
// numbers become json.Number like decoded bodies.
func normalizeJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	out, err := decodeJSON(b)
	if err != nil {
		return v
	}
	return out
}

func (st *store) nextPosition(oi *objInfo, field string) any {
	max := 0.0
	for _, r := range st.rows[oi.o.NamePlural] {
		if n, ok := r[field].(json.Number); ok {
			if f, err := n.Float64(); err == nil && f > max {
				max = f
			}
		}
	}
	return json.Number(fmt.Sprint(max + 1))
}

// uniqueKeys lists the (field, sub-field) pairs that must be unique,
// from the model's isUnique flags.
func (oi *objInfo) uniqueKeys() [][]string {
	var out [][]string
	for _, f := range oi.o.Fields {
		if !f.IsUnique || f.IsRelation() || f.Name == "id" {
			continue
		}
		if sub, ok := uniqueSub[f.Type]; ok {
			out = append(out, []string{f.Name, sub})
		} else {
			out = append(out, []string{f.Name})
		}
	}
	return out
}

// checkUnique refuses rec when a live record other than itself has the
// same non-empty value of a unique field. Soft-deleted rows do not count:
// Twenty's unique indexes skip them.
func (st *store) checkUnique(oi *objInfo, rec map[string]any) *apiError {
	for _, path := range oi.uniqueKeys() {
		v := query.Lookup(rec, path)
		if isEmpty(v) {
			continue
		}
		for id, other := range st.rows[oi.o.NamePlural] {
			if id == rec["id"] || other["deletedAt"] != nil {
				continue
			}
			if sameValue(query.Lookup(other, path), v) {
				return duplicateEntry(oi.o.NameSingular, "IDX_UNIQUE_"+oi.o.NameSingular+"_"+strings.Join(path, "_"))
			}
		}
	}
	return nil
}

func sameValue(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// get returns a stored record (soft-deleted ones too) or nil.
func (st *store) get(oi *objInfo, id string) map[string]any {
	return st.rows[oi.o.NamePlural][strings.ToLower(id)]
}

// sorted returns oi's records that keep returns true for, ordered by terms
// (then id).
func (st *store) sorted(oi *objInfo, terms []query.OrderTerm, keep func(map[string]any) bool) []map[string]any {
	var out, keys []map[string]any
	for _, r := range st.rows[oi.o.NamePlural] {
		if keep == nil || keep(r) {
			out = append(out, r)
			keys = append(keys, st.joined(oi, r, terms))
		}
	}
	sort.Sort(byKeys{out, keys, terms})
	return out
}

// joinedAll is joined for each record of page.
func (st *store) joinedAll(oi *objInfo, page []map[string]any, terms []query.OrderTerm) []map[string]any {
	out := make([]map[string]any, len(page))
	for i, r := range page {
		out[i] = st.joined(oi, r, terms)
	}
	return out
}

type byKeys struct {
	recs, keys []map[string]any
	terms      []query.OrderTerm
}

func (b byKeys) Len() int           { return len(b.recs) }
func (b byKeys) Less(i, j int) bool { return query.Compare(b.keys[i], b.keys[j], b.terms) < 0 }
func (b byKeys) Swap(i, j int) {
	b.recs[i], b.recs[j] = b.recs[j], b.recs[i]
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
}

// joined is rec as order_by and cursors see it: with the records of the
// MANY_TO_ONE relations that terms order by (company.name) under the
// relation's name, as the server's ordering join has them. rec itself when
// no term names a relation.
func (st *store) joined(oi *objInfo, rec map[string]any, terms []query.OrderTerm) map[string]any {
	var out map[string]any
	for _, t := range terms {
		f, ok := oi.rels[t.Path[0]]
		if !ok || len(t.Path) < 2 || f.Relation.Type != model.ManyToOne {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(rec)+1)
			for k, v := range rec {
				out[k] = v
			}
		}
		out[f.Name] = nil
		if to := st.bySingular[f.Relation.TargetObject]; to != nil {
			if id, ok := rec[f.Relation.JoinColumnName].(string); ok {
				if target := st.get(to, id); target != nil {
					out[f.Name] = target
				}
			}
		}
	}
	if out == nil {
		return rec
	}
	return out
}

// present renders a record for a response: every field of the model, and
// at depth 1 the related records.
func (st *store) present(oi *objInfo, rec map[string]any, depth int) map[string]any {
	out := map[string]any{}
	for _, f := range oi.o.Fields {
		if f.IsRelation() {
			if f.Relation.Type != model.ManyToOne {
				continue
			}
			out[f.Relation.JoinColumnName] = rec[f.Relation.JoinColumnName]
			continue
		}
		v, ok := rec[f.Name]
		if !ok {
			v = emptyValue(&f)
		}
		out[f.Name] = cloneValue(v)
	}
	if depth < 1 {
		return out
	}
	for _, f := range oi.o.Fields {
		if !f.IsRelation() {
			continue
		}
		target := st.bySingular[f.Relation.TargetObject]
		switch f.Relation.Type {
		case model.ManyToOne:
			var emb any
			if id, _ := rec[f.Relation.JoinColumnName].(string); id != "" && target != nil {
				if r := st.get(target, id); r != nil && r["deletedAt"] == nil {
					emb = st.present(target, r, 0)
				}
			}
			out[f.Name] = emb
		case model.OneToMany:
			list := []any{}
			if col := oi.inverse[f.Name]; target != nil && col != "" {
				id := rec["id"]
				for _, r := range st.sorted(target, nil, func(r map[string]any) bool {
					return r[col] == id && r["deletedAt"] == nil
				}) {
					if len(list) == maxFromRelation {
						break
					}
					list = append(list, st.present(target, r, 0))
				}
			}
			out[f.Name] = list
		}
	}
	return out
}

// maxFromRelation is QUERY_MAX_RECORDS_FROM_RELATION: how many records a
// ONE_TO_MANY embeds at depth 1.
const maxFromRelation = 60

// destroy deletes a record for good and, like the ON DELETE SET NULL of
// Twenty's foreign keys, clears the references to it.
func (st *store) destroy(t *tx, oi *objInfo, id string) {
	t.del(oi, id)
	for _, other := range st.objs {
		for col, f := range other.fks {
			if f.Relation.TargetObject != oi.o.NameSingular {
				continue
			}
			for _, r := range st.rows[other.o.NamePlural] {
				if r[col] == id {
					nr := cloneValue(r).(map[string]any)
					nr[col] = nil
					t.put(other, nr)
				}
			}
		}
	}
}

// repoint moves every reference to one of from onto to (for merges).
func (st *store) repoint(t *tx, oi *objInfo, from map[string]bool, to string) {
	for _, other := range st.objs {
		for col, f := range other.fks {
			if f.Relation.TargetObject != oi.o.NameSingular {
				continue
			}
			for _, r := range st.rows[other.o.NamePlural] {
				if id, _ := r[col].(string); from[id] {
					nr := cloneValue(r).(map[string]any)
					nr[col] = to
					t.put(other, nr)
				}
			}
		}
	}
}
