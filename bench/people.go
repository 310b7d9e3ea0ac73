// Package bench measures the twenty client against baselines: hand-written
// net/http + encoding/json, encoding/json into maps, and an ogen-generated
// client, all served the same realistic payload from loopback servers. It is
// a separate module so that the peer code (ogen, benchstat) stays out of the
// library's go.mod. Run it with make bench in the repository root.
package bench

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// The JSON below is shaped like what Twenty's REST API returns for a person
// at depth 0: every composite field present and populated, keys in the
// server's column order, nulls sent explicitly, timestamps with
// milliseconds. The types exist only to encode it; the benchmarks decode
// into the generated api types, into maps and into ogen's types.

type fullName struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

type emails struct {
	PrimaryEmail     string   `json:"primaryEmail"`
	AdditionalEmails []string `json:"additionalEmails"`
}

type secondaryLink struct {
	URL   string `json:"url"`
	Label string `json:"label"`
}

type links struct {
	PrimaryLinkURL   string          `json:"primaryLinkUrl"`
	PrimaryLinkLabel string          `json:"primaryLinkLabel"`
	SecondaryLinks   []secondaryLink `json:"secondaryLinks"`
}

type additionalPhone struct {
	Number      string `json:"number"`
	CountryCode string `json:"countryCode"`
	CallingCode string `json:"callingCode"`
}

type phones struct {
	PrimaryPhoneNumber      string            `json:"primaryPhoneNumber"`
	PrimaryPhoneCountryCode string            `json:"primaryPhoneCountryCode"`
	PrimaryPhoneCallingCode string            `json:"primaryPhoneCallingCode"`
	AdditionalPhones        []additionalPhone `json:"additionalPhones"`
}

type fileItem struct {
	FileID    string `json:"fileId"`
	Label     string `json:"label"`
	Extension string `json:"extension"`
	URL       string `json:"url"`
}

type actorContext struct {
	Provider *string `json:"provider,omitempty"`
}

type actor struct {
	Source            string       `json:"source"`
	WorkspaceMemberID *string      `json:"workspaceMemberId"`
	Name              string       `json:"name"`
	Context           actorContext `json:"context"`
}

type person struct {
	ID           string     `json:"id"`
	Name         fullName   `json:"name"`
	Emails       emails     `json:"emails"`
	LinkedinLink links      `json:"linkedinLink"`
	XLink        links      `json:"xLink"`
	JobTitle     string     `json:"jobTitle"`
	Phones       phones     `json:"phones"`
	City         string     `json:"city"`
	AvatarURL    string     `json:"avatarUrl"`
	AvatarFile   []fileItem `json:"avatarFile"`
	Position     float64    `json:"position"`
	CreatedBy    actor      `json:"createdBy"`
	UpdatedBy    actor      `json:"updatedBy"`
	CreatedAt    string     `json:"createdAt"`
	UpdatedAt    string     `json:"updatedAt"`
	DeletedAt    *string    `json:"deletedAt"`
	CompanyID    *string    `json:"companyId"`
}

var (
	firstNames = []string{"Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Donald", "Frances", "Linus",
		"Margaret", "Dennis", "Radia", "Ken", "Hedy", "Tim", "Sophie", "Guido", "Anita", "Niklaus", "Shafi",
		"Élodie", "Jürgen", "Søren", "María José", "Zoë"}
	lastNames = []string{"Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth", "Allen",
		"Torvalds", "Hamilton", "Ritchie", "Perlman", "Thompson", "Lamarr", "Berners-Lee", "Wilson",
		"van Rossum", "Borg", "Wirth", "Goldwasser", "Dubois-Martin", "Schmidhuber", "Kierkegaard", "García López", "O'Brien"}
	jobTitles = []string{"Chief Executive Officer", "VP of Engineering", "Head of Procurement", "Account Executive",
		"Senior Software Engineer", "Customer Success Manager", "Product Designer", "Chief Financial Officer",
		"Operations Lead", "Marketing Director", ""}
	cities = []string{"Paris", "San Francisco", "London", "Berlin", "New York", "Lyon", "Montréal", "São Paulo",
		"Bangalore", "Tokyo", "Sydney", "Amsterdam", ""}
	domains   = []string{"acme.com", "initech.io", "globex.fr", "umbrella.co.uk", "hooli.xyz", "stark-industries.com", "wayne.enterprises"}
	countries = []struct{ country, calling string }{{"FR", "+33"}, {"US", "+1"}, {"GB", "+44"}, {"DE", "+49"},
		{"BR", "+55"}, {"IN", "+91"}, {"JP", "+81"}}
	sources = []string{"MANUAL", "IMPORT", "API", "EMAIL", "CALENDAR"}
)

// Generator makes deterministic people: the same seed and index always give
// the same person.
type Generator struct {
	Seed uint64
	// Members are the workspace members that appear in createdBy.
	members []string
	// Companies are the ids people point at with companyId.
	companies []string
}

// NewGenerator returns a generator for seed.
func NewGenerator(seed uint64) *Generator {
	g := &Generator{Seed: seed}
	r := rand.New(rand.NewPCG(seed, 1))
	for range 8 {
		g.members = append(g.members, uuid(r))
	}
	for range 40 {
		g.companies = append(g.companies, uuid(r))
	}
	return g
}

