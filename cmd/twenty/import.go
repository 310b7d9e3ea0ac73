package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/transfer"
)

// partialError reports rows that did not make it; the summary is printed.
type partialError struct{ sum transfer.Summary }

func (e partialError) Error() string {
	return fmt.Sprintf("%d of %d rows not imported (%d rejected, %d outcome unknown, %d pending)",
		e.sum.Failed(), e.sum.Rows, e.sum.Rejected, e.sum.Unknown, e.sum.Pending)
}

// importUsage is the long help of `twenty import --help`.
const importUsage = `Reads CSV (a header row of field paths: name.firstName, emails.primaryEmail,
amount.amountMicros; what 'twenty export --format csv' writes) or JSON Lines,
checks every value against the object's schema, and creates the records in
batches of the server's maximum. Relation columns name the target by a
unique value: company=acme.com sets companyId (company.name=Acme matches on
the name). Rows the checks or the server refuse go to the reject file.

The journal (default <file>.journal) records every confirmed row: re-running
the same command after a crash, Ctrl-C or a lost answer continues where it
stopped. Without --key or --upsert a batch whose answer was lost is not sent
again (it may exist): it is reported, and --retry-unknown sends it anyway.

--key FIELD is the safe way to re-run: the batch's keys are looked up, new
rows created, existing ones updated with the fields that differ. --upsert
uses the server's own ?upsert=true instead; its matching has open bugs
(twentyhq/twenty#13553: no update by email alone; #22580: composite unique
keys).

Exit status 5 (partial failure): some rows were rejected, of unknown outcome,
or not reached.`

type kvFlag map[string]string

func (m kvFlag) String() string { return "" }
func (m kvFlag) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return fmt.Errorf("%q: want NAME=FIELD", part)
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return nil
}

