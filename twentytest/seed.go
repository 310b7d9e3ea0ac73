package twentytest

import (
	"fmt"
	"strings"
	"time"
)

// seedID makes the deterministic, readable, valid version-4 ids of the
// sample data: 20202020-00CC-4000-8000-NNNNNNNNNNNN, CC naming the object.
func seedID(code, n int) string {
	return fmt.Sprintf("20202020-%04x-4000-8000-%012x", code, n)
}

// Object codes of seed ids.
const (
	codePerson          = 1
	codeCompany         = 2
	codeOpportunity     = 3
	codeNote            = 4
	codeTask            = 5
	codeNoteTarget      = 6
	codeTaskTarget      = 7
	codeWorkspaceMember = 8
	// Objects of the 2.x model.
	codeCalendarEvent            = 0x10
	codeCalendarEventParticipant = 0x11
	codeCalendarEventTarget      = 0x12
	codeMessageThread            = 0x13
	codeMessage                  = 0x14
	codeMessageParticipant       = 0x15
	codeMessageThreadTarget      = 0x16
	codeDashboard                = 0x17
	codeWorkflow                 = 0x18
	codeWorkflowVersion          = 0x19
	codeWorkflowRun              = 0x1a
	codeWorkflowAutomatedTrigger = 0x1b
	codeCallRecording            = 0x1c
	codeMessageList              = 0x1d
	codeMessageListMember        = 0x1e
	codeMessageCampaign          = 0x1f
	codeBlocklist                = 0x20
)

var seedCodes = map[string]int{
	"person": codePerson, "company": codeCompany, "opportunity": codeOpportunity, "note": codeNote,
	"task": codeTask, "noteTarget": codeNoteTarget, "taskTarget": codeTaskTarget, "workspaceMember": codeWorkspaceMember,
	"calendarEvent": codeCalendarEvent, "calendarEventParticipant": codeCalendarEventParticipant,
	"calendarEventTarget": codeCalendarEventTarget, "messageThread": codeMessageThread, "message": codeMessage,
	"messageParticipant": codeMessageParticipant, "messageThreadTarget": codeMessageThreadTarget,
	"dashboard": codeDashboard, "workflow": codeWorkflow, "workflowVersion": codeWorkflowVersion,
	"workflowRun": codeWorkflowRun, "workflowAutomatedTrigger": codeWorkflowAutomatedTrigger,
	"callRecording": codeCallRecording, "messageList": codeMessageList, "messageListMember": codeMessageListMember,
	"messageCampaign": codeMessageCampaign, "blocklist": codeBlocklist,
}

// SeedID returns the id of the n-th (from 1) seeded record of an object of
// the sample workspace (person, company, calendarEvent, message, ...). It
// returns "" for objects the sample does not seed.
func SeedID(singular string, n int) string {
	code, ok := seedCodes[singular]
	if !ok || n < 1 {
		return ""
	}
	return seedID(code, n)
}

// seedEpoch is when the sample workspace was "created"; record i of the
// seed is created i hours later, so createdAt orders the seed.
var seedEpoch = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

type seedCompany struct {
	name, domain, city, country string
	employees                   int
	arrMicros                   int64
	icp                         bool
	owner                       int
}

var seedCompanies = []seedCompany{
	{"Acme Robotics", "https://acme-robotics.com", "San Francisco", "United States", 320, 48_000_000_000_000, true, 1},
	{"Blue Harbor Logistics", "https://blueharbor.io", "Rotterdam", "Netherlands", 1200, 150_000_000_000_000, false, 2},
	{"Cedar & Pine Analytics", "https://cedarpine.co", "Austin", "United States", 45, 3_200_000_000_000, true, 1},
	{"Delta Fintech", "https://deltafin.eu", "Paris", "France", 210, 27_500_000_000_000, true, 2},
	{"Evergreen Health", "https://evergreenhealth.org", "Boston", "United States", 860, 96_000_000_000_000, false, 1},
	{"Fjord Studios", "https://fjordstudios.no", "Oslo", "Norway", 30, 2_100_000_000_000, false, 2},
	{"Granite Cloud", "https://granitecloud.dev", "Berlin", "Germany", 150, 19_000_000_000_000, true, 1},
	{"Helios Energy", "https://helios-energy.com", "Madrid", "Spain", 540, 71_000_000_000_000, false, 2},
}

