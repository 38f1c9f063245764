package markup

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// element is an HTML element the story rules build around what the
// editor wrote (a figure and its caption, a gallery's list, an embed's
// placeholder): its children are goldmark's nodes, or text, rendered as
// any other.
type element struct {
	ast.BaseBlock
	tag   string
	attrs []attr
	void  bool // <img>: no children, no end tag
	block bool // a line break follows its end tag
}

type attr struct{ name, value string }

var kindElement = ast.NewNodeKind("StoryElement")

func (e *element) Kind() ast.NodeKind { return kindElement }

func (e *element) Dump(source []byte, level int) {
	ast.DumpHelper(e, source, level, map[string]string{"Tag": e.tag}, nil)
}

// newElement returns <tag attrs…> holding children.
func newElement(tag string, attrs []attr, children ...ast.Node) *element {
	e := &element{tag: tag, attrs: attrs}
	for _, c := range children {
		e.AppendChild(e, c)
	}
	return e
}

// plain is text that is written escaped and nothing else: a credit, a
// title from an embed record. goldmark's own text nodes point into the
// source and would read backslashes and entities in it.
type plain struct {
	ast.BaseInline
	text string
}

var kindPlain = ast.NewNodeKind("StoryText")

func (p *plain) Kind() ast.NodeKind { return kindPlain }

func (p *plain) Dump(source []byte, level int) {
	ast.DumpHelper(p, source, level, map[string]string{"Text": p.text}, nil)
}

func newPlain(s string) *plain { return &plain{text: s} }

// storyRenderer writes elements and plain text.
type storyRenderer struct{}

func (storyRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindElement, renderElement)
	reg.Register(kindPlain, renderPlain)
}

func renderElement(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	e := node.(*element)
	if !entering {
		if !e.void {
			w.WriteString("</" + e.tag + ">")
		}
		if e.block {
			w.WriteByte('\n')
		}
		return ast.WalkContinue, nil
	}
	w.WriteString("<" + e.tag)
	for _, a := range e.attrs {
		v := []byte(a.value)
		if a.name == "href" || a.name == "src" {
			if v = util.URLEscape(v, false); gmhtml.IsDangerousURL(v) {
				continue
			}
		}
		w.WriteString(" " + a.name + `="`)
		w.Write(util.EscapeHTML(v))
		w.WriteByte('"')
	}
	w.WriteByte('>')
	return ast.WalkContinue, nil
}

func renderPlain(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.Write(util.EscapeHTML([]byte(node.(*plain).text)))
	}
	return ast.WalkContinue, nil
}
