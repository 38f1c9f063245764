package web

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"broadsheet/internal/article"
	"broadsheet/internal/embed"
	"broadsheet/internal/store"
)

// testEmbeds are records of embeds as the newsroom keeps them when an
// article holding their addresses is saved.
var testEmbeds = []embed.Record{
	{URL: "https://www.youtube.com/watch?v=harbour", ProviderKey: "youtube", Provider: "YouTube", Title: "The harbour at dawn",
		Author: "Port Authority", Frame: "https://www.youtube-nocookie.com/embed/harbour", Width: 560, Height: 315},
	{URL: "https://www.youtube.com/watch?v=quay", ProviderKey: "youtube", Provider: "YouTube", Title: "The quay",
		Frame: "https://www.youtube-nocookie.com/embed/quay"},
	{URL: "https://vimeo.com/42", ProviderKey: "vimeo", Provider: "Vimeo", Title: "Ferry", Frame: "https://player.vimeo.com/video/42", Width: 4, Height: 3},
	{URL: "https://example.org/post", ProviderKey: "oembed", Provider: "Example", Title: "A post"},
}

// keepEmbeds stores records as the newsroom does before it saves an
// article holding their addresses.
func keepEmbeds(t *testing.T, db interface {
	SaveEmbed(ctx context.Context, r *embed.Record) error
}, recs []embed.Record) {
	t.Helper()
	for _, r := range recs {
		r.Complete, r.FetchedAt = true, time.Now()
		must(t, db.SaveEmbed(context.Background(), &r))
	}
}

// newEmbedSite is newSite with testEmbeds kept.
func newEmbedSite(t *testing.T) *site {
	s := newSite(t)
	keepEmbeds(t, s.db, testEmbeds)
	return s
}

// unrendered marks the HTML stored with article id as an earlier
// renderer's: the site renders its body when it shows it, asking the
// lookup, as it does after an upgrade until `serve` has stored it anew.
func (s *site) unrendered(id int64) {
	s.t.Helper()
	must(s.t, s.db.Update(context.Background(), func(ctx context.Context, tx *store.Tx) ([]string, error) {
		_, err := tx.ExecContext(ctx, `UPDATE articles SET html_of = 0 WHERE id = ?`, id)
		return []string{article.KeyArticle(id)}, err
	}))
}

// libraryImage stores an image of the media library at two widths.
func (s *site) libraryImage(alt string) *article.Image {
	s.t.Helper()
	img := &article.Image{Alt: alt, Width: 1200, Height: 800}
	must(s.t, s.db.CreateImage(context.Background(), img, []article.Variant{
		{Width: 480, Height: 320, ContentType: "image/jpeg", Bytes: []byte("small " + alt)},
		{Width: 1200, Height: 800, ContentType: "image/jpeg", Bytes: []byte("large " + alt)},
	}))
	return img
}

func TestArticlePicturesHaveTheirWidths(t *testing.T) {
	s := newSite(t)
	quay, tower := s.libraryImage("The quay"), s.libraryImage("The tower")
	body := fmt.Sprintf("Text.\n\n![The quay](/media/%d/480.jpg \"Ana Ruiz\")\nThe *quay* at dawn.\n\n"+
		"![The quay](/media/%d/1200.jpg)\n![The tower](/media/%d/480.jpg \"Desk\")\nThe port.", quay.ID, quay.ID, tower.ID)
	s.publish("city", "quay", "Quay", func(a *article.Article) { a.Body = body })
	r := s.get("/city/quay")
	r.has(t,
		fmt.Sprintf(`<figure class="figure"><img src="/media/%d/480.jpg" alt="The quay" srcset="/media/%d/480.jpg 480w, /media/%d/1200.jpg 1200w" sizes="(min-width: 46rem) 44rem, 100vw" width="1200" height="800" loading="lazy" decoding="async"><figcaption>The <em>quay</em> at dawn. <small class="credit">Ana Ruiz</small></figcaption></figure>`, quay.ID, quay.ID, quay.ID),
		fmt.Sprintf(`<li><img src="/media/%d/480.jpg" alt="The tower" srcset="/media/%d/480.jpg 480w, /media/%d/1200.jpg 1200w" sizes="(min-width: 46rem) 22rem, 50vw" width="1200" height="800" loading="lazy" decoding="async"> <small class="credit">Desk</small></li>`, tower.ID, tower.ID, tower.ID),
		"<figcaption>The port.</figcaption></figure>")
	r.lacks(t, "embed.js")
	if got := r.header.Get("Content-Security-Policy"); got != hdrCSP[0] {
		t.Errorf("a page without embeds has the policy %q, want the site's %q", got, hdrCSP[0])
	}
	// The pictures are the article's: readers may fetch them.
	if got := s.get(fmt.Sprintf("/media/%d/1200.jpg", tower.ID)); got.status != 200 || got.body != "large The tower" {
		t.Errorf("GET a gallery picture = %d %q, want 200 and its bytes", got.status, got.body)
	}
}

