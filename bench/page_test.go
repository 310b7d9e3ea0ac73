package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	"github.com/go-faster/jx"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	ogenpeople "github.com/twenty-go/twenty/bench/ogen"
)

// One page of 200 people, identical for every variant.
var pageBody = sync.OnceValue(func() []byte { return NewGenerator(seed).PageBody(0, pageSize, 100_000) })

// (a) hand-written net/http + encoding/json into the generated types: what
// a careful user writes without this library.
func getStructs(ctx context.Context, hc *http.Client, url string) (*api.FindManyPeopleResult, error) {
	var out api.FindManyPeopleResult
	return &out, get(ctx, hc, url, &out)
}

// (b) the same into map[string]any: what most other Twenty clients do.
func getMap(ctx context.Context, hc *http.Client, url string) (map[string]any, error) {
	var out map[string]any
	return out, get(ctx, hc, url, &out)
}

func get(ctx context.Context, hc *http.Client, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/rest/people?limit=200", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func checkCount(n int) error {
	if n != pageSize {
		return fmt.Errorf("%d records, want %d", n, pageSize)
	}
	return nil
}

func mapCount(m map[string]any) int {
	data, _ := m["data"].(map[string]any)
	people, _ := data["people"].([]any)
	return len(people)
}

// Variant names, shared with cmd/report.
const (
	nameStructs = "nethttp-structs" // (a)
	nameMap     = "nethttp-map"     // (b)
	nameOgen    = "ogen"            // (c)
	nameTwenty  = "twenty"          // (d)
	// ogen's whole call over the in-memory transport (decode only): the
	// like-for-like baseline for twenty's, which cannot decode without
	// making its call.
	nameOgenClient = "ogen-client"
)

// ogenList is ogen's whole call for one page.
func ogenList(ctx context.Context, og *ogenpeople.Client) func() error {
	params := ogenpeople.FindManyPeopleParams{Limit: ogenpeople.NewOptInt(pageSize)}
	return func() error {
		out, err := og.FindManyPeople(ctx, params)
		if err != nil {
			return err
		}
		return checkCount(len(out.Data.People))
	}
}

// roundtripOps are the four variants fetching the page from srv.
func roundtripOps(tb testing.TB, srv *httptest.Server) map[string]func() error {
	ctx := context.Background()
	hc := &http.Client{}
	og := newOgen(tb, srv.URL, hc)
	tw := newTwenty(tb, srv.URL).People()
	twOpts := &twenty.ListOptions{Limit: pageSize}
	return map[string]func() error{
		nameStructs: func() error {
			out, err := getStructs(ctx, hc, srv.URL)
			if err != nil {
				return err
			}
			return checkCount(len(out.Data.People))
		},
		nameMap: func() error {
			out, err := getMap(ctx, hc, srv.URL)
			if err != nil {
				return err
			}
			return checkCount(mapCount(out))
		},
		nameOgen: ogenList(ctx, og),
		nameTwenty: func() error {
			page, err := tw.List(ctx, twOpts)
			if err != nil {
				return err
			}
			return checkCount(len(page.Records))
		},
	}
}

// decodeOps are the four variants decoding body without a network. The
// client has no decode-only entry point: it makes its whole call over a
// transport that answers from memory, so what it reports is decoding plus
// building the request and its own overhead (a slight handicap against the
// bare decoders).
func decodeOps(tb testing.TB, body []byte) map[string]func() error {
	ctx := context.Background()
	tw := newTwenty(tb, "http://127.0.0.1", twenty.WithHTTPClient(&http.Client{Transport: memTransport{body}})).People()
	twOpts := &twenty.ListOptions{Limit: pageSize}
	og := newOgen(tb, "http://127.0.0.1", &http.Client{Transport: memTransport{body}})
	return map[string]func() error{
		nameOgenClient: ogenList(ctx, og),
		nameStructs: func() error {
			var out api.FindManyPeopleResult
			if err := json.Unmarshal(body, &out); err != nil {
				return err
			}
			return checkCount(len(out.Data.People))
		},
		nameMap: func() error {
			var out map[string]any
			if err := json.Unmarshal(body, &out); err != nil {
				return err
			}
			return checkCount(mapCount(out))
		},
		nameOgen: func() error {
			var out ogenpeople.FindManyPeopleResult
			if err := out.Decode(jx.DecodeBytes(body)); err != nil {
				return err
			}
			return checkCount(len(out.Data.People))
		},
		nameTwenty: func() error {
			page, err := tw.List(ctx, twOpts)
			if err != nil {
				return err
			}
			return checkCount(len(page.Records))
		},
	}
}

// BenchmarkPage fetches one page of 200 people (about 250 KB) from a
// loopback server (roundtrip/...) and decodes the same bytes without a
// network (decode/...), each variant on its own, for ns/op, B/op and
// allocs/op. The twenty variants report their ratios to the baselines
// measured just before them in the same run.
func BenchmarkPage(b *testing.B) {
	body := pageBody()
	b.Run("roundtrip", func(b *testing.B) {
		runVariants(b, "roundtrip/", roundtripOps(b, pageServer(b, body)), false)
	})
	b.Run("decode", func(b *testing.B) {
		runVariants(b, "decode/", decodeOps(b, body), true)
	})
}

