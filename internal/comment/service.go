package comment

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/errs"
	"broadsheet/internal/i18n"
	"broadsheet/internal/ratelimit"
)

// SubmitStore is what submitting a comment needs from storage.
type SubmitStore interface {
	Site(ctx context.Context) (article.Site, error)
	Returning(ctx context.Context, email, editHash string) (bool, error)
	Blocklist(ctx context.Context) ([]string, error)
	CreateComment(ctx context.Context, c *Comment) error
}

// DefaultMinFill is the least time between a comment form appearing and a
// comment being sent that does not hold the comment for a moderator.
const DefaultMinFill = 3 * time.Second

// Config is what a Service is built from.
type Config struct {
	// Key is the site's signing key: it signs form stamps and salts the
	// network hashes kept beside comments.
	Key []byte
	// Antibot is the site's one anti-bot rule.
	Antibot challenge.Policy
	// MinFill is how long after its form appeared a comment may be sent
	// without being held as hurried; zero or less turns the rule off.
	MinFill time.Duration
	Now     func() time.Time // nil for the wall clock
}

// Service is the use case of a reader submitting a comment, whichever
// door it comes in by — the article page's form or the JSON API: the
// anti-bot rule, the rate limits, the publish-or-hold decision and
// idempotency happen here and nowhere else.
type Service struct {
	store   SubmitStore
	key     []byte
	antibot challenge.Policy
	minFill time.Duration
	now     func() time.Time
	limits  limits

	mu    sync.Mutex
	gen   uint64 // counts Forget calls: rules read before one are not kept
	rules *rules // nil until read, and after a change
}

// rules are what every comment is checked by and that change rarely: the
// site's settings and the blocklist. They are read once and kept until a
// write changes them (Forget), so comments arriving together do not each
// ask the database.
type rules struct {
	site      article.Site
	blocklist []string
}

// Forget drops the rules kept in memory when keys say they changed: the
// site calls it with every change-log entry, its own process's and every
// other's.
func (s *Service) Forget(keys []string) {
	for _, k := range keys {
		if k == article.KeySite || k == KeyRules {
			s.mu.Lock()
			s.gen++
			s.rules = nil
			s.mu.Unlock()
			return
		}
	}
}

func (s *Service) currentRules(ctx context.Context) (*rules, error) {
	s.mu.Lock()
	r, gen := s.rules, s.gen
	s.mu.Unlock()
	if r != nil {
		return r, nil
	}
	site, err := s.store.Site(ctx)
	if err != nil {
		return nil, err
	}
	blocklist, err := s.store.Blocklist(ctx)
	if err != nil {
		return nil, err
	}
	r = &rules{site: site, blocklist: blocklist}
	s.mu.Lock()
	if s.gen == gen {
		s.rules = r
	}
	s.mu.Unlock()
	return r, nil
}

// NewService returns the Service.
func NewService(st SubmitStore, c Config) *Service {
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Service{store: st, key: c.Key, antibot: c.Antibot, minFill: c.MinFill, now: c.Now, limits: newLimits()}
}

// Limits on commenting, per client, per email and site-wide. The stricter
// unverified limits apply to comments without the anti-bot check
// (JavaScript off): they are always held, and can never flood the queue.
// A newsroom member is counted as themselves (byUser) instead of by
// client and address, and within the site-wide limit like anyone.
type limits struct {
	byIP, byEmail, byUser, site   *ratelimit.Limiter
	unverifiedByIP, unverifiedAll *ratelimit.Limiter
}

// MemberLimit comments in MemberWindow is what one newsroom member may
// send: more than a reader, for a busy thread, and still not a flood
// should their token or session fall into other hands.
const (
	MemberLimit  = 30
	MemberWindow = 10 * time.Minute
)

