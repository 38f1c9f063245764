package embed

import (
	"slices"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// blocks reads a body's block structure as internal/markup does (the same
// block extensions), so that what counts as a paragraph here is one there:
// a line in a fenced or indented code block, an HTML block or a table is
// none.
var blocks = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Footnote)).Parser()

// maxEmbeds bounds the addresses taken from one body.
const maxEmbeds = 50

// LoneURLs are the addresses that stand alone as a paragraph of a
// Markdown body, each once, in order: a paragraph of one line that is
// exactly an absolute http(s) address, bare, autolinked (<URL>) or a link
// whose text is its address ([URL](URL)). Each is given as written, which
// is how records are kept and found.
func LoneURLs(body string) []string {
	if !strings.Contains(body, "http") {
		return nil
	}
	src := []byte(body)
	doc := blocks.Parse(text.NewReader(src))
	var out []string
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		p, ok := n.(*ast.Paragraph)
		if !ok {
			return ast.WalkContinue, nil
		}
		if lines := p.Lines(); lines.Len() == 1 {
			seg := lines.At(0)
			if u, ok := loneURL(string(seg.Value(src))); ok && !slices.Contains(out, u) && len(out) < maxEmbeds {
				out = append(out, u)
			}
		}
		return ast.WalkSkipChildren, nil
	})
	return out
}

// loneURL reads a paragraph's one line as an address alone.
func loneURL(line string) (string, bool) {
	line = strings.TrimSpace(line)
	switch {
	case strings.HasPrefix(line, "<") && strings.HasSuffix(line, ">"):
		line = line[1 : len(line)-1]
	case strings.HasPrefix(line, "[") && strings.HasSuffix(line, ")"):
		label, dest, ok := strings.Cut(line[1:len(line)-1], "](")
		if !ok || label != dest {
			return "", false
		}
		line = dest
	}
	if _, ok := parsePage(line); !ok || strings.ContainsAny(line, "<>[]()") && !balanced(line) {
		return "", false
	}
	return line, true
}

// balanced reports whether the brackets of an address pair up, as they do
// in a real one (a Wikipedia title in parentheses); a line like
// "<https://a>b>" or "[x](y) z" is no lone address.
func balanced(s string) bool {
	if strings.ContainsAny(s, "<>") {
		return false
	}
	return strings.Count(s, "(") == strings.Count(s, ")") && strings.Count(s, "[") == strings.Count(s, "]")
}

// Find is the addresses of a body that are embeds of a known provider:
// those of LoneURLs that Match.
func Find(body string) []string {
	var out []string
	for _, u := range LoneURLs(body) {
		if _, ok := Match(u); ok {
			out = append(out, u)
		}
	}
	return out
}
