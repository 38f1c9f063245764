package web

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"broadsheet/internal/article"
	"broadsheet/internal/httperr"
	"broadsheet/internal/subscription"
)

// Subscriptions. The Subscribe control is the same on every cached page:
// nothing in it belongs to one visitor. Every answer after it is private
// and never cached.

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
// In an edition other than the main one, "every new article" would mean
// every edition's, so its pages offer its sections instead: the page's
// own, or on its front page all of them. No options, no control.
func (v *view) SubscribeBox(a *article.Article) subscribeBox {
	box := subscribeBox{External: v.external}
	if v.Edition.Main {
		box.Options = append(box.Options, subscribeOption{Value: "site", Label: v.T("subscribe.scope_site", v.Site.Title)})
	}
	sec := ""
	if a != nil {
		sec = a.Section.Slug
	} else {
		sec = v.Current
	}
	own := slices.ContainsFunc(v.Sections, func(s article.Section) bool { return s.Slug == sec })
	for _, s := range v.Sections {
		if s.Slug == sec || (!v.Edition.Main && !own) {
			box.Options = append(box.Options, subscribeOption{Value: "section:" + s.Slug, Label: v.T("subscribe.scope_section", s.Name)})
		}
	}
	if a != nil {
		box.Options = append(box.Options, subscribeOption{Value: "article:" + strconv.FormatInt(a.ID, 10), Label: v.T("subscribe.scope_article")})
	}
	if len(box.Options) > 0 {
		box.Options[0].Checked = true
	}
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
	in := subscription.Signup{Email: r.PostFormValue("email"), Scope: r.PostFormValue("scope"), Frequency: r.PostFormValue("frequency"),
		Altcha: r.PostFormValue("altcha"), Token: s.formToken(r), Client: s.ips.ClientIP(r), ClientKey: s.ips.Key(r),
		Honeypot: r.PostFormValue("website") != ""}
	err = s.subscriptions.Request(r.Context(), in)
	if err == nil {
		redirect(w, r, inEdition(r.Context(), "/subscribe/sent"), http.StatusSeeOther)
		return
	}
	rep := httperr.Of(err)
	if rep.Internal {
		s.fail(w, r, err)
		return
	}
	rep.SetRetryAfter(w.Header())
	page := subscribePage{Kind: "form", Email: in.Email, Scope: in.Scope, Frequency: in.Frequency, Error: rep.Message}
	if rep.Key != "" {
		page.Error = v.T(rep.Key)
	}
	page.Box = v.SubscribeBox(nil)
	for i := range page.Box.Options {
		page.Box.Options[i].Checked = false
	}
	page.Box.Options = s.withScope(v, page.Box.Options, page.Scope)
	s.renderSubscribe(w, v, rep.Status, page)
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

// scopeLabel names a scope as the mail and the manage page show it.
func (s *Server) scopeLabel(r *http.Request, v *view, sc subscription.Scope) (string, error) {
	return s.subscriptions.Label(r.Context(), v.Site, v.Sections, sc)
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
