package subscription

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/errs"
	"broadsheet/internal/i18n"
	"broadsheet/internal/ratelimit"
)

// RequestStore is what requesting a subscription needs from storage.
type RequestStore interface {
	Site(ctx context.Context) (article.Site, error)
	Sections(ctx context.Context) ([]article.Section, error)
	ArticleByID(ctx context.Context, id int64) (*article.Article, error)
	Subscribe(ctx context.Context, r Request) (Outcome, error)
}

// Config is what a Service is built from.
type Config struct {
	// Antibot is the site's one anti-bot rule.
	Antibot challenge.Policy
	// Consent is recorded with every request, saying how consent is given
	// ("double opt-in from https://courier.example").
	Consent string
	// Wake, when set, is called after a request queued mail, to wake the
	// sender.
	Wake func()
}

// Service is the use case of a reader asking to subscribe, whichever door
// it comes in by — the Subscribe form or the JSON API: the anti-bot rule,
// the rate limits and the mail it queues happen here and nowhere else.
type Service struct {
	store   RequestStore
	antibot challenge.Policy
	consent string
	wake    func()
	limits  limits
}

// NewService returns the Service.
func NewService(st RequestStore, c Config) *Service {
	return &Service{store: st, antibot: c.Antibot, consent: c.Consent, wake: c.Wake, limits: newLimits()}
}

// Limits on subscribing: per client, per email domain (so one victim's
// domain cannot be flooded with confirmations), and, for requests without
// the anti-bot check, per client and site-wide.
type limits struct {
	byIP, byDomain                *ratelimit.Limiter
	unverifiedByIP, unverifiedAll *ratelimit.Limiter
}

func newLimits() limits {
	return limits{
		byIP:           ratelimit.New(6, 10*time.Minute, 100_000),
		byDomain:       ratelimit.New(30, time.Hour, 100_000),
		unverifiedByIP: ratelimit.New(3, time.Hour, 100_000),
		unverifiedAll:  ratelimit.New(100, time.Hour, 1),
	}
}

// Limiters names every limit the service keeps, for sharing them between
// instances (ratelimit.Limiter.Share) and for tests.
func (s *Service) Limiters() map[string]*ratelimit.Limiter {
	return map[string]*ratelimit.Limiter{
		"subscribe-ip": s.limits.byIP, "subscribe-domain": s.limits.byDomain,
		"subscribe-unverified-ip": s.limits.unverifiedByIP, "subscribe-unverified-all": s.limits.unverifiedAll,
	}
}

// Signup is a reader's request to subscribe as sent, its fields already
// read from the form or the JSON body.
type Signup struct {
	Email     string
	Scope     string // "site", "section:SLUG" or "article:ID"
	Frequency string // "immediate", "daily" or "" for immediate
	// Altcha and Token are the anti-bot proof: the built-in check's
	// solution, or the configured provider's token.
	Altcha, Token string
	// Client is the sender's address and ClientKey the sender as rate
	// limits count it (clientip.Key).
	Client    netip.Addr
	ClientKey string
	Honeypot  bool // the hidden field a person never sees was filled
}

// Why a request is refused, beyond invalid fields: each with a code for
// API clients and the catalog key of what the sender is told.
var (
	errWrongProof  = &errs.Error{Kind: errs.Invalid, Code: "check_failed", Key: "subscribe.check_wrong"}
	errExpired     = &errs.Error{Kind: errs.Invalid, Code: "check_expired", Key: "subscribe.check_expired"}
	errUnavailable = &errs.Error{Kind: errs.Unavailable, Code: "check_unavailable", Key: "comment.check_unavailable"}
	errCheckFailed = &errs.Error{Kind: errs.Invalid, Code: "check_failed", Key: "subscribe.check_failed"}
)

