package twenty_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/oapi-codegen/nullable"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/twentytest"
)

// fake starts the in-memory Twenty with its sample workspace, so the
// examples run anywhere; with a real workspace use NewClientFromEnv.
func fake() (*twentytest.Server, func()) {
	srv, err := twentytest.Start()
	if err != nil {
		log.Fatal(err)
	}
	return srv, srv.Close
}

func ExampleNewClientFromEnv() {
	// TWENTY_API_KEY holds the key; TWENTY_BASE_URL the instance
	// (default https://api.twenty.com).
	client, err := twenty.NewClientFromEnv(twenty.WithTimeout(10 * time.Second))
	if err != nil {
		log.Fatal(err) // names TWENTY_API_KEY when it is missing
	}
	page, err := client.People().List(context.Background(), &twenty.ListOptions{Limit: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.TotalCount, "people")
}

func ExampleNewClient() {
	srv, stop := fake()
	defer stop()

	client, err := twenty.NewClient(twenty.WithAPIKey(srv.APIKey()), twenty.WithBaseURL(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	page, err := client.People().List(context.Background(), &twenty.ListOptions{
		Filter:  twenty.Field("jobTitle").Eq("CFO"),
		OrderBy: []twenty.Order{twenty.Asc("name.lastName")},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range page.Records {
		fmt.Println(p.Name.FirstName, p.Name.LastName, "-", p.JobTitle)
	}
	// Output:
	// Camille Durand - CFO
}

// Pagination: All follows the cursors until every record has been seen.
func ExampleResource_All() {
	srv, stop := fake()
	defer stop()
	client, err := twenty.NewClient(twenty.WithAPIKey(srv.APIKey()), twenty.WithBaseURL(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}

	n := 0
	opts := &twenty.ListOptions{Limit: 5, Prefetch: true} // 5 per page, next page fetched in the background
	for person, err := range client.People().All(context.Background(), opts) {
		if err != nil {
			log.Fatal(err) // an *APIError, or the context's error
		}
		_ = person
		n++
	}
	fmt.Println(n, "people")
	// Output:
	// 20 people
}

// Batching: 1,000 records go out 200 at a time, four requests in flight.
func ExampleResource_CreateMany() {
	srv, stop := fake()
	defer stop()
	client, err := twenty.NewClient(twenty.WithAPIKey(srv.APIKey()), twenty.WithBaseURL(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}

	companies := make([]api.Company, 1000)
	for i := range companies {
		companies[i] = api.Company{Name: twenty.Ptr(fmt.Sprintf("Company %04d", i))}
	}
	created, err := client.Companies().CreateMany(context.Background(), companies, &twenty.CreateOptions{Concurrency: 4})
	var batchErr *twenty.BatchError
	switch {
	case errors.As(err, &batchErr):
		// created holds the records that were created, in input order.
		log.Fatalf("created %v, failed %v, not sent %v: %v", batchErr.Created, batchErr.Failed, batchErr.NotSent, batchErr.Err)
	case err != nil:
		log.Fatal(err) // before anything was sent: a bad option or input
	}
	fmt.Println(len(created), "created, in input order:", created[0].Name, "...", created[999].Name)
	fmt.Println(srv.RequestsFor("createManyCompanies"), "requests")
	// Output:
	// 1000 created, in input order: Company 0000 ... Company 0999
	// 5 requests
}

// Inputs: pointer fields are set with Ptr and left alone when nil;
// nullable fields (relation ids such as CompanyID) have three states: set,
// cleared with null, or left alone (the zero value, not sent).
func ExampleResource_Update() {
	srv, stop := fake()
	defer stop()
	client, err := twenty.NewClient(twenty.WithAPIKey(srv.APIKey()), twenty.WithBaseURL(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	people := client.People()
	page, err := people.List(ctx, &twenty.ListOptions{Filter: twenty.Field("name.lastName").Eq("Durand")})
	if err != nil {
		log.Fatal(err)
	}
	id := twenty.IDOf(page.Records[0]) // the id as a string, as every method takes it

	acme, err := twenty.ParseID("20202020-0002-4000-8000-000000000001")
	if err != nil {
		log.Fatal(err)
	}
	p, err := people.Update(ctx, id, api.PersonForUpdate{
		JobTitle:  twenty.Ptr("CFO, Europe"),           // set
		CompanyID: nullable.NewNullableWithValue(acme), // set
		// Phones is absent: left alone
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Name.FirstName+":", p.JobTitle, "at", p.CompanyID)

	p, err = people.Update(ctx, id, api.PersonForUpdate{
		CompanyID: nullable.NewNullNullable[twenty.UUID](), // cleared: sent as null
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Name.FirstName+":", p.JobTitle, "at", p.CompanyID)
	// Output:
	// Camille: CFO, Europe at 20202020-0002-4000-8000-000000000001
	// Camille: CFO, Europe at <nil>
}

// Errors: every failure is typed; test with errors.Is and errors.As.
func ExampleAPIError() {
	srv, stop := fake()
	defer stop()
	client, err := twenty.NewClient(twenty.WithAPIKey(srv.APIKey()), twenty.WithBaseURL(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}

	_, err = client.People().Get(context.Background(), "0b7e2a57-93d4-4a43-9f3b-4b4f0c7c2a11", nil)
	var apiErr *twenty.APIError
	if errors.Is(err, twenty.ErrNotFound) && errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Messages[0])
		fmt.Println(err)
	}

	revoked, _ := twenty.NewClient(twenty.WithAPIKey(srv.RevokedKey()), twenty.WithBaseURL(srv.URL()))
	_, err = revoked.People().List(context.Background(), nil)
	fmt.Println(errors.Is(err, twenty.ErrRevokedAPIKey))
	// Output:
	// 404 Record not found
	// twenty: GET /rest/people/{id}: 404 Not Found (NotFoundException): Record not found
	// true
}

// Retries and rate limits: a burst of 429s is absorbed by the retry
// policy, and WithRateLimit keeps a bulk job under the workspace budget.
func ExampleWithRateLimit() {
	srv, stop := fake()
	defer stop()
	client, err := twenty.NewClient(
		twenty.WithAPIKey(srv.APIKey()),
		twenty.WithBaseURL(srv.URL()),
		twenty.WithRateLimit(50, time.Second), // Twenty Cloud allows 100 a minute: WithRateLimit(100, time.Minute)
		twenty.WithRetryPolicy(twenty.RetryPolicy{MaxAttempts: 5, MinBackoff: 10 * time.Millisecond}),
	)
	if err != nil {
		log.Fatal(err)
	}

	// The next three requests are refused with 429 Too Many Requests.
	tooMany := twentytest.Fault{Kind: twentytest.FaultStatus, Status: http.StatusTooManyRequests}
	srv.FailNext(tooMany, tooMany, tooMany)

	page, err := client.Companies().List(context.Background(), &twenty.ListOptions{Limit: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Records), "company after", srv.Requests(), "attempts")
	// Output:
	// 1 company after 4 attempts
}
