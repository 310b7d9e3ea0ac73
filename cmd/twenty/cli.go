package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/authn"
	"github.com/twenty-go/twenty/internal/model"
)

// Exit codes; README's table lists them.
const (
	exitOK          = 0
	exitError       = 1 // the server refused the request, or the network failed
	exitAuth        = 2 // the key was refused (or has expired)
	exitConfig      = 3 // no key, a bad base URL, plain http without --insecure-http: nothing was sent
	exitNotFound    = 4
	exitPartial     = 5 // some records were written, others not
	exitUsage       = 64
	exitInterrupted = 130
)

// command is one entry of the command table. flags registers the
// command's flags and returns the function that runs it; the function sees
// the parsed flag values through its closure.
type command struct {
	name    string
	args    []string // positional arguments, such as "<object>", "<id>"
	summary string   // one line, for `twenty help`
	usage   string   // what it does, in a few lines, for `twenty <command> --help`
	example string
	flags   func(fs *flag.FlagSet) func(e *env, args []string) error
}

// commands lists every command in the order `twenty help` shows them.
func commands() []command {
	return []command{
		{name: "demo", summary: "tour the client against a built-in fake Twenty (no setup, no network)",
			usage: "Starts the fake Twenty on loopback with a sample workspace and walks through\n" +
				"list, filter, create, update, pagination and authentication failures.\n" +
				"--serve instead keeps the fake running so other commands can be tried against it.",
			example: "twenty demo\ntwenty demo --serve --port 3030",
			flags:   demoCommand},
		{name: "ping", summary: "list one person to check the key and URL",
			usage:   "Sends GET /rest/people?limit=1 and prints \"ok <host>\".",
			example: "TWENTY_API_KEY=... TWENTY_BASE_URL=https://crm.example.com twenty ping",
			flags:   noFlags((*env).ping)},
		{name: "list", args: []string{"<object>"}, summary: "print records as JSON Lines, one page or --all",
			usage: "Prints one page of records (--all: every page) as JSON Lines. When more records\n" +
				"match than were printed, says so on stderr.",
			example: "twenty list people --limit 5 --filter 'jobTitle[eq]:CTO' --order-by 'name.lastName'\n" +
				"twenty list companies --all --fields name,domainName",
			flags: listCommand},
		{name: "get", args: []string{"<object>", "<id>"}, summary: "print one record",
			example: "twenty get people 20202020-0001-4000-8000-000000000001 --depth 1",
			flags:   getCommand},
		{name: "create", args: []string{"<object>"}, summary: "create records read from stdin (JSON Lines, an array or one object)",
			usage: "Reads JSON Lines, a JSON array or one JSON object on stdin and prints the\n" +
				"created records as JSON Lines. Several records go out in batches of 60, so\n" +
				"the output of list or export can be piped in. Server-managed fields (createdAt,\n" +
				"updatedAt, deletedAt, createdBy, updatedBy) are dropped from the input.",
			example: "echo '{\"name\":\"Acme\"}' | twenty create companies\n" +
				"twenty list companies --limit 2 | twenty create companies --upsert",
			flags: createCommand},
		{name: "update", args: []string{"<object>", "<id>"}, summary: "update one record with the JSON object on stdin",
			usage:   "Sends only the fields given; null clears a field.",
			example: "echo '{\"jobTitle\":\"CTO\",\"companyId\":null}' | twenty update people <id>",
			flags:   noFlags((*env).update)},
		{name: "delete", args: []string{"<object>", "<id>"}, summary: "soft-delete a record (--destroy: permanently)",
			example: "twenty delete people <id>\ntwenty delete people <id> --destroy",
			flags:   deleteCommand},
		{name: "restore", args: []string{"<object>", "<id>"}, summary: "restore a soft-deleted record",
			example: "twenty restore people <id>",
			flags:   noFlags((*env).restore)},
		{name: "export", args: []string{"<object>"}, summary: "write every record as JSON Lines or CSV, with a progress bar",
			usage: "Follows every page (200 records each, the next fetched while one is written).\n" +
				"The last line on stderr says how many records went where.",
			example: "twenty export companies --format csv --out companies.csv\n" +
				"twenty export people --format jsonl | twenty create people --upsert",
			flags: exportCommand},
		{name: "import", args: []string{"<object>", "<file|->"}, summary: "import CSV or JSON Lines: checked first, batched, resumable, keyed upserts",
			usage: importUsage,
			example: "twenty import people contacts.csv --map 'Email=emails.primaryEmail' --key emails.primaryEmail --dry-run\n" +
				"twenty export companies --format csv --out companies.csv && twenty import companies companies.csv --key domainName.primaryLinkUrl",
			flags: importCommand},
	}
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// noFlags adapts a command that takes no flags of its own.
func noFlags(run func(e *env, args []string) error) func(*flag.FlagSet) func(*env, []string) error {
	return func(*flag.FlagSet) func(*env, []string) error { return run }
}

const grammar = `Objects are plural API names (people, companies, opportunities, ...), custom
objects included.

Filters (--filter) use Twenty's syntax:
  field[op]:value           ops: eq neq gt gte lt lte in containsAny is like ilike
                            startsWith endsWith
  name.firstName[eq]:Ada    a composite's sub-field
  jobTitle[in]:[CTO,CFO]    a list
  deletedAt[is]:NULL        is NULL / is NOT_NULL
  a[eq]:1,b[eq]:2           comma: and
  or(a[eq]:1,b[eq]:2)       and(...), or(...), not(...) nest
  name[eq]:"A, B"           quote values holding , ) or ]

Order (--order-by): field[Direction],... with Direction one of AscNullsFirst (the
default), AscNullsLast, DescNullsFirst, DescNullsLast; the id breaks ties.
  --order-by 'name.lastName,createdAt[DescNullsLast]'

Records print as JSON Lines. create reads JSON Lines, a JSON array or one object on
stdin, so list and export output can be piped into it.`

const environment = `Environment:
  TWENTY_API_KEY   the API key (or --api-key-file); never taken from a flag value
  TWENTY_BASE_URL  the instance, e.g. https://crm.example.com (default https://api.twenty.com)
  TWENTY_INSECURE_HTTP=1  same as --insecure-http`

const globalFlags = `Global flags (before or after the command):
  --base-url URL         the instance (overrides TWENTY_BASE_URL)
  --api-key-file FILE    read the API key from FILE
  --insecure-http        allow plain http:// to a host other than loopback (trusted networks only)`

const exitCodes = `Exit codes: 0 ok, 1 error, 2 key refused or expired, 3 configuration (nothing sent),
4 not found, 5 partial failure, 64 usage or bad input (nothing sent), 130 interrupted.`

// mainHelp is what `twenty help` and `twenty --help` print.
func mainHelp() string {
	var b strings.Builder
	b.WriteString("twenty: a command-line client for Twenty's REST API\n\n")
	b.WriteString("usage: twenty <command> [arguments] [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	b.WriteString("  help      this text; twenty <command> --help for a command's flags and examples\n\n")
	b.WriteString("Flags of the commands:\n")
	for _, c := range commands() {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.flags(fs)
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, "--"+f.Name) })
		if len(names) > 0 {
			fmt.Fprintf(&b, "  %-9s %s\n", c.name, strings.Join(names, " "))
		}
	}
	b.WriteString("\n" + globalFlags + "\n\n" + grammar + "\n\n" + environment + "\n\n" + exitCodes + "\n")
	return b.String()
}

