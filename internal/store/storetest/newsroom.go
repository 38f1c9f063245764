package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
)

// Newsroom is what editors use beyond the public side: the list of every
// article, revisions, the scheduler, notes, the audit log and the banner.
type Newsroom interface {
	AdminArticles(ctx context.Context, q article.AdminQuery) ([]article.Article, error)
	Revisions(ctx context.Context, articleID int64) ([]article.Revision, error)
	Revision(ctx context.Context, articleID int64, version int) (*article.Revision, error)
	PublishDue(ctx context.Context, now time.Time) ([]int64, error)
	NextScheduled(ctx context.Context) (time.Time, bool, error)
	AddNote(ctx context.Context, n *article.Note) error
	Corrections(ctx context.Context, limit int) ([]article.Note, error)
	Audit(ctx context.Context, e article.AuditEntry) error
	AuditLog(ctx context.Context, beforeID int64, limit int) ([]article.AuditEntry, error)
	Banner(ctx context.Context) (article.Banner, error)
	SetBanner(ctx context.Context, b article.Banner) error
}

func testOptimisticLocking(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	if a.Version != 1 {
		t.Fatalf("new article at version %d, want 1", a.Version)
	}
	first, _ := s.ArticleByID(ctx, a.ID)
	second, _ := s.ArticleByID(ctx, a.ID)
	first.Body = "First editor's text."
	first.EditorID = 0
	must(t, s.UpdateArticle(ctx, first))
	if first.Version != 2 {
		t.Errorf("after save version = %d, want 2", first.Version)
	}
	second.Body = "Second editor's text."
	err := s.UpdateArticle(ctx, second)
	var conflict *article.ConflictError
	if !errors.As(err, &conflict) || !errors.Is(err, article.ErrConflict) {
		t.Fatalf("stale save: err = %v, want *ConflictError", err)
	}
	if conflict.Current.Body != "First editor's text." || conflict.Current.Version != 2 {
		t.Errorf("conflict carries %q v%d, want the first editor's text at v2", conflict.Current.Body, conflict.Current.Version)
	}
	got, _ := s.ArticleByID(ctx, a.ID)
	if got.Body != "First editor's text." {
		t.Errorf("stale save overwrote: body = %q", got.Body)
	}
	second.Version = got.Version
	must(t, s.UpdateArticle(ctx, second))

	revs, err := s.Revisions(ctx, a.ID)
	must(t, err)
	if len(revs) != 3 || revs[0].Version != 3 || revs[2].Version != 1 {
		t.Fatalf("Revisions = %d (%v), want versions 3, 2, 1", len(revs), revs)
	}
	r2, err := s.Revision(ctx, a.ID, 2)
	must(t, err)
	if r2.Snapshot.Body != "First editor's text." || r2.Snapshot.Headline != a.Headline || r2.Snapshot.SectionID != f.sections[0].ID {
		t.Errorf("revision 2 snapshot = %+v", r2.Snapshot)
	}
	if _, err := s.Revision(ctx, a.ID, 9); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("missing revision: err = %v", err)
	}
}