// Request runs every check a request to subscribe passes and records it:
// a confirmation mail to a new address, a notice to one confirmed before
// (Store.Subscribe). Its answer is the same whether the address was new,
// pending or long subscribed: nobody learns who reads us. A refusal is an
// error of internal/errs: Invalid naming the email, scope or frequency
// field, a check that failed (codes check_failed, check_expired) or could
// not be made (check_unavailable), TooMany with the time to wait; its
// words are in the site's language.
func (s *Service) Request(ctx context.Context, in Signup) error {
	site, err := s.store.Site(ctx)
	if err != nil {
		return err
	}
	words := i18n.For(site.Language)
	invalid := func(field, key string) error {
		msg := words.T(key)
		return &errs.Error{Kind: errs.Invalid, Key: key, Message: msg, Fields: []errs.Problem{{Field: field, Message: msg}}}
	}
	email, err := NormalizeEmail(in.Email)
	if errors.Is(err, ErrNoEmail) {
		return invalid("email", "subscribe.email_missing")
	} else if err != nil {
		return invalid("email", "subscribe.email_invalid")
	}
	sections, err := s.store.Sections(ctx)
	if err != nil {
		return err
	}
	scope, err := ParseScope(in.Scope, func(slug string) (int64, error) {
		for _, sec := range sections {
			if sec.Slug == slug {
				return sec.ID, nil
			}
		}
		return 0, article.ErrNotFound
	})
	if err != nil {
		return invalid("scope", "subscribe.scope_invalid")
	}
	label, lang, err := s.labelIn(ctx, site, sections, scope)
	if errors.Is(err, article.ErrNotFound) {
		return invalid("scope", "subscribe.scope_invalid")
	} else if err != nil {
		return err
	}
	freq := Frequency(in.Frequency)
	if freq == "" || scope.Kind == Article {
		freq = Immediate // a discussion has no digest
	}
	if !freq.Valid() {
		return invalid("frequency", "subscribe.frequency_invalid")
	}
	verified, err := s.antibot.Verify(ctx, challenge.Proof{Altcha: in.Altcha, Token: in.Token, RemoteIP: in.Client.String()})
	switch {
	case err == nil:
	case errors.Is(err, challenge.ErrWrongProof):
		return say(words, errWrongProof)
	case errors.Is(err, challenge.ErrExpired):
		return say(words, errExpired)
	case errors.Is(err, challenge.ErrUnavailable):
		return say(words, errUnavailable)
	case errors.Is(err, challenge.ErrInvalid), errors.Is(err, challenge.ErrReplayed):
		return say(words, errCheckFailed)
	default:
		return fmt.Errorf("subscription: anti-bot check: %w", err)
	}
	if retry := s.rateLimited(in.ClientKey, email, verified); retry > 0 {
		return say(words, &errs.Error{Kind: errs.TooMany, Key: "subscribe.rate_limited", Retry: retry})
	}
	if in.Honeypot {
		return nil // a bot is told the same, and nothing happens
	}
	if _, err := s.store.Subscribe(ctx, Request{Email: email, Scope: scope, Frequency: freq, Nonce: newNonce(),
		Consent: s.consent, Label: label, Language: lang}); err != nil {
		return err
	}
	if s.wake != nil {
		s.wake()
	}
	return nil
}

// Label names a scope as mail and the manage page show it, in the site's
// language; an article must be public to be followed (ErrNotFound
// otherwise), and so must a section be one of sections.
func (s *Service) Label(ctx context.Context, site article.Site, sections []article.Section, sc Scope) (string, error) {
	label, _, err := s.labelIn(ctx, site, sections, sc)
	return label, err
}

// labelIn is Label in the language of what the scope follows, and that
// language: a section's edition's, an article's own, or the site's. The
// mail about the subscription is written in it.
func (s *Service) labelIn(ctx context.Context, site article.Site, sections []article.Section, sc Scope) (label, lang string, err error) {
	switch sc.Kind {
	case Site:
		return i18n.For(site.Language).T("subscribe.label_site", site.Title), site.Language, nil
	case Section:
		for _, sec := range sections {
			if sec.ID == sc.ID {
				ed, ok := site.Edition(sec.Edition)
				if !ok {
					ed, _ = site.Edition("")
				}
				return i18n.For(ed.Lang).T("subscribe.label_section", sec.Name), ed.Lang, nil
			}
		}
	case Article:
		a, err := s.store.ArticleByID(ctx, sc.ID)
		if err == nil && a.Visible() {
			return i18n.For(a.Language).T("subscribe.label_article", a.Headline), a.Language, nil
		} else if err != nil && !errors.Is(err, article.ErrNotFound) {
			return "", "", err
		}
	}
	return "", "", article.ErrNotFound
}

// say gives e its words in the site's language.
func say(words *i18n.Catalog, e *errs.Error) *errs.Error {
	said := *e
	said.Message = words.T(e.Key)
	return &said
}

// rateLimited applies the limits, the client's own before the site-wide
// one, as for comments: a request its own client's limit refuses never
// takes a site-wide slot, so one client cannot spend the whole site's
// allowance of unchecked requests.
func (s *Service) rateLimited(client, email string, verified bool) time.Duration {
	l := s.limits
	if !verified {
		if ok, retry := l.unverifiedByIP.Allow(client); !ok {
			return retry
		}
		if ok, retry := l.unverifiedAll.Allow("all"); !ok {
			return retry
		}
	}
	if ok, retry := l.byIP.Allow(client); !ok {
		return retry
	}
	if ok, retry := l.byDomain.Allow(Domain(email)); !ok {
		return retry
	}
	return 0
}

func newNonce() string {
	b := make([]byte, 15)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
