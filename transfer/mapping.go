package transfer

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrUnknownColumn reports input columns that name no field.
var ErrUnknownColumn = errors.New("transfer: unknown column")

// Column is where one input column goes.
type Column struct {
	Header string   // as in the input
	Path   []string // field, then sub-field: ["emails", "primaryEmail"]
	Field  *Field   // the field, or the sub-field for a dotted path
	// Skip marks read-only fields (createdAt, createdBy...) and, with
	// IgnoreUnknown, unknown columns: read, never sent.
	Skip bool
	// A relation column names its target by a unique value: Relation is
	// the relation field, Lookup the target's field path (such as
	// domainName.primaryLinkUrl) and LookupField that field.
	Relation    *Field
	Lookup      string
	LookupField *Field
}

// MapOptions tune NewMapping.
type MapOptions struct {
	// Rename maps input headers to field paths: {"Email": "emails.primaryEmail"}.
	Rename map[string]string
	// IgnoreUnknown skips unknown columns instead of failing.
	IgnoreUnknown bool
	// Lookups sets the target field a bare relation column is matched
	// on, by relation name: {"company": "name"}. The defaults are a
	// person's primary email, a company's domain, a workspace member's
	// email, and the name of anything else.
	Lookups map[string]string
}

// DefaultLookups are the fields a bare relation column matches, by target.
var DefaultLookups = map[string]string{
	"people":           "emails.primaryEmail",
	"companies":        "domainName.primaryLinkUrl",
	"workspaceMembers": "userEmail",
}

// Mapping turns input rows into records of one object.
type Mapping struct {
	Schema  *Schema
	Columns []*Column
	byName  map[string]*Column
}

