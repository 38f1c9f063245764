package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
	"broadsheet/internal/ratelimit"
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

// commenterToken returns t when it has the shape of a commenter token (32
// random bytes, base64url), "" otherwise.
func commenterToken(t string) string {
	if b, err := base64.RawURLEncoding.DecodeString(t); err != nil || len(b) != 32 {
		return ""
	}
	return t
}

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
	return commentForm{Key: newFormKey(), Shown: s.formStamp(id, s.now())}
}

// formStamp signs the time a comment form for article id was rendered, so
// a submission can say how long after that it came. On a cached page it is
// the time of the rendering, earlier than the reader's visit: the measure
// errs towards the reader.
func (s *Server) formStamp(id int64, at time.Time) string {
	t := strconv.FormatInt(at.Unix(), 10)
	return t + "." + s.formStampSig(id, t)
}

func (s *Server) formStampSig(id int64, t string) string {
	mac := hmac.New(sha256.New, s.signingKey)
	fmt.Fprintf(mac, "comment form shown:%d:%s", id, t)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16])
}

// formAge is how long ago the form with stamp was rendered; false for a
// stamp that is missing, forged, or from another article.
func (s *Server) formAge(id int64, stamp string) (time.Duration, bool) {
	t, sig, ok := strings.Cut(stamp, ".")
	unix, err := strconv.ParseInt(t, 10, 64)
	if !ok || err != nil || !hmac.Equal([]byte(sig), []byte(s.formStampSig(id, t))) {
		return 0, false
	}
	return s.now().Sub(time.Unix(unix, 0)), true
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
	if err != nil || commenterToken(c.Value) == "" {
		return nil
	}
	return []string{account.HashToken(c.Value)}
}