func newLimits() limits {
	return limits{
		byIP:           ratelimit.New(10, 10*time.Minute, 100_000),
		byEmail:        ratelimit.New(5, 10*time.Minute, 100_000),
		byUser:         ratelimit.New(MemberLimit, MemberWindow, 10_000),
		site:           ratelimit.New(600, time.Hour, 1),
		unverifiedByIP: ratelimit.New(3, time.Hour, 100_000),
		unverifiedAll:  ratelimit.New(100, time.Hour, 1),
	}
}

// Limiters names every limit the service keeps, for sharing them between
// instances (ratelimit.Limiter.Share) and for tests.
func (s *Service) Limiters() map[string]*ratelimit.Limiter {
	return map[string]*ratelimit.Limiter{
		"comment-ip": s.limits.byIP, "comment-email": s.limits.byEmail, "comment-user": s.limits.byUser, "comment-site": s.limits.site,
		"comment-unverified-ip": s.limits.unverifiedByIP, "comment-unverified-all": s.limits.unverifiedAll,
	}
}

// Submission is a comment as a reader sent it, its fields already read
// from the form or the JSON body.
type Submission struct {
	Name, Email, Body string
	Notify            bool
	Parent            int64
	// Key makes a double submission one comment; Submit replaces one that
	// is missing or too long.
	Key string
	// Shown is the form's stamp (Stamp); Submit replaces one that is not
	// genuine, so that a form shown again carries a good one.
	Shown string
	// Altcha and Token are the anti-bot proof: the built-in check's
	// solution, or the configured provider's token.
	Altcha, Token string
	// Client is the sender's address and ClientKey the sender as rate
	// limits count it (clientip.Key).
	Client    netip.Addr
	ClientKey string
	// Commenter lists the commenter tokens the sender holds, the first
	// good one used: an API client's, or the browser's cookies.
	Commenter []string
	// Staff is the signed-in newsroom member sending it, nil for a reader.
	Staff    *account.User
	Honeypot bool // the hidden field a person never sees was filled
}

// Accepted is a stored comment and the commenter token of its author:
// what makes them known again, to give back to the client.
type Accepted struct {
	Comment *Comment
	Token   string
}

// Why a submission is refused, beyond invalid fields: each with a code for
// API clients and the catalog key of what the sender is told.
var (
	errClosed      = &errs.Error{Kind: errs.Forbidden, Key: "comment.closed"}
	errWrongProof  = &errs.Error{Kind: errs.Invalid, Code: "check_failed", Key: "comment.check_wrong"}
	errExpired     = &errs.Error{Kind: errs.Invalid, Code: "check_expired", Key: "comment.check_expired"}
	errUnavailable = &errs.Error{Kind: errs.Unavailable, Code: "check_unavailable", Key: "comment.check_unavailable"}
	errCheckFailed = &errs.Error{Kind: errs.Invalid, Code: "check_failed", Key: "comment.check_failed"}
)

