package transfer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
)

// ErrJournalMismatch reports a journal written for another input or
// other options: resuming from it would skip the wrong rows.
var ErrJournalMismatch = errors.New("transfer: the journal belongs to another import")

// RowState is what the journal knows of a row.
type RowState byte

// The states. A row without a state was never sent.
const (
	Pending  RowState = iota
	Sent              // sent, answer not yet recorded: its outcome is unknown
	Done              // created, updated or found unchanged
	Rejected          // refused (by the checks or the server): in the reject file
)

var stateNames = map[string]RowState{"pending": Pending, "sent": Sent, "done": Done, "rejected": Rejected}

func (s RowState) String() string {
	for k, v := range stateNames {
		if v == s {
			return k
		}
	}
	return "?"
}

// Journal records, on disk and as it happens, which rows of an import are
// confirmed, so that a re-run of the same import skips them. Each change
// is one JSON line, synced before the import goes on; a line torn by a
// crash is ignored when the journal is read back. Rows are written "sent"
// before a create that is not safe to repeat, so a crash that loses the
// answer leaves them marked as of unknown outcome, never as unsent.
type Journal struct {
	mu     sync.Mutex
	f      *os.File
	states map[int]RowState
	sync   bool
}

type journalHeader struct {
	Journal     int    `json:"journal"`
	Fingerprint string `json:"fingerprint"`
}

type journalLine struct {
	State string   `json:"state"`
	Rows  [][2]int `json:"rows"` // half-open ranges of row indexes
}

// OpenJournal opens the journal at path, creating it if needed. The
// fingerprint identifies the import (the input's digest, object and
// mode); an existing journal with another fingerprint is refused.
func OpenJournal(path, fingerprint string) (*Journal, error) {
	j := &Journal{states: map[int]RowState{}, sync: true}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if err := j.load(data, fingerprint); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	j.f = f
	if len(data) == 0 {
		if err := j.append(journalHeader{Journal: 1, Fingerprint: fingerprint}); err != nil {
			f.Close()
			return nil, err
		}
	} else if data[len(data)-1] != '\n' {
		// A torn last line: end it so the next one starts clean.
		if _, err := f.Write([]byte("\n")); err != nil {
			f.Close()
			return nil, err
		}
	}
	return j, nil
}

func (j *Journal) load(data []byte, fingerprint string) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	first := true
	for sc.Scan() {
		if first {
			first = false
			var h journalHeader
			if json.Unmarshal(sc.Bytes(), &h) != nil || h.Journal != 1 {
				return fmt.Errorf("%w: not a journal", ErrJournalMismatch)
			}
			if h.Fingerprint != fingerprint {
				return fmt.Errorf("%w (input or options changed); remove the journal to start over", ErrJournalMismatch)
			}
			continue
		}
		var l journalLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue // torn by a crash
		}
		st, ok := stateNames[l.State]
		if !ok {
			continue
		}
		for _, r := range l.Rows {
			for i := r[0]; i < r[1]; i++ {
				j.states[i] = st
			}
		}
	}
	return sc.Err()
}

// State returns what the journal knows of row i.
func (j *Journal) State(i int) RowState {
	if j == nil {
		return Pending
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.states[i]
}

// Mark records rows as st and syncs the journal to disk.
func (j *Journal) Mark(st RowState, rows []int) error {
	if j == nil || len(rows) == 0 {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, i := range rows {
		j.states[i] = st
	}
	return j.append(journalLine{State: st.String(), Rows: ranges(rows)})
}

func (j *Journal) append(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return err
	}
	if j.sync {
		return j.f.Sync()
	}
	return nil
}

// Counts returns how many rows are in each state.
func (j *Journal) Counts() map[RowState]int {
	out := map[RowState]int{}
	if j == nil {
		return out
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, st := range j.states {
		out[st]++
	}
	return out
}

// Close closes the journal's file.
func (j *Journal) Close() error {
	if j == nil {
		return nil
	}
	return j.f.Close()
}

// ranges compresses row indexes into sorted half-open ranges.
func ranges(rows []int) [][2]int {
	s := append([]int(nil), rows...)
	sort.Ints(s)
	var out [][2]int
	for _, i := range s {
		if n := len(out); n > 0 && out[n-1][1] == i {
			out[n-1][1]++
			continue
		} else if n > 0 && out[n-1][1] > i {
			continue // a duplicate
		}
		out = append(out, [2]int{i, i + 1})
	}
	return out
}