// commandHelp is what `twenty <command> --help` prints.
func commandHelp(c command, fs *flag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: twenty %s", c.name)
	for _, a := range c.args {
		b.WriteString(" " + a)
	}
	b.WriteString(" [flags]\n\n" + c.summary + ".\n")
	if c.usage != "" {
		b.WriteString(c.usage + "\n")
	}
	b.WriteString("\nFlags:\n")
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		if isGlobal(f.Name) {
			return
		}
		n++
		name, use := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if name != "" {
			left += " " + name
		}
		fmt.Fprintf(&b, "  %-22s %s", left, use)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(&b, " (default %s)", f.DefValue)
		}
		b.WriteString("\n")
	})
	if n == 0 {
		b.WriteString("  (none but the global flags)\n")
	}
	b.WriteString("  -h, --help             this help\n\n" + globalFlags + "\n\nExample:\n")
	for _, line := range strings.Split(c.example, "\n") {
		b.WriteString("  " + line + "\n")
	}
	if c.name == "list" || c.name == "export" {
		b.WriteString("\n" + grammar + "\n")
	}
	return b.String()
}

type usageError struct {
	msg string
	cmd string // the command whose help to point at, if any
}

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{msg: fmt.Sprintf(format, args...)} }

// inputError is bad data on stdin: like a usage error nothing is sent, but
// the command line itself was fine.
type inputError struct{ msg string }

