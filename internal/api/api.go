// Package api is Broadsheet's JSON interface: the public, read-only Content
// API under /api/v1/ and the token-authenticated Admin API under
// /api/v1/admin/. Article writes go through the newsroom workflow, so a
// permission rule holds whichever door a request comes in by. Errors become
// JSON in one place (errors.go) and an internal error is never shown.
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
	"broadsheet/internal/clientip"
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
	"broadsheet/internal/markup"
	"broadsheet/internal/newsroom"
	"broadsheet/internal/ratelimit"
)

// Store is what the API reads and writes directly. Article writes are not
// here: they go through the newsroom service.
type Store interface {
	// Content.
	Articles(ctx context.Context, q article.Query) (article.List, error)
	ArticleByID(ctx context.Context, id int64) (*article.Article, error)
	ArticleBySlug(ctx context.Context, slug string) (*article.Article, error)
	AdminArticles(ctx context.Context, q article.AdminQuery) ([]article.Article, error)

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

	// Tokens.
	TokenByHash(ctx context.Context, hash string) (*account.Token, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error
	UserByID(ctx context.Context, id int64) (*account.User, error)
}

// Deps is what the API is built from. Store and Newsroom are required.
type Deps struct {
	Store    Store
	Newsroom *newsroom.Service
	BaseURL  string             // absolute, e.g. "https://courier.example", for "url" fields
	IPs      *clientip.Resolver // nil trusts no proxy
	Log      *slog.Logger       // nil for the default logger
	Now      func() time.Time   // nil for the wall clock
	// Limits, when set, is where the API's rate limits count, so that
	// instances sharing a database limit together.
	Limits ratelimit.Counter
}

// Limits a client can rely on; docs/api.md states them.
const (
	maxBodyBytes     = 1 << 20
	adminPerToken    = 600 // requests per token per window
	contentPerIP     = 300 // Content API requests per client address per window
	failedAuthPerIP  = 30  // bad tokens per client address per window
	rateWindow       = time.Minute
	maxLimiterKeys   = 100_000
	adminDefaultPage = 50
	contentCache     = "public, max-age=60"
)

// handler serves the whole API.
type handler struct {
	store    Store
	newsroom *newsroom.Service
	baseURL  string
	ips      *clientip.Resolver
	log      *slog.Logger
	now      func() time.Time
	md       *markup.Renderer
	mux      *http.ServeMux

	perToken, perIP, failedAuth *ratelimit.Limiter
	routeList                   []string // every route pattern, in the order registered

	mu      sync.Mutex
	touched map[int64]time.Time // token id → last TouchToken by this process
}

// New returns the handler for every path under /api/v1/. It panics when
// Store or Newsroom is missing: that is a wiring mistake, found at start-up.
func New(d Deps) http.Handler {
	if d.Store == nil || d.Newsroom == nil {
		panic("api: Deps.Store and Deps.Newsroom are required")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.IPs == nil {
		d.IPs, _ = clientip.New(nil)
	}
	h := &handler{
		store:      d.Store,
		newsroom:   d.Newsroom,
		baseURL:    strings.TrimSuffix(d.BaseURL, "/"),
		ips:        d.IPs,
		log:        d.Log,
		now:        d.Now,
		md:         markup.New(),
		perToken:   ratelimit.New(adminPerToken, rateWindow, maxLimiterKeys),
		perIP:      ratelimit.New(contentPerIP, rateWindow, maxLimiterKeys),
		failedAuth: ratelimit.New(failedAuthPerIP, rateWindow, maxLimiterKeys),
		touched:    map[int64]time.Time{},
	}
	for _, l := range []*ratelimit.Limiter{h.perToken, h.perIP, h.failedAuth} {
		l.SetClock(d.Now)
	}
	if d.Limits != nil {
		h.perToken.Share("api-token", d.Limits)
		h.perIP.Share("api-ip", d.Limits)
		h.failedAuth.Share("api-failed-auth", d.Limits)
	}
	h.mux = h.routes()
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
	h.public(mux, "/api/v1/sections", h.listSections)
	h.public(mux, "/api/v1/tags", h.listTags)
	h.public(mux, "/api/v1/authors", h.listAuthors)

	// Admin API: bearer tokens, acting with the token's user's role.
	h.handle(mux, "GET /api/v1/admin/articles", h.admin(account.WriteDrafts, h.adminListArticles))
	h.handle(mux, "POST /api/v1/admin/articles", h.admin(account.WriteDrafts, h.createArticle))
	h.handle(mux, "GET /api/v1/admin/articles/{id}", h.admin(account.WriteDrafts, h.adminGetArticle))
	h.handle(mux, "PATCH /api/v1/admin/articles/{id}", h.admin(account.WriteDrafts, h.patchArticle))
	h.handle(mux, "DELETE /api/v1/admin/articles/{id}", h.admin(account.WriteDrafts, h.deleteArticle))
	h.handle(mux, "POST /api/v1/admin/articles/{id}/publish", h.admin(account.WriteDrafts, h.publishArticle))
	h.handle(mux, "POST /api/v1/admin/articles/{id}/unpublish", h.admin(account.WriteDrafts, h.unpublishArticle))

	h.handle(mux, "GET /api/v1/admin/sections", h.admin(account.WriteDrafts, h.adminListSections))
	h.handle(mux, "POST /api/v1/admin/sections", h.admin(account.ManageTaxonomy, h.createSection))
	h.handle(mux, "GET /api/v1/admin/sections/{slug}", h.admin(account.WriteDrafts, h.adminGetSection))
	h.handle(mux, "PATCH /api/v1/admin/sections/{slug}", h.admin(account.ManageTaxonomy, h.patchSection))
	h.handle(mux, "DELETE /api/v1/admin/sections/{slug}", h.admin(account.ManageTaxonomy, h.deleteSection))

	h.handle(mux, "GET /api/v1/admin/authors", h.admin(account.WriteDrafts, h.adminListAuthors))
	h.handle(mux, "POST /api/v1/admin/authors", h.admin(account.ManageTaxonomy, h.createAuthor))
	h.handle(mux, "GET /api/v1/admin/authors/{slug}", h.admin(account.WriteDrafts, h.adminGetAuthor))
	h.handle(mux, "PATCH /api/v1/admin/authors/{slug}", h.admin(account.ManageTaxonomy, h.patchAuthor))
	h.handle(mux, "DELETE /api/v1/admin/authors/{slug}", h.admin(account.ManageTaxonomy, h.deleteAuthor))

	mux.HandleFunc("/api/v1/", h.unknown)
	return mux
}

// handle registers fn for pattern and lists the pattern, for the tests
// that walk every route.
func (h *handler) handle(mux *http.ServeMux, pattern string, fn http.HandlerFunc) {
	h.routeList = append(h.routeList, pattern)
	mux.HandleFunc(pattern, fn)
}

// ServeHTTP caps every request body at maxBodyBytes, the one limit of the
// API, before any endpoint reads it (a body said to be larger is refused
// unread), and answers a panic with a JSON 500, like any other internal
// error.
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
	if r.ContentLength > maxBodyBytes {
		w.Header().Set("Connection", "close") // the rest is not worth reading
		h.fail(w, r, &http.MaxBytesError{Limit: maxBodyBytes})
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	}
	h.mux.ServeHTTP(w, r)
}

// Methods lists, in a fixed order, every method an endpoint might answer.
var Methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// MethodsAt lists the methods mux answers at r's path with a route of its
// own (not its /api/v1/ catch-all), in the order of Methods.
func MethodsAt(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range Methods {
		probe := *r
		probe.Method = m
		if _, pattern := mux.Handler(&probe); pattern != "" && pattern != "/api/v1/" {
			allow = append(allow, m)
		}
	}
	return allow
}

// Methods lists the methods the API answers at r's path, none for a path
// it does not serve. The site asks, for the paths under /api/v1/ that it
// serves itself, so that a wrong method names every method either answers.
func (h *handler) Methods(r *http.Request) []string { return MethodsAt(h.mux, r) }

// /api/v1/ — anything no route matched. A path that exists under another
// method gets 405 with Allow; anything else 404, both in JSON.
func (h *handler) unknown(w http.ResponseWriter, r *http.Request) {
	if allow := h.Methods(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		h.fail(w, r, httperr.New(http.StatusMethodNotAllowed, "method_not_allowed", "this endpoint answers "+strings.Join(allow, ", ")))
		return
	}
	h.fail(w, r, errs.Shown(errs.NotFound, "there is no such endpoint; see docs/api.md"))
}
