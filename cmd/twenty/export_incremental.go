package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"time"

	"github.com/twenty-go/twenty/transfer"
)

// incrementalFlags are export's flags for writing only what changed.
type incrementalFlags struct {
	since, state   string
	includeDeleted bool
}

func (f *incrementalFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.since, "since", "", "only records updated at or after this time (RFC 3339, or a duration such as 24h)")
	fs.StringVar(&f.state, "state", "", "file keeping where the last run stopped: each run writes what changed since")
	fs.BoolVar(&f.includeDeleted, "include-deleted", false, "also write records soft-deleted since (their deletedAt is set)")
}

func (f *incrementalFlags) on() bool { return f.since != "" || f.state != "" || f.includeDeleted }

// parseSince reads an RFC 3339 time, a date, or a duration back from now.
func parseSince(s string, now time.Time) (string, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d).UTC().Format("2006-01-02T15:04:05.000Z"), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format("2006-01-02T15:04:05.000Z"), nil
		}
	}
	return "", usagef("--since %q: want a time such as 2024-05-01T00:00:00Z, a date, or a duration such as 24h", s)
}

// exportChanges writes the records changed since --since or the state
// file's mark, ordered by updatedAt then id, saving the state after each
// page: an interrupted run is continued by the next, appending to --out.
func (e *env) exportChanges(object, format, out string, f incrementalFlags) error {
	var st transfer.State
	if f.state != "" {
		data, err := os.ReadFile(f.state)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return err
		default:
			if err := json.Unmarshal(data, &st); err != nil {
				return fmt.Errorf("--state %s: %w", f.state, err)
			}
			if st.Object != "" && st.Object != object {
				return usagef("--state %s belongs to an export of %s", f.state, st.Object)
			}
		}
	}
	if f.since != "" && st.Updated.Time == "" {
		since, err := parseSince(f.since, time.Now())
		if err != nil {
			return err
		}
		st.Updated.Time, st.Deleted.Time = since, since
	}
	if st.Deleted.Time == "" && st.Updated.Time != "" && st.Deleted.ID == "" {
		st.Deleted.Time = st.Updated.Time
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	var w io.Writer = e.stdout
	resuming := st.Partial
	if out != "" {
		flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if resuming {
			flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		}
		file, err := os.OpenFile(out, flags, 0o644)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriter(w)
	defer bw.Flush()

	var sink recordSink = jsonlSink{bw}
	var pending []json.RawMessage // CSV: the first page decides the columns
	var csvS *csvSink
	write := func(rec json.RawMessage) error {
		if format != "csv" {
			return sink.write(rec)
		}
		if csvS == nil {
			pending = append(pending, rec)
			return nil
		}
		return csvS.write(rec)
	}
	startCSV := func() error {
		if format != "csv" || csvS != nil {
			return nil
		}
		var err error
		if len(st.Columns) > 0 && resuming {
			csvS = newCSVSinkColumns(bw, object, st.Columns, false)
		} else {
			csvS, err = newCSVSink(bw, object, pending)
			if err != nil {
				return err
			}
		}
		st.Columns = csvS.cols
		for _, rec := range pending {
			if err := csvS.write(rec); err != nil {
				return err
			}
		}
		pending = nil
		return nil
	}
	save := func(s transfer.State) error {
		if err := startCSV(); err != nil {
			return err
		}
		if csvS != nil {
			if err := csvS.close(); err != nil {
				return err
			}
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		if f.state == "" {
			return nil
		}
		s.Columns = st.Columns
		return writeState(f.state, s)
	}
	x := &transfer.Changes{Client: c, Object: object, IncludeDeleted: f.includeDeleted}
	final, n, runErr := x.Run(e.ctx, st, write, save)
	final.Columns = st.Columns
	if err := save(final); err != nil && runErr == nil {
		runErr = err
	}
	fmt.Fprintf(e.stderr, "twenty: %d %s records written; up to updatedAt %s\n", n, object, orDefault(final.Updated.Time, "(none)"))
	return runErr
}

// writeState replaces the state file atomically: a crash leaves the old
// state or the new, never half of one.
func writeState(path string, s transfer.State) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// newCSVSinkColumns continues a CSV with known columns (no header when
// appending to an interrupted run's file).
func newCSVSinkColumns(w io.Writer, object string, cols []string, header bool) *csvSink {
	s := &csvSink{w: csv.NewWriter(w), cols: cols, composite: compositeFields(object)}
	if header {
		_ = s.w.Write(cols)
	}
	return s
}
