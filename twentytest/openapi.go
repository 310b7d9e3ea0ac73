package twentytest

import (
	"encoding/json"
	"net/http"
)

// openAPIPath is where the server publishes the workspace's OpenAPI
// document, readable with any API key.
const openAPIPath = "/rest/open-api/core"

// serveOpenAPI answers GET /rest/open-api/core as the server does: with a
// valid key, the document the fake validates against (as JSON); without
// one (a ?token= is not a key) only the base skeleton, no paths. The
// skeleton's exact content is the fake's choice: the server's
// base-schema.utils.ts holds info, servers, security and tags.
func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	if s.checkAuth(r) != authOK {
		doc := map[string]any{
			"openapi":    s.spec.Doc.OpenAPI,
			"info":       s.spec.Doc.Info,
			"servers":    s.spec.Doc.Servers,
			"components": map[string]any{"securitySchemes": s.spec.Doc.Components.SecuritySchemes},
			"security":   s.spec.Doc.Security,
			"paths":      map[string]any{},
		}
		writeJSON(w, http.StatusOK, doc)
		return
	}
	raw, err := json.Marshal(s.spec.Doc)
	if err != nil {
		writeError(w, &apiError{status: http.StatusInternalServerError, name: "InternalServerErrorException", msg: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, json.RawMessage(raw))
}
