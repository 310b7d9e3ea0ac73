//go:build tools

// The build tools (oapi-codegen, staticcheck) are pinned in tools/go.mod, a
// module of their own, and run with `go -C tools tool NAME`. They are not
// imported here: `go mod tidy` in a module that imports this library reads
// every file of its packages, build tags or not, and would add them to that
// module's go.mod.

package twenty
