package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
)

// Imports are the writes of an import from another system, which
// remember what each record became.
type Imports interface {
	ImportedID(ctx context.Context, o article.Origin) (int64, error)
	RememberImport(ctx context.Context, o article.Origin, id int64) error
	ImportArticle(ctx context.Context, o article.Origin, a *article.Article, comments []comment.Imported) (article.ImportResult, error)
	ImportArticles(ctx context.Context, group []comment.ArticleImport) error
	ImportComments(ctx context.Context, o article.Origin, comments []comment.Imported) (int, error)
	ImportPage(ctx context.Context, o article.Origin, p *article.Page) (bool, error)
	Analyze(ctx context.Context) error
}

func imported(from, parent int64, name string, st comment.Status, at time.Time) comment.Imported {
	return comment.Imported{From: from, Parent: parent,
		Comment: comment.Comment{Name: name, Email: name + "@readers.example", Body: "Said by " + name + ".", Status: st, CreatedAt: at}}
}

func testImports(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	const source = "wordpress https://old.example"
	post := article.Origin{Source: source, Kind: "post", ID: 42}
	a := f.article(0)
	a.PublishedAt = time.Date(2019, 3, 4, 5, 6, 7, 0, time.UTC)
	at := a.PublishedAt.Add(time.Hour)
	first := imported(100, 0, "ann", comment.Approved, at)
	first.URL = "https://ann.example/"
	comments := []comment.Imported{
		first,
		imported(101, 100, "bo", comment.Approved, at.Add(time.Minute)),
		imported(102, 101, "cy", comment.Pending, at.Add(2*time.Minute)),
		imported(103, 999, "di", comment.Approved, at.Add(3*time.Minute)), // its comment was not imported
	}
	res, err := s.ImportArticle(ctx, post, a, comments)
	must(t, err)
	if !res.New || res.Comments != 4 || a.ID == 0 {
		t.Fatalf("ImportArticle = %+v, id %d; want new, 4 comments and an id", res, a.ID)
	}
	got, err := s.ArticleByID(ctx, a.ID)
	must(t, err)
	if !got.PublishedAt.Equal(a.PublishedAt) || got.Status != article.Published || got.Headline != a.Headline {
		t.Errorf("imported article = %+v; want it as it was, published %v", got, a.PublishedAt)
	}
	// An archive is not news: nobody is told of it.
	if more, err := s.ExpandFanouts(ctx, time.Now().Add(time.Hour), 10); err != nil || more {
		t.Errorf("ExpandFanouts after an import = %v, %v; want nothing announced", more, err)
	}
	if id, err := s.ImportedID(ctx, post); err != nil || id != a.ID {
		t.Errorf("ImportedID(post) = %d, %v; want %d", id, err, a.ID)
	}
	byFrom := map[int64]*comment.Comment{}
	for _, from := range []int64{100, 101, 102, 103} {
		id, err := s.ImportedID(ctx, article.Origin{Source: source, Kind: "comment", ID: from})
		must(t, err)
		c, err := s.CommentByID(ctx, id)
		must(t, err)
		byFrom[from] = c
	}
	if c := byFrom[100]; c.ParentID != 0 || c.Depth != 0 || c.URL != "https://ann.example/" || !c.CreatedAt.Equal(at) || c.Email != "ann@readers.example" {
		t.Errorf("first comment = %+v; want the top of its thread, with its address, email and time", c)
	}
	if c := byFrom[101]; c.ParentID != byFrom[100].ID || c.Depth != 1 {
		t.Errorf("reply = parent %d depth %d; want under %d at depth 1", c.ParentID, c.Depth, byFrom[100].ID)
	}
	if c := byFrom[102]; c.ParentID != byFrom[101].ID || c.Depth != 2 || c.Status != comment.Pending {
		t.Errorf("reply to the reply = parent %d depth %d %s; want under %d at depth 2, held", c.ParentID, c.Depth, c.Status, byFrom[101].ID)
	}
	if c := byFrom[103]; c.ParentID != 0 || c.Depth != 0 {
		t.Errorf("reply to a comment not imported = parent %d depth %d; want the top of a thread", c.ParentID, c.Depth)
	}
	thread, err := s.Thread(ctx, comment.Query{ArticleID: a.ID, Limit: 10})
	must(t, err)
	var order []string
	for _, c := range thread {
		order = append(order, c.Name)
	}
	if want := []string{"ann", "bo", "di"}; !slices.Equal(order, want) {
		t.Errorf("thread = %v; want the approved comments in thread order %v", order, want)
	}

	// The newsroom edits the article; a second import leaves it as it is
	// and brings only the comment that is new, under its own.
	got.Headline, got.EditorID = "Edited here", 0
	must(t, s.UpdateArticle(ctx, got))
	again := *a
	again.Headline = "As on the old site"
	more := append(comments, imported(104, 102, "ed", comment.Approved, at.Add(time.Hour)))
	res, err = s.ImportArticle(ctx, post, &again, more)
	must(t, err)
	if res.New || res.Comments != 1 || again.ID != a.ID {
		t.Errorf("second ImportArticle = %+v (id %d); want the same article and 1 new comment", res, again.ID)
	}
	if now, err := s.ArticleByID(ctx, a.ID); err != nil || now.Headline != "Edited here" {
		t.Errorf("after a second import the headline is %q, %v; want the newsroom's", now.Headline, err)
	}
	id, err := s.ImportedID(ctx, article.Origin{Source: source, Kind: "comment", ID: 104})
	must(t, err)
	c, err := s.CommentByID(ctx, id)
	must(t, err)
	if c.ParentID != byFrom[102].ID || c.Depth != 3 {
		t.Errorf("comment imported later = parent %d depth %d; want under %d at depth 3", c.ParentID, c.Depth, byFrom[102].ID)
	}
	if res, err := s.ImportArticle(ctx, post, &again, more); err != nil || res.New || res.Comments != 0 {
		t.Errorf("third ImportArticle = %+v, %v; want nothing new", res, err)
	}
	more = append(more, imported(105, 100, "flo", comment.Approved, at.Add(2*time.Hour)))
	if n, err := s.ImportComments(ctx, post, more); err != nil || n != 1 {
		t.Errorf("ImportComments with one new = %d, %v; want 1", n, err)
	}
	if n, err := s.ImportComments(ctx, post, more); err != nil || n != 0 {
		t.Errorf("ImportComments again = %d, %v; want 0", n, err)
	}
	if _, err := s.ImportComments(ctx, article.Origin{Source: source, Kind: "post", ID: 4242}, more); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("ImportComments of a post never imported = %v; want not found", err)
	}

	// Another post with a slug taken is refused, and nothing of it stays.
	taken := f.article(0)
	taken.Slug = a.Slug
	other := article.Origin{Source: source, Kind: "post", ID: 43}
	if _, err := s.ImportArticle(ctx, other, taken, []comment.Imported{imported(200, 0, "fay", comment.Approved, at)}); !errors.Is(err, article.ErrConflict) {
		t.Errorf("ImportArticle with a slug taken = %v; want a conflict", err)
	}
	if id, err := s.ImportedID(ctx, other); err != nil || id != 0 {
		t.Errorf("ImportedID of a refused post = %d, %v; want 0", id, err)
	}

	// A group is written together; an article refused in it leaves the
	// others written, and nothing of its own.
	taken2, invalid, fine := f.article(0), f.article(0), f.article(0)
	taken2.Slug, invalid.Headline = a.Slug, ""
	group := []comment.ArticleImport{
		{Origin: article.Origin{Source: source, Kind: "post", ID: 50}, Article: taken2, Comments: []comment.Imported{imported(500, 0, "gil", comment.Approved, at)}},
		{Origin: article.Origin{Source: source, Kind: "post", ID: 51}, Article: invalid},
		{Origin: article.Origin{Source: source, Kind: "post", ID: 52}, Article: fine, Comments: []comment.Imported{imported(520, 0, "hal", comment.Approved, at)}},
	}
	must(t, s.ImportArticles(ctx, group))
	var inv *article.InvalidError
	if !errors.Is(group[0].Err, article.ErrConflict) || !errors.As(group[1].Err, &inv) || group[2].Err != nil {
		t.Errorf("group errors %v, %v, %v; want a conflict, an invalid article and none", group[0].Err, group[1].Err, group[2].Err)
	}
	if !group[2].Result.New || group[2].Result.Comments != 1 || group[0].Result.New || taken2.ID != 0 {
		t.Errorf("group results %+v, %+v (id %d); want the third written with its comment, the first not", group[2].Result, group[0].Result, taken2.ID)
	}
	for _, from := range []int64{50, 500} {
		kind := map[int64]string{50: "post", 500: "comment"}[from]
		if id, err := s.ImportedID(ctx, article.Origin{Source: source, Kind: kind, ID: from}); err != nil || id != 0 {
			t.Errorf("the refused article's %s is remembered as %d, %v", kind, id, err)
		}
	}
	if got, err := s.ArticleBySlug(ctx, fine.Slug); err != nil || got.ID != fine.ID {
		t.Errorf("the group's written article: %+v, %v", got, err)
	}

	// Pages, and what other methods write, are remembered too.
	page := article.Origin{Source: source, Kind: "page", ID: 7}
	p := &article.Page{Slug: "about-us", Title: "About us", Body: "Who we are."}
	if written, err := s.ImportPage(ctx, page, p); err != nil || !written || p.ID == 0 {
		t.Fatalf("ImportPage = %v, %v (id %d); want written", written, err, p.ID)
	}
	if written, err := s.ImportPage(ctx, page, &article.Page{Slug: "about-us", Title: "About", Body: "x"}); err != nil || written {
		t.Errorf("ImportPage again = %v, %v; want nothing written", written, err)
	}
	if written, err := s.ImportPage(ctx, article.Origin{Source: source, Kind: "page", ID: 8}, &article.Page{Slug: "about-us", Title: "A", Body: "x"}); !errors.Is(err, article.ErrConflict) || written {
		t.Errorf("ImportPage with a slug taken = %v, %v; want a conflict", written, err)
	}
	// The planner's statistics taken again, what was imported reads the same.
	must(t, s.Analyze(ctx))
	if id, err := s.ImportedID(ctx, post); err != nil || id != a.ID {
		t.Errorf("ImportedID(post) after Analyze = %d, %v; want %d", id, err, a.ID)
	}
	tag := article.Origin{Source: source, Kind: "tag", ID: 5}
	must(t, s.RememberImport(ctx, tag, f.tags[0].ID))
	if id, err := s.ImportedID(ctx, tag); err != nil || id != f.tags[0].ID {
		t.Errorf("ImportedID(tag) = %d, %v; want %d", id, err, f.tags[0].ID)
	}
	if id, err := s.ImportedID(ctx, article.Origin{Source: "wordpress https://elsewhere.example", Kind: "tag", ID: 5}); err != nil || id != 0 {
		t.Errorf("ImportedID of another site's tag = %d, %v; want 0", id, err)
	}
}
