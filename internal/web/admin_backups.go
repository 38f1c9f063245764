package web

import (
	"fmt"
	"net/http"
)

// GET /admin/backups: how scheduled backups stand, for admins, and the
// download of an export.
func (s *Server) backupsPage(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r.Context())
	data := map[string]any{"Scheduled": s.backups != nil, "Export": s.export != nil}
	if s.backups != nil {
		st := s.backups()
		data["Status"] = st
		data["Every"] = st.Every.String()
		data["Size"] = megabytes(st.Size)
		data["Took"] = st.Took.Round(1e6).String()
		sizes := make([]string, len(st.Files))
		for i, f := range st.Files {
			sizes[i] = megabytes(f.Size)
		}
		data["Sizes"] = sizes
		// Stale: the last success is more than two intervals old.
		data["Stale"] = !st.Last.IsZero() && s.now().Sub(st.Last) > 2*st.Every
	}
	s.renderAdmin(w, r, http.StatusOK, "backups", u, "admin.backups.title", data)
}

// megabytes writes a size for people.
func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
