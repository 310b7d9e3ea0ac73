package twenty_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/internal/spectest"
)

// Pages as a 1.x server sends them: fields 2.x removed (note body as plain
// text, person city and xLink, company employees, annualRecurringRevenue,
// idealCustomerProfile and xLink, timeline activity name, favorites, message
// direction, workflow run context and output) and none of the fields 2.x added.
var pages1x = map[string]string{
	"/rest/notes": `{"data":{"notes":[{"id":"0a6a4c5e-8f3e-4bde-9a62-2f0c1d2e3f40","createdAt":"2025-03-04T10:00:00.000Z",
		"updatedAt":"2025-03-04T10:05:00.000Z","deletedAt":null,"position":1,"title":"Kick-off",
		"body":"Plain text, as before 1.20",
		"bodyV2":{"blocknote":"[{\"type\":\"paragraph\",\"content\":[]}]","markdown":"Plain text, as before 1.20"},
		"createdBy":{"source":"MANUAL","workspaceMemberId":"5e0a2a4b-7b2d-4c52-8a0e-0f6a1b2c3d4e","name":"Tim Apple","context":{}}}]},
		"pageInfo":{"startCursor":"c1","endCursor":"c1","hasNextPage":false,"hasPreviousPage":false},"totalCount":1}`,
	"/rest/people": `{"data":{"people":[{"id":"1b7b5d6f-9a4f-4cef-8b73-3a1d2e3f4a51","createdAt":"2024-11-02T08:00:00.000Z",
		"updatedAt":"2024-11-02T08:00:00.000Z","deletedAt":null,"position":0,
		"name":{"firstName":"Christoph","lastName":"Callisto"},
		"emails":{"primaryEmail":"christoph.calisto@linkedin.com","additionalEmails":null},
		"linkedinLink":{"primaryLinkUrl":"www.linkedin.com/in/christophcallisto","primaryLinkLabel":"","secondaryLinks":[]},
		"xLink":{"primaryLinkUrl":"x.com/christophcallisto","primaryLinkLabel":"","secondaryLinks":[]},
		"jobTitle":"CEO","city":"Seattle","avatarUrl":"",
		"phones":{"primaryPhoneNumber":"789012345","primaryPhoneCountryCode":"FR","primaryPhoneCallingCode":"+33","additionalPhones":[]},
		"createdBy":{"source":"MANUAL","workspaceMemberId":null,"name":"","context":{}},
		"companyId":"2c8c6e70-ab50-4d0f-9c84-4b2e3f4a5b62"}]},
		"pageInfo":{"startCursor":"c1","endCursor":"c1","hasNextPage":false,"hasPreviousPage":false},"totalCount":1}`,
	"/rest/companies": `{"data":{"companies":[{"id":"2c8c6e70-ab50-4d0f-9c84-4b2e3f4a5b62","createdAt":"2024-11-02T08:00:00.000Z",
		"updatedAt":"2024-11-02T08:00:00.000Z","deletedAt":null,"position":1,"name":"Linkedin",
		"domainName":{"primaryLinkUrl":"https://linkedin.com","primaryLinkLabel":"","secondaryLinks":[]},
		"address":{"addressStreet1":"","addressStreet2":"","addressCity":"Sunnyvale","addressState":"","addressCountry":"United States","addressPostcode":"","addressLat":null,"addressLng":null},
		"employees":20000,"idealCustomerProfile":true,
		"linkedinLink":{"primaryLinkUrl":"https://www.linkedin.com/company/linkedin","primaryLinkLabel":"","secondaryLinks":[]},
		"xLink":{"primaryLinkUrl":"","primaryLinkLabel":"","secondaryLinks":[]},
		"annualRecurringRevenue":{"amountMicros":15000000000000,"currencyCode":"USD"},
		"createdBy":{"source":"MANUAL","workspaceMemberId":null,"name":"","context":{}},
		"accountOwnerId":null}]},
		"pageInfo":{"startCursor":"c1","endCursor":"c1","hasNextPage":false,"hasPreviousPage":false},"totalCount":1}`,
	"/rest/timelineActivities": `{"data":{"timelineActivities":[{"id":"3d9d7f81-bc61-4e1f-8d95-5c3f4a5b6c73",
		"createdAt":"2025-03-04T10:00:00.000Z","updatedAt":"2025-03-04T10:00:00.000Z","deletedAt":null,
		"happensAt":"2025-03-04T10:00:00.000Z","name":"note.created","properties":{"after":{"title":"Kick-off"}},
		"linkedRecordCachedName":"Kick-off","linkedRecordId":"0a6a4c5e-8f3e-4bde-9a62-2f0c1d2e3f40",
		"linkedObjectMetadataId":"4eae8092-cd72-4f20-9ea6-6d4a5b6c7d84","workspaceMemberId":null,
		"targetPersonId":"1b7b5d6f-9a4f-4cef-8b73-3a1d2e3f4a51","targetCompanyId":null,"targetOpportunityId":null,
		"targetNoteId":"0a6a4c5e-8f3e-4bde-9a62-2f0c1d2e3f40","targetTaskId":null}]},
		"pageInfo":{"startCursor":"c1","endCursor":"c1","hasNextPage":false,"hasPreviousPage":false},"totalCount":1}`,
	"/rest/favorites": `{"data":{"favorites":[{"id":"5fbf91a3-de83-4a31-8fb7-7e5b6c7d8e95","createdAt":"2024-11-02T08:00:00.000Z",
		"updatedAt":"2024-11-02T08:00:00.000Z","deletedAt":null,"position":0,"viewId":null,
		"forWorkspaceMemberId":"5e0a2a4b-7b2d-4c52-8a0e-0f6a1b2c3d4e","personId":null,
		"companyId":"2c8c6e70-ab50-4d0f-9c84-4b2e3f4a5b62","opportunityId":null,"noteId":null,"taskId":null,
		"workflowId":null,"favoriteFolderId":null}]},
		"pageInfo":{"startCursor":"c1","endCursor":"c1","hasNextPage":false,"hasPreviousPage":false},"totalCount":1}`,
	"/rest/messages": `{"data":{"messages":[{"id":"6a0c2b14-ef94-4b42-9ac8-8f6c7d8e9fa6","createdAt":"2025-01-10T09:00:00.000Z",
		"updatedAt":"2025-01-10T09:00:00.000Z","deletedAt":null,"headerMessageId":"<a1@mail.example>",
		"direction":"OUTGOING","subject":"Proposal","text":"Attached.","receivedAt":"2025-01-10T08:59:00.000Z",
		"messageThreadId":"7b1d3c25-f0a5-4c53-8bd9-9a7d8e9fa0b7"}]},
		"pageInfo":{"startCursor":"c1","endCursor":"c1","hasNextPage":false,"hasPreviousPage":false},"totalCount":1}`,
	"/rest/workflowRuns": `{"data":{"workflowRuns":[{"id":"8c2e4d36-a1b6-4d64-9cea-ab8e9fa0b1c8","createdAt":"2025-01-10T09:00:00.000Z",
		"updatedAt":"2025-01-10T09:01:00.000Z","deletedAt":null,"name":"#1","position":0,
		"enqueuedAt":null,"startedAt":"2025-01-10T09:00:01.000Z","endedAt":"2025-01-10T09:00:02.000Z","status":"COMPLETED",
		"createdBy":{"source":"WORKFLOW","workspaceMemberId":null,"name":"Workflow","context":{}},
		"state":{"flow":{"steps":[]}},"context":{"trigger":{"id":"x"}},"output":{"stepsOutput":{}},
		"workflowId":"9d3f5e47-b2c7-4e75-8dfb-bc9fa0b1c2d9","workflowVersionId":"ae406f58-c3d8-4f86-9e0c-cda0b1c2d3ea"}]},
		"pageInfo":{"startCursor":"c1","endCursor":"c1","hasNextPage":false,"hasPreviousPage":false},"totalCount":1}`,
}

