package twenty

import (
	"bytes"
	_ "embed"
)

//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPISpec returns the OpenAPI document the api package was generated
// from, so tests can validate traffic against exactly that contract.
func OpenAPISpec() []byte { return bytes.Clone(openapiYAML) }
