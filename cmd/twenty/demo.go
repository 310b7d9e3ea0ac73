package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/twentytest"
)

// demo starts the fake Twenty on loopback with its sample workspace and
// walks through the client against it: nothing to configure, no network.
func (e *env) demo(args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	serve := fs.Bool("serve", false, "keep the fake running after the tour, until interrupted")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	srv, err := twentytest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	out := e.stdout
	step := func(title string) { fmt.Fprintf(out, "\n== %s\n", title) }

	fmt.Fprintf(out, "Fake Twenty listening on %s\n", srv.URL())
	// A throwaway key of the fake, printed so the other commands can be
	// tried against it (with --serve); real keys are never printed.
	fmt.Fprintf(out, "Its key: %s\n", srv.APIKey())

	c, err := twenty.NewClient(append([]twenty.Option{twenty.WithAPIKey(srv.APIKey()), twenty.WithBaseURL(srv.URL())}, e.clientOpts...)...)
	if err != nil {
		return err
	}
	people := c.People()

	step("Quick test: GET /rest/people?limit=1")
	page, err := people.List(e.ctx, &twenty.ListOptions{Limit: 1})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ok: the workspace has %d people; the first is %s\n", page.TotalCount, personName(page.Records[0]))

	step("List: five companies by name")
	companies, err := c.Companies().List(e.ctx, &twenty.ListOptions{Limit: 5, OrderBy: []twenty.Order{twenty.Asc("name")}})
	if err != nil {
		return err
	}
	for _, co := range companies.Records {
		fmt.Fprintf(out, "  %-24s %s a year\n", co.Name, revenue(co.AnnualRevenue))
	}

	step("Filtered list: companies with more than 50 million a year")
	big := twenty.Field("annualRevenue.amountMicros").Gt(50_000_000 * 1_000_000)
	fmt.Fprintf(out, "  filter=%s\n", big)
	bigCos, err := c.Companies().List(e.ctx, &twenty.ListOptions{Filter: big, OrderBy: []twenty.Order{twenty.Asc("name")}})
	if err != nil {
		return err
	}
	for _, co := range bigCos.Records {
		fmt.Fprintf(out, "  %-24s %s a year\n", co.Name, revenue(co.AnnualRevenue))
	}

	step("Create a person")
	first, last, email := "Grace", "Hopper", "grace.hopper@example.com"
	created, err := people.Create(e.ctx, api.Person{
		Name:   &api.FullName{FirstName: &first, LastName: &last},
		Emails: &api.Emails{PrimaryEmail: &email},
	}, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  created %s (%s)\n", personName(created), created.ID)

	step("Update it")
	title := "Rear Admiral"
	updated, err := people.Update(e.ctx, created.ID.String(), api.PersonForUpdate{JobTitle: &title}, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  %s is now %q\n", personName(updated), updated.JobTitle)

	step("Paginated export: every person, 5 per page")
	n := 0
	for p, err := range people.All(e.ctx, &twenty.ListOptions{Limit: 5, OrderBy: []twenty.Order{twenty.Asc("createdAt")}}) {
		if err != nil {
			return err
		}
		n++
		if n <= 3 {
			fmt.Fprintf(out, "  %s\n", personName(p))
		}
	}
	fmt.Fprintf(out, "  ... %d people in %d pages\n", n, (n+4)/5)

	step("An expired API key, handled cleanly")
	expired, err := twenty.NewClient(append([]twenty.Option{twenty.WithAPIKey(srv.ExpiredKey()), twenty.WithBaseURL(srv.URL())}, e.clientOpts...)...)
	if err != nil {
		return err
	}
	_, err = expired.People().List(e.ctx, &twenty.ListOptions{Limit: 1})
	switch {
	case errors.Is(err, twenty.ErrExpiredAPIKey):
		class, _ := describe(err)
		fmt.Fprintf(out, "  refused before sending: %s\n", class)
	case err != nil:
		return fmt.Errorf("expected an expired-key error, got: %w", err)
	default:
		return errors.New("expected an expired-key error, the request succeeded")
	}

	step("A revoked API key, refused by the server")
	revoked, err := twenty.NewClient(append([]twenty.Option{twenty.WithAPIKey(srv.RevokedKey()), twenty.WithBaseURL(srv.URL())}, e.clientOpts...)...)
	if err != nil {
		return err
	}
	_, err = revoked.People().List(e.ctx, &twenty.ListOptions{Limit: 1})
	if !errors.Is(err, twenty.ErrRevokedAPIKey) {
		return fmt.Errorf("expected a revoked-key error, got: %v", err)
	}
	class, _ := describe(err)
	fmt.Fprintf(out, "  %s: %s\n", class, message(err))

	if *serve {
		fmt.Fprintf(out, "\nThe fake keeps running; in another shell:\n  export TWENTY_BASE_URL=%s TWENTY_API_KEY=%s\n  go run ./cmd/twenty list companies\nPress Ctrl-C to stop.\n", srv.URL(), srv.APIKey())
		<-e.ctx.Done()
		return nil
	}
	fmt.Fprintln(out, "\nDone. Point TWENTY_BASE_URL and TWENTY_API_KEY at your own workspace and run 'twenty ping'.")
	return nil
}

func personName(p api.PersonForResponse) string {
	if name := strings.TrimSpace(p.Name.FirstName + " " + p.Name.LastName); name != "" {
		return name
	}
	return "(no name)"
}

// revenue writes an amount in millions: "USD 48.0M".
func revenue(c api.CurrencyForResponse) string {
	if c.AmountMicros == nil {
		return "unknown"
	}
	micros, err := json.Number(*c.AmountMicros).Float64()
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%s %.1fM", c.CurrencyCode, micros/1e12)
}
