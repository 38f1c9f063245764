// Package web is the reading site and the newsroom over HTTP: routes,
// handlers, templates, static assets and the cache of rendered pages. It
// translates HTTP and nothing more: what a comment or a subscription goes
// through is the domain's (comment.Service, subscription.Service, shared
// with the API mounted under /api/v1/), and errors become pages through
// internal/httperr (errors.go), never showing an internal one.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"github.com/go-webauthn/webauthn/webauthn"
	"html/template"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/backup"
	"broadsheet/internal/challenge"
	"broadsheet/internal/clientip"
	"broadsheet/internal/comment"
	"broadsheet/internal/library"
	"broadsheet/internal/mail"
	"broadsheet/internal/markup"
	"broadsheet/internal/metrics"
	"broadsheet/internal/newsroom"
	"broadsheet/internal/ratelimit"
	redirects "broadsheet/internal/redirect"
	"broadsheet/internal/store"
	"broadsheet/internal/subscription"
	"broadsheet/internal/webhook"
)

// ChangeFeed is the change log written by every process sharing the database.
type ChangeFeed interface {
	ChangesSince(ctx context.Context, after int64, limit int) ([]store.Change, error)
	LastChange(ctx context.Context) (int64, error)
}

// Options configure a Server. Zero values get sensible defaults.
type Options struct {
	BaseURL    string // absolute URL of the site, used in canonical links
	Logger     *slog.Logger
	CacheBytes int // upper bound of the rendered-page cache; default 64 MiB
	Metrics    *metrics.Registry
	IPs        *clientip.Resolver // who the client is; nil trusts no proxy
	// API serves /api/v1/, the site's JSON endpoints among them (the
	// anti-bot challenge, comments, subscriptions); nil for none.
	API http.Handler
	// Challenges issues and checks the built-in anti-bot check; Comments
	// and Subscriptions are the use cases readers reach by the site's
	// forms and the API alike. Newsroom is the editorial workflow the
	// newsroom pages and the Admin API share. All four are required, and
	// the API must be given the same ones.
	Challenges    *challenge.Issuer
	Comments      *comment.Service
	Subscriptions *subscription.Service
	Newsroom      *newsroom.Service
	// Library is the media library the newsroom's uploads go through;
	// give the API the same one, so that one image is processed at a
	// time whichever door it comes in by. Nil makes one over the store.
	Library *library.Library
	// Webhooks is the admins' use cases of webhooks, which the newsroom's
	// pages and the Admin API share; required.
	Webhooks *webhook.Service
	// LiveBlogs is the live blogs' use cases the composer and the Admin
	// API share; nil makes one from the store, keeping no embeds.
	LiveBlogs *newsroom.LiveBlogs
	// External, when set, is the third-party check (reCAPTCHA, hCaptcha or
	// Turnstile) the services' anti-bot rule takes instead of the built-in
	// one: the pages show its widget. SiteKey is its public key.
	External *challenge.External
	SiteKey  string
	Now      func() time.Time // nil for the wall clock
	// MailQueued, when set, is called after a request queued mail, to
	// wake the sender.
	MailQueued func()
	// MailSending says whether an SMTP server is configured; without one
	// the outbox page says that mail waits there.
	MailSending bool
	// MetricsToken, when set, is the bearer token /metrics requires.
	// Without it the site's listener shows /metrics only to a scraper on
	// the same machine (see metricsAllowed).
	MetricsToken string
	// MetricsElsewhere says /metrics has a listener of its own (Metrics),
	// so the site's listener answers it 404.
	MetricsElsewhere bool
	// Backups, when set, tells the newsroom how scheduled backups stand.
	Backups func() backup.Status
	// Export, when set, writes the whole site to w in the export format,
	// for admins to download.
	Export func(ctx context.Context, w io.Writer) error
	// LiveStreams and LiveStreamsPerIP bound the event streams open at
	// once (live comments and live blogs), in all and per client
	// address; 0 for DefaultLiveStreams and DefaultLiveStreamsPerIP.
	LiveStreams, LiveStreamsPerIP int
}