func uuid(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func slug(s string) string {
	out := make([]byte, 0, len(s))
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			out = append(out, c)
		case c >= 'A' && c <= 'Z':
			out = append(out, c+'a'-'A')
		case c == ' ', c == '-', c == '\'':
			out = append(out, '-')
		}
	}
	return string(out)
}

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func stamp(r *rand.Rand, after time.Time) time.Time {
	return after.Add(time.Duration(r.Int64N(int64(400*24*time.Hour))) / time.Millisecond * time.Millisecond)
}

func phoneNumber(r *rand.Rand) string { return fmt.Sprintf("%d%08d", 1+r.IntN(9), r.IntN(100000000)) }

func (g *Generator) person(i int) person {
	r := rand.New(rand.NewPCG(g.Seed, uint64(i)+2))
	first, last := pick(r, firstNames), pick(r, lastNames)
	dom := pick(r, domains)
	handle := slug(first) + "." + slug(last)
	c := pick(r, countries)
	c2 := pick(r, countries)
	created := stamp(r, epoch)
	updated := stamp(r, created)
	creator, updater := pick(r, g.members), pick(r, g.members)
	provider := "google"
	p := person{
		ID:   uuid(r),
		Name: fullName{FirstName: first, LastName: last},
		Emails: emails{
			PrimaryEmail:     fmt.Sprintf("%s%d@%s", handle, i, dom),
			AdditionalEmails: []string{fmt.Sprintf("%s@%s", slug(first), pick(r, domains))},
		},
		LinkedinLink: links{
			PrimaryLinkURL:   "linkedin.com/in/" + handle,
			PrimaryLinkLabel: "",
			SecondaryLinks:   []secondaryLink{},
		},
		XLink: links{
			PrimaryLinkURL:   "x.com/" + slug(first) + fmt.Sprintf("%d", r.IntN(100)),
			PrimaryLinkLabel: "",
			SecondaryLinks:   []secondaryLink{},
		},
		JobTitle: pick(r, jobTitles),
		Phones: phones{
			PrimaryPhoneNumber:      phoneNumber(r),
			PrimaryPhoneCountryCode: c.country,
			PrimaryPhoneCallingCode: c.calling,
			AdditionalPhones: []additionalPhone{
				{Number: phoneNumber(r), CountryCode: c2.country, CallingCode: c2.calling},
			},
		},
		City:      pick(r, cities),
		AvatarURL: "",
		AvatarFile: []fileItem{{
			FileID:    uuid(r),
			Label:     "avatar.png",
			Extension: "png",
			URL:       fmt.Sprintf("person/avatar/%x.png", r.Uint64()),
		}},
		Position:  float64(i) + []float64{0, 0.5, 0.25, 0.125}[r.IntN(4)],
		CreatedBy: actor{Source: pick(r, sources), WorkspaceMemberID: &creator, Name: pick(r, firstNames) + " " + pick(r, lastNames), Context: actorContext{}},
		UpdatedBy: actor{Source: "MANUAL", WorkspaceMemberID: &updater, Name: pick(r, firstNames) + " " + pick(r, lastNames), Context: actorContext{Provider: &provider}},
		CreatedAt: created.Format("2006-01-02T15:04:05.000Z"),
		UpdatedAt: updated.Format("2006-01-02T15:04:05.000Z"),
	}
	if i%2 == 0 {
		p.LinkedinLink.SecondaryLinks = []secondaryLink{{URL: "linkedin.com/company/" + slug(dom), Label: "Work"}}
	}
	if r.IntN(10) != 0 { // most people work somewhere
		id := pick(r, g.companies)
		p.CompanyID = &id
	}
	return p
}

// Cursor is the opaque cursor of record i, as base64 JSON like the server's.
func (g *Generator) Cursor(i int) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, `{"position":%d,"id":"%s"}`, i, g.person(i).ID))
}

// PageBody is the JSON body of the page holding records [start, start+n)
// out of total, with its pageInfo and totalCount.
func (g *Generator) PageBody(start, n, total int) []byte {
	n = max(min(n, total-start), 0)
	people := make([]person, n)
	for k := range people {
		people[k] = g.person(start + k)
	}
	type pageInfo struct {
		StartCursor     *string `json:"startCursor"`
		EndCursor       *string `json:"endCursor"`
		HasNextPage     bool    `json:"hasNextPage"`
		HasPreviousPage bool    `json:"hasPreviousPage"`
	}
	var pi pageInfo
	if n > 0 {
		sc, ec := g.Cursor(start), g.Cursor(start+n-1)
		pi.StartCursor, pi.EndCursor = &sc, &ec
	}
	pi.HasNextPage = start+n < total
	pi.HasPreviousPage = start > 0
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		Data struct {
			People []person `json:"people"`
		} `json:"data"`
		PageInfo   pageInfo `json:"pageInfo"`
		TotalCount int      `json:"totalCount"`
	}{Data: struct {
		People []person `json:"people"`
	}{people}, PageInfo: pi, TotalCount: total})
	if err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
