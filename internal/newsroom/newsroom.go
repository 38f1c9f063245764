// Package newsroom is the editorial workflow: who may create, edit, submit,
// publish, schedule, unpublish and correct which article, and the audit
// trail of each step. The admin UI and the Admin API both go through it, so
// a rule holds whichever door a request comes in by.
package newsroom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
)

// Store is what the workflow needs from storage: the methods it calls.
type Store interface {
	ArticleByID(ctx context.Context, id int64) (*article.Article, error)
	CreateArticle(ctx context.Context, a *article.Article) error
	UpdateArticle(ctx context.Context, a *article.Article) error
	PublishDue(ctx context.Context, now time.Time) ([]int64, error)
	Revision(ctx context.Context, articleID int64, version int) (*article.Revision, error)
	AddNote(ctx context.Context, n *article.Note) error
	Audit(ctx context.Context, e article.AuditEntry) error
	SectionBySlug(ctx context.Context, slug string) (*article.Section, error)
	Site(ctx context.Context) (article.Site, error)
	AuthorBySlug(ctx context.Context, slug string) (*article.Author, error)
	TagBySlug(ctx context.Context, slug string) (*article.Tag, error)
	CreateTag(ctx context.Context, t *article.Tag) error
	ImageByID(ctx context.Context, id int64) (*article.Image, error)
}

// ErrForbidden means the user's role does not allow the action.
var ErrForbidden = errs.Shown(errs.Forbidden, "your role does not allow this")

// Service runs the workflow on a store.
type Service struct {
	store  Store
	now    func() time.Time
	log    *slog.Logger
	embeds Embeds
}

// Embeds keeps what providers say of the embeds of a body about to be
// stored (embed.Keeper), so that the article's page finds it stored. It
// never fails a save, and bounds the time it takes.
type Embeds interface {
	Keep(ctx context.Context, body string) int
}

// WithEmbeds makes every save of an article's text keep its embeds first.
// Call it once, before the service is used.
func (s *Service) WithEmbeds(e Embeds) *Service {
	s.embeds = e
	return s
}

// keepEmbeds is the one place a save asks for its body's embeds.
func (s *Service) keepEmbeds(ctx context.Context, body string) {
	if s.embeds != nil {
		s.embeds.Keep(ctx, body)
	}
}

// New returns a Service. now may be nil for the wall clock, log nil for
// the default logger.
func New(store Store, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: store, now: now, log: log}
}

// Draft is what a writer submits for an article: from the editor form or
// the Admin API. Zero fields of an update keep nothing: a Draft is the
// whole editable state.
type Draft struct {
	Headline    string
	Standfirst  string
	Slug        string // empty: made from the headline
	Body        string
	Section     string   // section slug
	Tags        []string // tag names; unknown ones are created
	Authors     []string // author slugs, byline order
	Language    string
	LeadImageID int64
	// CommentsClosed stops new comments on the article.
	CommentsClosed bool
	// TranslationOf is the id of the article this one translates, 0 for
	// none.
	TranslationOf int64
	// LiveBlog tells the article as a live blog: its updates are posted
	// through internal/liveblog.
	LiveBlog bool
}

// DraftOf is a's editable state: the base a partial change starts from, so
// every field a caller does not mention keeps its value.
func DraftOf(a *article.Article) Draft {
	d := Draft{Headline: a.Headline, Standfirst: a.Standfirst, Slug: a.Slug, Body: a.Body,
		Section: a.Section.Slug, Language: a.Language, CommentsClosed: a.CommentsClosed, TranslationOf: a.TranslationOf, LiveBlog: a.LiveBlog}
	for _, t := range a.Tags {
		d.Tags = append(d.Tags, t.Name)
	}
	for _, au := range a.Authors {
		d.Authors = append(d.Authors, au.Slug)
	}
	if a.LeadImage != nil {
		d.LeadImageID = a.LeadImage.ID
	}
	return d
}

// CanEdit reports whether u may change a: editors any article; authors their
// own; contributors their own drafts only.
func CanEdit(u *account.User, a *article.Article) bool {
	switch {
	case u.Can(account.EditAny):
		return true
	case a.CreatedBy != u.ID:
		return false
	case u.Can(account.PublishOwn):
		return u.Can(account.WriteDrafts)
	}
	return u.Can(account.WriteDrafts) && a.Status == article.Draft
}

// CanPublish reports whether u may publish, schedule or unpublish a.
func CanPublish(u *account.User, a *article.Article) bool {
	return u.Can(account.EditAny) || (u.Can(account.PublishOwn) && a.CreatedBy == u.ID)
}

