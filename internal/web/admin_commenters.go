package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"broadsheet/internal/comment"
)

// GET /admin/commenters?email=: everything one commenter has written, to
// export or erase on their request.
func (s *Server) commentersPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	email := strings.TrimSpace(r.URL.Query().Get("email"))
	var list []comment.Comment
	if email != "" {
		var err error
		if list, err = s.store.CommentsByEmail(ctx, email); err != nil {
			s.adminFail(w, r, u, err)
			return
		}
	}
	s.renderAdmin(w, r, http.StatusOK, "commenters", u, "admin.commenters.title", map[string]any{"Email": email, "Comments": list})
}

// GET /admin/commenters/export?email= downloads them as JSON.
func (s *Server) exportCommenter(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.TrimSpace(r.URL.Query().Get("email"))
	list, err := s.store.CommentsByEmail(ctx, email)
	if err != nil {
		s.adminFail(w, r, currentUser(ctx), err)
		return
	}
	type item struct {
		ID        int64  `json:"id"`
		ArticleID int64  `json:"article_id"`
		Name      string `json:"name"`
		Email     string `json:"email"`
		Body      string `json:"body"`
		Status    string `json:"status"`
		CreatedAt string `json:"created_at"`
	}
	out := []item{}
	for _, c := range list {
		out = append(out, item{c.ID, c.ArticleID, c.Name, c.Email, c.Body, string(c.Status), c.CreatedAt.Format("2006-01-02T15:04:05Z07:00")})
	}
	s.store.Audit(ctx, auditEntry(currentUser(ctx), "commenter.export", "commenter", int64(len(out)), email))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="comments.json"`)
	json.NewEncoder(w).Encode(map[string]any{"email": email, "comments": out})
}

// POST /admin/commenters/erase deletes everything the email has written.
func (s *Server) eraseCommenter(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	email := strings.TrimSpace(r.PostFormValue("email"))
	if email == "" || r.PostFormValue("confirm") != email {
		s.adminFail(w, r, u, badRequest("admin.commenters.confirm"))
		return
	}
	n, err := s.store.EraseCommenter(ctx, email)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "commenter.erase", "commenter", int64(n), email))
	redirect(w, r, "/admin/commenters?notice=erased&erased="+strconv.Itoa(n), http.StatusSeeOther)
}
