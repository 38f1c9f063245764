package web

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
)

// commenterCookie holds a random token identifying this browser's comments
// (API clients send it as commenter_token), so their author sees them while
// they wait for moderation and edits them for a while. Only its hash is
// stored, beside each comment. While it lasts, pages are rendered for this
// reader alone, so it lasts a week.
const commenterCookie = "broadsheet_commenter"

const commenterLifetime = 7 * 24 * time.Hour

// returningCookie keeps the same token for a year, so that a commenter
// whose earlier comment was approved is known again when they post. It is
// read only when a comment is sent, never to serve a page: a regular reads
// cached pages like anyone else.
const returningCookie = "broadsheet_returning"

const returningLifetime = 365 * 24 * time.Hour

// commentsPerPage is how many top-level comments a page shows.
const commentsPerPage = 50

// commentForm is what the comment form holds: empty, or exactly what the
// reader typed when something needs fixing.
type commentForm struct {
	Name, Email, Body string
	Notify            bool
	Parent            int64
	Key               string // idempotency: one per rendering of the form
	Shown             string // signed time the form was rendered (formStamp)
	Notice            string // a message for the whole form
	Resubmit          bool   // with JavaScript, send the form again at once
}

// commentView is one comment as shown.
type commentView struct {
	comment.Comment
	HTML     template.HTML
	Initials string
	Own      bool // this browser's comment, still within its edit window
	// Worked out here rather than by the template, which calls functions
	// and reaches into the embedded comment by reflection: on a page of
	// fifty comments that cost more than the rest of the page.
	Held      bool   // not (yet) approved
	Staff     bool   // written by a newsroom user
	ISO, When string // its time for <time datetime> and for readers
}

// discussionView is the comment section under an article.
type discussionView struct {
	Count    int
	Comments []commentView
	Newest   bool
	NextURL  string
	Form     commentForm
	Errors   comment.FieldErrors
	Action   string
	Closed   bool
	// External is the third-party widget to show beside the built-in check.
	External *externalWidget
}

type externalWidget struct {
	Script, Class, SiteKey string
}

// newForm is an empty comment form for article id.
func (s *Server) newForm(id int64) commentForm {
	return commentForm{Key: comment.NewFormKey(), Shown: s.comments.Stamp(id)}
}

// initials make an avatar from a name without any third-party service.
func initials(name string) string {
	var out []rune
	for _, f := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(f)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, unicode.ToUpper(r))
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// ownHashes returns the hashes of this browser's commenter token.
func ownHashes(r *http.Request) []string {
	c, err := r.Cookie(commenterCookie)
	if err != nil || comment.CommenterToken(c.Value) == "" {
		return nil
	}
	return []string{account.HashToken(c.Value)}
}

// discussion loads the comments a reader of a sees; its Count is the
// article page's to fill, from the counts it asks for with More Articles'.
func (s *Server) discussion(r *http.Request, v *view, a *article.Article) (*discussionView, error) {
	site := v.Site
	ctx := r.Context()
	q := r.URL.Query()
	d := &discussionView{Newest: q.Get("comments") == "newest", Action: articlePath(a) + "/comments", Closed: !site.CommentsOpen(a, s.now()), External: v.external}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	list, err := s.store.Thread(ctx, comment.Query{ArticleID: a.ID, Newest: d.Newest, AfterID: after, Limit: commentsPerPage, OwnEditHashes: ownHashes(r)})
	if err != nil {
		return nil, err
	}
	own := ownHashes(r)
	tops := 0
	for _, c := range list {
		html, err := s.commentMD.RenderStored(ctx, c.HTML, c.Body)
		if err != nil {
			return nil, err
		}
		mine := len(own) > 0 && c.EditHash == own[0] && s.now().Sub(c.CreatedAt) < comment.EditWindow
		d.Comments = append(d.Comments, commentView{Comment: c, HTML: template.HTML(html), Initials: initials(c.Name), Own: mine,
			Held: c.Status != comment.Approved, Staff: c.Staff(), ISO: v.ISO(c.CreatedAt), When: v.DateTime(c.CreatedAt)})
		if c.Depth == 0 {
			tops++
			after = c.ID
		}
	}
	if tops == commentsPerPage {
		next := articlePath(a) + "?after=" + strconv.FormatInt(after, 10)
		if d.Newest {
			next += "&comments=newest"
		}
		d.NextURL = next + "#comments"
	}
	return d, nil
}

