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
	"strings"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/authn"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitAuth  = 2
	exitUsage = 64
)

const usage = `usage: twenty [--base-url URL] [--api-key-file FILE] <command> [arguments]

commands:
  demo                              run a tour against a built-in fake Twenty (no setup, no network)
  ping                              list one person to check the key and URL
  list <object> [--limit N] [--filter F] [--order-by O] [--depth D] [--all]
  get <object> <id> [--depth D]
  create <object>                   JSON object, or array (sent in batches), on stdin
  update <object> <id>              JSON object on stdin
  delete <object> <id> [--destroy]  soft delete; --destroy deletes permanently
  restore <object> <id>
  export <object> [--format jsonl|csv] [--out FILE] [--filter F]
                 [--since TIME] [--state FILE] [--include-deleted]   changes only
  import <object> <file|->          CSV or JSON Lines, resumable; see 'twenty import --help'

The key comes from TWENTY_API_KEY or --api-key-file; the URL from TWENTY_BASE_URL
(default https://api.twenty.com) or --base-url. Objects are plural API names
(people, companies, ...), custom objects included. Records print as JSON Lines.
`

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	lookup func(string) (string, bool)

	baseURL    string
	apiKeyFile string
	// clientOpts are added to every client; tests use them for fast retries.
	clientOpts []twenty.Option
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, lookup: lookup}
	return e.main(args)
}

func (e *env) main(args []string) int {
	global := flag.NewFlagSet("twenty", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&e.baseURL, "base-url", "", "instance URL (overrides TWENTY_BASE_URL)")
	global.StringVar(&e.apiKeyFile, "api-key-file", "", "read the API key from this file")
	if err := global.Parse(args); err != nil {
		return e.fail(usageError{err.Error()})
	}
	rest := global.Args()
	if len(rest) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	cmd, rest := rest[0], rest[1:]
	var err error
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return exitOK
	case "demo":
		err = e.demo(rest)
	case "ping":
		err = e.ping(rest)
	case "list":
		err = e.list(rest)
	case "get":
		err = e.get(rest)
	case "create":
		err = e.create(rest)
	case "update":
		err = e.update(rest)
	case "delete":
		err = e.delete(rest)
	case "restore":
		err = e.restore(rest)
	case "export":
		err = e.export(rest)
	case "import":
		err = e.importCmd(rest)
	default:
		err = usagef("unknown command %q", cmd)
	}
	if err != nil {
		return e.fail(err)
	}
	return exitOK
}

// fail prints one line naming the class of the error and returns the exit
// code for it.
func (e *env) fail(err error) int {
	var ue usageError
	var pe partialError
	if errors.As(err, &pe) {
		fmt.Fprintf(e.stderr, "twenty: partial failure: %s\n", pe.Error())
		return exitPartial
	}
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "twenty: usage: %s\nrun 'twenty help' for the commands\n", ue.msg)
		return exitUsage
	}
	class, code := describe(err)
	fmt.Fprintf(e.stderr, "twenty: %s: %s\n", class, oneLine(message(err)))
	return code
}

// describe names the error's class and picks the exit code.
func describe(err error) (string, int) {
	var authErr *authn.Error
	switch {
	case errors.Is(err, authn.ErrMissingAPIKey):
		return "authentication failed (no API key)", exitAuth
	case errors.Is(err, authn.ErrExpiredAPIKey):
		return "authentication failed (EXPIRED_API_KEY)", exitAuth
	case errors.Is(err, authn.ErrRevokedAPIKey):
		return "authentication failed (REVOKED_API_KEY)", exitAuth
	case errors.Is(err, authn.ErrMissingAuthHeader):
		return "authentication failed (MISSING_AUTH_HEADER)", exitAuth
	case errors.Is(err, authn.ErrUnauthorized), errors.As(err, &authErr):
		return "authentication failed (UNAUTHORIZED)", exitAuth
	case errors.Is(err, authn.ErrInvalidAPIKey), errors.Is(err, authn.ErrInsecureTransport):
		return "configuration error", exitAuth
	case errors.Is(err, twenty.ErrNotFound):
		return "not found", exitError
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
		return "interrupted", exitError
	}
	return "error", exitError
}

