package web

import (
	"context"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/library"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/mail"
	"broadsheet/internal/markup"
	"broadsheet/internal/newsroom"
	redirects "broadsheet/internal/redirect"
	"broadsheet/internal/search"
	"broadsheet/internal/subscription"
)

// Store is what the site asks of storage: the methods its handlers call,
// declared area by area beside one another, so that a handler's needs are
// read in one place and a method nobody calls is not asked for.
type Store interface {
	readerStore
	discussionStore
	subscriberStore
	accountStore
	deskStore
	redirectStore
	liveStore
	SigningKey(ctx context.Context) ([]byte, error) // the site's secret, read once at start
}

// readerStore is what the reading site asks of storage: its pages, feeds,
// sitemaps, search, images and page views.
type readerStore interface {
	AddViews(ctx context.Context, byID map[int64]int, at time.Time) error
	ApprovedCount(ctx context.Context, articleIDs []int64) (map[int64]int, error)
	ArticleByID(ctx context.Context, id int64) (*article.Article, error)
	ArticleBySlug(ctx context.Context, slug string) (*article.Article, error)
	Articles(ctx context.Context, q article.Query) (article.List, error)
	AuthorBySlug(ctx context.Context, slug string) (*article.Author, error)
	Authors(ctx context.Context) ([]article.Author, error)
	Banner(ctx context.Context) (article.Banner, error)
	Corrections(ctx context.Context, limit int) ([]article.Note, error)
	ImagePublic(ctx context.Context, id int64) (bool, error)
	DocumentByID(ctx context.Context, id int64) (*article.Document, error)
	DocumentBytes(ctx context.Context, id, offset, n int64) ([]byte, error)
	DocumentPublic(ctx context.Context, id int64) (bool, error)
	ImageVariant(ctx context.Context, imageID int64, width int) (*article.Variant, error)
	// Markup renders article bodies and pages where their stored HTML is
	// out of date, and in previews.
	Markup() *markup.Renderer
	MostRead(ctx context.Context, since time.Time, limit int) ([]article.Article, error)
	PageBySlug(ctx context.Context, slug string) (*article.Page, error)
	Pages(ctx context.Context) ([]article.Page, error)
	Ping(ctx context.Context) error
	PublishedCount(ctx context.Context, edition string) (int, error)
	PublishedTranslations(ctx context.Context) ([]article.Article, error)
	RedirectSlug(ctx context.Context, old string) (string, error)
	RelatedArticles(ctx context.Context, id int64, limit int) ([]article.Article, error)
	Search(ctx context.Context, r search.Request) (search.Results, error)
	SectionBySlug(ctx context.Context, slug string) (*article.Section, error)
	Sections(ctx context.Context) ([]article.Section, error)
	Site(ctx context.Context) (article.Site, error)
	SitemapArticles(ctx context.Context, edition string, offset, limit int, fn func(article.Article) error) error
	TagBySlug(ctx context.Context, slug string) (*article.Tag, error)
	Thread(ctx context.Context, q comment.Query) ([]comment.Comment, error)
	Translations(ctx context.Context, original int64) ([]article.Article, error)
}

// discussionStore is what a discussion under an article asks of storage:
// its comments, and what a commenter may do to their own.
type discussionStore interface {
	ApprovedCount(ctx context.Context, articleIDs []int64) (map[int64]int, error)
	ArticleByID(ctx context.Context, id int64) (*article.Article, error)
	ArticleBySlug(ctx context.Context, slug string) (*article.Article, error)
	BareArticleBySlug(ctx context.Context, slug string) (*article.Article, error)
	Blocklist(ctx context.Context) ([]string, error)
	CommentByID(ctx context.Context, id int64) (*comment.Comment, error)
	DeleteOwnComment(ctx context.Context, id int64, editHash string, now time.Time) error
	EditOwnComment(ctx context.Context, id int64, editHash, body, hold string, now time.Time) error
	ReportComment(ctx context.Context, id int64) (int, error)
	Returning(ctx context.Context, email, editHash string) (bool, error)
	Thread(ctx context.Context, q comment.Query) ([]comment.Comment, error)
}