func (e inputError) Error() string { return e.msg }

func inputf(format string, args ...any) error { return inputError{fmt.Sprintf(format, args...)} }

// configError is a setting that makes every request impossible.
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	lookup func(string) (string, bool)

	baseURL      string
	apiKeyFile   string
	insecureHTTP bool
	// clientOpts are added to every client; tests use them for fast retries.
	clientOpts []twenty.Option
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, lookup: lookup}
	return e.main(args)
}

func isGlobal(name string) bool {
	return name == "base-url" || name == "api-key-file" || name == "insecure-http"
}

// addGlobal registers the global flags on fs, so they work on either side
// of the command name.
func (e *env) addGlobal(fs *flag.FlagSet) {
	fs.StringVar(&e.baseURL, "base-url", e.baseURL, "instance URL (overrides TWENTY_BASE_URL)")
	fs.StringVar(&e.apiKeyFile, "api-key-file", e.apiKeyFile, "read the API key from this file")
	fs.BoolVar(&e.insecureHTTP, "insecure-http", e.insecureHTTP, "allow plain http:// to a non-loopback host")
}

func (e *env) main(args []string) int {
	global := flag.NewFlagSet("twenty", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	e.addGlobal(global)
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(e.stdout, mainHelp())
			return exitOK
		}
		return e.fail(usagef("%v", err))
	}
	rest := global.Args()
	if len(rest) == 0 {
		fmt.Fprint(e.stderr, mainHelp())
		return exitUsage
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		if len(rest) == 1 {
			if c, ok := findCommand(rest[0]); ok {
				fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
				c.flags(fs)
				fmt.Fprint(e.stdout, commandHelp(c, fs))
				return exitOK
			}
			return e.fail(usagef("unknown command %q", rest[0]))
		}
		fmt.Fprint(e.stdout, mainHelp())
		return exitOK
	}
	c, ok := findCommand(name)
	if !ok {
		return e.fail(usagef("unknown command %q%s", name, suggest(name, commandNames())))
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	runFn := c.flags(fs)
	e.addGlobal(fs)
	if v, ok := e.lookup("TWENTY_INSECURE_HTTP"); ok && v != "" && v != "0" && v != "false" {
		e.insecureHTTP = true
	}
	pos, err := parse(fs, rest, c.args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, commandHelp(c, fs))
		return exitOK
	}
	if err == nil {
		err = runFn(e, pos)
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) && ue.cmd == "" {
			err = usageError{msg: ue.msg, cmd: c.name}
		}
		return e.fail(err)
	}
	return exitOK
}

func commandNames() []string {
	var out []string
	for _, c := range commands() {
		out = append(out, c.name)
	}
	return append(out, "help")
}