type seedPerson struct {
	first, last, job, city, phone, country, calling string
	company                                         int // 0: none
}

var seedPeople = []seedPerson{
	{"Maya", "Chen", "CTO", "San Francisco", "4155550101", "US", "+1", 1},
	{"Daniel", "Okafor", "Head of Operations", "Oakland", "4155550102", "US", "+1", 1},
	{"Sofia", "Rossi", "Procurement Lead", "San Jose", "4085550103", "US", "+1", 1},
	{"Pieter", "de Vries", "COO", "Rotterdam", "612345604", "NL", "+31", 2},
	{"Anouk", "Janssen", "Logistics Manager", "Rotterdam", "612345605", "NL", "+31", 2},
	{"Lucas", "Bakker", "IT Director", "Amsterdam", "612345606", "NL", "+31", 2},
	{"Priya", "Raman", "Founder & CEO", "Austin", "5125550107", "US", "+1", 3},
	{"Tom", "Fischer", "Data Engineer", "Austin", "5125550108", "US", "+1", 3},
	{"Camille", "Durand", "CFO", "Paris", "612345609", "FR", "+33", 4},
	{"Hugo", "Lefèvre", "Product Manager", "Lyon", "612345610", "FR", "+33", 4},
	{"Grace", "Kim", "VP Engineering", "Boston", "6175550111", "US", "+1", 5},
	{"Omar", "Haddad", "Security Officer", "Cambridge", "6175550112", "US", "+1", 5},
	{"Ingrid", "Solberg", "Creative Director", "Oslo", "41234513", "NO", "+47", 6},
	{"Erik", "Nilsen", "Producer", "Bergen", "41234514", "NO", "+47", 6},
	{"Lena", "Weber", "Head of Platform", "Berlin", "15123456715", "DE", "+49", 7},
	{"Jonas", "Becker", "SRE", "Hamburg", "15123456716", "DE", "+49", 7},
	{"Lucía", "García", "Energy Trader", "Madrid", "612345617", "ES", "+34", 8},
	{"Mateo", "Fernández", "Plant Manager", "Seville", "612345618", "ES", "+34", 8},
	// Two people of the same name: the sample's duplicate pair.
	{"Alex", "Martin", "Consultant", "Berlin", "15123456719", "DE", "+49", 7},
	{"Alex", "Martin", "Freelance Designer", "London", "7700900120", "GB", "+44", 0},
}

type seedOpportunity struct {
	name, stage, currency string
	amountMicros          int64
	closeDate             string
	company, contact      int
	owner                 int
}

var seedOpportunities = []seedOpportunity{
	{"Warehouse robots pilot", "PROPOSAL", "USD", 250_000_000_000, "2025-03-31T00:00:00.000Z", 1, 1, 1},
	{"Fleet tracking rollout", "MEETING", "EUR", 480_000_000_000, "2025-05-15T00:00:00.000Z", 2, 4, 2},
	{"Analytics platform", "CUSTOMER", "USD", 36_000_000_000, "2025-01-20T00:00:00.000Z", 3, 7, 1},
	{"Payments API integration", "SCREENING", "EUR", 90_000_000_000, "2025-06-30T00:00:00.000Z", 4, 9, 2},
	{"Patient portal", "NEW", "USD", 120_000_000_000, "2025-09-01T00:00:00.000Z", 5, 11, 1},
	{"Solar farm monitoring", "MEETING", "EUR", 310_000_000_000, "2025-04-10T00:00:00.000Z", 8, 17, 2},
}

type seedNote struct {
	title, markdown        string
	person, company, oppty int
}

var seedNotes = []seedNote{
	{"Kick-off call", "Maya wants a pilot in **two warehouses** before Q2.", 1, 1, 1},
	{"Pricing feedback", "Delta Fintech finds the per-seat price high; propose volume tiers.", 9, 4, 4},
	{"Security review", "Omar sent the vendor questionnaire. Due next week.", 12, 5, 0},
}

type seedTask struct {
	title, status, dueAt   string
	assignee               int
	person, company, oppty int
}

var seedTasks = []seedTask{
	{"Send pilot proposal", "IN_PROGRESS", "2025-02-14T17:00:00.000Z", 1, 1, 1, 1},
	{"Book demo with Blue Harbor", "TODO", "2025-02-20T10:00:00.000Z", 2, 4, 2, 2},
	{"Answer security questionnaire", "TODO", "2025-02-10T12:00:00.000Z", 1, 12, 5, 0},
	{"Renewal paperwork", "DONE", "2025-01-31T09:00:00.000Z", 2, 7, 3, 3},
}

