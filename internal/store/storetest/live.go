package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/store"
)

// LiveBlogs is what live blogs ask of storage: their updates, revisions
// and coverage.
type LiveBlogs interface {
	PostLiveUpdate(ctx context.Context, u *liveblog.Update) error
	EditLiveUpdate(ctx context.Context, u *liveblog.Update) error
	DeleteLiveUpdate(ctx context.Context, articleID, id, userID int64) error
	LiveUpdate(ctx context.Context, id int64) (*liveblog.Update, error)
	LiveUpdates(ctx context.Context, q liveblog.Query) (liveblog.Page, error)
	LiveHighlights(ctx context.Context, articleID int64) (liveblog.Highlights, error)
	LiveChanges(ctx context.Context, articleID, seq int64, limit int) ([]liveblog.Update, error)
	LiveRevisions(ctx context.Context, id int64) ([]liveblog.Revision, error)
	SetCoverage(ctx context.Context, articleID int64, start, end time.Time) error
}

// liveBlog stores a published live blog and posts n updates to it, a
// minute apart, the i-th (from 1) saying "Update i.".
func liveBlog(t *testing.T, s Store, f *fixture, n int) (*article.Article, []liveblog.Update) {
	t.Helper()
	ctx := context.Background()
	a := f.article(0)
	a.LiveBlog = true
	must(t, s.CreateArticle(ctx, a))
	start := f.clock
	defer s.SetClock(time.Now)
	var ups []liveblog.Update
	for i := 1; i <= n; i++ {
		s.SetClock(func() time.Time { return start.Add(time.Duration(i) * time.Minute) })
		u := liveblog.Update{ArticleID: a.ID, Body: fmt.Sprintf("Update %d.", i), Authors: []article.Author{f.authors[i%2]}}
		must(t, s.PostLiveUpdate(ctx, &u))
		ups = append(ups, u)
	}
	return a, ups
}

func updateBodies(list []liveblog.Update) []string {
	out := make([]string, len(list))
	for i, u := range list {
		out[i] = u.Body
	}
	return out
}

