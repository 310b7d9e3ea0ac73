package twenty

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/twenty-go/twenty/api"
)

var groupFieldRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// GroupField is one dimension to group by. Granularity (DAY, WEEK, MONTH,
// QUARTER, YEAR) buckets a date field.
type GroupField struct {
	Field       string
	Granularity string
}

// GroupByOptions describe a group-by query.
type GroupByOptions struct {
	Fields []GroupField // at least one
	// Aggregates to compute per group, such as "countNotEmptyId" or
	// "sumAmountAmountMicros". Numeric aggregates come back as strings.
	Aggregates           []string
	Filter               Filter
	Limit                int // groups; 0 means the server's default
	IncludeRecordsSample bool
}

// GroupBy groups records and computes aggregates per group.
func (r *Resource[R, C, U]) GroupBy(ctx context.Context, opts GroupByOptions) ([]api.GroupByGroup, error) {
	if len(opts.Fields) == 0 {
		return nil, fmt.Errorf("%w: GroupBy needs at least one field", ErrInvalidInput)
	}
	dims := make([]map[string]any, len(opts.Fields))
	for i, f := range opts.Fields {
		if !groupFieldRE.MatchString(f.Field) {
			return nil, fmt.Errorf("%w: group field %q", ErrInvalidInput, f.Field)
		}
		var v any = true
		if f.Granularity != "" {
			v = map[string]string{"granularity": f.Granularity}
		}
		dims[i] = map[string]any{f.Field: v}
	}
	groupBy, _ := json.Marshal(dims)
	q := url.Values{"group_by": {string(groupBy)}}
	if len(opts.Aggregates) > 0 {
		agg, _ := json.Marshal(opts.Aggregates)
		q.Set("aggregate", string(agg))
	}
	f, err := filterValue(opts.Filter)
	if err != nil {
		return nil, err
	}
	if f != "" {
		q.Set("filter", f)
	}
	if opts.Limit < 0 {
		return nil, fmt.Errorf("%w: negative limit", ErrInvalidInput)
	}
	if opts.Limit > 0 {
		q.Set("limit", strconv.Itoa(opts.Limit))
	}
	if opts.IncludeRecordsSample {
		q.Set("include_records_sample", "true")
	}
	data, tmpl, err := r.send(ctx, http.MethodGet, r.path("/groupBy"), q, nil)
	if err != nil {
		return nil, err
	}
	var groups []api.GroupByGroup
	err = json.Unmarshal(data, &groups)
	if err == nil && groups == nil {
		err = errNullPayload // null, not a list of groups
	}
	if err != nil {
		return nil, unexpected(tmpl, data, err)
	}
	return groups, nil
}
