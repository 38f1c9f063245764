// Package article owns the newsroom's content model: articles, sections,
// tags, authors, lead images and static pages, the rules that decide what a
// reader may see, and the Store interface every storage engine implements.
package article

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"broadsheet/internal/account"
	"broadsheet/internal/errs"
)

// Status is where an article stands in the publishing workflow.
type Status string

const (
	Draft       Status = "draft"
	Scheduled   Status = "scheduled"
	Published   Status = "published"
	Unpublished Status = "unpublished" // was public once; its URL answers 410 Gone
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case Draft, Scheduled, Published, Unpublished:
		return true
	}
	return false
}

// Section is a top-level department of the paper (City, Sport, ...).
type Section struct {
	ID          int64
	Slug        string
	Name        string
	Description string
	Position    int // order in navigation, ascending
	// Edition is the edition the section and its articles belong to: ""
	// for the site's main edition, otherwise the edition's language code,
	// which is also the start of its addresses ("/fa/…").
	Edition string
}

// Path is the section's address on the site.
func (s Section) Path() string { return EditionPath(s.Edition, "/"+s.Slug) }

// EditionPath is path as the edition ed serves it: unchanged in the main
// edition (ed ""), under "/ed" in another. The front page "/" of an
// edition is "/ed".
func EditionPath(ed, path string) string {
	switch {
	case ed == "":
		return path
	case path == "/":
		return "/" + ed
	}
	return "/" + ed + path
}

// Tag is a free-form topic label.
type Tag struct {
	ID   int64
	Slug string
	Name string
}

// Author is a person who can appear in a byline.
type Author struct {
	ID   int64
	Slug string
	Name string
	Role string // shown under the name, e.g. "Business editor"
	Bio  string
}

// Image is a stored picture with the editorial text that goes with it.
// Variants holds the widths it is stored at, smallest first.
type Image struct {
	ID       int64
	Alt      string
	Caption  string
	Credit   string
	Width    int
	Height   int
	Variants []int
	// SourceHash is the SHA-256 of the uploaded file, empty for generated images.
	SourceHash string
	UploadedBy int64
	CreatedAt  time.Time
}

// Document is a file of the media library that is not a picture: a PDF or
// an audio recording, served as uploaded at Path.
type Document struct {
	ID int64
	// Name is the file name it is served under: the uploaded name's words
	// in lower case joined by hyphens, with the extension its bytes show.
	Name        string
	Title       string
	ContentType string
	Size        int64
	SourceHash  string
	UploadedBy  int64
	CreatedAt   time.Time
}

// Path is where the site serves the document.
func (d Document) Path() string { return "/media/" + strconv.FormatInt(d.ID, 10) + "/" + d.Name }

// MediaItem is an image or a document of the media library.
type MediaItem struct {
	Image    *Image
	Document *Document
}

// ID is the item's id, unique within its kind.
func (m MediaItem) ID() int64 {
	if m.Image != nil {
		return m.Image.ID
	}
	return m.Document.ID
}

// CreatedAt is when the item was uploaded.
func (m MediaItem) CreatedAt() time.Time {
	if m.Image != nil {
		return m.Image.CreatedAt
	}
	return m.Document.CreatedAt
}

// MediaPage is one page of the media library: images and documents,
// newest first.
type MediaPage struct {
	Items     []MediaItem // both, in the library's order
	Images    []Image
	Documents []Document
	More      bool // a further page exists
}

// Variant is one stored rendition of an image.
type Variant struct {
	Width       int
	Height      int
	ContentType string
	Bytes       []byte
}

