package e2e

import (
	"broadsheet/internal/embed"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"broadsheet/internal/api"
	"broadsheet/internal/challenge"
	"broadsheet/internal/comment"
	"broadsheet/internal/demo"
	"broadsheet/internal/newsroom"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/subscription"
	"broadsheet/internal/web"
	"broadsheet/internal/webhook"
)

// startSite serves the demo newspaper from a fresh database in dir on a
// loopback port, and closes both when the test ends.
func startSite(t *testing.T, ctx context.Context, dir string) (*sqlite.DB, *httptest.Server) {
	return startSiteWith(t, ctx, dir, web.Options{}, 0)
}

// startSiteWith is startSite with options for the server (BaseURL and
// Logger are filled in, and what the site and its API share made as
// cmd/broadsheet makes it) and how long the built-in anti-bot check
// lasts (0 for its default).
func startSiteWith(t *testing.T, ctx context.Context, dir string, opts web.Options, expiry time.Duration) (*sqlite.DB, *httptest.Server) {
	t.Helper()
	return startSiteOn(t, ctx, dir, opts, expiry, nil)
}

// siteStore is what the site and its API are served from.
type siteStore interface {
	web.Store
	api.Store
}

// startSiteOn is startSiteWith whose newsroom keeps the embeds of what it
// saves, as serve does, when embeds is not nil.
func startSiteOn(t *testing.T, ctx context.Context, dir string, opts web.Options, expiry time.Duration, embeds *embed.Options) (*sqlite.DB, *httptest.Server) {
	t.Helper()
	return startSiteAt(t, ctx, dir, opts, expiry, embeds, nil)
}

// startSiteAt is startSiteOn whose BaseURL is base(port) when base is not
// nil, port being that of the loopback listener: a site may then name
// itself as a browser must find it (passkeys refuse an IP address).
func startSiteAt(t *testing.T, ctx context.Context, dir string, opts web.Options, expiry time.Duration, embeds *embed.Options, base func(port string) string) (*sqlite.DB, *httptest.Server) {
	t.Helper()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "site.db"))
	if err != nil {
		t.Fatalf("open the database: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close the database: %v", err)
		}
	})
	if err := demo.Load(ctx, db, time.Now(), nil); err != nil {
		t.Fatalf("load the demo content: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	listening := "http://" + ln.Addr().String()
	baseURL := listening
	if base != nil {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		baseURL = base(port)
	}
	opts.BaseURL = baseURL
	opts.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	key, err := db.SigningKey(ctx)
	if err != nil {
		t.Fatalf("read the signing key: %v", err)
	}
	if opts.Challenges, err = challenge.New(challenge.Config{Key: key, Expiry: expiry}, db); err != nil {
		t.Fatalf("make the anti-bot check: %v", err)
	}
	antibot := challenge.Policy{Builtin: opts.Challenges, External: opts.External}
	opts.Comments = comment.NewService(db, comment.Config{Key: key, Antibot: antibot, MinFill: comment.DefaultMinFill})
	opts.Subscriptions = subscription.NewService(db, subscription.Config{Antibot: antibot, Consent: "double opt-in from " + baseURL, Wake: opts.MailQueued})
	opts.Newsroom = newsroom.New(db, nil, opts.Logger)
	opts.Webhooks = webhook.NewService(db, webhook.Config{Site: webhook.Site{BaseURL: baseURL}, Log: opts.Logger})
	if embeds != nil {
		embeds.Images, embeds.Log = db, opts.Logger
		opts.Newsroom.WithEmbeds(&embed.Keeper{Store: db, Resolver: embed.NewResolver(*embeds), Log: opts.Logger})
	}
	var st siteStore = db
	opts.API = api.New(api.Deps{Store: st, Newsroom: opts.Newsroom, BaseURL: baseURL, IPs: opts.IPs, Log: opts.Logger,
		Challenges: opts.Challenges, Comments: opts.Comments, Subscriptions: opts.Subscriptions, Webhooks: opts.Webhooks, LiveBlogs: opts.LiveBlogs})
	srv, err := web.New(st, opts)
	if err != nil {
		ln.Close()
		t.Fatalf("build the web server: %v", err)
	}
	db.OnChange(srv.Invalidate)
	ts := &httptest.Server{Listener: ln, Config: &http.Server{Handler: srv}}
	ts.Start()
	t.Cleanup(ts.Close)
	if ts.URL != listening {
		t.Fatalf("test server URL %q, want %q", ts.URL, listening)
	}
	return db, ts
}
