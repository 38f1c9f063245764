package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/diff"
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
	"broadsheet/internal/i18n"
	"broadsheet/internal/newsroom"
)

// articlesView is the newsroom's article list.
type articlesView struct {
	Articles []article.Article
	Filter   article.AdminQuery
	Sections []article.Section
	Authors  []article.Author
	Statuses []string
	NextURL  string
}

// GET /admin/articles
func (s *Server) adminArticles(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	q := r.URL.Query()
	f := article.AdminQuery{Status: article.Status(q.Get("status")), Search: strings.TrimSpace(q.Get("q")), Limit: 50}
	f.SectionID, _ = strconv.ParseInt(q.Get("section"), 10, 64)
	f.AuthorID, _ = strconv.ParseInt(q.Get("author"), 10, 64)
	f.BeforeID, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	if f.Status != "" && f.Status != "review" && !f.Status.Valid() {
		f.Status = ""
	}
	if !u.Can(account.EditAny) {
		f.CreatedBy = u.ID // writers see their own work
	}
	list, err := s.store.AdminArticles(ctx, f)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v := articlesView{Articles: list, Filter: f, Statuses: []string{"draft", "review", "scheduled", "published", "unpublished"}}
	if v.Sections, err = s.store.Sections(ctx); err == nil {
		v.Authors, err = s.store.Authors(ctx)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if len(list) == f.Limit {
		qq := r.URL.Query()
		qq.Set("before", strconv.FormatInt(list[len(list)-1].ID, 10))
		v.NextURL = "/admin/articles?" + qq.Encode()
	}
	s.renderAdmin(w, r, http.StatusOK, "articles", u, "admin.articles.title", v)
}

// editorView is the article editor.
type editorView struct {
	Article    *article.Article // nil for a new article
	Form       editorForm
	Errors     []string
	Sections   []article.Section
	Authors    []article.Author
	Languages  []string
	CanPublish bool
	Revisions  []article.Revision
	PreviewURL string
	Images     []article.Image // the media library, for the lead image
	// Translations are the other articles of the article's translation
	// group, whatever their status.
	Translations []translation
	// Aids are the writing aids: counts and how the article shows in
	// search results and when shared.
	Aids writingAids
}

// writingAids are what the editor tells a writer as they type (the page's
// script keeps them current; without it they are as of the last save).
type writingAids struct {
	Words, Minutes int
	Host           string // the site's host, as search results show it
	Digits         string // the newsroom language's digits, 0 to 9
	SiteTitle      string
	Card           string // the share card's picture when the article has none
}

// editorForm is what the editor's fields hold, kept verbatim so a failed
// save shows the writer exactly what they typed.
type editorForm struct {
	Headline, Standfirst, Slug, Body, Section, Tags, Language string
	Bylines                                                   [4]string
	LeadImageID                                               int64
	Version                                                   int
	PublishAt                                                 string
	Replacement                                               string
	CommentsClosed                                            bool
	LiveBlog                                                  bool
	TranslationOf                                             string // as typed: a number or an address
}

func formFromArticle(a *article.Article, loc *time.Location) editorForm {
	f := editorForm{Headline: a.Headline, Standfirst: a.Standfirst, Slug: a.Slug, Body: a.Body, Section: a.Section.Slug,
		Language: a.Language, Version: a.Version, CommentsClosed: a.CommentsClosed, LiveBlog: a.LiveBlog, TranslationOf: idField(a.TranslationOf)}
	var tags []string
	for _, t := range a.Tags {
		tags = append(tags, t.Name)
	}
	f.Tags = strings.Join(tags, ", ")
	for i, au := range a.Authors {
		if i < len(f.Bylines) {
			f.Bylines[i] = au.Slug
		}
	}
	if a.LeadImage != nil {
		f.LeadImageID = a.LeadImage.ID
	}
	if a.Status == article.Scheduled {
		f.PublishAt = localInput(a.PublishedAt, loc)
	}
	return f
}

func readEditorForm(r *http.Request) editorForm {
	f := editorForm{
		Headline: r.PostFormValue("headline"), Standfirst: r.PostFormValue("standfirst"), Slug: r.PostFormValue("slug"),
		Body: r.PostFormValue("body"), Section: r.PostFormValue("section"), Tags: r.PostFormValue("tags"),
		Language: r.PostFormValue("language"), PublishAt: r.PostFormValue("publish_at"), Replacement: r.PostFormValue("replacement"),
	}
	for i := range f.Bylines {
		f.Bylines[i] = r.PostFormValue("byline" + strconv.Itoa(i+1))
	}
	f.LeadImageID, _ = strconv.ParseInt(r.PostFormValue("lead_image"), 10, 64)
	f.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	f.CommentsClosed = r.PostFormValue("comments_closed") != ""
	f.LiveBlog = r.PostFormValue("live_blog") != ""
	f.TranslationOf = strings.TrimSpace(r.PostFormValue("translation_of"))
	return f
}

// idField is an id as a form shows it: empty for none.
func idField(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// translationID reads the editor's "translation of" field: an article's
// number, or its newsroom or public address, which an editor is likelier
// to have at hand.
func translationID(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	if i := strings.Index(s, "/admin/articles/"); i >= 0 {
		s = s[i+len("/admin/articles/"):]
		s, _, _ = strings.Cut(s, "/")
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

func (f editorForm) draft() newsroom.Draft {
	d := newsroom.Draft{Headline: f.Headline, Standfirst: f.Standfirst, Slug: f.Slug, Body: strings.ReplaceAll(f.Body, "\r\n", "\n"),
		Section: f.Section, Language: f.Language, LeadImageID: f.LeadImageID, CommentsClosed: f.CommentsClosed, LiveBlog: f.LiveBlog}
	if id, ok := translationID(f.TranslationOf); ok {
		d.TranslationOf = id
	} else {
		d.TranslationOf = -1 // refused by the newsroom, naming the field
	}
	// Tags are separated by commas, Latin or Arabic (،: Persian and
	// Arabic keyboards type it).
	for _, t := range strings.FieldsFunc(f.Tags, func(r rune) bool { return r == ',' || r == '،' }) {
		if t = strings.TrimSpace(t); t != "" {
			d.Tags = append(d.Tags, t)
		}
	}
	for _, b := range f.Bylines {
		if b != "" {
			d.Authors = append(d.Authors, b)
		}
	}
	return d
}

// languages offered in the editor; any BCP 47 tag can come through the API.
var languages = []string{"en", "fa", "ar", "ru", "fr", "de", "es", "pt", "tr", "ur"}

func (s *Server) editorView(r *http.Request, a *article.Article, f editorForm, problems []string) (*editorView, error) {
	ctx := r.Context()
	u := currentUser(ctx)
	v := &editorView{Article: a, Form: f, Errors: problems, Languages: languages}
	words := s.adminWords(ctx)
	v.Aids = writingAids{Words: len(strings.Fields(f.Body)), Minutes: article.ReadingTime(f.Body), Card: cardPath}
	for d := range 10 {
		v.Aids.Digits += words.Number(d)
	}
	if u, err := url.Parse(s.baseURL); err == nil {
		v.Aids.Host = u.Host
	}
	site, err := s.store.Site(ctx)
	if err != nil {
		return nil, err
	}
	v.Aids.SiteTitle = site.Title
	if v.Sections, err = s.store.Sections(ctx); err != nil {
		return nil, err
	}
	if v.Authors, err = s.store.Authors(ctx); err != nil {
		return nil, err
	}
	if v.Images, err = s.store.Images(ctx, 200); err != nil {
		return nil, err
	}
	if f.LeadImageID != 0 && !slices.ContainsFunc(v.Images, func(img article.Image) bool { return img.ID == f.LeadImageID }) {
		// An older image than the list shows must stay chosen, not be lost on save.
		v.Images = append([]article.Image{{ID: f.LeadImageID}}, v.Images...)
	}
	if a != nil {
		v.CanPublish = newsroom.CanPublish(u, a)
		if v.Revisions, err = s.store.Revisions(ctx, a.ID); err != nil {
			return nil, err
		}
		if !a.Visible() && a.Status != article.Unpublished {
			v.PreviewURL = s.previewURL(a.ID, s.now().Add(previewLifetime))
		}
		group, err := s.store.Translations(ctx, a.Original())
		if err != nil {
			return nil, err
		}
		for _, t := range group {
			if t.ID == a.ID {
				continue
			}
			if !t.Visible() && !newsroom.CanEdit(u, &t) {
				// Another writer's unpublished work: its language and
				// number only, as the editor of a translation needs.
				t = article.Article{ID: t.ID, Language: t.Language}
			}
			v.Translations = append(v.Translations, translation{Article: t, Name: i18n.For(t.Language).T("language.name")})
		}
	} else {
		v.CanPublish = u.Can(account.PublishOwn)
	}
	return v, nil
}

func (s *Server) renderEditor(w http.ResponseWriter, r *http.Request, status int, a *article.Article, f editorForm, problems []string) {
	u := currentUser(r.Context())
	v, err := s.editorView(r, a, f, problems)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	title := "admin.editor.new"
	if a != nil {
		title = "admin.editor.edit"
	}
	s.renderAdmin(w, r, status, "editor", u, title, v)
}

// GET /admin/articles/new
func (s *Server) newArticle(w http.ResponseWriter, r *http.Request) {
	f := editorForm{Language: "en"}
	if u := currentUser(r.Context()); u.AuthorID != 0 {
		if a, err := s.authorByID(r, u.AuthorID); err == nil {
			f.Bylines[0] = a.Slug
		}
	}
	s.renderEditor(w, r, http.StatusOK, nil, f, nil)
}

func (s *Server) authorByID(r *http.Request, id int64) (*article.Author, error) {
	as, err := s.store.Authors(r.Context())
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.ID == id {
			return &a, nil
		}
	}
	return nil, article.ErrNotFound
}

// GET /admin/articles/{id}
func (s *Server) editArticle(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r.Context())
	id, err := pathID(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	a, err := s.newsroom.Get(r.Context(), u, id)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.renderEditor(w, r, http.StatusOK, a, formFromArticle(a, s.siteLocation(r)), nil)
}

// localInputLayout is the value of a datetime-local field: a wall-clock
// time with no zone. The newsroom's fields are in the site's time zone.
const localInputLayout = "2006-01-02T15:04"

// localInput is t as a datetime-local field shows it in loc; no time (the
// zero time) is an empty field, not the year 0 in loc's oldest offset.
func localInput(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(localInputLayout)
}

// siteLocation is the site's time zone, in which the newsroom's dates and
// times are written.
func (s *Server) siteLocation(r *http.Request) *time.Location {
	site, err := s.store.Site(r.Context())
	if err != nil {
		return time.UTC
	}
	return site.Location()
}

// POST /admin/articles creates an article, then acts like a save.
func (s *Server) createArticle(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.adminFail(w, r, currentUser(r.Context()), badRequest("error.bad_body"))
		return
	}
	u := currentUser(r.Context())
	f := readEditorForm(r)
	a, err := s.newsroom.Create(r.Context(), u, f.draft())
	if err != nil {
		s.editorError(w, r, nil, f, err)
		return
	}
	f.Version = a.Version
	s.afterSave(w, r, a, f)
}

// POST /admin/articles/{id} saves, then applies the button pressed:
// save, autosave, submit, publish, schedule or unpublish.
func (s *Server) saveArticle(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r.Context())
	if err := r.ParseForm(); err != nil {
		s.adminFail(w, r, u, badRequest("error.bad_body"))
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	f := readEditorForm(r)
	a, err := s.newsroom.Update(r.Context(), u, id, f.Version, f.draft())
	if err != nil {
		current, _ := s.store.ArticleByID(r.Context(), id)
		s.editorError(w, r, current, f, err)
		return
	}
	f.Version = a.Version
	s.afterSave(w, r, a, f)
}

// afterSave applies the workflow button once the text is safely stored.
func (s *Server) afterSave(w http.ResponseWriter, r *http.Request, a *article.Article, f editorForm) {
	ctx := r.Context()
	u := currentUser(ctx)
	id := a.ID
	action := r.PostFormValue("action")
	var err error
	notice := "saved"
	switch action {
	case "autosave":
		writeJSON(w, http.StatusOK, map[string]any{"version": a.Version, "saved_at": s.now().UTC().Format(time.RFC3339)})
		return
	case "update":
		notice = "updated"
	case "submit":
		_, err = s.newsroom.Submit(ctx, u, id)
		notice = "submitted"
	case "publish":
		_, err = s.newsroom.Publish(ctx, u, id, time.Time{})
		notice = "published"
	case "schedule":
		at, perr := time.ParseInLocation(localInputLayout, f.PublishAt, s.siteLocation(r))
		switch {
		case perr != nil:
			err = errs.InvalidKey("publish_at", "admin.editor.schedule_time")
		case !at.After(s.now()):
			err = errs.InvalidKey("publish_at", "admin.editor.schedule_future")
		default:
			_, err = s.newsroom.Publish(ctx, u, id, at)
			notice = "scheduled"
		}
	case "unpublish":
		var repl int64
		if f.Replacement != "" {
			if repl, err = strconv.ParseInt(strings.TrimSpace(f.Replacement), 10, 64); err != nil {
				err = errs.InvalidKey("replacement", "admin.editor.replacement")
			}
		}
		if err == nil {
			_, err = s.newsroom.Unpublish(ctx, u, id, repl)
			notice = "unpublished"
		}
	}
	if err != nil {
		// The text is saved; only the workflow step failed. Show why.
		current, _ := s.store.ArticleByID(ctx, id)
		if current != nil {
			f.Version = current.Version
		}
		s.editorError(w, r, current, f, err)
		return
	}
	seeOther(w, r, "/admin/articles/"+strconv.FormatInt(id, 10), notice)
}

// editorError re-renders the editor with everything the writer typed and
// what is wrong, as internal/httperr maps the error: both texts for a
// stale version, the problems of invalid input, the slug for any other
// conflict; anything else is the newsroom's error page.
func (s *Server) editorError(w http.ResponseWriter, r *http.Request, a *article.Article, f editorForm, err error) {
	var stale *article.ConflictError
	if errors.As(err, &stale) {
		s.renderConflict(w, r, stale.Current, f)
		return
	}
	words := s.adminWords(r.Context())
	switch rep := httperr.Of(err); rep.Kind {
	case errs.Invalid:
		if r.PostFormValue("action") == "autosave" {
			writeJSON(w, rep.Status, map[string]any{"errors": problemsOf(words, err)})
			return
		}
		s.renderEditor(w, r, rep.Status, a, f, problemsOf(words, err))
	case errs.Conflict:
		s.renderEditor(w, r, rep.Status, a, f, []string{words.T("admin.editor.slug_taken")})
	default:
		s.adminFail(w, r, currentUser(r.Context()), err)
	}
}

// conflictView shows both texts when two people saved the same version.
type conflictView struct {
	Current *article.Article
	Mine    editorForm
	Diff    []diff.Line
}

func (s *Server) renderConflict(w http.ResponseWriter, r *http.Request, current *article.Article, mine editorForm) {
	if r.PostFormValue("action") == "autosave" {
		writeJSON(w, http.StatusConflict, map[string]any{"conflict": true, "version": current.Version})
		return
	}
	v := conflictView{Current: current, Mine: mine, Diff: diff.Lines(current.Body, strings.ReplaceAll(mine.Body, "\r\n", "\n"))}
	// Saving from this page overwrites the other version knowingly.
	v.Mine.Version = current.Version
	s.renderAdmin(w, r, http.StatusConflict, "conflict", currentUser(r.Context()), "admin.conflict.title", v)
}

// POST /admin/articles/preview and /admin/articles/{id}/preview render the
// form's text with the public article template, without saving anything.
func (s *Server) previewArticle(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.adminFail(w, r, currentUser(r.Context()), badRequest("error.bad_body"))
		return
	}
	ctx := r.Context()
	f := readEditorForm(r)
	d := f.draft()
	a := &article.Article{Headline: d.Headline, Standfirst: d.Standfirst, Slug: d.Slug, Body: d.Body, Language: d.Language,
		Status: article.Draft, PublishedAt: s.now()}
	if a.Language == "" {
		a.Language = "en"
	}
	if sec, err := s.store.SectionBySlug(ctx, d.Section); err == nil {
		a.Section = *sec
	}
	for _, slug := range d.Authors {
		if au, err := s.store.AuthorBySlug(ctx, slug); err == nil {
			a.Authors = append(a.Authors, *au)
		}
	}
	for _, name := range d.Tags {
		t := article.Tag{Name: name, Slug: article.Slugify(name)}
		if existing, err := s.store.TagBySlug(ctx, t.Slug); err == nil {
			t = *existing // shown as it will be once saved
		}
		a.Tags = append(a.Tags, t)
	}
	if d.LeadImageID != 0 {
		if img, err := s.store.ImageByID(ctx, d.LeadImageID); err == nil {
			a.LeadImage = img
		}
	}
	s.renderArticlePreview(w, r, a)
}

// renderArticlePreview renders a with the public template, marked noindex.
func (s *Server) renderArticlePreview(w http.ResponseWriter, r *http.Request, a *article.Article) {
	ctx := r.Context()
	v, err := s.newView(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := s.md.Render(ctx, a.Body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Title, v.NoIndex = a.Headline, true
	frames := embedOrigins(body)
	v.Data = articleView{Article: a, Body: template.HTML(body), Lang: a.Language, Dir: i18n.Dir(a.Language), Preview: true, Embeds: len(frames) > 0}
	h := w.Header()
	setCSP(h, s.framing(frames))
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	if err := s.pages["article"].ExecuteTemplate(w, "layout", v); err != nil {
		s.log.Error("rendering preview", "err", err)
	}
}

// revisionsView lists revisions and compares two of them.
type revisionsView struct {
	Article   *article.Article
	Revisions []article.Revision
	From, To  *article.Revision
	Diff      []diff.Line
	Headline  []diff.Line
}

// GET /admin/articles/{id}/revisions?from=N&to=M
func (s *Server) articleRevisions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	id, err := pathID(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	a, err := s.newsroom.Get(ctx, u, id)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	revs, err := s.store.Revisions(ctx, id)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v := revisionsView{Article: a, Revisions: revs}
	pick := func(param string, def int) *article.Revision {
		n, err := strconv.Atoi(r.URL.Query().Get(param))
		if err != nil {
			n = def
		}
		for i := range revs {
			if revs[i].Version == n {
				return &revs[i]
			}
		}
		return nil
	}
	if len(revs) > 0 {
		v.To = pick("to", revs[0].Version)
		prev := revs[0].Version
		if len(revs) > 1 {
			prev = revs[1].Version
		}
		v.From = pick("from", prev)
	}
	if v.From != nil && v.To != nil {
		v.Diff = diff.Lines(v.From.Snapshot.Body, v.To.Snapshot.Body)
		v.Headline = diff.Lines(v.From.Snapshot.Headline, v.To.Snapshot.Headline)
	}
	s.renderAdmin(w, r, http.StatusOK, "revisions", u, "admin.revisions.title", v)
}

// POST /admin/articles/{id}/restore
func (s *Server) restoreRevision(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	id, err := pathID(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		s.adminFail(w, r, u, article.ErrNotFound)
		return
	}
	if _, err := s.newsroom.Restore(ctx, u, id, version); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	seeOther(w, r, "/admin/articles/"+strconv.FormatInt(id, 10), "restored")
}

// POST /admin/articles/{id}/notes appends a correction or update.
func (s *Server) addNote(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	id, err := pathID(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if _, err := s.newsroom.AddNote(ctx, u, id, article.NoteKind(r.PostFormValue("kind")), r.PostFormValue("body")); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	seeOther(w, r, "/admin/articles/"+strconv.FormatInt(id, 10), "noted")
}
