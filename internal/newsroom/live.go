package newsroom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/liveblog"
)

// LiveStore is what live blogs' use cases need from storage.
type LiveStore interface {
	liveblog.Store
	BareArticleByID(ctx context.Context, id int64) (*article.Article, error)
	AuthorBySlug(ctx context.Context, slug string) (*article.Author, error)
	Audit(ctx context.Context, e article.AuditEntry) error
}

// LiveBlogs runs the use cases of live blogs (internal/liveblog): post,
// edit and delete an update, open and close the coverage. The newsroom's
// pages call it, and so can the Admin API, so that one rule holds
// whichever door a request comes in by.
type LiveBlogs struct {
	store  LiveStore
	now    func() time.Time
	log    *slog.Logger
	embeds Embeds
}

// NewLiveBlogs returns the live blogs' use cases on store. now may be nil
// for the wall clock, log nil for the default logger.
func NewLiveBlogs(store LiveStore, now func() time.Time, log *slog.Logger) *LiveBlogs {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &LiveBlogs{store: store, now: now, log: log}
}

// WithEmbeds makes every post and edit keep what providers say of its
// embeds first, as an article's save does. Call it once, before use.
func (s *LiveBlogs) WithEmbeds(e Embeds) *LiveBlogs {
	s.embeds = e
	return s
}

// LiveInput is what a journalist sends for an update, from the composer or
// the Admin API.
type LiveInput struct {
	Headline string
	Body     string
	Authors  []string // author slugs, in order
	Pinned   bool
	KeyEvent bool
}

// Open returns the live blog articleID if u may post to it: whoever may
// publish the article (CanPublish) may post, edit and delete its
// updates and open and close its coverage.
func (s *LiveBlogs) Open(ctx context.Context, u *account.User, articleID int64) (*article.Article, error) {
	a, err := s.store.BareArticleByID(ctx, articleID)
	if err != nil {
		return nil, err
	}
	if !CanPublish(u, a) {
		return nil, ErrForbidden
	}
	if !a.LiveBlog {
		return nil, liveblog.ErrNotLive
	}
	return a, nil
}

// Get returns the live blog articleID and its update id, if u may post to
// it (Open). An update of another live blog, or a deleted one, is not
// found.
func (s *LiveBlogs) Get(ctx context.Context, u *account.User, articleID, id int64) (*article.Article, *liveblog.Update, error) {
	a, err := s.Open(ctx, u, articleID)
	if err != nil {
		return nil, nil, err
	}
	up, err := s.update(ctx, articleID, id)
	if err != nil {
		return nil, nil, err
	}
	return a, up, nil
}

// Post adds an update to the live blog articleID, as its newest.
// Journalists posting at once never conflict: each post is appended.
func (s *LiveBlogs) Post(ctx context.Context, u *account.User, articleID int64, in LiveInput) (*liveblog.Update, error) {
	if _, err := s.Open(ctx, u, articleID); err != nil {
		return nil, err
	}
	up := &liveblog.Update{ArticleID: articleID, CreatedBy: u.ID, EditorID: u.ID}
	if err := s.apply(ctx, up, in); err != nil {
		return nil, err
	}
	if err := s.store.PostLiveUpdate(ctx, up); err != nil {
		return nil, err
	}
	s.auditLive(ctx, u, "live.post", articleID, up.ID)
	return up, nil
}

// Edit saves in over version of update id. A version someone else has
// saved over is a *ConflictError carrying what they saved.
func (s *LiveBlogs) Edit(ctx context.Context, u *account.User, articleID, id int64, version int, in LiveInput) (*liveblog.Update, error) {
	if _, err := s.Open(ctx, u, articleID); err != nil {
		return nil, err
	}
	up, err := s.update(ctx, articleID, id)
	if err != nil {
		return nil, err
	}
	if version < 1 {
		return nil, errs.InvalidKey("version", "problem.version_missing")
	}
	up.Version, up.EditorID = version, u.ID
	if err := s.apply(ctx, up, in); err != nil {
		return nil, err
	}
	if err := s.store.EditLiveUpdate(ctx, up); err != nil {
		return nil, err
	}
	s.auditLive(ctx, u, "live.edit", articleID, up.ID)
	return up, nil
}

