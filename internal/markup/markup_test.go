package markup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// renderCase is a text and what its HTML must and must not hold.
type renderCase struct {
	name    string
	src     string
	want    []string // substrings that must appear
	mustNot []string // substrings that must not appear, in any case
}

// checkRender renders each case's text with r and checks its HTML.
func checkRender(t *testing.T, r *Renderer, cases []renderCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Render(context.Background(), tt.src)
			if err != nil {
				t.Fatalf("Render(%q) error: %v", tt.src, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Render(%q) =\n%s\nwant it to contain\n%s", tt.src, got, w)
				}
			}
			for _, w := range tt.mustNot {
				if strings.Contains(strings.ToLower(got), strings.ToLower(w)) {
					t.Errorf("Render(%q) =\n%s\nmust not contain %q", tt.src, got, w)
				}
			}
		})
	}
}

func TestRender(t *testing.T) {
	checkRender(t, New(), []renderCase{
		{"paragraph", "Hello *world*", []string{"<p>Hello <em>world</em></p>"}, nil},
		{"heading gets an id", "## The vote", []string{`<h2 id="h-the-vote">The vote</h2>`}, nil},
		{"heading ids stay out of the page's", "## Comment form\n\n## comments\n\n## Comment form", []string{`<h2 id="h-comment-form">`, `<h2 id="h-comments">`, `<h2 id="h-comment-form-1">`}, []string{`id="comment-form"`, `id="comments"`}},
		{"link", "[docs](https://example.org/a)", []string{`<a href="https://example.org/a"`}, nil},
		{"quote", "> said", []string{"<blockquote>"}, nil},
		{"list", "- one\n- two", []string{"<ul>", "<li>one</li>"}, nil},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, nil},
		{"raw script dropped", "<script>alert(1)</script>\n\ntext", []string{"<p>text</p>"}, []string{"<script", "alert(1)"}},
		{"inline html dropped", "a <img src=x onerror=alert(1)> b", nil, []string{"<img", "onerror"}},
		{"javascript link", "[x](javascript:alert(1))", nil, []string{"javascript:"}},
		{"javascript link mixed case", "[x](JaVaScRiPt:alert(1))", nil, []string{"avascript:", "alert(1)\""}},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD4=)", nil, []string{"data:text"}},
		{"vbscript link", "[x](vbscript:msgbox(1))", nil, []string{"vbscript:"}},
		{"autolink javascript", "<javascript:alert(1)>", nil, []string{`href="javascript`}},
		{"html in code is escaped", "`<b>x</b>`", []string{"<code>&lt;b&gt;x&lt;/b&gt;</code>"}, nil},
		{"attribute injection in link title", `[x](https://example.org "a\" onmouseover=\"alert(1)")`, nil, []string{"onmouseover=\"alert"}},
		{"iframe", "<iframe src=https://evil.example></iframe>", nil, []string{"<iframe"}},
		{"style tag", "<style>body{display:none}</style>", nil, []string{"<style"}},
		{"footnote", "Claim[^1].\n\n[^1]: Source.", []string{`<sup id="fnref:1">`, `href="#fn:1"`}, nil},
		{"typographer", `"quoted"`, []string{"“quoted”"}, nil},
		{"persian text", "سلام دنیا", []string{"<p>سلام دنیا</p>"}, nil},
		{"image", "![The quay](https://example.org/quay.jpg)", []string{`<figure class="figure"><img src="https://example.org/quay.jpg" alt="The quay" loading="lazy" decoding="async"></figure>`}, nil},
		{"relative image", "![The quay](/media/1/480.jpg)", []string{`<figure class="figure"><img src="/media/1/480.jpg" alt="The quay" loading="lazy" decoding="async"></figure>`}, nil},
		{"inline image", "See ![The quay](/media/1/480.jpg).", []string{`<p>See <img src="/media/1/480.jpg" alt="The quay">.</p>`}, nil},
		// An image whose source the sanitiser refuses is its alt text,
		// never an <img> without src (invalid HTML, and nothing to read).
		{"data image", "![img](data:text/html,hi)", []string{"<p>img</p>"}, []string{"<img", "data:"}},
		{"data png image", "![dot](data:image/png;base64,iVBORw0KGgo=)", []string{"<p>dot</p>"}, []string{"<img", "data:"}},
		{"javascript image", "![x](javascript:alert(1))", []string{"<p>x</p>"}, []string{"<img", "javascript:"}},
		{"ftp image", "![a *b* & c < d](ftp://example.org/a.png)", []string{"<p>a b &amp; c &lt; d</p>"}, []string{"<img", "ftp:"}},
		{"refused image in a link", "[![Logo](data:x)](https://example.org)", []string{`<a href="https://example.org">Logo</a>`}, []string{"<img"}},
		{"refused image in an image", "![![in](data:y) out](data:x)", []string{"<p>in out</p>"}, []string{"<img"}},
	})
}