// fail prints one line naming the class of the error (two for a usage
// error: the second points at the help) and returns the exit code for it.
func (e *env) fail(err error) int {
	var ue usageError
	var pe partialError
	if errors.As(err, &pe) {
		fmt.Fprintf(e.stderr, "twenty: partial failure: %s\n", pe.Error())
		return exitPartial
	}
	if errors.As(err, &ue) {
		help := "twenty help"
		if ue.cmd != "" {
			help = "twenty " + ue.cmd + " --help"
		}
		fmt.Fprintf(e.stderr, "twenty: usage: %s\nrun '%s' for usage\n", ue.msg, help)
		return exitUsage
	}
	class, code := describe(err)
	fmt.Fprintf(e.stderr, "twenty: %s: %s\n", class, oneLine(message(err)))
	return code
}

// describe names the error's class and picks the exit code.
func describe(err error) (string, int) {
	var (
		apiErr   *twenty.APIError
		inErr    inputError
		cfgErr   configError
		batchErr *twenty.BatchError
	)
	local := !errors.As(err, &apiErr)
	switch {
	case errors.As(err, &inErr):
		return "invalid input", exitUsage
	case errors.As(err, &cfgErr), errors.Is(err, authn.ErrMissingAPIKey), errors.Is(err, authn.ErrInvalidAPIKey),
		errors.Is(err, authn.ErrInsecureTransport), errors.Is(err, authn.ErrInvalidBaseURL):
		return "configuration error", exitConfig
	case errors.Is(err, authn.ErrExpiredAPIKey):
		return "authentication failed (EXPIRED_API_KEY)", exitAuth
	case errors.Is(err, authn.ErrRevokedAPIKey):
		return "authentication failed (REVOKED_API_KEY)", exitAuth
	case errors.Is(err, authn.ErrMissingAuthHeader):
		return "authentication failed (MISSING_AUTH_HEADER)", exitAuth
	case errors.Is(err, authn.ErrUnauthorized):
		return "authentication failed (UNAUTHORIZED)", exitAuth
	case local && errors.Is(err, twenty.ErrInvalidFilter):
		return "invalid filter", exitUsage
	case local && errors.Is(err, twenty.ErrInvalidOrder):
		return "invalid order", exitUsage
	case local && errors.Is(err, twenty.ErrInvalidInput):
		return "invalid input", exitUsage
	case errors.As(err, &batchErr) && len(batchErr.Created) > 0:
		return "partly done", exitPartial
	case errors.Is(err, twenty.ErrNotFound):
		return "not found", exitNotFound
	case errors.Is(err, twenty.ErrBadRequest), errors.Is(err, twenty.ErrInvalidInput), errors.Is(err, twenty.ErrInvalidFilter):
		return "bad request", exitError
	case errors.Is(err, twenty.ErrForbidden):
		return "forbidden", exitError
	case errors.Is(err, twenty.ErrRateLimited):
		return "rate limited", exitError
	case errors.Is(err, twenty.ErrOutcomeUnknown):
		return "outcome unknown", exitError
	case errors.Is(err, twenty.ErrServer):
		return "server error", exitError
	case errors.Is(err, context.Canceled):
		return "interrupted", exitInterrupted
	}
	return "error", exitError
}

