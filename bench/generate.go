package bench

// The ogen peer client, generated from the cut-down spec with the ogen
// version pinned in go.mod (through tools.go). The output is committed.
//go:generate go run github.com/ogen-go/ogen/cmd/ogen -config ogen/ogen.yml -target ogen -package ogen -clean ogen/openapi.yaml
