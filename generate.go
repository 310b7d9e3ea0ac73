package twenty

// The generated client in api/ comes from openapi.yaml; run `make generate`
// (or `go generate .`) after changing the spec. The generator version is the
// one go.mod pins through tools.go.
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config api/types.cfg.yaml -o api/types.gen.go openapi.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config api/client.cfg.yaml -o api/client.gen.go openapi.yaml
//go:generate go run ./internal/cmd/twenty-accessors -o objects.gen.go openapi.yaml