func testScheduler(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	due := f.article(0)
	due.Status, due.PublishedAt = article.Scheduled, now.Add(-time.Hour) // missed while the server was down
	later := f.article(0)
	later.Status, later.PublishedAt = article.Scheduled, now.Add(time.Hour)
	must(t, s.CreateArticle(ctx, due))
	must(t, s.CreateArticle(ctx, later))
	if list, _ := s.Articles(ctx, article.Query{}); len(list.Articles) != 0 {
		t.Fatalf("scheduled articles are listed before their time: %v", slugs(list.Articles))
	}
	next, ok, err := s.NextScheduled(ctx)
	must(t, err)
	if !ok || !next.Equal(due.PublishedAt) {
		t.Errorf("NextScheduled = %v %v, want %v", next, ok, due.PublishedAt)
	}

	// Several schedulers racing publish each article exactly once.
	var mu sync.Mutex
	var all []int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			ids, err := s.PublishDue(ctx, now)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			all = append(all, ids...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if !slices.Equal(all, []int64{due.ID}) {
		t.Errorf("PublishDue published %v, want exactly [%d] once", all, due.ID)
	}
	got, _ := s.ArticleByID(ctx, due.ID)
	if got.Status != article.Published || !got.PublishedAt.Equal(due.PublishedAt) {
		t.Errorf("after PublishDue: %s at %v", got.Status, got.PublishedAt)
	}
	revs, err := s.Revisions(ctx, due.ID)
	must(t, err)
	if len(revs) != 2 || revs[0].Version != got.Version || revs[0].Snapshot.Status != article.Published || revs[0].Snapshot.Body != due.Body {
		t.Errorf("revisions after scheduled publishing = %+v, want the published version recorded", revs)
	}
	if got, _ := s.ArticleByID(ctx, later.ID); got.Status != article.Scheduled {
		t.Errorf("future article became %s", got.Status)
	}
	ids, err := s.PublishDue(ctx, now.Add(2*time.Hour))
	must(t, err)
	if !slices.Equal(ids, []int64{later.ID}) {
		t.Errorf("later PublishDue = %v, want [%d]", ids, later.ID)
	}
	if _, ok, _ := s.NextScheduled(ctx); ok {
		t.Error("NextScheduled reports something with nothing scheduled")
	}
	log, err := s.AuditLog(ctx, 0, 10)
	must(t, err)
	if len(log) != 2 || log[0].Action != "article.publish" || log[0].ObjectID != later.ID {
		t.Errorf("audit log = %+v", log)
	}
}

func testNotesAndCorrections(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	must(t, s.AddNote(ctx, &article.Note{ArticleID: a.ID, Kind: article.Correction, Body: "An earlier version misspelt the mayor's name."}))
	must(t, s.AddNote(ctx, &article.Note{ArticleID: a.ID, Kind: article.Update, Body: "The council has since replied."}))
	var inv *article.InvalidError
	if err := s.AddNote(ctx, &article.Note{ArticleID: a.ID, Kind: "gossip", Body: "x"}); !errors.As(err, &inv) {
		t.Errorf("bad kind: err = %v", err)
	}
	if err := s.AddNote(ctx, &article.Note{ArticleID: 9999, Kind: article.Update, Body: "x"}); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("note on missing article: err = %v", err)
	}
	got, _ := s.ArticleByID(ctx, a.ID)
	if len(got.Notes) != 2 || got.Notes[0].Kind != article.Correction || !got.Updated() {
		t.Errorf("notes = %+v, updated %v", got.Notes, got.Updated())
	}
	cs, err := s.Corrections(ctx, 10)
	must(t, err)
	if len(cs) != 1 || cs[0].Article.Headline != a.Headline || cs[0].Article.Section.Slug != "city" {
		t.Errorf("Corrections = %+v", cs)
	}
}