// Server serves the reading site.
type Server struct {
	store Store
	md    *markup.Renderer
	// commentMD renders readers' comments with a smaller allow-list.
	commentMD      *markup.Renderer
	comments       *comment.Service
	subscriptions  *subscription.Service
	links          subscription.Links
	mailQueued     func()
	views          tally[int]           // page views by article
	redirectHits   tally[redirects.Hit] // requests answered by each redirect
	poke           chan struct{}        // wakes Follow
	smtpConfigured bool
	letters        *mail.Letters // to show a queued message as it will read
	pages          map[string]*template.Template
	// pageSizes holds each page template's last page size, so that the
	// next is written into a buffer allocated once.
	pageSizes  map[string]*atomic.Int64
	adminPages adminTemplates
	cache      *pageCache
	frame      frame // what surrounds every page, kept in memory
	metrics    *metrics.Registry
	log        *slog.Logger
	baseURL    string
	assets     map[string]*asset
	// staticSeries are the metrics series of static files' answers.
	staticSeries [2][2]metrics.Series
	now          func() time.Time
	wallClock    bool // now is time.Now
	handler      http.Handler
	// later and laterWork hold the work requests leave for after their
	// answer (afterAnswer).
	later     chan struct{}
	laterWork sync.WaitGroup
	// laterMu guards laterDone, set once FinishAnswered has begun waiting:
	// work left after that runs in its request, since a WaitGroup may not
	// gain members while it is waited on.
	laterMu   sync.Mutex
	laterDone bool
	// metricsToken and metricsElsewhere: see Options.
	metricsToken     string
	metricsElsewhere bool
	backups          func() backup.Status
	export           func(ctx context.Context, w io.Writer) error
	exporting        atomic.Bool // one export at a time

	newsroom   *newsroom.Service
	webhooks   *webhook.Service
	liveBlogs  *newsroom.LiveBlogs
	ips        *clientip.Resolver
	api        http.Handler
	signingKey []byte
	library    *library.Library
	routeList  []string       // every route pattern, in the order registered
	root       *http.ServeMux // the routes, for the methods a path answers
	challenges *challenge.Issuer
	external   *challenge.External
	tokenField string // the form field of the provider's token, "" without one
	siteKey    string
	csp        []string
	live       *liveHub
	// searchByIP bounds searches per client address.
	searchByIP *ratelimit.Limiter
	// searchNewest overrides search.Window when set (in tests).
	searchNewest int
	// Failed sign-ins by account and address, by account from anywhere,
	// and by address (see admitLogin).
	loginByAccount, loginByAccountAll, loginByIP *ratelimit.Limiter
	// secondStepByDay bounds an account's wrong second steps in a day
	// (see admitSecondStep).
	secondStepByDay *ratelimit.Limiter
	// passkeys is the WebAuthn relying party, nil where the site's
	// address cannot carry passkeys; passkeyOrigin is where they work.
	passkeys            *webauthn.WebAuthn
	passkeyOrigin       string
	passkeysAtLocalhost bool
	// card is the site card last drawn (card.go).
	card cardMemo
}