// POST /{section}/{slug}/comments
func (s *Server) postComment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// The article bare, in one query: the page is rendered only when the
	// form must be shown again.
	a, err := s.store.BareArticleBySlug(ctx, r.PathValue("slug"))
	if err == nil && (!a.Visible() || a.Section.Slug != r.PathValue("section")) {
		err = article.ErrNotFound
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The form was read under its cap before this handler ran (capBody),
	// which answered one too large; what fails here is one that is not a
	// form at all.
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, badRequest("comment.bad_form"))
		return
	}
	form := commentForm{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Body: r.PostFormValue("body"),
		Notify: r.PostFormValue("notify") != "", Key: r.PostFormValue("key"), Shown: r.PostFormValue("shown")}
	form.Parent, _ = strconv.ParseInt(r.PostFormValue("parent"), 10, 64)
	in := comment.Submission{Name: form.Name, Email: form.Email, Body: form.Body, Notify: form.Notify, Parent: form.Parent,
		Key: form.Key, Shown: form.Shown, Altcha: r.PostFormValue("altcha"), Token: s.formToken(r),
		Client: s.ips.ClientIP(r), ClientKey: s.ips.Key(r), Honeypot: r.PostFormValue("website") != ""}
	// The browser's own token, else the one it keeps for returning.
	for _, name := range []string{commenterCookie, returningCookie} {
		if ck, err := r.Cookie(name); err == nil {
			in.Commenter = append(in.Commenter, ck.Value)
		}
	}
	in.Staff, _ = s.authenticate(r)
	done, err := s.comments.Submit(ctx, a, &in)
	if err != nil {
		rep := httperr.Of(err)
		if rep.Internal {
			s.fail(w, r, err)
			return
		}
		rep.SetRetryAfter(w.Header())
		// The form again, with what the reader typed; a check that
		// expired while they wrote is renewed in the page, and with
		// JavaScript the form goes again at once.
		form.Key, form.Shown = in.Key, in.Shown
		form.Notice, form.Resubmit = rep.Key, rep.Code == "check_expired" && s.external == nil
		whole, err := s.store.ArticleByID(ctx, a.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.commentProblem(w, r, whole, form, rep.FieldMessages(), rep.Status)
		return
	}
	token := done.Token
	for _, ck := range []struct {
		name string
		life time.Duration
	}{{commenterCookie, commenterLifetime}, {returningCookie, returningLifetime}} {
		http.SetCookie(w, &http.Cookie{Name: ck.name, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
			Secure: strings.HasPrefix(s.baseURL, "https://"), MaxAge: int(ck.life.Seconds())})
	}
	redirect(w, r, articlePath(a)+"#c-"+strconv.FormatInt(done.Comment.ID, 10), http.StatusSeeOther)
}

// formToken is the token the configured provider's widget put in the form,
// "" without a provider.
func (s *Server) formToken(r *http.Request) string {
	if f := s.tokenField; f != "" {
		return r.PostFormValue(f)
	}
	return ""
}

