package newsroom

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/store/sqlite"
)

type liveFixture struct {
	svc   *LiveBlogs
	desk  *Service
	db    *sqlite.DB
	users map[account.Role]*account.User
	now   time.Time
	kept  []string // bodies whose embeds were kept
}

func (f *liveFixture) Keep(_ context.Context, body string) int {
	f.kept = append(f.kept, body)
	return 0
}

func newLiveFixture(t *testing.T) *liveFixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "live.db"))
	must(t, err)
	t.Cleanup(func() { db.Close() })
	f := &liveFixture{db: db, users: map[account.Role]*account.User{}, now: time.Date(2026, 11, 3, 14, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	db.SetClock(clock)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.svc = NewLiveBlogs(db, clock, log).WithEmbeds(f)
	f.desk = New(db, clock, log)
	must(t, db.CreateSection(ctx, &article.Section{Slug: "city", Name: "City"}))
	for _, slug := range []string{"ada", "ben"} {
		must(t, db.CreateAuthor(ctx, &article.Author{Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:]}))
	}
	for _, r := range account.Roles {
		u := &account.User{Email: string(r) + "@courier.example", Name: string(r), Role: r, PasswordHash: "x"}
		must(t, db.CreateUser(ctx, u))
		f.users[r] = u
	}
	return f
}

// liveBlog is a published live blog that u wrote.
func (f *liveFixture) liveBlog(t *testing.T, u *account.User, headline string) *article.Article {
	t.Helper()
	ctx := context.Background()
	a, err := f.desk.Create(ctx, u, Draft{Headline: headline, Body: "Follow the storm.", Section: "city", LiveBlog: true})
	must(t, err)
	a, err = f.desk.Publish(ctx, f.users[account.Editor], a.ID, time.Time{})
	must(t, err)
	if !a.LiveBlog {
		t.Fatal("the editor's live blog flag was not saved")
	}
	return a
}

// Whoever may publish the article may post to it, edit and delete its
// updates and open and close its coverage; nobody else, and nobody on an
// article that is not a live blog.
func TestLivePermissions(t *testing.T) {
	f := newLiveFixture(t)
	ctx := context.Background()
	author, other := f.users[account.Author], &account.User{ID: 999, Role: account.Author}
	mine := f.liveBlog(t, author, "Storm live")
	plain, err := f.desk.Create(ctx, author, Draft{Headline: "Plain story", Body: "Text.", Section: "city"})
	must(t, err)
	in := LiveInput{Body: "Winds reach 90 km/h."}
	for _, tt := range []struct {
		name    string
		u       *account.User
		article int64
		want    error
	}{
		{"its author", author, mine.ID, nil},
		{"an editor", f.users[account.Editor], mine.ID, nil},
		{"an admin", f.users[account.Admin], mine.ID, nil},
		{"another author", other, mine.ID, errs.Forbidden},
		{"a contributor", f.users[account.Contributor], mine.ID, errs.Forbidden},
		{"no live blog", author, plain.ID, errs.Invalid},
		{"no article", author, mine.ID + 100, errs.NotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up, err := f.svc.Post(ctx, tt.u, tt.article, in)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Errorf("Post = %v, want %v", err, tt.want)
				}
				if _, err := f.svc.StartCoverage(ctx, tt.u, tt.article); !errors.Is(err, tt.want) {
					t.Errorf("StartCoverage = %v, want %v", err, tt.want)
				}
				return
			}
			must(t, err)
			if _, err := f.svc.Edit(ctx, tt.u, tt.article, up.ID, up.Version, LiveInput{Body: "Winds reach 100 km/h."}); err != nil {
				t.Errorf("Edit: %v", err)
			}
			if err := f.svc.Delete(ctx, other, tt.article, up.ID); !errors.Is(err, errs.Forbidden) {
				t.Errorf("Delete by another author = %v, want forbidden", err)
			}
			if err := f.svc.Delete(ctx, tt.u, tt.article, up.ID); err != nil {
				t.Errorf("Delete: %v", err)
			}
		})
	}
	log, err := f.db.AuditLog(ctx, 0, 100)
	must(t, err)
	actions := map[string]int{}
	for _, e := range log {
		actions[e.Action]++
	}
	if actions["live.post"] != 3 || actions["live.edit"] != 3 || actions["live.delete"] != 3 {
		t.Errorf("audit log: %v, want a post, an edit and a deletion by each of three people", actions)
	}
}

// An update's input is trimmed, its authors resolved by slug, every
// problem said at once and nothing stored; its embeds are kept before
// it is stored.
func TestLivePostValidates(t *testing.T) {
	f := newLiveFixture(t)
	ctx := context.Background()
	a := f.liveBlog(t, f.users[account.Author], "Storm live")
	up, err := f.svc.Post(ctx, f.users[account.Author], a.ID, LiveInput{Headline: "  Bridge shut  ", Body: "The bridge is shut.\r\n\r\nDivert by the ring road.",
		Authors: []string{"ben", "ada", "ben", " "}, KeyEvent: true})
	must(t, err)
	if up.Headline != "Bridge shut" || up.Body != "The bridge is shut.\n\nDivert by the ring road." || !up.KeyEvent || up.Pinned ||
		len(up.Authors) != 2 || up.Authors[0].Slug != "ben" || up.CreatedAt != f.now || up.CreatedBy != f.users[account.Author].ID {
		t.Errorf("posted %+v", up)
	}
	if len(f.kept) != 1 || f.kept[0] != up.Body {
		t.Errorf("embeds kept for %q, want the update's body", f.kept)
	}
	_, err = f.svc.Post(ctx, f.users[account.Author], a.ID, LiveInput{Headline: strings.Repeat("h", liveblog.MaxHeadline+1), Body: " ",
		Authors: []string{"ghost"}})
	var inv *errs.InvalidError
	if !errors.As(err, &inv) || !inv.Has("body") || !inv.Has("headline") || !inv.Has("authors") {
		t.Fatalf("bad update: err = %v, want problems with the body, headline and authors", err)
	}
	page, err := f.db.LiveUpdates(ctx, liveblog.Query{ArticleID: a.ID})
	must(t, err)
	if len(page.Updates) != 1 {
		t.Errorf("%d updates stored, want the one valid", len(page.Updates))
	}
}