// NewMapping maps the input's headers (CSV header cells, or JSON Lines
// keys) to fields of s. Dotted headers address sub-fields
// (name.firstName) or, under a relation, the target's field to match
// (company.name). spec gives the relation targets' schemas. Unknown
// headers are one error listing them all, each with a suggestion.
func NewMapping(spec *Spec, s *Schema, headers []string, o MapOptions) (*Mapping, error) {
	m := &Mapping{Schema: s, byName: map[string]*Column{}}
	var unknown []string
	for _, h := range headers {
		if _, dup := m.byName[h]; dup {
			return nil, fmt.Errorf("%w: column %q appears twice", ErrUnknownColumn, h)
		}
		path := h
		if r, ok := o.Rename[h]; ok {
			path = r
		}
		c, err := column(spec, s, h, strings.TrimSpace(path), o.Lookups)
		if err != nil {
			if o.IgnoreUnknown && errors.Is(err, ErrUnknownColumn) {
				c = &Column{Header: h, Skip: true}
			} else {
				unknown = append(unknown, err.Error())
				continue
			}
		}
		m.Columns = append(m.Columns, c)
		m.byName[h] = c
	}
	for from := range o.Rename {
		if !contains(headers, from) {
			unknown = append(unknown, fmt.Sprintf("--map names %q, which is not a column of the input", from))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("%w: %s (use --map to rename, --ignore-unknown to skip)", ErrUnknownColumn, strings.Join(unknown, "; "))
	}
	return m, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func column(spec *Spec, s *Schema, header, path string, lookups map[string]string) (*Column, error) {
	parts := strings.Split(path, ".")
	f := s.Fields[parts[0]]
	unknownErr := func() error {
		msg := fmt.Sprintf("%q is not a field of %s", header, s.Object)
		if sug := suggest(path, allPaths(s)); sug != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", sug)
		}
		return fmt.Errorf("%w: %s", ErrUnknownColumn, msg)
	}
	if f == nil {
		return nil, unknownErr()
	}
	c := &Column{Header: header, Path: parts, Field: f, Skip: f.ReadOnly}
	switch f.Kind {
	case KindRelation:
		lookup := strings.Join(parts[1:], ".")
		if lookup == "" {
			lookup = lookups[f.Name]
		}
		if lookup == "" {
			lookup = DefaultLookups[f.Target]
		}
		if lookup == "" {
			lookup = "name"
		}
		if lookup == "id" {
			return &Column{Header: header, Path: []string{f.IDField}, Field: s.Fields[f.IDField]}, nil
		}
		ts, err := spec.Schema(f.Target)
		if err != nil {
			return nil, err
		}
		lf := resolvePath(ts, strings.Split(lookup, "."))
		if lf == nil || lf.Kind == KindComposite || lf.Kind == KindRelation {
			return nil, fmt.Errorf("%w: %q: %s has no field %q to match %s on", ErrUnknownColumn, header, f.Target, lookup, f.Name)
		}
		c.Relation, c.Lookup, c.LookupField = f, lookup, lf
		c.Path, c.Field = []string{f.IDField}, s.Fields[f.IDField]
		return c, nil
	case KindComposite:
		if len(parts) > 2 {
			return nil, unknownErr()
		}
		if len(parts) == 2 {
			sub := f.Subs[parts[1]]
			if sub == nil {
				return nil, unknownErr()
			}
			c.Field = sub
		}
		return c, nil
	}
	if len(parts) != 1 {
		return nil, unknownErr()
	}
	return c, nil
}

func resolvePath(s *Schema, parts []string) *Field {
	f := s.Fields[parts[0]]
	if f == nil || len(parts) > 2 {
		return nil
	}
	if len(parts) == 2 {
		if f.Kind != KindComposite {
			return nil
		}
		return f.Subs[parts[1]]
	}
	return f
}

// allPaths lists every column name s accepts, for suggestions.
func allPaths(s *Schema) []string {
	var out []string
	for _, n := range s.names() {
		f := s.Fields[n]
		out = append(out, n)
		for _, sub := range subNames(f) {
			out = append(out, n+"."+sub)
		}
	}
	return out
}

// Ref is a relation value still to be resolved to an id.
type Ref struct {
	Column *Column
	Value  string
}

// Converted is one input row made into a record.
type Converted struct {
	Record map[string]any
	Refs   []Ref // relation columns, resolved by a Resolver into Record
}

// Convert makes one row into a record: values is the row by header, as
// text (CSV: fromText) or decoded JSON. Every bad value is reported,
// joined in one error.
func (m *Mapping) Convert(values map[string]any, fromText bool) (*Converted, error) {
	out := &Converted{Record: map[string]any{}}
	var errs []error
	for _, c := range m.Columns {
		v, present := values[c.Header]
		if !present || c.Skip {
			continue
		}
		if c.Relation != nil {
			if v == nil || v == "" {
				out.Record[c.Field.Name] = nil
				continue
			}
			cv, err := Convert(c.LookupField, c.Header, v, fromText)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out.Refs = append(out.Refs, Ref{Column: c, Value: Text(cv)})
			continue
		}
		cv, err := Convert(c.Field, strings.Join(c.Path, "."), v, fromText)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(c.Path) == 1 {
			if old, ok := out.Record[c.Path[0]].(map[string]any); ok && cv != nil {
				// A whole composite after some of its sub-fields: merge.
				for k, sv := range cv.(map[string]any) {
					old[k] = sv
				}
				continue
			}
			out.Record[c.Path[0]] = cv
			continue
		}
		sub, _ := out.Record[c.Path[0]].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
			out.Record[c.Path[0]] = sub
		}
		sub[c.Path[1]] = cv
	}
	return out, errors.Join(errs...)
}

// Lookup returns the value at a field path of a record.
func Lookup(rec map[string]any, path string) (any, bool) {
	head, rest, dotted := strings.Cut(path, ".")
	v, ok := rec[head]
	if !ok || !dotted {
		return v, ok
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		return nil, false
	}
	v, ok = m[rest]
	return v, ok
}

// suggest returns the candidate closest to s, if close enough to help.
func suggest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	ls := strings.ToLower(s)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := distance(ls, lc)
		if strings.HasSuffix(lc, "."+ls) || lc == ls {
			d = 1 // "primaryEmail" → "emails.primaryEmail"
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= max(2, len(s)/3) {
		return best
	}
	return ""
}

// distance is the Levenshtein distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func sortStrings(s []string) { sort.Strings(s) }