// seeder inserts records through the same checks as the API, with fixed
// ids and timestamps, skipping objects and fields the model lacks.
type seeder struct {
	st  *store
	seq int
	err error
}

func (sd *seeder) add(singular string, code, n int, fields map[string]any) {
	if sd.err != nil {
		return
	}
	oi := sd.st.bySingular[singular]
	if oi == nil {
		return
	}
	in := map[string]any{}
	for k, v := range fields {
		_, isField := oi.fields[k]
		_, isFK := oi.fks[k]
		if isField || isFK {
			in[k] = normalizeJSON(v)
		}
	}
	for k, v := range in {
		// A reference to an object the model lacks cannot be checked.
		if rf, ok := oi.fks[k]; ok && (sd.st.bySingular[rf.Relation.TargetObject] == nil || v == nil) {
			delete(in, k)
		}
	}
	sd.seq++
	at := formatTime(seedEpoch.Add(time.Duration(sd.seq) * time.Hour))
	in["id"] = seedID(code, n)
	if _, ok := oi.fields["createdAt"]; ok {
		in["createdAt"] = at
	}
	if _, ok := oi.fields["position"]; ok {
		in["position"] = normalizeJSON(n)
	}
	actor := map[string]any{"source": "MANUAL", "workspaceMemberId": seedID(codeWorkspaceMember, 1), "name": "Jane Doe", "context": map[string]any{}}
	rec, err := sd.st.write(oi, in, nil, actor)
	if err != nil {
		sd.err = fmt.Errorf("%s %d: %s", singular, n, err.msg)
		return
	}
	if _, ok := oi.fields["updatedAt"]; ok {
		rec["updatedAt"] = at
	}
	sd.st.rows[oi.o.NamePlural][rec["id"].(string)] = rec
}

func ref(code, n int) any {
	if n == 0 {
		return nil
	}
	return seedID(code, n)
}

