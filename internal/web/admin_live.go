package web

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/newsroom"
)

// The live blog's composer: a form to post an update, quick to use from a
// phone, above the updates posted, each with Edit and Delete. Editing and
// deleting are pages of their own (the same template), so that every step
// works without JavaScript. The rules are newsroom.LiveBlogs'.

// liveDeskView is the composer, an update's edit form, or the question
// whether to delete one.
type liveDeskView struct {
	Article *article.Article
	Form    liveForm
	// Problems are what is wrong with what was sent, Fields the same by
	// field; the form holds what was typed.
	Problems []string
	Fields   map[string]string
	Authors  []article.Author
	Updates  []liveItem
	NextURL  string
	// Editing is the update the form edits, nil for a new one; Conflict
	// what someone else saved over the version it started from.
	Editing  *liveItem
	Conflict *liveItem
	// Revisions are the edited update's earlier versions.
	Revisions []liveblog.Revision
	// Deleting is the update the page asks about.
	Deleting *liveItem
	// Gone says the update the journalist was editing was deleted
	// meanwhile: the composer holds their text, to post as a new one.
	Gone bool
}

// liveForm is what the composer's fields hold, kept as typed.
type liveForm struct {
	Headline, Body   string
	Bylines          []string // author slugs, one per select
	Pinned, KeyEvent bool
	Version          int
}

// liveItem is an update as a page shows it.
type liveItem struct {
	liveblog.Update
	HTML      template.HTML
	Permalink string
}

// composerBylines is how many bylines the composer offers: a live update
// rarely has more than two, and a phone's screen is short. An update's
// edit form offers every one an update may have.
const composerBylines = 2

// liveDeskPage is how many updates the composer lists a page.
const liveDeskPage = 30

func readLiveForm(r *http.Request) liveForm {
	f := liveForm{Headline: r.PostFormValue("headline"), Body: r.PostFormValue("body"),
		Pinned: r.PostFormValue("pinned") != "", KeyEvent: r.PostFormValue("key_event") != ""}
	f.Bylines = r.PostForm["byline"]
	if len(f.Bylines) > liveblog.MaxAuthors {
		f.Bylines = f.Bylines[:liveblog.MaxAuthors]
	}
	f.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	return f
}

func (f liveForm) input() newsroom.LiveInput {
	return newsroom.LiveInput{Headline: f.Headline, Body: f.Body, Authors: f.Bylines, Pinned: f.Pinned, KeyEvent: f.KeyEvent}
}

// withSelects pads the bylines to n selects.
func (f liveForm) withSelects(n int) liveForm {
	for len(f.Bylines) < n {
		f.Bylines = append(f.Bylines, "")
	}
	return f
}

func formOfUpdate(u *liveblog.Update) liveForm {
	f := liveForm{Headline: u.Headline, Body: u.Body, Pinned: u.Pinned, KeyEvent: u.KeyEvent, Version: u.Version}
	for _, au := range u.Authors {
		f.Bylines = append(f.Bylines, au.Slug)
	}
	return f.withSelects(liveblog.MaxAuthors)
}

// liveIDs reads the article's and, when the route has one, the update's id.
func liveIDs(r *http.Request) (articleID, updateID int64, err error) {
	if articleID, err = pathID(r); err != nil {
		return 0, 0, err
	}
	if r.PathValue("update") == "" {
		return articleID, 0, nil
	}
	updateID, err = strconv.ParseInt(r.PathValue("update"), 10, 64)
	if err != nil || updateID <= 0 {
		return 0, 0, liveblog.ErrNotFound
	}
	return articleID, updateID, nil
}

// liveItem renders u as pages show it.
func (s *Server) liveItem(r *http.Request, a *article.Article, u *liveblog.Update) (*liveItem, error) {
	html, err := s.md.RenderStored(r.Context(), u.BodyHTML, u.Body)
	if err != nil {
		return nil, err
	}
	return &liveItem{Update: *u, HTML: template.HTML(html), Permalink: livePermalink(a, u.ID)}, nil
}

