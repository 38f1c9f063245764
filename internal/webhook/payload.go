package webhook

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/subscription"
)

// What each event carries, as docs/webhooks.md documents it. The body of
// every message is the specification's envelope,
//
//	{"type": "article.published", "timestamp": "2026-03-01T09:00:00Z", "data": {…}}
//
// where timestamp is when the event happened (each attempt's own time is
// the webhook-timestamp header). Data holds ids, addresses and what an
// integration needs to act without asking the API first, and no personal
// data beyond what the site itself publishes: never an email address, a
// network address or a commenter's token. Fields are added, never
// changed or removed, within one event type.

// Site composes events: its public address turns the site's paths into
// the addresses events carry.
type Site struct {
	// BaseURL is the site's public address, without a trailing slash;
	// empty leaves addresses as paths.
	BaseURL string
}

// URL is the address of path on the site.
func (s Site) URL(path string) string { return strings.TrimSuffix(s.BaseURL, "/") + path }

// envelope is every message's body.
type envelope struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      any    `json:"data"`
}

// Compose is the body of a message of typ that happened at at: the
// envelope in compact JSON, with <, > and & left as they are (receivers
// verify the bytes, and nothing here is HTML).
func Compose(typ string, at time.Time, data any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(envelope{Type: typ, Timestamp: stamp(at), Data: data}); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// stamp is a time as events write it: RFC 3339 in UTC, to the second;
// "" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// Ref names a section, an author or a tag.
type Ref struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Link names an article by its id and address.
type Link struct {
	ID       int64  `json:"id"`
	URL      string `json:"url"`
	Headline string `json:"headline,omitempty"`
}

// NoteData is a correction or an update note.
type NoteData struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	Text      string `json:"text"`
	CreatedAt string `json:"created_at"`
}

// ArticleData is the data of the article events: the article as the
// change left it.
type ArticleData struct {
	ID         int64  `json:"id"`
	URL        string `json:"url"`
	Headline   string `json:"headline"`
	Standfirst string `json:"standfirst"`
	// Status is published, or for article.unpublished unpublished or
	// draft (a scheduled article whose schedule was cancelled sends
	// nothing: it was never public).
	Status   string `json:"status"`
	Language string `json:"language"`
	// Edition is the language code of the article's edition, "" for the
	// main one.
	Edition     string    `json:"edition"`
	Section     Ref       `json:"section"`
	Authors     []Ref     `json:"authors"`
	Tags        []Ref     `json:"tags"`
	ImageURL    string    `json:"image_url,omitempty"`
	PublishedAt string    `json:"published_at,omitempty"`
	UpdatedAt   string    `json:"updated_at,omitempty"`
	ModifiedAt  string    `json:"modified_at"`
	Version     int       `json:"version"`
	Translation int64     `json:"translation_of,omitempty"`
	ReplacedBy  *Link     `json:"replaced_by,omitempty"`
	Note        *NoteData `json:"note,omitempty"`
	// CacheTags name the pages the change touches as the site's Cache-Tag
	// and Surrogate-Key headers name them (article.CacheTag): the article's,
	// the lists it is or was on (articles, its section's, tags' and
	// authors' before and after) and its translations'.
	CacheTags []string `json:"cache_tags"`
}

// ArticleEvent is what an article event is made from.
type ArticleEvent struct {
	// Article is the article as written, with its section, bylines, tags
	// and lead image (with its widths).
	Article *article.Article
	// Before is its section and bylines before an update, nil for none.
	Before *article.Article
	// Replacement is what an unpublished article's address now leads to.
	Replacement *article.Article
	// Note is the correction or update an event is about.
	Note *article.Note
}

