package web

import (
	"net/http"
	"time"

	"broadsheet/internal/errs"
)

// POST /admin/export: the whole site as an export file (docs/export-format.md),
// for admins, streamed as it is written. One export runs at a time.
func (s *Server) exportDownload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	if s.export == nil {
		s.adminFail(w, r, u, refuse(errs.NotFound, "admin.error.notfound"))
		return
	}
	// An export holds every account's secrets and the site's signing key.
	if s.needFresh(w, r, "/admin/backups") {
		return
	}
	if !s.exporting.CompareAndSwap(false, true) {
		s.adminFail(w, r, u, refuse(errs.Conflict, "admin.export.busy"))
		return
	}
	defer s.exporting.Store(false)
	// A large site takes longer than the server's write timeout allows a
	// page; a reader who leaves cancels the export with the request.
	http.NewResponseController(w).SetWriteDeadline(time.Time{})
	name := "broadsheet-export-" + s.now().UTC().Format("20060102T150405Z") + ".zip"
	out := &download{w: w, header: func(h http.Header) {
		h.Set("Content-Type", "application/zip")
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
		h.Set("Cache-Control", "no-store")
	}}
	if err := s.export(ctx, out); err != nil {
		if !out.started {
			s.adminFail(w, r, u, err)
			return
		}
		// Half a file has been sent: cut the connection, so that the
		// browser reports a failed download rather than a whole one.
		s.log.Error("site export failed midway", "err", err)
		panic(http.ErrAbortHandler)
	}
	s.store.Audit(ctx, auditEntry(u, "site.export", "site", 0, name))
}

// download sends its headers with the first byte, so that an error found
// before any is still answered with a page.
type download struct {
	w       http.ResponseWriter
	header  func(http.Header)
	started bool
}

func (d *download) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		d.header(d.w.Header())
		d.w.WriteHeader(http.StatusOK)
	}
	return d.w.Write(p)
}