// apply copies d onto a, resolving slugs to records.
func (s *Service) apply(ctx context.Context, a *article.Article, d Draft) error {
	inv := &article.InvalidError{}
	a.Headline = strings.TrimSpace(d.Headline)
	a.Standfirst = strings.TrimSpace(d.Standfirst)
	a.Body = d.Body
	a.Slug = strings.TrimSpace(d.Slug)
	if a.Slug == "" {
		a.Slug = article.Slugify(a.Headline)
	}
	a.CommentsClosed = d.CommentsClosed
	a.LiveBlog = d.LiveBlog
	a.TranslationOf = d.TranslationOf
	if a.TranslationOf < 0 {
		inv.AddKey("translation_of", "problem.translation_of_number")
		a.TranslationOf = 0
	}
	a.Language = strings.TrimSpace(d.Language)
	if d.Section == "" {
		inv.AddKey("section", "problem.section_required")
	} else if sec, err := s.store.SectionBySlug(ctx, d.Section); errors.Is(err, article.ErrNotFound) {
		inv.AddKey("section", "problem.section_unknown", d.Section)
	} else if err != nil {
		return err
	} else {
		a.Section = *sec
	}
	if a.Language == "" {
		// An article is in its edition's language unless it says otherwise.
		site, err := s.store.Site(ctx)
		if err != nil {
			return err
		}
		ed, ok := site.Edition(a.Section.Edition)
		if !ok {
			ed, _ = site.Edition("")
		}
		a.Language = ed.Lang
	}
	var err error
	if a.Authors, err = bylines(ctx, s.store, d.Authors, a.Authors[:0], inv); err != nil {
		return err
	}
	a.Tags = a.Tags[:0]
	seenTag := map[string]bool{}
	var newTags []article.Tag
	for _, name := range d.Tags {
		name = strings.TrimSpace(name)
		slug := article.Slugify(name)
		if slug == "" || seenTag[slug] {
			continue
		}
		seenTag[slug] = true
		t, err := s.store.TagBySlug(ctx, slug)
		if errors.Is(err, article.ErrNotFound) {
			newTags = append(newTags, article.Tag{Slug: slug, Name: name})
			continue
		} else if err != nil {
			return err
		}
		a.Tags = append(a.Tags, *t)
	}
	a.LeadImage = nil
	if d.LeadImageID != 0 {
		if _, err := s.store.ImageByID(ctx, d.LeadImageID); errors.Is(err, article.ErrNotFound) {
			inv.AddKey("lead_image_id", "problem.image_unknown", d.LeadImageID)
		} else if err != nil {
			return err
		}
		a.LeadImage = &article.Image{ID: d.LeadImageID}
	}
	// Report every problem at once, not one per attempt.
	var found *article.InvalidError
	if err := a.Validate(); errors.As(err, &found) {
		for _, p := range found.List() {
			if p.Field == "section" && inv.Has("section") {
				continue // already said, more precisely
			}
			if p.Field == "slug" && a.Slug == "" && a.Headline == "" {
				continue // follows from the missing headline
			}
			if !slices.Contains(inv.Problems, p.Message) {
				inv.AddProblem(p)
			}
		}
	}
	if err := inv.OrNil(); err != nil {
		return err
	}
	// New tags are created only for an article that will be saved, so a
	// failed attempt leaves nothing behind.
	for _, t := range newTags {
		if err := s.store.CreateTag(ctx, &t); errors.Is(err, article.ErrConflict) {
			existing, err := s.store.TagBySlug(ctx, t.Slug)
			if err != nil {
				return err
			}
			t = *existing
		} else if err != nil {
			return err
		}
		a.Tags = append(a.Tags, t)
	}
	return nil
}

// authorFinder finds the site's authors by slug.
type authorFinder interface {
	AuthorBySlug(ctx context.Context, slug string) (*article.Author, error)
}

// bylines appends to into the authors slugs name, in order and each once,
// recording in inv each slug that names no author.
func bylines(ctx context.Context, st authorFinder, slugs []string, into []article.Author, inv *article.InvalidError) ([]article.Author, error) {
	seen := map[string]bool{}
	for _, slug := range slugs {
		slug = strings.TrimSpace(slug)
		if slug == "" || seen[slug] {
			continue
		}
		seen[slug] = true
		au, err := st.AuthorBySlug(ctx, slug)
		if errors.Is(err, article.ErrNotFound) {
			inv.AddKey("authors", "problem.author_unknown", slug)
			continue
		} else if err != nil {
			return nil, err
		}
		into = append(into, *au)
	}
	return into, nil
}