// discussion loads the comments a reader of a sees.
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
	counts := v.counts // the article page has asked already
	if counts == nil {
		if counts, err = s.store.ApprovedCount(ctx, []int64{a.ID}); err != nil {
			return nil, err
		}
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

// POST /{section}/{slug}/comments
func (s *Server) postComment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := s.store.ArticleBySlug(ctx, r.PathValue("slug"))
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
	in := commentInput{
		commentForm: commentForm{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Body: r.PostFormValue("body"),
			Notify: r.PostFormValue("notify") != "", Key: r.PostFormValue("key"), Shown: r.PostFormValue("shown")},
		Altcha: r.PostFormValue("altcha"), Token: s.formToken(r), Honeypot: r.PostFormValue("website") != "",
	}
	in.Parent, _ = strconv.ParseInt(r.PostFormValue("parent"), 10, 64)
	c, token, err := s.acceptComment(r, a, &in)
	if err != nil {
		rep := httperr.Of(err)
		if rep.Internal {
			s.fail(w, r, err)
			return
		}
		rep.SetRetryAfter(w.Header())
		// A check that expired while the reader wrote is renewed in the
		// page: with JavaScript the form goes again at once, text kept.
		in.Notice, in.Resubmit = rep.Key, rep.Code == "check_expired" && s.external == nil
		s.commentProblem(w, r, a, in.commentForm, rep.FieldMessages(), rep.Status)
		return
	}
	for _, ck := range []struct {
		name string
		life time.Duration
	}{{commenterCookie, commenterLifetime}, {returningCookie, returningLifetime}} {
		http.SetCookie(w, &http.Cookie{Name: ck.name, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
			Secure: strings.HasPrefix(s.baseURL, "https://"), MaxAge: int(ck.life.Seconds())})
	}
	redirect(w, r, articlePath(a)+"#c-"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

// commentInput is a submission, from the form or the JSON API.
type commentInput struct {
	commentForm
	Altcha    string // the built-in check's solution
	Token     string // a third-party provider's token
	Commenter string // the API client's commenter token; the form's is its cookie
	Honeypot  bool
}

// formToken is the token the configured provider's widget put in the form,
// "" without a provider.
func (s *Server) formToken(r *http.Request) string {
	if f := s.antibot.TokenField(); f != "" {
		return r.PostFormValue(f)
	}
	return ""
}

// Why a comment is refused, beyond invalid fields: each a code for API
// clients and the catalog key of what the reader is told.
var (
	errCommentsClosed   = &errs.Error{Kind: errs.Forbidden, Key: "comment.closed"}
	errCheckWrong       = &errs.Error{Kind: errs.Invalid, Code: "check_failed", Key: "comment.check_wrong"}
	errCheckExpired     = &errs.Error{Kind: errs.Invalid, Code: "check_expired", Key: "comment.check_expired"}
	errCheckUnavailable = &errs.Error{Kind: errs.Unavailable, Code: "check_unavailable", Key: "comment.check_unavailable"}
	errCheckFailed      = &errs.Error{Kind: errs.Invalid, Code: "check_failed", Key: "comment.check_failed"}
)

// acceptComment runs every check a comment passes, whichever door it came
// in by — closed discussion, validation, the anti-bot check, rate limits,
// the publish-or-hold rules — and stores it. It returns the comment and the
// commenter's token, or why it was refused in the vocabulary of
// internal/errs.
func (s *Server) acceptComment(r *http.Request, a *article.Article, in *commentInput) (*comment.Comment, string, error) {
	ctx := r.Context()
	site, err := s.store.Site(ctx)
	if err != nil {
		return nil, "", err
	}
	if !site.CommentsOpen(a, s.now()) {
		return nil, "", errCommentsClosed
	}
	if in.Key == "" || len(in.Key) > comment.MaxKeyLength {
		in.Key = newFormKey()
	}
	// A person reads, then writes: a comment sent within seconds of its
	// form appearing, or with no genuine form stamp at all, is held.
	age, genuine := s.formAge(a.ID, in.Shown)
	hurried := s.commentMinFill > 0 && (!genuine || age < s.commentMinFill)
	if !genuine {
		in.Shown = s.formStamp(a.ID, s.now())
	}
	c := &comment.Comment{ArticleID: a.ID, ParentID: in.Parent, Name: in.Name, Email: in.Email, Body: in.Body, Notify: in.Notify}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, "", err
	}
	ip := s.ips.ClientIP(r)
	verdict, err := s.antibot.Check(ctx, challenge.Proof{Altcha: in.Altcha, Token: in.Token, RemoteIP: ip.String()})
	switch {
	case err == nil:
		// A built-in solution is spent in the comment's own transaction
		// below: one durable write per comment, not two.
		if verdict.Unspent.ID != "" {
			c.Check = comment.SpentCheck{ID: verdict.Unspent.ID, Expires: verdict.Unspent.Expires}
		}
	case errors.Is(err, challenge.ErrWrongProof):
		return nil, "", errCheckWrong
	case errors.Is(err, challenge.ErrExpired):
		// The reader took longer than the check lasts. Nothing is lost:
		// the text comes back with a fresh check.
		return nil, "", errCheckExpired
	case errors.Is(err, challenge.ErrUnavailable):
		return nil, "", errCheckUnavailable
	case errors.Is(err, challenge.ErrInvalid), errors.Is(err, challenge.ErrReplayed):
		return nil, "", errCheckFailed
	default:
		return nil, "", err
	}
	verified := verdict.Verified
	if msg, retry := s.commentRateLimited(ip, c.Email, verified); msg != "" {
		return nil, "", &errs.Error{Kind: errs.TooMany, Key: msg, Retry: retry}
	}
	// The commenter's token: the API client's, else this browser's, else
	// a new one. Trust follows the token, not the address typed.
	token := commenterToken(in.Commenter)
	for _, name := range []string{commenterCookie, returningCookie} {
		if ck, err := r.Cookie(name); token == "" && err == nil {
			token = commenterToken(ck.Value)
		}
	}
	if token == "" {
		token, _ = account.NewToken()
	}
	c.EditHash = account.HashToken(token)
	u, _ := s.authenticate(r)
	returning, err := s.store.Returning(ctx, c.Email, c.EditHash)
	if err != nil {
		return nil, "", err
	}
	blocklist, err := s.store.Blocklist(ctx)
	if err != nil {
		return nil, "", err
	}
	staff := u != nil && u.Can(account.WriteDrafts)
	c.Status, c.HeldReason = comment.Decide(c, comment.Signals{Verified: verified, Returning: returning, Staff: staff, Honeypot: in.Honeypot, Hurried: hurried, Blocklist: blocklist})
	if staff {
		c.UserID = u.ID
	}
	// The key is scoped to what was typed, so two readers who got the same
	// cached form never collide, and a double-click still makes one comment.
	sum := sha256.Sum256([]byte(in.Key + "\x00" + c.Name + "\x00" + c.Email + "\x00" + c.Body + "\x00" + strconv.FormatInt(c.ParentID, 10)))
	c.Key = hex.EncodeToString(sum[:16])
	c.IPHash = s.hashIP(ip)
	err = s.store.CreateComment(ctx, c)
	var dup *comment.DuplicateError
	switch {
	case errors.As(err, &dup):
		c = dup.Existing
	case errors.Is(err, comment.ErrCheckSpent):
		return nil, "", errCheckFailed
	case err != nil:
		return nil, "", err
	}
	return c, token, nil
}

// commentRateLimited applies the limits in order of cost to a flood and
// returns a message for the reader when one is reached.
func (s *Server) commentRateLimited(ip netip.Addr, email string, verified bool) (string, time.Duration) {
	l := s.commentLimits
	if !verified {
		if ok, retry := l.unverifiedByIP.Allow(limitKey(ip)); !ok {
			return "comment.limited_unverified", retry
		}
		if ok, retry := l.unverifiedAll.Allow("all"); !ok {
			return "comment.limited_site", retry
		}
	}
	if ok, retry := l.byIP.Allow(limitKey(ip)); !ok {
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
	w.WriteHeader(status)
	if err := s.pages["article"].ExecuteTemplate(w, "layout", resp.view); err != nil {
		s.log.Error("rendering comment form", "err", err)
	}
}

// GET /api/v1/challenge hands out a fresh anti-bot challenge. Never cached:
// each is single-use.
func (s *Server) challengeHandler(w http.ResponseWriter, r *http.Request) {
	if ok, retry := s.challengeByIP.Allow(limitKey(s.ips.ClientIP(r))); !ok {
		s.writeProblem(w, r, &errs.Error{Kind: errs.TooMany, Message: "Too many challenges requested; try again in a minute.", Retry: retry})
		return
	}
	ch, err := s.challenges.Challenge()
	if err != nil {
		s.writeProblem(w, r, fmt.Errorf("issuing a challenge: %w", err))
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(ch)
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
		s.commentProblem(w, r, a, commentForm{Key: newFormKey(), Shown: s.formStamp(a.ID, s.now()), Body: c.Body, Notice: "comment.edit_invalid"}, rep.FieldMessages(), rep.Status)
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
	if ok, retry := s.commentLimits.byIP.Allow("report|" + limitKey(s.ips.ClientIP(r))); !ok {
		s.fail(w, r, &errs.Error{Kind: errs.TooMany, Key: "comment.limited", Retry: retry})
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

// commentJSON is the body of POST /api/v1/articles/{id}/comments.
type commentJSON struct {
	Name   string `json:"name"`
	Email  string `json:"email"`
	Body   string `json:"body"`
	Parent int64  `json:"parent"`
	Notify bool   `json:"notify"`
	Key    string `json:"key"`
	Shown  string `json:"shown"`
	Altcha string `json:"altcha"`
	Token  string `json:"captcha_token"` // a third-party provider's token, when one is configured
	// Commenter is the commenter_token an earlier answer gave: send it
	// with every comment of the same person.
	Commenter string `json:"commenter_token"`
}

// POST /api/v1/articles/{id}/comments takes a comment as JSON, through
// exactly the checks the form goes through (acceptComment): there is no
// way around the anti-bot check, the limits or moderation.
func (s *Server) apiPostComment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var a *article.Article
	if err == nil {
		a, err = s.store.ArticleByID(ctx, id)
	}
	if err != nil && !errors.Is(err, article.ErrNotFound) && !errors.Is(err, strconv.ErrSyntax) {
		// The database did not answer: say so, so the client tries again.
		s.writeProblem(w, r, err)
		return
	}
	if err != nil || !a.Visible() {
		s.writeProblem(w, r, errs.Shown(errs.NotFound, "There is no such article."))
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.writeProblem(w, r, httperr.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the comment as application/json."))
		return
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var body commentJSON
	if err := dec.Decode(&body); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.writeProblem(w, r, refuse(errs.TooLarge, "comment.too_large"))
			return
		}
		s.writeProblem(w, r, errs.Shown(errs.BadRequest, "The body is not a comment in JSON: "+jsonProblem(err)))
		return
	}
	in := commentInput{commentForm: commentForm{Name: body.Name, Email: body.Email, Body: body.Body, Notify: body.Notify, Key: body.Key, Shown: body.Shown, Parent: body.Parent},
		Altcha: body.Altcha, Token: body.Token, Commenter: body.Commenter}
	c, token, err := s.acceptComment(r, a, &in)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"id": c.ID, "status": c.Status, "url": s.baseURL + articlePath(a) + "#c-" + strconv.FormatInt(c.ID, 10),
		"commenter_token": token})
}

// jsonProblem says what is wrong with a JSON body without echoing it.
func jsonProblem(err error) string {
	var unknown *json.UnmarshalTypeError
	switch {
	case errors.As(err, &unknown):
		return "the field " + unknown.Field + " has the wrong type"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return "it could not be read"
}