func importCommand(fs *flag.FlagSet) func(*env, []string) error {
	format := fs.String("format", "", "csv or jsonl (default: from the file name, else the first byte)")
	rename, lookups := kvFlag{}, kvFlag{}
	fs.Var(rename, "map", "rename columns: 'Email=emails.primaryEmail,Company=company'")
	fs.Var(lookups, "lookup", "the target field a relation column matches: 'company=name'")
	ignore := fs.Bool("ignore-unknown", false, "skip columns that name no field instead of failing")
	key := fs.String("key", "", "field path identifying a record: update it if it exists (keyed upsert)")
	upsert := fs.Bool("upsert", false, "use the server's ?upsert=true (see the bugs above)")
	dryRun := fs.Bool("dry-run", false, "check every row and show what would change; write nothing")
	journalPath := fs.String("journal", "", "journal file (default <file>.journal; none for stdin unless set)")
	rejectsPath := fs.String("rejects", "", "reject file (default <file>.rejects.csv or .jsonl)")
	retryUnknown := fs.Bool("retry-unknown", false, "send again rows an earlier run sent without an answer (may duplicate)")
	concurrency := fs.Int("concurrency", 1, "batches in flight")
	ratePerMin := fs.Int("rate", 0, "at most this many requests per minute (0: no limit; Twenty Cloud allows 100)")
	specPath := fs.String("spec", "", "OpenAPI document with your custom objects (default: the standard objects)")
	progress := fs.String("progress", "auto", "auto (when stderr is a terminal), always or never")
	return func(e *env, pos []string) error {
		if *key != "" && *upsert {
			return usagef("--key and --upsert cannot be combined")
		}
		if *concurrency < 1 || *ratePerMin < 0 {
			return usagef("--concurrency must be at least 1 and --rate at least 0")
		}
		showProgress, err := progressFlag(*progress, e.stderr)
		if err != nil {
			return err
		}
		object, file := pos[0], pos[1]

		// Everything that can be checked without the server is, first.
		specData := twenty.OpenAPISpec()
		if *specPath != "" {
			if specData, err = os.ReadFile(*specPath); err != nil {
				return err
			}
		}
		spec, err := transfer.ParseSpec(specData)
		if err != nil {
			return err
		}
		schema, err := spec.Schema(object)
		if err != nil {
			return usagef("%v", err)
		}
		var r io.Reader = e.stdin
		if file != "-" {
			f, err := os.Open(file)
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		var ft transfer.Format
		switch *format {
		case "":
			ft = transfer.DetectFormat(file, data[:min(len(data), 64)])
		case "csv":
			ft = transfer.CSV
		case "jsonl":
			ft = transfer.JSONL
		default:
			return usagef("--format must be csv or jsonl")
		}
		in, err := transfer.ReadInput(strings.NewReader(string(data)), ft)
		if err != nil {
			return err
		}
		mapping, err := transfer.NewMapping(spec, schema, in.Headers, transfer.MapOptions{Rename: rename, IgnoreUnknown: *ignore, Lookups: lookups})
		if err != nil {
			return usagef("%v", err)
		}
		if *ratePerMin > 0 {
			e.clientOpts = append(e.clientOpts, twenty.WithRateLimit(*ratePerMin, time.Minute))
		}
		c, err := e.client()
		if err != nil {
			return err
		}
		im := &transfer.Importer{Client: c, Mapping: mapping, Key: *key, Upsert: *upsert, RetryUnknown: *retryUnknown,
			DryRun: *dryRun, Concurrency: *concurrency}

		if !*dryRun {
			jp := *journalPath
			if jp == "" && file != "-" {
				jp = file + ".journal"
			}
			if jp != "" {
				mode := fmt.Sprintf("key=%s upsert=%t", *key, *upsert)
				j, err := transfer.OpenJournal(jp, strings.Join([]string{object, in.Digest, mode}, " "))
				if err != nil {
					return err
				}
				defer j.Close()
				im.Journal = j
			} else {
				fmt.Fprintln(e.stderr, "twenty: no journal for stdin without --journal: an interrupted import cannot resume")
			}
			rp := *rejectsPath
			if rp == "" {
				base := file
				if file == "-" {
					base = "stdin"
				}
				rp = base + ".rejects." + ft.String()
			}
			_, statErr := os.Stat(rp)
			rf, err := os.OpenFile(rp, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
			if err != nil {
				return err
			}
			defer func() {
				rf.Close()
				if im.Rejects.Count() == 0 && statErr != nil {
					os.Remove(rp) // nothing rejected: no empty file left behind
				}
			}()
			if im.Rejects, err = transfer.NewRejects(rf, in, statErr != nil); err != nil {
				return err
			}
		}

		bar := &progressBar{w: e.stderr, enabled: showProgress, total: len(in.Rows), start: time.Now()}
		im.Progress = func(p transfer.Progress) { bar.add(p.Done - bar.done) }
		var changes []transfer.PlanEntry
		im.Plan = func(p transfer.PlanEntry) {
			if p.Action == transfer.ActionReject || p.Action == transfer.ActionUnknown || *dryRun && p.Action == transfer.ActionUpdate {
				changes = append(changes, p)
			}
		}
		started := time.Now()
		sum, runErr := im.Run(e.ctx, in)
		bar.finish()
		sort.Slice(changes, func(i, j int) bool { return changes[i].Line < changes[j].Line })
		for _, p := range changes {
			switch p.Action {
			case transfer.ActionUpdate:
				fmt.Fprintf(e.stdout, "line %d: update %s: %s\n", p.Line, p.ID, strings.Join(p.Changed, ", "))
			default:
				fmt.Fprintf(e.stdout, "line %d: %s: %s\n", p.Line, p.Action, p.Reason)
			}
		}
		verb := "imported"
		if *dryRun {
			verb = "dry run (nothing written)"
			fmt.Fprintf(e.stdout, "%d new, %d changed, %d unchanged, %d bad\n", sum.Created, sum.Updated, sum.Unchanged, sum.Rejected)
		}
		took := time.Since(started).Round(time.Millisecond)
		fmt.Fprintf(e.stderr, "twenty: %s %s in %v: %s\n", object, verb, took, sum)
		if im.Rejects != nil && im.Rejects.Count() > 0 {
			fmt.Fprintf(e.stderr, "twenty: rejected rows and the reasons are in %s\n", orDefault(*rejectsPath, file+".rejects."+ft.String()))
		}
		if runErr != nil {
			if errors.Is(runErr, context.Canceled) && im.Journal != nil {
				fmt.Fprintln(e.stderr, "twenty: interrupted: run the same command again to continue")
			}
			return runErr
		}
		if sum.Failed() > 0 {
			return partialError{sum}
		}
		return nil
	}
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// progressFlag reads --progress.
func progressFlag(v string, w io.Writer) (bool, error) {
	switch v {
	case "auto":
		return isTerminal(w), nil
	case "always":
		return true, nil
	case "never":
		return false, nil
	}
	return false, usagef("--progress must be auto, always or never")
}