func TestRenderComment(t *testing.T) {
	r := NewComments()
	tests := []struct {
		name    string
		src     string
		want    []string
		mustNot []string
	}{
		{"emphasis", "I *really* agree", []string{"<em>really</em>"}, nil},
		{"link is ugc", "[site](https://example.org)", []string{`<a href="https://example.org" rel="nofollow ugc noopener">site</a>`}, nil},
		{"bare url linked", "see https://example.org/x", []string{`href="https://example.org/x" rel="nofollow ugc noopener"`}, nil},
		{"quote", "> said", []string{"<blockquote>"}, nil},
		{"list", "- a\n- b", []string{"<li>a</li>"}, nil},
		{"code", "`x < y`", []string{"<code>x &lt; y</code>"}, nil},
		{"images are their alt text", "![a *cat* & a < b](https://example.org/a.png)", []string{"<p>a cat &amp; a &lt; b</p>"}, []string{"<img", "example.org"}},
		{"image in a link", "[![x](https://example.org/a.png)](https://example.org)", []string{`<a href="https://example.org" rel="nofollow ugc noopener">x</a>`}, []string{"<img"}},
		{"no headings", "# Shouting", []string{"Shouting"}, []string{"<h1"}},
		{"no raw html", "<b onclick=alert(1)>x</b>", nil, []string{"<b", "onclick"}},
		{"no javascript links", "[x](javascript:alert(1))", nil, []string{"javascript:"}},
		{"no relative links", "[x](/admin)", nil, []string{`href="/admin"`}},
		{"no tables", "| a |\n|---|\n| 1 |", nil, []string{"<table"}},
		{"script text escaped", "<script>alert(1)</script>", nil, []string{"<script"}},
	}
	for _, tt := range tests {
		got, err := r.Render(context.Background(), tt.src)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: Render(%q) = %q, want %q", tt.name, tt.src, got, w)
			}
		}
		for _, w := range tt.mustNot {
			if strings.Contains(got, w) {
				t.Errorf("%s: Render(%q) = %q, must not contain %q", tt.name, tt.src, got, w)
			}
		}
	}
}

// FuzzRenderComment checks, by parsing the output as a browser would, that
// no input makes the comment pipeline emit an element or attribute outside
// the allow-list, or a link to anything but http, https or mailto.
func FuzzRenderComment(f *testing.F) {
	for _, s := range []string{"hello", "<script>alert(1)</script>", "[x](javascript:alert(1))", "<img src=x onerror=alert(1)>",
		"[a](https://example.org)", "`code`", "> q\n\n- l", "<a href=\"jav&#x09;ascript:alert(1)\">x</a>", "<svg onload=alert(1)>",
		"[x](https://example.org \"t\" onmouseover=alert(1))", "https://example.org/<script>"} {
		f.Add(s)
	}
	allowed := map[string]bool{"p": true, "br": true, "em": true, "strong": true, "del": true, "blockquote": true, "code": true,
		"pre": true, "ul": true, "ol": true, "li": true, "a": true}
	r := NewComments()
	f.Fuzz(func(t *testing.T, src string) {
		out, err := r.Render(context.Background(), src)
		if err != nil {
			return
		}
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			if !allowed[tok.Data] {
				t.Fatalf("Render(%q) = %q: element <%s> outside the allow-list", src, out, tok.Data)
			}
			for _, a := range tok.Attr {
				switch a.Key {
				case "rel":
				case "href":
					u, err := url.Parse(a.Val)
					if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
						t.Fatalf("Render(%q) = %q: link to %q", src, out, a.Val)
					}
				default:
					t.Fatalf("Render(%q) = %q: attribute %s outside the allow-list", src, out, a.Key)
				}
			}
		}
	})
}

