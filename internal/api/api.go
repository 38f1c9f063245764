// Package api is Broadsheet's JSON interface: the public, read-only Content
// API under /api/v1/, the token-authenticated Admin API under
// /api/v1/admin/, and the reading site's JSON doors (the anti-bot
// challenge, comments, subscriptions). Article writes go through the
// newsroom workflow, comments and subscriptions through their domain's
// services, so a rule holds whichever door a request comes in by. The
// package translates HTTP and nothing more; errors become JSON in one
// place (errors.go, through internal/httperr) and an internal error is
// never shown.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/clientip"
	"broadsheet/internal/comment"
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
	"broadsheet/internal/library"
	"broadsheet/internal/markup"
	"broadsheet/internal/newsroom"
	"broadsheet/internal/ratelimit"
	redirects "broadsheet/internal/redirect"
	"broadsheet/internal/subscription"
	"broadsheet/internal/webhook"
)

// Store is what the API reads and writes directly. Article writes are not
// here: they go through the newsroom service.
type Store interface {
	// Content.
	Articles(ctx context.Context, q article.Query) (article.List, error)
	ArticleByID(ctx context.Context, id int64) (*article.Article, error)
	ArticleBySlug(ctx context.Context, slug string) (*article.Article, error)
	BareArticleByID(ctx context.Context, id int64) (*article.Article, error)
	AdminArticles(ctx context.Context, q article.AdminQuery) ([]article.Article, error)
	// Markup renders an article's body when its stored HTML is out of
	// date.
	Markup() *markup.Renderer

	// Taxonomy.
	Sections(ctx context.Context) ([]article.Section, error)
	SectionBySlug(ctx context.Context, slug string) (*article.Section, error)
	CreateSection(ctx context.Context, s *article.Section) error
	// UpdateSection and UpdateAuthor save by ID: ErrNotFound, ErrConflict
	// for a slug already taken, *article.InvalidError for a bad slug.
	UpdateSection(ctx context.Context, s *article.Section) error
	// DeleteSection and DeleteAuthor refuse with ErrConflict while any
	// article, of any status, uses the record.
	DeleteSection(ctx context.Context, id int64) error
	// PublishedTags lists tags on at least one published article, by name.
	PublishedTags(ctx context.Context) ([]article.Tag, error)
	Authors(ctx context.Context) ([]article.Author, error)
	AuthorBySlug(ctx context.Context, slug string) (*article.Author, error)
	CreateAuthor(ctx context.Context, a *article.Author) error
	UpdateAuthor(ctx context.Context, a *article.Author) error
	DeleteAuthor(ctx context.Context, id int64) error

	// The site's settings (its language gives the words of the reading
	// site's doors) and its banner: newsroom.SaveSite and SetBanner
	// change them.
	Site(ctx context.Context) (article.Site, error)
	newsroom.SiteStore
	// A change of the second-step policy is told to the accounts it
	// newly covers.
	newsroom.PolicyStore
	Banner(ctx context.Context) (article.Banner, error)
	SetBanner(ctx context.Context, b article.Banner) error

	// Redirects from old addresses: newsroom.CreateRedirect and the rest
	// change them.
	newsroom.RedirectStore
	RedirectByID(ctx context.Context, id int64) (*redirects.Redirect, error)
	Redirects(ctx context.Context, q redirects.Query) ([]redirects.Redirect, error)

	// Comments, as moderators see them: comment.Moderate and
	// EditAsModerator change them.
	comment.ModerationStore
	CommentByID(ctx context.Context, id int64) (*comment.Comment, error)
	Comments(ctx context.Context, q comment.QueueQuery) ([]comment.Queued, error)

	// The media library: library.Library adds and deletes.
	library.Store
	Media(ctx context.Context, q string, page, size int) (*article.MediaPage, error)

	// Live blogs: newsroom.LiveBlogs posts, edits and deletes their
	// updates and opens and closes their coverage; the API reads the
	// updates it lists.
	newsroom.LiveStore

	// Accounts: newsroom.CreateUser and UpdateUser change them.
	newsroom.PeopleStore
	Users(ctx context.Context) ([]account.User, error)

	// Tokens.
	TokenByHash(ctx context.Context, hash string) (*account.Token, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error
}

// Deps is what the API is built from. Store, Newsroom, Challenges,
// Comments, Subscriptions and Webhooks are required; the reading site is
// given the same Challenges, Comments and Subscriptions, so that a limit
// counts the same whichever door a request comes in by.
type Deps struct {
	Store         Store
	Newsroom      *newsroom.Service
	Challenges    *challenge.Issuer
	Comments      *comment.Service
	Subscriptions *subscription.Service
	// Webhooks is the admins' use cases of webhooks, which the newsroom's
	// pages share.
	Webhooks *webhook.Service
	// Library is the media library the newsroom's uploads go through:
	// give both the same one. Nil makes one over Store.
	Library *library.Library
	// LiveBlogs is the live blogs' use cases the newsroom's composer goes
	// through: give both the same one. Nil makes one over Store, keeping
	// no embeds.
	LiveBlogs *newsroom.LiveBlogs
	BaseURL   string             // absolute, e.g. "https://courier.example", for "url" fields
	IPs       *clientip.Resolver // nil trusts no proxy
	Log       *slog.Logger       // nil for the default logger
	Now       func() time.Time   // nil for the wall clock
	// Limits, when set, is where the API's rate limits count, so that
	// instances sharing a database limit together.
	Limits ratelimit.Counter
	// MailQueued, when set, is called after a request queued mail, to
	// wake the sender.
	MailQueued func()
}

// Limits a client can rely on; docs/api.md states them.
const (
	maxBodyBytes     = 1 << 20
	adminPerToken    = 600 // requests per token per window
	challengesPerIP  = 60  // anti-bot challenges per client address per window: each costs a key derivation
	contentPerIP     = 300 // Content API requests per client address per window
	failedAuthPerIP  = 30  // bad tokens per client address per window
	rateWindow       = time.Minute
	maxLimiterKeys   = 100_000
	adminDefaultPage = 50
	maxAdminPage     = 100
	contentCache     = "public, max-age=60"
)

// handler serves the whole API.
type handler struct {
	store         Store
	newsroom      *newsroom.Service
	challenges    *challenge.Issuer
	comments      *comment.Service
	subscriptions *subscription.Service
	webhooks      *webhook.Service
	library       *library.Library
	liveBlogs     *newsroom.LiveBlogs
	baseURL       string
	ips           *clientip.Resolver
	log           *slog.Logger
	now           func() time.Time
	mailQueued    func()
	md            *markup.Renderer
	mux           *http.ServeMux

	perToken, perIP, failedAuth, challengeByIP *ratelimit.Limiter
	routeList                                  []string // every route pattern, in the order registered
	routeKinds                                 map[string]routeKind
	routePerms                                 map[string]account.Permission // an Admin API route's least permission
	openAPI                                    func() []byte                 // the document, made when first asked for

	mu      sync.Mutex
	touched map[int64]time.Time // token id → last TouchToken by this process
}

// New returns the handler for every path under /api/v1/. It panics when
// a required dependency is missing: that is a wiring mistake, found at
// start-up.
func New(d Deps) http.Handler {
	if d.Store == nil || d.Newsroom == nil || d.Challenges == nil || d.Comments == nil || d.Subscriptions == nil || d.Webhooks == nil {
		panic("api: Deps.Store, Newsroom, Challenges, Comments, Subscriptions and Webhooks are required")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Library == nil {
		d.Library = library.New(d.Store, d.Log)
	}
	if d.LiveBlogs == nil {
		d.LiveBlogs = newsroom.NewLiveBlogs(d.Store, d.Now, d.Log)
	}
	if d.IPs == nil {
		d.IPs, _ = clientip.New(nil)
	}
	h := &handler{
		store:         d.Store,
		newsroom:      d.Newsroom,
		challenges:    d.Challenges,
		comments:      d.Comments,
		subscriptions: d.Subscriptions,
		webhooks:      d.Webhooks,
		library:       d.Library,
		liveBlogs:     d.LiveBlogs,
		baseURL:       strings.TrimSuffix(d.BaseURL, "/"),
		ips:           d.IPs,
		log:           d.Log,
		now:           d.Now,
		mailQueued:    d.MailQueued,
		md:            d.Store.Markup(),
		perToken:      ratelimit.New(adminPerToken, rateWindow, maxLimiterKeys),
		perIP:         ratelimit.New(contentPerIP, rateWindow, maxLimiterKeys),
		failedAuth:    ratelimit.New(failedAuthPerIP, rateWindow, maxLimiterKeys),
		challengeByIP: ratelimit.New(challengesPerIP, rateWindow, maxLimiterKeys),
		touched:       map[int64]time.Time{},
		routeKinds:    map[string]routeKind{},
		routePerms:    map[string]account.Permission{},
	}
	for name, l := range h.Limiters() {
		l.SetClock(d.Now)
		if d.Limits != nil {
			l.Share(name, d.Limits)
		}
	}
	h.mux = h.routes()
	// Made once here so that a route without its description stops the
	// start, then let go: the document is 180 KB that most sites' memory
	// need not hold until a client asks for it.
	if _, err := h.document(); err != nil {
		panic(err)
	}
	h.openAPI = sync.OnceValue(func() []byte {
		doc, err := h.document()
		if err != nil {
			panic(err) // it was made at start-up from the same routes
		}
		return doc
	})
	return h
}

// routes lists every endpoint. Admin routes name the least permission they
// need; the newsroom service still decides about each article.
func (h *handler) routes() *http.ServeMux {
	mux := http.NewServeMux()

	// Content API: public, read-only, published articles only; any origin
	// may read it (see public).
	h.public(mux, "/api/v1/articles", h.listArticles)
	h.public(mux, "/api/v1/articles/{id}", h.getArticle)
	h.public(mux, "/api/v1/articles/by-slug/{slug}", h.getArticleBySlug)
	h.public(mux, "/api/v1/live-blogs/{id}/updates", h.listPublicLiveUpdates)
	h.public(mux, "/api/v1/sections", h.listSections)
	h.public(mux, "/api/v1/tags", h.listTags)
	h.public(mux, "/api/v1/authors", h.listAuthors)
	h.public(mux, "/api/v1/openapi.json", h.openAPIDocument)

	// Admin API: bearer tokens, acting with the token's user's role.
	h.adminRoute(mux, "GET /api/v1/admin/articles", account.WriteDrafts, h.adminListArticles)
	h.adminRoute(mux, "POST /api/v1/admin/articles", account.WriteDrafts, h.createArticle)
	h.adminRoute(mux, "GET /api/v1/admin/articles/{id}", account.WriteDrafts, h.adminGetArticle)
	h.adminRoute(mux, "PATCH /api/v1/admin/articles/{id}", account.WriteDrafts, h.patchArticle)
	h.adminRoute(mux, "DELETE /api/v1/admin/articles/{id}", account.WriteDrafts, h.deleteArticle)
	h.adminRoute(mux, "POST /api/v1/admin/articles/{id}/publish", account.WriteDrafts, h.publishArticle)
	h.adminRoute(mux, "POST /api/v1/admin/articles/{id}/unpublish", account.WriteDrafts, h.unpublishArticle)
	h.adminRoute(mux, "POST /api/v1/admin/articles/{id}/coverage/start", account.PublishOwn, h.startCoverage)
	h.adminRoute(mux, "POST /api/v1/admin/articles/{id}/coverage/end", account.PublishOwn, h.endCoverage)

	h.adminRoute(mux, "GET /api/v1/admin/live-blogs/{id}/updates", account.PublishOwn, h.listLiveUpdates)
	h.adminRoute(mux, "POST /api/v1/admin/live-blogs/{id}/updates", account.PublishOwn, h.postLiveUpdate)
	h.adminRoute(mux, "GET /api/v1/admin/live-blogs/{id}/updates/{update}", account.PublishOwn, h.getLiveUpdate)
	h.adminRoute(mux, "PATCH /api/v1/admin/live-blogs/{id}/updates/{update}", account.PublishOwn, h.editLiveUpdate)
	h.adminRoute(mux, "DELETE /api/v1/admin/live-blogs/{id}/updates/{update}", account.PublishOwn, h.deleteLiveUpdate)

	h.adminRoute(mux, "GET /api/v1/admin/articles/{id}/notes", account.WriteDrafts, h.listNotes)
	h.adminRoute(mux, "POST /api/v1/admin/articles/{id}/notes", account.PublishOwn, h.addNote)

	h.adminRoute(mux, "GET /api/v1/admin/sections", account.WriteDrafts, h.adminListSections)
	h.adminRoute(mux, "POST /api/v1/admin/sections", account.ManageTaxonomy, h.createSection)
	h.adminRoute(mux, "GET /api/v1/admin/sections/{slug}", account.WriteDrafts, h.adminGetSection)
	h.adminRoute(mux, "PATCH /api/v1/admin/sections/{slug}", account.ManageTaxonomy, h.patchSection)
	h.adminRoute(mux, "DELETE /api/v1/admin/sections/{slug}", account.ManageTaxonomy, h.deleteSection)

	h.adminRoute(mux, "GET /api/v1/admin/authors", account.WriteDrafts, h.adminListAuthors)
	h.adminRoute(mux, "POST /api/v1/admin/authors", account.ManageTaxonomy, h.createAuthor)
	h.adminRoute(mux, "GET /api/v1/admin/authors/{slug}", account.WriteDrafts, h.adminGetAuthor)
	h.adminRoute(mux, "PATCH /api/v1/admin/authors/{slug}", account.ManageTaxonomy, h.patchAuthor)
	h.adminRoute(mux, "DELETE /api/v1/admin/authors/{slug}", account.ManageTaxonomy, h.deleteAuthor)

	h.adminRoute(mux, "GET /api/v1/admin/media", account.UploadMedia, h.listMedia)
	h.adminRoute(mux, "POST /api/v1/admin/media", account.UploadMedia, h.uploadMedia)
	h.adminRoute(mux, "GET /api/v1/admin/media/images/{id}", account.UploadMedia, h.getImage)
	h.adminRoute(mux, "DELETE /api/v1/admin/media/images/{id}", account.EditAny, h.deleteImage)
	h.adminRoute(mux, "GET /api/v1/admin/media/documents/{id}", account.UploadMedia, h.getDocument)
	h.adminRoute(mux, "DELETE /api/v1/admin/media/documents/{id}", account.EditAny, h.deleteDocument)

	h.adminRoute(mux, "GET /api/v1/admin/comments", account.ManageTaxonomy, h.listComments)
	h.adminRoute(mux, "GET /api/v1/admin/comments/{id}", account.ManageTaxonomy, h.getComment)
	h.adminRoute(mux, "PATCH /api/v1/admin/comments/{id}", account.ManageTaxonomy, h.editComment)
	h.adminRoute(mux, "DELETE /api/v1/admin/comments/{id}", account.ManageTaxonomy, h.moderate(comment.Delete))
	h.adminRoute(mux, "POST /api/v1/admin/comments/{id}/approve", account.ManageTaxonomy, h.moderate(comment.Approve))
	h.adminRoute(mux, "POST /api/v1/admin/comments/{id}/hold", account.ManageTaxonomy, h.moderate(comment.Hold))
	h.adminRoute(mux, "POST /api/v1/admin/comments/{id}/spam", account.ManageTaxonomy, h.moderate(comment.MarkSpam))
	h.adminRoute(mux, "POST /api/v1/admin/comments/{id}/pin", account.ManageTaxonomy, h.moderate(comment.Pin))
	h.adminRoute(mux, "POST /api/v1/admin/comments/{id}/unpin", account.ManageTaxonomy, h.moderate(comment.Unpin))
	h.adminRoute(mux, "POST /api/v1/admin/comments/{id}/replies", account.WriteDrafts, h.replyToComment)

	h.adminRoute(mux, "GET /api/v1/admin/banner", account.ManageTaxonomy, h.getBanner)
	h.adminRoute(mux, "PUT /api/v1/admin/banner", account.ManageTaxonomy, h.setBanner)
	h.adminRoute(mux, "DELETE /api/v1/admin/banner", account.ManageTaxonomy, h.clearBanner)

	h.adminRoute(mux, "GET /api/v1/admin/redirects", account.ManageSettings, h.listRedirects)
	h.adminRoute(mux, "POST /api/v1/admin/redirects", account.ManageSettings, h.createRedirect)
	h.adminRoute(mux, "GET /api/v1/admin/redirects/{id}", account.ManageSettings, h.getRedirect)
	h.adminRoute(mux, "PATCH /api/v1/admin/redirects/{id}", account.ManageSettings, h.patchRedirect)
	h.adminRoute(mux, "DELETE /api/v1/admin/redirects/{id}", account.ManageSettings, h.deleteRedirect)

	h.adminRoute(mux, "GET /api/v1/admin/settings", account.ManageSettings, h.getSettings)
	h.adminRoute(mux, "PATCH /api/v1/admin/settings", account.ManageSettings, h.patchSettings)

	h.adminRoute(mux, "GET /api/v1/admin/users", account.ManageUsers, h.listUsers)
	h.adminRoute(mux, "POST /api/v1/admin/users", account.ManageUsers, h.createUser)
	h.adminRoute(mux, "GET /api/v1/admin/users/{id}", account.ManageUsers, h.getUser)
	h.adminRoute(mux, "PATCH /api/v1/admin/users/{id}", account.ManageUsers, h.patchUser)

	h.adminRoute(mux, "GET /api/v1/admin/webhooks", account.ManageSettings, h.listWebhooks)
	h.adminRoute(mux, "POST /api/v1/admin/webhooks", account.ManageSettings, h.createWebhook)
	h.adminRoute(mux, "GET /api/v1/admin/webhooks/{id}", account.ManageSettings, h.getWebhook)
	h.adminRoute(mux, "PATCH /api/v1/admin/webhooks/{id}", account.ManageSettings, h.patchWebhook)
	h.adminRoute(mux, "DELETE /api/v1/admin/webhooks/{id}", account.ManageSettings, h.deleteWebhook)
	h.adminRoute(mux, "POST /api/v1/admin/webhooks/{id}/rotate", account.ManageSettings, h.rotateWebhook)
	h.adminRoute(mux, "POST /api/v1/admin/webhooks/{id}/test", account.ManageSettings, h.testWebhook)
	h.adminRoute(mux, "GET /api/v1/admin/webhooks/{id}/deliveries", account.ManageSettings, h.listDeliveries)
	h.adminRoute(mux, "POST /api/v1/admin/webhooks/{id}/deliveries/{delivery}/resend", account.ManageSettings, h.resendDelivery)

	// The reading site's JSON doors (readers.go).
	h.door(mux, "GET /api/v1/challenge", h.challenge)
	h.door(mux, "POST /api/v1/articles/{id}/comments", h.postComment)
	h.door(mux, "POST /api/v1/subscriptions", h.subscribe)

	mux.HandleFunc("/api/v1/", h.unknown)
	return mux
}

// Limiters names every limit the API keeps, as they count when shared
// (Deps.Limits).
func (h *handler) Limiters() map[string]*ratelimit.Limiter {
	return map[string]*ratelimit.Limiter{"api-token": h.perToken, "api-ip": h.perIP, "api-failed-auth": h.failedAuth,
		"challenge-ip": h.challengeByIP}
}

// Route is one route of the API and the most of a request body it reads.
type Route struct {
	Pattern string
	MaxBody int64
}

// Routes lists every route, in the order registered, for the tests that
// walk them, here and through the site.
func (h *handler) Routes() []Route {
	routes := make([]Route, len(h.routeList))
	for i, p := range h.routeList {
		routes[i] = Route{Pattern: p, MaxBody: h.bodyCap(p)}
	}
	return routes
}

// routeKind is which of the API's doors a route belongs to: it decides
// its security, its caching and the errors common to its kind.
type routeKind int

const (
	contentRoute   routeKind = iota // the Content API: public, cacheable
	preflightRoute                  // OPTIONS on a Content API path
	adminRoute                      // the Admin API: a bearer token
	doorRoute                       // the reading site's JSON doors
)

// handle registers fn for pattern and lists the pattern, for the tests
// that walk every route and for the OpenAPI document.
func (h *handler) handle(mux *http.ServeMux, pattern string, kind routeKind, fn http.HandlerFunc) {
	h.routeList = append(h.routeList, pattern)
	h.routeKinds[pattern] = kind
	mux.HandleFunc(pattern, fn)
}

// adminRoute registers an Admin API endpoint that needs perm.
func (h *handler) adminRoute(mux *http.ServeMux, pattern string, perm account.Permission, fn adminFunc) {
	h.routePerms[pattern] = perm
	h.handle(mux, pattern, adminRoute, h.admin(perm, fn))
}

// bodyCap is the most of a body the route of pattern reads: maxBodyBytes,
// less for the site's doors, more for an upload.
func (h *handler) bodyCap(pattern string) int64 {
	if c, ok := doorCaps[pattern]; ok {
		return c.bytes
	}
	if n, ok := bodyCaps[pattern]; ok {
		return n
	}
	return maxBodyBytes
}

// ServeHTTP caps every request body at its route's cap (maxBodyBytes but
// for uploads) before any endpoint reads it (a body said to be larger is
// refused unread), and answers a panic with a JSON 500, like any other
// internal error.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.Error("api: panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			writeError(w, http.StatusInternalServerError, errorJSON{Code: "internal", Message: internalMessage})
		}
	}()
	limit := int64(maxBodyBytes)
	if _, pattern := h.mux.Handler(r); pattern != "" {
		limit = max(limit, bodyCaps[pattern])
	}
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close") // the rest is not worth reading
		h.fail(w, r, &http.MaxBytesError{Limit: limit})
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
	}
	h.mux.ServeHTTP(w, r)
}

// Methods lists, in a fixed order, every method an endpoint might answer.
var Methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// methods lists the methods the API answers at r's path with a route of
// its own (not its /api/v1/ catch-all), in the order of Methods; none for
// a path it does not serve.
func (h *handler) methods(r *http.Request) []string {
	var allow []string
	for _, m := range Methods {
		probe := *r
		probe.Method = m
		if _, pattern := h.mux.Handler(&probe); pattern != "" && pattern != "/api/v1/" {
			allow = append(allow, m)
		}
	}
	return allow
}

// /api/v1/ — anything no route matched. A path that exists under another
// method gets 405 with Allow; anything else 404, both in JSON.
func (h *handler) unknown(w http.ResponseWriter, r *http.Request) {
	if allow := h.methods(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		h.fail(w, r, httperr.New(http.StatusMethodNotAllowed, "method_not_allowed", "this endpoint answers "+strings.Join(allow, ", ")))
		return
	}
	h.fail(w, r, errs.Shown(errs.NotFound, "there is no such endpoint; see docs/api.md"))
}
