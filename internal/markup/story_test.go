package markup

import (
	"context"
	"strings"
	"testing"
)

// memLookup is a media library and a table of embeds held in memory.
type memLookup struct {
	images map[string]Image
	embeds map[string]Embed
}

func (l memLookup) Image(_ context.Context, src string) (Image, bool) {
	im, ok := l.images[src]
	return im, ok
}

func (l memLookup) Embed(_ context.Context, url string) (Embed, bool) {
	e, ok := l.embeds[url]
	return e, ok
}

var library = memLookup{
	images: map[string]Image{
		"/media/1/480.jpg": {Width: 1600, Height: 900, Renditions: []Rendition{{"/media/1/480.jpg", 480}, {"/media/1/960.jpg", 960}}},
		"/media/2/960.jpg": {Width: 1200, Height: 1600, Renditions: []Rendition{{"/media/2/480.jpg", 480}, {"/media/2/960.jpg", 960}}},
		"/media/7/640.jpg": {Width: 1280, Height: 720, Renditions: []Rendition{{"/media/7/640.jpg", 640}}},
	},
	embeds: map[string]Embed{
		"https://www.youtube.com/watch?v=abc_d--e": {URL: "https://www.youtube.com/watch?v=abc_d--e", Provider: "YouTube", Title: "Harbour at dawn",
			Author: "Ana Ruiz", Frame: "https://www.youtube-nocookie.com/embed/abc?rel=0&start=5", Width: 560, Height: 315, Thumbnail: "/media/7/640.jpg"},
		"https://vimeo.com/1":      {URL: "https://vimeo.com/1", Provider: "Vimeo", Frame: "https://player.vimeo.com/video/1", Width: 4, Height: 3},
		"https://example.org/post": {URL: "https://example.org/post", Provider: "Example", Title: "A post"},
		"https://evil.example/quotes": {URL: "https://evil.example/quotes", Provider: `Evil" onmouseover="x`, Title: `"><script>alert(1)</script> & co`,
			Author: `<img src=x onerror=alert(1)>`, Frame: "https://frames.evil.example/f?a=\"b\""},
		"https://evil.example/js":    {Provider: "Evil", Title: "JS", Frame: "javascript:alert(1)"},
		"https://evil.example/http":  {Provider: "Evil", Title: "Plain http", Frame: "http://frames.evil.example/f"},
		"https://evil.example/csp":   {Provider: "Evil", Title: "CSP", Frame: "https://frames.evil.example;script-src *"},
		"https://evil.example/thumb": {Provider: "Evil", Title: "Thumb", Frame: "https://frames.evil.example/t", Thumbnail: "https://evil.example/t.jpg"},
	},
}