// Delete deletes update id of the live blog articleID.
func (s *LiveBlogs) Delete(ctx context.Context, u *account.User, articleID, id int64) error {
	if _, err := s.Open(ctx, u, articleID); err != nil {
		return err
	}
	if _, err := s.update(ctx, articleID, id); err != nil {
		return err
	}
	if err := s.store.DeleteLiveUpdate(ctx, articleID, id, u.ID); err != nil {
		return err
	}
	s.auditLive(ctx, u, "live.delete", articleID, id)
	return nil
}

// StartCoverage opens the live blog's coverage now, or opens it again
// after it was closed (keeping when it first opened).
func (s *LiveBlogs) StartCoverage(ctx context.Context, u *account.User, articleID int64) (*article.Article, error) {
	a, err := s.Open(ctx, u, articleID)
	if err != nil {
		return nil, err
	}
	if a.CoverageStart.IsZero() {
		a.CoverageStart = s.now().UTC().Truncate(time.Second)
	}
	a.CoverageEnd = time.Time{}
	if err := s.store.SetCoverage(ctx, articleID, a.CoverageStart, a.CoverageEnd); err != nil {
		return nil, err
	}
	s.auditLive(ctx, u, "live.start", articleID, 0)
	return a, nil
}

// EndCoverage closes the live blog's coverage now; coverage never opened
// is taken to have opened when the article was published.
func (s *LiveBlogs) EndCoverage(ctx context.Context, u *account.User, articleID int64) (*article.Article, error) {
	a, err := s.Open(ctx, u, articleID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	if a.CoverageStart.IsZero() {
		a.CoverageStart = now
		if !a.PublishedAt.IsZero() && a.PublishedAt.Before(now) {
			a.CoverageStart = a.PublishedAt
		}
	}
	a.CoverageEnd = now
	if err := s.store.SetCoverage(ctx, articleID, a.CoverageStart, a.CoverageEnd); err != nil {
		return nil, err
	}
	s.auditLive(ctx, u, "live.end", articleID, 0)
	return a, nil
}

// update is update id, which must belong to the live blog articleID and
// not be deleted.
func (s *LiveBlogs) update(ctx context.Context, articleID, id int64) (*liveblog.Update, error) {
	up, err := s.store.LiveUpdate(ctx, id)
	if err != nil {
		return nil, err
	}
	if up.ArticleID != articleID || up.Deleted() {
		return nil, fmt.Errorf("live update %d of article %d: %w", id, articleID, liveblog.ErrNotFound)
	}
	return up, nil
}

// apply copies in onto up, resolving the authors, and says everything
// wrong with it at once.
func (s *LiveBlogs) apply(ctx context.Context, up *liveblog.Update, in LiveInput) error {
	inv := &errs.InvalidError{}
	up.Headline = strings.TrimSpace(in.Headline)
	up.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	up.Pinned, up.KeyEvent = in.Pinned, in.KeyEvent
	var err error
	if up.Authors, err = bylines(ctx, s.store, in.Authors, up.Authors[:0], inv); err != nil {
		return err
	}
	var found *errs.InvalidError
	if err := up.Validate(); errors.As(err, &found) {
		for _, p := range found.List() {
			inv.AddProblem(p)
		}
	}
	if err := inv.OrNil(); err != nil {
		return err
	}
	if s.embeds != nil {
		s.embeds.Keep(ctx, up.Body)
	}
	return nil
}

func (s *LiveBlogs) auditLive(ctx context.Context, u *account.User, action string, articleID, updateID int64) {
	detail := ""
	if updateID != 0 {
		detail = fmt.Sprintf("update %d", updateID)
	}
	// The change is saved and must not be reported as failed; a lost
	// audit entry is an operator's problem, so it is logged loudly.
	if err := s.store.Audit(ctx, article.AuditEntry{UserID: u.ID, Action: action, ObjectType: "article", ObjectID: articleID, Detail: detail}); err != nil {
		s.log.Error("audit log write failed", "action", action, "article", articleID, "user", u.ID, "err", err)
	}
}
