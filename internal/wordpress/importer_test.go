package wordpress_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/redirect"
	"broadsheet/internal/store/postgres"
	"broadsheet/internal/store/postgres/pgtest"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/wordpress"
)

// site is what the import tests read back of the site they import into.
type site interface {
	wordpress.Store
	ArticleBySlug(ctx context.Context, slug string) (*article.Article, error)
	PageBySlug(ctx context.Context, slug string) (*article.Page, error)
	Thread(ctx context.Context, q comment.Query) ([]comment.Comment, error)
	ModerationQueue(ctx context.Context, status comment.Status, beforeID int64, limit int) ([]comment.Queued, error)
	RedirectFor(ctx context.Context, target string) (*redirect.Redirect, error)
	TagBySlug(ctx context.Context, slug string) (*article.Tag, error)
}

func engines(testing.TB) map[string]func(t testing.TB) site {
	return map[string]func(t testing.TB) site{
		"sqlite": func(t testing.TB) site {
			db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "site.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
		"postgres": func(t testing.TB) site {
			db, err := postgres.Open(context.Background(), pgtest.Database(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
	}
}

func openFile(name string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(name) }
}

const realExport = "testdata/real/wordpress-6.1.wxr.xml"

// The real export comes across on either engine: posts with their dates,
// sections, tags, bylines, lead images and threaded comments, pages, the
// images found under the uploads, and the old addresses. A second import
// writes nothing; one of an export with a new comment writes just that.
func TestImportRealExport(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone database")
	}
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := open(t)
			opts := wordpress.Options{Uploads: "testdata/real/uploads", Location: london}
			s, err := wordpress.Import(ctx, openFile(realExport), st, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range s.Problems {
				t.Log(p)
			}
			want := map[string]int{"articles": 12, "pages": 2, "comments": 8, "images": 10, "sections": 5, "tags": 8, "authors": 5}
			for kind, n := range want {
				if s.Written[kind] != n {
					t.Errorf("written %v; want %d %s", s.Written, n, kind)
				}
			}
			secs, err := st.Sections(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(secs) != 5 {
				t.Errorf("sections %+v; want a section of each category that is a post's first", secs)
			}
			if len(s.Problems) != 0 {
				t.Errorf("problems %v; want none", s.Problems)
			}
			// Skipped are those that are the same address here (/tag/harbour).
			if r := s.Redirects; r.Added < 100 || r.Unchanged != 0 || r.Added+r.Skipped != s.OldAddresses {
				t.Errorf("redirects %+v of %d old addresses", s.Redirects, s.OldAddresses)
			}

			a, err := st.ArticleBySlug(ctx, "harbour-reopens-after-storm")
			if err != nil {
				t.Fatal(err)
			}
			if a.Section.Slug != "ireland" || a.Status != article.Published || a.LeadImage == nil || a.LeadImage.Alt == "" || len(a.Authors) != 1 {
				t.Errorf("harbour story: section %q, status %s, lead %+v, authors %+v", a.Section.Slug, a.Status, a.LeadImage, a.Authors)
			}
			if want := time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC); !a.PublishedAt.Equal(want) {
				t.Errorf("published %v; want the export's GMT date, %v", a.PublishedAt, want)
			}
			if strings.HasPrefix(a.Body, "![") {
				t.Errorf("the harbour story's text opens with its lead image again:\n%s", a.Body)
			}
			var tags []string
			for _, tg := range a.Tags {
				tags = append(tags, tg.Slug)
			}
			if !slices.Contains(tags, "harbour") || !slices.Contains(tags, "climate-change") {
				t.Errorf("harbour story tags %v", tags)
			}
			thread, err := st.Thread(ctx, comment.Query{ArticleID: a.ID, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			var shape []string
			for _, c := range thread {
				shape = append(shape, strings.Repeat(">", c.Depth)+c.Name)
			}
			if want := []string{"Zoë Ní Bhriain", ">Siobhán O'Neill", ">>Дмитрий Соколов"}; !slices.Equal(shape[:min(3, len(shape))], want) {
				t.Errorf("thread %q; want it to begin %q", shape, want)
			}
			if thread[0].URL != "https://zoe.example.net/?ref=courier&lang=ga" {
				t.Errorf("the first comment's web address is %q", thread[0].URL)
			}
			held, err := st.ModerationQueue(ctx, comment.Pending, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(held) != 1 || held[0].Name != "Pádraig" {
				t.Errorf("held comments %+v; want Pádraig's", held)
			}

			sticky, err := st.ArticleBySlug(ctx, "election-night-what-we-know-so-far")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(sticky.Tags, func(tg article.Tag) bool { return tg.Slug == "featured" }) {
				t.Errorf("the sticky post's tags %+v; want it featured", sticky.Tags)
			}
			gallery, err := st.ArticleBySlug(ctx, "gallery-the-spring-regatta")
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(gallery.Body, "](/media/"); n < 3 {
				t.Errorf("gallery body shows %d imported images:\n%s", n, gallery.Body)
			}
			if _, err := st.PageBySlug(ctx, "contact"); err != nil {
				t.Errorf("the child page: %v", err)
			}
			for from, to := range map[string]string{
				"/?p=8": "/ireland/harbour-reopens-after-storm",
				"/2024/01/15/harbour-reopens-after-storm/":      "/ireland/harbour-reopens-after-storm",
				"/2024/01/15/harbour-reopens-after-storm/feed/": "/ireland/harbour-reopens-after-storm",
				"/category/world/europe/ireland/":               "/ireland",
				"/?tag=harbour":                                 "/tag/harbour",
				"/about/contact/":                               "/contact",
				"/?page_id=5":                                   "/about",
				"/2024/01/":                                     "/latest",
			} {
				r, err := st.RedirectFor(ctx, from)
				if err != nil || r.ToURL != to || r.Source != redirect.WordPress {
					t.Errorf("redirect of %s = %+v, %v; want to %s", from, r, err, to)
				}
			}
			if r, err := st.RedirectFor(ctx, "/wp-content/uploads/2024/04/regatta-start-300x200.jpg"); err != nil || !strings.HasPrefix(r.ToURL, "/media/") {
				t.Errorf("redirect of a resized upload = %+v, %v; want to the imported image", r, err)
			}

			// Again: nothing new.
			again, err := wordpress.Import(ctx, openFile(realExport), st, opts)
			if err != nil {
				t.Fatal(err)
			}
			for kind, n := range again.Written {
				if n != 0 {
					t.Errorf("a second import wrote %d %s", n, kind)
				}
			}
			if again.Before["articles"] != 12 || again.Before["images"] != 10 || again.Redirects.Added != 0 {
				t.Errorf("a second import found %v before, redirects %+v", again.Before, again.Redirects)
			}

			// A week later the old site has one comment more.
			later := addComment(t, `<wp:comment_id>3</wp:comment_id>`, `<wp:comment>
			<wp:comment_id>99</wp:comment_id>
			<wp:comment_author><![CDATA[Late Reader]]></wp:comment_author>
			<wp:comment_author_email><![CDATA[late@readers.example]]></wp:comment_author_email>
			<wp:comment_author_url>https://late.example/</wp:comment_author_url>
			<wp:comment_date><![CDATA[2024-01-22 10:00:00]]></wp:comment_date>
			<wp:comment_date_gmt><![CDATA[2024-01-22 10:00:00]]></wp:comment_date_gmt>
			<wp:comment_content><![CDATA[Still <em>closed</em> on Sundays?]]></wp:comment_content>
			<wp:comment_approved><![CDATA[1]]></wp:comment_approved>
			<wp:comment_type><![CDATA[comment]]></wp:comment_type>
			<wp:comment_parent>5</wp:comment_parent>
			<wp:comment_user_id>0</wp:comment_user_id>
		</wp:comment>
		`)
			third, err := wordpress.Import(ctx, openFile(later), st, opts)
			if err != nil {
				t.Fatal(err)
			}
			if third.Written["comments"] != 1 || third.Written["articles"] != 0 {
				t.Errorf("the later import wrote %v; want the one new comment", third.Written)
			}
			thread, err = st.Thread(ctx, comment.Query{ArticleID: a.ID, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, c := range thread {
				if c.Name == "Late Reader" {
					found = true
					if c.Depth != 3 || c.URL != "https://late.example/" || !strings.Contains(c.Body, "*closed*") {
						t.Errorf("the later comment: %+v; want it under Дмитрий's, with its address and emphasis", c)
					}
				}
			}
			if !found {
				t.Errorf("the later comment is not in the thread %+v", thread)
			}
		})
	}
}

// addComment writes a copy of the real export with a comment added
// before the one marked by before.
func addComment(t *testing.T, before, c string) string {
	t.Helper()
	b, err := os.ReadFile(realExport)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), before)
	if i < 0 {
		t.Fatalf("%s not in the export", before)
	}
	i = strings.LastIndex(string(b[:i]), "<wp:comment>")
	out := string(b[:i]) + c + string(b[i:])
	name := filepath.Join(t.TempDir(), "later.xml")
	if err := os.WriteFile(name, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// A post that opens with its featured image shows it once, as its lead
// image; an image further down, or another image at the top, stays.
func TestWithoutLead(t *testing.T) {
	for _, tt := range []struct {
		body string
		want string
		ok   bool
	}{
		{"![Quay](/media/7/800.jpg)\n\n*The quay. Photo: Desk*\n\nThe harbour reopened.", "The harbour reopened.", true},
		{"![Quay](/media/7/1200.jpg)\n\nThe harbour reopened.", "The harbour reopened.", true},
		{"![Quay](/media/7/800.jpg)", "", true},
		{"![Quay](/media/8/800.jpg)\n\nThe harbour reopened.", "", false},
		{"The harbour reopened.\n\n![Quay](/media/7/800.jpg)", "", false},
		{"![Quay](/media/77/800.jpg)\n\nText.", "", false},
	} {
		got, ok := wordpress.WithoutLead(tt.body, 7)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("WithoutLead(%q) = %q, %v; want %q, %v", tt.body, got, ok, tt.want, tt.ok)
		}
	}
}
