// Package markup renders the Markdown editors write into HTML that is safe to
// put on a page: goldmark with raw HTML switched off, then a bluemonday
// allow-list as a second, independent line of defence.
package markup

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
)

// Renderer turns article Markdown into sanitised HTML. It is safe for
// concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	// commentLinks marks every link rel="nofollow ugc noopener".
	commentLinks bool
}

// New returns the renderer for newsroom content: headings, lists, quotes,
// tables, links, emphasis, code and footnotes; no raw HTML, no scripts.
func New() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Footnote, extension.Typographer),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		// goldmark.WithRendererOptions(html.WithUnsafe()) is deliberately absent:
		// raw HTML in the source is dropped and dangerous URLs are not linked.
	)
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("id").Matching(headingID).OnElements("h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("id").Matching(footnoteID).OnElements("li", "sup")
	p.AllowAttrs("href").Matching(footnoteHref).OnElements("a")
	p.AllowAttrs("class").Matching(footnoteClass).OnElements("a", "div", "sup")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-(noteref|endnotes|backlink)$`)).OnElements("a", "div")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return &Renderer{md: md, policy: p}
}

var (
	headingID     = regexp.MustCompile(`^[\p{L}\p{N}_-]{1,100}$`)
	footnoteID    = regexp.MustCompile(`^fn(ref)?(:|-)?[0-9]{1,4}(-[0-9]{1,3})?$`)
	footnoteHref  = regexp.MustCompile(`^#fn(ref)?(:|-)?[0-9]{1,4}(-[0-9]{1,3})?$`)
	footnoteClass = regexp.MustCompile(`^footnote(s|-ref|-backref)$`)
)

// Render converts src to sanitised HTML.
func (r *Renderer) Render(src string) (string, error) {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
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

// NewComments returns the renderer for readers' comments: emphasis, links,
// quotes, code and lists only. Links are marked nofollow ugc and noopener;
// images, headings, tables and raw HTML never appear.
func NewComments() *Renderer {
	md := goldmark.New(goldmark.WithExtensions(extension.Strikethrough, extension.Linkify))
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "em", "strong", "del", "blockquote", "code", "pre", "ul", "ol", "li")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.RequireNoReferrerOnLinks(false)
	p.AllowRelativeURLs(false)
	return &Renderer{md: md, policy: p, commentLinks: true}
}