// renderLiveDesk shows the live blog's composer page as v says, with its
// list of updates when it shows the composer.
func (s *Server) renderLiveDesk(w http.ResponseWriter, r *http.Request, status int, v *liveDeskView) {
	ctx := r.Context()
	u := currentUser(ctx)
	var err error
	if v.Authors, err = s.store.Authors(ctx); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	title := "admin.live.title"
	switch {
	case v.Deleting != nil:
		title = "admin.live.delete_title"
	case v.Editing != nil:
		title = "admin.live.edit_title"
	default:
		from, _ := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64)
		page, err := s.store.LiveUpdates(ctx, liveblog.Query{ArticleID: v.Article.ID, Pinned: true, From: from, Limit: liveDeskPage})
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		for i := range page.Updates {
			item, err := s.liveItem(r, v.Article, &page.Updates[i])
			if err != nil {
				s.adminFail(w, r, u, err)
				return
			}
			v.Updates = append(v.Updates, *item)
		}
		if page.Next != 0 {
			v.NextURL = liveDeskPath(v.Article.ID) + "?from=" + strconv.FormatInt(page.Next, 10) + "#updates"
		}
	}
	s.renderAdmin(w, r, status, "live", u, title, v)
}

func liveDeskPath(id int64) string { return "/admin/articles/" + strconv.FormatInt(id, 10) + "/live" }

func liveUpdatePath(articleID, id int64) string {
	return liveDeskPath(articleID) + "/" + strconv.FormatInt(id, 10)
}

// GET /admin/articles/{id}/live
func (s *Server) liveDesk(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	id, _, err := liveIDs(r)
	var a *article.Article
	if err == nil {
		a, err = s.liveBlogs.Open(ctx, u, id)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	f := liveForm{}
	if u.AuthorID != 0 {
		if au, err := s.authorByID(r, u.AuthorID); err == nil {
			f.Bylines = []string{au.Slug}
		}
	}
	s.renderLiveDesk(w, r, http.StatusOK, &liveDeskView{Article: a, Form: f.withSelects(composerBylines)})
}

// POST /admin/articles/{id}/live posts an update.
func (s *Server) postLiveUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	id, _, err := liveIDs(r)
	if err == nil {
		err = r.ParseForm()
		if err != nil {
			err = badRequest("error.bad_body")
		}
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	f := readLiveForm(r)
	if _, err := s.liveBlogs.Post(ctx, u, id, f.input()); err != nil {
		s.liveFormError(w, r, id, nil, f.withSelects(composerBylines), err)
		return
	}
	seeOther(w, r, liveDeskPath(id), "posted")
}

// liveFormError shows the form again with what was typed and what is
// wrong with it; what is not about the input is the newsroom's error page.
func (s *Server) liveFormError(w http.ResponseWriter, r *http.Request, articleID int64, editing *liveItem, f liveForm, err error) {
	ctx := r.Context()
	u := currentUser(ctx)
	rep := httperr.Of(err)
	var stale *liveblog.ConflictError
	if rep.Kind != errs.Invalid && !errors.As(err, &stale) {
		s.adminFail(w, r, u, err)
		return
	}
	a, aerr := s.liveBlogs.Open(ctx, u, articleID)
	if aerr != nil {
		s.adminFail(w, r, u, aerr)
		return
	}
	words := s.adminWords(ctx)
	v := &liveDeskView{Article: a, Form: f, Editing: editing, Problems: problemsOf(words, err), Fields: fieldProblemsOf(words, err)}
	if stale != nil {
		// Their text above, the journalist's below it in the form, which
		// now names the stored version: saving again replaces theirs
		// knowingly.
		if v.Conflict, err = s.liveItem(r, a, stale.Current); err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		v.Form.Version = stale.Current.Version
		v.Fields = nil
	}
	s.renderLiveDesk(w, r, rep.Status, v)
}

// liveUpdateOf loads the update a route names, of a live blog u may post
// to: the live blog, and the update as pages show it.
func (s *Server) liveUpdateOf(r *http.Request) (*article.Article, *liveItem, error) {
	ctx := r.Context()
	articleID, id, err := liveIDs(r)
	if err != nil {
		return nil, nil, err
	}
	a, up, err := s.liveBlogs.Get(ctx, currentUser(ctx), articleID, id)
	if err != nil {
		return nil, nil, err
	}
	item, err := s.liveItem(r, a, up)
	return a, item, err
}

// GET /admin/articles/{id}/live/{update}: the update's edit form.
func (s *Server) editLiveUpdate(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r.Context())
	a, item, err := s.liveUpdateOf(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v := &liveDeskView{Article: a, Form: formOfUpdate(&item.Update), Editing: item}
	if v.Revisions, err = s.store.LiveRevisions(r.Context(), item.ID); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.renderLiveDesk(w, r, http.StatusOK, v)
}

// POST /admin/articles/{id}/live/{update} saves an edit. An update
// someone deleted while it was being edited loses its editor nothing: the
// composer holds their text again, to post as a new update.
func (s *Server) saveLiveUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	if err := r.ParseForm(); err != nil {
		s.adminFail(w, r, u, badRequest("error.bad_body"))
		return
	}
	f := readLiveForm(r)
	a, item, err := s.liveUpdateOf(r)
	if err == nil {
		if _, err = s.liveBlogs.Edit(ctx, u, a.ID, item.ID, f.Version, f.input()); err == nil {
			seeOther(w, r, liveDeskPath(a.ID)+"#update-"+strconv.FormatInt(item.ID, 10), "saved")
			return
		}
	}
	if errors.Is(err, liveblog.ErrNotFound) {
		if a, ok := s.deletedMeanwhile(r); ok {
			// Posted from here, it is a new update: no version, the
			// bylines chosen kept in the composer's selects.
			f.Version, f.Bylines = 0, slices.DeleteFunc(f.Bylines, func(b string) bool { return b == "" })
			s.renderLiveDesk(w, r, http.StatusConflict, &liveDeskView{Article: a, Form: f.withSelects(composerBylines), Gone: true})
			return
		}
	}
	if item == nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.liveFormError(w, r, a.ID, item, f.withSelects(liveblog.MaxAuthors), err)
}