// message prefers the server's own words over the full error chain.
func message(err error) string {
	var batchErr *twenty.BatchError
	if errors.As(err, &batchErr) && len(batchErr.Created) > 0 {
		return err.Error()
	}
	var apiErr *twenty.APIError
	if errors.As(err, &apiErr) && len(apiErr.Messages) > 0 {
		return strings.Join(apiErr.Messages, "; ")
	}
	msg := err.Error()
	// The class printed before the message already says what the sentinel says.
	for _, prefix := range []string{"twenty: invalid input: ", "twenty: invalid filter: ", "twenty: invalid order: ", "twenty: ", "authn: "} {
		if m, ok := strings.CutPrefix(msg, prefix); ok {
			return m
		}
	}
	return msg
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// client builds a client from the environment and flags. The key is never
// read from a flag value. Whatever makes every request impossible is a
// configuration error, reported before anything is sent.
func (e *env) client() (*twenty.Client, error) {
	key, ok := e.lookup(authn.EnvAPIKey)
	if e.apiKeyFile != "" {
		data, err := os.ReadFile(e.apiKeyFile)
		if err != nil {
			return nil, configError{fmt.Errorf("reading --api-key-file: %w", err)}
		}
		key, ok = strings.TrimSpace(string(data)), true
	}
	if !ok || key == "" {
		return nil, configError{fmt.Errorf("no API key: set %s or use --api-key-file (nothing was sent)", authn.EnvAPIKey)}
	}
	opts := []twenty.Option{twenty.WithAPIKey(key)}
	base, from := e.baseURL, "--base-url"
	if base == "" {
		base, _ = e.lookup(authn.EnvBaseURL)
		from = authn.EnvBaseURL
	}
	if base != "" {
		if !strings.Contains(base, "://") && !strings.Contains(base, "@") {
			return nil, configError{fmt.Errorf("%s %q has no scheme: did you mean %s?", from, base, withScheme(base))}
		}
		if _, err := authn.NormalizeBaseURL(base); err != nil {
			return nil, configError{fmt.Errorf("%s: %w", from, err)}
		}
		opts = append(opts, twenty.WithBaseURL(base))
	}
	if e.insecureHTTP {
		opts = append(opts, twenty.WithInsecureHTTP())
	}
	c, err := twenty.NewClient(append(opts, e.clientOpts...)...)
	if errors.Is(err, authn.ErrInsecureTransport) {
		norm, _ := authn.NormalizeBaseURL(base) // valid: checked above
		u, _ := url.Parse(norm)
		return nil, configError{fmt.Errorf("plain http to %s, not a loopback host, would expose the API key: "+
			"use https, or --insecure-http (TWENTY_INSECURE_HTTP=1) on a trusted network", u.Host)}
	}
	if err != nil {
		return nil, configError{err}
	}
	return c, nil
}

// withScheme adds the likely scheme to a URL typed without one:
// http for loopback (127.0.0.1:3000), https otherwise.
func withScheme(raw string) string {
	host := raw
	if i := strings.IndexAny(host, "/"); i >= 0 {
		host = host[:i]
	}
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	if authn.IsLoopback(host) {
		return "http://" + raw
	}
	return "https://" + raw
}

// parse parses flags and positional arguments in any order, as users
// type them: `list people --limit 5` and `list --limit 5 people`.
func parse(fs *flag.FlagSet, args []string, positional []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) != len(positional) {
		if len(positional) == 0 {
			return nil, usagef("%s takes no arguments, got %q", fs.Name(), strings.Join(pos, " "))
		}
		return nil, usagef("%s needs %s", fs.Name(), strings.Join(positional, " "))
	}
	for i, p := range positional {
		if p == "<object>" {
			if err := checkObject(pos[i]); err != nil {
				return nil, err
			}
		}
	}
	return pos, nil
}

// checkObject catches a misspelt standard object before anything is sent:
// a singular name, another case, or a near miss ("peple"). Other names go
// to the server, since custom objects are only known there.
func checkObject(name string) error {
	names := standardObjects()
	if _, ok := names[name]; ok {
		return nil
	}
	for plural, singular := range names {
		if strings.EqualFold(name, plural) || strings.EqualFold(name, singular) {
			return usagef("unknown object %q: did you mean %s? (objects are plural API names)", name, plural)
		}
	}
	var best string
	bestD := 3
	for _, plural := range sortedKeys(names) {
		if d := distance(strings.ToLower(name), plural); d < bestD {
			best, bestD = plural, d
		}
	}
	limit := 2
	if len(name) <= 5 {
		limit = 1
	}
	if bestD <= limit {
		return usagef("unknown object %q: did you mean %s?", name, best)
	}
	return nil
}

