package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/feed"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/newsroom"
)

// Live blogs, as on the newsroom's composer: a live blog's updates listed
// newest first, posted, edited (naming the version last read) and
// deleted, and its coverage opened and closed — every step through
// newsroom.LiveBlogs, which decides who may (whoever may publish the
// article) and writes the audit log. A live blog's id is its article's.
// The Content API lists a published live blog's updates, rendered.

// liveUpdateJSON is what every view of an update shows.
type liveUpdateJSON struct {
	ID        int64        `json:"id"`
	ArticleID int64        `json:"article_id" doc:"the live blog's"`
	URL       string       `json:"url" doc:"its permalink on the site: the page of updates that begins with it"`
	Headline  string       `json:"headline" doc:"\"\" for none"`
	Authors   []authorJSON `json:"authors" doc:"byline order"`
	Pinned    bool         `json:"pinned" doc:"shown above the other updates"`
	KeyEvent  bool         `json:"key_event" doc:"listed in the live blog's summary of key events"`
	CreatedAt time.Time    `json:"created_at"`
	EditedAt  *time.Time   `json:"edited_at"`
}

// publicLiveUpdate is an update as readers see it.
type publicLiveUpdate struct {
	liveUpdateJSON
	BodyHTML string `json:"body_html" doc:"rendered and sanitised, as on the site"`
	Text     string `json:"text" doc:"its words as plain text, without markup"`
}

// adminLiveUpdate is an update as the newsroom edits it.
type adminLiveUpdate struct {
	liveUpdateJSON
	Body      string `json:"body" doc:"Markdown"`
	Version   int    `json:"version" doc:"counts saves; send it back with PATCH"`
	CreatedBy int64  `json:"created_by" doc:"the user who posted it; 0 if unknown"`
}

type liveUpdateList struct {
	Updates []publicLiveUpdate `json:"updates"`
	Next    *string            `json:"next" doc:"pass as ?before= for the next (older) page; null on the last"`
}

type adminLiveUpdateList struct {
	Updates []adminLiveUpdate `json:"updates"`
	Next    *string           `json:"next" doc:"pass as ?before= for the next (older) page; null on the last"`
}

// liveUpdateFields is the body of POST (body required) and PATCH (a
// field left out keeps its value).
type liveUpdateFields struct {
	Headline *string   `json:"headline" doc:"optional, at most 200 characters"`
	Body     *string   `json:"body" doc:"Markdown, as an article's body, at most 10,000 characters"`
	Authors  *[]string `json:"authors" doc:"author slugs, in byline order, at most 4"`
	Pinned   *bool     `json:"pinned"`
	KeyEvent *bool     `json:"key_event"`
}

// liveUpdatePatch is a PATCH body: the fields to change and the version
// last read, so that nobody overwrites a save they have not seen.
type liveUpdatePatch struct {
	liveUpdateFields
	Version *int `json:"version"`
}

// input lays f over in.
func (f *liveUpdateFields) input(in newsroom.LiveInput) newsroom.LiveInput {
	overlay(&in.Headline, f.Headline)
	overlay(&in.Body, f.Body)
	overlay(&in.Authors, f.Authors)
	overlay(&in.Pinned, f.Pinned)
	overlay(&in.KeyEvent, f.KeyEvent)
	return in
}

// inputOf is up as stored, the base a PATCH changes.
func inputOf(up *liveblog.Update) newsroom.LiveInput {
	in := newsroom.LiveInput{Headline: up.Headline, Body: up.Body, Pinned: up.Pinned, KeyEvent: up.KeyEvent}
	for _, au := range up.Authors {
		in.Authors = append(in.Authors, au.Slug)
	}
	return in
}

