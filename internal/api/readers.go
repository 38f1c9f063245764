package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/errs"
	"broadsheet/internal/i18n"
	"broadsheet/internal/subscription"
)

// The reading site's JSON doors: the anti-bot challenge its forms solve,
// and comments and subscriptions as JSON. They are public but, unlike the
// Content API, not for other origins (no CORS headers), never cached, and
// they go through exactly the use cases the site's forms go through
// (comment.Service, subscription.Service): there is no way around the
// anti-bot check, the limits or moderation.

// maxFormBytes is what the site's forms may send, and so their JSON doors:
// a comment of 5,000 characters in any script, its other fields and the
// anti-bot payload.
const maxFormBytes = 64 << 10

// bodyCap is how much of a body a door reads, and the catalog key of what
// a body over it is told.
type bodyCap struct {
	bytes int64
	key   string
}

// doorCaps are the doors' body caps, by route pattern.
var doorCaps = map[string]bodyCap{
	"GET /api/v1/challenge":               {maxFormBytes, "error.413.body"},
	"POST /api/v1/articles/{id}/comments": {maxFormBytes, "comment.too_large"},
	"POST /api/v1/subscriptions":          {maxFormBytes, "error.413.body"},
}

// door registers one of the site's JSON doors at pattern, behind its body
// cap.
func (h *handler) door(mux *http.ServeMux, pattern string, fn contentFunc) {
	c, ok := doorCaps[pattern]
	if !ok {
		panic("api: no body cap for " + pattern)
	}
	tooLarge := func(err error) error { return &errs.Error{Kind: errs.TooLarge, Key: c.key, Err: err} }
	h.handle(mux, pattern, doorRoute, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if r.ContentLength > c.bytes {
			w.Header().Set("Connection", "close") // the rest is not worth reading
			h.fail(w, r, tooLarge(nil))
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, c.bytes)
		}
		if err := fn(w, r); err != nil {
			if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
				err = tooLarge(err)
			}
			h.fail(w, r, err)
		}
	})
}

// words is the message catalog in the site's language.
func (h *handler) words(ctx context.Context) *i18n.Catalog {
	site, err := h.store.Site(ctx)
	if err != nil {
		return i18n.For("en")
	}
	return i18n.For(site.Language)
}

// GET /api/v1/challenge hands out a fresh anti-bot challenge. Never cached:
// each is single-use.
func (h *handler) challenge(w http.ResponseWriter, r *http.Request) error {
	if ok, retry := h.challengeByIP.Allow(h.ips.Key(r)); !ok {
		return &errs.Error{Kind: errs.TooMany, Message: "Too many challenges requested; try again in a minute.", Retry: retry}
	}
	ch, err := h.challenges.Challenge()
	if err != nil {
		return fmt.Errorf("api: issuing a challenge: %w", err)
	}
	writeJSON(w, http.StatusOK, ch)
	return nil
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

// commentAccepted answers a comment taken: stored, published or held.
type commentAccepted struct {
	ID             int64          `json:"id"`
	Status         comment.Status `json:"status"`
	URL            string         `json:"url"`
	CommenterToken string         `json:"commenter_token" doc:"send it with every later comment of the same person; keep it secret"`
}

// subscribeRequest is the body of POST /api/v1/subscriptions.
type subscribeRequest struct {
	Email     string `json:"email"`
	Scope     string `json:"scope" doc:"site, section:SLUG or article:ID"`
	Frequency string `json:"frequency" doc:"immediate (default) or daily"`
	Altcha    string `json:"altcha"`
	Token     string `json:"captcha_token"` // a third-party check's token, when one is configured
}

// subscribeAnswer is the same whether or not the address was known.
type subscribeAnswer struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

var errNoArticle = errs.Shown(errs.NotFound, "There is no such article.")

// POST /api/v1/articles/{id}/comments takes a comment as JSON.
func (h *handler) postComment(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNoArticle
	}
	a, err := h.store.BareArticleByID(ctx, id) // one query: all a comment needs
	if errors.Is(err, article.ErrNotFound) || (err == nil && !a.Visible()) {
		return errNoArticle
	} else if err != nil {
		return err
	}
	var body commentJSON
	if err := decode(w, r, &body); err != nil {
		return err
	}
	done, err := h.comments.Submit(ctx, a, &comment.Submission{Name: body.Name, Email: body.Email, Body: body.Body,
		Notify: body.Notify, Parent: body.Parent, Key: body.Key, Shown: body.Shown, Altcha: body.Altcha, Token: body.Token,
		Client: h.ips.ClientIP(r), ClientKey: h.ips.Key(r), Commenter: []string{body.Commenter}})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, commentAccepted{ID: done.Comment.ID, Status: done.Comment.Status,
		URL: h.articleURL(a) + "#c-" + strconv.FormatInt(done.Comment.ID, 10), CommenterToken: done.Token})
	return nil
}

// POST /api/v1/subscriptions takes a request to subscribe as JSON. It
// answers 202 whether or not the address was known.
func (h *handler) subscribe(w http.ResponseWriter, r *http.Request) error {
	var body subscribeRequest
	if err := decode(w, r, &body); err != nil {
		return err
	}
	err := h.subscriptions.Request(r.Context(), subscription.Signup{Email: body.Email, Scope: body.Scope, Frequency: body.Frequency,
		Altcha: body.Altcha, Token: body.Token, Client: h.ips.ClientIP(r), ClientKey: h.ips.Key(r)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, subscribeAnswer{Status: "check_inbox", Message: h.words(r.Context()).T("subscribe.sent")})
	return nil
}
