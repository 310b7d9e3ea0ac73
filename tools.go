//go:build tools

// Package twenty pins build-time tools in go.mod so `go generate` runs the
// exact generator version this repository was generated with.
package twenty

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)
