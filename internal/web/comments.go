package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/comment"
	"broadsheet/internal/ratelimit"
)

// commenterCookie holds a random token identifying this browser's comments,
// so their author sees them while they wait for moderation. Only its hash
// is stored.
const commenterCookie = "broadsheet_commenter"

const commenterLifetime = 7 * 24 * time.Hour

// commentsPerPage is how many top-level comments a page shows.
const commentsPerPage = 50

// Limits on commenting, per client address, per email and site-wide. The
// stricter unverified limits apply to comments without the anti-bot check
// (JavaScript off): they are always held, and can never flood the queue.
type commentLimits struct {
	byIP, byEmail, site           *ratelimit.Limiter
	unverifiedByIP, unverifiedAll *ratelimit.Limiter
}

func newCommentLimits() commentLimits {
	return commentLimits{
		byIP:           ratelimit.New(10, 10*time.Minute, 100_000),
		byEmail:        ratelimit.New(5, 10*time.Minute, 100_000),
		site:           ratelimit.New(600, time.Hour, 1),
		unverifiedByIP: ratelimit.New(3, time.Hour, 100_000),
		unverifiedAll:  ratelimit.New(100, time.Hour, 1),
	}
}

// commentForm is what the comment form holds: empty, or exactly what the
// reader typed when something needs fixing.
type commentForm struct {
	Name, Email, Body string
	Notify            bool
	Parent            int64
	Key               string // idempotency: one per rendering of the form
	Notice            string // a message for the whole form
	Resubmit          bool   // with JavaScript, send the form again at once
}

// commentView is one comment as shown.
type commentView struct {
	comment.Comment
	HTML     template.HTML
	Initials string
	Own      bool // this browser's comment, still within its edit window
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
}

func newFormKey() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
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
	if err != nil || len(c.Value) != 43 {
		return nil
	}
	return []string{account.HashToken(c.Value)}
}