// Article is a piece of journalism. Summary listings leave Body and
// BodyHTML empty.
type Article struct {
	ID          int64
	Slug        string
	Headline    string
	Standfirst  string
	Body        string // Markdown
	BodyHTML    string // the stored HTML of Body, empty when none is stored for the current renderer
	Section     Section
	Tags        []Tag
	Authors     []Author // byline order
	LeadImage   *Image
	Status      Status
	Language    string // BCP 47, e.g. "en", "fa"
	PublishedAt time.Time
	UpdatedAt   time.Time // zero unless it was updated after publication
	ModifiedAt  time.Time // last write of any kind; drives cache validators

	// Workflow.
	Version     int       // counts saves; an update must name the version it edited
	CreatedBy   int64     // user who created it, 0 if unknown
	SubmittedAt time.Time // a contributor's draft awaiting review
	ReplacedBy  int64     // an unpublished article whose URL 301s to this one
	Notes       []Note    // corrections and updates, oldest first
	// CommentsClosed stops new comments; existing ones stay visible.
	CommentsClosed bool
	// TranslationOf is the article this one translates, 0 for none. The
	// original and its translations are one group, each in its own
	// edition; a translation of a translation names the group's original.
	TranslationOf int64
	// EditorID is who is saving; recorded in the revision, not on the article.
	EditorID int64

	// LiveBlog tells the story as a live blog: short timestamped updates
	// below the body, newest first (internal/liveblog).
	LiveBlog bool
	// CoverageStart and CoverageEnd are when a live blog's coverage was
	// opened and closed; zero when not yet.
	CoverageStart, CoverageEnd time.Time
	// LiveSeq counts the changes to a live blog's updates: each post,
	// edit and deletion takes the next number. A page shows the updates
	// as of its LiveSeq, and its stream goes on from there.
	LiveSeq int64
}

// Live reports whether a live blog's coverage is open: started and not
// ended.
func (a *Article) Live() bool {
	return a.LiveBlog && !a.CoverageStart.IsZero() && a.CoverageEnd.IsZero()
}

// CoverageEnded reports whether a live blog's coverage has been closed.
func (a *Article) CoverageEnded() bool { return a.LiveBlog && !a.CoverageEnd.IsZero() }

// NoteKind tells a correction from an update.
type NoteKind string

const (
	Correction NoteKind = "correction"
	Update     NoteKind = "update"
)

// Path is the article's address on the site.
func (a *Article) Path() string { return a.Section.Path() + "/" + a.Slug }

// Original is the id of the article a's translation group is named by:
// the article it translates, or a itself.
func (a *Article) Original() int64 {
	if a.TranslationOf != 0 {
		return a.TranslationOf
	}
	return a.ID
}

// Note is a dated correction or update appended to a published article.
type Note struct {
	ID        int64
	ArticleID int64
	Kind      NoteKind
	Body      string
	CreatedAt time.Time
	UserID    int64
	// Set when listed on the corrections page.
	Article *Article
}

// Revision is one saved version of an article.
type Revision struct {
	ID        int64
	ArticleID int64
	Version   int
	UserID    int64
	CreatedAt time.Time
	Snapshot  Snapshot
}

