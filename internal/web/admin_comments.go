package web

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/errs"
)

// moderationView is the moderation queue.
type moderationView struct {
	Status      comment.Status
	Statuses    []comment.Status
	Comments    []comment.Queued
	NextURL     string
	Blocklist   string
	Suggestions []string // link domains seen in spam, not yet blocked
}

var linkHost = regexp.MustCompile(`(?i)https?://([a-z0-9.-]+\.[a-z]{2,})`)

// spamSuggestions lists the domains linked from comments marked as spam,
// most frequent first: what moderators' spam verdicts teach.
func spamSuggestions(spam []comment.Queued, blocked []string) []string {
	counts := map[string]int{}
	for _, c := range spam {
		for _, m := range linkHost.FindAllStringSubmatch(c.Body, -1) {
			counts[strings.ToLower(m[1])]++
		}
	}
	var out []string
	for host := range counts {
		if !slices.Contains(blocked, host) {
			out = append(out, host)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	return out[:min(len(out), 10)]
}

// GET /admin/comments?status=pending
func (s *Server) moderationPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	status := comment.Status(r.URL.Query().Get("status"))
	if !status.Valid() {
		status = comment.Pending
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	list, err := s.store.ModerationQueue(ctx, status, before, 50)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v := moderationView{Status: status, Statuses: []comment.Status{comment.Pending, comment.Approved, comment.Spam, comment.Trash}, Comments: list}
	blocked, err := s.store.Blocklist(ctx)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v.Blocklist = strings.Join(blocked, "\n")
	spam, err := s.store.ModerationQueue(ctx, comment.Spam, 0, 200)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v.Suggestions = spamSuggestions(spam, blocked)
	if len(list) == 50 {
		v.NextURL = "/admin/comments?status=" + string(status) + "&before=" + strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	s.renderAdmin(w, r, http.StatusOK, "comments", u, "admin.comments.title", v)
}

// POST /admin/comments moves the ticked comments (or the one whose button
// was pressed) to a status, or pins and unpins one.
func (s *Server) moderate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	if err := r.ParseForm(); err != nil {
		s.adminFail(w, r, u, badRequest("error.bad_body"))
		return
	}
	var ids []int64
	for _, v := range r.PostForm["id"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	action := r.PostFormValue("action")
	if act := r.PostFormValue("act"); act != "" {
		// A button on one comment: "approve:42".
		a, idText, _ := strings.Cut(act, ":")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil || id <= 0 {
			s.adminFail(w, r, u, badRequest("admin.comments.no_action"))
			return
		}
		action, ids = a, []int64{id}
	}
	if len(ids) == 0 {
		s.adminFail(w, r, u, badRequest("admin.comments.none_selected"))
		return
	}
	if err := comment.Moderate(ctx, s.store, u, comment.Action(action), ids); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	back := "/admin/comments?status=" + r.PostFormValue("from")
	if !comment.Status(r.PostFormValue("from")).Valid() {
		back = "/admin/comments"
	}
	redirect(w, r, back, http.StatusSeeOther)
}

// POST /admin/comments/blocklist replaces the blocklist, or adds one entry.
func (s *Server) saveBlocklist(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	entries := strings.Fields(strings.ToLower(r.PostFormValue("blocklist")))
	if add := strings.ToLower(strings.TrimSpace(r.PostFormValue("add"))); add != "" {
		current, err := s.store.Blocklist(ctx)
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		entries = append(current, add)
	}
	slices.Sort(entries)
	entries = slices.Compact(entries)
	if err := s.store.SetBlocklist(ctx, entries); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "comment.blocklist", "settings", int64(len(entries)), ""))
	redirect(w, r, "/admin/comments?notice=saved", http.StatusSeeOther)
}

// POST /admin/comments/{id}/edit changes a comment's text as a moderator.
func (s *Server) moderatorEdit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	id, err := pathID(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if err := comment.EditAsModerator(ctx, s.store, u, id, r.PostFormValue("body"), s.now()); err != nil {
		switch {
		case errs.KindOf(err) == errs.Invalid:
			err = refuse(errs.Invalid, "admin.comments.edit_invalid")
		case errors.Is(err, comment.ErrNotFound):
			err = article.ErrNotFound
		}
		s.adminFail(w, r, u, err)
		return
	}
	back := "/admin/comments"
	if st := comment.Status(r.PostFormValue("from")); st.Valid() {
		back += "?status=" + string(st)
	}
	redirect(w, r, back, http.StatusSeeOther)
}