// Article is the body of an article event.
func (s Site) Article(typ string, at time.Time, ev ArticleEvent) ([]byte, error) {
	a := ev.Article
	d := ArticleData{ID: a.ID, URL: s.URL(a.Path()), Headline: a.Headline, Standfirst: a.Standfirst, Status: string(a.Status),
		Language: a.Language, Edition: a.Section.Edition, Section: s.section(a.Section), Authors: []Ref{}, Tags: []Ref{},
		PublishedAt: stamp(a.PublishedAt), UpdatedAt: stamp(a.UpdatedAt), ModifiedAt: stamp(a.ModifiedAt), Version: a.Version,
		Translation: a.TranslationOf}
	for _, au := range a.Authors {
		d.Authors = append(d.Authors, s.author(au))
	}
	for _, t := range a.Tags {
		d.Tags = append(d.Tags, Ref{ID: t.ID, Slug: t.Slug, Name: t.Name, URL: s.URL(article.EditionPath(a.Section.Edition, "/tag/"+t.Slug))})
	}
	if img := a.LeadImage; img != nil && len(img.Variants) > 0 {
		d.ImageURL = s.URL("/media/" + strconv.FormatInt(img.ID, 10) + "/" + strconv.Itoa(slices.Max(img.Variants)) + ".jpg")
	}
	if r := ev.Replacement; r != nil {
		d.ReplacedBy = &Link{ID: r.ID, URL: s.URL(r.Path()), Headline: r.Headline}
	}
	if n := ev.Note; n != nil {
		d.Note = &NoteData{ID: n.ID, Kind: string(n.Kind), Text: n.Body, CreatedAt: stamp(n.CreatedAt)}
	}
	d.CacheTags = CacheTags(a, ev.Before)
	return Compose(typ, at, d)
}

func (s Site) section(sec article.Section) Ref {
	return Ref{ID: sec.ID, Slug: sec.Slug, Name: sec.Name, URL: s.URL(sec.Path())}
}

func (s Site) author(au article.Author) Ref {
	return Ref{ID: au.ID, Slug: au.Slug, Name: au.Name, URL: s.URL("/author/" + au.Slug)}
}

// CacheTags are the cache tags of the pages a change of a touches: those
// of the cache keys its write drops, as it is and, after an update, as it
// was.
func CacheTags(a, before *article.Article) []string {
	keys := a.Keys()
	if before != nil {
		keys = append(keys, before.Keys()...)
	}
	return article.CacheTags(keys)
}

// CommentData is the data of the comment events.
type CommentData struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
	// Article is the article it is under.
	Article  Link  `json:"article"`
	ParentID int64 `json:"parent_id,omitempty"`
	// Status is approved (public) or pending (waiting for a moderator).
	Status string `json:"status"`
	// AuthorName is the name the comment is shown under; Staff says a
	// newsroom member wrote it. The commenter's email address is never
	// sent.
	AuthorName string `json:"author_name"`
	Staff      bool   `json:"staff"`
	// Text is the comment as written (the site's Markdown subset).
	Text      string `json:"text"`
	CreatedAt string `json:"created_at"`
}

// Comment is the body of a comment event about c, under a (its id, slug,
// headline and section).
func (s Site) Comment(typ string, at time.Time, c *comment.Comment, a *article.Article) ([]byte, error) {
	page := s.URL(a.Path())
	return Compose(typ, at, CommentData{ID: c.ID, URL: page + "#c-" + strconv.FormatInt(c.ID, 10),
		Article: Link{ID: a.ID, URL: page, Headline: a.Headline}, ParentID: c.ParentID, Status: string(c.Status),
		AuthorName: c.Name, Staff: c.Staff(), Text: c.Body, CreatedAt: stamp(c.CreatedAt)})
}

// ScopeData is what a subscription follows.
type ScopeData struct {
	// Kind is site, section or article; ID the section's or article's
	// (0 for the site).
	Kind string `json:"kind"`
	ID   int64  `json:"id"`
	Name string `json:"name,omitempty"`
	URL  string `json:"url"`
}

