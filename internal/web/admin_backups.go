package web

import (
	"fmt"
	"net/http"
	"time"
)

// GET /admin/backups: how scheduled backups and the replica stand, for
// admins, and the download of an export.
func (s *Server) backupsPage(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r.Context())
	data := map[string]any{"Scheduled": false, "Export": s.export != nil}
	if s.backups != nil {
		st := s.backups()
		data["Scheduled"] = st.Dir != ""
		data["Status"] = st
		if r := st.Replica; r != nil {
			data["Replica"] = r
			data["Retention"] = r.Retention.String()
			data["Ago"] = s.now().Sub(r.LastSync).Round(time.Second).String()
			// Stale: it tries every second, and has not caught up for a minute.
			data["ReplicaStale"] = !r.LastSync.IsZero() && s.now().Sub(r.LastSync) > time.Minute
		}
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
