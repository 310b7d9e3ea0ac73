package transfer_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twenty-go/twenty/transfer"
	"github.com/twenty-go/twenty/twentytest"
)

// bigCSV writes n opportunities; every 97th has a stage the schema
// refuses, every 5th names a seeded company by its domain.
func bigCSV(n int, domains []string) (text string, bad int) {
	var b strings.Builder
	b.WriteString("name,amount.amountMicros,amount.currencyCode,stage,closeDate,position,company\n")
	for i := range n {
		stage := []string{"NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"}[i%5]
		if i%97 == 13 {
			stage, bad = "LOST", bad+1
		}
		company := ""
		if i%5 == 0 {
			company = domains[i%len(domains)]
		}
		fmt.Fprintf(&b, "Deal %05d,%d,EUR,%s,2024-%02d-%02dT10:00:00Z,%d,%s\n", i, (i+1)*1_000_000, stage, i%12+1, i%28+1, i, company)
	}
	return b.String(), bad
}

// TestImport20000RowsWithFaultsAndACrash imports 20,000 rows through
// random 429s, 5xx (some applied before failing), dropped answers (some
// applied) and latency, cancels the run part way as a crash would, and
// resumes it from the journal: every good row exists exactly once, every
// bad row is in the reject file once.
func TestImport20000RowsWithFaultsAndACrash(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 rows")
	}
	s := twentytest.NewServer(t)
	var domains []string
	for _, c := range s.Records("companies") {
		domains = append(domains, c["domainName"].(map[string]any)["primaryLinkUrl"].(string))
	}
	const n = 20_000
	text, bad := bigCSV(n, domains)
	dir := t.TempDir()
	journal, rejects := filepath.Join(dir, "journal"), filepath.Join(dir, "rejects.csv")
	s.FailRandomly(0.08, 7,
		twentytest.Fault{Kind: twentytest.FaultStatus, Status: 429},
		twentytest.Fault{Kind: twentytest.FaultStatus, Status: 503},
		twentytest.Fault{Kind: twentytest.FaultStatus, Status: 500, Applied: true},
		twentytest.Fault{Kind: twentytest.FaultDrop},
		twentytest.Fault{Kind: twentytest.FaultDrop, Applied: true},
		twentytest.Fault{Kind: twentytest.FaultTruncate},
		twentytest.Fault{Kind: twentytest.FaultLatency, Delay: time.Millisecond},
	)
	c := clientFor(t, s)

	attempt := func(crashAt int) (transfer.Summary, error) {
		im, in := importer(t, c, "opportunities", text, transfer.CSV, transfer.MapOptions{})
		j, err := transfer.OpenJournal(journal, "test "+in.Digest)
		require.NoError(t, err)
		defer j.Close()
		_, statErr := os.Stat(rejects)
		f, err := os.OpenFile(rejects, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		require.NoError(t, err)
		defer f.Close()
		im.Rejects, err = transfer.NewRejects(f, in, statErr != nil)
		require.NoError(t, err)
		im.Journal, im.Key, im.Concurrency = j, "name", 2
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if crashAt > 0 {
			im.Progress = func(p transfer.Progress) {
				if p.Done >= crashAt {
					cancel()
				}
			}
		}
		return im.Run(ctx, in)
	}
	start := time.Now()
	first, err := attempt(n / 3)
	require.ErrorIs(t, err, context.Canceled)
	assert.Positive(t, first.Pending, first)
	second, err := attempt(0)
	require.NoError(t, err, second)
	t.Logf("first run %v; second %v; %d requests, %v", first, second, s.Requests(), time.Since(start))
	assert.Equal(t, first.Created+first.Rejected+first.Updated+first.Unchanged, second.Previous, "the journal holds what the first run confirmed")
	assert.Zero(t, second.Unknown+second.Pending)

	count := map[string]int{}
	for _, r := range s.Records("opportunities") {
		if name, _ := r["name"].(string); strings.HasPrefix(name, "Deal ") {
			count[name]++
		}
	}
	assert.Len(t, count, n-bad, "nothing lost")
	for name, k := range count {
		if k != 1 {
			t.Errorf("%s exists %d times", name, k)
		}
	}
	data, err := os.ReadFile(rejects)
	require.NoError(t, err)
	recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, bad+1, "one header, then every bad row once")
	for _, r := range recs[1:] {
		assert.Equal(t, "LOST", r[3])
		assert.Contains(t, r[len(r)-1], "one of NEW")
	}
}