// runVariants runs the baselines, then twenty, which reports its ratios.
// With setBytes the results show MB/s of JSON decoded.
func runVariants(b *testing.B, prefix string, ops map[string]func() error, setBytes bool) {
	body := pageBody()
	for _, name := range []string{nameStructs, nameMap, nameOgen, nameOgenClient} {
		if ops[name] == nil {
			continue
		}
		b.Run(name, func(b *testing.B) {
			if setBytes {
				b.SetBytes(int64(len(body)))
			}
			loop(b, prefix+name, ops[name])
		})
	}
	b.Run(nameTwenty, func(b *testing.B) {
		if setBytes {
			b.SetBytes(int64(len(body)))
		}
		m := loop(b, prefix+nameTwenty, ops[nameTwenty])
		a := baseline(b, prefix+nameStructs, ops[nameStructs])
		mp := baseline(b, prefix+nameMap, ops[nameMap])
		og := baseline(b, prefix+nameOgen, ops[nameOgen])
		b.ReportMetric(m.ns/og.ns, "time/ogen")
		if ops[nameOgenClient] != nil {
			oc := baseline(b, prefix+nameOgenClient, ops[nameOgenClient])
			b.ReportMetric(m.ns/oc.ns, "time/ogen-client")
		}
		b.ReportMetric(m.ns/a.ns, "time/structs")
		b.ReportMetric(m.bytes/a.bytes, "B/structs")
		b.ReportMetric(m.bytes/mp.bytes, "B/map")
	})
}

// TestTwentyRecordsEqualHandWritten: the records twenty.Client returns are
// the ones hand-written encoding/json decodes from the same page, field
// for field (reflect.DeepEqual), and so are the page's cursors and count.
func TestTwentyRecordsEqualHandWritten(t *testing.T) {
	srv := pageServer(t, pageBody())
	ctx := context.Background()
	want, err := getStructs(ctx, &http.Client{}, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := newTwenty(t, srv.URL)
	for round := range 3 { // again with recycled body buffers
		page, err := c.People().List(ctx, &twenty.ListOptions{Limit: pageSize})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Records) != pageSize || len(want.Data.People) != pageSize {
			t.Fatalf("got %d and %d records, want %d", len(page.Records), len(want.Data.People), pageSize)
		}
		if !reflect.DeepEqual(page.Records, want.Data.People) {
			for i := range page.Records {
				if !reflect.DeepEqual(page.Records[i], want.Data.People[i]) {
					g, _ := json.Marshal(page.Records[i])
					w, _ := json.Marshal(want.Data.People[i])
					t.Fatalf("round %d: record %d differs:\n got %s\nwant %s", round, i, g, w)
				}
			}
			t.Fatalf("round %d: records differ", round)
		}
		if page.PageInfo.EndCursor != *want.PageInfo.EndCursor || page.PageInfo.StartCursor != *want.PageInfo.StartCursor ||
			page.PageInfo.HasNextPage != *want.PageInfo.HasNextPage || page.TotalCount != *want.TotalCount {
			t.Fatalf("page info %+v, total %d; want %+v, %d", page.PageInfo, page.TotalCount, want.PageInfo, *want.TotalCount)
		}
	}
	// Every composite field is populated, so the comparison covers them;
	// the deprecated xLink and city too, as upgraded 1.x workspaces send them.
	p := want.Data.People[0]
	//lint:ignore SA1019 the payload carries the 1.x fields on purpose
	legacy := p.XLink.PrimaryLinkURL != "" && p.City != ""
	if !legacy || p.Name.FirstName == "" || p.Emails.PrimaryEmail == "" || len(p.Emails.AdditionalEmails) == 0 || p.Phones.PrimaryPhoneNumber == "" ||
		len(p.Phones.AdditionalPhones) == 0 || p.LinkedinLink.PrimaryLinkURL == "" || len(p.LinkedinLink.SecondaryLinks) == 0 ||
		len(p.AvatarFile) == 0 || p.CreatedBy.Source == nil || p.CreatedBy.WorkspaceMemberID == nil ||
		p.UpdatedBy.Source == nil || p.CreatedAt == nil || p.UpdatedAt == nil || p.Position == nil || p.CompanyID == nil ||
		p.JobTitle == "" {
		t.Fatalf("sample person is missing composite fields: %+v", p)
	}
	if p.CreatedAt.Nanosecond()%int(1e6) != 0 || p.CreatedAt.Nanosecond() == 0 && p.UpdatedAt.Nanosecond() == 0 {
		t.Fatalf("timestamps should carry milliseconds: %v %v", p.CreatedAt, p.UpdatedAt)
	}
}

// The ogen client reads the same page: the comparison is like for like.
func TestOgenReadsThePage(t *testing.T) {
	srv := pageServer(t, pageBody())
	out, err := newOgen(t, srv.URL, &http.Client{}).FindManyPeople(context.Background(),
		ogenpeople.FindManyPeopleParams{Limit: ogenpeople.NewOptInt(pageSize)})
	if err != nil {
		t.Fatal(err)
	}
	want, err := getStructs(context.Background(), &http.Client{}, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Data.People) != pageSize {
		t.Fatalf("ogen decoded %d people", len(out.Data.People))
	}
	for i, p := range out.Data.People {
		w := want.Data.People[i]
		if p.ID != w.ID || p.Emails.Value.PrimaryEmail.Value != w.Emails.PrimaryEmail ||
			len(p.Phones.Value.AdditionalPhones.Value) != len(w.Phones.AdditionalPhones) ||
			!p.UpdatedAt.Value.Equal(*w.UpdatedAt) {
			t.Fatalf("person %d differs between ogen and encoding/json", i)
		}
	}
}
