package twentytest_test

import (
	"context"
	"fmt"
	"log"
	"testing"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/authn"
	"github.com/twenty-go/twenty/twentytest"
)

// List people with the generated client, authenticated by authn, against
// the seeded workspace.
func Example() {
	// In a test, pass your *testing.T: the server then closes with the test
	// and fails it on any exchange that breaks openapi.yaml. An example has
	// none, so it uses a bare one and closes the server itself.
	t := new(testing.T)
	s := twentytest.NewServer(t)
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
		fmt.Println(*p.Name.FirstName, *p.Name.LastName, "-", *p.JobTitle)
	}
	fmt.Println("total:", *resp.JSON200.TotalCount, "more:", *resp.JSON200.PageInfo.HasNextPage)
	// Output:
	// Camille Durand - CFO
	// Alex Martin - Consultant
	// Ingrid Solberg - Creative Director
	// total: 4 more: true
}