// mayLink refuses a link to a translation group u could not see: linking
// shows the group's headlines in u's editor and joins the group, so u must
// be able to open the article linked to (an editor any, a contributor
// their own). Keeping the link a is saved with needs nothing.
func (s *Service) mayLink(ctx context.Context, u *account.User, a *article.Article, d Draft) error {
	if d.TranslationOf <= 0 || d.TranslationOf == a.TranslationOf {
		return nil
	}
	target, err := s.store.ArticleByID(ctx, d.TranslationOf)
	if errors.Is(err, article.ErrNotFound) || (err == nil && !CanEdit(u, target) && !target.Visible()) {
		// Not there, or not the user's to know about: the same answer.
		return errs.InvalidKey("translation_of", "problem.translation_of_missing", d.TranslationOf)
	}
	return err
}

// Create stores a new draft written by u.
func (s *Service) Create(ctx context.Context, u *account.User, d Draft) (*article.Article, error) {
	if !u.Can(account.WriteDrafts) {
		return nil, ErrForbidden
	}
	a := &article.Article{Status: article.Draft, CreatedBy: u.ID, EditorID: u.ID}
	if err := s.mayLink(ctx, u, a, d); err != nil {
		return nil, err
	}
	if err := s.apply(ctx, a, d); err != nil {
		return nil, err
	}
	s.keepEmbeds(ctx, a.Body)
	if err := s.store.CreateArticle(ctx, a); err != nil {
		return nil, article.SlugTaken(err)
	}
	s.audit(ctx, u, "article.create", a.ID, a.Headline)
	return a, nil
}

// Get returns an article u may open in the editor.
func (s *Service) Get(ctx context.Context, u *account.User, id int64) (*article.Article, error) {
	a, err := s.store.ArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanEdit(u, a) {
		return nil, ErrForbidden
	}
	return a, nil
}

// Update saves d over version of article id. A stale version gets an
// *article.ConflictError carrying what the other person saved.
func (s *Service) Update(ctx context.Context, u *account.User, id int64, version int, d Draft) (*article.Article, error) {
	a, err := s.store.ArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanEdit(u, a) {
		return nil, ErrForbidden
	}
	if version < 1 {
		// Without the version the editor started from, a save could not
		// tell whether it overwrites someone else's.
		return nil, errs.InvalidKey("version", "problem.version_missing")
	}
	if err := s.mayLink(ctx, u, a, d); err != nil {
		return nil, err
	}
	if err := s.apply(ctx, a, d); err != nil {
		return nil, err
	}
	a.Version, a.EditorID = version, u.ID
	s.keepEmbeds(ctx, a.Body)
	if err := s.store.UpdateArticle(ctx, a); err != nil {
		return nil, article.SlugTaken(err)
	}
	s.audit(ctx, u, "article.update", a.ID, fmt.Sprintf("version %d", a.Version))
	return a, nil
}

// change loads id, checks allowed, lets fn modify it and saves it at the
// version it was read.
func (s *Service) change(ctx context.Context, u *account.User, id int64, allowed func(*account.User, *article.Article) bool,
	action string, fn func(a *article.Article) (string, error)) (*article.Article, error) {
	a, err := s.store.ArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !allowed(u, a) {
		return nil, ErrForbidden
	}
	detail, err := fn(a)
	if err != nil {
		return nil, err
	}
	a.EditorID = u.ID
	if err := s.store.UpdateArticle(ctx, a); err != nil {
		return nil, article.SlugTaken(err)
	}
	s.audit(ctx, u, action, a.ID, detail)
	return a, nil
}

// Submit marks a draft as ready for an editor's review.
func (s *Service) Submit(ctx context.Context, u *account.User, id int64) (*article.Article, error) {
	return s.change(ctx, u, id, CanEdit, "article.submit", func(a *article.Article) (string, error) {
		if a.Status != article.Draft {
			return "", errs.InvalidKey("status", "problem.submit_not_draft")
		}
		a.SubmittedAt = s.now()
		return "", nil
	})
}

// Publish publishes id now, or schedules it when at is in the future. An
// article scheduled for later stays invisible everywhere until then.
func (s *Service) Publish(ctx context.Context, u *account.User, id int64, at time.Time) (*article.Article, error) {
	now := s.now()
	return s.change(ctx, u, id, CanPublish, "article.publish", func(a *article.Article) (string, error) {
		if at.IsZero() || !at.After(now) {
			if a.Status != article.Published || a.PublishedAt.IsZero() {
				a.PublishedAt = now.UTC().Truncate(time.Second)
			}
			a.Status, a.SubmittedAt, a.ReplacedBy = article.Published, time.Time{}, 0
			return "published", nil
		}
		if a.Status == article.Published {
			// About no field of the request: the article's state.
			return "", errs.InvalidKey("", "problem.schedule_published")
		}
		a.Status, a.PublishedAt, a.SubmittedAt = article.Scheduled, at.UTC().Truncate(time.Second), time.Time{}
		return "scheduled for " + a.PublishedAt.Format(time.RFC3339), nil
	})
}

