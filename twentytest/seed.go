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
)

// SeedID returns the id of the n-th (from 1) seeded record of an object:
// "person", "company", "opportunity", "note", "task", "noteTarget",
// "taskTarget" or "workspaceMember". It returns "" for other objects.
func SeedID(singular string, n int) string {
	code, ok := map[string]int{
		"person": codePerson, "company": codeCompany, "opportunity": codeOpportunity, "note": codeNote,
		"task": codeTask, "noteTarget": codeNoteTarget, "taskTarget": codeTaskTarget, "workspaceMember": codeWorkspaceMember,
	}[singular]
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
	return sd.err
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
