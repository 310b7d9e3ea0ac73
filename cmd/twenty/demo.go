package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/twentytest"
)

// demoKey is the key `demo --serve` accepts: short enough to type. It is a
// key of the fake only; real keys are never printed.
const demoKey = "twenty-demo-key"

func demoCommand(fs *flag.FlagSet) func(*env, []string) error {
	serve := fs.Bool("serve", false, "only start the fake and keep it running (no tour), until interrupted")
	port := fs.Int("port", 3030, "loopback port for --serve")
	return func(e *env, _ []string) error {
		if *port < 1 || *port > 65535 {
			return usagef("--port %d: want 1 to 65535", *port)
		}
		if *serve {
			return e.serveDemo(*port)
		}
		return e.demo()
	}
}

// serveDemo runs the fake on a fixed loopback port until interrupted, so
// the URL and key printed stay valid from one run to the next.
func (e *env) serveDemo(port int) error {
	srv, err := twentytest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	srv.AddKey(demoKey, twentytest.KeyValid)
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("--port %d: %w (choose another with --port)", port, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	fmt.Fprintf(e.stdout, "Fake Twenty with a sample workspace on http://%s; in another shell:\n\n"+
		"  export TWENTY_BASE_URL=http://%s TWENTY_API_KEY=%s\n"+
		"  twenty list companies\n\nPress Ctrl-C to stop.\n", ln.Addr(), ln.Addr(), demoKey)
	<-e.ctx.Done()
	return nil
}

// demo starts the fake Twenty on loopback with its sample workspace and
// walks through the client against it: nothing to configure, no network.
func (e *env) demo() error {
	srv, err := twentytest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	out := e.stdout
	step := func(title string) { fmt.Fprintf(out, "\n== %s\n", title) }

	fmt.Fprintf(out, "Fake Twenty listening on %s\n", srv.URL())

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

	fmt.Fprintln(out, "\nDone. Try the other commands against the fake with 'twenty demo --serve', or point\nTWENTY_BASE_URL and TWENTY_API_KEY at your own workspace and run 'twenty ping'.")
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