// discussion loads the comments a reader of a sees.
func (s *Server) discussion(r *http.Request, a *article.Article) (*discussionView, error) {
	ctx := r.Context()
	q := r.URL.Query()
	d := &discussionView{Newest: q.Get("comments") == "newest", Action: articlePath(a) + "/comments", Closed: a.CommentsClosed}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	list, err := s.store.Thread(ctx, comment.Query{ArticleID: a.ID, Newest: d.Newest, AfterID: after, Limit: commentsPerPage, OwnEditHashes: ownHashes(r)})
	if err != nil {
		return nil, err
	}
	counts, err := s.store.ApprovedCount(ctx, []int64{a.ID})
	if err != nil {
		return nil, err
	}
	d.Count = counts[a.ID]
	own := ownHashes(r)
	tops := 0
	for _, c := range list {
		html, err := s.commentMD.Render(c.Body)
		if err != nil {
			return nil, err
		}
		mine := len(own) > 0 && c.EditHash == own[0] && s.now().Sub(c.CreatedAt) < comment.EditWindow
		d.Comments = append(d.Comments, commentView{Comment: c, HTML: template.HTML(html), Initials: initials(c.Name), Own: mine})
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

// maxCommentForm bounds a comment submission: 5,000 characters of text in
// any script, the other fields, and room for the anti-bot payload.
const maxCommentForm = 64 << 10

// POST /{section}/{slug}/comments
func (s *Server) postComment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.PathValue("action") != "comments" {
		s.fail(w, r, article.ErrNotFound)
		return
	}
	a, err := s.store.ArticleBySlug(ctx, r.PathValue("slug"))
	if err == nil && (!a.Visible() || a.Section.Slug != r.PathValue("section")) {
		err = article.ErrNotFound
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCommentForm)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.fail(w, r, &statusError{http.StatusRequestEntityTooLarge, "comment.too_large"})
			return
		}
		s.fail(w, r, badRequest("comment.bad_form"))
		return
	}
	form := commentForm{
		Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Body: r.PostFormValue("body"),
		Notify: r.PostFormValue("notify") != "", Key: r.PostFormValue("key"),
	}
	form.Parent, _ = strconv.ParseInt(r.PostFormValue("parent"), 10, 64)
	if a.CommentsClosed {
		form.Notice = "comment.closed"
		s.commentProblem(w, r, a, form, nil, http.StatusForbidden)
		return
	}
	if form.Key == "" || len(form.Key) > comment.MaxKeyLength {
		form.Key = newFormKey()
	}
	c := &comment.Comment{ArticleID: a.ID, ParentID: form.Parent, Name: form.Name, Email: form.Email, Body: form.Body, Notify: form.Notify}
	c.Normalize()
	if err := c.Validate(); err != nil {
		var fe comment.FieldErrors
		errors.As(err, &fe)
		s.commentProblem(w, r, a, form, fe, http.StatusUnprocessableEntity)
		return
	}

	ip := s.ips.ClientIP(r)
	verified := false
	if payload := r.PostFormValue("altcha"); payload != "" {
		switch err := s.challenges.Verify(ctx, payload); {
		case err == nil:
			verified = true
		case errors.Is(err, challenge.ErrExpired):
			// The reader took longer than the check lasts. Nothing is lost:
			// the page comes back with their text and a fresh check.
			form.Notice, form.Resubmit = "comment.check_expired", true
			s.commentProblem(w, r, a, form, nil, http.StatusUnprocessableEntity)
			return
		case errors.Is(err, challenge.ErrInvalid), errors.Is(err, challenge.ErrReplayed):
			form.Notice = "comment.check_failed"
			s.commentProblem(w, r, a, form, nil, http.StatusUnprocessableEntity)
			return
		default:
			s.fail(w, r, err)
			return
		}
	}
	if msg, retry := s.commentRateLimited(ip, c.Email, verified); msg != "" {
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
		form.Notice = msg
		s.commentProblem(w, r, a, form, nil, http.StatusTooManyRequests)
		return
	}
	u, _ := s.authenticate(r)
	returning, err := s.store.HasApproved(ctx, c.Email)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c.Status, c.HeldReason = comment.Decide(c, comment.Signals{
		Verified: verified, Returning: returning, Staff: u != nil && u.Can(account.WriteDrafts),
		Honeypot: r.PostFormValue("website") != "",
	})
	if u != nil && u.Can(account.WriteDrafts) {
		c.UserID = u.ID
	}
	// The key is scoped to what was typed, so two readers who got the same
	// cached form never collide, and a double-click still makes one comment.
	sum := sha256.Sum256([]byte(form.Key + "\x00" + c.Name + "\x00" + c.Email + "\x00" + c.Body + "\x00" + strconv.FormatInt(c.ParentID, 10)))
	c.Key = hex.EncodeToString(sum[:16])
	c.IPHash = s.hashIP(ip)
	token := ""
	if ck, err := r.Cookie(commenterCookie); err == nil && len(ck.Value) == 43 {
		token = ck.Value
	} else {
		token, _ = account.NewToken()
	}
	c.EditHash = account.HashToken(token)

	err = s.store.CreateComment(ctx, c)
	var dup *comment.DuplicateError
	var fe comment.FieldErrors
	switch {
	case errors.As(err, &dup):
		c = dup.Existing
	case errors.As(err, &fe):
		s.commentProblem(w, r, a, form, fe, http.StatusUnprocessableEntity)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: commenterCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(s.baseURL, "https://"), MaxAge: int(commenterLifetime.Seconds())})
	http.Redirect(w, r, articlePath(a)+"#c-"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

// commentRateLimited applies the limits in order of cost to a flood and
// returns a message for the reader when one is reached.
func (s *Server) commentRateLimited(ip netip.Addr, email string, verified bool) (string, time.Duration) {
	l := s.commentLimits
	if !verified {
		if ok, retry := l.unverifiedByIP.Allow(ip.String()); !ok {
			return "comment.limited_unverified", retry
		}
		if ok, retry := l.unverifiedAll.Allow("all"); !ok {
			return "comment.limited_site", retry
		}
	}
	if ok, retry := l.byIP.Allow(ip.String()); !ok {
		return "comment.limited", retry
	}
	if email != "" {
		if ok, retry := l.byEmail.Allow(strings.ToLower(email)); !ok {
			return "comment.limited", retry
		}
	}
	if ok, retry := l.site.Allow("all"); !ok {
		return "comment.limited_site", retry
	}
	return "", 0
}

// hashIP keeps enough of an address to spot a flood from one network,
// never the address itself: IPv4 to its /24, IPv6 to its /48, salted with
// the site's key.
func (s *Server) hashIP(ip netip.Addr) string {
	bits := 24
	if ip.Is6() {
		bits = 48
	}
	p, err := ip.Prefix(bits)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(append(append([]byte{}, s.signingKey...), p.String()...))
	return hex.EncodeToString(sum[:8])
}

// commentProblem shows the article again with the reader's text in the
// form and a message at each field that needs it. Never cached.
func (s *Server) commentProblem(w http.ResponseWriter, r *http.Request, a *article.Article, form commentForm, errs comment.FieldErrors, status int) {
	v, err := s.newView(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if form.Notice != "" {
		form.Notice = v.T(form.Notice)
	}
	resp, err := s.articlePage(r, v, a, form, errs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := s.pages["article"].ExecuteTemplate(w, "layout", resp.view); err != nil {
		s.log.Error("rendering comment form", "err", err)
	}
}

// GET /api/v1/challenge hands out a fresh anti-bot challenge. Never cached:
// each is single-use.
func (s *Server) challengeHandler(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/json; charset=utf-8")
	if ok, retry := s.challengeByIP.Allow(limitKey(s.ips.ClientIP(r))); !ok {
		h.Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"error":{"code":"rate_limited","message":"Too many challenges requested; try again in a minute."}}` + "\n"))
		return
	}
	ch, err := s.challenges.Challenge()
	if err != nil {
		s.log.Error("issuing a challenge", "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"error":{"code":"internal","message":"No challenge could be made."}}` + "\n"))
		return
	}
	json.NewEncoder(w).Encode(ch)
}

