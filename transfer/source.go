package transfer

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// ErrInput reports input that cannot be read as CSV or JSON Lines.
var ErrInput = errors.New("transfer: bad input")

// Format is the input's format.
type Format int

// The formats.
const (
	CSV   Format = iota + 1 // a header row, then one record per row
	JSONL                   // one JSON object per line
)

func (f Format) String() string {
	if f == CSV {
		return "csv"
	}
	return "jsonl"
}

// Row is one input record.
type Row struct {
	Index  int            // 0-based position among the data rows
	Line   int            // 1-based line of the input where it starts
	Values map[string]any // by header: text for CSV, decoded JSON for JSON Lines
	raw    []string       // CSV cells, for the reject file
}

// Input is a whole input, read into memory: an import needs the count for
// its progress and the digest to recognise its journal.
type Input struct {
	Format  Format
	Headers []string // CSV header, or every key seen in JSON Lines, sorted
	Rows    []Row
	Digest  string // SHA-256 of the bytes read
}

// DetectFormat guesses from a file name, then from the first byte.
func DetectFormat(name string, head []byte) Format {
	switch {
	case strings.HasSuffix(name, ".csv"):
		return CSV
	case strings.HasSuffix(name, ".jsonl"), strings.HasSuffix(name, ".ndjson"), strings.HasSuffix(name, ".json"):
		return JSONL
	}
	if t := bytes.TrimSpace(head); len(t) > 0 && t[0] == '{' {
		return JSONL
	}
	return CSV
}

// ReadInput reads all of r in format f.
func ReadInput(r io.Reader, f Format) (*Input, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	in := &Input{Format: f, Digest: hex.EncodeToString(sum[:])}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // spreadsheet BOM
	if f == CSV {
		return in, readCSV(in, data)
	}
	return in, readJSONL(in, data)
}

func readCSV(in *Input, data []byte) error {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = 0
	head, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("%w: empty CSV (no header row)", ErrInput)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInput, err)
	}
	in.Headers = head
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrInput, err)
		}
		line, _ := cr.FieldPos(0)
		row := Row{Index: len(in.Rows), Line: line, Values: make(map[string]any, len(head)), raw: rec}
		for i, h := range head {
			row.Values[h] = rec[i]
		}
		in.Rows = append(in.Rows, row)
	}
}

func readJSONL(in *Input, data []byte) error {
	keys := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var v map[string]any
		if err := decodeJSON(string(line), &v); err != nil || v == nil {
			return fmt.Errorf("%w: line %d: want one JSON object per line", ErrInput, n)
		}
		for k := range v {
			keys[k] = true
		}
		in.Rows = append(in.Rows, Row{Index: len(in.Rows), Line: n, Values: v})
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrInput, err)
	}
	for k := range keys {
		in.Headers = append(in.Headers, k)
	}
	sort.Strings(in.Headers)
	return nil
}

// Rejects writes rejected rows with the reason: for CSV the input's
// columns plus _line and _error, for JSON Lines {"line","error","record"}.
type Rejects struct {
	mu      sync.Mutex
	format  Format
	headers []string
	cw      *csv.Writer
	w       io.Writer
	n       int
}

// NewRejects writes to w; header says whether to start with the CSV
// header row (not when appending to a reject file from an earlier run).
func NewRejects(w io.Writer, in *Input, header bool) (*Rejects, error) {
	r := &Rejects{format: in.Format, headers: in.Headers, w: w}
	if in.Format == CSV {
		r.cw = csv.NewWriter(w)
		if header {
			if err := r.cw.Write(append(append([]string(nil), in.Headers...), "_line", "_error")); err != nil {
				return nil, err
			}
			r.cw.Flush()
		}
	}
	return r, nil
}

// Reject records one row and why it failed.
func (r *Rejects) Reject(row Row, reason string) error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	if r.cw != nil {
		cells := append(append([]string(nil), row.raw...), fmt.Sprint(row.Line), reason)
		if err := r.cw.Write(cells); err != nil {
			return err
		}
		r.cw.Flush()
		return r.cw.Error()
	}
	b, err := json.Marshal(map[string]any{"line": row.Line, "error": reason, "record": row.Values})
	if err != nil {
		return err
	}
	_, err = r.w.Write(append(b, '\n'))
	return err
}

// Count is how many rows were rejected through r.
func (r *Rejects) Count() int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}