func seed(st *store) error {
	sd := &seeder{st: st}
	members := []struct{ first, last, email, tz string }{
		{"Jane", "Doe", "jane.doe@twentytest.dev", "Europe/Paris"},
		{"Sam", "Rivera", "sam.rivera@twentytest.dev", "America/New_York"},
	}
	for i, m := range members {
		sd.add("workspaceMember", codeWorkspaceMember, i+1, map[string]any{
			"name":      map[string]any{"firstName": m.first, "lastName": m.last},
			"userEmail": m.email, "userId": seedID(0x9, i+1), "locale": "en", "colorScheme": "System",
			"timeZone": m.tz, "calendarStartDay": 1,
		})
	}
	for i, c := range seedCompanies {
		sd.add("company", codeCompany, i+1, map[string]any{
			"name":       c.name,
			"domainName": map[string]any{"primaryLinkUrl": c.domain},
			"address":    map[string]any{"addressCity": c.city, "addressCountry": c.country},
			"employees":  c.employees,
			"linkedinLink": map[string]any{
				"primaryLinkUrl": "https://www.linkedin.com/company/" + slug(c.name),
			},
			"annualRecurringRevenue": map[string]any{"amountMicros": c.arrMicros, "currencyCode": "USD"},
			"annualRevenue":          map[string]any{"amountMicros": c.arrMicros, "currencyCode": "USD"},
			"idealCustomerProfile":   c.icp,
			"accountOwnerId":         ref(codeWorkspaceMember, c.owner),
		})
	}
	for i, p := range seedPeople {
		email := strings.ToLower(asciiFold(p.first) + "." + strings.ReplaceAll(asciiFold(p.last), " ", ""))
		if p.company > 0 {
			email += "@" + strings.TrimPrefix(seedCompanies[p.company-1].domain, "https://")
		} else {
			email += "@mail.example"
		}
		sd.add("person", codePerson, i+1, map[string]any{
			"name":     map[string]any{"firstName": p.first, "lastName": p.last},
			"emails":   map[string]any{"primaryEmail": email},
			"jobTitle": p.job, "city": p.city,
			"phones": map[string]any{"primaryPhoneNumber": p.phone, "primaryPhoneCountryCode": p.country,
				"primaryPhoneCallingCode": p.calling},
			"linkedinLink": map[string]any{"primaryLinkUrl": "https://www.linkedin.com/in/" + slug(p.first+" "+p.last+" "+fmt.Sprint(i+1))},
			"companyId":    ref(codeCompany, p.company),
		})
	}
	for i, o := range seedOpportunities {
		sd.add("opportunity", codeOpportunity, i+1, map[string]any{
			"name": o.name, "stage": o.stage, "closeDate": o.closeDate,
			"amount":           map[string]any{"amountMicros": o.amountMicros, "currencyCode": o.currency},
			"companyId":        ref(codeCompany, o.company),
			"pointOfContactId": ref(codePerson, o.contact),
			"ownerId":          ref(codeWorkspaceMember, o.owner),
		})
	}
	nt := 0
	for i, n := range seedNotes {
		sd.add("note", codeNote, i+1, map[string]any{
			"title":  n.title,
			"bodyV2": map[string]any{"markdown": n.markdown},
		})
		for _, tgt := range []struct {
			col       string
			code, idx int
		}{{"targetPersonId", codePerson, n.person}, {"targetCompanyId", codeCompany, n.company}, {"targetOpportunityId", codeOpportunity, n.oppty}} {
			if tgt.idx == 0 {
				continue
			}
			nt++
			sd.add("noteTarget", codeNoteTarget, nt, map[string]any{"noteId": seedID(codeNote, i+1), tgt.col: seedID(tgt.code, tgt.idx)})
		}
	}
	tt := 0
	for i, t := range seedTasks {
		sd.add("task", codeTask, i+1, map[string]any{
			"title": t.title, "status": t.status, "dueAt": t.dueAt,
			"bodyV2":     map[string]any{"markdown": ""},
			"assigneeId": ref(codeWorkspaceMember, t.assignee),
		})
		for _, tgt := range []struct {
			col       string
			code, idx int
		}{{"targetPersonId", codePerson, t.person}, {"targetCompanyId", codeCompany, t.company}, {"targetOpportunityId", codeOpportunity, t.oppty}} {
			if tgt.idx == 0 {
				continue
			}
			tt++
			sd.add("taskTarget", codeTaskTarget, tt, map[string]any{"taskId": seedID(codeTask, i+1), tgt.col: seedID(tgt.code, tgt.idx)})
		}
	}
	seedActivity(sd)
	return sd.err
}