func testAdminListAndBanner(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	pub := f.article(0)
	pub.Headline = "Harbour wall repaired"
	draft := f.article(1)
	draft.Status, draft.Headline = article.Draft, "Derby preview 50% off"
	review := f.article(1)
	review.Status, review.SubmittedAt = article.Draft, time.Now()
	for _, a := range []*article.Article{pub, draft, review} {
		must(t, s.CreateArticle(ctx, a))
	}
	for _, tt := range []struct {
		q    article.AdminQuery
		want []int64
	}{
		{article.AdminQuery{}, []int64{review.ID, draft.ID, pub.ID}},
		{article.AdminQuery{Status: article.Draft}, []int64{review.ID, draft.ID}},
		{article.AdminQuery{Status: "review"}, []int64{review.ID}},
		{article.AdminQuery{SectionID: f.sections[0].ID}, []int64{pub.ID}},
		{article.AdminQuery{Search: "harbour"}, []int64{pub.ID}},
		{article.AdminQuery{Search: "50%"}, []int64{draft.ID}},
		{article.AdminQuery{Search: "_"}, nil}, // a wildcard in the search is a plain character
		{article.AdminQuery{BeforeID: draft.ID}, []int64{pub.ID}},
	} {
		list, err := s.AdminArticles(ctx, tt.q)
		must(t, err)
		var ids []int64
		for _, a := range list {
			ids = append(ids, a.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("AdminArticles(%+v) = %v, want %v", tt.q, ids, tt.want)
		}
	}

	b, err := s.Banner(ctx)
	must(t, err)
	if b.Text != "" {
		t.Errorf("banner before any = %+v", b)
	}
	exp := time.Date(2026, 6, 1, 18, 0, 0, 0, time.UTC)
	must(t, s.SetBanner(ctx, article.Banner{Text: "Storm warning", URL: "/city/storm", Expires: exp}))
	b, err = s.Banner(ctx)
	must(t, err)
	if b.Text != "Storm warning" || b.URL != "/city/storm" || !b.Expires.Equal(exp) || !b.Active(exp.Add(-time.Minute)) || b.Active(exp) {
		t.Errorf("banner = %+v", b)
	}
	tags, err := s.Tags(ctx)
	must(t, err)
	authors, err := s.Authors(ctx)
	must(t, err)
	if len(tags) != 2 || len(authors) != 3 {
		t.Errorf("Tags %d, Authors %d; want 2 and 3", len(tags), len(authors))
	}
}

// testAuditLog: entries are listed newest first, page by page, each with
// the current name of the user who acted; an entry without a time gets
// the store's; one naming a user who does not exist is refused.
func testAuditLog(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	u := account.User{Email: "ed@courier.example", Name: "Ed Itor", Role: account.Editor}
	must(t, s.CreateUser(ctx, &u))
	entries := []article.AuditEntry{
		{At: now.Add(-time.Hour), UserID: u.ID, Action: "article.update", ObjectType: "article", ObjectID: 7, Detail: "headline"},
		{Action: "settings.update", ObjectType: "settings", Detail: "site"},
		{At: now.Add(-2 * time.Hour), UserID: u.ID, Action: "user.create", ObjectType: "user", ObjectID: u.ID},
	}
	for _, e := range entries {
		must(t, s.Audit(ctx, e))
	}
	if err := s.Audit(ctx, article.AuditEntry{UserID: u.ID + 1000, Action: "x", ObjectType: "x"}); err == nil {
		t.Error("an entry by a user who does not exist was kept")
	}
	u.Name = "Ed Renamed"
	must(t, s.UpdateUser(ctx, &u))
	all, err := s.AuditLog(ctx, 0, 10)
	must(t, err)
	if len(all) != 3 {
		t.Fatalf("AuditLog = %+v, want 3 entries", all)
	}
	for i, want := range []article.AuditEntry{entries[2], entries[1], entries[0]} {
		want.ID = all[i].ID
		if want.At.IsZero() {
			want.At = now
		}
		if want.UserID != 0 {
			want.UserName = "Ed Renamed"
		}
		if all[i] != want {
			t.Errorf("entry %d = %+v, want %+v", i, all[i], want)
		}
	}
	for _, tt := range []struct {
		beforeID int64
		limit    int
		want     []int64
	}{
		{0, 2, []int64{all[0].ID, all[1].ID}},
		{all[0].ID, 1, []int64{all[1].ID}},
		{all[2].ID, 10, nil},
	} {
		page, err := s.AuditLog(ctx, tt.beforeID, tt.limit)
		must(t, err)
		var ids []int64
		for _, e := range page {
			ids = append(ids, e.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("AuditLog(%d, %d) = %v, want %v", tt.beforeID, tt.limit, ids, tt.want)
		}
	}
}
