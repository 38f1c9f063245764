package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/store/sqlite"
)

// TestUncachedArticlePageQueries counts what one cache miss of an article
// page asks the database: on a server with a round trip per query, each
// one is felt. The page is the benchmark's (900 words, bylines, tags,
// More Articles) with fifty comments, some of them replies, and Most read
// lists. The statements are the same on both engines.
func TestUncachedArticlePageQueries(t *testing.T) {
	ctx := context.Background()
	s := benchSite(t)
	a, err := s.db.ArticleBySlug(ctx, "the-story")
	must(t, err)
	var parent int64
	for i := range 50 {
		c := &comment.Comment{ArticleID: a.ID, Name: "Reader", Body: fmt.Sprintf("Comment %d.", i), Status: comment.Approved, Key: fmt.Sprint("k", i)}
		if i%5 != 0 {
			c.ParentID = parent
		}
		must(t, s.db.CreateComment(ctx, c))
		if i%5 == 0 {
			parent = c.ID
		}
	}
	story, err := s.db.ArticleBySlug(ctx, "story-3")
	must(t, err)
	must(t, s.db.AddViews(ctx, map[int64]int{a.ID: 40, story.ID: 12}, s.clock))

	req := httptest.NewRequest("GET", "/city/the-story", nil)
	render := func() string {
		s.srv.cache.invalidate([]string{article.KeySite})
		rec := httptest.NewRecorder()
		s.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		return rec.Body.String()
	}
	render() // what is kept in memory between pages is loaded once
	before := s.db.Queries()
	page := render()
	if got := s.db.Queries() - before; got > 8 {
		t.Errorf("an uncached article page made %d queries, want at most 8", got)
	}
	for _, want := range []string{"Comment 0.", "Comment 49.", "Story 3"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// More Articles outlive the writes of comments, the commonest reason a
// page is rendered again. A newly published article joins the More
// Articles of those like it once the background work has made the lists
// again, and the pages showing them are rendered again.
func TestMoreArticlesOutliveComments(t *testing.T) {
	ctx := context.Background()
	s := benchSite(t)
	a, err := s.db.ArticleBySlug(ctx, "the-story")
	must(t, err)
	req := httptest.NewRequest("GET", "/city/the-story", nil)
	render := func() (uint64, string) {
		t.Helper()
		before := s.db.Queries()
		rec := httptest.NewRecorder()
		s.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		return s.db.Queries() - before, rec.Body.String()
	}
	render() // the frame around the page is made once
	keepRelated(t, s.db)
	s.srv.Invalidate([]string{article.KeyAllArticles, article.KeyArticle(a.ID)})
	cold, _ := render() // More Articles read
	// A comment is published: the page is rendered again, its More
	// Articles are not asked for again.
	must(t, s.db.CreateComment(ctx, &comment.Comment{ArticleID: a.ID, Name: "Ann", Body: "First.", Status: comment.Approved, Key: "k1"}))
	warm, page := render()
	if !strings.Contains(page, "First.") {
		t.Fatal("the page was not rendered again after its comment")
	}
	if warm != cold-3 {
		t.Errorf("after a comment the page made %d queries, %d before; want More Articles' three (the list, its articles, their bylines) kept", warm, cold)
	}
	// Its list made again elsewhere: the page is rendered again, and asks
	// for its More Articles again.
	s.srv.Invalidate([]string{article.KeyRelated(a.ID)})
	if again, _ := render(); again != cold {
		t.Errorf("after its More Articles were made again the page made %d queries, want %d as before", again, cold)
	}
	// An article is published, and the server's background work makes
	// the lists it belongs in again.
	const follow = "Council approves the depot plan for Eastgate"
	s.publish("city", "depot-plan-council-approves", follow)
	render() // kept in the page cache, and its list in memory
	keepRelated(t, s.db)
	_, page = render()
	if !strings.Contains(page, follow) {
		t.Error("a newly published, closely related article is missing from More Articles")
	}
}

// keepRelated makes the More Articles lists that are missing or old, as
// the server does in the background after writes.
func keepRelated(t testing.TB, db interface {
	KeepRelated(ctx context.Context, n int) (int, error)
}) {
	t.Helper()
	for {
		n, err := db.KeepRelated(context.Background(), 100)
		must(t, err)
		if n == 0 {
			return
		}
	}
}

// TestPostedCommentStatements counts what posting a comment through the
// form asks the database, on each engine. On a database server every
// statement, BEGIN and COMMIT included, is a round trip, and when many
// readers post at once they are most of what the server does. On
// PostgreSQL a held comment — a first-time commenter's, as most are — is
// three: the article, whether the commenter was approved before, and one
// statement that spends the anti-bot check and writes the comment in its
// thread. An approved one adds its fan-out and change-log entry, inside a
// transaction. SQLite spends the check in a statement of its own, within
// its shared commit, whose own statements are not counted: in-process,
// they cost no round trip.
func TestPostedCommentStatements(t *testing.T) {
	for _, tt := range []struct {
		engine         string
		open           func(t *testing.T) countedStore
		held, approved uint64
	}{
		{"sqlite", func(t *testing.T) countedStore {
			db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "site.db"))
			must(t, err)
			t.Cleanup(func() { db.Close() })
			return db
		}, 4, 5},
		{"postgres", func(t *testing.T) countedStore { return benchPostgres(t) }, 3, 7},
	} {
		t.Run(tt.engine, func(t *testing.T) {
			ctx := context.Background()
			db := tt.open(t)
			srv, a := postingServer(t, db)
			post := func(n int, email string, cookies ...*http.Cookie) (*comment.Comment, *httptest.ResponseRecorder, uint64) {
				t.Helper()
				form := url.Values{"email": {email}, "key": {fmt.Sprint(n)}, "shown": {srv.comments.Stamp(a.ID)}, "altcha": {solved(t, srv)}}
				before := db.Queries()
				rec := sendComment(srv, a, form, fmt.Sprintf("192.0.2.%d", n), cookies...)
				statements := db.Queries() - before
				_, frag, _ := strings.Cut(rec.Header().Get("Location"), "#c-")
				id, err := strconv.ParseInt(frag, 10, 64)
				if rec.Code != http.StatusSeeOther || err != nil {
					t.Fatalf("comment %d = %d, to %q", n, rec.Code, rec.Header().Get("Location"))
				}
				c, err := db.CommentByID(ctx, id)
				must(t, err)
				return c, rec, statements
			}
			post(1, "first@example.org") // the site's rules are read once
			c, rec, held := post(2, "ann@example.org")
			if c.Status != comment.Pending {
				t.Fatalf("a first comment is %s, want held", c.Status)
			}
			must(t, db.SetCommentStatus(ctx, []int64{c.ID}, comment.Approved))
			c, _, approved := post(3, "ann@example.org", cookieNamed(rec, commenterCookie))
			if c.Status != comment.Approved {
				t.Fatalf("a returning commenter's comment is %s, want approved", c.Status)
			}
			if held != tt.held || approved != tt.approved {
				t.Errorf("a held comment made %d statements, an approved one %d; want %d and %d", held, approved, tt.held, tt.approved)
			}
		})
	}
}

// countedStore is a test store that counts its statements.
type countedStore interface {
	testStore
	Queries() uint64
}
