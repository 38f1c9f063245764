package web

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
	"broadsheet/internal/ratelimit"
	"broadsheet/internal/subscription"
)

// Subscriptions. The Subscribe control is the same on every cached page:
// nothing in it belongs to one visitor. Every answer after it is private
// and never cached.

// Limits on subscribing: per client address, per email domain (so one
// victim's domain cannot be flooded with confirmations), and, for requests
// without the anti-bot check, per address and site-wide.
type subscribeLimits struct {
	byIP, byDomain                *ratelimit.Limiter
	unverifiedByIP, unverifiedAll *ratelimit.Limiter
}

func newSubscribeLimits() subscribeLimits {
	return subscribeLimits{
		byIP:           ratelimit.New(6, 10*time.Minute, 100_000),
		byDomain:       ratelimit.New(30, time.Hour, 100_000),
		unverifiedByIP: ratelimit.New(3, time.Hour, 100_000),
		unverifiedAll:  ratelimit.New(100, time.Hour, 1),
	}
}

// subscribeOption is one scope the control offers.
type subscribeOption struct {
	Value, Label string
	Checked      bool
}

type subscribeBox struct {
	Options  []subscribeOption
	External *externalWidget
}

// SubscribeBox is the control for a page: the whole site, the section the
// page belongs to, and the discussion of the article when there is one.
func (v *view) SubscribeBox(a *article.Article) subscribeBox {
	box := subscribeBox{External: v.external, Options: []subscribeOption{{Value: "site", Label: v.T("subscribe.scope_site", v.Site.Title)}}}
	sec := ""
	if a != nil {
		sec = a.Section.Slug
	} else {
		sec = v.Current
	}
	for _, s := range v.Sections {
		if s.Slug == sec {
			box.Options = append(box.Options, subscribeOption{Value: "section:" + s.Slug, Label: v.T("subscribe.scope_section", s.Name)})
		}
	}
	if a != nil {
		box.Options = append(box.Options, subscribeOption{Value: "article:" + strconv.FormatInt(a.ID, 10), Label: v.T("subscribe.scope_article")})
	}
	box.Options[0].Checked = true
	return box
}

// subscribePage is what the subscription pages show.
type subscribePage struct {
	Kind      string // form, sent, confirm, confirmed, bad_link, manage, unsubscribe, unsubscribed
	Email     string
	Scope     string
	Error     string
	Token     string
	SubIDs    string // the subscriptions a one-click link ends
	Reply     string // a reply-notification token
	Frequency string
	Box       subscribeBox
	Subs      []subscription.Subscription
	Notice    string
	Retry     bool
	Heading   string
}

// subscribeInput is a request to subscribe, from the form or the JSON API.
type subscribeInput struct {
	Email, Scope, Frequency string
	Altcha, Token           string // the built-in check's solution, or a provider's token
	Honeypot                bool
}

// Why a subscription request is refused: each a code for API clients and
// the catalog key of what the reader is told.
var (
	errSubscribeCheckWrong       = &errs.Error{Kind: errs.Invalid, Code: "check_failed", Key: "subscribe.check_wrong"}
	errSubscribeCheckExpired     = &errs.Error{Kind: errs.Invalid, Code: "check_expired", Key: "subscribe.check_expired"}
	errSubscribeCheckUnavailable = &errs.Error{Kind: errs.Unavailable, Code: "check_unavailable", Key: "comment.check_unavailable"}
	errSubscribeCheckFailed      = &errs.Error{Kind: errs.Invalid, Code: "check_failed", Key: "subscribe.check_failed"}
)