// Unpublish withdraws a published or scheduled article. With a replacement,
// its URL answers 301 to that article; without, 410 Gone.
func (s *Service) Unpublish(ctx context.Context, u *account.User, id, replacement int64) (*article.Article, error) {
	if replacement == id {
		return nil, errs.InvalidKey("replacement_id", "problem.replace_itself")
	}
	if replacement != 0 {
		r, err := s.store.ArticleByID(ctx, replacement)
		if errors.Is(err, article.ErrNotFound) || (err == nil && !r.Visible()) {
			return nil, errs.InvalidKey("replacement_id", "problem.replacement_unpublished")
		} else if err != nil {
			return nil, err
		}
	}
	return s.change(ctx, u, id, CanPublish, "article.unpublish", func(a *article.Article) (string, error) {
		if a.Status != article.Published && a.Status != article.Scheduled {
			return "", errs.InvalidKey("status", "problem.unpublish_not_published")
		}
		if a.Status == article.Scheduled {
			a.Status, a.PublishedAt = article.Draft, time.Time{}
			return "schedule cancelled", nil
		}
		a.Status, a.ReplacedBy = article.Unpublished, replacement
		if replacement != 0 {
			return fmt.Sprintf("replaced by article %d", replacement), nil
		}
		return "gone", nil
	})
}

// Restore makes an old revision's text the current version (itself a new
// revision, so nothing is lost). Status and publication time stay.
func (s *Service) Restore(ctx context.Context, u *account.User, id int64, version int) (*article.Article, error) {
	rev, err := s.store.Revision(ctx, id, version)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, u, id, CanEdit, "article.restore", func(a *article.Article) (string, error) {
		s.keepEmbeds(ctx, rev.Snapshot.Body)
		snap := rev.Snapshot
		a.Headline, a.Standfirst, a.Slug, a.Body, a.Language = snap.Headline, snap.Standfirst, snap.Slug, snap.Body, snap.Language
		a.Section = article.Section{ID: snap.SectionID}
		a.Tags = a.Tags[:0]
		for _, id := range snap.TagIDs {
			a.Tags = append(a.Tags, article.Tag{ID: id})
		}
		a.Authors = a.Authors[:0]
		for _, id := range snap.AuthorIDs {
			a.Authors = append(a.Authors, article.Author{ID: id})
		}
		a.LeadImage = nil
		if snap.LeadImageID != 0 {
			a.LeadImage = &article.Image{ID: snap.LeadImageID}
		}
		a.CommentsClosed = snap.Closed
		return fmt.Sprintf("restored version %d", version), nil
	})
}

// MaxNote is the longest text of a correction or update, in bytes.
const MaxNote = 5000

// AddNote appends a correction or update to a published article: an
// editor may note any, an author their own.
func (s *Service) AddNote(ctx context.Context, u *account.User, id int64, kind article.NoteKind, body string) (*article.Note, error) {
	a, err := s.store.ArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !u.Can(account.ManageTaxonomy) && !CanPublish(u, a) {
		return nil, ErrForbidden
	}
	if a.Status != article.Published {
		return nil, errs.InvalidKey("", "problem.note_unpublished")
	}
	body = strings.TrimSpace(body)
	inv := &errs.InvalidError{}
	if kind != article.Correction && kind != article.Update {
		inv.AddKey("kind", "problem.note_kind")
	}
	if body == "" || len(body) > MaxNote {
		inv.AddKey("body", "problem.note_text")
	}
	if err := inv.OrNil(); err != nil {
		return nil, err
	}
	n := &article.Note{ArticleID: id, Kind: kind, Body: body, UserID: u.ID}
	if err := s.store.AddNote(ctx, n); err != nil {
		return nil, err
	}
	s.audit(ctx, u, "article."+string(kind), id, "")
	return n, nil
}

// PublishDue publishes scheduled articles whose time has come.
func (s *Service) PublishDue(ctx context.Context) ([]int64, error) {
	return s.store.PublishDue(ctx, s.now())
}

func (s *Service) audit(ctx context.Context, u *account.User, action string, id int64, detail string) {
	// The change is already saved and must not be reported as failed; a
	// lost audit entry is an operator's problem, so it is logged loudly.
	if err := s.store.Audit(ctx, article.AuditEntry{UserID: u.ID, Action: action, ObjectType: "article", ObjectID: id, Detail: detail}); err != nil {
		s.log.Error("audit log write failed", "action", action, "article", id, "user", u.ID, "err", err)
	}
}