// seedActivity adds a few records of the 2.x objects: a meeting, an email
// thread, a workflow with a run, a campaign to a list, a dashboard.
func seedActivity(sd *seeder) {
	sd.add("calendarEvent", codeCalendarEvent, 1, map[string]any{
		"title": "Pilot scoping with Acme", "startsAt": "2025-02-03T15:00:00.000Z", "endsAt": "2025-02-03T16:00:00.000Z",
		"location": "Video call", "conferenceLink": map[string]any{"primaryLinkUrl": "https://meet.example/acme-pilot"},
	})
	for i, p := range []struct {
		person, member int
		handle, name   string
		organizer      bool
		response       string
	}{
		{0, 1, "jane.doe@twentytest.dev", "Jane Doe", true, "ACCEPTED"},
		{1, 0, "maya.chen@acme-robotics.com", "Maya Chen", false, "ACCEPTED"},
		{2, 0, "daniel.okafor@acme-robotics.com", "Daniel Okafor", false, "TENTATIVE"},
	} {
		sd.add("calendarEventParticipant", codeCalendarEventParticipant, i+1, map[string]any{
			"calendarEventId": seedID(codeCalendarEvent, 1), "personId": ref(codePerson, p.person),
			"workspaceMemberId": ref(codeWorkspaceMember, p.member), "handle": p.handle, "displayName": p.name,
			"isOrganizer": p.organizer, "responseStatus": p.response,
		})
	}
	sd.add("calendarEventTarget", codeCalendarEventTarget, 1, map[string]any{
		"calendarEventId": seedID(codeCalendarEvent, 1), "targetCompanyId": seedID(codeCompany, 1), "isAutomaticallyAssigned": true,
	})
	sd.add("callRecording", codeCallRecording, 1, map[string]any{
		"title": "Pilot scoping with Acme", "status": "COMPLETED", "calendarEventId": seedID(codeCalendarEvent, 1),
		"startedAt": "2025-02-03T15:01:00.000Z", "endedAt": "2025-02-03T15:58:00.000Z",
		"summary": map[string]any{"markdown": "Two warehouses, start in March."},
	})
	sd.add("messageThread", codeMessageThread, 1, map[string]any{"subject": "Payments API pricing"})
	for i, m := range []struct{ text, at string }{
		{"Could you share volume pricing?", "2025-02-11T08:30:00.000Z"},
		{"Attached: tiers from 100 seats.", "2025-02-11T10:05:00.000Z"},
	} {
		sd.add("message", codeMessage, i+1, map[string]any{
			"messageThreadId": seedID(codeMessageThread, 1), "subject": "Payments API pricing", "text": m.text,
			"receivedAt": m.at, "headerMessageId": fmt.Sprintf("<m%d@deltafin.eu>", i+1),
		})
	}
	for i, p := range []struct {
		message, person, member int
		role, handle            string
	}{
		{1, 9, 0, "FROM", "camille.durand@deltafin.eu"}, {1, 0, 2, "TO", "sam.rivera@twentytest.dev"},
		{2, 0, 2, "FROM", "sam.rivera@twentytest.dev"}, {2, 9, 0, "TO", "camille.durand@deltafin.eu"},
	} {
		sd.add("messageParticipant", codeMessageParticipant, i+1, map[string]any{
			"messageId": seedID(codeMessage, p.message), "personId": ref(codePerson, p.person),
			"workspaceMemberId": ref(codeWorkspaceMember, p.member), "role": p.role, "handle": p.handle,
		})
	}
	sd.add("messageThreadTarget", codeMessageThreadTarget, 1, map[string]any{
		"messageThreadId": seedID(codeMessageThread, 1), "targetOpportunityId": seedID(codeOpportunity, 4), "isAutomaticallyAssigned": true,
	})
	sd.add("messageList", codeMessageList, 1, map[string]any{"name": "Customers", "description": "Everyone at a customer company."})
	for i, p := range []int{7, 8} {
		sd.add("messageListMember", codeMessageListMember, i+1, map[string]any{
			"listId": seedID(codeMessageList, 1), "personId": seedID(codePerson, p),
		})
	}
	sd.add("messageCampaign", codeMessageCampaign, 1, map[string]any{
		"name": "February newsletter", "subject": "What's new in February", "status": "SENT",
		"fromAddress": map[string]any{"primaryEmail": "news@twentytest.dev"}, "listId": seedID(codeMessageList, 1),
		"sentAt": "2025-02-15T09:00:00.000Z", "sentCount": 2, "deliveredCount": 2,
	})
	sd.add("blocklist", codeBlocklist, 1, map[string]any{
		"handle": "@spam.example", "scope": "WORKSPACE", "workspaceMemberId": seedID(codeWorkspaceMember, 1),
	})
	sd.add("dashboard", codeDashboard, 1, map[string]any{"title": "Sales pipeline"})
	sd.add("workflow", codeWorkflow, 1, map[string]any{"name": "Welcome new customers", "statuses": []any{"ACTIVE"}})
	trigger := map[string]any{"type": "DATABASE_EVENT", "settings": map[string]any{"eventName": "opportunity.updated"}}
	sd.add("workflowVersion", codeWorkflowVersion, 1, map[string]any{
		"name": "v1", "status": "ACTIVE", "workflowId": seedID(codeWorkflow, 1), "trigger": trigger, "steps": []any{},
	})
	sd.add("workflowAutomatedTrigger", codeWorkflowAutomatedTrigger, 1, map[string]any{
		"type": "DATABASE_EVENT", "settings": trigger["settings"], "workflowId": seedID(codeWorkflow, 1),
	})
	sd.add("workflowRun", codeWorkflowRun, 1, map[string]any{
		"name": "Run #1", "status": "COMPLETED", "workflowId": seedID(codeWorkflow, 1),
		"workflowVersionId": seedID(codeWorkflowVersion, 1), "state": map[string]any{"stepInfos": map[string]any{}},
		"startedAt": "2025-02-04T08:00:00.000Z", "endedAt": "2025-02-04T08:00:02.000Z",
	})
}

func slug(s string) string {
	s = strings.ToLower(asciiFold(s))
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// asciiFold drops the accents of the few letters the sample names use.
func asciiFold(s string) string {
	return strings.NewReplacer("è", "e", "é", "e", "í", "i", "á", "a", "ñ", "n", "ú", "u", "ó", "o").Replace(s)
}
