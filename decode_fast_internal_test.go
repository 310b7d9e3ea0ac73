package twenty

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"runtime"
	"testing"
	"testing/iotest"

	"github.com/twenty-go/twenty/api"
)

// The fast decoder (goccy/go-json into a struct made for the payload key)
// must agree with the general one (encoding/json walking the envelope)
// wherever it accepts a body, and step aside wherever it does not. One
// known difference, for bodies no server sends: with "data" twice at the
// top level the fast path keeps the last (as encoding/json's Unmarshal
// does), the general path the first.
func TestDecodeFastAgreesWithDecodeEnvelope(t *testing.T) {
	t.Parallel()
	const id = "2f4a5b6c-1d2e-4f30-8a1b-0c9d8e7f6a5b"
	bodies := []string{
		`{"data":{"people":[{"id":"` + id + `","name":{"firstName":"Ada","lastName":null},"emails":{"primaryEmail":"a@b.c","additionalEmails":[]},` +
			`"phones":{"additionalPhones":[{"number":"1","countryCode":"FR","callingCode":"+33"}]},"position":1.5,` +
			`"createdAt":"2025-01-02T03:04:05.678Z","deletedAt":null,"avatarFile":[],"xLink":{"secondaryLinks":null}}]},` +
			`"pageInfo":{"startCursor":"YQ==","endCursor":"Yg==","hasNextPage":true,"hasPreviousPage":false},"totalCount":3}`,
		" \n{ \"data\" :\t{ \"people\" : [ ] } , \"totalCount\" : 0 }\n",
		`{"data":{"people":[]},"pageInfo":null,"totalCount":null}`,
		`{"data":{"people":[{"id":"` + id + `","unknown":{"deep":[1,"two",{"x":null}]},"city":"Montr\u00e9al \ud83d\ude00"}]}}`,
		`{"data":{"people":[{"jobTitle":"caf\xe9"}]}}`, // invalid UTF-8 becomes U+FFFD in both
		`{"data":{"createPeople":[{"id":"` + id + `"}]}}`,
		`{"data":{"people":[],"other":1}}`,
		// refused by both, or not the usual shape: the general path decides
		`{"data":{"people":null}}`,
		`{"data":{}}`,
		`{"data":null}`,
		`null`,
		``,
		`[]`,
		`<html>502 Bad Gateway</html>`,
		`{"pageInfo":{},"data":{"people":[]}}`,
		`{"data":{"people":[1]}}`,
		`{"data":{"people":[]}} trailing`,
		`{"data":{"people":[{"id":"not-a-uuid"}]}}`,
		`{"data":{"people":[{"position":1e400}]}}`,
		`{"data":{"people":[{"createdAt":"yesterday"}]}}`,
		`{"data":{"people":[]},"totalCount":"3"}`,
		`{"data":{"people":[]},"pageInfo":{"hasNextPage":"yes"}}`,
		`{"data":{"peo\u0070le":[]}}`,
		`{"data":{"people":[{"id":"` + id + `"}`,
	}
	for _, body := range bodies {
		var want []api.PersonForResponse
		var wantMeta pageMeta
		wantErr := decodeEnvelope([]byte(body), func(dec *json.Decoder) error { return dec.Decode(&want) }, &wantMeta)

		got := make([]api.PersonForResponse, 0, 4)
		var gotMeta pageMeta
		if !decodeFast([]byte(body), &got, &gotMeta) {
			continue
		}
		if wantErr != nil {
			t.Errorf("%.60q: fast path accepted what the general one refuses (%v)", body, wantErr)
			continue
		}
		if !reflect.DeepEqual(got, want) || gotMeta != wantMeta {
			t.Errorf("%.60q: fast path gives %+v %+v, general %+v %+v", body, got, gotMeta, want, wantMeta)
		}
	}
	for _, body := range []string{`{"data":{"people":null}}`, `{"data":{}}`, `null`, `{"data":{"people":[1]}}`, `{"pageInfo":{},"data":{"people":[]}}`} {
		var v []api.PersonForResponse
		if decodeFast([]byte(body), &v, nil) {
			t.Errorf("%q: the fast path should leave it to the general one", body)
		}
	}
}

