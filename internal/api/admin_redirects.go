package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/newsroom"
	redirects "broadsheet/internal/redirect"
)

// Redirects from old addresses, as on the newsroom's redirects page (an
// admin's): listed newest first, made, changed and deleted through the
// same rules (redirect.Validate in the store) and audit entries.

// redirectJSON is a redirect. from_path is the address as redirects read
// it (redirect.Key); to_url is where it leads now, a redirect it was
// given followed to its end.
type redirectJSON struct {
	ID        int64      `json:"id"`
	FromPath  string     `json:"from_path"`
	ToURL     string     `json:"to_url"`
	Status    int        `json:"status" doc:"301, 302, 307 or 308"`
	OffSite   bool       `json:"off_site" doc:"to_url may be on another site"`
	Source    string     `json:"source" doc:"\"\" for one made by hand, \"wordpress\" for an imported one"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy int64      `json:"created_by" doc:"the user who made it; 0 for an import"`
	Hits      int64      `json:"hits" doc:"requests answered, stored in batches: it lags a little"`
	LastHitAt *time.Time `json:"last_hit_at"`
}

func redirectView(rd *redirects.Redirect) redirectJSON {
	return redirectJSON{ID: rd.ID, FromPath: rd.FromPath, ToURL: rd.ToURL, Status: rd.Status, OffSite: rd.OffSite,
		Source: rd.Source, CreatedAt: rd.CreatedAt.UTC(), CreatedBy: rd.CreatedBy, Hits: rd.Hits, LastHitAt: timeOrNull(rd.LastHitAt)}
}

type redirectList struct {
	Redirects []redirectJSON `json:"redirects"`
	Next      *string        `json:"next" doc:"pass as ?before= for the next page; null on the last"`
}

// redirectFields is the body of POST (from_path and to_url required) and
// PATCH (a field left out keeps its value).
type redirectFields struct {
	FromPath *string `json:"from_path" doc:"a path of the old site, or a whole address of it"`
	ToURL    *string `json:"to_url" doc:"a path of this site, or with off_site an http(s) address"`
	Status   *int    `json:"status" doc:"301 (the default), 302, 307 or 308"`
	OffSite  *bool   `json:"off_site"`
}

func (f redirectFields) apply(rd *redirects.Redirect) {
	if f.FromPath != nil {
		rd.FromPath = strings.TrimSpace(*f.FromPath)
	}
	if f.ToURL != nil {
		rd.ToURL = strings.TrimSpace(*f.ToURL)
	}
	if f.Status != nil {
		rd.Status = *f.Status
	}
	if f.OffSite != nil {
		rd.OffSite = *f.OffSite
	}
}

// GET /api/v1/admin/redirects
func (h *handler) listRedirects(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	q := r.URL.Query()
	query := redirects.Query{Search: strings.TrimSpace(q.Get("q")), Made: q.Get("made")}
	if query.Made != "" && query.Made != redirects.MadeByHand && query.Made != redirects.MadeByImport {
		return badRequest("made must be %q or %q", redirects.MadeByHand, redirects.MadeByImport)
	}
	limit, n, before, err := listPage(r)
	if err != nil {
		return err
	}
	query.Limit, query.BeforeID = n, before
	list, err := h.store.Redirects(r.Context(), query)
	if err != nil {
		return err
	}
	var res redirectList
	list, res.Next = cutPage(list, limit, func(rd *redirects.Redirect) int64 { return rd.ID })
	res.Redirects = make([]redirectJSON, 0, len(list))
	for i := range list {
		res.Redirects = append(res.Redirects, redirectView(&list[i]))
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// redirectOf is the redirect the path's {id} names.
func (h *handler) redirectOf(r *http.Request) (*redirects.Redirect, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, redirects.ErrNotFound
	}
	return h.store.RedirectByID(r.Context(), id)
}

// GET /api/v1/admin/redirects/{id}
func (h *handler) getRedirect(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	rd, err := h.redirectOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, redirectView(rd))
	return nil
}

// POST /api/v1/admin/redirects
func (h *handler) createRedirect(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var req redirectFields
	if err := decode(w, r, &req); err != nil {
		return err
	}
	var rd redirects.Redirect
	req.apply(&rd)
	if err := newsroom.CreateRedirect(r.Context(), h.store, u, &rd); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/admin/redirects/"+strconv.FormatInt(rd.ID, 10))
	return h.sendRedirect(w, r, http.StatusCreated, rd.ID)
}

// sendRedirect answers with the redirect as now stored.
func (h *handler) sendRedirect(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	rd, err := h.store.RedirectByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, status, redirectView(rd))
	return nil
}

// PATCH /api/v1/admin/redirects/{id}
func (h *handler) patchRedirect(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var req redirectFields
	if err := decode(w, r, &req); err != nil {
		return err
	}
	old, err := h.redirectOf(r)
	if err != nil {
		return err
	}
	rd := *old
	req.apply(&rd)
	if err := newsroom.UpdateRedirect(r.Context(), h.store, u, old, &rd); err != nil {
		return err
	}
	return h.sendRedirect(w, r, http.StatusOK, rd.ID)
}

// DELETE /api/v1/admin/redirects/{id}
func (h *handler) deleteRedirect(w http.ResponseWriter, r *http.Request, u *account.User) error {
	rd, err := h.redirectOf(r)
	if err != nil {
		return err
	}
	if err := newsroom.DeleteRedirect(r.Context(), h.store, u, rd); err != nil {
		return err
	}
	noContent(w)
	return nil
}
