package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
)

// adminPageNames are the newsroom templates in templates/admin/.
var adminPageNames = []string{"login", "setup", "articles", "editor", "conflict", "revisions", "account", "users", "banner", "audit", "media", "taxonomy", "settings", "comments", "commenters", "mail", "message", "backups", "subscribers", "reset", "redirects", "redirect", "webhooks", "webhook", "live", "verify", "security", "error"}

// adminTemplates are the newsroom's templates. Every one is parsed when
// the server starts, so that a broken one stops it, and then let go: an
// instance that only serves readers never shows a newsroom page, and the
// parsed newsroom held 2.5 MB, a fifth of an idle server's heap. A page's
// template is parsed again when it is first asked for, and kept.
type adminTemplates struct {
	mu    sync.Mutex
	pages map[string]*template.Template
}

// check parses every newsroom template and keeps none.
func (a *adminTemplates) check() error {
	for _, name := range adminPageNames {
		if _, err := parseAdminTemplate(name); err != nil {
			return err
		}
	}
	return nil
}

// get returns the template of the newsroom page name, parsed once.
func (a *adminTemplates) get(name string) (*template.Template, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t, ok := a.pages[name]; ok {
		return t, nil
	}
	t, err := parseAdminTemplate(name)
	if err != nil {
		return nil, err
	}
	if a.pages == nil {
		a.pages = make(map[string]*template.Template, len(adminPageNames))
	}
	a.pages[name] = t
	return t, nil
}

func parseAdminTemplate(name string) (*template.Template, error) {
	t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/admin/layout.html", "templates/admin/partials.html", "templates/admin/"+name+".html")
	if err != nil {
		return nil, fmt.Errorf("web: admin template %s: %w", name, err)
	}
	return t, nil
}

// adminView is the frame of every newsroom page.
func (s *Server) adminView(ctx context.Context, u *account.User) *view {
	v, err := s.newView(ctx)
	if err != nil {
		v = s.bareView()
	}
	v.User = u
	v.NoIndex = true
	v.AdminStylesheet = s.assetURL("admin.css")
	return v
}

// renderAdmin renders a newsroom page. Newsroom pages are never cached.
func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, status int, name string, u *account.User, titleKey string, data any) {
	v := s.adminView(r.Context(), u)
	v.Title = v.T(titleKey)
	v.Data = data
	v.Notice = r.URL.Query().Get("notice")
	if !noticeKeys[v.Notice] {
		v.Notice = ""
	}
	var buf bytes.Buffer
	t, err := s.adminPages.get(name)
	if err == nil {
		err = t.ExecuteTemplate(&buf, "admin", v)
	}
	if err != nil {
		s.log.Error("rendering newsroom page", "page", name, "err", err)
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// noticeKeys are the confirmations a redirect may ask a page to show.
var noticeKeys = map[string]bool{
	"": true, "saved": true, "published": true, "scheduled": true, "submitted": true, "unpublished": true,
	"restored": true, "noted": true, "password": true, "revoked": true, "banner": true, "user": true, "token": true, "uploaded": true, "exists": true, "erased": true, "retried": true, "reset": true,
	"redirect_followed": true, "deleted": true, "updated": true, "test_sent": true, "posted": true, "coverage_started": true, "coverage_ended": true,
	"passkey_added": true, "passkey_removed": true, "totp_enabled": true, "totp_removed": true, "second_step_reset": true, "enrol": true,
}

// adminKeys are the newsroom's words for each kind of error without words
// of its own.
var adminKeys = map[errs.Kind]string{
	errs.Internal:   "admin.error.internal",
	errs.BadRequest: "error.bad_body",
	errs.Invalid:    "admin.error.invalid",
	errs.Forbidden:  "admin.forbidden",
	errs.NotFound:   "admin.error.notfound",
	errs.Gone:       "error.410.body",
	errs.Conflict:   "admin.error.conflict",
	errs.TooLarge:   "error.413.body",
}

// adminFail answers err with a newsroom error page, as internal/httperr
// maps it; anything outside the vocabulary is logged once.
func (s *Server) adminFail(w http.ResponseWriter, r *http.Request, u *account.User, err error) {
	if httperr.ClientLeft(r, err) {
		return
	}
	rep := httperr.Of(err)
	if rep.Internal {
		s.log.Error("newsroom request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	key, detail := rep.Key, ""
	if key == "" {
		if key = adminKeys[rep.Kind]; key == "" {
			key = adminKeys[errs.Internal]
		}
		if rep.Kind == errs.Invalid && !rep.Generic {
			detail = strings.Join(problemsOf(s.adminWords(r.Context()), err), "; ")
		}
	}
	rep.SetRetryAfter(w.Header())
	s.renderAdmin(w, r, rep.Status, "error", u, "admin.error.title", map[string]any{"Status": rep.Status, "Key": key, "Detail": detail})
}

func auditEntry(u *account.User, action, objectType string, id int64, detail string) article.AuditEntry {
	return article.AuditEntry{UserID: u.ID, Action: action, ObjectType: objectType, ObjectID: id, Detail: detail}
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, article.ErrNotFound
	}
	return id, nil
}

// seeOther redirects after a successful POST, with a confirmation.
func seeOther(w http.ResponseWriter, r *http.Request, path, notice string) {
	if notice != "" {
		base, fragment, hasFragment := strings.Cut(path, "#")
		path = base + "?notice=" + notice
		if hasFragment {
			path += "#" + fragment
		}
	}
	redirect(w, r, path, http.StatusSeeOther)
}