// SubscriberData is the data of subscriber.confirmed: which subscription
// was confirmed, never the address.
type SubscriberData struct {
	SubscriberID   int64     `json:"subscriber_id"`
	SubscriptionID int64     `json:"subscription_id"`
	Scope          ScopeData `json:"scope"`
	Frequency      string    `json:"frequency"`
	// FirstConfirmation says the address was confirmed for the first
	// time: a new subscriber rather than a new subscription.
	FirstConfirmation bool   `json:"first_confirmation"`
	ConfirmedAt       string `json:"confirmed_at"`
}

// Subscription is the body of subscriber.confirmed about sub, whose scope
// is named name at path on the site.
func (s Site) Subscription(at time.Time, sub *subscription.Subscription, name, path string, first bool) ([]byte, error) {
	return Compose(SubscriberConfirmed, at, SubscriberData{SubscriberID: sub.SubscriberID, SubscriptionID: sub.ID,
		Scope: ScopeData{Kind: string(sub.Scope.Kind), ID: sub.Scope.ID, Name: name, URL: s.URL(path)}, Frequency: string(sub.Frequency),
		FirstConfirmation: first, ConfirmedAt: stamp(at)})
}

// LiveUpdateData is the data of liveblog.update_posted: the update, and
// the live blog it is posted to.
type LiveUpdateData struct {
	ID int64 `json:"id"`
	// URL is the update's permalink: the page of updates that begins with
	// it.
	URL      string `json:"url"`
	LiveBlog Link   `json:"live_blog"`
	Authors  []Ref  `json:"authors"`
	// Headline is the update's own, left out when it has none.
	Headline string `json:"headline,omitempty"`
	// Text is the update as written (Markdown); Pinned says it is held at
	// the top of the live blog, KeyEvent that it is listed among the key
	// events.
	Text     string `json:"text"`
	Pinned   bool   `json:"pinned"`
	KeyEvent bool   `json:"key_event"`
	PostedAt string `json:"posted_at"`
	// CacheTags name the pages the post changes as their Cache-Tag and
	// Surrogate-Key headers name them: the live blog's pages and the feed
	// of its updates (liveblog-ID).
	CacheTags []string `json:"cache_tags"`
}

// LiveUpdate is the body of liveblog.update_posted about u, just posted to
// the live blog a (its id, slug, headline and section), u's bylines read
// with it; keys are the cache keys the post touched.
func (s Site) LiveUpdate(at time.Time, u *liveblog.Update, a *article.Article, keys []string) ([]byte, error) {
	d := LiveUpdateData{ID: u.ID, URL: s.URL(liveblog.Permalink(a.Path(), u.ID)), LiveBlog: Link{ID: a.ID, URL: s.URL(a.Path()), Headline: a.Headline},
		Authors: []Ref{}, Headline: u.Headline, Text: u.Body, Pinned: u.Pinned, KeyEvent: u.KeyEvent, PostedAt: stamp(u.CreatedAt),
		CacheTags: article.CacheTags(keys)}
	for _, au := range u.Authors {
		d.Authors = append(d.Authors, s.author(au))
	}
	return Compose(LiveblogUpdatePosted, at, d)
}

// TestData is the data of webhook.test.
type TestData struct {
	EndpointID int64  `json:"endpoint_id"`
	Site       string `json:"site"`
}

// TestMessage is the message of a test of endpoint id, sent at now.
func (s Site) TestMessage(id int64, now time.Time) (Message, error) {
	body, err := Compose(Test, now, TestData{EndpointID: id, Site: s.URL("/")})
	return Message{ID: NewMessageID(now), Type: Test, Payload: body, CreatedAt: now}, err
}

// ArticleChange is the event a write that took an article from status was
// ("" for a new article) to status is announces, "" for none: going live
// is article.published, a change to a live article article.updated, and
// leaving the site article.unpublished. Drafts and scheduled articles are
// nobody's business yet; a scheduled one is published when its time
// comes.
func ArticleChange(was, is article.Status) string {
	switch {
	case was != article.Published && is == article.Published:
		return ArticlePublished
	case was == article.Published && is == article.Published:
		return ArticleUpdated
	case was == article.Published:
		return ArticleUnpublished
	}
	return ""
}
