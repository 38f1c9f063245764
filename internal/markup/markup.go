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
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
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
	headingID     = regexp.MustCompile(`^` + HeadingIDPrefix + `[\p{L}\p{N}_-]{1,100}$`)
	footnoteID    = regexp.MustCompile(`^fn(ref)?(:|-)?[0-9]{1,4}(-[0-9]{1,3})?$`)
	footnoteHref  = regexp.MustCompile(`^#fn(ref)?(:|-)?[0-9]{1,4}(-[0-9]{1,3})?$`)
	footnoteClass = regexp.MustCompile(`^footnote(s|-ref|-backref)$`)
)

// Render converts src to sanitised HTML.
func (r *Renderer) Render(src string) (string, error) {
	var buf bytes.Buffer
	ctx := parser.NewContext(parser.WithIDs(&headingIDs{parser.NewContext().IDs()}))
	if err := r.md.Convert([]byte(src), &buf, parser.WithContext(ctx)); err != nil {
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
