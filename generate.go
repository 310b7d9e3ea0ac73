package twenty

// The generated client in api/ comes from openapi.yaml; run `make generate`
// (or `go generate .`) after changing the spec. The generator is the
// version pinned in tools/go.mod, kept out of this module's go.mod so that
// importing the library does not pull it into yours.
//go:generate go -C tools tool oapi-codegen -config ../api/types.cfg.yaml -o ../api/types.gen.go ../openapi.yaml
//go:generate go -C tools tool oapi-codegen -config ../api/client.cfg.yaml -o ../api/client.gen.go ../openapi.yaml
//go:generate go run ./internal/cmd/twenty-accessors -o objects.gen.go openapi.yaml