// Snapshot is what an editor controls, as saved in a revision.
type Snapshot struct {
	Headline    string    `json:"headline"`
	Standfirst  string    `json:"standfirst"`
	Slug        string    `json:"slug"`
	Body        string    `json:"body"`
	SectionID   int64     `json:"section_id"`
	TagIDs      []int64   `json:"tag_ids"`
	AuthorIDs   []int64   `json:"author_ids"`
	LeadImageID int64     `json:"lead_image_id,omitempty"`
	Language    string    `json:"language"`
	Status      Status    `json:"status"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Closed      bool      `json:"comments_closed,omitempty"`
	LiveBlog    bool      `json:"live_blog,omitempty"`
}

// SnapshotOf captures a's editable fields.
func SnapshotOf(a *Article) Snapshot {
	s := Snapshot{Headline: a.Headline, Standfirst: a.Standfirst, Slug: a.Slug, Body: a.Body, SectionID: a.Section.ID,
		Language: a.Language, Status: a.Status, PublishedAt: a.PublishedAt, Closed: a.CommentsClosed, LiveBlog: a.LiveBlog}
	for _, t := range a.Tags {
		s.TagIDs = append(s.TagIDs, t.ID)
	}
	for _, au := range a.Authors {
		s.AuthorIDs = append(s.AuthorIDs, au.ID)
	}
	if a.LeadImage != nil {
		s.LeadImageID = a.LeadImage.ID
	}
	return s
}

// ConflictError is returned when an update names a version that is not
// the latest: someone else saved in between (or the version named was
// never saved). Current is what is stored, so the editor can compare both
// texts; Sent is the version the update named.
type ConflictError struct {
	Current *Article
	Sent    int
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("article %d: version %d was named, but version %d is stored", e.Current.ID, e.Sent, e.Current.Version)
}

// Message says what went wrong in words for the editor: which version
// they sent and which one is stored.
func (e *ConflictError) Message() string {
	if e.Sent > e.Current.Version {
		return fmt.Sprintf("you sent version %d, which this article has not reached: it is at version %d (see current)", e.Sent, e.Current.Version)
	}
	return fmt.Sprintf("you sent version %d, but someone else has saved this article since: it is now at version %d (see current)", e.Sent, e.Current.Version)
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// Shown says the conflict as the vocabulary does: its message, and the
// version field as stale.
func (e *ConflictError) Shown() *errs.Error {
	return &errs.Error{Kind: errs.Conflict, Message: e.Message(), Fields: []errs.Problem{{Field: "version", Message: "stale"}}}
}

// AuditEntry records who did what to which object.
type AuditEntry struct {
	ID         int64
	At         time.Time
	UserID     int64
	UserName   string // filled in when listed
	Action     string // e.g. "article.publish"
	ObjectType string // "article", "user", "settings", ...
	ObjectID   int64
	Detail     string
}

// AdminQuery selects articles of any status for the newsroom's list,
// most recently modified first.
type AdminQuery struct {
	Status    Status // "" for any; "review" for submitted drafts
	SectionID int64
	AuthorID  int64
	CreatedBy int64
	Search    string // words in the headline or standfirst
	BeforeID  int64  // keyset: rows modified before the row with this id
	Limit     int
}

// Banner is the site-wide breaking-news line.
type Banner struct {
	Text    string
	URL     string
	Expires time.Time
}

// Active reports whether the banner should show at now.
func (b Banner) Active(now time.Time) bool { return b.Text != "" && now.Before(b.Expires) }

// Visible reports whether readers may see the article.
func (a *Article) Visible() bool { return a.Status == Published }

// Updated reports whether the article carries an "updated" time worth showing.
func (a *Article) Updated() bool {
	return !a.UpdatedAt.IsZero() && a.UpdatedAt.After(a.PublishedAt)
}

// Page is a static page such as About or Contact.
type Page struct {
	ID         int64
	Slug       string
	Title      string
	Body       string // Markdown
	Language   string
	ModifiedAt time.Time
}

// Site holds the settings every page shows.
type Site struct {
	Title    string
	Tagline  string
	Language string
	TimeZone string // IANA name
	// CommentsCloseDays closes comments this many days after publication;
	// 0 keeps them open.
	CommentsCloseDays int
	// DigestHour is the hour of the day (0–23, in TimeZone) when daily
	// digests go out.
	DigestHour int
	// FeedFullText puts whole articles in feeds; otherwise their
	// standfirsts.
	FeedFullText bool
	// TwitterSite is the site's X (Twitter) account, "@name", named in
	// link previews as twitter:site; empty for none.
	TwitterSite string
	// LatinDigits writes numbers in the main edition in 0–9 where its
	// language has digits of its own (Arabic may use either).
	LatinDigits bool
	// Editions are the languages the site publishes in besides Language,
	// each under its own addresses.
	Editions []Edition
	// SecondStep says which newsroom accounts must sign in with a second
	// step beside the password.
	SecondStep account.Policy
}

// Edition is one of the languages a site publishes in. The main edition
// is the site's own Language, at the site's root; another lives under
// "/Lang".
type Edition struct {
	Lang        string `json:"lang"`    // a language code, also the start of the edition's addresses
	Title       string `json:"title"`   // the site's name in this edition
	Tagline     string `json:"tagline"` // the site's tagline in this edition
	LatinDigits bool   `json:"latin_digits,omitempty"`
	// Main is set on the main edition that Site.Edition makes up.
	Main bool `json:"-"`
}

// Code is the edition's code in sections and addresses: "" for the main
// edition.
func (e Edition) Code() string {
	if e.Main {
		return ""
	}
	return e.Lang
}

// Path is path in this edition.
func (e Edition) Path(path string) string { return EditionPath(e.Code(), path) }

// Edition returns the edition with code ("" is the main edition), and
// whether the site has it.
func (s Site) Edition(code string) (Edition, bool) {
	if code == "" {
		return Edition{Lang: s.Language, Title: s.Title, Tagline: s.Tagline, LatinDigits: s.LatinDigits, Main: true}, true
	}
	for _, e := range s.Editions {
		if e.Lang == code {
			if e.Title == "" {
				e.Title = s.Title
			}
			return e, true
		}
	}
	return Edition{}, false
}

// AllEditions lists the main edition and then the others.
func (s Site) AllEditions() []Edition {
	all := make([]Edition, 0, 1+len(s.Editions))
	for _, code := range append([]string{""}, s.EditionCodes()...) {
		e, _ := s.Edition(code)
		all = append(all, e)
	}
	return all
}

// EditionCodes lists the codes of the editions besides the main one.
func (s Site) EditionCodes() []string {
	codes := make([]string, len(s.Editions))
	for i, e := range s.Editions {
		codes[i] = e.Lang
	}
	return codes
}

// editionCode is what an edition's language code may be: a primary
// language subtag. It is the first segment of the edition's addresses, so
// the newsroom refuses one that a section or page of the main edition
// already has as its slug.
var editionCode = regexp.MustCompile(`^[a-z]{2,3}$`)

// ValidateEditions checks s.Editions: codes well formed, none the main
// language nor repeated, each in known (the languages with a catalogue).
func (s Site) ValidateEditions(known []string) error {
	inv := &InvalidError{}
	seen := map[string]bool{s.Language: true}
	for _, e := range s.Editions {
		switch {
		case !editionCode.MatchString(e.Lang):
			inv.AddKey("editions", "problem.edition_code", e.Lang)
		case !slices.Contains(known, e.Lang):
			inv.AddKey("editions", "problem.edition_no_catalogue", e.Lang)
		case e.Lang == s.Language:
			inv.AddKey("editions", "problem.edition_main", e.Lang)
		case seen[e.Lang]:
			inv.AddKey("editions", "problem.edition_twice", e.Lang)
		}
		seen[e.Lang] = true
		if utf8.RuneCountInString(e.Title) > 200 || utf8.RuneCountInString(e.Tagline) > 300 {
			inv.AddKey("editions", "problem.edition_too_long", e.Lang)
		}
	}
	return inv.OrNil()
}

// maxTwitterName is the length of the longest X account name.
const maxTwitterName = 15

var twitterName = regexp.MustCompile(fmt.Sprintf(`^[A-Za-z0-9_]{1,%d}$`, maxTwitterName))

// TwitterHandle reads an X (Twitter) account as an editor may type it —
// "@courier", "courier", "https://x.com/courier" — and gives it as
// "@courier"; empty stays empty.
func TwitterHandle(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, p := range []string{"https://", "http://", "www.", "x.com/", "twitter.com/", "@"} {
		s = strings.TrimPrefix(s, p)
	}
	s = strings.TrimSuffix(s, "/")
	if !twitterName.MatchString(s) {
		return "", errs.InvalidKey("twitter_site", "problem.x_account", maxTwitterName)
	}
	return "@" + s, nil
}

// CommentsOpen reports whether readers may comment on a at now.
func (s Site) CommentsOpen(a *Article, now time.Time) bool {
	if a.CommentsClosed {
		return false
	}
	at := s.CommentsCloseAt(a)
	return at.IsZero() || now.Before(at)
}

// CommentsCloseAt is when a's comments close by age; zero when they do not.
func (s Site) CommentsCloseAt(a *Article) time.Time {
	if s.CommentsCloseDays <= 0 {
		return time.Time{}
	}
	return a.PublishedAt.AddDate(0, 0, s.CommentsCloseDays)
}

// DefaultSite is used until an editor changes the settings.
var DefaultSite = Site{Title: "Broadsheet", Language: "en", TimeZone: "UTC", DigestHour: 7}

// Location returns the site's time zone, falling back to UTC.
func (s Site) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Limits on what an article may hold.
const (
	MaxHeadline   = 200
	MaxStandfirst = 600
	MaxBody       = 200_000
	MaxSlug       = 80
)

// Validate checks the fields an editor controls and says what is wrong,
// naming the field of each problem.
func (a *Article) Validate() error {
	inv := &InvalidError{}
	if strings.TrimSpace(a.Headline) == "" {
		inv.AddKey("headline", "problem.headline_required")
	} else if utf8.RuneCountInString(a.Headline) > MaxHeadline {
		inv.AddKey("headline", "problem.headline_long", MaxHeadline)
	}
	if utf8.RuneCountInString(a.Standfirst) > MaxStandfirst {
		inv.AddKey("standfirst", "problem.standfirst_long", MaxStandfirst)
	}
	if len(a.Body) > MaxBody {
		inv.AddKey("body", "problem.body_long", MaxBody)
	}
	if err := ValidateSlug(a.Slug); err != nil {
		for _, p := range errs.From(err).Fields {
			inv.AddProblem(p)
		}
	}
	if !a.Status.Valid() {
		inv.AddKey("status", "problem.status_unknown", string(a.Status))
	}
	if a.Section.ID == 0 {
		inv.AddKey("section", "problem.section_required")
	}
	if a.Status == Published && a.PublishedAt.IsZero() {
		inv.AddKey("publish_at", "problem.publish_time_required")
	}
	if a.Language == "" {
		inv.AddKey("language", "problem.language_required")
	}
	return inv.OrNil()
}

// InvalidError lists everything wrong with an input, in words safe to
// show, each with the field it is about: the vocabulary's errs.InvalidError.
type InvalidError = errs.InvalidError

// Sentinel errors every Store returns, wrapped with context. Their text is
// for logs; whoever answers says the kind's own words.
var (
	ErrNotFound = errs.New(errs.NotFound, "not found")
	ErrConflict = errs.New(errs.Conflict, "conflict") // e.g. a slug already taken
)

// SlugTaken says what a store's ErrConflict on saving a record means to
// whoever sent it: the slug is another record's, the only unique key a
// save can hit. A stale version (*ConflictError) and any other error stay
// as they are.
func SlugTaken(err error) error {
	var stale *ConflictError
	if !errors.Is(err, ErrConflict) || errors.As(err, &stale) {
		return err
	}
	return &errs.Error{Kind: errs.Conflict, Message: "the slug is already in use",
		Fields: []errs.Problem{{Field: "slug", Message: "already in use"}}, Err: err}
}

// ReadingTime estimates minutes to read a Markdown body at an adult's
// average silent reading speed. Never less than one minute.
func ReadingTime(body string) int {
	const wordsPerMinute = 230
	words := len(strings.Fields(body))
	m := (words + wordsPerMinute/2) / wordsPerMinute
	return max(m, 1)
}

// Store is what the rest of the program needs from a storage engine.
// Every engine passes the conformance suite in internal/store/storetest.
type Store interface {
	Reader
	Writer
}

// Reader answers readers' pages.
type Reader interface {
	// ArticleBySlug returns the article with that slug whatever its status;
	// callers decide what a reader may see.
	ArticleBySlug(ctx context.Context, slug string) (*Article, error)
	// RedirectSlug returns the current slug of an article once known by old.
	RedirectSlug(ctx context.Context, old string) (string, error)
	// Articles lists visible articles newest first, one page at a time.
	Articles(ctx context.Context, q Query) (List, error)
	Sections(ctx context.Context) ([]Section, error)
	SectionBySlug(ctx context.Context, slug string) (*Section, error)
	TagBySlug(ctx context.Context, slug string) (*Tag, error)
	AuthorBySlug(ctx context.Context, slug string) (*Author, error)
	PageBySlug(ctx context.Context, slug string) (*Page, error)
	// Pages lists static pages by title, without their bodies.
	Pages(ctx context.Context) ([]Page, error)
	ImageVariant(ctx context.Context, imageID int64, width int) (*Variant, error)
	// ImagePublic reports whether a published article shows the image.
	ImagePublic(ctx context.Context, imageID int64) (bool, error)
	Site(ctx context.Context) (Site, error)
}

// Writer changes content. Every write records which pages it affects so
// caches, in this process or another, can drop exactly those.
type Writer interface {
	CreateSection(ctx context.Context, s *Section) error
	CreateTag(ctx context.Context, t *Tag) error
	CreateAuthor(ctx context.Context, a *Author) error
	CreatePage(ctx context.Context, p *Page) error
	// CreateImage stores an image and its variants; it sets img.ID.
	CreateImage(ctx context.Context, img *Image, variants []Variant) error
	// CreateArticle inserts a, resolving Section, Tags and Authors by ID.
	CreateArticle(ctx context.Context, a *Article) error
	// UpdateArticle replaces a's fields; a changed slug keeps the old one
	// as a redirect.
	UpdateArticle(ctx context.Context, a *Article) error
	SetSite(ctx context.Context, s Site) error
	// Updates of sections, tags and authors; a changed slug keeps no
	// redirect (archive URLs are not promised to last).
	UpdateSection(ctx context.Context, s *Section) error
	UpdateTag(ctx context.Context, t *Tag) error
	UpdateAuthor(ctx context.Context, a *Author) error
	// Deletes refuse (ErrConflict) while any article uses the record.
	DeleteSection(ctx context.Context, id int64) error
	DeleteTag(ctx context.Context, id int64) error
	DeleteAuthor(ctx context.Context, id int64) error
}

// Newsroom is what the editorial workflow needs beyond reading and writing.
type Newsroom interface {
	ArticleByID(ctx context.Context, id int64) (*Article, error)
	AdminArticles(ctx context.Context, q AdminQuery) ([]Article, error)
	Tags(ctx context.Context) ([]Tag, error)
	// PublishedTags lists tags on at least one published article, by name.
	PublishedTags(ctx context.Context) ([]Tag, error)
	// TagUsage counts articles of any status per tag id.
	TagUsage(ctx context.Context) (map[int64]int, error)
	Authors(ctx context.Context) ([]Author, error)
	Revisions(ctx context.Context, articleID int64) ([]Revision, error)
	Revision(ctx context.Context, articleID int64, version int) (*Revision, error)
	// PublishDue publishes every scheduled article whose time has come and
	// returns their ids. Each article is published by exactly one call,
	// whichever process makes it.
	PublishDue(ctx context.Context, now time.Time) ([]int64, error)
	// NextScheduled returns the earliest time a scheduled article is due.
	NextScheduled(ctx context.Context) (time.Time, bool, error)
	AddNote(ctx context.Context, n *Note) error
	Corrections(ctx context.Context, limit int) ([]Note, error)
	Audit(ctx context.Context, e AuditEntry) error
	AuditLog(ctx context.Context, beforeID int64, limit int) ([]AuditEntry, error)
	// Images lists the media library, newest first.
	Images(ctx context.Context, limit int) ([]Image, error)
	ImageByID(ctx context.Context, id int64) (*Image, error)
	// ImageBySourceHash finds an upload of the same file.
	ImageBySourceHash(ctx context.Context, hash string) (*Image, error)
	Banner(ctx context.Context) (Banner, error)
	SetBanner(ctx context.Context, b Banner) error
}

// Origin names a record an import brought from another system: the
// system and its site (Source, e.g. "wordpress https://old.example.com"),
// the record's kind there ("post", "category"…) and its id there. The
// store remembers what each became, so that importing again brings only
// what is new.
type Origin struct {
	Source string
	Kind   string
	ID     int64
}

// ImportResult says what an import of an article wrote.
type ImportResult struct {
	New      bool // the article was written now, not by an earlier import
	Comments int  // its comments written now
}

// bodyDocument finds a document of the media library in Markdown: its
// address, /media/ID/NAME.EXT with one of the extensions documents get.
var bodyDocument = regexp.MustCompile(`/media/([0-9]{1,18})/[a-z0-9][a-z0-9-]{0,79}\.(?:pdf|mp3|m4a|ogg|oga|opus|wav|flac)\b`)

// BodyDocuments are the ids of the media library's documents a body links
// to, each once, in order.
func BodyDocuments(body string) []int64 { return mediaIDs(bodyDocument, body) }

// bodyImage finds an image of the media library in Markdown: its
// address, /media/ID/WIDTH.jpg.
var bodyImage = regexp.MustCompile(`/media/([0-9]{1,18})/[0-9]+\.jpg`)

// BodyImages are the ids of the media library's images a body shows, each
// once, in order.
func BodyImages(body string) []int64 { return mediaIDs(bodyImage, body) }

func mediaIDs(re *regexp.Regexp, body string) []int64 {
	var ids []int64
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil && id > 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}
