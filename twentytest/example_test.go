package twentytest_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/authn"
	"github.com/twenty-go/twenty/twentytest"
	"github.com/twenty-go/twenty/webhook"
)

// List people with the generated client, authenticated by authn, against
// the seeded workspace.
func Example() {
	// In a test, use twentytest.NewServer(t): the server then closes with
	// the test and fails it on any exchange that breaks openapi.yaml.
	// Outside a test, Start returns a server to close yourself.
	s, err := twentytest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	cred, err := authn.NewCredential(s.APIKey())
	if err != nil {
		log.Fatal(err)
	}
	client, err := api.NewClientWithResponses(s.URL(),
		api.WithRequestEditorFn(api.RequestEditorFn(cred.RequestEditor())))
	if err != nil {
		log.Fatal(err)
	}
	limit, orderBy, filter := 3, "name.lastName[AscNullsFirst]", "city[in]:[Berlin,Oslo,Paris]"
	resp, err := client.FindManyPeopleWithResponse(context.Background(), &api.FindManyPeopleParams{
		Limit: &limit, OrderBy: &orderBy, Filter: &filter,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range resp.JSON200.Data.People {
		fmt.Println(p.Name.FirstName, p.Name.LastName, "-", p.JobTitle)
	}
	fmt.Println("total:", *resp.JSON200.TotalCount, "more:", *resp.JSON200.PageInfo.HasNextPage)
	// Output:
	// Camille Durand - CFO
	// Alex Martin - Consultant
	// Ingrid Solberg - Creative Director
	// total: 4 more: true
}

// Test a webhook receiver end to end: the fake posts signed deliveries of
// the changes made through its API to a handler on loopback.
func ExampleServer_AddWebhook() {
	s, err := twentytest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// The receiver under test, written as package webhook documents.
	const secret = "my-webhook-secret"
	v, err := webhook.NewVerifier(secret)
	if err != nil {
		log.Fatal(err)
	}
	received := make(chan string, 1)
	receiver := httptest.NewServer(webhook.Handler(v, func(_ context.Context, e *webhook.Event) error {
		var p api.PersonForResponse
		if err := e.DecodeRecord(&p); err != nil {
			return err
		}
		received <- e.Name + ": " + p.Name.FirstName + " " + p.Name.LastName
		return nil
	}))
	defer receiver.Close()
	s.AddWebhook(receiver.URL, []string{"person.created"}, secret)

	c, err := twenty.NewClient(twenty.WithAPIKey(s.APIKey()), twenty.WithBaseURL(s.URL()))
	if err != nil {
		log.Fatal(err)
	}
	first, last := "Ada", "Lovelace"
	if _, err := c.People().Create(context.Background(), api.Person{Name: &api.FullName{FirstName: &first, LastName: &last}}, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-received)
	if err := s.WaitDeliveries(context.Background()); err != nil {
		log.Fatal(err)
	}
	for _, d := range s.Deliveries() {
		fmt.Println(d.Event, d.Status, d.Signed)
	}
	// Output:
	// person.created: Ada Lovelace
	// person.created 200 true
}