// testLiveUpdates: updates are posted to live blogs only, listed newest
// or oldest first a page at a time from any of them, their pinned ones
// apart, and every post logs the keys that drop the live blog's pages
// and wake its readers' streams.
func testLiveUpdates(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	plain := f.article(0)
	must(t, s.CreateArticle(ctx, plain))
	if err := s.PostLiveUpdate(ctx, &liveblog.Update{ArticleID: plain.ID, Body: "Not here."}); !errors.Is(err, liveblog.ErrNotLive) {
		t.Errorf("post to an article that is no live blog: err = %v, want ErrNotLive", err)
	}
	if err := s.PostLiveUpdate(ctx, &liveblog.Update{ArticleID: plain.ID + 1000, Body: "Nowhere."}); !errors.Is(err, errs.NotFound) {
		t.Errorf("post to no article: err = %v, want not found", err)
	}
	if err := s.PostLiveUpdate(ctx, &liveblog.Update{ArticleID: plain.ID, Body: "  "}); !errors.Is(err, errs.Invalid) {
		t.Errorf("post of no text: err = %v, want invalid", err)
	}

	before, err := s.LastChange(ctx)
	must(t, err)
	a, ups := liveBlog(t, s, f, 7)
	got, err := s.ArticleByID(ctx, a.ID)
	must(t, err)
	if !got.LiveBlog || got.LiveSeq != 7 {
		t.Errorf("live blog: LiveBlog %v, LiveSeq %d; want true, 7", got.LiveBlog, got.LiveSeq)
	}
	if revs, _ := s.Revisions(ctx, a.ID); len(revs) != 1 || !revs[0].Snapshot.LiveBlog {
		t.Errorf("the article's revision does not keep its live blog flag: %+v", revs)
	}
	first := ups[0]
	if first.ID == 0 || first.Seq != 1 || first.Version != 1 || first.CreatedAt.IsZero() || first.BodyHTML != "<p>Update 1.</p>\n" {
		t.Errorf("posted update = %+v, want an id, seq 1, version 1, its time and its HTML", first)
	}
	cs, err := s.ChangesSince(ctx, before, 100)
	must(t, err)
	var keys []string
	for _, c := range cs {
		keys = append(keys, c.Keys...)
	}
	for _, k := range []string{article.KeyLiveBlog(a.ID), liveblog.Key(a.ID, ups[6].ID)} {
		if !slices.Contains(keys, k) {
			t.Errorf("the change log lacks %q: %v", k, keys)
		}
	}

	// Pinned apart; the third is a key event.
	ups[1].Pinned, ups[2].KeyEvent = true, true
	for _, i := range []int{1, 2} {
		must(t, s.EditLiveUpdate(ctx, &ups[i]))
	}
	h, err := s.LiveHighlights(ctx, a.ID)
	must(t, err)
	if len(h.Pinned) != 1 || h.Pinned[0].ID != ups[1].ID || len(h.KeyEvents) != 1 || h.KeyEvents[0].ID != ups[2].ID {
		t.Errorf("highlights = %+v, want update 2 pinned and update 3 a key event", h)
	}
	if len(h.KeyEvents) == 1 && (len(h.KeyEvents[0].Authors) != 1 || h.KeyEvents[0].Authors[0].ID != f.authors[1].ID) {
		t.Errorf("key event's bylines = %+v, want %s", h.KeyEvents[0].Authors, f.authors[1].Name)
	}

	for _, tt := range []struct {
		name      string
		q         liveblog.Query
		want      []string
		next      int64
		hasPrev   bool
		prev      int64
		wantError error
	}{
		{"newest first", liveblog.Query{Limit: 3}, []string{"Update 7.", "Update 6.", "Update 5."}, ups[3].ID, false, 0, nil},
		{"the next page", liveblog.Query{Limit: 3, From: ups[3].ID}, []string{"Update 4.", "Update 3.", "Update 1."}, 0, true, 0, nil},
		{"from an update", liveblog.Query{Limit: 2, From: ups[2].ID}, []string{"Update 3.", "Update 1."}, 0, true, ups[4].ID, nil},
		{"oldest first", liveblog.Query{Limit: 4, Oldest: true}, []string{"Update 1.", "Update 3.", "Update 4.", "Update 5."}, ups[5].ID, false, 0, nil},
		{"oldest first from an update", liveblog.Query{Limit: 4, Oldest: true, From: ups[5].ID}, []string{"Update 6.", "Update 7."}, 0, true, 0, nil},
		{"pinned among the others", liveblog.Query{Limit: 3, Pinned: true, From: ups[2].ID}, []string{"Update 3.", "Update 2.", "Update 1."}, 0, true, ups[5].ID, nil},
		{"from another live blog's update", liveblog.Query{From: ups[0].ID + 1000}, nil, 0, false, 0, liveblog.ErrNotFound},
	} {
		tt.q.ArticleID = a.ID
		page, err := s.LiveUpdates(ctx, tt.q)
		if tt.wantError != nil {
			if !errors.Is(err, tt.wantError) {
				t.Errorf("%s: err = %v, want %v", tt.name, err, tt.wantError)
			}
			continue
		}
		must(t, err)
		if got := updateBodies(page.Updates); !slices.Equal(got, tt.want) || page.Next != tt.next || page.HasPrev != tt.hasPrev || page.Prev != tt.prev {
			t.Errorf("%s: %q next %d prev %v %d; want %q next %d prev %v %d", tt.name, got, page.Next, page.HasPrev, page.Prev,
				tt.want, tt.next, tt.hasPrev, tt.prev)
		}
	}
	page, err := s.LiveUpdates(ctx, liveblog.Query{ArticleID: a.ID, Limit: 1})
	must(t, err)
	if len(page.Updates) != 1 || len(page.Updates[0].Authors) != 1 || page.Updates[0].Authors[0].ID != f.authors[1].ID {
		t.Errorf("listed update's bylines = %+v, want %s", page.Updates, f.authors[1].Name)
	}

	// An update brought from elsewhere keeps its time, and takes its
	// place by it.
	earlier := liveblog.Update{ArticleID: a.ID, Body: "Brought in.", CreatedAt: first.CreatedAt.Add(-time.Minute)}
	must(t, s.PostLiveUpdate(ctx, &earlier))
	page, err = s.LiveUpdates(ctx, liveblog.Query{ArticleID: a.ID, Oldest: true, Limit: 1})
	must(t, err)
	if len(page.Updates) != 1 || page.Updates[0].ID != earlier.ID || !page.Updates[0].CreatedAt.Equal(earlier.CreatedAt) || earlier.Seq != 10 {
		t.Errorf("the oldest update = %+v, want the one brought in, at its time, numbered 10", page.Updates)
	}
}