func (h *handler) liveUpdateView(a *article.Article, up *liveblog.Update) liveUpdateJSON {
	j := liveUpdateJSON{ID: up.ID, ArticleID: up.ArticleID, URL: h.baseURL + liveblog.Permalink(a.Path(), up.ID), Headline: up.Headline,
		Authors: make([]authorJSON, 0, len(up.Authors)), Pinned: up.Pinned, KeyEvent: up.KeyEvent,
		CreatedAt: up.CreatedAt.UTC(), EditedAt: timeOrNull(up.EditedAt)}
	for i := range up.Authors {
		j.Authors = append(j.Authors, h.authorJSON(&up.Authors[i]))
	}
	return j
}

func (h *handler) adminLiveUpdate(a *article.Article, up *liveblog.Update) *adminLiveUpdate {
	return &adminLiveUpdate{liveUpdateJSON: h.liveUpdateView(a, up), Body: up.Body, Version: up.Version, CreatedBy: up.CreatedBy}
}

// liveUpdatePage reads one page of a live blog's updates, newest first,
// the pinned among the others, after the update before (0: from the
// newest): at most limit of them, and the cursor of the next page.
func (h *handler) liveUpdatePage(ctx context.Context, articleID, before int64, limit int) ([]liveblog.Update, *string, error) {
	// The store begins a page at an update, that one included: two more
	// than the page leave room to drop the cursor's own update and still
	// see whether another page follows.
	page, err := h.store.LiveUpdates(ctx, liveblog.Query{ArticleID: articleID, Pinned: true, From: before, Limit: limit + 2})
	if errors.Is(err, liveblog.ErrNotFound) {
		return nil, nil, badRequest("before is not a cursor this API gave out")
	} else if err != nil {
		return nil, nil, err
	}
	list := page.Updates
	if before != 0 && len(list) > 0 && list[0].ID == before {
		list = list[1:]
	}
	list, next := cutPage(list, limit, func(u *liveblog.Update) int64 { return u.ID })
	return list, next, nil
}

// updateID reads the {update} wildcard, as pathID reads {id}.
func updateID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("update"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound("there is no live update %q", r.PathValue("update"))
	}
	return id, nil
}

// liveUpdateOf is the live blog and the update the path names, for u.
func (h *handler) liveUpdateOf(r *http.Request, u *account.User) (*article.Article, *liveblog.Update, error) {
	articleID, err := pathID(r)
	if err != nil {
		return nil, nil, err
	}
	id, err := updateID(r)
	if err != nil {
		return nil, nil, err
	}
	return h.liveBlogs.Get(r.Context(), u, articleID, id)
}

// sendLiveUpdate answers with the update as now stored.
func (h *handler) sendLiveUpdate(ctx context.Context, w http.ResponseWriter, status int, articleID, id int64) error {
	a, err := h.store.BareArticleByID(ctx, articleID)
	if err != nil {
		return err
	}
	up, err := h.store.LiveUpdate(ctx, id)
	if err != nil {
		return err
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/admin/live-blogs/"+strconv.FormatInt(articleID, 10)+"/updates/"+strconv.FormatInt(id, 10))
	}
	writeJSON(w, status, h.adminLiveUpdate(a, up))
	return nil
}

