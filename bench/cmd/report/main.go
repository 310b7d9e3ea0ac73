// Command report reads `go test -bench` output of the bench module (a file,
// or standard input) and prints each target of the benchmarks with its
// measured value and PASS or MISS. Values are medians over the -count
// runs, except the peak heap and the 429 count, which take the worst run.
// Ratios between benchmarks (round trip against ogen, decode and bytes
// against encoding/json) are computed here from their ns/op and B/op.
//
//	go test -run '^$' -bench . -count 6 | tee bench.txt
//	go run ./cmd/report bench.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// samples maps a benchmark name (without the -GOMAXPROCS suffix) to its
// runs, each a map from unit to value.
type samples map[string][]map[string]float64

var procSuffix = regexp.MustCompile(`-\d+$`)

// failed collects the lines of the input that report a failure.
var failed []string

func parse(r io.Reader) (samples, error) {
	s := samples{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "--- FAIL") || strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "panic:") {
			failed = append(failed, line)
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		run := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			run[f[i+1]] = v
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		s[name] = append(s[name], run)
	}
	return s, sc.Err()
}

func (s samples) values(name, unit string) []float64 {
	var out []float64
	for _, run := range s[name] {
		if v, ok := run[unit]; ok {
			out = append(out, v)
		}
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	v = append([]float64(nil), v...)
	sort.Float64s(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	} else {
		return (v[n/2-1] + v[n/2]) / 2
	}
}

func worst(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	m := v[0]
	for _, x := range v[1:] {
		m = max(m, x)
	}
	return m
}

type target struct {
	what   string
	value  float64
	op     string // "<=", ">=", "==", or "" for a value reported without a target
	limit  float64
	detail string
}

func (t target) verdict() string {
	if math.IsNaN(t.value) {
		return "NO DATA"
	}
	if t.op == "" {
		return "info"
	}
	ok := false
	switch t.op {
	case "<=":
		ok = t.value <= t.limit
	case ">=":
		ok = t.value >= t.limit
	case "==":
		ok = t.value == t.limit
	}
	if ok {
		return "PASS"
	}
	return "MISS"
}

func ratio(s samples, a, b, unit string) float64 {
	return median(s.values(a, unit)) / median(s.values(b, unit))
}

func main() {
	strict := flag.Bool("strict", false, "exit 1 when a target is missed or has no data")
	flag.Parse()
	var in io.Reader = os.Stdin
	if flag.NArg() > 0 {
		f, err := os.Open(flag.Arg(0))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	s, err := parse(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}

	const (
		rtTwenty  = "Page/roundtrip/twenty"
		rtOgen    = "Page/roundtrip/ogen"
		rtStructs = "Page/roundtrip/nethttp-structs"
		rtMap     = "Page/roundtrip/nethttp-map"
		decTwenty = "Page/decode/twenty"
		decOgen   = "Page/decode/ogen"
		decOgenCl = "Page/decode/ogen-client"
		decStruct = "Page/decode/nethttp-structs"
	)
	ms := func(name string) string {
		return fmt.Sprintf("%.2f ms", median(s.values(name, "ns/op"))/1e6)
	}
	kb := func(name string) string {
		return fmt.Sprintf("%.0f KB", median(s.values(name, "B/op"))/1e3)
	}
	targets := []target{
		{what: "page round trip: twenty / ogen (time)", value: ratio(s, rtTwenty, rtOgen, "ns/op"), op: "<=", limit: 1,
			detail: ms(rtTwenty) + " vs " + ms(rtOgen)},
		{what: "page decode: twenty / encoding/json structs (time)", value: ratio(s, decTwenty, decStruct, "ns/op"), op: "<=", limit: 0.30,
			detail: ms(decTwenty) + " vs " + ms(decStruct) + "; ogen " + ms(decOgen)},
		{what: "page decode: twenty / ogen, both clients over memory (time, paired)", value: median(s.values(decTwenty, "time/ogen-client")), op: "<=", limit: 1,
			detail: ms(decTwenty) + " vs " + ms(decOgenCl)},
		{what: "page decode: twenty's call / ogen's bare decode (time, paired)", value: median(s.values(decTwenty, "time/ogen")), op: "",
			detail: ms(decTwenty) + " vs " + ms(decOgen)},
		{what: "page round trip: twenty / encoding/json structs (B/op)", value: ratio(s, rtTwenty, rtStructs, "B/op"), op: "<=", limit: 0.6,
			detail: kb(rtTwenty) + " vs " + kb(rtStructs)},
		{what: "page round trip: twenty / encoding/json map (B/op)", value: ratio(s, rtTwenty, rtMap, "B/op"), op: "<=", limit: 0.25,
			detail: kb(rtTwenty) + " vs " + kb(rtMap)},
		{what: "page round trip: twenty / encoding/json structs (time)", value: ratio(s, rtTwenty, rtStructs, "ns/op"), op: "",
			detail: ms(rtTwenty) + " vs " + ms(rtStructs)},
		{what: "All over 100,000 records: peak heap, in decoded pages (worst run)", value: worst(s.values("All100k", "peak-heap-pages")), op: "<=", limit: 3,
			detail: fmt.Sprintf("page %.0f KiB; with uncollected garbage at default GOGC %.1f pages", median(s.values("All100k", "page-KiB")), worst(s.values("All100k", "peak-alloc-pages")))},
		{what: "All over 100,000 records: allocations per record", value: median(s.values("All100k", "allocs/record")), op: "",
			detail: fmt.Sprintf("%.2f s per 100,000", median(s.values("All100k", "ns/op"))/1e9)},
		{what: "Prefetch: time with / without (10 ms latency, 10 ms work per page)", value: median(s.values("Prefetch", "on/off")), op: "<=", limit: 0.6,
			detail: fmt.Sprintf("%.0f ms vs %.0f ms for 20 pages", median(s.values("Prefetch", "on-ms")), median(s.values("Prefetch", "off-ms")))},
		{what: "Bulk create 10,000: requests sent (ceil(10000/200))", value: worst(s.values("BulkCreate", "requests")), op: "==", limit: 50},
		{what: "Budgeted export of 10,000 at 100/min: requests (ceil(10000/200))", value: worst(s.values("BudgetedJob/export", "requests")), op: "==", limit: 50},
		{what: "Budgeted export of 10,000 at 100/min: 429s (worst run)", value: worst(s.values("BudgetedJob/export", "429s")), op: "==", limit: 0},
		{what: "Budgeted export of 10,000 at 100/min: time / time the budget allows", value: median(s.values("BudgetedJob/export", "time/budget")), op: "<=", limit: 1.10,
			detail: fmt.Sprintf("%.1f s for 50 requests at 100 per 5 s (a scaled minute)", median(s.values("BudgetedJob/export", "ns/op"))/1e9)},
		{what: "Budgeted import of 10,000 at 100/min: requests (ceil(10000/200))", value: worst(s.values("BudgetedJob/import", "requests")), op: "==", limit: 50},
		{what: "Budgeted import of 10,000 at 100/min: 429s (worst run)", value: worst(s.values("BudgetedJob/import", "429s")), op: "==", limit: 0},
		{what: "Budgeted import of 10,000 at 100/min: time / time the budget allows", value: median(s.values("BudgetedJob/import", "time/budget")), op: "<=", limit: 1.10,
			detail: fmt.Sprintf("%.1f s for 50 requests at 100 per 5 s (a scaled minute)", median(s.values("BudgetedJob/import", "ns/op"))/1e9)},
		{what: "Bulk create 10,000: sequential / 4 workers (time, 40 ms per batch)", value: median(s.values("BulkCreate", "speedup")), op: ">=", limit: 3,
			detail: fmt.Sprintf("%.0f ms vs %.0f ms", median(s.values("BulkCreate", "seq-ms")), median(s.values("BulkCreate", "conc4-ms")))},
		{what: "Rate limit: 429s with WithRateLimit(budget) (worst run)", value: worst(s.values("RateLimit/exact", "429s")), op: "==", limit: 0},
		{what: "Rate limit: job time / time the budget allows", value: median(s.values("RateLimit/exact", "time/budget")), op: "<=", limit: 1.10,
			detail: fmt.Sprintf("%.0f ms for 100 requests at 20 per 200 ms", median(s.values("RateLimit/exact", "ns/op"))/1e6)},
		{what: "Import 10,000 rows: requests (ceil(10000/200) creates + 1 relation look-up)", value: worst(s.values("ImportAtRateLimit", "requests")), op: "==", limit: 51},
		{what: "Import 10,000 rows: 429s at the budget (worst run)", value: worst(s.values("ImportAtRateLimit", "429s")), op: "==", limit: 0},
		{what: "Import 10,000 rows: time / time a 100-per-minute budget allows (scaled to 100 per 10 s)", value: median(s.values("ImportAtRateLimit", "time/budget")), op: "<=", limit: 1.10,
			detail: fmt.Sprintf("%.2f s", median(s.values("ImportAtRateLimit", "ns/op"))/1e9)},
		{what: "Rate limit, 2% headroom (budget*0.98): 429s (worst run)", value: worst(s.values("RateLimit/headroom", "429s")), op: ""},
		{what: "Rate limit, 2% headroom (budget*0.98): time / budget", value: median(s.values("RateLimit/headroom", "time/budget")), op: ""},
	}
	missed := 0
	if len(failed) > 0 {
		fmt.Println("the benchmark run failed:")
		for _, l := range failed {
			fmt.Println("  " + l)
		}
	}
	fmt.Println("twenty-go benchmark targets (medians over runs unless noted)")
	for _, t := range targets {
		v := t.verdict()
		if v == "MISS" || v == "NO DATA" && t.op != "" {
			missed++
		}
		want := ""
		if t.op != "" {
			want = fmt.Sprintf("%s %g", t.op, t.limit)
		}
		line := fmt.Sprintf("%-8s %-72s %8.3f  %-8s", v, t.what, t.value, want)
		if t.detail != "" {
			line += "  (" + t.detail + ")"
		}
		fmt.Println(strings.TrimRight(line, " "))
	}
	if missed > 0 {
		fmt.Printf("%d target(s) missed or without data\n", missed)
	}
	if len(failed) > 0 || missed > 0 && *strict {
		os.Exit(1)
	}
}
