package markup

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// pullQuoteMarker, alone on a quote's first line, makes the quote a pull
// quote: a line of the story set large beside it, not a source's words.
// It is written as GitHub and Obsidian write callouts, so the Markdown
// reads as a quote anywhere else.
const pullQuoteMarker = "[!pullquote]"

// pullQuotes marks each quote that begins with the marker as a pull quote
// (class="pullquote") and drops the marker's line.
func pullQuotes() parser.Option {
	return parser.WithASTTransformers(util.Prioritized(pullQuoteTransformer{}, 900))
}

type pullQuoteTransformer struct{}

func (pullQuoteTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var quotes []*ast.Blockquote
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if q, ok := n.(*ast.Blockquote); ok && entering {
			quotes = append(quotes, q)
		}
		return ast.WalkContinue, nil
	})
	for _, q := range quotes {
		p, ok := q.FirstChild().(*ast.Paragraph)
		if !ok || p.Lines().Len() == 0 {
			continue
		}
		first := p.Lines().At(0)
		if !bytes.Equal(bytes.TrimSpace(first.Value(src)), []byte(pullQuoteMarker)) {
			continue
		}
		// The marker's inlines are those that start on its line, up to
		// and including its line break.
		for c := p.FirstChild(); c != nil; {
			next := c.NextSibling()
			t, isText := c.(*ast.Text)
			if isText && t.Segment.Start >= first.Stop {
				break
			}
			p.RemoveChild(p, c)
			if isText && (t.SoftLineBreak() || t.HardLineBreak()) {
				break
			}
			c = next
		}
		if p.ChildCount() == 0 {
			q.RemoveChild(q, p)
		}
		q.SetAttributeString("class", []byte("pullquote"))
	}
}
