package webhook_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/webhook"
)

// Bodies shaped like those CallWebhookJob posts (JSON.stringify of the job
// data without its secret), field order included.
const (
	personCreated = `{"targetUrl":"https://hooks.example.com/twenty","eventName":"person.created","objectMetadata":{"id":"20202020-e674-48e5-a542-72570eee7213","nameSingular":"person"},"workspaceId":"3b8e6458-5fc1-4e63-8563-008ccddaa6db","webhookId":"90056586-1228-4e03-a507-70140aa85c05","eventDate":"2025-01-24T18:50:00.412Z","workspaceMemberId":"20202020-0687-4c41-b707-ed1bfca972a7","record":{"id":"2a0c8b1e-4f5d-4c3b-9a8e-7d6c5b4a3f21","name":{"firstName":"Ada","lastName":"Lovelace"},"emails":{"primaryEmail":"ada@example.com","additionalEmails":[]},"linkedinLink":{"primaryLinkUrl":"","primaryLinkLabel":"","secondaryLinks":[]},"xLink":{"primaryLinkUrl":"","primaryLinkLabel":"","secondaryLinks":[]},"jobTitle":"","phones":{"primaryPhoneNumber":"","primaryPhoneCountryCode":"","primaryPhoneCallingCode":"","additionalPhones":[]},"city":"London","avatarUrl":"","position":0,"createdBy":{"source":"API","workspaceMemberId":null,"name":"Sync","context":{}},"companyId":null,"createdAt":"2025-01-24T18:50:00.000Z","updatedAt":"2025-01-24T18:50:00.000Z","deletedAt":null}}`

	companyUpdated = `{"targetUrl":"https://hooks.example.com/twenty","eventName":"company.updated","objectMetadata":{"id":"20202020-b374-4779-a561-80086cb2e17f","nameSingular":"company"},"workspaceId":"3b8e6458-5fc1-4e63-8563-008ccddaa6db","webhookId":"90056586-1228-4e03-a507-70140aa85c05","eventDate":"2025-02-03T09:15:42.007Z","userId":"20202020-9e3b-46d4-a556-88b9ddc2b034","workspaceMemberId":"20202020-0687-4c41-b707-ed1bfca972a7","record":{"id":"0d4389ef-ea9c-4ae8-ada1-1cddc440fb56","name":"Analytical Engines Ltd","domainName":{"primaryLinkUrl":"https://engines.example","primaryLinkLabel":"","secondaryLinks":[]},"employees":120,"annualRecurringRevenue":{"amountMicros":250000000000,"currencyCode":"GBP"},"updatedAt":"2025-02-03T09:15:41.990Z","deletedAt":null},"updatedFields":["employees","annualRecurringRevenue"]}`

	opportunityDeleted = `{"targetUrl":"https://hooks.example.com/twenty","eventName":"opportunity.deleted","objectMetadata":{"id":"20202020-9549-49dd-b2b2-883999db8938","nameSingular":"opportunity"},"workspaceId":"3b8e6458-5fc1-4e63-8563-008ccddaa6db","webhookId":"90056586-1228-4e03-a507-70140aa85c05","eventDate":"2025-02-04T10:00:00.000Z","record":{"id":"6c1f1e0a-0b7e-4a57-9c6e-2b0b8f0e9a11","name":"Difference engine retrofit","stage":"PROPOSAL","amount":{"amountMicros":"12000000000","currencyCode":"EUR"},"deletedAt":"2025-02-04T09:59:59.950Z"}}`

	noteDestroyed = `{"targetUrl":"https://hooks.example.com/twenty","eventName":"note.destroyed","objectMetadata":{"id":"20202020-0b00-45cd-b6f6-6cd806fc6804","nameSingular":"note"},"workspaceId":"3b8e6458-5fc1-4e63-8563-008ccddaa6db","webhookId":"90056586-1228-4e03-a507-70140aa85c05","eventDate":"2025-02-05T11:00:00.000Z","record":{"id":"aa3b1c2d-0000-4000-8000-000000000001","title":"Call notes","deletedAt":"2025-02-01T00:00:00.000Z"}}`

	metadataObjectCreated = `{"targetUrl":"https://hooks.example.com/twenty","eventName":"metadata.objectMetadata.created","workspaceId":"3b8e6458-5fc1-4e63-8563-008ccddaa6db","webhookId":"90056586-1228-4e03-a507-70140aa85c05","eventDate":"2026-01-10T08:00:00.000Z","userId":"20202020-9e3b-46d4-a556-88b9ddc2b034","apiKeyId":"f2d9a5c4-1111-4a4a-9b9b-222233334444","event":{"metadataName":"objectMetadata","recordId":"7e1d0c3b-aaaa-4bbb-8ccc-ddddeeeeffff","type":"created","properties":{"after":{"id":"7e1d0c3b-aaaa-4bbb-8ccc-ddddeeeeffff","nameSingular":"invoice","namePlural":"invoices"}}}}`

	// The 2024 server (unsigned) called the event "eventType".
	legacyEventType = `{"targetUrl":"https://hooks.example.com/twenty","eventType":"person.created","objectMetadata":{"id":"20202020-e674-48e5-a542-72570eee7213","nameSingular":"person"},"workspaceId":"3b8e6458-5fc1-4e63-8563-008ccddaa6db","webhookId":"90056586-1228-4e03-a507-70140aa85c05","eventDate":"2024-02-14T11:27:01.779Z","record":{"id":"2a0c8b1e-4f5d-4c3b-9a8e-7d6c5b4a3f21"}}`
)