func TestEmbedPagesLetTheirFramesIn(t *testing.T) {
	s := newEmbedSite(t)
	ctx := context.Background()
	s.publish("city", "harbour", "Harbour", func(a *article.Article) {
		a.Body = "Watch:\n\nhttps://www.youtube.com/watch?v=harbour\n\n<https://vimeo.com/42>\n\n" +
			"[https://www.youtube.com/watch?v=quay](https://www.youtube.com/watch?v=quay)\n\nhttps://example.org/post\n\n" +
			"Not here: https://www.youtube.com/watch?v=harbour, nor `https://vimeo.com/42`."
	})
	s.publish("city", "plain", "Plain")
	// The records were kept before the article was saved, as the
	// newsroom keeps them: the stored HTML holds the placeholders.
	var r result
	const frames = "; frame-src https://player.vimeo.com https://www.youtube-nocookie.com"
	for i, h := range []string{"", "gzip"} {
		r = s.get("/city/harbour", "Accept-Encoding", h)
		if r.status != 200 {
			t.Fatalf("GET the article = %d", r.status)
		}
		if got, want := r.header.Get("Content-Security-Policy"), hdrCSP[0]+frames; got != want {
			t.Errorf("request %d: the page with embeds has the policy\n%q, want\n%q", i, got, want)
		}
		r.has(t, `<figure class="embed" data-embed-frame="https://www.youtube-nocookie.com/embed/harbour" data-embed-ratio="16/9" data-embed-provider="YouTube"><a href="https://www.youtube.com/watch?v=harbour"><span>The harbour at dawn</span></a><figcaption>YouTube <small class="credit">Port Authority</small></figcaption></figure>`,
			`data-embed-frame="https://player.vimeo.com/video/42" data-embed-ratio="4/3"`, `data-embed-frame="https://www.youtube-nocookie.com/embed/quay"`,
			`<p class="embed-link"><a href="https://example.org/post">A post</a></p>`,
			`<script src="`+s.srv.assetURL("embed.js")+`" defer data-load="Load content from {provider}" data-notice="{provider} may set cookies once it is loaded."></script>`)
		r.lacks(t, "<iframe")
	}
	if hits := s.srv.cache.hits.Load(); hits == 0 {
		t.Error("the second request was not served from the page cache")
	}
	// A conditional request answered from the cache carries no policy,
	// not the site's: the browser keeps the frames' it stored with the
	// page.
	r2 := s.get("/city/harbour", "If-None-Match", r.header.Get("ETag"))
	if got, ok := r2.header["Content-Security-Policy"]; r2.status != 304 || ok {
		t.Errorf("revalidating = %d with the policy %q, want 304 with none", r2.status, got)
	}
	// Every other page keeps the site's policy, and no script of embeds.
	for _, path := range []string{"/city/plain", "/city/plain", "/", "/city", "/about"} {
		r := s.get(path)
		if got := r.header.Get("Content-Security-Policy"); got != hdrCSP[0] {
			t.Errorf("GET %s has the policy %q, want the site's", path, got)
		}
		r.lacks(t, "embed.js")
	}

	// A static page may hold an embed too.
	must(t, s.db.CreatePage(ctx, &article.Page{Slug: "watch", Title: "Watch", Body: "https://vimeo.com/42"}))
	r = s.get("/watch")
	if got := r.header.Get("Content-Security-Policy"); got != hdrCSP[0]+"; frame-src https://player.vimeo.com" {
		t.Errorf("a page with an embed has the policy %q", got)
	}
	r.has(t, `<figure class="embed" data-embed-frame="https://player.vimeo.com/video/42"`, "embed.js")
}

