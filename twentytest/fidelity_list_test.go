package twentytest_test

import (
	"net/url"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/twentytest"
)

// rest-api-core-find-many.integration-spec.ts
func TestFidelityRestAPICoreFindMany(t *testing.T) {
	t.Run("Core REST API Find Many endpoint", func(t *testing.T) {
		personIDs := []string{testPerson1ID, testPerson2ID, testPerson3ID, testPerson4ID}
		jobTitles := map[string]string{}
		s := fresh(t)
		createCompany1(t, s)
		for i, id := range personIDs {
			jobTitles[id] = recordName(id)
			expect(t, do(t, s, "POST", "/rest/people", map[string]any{
				"id": id, "jobTitle": jobTitles[id], "position": i, "companyId": testCompany1ID,
			}), 201)
		}
		people := func(r resp) []any {
			l, _ := at(r.body, "data", "people").([]any)
			return l
		}

		t.Run("should retrieve all people with pagination metadata", func(t *testing.T) {
			r := do(t, s, "GET", "/rest/people", nil)
			expect(t, r, 200)
			got := people(r)
			require.GreaterOrEqual(t, len(got), len(personIDs))
			for _, p := range got {
				id, _ := at(p, "id").(string)
				assert.Equal(t, jobTitles[id], at(p, "jobTitle"))
			}
			assert.ElementsMatch(t, personIDs, recordIDs(got))
			assert.True(t, defined(r.body["pageInfo"], "startCursor"))
			assert.True(t, defined(r.body["pageInfo"], "endCursor"))
			assert.Equal(t, float64(len(personIDs)), num(t, r.body["totalCount"]))
			assert.Equal(t, false, at(r.body, "pageInfo", "hasNextPage"))
			assert.Equal(t, false, at(r.body, "pageInfo", "hasPreviousPage"))
		})
		t.Run("should limit results based on the limit parameter", func(t *testing.T) {
			r := do(t, s, "GET", "/rest/people?limit=3", nil)
			expect(t, r, 200)
			assert.Len(t, people(r), 3)
			assert.Equal(t, float64(len(personIDs)), num(t, r.body["totalCount"]))
			assert.Equal(t, true, at(r.body, "pageInfo", "hasNextPage"))
		})
		t.Run("should return filtered totalCount", func(t *testing.T) {
			r := do(t, s, "GET", "/rest/people?filter=position[lte]:1", nil)
			expect(t, r, 200)
			assert.Len(t, people(r), 2)
			assert.Equal(t, float64(2), num(t, r.body["totalCount"]))
			assert.Equal(t, false, at(r.body, "pageInfo", "hasNextPage"))
		})
		t.Run("should filter results based on filter parameters", func(t *testing.T) {
			r := do(t, s, "GET", "/rest/people?filter=position[lt]:2", nil)
			expect(t, r, 200)
			assert.Len(t, people(r), 2)
		})
		t.Run("should support cursor-based pagination with starting_after", func(t *testing.T) {
			first := do(t, s, "GET", "/rest/people?limit=2", nil)
			expect(t, first, 200)
			require.Len(t, people(first), 2)
			start, _ := at(first.body, "pageInfo", "startCursor").(string)
			require.NotEmpty(t, start)
			next := do(t, s, "GET", "/rest/people?starting_after="+url.QueryEscape(start)+"&limit=1", nil)
			expect(t, next, 200)
			require.Len(t, people(next), 1)
			assert.Equal(t, at(people(first), 1, "id"), at(people(next), 0, "id"))
			assert.Equal(t, true, at(next.body, "pageInfo", "hasPreviousPage"))
		})
		t.Run("should support cursor-based pagination with ending_before", func(t *testing.T) {
			first := do(t, s, "GET", "/rest/people?limit=4", nil)
			expect(t, first, 200)
			require.Len(t, people(first), 4)
			end, _ := at(first.body, "pageInfo", "endCursor").(string)
			require.NotEmpty(t, end)
			prev := do(t, s, "GET", "/rest/people?ending_before="+url.QueryEscape(end)+"&limit=2", nil)
			expect(t, prev, 200)
			require.Len(t, people(prev), 2)
			assert.Equal(t, at(people(first), 1, "id"), at(people(prev), 0, "id"))
			assert.Equal(t, at(people(first), 2, "id"), at(people(prev), 1, "id"))
			assert.Equal(t, true, at(prev.body, "pageInfo", "hasNextPage"))
		})
		sortedBy := func(t *testing.T, l []any, less func(a, b any) bool) {
			t.Helper()
			assert.True(t, sort.SliceIsSorted(l, func(i, j int) bool { return less(l[i], l[j]) }), "order: %v", recordIDs(l))
		}
		position := func(p any) float64 { return num(t, at(p, "position")) }
		t.Run("should support ordering Asc of results", func(t *testing.T) {
			r := do(t, s, "GET", "/rest/people?order_by=position[AscNullsLast]", nil)
			expect(t, r, 200)
			sortedBy(t, people(r), func(a, b any) bool { return position(a) < position(b) })
		})
		t.Run("should support filtering on a relation field id", func(t *testing.T) {
			r := do(t, s, "GET", "/rest/people?filter="+url.QueryEscape(`companyId[in]:["`+testCompany1ID+`"]`), nil)
			expect(t, r, 200)
			assert.NotEmpty(t, people(r))
		})
		t.Run("should support ordering Desc of results", func(t *testing.T) {
			r := do(t, s, "GET", "/rest/people?order_by=position[DescNullsLast]", nil)
			expect(t, r, 200)
			sortedBy(t, people(r), func(a, b any) bool { return position(a) > position(b) })
		})
		t.Run("should support pagination with ordering", func(t *testing.T) {
			r := do(t, s, "GET", "/rest/people?order_by=position[DescNullsLast]&limit=2", nil)
			expect(t, r, 200)
			got := people(r)
			require.Len(t, got, 2)
			assert.Equal(t, true, at(r.body, "pageInfo", "hasNextPage"))
			last := position(got[1])
			assert.Equal(t, float64(2), last)
			end, _ := at(r.body, "pageInfo", "endCursor").(string)
			next := do(t, s, "GET", "/rest/people?order_by=position[DescNullsLast]&limit=2&starting_after="+url.QueryEscape(end), nil)
			expect(t, next, 200)
			require.Len(t, people(next), 2)
			assert.Equal(t, last-1, position(people(next)[0]))
		})
		t.Run("should handle invalid cursor gracefully", func(t *testing.T) {
			expectError(t, do(t, s, "GET", "/rest/people?starting_after=invalid-cursor", nil), 400, "BadRequestException", "Invalid cursor")
		})
		t.Run("should combine filtering, ordering, and pagination", func(t *testing.T) {
			r := do(t, s, "GET", "/rest/people?filter=position[gt]:0&order_by=jobTitle[AscNullsFirst]&limit=2", nil)
			expect(t, r, 200)
			got := people(r)
			assert.LessOrEqual(t, len(got), 2)
			assert.True(t, defined(r.body, "pageInfo"))
			sortedBy(t, got, func(a, b any) bool { return at(a, "jobTitle").(string) < at(b, "jobTitle").(string) })
		})
		t.Run("should should throw an error when trying to order by a composite field", func(t *testing.T) {
			expect(t, do(t, s, "GET", "/rest/people?order_by=name[AscNullsLast]", nil), 400)
		})
		t.Run("should support depth 0 parameter", func(t *testing.T) {
			r := do(t, s, "GET", "/rest/people?depth=0", nil)
			expect(t, r, 200)
			p := at(people(r), 0)
			require.NotNil(t, p)
			assert.True(t, defined(p, "companyId"))
			assert.False(t, defined(p, "company"))
		})
		t.Run("should support depth 1 parameter", func(t *testing.T) {
			r := do(t, s, "GET", "/rest/people?depth=1", nil)
			expect(t, r, 200)
			p := at(people(r), 0)
			require.True(t, defined(p, "company"))
			assert.Equal(t, testPrimaryLinkURLNoSl, at(p, "company", "domainName", "primaryLinkUrl"))
			assert.False(t, defined(at(p, "company"), "people"))
		})
		t.Run("should not support depth 2 parameter", func(t *testing.T) {
			expect(t, do(t, s, "GET", "/rest/people?depth=2", nil), 400)
		})
		t.Run("cursor pagination ordered by a relation field", func(t *testing.T) {
			for _, c := range []struct{ title, depth string }{
				{"should continue past the first page when depth loads the ordered relation", "1"},
				{"should continue past the first page at depth 0", "0"},
			} {
				t.Run(c.title, func(t *testing.T) {
					got := pageThrough(t, s, "/rest/people?order_by=company.name[AscNullsLast]&limit=2&depth="+c.depth, "people")
					assert.Len(t, got, len(personIDs))
					assert.ElementsMatch(t, personIDs, got)
				})
			}
		})
		t.Run("cursor pagination ordered by a nullable field", func(t *testing.T) {
			closeDates := []string{"2026-03-01T00:00:00.000Z", "2026-03-02T00:00:00.000Z", "2026-03-03T00:00:00.000Z"}
			for i, d := range closeDates {
				expect(t, do(t, s, "POST", "/rest/opportunities", map[string]any{"name": "REST dated opportunity " + string(rune('1'+i)), "closeDate": d}), 201)
			}
			for _, i := range []string{"1", "2"} {
				expect(t, do(t, s, "POST", "/rest/opportunities", map[string]any{"name": "REST undated opportunity " + i}), 201)
			}
			t.Run("should return every record when paginating with starting_after", func(t *testing.T) {
				got := pageThrough(t, s, "/rest/opportunities?order_by=closeDate[AscNullsLast]&limit=2", "opportunities")
				assert.Len(t, got, len(closeDates)+2)
				seen := map[string]bool{}
				for _, id := range got {
					seen[id] = true
				}
				assert.Len(t, seen, len(closeDates)+2)
			})
		})
	})
}