// testLiveEdits: an edit names the version it started from; a stale one
// is refused with what is stored and changes nothing; each edit keeps the
// version it replaced; a deletion leaves only the update's place, which
// the changes after a number report with the edits, in order.
func testLiveEdits(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a, ups := liveBlog(t, s, f, 3)
	mine, _ := s.LiveUpdate(ctx, ups[0].ID)
	theirs, _ := s.LiveUpdate(ctx, ups[0].ID)
	theirs.Headline, theirs.Body, theirs.Authors = "Their headline", "Their text.", []article.Author{f.authors[2], f.authors[0]}
	must(t, s.EditLiveUpdate(ctx, theirs))
	if theirs.Version != 2 || theirs.Seq != 4 || theirs.EditedAt.IsZero() {
		t.Errorf("edited: version %d, seq %d, edited %v; want 2, 4, a time", theirs.Version, theirs.Seq, theirs.EditedAt)
	}
	mine.Body = "My text."
	err := s.EditLiveUpdate(ctx, mine)
	var conflict *liveblog.ConflictError
	if !errors.As(err, &conflict) || !errors.Is(err, errs.Conflict) || conflict.Current.Body != "Their text." || conflict.Current.Version != 2 {
		t.Fatalf("stale edit: err = %v, want a conflict carrying their text at version 2", err)
	}
	got, err := s.LiveUpdate(ctx, ups[0].ID)
	must(t, err)
	if got.Body != "Their text." || got.Headline != "Their headline" || len(got.Authors) != 2 || got.Authors[0].ID != f.authors[2].ID {
		t.Errorf("after a refused edit the update is %+v, want theirs", got)
	}
	mine.Version = got.Version
	must(t, s.EditLiveUpdate(ctx, mine))
	revs, err := s.LiveRevisions(ctx, ups[0].ID)
	must(t, err)
	if len(revs) != 2 || revs[0].Version != 2 || revs[0].Body != "Their text." || revs[1].Version != 1 || revs[1].Body != "Update 1." {
		t.Fatalf("revisions = %+v, want version 2 (their text) then version 1", revs)
	}
	if !slices.Equal(revs[0].AuthorIDs, []int64{f.authors[2].ID, f.authors[0].ID}) || revs[1].SavedAt.IsZero() {
		t.Errorf("revision 2 = %+v, want their bylines in order and a time", revs[0])
	}
	if err := s.DeleteAuthor(ctx, f.authors[1].ID); !errors.Is(err, article.ErrConflict) {
		t.Errorf("deleting an author with an update's byline: err = %v, want a conflict", err)
	}

	// Deleted: nothing is left of it but its place.
	must(t, s.DeleteLiveUpdate(ctx, a.ID, ups[1].ID, 0))
	gone, err := s.LiveUpdate(ctx, ups[1].ID)
	must(t, err)
	if !gone.Deleted() || gone.Body != "" || gone.BodyHTML != "" || len(gone.Authors) != 0 {
		t.Errorf("deleted update = %+v, want it marked deleted and empty", gone)
	}
	if err := s.DeleteLiveUpdate(ctx, a.ID, ups[1].ID, 0); !errors.Is(err, liveblog.ErrNotFound) {
		t.Errorf("deleted twice: err = %v, want not found", err)
	}
	gone.Body = "Back again."
	if err := s.EditLiveUpdate(ctx, gone); !errors.Is(err, liveblog.ErrNotFound) {
		t.Errorf("edit of a deleted update: err = %v, want not found", err)
	}
	if err := s.DeleteLiveUpdate(ctx, a.ID+1, ups[2].ID, 0); err == nil {
		t.Error("an update was deleted through another article")
	}
	page, err := s.LiveUpdates(ctx, liveblog.Query{ArticleID: a.ID})
	must(t, err)
	if got := updateBodies(page.Updates); !slices.Equal(got, []string{"Update 3.", "My text."}) {
		t.Errorf("listed after the deletion: %q", got)
	}

	// What a stream that heard number 3 has not heard: the two edits of
	// update 1 folded into its last, then the deletion.
	changes, err := s.LiveChanges(ctx, a.ID, 3, 10)
	must(t, err)
	if len(changes) != 2 || changes[0].ID != ups[0].ID || changes[0].Seq != 5 || changes[0].Body != "My text." ||
		changes[1].ID != ups[1].ID || !changes[1].Deleted() || changes[1].Seq != 6 {
		t.Errorf("changes after 3 = %+v, want update 1 at 5 and update 2 deleted at 6", changes)
	}
	if all, _ := s.LiveChanges(ctx, a.ID, 0, 2); len(all) != 2 || all[0].ID != ups[2].ID {
		t.Errorf("the first two changes = %+v, want update 3's first", all)
	}
}

