package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/newsroom"
)

// articleFields is what a client may set on an article. Every field is
// optional: absent (or null) keeps what is there, or the default on create.
type articleFields struct {
	Headline    *string   `json:"headline"`
	Standfirst  *string   `json:"standfirst"`
	Body        *string   `json:"body"` // Markdown
	Section     *string   `json:"section"`
	Tags        *[]string `json:"tags"`    // names; unknown ones are created
	Authors     *[]string `json:"authors"` // slugs, byline order
	Language    *string   `json:"language"`
	Slug        *string   `json:"slug"` // "" makes one from the headline
	LeadImageID *int64    `json:"lead_image_id"`
	// CommentsClosed stops new comments on the article.
	CommentsClosed *bool `json:"comments_closed"`
	// TranslationOf is the id of the article this one translates; 0 for none.
	TranslationOf *int64 `json:"translation_of"`
	// LiveBlog tells the story as a live blog; its coverage opens and
	// closes by …/coverage/start and …/coverage/end.
	LiveBlog  *bool   `json:"live_blog"`
	Status    *string `json:"status"`     // draft, scheduled, published
	PublishAt *string `json:"publish_at"` // RFC 3339, with status scheduled
}

// patchRequest is a PATCH body: the fields to change and the version the
// client last read, so nobody overwrites a save they have not seen.
type patchRequest struct {
	articleFields
	Version *int `json:"version"`
}

// changesText reports whether f touches anything but the status.
func (f *articleFields) changesText() bool {
	return f.Headline != nil || f.Standfirst != nil || f.Body != nil || f.Section != nil || f.Tags != nil ||
		f.Authors != nil || f.Language != nil || f.Slug != nil || f.LeadImageID != nil || f.CommentsClosed != nil ||
		f.TranslationOf != nil || f.LiveBlog != nil
}

// draft lays f over d.
func (f *articleFields) draft(d newsroom.Draft) newsroom.Draft {
	overlay(&d.Headline, f.Headline)
	overlay(&d.Standfirst, f.Standfirst)
	overlay(&d.Section, f.Section)
	overlay(&d.Language, f.Language)
	overlay(&d.Slug, f.Slug)
	if f.Body != nil {
		d.Body = strings.ReplaceAll(*f.Body, "\r\n", "\n")
	}
	overlay(&d.Tags, f.Tags)
	overlay(&d.Authors, f.Authors)
	overlay(&d.LeadImageID, f.LeadImageID)
	overlay(&d.TranslationOf, f.TranslationOf)
	overlay(&d.CommentsClosed, f.CommentsClosed)
	overlay(&d.LiveBlog, f.LiveBlog)
	return d
}

// draftOf is a's editable state, the base a PATCH changes.
func draftOf(a *article.Article) newsroom.Draft { return newsroom.DraftOf(a) }

// target is the status a request asks for: "" for no change, and for
// scheduled the time. Anything not in the future is refused rather than
// quietly published at once.
func (h *handler) target(f *articleFields) (article.Status, time.Time, error) {
	problems := map[string]string{}
	var st article.Status
	if f.Status != nil {
		st = article.Status(*f.Status)
		if st != article.Draft && st != article.Scheduled && st != article.Published {
			problems["status"] = `status must be "draft", "scheduled" or "published"`
		}
	}
	var at time.Time
	switch {
	case st == article.Scheduled && (f.PublishAt == nil || *f.PublishAt == ""):
		problems["publish_at"] = "a scheduled article needs publish_at"
	case st == article.Scheduled:
		var msg string
		if at, msg = parseFuture("publish_at", *f.PublishAt, h.now()); msg != "" {
			problems["publish_at"] = msg
		}
	case f.PublishAt != nil && *f.PublishAt != "":
		problems["publish_at"] = `publish_at goes with status "scheduled"`
	}
	if len(problems) > 0 {
		return "", time.Time{}, invalid(problems)
	}
	return st, at, nil
}

