// Package markup renders the Markdown editors write into HTML that is safe to
// put on a page: goldmark with raw HTML switched off, then a bluemonday
// allow-list as a second, independent line of defence.
package markup

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// HeadingIDPrefix begins every id made from an editor's heading, as in
// id="h-the-vote". The page templates never use it, so a heading can share
// no id with the page around it (a heading "Comment form" must not become
// the comment form's id="comment-form"); the rest of the id is the
// heading's words, so anchors stay readable.
const HeadingIDPrefix = "h-"

// Renderer turns article Markdown into sanitised HTML. It is safe for
// concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	// commentLinks marks every link rel="nofollow ugc noopener".
	commentLinks bool
	// stories applies the story rules (story.go): figures, galleries,
	// documents and embeds, asking lookup (nil: nothing is known).
	stories bool
	lookup  Lookup
}

// Option configures the article renderer.
type Option func(*Renderer)

// WithLookup has the renderer ask l about the media library's images and
// the pages articles embed.
func WithLookup(l Lookup) Option {
	return func(r *Renderer) { r.lookup = l }
}

// ArticlesVersion names what New writes. Articles are stored with the HTML
// their body renders to and this version; HTML stored under another
// version is rendered again. Raise it with any change to what New writes
// (TestArticlesVersion fails until then).
const ArticlesVersion = 2

// New returns the renderer for newsroom content: headings, lists, quotes,
// tables, links, emphasis, code and footnotes, and the story rules'
// figures, galleries, documents and embed placeholders; no raw HTML, no
// scripts, no frames.
func New(opts ...Option) *Renderer {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("id").Matching(headingID).OnElements("h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("id").Matching(footnoteID).OnElements("li", "sup")
	p.AllowAttrs("href").Matching(footnoteHref).OnElements("a")
	p.AllowAttrs("class").Matching(footnoteClass).OnElements("a", "div", "sup")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-(noteref|endnotes|backlink)$`)).OnElements("a", "div")
	allowStories(p)
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	md := goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Footnote, extension.Typographer),
		goldmark.WithParserOptions(parser.WithAutoHeadingID(), refusedImagesAsText(p), pullQuotes()),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(storyRenderer{}, 500))),
		// goldmark.WithRendererOptions(html.WithUnsafe()) is deliberately absent:
		// raw HTML in the source is dropped and dangerous URLs are not linked.
	)
	r := &Renderer{md: md, policy: p, stories: true}
	for _, o := range opts {
		o(r)
	}
	return r
}

// allowStories lets through exactly what the story rules write, each
// attribute on its elements only and matched whole: the frame of an embed
// is an https address and nothing else, so no Markdown, and no lookup,
// can put a script or a frame of its choosing on a page.
func allowStories(p *bluemonday.Policy) {
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(figure|gallery|audio|embed)$`)).OnElements("figure")
	p.AllowAttrs("data-embed-frame").Matching(frameURL).OnElements("figure")
	p.AllowAttrs("data-embed-ratio").Matching(frameRatio).OnElements("figure")
	p.AllowAttrs("data-embed-provider").Matching(providerName).OnElements("figure")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(document|embed-link)$`)).OnElements("p")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^credit$`)).OnElements("small")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^pullquote$`)).OnElements("blockquote")
	// Any words describe a picture ("Chart: prices, 2020–2026", Persian's
	// zero-width non-joiner): the policy's own pattern, which refuses a
	// colon, left such pictures without alt text. Written escaped, as text.
	p.AllowAttrs("alt").Matching(regexp.MustCompile(`^[\P{Cc}\t\n\r]*$`)).OnElements("img")
	p.AllowAttrs("srcset").Matching(mediaSrcset).OnElements("img")
	p.AllowAttrs("sizes").Matching(regexp.MustCompile(`^(` + regexp.QuoteMeta(figureSizes) + `|` + regexp.QuoteMeta(gallerySizes) + `)$`)).OnElements("img")
	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^lazy$`)).OnElements("img")
	p.AllowAttrs("decoding").Matching(regexp.MustCompile(`^async$`)).OnElements("img")
	p.AllowAttrs("controls").Matching(regexp.MustCompile(`^$`)).OnElements("audio")
	p.AllowAttrs("preload").Matching(regexp.MustCompile(`^none$`)).OnElements("audio")
	p.AllowAttrs("src").Matching(mediaAudio).OnElements("audio")
}

// upTo matches from none to n of class, as class{0,n} does, written as
// runs of at most ten. Go compiles class{0,n} into a one-pass matcher that
// merges the class again at each of the n places: with a class as large
// as \p{L}, megabytes kept for as long as the program runs (2 MB for a
// heading's id, 1.6 MB for a provider's name). The runs compile to some
// kilobytes and match the same strings (TestUpTo).
func upTo(class string, n int) string {
	return `(?:` + class + `{1,10}){0,` + strconv.Itoa(n/10) + `}` + class + `{0,` + strconv.Itoa(n%10) + `}`
}