// Two journalists edit one update: the second, stale, is refused with
// what the first saved, and nothing of the second is stored; an edit
// without a version is refused.
func TestLiveEditConflict(t *testing.T) {
	f := newLiveFixture(t)
	ctx := context.Background()
	a := f.liveBlog(t, f.users[account.Author], "Storm live")
	up, err := f.svc.Post(ctx, f.users[account.Author], a.ID, LiveInput{Body: "Power cut in Eastgate."})
	must(t, err)
	_, err = f.svc.Edit(ctx, f.users[account.Editor], a.ID, up.ID, up.Version, LiveInput{Body: "Power cut in Eastgate and Northside."})
	must(t, err)
	_, err = f.svc.Edit(ctx, f.users[account.Author], a.ID, up.ID, up.Version, LiveInput{Body: "Power back in Eastgate."})
	var conflict *liveblog.ConflictError
	if !errors.As(err, &conflict) || conflict.Current.Body != "Power cut in Eastgate and Northside." {
		t.Fatalf("stale edit: %v, want a conflict carrying the editor's text", err)
	}
	if shown := errs.From(err); shown.Kind != errs.Conflict || shown.Message == "" || shown.Key != "problem.live_stale" {
		t.Errorf("the conflict says %+v, want a conflict in words", shown)
	}
	if _, err := f.svc.Edit(ctx, f.users[account.Author], a.ID, up.ID, 0, LiveInput{Body: "x y"}); !errors.Is(err, errs.Invalid) {
		t.Errorf("edit without a version: %v, want invalid", err)
	}
	other := f.liveBlog(t, f.users[account.Author], "Flood live")
	if _, err := f.svc.Edit(ctx, f.users[account.Author], other.ID, up.ID, 2, LiveInput{Body: "x y"}); !errors.Is(err, errs.NotFound) {
		t.Errorf("edit through another live blog: %v, want not found", err)
	}
	must(t, f.svc.Delete(ctx, f.users[account.Author], a.ID, up.ID))
	if err := f.svc.Delete(ctx, f.users[account.Author], a.ID, up.ID); !errors.Is(err, errs.NotFound) {
		t.Errorf("deleted twice: %v, want not found", err)
	}
}

// Coverage opens now, closes now, and opens again keeping its start; a
// close of coverage never opened starts it at publication.
func TestLiveCoverage(t *testing.T) {
	f := newLiveFixture(t)
	ctx := context.Background()
	u := f.users[account.Author]
	a := f.liveBlog(t, u, "Storm live")
	f.now = f.now.Add(time.Hour)
	ended, err := f.svc.EndCoverage(ctx, u, a.ID)
	must(t, err)
	if !ended.CoverageStart.Equal(a.PublishedAt) || !ended.CoverageEnd.Equal(f.now) || ended.Live() {
		t.Errorf("ended without a start: %v – %v, want %v – %v", ended.CoverageStart, ended.CoverageEnd, a.PublishedAt, f.now)
	}
	f.now = f.now.Add(time.Hour)
	again, err := f.svc.StartCoverage(ctx, u, a.ID)
	must(t, err)
	stored, err := f.db.ArticleByID(ctx, a.ID)
	must(t, err)
	if !again.Live() || !stored.Live() || !stored.CoverageStart.Equal(a.PublishedAt) || !stored.CoverageEnd.IsZero() {
		t.Errorf("opened again: %v – %v, want from %v, open", stored.CoverageStart, stored.CoverageEnd, a.PublishedAt)
	}
}

// Get finds an update only through its own live blog, only while it is
// there, and only for someone who may post to it.
func TestLiveGet(t *testing.T) {
	f := newLiveFixture(t)
	ctx := context.Background()
	author := f.users[account.Author]
	a := f.liveBlog(t, author, "Storm live")
	other := f.liveBlog(t, author, "Flood live")
	up, err := f.svc.Post(ctx, author, a.ID, LiveInput{Body: "Power cut in Eastgate.", Authors: []string{"ada"}})
	must(t, err)
	got, gotUp, err := f.svc.Get(ctx, f.users[account.Editor], a.ID, up.ID)
	if err != nil || got.ID != a.ID || gotUp.ID != up.ID || gotUp.Body != up.Body || len(gotUp.Authors) != 1 {
		t.Fatalf("Get = %+v, %+v, %v; want the update with its byline", got, gotUp, err)
	}
	if _, _, err := f.svc.Get(ctx, author, other.ID, up.ID); !errors.Is(err, errs.NotFound) {
		t.Errorf("through another live blog: %v, want not found", err)
	}
	if _, _, err := f.svc.Get(ctx, f.users[account.Contributor], a.ID, up.ID); !errors.Is(err, errs.Forbidden) {
		t.Errorf("by a contributor: %v, want forbidden", err)
	}
	must(t, f.svc.Delete(ctx, author, a.ID, up.ID))
	if _, _, err := f.svc.Get(ctx, author, a.ID, up.ID); !errors.Is(err, errs.NotFound) {
		t.Errorf("deleted: %v, want not found", err)
	}
}