// pageThrough follows endCursor while hasNextPage, at most 10 pages, as the
// suite's loops do, and returns the ids met.
func pageThrough(t *testing.T, s *twentytest.Server, path, plural string) []string {
	t.Helper()
	var got []string
	after := ""
	for range 10 {
		p := path
		if after != "" {
			p += "&starting_after=" + url.QueryEscape(after)
		}
		r := do(t, s, "GET", p, nil)
		expect(t, r, 200)
		got = append(got, recordIDs(at(r.body, "data", plural))...)
		if at(r.body, "pageInfo", "hasNextPage") != true {
			break
		}
		after, _ = at(r.body, "pageInfo", "endCursor").(string)
	}
	return got
}

// rest-api-core-find-duplicates.integration-spec.ts
func TestFidelityRestAPICoreFindDuplicates(t *testing.T) {
	t.Run("Core REST API Find Duplicates endpoint", func(t *testing.T) {
		s := fresh(t)
		createCompany1(t, s)
		named := func(id, first, last string) map[string]any {
			return map[string]any{"id": id, "companyId": testCompany1ID, "name": map[string]any{"firstName": first, "lastName": last}}
		}
		expect(t, do(t, s, "POST", "/rest/batch/people", []any{
			named(testPerson1ID, "John", "Doe"), named(testPerson2ID, "John", "Doe"), named(testPerson3ID, "Phil", "Collins"),
		}), 201)
		byData := func(first, last string) map[string]any {
			return map[string]any{"data": []any{map[string]any{"name": map[string]any{"firstName": first, "lastName": last}}}}
		}
		dups := func(r resp) any { return at(r.body, "data", 0, "personDuplicates") }

		t.Run("should retrieve duplicates by object data", func(t *testing.T) {
			r := do(t, s, "POST", "/rest/people/duplicates", byData("John", "Doe"))
			expect(t, r, 200)
			require.Len(t, at(r.body, "data"), 1)
			assert.Equal(t, float64(2), num(t, at(r.body, "data", 0, "totalCount")))
			assert.Equal(t, []string{testPerson1ID, testPerson2ID}, recordIDs(dups(r)))
		})
		t.Run("should retrieve duplicates by ids", func(t *testing.T) {
			r := do(t, s, "POST", "/rest/people/duplicates", map[string]any{"ids": []any{testPerson1ID}})
			expect(t, r, 200)
			require.Len(t, at(r.body, "data"), 1)
			assert.Equal(t, float64(1), num(t, at(r.body, "data", 0, "totalCount")))
			assert.Equal(t, []string{testPerson2ID}, recordIDs(dups(r)))
		})
		t.Run("should not provide wrong duplicates", func(t *testing.T) {
			r := do(t, s, "POST", "/rest/people/duplicates", byData("Not", "Existing"))
			expect(t, r, 200)
			require.Len(t, at(r.body, "data"), 1)
			assert.Equal(t, float64(0), num(t, at(r.body, "data", 0, "totalCount")))
			assert.Empty(t, dups(r))
		})
		t.Run("should return 400 error when empty object data provided", func(t *testing.T) {
			expectError(t, do(t, s, "POST", "/rest/people/duplicates", map[string]any{"data": []any{}}), 400, "BadRequestException",
				`The "data" condition can not be empty when "ids" input not provided`)
		})
		t.Run("should return empty result when empty ids provided", func(t *testing.T) {
			r := do(t, s, "POST", "/rest/people/duplicates", map[string]any{"ids": []any{}})
			expect(t, r, 200)
			assert.Empty(t, at(r.body, "data"))
		})
		t.Run("should return 400 error when ids and data are provided", func(t *testing.T) {
			expectError(t, do(t, s, "POST", "/rest/people/duplicates", map[string]any{"data": []any{}, "ids": []any{}}), 400, "BadRequestException",
				`You cannot provide both "data" and "ids" arguments`)
		})
		t.Run("should support depth 0 parameter", func(t *testing.T) {
			r := do(t, s, "POST", "/rest/people/duplicates?depth=0", byData("John", "Doe"))
			expect(t, r, 200)
			for i := range 2 {
				p := at(dups(r), i)
				assert.Equal(t, testCompany1ID, at(p, "companyId"))
				assert.False(t, defined(p, "company"))
			}
		})
		t.Run("should support depth 1 parameter", func(t *testing.T) {
			r := do(t, s, "POST", "/rest/people/duplicates?depth=1", byData("John", "Doe"))
			expect(t, r, 200)
			for i := range 2 {
				p := at(dups(r), i)
				require.True(t, defined(p, "company"))
				assert.Equal(t, testCompany1ID, at(p, "company", "id"))
				assert.False(t, defined(at(p, "company"), "people"))
			}
		})
		t.Run("should not support depth 2 parameter", func(t *testing.T) {
			expect(t, do(t, s, "POST", "/rest/people/duplicates?depth=2", byData("John", "Doe")), 400)
		})
	})
}

