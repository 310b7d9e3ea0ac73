package twenty_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/twenty-go/twenty"
)

// Values that do not fit: one value a record's Go type cannot hold never
// fails the page. It is repaired where the type can hold it (a date
// without a time, a number given as a string) or left out, and each
// repair is reported; a select option the client does not know is kept
// as it is. The server here sends such values on purpose (twentytest
// keeps to the spec, so a plain httptest server stands in).
func ExampleDecodeWarning() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":{"opportunities":[{"id":"5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",`+
			`"name":{"en":"Renewal"},"stage":"SIGNED_BY_FAX","closeDate":"2025-06-30","position":"2"}]},`+
			`"pageInfo":{"hasNextPage":false},"totalCount":1}`)
	}))
	defer srv.Close()

	client, err := twenty.NewClient(twenty.WithAPIKey("example-key"), twenty.WithBaseURL(srv.URL),
		// Every warning of every operation, List's included.
		twenty.WithDecodeWarnings(func(w twenty.DecodeWarning) { slog.Warn("record value did not fit", "warning", w.String()) }))
	if err != nil {
		log.Fatal(err)
	}
	page, err := client.Opportunities().List(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	opp := page.Records[0]
	fmt.Println(*opp.Stage, opp.CloseDate.Format(time.DateOnly), *opp.Position, opp.Name == "")
	for _, w := range page.Warnings {
		fmt.Printf("%s %s: %s\n", w.Object, w.Field, w.Reason)
	}
	// Output:
	// SIGNED_BY_FAX 2025-06-30 2 true
	// opportunities closeDate: a date-time not in RFC 3339: read as 2025-06-30T00:00:00Z
	// opportunities name: an object where text belongs: left out
	// opportunities position: a number given as a string: read as a number
}