// The generated client decodes what a 1.x server sends without losing a
// field, and the deprecated fields carry the values.
func TestDecodes1xRecordsLosslessly(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages1x[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	v := spectest.New(t, spec)
	client, err := api.NewClientWithResponses(srv.URL, api.WithHTTPClient(&http.Client{Transport: v.Transport(srv.URL, nil)}),
		api.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer k")
			return nil
		}))
	require.NoError(t, err)
	ctx := context.Background()

	lossless := func(path string, decoded any) {
		t.Helper()
		again, err := json.Marshal(decoded)
		require.NoError(t, err)
		assert.NoError(t, spectest.Equivalent(withoutEmptyText(t, pages1x[path]), again), "decoding %s loses content", path)
	}

	notes, err := client.FindManyNotesWithResponse(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, notes.JSON200, string(notes.Body))
	lossless("/rest/notes", notes.JSON200)
	//lint:ignore SA1019 reading what 1.x servers send is the point
	assert.Equal(t, "Plain text, as before 1.20", notes.JSON200.Data.Notes[0].Body)

	people, err := client.FindManyPeopleWithResponse(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, people.JSON200, string(people.Body))
	lossless("/rest/people", people.JSON200)
	p := people.JSON200.Data.People[0]
	//lint:ignore SA1019 reading what 1.x servers send is the point
	assert.Equal(t, "Seattle", p.City)
	//lint:ignore SA1019 reading what 1.x servers send is the point
	assert.Equal(t, "x.com/christophcallisto", p.XLink.PrimaryLinkURL)

	companies, err := client.FindManyCompaniesWithResponse(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, companies.JSON200, string(companies.Body))
	lossless("/rest/companies", companies.JSON200)
	c := companies.JSON200.Data.Companies[0]
	//lint:ignore SA1019 reading what 1.x servers send is the point
	require.NotNil(t, c.Employees)
	//lint:ignore SA1019 reading what 1.x servers send is the point
	assert.Equal(t, 20000, *c.Employees)
	//lint:ignore SA1019 reading what 1.x servers send is the point
	assert.Equal(t, "USD", c.AnnualRecurringRevenue.CurrencyCode)

	activities, err := client.FindManyTimelineActivitiesWithResponse(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, activities.JSON200, string(activities.Body))
	lossless("/rest/timelineActivities", activities.JSON200)
	//lint:ignore SA1019 reading what 1.x servers send is the point
	assert.Equal(t, "note.created", activities.JSON200.Data.TimelineActivities[0].Name)

	//lint:ignore SA1019 1.x servers still serve favorites
	favorites, err := client.FindManyFavoritesWithResponse(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, favorites.JSON200, string(favorites.Body))
	lossless("/rest/favorites", favorites.JSON200)

	messages, err := client.FindManyMessagesWithResponse(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, messages.JSON200, string(messages.Body))
	lossless("/rest/messages", messages.JSON200)
	//lint:ignore SA1019 reading what 1.x servers send is the point
	dir := messages.JSON200.Data.Messages[0].Direction
	require.NotNil(t, dir)
	assert.Equal(t, api.MessageDirectionOUTGOING, *dir)

	runs, err := client.FindManyWorkflowRunsWithResponse(ctx, nil)
	require.NoError(t, err)
	require.NotNil(t, runs.JSON200, string(runs.Body))
	lossless("/rest/workflowRuns", runs.JSON200)
	//lint:ignore SA1019 reading what 1.x servers send is the point
	assert.Equal(t, map[string]any{"stepsOutput": map[string]any{}}, runs.JSON200.Data.WorkflowRuns[0].Output)
}

// withoutEmptyText drops "" values: response text is a plain string, so ""
// and null both read as "" and are not re-encoded.
func withoutEmptyText(t *testing.T, doc string) []byte {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(doc), &v))
	var drop func(any)
	drop = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if e == "" {
					delete(v, k)
				} else {
					drop(e)
				}
			}
		case []any:
			for _, e := range v {
				drop(e)
			}
		}
	}
	drop(v)
	out, err := json.Marshal(v)
	require.NoError(t, err)
	return out
}