// rest-api-core-group-by.integration-spec.ts
func TestFidelityRestAPICoreGroupBy(t *testing.T) {
	t.Run("REST API Core Group By endpoint", func(t *testing.T) {
		const (
			company1   = "20202020-f1de-4000-8000-00000000c0a1"
			company2   = "20202020-f1de-4000-8000-00000000c0a2"
			created    = "2020-02-05T08:00:00.000Z"
			filter2020 = "createdAt[gte]:'2020-01-01T00:00:00.000Z',createdAt[lte]:'2020-03-03T23:59:59.999Z'"
			aggregate  = `["maxAmountAmountMicros"]`
			groupBy    = `[{"closeDate":{"granularity":"DAY_OF_THE_WEEK"}},{"stage":true}]`
		)
		// The suite seeds through GraphQL, with createdAt set; Create is
		// the fake's way in.
		s := fresh(t)
		mustCreate := func(plural string, fields map[string]any) {
			_, err := s.Create(plural, fields)
			require.NoError(t, err)
		}
		mustCreate("companies", map[string]any{"id": company1, "name": "Company 1", "position": 10, "createdAt": created})
		mustCreate("companies", map[string]any{"id": company2, "name": "Company 2", "position": 20, "createdAt": created})
		for _, o := range []struct {
			stage, name, company, closeDate string
			micros                          int64
		}{
			{"NEW", "Opportunity 1", company1, "2025-02-05T08:00:00.000Z", 1000000000000}, // a Wednesday
			{"NEW", "Opportunity 2", company1, "2025-02-06T08:00:00.000Z", 2000000000000}, // Thursdays
			{"NEW", "Opportunity 3", company2, "2025-02-06T08:00:00.000Z", 3000000000000},
			{"SCREENING", "Opportunity 4", company2, "2025-02-06T08:00:00.000Z", 4000000000000},
		} {
			mustCreate("opportunities", map[string]any{
				"stage": o.stage, "name": o.name, "companyId": o.company, "closeDate": o.closeDate, "createdAt": created,
				"amount": map[string]any{"amountMicros": o.micros, "currencyCode": "USD"},
			})
		}
		get := func(t *testing.T, params ...string) []any {
			t.Helper()
			r := do(t, s, "GET", pathJoin("/rest/opportunities/groupBy", params...), nil)
			expect(t, r, 200)
			require.NotNil(t, r.list, "not an array: %s", r.raw)
			return r.list
		}
		find := func(groups []any, values ...string) any {
			for _, g := range groups {
				dims, _ := at(g, "groupByDimensionValues").([]any)
				all := true
				for _, v := range values {
					found := false
					for _, d := range dims {
						found = found || d == v
					}
					all = all && found
				}
				if all {
					return g
				}
			}
			return nil
		}
		names := func(g any) []string {
			var out []string
			l, _ := at(g, "records").([]any)
			for _, r := range l {
				n, _ := at(r, "name").(string)
				out = append(out, n)
			}
			return out
		}
		q := url.QueryEscape

		t.Run("groups by stage and closeDate with records", func(t *testing.T) {
			groups := get(t, "group_by="+q(groupBy), "aggregate="+q(aggregate), "filter="+q(filter2020), "include_records_sample=true", "limit=3")
			require.Len(t, groups, 3)
			for _, g := range groups {
				assert.IsType(t, []any{}, at(g, "groupByDimensionValues"))
				assert.IsType(t, []any{}, at(g, "records"))
			}
			wedNew := find(groups, "Wednesday", "NEW")
			require.NotNil(t, wedNew)
			assert.Equal(t, "1000000000000", at(wedNew, "maxAmountAmountMicros"))
			assert.Equal(t, []string{"Opportunity 1"}, names(wedNew))
			assert.Equal(t, "NEW", at(wedNew, "records", 0, "stage"))
			thuNew := find(groups, "Thursday", "NEW")
			require.NotNil(t, thuNew)
			assert.Equal(t, "3000000000000", at(thuNew, "maxAmountAmountMicros"))
			assert.ElementsMatch(t, []string{"Opportunity 2", "Opportunity 3"}, names(thuNew))
			for _, r := range at(thuNew, "records").([]any) {
				assert.Equal(t, "NEW", at(r, "stage"))
				want := map[string]string{"Opportunity 2": company1, "Opportunity 3": company2}[at(r, "name").(string)]
				assert.Equal(t, want, at(r, "companyId"))
			}
			thuScreening := find(groups, "Thursday", "SCREENING")
			require.NotNil(t, thuScreening)
			assert.Equal(t, []string{"Opportunity 4"}, names(thuScreening))
			assert.Equal(t, "SCREENING", at(thuScreening, "records", 0, "stage"))
			assert.Equal(t, company2, at(thuScreening, "records", 0, "companyId"))
			assert.Equal(t, "4000000000000", at(thuScreening, "maxAmountAmountMicros"))
		})
		t.Run("groups by stage and closeDate with records and filters", func(t *testing.T) {
			groups := get(t, "group_by="+q(groupBy), "aggregate="+q(aggregate), "filter="+q(filter2020+",stage[eq]:'NEW'"), "include_records_sample=true", "limit=2")
			require.Len(t, groups, 2)
			wedNew := find(groups, "Wednesday", "NEW")
			require.NotNil(t, wedNew)
			assert.Len(t, at(wedNew, "groupByDimensionValues"), 2)
			assert.Len(t, at(wedNew, "records"), 1)
			assert.Equal(t, "NEW", at(wedNew, "records", 0, "stage"))
			thuNew := find(groups, "Thursday", "NEW")
			require.NotNil(t, thuNew)
			assert.Len(t, at(thuNew, "groupByDimensionValues"), 2)
			assert.Len(t, at(thuNew, "records"), 2)
		})
		t.Run("order by for records", func(t *testing.T) {
			for _, c := range []struct{ title, dir, first, second string }{
				{"sorts by name in ascending order", "AscNullsFirst", "Opportunity 2", "Opportunity 3"},
				{"sorts by name in descending order", "DescNullsFirst", "Opportunity 3", "Opportunity 2"},
			} {
				t.Run(c.title, func(t *testing.T) {
					groups := get(t, "group_by="+q(groupBy), "filter="+q(filter2020), "order_by_for_records="+q("name["+c.dir+"]"), "include_records_sample=true", "limit=5")
					thuNew := find(groups, "Thursday", "NEW")
					require.NotNil(t, thuNew)
					assert.Equal(t, []string{c.first, c.second}, names(thuNew))
				})
			}
		})
	})
}