// testLiveConcurrentWriters: journalists posting at once all get their
// updates in, each with its own change number, none lost; of two edits
// of one version exactly one is saved.
func testLiveConcurrentWriters(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a, ups := liveBlog(t, s, f, 1)
	const writers = 8
	var wg sync.WaitGroup
	errc := make(chan error, 2*writers)
	for i := range writers {
		wg.Go(func() {
			errc <- s.PostLiveUpdate(ctx, &liveblog.Update{ArticleID: a.ID, Body: fmt.Sprintf("Reporter %d.", i)})
		})
		wg.Go(func() {
			u := ups[0]
			u.Body = fmt.Sprintf("Edit %d.", i)
			errc <- s.EditLiveUpdate(ctx, &u)
		})
	}
	wg.Wait()
	close(errc)
	saved := 0
	for err := range errc {
		var conflict *liveblog.ConflictError
		switch {
		case err == nil:
			saved++
		case !errors.As(err, &conflict):
			t.Errorf("concurrent write: %v", err)
		}
	}
	if saved != writers+1 {
		t.Errorf("%d writes saved, want the %d posts and one edit", saved, writers)
	}
	changes, err := s.LiveChanges(ctx, a.ID, 0, 100)
	must(t, err)
	if len(changes) != writers+1 {
		t.Fatalf("%d updates changed, want %d", len(changes), writers+1)
	}
	for i, c := range changes {
		if i > 0 && c.Seq <= changes[i-1].Seq {
			t.Errorf("change numbers not increasing: %d after %d", c.Seq, changes[i-1].Seq)
		}
	}
	if got, _ := s.ArticleByID(ctx, a.ID); got.LiveSeq != writers+2 {
		t.Errorf("LiveSeq = %d, want %d", got.LiveSeq, writers+2)
	}
	if revs, _ := s.LiveRevisions(ctx, ups[0].ID); len(revs) != 1 {
		t.Errorf("%d revisions of the edited update, want 1", len(revs))
	}
}

