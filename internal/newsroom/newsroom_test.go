package newsroom

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/store/sqlite"
)

type fixture struct {
	svc   *Service
	db    *sqlite.DB
	users map[account.Role]*account.User
	now   time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "n.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, users: map[account.Role]*account.User{}, now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	f.svc = New(db, func() time.Time { return f.now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	must(t, db.CreateSection(ctx, &article.Section{Slug: "city", Name: "City"}))
	must(t, db.CreateAuthor(ctx, &article.Author{Slug: "ada", Name: "Ada"}))
	for _, r := range account.Roles {
		u := &account.User{Email: string(r) + "@courier.example", Name: string(r), Role: r, PasswordHash: "x"}
		must(t, db.CreateUser(ctx, u))
		f.users[r] = u
	}
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func draft(headline string) Draft {
	return Draft{Headline: headline, Body: "Text.", Section: "city", Authors: []string{"ada"}, Tags: []string{"Harbour Works", "harbour works"}}
}

func TestCreateResolvesAndValidates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, err := f.svc.Create(ctx, f.users[account.Contributor], draft("Ferry fares rise"))
	must(t, err)
	if a.Slug != "ferry-fares-rise" || a.Status != article.Draft || a.CreatedBy != f.users[account.Contributor].ID ||
		len(a.Tags) != 1 || a.Tags[0].Slug != "harbour-works" || len(a.Authors) != 1 {
		t.Errorf("created %+v", a)
	}
	_, err = f.svc.Create(ctx, f.users[account.Author], Draft{Headline: "x", Section: "nope", Authors: []string{"ghost"}})
	var inv *article.InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 2 {
		t.Errorf("bad section and author: err = %v, want both named", err)
	}
}

func TestRoleRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	contrib, author, editor := f.users[account.Contributor], f.users[account.Author], f.users[account.Editor]
	mine, err := f.svc.Create(ctx, contrib, draft("Contributor story"))
	must(t, err)
	authors, err := f.svc.Create(ctx, author, draft("Author story"))
	must(t, err)

	tests := []struct {
		name string
		do   func() error
		ok   bool
	}{
		{"contributor edits own draft", func() error {
			_, err := f.svc.Update(ctx, contrib, mine.ID, 1, draft("Contributor story v2"))
			return err
		}, true},
		{"contributor submits own draft", func() error { _, err := f.svc.Submit(ctx, contrib, mine.ID); return err }, true},
		{"contributor cannot publish own", func() error { _, err := f.svc.Publish(ctx, contrib, mine.ID, time.Time{}); return err }, false},
		{"contributor cannot edit others'", func() error { _, err := f.svc.Update(ctx, contrib, authors.ID, 1, draft("x")); return err }, false},
		{"author cannot publish others'", func() error { _, err := f.svc.Publish(ctx, author, mine.ID, time.Time{}); return err }, false},
		{"author publishes own", func() error { _, err := f.svc.Publish(ctx, author, authors.ID, time.Time{}); return err }, true},
		{"author edits own published", func() error { _, err := f.svc.Update(ctx, author, authors.ID, 2, draft("Author story v2")); return err }, true},
		{"editor publishes anyone's", func() error { _, err := f.svc.Publish(ctx, editor, mine.ID, time.Time{}); return err }, true},
		{"contributor cannot edit own once published", func() error { _, err := f.svc.Update(ctx, contrib, mine.ID, 4, draft("sneaky")); return err }, false},
		{"contributor cannot correct", func() error {
			_, err := f.svc.AddNote(ctx, contrib, mine.ID, article.Correction, "x")
			return err
		}, false},
		{"author corrects own", func() error {
			_, err := f.svc.AddNote(ctx, author, authors.ID, article.Correction, "A name was misspelt.")
			return err
		}, true},
	}
	for _, tt := range tests {
		err := tt.do()
		if tt.ok && err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		if !tt.ok && !errors.Is(err, ErrForbidden) {
			t.Errorf("%s: err = %v, want ErrForbidden", tt.name, err)
		}
	}
	log, err := f.db.AuditLog(ctx, 0, 50)
	must(t, err)
	if len(log) < 6 || log[0].Action != "article.correction" || log[0].UserID != author.ID {
		t.Errorf("audit log = %+v", log)
	}
}

func TestScheduleUnpublishRestore(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ed := f.users[account.Editor]
	a, err := f.svc.Create(ctx, ed, draft("Embargoed report"))
	must(t, err)
	at := f.now.Add(3 * time.Hour)
	a, err = f.svc.Publish(ctx, ed, a.ID, at)
	must(t, err)
	if a.Status != article.Scheduled || !a.PublishedAt.Equal(at) {
		t.Fatalf("scheduled: %s at %v", a.Status, a.PublishedAt)
	}
	if ids, _ := f.svc.PublishDue(ctx); len(ids) != 0 {
		t.Errorf("published before its time: %v", ids)
	}
	f.now = at.Add(time.Minute)
	if ids, _ := f.svc.PublishDue(ctx); len(ids) != 1 || ids[0] != a.ID {
		t.Errorf("PublishDue = %v", ids)
	}

	other, err := f.svc.Create(ctx, ed, draft("The fuller story"))
	must(t, err)
	if _, err := f.svc.Unpublish(ctx, ed, a.ID, other.ID); err == nil {
		t.Error("replaced by an unpublished article")
	}
	_, err = f.svc.Publish(ctx, ed, other.ID, time.Time{})
	must(t, err)
	a, err = f.svc.Unpublish(ctx, ed, a.ID, other.ID)
	must(t, err)
	if a.Status != article.Unpublished || a.ReplacedBy != other.ID {
		t.Errorf("unpublished: %s replaced by %d", a.Status, a.ReplacedBy)
	}

	cur, _ := f.db.ArticleByID(ctx, other.ID)
	d := draft("The fuller story, rewritten")
	d.Slug = cur.Slug
	_, err = f.svc.Update(ctx, ed, other.ID, cur.Version, d)
	must(t, err)
	restored, err := f.svc.Restore(ctx, ed, other.ID, 1)
	must(t, err)
	if restored.Headline != "The fuller story" || restored.Status != article.Published {
		t.Errorf("restored: %q %s", restored.Headline, restored.Status)
	}
	revs, _ := f.db.Revisions(ctx, other.ID)
	if len(revs) != 4 {
		t.Errorf("%d revisions after create, publish, edit, restore; want 4", len(revs))
	}
}