// POST /{section}/{slug}/comments/{id}/{op}: a reader edits or deletes
// their own comment within its edit window, or reports someone's.
func (s *Server) commentAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := s.store.ArticleBySlug(ctx, r.PathValue("slug"))
	id, idErr := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil && (!a.Visible() || a.Section.Slug != r.PathValue("section") || r.PathValue("comments") != "comments" || idErr != nil) {
		err = article.ErrNotFound
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCommentForm)
	back := articlePath(a) + "#c-" + strconv.FormatInt(id, 10)
	var hash string
	if h := ownHashes(r); len(h) > 0 {
		hash = h[0]
	}
	switch r.PathValue("op") {
	case "edit":
		c := &comment.Comment{Name: "-", Body: r.PostFormValue("body")}
		c.Normalize()
		if err := c.Validate(); err != nil {
			var fe comment.FieldErrors
			errors.As(err, &fe)
			s.commentProblem(w, r, a, commentForm{Key: newFormKey(), Body: c.Body, Notice: "comment.edit_invalid"}, fe, http.StatusUnprocessableEntity)
			return
		}
		err = s.store.EditOwnComment(ctx, id, hash, c.Body, s.now())
	case "delete":
		err = s.store.DeleteOwnComment(ctx, id, hash, s.now())
		back = articlePath(a) + "#comments"
	case "report":
		if ok, retry := s.commentLimits.byIP.Allow("report|" + limitKey(s.ips.ClientIP(r))); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
			s.fail(w, r, &statusError{http.StatusTooManyRequests, "comment.limited"})
			return
		}
		_, err = s.store.ReportComment(ctx, id)
	default:
		err = article.ErrNotFound
	}
	if errors.Is(err, comment.ErrNotFound) {
		s.fail(w, r, &statusError{http.StatusForbidden, "comment.not_yours"})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