// POST /api/v1/admin/articles
func (h *handler) createArticle(w http.ResponseWriter, r *http.Request, u *account.User) error {
	ctx := r.Context()
	var f articleFields
	if err := decode(w, r, &f); err != nil {
		return err
	}
	st, at, err := h.target(&f)
	if err != nil {
		return err
	}
	// Ask before creating: a draft created and then refused publication
	// would be left behind.
	if (st == article.Published || st == article.Scheduled) && !newsroom.CanPublish(u, &article.Article{CreatedBy: u.ID}) {
		return newsroom.ErrForbidden
	}
	a, err := h.newsroom.Create(ctx, u, f.draft(newsroom.Draft{}))
	if err != nil {
		return err
	}
	if st == article.Published || st == article.Scheduled {
		if _, err := h.newsroom.Publish(ctx, u, a.ID, at); err != nil {
			return fmt.Errorf("api: article %d was created but not published: %w", a.ID, err)
		}
	}
	return h.sendArticle(ctx, w, http.StatusCreated, a.ID)
}

// sendArticle answers with the article as now stored (its version, times
// and lead image as the store sees them).
func (h *handler) sendArticle(ctx context.Context, w http.ResponseWriter, status int, id int64) error {
	a, err := h.store.ArticleByID(ctx, id)
	if err != nil {
		return err
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/admin/articles/"+strconv.FormatInt(id, 10))
	}
	writeJSON(w, status, h.adminArticle(a))
	return nil
}

type adminArticleList struct {
	Articles []*adminArticleJSON `json:"articles"`
	Next     *string             `json:"next"` // pass as ?before= for the next page
}

// GET /api/v1/admin/articles
func (h *handler) adminListArticles(w http.ResponseWriter, r *http.Request, u *account.User) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := article.AdminQuery{Status: article.Status(q.Get("status")), Search: strings.TrimSpace(q.Get("q"))}
	if f.Status != "" && f.Status != "review" && !f.Status.Valid() {
		return badRequest("status must be draft, review, scheduled, published or unpublished")
	}
	var err error
	if f.Limit, err = queryLimit(r, adminDefaultPage, maxAdminPage); err != nil {
		return err
	}
	if f.BeforeID, err = queryBefore(r); err != nil {
		return err
	}
	if f.SectionID, f.AuthorID, err = h.sectionAndAuthor(ctx, q); err != nil {
		return err
	}
	if !u.Can(account.EditAny) {
		f.CreatedBy = u.ID // writers see their own work, as in the newsroom pages
	}
	list, err := h.store.AdminArticles(ctx, f)
	if err != nil {
		return err
	}
	res := adminArticleList{Articles: make([]*adminArticleJSON, 0, len(list))}
	for i := range list {
		res.Articles = append(res.Articles, h.adminArticleView(&list[i], false))
	}
	if len(list) == f.Limit {
		// A full page: say "next" only if something is really there.
		last := list[len(list)-1].ID
		f.BeforeID, f.Limit = last, 1
		more, err := h.store.AdminArticles(ctx, f)
		if err != nil {
			return err
		}
		if len(more) > 0 {
			s := strconv.FormatInt(last, 10)
			res.Next = &s
		}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// GET /api/v1/admin/articles/{id}
func (h *handler) adminGetArticle(w http.ResponseWriter, r *http.Request, u *account.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := h.newsroom.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.adminArticle(a))
	return nil
}