// subscriberStore is what a subscriber's links ask of storage: confirming,
// changing and leaving subscriptions.
type subscriberStore interface {
	CommentByID(ctx context.Context, id int64) (*comment.Comment, error)
	Confirm(ctx context.Context, id int64, nonce string) (*subscription.Subscription, error)
	SetFrequency(ctx context.Context, subscriberID, id int64, f subscription.Frequency) error
	StopReplies(ctx context.Context, id int64) error
	Subscriber(ctx context.Context, id int64) (*subscription.Subscriber, error)
	Unsubscribe(ctx context.Context, subscriberID, id int64) error
}

// accountStore is what signing in and out, the first setup and password
// resets ask of storage.
type accountStore interface {
	account.SecondStepStore
	Audit(ctx context.Context, e article.AuditEntry) error
	CreateToken(ctx context.Context, t *account.Token) error
	// MarkUsed spends a passkey ceremony's challenge, as it does the
	// anti-bot check's (challenge.UsedStore).
	MarkUsed(ctx context.Context, id string, expires time.Time) (first bool, err error)
	CountAdmins(ctx context.Context) (int, error)
	CreateSession(ctx context.Context, s *account.Session) error
	CreateSetupToken(ctx context.Context, hash string, expires time.Time) error
	CreateUser(ctx context.Context, u *account.User) error
	DeleteSession(ctx context.Context, id int64) error
	DeleteUserSessions(ctx context.Context, userID, keep int64) error
	Enqueue(ctx context.Context, msgs ...mail.Message) error
	SessionByTokenHash(ctx context.Context, hash string) (*account.Session, error)
	TouchSession(ctx context.Context, id int64, at time.Time) error
	SetPassword(ctx context.Context, id int64, hash string) error
	UseSetupToken(ctx context.Context, hash string, now time.Time) error
	UserByEmail(ctx context.Context, email string) (*account.User, error)
	UserByID(ctx context.Context, id int64) (*account.User, error)
	UserSessions(ctx context.Context, userID int64) ([]account.Session, error)
}