func TestDecodeRecordEvents(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, event, object, op string
		date                          time.Time
		updated                       []string
		userID                        string
		recordID                      string
	}{
		{"created", personCreated, "person.created", "person", webhook.Created,
			time.Date(2025, 1, 24, 18, 50, 0, 412e6, time.UTC), nil, "", "2a0c8b1e-4f5d-4c3b-9a8e-7d6c5b4a3f21"},
		{"updated", companyUpdated, "company.updated", "company", webhook.Updated,
			time.Date(2025, 2, 3, 9, 15, 42, 7e6, time.UTC), []string{"employees", "annualRecurringRevenue"},
			"20202020-9e3b-46d4-a556-88b9ddc2b034", "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"},
		{"deleted (soft)", opportunityDeleted, "opportunity.deleted", "opportunity", webhook.Deleted,
			time.Date(2025, 2, 4, 10, 0, 0, 0, time.UTC), nil, "", "6c1f1e0a-0b7e-4a57-9c6e-2b0b8f0e9a11"},
		{"destroyed", noteDestroyed, "note.destroyed", "note", webhook.Destroyed,
			time.Date(2025, 2, 5, 11, 0, 0, 0, time.UTC), nil, "", "aa3b1c2d-0000-4000-8000-000000000001"},
		{"legacy eventType", legacyEventType, "person.created", "person", webhook.Created,
			time.Date(2024, 2, 14, 11, 27, 1, 779e6, time.UTC), nil, "", "2a0c8b1e-4f5d-4c3b-9a8e-7d6c5b4a3f21"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e, err := webhook.Decode([]byte(c.body))
			require.NoError(t, err)
			assert.Equal(t, c.event, e.Name)
			assert.Equal(t, c.object, e.ObjectName())
			assert.Equal(t, c.op, e.Operation())
			assert.False(t, e.IsMetadata())
			assert.Equal(t, c.object, e.ObjectMetadata.NameSingular)
			assert.NotEmpty(t, e.ObjectMetadata.ID)
			assert.Equal(t, "3b8e6458-5fc1-4e63-8563-008ccddaa6db", e.WorkspaceID)
			assert.Equal(t, "90056586-1228-4e03-a507-70140aa85c05", e.WebhookID)
			assert.Equal(t, "https://hooks.example.com/twenty", e.TargetURL)
			assert.True(t, c.date.Equal(e.EventDate), "eventDate %v", e.EventDate)
			assert.Equal(t, c.updated, e.UpdatedFields)
			assert.Equal(t, c.userID, e.UserID)
			assert.Equal(t, c.body, string(e.Raw))
			assert.Empty(t, e.MetadataEvent)

			var rec struct {
				ID        string     `json:"id"`
				DeletedAt *time.Time `json:"deletedAt"`
			}
			require.NoError(t, e.DecodeRecord(&rec))
			assert.Equal(t, c.recordID, rec.ID)
			if c.op == webhook.Deleted || c.op == webhook.Destroyed {
				assert.NotNil(t, rec.DeletedAt)
			}
		})
	}
}