// testLiveMedia: the pictures and documents of a live update are public
// while its live blog is published and the update is there; the HTML of
// an earlier renderer is made again and its media found again.
func testLiveMedia(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	img := article.Image{Alt: "Flood", Width: 10, Height: 5}
	must(t, s.CreateImage(ctx, &img, []article.Variant{{Width: 10, Height: 5, ContentType: "image/jpeg", Bytes: []byte("x")}}))
	doc := article.Document{Name: "warning.pdf", Title: "Flood warning", ContentType: "application/pdf", SourceHash: "live-doc"}
	must(t, s.CreateDocument(ctx, &doc, []byte("%PDF-1.4 warning")))
	a, _ := liveBlog(t, s, f, 0)
	u := liveblog.Update{ArticleID: a.ID, Body: fmt.Sprintf("![Flood](/media/%d/10.jpg)\nThe river at noon.\n\n[The warning](%s)", img.ID, doc.Path())}
	must(t, s.PostLiveUpdate(ctx, &u))
	if !strings.Contains(u.BodyHTML, `<figure`) || !strings.Contains(u.BodyHTML, `width="10" height="5"`) {
		t.Errorf("the update's picture is not rendered as a figure of the library: %s", u.BodyHTML)
	}
	public := func(name string, want bool) {
		t.Helper()
		gotImg, err := s.ImagePublic(ctx, img.ID)
		must(t, err)
		gotDoc, err := s.DocumentPublic(ctx, doc.ID)
		must(t, err)
		if gotImg != want || gotDoc != want {
			t.Errorf("%s: image public %v, document public %v; want %v", name, gotImg, gotDoc, want)
		}
	}
	public("in an update of a published live blog", true)
	a.Status = article.Unpublished
	must(t, s.UpdateArticle(ctx, a))
	public("in an update of a withdrawn live blog", false)
	a.Status = article.Published
	must(t, s.UpdateArticle(ctx, a))
	must(t, s.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
		for _, q := range []string{`DELETE FROM live_update_images WHERE update_id = ?`, `DELETE FROM live_update_documents WHERE update_id = ?`,
			`UPDATE live_updates SET html_of = 0 WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, q, u.ID); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}))
	if got, _ := s.LiveUpdate(ctx, u.ID); got.BodyHTML != "" {
		t.Errorf("HTML of an earlier renderer given out: %q", got.BodyHTML)
	}
	public("before the update is rendered again", false)
	if _, err := s.RenderStored(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LiveUpdate(ctx, u.ID); got.BodyHTML != u.BodyHTML {
		t.Errorf("rendered again: %q, want %q", got.BodyHTML, u.BodyHTML)
	}
	public("rendered again", true)
	must(t, s.DeleteLiveUpdate(ctx, a.ID, u.ID, 0))
	public("after the update is deleted", false)
	if n, err := s.RenderStored(ctx, 10); err != nil || n != 0 {
		t.Errorf("RenderStored after the deletion = %d, %v; want nothing to render", n, err)
	}
}

// testLiveCoverage: a live blog's coverage opens and closes, as its pages
// and lists hear; only a live blog has coverage.
func testLiveCoverage(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a, _ := liveBlog(t, s, f, 0)
	start, end := f.clock.Add(time.Minute), f.clock.Add(time.Hour)
	before, err := s.LastChange(ctx)
	must(t, err)
	must(t, s.SetCoverage(ctx, a.ID, start, time.Time{}))
	got, err := s.ArticleBySlug(ctx, a.Slug)
	must(t, err)
	if !got.CoverageStart.Equal(start) || !got.CoverageEnd.IsZero() || !got.Live() {
		t.Errorf("opened: start %v, end %v, live %v; want %v, none, live", got.CoverageStart, got.CoverageEnd, got.Live(), start)
	}
	must(t, s.SetCoverage(ctx, a.ID, start, end))
	list, err := s.Articles(ctx, article.Query{})
	must(t, err)
	if len(list.Articles) != 1 || !list.Articles[0].CoverageEnd.Equal(end) || !list.Articles[0].CoverageEnded() || list.Articles[0].Live() {
		t.Errorf("closed, as listed: %+v", list.Articles)
	}
	cs, err := s.ChangesSince(ctx, before, 10)
	must(t, err)
	if len(cs) != 2 || !slices.Contains(cs[1].Keys, article.KeyArticle(a.ID)) || !slices.Contains(cs[1].Keys, article.KeyAllArticles) ||
		!slices.Contains(cs[1].Keys, liveblog.Key(a.ID, 0)) {
		t.Errorf("coverage changes logged %+v, want the article's keys and the streams'", cs)
	}
	plain := f.article(0)
	must(t, s.CreateArticle(ctx, plain))
	if err := s.SetCoverage(ctx, plain.ID, start, time.Time{}); !errors.Is(err, liveblog.ErrNotLive) {
		t.Errorf("coverage of an article that is no live blog: err = %v, want ErrNotLive", err)
	}
	if err := s.SetCoverage(ctx, plain.ID+1000, start, time.Time{}); !errors.Is(err, errs.NotFound) {
		t.Errorf("coverage of no article: err = %v, want not found", err)
	}
}