// message prefers the server's own words over the full error chain.
func message(err error) string {
	var apiErr *twenty.APIError
	if errors.As(err, &apiErr) && len(apiErr.Messages) > 0 {
		return strings.Join(apiErr.Messages, "; ")
	}
	return strings.TrimPrefix(err.Error(), "twenty: ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// client builds a client from the environment and flags. The key is never
// read from a flag value.
func (e *env) client() (*twenty.Client, error) {
	key, ok := e.lookup(authn.EnvAPIKey)
	if e.apiKeyFile != "" {
		data, err := os.ReadFile(e.apiKeyFile)
		if err != nil {
			return nil, fmt.Errorf("reading --api-key-file: %w", err)
		}
		key, ok = strings.TrimSpace(string(data)), true
	}
	if !ok || key == "" {
		return nil, fmt.Errorf("%s is not set (or use --api-key-file): %w", authn.EnvAPIKey, authn.ErrMissingAPIKey)
	}
	opts := []twenty.Option{twenty.WithAPIKey(key)}
	base := e.baseURL
	if base == "" {
		base, _ = e.lookup(authn.EnvBaseURL)
	}
	if base != "" {
		opts = append(opts, twenty.WithBaseURL(base))
	}
	return twenty.NewClient(append(opts, e.clientOpts...)...)
}

// parse parses flags and positional arguments in any order, as users
// type them: `list people --limit 5` and `list --limit 5 people`.
func parse(fs *flag.FlagSet, args []string, positional ...string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) != len(positional) {
		return nil, usagef("%s needs %s", fs.Name(), strings.Join(positional, " "))
	}
	return pos, nil
}

func (e *env) ping(args []string) error {
	if _, err := parse(flag.NewFlagSet("ping", flag.ContinueOnError), args); err != nil {
		return err
	}
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

type listFlags struct {
	limit, depth    int
	filter, orderBy string
	all             bool
}

func (lf *listFlags) options() (*twenty.ListOptions, error) {
	o := &twenty.ListOptions{Limit: lf.limit, Depth: lf.depth}
	if lf.filter != "" {
		o.Filter = twenty.RawFilter(lf.filter)
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

// parseOrderBy reads "name.lastName[DescNullsLast],createdAt" into Orders.
func parseOrderBy(s string) ([]twenty.Order, error) {
	var out []twenty.Order
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		field, dir, hasDir := strings.Cut(part, "[")
		o := twenty.Order{Field: field}
		if hasDir {
			o.Direction = twenty.Direction(strings.TrimSuffix(dir, "]"))
		}
		if err := o.Err(); err != nil {
			return nil, usagef("--order-by: %v", err)
		}
		out = append(out, o)
	}
	return out, nil
}

func (e *env) list(args []string) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	var lf listFlags
	fs.IntVar(&lf.limit, "limit", 0, "records per page (server default 60, at most 200)")
	fs.IntVar(&lf.depth, "depth", 0, "0, or 1 to embed related records")
	fs.StringVar(&lf.filter, "filter", "", "Twenty filter, such as 'city[eq]:Paris'")
	fs.StringVar(&lf.orderBy, "order-by", "", "such as 'createdAt[DescNullsLast]'")
	fs.BoolVar(&lf.all, "all", false, "follow every page")
	pos, err := parse(fs, args, "<object>")
	if err != nil {
		return err
	}
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
	if lf.all {
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
	return nil
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

func (e *env) get(args []string) error {
	fs := flag.NewFlagSet("get", flag.ContinueOnError)
	depth := fs.Int("depth", 0, "0, or 1 to embed related records")
	pos, err := parse(fs, args, "<object>", "<id>")
	if err != nil {
		return err
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	rec, err := c.RawObject(pos[0]).Get(e.ctx, pos[1], &twenty.GetOptions{Depth: *depth})
	if err != nil {
		return err
	}
	return writeLine(e.stdout, rec)
}

func (e *env) create(args []string) error {
	fs := flag.NewFlagSet("create", flag.ContinueOnError)
	upsert := fs.Bool("upsert", false, "update the record with the same id or unique field instead")
	pos, err := parse(fs, args, "<object>")
	if err != nil {
		return err
	}
	input, err := readJSON(e.stdin)
	if err != nil {
		return err
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	res := c.RawObject(pos[0])
	opts := &twenty.CreateOptions{Upsert: *upsert}
	if input[0] == '[' {
		var recs []json.RawMessage
		if err := json.Unmarshal(input, &recs); err != nil {
			return usagef("stdin: %v", err)
		}
		created, err := res.CreateMany(e.ctx, recs, opts)
		for _, rec := range created {
			if werr := writeLine(e.stdout, rec); werr != nil {
				return werr
			}
		}
		return err
	}
	rec, err := res.Create(e.ctx, input, opts)
	if err != nil {
		return err
	}
	return writeLine(e.stdout, rec)
}

func (e *env) update(args []string) error {
	pos, err := parse(flag.NewFlagSet("update", flag.ContinueOnError), args, "<object>", "<id>")
	if err != nil {
		return err
	}
	input, err := readJSON(e.stdin)
	if err != nil {
		return err
	}
	if input[0] != '{' {
		return usagef("update reads one JSON object on stdin")
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	rec, err := c.RawObject(pos[0]).Update(e.ctx, pos[1], input, nil)
	if err != nil {
		return err
	}
	return writeLine(e.stdout, rec)
}

func (e *env) delete(args []string) error {
	fs := flag.NewFlagSet("delete", flag.ContinueOnError)
	destroy := fs.Bool("destroy", false, "delete permanently instead of soft-deleting")
	pos, err := parse(fs, args, "<object>", "<id>")
	if err != nil {
		return err
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	res := c.RawObject(pos[0])
	if *destroy {
		err = res.Destroy(e.ctx, pos[1])
	} else {
		err = res.Delete(e.ctx, pos[1])
	}
	if err != nil {
		return err
	}
	verb := "deleted"
	if *destroy {
		verb = "destroyed"
	}
	fmt.Fprintf(e.stdout, "%s %s\n", verb, pos[1])
	return nil
}

func (e *env) restore(args []string) error {
	pos, err := parse(flag.NewFlagSet("restore", flag.ContinueOnError), args, "<object>", "<id>")
	if err != nil {
		return err
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	rec, err := c.RawObject(pos[0]).Restore(e.ctx, pos[1])
	if err != nil {
		return err
	}
	return writeLine(e.stdout, rec)
}

// readJSON reads one JSON value (object or array) from stdin.
func readJSON(r io.Reader) (json.RawMessage, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, err
	}
	var v json.RawMessage
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, usagef("stdin must hold a JSON object or array: %v", err)
	}
	if len(v) == 0 || (v[0] != '{' && v[0] != '[') {
		return nil, usagef("stdin must hold a JSON object or array")
	}
	return v, nil
}
