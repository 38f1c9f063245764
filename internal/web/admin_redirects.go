package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"broadsheet/internal/account"
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
	"broadsheet/internal/newsroom"
	redirects "broadsheet/internal/redirect"
)

// The newsroom's redirects page, for admins: the redirects from old
// addresses, searched and paged, added, changed and deleted, and a way to
// try any address of the old site on this one.

// redirectForm is the add or change form as the admin typed it.
type redirectForm struct {
	From, To string
	Status   int
	OffSite  bool
}

// redirectRow is a redirect as the newsroom lists it.
type redirectRow struct {
	redirects.Redirect
	From, To string // as people read them
}

func rowOf(rd redirects.Redirect) redirectRow {
	return redirectRow{Redirect: rd, From: redirects.Display(rd.FromPath), To: redirects.Display(rd.ToURL)}
}

// redirectsView is the list page.
type redirectsView struct {
	Rows        []redirectRow
	Query, Made string
	Next        string
	Statuses    []int
	Form        redirectForm
	Errors      []string
	Fields      map[string]string // each field's problem, beside it
	Try         string
	Tried       *triedView
}

// triedView says what answers an address tried on the site.
type triedView struct {
	Key string // how redirects read the address
	// Via are the site's own redirects followed first: to an address
	// without its trailing slash, or an article's current one.
	Via      []triedStep
	Kind     string // redirect, site, moved, notfound, gone, reserved, invalid, other
	Status   int
	Location string
	By       *redirectRow
}

type triedStep struct {
	Status   int
	Location string
}

// redirectView is one redirect's page: its details, the change form and
// the delete form.
type redirectView struct {
	Row      redirectRow
	Statuses []int
	Form     redirectForm
	Errors   []string
	Fields   map[string]string
	// DeleteError says the delete was not confirmed.
	DeleteError string
}

// GET /admin/redirects?q=&made=&before=&try=
func (s *Server) redirectsPage(w http.ResponseWriter, r *http.Request) {
	v := redirectsView{Form: redirectForm{Status: 301}}
	if try := strings.TrimSpace(r.URL.Query().Get("try")); try != "" {
		v.Try = try
		if v.Tried = s.tryOld(r, try); v.Tried.Kind == "notfound" && v.Tried.Key != "" {
			v.Form.From = redirects.Display(v.Tried.Key) // ready to be given a redirect
		}
	}
	s.renderRedirects(w, r, http.StatusOK, v)
}

func (s *Server) renderRedirects(w http.ResponseWriter, r *http.Request, status int, v redirectsView) {
	ctx := r.Context()
	u := currentUser(ctx)
	q := r.URL.Query()
	v.Query, v.Made = strings.TrimSpace(q.Get("q")), q.Get("made")
	if v.Made != redirects.MadeByHand && v.Made != redirects.MadeByImport {
		v.Made = ""
	}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	list, err := s.store.Redirects(ctx, redirects.Query{Search: v.Query, Made: v.Made, BeforeID: before, Limit: adminListSize + 1})
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if len(list) > adminListSize {
		list = list[:adminListSize]
		v.Next = "/admin/redirects?" + url.Values{"q": {v.Query}, "made": {v.Made}, "before": {strconv.FormatInt(list[len(list)-1].ID, 10)}}.Encode()
	}
	for _, rd := range list {
		v.Rows = append(v.Rows, rowOf(rd))
	}
	v.Statuses = redirects.Statuses
	s.renderAdmin(w, r, status, "redirects", u, "admin.redirects.title", v)
}

// readRedirectForm reads the add or change form. Only an admin may let a
// redirect leave the site; the page is theirs alone, and this says so
// again where the flag is read.
func readRedirectForm(r *http.Request, u *account.User) redirectForm {
	status := 0 // none chosen: 301
	if v := r.PostFormValue("status"); v != "" {
		var err error
		if status, err = strconv.Atoi(v); err != nil {
			status = -1 // not a number: said to be none of the four
		}
	}
	return redirectForm{
		From:    strings.TrimSpace(r.PostFormValue("from_path")),
		To:      strings.TrimSpace(r.PostFormValue("to_url")),
		Status:  status,
		OffSite: r.PostFormValue("off_site") != "" && u.Can(account.ManageSettings),
	}
}

func (f redirectForm) redirect() redirects.Redirect {
	return redirects.Redirect{FromPath: f.From, ToURL: f.To, Status: f.Status, OffSite: f.OffSite}
}

// followedNotice is the notice after a save: "saved", or that the target
// was an address another redirect answers, so this one leads on.
func followedNotice(typed string, offSite bool, stored string) string {
	if to, err := redirects.CheckTarget(typed, offSite); err == nil && to != stored {
		return "redirect_followed"
	}
	return "saved"
}

// formProblems is what the page says of a refused form, in the
// newsroom's language: every problem, and each field's beside it.
func (s *Server) formProblems(ctx context.Context, err error) ([]string, map[string]string) {
	words := s.adminWords(ctx)
	return problemsOf(words, err), fieldProblemsOf(words, err)
}