func suggest(name string, among []string) string {
	best, bestD := "", 3
	for _, c := range among {
		if d := distance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return ": did you mean " + best + "?"
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func (e *env) ping(_ []string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	if _, err := c.Object("people").List(e.ctx, &twenty.ListOptions{Limit: 1}); err != nil {
		return err
	}
	host := c.BaseURL()
	if u, err := url.Parse(host); err == nil {
		host = u.Host
	}
	fmt.Fprintf(e.stdout, "ok %s\n", host)
	return nil
}

// listFlags are the flags list and export share.
type listFlags struct {
	limit, depth    int
	filter, orderBy string
	fields          string
}

func (lf *listFlags) register(fs *flag.FlagSet, limitUse string) {
	if limitUse != "" {
		fs.IntVar(&lf.limit, "limit", 0, limitUse)
		fs.IntVar(&lf.depth, "depth", 0, "embed related records `D` levels deep: 0 or 1")
		fs.StringVar(&lf.orderBy, "order-by", "", "sort by `ORDER`, such as 'name.lastName,createdAt[DescNullsLast]'")
	}
	fs.StringVar(&lf.filter, "filter", "", "only records matching `FILTER`, such as 'jobTitle[eq]:CTO' (grammar below)")
	fs.StringVar(&lf.fields, "fields", "", "only these `FIELDS`, comma-separated (the id always comes; older servers send every field)")
}

func (lf *listFlags) options() (*twenty.ListOptions, error) {
	if lf.limit < 0 || lf.limit > 200 {
		return nil, usagef("--limit %d: want 1 to 200 records a page (0: the server's default, 60)", lf.limit)
	}
	if lf.depth != 0 && lf.depth != 1 {
		return nil, usagef("--depth %d: want 0 or 1", lf.depth)
	}
	o := &twenty.ListOptions{Limit: lf.limit, Depth: lf.depth, Fields: splitFields(lf.fields)}
	if lf.filter != "" {
		f := twenty.RawFilter(lf.filter)
		if err := f.Err(); err != nil {
			return nil, usagef("--filter: %v", strings.TrimPrefix(err.Error(), "twenty: "))
		}
		o.Filter = f
	}
	if lf.orderBy != "" {
		orders, err := parseOrderBy(lf.orderBy)
		if err != nil {
			return nil, err
		}
		o.OrderBy = orders
	}
	return o, nil
}

func splitFields(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

var directions = []twenty.Direction{twenty.AscNullsFirst, twenty.AscNullsLast, twenty.DescNullsFirst, twenty.DescNullsLast}

// parseOrderBy reads "name.lastName[DescNullsLast],createdAt" into Orders.
// Directions are matched without regard to case; "asc" and "desc" are
// accepted as AscNullsFirst and DescNullsLast.
func parseOrderBy(s string) ([]twenty.Order, error) {
	var out []twenty.Order
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		field, dir, hasDir := strings.Cut(part, "[")
		o := twenty.Order{Field: field}
		if hasDir {
			d, ok := strings.CutSuffix(dir, "]")
			if !ok {
				return nil, usagef("--order-by %q: missing ]", part)
			}
			switch strings.ToLower(d) {
			case "asc":
				o.Direction = twenty.AscNullsFirst
			case "desc":
				o.Direction = twenty.DescNullsLast
			default:
				for _, v := range directions {
					if strings.EqualFold(d, string(v)) {
						o.Direction = v
					}
				}
				if o.Direction == "" {
					names := make([]string, len(directions))
					for i, v := range directions {
						names[i] = string(v)
					}
					return nil, usagef("--order-by %q: direction %q: want one of %s", part, d, strings.Join(names, ", "))
				}
			}
		}
		if err := o.Err(); err != nil {
			return nil, usagef("--order-by %q: %v", part, strings.TrimPrefix(err.Error(), "twenty: "))
		}
		out = append(out, o)
	}
	return out, nil
}

func listCommand(fs *flag.FlagSet) func(*env, []string) error {
	var lf listFlags
	lf.register(fs, "`N` records a page, 1 to 200 (default: the server's, 60)")
	all := fs.Bool("all", false, "follow every page")
	return func(e *env, pos []string) error {
		opts, err := lf.options()
		if err != nil {
			return err
		}
		c, err := e.client()
		if err != nil {
			return err
		}
		res := c.RawObject(pos[0])
		w := bufio.NewWriter(e.stdout)
		defer w.Flush()
		if *all {
			for rec, err := range res.All(e.ctx, opts) {
				if err != nil {
					return err
				}
				if err := writeLine(w, rec); err != nil {
					return err
				}
			}
			return nil
		}
		page, err := res.List(e.ctx, opts)
		if err != nil {
			return err
		}
		for _, rec := range page.Records {
			if err := writeLine(w, rec); err != nil {
				return err
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if page.PageInfo.HasNextPage || page.TotalCount > len(page.Records) {
			fmt.Fprintf(e.stderr, "twenty: printed %d of %d %s; --all prints every page\n", len(page.Records), page.TotalCount, pos[0])
		}
		return nil
	}
}

// writeLine writes one record as a compact JSON line.
func writeLine(w io.Writer, rec json.RawMessage) error {
	var buf bytes.Buffer
	if err := json.Compact(&buf, rec); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

func getCommand(fs *flag.FlagSet) func(*env, []string) error {
	depth := fs.Int("depth", 0, "embed related records `D` levels deep: 0 or 1")
	fields := fs.String("fields", "", "only these `FIELDS`, comma-separated (the id always comes)")
	return func(e *env, pos []string) error {
		if *depth != 0 && *depth != 1 {
			return usagef("--depth %d: want 0 or 1", *depth)
		}
		c, err := e.client()
		if err != nil {
			return err
		}
		rec, err := c.RawObject(pos[0]).Get(e.ctx, pos[1], &twenty.GetOptions{Depth: *depth, Fields: splitFields(*fields)})
		if err != nil {
			return err
		}
		return writeLine(e.stdout, rec)
	}
}

// serverManaged are fields a record read back carries but an input must
// not: the server sets them, and some servers refuse them.
var serverManaged = []string{"createdAt", "updatedAt", "deletedAt", "createdBy", "updatedBy"}

func createCommand(fs *flag.FlagSet) func(*env, []string) error {
	upsert := fs.Bool("upsert", false, "update the record with the same id or unique field instead of failing")
	return func(e *env, pos []string) error {
		recs, single, err := readRecords(e.stdin)
		if err != nil {
			return err
		}
		for i, rec := range recs {
			if recs[i], err = dropFields(rec, serverManaged); err != nil {
				return inputf("stdin: record %d: %v", i+1, err)
			}
		}
		c, err := e.client()
		if err != nil {
			return err
		}
		res := c.RawObject(pos[0])
		opts := &twenty.CreateOptions{Upsert: *upsert}
		if single {
			rec, err := res.Create(e.ctx, recs[0], opts)
			if err != nil {
				return err
			}
			return writeLine(e.stdout, rec)
		}
		created, err := res.CreateMany(e.ctx, recs, opts)
		w := bufio.NewWriter(e.stdout)
		for _, rec := range created {
			if werr := writeLine(w, rec); werr != nil {
				return werr
			}
		}
		if ferr := w.Flush(); ferr != nil {
			return ferr
		}
		return err
	}
}

// dropFields removes keys from one JSON object.
func dropFields(rec json.RawMessage, keys []string) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(rec, &m); err != nil {
		return nil, err
	}
	n := len(m)
	for _, k := range keys {
		delete(m, k)
	}
	if len(m) == n {
		return rec, nil
	}
	return json.Marshal(m)
}

// readRecords reads the records a command takes on stdin: JSON Lines (or
// any sequence of objects), a JSON array of objects, or one object. single
// reports one object that was not in an array. Every error is an
// inputError that says where the input went wrong.
func readRecords(r io.Reader) (recs []json.RawMessage, single bool, err error) {
	br := bufio.NewReader(io.LimitReader(r, 256<<20))
	first, err := peekNonSpace(br)
	switch {
	case errors.Is(err, io.EOF):
		return nil, false, inputf("stdin is empty: want JSON Lines, a JSON array or one JSON object")
	case err != nil:
		return nil, false, err
	}
	dec := json.NewDecoder(br)
	if first == '[' {
		if err := dec.Decode(&recs); err != nil {
			return nil, false, inputf("stdin: %s", jsonProblem(err, "the array"))
		}
		for i, rec := range recs {
			if t := jsonKind(rec); t != "an object" {
				return nil, false, inputf("stdin: array element %d is %s, want an object", i+1, t)
			}
		}
		if _, err := peekNonSpace(br); !errors.Is(err, io.EOF) || dec.More() {
			return nil, false, inputf("stdin: text after the array")
		}
		if len(recs) == 0 {
			return nil, false, inputf("stdin: the array is empty")
		}
		return recs, false, nil
	}
	for n := 1; ; n++ {
		var rec json.RawMessage
		if err := dec.Decode(&rec); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, false, inputf("stdin: %s", jsonProblem(err, fmt.Sprintf("record %d", n)))
		}
		if t := jsonKind(rec); t != "an object" {
			return nil, false, inputf("stdin: record %d is %s, want an object", n, t)
		}
		recs = append(recs, rec)
	}
	return recs, len(recs) == 1, nil
}

func peekNonSpace(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			return b, br.UnreadByte()
		}
	}
}

func jsonProblem(err error, where string) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("%s is not valid JSON: %v", where, syn)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return where + " ends early (truncated JSON)"
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Sprintf("%s: want objects, found %s", where, typ.Value)
	}
	return fmt.Sprintf("%s: %v", where, err)
}

