package wordpress

import (
	"strings"

	"github.com/JohannesKaufmann/dom"
	nethtml "golang.org/x/net/html"
)

// blockTags are the tags wpautop treats as blocks (no paragraph is made
// across them, and a newline next to one is only layout), and our embed.
var blockTags = setOf(`table thead tfoot caption col colgroup tbody tr td th div dl dd dt ul ol li pre form map area
	blockquote address math style p h1 h2 h3 h4 h5 h6 hr fieldset legend section article aside hgroup header footer nav
	figure figcaption details menu summary main ` + embedTag)

// autopRaw are the elements whose content wpautop leaves alone.
var autopRaw = setOf("pre script style svg math textarea select option object video audio iframe noscript template")

// listLike hold rows or items, never text.
var listLike = setOf("ul ol dl table thead tbody tfoot tr colgroup menu")

func setOf(words string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

// autop gives classic-editor HTML the paragraphs and line breaks WordPress's
// wpautop gives it when the post is shown: a blank line, or two <br>, ends a
// paragraph; any other newline is a <br>, except next to a block-level tag
// or after a <br>; nothing in pre, script, style, svg and the like is
// touched. At the top every stretch of text is a paragraph; inside a block
// (div, li, blockquote…) only when a blank line splits it.
func autop(n *nethtml.Node, root bool) {
	if listLike[n.Data] {
		for _, ch := range dom.AllChildNodes(n) {
			if ch.Type == nethtml.ElementNode && !autopRaw[ch.Data] {
				autop(ch, false)
			}
		}
		return
	}
	var run []*nethtml.Node
	inline := n.Data == "p" || len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6'
	cur := n // the paragraph being filled, when a blank line splits one
	flush := func(before *nethtml.Node) {
		for _, r := range run {
			dom.RemoveNode(r)
		}
		segs := paragraphs(run)
		run = nil
		for i, seg := range segs {
			parent, at := cur, before
			switch {
			case inline && i > 0: // a new paragraph, which takes what follows too
				clone := newElement(n.Data, n.Attr...)
				cur.Parent.InsertBefore(clone, cur.NextSibling)
				for ch := before; ch != nil; {
					next := ch.NextSibling
					cur.RemoveChild(ch)
					clone.AppendChild(ch)
					ch = next
				}
				cur, parent = clone, clone
			case !inline && (root || len(segs) > 1):
				parent, at = newElement("p"), nil
				n.InsertBefore(parent, before)
			}
			for _, s := range seg {
				parent.InsertBefore(s, at)
			}
			lineBreaks(seg)
		}
	}
	for ch := n.FirstChild; ch != nil; {
		next := ch.NextSibling
		if ch.Type == nethtml.ElementNode && blockTags[ch.Data] {
			flush(ch)
			if !autopRaw[ch.Data] {
				autop(ch, false)
			}
		} else {
			run = append(run, ch)
		}
		ch = next
	}
	flush(nil)
}

var blankLine = lazyRegexp(`\n[ \t\r\f]*\n`)

// paragraphs splits a run of inline nodes, taken out of the tree, at its
// blank lines and double <br>s; an inline element split in two becomes two.
// Segments holding nothing visible are left out, and each segment's ends
// are trimmed.
func paragraphs(nodes []*nethtml.Node) [][]*nethtml.Node {
	segs := [][]*nethtml.Node{nil}
	add := func(n *nethtml.Node) { segs[len(segs)-1] = append(segs[len(segs)-1], n) }
	for i := 0; i < len(nodes); i++ {
		n := nodes[i]
		switch {
		case n.Type == nethtml.TextNode:
			for j, part := range blankLine().Split(n.Data, -1) {
				if j > 0 {
					segs = append(segs, nil)
				}
				if part != "" {
					add(newText(part))
				}
			}
		case isBr(n):
			k := i + 1
			for k < len(nodes) && nodes[k].Type == nethtml.TextNode && strings.TrimSpace(nodes[k].Data) == "" {
				k++
			}
			if k < len(nodes) && isBr(nodes[k]) {
				segs = append(segs, nil)
				i = k
			} else {
				add(n)
			}
		case n.Type == nethtml.ElementNode && !autopRaw[n.Data] && n.FirstChild != nil:
			kids := dom.AllChildNodes(n)
			for _, k := range kids {
				n.RemoveChild(k)
			}
			for j, sub := range paragraphs(kids) {
				el := n
				if j > 0 {
					segs = append(segs, nil)
					el = newElement(n.Data, n.Attr...)
				}
				for _, s := range sub {
					el.AppendChild(s)
				}
				add(el)
			}
		default:
			add(n)
		}
	}
	var out [][]*nethtml.Node
	for _, seg := range segs {
		for len(seg) > 0 && seg[0].Type == nethtml.TextNode {
			if seg[0].Data = strings.TrimLeft(seg[0].Data, " \t\n\r\f"); seg[0].Data != "" {
				break
			}
			seg = seg[1:]
		}
		for len(seg) > 0 && seg[len(seg)-1].Type == nethtml.TextNode {
			last := seg[len(seg)-1]
			if last.Data = strings.TrimRight(last.Data, " \t\n\r\f"); last.Data != "" {
				break
			}
			seg = seg[:len(seg)-1]
		}
		if len(seg) > 0 {
			out = append(out, seg)
		}
	}
	return out
}

func isBr(n *nethtml.Node) bool { return n.Type == nethtml.ElementNode && n.Data == "br" }

// lineBreaks turns each newline in the text of nodes, which are in the tree,
// into a <br>, unless a <br> is already there.
func lineBreaks(nodes []*nethtml.Node) {
	afterBr := false
	var walk func(n *nethtml.Node)
	walk = func(n *nethtml.Node) {
		switch {
		case isBr(n):
			afterBr = true
		case n.Type == nethtml.TextNode:
			if !strings.Contains(n.Data, "\n") {
				afterBr = afterBr && strings.TrimSpace(n.Data) == ""
				return
			}
			for i, part := range strings.Split(n.Data, "\n") {
				if i > 0 {
					if afterBr {
						part = "\n" + part
					} else {
						n.Parent.InsertBefore(newElement("br"), n)
					}
					afterBr = true
				}
				if strings.TrimSpace(part) != "" {
					afterBr = false
					part = strings.TrimRight(part, " \t")
				}
				if part != "" {
					n.Parent.InsertBefore(newText(part), n)
				}
			}
			dom.RemoveNode(n)
		case n.Type == nethtml.ElementNode && !autopRaw[n.Data]:
			afterBr = false
			for _, ch := range dom.AllChildNodes(n) {
				walk(ch)
			}
		}
	}
	for _, n := range nodes {
		walk(n)
	}
}