// POST /admin/redirects
func (s *Server) createRedirect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	form := readRedirectForm(r, u)
	rd := form.redirect()
	if err := newsroom.CreateRedirect(ctx, s.store, u, &rd); err != nil {
		if !refusesInput(err) {
			s.adminFail(w, r, u, err)
			return
		}
		v := redirectsView{Form: form}
		v.Errors, v.Fields = s.formProblems(ctx, err)
		s.renderRedirects(w, r, httperr.Of(err).Status, v)
		return
	}
	seeOther(w, r, "/admin/redirects", followedNotice(form.To, form.OffSite, rd.ToURL))
}

// refusesInput reports whether err refuses what the admin typed (invalid,
// or an address with a redirect already), which the form says beside it.
func refusesInput(err error) bool {
	k := errs.KindOf(err)
	return k == errs.Invalid || k == errs.Conflict
}

// GET /admin/redirects/{id}
func (s *Server) redirectPage(w http.ResponseWriter, r *http.Request) {
	rd, err := s.redirectOf(r)
	if err != nil {
		s.adminFail(w, r, currentUser(r.Context()), err)
		return
	}
	s.renderRedirect(w, r, http.StatusOK, redirectView{Row: rowOf(*rd), Form: storedForm(rd)})
}

func (s *Server) renderRedirect(w http.ResponseWriter, r *http.Request, status int, v redirectView) {
	v.Statuses = redirects.Statuses
	s.renderAdmin(w, r, status, "redirect", currentUser(r.Context()), "admin.redirects.one", v)
}

// storedForm is the change form holding rd as it is stored.
func storedForm(rd *redirects.Redirect) redirectForm {
	return redirectForm{From: redirects.Display(rd.FromPath), To: rd.ToURL, Status: rd.Status, OffSite: rd.OffSite}
}

func (s *Server) redirectOf(r *http.Request) (*redirects.Redirect, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, redirects.ErrNotFound
	}
	return s.store.RedirectByID(r.Context(), id)
}

// POST /admin/redirects/{id}
func (s *Server) saveRedirect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	old, err := s.redirectOf(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	form := readRedirectForm(r, u)
	rd := form.redirect()
	if err := newsroom.UpdateRedirect(ctx, s.store, u, old, &rd); err != nil {
		if !refusesInput(err) {
			s.adminFail(w, r, u, err)
			return
		}
		v := redirectView{Row: rowOf(*old), Form: form}
		v.Errors, v.Fields = s.formProblems(ctx, err)
		s.renderRedirect(w, r, httperr.Of(err).Status, v)
		return
	}
	seeOther(w, r, "/admin/redirects/"+strconv.FormatInt(rd.ID, 10), followedNotice(form.To, form.OffSite, rd.ToURL))
}

// POST /admin/redirects/{id}/delete, confirmed by a ticked box.
func (s *Server) deleteRedirect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	rd, err := s.redirectOf(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.renderRedirect(w, r, http.StatusUnprocessableEntity, redirectView{Row: rowOf(*rd), Form: storedForm(rd),
			DeleteError: s.adminView(ctx, u).T("admin.redirects.confirm_missing")})
		return
	}
	if err := newsroom.DeleteRedirect(ctx, s.store, u, rd); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	seeOther(w, r, "/admin/redirects", "deleted")
}

// tryOld tries an address of the old site — a path with a query, or a
// whole http(s) address, whose host is dropped — on this site, and says
// what answers it.
func (s *Server) tryOld(r *http.Request, raw string) *triedView {
	tv := &triedView{Kind: "invalid"}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") || (u.Scheme == "" && !strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "?")) {
		return tv
	}
	target := u.EscapedPath()
	if target == "" || target[0] != '/' {
		target = "/" + target
	}
	if u.RawQuery != "" {
		target += "?" + redirects.EscapeLoose(u.RawQuery)
	}
	tv.Key, _ = redirects.Key(target)
	if redirects.Reserved(target) {
		tv.Kind = "reserved"
		return tv
	}
	status, loc, by, err := s.tryAddress(r.Context(), target)
	// The site's own redirects to its own paths are followed, a few.
	for hops := 0; err == nil && by == nil && status >= 300 && status < 400 && strings.HasPrefix(loc, "/") && hops < 3; hops++ {
		tv.Via = append(tv.Via, triedStep{Status: status, Location: loc})
		status, loc, by, err = s.tryAddress(r.Context(), loc)
	}
	if err != nil {
		return tv
	}
	tv.Status, tv.Location = status, loc
	switch {
	case by != nil:
		row := rowOf(*by)
		tv.Kind, tv.By = "redirect", &row
	case status == http.StatusOK || status == http.StatusNotModified:
		tv.Kind = "site"
	case status >= 300 && status < 400:
		tv.Kind = "moved"
	case status == http.StatusNotFound:
		tv.Kind = "notfound"
	case status == http.StatusGone:
		tv.Kind = "gone"
	default:
		tv.Kind = "other"
	}
	return tv
}