// Submit runs every check a comment passes — the article open to comments,
// the fields, the anti-bot rule, the rate limits, the publish-or-hold
// rules — and stores it on a. The same submission twice (same key and
// text) is the first comment. A refusal is an error of internal/errs:
// invalid fields (FieldErrors), Forbidden when comments are closed, a
// check that failed (codes check_failed, check_expired) or could not be
// made (check_unavailable), TooMany with the time to wait; its words are
// in the site's language.
func (s *Service) Submit(ctx context.Context, a *article.Article, in *Submission) (*Accepted, error) {
	if !a.Visible() {
		return nil, article.ErrNotFound
	}
	rules, err := s.currentRules(ctx)
	if err != nil {
		return nil, err
	}
	site := rules.site
	words := i18n.For(site.Language)
	if !site.CommentsOpen(a, s.now()) {
		return nil, say(words, errClosed)
	}
	if in.Key == "" || len(in.Key) > MaxKeyLength {
		in.Key = NewFormKey()
	}
	// A person reads, then writes: a comment sent within seconds of its
	// form appearing, or with no genuine form stamp at all, is held.
	age, genuine := s.formAge(a.ID, in.Shown)
	hurried := s.minFill > 0 && (!genuine || age < s.minFill)
	if !genuine {
		in.Shown = s.Stamp(a.ID)
	}
	// A signed-in newsroom member, or an API token acting as one, has
	// proved who they are: the anti-bot check and the limits on strangers
	// are not theirs, and they speak under their own name, whatever a
	// form's name field says. Their own limit, the site's, the blocklist
	// and the link rule still hold.
	staff := in.Staff.Can(account.WriteDrafts)
	c := &Comment{ArticleID: a.ID, ParentID: in.Parent, Name: in.Name, Email: in.Email, Body: in.Body, Notify: in.Notify}
	if staff {
		c.Name = in.Staff.Name
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var verdict challenge.Verdict
	if !staff {
		if verdict, err = s.check(ctx, words, in); err != nil {
			return nil, err
		}
		if verdict.Unspent.ID != "" {
			// Spent in the comment's own write below: one durable write
			// per comment, not two.
			c.Check = SpentCheck{ID: verdict.Unspent.ID, Expires: verdict.Unspent.Expires}
		}
	}
	if key, retry := s.rateLimited(in, c.Email, verdict.Verified, staff); key != "" {
		return nil, say(words, &errs.Error{Kind: errs.TooMany, Key: key, Retry: retry})
	}
	// Trust follows the commenter's token, not the address typed: the
	// sender's own, else a new one.
	token := ""
	for _, t := range in.Commenter {
		if token = CommenterToken(t); token != "" {
			break
		}
	}
	if token == "" {
		token, _ = account.NewToken()
	}
	c.EditHash = account.HashToken(token)
	signals := Signals{Verified: verdict.Verified, Staff: staff, Honeypot: in.Honeypot, Hurried: hurried, Blocklist: rules.blocklist}
	c.Status, c.HeldReason = Decide(c, signals)
	// Whether the commenter was approved before is asked of the store only
	// where the answer changes the decision.
	signals.Returning = true
	if status, why := Decide(c, signals); status != c.Status || why != c.HeldReason {
		returning, err := s.store.Returning(ctx, c.Email, c.EditHash)
		if err != nil {
			return nil, err
		}
		if returning {
			c.Status, c.HeldReason = status, why
		}
	}
	if staff {
		c.UserID = in.Staff.ID
	}
	// The key is scoped to what was typed, so two readers who got the same
	// cached form never collide, and a double-click still makes one comment.
	sum := sha256.Sum256([]byte(in.Key + "\x00" + c.Name + "\x00" + c.Email + "\x00" + c.Body + "\x00" + strconv.FormatInt(c.ParentID, 10)))
	c.Key = hex.EncodeToString(sum[:16])
	c.IPHash = s.hashNetwork(in.Client)
	err = s.store.CreateComment(ctx, c)
	var dup *DuplicateError
	switch {
	case errors.As(err, &dup):
		c = dup.Existing
	case errors.Is(err, ErrCheckSpent):
		return nil, say(words, errCheckFailed)
	case err != nil:
		return nil, err
	}
	return &Accepted{Comment: c, Token: token}, nil
}

// check asks the site's anti-bot rule about a submission's proof, and
// says a refusal in words.
func (s *Service) check(ctx context.Context, words *i18n.Catalog, in *Submission) (challenge.Verdict, error) {
	verdict, err := s.antibot.Check(ctx, challenge.Proof{Altcha: in.Altcha, Token: in.Token, RemoteIP: in.Client.String()})
	switch {
	case err == nil:
		return verdict, nil
	case errors.Is(err, challenge.ErrWrongProof):
		return verdict, say(words, errWrongProof)
	case errors.Is(err, challenge.ErrExpired):
		// The reader took longer than the check lasts. Nothing is lost:
		// the text comes back with a fresh check.
		return verdict, say(words, errExpired)
	case errors.Is(err, challenge.ErrUnavailable):
		return verdict, say(words, errUnavailable)
	case errors.Is(err, challenge.ErrInvalid), errors.Is(err, challenge.ErrReplayed):
		return verdict, say(words, errCheckFailed)
	}
	return verdict, fmt.Errorf("comment: anti-bot check: %w", err)
}

// say gives e its words in the site's language.
func say(words *i18n.Catalog, e *errs.Error) *errs.Error {
	said := *e
	said.Message = words.T(e.Key)
	return &said
}

// rateLimited applies the limits in order of cost to a flood, the
// sender's own before the site-wide ones, and returns the catalog key of
// what the sender is told when one is reached. A member is counted by
// their account; a stranger by client and address, and more strictly
// without the anti-bot check.
func (s *Service) rateLimited(in *Submission, email string, verified, staff bool) (string, time.Duration) {
	l := s.limits
	switch {
	case staff:
		if ok, retry := l.byUser.Allow(strconv.FormatInt(in.Staff.ID, 10)); !ok {
			return "comment.limited", retry
		}
	default:
		if !verified {
			if ok, retry := l.unverifiedByIP.Allow(in.ClientKey); !ok {
				return "comment.limited_unverified", retry
			}
			if ok, retry := l.unverifiedAll.Allow("all"); !ok {
				return "comment.limited_site", retry
			}
		}
		if ok, retry := l.byIP.Allow(in.ClientKey); !ok {
			return "comment.limited", retry
		}
		if email != "" {
			if ok, retry := l.byEmail.Allow(strings.ToLower(email)); !ok {
				return "comment.limited", retry
			}
		}
	}
	if ok, retry := l.site.Allow("all"); !ok {
		return "comment.limited_site", retry
	}
	return "", 0
}

// AllowReport counts a reader's report of a comment against the client's
// comment limit: TooMany when it is reached.
func (s *Service) AllowReport(clientKey string) error {
	if ok, retry := s.limits.byIP.Allow("report|" + clientKey); !ok {
		return &errs.Error{Kind: errs.TooMany, Key: "comment.limited", Retry: retry}
	}
	return nil
}

// hashNetwork keeps enough of an address to spot a flood from one
// network, never the address itself: IPv4 to its /24, IPv6 to its /48,
// salted with the site's key.
func (s *Service) hashNetwork(ip netip.Addr) string {
	bits := 24
	if ip.Is6() {
		bits = 48
	}
	p, err := ip.Prefix(bits)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(append(append([]byte{}, s.key...), p.String()...))
	return hex.EncodeToString(sum[:8])
}

// Stamp signs the time a comment form for article id is rendered, now,
// so a submission can say how long after that it came. On a cached page it
// is the time of the rendering, earlier than the reader's visit: the
// measure errs towards the reader.
func (s *Service) Stamp(id int64) string {
	t := strconv.FormatInt(s.now().Unix(), 10)
	return t + "." + s.stampSig(id, t)
}

func (s *Service) stampSig(id int64, t string) string {
	mac := hmac.New(sha256.New, s.key)
	fmt.Fprintf(mac, "comment form shown:%d:%s", id, t)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16])
}

// formAge is how long ago the form with stamp was rendered; false for a
// stamp that is missing, forged, or from another article.
func (s *Service) formAge(id int64, stamp string) (time.Duration, bool) {
	t, sig, ok := strings.Cut(stamp, ".")
	unix, err := strconv.ParseInt(t, 10, 64)
	if !ok || err != nil || !hmac.Equal([]byte(sig), []byte(s.stampSig(id, t))) {
		return 0, false
	}
	return s.now().Sub(time.Unix(unix, 0)), true
}

// NewFormKey is a fresh idempotency key for one rendering of the form.
func NewFormKey() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CommenterToken returns t when it has the shape of a commenter token (32
// random bytes, base64url), "" otherwise.
func CommenterToken(t string) string {
	if b, err := base64.RawURLEncoding.DecodeString(t); err != nil || len(b) != 32 {
		return ""
	}
	return t
}