func TestStoryRules(t *testing.T) {
	const (
		quay   = `<img src="/media/1/480.jpg" alt="The quay" srcset="/media/1/480.jpg 480w, /media/1/960.jpg 960w" sizes="(min-width: 46rem) 44rem, 100vw" width="1600" height="900" loading="lazy" decoding="async">`
		lazy   = `loading="lazy" decoding="async"`
		player = `<figure class="embed" data-embed-frame="https://www.youtube-nocookie.com/embed/abc?rel=0&amp;start=5" data-embed-ratio="16/9" data-embed-provider="YouTube">` +
			`<a href="https://www.youtube.com/watch?v=abc_d--e"><img src="/media/7/640.jpg" alt="" srcset="/media/7/640.jpg 640w" sizes="(min-width: 46rem) 44rem, 100vw" width="1280" height="720" loading="lazy" decoding="async">` +
			`<span>Harbour at dawn</span></a><figcaption>YouTube <small class="credit">Ana Ruiz</small></figcaption></figure>`
	)
	checkRender(t, New(WithLookup(library)), []renderCase{
		// Figures.
		{"figure with caption and credit", "![The quay](/media/1/480.jpg \"Ana Ruiz\")\nThe *quay* at dawn.\nBefore the ferries.",
			[]string{`<figure class="figure">` + quay + "<figcaption>The <em>quay</em> at dawn.\nBefore the ferries. <small class=\"credit\">Ana Ruiz</small></figcaption></figure>"},
			[]string{"<p>", `title=`}},
		{"alt text keeps every word", "![Chart: prices «up» 2020–2026; why? نمودار‌ها](/media/1/480.jpg)",
			[]string{`alt="Chart: prices «up» 2020–2026; why? نمودار‌ها"`}, nil},
		{"figure alone", "![The quay](/media/1/480.jpg)", []string{`<figure class="figure">` + quay + `</figure>`}, []string{"<figcaption", "<p>"}},
		{"figure with a credit only", "![The quay](/media/1/480.jpg 'Ana')", []string{`<figcaption><small class="credit">Ana</small></figcaption>`}, nil},
		{"figure after a hard break", "![The quay](/media/1/480.jpg)  \nCaption", []string{quay + "<figcaption>Caption</figcaption>"}, nil},
		{"external figure keeps a plain image", "![Far](https://example.org/far.jpg \"Wire\")\nFar away.",
			[]string{`<figure class="figure"><img src="https://example.org/far.jpg" alt="Far" ` + lazy + `><figcaption>Far away. <small class="credit">Wire</small></figcaption></figure>`},
			[]string{"srcset"}},
		{"unknown library image keeps a plain image", "![Gone](/media/99/480.jpg)", []string{`<img src="/media/99/480.jpg" alt="Gone" ` + lazy + `>`}, []string{"srcset"}},
		{"credit with quotes and html is text", "![The quay](/media/1/480.jpg \"Ana \\\"Ace\\\" <b>Ruiz</b> &amp; co\")",
			[]string{`<small class="credit">Ana &#34;Ace&#34; &lt;b&gt;Ruiz&lt;/b&gt; &amp; co</small>`}, []string{"<b>", `title=`}},
		{"credit cannot break out of its element", "![x](/media/1/480.jpg \"</small><script>alert(1)</script>\")",
			[]string{`<small class="credit">&lt;/small&gt;&lt;script&gt;alert(1)&lt;/script&gt;</small>`}, []string{"<script"}},
		{"image and text on the first line stay inline", "![The quay](/media/1/480.jpg) at dawn\nmore",
			[]string{`<p><img src="/media/1/480.jpg" alt="The quay"> at dawn`}, []string{"<figure", "srcset", "loading"}},
		{"image inside a sentence stays inline", "At dawn ![The quay](/media/1/480.jpg \"Ana\") slept.",
			[]string{`<p>At dawn <img src="/media/1/480.jpg" alt="The quay" title="Ana"> slept.</p>`}, []string{"<figure"}},
		{"two images on one line stay inline", "![a](/media/1/480.jpg) ![b](/media/2/960.jpg)", []string{"<p><img", "> <img"}, []string{"<figure"}},
		{"linked image stays inline", "[![The quay](/media/1/480.jpg)](https://example.org)", []string{`<p><a href="https://example.org"><img`}, []string{"<figure"}},
		{"refused image is its alt text", "![x](javascript:alert(1))\nCaption", []string{"<p>x\nCaption</p>"}, []string{"<figure", "<img"}},
		{"image in a list item", "- ![The quay](/media/1/480.jpg)\n\n- two", []string{"<li>\n<figure class=\"figure\">"}, nil},

		// Galleries.
		{"gallery", "![The quay](/media/1/480.jpg \"Ana\")\n![Tower](/media/2/960.jpg)\n![Far](https://example.org/far.jpg \"Wire\")\nThree *views* of the port.",
			[]string{`<figure class="gallery"><ul><li><img src="/media/1/480.jpg" alt="The quay" srcset="/media/1/480.jpg 480w, /media/1/960.jpg 960w" sizes="(min-width: 46rem) 22rem, 50vw" width="1600" height="900" ` + lazy + `> <small class="credit">Ana</small></li>`,
				`<li><img src="/media/2/960.jpg" alt="Tower" srcset="/media/2/480.jpg 480w, /media/2/960.jpg 960w" sizes="(min-width: 46rem) 22rem, 50vw" width="1200" height="1600" ` + lazy + `></li>`,
				`<li><img src="https://example.org/far.jpg" alt="Far" ` + lazy + `> <small class="credit">Wire</small></li>`,
				"</ul>\n<figcaption>Three <em>views</em> of the port.</figcaption></figure>"},
			[]string{"<p>", `class="figure"`}},
		{"gallery without caption", "![a](/media/1/480.jpg)\n![b](/media/2/960.jpg)", []string{`<figure class="gallery"><ul>`, "</ul>\n</figure>"}, []string{"<figcaption"}},
		{"images after the caption stay inline", "![a](/media/1/480.jpg)\nCaption\n![b](/media/2/960.jpg)",
			[]string{`<figure class="figure">`, "<figcaption>Caption\n<img src=\"/media/2/960.jpg\" alt=\"b\"></figcaption>"}, []string{"gallery"}},

		// Documents.
		{"pdf", "[Budget 2026](/media/4/budget-2026.pdf)", []string{`<p class="document"><a href="/media/4/budget-2026.pdf">Budget 2026</a> <span>PDF</span></p>`}, nil},
		{"audio", "[The *interview*](/media/5/interview.mp3)",
			[]string{`<figure class="audio"><audio controls="" preload="none" src="/media/5/interview.mp3"></audio><figcaption>The <em>interview</em></figcaption></figure>`}, []string{"<a "}},
		{"every sound", "[a](/media/5/a.m4a)\n\n[b](/media/5/b.OGG)\n\n[c](/media/5/c.wav)", []string{`src="/media/5/a.m4a"`, `src="/media/5/b.OGG"`, `src="/media/5/c.wav"`}, nil},
		{"document in a sentence stays a link", "Read [the budget](/media/4/budget.pdf) now.", []string{`<p>Read <a href="/media/4/budget.pdf">the budget</a> now.</p>`}, []string{"document"}},
		{"document elsewhere stays a link", "[Budget](https://example.org/budget.pdf)", []string{`<p><a href="https://example.org/budget.pdf">Budget</a></p>`}, []string{"document"}},
		{"other media files stay links", "[Sheet](/media/4/sheet.xlsx)\n\n[Song](/media/4/song.mp3.exe)", []string{`<p><a href="/media/4/sheet.xlsx">`, `<p><a href="/media/4/song.mp3.exe">`}, []string{"<audio", "document"}},

		// Embeds.
		{"bare url with a frame", "https://www.youtube.com/watch?v=abc_d--e", []string{player}, []string{"<iframe", "<p>"}},
		{"autolink with a frame", "<https://vimeo.com/1>",
			[]string{`<figure class="embed" data-embed-frame="https://player.vimeo.com/video/1" data-embed-ratio="4/3" data-embed-provider="Vimeo"><a href="https://vimeo.com/1"><span>https://vimeo.com/1</span></a><figcaption>Vimeo</figcaption></figure>`}, nil},
		{"link to itself with a frame", "[https://vimeo.com/1](https://vimeo.com/1)", []string{`<figure class="embed" data-embed-frame="https://player.vimeo.com/video/1"`}, nil},
		{"known page without a frame is a card", "[https://example.org/post](https://example.org/post)", []string{`<p class="embed-link"><a href="https://example.org/post">A post</a></p>`}, []string{"<figure", "data-embed"}},
		{"unknown url alone is a link", "https://unknown.example/a?b=1&c=2", []string{`<p><a href="https://unknown.example/a?b=1&amp;c=2">https://unknown.example/a?b=1&amp;c=2</a></p>`}, []string{"<figure", "class="}},
		{"unknown autolink alone stays a link", "<https://unknown.example/a>", []string{`<p><a href="https://unknown.example/a">https://unknown.example/a</a></p>`}, []string{"class="}},
		{"url in a sentence stays text", "Watch https://www.youtube.com/watch?v=abc_d--e today.", []string{"<p>Watch https://www.youtube.com/watch?v=abc_d"}, []string{"<figure", "<a "}},
		{"autolink in a sentence stays a link", "Watch <https://vimeo.com/1> today.", []string{`<p>Watch <a href="https://vimeo.com/1">https://vimeo.com/1</a> today.</p>`}, []string{"<figure"}},
		{"link with other words stays a link", "[Watch this](https://vimeo.com/1)", []string{`<p><a href="https://vimeo.com/1">Watch this</a></p>`}, []string{"<figure"}},
		{"url over two lines stays text", "https://vimeo.com/1\nhttps://vimeo.com/1", []string{"<p>https://vimeo.com/1\nhttps://vimeo.com/1</p>"}, []string{"<figure", "<a "}},
		{"url in a code block stays code", "```\nhttps://vimeo.com/1\n```\n\n    https://vimeo.com/1", []string{"<pre><code>https://vimeo.com/1\n</code></pre>"}, []string{"<figure", "<a "}},
		{"url in a code span stays code", "`https://vimeo.com/1`", []string{"<p><code>https://vimeo.com/1</code></p>"}, []string{"<figure"}},
		{"javascript autolink alone", "<javascript:alert(1)>", []string{"<p>javascript:alert(1)</p>"}, []string{`href="javascript`, "<figure"}},
		{"javascript link to itself", "[javascript:alert(1)](javascript:alert(1))", nil, []string{`href="javascript`, "<figure"}},
		{"record with a javascript frame is a card", "https://evil.example/js", []string{`<p class="embed-link"><a href="https://evil.example/js">JS</a></p>`}, []string{"javascript:", "data-embed"}},
		{"record with an http frame is a card", "https://evil.example/http", []string{`<p class="embed-link">`}, []string{"data-embed", "http://frames"}},
		{"record with a frame that would widen the policy is a card", "https://evil.example/csp", []string{`<p class="embed-link">`}, []string{"data-embed", "script-src"}},
		{"record's words are text", "https://evil.example/quotes", []string{`<p class="embed-link"><a href="https://evil.example/quotes">&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</a></p>`}, []string{"<script"}},
		{"thumbnail from elsewhere is left out", "https://evil.example/thumb", []string{`<figure class="embed" data-embed-frame="https://frames.evil.example/t" data-embed-ratio="16/9" data-embed-provider="Evil"><a href="https://evil.example/thumb"><span>Thumb</span></a>`}, []string{"<img"}},

		// Smuggling.
		{"raw figure is dropped", `<figure class="embed" data-embed-frame="https://evil.example/">x</figure>`, nil, []string{"data-embed", "<figure"}},
		{"raw attributes in a paragraph are dropped", `x <span data-embed-frame="https://evil.example/">y</span>`, nil, []string{"data-embed"}},
		{"attribute syntax is not read", "## Title {data-embed-frame=\"https://evil.example/\"}", nil, []string{"data-embed-frame=\""}},
		{"raw iframe is dropped", `<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>`, nil, []string{"<iframe"}},
	})
}

