package web

import (
	"context"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/markup"
)

// templateIDs lists the ids the page templates write, each templated part
// ({{.ID}}) replaced by a sample value.
func templateIDs(t *testing.T) []string {
	t.Helper()
	idAttr := regexp.MustCompile(`(?:^|\s)id="([^"]*)"`)
	action := regexp.MustCompile(`\{\{[^}]*\}\}`)
	seen := map[string]bool{}
	var ids []string
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(templateFS, path)
		if err != nil {
			return err
		}
		for _, m := range idAttr.FindAllStringSubmatch(string(src), -1) {
			for _, id := range []string{action.ReplaceAllString(m[1], "1"), action.ReplaceAllString(m[1], "article")} {
				if id != "" && !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		return nil
	})
	must(t, err)
	return ids
}

// pageIDs returns every id in an HTML page, with how often it occurs.
func pageIDs(t *testing.T, page string) map[string]int {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	must(t, err)
	ids := map[string]int{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for _, a := range n.Attr {
			if a.Key == "id" {
				ids[a.Val]++
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return ids
}

// An editor's heading can never take an id the page itself uses: a body
// whose headings spell every id of every template renders with each id
// once, and the comment form keeps its own.
func TestHeadingIDsNeverCollideWithThePage(t *testing.T) {
	s := newSite(t)
	ids := templateIDs(t)
	for _, id := range ids {
		if strings.HasPrefix(id, markup.HeadingIDPrefix) {
			t.Errorf("a template uses id %q, in the namespace of editors' headings", id)
		}
	}
	var body strings.Builder
	body.WriteString("Opening paragraph.\n\n## Comment form\n\nText.\n\n")
	for _, id := range ids {
		body.WriteString("## " + id + "\n\nText.\n\n### " + strings.ReplaceAll(id, "-", " ") + "\n\nMore.\n\n")
	}
	a := s.publish("city", "ids", "Every id", func(a *article.Article) { a.Body = body.String() })
	s.publish("city", "other", "Another story") // fills More Articles
	must(t, s.db.CreateComment(context.Background(), &comment.Comment{ArticleID: a.ID, Name: "Ana", Body: "A comment.", Status: comment.Approved, Key: "k"}))

	r := s.get("/city/ids")
	if r.status != 200 {
		t.Fatalf("article = %d", r.status)
	}
	got := pageIDs(t, r.body)
	for id, n := range got {
		if n > 1 {
			t.Errorf("id %q occurs %d times on the page", id, n)
		}
	}
	if !strings.Contains(r.body, `<form method="post" action="/city/ids/comments" class="comment-form" id="comment-form"`) {
		t.Error("the comment form lost its id")
	}
	if !strings.Contains(r.body, `<h2 id="h-comment-form">Comment form</h2>`) {
		t.Error(`the heading "Comment form" does not have the readable id h-comment-form`)
	}
	for _, id := range []string{"comments", "comment-body", "main"} {
		if got[id] != 1 {
			t.Errorf("page id %q occurs %d times, want once", id, got[id])
		}
	}
}
