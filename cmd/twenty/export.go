package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/transfer"
)

func exportCommand(fs *flag.FlagSet) func(*env, []string) error {
	var lf listFlags
	lf.register(fs, "")
	format := fs.String("format", "jsonl", "`FORMAT`: jsonl or csv")
	out := fs.String("out", "", "write to `FILE` instead of stdout")
	progress := fs.String("progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), always or never")
	var inc incrementalFlags
	inc.register(fs)
	return func(e *env, pos []string) error {
		if inc.on() {
			if lf.filter != "" || lf.fields != "" {
				return usagef("--filter and --fields cannot be combined with --since, --state or --include-deleted")
			}
			if format := *format; format != "jsonl" && format != "csv" {
				return usagef("--format %q: want jsonl or csv", format)
			}
			return e.exportChanges(pos[0], *format, *out, inc)
		}
		return e.export(pos[0], &lf, *format, *out, *progress)
	}
}

func (e *env) export(object string, lf *listFlags, format, out, progress string) error {
	if format != "jsonl" && format != "csv" {
		return usagef("--format %q: want jsonl or csv", format)
	}
	showProgress := false
	switch progress {
	case "auto":
		showProgress = isTerminal(e.stderr)
	case "always":
		showProgress = true
	case "never":
	default:
		return usagef("--progress %q: want auto, always or never", progress)
	}
	opts, err := lf.options()
	if err != nil {
		return err
	}
	opts.Limit, opts.Prefetch = 200, true
	c, err := e.client()
	if err != nil {
		return err
	}
	var w io.Writer = e.stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	defer bw.Flush()

	res := c.RawObject(object)
	// The first page gives the total for the progress bar and, for CSV,
	// the columns.
	first, err := res.List(e.ctx, opts)
	if err != nil {
		return err
	}
	var sink recordSink = jsonlSink{bw}
	if format == "csv" {
		sink, err = newCSVSink(bw, object, first.Records)
		if err != nil {
			return err
		}
	}
	bar := &progressBar{w: e.stderr, enabled: showProgress, total: first.TotalCount, start: time.Now()}
	write := func(rec json.RawMessage) error {
		if err := sink.write(rec); err != nil {
			return err
		}
		bar.add(1)
		return nil
	}
	for _, rec := range first.Records {
		if err := write(rec); err != nil {
			return err
		}
	}
	if next, ok := first.NextCursor(); ok {
		opts.StartingAfter = next
		for rec, err := range res.All(e.ctx, opts) {
			if err != nil {
				bar.finish()
				return err
			}
			if err := write(rec); err != nil {
				return err
			}
		}
	}
	bar.finish()
	if err := sink.close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	where := "stdout"
	if out != "" {
		where = out
	}
	fmt.Fprintf(e.stderr, "twenty: exported %d %s to %s (%s)\n", bar.done, object, where, format)
	return nil
}

type recordSink interface {
	write(json.RawMessage) error
	close() error
}

type jsonlSink struct{ w io.Writer }

func (s jsonlSink) write(rec json.RawMessage) error { return writeLine(s.w, rec) }
func (s jsonlSink) close() error                    { return nil }

// csvSink flattens records into columns named by dotted paths
// (name.firstName, emails.primaryEmail): composite fields one level deep,
// everything else (JSON fields, arrays, nested objects) as JSON text, so
// the file imports back. The columns are those of the first page, sorted,
// with id first.
type csvSink struct {
	w         *csv.Writer
	cols      []string
	composite func(field string) bool
}

func newCSVSink(w io.Writer, object string, sample []json.RawMessage) (*csvSink, error) {
	s := &csvSink{w: csv.NewWriter(w), composite: compositeFields(object)}
	seen := map[string]bool{}
	for _, rec := range sample {
		flat, err := s.flatten(rec)
		if err != nil {
			return nil, err
		}
		for k := range flat {
			seen[k] = true
		}
	}
	cols := make([]string, 0, len(seen))
	for k := range seen {
		if k != "id" {
			cols = append(cols, k)
		}
	}
	sort.Strings(cols)
	if seen["id"] || len(cols) == 0 {
		cols = append([]string{"id"}, cols...)
	}
	s.cols = cols
	return s, s.w.Write(cols)
}

// compositeFields tells the composite fields of object by the built-in
// spec; for an object it does not know (a custom one), every JSON object
// value is taken for a composite.
func compositeFields(object string) func(string) bool {
	spec, err := transfer.ParseSpec(twenty.OpenAPISpec())
	if err != nil {
		return nil
	}
	schema, err := spec.Schema(object)
	if err != nil {
		return nil
	}
	return func(field string) bool {
		f := schema.Field(field)
		return f == nil || f.Kind == transfer.KindComposite
	}
}

func (s *csvSink) write(rec json.RawMessage) error {
	flat, err := s.flatten(rec)
	if err != nil {
		return err
	}
	row := make([]string, len(s.cols))
	for i, c := range s.cols {
		row[i] = flat[c]
	}
	return s.w.Write(row)
}

func (s *csvSink) close() error {
	s.w.Flush()
	return s.w.Error()
}

func (s *csvSink) flatten(rec json.RawMessage) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(rec))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for name, v := range top {
		sub, isObject := v.(map[string]any)
		if !isObject || (s.composite != nil && !s.composite(name)) {
			out[name] = cell(v)
			continue
		}
		for k, e := range sub {
			out[name+"."+k] = cell(e)
		}
	}
	return out, nil
}

// cell writes one value as CSV text: scalars as themselves, null as
// empty, objects and arrays as JSON.
func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// progressBar draws "1200/5000 24% 310/s ETA 12s" on one terminal line.
type progressBar struct {
	w       io.Writer
	enabled bool
	total   int
	done    int
	start   time.Time
	last    time.Time
}

func (p *progressBar) add(n int) {
	p.done += n
	if !p.enabled || time.Since(p.last) < 100*time.Millisecond && p.done != p.total {
		return
	}
	p.last = time.Now()
	p.draw()
}

func (p *progressBar) draw() {
	elapsed := time.Since(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.done) / elapsed
	}
	line := fmt.Sprintf("%d/%d", p.done, p.total)
	if p.total > 0 {
		line += fmt.Sprintf(" %3d%%", p.done*100/max(p.total, 1))
	}
	line += fmt.Sprintf(" %.0f/s", rate)
	if rate > 0 && p.total > p.done {
		eta := time.Duration(float64(p.total-p.done) / rate * float64(time.Second)).Round(time.Second)
		line += " ETA " + eta.String()
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

func (p *progressBar) finish() {
	if !p.enabled {
		return
	}
	p.draw()
	fmt.Fprintln(p.w)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