// PATCH /api/v1/admin/articles/{id}
func (h *handler) patchArticle(w http.ResponseWriter, r *http.Request, u *account.User) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var p patchRequest
	if err := decode(w, r, &p); err != nil {
		return err
	}
	if p.Version == nil || *p.Version < 1 {
		// Version 0 would mean "whatever is stored" to the store.
		return invalid(map[string]string{"version": `version is required: the "version" of the article as you last read it`})
	}
	st, at, err := h.target(&p.articleFields)
	if err != nil {
		return err
	}
	a, err := h.newsroom.Get(ctx, u, id)
	if err != nil {
		return err
	}
	step, err := transition(a, st, at)
	if err != nil {
		return err
	}
	// The status permission is checked before the text is saved, so a
	// refused status change does not leave a half-applied edit behind.
	if step != stay && !newsroom.CanPublish(u, a) {
		return newsroom.ErrForbidden
	}
	if p.changesText() {
		if _, err := h.newsroom.Update(ctx, u, id, *p.Version, p.draft(draftOf(a))); err != nil {
			return err
		}
	} else if a.Version != *p.Version {
		return &article.ConflictError{Current: a, Sent: *p.Version}
	}
	switch step {
	case publish:
		_, err = h.newsroom.Publish(ctx, u, id, at)
	case cancelSchedule:
		_, err = h.newsroom.Unpublish(ctx, u, id, 0)
	}
	if err != nil {
		return err
	}
	return h.sendArticle(ctx, w, http.StatusOK, id)
}

// step is the workflow move a PATCH's status asks for.
type step int

const (
	stay           step = iota
	publish             // now, or at the time asked for
	cancelSchedule      // a scheduled article back to draft
)

// transition returns the step that takes a to status st ("" for no
// change). Going offline has its own endpoints.
func transition(a *article.Article, st article.Status, at time.Time) (step, error) {
	switch {
	case st == "" || (st == a.Status && st != article.Scheduled):
		return stay, nil
	case st == article.Scheduled && a.Status == article.Scheduled && at.Equal(a.PublishedAt):
		return stay, nil
	case st == article.Scheduled && a.Status == article.Published:
		// Refused before anything is saved: a published article is not
		// taken offline by scheduling it.
		return stay, invalid(map[string]string{"status": "the article is already published; unpublish it first to schedule it again"})
	case st == article.Published || st == article.Scheduled:
		return publish, nil
	case st == article.Draft && a.Status == article.Scheduled:
		return cancelSchedule, nil
	}
	return stay, invalid(map[string]string{"status": fmt.Sprintf("a %s article cannot become a draft; take it offline with POST …/unpublish or DELETE", a.Status)})
}

// DELETE /api/v1/admin/articles/{id}: takes the article offline (its page
// answers 410 Gone). Nothing is erased.
func (h *handler) deleteArticle(w http.ResponseWriter, r *http.Request, u *account.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.newsroom.Unpublish(r.Context(), u, id, 0); err != nil {
		return err
	}
	return h.sendArticle(r.Context(), w, http.StatusOK, id)
}

// publishRequest is the optional body of …/publish: a time schedules.
type publishRequest struct {
	PublishAt *string `json:"publish_at" doc:"RFC 3339, in the future: schedule instead of publishing now"`
}

// unpublishRequest is the optional body of …/unpublish.
type unpublishRequest struct {
	ReplacementID int64 `json:"replacement_id" doc:"a published article the old address redirects to (301) instead of answering 410"`
}

// POST /api/v1/admin/articles/{id}/publish
func (h *handler) publishArticle(w http.ResponseWriter, r *http.Request, u *account.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req publishRequest
	if err := decodeOptional(w, r, &req); err != nil {
		return err
	}
	var at time.Time
	if req.PublishAt != nil && *req.PublishAt != "" {
		var msg string
		if at, msg = parseFuture("publish_at", *req.PublishAt, h.now()); msg != "" {
			return invalid(map[string]string{"publish_at": msg})
		}
	}
	if _, err := h.newsroom.Publish(r.Context(), u, id, at); err != nil {
		return err
	}
	return h.sendArticle(r.Context(), w, http.StatusOK, id)
}

// POST /api/v1/admin/articles/{id}/unpublish
func (h *handler) unpublishArticle(w http.ResponseWriter, r *http.Request, u *account.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req unpublishRequest
	if err := decodeOptional(w, r, &req); err != nil {
		return err
	}
	if _, err := h.newsroom.Unpublish(r.Context(), u, id, req.ReplacementID); err != nil {
		return err
	}
	return h.sendArticle(r.Context(), w, http.StatusOK, id)
}