// TestArticlesVersion holds ArticlesVersion to what New writes: stored
// articles keep their HTML only while the renderer writes the same.
func TestArticlesVersion(t *testing.T) {
	srcs := []string{"Hello *world*", "**strong**, ~~gone~~ and `x < y`", "## The vote\n\n### The vote\n\n#### Comment form",
		"[docs](https://example.org/a) and <https://example.org/b>, mail@example.org", "> said\n\nreply", "- one\n- two\n\n1. one\n2. two",
		"```\ncode <b>\n```", "| a | b |\n|---|---|\n| 1 | 2 |", "Claim[^1].\n\n[^1]: Source.", "\"quoted\" -- and... it's",
		"![The quay](https://example.org/quay.jpg) ![Local](/media/1/480.jpg)", "![img](data:text/html,hi) [![Logo](data:x)](https://example.org)",
		"<script>alert(1)</script>\n\ntext <img src=x onerror=alert(1)>", "[x](javascript:alert(1)) [y](vbscript:msgbox(1))",
		"line one  \nline two\n\n---\n\nafter", "سلام *دنیا*", "Привет, [мир](https://example.org/мир)",
		"![The quay](/media/1/480.jpg \"Ana\")\nThe *quay*.", "![Far](https://example.org/far.jpg)", "![a](/media/1/480.jpg)\n![b](/media/2/960.jpg 'B')\nBoth.",
		"[Budget](/media/4/budget.pdf)\n\n[Interview](/media/5/interview.mp3)", "https://www.youtube.com/watch?v=abc_d--e\n\n<https://vimeo.com/1>",
		"[https://example.org/post](https://example.org/post)\n\nhttps://unknown.example/a", "![Chart: prices, 2020–2026](/media/1/480.jpg)",
		"> [!pullquote]\n> Words *set* large.\n\n> [!pullquote]\n\n> [!note]\n> plain"}
	checkVersion(t, New(WithLookup(library)), srcs, "ArticlesVersion", ArticlesVersion, 2, "2a81602a744c")
}

// TestCommentsVersion holds CommentsVersion to what NewComments writes:
// stored comments keep their HTML only while the renderer writes the same.
func TestCommentsVersion(t *testing.T) {
	srcs := []string{"I *really* agree", "**strong** and ~~gone~~", "[site](https://example.org)", "see https://example.org/x and mail@example.org",
		"> said\n\nreply", "- a\n- b\n\n1. one\n2. two", "`x < y`\n\n```\ncode\n```", "![a *cat*](https://example.org/a.png)",
		"# Shouting", "<b onclick=alert(1)>x</b>", "[x](javascript:alert(1))", "[x](/admin)", "| a |\n|---|\n| 1 |",
		"line one  \nline two", "\"quotes\" -- and...", "سلام *دنیا*", "Привет, [мир](https://example.org/мир)"}
	checkVersion(t, NewComments(), srcs, "CommentsVersion", CommentsVersion, 1, "fe8e4afdeca7")
}