// Untyped and raw records come out of the fast path as out of the general.
func TestDecodeFastUntyped(t *testing.T) {
	t.Parallel()
	body := []byte(`{"data":{"createPerson":{"id":"x","n":1.5,"big":12345678901234567890,"s":"\u00e9","nested":{"a":[true,null]}}}}`)
	var rec Record
	if !decodeFast(body, &rec, nil) {
		t.Fatal("fast path refused a record")
	}
	var want Record
	if err := decodeEnvelope(body, func(dec *json.Decoder) error { return dec.Decode(&want) }, nil); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rec, want) {
		t.Errorf("fast %v, general %v", rec, want)
	}
	var raw json.RawMessage
	if !decodeFast(body, &raw, nil) {
		t.Fatal("fast path refused a raw record")
	}
	var wantRaw json.RawMessage
	if err := decodeEnvelope(body, func(dec *json.Decoder) error { return dec.Decode(&wantRaw) }, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, wantRaw) {
		t.Errorf("fast %s, general %s", raw, wantRaw)
	}
	body[len(body)-5] = 'X' // the decoded values must not share the body's bytes
	if !bytes.Equal(raw, wantRaw) {
		t.Error("the raw record refers to the body")
	}
}

// A server inventing payload keys cannot grow the cache of envelope types
// without end: past the bound such bodies take the general path.
func TestEnvelopeTypeCacheIsBounded(t *testing.T) {
	if _, ok := envelopeType("people", reflect.TypeFor[[]api.PersonForResponse]()); !ok {
		t.Fatal("refused below the bound")
	}
	n := envelopeTypeCount.Load()
	envelopeTypeCount.Store(maxEnvelopeTypes) // as if full; parallel tests only lose the fast path meanwhile
	defer envelopeTypeCount.Store(n)
	if _, ok := envelopeType("neverSeenBefore", reflect.TypeFor[int]()); ok {
		t.Error("a new key past the bound was cached")
	}
	if _, ok := envelopeType("people", reflect.TypeFor[[]api.PersonForResponse]()); !ok {
		t.Error("a cached type was refused")
	}
	var v int
	if decodeFast([]byte(`{"data":{"neverSeenBefore":1}}`), &v, nil) {
		t.Error("fast path used an uncached type past the bound")
	}
}

func TestReadCapped(t *testing.T) {
	t.Parallel()
	body := bytes.Repeat([]byte("0123456789"), 1000) // 10,000 bytes
	tests := []struct {
		name    string
		size    int64
		limit   int64
		fail    bool
		want    int
		wantErr error
	}{
		{"declared length", 10_000, 1 << 20, true, 10_000, nil},
		{"unknown length", -1, 1 << 20, true, 10_000, nil},
		{"declared too short", 100, 1 << 20, true, 10_000, nil},
		{"declared too long", 1 << 19, 1 << 20, true, 10_000, nil},
		{"declared beyond the cap", 1 << 30, 20_000, true, 10_000, nil},
		{"success over the cap", 10_000, 9_999, true, 0, ErrTooLarge},
		{"error body over the cap is cut", -1, 4_000, false, 4_000, nil},
		{"exactly the cap", 10_000, 10_000, true, 10_000, nil},
	}
	for _, tt := range tests {
		for _, reuse := range [][]byte{nil, make([]byte, 0, 64), make([]byte, 0, 1<<16)} {
			got, err := readCapped(iotest.HalfReader(bytes.NewReader(body)), tt.limit, tt.fail, tt.size, reuse)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("%s: error %v, want %v", tt.name, err, tt.wantErr)
				continue
			}
			if err == nil && !bytes.Equal(got, body[:tt.want]) {
				t.Errorf("%s: got %d bytes, want %d", tt.name, len(got), tt.want)
			}
		}
	}
	// A declared length is read into one buffer of that size.
	got, err := readCapped(bytes.NewReader(body), 1<<20, true, int64(len(body)), nil)
	if err != nil || cap(got) != len(body)+1 {
		t.Errorf("declared length: cap %d, err %v; want %d", cap(got), err, len(body)+1)
	}
	// A read error comes back with what was read.
	got, err = readCapped(io.MultiReader(bytes.NewReader(body[:10]), iotest.ErrReader(io.ErrUnexpectedEOF)), 1<<20, true, 10_000, nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) || string(got) != string(body[:10]) {
		t.Errorf("read error: %q, %v", got, err)
	}
}

func TestBodyCache(t *testing.T) {
	var c bodyCache
	if b := c.get(); b != nil {
		t.Fatalf("empty cache gave %d bytes", cap(b))
	}
	buf := make([]byte, 10, 1000)
	c.put(buf)
	b := c.get()
	if cap(b) != 1000 || len(b) != 0 {
		t.Fatalf("got cap %d len %d, want the buffer back, empty", cap(b), len(b))
	}
	if c.get() != nil {
		t.Fatal("a buffer was handed out twice")
	}
	c.put(make([]byte, 0, maxCachedBody+1))
	if c.get() != nil {
		t.Fatal("an oversized buffer was kept")
	}
	// Held weakly: an idle client keeps nothing past a collection.
	c.put(make([]byte, 0, 1<<20))
	runtime.GC()
	if b := c.get(); b != nil {
		t.Fatalf("buffer of %d bytes survived a collection", cap(b))
	}
}
