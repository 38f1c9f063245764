package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
)

// Every feed of the site, in every format, reads in a real feed parser;
// pages announce them; conditional GET works; a bad character in a comment
// does not break its feed.
func TestFeeds(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	a := s.publish("city", "council-vote", "Council <vote> & budget", func(a *article.Article) {
		a.Authors = []article.Author{s.authors["grace-hopper"]}
		a.Tags = []article.Tag{s.tags["housing"]}
	})
	s.publish("sport", "cup-final", "Cup final")
	c := &comment.Comment{ArticleID: a.ID, Name: "Ana", Body: "A fair\x0b point\x1b about the \ufffe budget.", Status: comment.Approved, Key: "k1"}
	must(t, s.db.CreateComment(ctx, c))

	parser := gofeed.NewParser()
	for _, tt := range []struct {
		path, title string
		items       int
		first       string
	}{
		{"/feed", "The Test Gazette", 2, "Cup final"},
		{"/city", "City", 1, "Council <vote> & budget"},
		{"/tag/housing", "Housing", 1, "Council <vote> & budget"},
		{"/author/grace-hopper", "Grace Hopper", 1, "Council <vote> & budget"},
		{"/city/council-vote/comments", "Council <vote> & budget", 1, "Ana"},
	} {
		for _, ext := range []string{"rss", "atom", "json"} {
			r := s.get(tt.path + "." + ext)
			if r.status != 200 {
				t.Errorf("GET %s.%s = %d", tt.path, ext, r.status)
				continue
			}
			f, err := parser.ParseString(r.body)
			if err != nil {
				t.Errorf("%s.%s does not parse: %v", tt.path, ext, err)
				continue
			}
			if f.Title != tt.title || len(f.Items) != tt.items || f.Items[0].Title != tt.first {
				t.Errorf("%s.%s: %q with %d items, first %q; want %q, %d, %q", tt.path, ext, f.Title, len(f.Items), f.Items[0].Title, tt.title, tt.items, tt.first)
			}
			if want := map[string]string{"rss": "rss", "atom": "atom", "json": "json"}[ext]; string(f.FeedType) != want {
				t.Errorf("%s.%s parsed as %s", tt.path, ext, f.FeedType)
			}
			if tt.first == "Ana" && !strings.Contains(f.Items[0].Content+f.Items[0].Description, "A fair point about the  budget.") {
				t.Errorf("%s.%s comment text = %q", tt.path, ext, f.Items[0].Content)
			}
			// Conditional GET.
			if r2 := s.get(tt.path+"."+ext, "If-None-Match", r.header.Get("ETag")); r2.status != http.StatusNotModified {
				t.Errorf("%s.%s with its ETag = %d, want 304", tt.path, ext, r2.status)
			}
		}
	}
	if r := s.get("/feed.xml"); r.status != 404 {
		t.Errorf("an unknown feed format = %d, want 404", r.status)
	}
	s.get("/city").has(t, `<link rel="alternate" type="application/rss&#43;xml" title="City (RSS)" href="/city.rss">`,
		`<link rel="alternate" type="application/feed&#43;json" title="The Test Gazette (JSON Feed)" href="/feed.json">`)
	s.get("/city/council-vote").has(t, `href="/city/council-vote/comments.atom"`)

	// Full text when the site says so.
	if f, _ := parser.ParseString(s.get("/city.atom").body); f.Items[0].Content != "" {
		t.Error("a summary feed carries the whole article")
	}
	site, err := s.db.Site(ctx)
	must(t, err)
	site.FeedFullText = true
	must(t, s.db.SetSite(ctx, site))
	if f, _ := parser.ParseString(s.get("/city.atom").body); !strings.Contains(f.Items[0].Content, "<h2") {
		t.Errorf("a full-text feed item = %q, want the article's HTML", f.Items[0].Content)
	}
}

// A comment feed's summaries are the comment's words as plain text, in
// every format: no Markdown, no tags.
func TestCommentFeedSummariesArePlainText(t *testing.T) {
	s := newSite(t)
	a := s.publish("city", "ferry", "Ferry")
	c := &comment.Comment{ArticleID: a.ID, Name: "Ana", Status: comment.Approved, Key: "k1",
		Body: "A **fair** point, see [the _map_](https://example.org/map).\n\n> quoted\n\n- one\n- two <b>x</b>"}
	must(t, s.db.CreateComment(context.Background(), c))
	parser := gofeed.NewParser()
	for _, ext := range []string{"rss", "atom", "json"} {
		r := s.get("/city/ferry/comments." + ext)
		f, err := parser.ParseString(r.body)
		if err != nil || len(f.Items) != 1 {
			t.Fatalf("comments.%s = %d, %v", ext, r.status, err)
		}
		const want = "A fair point, see the map. quoted one two x"
		if got := f.Items[0].Description; got != want {
			t.Errorf("comments.%s summary = %q, want %q", ext, got, want)
		}
		if got := f.Items[0].Content; !strings.Contains(got, "<strong>fair</strong>") {
			t.Errorf("comments.%s content = %q, want the rendered comment", ext, got)
		}
	}
}