// GET /api/v1/admin/live-blogs/{id}/updates
func (h *handler) listLiveUpdates(w http.ResponseWriter, r *http.Request, u *account.User) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	limit, _, before, err := listPage(r)
	if err != nil {
		return err
	}
	a, err := h.liveBlogs.Open(ctx, u, id)
	if err != nil {
		return err
	}
	list, next, err := h.liveUpdatePage(ctx, a.ID, before, limit)
	if err != nil {
		return err
	}
	res := adminLiveUpdateList{Updates: make([]adminLiveUpdate, 0, len(list)), Next: next}
	for i := range list {
		res.Updates = append(res.Updates, *h.adminLiveUpdate(a, &list[i]))
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// GET /api/v1/admin/live-blogs/{id}/updates/{update}
func (h *handler) getLiveUpdate(w http.ResponseWriter, r *http.Request, u *account.User) error {
	a, up, err := h.liveUpdateOf(r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.adminLiveUpdate(a, up))
	return nil
}

// POST /api/v1/admin/live-blogs/{id}/updates
func (h *handler) postLiveUpdate(w http.ResponseWriter, r *http.Request, u *account.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req liveUpdateFields
	if err := decode(w, r, &req); err != nil {
		return err
	}
	up, err := h.liveBlogs.Post(r.Context(), u, id, req.input(newsroom.LiveInput{}))
	if err != nil {
		return err
	}
	return h.sendLiveUpdate(r.Context(), w, http.StatusCreated, id, up.ID)
}

// PATCH /api/v1/admin/live-blogs/{id}/updates/{update}
func (h *handler) editLiveUpdate(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var req liveUpdatePatch
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a, up, err := h.liveUpdateOf(r, u)
	if err != nil {
		return err
	}
	version := 0 // refused by Edit, naming the field
	if req.Version != nil {
		version = *req.Version
	}
	if _, err := h.liveBlogs.Edit(r.Context(), u, a.ID, up.ID, version, req.input(inputOf(up))); err != nil {
		return err
	}
	return h.sendLiveUpdate(r.Context(), w, http.StatusOK, a.ID, up.ID)
}

// DELETE /api/v1/admin/live-blogs/{id}/updates/{update}: its text goes
// for good; readers' pages learn that it went.
func (h *handler) deleteLiveUpdate(w http.ResponseWriter, r *http.Request, u *account.User) error {
	a, up, err := h.liveUpdateOf(r, u)
	if err != nil {
		return err
	}
	if err := h.liveBlogs.Delete(r.Context(), u, a.ID, up.ID); err != nil {
		return err
	}
	noContent(w)
	return nil
}

// POST /api/v1/admin/articles/{id}/coverage/start
func (h *handler) startCoverage(w http.ResponseWriter, r *http.Request, u *account.User) error {
	return h.coverage(w, r, u, h.liveBlogs.StartCoverage)
}

// POST /api/v1/admin/articles/{id}/coverage/end
func (h *handler) endCoverage(w http.ResponseWriter, r *http.Request, u *account.User) error {
	return h.coverage(w, r, u, h.liveBlogs.EndCoverage)
}

// coverage opens or closes a live blog's coverage with step and answers
// with the article.
func (h *handler) coverage(w http.ResponseWriter, r *http.Request, u *account.User,
	step func(context.Context, *account.User, int64) (*article.Article, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := step(r.Context(), u, id); err != nil {
		return err
	}
	return h.sendArticle(r.Context(), w, http.StatusOK, id)
}

// GET /api/v1/live-blogs/{id}/updates: a published live blog's updates,
// newest first, as its page shows them.
func (h *handler) listPublicLiveUpdates(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	limit, err := queryLimit(r, article.DefaultLimit, article.MaxLimit)
	if err != nil {
		return err
	}
	before, err := queryBefore(r)
	if err != nil {
		return err
	}
	a, err := h.store.BareArticleByID(ctx, id)
	if err != nil {
		return err
	}
	if !a.Visible() {
		return article.ErrNotFound // as an article that never existed
	}
	if !a.LiveBlog {
		return notFound("article %d is not a live blog", id)
	}
	list, next, err := h.liveUpdatePage(ctx, a.ID, before, limit)
	if err != nil {
		return err
	}
	res := liveUpdateList{Updates: make([]publicLiveUpdate, 0, len(list)), Next: next}
	for i := range list {
		html, err := h.md.RenderStored(ctx, list[i].BodyHTML, list[i].Body)
		if err != nil {
			return err
		}
		res.Updates = append(res.Updates, publicLiveUpdate{liveUpdateJSON: h.liveUpdateView(a, &list[i]), BodyHTML: html,
			Text: strings.TrimSpace(feed.PlainText(html))})
	}
	return ok(w, res)
}