// commentProblem shows the article again with the reader's text in the
// form and a message at each field that needs it. Never cached.
func (s *Server) commentProblem(w http.ResponseWriter, r *http.Request, a *article.Article, form commentForm, fields map[string]string, status int) {
	v, err := s.newView(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if form.Notice != "" {
		form.Notice = v.T(form.Notice)
	}
	resp, err := s.articlePage(r, v, a, form, fields)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	setCSP(h, resp.csp)
	w.WriteHeader(status)
	if err := s.pages["article"].ExecuteTemplate(w, "layout", resp.view); err != nil {
		s.log.Error("rendering comment form", "err", err)
	}
}

// The routes on one comment of a discussion: a reader edits or deletes
// their own comment within its edit window, or reports someone's.

// POST /{section}/{slug}/comments/{id}/edit
func (s *Server) editOwnComment(w http.ResponseWriter, r *http.Request) {
	a, id, ok := s.commentOf(w, r)
	if !ok {
		return
	}
	c := &comment.Comment{Name: "-", Body: r.PostFormValue("body")}
	c.Normalize()
	if err := c.Validate(); err != nil {
		rep := httperr.Of(err)
		form := s.newForm(a.ID)
		form.Body, form.Notice = c.Body, "comment.edit_invalid"
		s.commentProblem(w, r, a, form, rep.FieldMessages(), rep.Status)
		return
	}
	hash := ownHash(r)
	hold, err := s.editHold(r, id, hash, c.Body)
	if err == nil {
		err = s.store.EditOwnComment(r.Context(), id, hash, c.Body, hold, s.now())
	}
	s.commentDone(w, r, err, articlePath(a)+"#c-"+strconv.FormatInt(id, 10))
}

// POST /{section}/{slug}/comments/{id}/delete
func (s *Server) deleteOwnComment(w http.ResponseWriter, r *http.Request) {
	a, id, ok := s.commentOf(w, r)
	if !ok {
		return
	}
	err := s.store.DeleteOwnComment(r.Context(), id, ownHash(r), s.now())
	s.commentDone(w, r, err, articlePath(a)+"#comments")
}

// POST /{section}/{slug}/comments/{id}/report
func (s *Server) reportComment(w http.ResponseWriter, r *http.Request) {
	a, id, ok := s.commentOf(w, r)
	if !ok {
		return
	}
	if err := s.comments.AllowReport(s.ips.Key(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	_, err := s.store.ReportComment(r.Context(), id)
	s.commentDone(w, r, err, articlePath(a)+"#c-"+strconv.FormatInt(id, 10))
}

// commentOf finds the visible article and the comment id a comment's route
// names, or answers 404 and reports ok=false.
func (s *Server) commentOf(w http.ResponseWriter, r *http.Request) (a *article.Article, id int64, ok bool) {
	a, err := s.store.ArticleBySlug(r.Context(), r.PathValue("slug"))
	id, idErr := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil && (!a.Visible() || a.Section.Slug != r.PathValue("section") || idErr != nil) {
		err = article.ErrNotFound
	}
	if err != nil {
		s.fail(w, r, err)
		return nil, 0, false
	}
	return a, id, true
}

// ownHash is the newest of the reader's own comment hashes, "" for none:
// the one an edit or a deletion must match.
func ownHash(r *http.Request) string {
	if h := ownHashes(r); len(h) > 0 {
		return h[0]
	}
	return ""
}

// commentDone answers an action on one comment: back to it on the page
// when it is done, 403 when the comment is not the reader's to change (or
// its window has closed).
func (s *Server) commentDone(w http.ResponseWriter, r *http.Request, err error, back string) {
	if errors.Is(err, comment.ErrNotFound) {
		s.fail(w, r, refuse(errs.Forbidden, "comment.not_yours"))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, back, http.StatusSeeOther)
}

// editHold decides an author's edit of comment id by the rules a new
// comment passes (comment.HoldEdit): it returns why the edited comment must
// wait for a moderator, "" when it may stay as it is. A held comment shows
// to its author marked as awaiting moderation, with their new text.
func (s *Server) editHold(r *http.Request, id int64, editHash, body string) (string, error) {
	ctx := r.Context()
	c, err := s.store.CommentByID(ctx, id)
	if err != nil {
		return "", err
	}
	returning, err := s.store.Returning(ctx, c.Email, editHash)
	if err != nil {
		return "", err
	}
	blocklist, err := s.store.Blocklist(ctx)
	if err != nil {
		return "", err
	}
	u, _ := s.authenticate(r)
	c.Body = body
	return comment.HoldEdit(c, comment.Signals{Returning: returning, Staff: u != nil && u.Can(account.WriteDrafts), Blocklist: blocklist}), nil
}