// deletedMeanwhile reports whether the update the route names was
// deleted from a live blog the user may post to, and returns the live
// blog.
func (s *Server) deletedMeanwhile(r *http.Request) (*article.Article, bool) {
	ctx := r.Context()
	articleID, id, err := liveIDs(r)
	if err != nil {
		return nil, false
	}
	a, err := s.liveBlogs.Open(ctx, currentUser(ctx), articleID)
	if err != nil {
		return nil, false
	}
	up, err := s.store.LiveUpdate(ctx, id)
	return a, err == nil && up.ArticleID == a.ID && up.Deleted()
}

// GET /admin/articles/{id}/live/{update}/delete asks whether to delete.
func (s *Server) confirmDeleteLiveUpdate(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r.Context())
	a, item, err := s.liveUpdateOf(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.renderLiveDesk(w, r, http.StatusOK, &liveDeskView{Article: a, Deleting: item})
}

// POST /admin/articles/{id}/live/{update}/delete
func (s *Server) deleteLiveUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	articleID, id, err := liveIDs(r)
	if err == nil {
		err = s.liveBlogs.Delete(ctx, u, articleID, id)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	seeOther(w, r, liveDeskPath(articleID), "deleted")
}

// POST /admin/articles/{id}/coverage opens (action=start) or closes
// (action=end) the live blog's coverage, from its editor or its composer.
func (s *Server) setCoverage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	id, err := pathID(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	notice := "coverage_started"
	switch r.PostFormValue("action") {
	case "start":
		_, err = s.liveBlogs.StartCoverage(ctx, u, id)
	case "end":
		_, err = s.liveBlogs.EndCoverage(ctx, u, id)
		notice = "coverage_ended"
	default:
		err = badRequest("error.bad_body")
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	back := "/admin/articles/" + strconv.FormatInt(id, 10)
	if r.PostFormValue("from") == "live" {
		back = liveDeskPath(id)
	}
	seeOther(w, r, back, notice)
}