func TestFramingWidensTheSitesPolicy(t *testing.T) {
	s := &Server{csp: hdrCSP}
	if got := s.framing(nil); got != nil {
		t.Errorf("framing(none) = %q, want nil: the site's policy", got)
	}
	if got, want := s.framing([]string{"https://a.example"}), hdrCSP[0]+"; frame-src https://a.example"; got[0] != want {
		t.Errorf("framing = %q, want %q", got[0], want)
	}
	s.csp = []string{"default-src 'self'; frame-src https://challenges.example; object-src 'none'"}
	if got, want := s.framing([]string{"https://a.example", "https://b.example:8443"}),
		"default-src 'self'; frame-src https://challenges.example https://a.example https://b.example:8443; object-src 'none'"; got[0] != want {
		t.Errorf("framing = %q, want %q", got[0], want)
	}
}

func TestEmbedOrigins(t *testing.T) {
	for _, tt := range []struct {
		body string
		want []string
	}{
		{`<p>no embeds</p>`, nil},
		{`<figure class="embed" data-embed-frame="https://b.example/x?a=1&amp;b=2"></figure><figure class="embed" data-embed-frame="https://a.example:8443/y"></figure>` +
			`<figure class="embed" data-embed-frame="https://b.example/z"></figure><figure class="embed" data-embed-frame="https://c.example"></figure>`,
			[]string{"https://a.example:8443", "https://b.example", "https://c.example"}},
		// What the sanitiser never lets through is not read as a frame.
		{`<p>data-embed-frame=&#34;https://evil.example/&#34;</p><figure data-embed-frame="https://evil.example;script-src/"></figure>`, nil},
		{`<figure data-embed-frame="http://plain.example/"></figure><figure data-embed-frame="https://UPPER.example/"></figure>`, nil},
	} {
		if got := embedOrigins(tt.body); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("embedOrigins(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

// A full-text feed carries an embed as a link to its page, and the
// site's pictures, every width of them, at their full address.
func TestFeedEmbedsAreLinks(t *testing.T) {
	s := newEmbedSite(t)
	ctx := context.Background()
	img := s.libraryImage("The quay")
	a := s.publish("city", "harbour", "Harbour", func(a *article.Article) {
		a.Body = fmt.Sprintf("![The quay](/media/%d/480.jpg \"Ana\")\nThe quay.\n\nhttps://www.youtube.com/watch?v=harbour\n\n[Budget](/media/9/budget.pdf)", img.ID)
	})
	s.unrendered(a.ID)
	site, err := s.db.Site(ctx)
	must(t, err)
	site.FeedFullText = true
	must(t, s.db.SetSite(ctx, site))
	for _, ext := range []string{"rss", "atom", "json"} {
		f, err := gofeed.NewParser().ParseString(s.get("/city." + ext).body)
		if err != nil || len(f.Items) != 1 {
			t.Fatalf("city.%s: %v", ext, err)
		}
		got := f.Items[0].Content
		for _, w := range []string{
			fmt.Sprintf(`src="https://news.example.org/media/%d/480.jpg"`, img.ID),
			fmt.Sprintf(`srcset="https://news.example.org/media/%d/480.jpg 480w, https://news.example.org/media/%d/1200.jpg 1200w"`, img.ID, img.ID),
			`<a href="https://www.youtube.com/watch?v=harbour"><span>The harbour at dawn</span></a>`,
			`<a href="https://news.example.org/media/9/budget.pdf">Budget</a>`,
		} {
			if !strings.Contains(got, w) {
				t.Errorf("city.%s content =\n%s\nwant it to contain %s", ext, got, w)
			}
		}
		if strings.Contains(got, "<iframe") || regexp.MustCompile(`(src|href|srcset)="/|, /media`).MatchString(got) {
			t.Errorf("city.%s content =\n%s\nholds a frame or an address on the site alone", ext, got)
		}
	}
}