// acceptSubscription runs every check a request passes, whichever door it
// came in by, and records it; what is refused is said in the vocabulary of
// internal/errs. The caller answers the same whether the address was new,
// pending or long subscribed: nobody learns who reads us.
func (s *Server) acceptSubscription(r *http.Request, v *view, in subscribeInput) error {
	ctx := r.Context()
	invalid := func(field, key string) error {
		return &errs.Error{Kind: errs.Invalid, Key: key, Fields: []errs.Problem{{Field: field, Message: v.T(key)}}}
	}
	email, err := subscription.NormalizeEmail(in.Email)
	if errors.Is(err, subscription.ErrNoEmail) {
		return invalid("email", "subscribe.email_missing")
	} else if err != nil {
		return invalid("email", "subscribe.email_invalid")
	}
	scope, err := subscription.ParseScope(in.Scope, func(slug string) (int64, error) {
		sec, err := s.store.SectionBySlug(ctx, slug)
		if err != nil {
			return 0, err
		}
		return sec.ID, nil
	})
	label := ""
	if err == nil {
		label, err = s.scopeLabel(r, v, scope)
	}
	if err != nil {
		return invalid("scope", "subscribe.scope_invalid")
	}
	freq := subscription.Frequency(in.Frequency)
	if freq == "" || scope.Kind == subscription.Article {
		freq = subscription.Immediate // a discussion has no digest
	}
	if !freq.Valid() {
		return invalid("frequency", "subscribe.frequency_invalid")
	}
	ip := s.ips.ClientIP(r)
	verified, err := s.antibot.Verify(ctx, challenge.Proof{Altcha: in.Altcha, Token: in.Token, RemoteIP: ip.String()})
	switch {
	case err == nil:
	case errors.Is(err, challenge.ErrWrongProof):
		return errSubscribeCheckWrong
	case errors.Is(err, challenge.ErrExpired):
		return errSubscribeCheckExpired
	case errors.Is(err, challenge.ErrUnavailable):
		return errSubscribeCheckUnavailable
	case errors.Is(err, challenge.ErrInvalid), errors.Is(err, challenge.ErrReplayed):
		return errSubscribeCheckFailed
	default:
		return err
	}
	if retry := s.subscribeRateLimited(ip, email, verified); retry > 0 {
		return &errs.Error{Kind: errs.TooMany, Key: "subscribe.rate_limited", Retry: retry}
	}
	if in.Honeypot {
		return nil // a bot is told the same, and nothing happens
	}
	if _, err := s.store.Subscribe(ctx, subscription.Request{Email: email, Scope: scope, Frequency: freq, Nonce: newNonce(),
		Consent: "double opt-in from " + s.baseURL, Label: label}); err != nil {
		return err
	}
	s.wakeMail()
	return nil
}

// POST /subscribe
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, badRequest("subscribe.bad_form"))
		return
	}
	v, err := s.newView(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := subscribeInput{Email: r.PostFormValue("email"), Scope: r.PostFormValue("scope"), Frequency: r.PostFormValue("frequency"),
		Altcha: r.PostFormValue("altcha"), Token: s.formToken(r), Honeypot: r.PostFormValue("website") != ""}
	err = s.acceptSubscription(r, v, in)
	if err == nil {
		redirect(w, r, "/subscribe/sent", http.StatusSeeOther)
		return
	}
	rep := httperr.Of(err)
	if rep.Internal {
		s.fail(w, r, err)
		return
	}
	rep.SetRetryAfter(w.Header())
	page := subscribePage{Kind: "form", Email: in.Email, Scope: in.Scope, Frequency: in.Frequency, Error: v.T(rep.Key)}
	page.Box = v.SubscribeBox(nil)
	for i := range page.Box.Options {
		page.Box.Options[i].Checked = false
	}
	page.Box.Options = s.withScope(v, page.Box.Options, page.Scope)
	s.renderSubscribe(w, v, rep.Status, page)
}

// POST /api/v1/subscriptions takes the same request as JSON, through the
// same checks: {"email", "scope", "frequency", "altcha"}. It answers 202
// whether or not the address was known.
func (s *Server) apiSubscribe(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.writeProblem(w, r, httperr.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the request as application/json."))
		return
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var body struct {
		Email     string `json:"email"`
		Scope     string `json:"scope"`
		Frequency string `json:"frequency"`
		Altcha    string `json:"altcha"`
		Token     string `json:"captcha_token"` // a third-party check's token, when one is configured
	}
	if err := dec.Decode(&body); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.writeProblem(w, r, refuse(errs.TooLarge, "error.413.body"))
			return
		}
		s.writeProblem(w, r, errs.Shown(errs.BadRequest, "The body is not a subscription request in JSON: "+jsonProblem(err)))
		return
	}
	v, err := s.newView(r.Context())
	if err != nil {
		v = s.bareView()
	}
	err = s.acceptSubscription(r, v, subscribeInput{Email: body.Email, Scope: body.Scope, Frequency: body.Frequency, Altcha: body.Altcha, Token: body.Token})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]string{"status": "check_inbox", "message": v.T("subscribe.sent")})
}

// withScope marks the option the reader chose, adding it when it is not
// one the plain control offers (it came from an article page).
func (s *Server) withScope(v *view, opts []subscribeOption, scope string) []subscribeOption {
	for i := range opts {
		if opts[i].Value == scope {
			opts[i].Checked = true
			return opts
		}
	}
	if strings.HasPrefix(scope, "section:") || strings.HasPrefix(scope, "article:") {
		for _, sec := range v.Sections {
			if "section:"+sec.Slug == scope {
				return append(opts, subscribeOption{Value: scope, Label: v.T("subscribe.scope_section", sec.Name), Checked: true})
			}
		}
		if strings.HasPrefix(scope, "article:") {
			return append(opts, subscribeOption{Value: scope, Label: v.T("subscribe.scope_article"), Checked: true})
		}
	}
	if len(opts) > 0 {
		opts[0].Checked = true
	}
	return opts
}

