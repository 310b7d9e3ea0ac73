package transfer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/transfer"
	"github.com/twenty-go/twenty/twentytest"
)

// An import of CSV with renamed columns, a relation given by the
// company's domain, and a key that makes re-runs update instead of
// duplicating.
func ExampleImporter() {
	srv, err := twentytest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := twenty.NewClient(twenty.WithAPIKey(srv.APIKey()), twenty.WithBaseURL(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	csv := "Email,name.firstName,name.lastName,company\n" +
		"ada@example.com,Ada,Lovelace,acme-robotics.com\n" +
		"grace@example.com,Grace,Hopper,nowhere.example\n"
	in, err := transfer.ReadInput(strings.NewReader(csv), transfer.CSV)
	if err != nil {
		log.Fatal(err)
	}
	spec, err := transfer.ParseSpec(twenty.OpenAPISpec())
	if err != nil {
		log.Fatal(err)
	}
	people, err := spec.Schema("people")
	if err != nil {
		log.Fatal(err)
	}
	mapping, err := transfer.NewMapping(spec, people, in.Headers, transfer.MapOptions{
		Rename: map[string]string{"Email": "emails.primaryEmail"},
	})
	if err != nil {
		log.Fatal(err)
	}
	rejects, err := transfer.NewRejects(os.Stdout, in, false)
	if err != nil {
		log.Fatal(err)
	}
	im := &transfer.Importer{Client: client, Mapping: mapping, Key: "emails.primaryEmail", Rejects: rejects}
	sum, err := im.Run(ctx, in)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum.Created, "created,", sum.Rejected, "rejected")
	// Output:
	// grace@example.com,Grace,Hopper,nowhere.example,3,"company: no companies with domainName.primaryLinkUrl ""nowhere.example"""
	// 1 created, 1 rejected
}

// Text from a CSV cell, converted and checked against the field's type.
func ExampleConvert() {
	spec, err := transfer.ParseSpec(twenty.OpenAPISpec())
	if err != nil {
		log.Fatal(err)
	}
	opps, err := spec.Schema("opportunities")
	if err != nil {
		log.Fatal(err)
	}
	amount, err := transfer.Convert(opps.Field("amount"), "amount", "EUR 1,500.50", true)
	if err != nil {
		log.Fatal(err)
	}
	b, _ := json.Marshal(amount)
	fmt.Println(string(b))
	_, err = transfer.Convert(opps.Field("stage"), "stage", "LOST", true)
	fmt.Println(err)
	// Output:
	// {"amountMicros":1500500000,"currencyCode":"EUR"}
	// stage: "LOST" is not one of NEW, SCREENING, MEETING, PROPOSAL, CUSTOMER, NO_STAGE
}

// The records changed since the last run, in the order (updatedAt, id);
// keep the returned state for the next run.
func ExampleChanges() {
	srv, err := twentytest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := twenty.NewClient(twenty.WithAPIKey(srv.APIKey()), twenty.WithBaseURL(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	changes := &transfer.Changes{Client: client, Object: "companies", IncludeDeleted: true}
	state, n, err := changes.Run(ctx, transfer.State{}, func(rec json.RawMessage) error { return nil }, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "written")
	_, n, err = changes.Run(ctx, state, func(rec json.RawMessage) error { return nil }, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "written the second time")
	// Output:
	// 8 written
	// 0 written the second time
}
