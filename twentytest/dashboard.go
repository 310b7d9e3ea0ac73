package twentytest

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/twenty-go/twenty/webhook"
)

// duplicateDashboard copies a dashboard as the server's
// DashboardDuplicationService does: a new record with the title suffixed
// " (Copy)", the same position and a copy of the page layout (here only a
// fresh page layout id: the fake keeps no layouts). The answer is the new
// dashboard's few fields, bare, with 201.
//
// Both refusals are 404 here; the server raises DashboardExceptions without
// an HTTP category, so their real status is unconfirmed.
func (s *Server) duplicateDashboard(rt route) (int, any, *apiError) {
	oi, st := rt.oi, s.store
	orig := st.get(oi, rt.id)
	if orig == nil || orig["deletedAt"] != nil {
		return 0, nil, &apiError{status: http.StatusNotFound, name: "NotFoundException",
			msg: fmt.Sprintf("Dashboard with ID %q not found", rt.id)}
	}
	if id, _ := orig["pageLayoutId"].(string); id == "" {
		return 0, nil, &apiError{status: http.StatusNotFound, name: "NotFoundException",
			msg: fmt.Sprintf("Page layout for dashboard %q not found", rt.id)}
	}
	in := map[string]any{"pageLayoutId": newUUID(), "position": orig["position"]}
	if title, _ := orig["title"].(string); title != "" {
		in["title"] = appendCopySuffix(title)
	}
	t := st.begin()
	rec, _, e := s.createOrUpsert(t, oi, in, false)
	if e != nil {
		t.rollback()
		return 0, nil, e
	}
	s.noteChange(oi, webhook.Created, rec, nil)
	out := map[string]any{}
	for _, k := range []string{"id", "title", "pageLayoutId", "position", "createdAt", "updatedAt"} {
		out[k] = rec[k]
	}
	return http.StatusCreated, out, nil
}

// appendCopySuffix is twenty-shared's: "(Copy)" once, never on an empty
// title.
func appendCopySuffix(title string) string {
	if strings.HasSuffix(strings.ToLower(title), "(copy)") {
		return title
	}
	return title + " (Copy)"
}