//go:embed templates/*.html templates/admin/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New builds a Server, parsing every template now so that a broken one
// stops the program at start-up instead of on some reader's request.
func New(st Store, opts Options) (*Server, error) {
	if opts.Challenges == nil || opts.Comments == nil || opts.Subscriptions == nil || opts.Newsroom == nil || opts.Webhooks == nil {
		return nil, errors.New("web: Options.Challenges, Comments, Subscriptions, Newsroom and Webhooks are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Library == nil {
		opts.Library = library.New(st, opts.Logger)
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = 64 << 20
	}
	if opts.Metrics == nil {
		opts.Metrics = metrics.New()
	}
	wallClock := opts.Now == nil
	if wallClock {
		opts.Now = time.Now
	}
	if opts.IPs == nil {
		opts.IPs, _ = clientip.New(nil)
	}
	s := &Server{
		store:             st,
		md:                st.Markup(),
		commentMD:         markup.NewComments(),
		comments:          opts.Comments,
		subscriptions:     opts.Subscriptions,
		challenges:        opts.Challenges,
		mailQueued:        opts.MailQueued,
		smtpConfigured:    opts.MailSending,
		cache:             newPageCache(opts.CacheBytes),
		metrics:           opts.Metrics,
		log:               opts.Logger,
		baseURL:           strings.TrimSuffix(opts.BaseURL, "/"),
		now:               opts.Now,
		wallClock:         wallClock,
		newsroom:          opts.Newsroom,
		webhooks:          opts.Webhooks,
		liveBlogs:         opts.LiveBlogs,
		ips:               opts.IPs,
		api:               opts.API,
		loginByAccount:    ratelimit.New(loginFailuresPerSource, loginWindow, 100_000),
		loginByIP:         ratelimit.New(loginFailuresPerIP, loginWindow, 100_000),
		loginByAccountAll: ratelimit.New(loginFailuresBeforeCheck, loginWindow, 100_000),
		secondStepByDay:   ratelimit.New(secondStepDaily, 24*time.Hour, 100_000),
		library:           opts.Library,
		live:              newLiveHub(opts.LiveStreams, opts.LiveStreamsPerIP),
		searchByIP:        ratelimit.New(60, time.Minute, 100_000),
		poke:              make(chan struct{}, 1),
		later:             make(chan struct{}, maxLater),
		metricsToken:      opts.MetricsToken,
		metricsElsewhere:  opts.MetricsElsewhere,
		backups:           opts.Backups,
		export:            opts.Export,
		views:             tally[int]{merge: sum},
		redirectHits:      tally[redirects.Hit]{merge: addHit},
	}
	if s.liveBlogs == nil {
		s.liveBlogs = newsroom.NewLiveBlogs(st, opts.Now, opts.Logger)
	}
	s.live.read, s.live.cover = s.liveEvents, s.liveCoverage
	s.passkeys, s.passkeyOrigin, s.passkeysAtLocalhost = relyingParty(s.baseURL)
	var err error
	if s.signingKey, err = st.SigningKey(context.Background()); err != nil {
		return nil, err
	}
	s.links = subscription.Links{Key: s.signingKey, Now: opts.Now}
	if s.letters, err = mail.NewLetters(st, s.baseURL, s.links); err != nil {
		return nil, err
	}
	s.external, s.siteKey, s.csp = opts.External, opts.SiteKey, hdrCSP
	s.tokenField = (&challenge.Policy{External: opts.External}).TokenField()
	if w, ok := challenge.Widgets[opts.External.GetProvider()]; ok {
		// The provider's script and frames come from its own origins.
		origins := strings.Join(w.Origins, " ")
		s.csp = []string{"default-src 'self'; img-src 'self' data:; style-src 'self' '" + altchaStyleHash + "' " + origins +
			"; script-src 'self' " + origins + "; frame-src " + origins + "; connect-src 'self' " + origins +
			"; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"}
	}
	if s.assets, err = loadAssets(staticFS, "static"); err != nil {
		return nil, err
	}
	if s.assets["logo.png"], err = logoAsset(512); err != nil {
		return nil, err
	}
	words, err := altchaWordsJS()
	if err != nil {
		return nil, err
	}
	s.assets["altcha-words.js"] = newAsset("altcha-words.js", words)
	s.pageSizes = make(map[string]*atomic.Int64, len(pageNames))
	for _, name := range pageNames {
		s.pageSizes[name] = new(atomic.Int64)
	}
	if s.pages, err = s.parseTemplates(); err != nil {
		return nil, err
	}
	if err = s.adminPages.check(); err != nil {
		return nil, err
	}
	for _, a := range s.assets {
		a.renderAssetHeads(s.csp)
	}
	s.staticSeries = answerSeries(s.metrics, "GET /static/{file}", http.StatusOK)
	s.metrics.Counter("broadsheet_page_cache_hits_total", "Public pages served from the rendered-page cache.", s.cache.hits.Load)
	s.metrics.Counter("broadsheet_page_cache_misses_total", "Public pages the cache did not hold: rendered, or waited for while a render of the same page was under way.", s.cache.misses.Load)
	s.metrics.Counter("broadsheet_page_cache_waits_total", "Misses answered by waiting for a render of the same page already under way, instead of rendering it again.", s.cache.waits.Load)
	s.metrics.Gauge("broadsheet_page_cache_entries", "Rendered pages held in the cache.", func() float64 { n, _ := s.cache.stats(); return float64(n) })
	s.metrics.Gauge("broadsheet_page_cache_bytes", "Bytes held by the rendered-page cache.", func() float64 { _, b := s.cache.stats(); return float64(b) })
	s.metrics.Gauge("broadsheet_live_streams", "Event streams open: live comments and live blogs.", func() float64 { return float64(s.live.streams()) })
	// Cross-origin protection refuses state-changing requests that a
	// browser marks as coming from another site (Sec-Fetch-Site / Origin).
	s.handler = s.recoverer(s.observe(s.guard(http.NewCrossOriginProtection().Handler(s.routes()))))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Invalidate drops every cached page built from any of keys, and what is
// kept in memory that they touch (the frame, the comment rules).
func (s *Server) Invalidate(keys []string) {
	s.frame.drop(keys)
	s.comments.Forget(keys)
	s.cache.invalidate(keys)
	s.live.notify(keys)
}

// Poke makes Follow read the change log at once: the database said
// another process wrote (PostgreSQL's LISTEN/NOTIFY).
func (s *Server) Poke() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// DropCache forgets every rendered page: for when notifications of other
// processes' writes may have been missed.
func (s *Server) DropCache() {
	s.frame.drop([]string{article.KeySite})
	s.comments.Forget([]string{article.KeySite})
	s.cache.invalidate([]string{article.KeySite})
}

// Follow starts reading the shared change log every interval, dropping the
// pages that other processes' writes touched, until ctx ends. It reads the
// log's position before returning, so no write made after Follow returns
// can be missed.
func (s *Server) Follow(ctx context.Context, feed ChangeFeed, interval time.Duration) error {
	last, err := feed.LastChange(ctx)
	if err != nil {
		return fmt.Errorf("web: change log: %w", err)
	}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-s.poke:
			}
			cs, err := feed.ChangesSince(ctx, last, 1000)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Warn("reading change log", "err", err)
				}
				continue
			}
			for _, c := range cs {
				s.Invalidate(c.Keys)
				last = c.ID
			}
		}
	}()
	return nil
}

