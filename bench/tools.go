//go:build tools

// Package bench pins the tools the benchmarks use: ogen (code generator for
// the peer client) and benchstat.
package bench

import (
	_ "github.com/ogen-go/ogen/cmd/ogen"
	_ "golang.org/x/perf/cmd/benchstat"
)