func TestDecodeRecordIntoGeneratedType(t *testing.T) {
	t.Parallel()
	e, err := webhook.Decode([]byte(personCreated))
	require.NoError(t, err)
	var p api.PersonForResponse
	require.NoError(t, e.DecodeRecord(&p))
	assert.Equal(t, "2a0c8b1e-4f5d-4c3b-9a8e-7d6c5b4a3f21", p.ID.String())
	require.NotNil(t, p.Name)
	assert.Equal(t, "Ada", p.Name.FirstName)
	assert.Equal(t, "Lovelace", p.Name.LastName)
	require.NotNil(t, p.Emails)
	assert.Equal(t, "ada@example.com", p.Emails.PrimaryEmail)
	require.NotNil(t, p.CreatedBy)
	assert.Equal(t, "API", string(*p.CreatedBy.Source))
	assert.Nil(t, p.CompanyID)

	// A record that does not fit the type.
	var wrong struct {
		Name string `json:"name"`
	}
	err = e.DecodeRecord(&wrong)
	assert.ErrorIs(t, err, webhook.ErrMalformedPayload)
	var typeErr *json.UnmarshalTypeError
	assert.ErrorAs(t, err, &typeErr)
}

func TestDecodeMetadataEvent(t *testing.T) {
	t.Parallel()
	e, err := webhook.Decode([]byte(metadataObjectCreated))
	require.NoError(t, err)
	assert.True(t, e.IsMetadata())
	assert.Equal(t, "objectMetadata", e.ObjectName())
	assert.Equal(t, webhook.Created, e.Operation())
	assert.Equal(t, "f2d9a5c4-1111-4a4a-9b9b-222233334444", e.APIKeyID)
	assert.Zero(t, e.ObjectMetadata)
	assert.ErrorIs(t, e.DecodeRecord(&map[string]any{}), webhook.ErrNoRecord)

	var me struct {
		MetadataName string `json:"metadataName"`
		Type         string `json:"type"`
		Properties   struct {
			After struct {
				NameSingular string `json:"nameSingular"`
			} `json:"after"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(e.MetadataEvent, &me))
	assert.Equal(t, "objectMetadata", me.MetadataName)
	assert.Equal(t, "created", me.Type)
	assert.Equal(t, "invoice", me.Properties.After.NameSingular)
}

func TestDecodeRecordMissing(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"eventName":"person.created"}`,
		`{"eventName":"person.created","record":null}`,
		`{"eventName":"person.created","record": null }`,
	} {
		e, err := webhook.Decode([]byte(body))
		require.NoError(t, err, body)
		assert.ErrorIs(t, e.DecodeRecord(&map[string]any{}), webhook.ErrNoRecord, body)
	}
}

func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"empty":                ``,
		"not JSON":             `eventName=person.created`,
		"null":                 `null`,
		"array":                `[{"eventName":"person.created"}]`,
		"string":               `"person.created"`,
		"number":               `42`,
		"empty object":         `{}`,
		"empty eventName":      `{"eventName":"","record":{}}`,
		"eventName not string": `{"eventName":7}`,
		"eventName null":       `{"eventName":null}`,
		"truncated":            personCreated[:len(personCreated)-1],
		"trailing garbage":     personCreated + `x`,
		"two objects":          personCreated + personCreated,
		"bad eventDate":        `{"eventName":"person.created","eventDate":"yesterday"}`,
		"updatedFields object": `{"eventName":"person.updated","updatedFields":{"a":1}}`,
		"objectMetadata array": `{"eventName":"person.created","objectMetadata":[]}`,
		"invalid UTF-8 escape": `{"eventName":"person.created\u12"}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e, err := webhook.Decode([]byte(body))
			assert.Nil(t, e)
			require.ErrorIs(t, err, webhook.ErrMalformedPayload)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestEventNameParts(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, object, op string
		meta             bool
	}{
		{"person.created", "person", "created", false},
		{"myCustomObject.upserted", "myCustomObject", "upserted", false},
		{"metadata.fieldMetadata.updated", "fieldMetadata", "updated", true},
		{"metadata.created", "metadata", "created", false}, // a custom object named "metadata"
		{"a.b.c", "a.b", "c", false},
		{"nodot", "", "", false},
		{"", "", "", false},
		{".", "", "", false},
	} {
		e := &webhook.Event{Name: c.name}
		assert.Equal(t, c.object, e.ObjectName(), c.name)
		assert.Equal(t, c.op, e.Operation(), c.name)
		assert.Equal(t, c.meta, e.IsMetadata(), c.name)
	}
}

// Marshalling an Event gives the wire field names, so fakes can build
// deliveries from Events.
func TestEventMarshalsToWireFormat(t *testing.T) {
	t.Parallel()
	e, err := webhook.Decode([]byte(companyUpdated))
	require.NoError(t, err)
	e.Nonce = "not on the wire"
	out, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, companyUpdated, string(out))

	out, err = json.Marshal(&webhook.Event{Name: "metadata.view.deleted", Record: nil})
	require.NoError(t, err)
	assert.JSONEq(t, `{"eventName":"metadata.view.deleted"}`, string(out))
}