// checkVersion fails when what r writes for srcs (a digest of it) or r's
// version, the constant named, is not what the test knows: a renderer
// whose output changed must raise its version, so that what the one
// before stored is rendered again, and the test then learns both anew.
func checkVersion(t *testing.T, r *Renderer, srcs []string, name string, version, knownVersion int, knownOutput string) {
	t.Helper()
	h := sha256.New()
	for _, src := range srcs {
		out, err := r.Render(context.Background(), src)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(out + "\x00"))
	}
	got := hex.EncodeToString(h.Sum(nil))[:12]
	if version != knownVersion || got != knownOutput {
		t.Errorf("the renderer writes %s at %s %d; this test knows %s at %d.\n"+
			"If the output changed, raise %[2]s, so that what was stored is rendered again, and set both here.", got, name, version, knownOutput, knownVersion)
	}
}

func TestPullQuotes(t *testing.T) {
	r := New()
	for _, tt := range []struct{ src, want string }{
		{"> [!pullquote]\n> The sea came over in a minute.", "<blockquote class=\"pullquote\"><p>The sea came over in a minute.</p>\n</blockquote>\n"},
		{"> [!pullquote]\n> One *line*\n> and the next.\n>\n> — Dr Mensah", "<blockquote class=\"pullquote\"><p>One <em>line</em>\nand the next.</p>\n<p>— Dr Mensah</p>\n</blockquote>\n"},
		{"> [!pullquote]\n>\n> After a blank line.", "<blockquote class=\"pullquote\"><p>After a blank line.</p>\n</blockquote>\n"},
		{"> A quote.\n> [!pullquote]", "<blockquote>\n<p>A quote.\n[!pullquote]</p>\n</blockquote>\n"},
		{"> [!note]\n> Not a pull quote.", "<blockquote>\n<p>[!note]\nNot a pull quote.</p>\n</blockquote>\n"},
		{"[!pullquote]\nNot in a quote.", "<p>[!pullquote]\nNot in a quote.</p>\n"},
	} {
		got, err := r.Render(context.Background(), tt.src)
		if err != nil || got != tt.want {
			t.Errorf("Render(%q) =\n%q, %v; want\n%q", tt.src, got, err, tt.want)
		}
	}
}

// TestUpTo: the patterns written with upTo match what class{n,m} matches,
// at every length around their bounds, and each compiles to a small part
// of the memory the plain form takes.
func TestUpTo(t *testing.T) {
	tests := []struct {
		name       string
		got        *regexp.Regexp
		plain      string
		prefix     string
		first, any []string // what may begin, and what may follow
		refused    string   // a character neither may be
	}{
		{"heading id", headingID, `^` + HeadingIDPrefix + `[\p{L}\p{N}_-]{1,100}$`, HeadingIDPrefix, []string{"a", "ب", "7", "-"}, []string{"x", "ж", "_", "-", "۳"}, " "},
		{"provider name", providerName, `^[\p{L}\p{N}][\p{L}\p{N} .,'&()+_-]{0,79}$`, "", []string{"Y", "ن", "4"}, []string{"o", " ", ".", "&", "ی", "("}, "<"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := regexp.MustCompile(tt.plain)
			for n := 0; n <= 110; n++ {
				for i, f := range tt.first {
					var b strings.Builder
					b.WriteString(tt.prefix)
					if n > 0 {
						b.WriteString(f)
					}
					for k := 1; k < n; k++ {
						b.WriteString(tt.any[(i+k)%len(tt.any)])
					}
					for _, s := range []string{b.String(), b.String() + tt.refused, tt.refused + b.String()} {
						if got, want := tt.got.MatchString(s), plain.MatchString(s); got != want {
							t.Errorf("%d characters: MatchString(%q) = %v, want %v", n, s, got, want)
						}
					}
				}
			}
			if small, big := compiledSize(tt.got.String()), compiledSize(tt.plain); small*10 > big {
				t.Errorf("%s compiles to %d bytes, the plain form to %d: want a tenth at most", tt.got, small, big)
			}
		})
	}
}

// compiledSize is about how much memory a compiled pattern holds.
func compiledSize(expr string) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	re := regexp.MustCompile(expr)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(re)
	return after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc)
}