// scopeLabel names a scope as the mail and the manage page show it; an
// article must be public to be followed.
func (s *Server) scopeLabel(r *http.Request, v *view, sc subscription.Scope) (string, error) {
	switch sc.Kind {
	case subscription.Site:
		return v.T("subscribe.label_site", v.Site.Title), nil
	case subscription.Section:
		for _, sec := range v.Sections {
			if sec.ID == sc.ID {
				return v.T("subscribe.label_section", sec.Name), nil
			}
		}
	case subscription.Article:
		a, err := s.store.ArticleByID(r.Context(), sc.ID)
		if err == nil && a.Visible() {
			return v.T("subscribe.label_article", a.Headline), nil
		}
	}
	return "", article.ErrNotFound
}

// subscribeRateLimited applies the limits, the client's own before the
// site-wide one, as for comments: a request its own address's limit
// refuses never takes a site-wide slot, so one client cannot spend the
// whole site's allowance of unchecked requests.
func (s *Server) subscribeRateLimited(ip netip.Addr, email string, verified bool) time.Duration {
	l := s.subscribeLimits
	key := limitKey(ip)
	if !verified {
		if ok, retry := l.unverifiedByIP.Allow(key); !ok {
			return retry
		}
		if ok, retry := l.unverifiedAll.Allow("all"); !ok {
			return retry
		}
	}
	if ok, retry := l.byIP.Allow(key); !ok {
		return retry
	}
	if ok, retry := l.byDomain.Allow(subscription.Domain(email)); !ok {
		return retry
	}
	return 0
}

