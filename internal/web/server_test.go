package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/api"
	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/comment"
	"broadsheet/internal/newsroom"
	"broadsheet/internal/subscription"
	"broadsheet/internal/webhook"
)

// built are the knobs of a test server beside its Options: the built-in
// check's expiry and cost, and the comment form's minimum fill time (zero
// for comment.DefaultMinFill, negative for none).
type built struct {
	expiry  time.Duration
	cost    challenge.Cost
	minFill time.Duration
}

// newServer builds a Server as cmd/broadsheet does: the anti-bot check and
// the readers' use cases made once and handed to the site and to the API
// mounted under /api/v1/ (unless opts names an API of its own).
// testStore is what a test site's parts ask of storage, as cmd's engine.
type testStore interface {
	Store
	api.Store
	newsroom.Store
	comment.SubmitStore
	subscription.RequestStore
	challenge.UsedStore
	article.Store
	webhook.Store
}

func newServer(t testing.TB, db testStore, opts Options, knobs ...built) *Server {
	t.Helper()
	var k built
	if len(knobs) > 0 {
		k = knobs[0]
	}
	if k.minFill == 0 {
		k.minFill = comment.DefaultMinFill
	}
	key, err := db.SigningKey(context.Background())
	must(t, err)
	issuer, err := challenge.New(challenge.Config{Key: key, Expiry: k.expiry, Cost: k.cost, Now: opts.Now}, db)
	must(t, err)
	antibot := challenge.Policy{Builtin: issuer, External: opts.External}
	opts.Challenges = issuer
	opts.Comments = comment.NewService(db, comment.Config{Key: key, Antibot: antibot, MinFill: k.minFill, Now: opts.Now})
	opts.Subscriptions = subscription.NewService(db, subscription.Config{Antibot: antibot,
		Consent: "double opt-in from " + strings.TrimSuffix(opts.BaseURL, "/"), Wake: opts.MailQueued})
	opts.Newsroom = newsroom.New(db, opts.Now, opts.Logger)
	opts.Webhooks = webhook.NewService(db, webhook.Config{Site: webhook.Site{BaseURL: opts.BaseURL}, Now: opts.Now, Log: opts.Logger})
	if opts.API == nil {
		opts.API = api.New(api.Deps{Store: db, Newsroom: opts.Newsroom, BaseURL: opts.BaseURL,
			IPs: opts.IPs, Log: opts.Logger, Now: opts.Now,
			Challenges: issuer, Comments: opts.Comments, Subscriptions: opts.Subscriptions, Webhooks: opts.Webhooks, LiveBlogs: opts.LiveBlogs})
	}
	srv, err := New(db, opts)
	must(t, err)
	return srv
}