// Limits on what a request may carry.
const (
	MaxURLBytes    = 4096
	MaxHeaderBytes = 32 << 10
	// MaxSearchURLBytes lets a search carry a long paste: the query is cut
	// to what a search uses and answered, not refused.
	MaxSearchURLBytes = 30 << 10
)

// Header values shared by every response. net/http only reads them, so one
// slice each saves an allocation per header per request.
var (
	hdrNoSniff  = []string{"nosniff"}
	hdrReferrer = []string{"strict-origin-when-cross-origin"}
	// frame-ancestors 'none' does what X-Frame-Options: DENY did.
	// The ALTCHA widget solves in workers it builds from blob: URLs and
	// injects one stylesheet, allowed by its hash (scripts/update-altcha.sh
	// prints the hash of each version).
	hdrCSP = []string{"default-src 'self'; img-src 'self' data:; style-src 'self' '" + altchaStyleHash +
		"'; script-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"}
	hdrHTML      = []string{"text/html; charset=utf-8"}
	hdrVaryAE    = []string{"Accept-Encoding"}
	hdrRevalid   = []string{"public, max-age=0, must-revalidate"}
	hdrGzip      = []string{"gzip"}
	hdrImmutable = []string{"public, max-age=31536000, immutable"}
	hdrPrivate   = []string{"private, no-store"}
)

// altchaStyleHash is the CSP hash of the stylesheet altcha.min.js 3.2.2 injects.
const altchaStyleHash = "sha256-ZgqGuQlekW98cv0XQjYUGCLTvc3q5MkU+2SkqlFGoTM="

// guard refuses requests no page needs before they reach a handler.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > MaxURLBytes && (len(r.RequestURI) > MaxSearchURLBytes || r.URL.Path != "/search") {
			http.Error(w, "URI too long", http.StatusRequestURITooLong)
			return
		}
		h := w.Header()
		h["X-Content-Type-Options"] = hdrNoSniff
		h["Referrer-Policy"] = hdrReferrer
		h["Content-Security-Policy"] = s.csp
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status code for metrics and logs.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe counts every request by the route pattern that served it (never
// by raw path, which would let strangers mint unbounded label values).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "other"
		}
		d := time.Since(start)
		s.metrics.ObserveRequest(route, methodLabel(r.Method), sw.status, d)
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", d, "remote", r.RemoteAddr)
		}
	})
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.fail(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// fallback answers every path no route claims.
func (s *Server) fallback(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		// An old address first, trailing slash and all, so that a reader
		// following an old link ("/2024/05/17/harbour-reopens/") is sent
		// on in one hop.
		if s.redirectOld(w, r) {
			return
		}
		// /city/ and /city/story/ are common hand-typed forms of real pages.
		if p := requestPath(r); len(p) > 1 && strings.HasSuffix(p, "/") {
			target := strings.TrimSuffix(p, "/")
			if clean, ok := localPath(target); ok && clean == target {
				redirect(w, r, (&url.URL{Path: target, RawQuery: r.URL.RawQuery}).String(), http.StatusMovedPermanently)
				return
			}
		}
	}
	s.failPage(w, r, article.ErrNotFound)
}

// ShareLimits makes every limit on what strangers can do through the
// site — sign-in attempts, comments, subscriptions, searches — count in c,
// so that instances sharing a database enforce them together. (The API
// shares its own, the challenges' among them: api.Deps.Limits.)
func (s *Server) ShareLimits(c ratelimit.Counter) {
	for name, l := range s.limiters() {
		l.Share(name, c)
	}
}

// limiters names every limit the site keeps. Those on client addresses
// count clientip.Key (limitKey), in memory and shared alike.
func (s *Server) limiters() map[string]*ratelimit.Limiter {
	all := map[string]*ratelimit.Limiter{
		"login-account": s.loginByAccount, "login-ip": s.loginByIP, "login-account-all": s.loginByAccountAll, "second-step-day": s.secondStepByDay,
		"search-ip": s.searchByIP,
	}
	maps.Copy(all, s.comments.Limiters())
	maps.Copy(all, s.subscriptions.Limiters())
	return all
}
