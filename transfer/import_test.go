package transfer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twenty-go/twenty/transfer"
	"github.com/twenty-go/twenty/twentytest"
)

func TestSchemaOfEveryStandardObject(t *testing.T) {
	sp := standardSpec(t)
	require.NotEmpty(t, sp.Objects())
	for _, o := range sp.Objects() {
		s, err := sp.Schema(o)
		require.NoError(t, err, o)
		assert.Equal(t, transfer.KindUUID, s.Field("id").Kind, o)
		assert.True(t, s.Field("createdAt").ReadOnly, o)
	}
	people, err := sp.Schema("people")
	require.NoError(t, err)
	assert.Equal(t, transfer.KindComposite, people.Field("emails").Kind)
	assert.Equal(t, transfer.KindRelation, people.Field("company").Kind)
	assert.Equal(t, "companies", people.Field("company").Target)
	assert.Equal(t, "companyId", people.Field("company").IDField)
	opp, err := sp.Schema("opportunities")
	require.NoError(t, err)
	assert.Equal(t, transfer.KindSelect, opp.Field("stage").Kind)
	assert.True(t, opp.Field("amount").Currency)
	_, err = sp.Schema("peple")
	assert.ErrorContains(t, err, `did you mean "people"`)
}

func TestUnknownColumnsAreOneErrorWithSuggestions(t *testing.T) {
	sp := standardSpec(t)
	s, err := sp.Schema("people")
	require.NoError(t, err)
	_, err = transfer.NewMapping(sp, s, []string{"name.firstName", "emails.primaryEmial", "jobtitle", "Email"}, transfer.MapOptions{})
	require.ErrorIs(t, err, transfer.ErrUnknownColumn)
	assert.ErrorContains(t, err, `did you mean "emails.primaryEmail"`)
	assert.ErrorContains(t, err, `did you mean "jobTitle"`)
	m, err := transfer.NewMapping(sp, s, []string{"name.firstName", "Email", "junk"}, transfer.MapOptions{
		Rename: map[string]string{"Email": "emails.primaryEmail"}, IgnoreUnknown: true})
	require.NoError(t, err)
	conv, err := m.Convert(map[string]any{"name.firstName": "Ada", "Email": "ada@x.org", "junk": "?"}, true)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"name": map[string]any{"firstName": "Ada"}, "emails": map[string]any{"primaryEmail": "ada@x.org"}}, conv.Record)
}

func TestImportCSVWithRelationsKeyAndRejects(t *testing.T) {
	s := twentytest.NewServer(t)
	c := clientFor(t, s)
	// The seeded companies give the relation targets.
	companies := s.Records("companies")
	require.NotEmpty(t, companies)
	domain := companies[0]["domainName"].(map[string]any)["primaryLinkUrl"].(string)
	csv := "name,amount,stage,closeDate,company\n" +
		"Deal A,EUR 1500.50,proposal,2024-05-01," + domain + "\n" +
		"Deal B,USD 10,NOPE,2024-05-01,\n" +
		"Deal C,,NEW,not a date,\n" +
		"Deal D,,NEW,,nowhere.example\n"
	im, in := importer(t, c, "opportunities", csv, transfer.CSV, transfer.MapOptions{})
	rej, buf := rejectsOf(t, in)
	im.Rejects, im.Key = rej, "name"
	sum := run(t, im, in)
	assert.Equal(t, 1, sum.Created, sum)
	assert.Equal(t, 3, sum.Rejected, sum)
	assert.Contains(t, buf.String(), "one of NEW")
	assert.Contains(t, buf.String(), "not a date")
	assert.Contains(t, buf.String(), "no companies with")
	var got map[string]any
	for _, r := range s.Records("opportunities") {
		if r["name"] == "Deal A" {
			got = r
		}
	}
	require.NotNil(t, got)
	assert.Equal(t, "PROPOSAL", got["stage"])
	assert.Equal(t, companies[0]["id"], got["companyId"])
	assert.EqualValues(t, "1500500000", transfer.Text(got["amount"].(map[string]any)["amountMicros"]))

	// Again, with one change: one update of one field, nothing created.
	csv2 := "name,amount,stage,closeDate,company\nDeal A,EUR 1500.50,MEETING,2024-05-01," + domain + "\n"
	im2, in2 := importer(t, c, "opportunities", csv2, transfer.CSV, transfer.MapOptions{})
	im2.Key = "name"
	var plans []transfer.PlanEntry
	im2.Plan = func(e transfer.PlanEntry) { plans = append(plans, e) }
	sum = run(t, im2, in2)
	assert.Equal(t, transfer.Summary{Rows: 1, Updated: 1}, sum)
	require.Len(t, plans, 1)
	assert.Equal(t, []string{"stage"}, plans[0].Changed)
}