func newNonce() string {
	b := make([]byte, 15)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// GET /subscribe/sent
func (s *Server) subscribeSent(w http.ResponseWriter, r *http.Request) {
	s.subscribeView(w, r, http.StatusOK, subscribePage{Kind: "sent"})
}

// GET /subscribe/confirm?t= shows a button; POST /subscribe/confirm
// confirms. A link scanner that fetches every link in a mail confirms
// nothing.
func (s *Server) confirmForm(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("t")
	if _, _, err := s.links.ParseConfirm(t); err != nil {
		s.subscribeView(w, r, http.StatusGone, subscribePage{Kind: "bad_link"})
		return
	}
	s.subscribeView(w, r, http.StatusOK, subscribePage{Kind: "confirm", Token: t})
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	id, nonce, err := s.links.ParseConfirm(r.PostFormValue("t"))
	var sub *subscription.Subscription
	if err == nil {
		sub, err = s.store.Confirm(r.Context(), id, nonce)
	}
	if errors.Is(err, subscription.ErrBadLink) {
		s.subscribeView(w, r, http.StatusGone, subscribePage{Kind: "bad_link"})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	subscriber, err := s.store.Subscriber(r.Context(), sub.SubscriberID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.subscribeView(w, r, http.StatusOK, subscribePage{Kind: "confirmed", Email: subscriber.Email,
		Token: s.links.ManageToken(subscriber.ID, subscriber.Email)})
}

// manageAuth finds the subscriber a manage token names.
func (s *Server) manageAuth(r *http.Request, token string) (*subscription.Subscriber, bool) {
	id, err := s.links.ManageID(token)
	if err != nil {
		return nil, false
	}
	sub, err := s.store.Subscriber(r.Context(), id)
	if err != nil || !s.links.CheckManage(token, sub.ID, sub.Email) {
		return nil, false
	}
	return sub, true
}

// replyAuth checks a reply-notification token against its comment.
func (s *Server) replyAuth(r *http.Request, token string) (int64, bool) {
	id, err := s.links.ManageID(token) // the same id.signature shape
	if err != nil {
		return 0, false
	}
	c, err := s.store.CommentByID(r.Context(), id)
	if err != nil || c.Email == "" || !hmac.Equal([]byte(token), []byte(s.links.ReplyToken(c.ID, c.Email))) {
		return 0, false
	}
	return c.ID, true
}

// GET /subscriptions?t=
func (s *Server) managePage(w http.ResponseWriter, r *http.Request) {
	s.showManage(w, r, r.URL.Query().Get("t"), "")
}

func (s *Server) showManage(w http.ResponseWriter, r *http.Request, token, notice string) {
	sub, ok := s.manageAuth(r, token)
	if !ok {
		// An erased address's links stop working, like a forged one's.
		s.subscribeView(w, r, http.StatusGone, subscribePage{Kind: "bad_link"})
		return
	}
	v, err := s.newView(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range sub.Subs {
		if label, err := s.scopeLabel(r, v, sub.Subs[i].Scope); err == nil {
			sub.Subs[i].Label = label
		} else {
			sub.Subs[i].Label = v.T("subscribe.label_gone")
		}
	}
	s.renderSubscribe(w, v, http.StatusOK, subscribePage{Kind: "manage", Email: sub.Email, Token: token, Subs: sub.Subs, Notice: notice})
}

// POST /subscriptions: unsubscribe from one or all, from the manage page.
func (s *Server) manage(w http.ResponseWriter, r *http.Request) {
	token := r.PostFormValue("t")
	sub, ok := s.manageAuth(r, token)
	if !ok {
		s.subscribeView(w, r, http.StatusGone, subscribePage{Kind: "bad_link"})
		return
	}
	id, _ := strconv.ParseInt(r.PostFormValue("s"), 10, 64)
	if r.PostFormValue("action") == "frequency" {
		v := s.bareView()
		f := subscription.Frequency(r.PostFormValue("frequency"))
		if !f.Valid() {
			s.fail(w, r, badRequest("subscribe.bad_form"))
			return
		}
		err := s.store.SetFrequency(r.Context(), sub.ID, id, f)
		if errors.Is(err, subscription.ErrNotFound) {
			s.fail(w, r, badRequest("subscribe.bad_form"))
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.showManage(w, r, token, v.T("subscribe.frequency_changed"))
		return
	}
	if r.PostFormValue("action") != "unsubscribe" || (id == 0 && r.PostFormValue("all") == "") {
		s.fail(w, r, badRequest("subscribe.bad_form"))
		return
	}
	if err := s.store.Unsubscribe(r.Context(), sub.ID, id); err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.newView(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	notice := v.T("subscribe.unsubscribed_one")
	if id == 0 {
		notice = v.T("subscribe.unsubscribed_all")
	}
	s.showManage(w, r, token, notice)
}

// GET /unsubscribe?t=&s= asks; POST /unsubscribe?t=&s= unsubscribes: the
// one-click target of List-Unsubscribe (RFC 8058), which mail providers
// POST to without a session, any number of times.
func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if rt := q.Get("r"); rt != "" {
		if _, ok := s.replyAuth(r, rt); !ok {
			s.subscribeView(w, r, http.StatusGone, subscribePage{Kind: "bad_link"})
			return
		}
		s.subscribeView(w, r, http.StatusOK, subscribePage{Kind: "unsubscribe", Reply: rt})
		return
	}
	if _, ok := s.manageAuth(r, q.Get("t")); !ok {
		s.subscribeView(w, r, http.StatusGone, subscribePage{Kind: "bad_link"})
		return
	}
	s.subscribeView(w, r, http.StatusOK, subscribePage{Kind: "unsubscribe", Token: q.Get("t"), SubIDs: q.Get("s")})
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	if rt := r.URL.Query().Get("r") + r.PostFormValue("r"); rt != "" {
		id, ok := s.replyAuth(r, rt)
		if !ok {
			s.subscribeView(w, r, http.StatusGone, subscribePage{Kind: "bad_link"})
			return
		}
		if err := s.store.StopReplies(r.Context(), id); err != nil {
			s.fail(w, r, err)
			return
		}
		s.subscribeView(w, r, http.StatusOK, subscribePage{Kind: "unsubscribed"})
		return
	}
	t, sid := r.URL.Query().Get("t"), r.URL.Query().Get("s")
	if t == "" {
		t, sid = r.PostFormValue("t"), r.PostFormValue("s")
	}
	sub, ok := s.manageAuth(r, t)
	if !ok {
		s.subscribeView(w, r, http.StatusGone, subscribePage{Kind: "bad_link"})
		return
	}
	// s names the subscriptions that sent the mail, comma-separated.
	var ids []int64
	for _, f := range strings.Split(sid, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		if r.PostFormValue("all") == "" {
			s.fail(w, r, badRequest("subscribe.bad_form"))
			return
		}
		ids = []int64{0}
	}
	for _, id := range ids {
		if err := s.store.Unsubscribe(r.Context(), sub.ID, id); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.subscribeView(w, r, http.StatusOK, subscribePage{Kind: "unsubscribed", Token: t})
}

// subscribeView renders a subscription page with a fresh frame.
func (s *Server) subscribeView(w http.ResponseWriter, r *http.Request, status int, p subscribePage) {
	v, err := s.newView(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderSubscribe(w, v, status, p)
}

func (s *Server) renderSubscribe(w http.ResponseWriter, v *view, status int, p subscribePage) {
	v.Title = v.T("subscribe.title_" + p.Kind)
	v.NoIndex = true
	v.Data = p
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// Tokens in these pages' URLs must not leak to other sites.
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	if err := s.pages["subscribe"].ExecuteTemplate(w, "layout", v); err != nil {
		s.log.Error("rendering subscription page", "err", err)
	}
}

// wakeMail tells the sender that mail is waiting.
func (s *Server) wakeMail() {
	if s.mailQueued != nil {
		s.mailQueued()
	}
}

// SiteBox is the control of a page that is not an article.
func (v *view) SiteBox() subscribeBox { return v.SubscribeBox(nil) }
