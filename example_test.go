package twenty_test

import (
	"context"
	"fmt"
	"log"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/authn"
)

// The quick test from Twenty's documentation: list one person, with the key
// and base URL taken from TWENTY_API_KEY and TWENTY_BASE_URL.
func Example_quickTest() {
	cfg, err := authn.FromEnv()
	if err != nil {
		log.Fatal(err) // names TWENTY_API_KEY when it is missing
	}
	client, err := api.NewClientWithResponses(cfg.BaseURL,
		api.WithRequestEditorFn(api.RequestEditorFn(cfg.Credential.RequestEditor())))
	if err != nil {
		log.Fatal(err)
	}
	limit := 1
	resp, err := client.FindManyPeopleWithResponse(context.Background(), &api.FindManyPeopleParams{Limit: &limit})
	if err != nil {
		log.Fatal(err)
	}
	if resp.JSON200 == nil {
		log.Fatalf("status %d: %s", resp.StatusCode(), resp.Body)
	}
	for _, p := range resp.JSON200.Data.People {
		fmt.Println(p.ID)
	}
}
