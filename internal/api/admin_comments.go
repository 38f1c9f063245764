package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
)

// Moderation, as on the newsroom's comments page (an editor's): the queue
// by status or by article, and the same actions through the same use case
// (comment.Moderate) and audit entries. A staff reply goes through the
// reading site's own comment.Service as a signed-in member's does:
// published at once, marked as the newsroom's.

// moderatedJSON is a comment as moderators see it: its email and why a
// rule held it included.
type moderatedJSON struct {
	ID              int64          `json:"id"`
	ArticleID       int64          `json:"article_id"`
	ArticleHeadline string         `json:"article_headline"`
	URL             string         `json:"url" doc:"the comment on its article's page"`
	ParentID        int64          `json:"parent_id" doc:"the comment it replies to; 0 for none"`
	Name            string         `json:"name"`
	Email           string         `json:"email" doc:"never shown to readers"`
	Body            string         `json:"body" doc:"Markdown subset"`
	Status          comment.Status `json:"status"`
	Pinned          bool           `json:"pinned"`
	StaffID         int64          `json:"staff_id" doc:"the newsroom user who wrote it; 0 for a reader"`
	Reports         int            `json:"reports" doc:"readers' reports"`
	HeldReason      string         `json:"held_reason" doc:"why a rule held it for a moderator"`
	CreatedAt       time.Time      `json:"created_at"`
	EditedAt        *time.Time     `json:"edited_at"`
}

func (h *handler) moderatedView(c *comment.Comment, headline, path string) moderatedJSON {
	return moderatedJSON{ID: c.ID, ArticleID: c.ArticleID, ArticleHeadline: headline, URL: h.baseURL + path + "#c-" + strconv.FormatInt(c.ID, 10),
		ParentID: c.ParentID, Name: c.Name, Email: c.Email, Body: c.Body, Status: c.Status, Pinned: c.Pinned, StaffID: c.UserID,
		Reports: c.Reports, HeldReason: c.HeldReason, CreatedAt: c.CreatedAt.UTC(), EditedAt: timeOrNull(c.EditedAt)}
}

type moderatedList struct {
	Comments []moderatedJSON `json:"comments"`
	Next     *string         `json:"next" doc:"pass as ?before= for the next page; null on the last"`
}

// commentBody is the body of a staff reply and of a moderator's edit.
type commentBody struct {
	Body string `json:"body" doc:"Markdown subset, 2–5,000 characters"`
}

// GET /api/v1/admin/comments
func (h *handler) listComments(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	ctx := r.Context()
	q := r.URL.Query()
	query := comment.QueueQuery{Status: comment.Pending}
	switch s := q.Get("status"); {
	case s == "all":
		query.Status = ""
	case s != "":
		if query.Status = comment.Status(s); !query.Status.Valid() {
			return badRequest("status must be pending, approved, spam, trash or all")
		}
	}
	if s := q.Get("article"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return badRequest("article must be an article's id")
		}
		if _, err := h.store.BareArticleByID(ctx, id); errors.Is(err, article.ErrNotFound) {
			return notFound("there is no article %d", id)
		} else if err != nil {
			return err
		}
		query.ArticleID = id
	}
	limit, n, before, err := listPage(r)
	if err != nil {
		return err
	}
	query.Limit, query.BeforeID = n, before
	list, err := h.store.Comments(ctx, query)
	if err != nil {
		return err
	}
	var res moderatedList
	list, res.Next = cutPage(list, limit, func(c *comment.Queued) int64 { return c.ID })
	res.Comments = make([]moderatedJSON, 0, len(list))
	for i := range list {
		res.Comments = append(res.Comments, h.moderatedView(&list[i].Comment, list[i].ArticleHeadline, list[i].ArticlePath))
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// commentOf is the comment the path's {id} names, and its article.
func (h *handler) commentOf(r *http.Request) (*comment.Comment, *article.Article, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, notFound("there is no comment %q", r.PathValue("id"))
	}
	c, err := h.store.CommentByID(r.Context(), id)
	if errors.Is(err, comment.ErrNotFound) {
		return nil, nil, notFound("there is no comment %d", id)
	} else if err != nil {
		return nil, nil, err
	}
	a, err := h.store.BareArticleByID(r.Context(), c.ArticleID)
	if err != nil {
		return nil, nil, err
	}
	return c, a, nil
}

// sendComment answers with comment id as now stored.
func (h *handler) sendComment(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	c, err := h.store.CommentByID(r.Context(), id)
	if err != nil {
		return err
	}
	a, err := h.store.BareArticleByID(r.Context(), c.ArticleID)
	if err != nil {
		return err
	}
	writeJSON(w, status, h.moderatedView(c, a.Headline, a.Path()))
	return nil
}

// GET /api/v1/admin/comments/{id}
func (h *handler) getComment(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	c, a, err := h.commentOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.moderatedView(c, a.Headline, a.Path()))
	return nil
}

// moderate answers a moderation action on the comment the path names.
func (h *handler) moderate(action comment.Action) adminFunc {
	return func(w http.ResponseWriter, r *http.Request, u *account.User) error {
		c, _, err := h.commentOf(r)
		if err != nil {
			return err
		}
		if err := comment.Moderate(r.Context(), h.store, u, action, []int64{c.ID}); err != nil {
			return err
		}
		return h.sendComment(w, r, http.StatusOK, c.ID)
	}
}

// PATCH /api/v1/admin/comments/{id}: a moderator's edit of the text.
func (h *handler) editComment(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var req commentBody
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, _, err := h.commentOf(r)
	if err != nil {
		return err
	}
	if err := comment.EditAsModerator(r.Context(), h.store, u, c.ID, req.Body, h.now()); err != nil {
		return err
	}
	return h.sendComment(w, r, http.StatusOK, c.ID)
}

// POST /api/v1/admin/comments/{id}/replies: a reply as the newsroom.
func (h *handler) replyToComment(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var req commentBody
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, a, err := h.commentOf(r)
	if err != nil {
		return err
	}
	if !a.Visible() {
		// The comment the path names is where the reply would go.
		return invalid(map[string]string{"id": fmt.Sprintf("comment %d is under an article that is not published: nobody could read a reply", c.ID)})
	}
	done, err := h.comments.Submit(r.Context(), a, &comment.Submission{Name: u.Name, Email: u.Email, Body: req.Body, Parent: c.ID,
		Staff: u, Client: h.ips.ClientIP(r), ClientKey: h.ips.Key(r)})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/admin/comments/"+strconv.FormatInt(done.Comment.ID, 10))
	return h.sendComment(w, r, http.StatusCreated, done.Comment.ID)
}