func jsonKind(v json.RawMessage) string {
	switch {
	case len(v) == 0:
		return "empty"
	case v[0] == '{':
		return "an object"
	case v[0] == '[':
		return "an array"
	case v[0] == '"':
		return "a string"
	case v[0] == 'n':
		return "null"
	case v[0] == 't', v[0] == 'f':
		return "a boolean"
	}
	return "a number"
}

func (e *env) update(pos []string) error {
	recs, single, err := readRecords(e.stdin)
	if err != nil {
		return err
	}
	if !single {
		return inputf("stdin: update takes one JSON object, got %d records", len(recs))
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	rec, err := c.RawObject(pos[0]).Update(e.ctx, pos[1], recs[0], nil)
	if err != nil {
		return err
	}
	return writeLine(e.stdout, rec)
}

func deleteCommand(fs *flag.FlagSet) func(*env, []string) error {
	destroy := fs.Bool("destroy", false, "delete permanently instead of soft-deleting")
	return func(e *env, pos []string) error {
		c, err := e.client()
		if err != nil {
			return err
		}
		res := c.RawObject(pos[0])
		verb := "deleted"
		if *destroy {
			verb = "destroyed"
			err = res.Destroy(e.ctx, pos[1])
		} else {
			err = res.Delete(e.ctx, pos[1])
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s %s\n", verb, pos[1])
		return nil
	}
}

func (e *env) restore(pos []string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	if _, err := c.RawObject(pos[0]).Restore(e.ctx, pos[1]); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s\n", pos[1])
	return nil
}

// standardObjects maps the plural names of the standard objects to their
// singular names.
var standardObjects = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for _, o := range model.Standard().Objects {
		out[o.NamePlural] = o.NameSingular
	}
	return out
})

// sortedKeys is for stable messages.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