// deskStore is what the newsroom's pages ask of storage: articles, media,
// sections, tags, authors, people, comments, readers and mail.
type deskStore interface {
	library.Store
	AdminArticles(ctx context.Context, q article.AdminQuery) ([]article.Article, error)
	ArticleByID(ctx context.Context, id int64) (*article.Article, error)
	Audit(ctx context.Context, e article.AuditEntry) error
	AuditLog(ctx context.Context, beforeID int64, limit int) ([]article.AuditEntry, error)
	AuthorBySlug(ctx context.Context, slug string) (*article.Author, error)
	Authors(ctx context.Context) ([]article.Author, error)
	Banner(ctx context.Context) (article.Banner, error)
	Blocklist(ctx context.Context) ([]string, error)
	CommentsByEmail(ctx context.Context, email string) ([]comment.Comment, error)
	CountAdmins(ctx context.Context) (int, error)
	CreateAuthor(ctx context.Context, a *article.Author) (err error)
	CreateImage(ctx context.Context, img *article.Image, variants []article.Variant) error
	CreateSection(ctx context.Context, s *article.Section) (err error)
	CreateTag(ctx context.Context, t *article.Tag) (err error)
	CreateUser(ctx context.Context, u *account.User) error
	DeleteAuthor(ctx context.Context, id int64) error
	DeleteSection(ctx context.Context, id int64) error
	DeleteSession(ctx context.Context, id int64) error
	DeleteTag(ctx context.Context, id int64) error
	DeleteUserSessions(ctx context.Context, userID, keep int64) error
	EditComment(ctx context.Context, id int64, body string, now time.Time) error
	EraseCommenter(ctx context.Context, email string) (int, error)
	EraseSubscriber(ctx context.Context, email string) (bool, error)
	ImageByID(ctx context.Context, id int64) (*article.Image, error)
	ImageBySourceHash(ctx context.Context, hash string) (*article.Image, error)
	DocumentBySourceHash(ctx context.Context, hash string) (*article.Document, error)
	CreateDocument(ctx context.Context, doc *article.Document, data []byte) error
	Media(ctx context.Context, q string, page, size int) (*article.MediaPage, error)
	Images(ctx context.Context, limit int) ([]article.Image, error)
	ImportSubscribers(ctx context.Context, rows []subscription.Import) (int, error)
	ModerationQueue(ctx context.Context, status comment.Status, beforeID int64, limit int) ([]comment.Queued, error)
	OutboxCounts(ctx context.Context) (map[mail.Status]int, error)
	OutboxList(ctx context.Context, status mail.Status, beforeID int64, limit int) ([]mail.Message, error)
	OutboxMessage(ctx context.Context, id int64) (*mail.Message, error)
	PageBySlug(ctx context.Context, slug string) (*article.Page, error)
	Retry(ctx context.Context, id int64, now time.Time) (int, error)
	Revisions(ctx context.Context, articleID int64) ([]article.Revision, error)
	RevokeToken(ctx context.Context, userID, id int64, at time.Time) error
	SectionBySlug(ctx context.Context, slug string) (*article.Section, error)
	Sections(ctx context.Context) ([]article.Section, error)
	SetBanner(ctx context.Context, b article.Banner) error
	SetBlocklist(ctx context.Context, entries []string) error
	SetCommentPinned(ctx context.Context, id int64, pinned bool) error
	SetCommentStatus(ctx context.Context, ids []int64, status comment.Status) error
	SetSite(ctx context.Context, s article.Site) error
	Site(ctx context.Context) (article.Site, error)
	SubscriberStats(ctx context.Context) (subscription.Stats, error)
	Subscribers(ctx context.Context, q subscription.Query) ([]subscription.Subscriber, error)
	TagBySlug(ctx context.Context, slug string) (*article.Tag, error)
	TagUsage(ctx context.Context) (map[int64]int, error)
	Tags(ctx context.Context) ([]article.Tag, error)
	UpdateAuthor(ctx context.Context, a *article.Author) error
	UpdateSection(ctx context.Context, s *article.Section) error
	UpdateTag(ctx context.Context, t *article.Tag) error
	SetPassword(ctx context.Context, id int64, hash string) error
	SetUserAccess(ctx context.Context, id int64, role account.Role, disabled bool, authorID int64) error
	UserByID(ctx context.Context, id int64) (*account.User, error)
	UserSessions(ctx context.Context, userID int64) ([]account.Session, error)
	UserTokens(ctx context.Context, userID int64) ([]account.Token, error)
	Users(ctx context.Context) ([]account.User, error)
}

// liveStore is what live blogs ask of storage: their pages, feeds and
// readers' streams read their updates, and the newsroom's composer posts
// through newsroom.LiveBlogs, which asks for the rest.
type liveStore interface {
	newsroom.LiveStore
	LiveChanges(ctx context.Context, articleID, seq int64, limit int) ([]liveblog.Update, error)
	LiveHighlights(ctx context.Context, articleID int64) (liveblog.Highlights, error)
	LiveRevisions(ctx context.Context, id int64) ([]liveblog.Revision, error)
	LiveUpdate(ctx context.Context, id int64) (*liveblog.Update, error)
	LiveUpdates(ctx context.Context, q liveblog.Query) (liveblog.Page, error)
}

// redirectStore is what the redirects from old addresses ask of storage:
// answering an address, adding up hits, and the newsroom's page.
type redirectStore interface {
	AddRedirectHits(ctx context.Context, hits map[int64]redirects.Hit) error
	CreateRedirect(ctx context.Context, r *redirects.Redirect) error
	DeleteRedirect(ctx context.Context, id int64) error
	RedirectByID(ctx context.Context, id int64) (*redirects.Redirect, error)
	RedirectFor(ctx context.Context, target string) (*redirects.Redirect, error)
	Redirects(ctx context.Context, q redirects.Query) ([]redirects.Redirect, error)
	UpdateRedirect(ctx context.Context, r *redirects.Redirect) error
}