var (
	headingID     = regexp.MustCompile(`^` + HeadingIDPrefix + `[\p{L}\p{N}_-]` + upTo(`[\p{L}\p{N}_-]`, 99) + `$`)
	footnoteID    = regexp.MustCompile(`^fn(ref)?(:|-)?[0-9]{1,4}(-[0-9]{1,3})?$`)
	footnoteHref  = regexp.MustCompile(`^#fn(ref)?(:|-)?[0-9]{1,4}(-[0-9]{1,3})?$`)
	footnoteClass = regexp.MustCompile(`^footnote(s|-ref|-backref)$`)
	mediaSrcset   = regexp.MustCompile(`^/media/[0-9]{1,18}/[0-9]{1,5}\.jpg [0-9]{1,5}w(, /media/[0-9]{1,18}/[0-9]{1,5}\.jpg [0-9]{1,5}w){0,31}$`)
	mediaAudio    = regexp.MustCompile(`^/media/[0-9]{1,18}/[^/?#\s"'<>\\]{1,200}\.(?i:mp3|m4a|ogg|oga|opus|wav|flac)$`)
)

// RenderStored returns stored, the HTML kept with src when this renderer's
// version made it (empty otherwise), or src rendered now.
func (r *Renderer) RenderStored(ctx context.Context, stored, src string) (string, error) {
	if stored != "" {
		return stored, nil
	}
	return r.Render(ctx, src)
}

// Render converts src to sanitised HTML; ctx bounds the questions the
// renderer asks its lookup.
func (r *Renderer) Render(ctx context.Context, src string) (string, error) {
	source := []byte(src)
	pc := parser.NewContext(parser.WithIDs(&headingIDs{parser.NewContext().IDs()}))
	doc := r.md.Parser().Parse(text.NewReader(source), parser.WithContext(pc))
	if r.stories {
		r.place(ctx, doc, source)
	}
	var buf bytes.Buffer
	if err := r.md.Renderer().Render(&buf, source, doc); err != nil {
		return "", fmt.Errorf("markup: %w", err)
	}
	out := r.policy.Sanitize(buf.String())
	if r.commentLinks {
		// bluemonday writes rel="nofollow"; readers' links also say they
		// are user content and give the target no handle on this page.
		out = strings.ReplaceAll(out, `rel="nofollow"`, `rel="nofollow ugc noopener"`)
	}
	return out, nil
}

// headingIDs makes goldmark's ids from heading text, each behind
// HeadingIDPrefix; repeated headings are numbered as goldmark numbers them.
type headingIDs struct{ parser.IDs }

func (h *headingIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	return append([]byte(HeadingIDPrefix), h.IDs.Generate(value, kind)...)
}

// CommentsVersion names what NewComments writes. Comments are stored with
// the HTML they were rendered to and this version; HTML stored under
// another version is rendered again. Raise it with any change to what
// NewComments writes (TestCommentsVersion fails until then).
const CommentsVersion = 1

// NewComments returns the renderer for readers' comments: emphasis, links,
// quotes, code and lists only. Links are marked nofollow ugc and noopener;
// an image is its alt text; headings, tables and raw HTML never appear.
func NewComments() *Renderer {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "em", "strong", "del", "blockquote", "code", "pre", "ul", "ol", "li")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.RequireNoReferrerOnLinks(false)
	p.AllowRelativeURLs(false)
	md := goldmark.New(goldmark.WithExtensions(extension.Strikethrough, extension.Linkify),
		goldmark.WithParserOptions(refusedImagesAsText(p)))
	return &Renderer{md: md, policy: p, commentLinks: true}
}

// refusedImagesAsText turns every image whose source the policy would strip
// into its alt text before rendering. Left alone, the sanitiser drops the
// src (or the whole element) and leaves an <img> without src, which is
// invalid HTML, or nothing at all, which loses the editor's words; a
// comment, whose policy allows no images, keeps them as text the same way.
func refusedImagesAsText(p *bluemonday.Policy) parser.Option {
	return parser.WithASTTransformers(util.Prioritized(refusedImages{p}, 1000))
}

type refusedImages struct{ policy *bluemonday.Policy }

func (t refusedImages) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var refused []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		img, ok := n.(*ast.Image)
		if !ok || !entering {
			return ast.WalkContinue, nil
		}
		if !t.allowed(img.Destination) {
			refused = append(refused, img)
		}
		// An image inside an image's alt is only ever its text.
		return ast.WalkSkipChildren, nil
	})
	for _, img := range refused {
		parent := img.Parent()
		for _, leaf := range altText(img) {
			parent.InsertBefore(parent, img, leaf)
		}
		parent.RemoveChild(parent, img)
	}
}

// allowed reports whether the policy keeps the src goldmark would write for
// dest: goldmark itself blanks dangerous URLs, the policy strips schemes and
// addresses it does not allow, and a policy without images strips them all.
func (t refusedImages) allowed(dest []byte) bool {
	src := util.URLEscape(dest, true)
	if gmhtml.IsDangerousURL(src) {
		return false
	}
	out := t.policy.Sanitize(`<img src="` + string(util.EscapeHTML(src)) + `">`)
	return strings.Contains(out, ` src="`)
}

// altText is the text goldmark writes into an image's alt attribute: its
// words without their emphasis, links or code, rendered and escaped like
// any other text.
func altText(n ast.Node) []ast.Node {
	var leaves []ast.Node
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			c.SetHardLineBreak(false) // a line break in alt text is a space
			leaves = append(leaves, c)
		case *ast.String:
			leaves = append(leaves, c)
		default:
			leaves = append(leaves, altText(c)...)
		}
	}
	return leaves
}