// TestStoryPolicy holds the sanitiser to exactly what the story rules
// write: each new attribute on its element, with values of its form.
func TestStoryPolicy(t *testing.T) {
	p := New().policy
	tests := []struct {
		name, in, want string
	}{
		{"placeholder", `<figure class="embed" data-embed-frame="https://player.vimeo.com/video/1?a=1" data-embed-ratio="16/9" data-embed-provider="Vimeo">x</figure>`,
			`<figure class="embed" data-embed-frame="https://player.vimeo.com/video/1?a=1" data-embed-ratio="16/9" data-embed-provider="Vimeo">x</figure>`},
		{"frame must be https", `<figure class="embed" data-embed-frame="http://player.vimeo.com/video/1">x</figure>`, `<figure class="embed">x</figure>`},
		{"frame must not be script", `<figure data-embed-frame="javascript:alert(1)">x</figure>`, `<figure>x</figure>`},
		{"frame host must be plain", `<figure data-embed-frame="https://a.example;script-src *">x</figure>`, `<figure>x</figure>`},
		{"frame only on figures", `<p data-embed-frame="https://a.example/">x</p><div data-embed-frame="https://a.example/">y</div>`, `<p>x</p><div>y</div>`},
		{"ratio is digits", `<figure data-embed-ratio="16/9;x" data-embed-provider="&lt;b&gt;">x</figure>`, `<figure>x</figure>`},
		{"other data attributes", `<figure data-embed-script="x" data-x="y">x</figure>`, `<figure>x</figure>`},
		{"classes are listed", `<figure class="embed evil">x</figure><p class="lead">y</p><small class="credit x">z</small>`, `<figure>x</figure><p>y</p><small>z</small>`},
		{"listed classes", `<p class="document">a</p><p class="embed-link">b</p><small class="credit">c</small><figure class="gallery">d</figure>`,
			`<p class="document">a</p><p class="embed-link">b</p><small class="credit">c</small><figure class="gallery">d</figure>`},
		{"srcset only of the library", `<img src="/media/1/480.jpg" srcset="https://evil.example/a.jpg 480w" sizes="100vw" loading="eager">`, `<img src="/media/1/480.jpg">`},
		{"library srcset", `<img src="/media/1/480.jpg" srcset="/media/1/480.jpg 480w, /media/1/960.jpg 960w" sizes="(min-width: 46rem) 44rem, 100vw" loading="lazy" decoding="async">`,
			`<img src="/media/1/480.jpg" srcset="/media/1/480.jpg 480w, /media/1/960.jpg 960w" sizes="(min-width: 46rem) 44rem, 100vw" loading="lazy" decoding="async">`},
		{"audio of the library", `<audio controls preload="none" src="/media/5/a.mp3"></audio>`, `<audio controls="" preload="none" src="/media/5/a.mp3"></audio>`},
		{"audio from elsewhere", `<audio controls autoplay src="https://evil.example/a.mp3"></audio>`, `<audio controls=""></audio>`},
		{"no frames, no scripts", `<iframe src="https://a.example/"></iframe><script src="/x.js"></script><video src="/media/1/a.mp4"></video>`, ``},
	}
	for _, tt := range tests {
		if got := p.Sanitize(tt.in); got != tt.want {
			t.Errorf("%s: Sanitize(%s)\n got %s\nwant %s", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestRatio(t *testing.T) {
	for _, tt := range []struct {
		w, h int
		want string
	}{{560, 315, "16/9"}, {640, 480, "4/3"}, {500, 281, "500/281"}, {0, 315, "16/9"}, {315, 0, "16/9"}, {-4, 3, "16/9"}, {1_000_003, 1, "16/9"}} {
		if got := ratio(tt.w, tt.h); got != tt.want {
			t.Errorf("ratio(%d, %d) = %q, want %q", tt.w, tt.h, got, tt.want)
		}
	}
}

func TestAbsolute(t *testing.T) {
	r := New(WithLookup(library))
	body, err := r.Render(context.Background(), "![The quay](/media/1/480.jpg)\n\n[Budget](/media/4/b.pdf), [home](/), [far](https://example.org/a) "+
		"and [net](//example.net/x) `a src=\"/x\"`.\n\n[Talk](/media/5/t.mp3)\n\nhttps://www.youtube.com/watch?v=abc_d--e")
	if err != nil {
		t.Fatal(err)
	}
	got := Absolute(body, "https://news.example.org/")
	for _, w := range []string{
		`src="https://news.example.org/media/1/480.jpg"`,
		`srcset="https://news.example.org/media/1/480.jpg 480w, https://news.example.org/media/1/960.jpg 960w"`,
		`href="https://news.example.org/media/4/b.pdf"`, `href="https://news.example.org/"`, `href="https://example.org/a"`, `href="//example.net/x"`,
		`<code>a src=&#34;/x&#34;</code>`, `<audio controls="" preload="none" src="https://news.example.org/media/5/t.mp3">`,
		`srcset="https://news.example.org/media/7/640.jpg 640w"`, `data-embed-frame="https://www.youtube-nocookie.com/embed/abc?rel=0&amp;start=5"`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("Absolute(…) =\n%s\nwant it to contain %s", got, w)
		}
	}
	if strings.Contains(got, `"/media`) || strings.Contains(got, " /media") {
		t.Errorf("Absolute(…) =\n%s\nstill holds a relative address", got)
	}
}
