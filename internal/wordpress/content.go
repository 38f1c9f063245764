package wordpress

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/JohannesKaufmann/dom"
	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
	nethtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Media finds what a WordPress image became on the site: given its address
// as the post wrote it and its attachment id (0 when the post does not say),
// the site path of the size to show ("/media/27/800.jpg") and its alt text;
// ok is false when the image was not imported. Convert asks with the address
// as written, then with the addresses of the upload it may be a resized copy
// of (photo-300x200.jpg and photo-scaled.jpg lead to photo.jpg, then to
// photo-scaled.jpg), so Media need only know each attachment's own
// addresses and id.
type Media func(src string, attachmentID int64) (path, alt string, ok bool)

// Convert turns the content of a WordPress post, from the classic editor
// or the block editor, into Markdown for internal/markup. Each note says, in
// one line, what could not be carried over exactly (a shortcode kept as
// text, an image not found, an embed kept as its address, a script
// dropped…): nothing is dropped without one, except what a reader never
// saw (comments, styling) and links from an image to its own file.
//
// Until Markdown has figures and embeds, an image's caption is an italic
// paragraph after it and an embed is its address alone on a line, as an
// autolink (<https://…>). Convert is safe for concurrent use.
func Convert(content string, media Media) (markdown string, notes []string) {
	c := &conversion{media: media, key: rand.Text(), seen: map[string]bool{}}
	src := c.expand(c.cleanText(content))
	body := newElement("body")
	nodes, err := nethtml.ParseFragment(strings.NewReader(src), body)
	if err != nil { // elements nested deeper than the parser goes
		c.note("HTML nested too deeply to read (%v): kept as its text", err)
		src = c.open(autopTag) + html.EscapeString(htmlText(src)) + "</" + autopTag + ">"
		if nodes, err = nethtml.ParseFragment(strings.NewReader(src), body); err != nil {
			panic(fmt.Sprintf("wordpress: parse content as text: %v", err))
		}
	}
	for _, n := range nodes {
		body.AppendChild(n)
	}
	doc := &nethtml.Node{Type: nethtml.DocumentNode}
	doc.AppendChild(body)
	c.rewrite(body)
	ctx := context.WithValue(context.Background(), conversionKey{}, c)
	out, err := markdownConverter().ConvertNode(doc, converter.WithContext(ctx))
	if err != nil { // only a converter set up wrongly fails
		panic(fmt.Sprintf("wordpress: convert content: %v", err))
	}
	return string(out), c.notes
}

// conversion is one call of Convert: the media lookup and the notes.
type conversion struct {
	media Media
	// key marks the elements Convert writes into the HTML itself, so that a
	// post cannot forge one.
	key   string
	notes []string
	seen  map[string]bool
}

type conversionKey struct{}

// note records a line for the importer, once however often it happens.
func (c *conversion) note(format string, args ...any) {
	s := strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " ")
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:199]) + "…"
	}
	if !c.seen[s] {
		c.seen[s] = true
		c.notes = append(c.notes, s)
	}
}

// cleanText drops control characters, which no XML export carries, and
// replaces U+F002, which the Markdown converter uses internally for a
// newline in code: in the text they would turn into escapes and line breaks
// nobody wrote.
func (c *conversion) cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20 || r == 0x7f:
			c.note("control characters dropped")
			return -1
		case r == '\uF002':
			c.note("private-use character U+F002 replaced by U+FFFD")
			return utf8.RuneError
		}
		return r
	}, s)
}

// The elements Convert writes into the HTML; they carry data-bs=key.
const (
	autopTag = "x-bs-autop" // classic-editor content, to be given paragraphs
	embedTag = "x-bs-embed" // an embed: data-url is its address
)

func (c *conversion) open(tag string, attrs ...string) string {
	var b strings.Builder
	b.WriteString("<" + tag + ` data-bs="` + c.key + `"`)
	for i := 0; i+1 < len(attrs); i += 2 {
		b.WriteString(" " + attrs[i] + `="` + html.EscapeString(attrs[i+1]) + `"`)
	}
	b.WriteString(">")
	return b.String()
}

func (c *conversion) embedHTML(raw string) string {
	return c.open(embedTag, "data-url", raw) + "</" + embedTag + ">"
}

// ---- Converter ---------------------------------------------------------------

// markdownConverter is html-to-markdown with CommonMark, GFM tables and
// strikethrough, an embed renderer, and tables it cannot write as Markdown
// tables kept as text with a note.
var markdownConverter = sync.OnceValue(func() *converter.Converter {
	conv := converter.NewConverter(converter.WithPlugins(
		base.NewBasePlugin(),
		commonmark.NewCommonmarkPlugin(
			commonmark.WithHorizontalRule("---"),
			commonmark.WithLinkEmptyHrefBehavior(commonmark.LinkBehaviorSkip),
			commonmark.WithLinkEmptyContentBehavior(commonmark.LinkBehaviorSkip),
		),
		strikethrough.NewStrikethroughPlugin(),
		table.NewTablePlugin(table.WithHeaderPromotion(true), table.WithSpanCellBehavior(table.SpanBehaviorEmpty)),
	))
	conv.Register.RendererFor(embedTag, converter.TagTypeBlock, func(_ converter.Context, w converter.Writer, n *nethtml.Node) converter.RenderStatus {
		w.WriteString("\n\n<" + attr(n, "data-url") + ">\n\n")
		return converter.RenderSuccess
	}, converter.PriorityEarly)
	conv.Register.RendererFor("li", converter.TagTypeBlock, tightItem, converter.PriorityEarly)
	conv.Register.Renderer(tableAsText, converter.PriorityLate)
	conv.Register.TextTransformer(func(_ converter.Context, s string) string {
		return entityLike().ReplaceAllString(s, "&amp;$1;") // the text "&copy;" stays that text
	}, converter.PriorityEarly)
	return conv
})

var entityLike = lazyRegexp(`&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});`)

// tightItem writes an item made of text and then a list with no blank line
// between them; the converter puts one there, which makes the whole list
// loose (each item its own paragraph).
func tightItem(ctx converter.Context, w converter.Writer, li *nethtml.Node) converter.RenderStatus {
	var list *nethtml.Node
	var text []*nethtml.Node
	for ch := li.FirstChild; ch != nil; ch = ch.NextSibling {
		switch {
		case ch.Type == nethtml.ElementNode && (ch.Data == "ul" || ch.Data == "ol") && list == nil:
			list = ch
		case ch.Type == nethtml.TextNode && strings.TrimSpace(ch.Data) == "", ch.Type == nethtml.CommentNode:
		case list != nil || ch.Type == nethtml.ElementNode && blockTags[ch.Data]:
			return converter.RenderTryNext
		default:
			text = append(text, ch)
		}
	}
	if list == nil || len(text) == 0 {
		return converter.RenderTryNext
	}
	var head, tail bytes.Buffer
	ctx.RenderNodes(ctx, &head, text...)
	ctx.RenderNodes(ctx, &tail, list)
	w.Write(bytes.TrimSpace(head.Bytes()))
	w.WriteString("\n")
	w.Write(bytes.TrimSpace(tail.Bytes()))
	return converter.RenderSuccess
}

// tableAsText writes, cell by cell, a table the table plugin refused.
func tableAsText(ctx converter.Context, w converter.Writer, n *nethtml.Node) converter.RenderStatus {
	switch n.Data {
	case "table":
		if c, ok := ctx.Value(conversionKey{}).(*conversion); ok {
			c.note("table kept as text: a Markdown table cannot hold its lists, headings or inner tables")
		}
		setAttr(n, "data-bs-text", "")
	case "td", "th":
		t := n.Parent
		for t != nil && t.Data != "table" {
			t = t.Parent
		}
		if t == nil || !hasAttr(t, "data-bs-text") {
			return converter.RenderTryNext
		}
	default:
		return converter.RenderTryNext
	}
	w.WriteString("\n\n")
	ctx.RenderChildNodes(ctx, w, n)
	w.WriteString("\n\n")
	return converter.RenderSuccess
}

// ---- The parsed HTML ----------------------------------------------------------

// rewrite makes the parsed post ready for the Markdown converter: classic
// content gets its paragraphs, embeds and images are resolved, and what
// Markdown cannot hold is turned into what it can, or dropped with a note.
func (c *conversion) rewrite(body *nethtml.Node) {
	for _, n := range elements(body) {
		if strings.HasPrefix(n.Data, "x-bs-") && attr(n, "data-bs") != c.key { // written by the post, not by us
			n.Data, n.Attr = "span", nil
		}
	}
	for _, n := range elements(body) {
		if n.Data == autopTag {
			autop(n, true)
			dom.UnwrapNode(n)
		}
	}
	for _, n := range elements(body) {
		if n.Data == "p" && n.FirstChild != nil && n.FirstChild == n.LastChild && n.FirstChild.Type == nethtml.TextNode {
			if m := lineURL().FindStringSubmatch(n.FirstChild.Data); m != nil { // WordPress embeds these too
				dom.ReplaceNode(n, c.embedNode(m[1]))
			}
		}
	}
	for _, n := range elements(body) {
		if attached(n, body) {
			c.rewriteElement(n)
		}
	}
	for _, n := range elements(body) {
		switch {
		case !attached(n, body): // inside a caption already done
		case n.Data == "figcaption" || n.Data == "caption":
			c.caption(n)
		case n.Data == "table":
			c.table(n)
		}
	}
	for _, n := range elements(body) {
		if n.Data == "p" && blank(n) {
			dom.RemoveNode(n)
		}
	}
}

// dropped are elements with nothing Markdown can hold, and the note they
// leave ("" for none: nothing a reader saw).
var dropped = map[string]string{
	"style": "style sheet dropped", "form": "form dropped", "input": "form field dropped",
	"textarea": "form field dropped", "select": "form field dropped", "button": "button dropped",
	"svg": "SVG drawing dropped", "math": "MathML formula dropped", "canvas": "canvas dropped",
	"object": "plugin object dropped", "embed": "plugin object dropped", "applet": "plugin object dropped",
	"frameset": "frames dropped", "frame": "frames dropped", "template": "template dropped",
	"link": "", "meta": "", "base": "", "title": "", "param": "",
}

func (c *conversion) rewriteElement(n *nethtml.Node) {
	if note, ok := dropped[n.Data]; ok {
		if note != "" {
			c.note("%s", note)
		}
		dom.RemoveNode(n)
		return
	}
	switch n.Data {
	case embedTag:
		dom.ReplaceNode(n, c.embedNode(attr(n, "data-url")))
	case "script":
		if src := attr(n, "src"); src != "" {
			c.note("script dropped: %s", src)
		} else {
			c.note("script dropped")
		}
		dom.RemoveNode(n)
	case "noscript":
		if p := dom.PrevSiblingElement(n); p == nil || p.Data != "img" { // not a lazy image's fallback
			c.note("noscript content dropped")
		}
		dom.RemoveNode(n)
	case "iframe":
		if _, ok := webAddress(attr(n, "src")); ok {
			dom.ReplaceNode(n, c.embedNode(attr(n, "src")))
		} else {
			c.note("iframe without a web address dropped")
			dom.RemoveNode(n)
		}
	case "img":
		c.image(n)
	case "a":
		c.link(n)
	case "video", "audio":
		c.mediaLink(n)
	case "div":
		if _, ok := webAddress(dom.CollectText(n)); ok && dom.HasClass(n, "wp-block-embed__wrapper") {
			dom.ReplaceNode(n, c.embedNode(dom.CollectText(n)))
		}
	case "ul":
		if dom.HasClass(n, "blocks-gallery-grid") || dom.HasClass(n, "wp-block-gallery") {
			for _, li := range dom.AllChildNodes(n) {
				dom.UnwrapNode(li)
			}
			dom.UnwrapNode(n)
		}
	case "pre", "code":
		if n.Data == "pre" && dom.HasClass(n, "wp-block-verse") { // a poem, not code
			n.Data, n.DataAtom, n.Attr = "p", atom.P, nil
			lineBreaks(dom.AllChildNodes(n))
			return
		}
		lang := ""
		for _, k := range strings.Fields(attr(n, "class")) {
			if codeLanguage().MatchString(k) {
				lang = k
			}
		}
		n.Attr = nil
		if lang != "" {
			setAttr(n, "class", lang)
		}
	case "q":
		n.InsertBefore(newText("“"), n.FirstChild)
		n.AppendChild(newText("”"))
	case "sup", "sub":
		kind := map[string]string{"sup": "superscript", "sub": "subscript"}[n.Data]
		if t := strings.TrimSpace(dom.CollectText(n)); t != "" {
			c.note("%s kept as plain text: %s", kind, t)
		}
	}
}

var codeLanguage = lazyRegexp(`^(language|lang)-[A-Za-z0-9_+#.-]{1,30}$`)

// embedNode is the embed line for raw, a web address, or raw as text with a
// note when it is not one.
func (c *conversion) embedNode(raw string) *nethtml.Node {
	if u, ok := webAddress(raw); ok {
		c.note("embed kept as its address: %s", u)
		return &nethtml.Node{Type: nethtml.ElementNode, Data: embedTag, Attr: []nethtml.Attribute{{Key: "data-url", Val: u}}}
	}
	c.note("embed without a web address kept as text: %s", raw)
	return newText(raw)
}

// webAddress is raw as an absolute http(s) address fit for an autolink:
// spaces, angle brackets and non-ASCII bytes percent-encoded.
func webAddress(raw string) (string, bool) {
	raw = strings.TrimSpace(html.UnescapeString(raw))
	if strings.HasPrefix(raw, "//") {
		raw = "https:" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", false
	}
	for i := 0; i < len(u.Host); i++ {
		if u.Host[i] >= utf8.RuneSelf {
			return "", false
		}
	}
	var b strings.Builder
	for _, c := range []byte(u.String()) {
		if c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// ---- Images and links --------------------------------------------------------

var imageClassID = lazyRegexp(`(?:^|\s)wp-image-(\d+)(?:\s|$)`)

func (c *conversion) image(n *nethtml.Node) {
	src := imageSource(n)
	id := imageID(n)
	if p, alt, ok := c.resolve(src, id); ok {
		if a := strings.TrimSpace(attr(n, "alt")); a != "" {
			alt = a
		}
		n.Attr = []nethtml.Attribute{{Key: "src", Val: p}, {Key: "alt", Val: alt}}
		return
	}
	text := strings.TrimSpace(attr(n, "alt"))
	if text == "" && !strings.HasPrefix(src, "data:") {
		text = fileName(src)
	}
	switch {
	case strings.HasPrefix(src, "data:"):
		c.note("image written into the post (data: address) not carried over")
	case src != "":
		c.note("image not found, kept as its text: %s", src)
	case id > 0:
		c.note("image %d not found", id)
	default:
		c.note("image without an address dropped")
	}
	dom.ReplaceNode(n, newText(text))
}

// imageSource is the address of the image, lazy-loading plugins' included.
func imageSource(n *nethtml.Node) string {
	src := strings.TrimSpace(attr(n, "src"))
	for _, k := range []string{"data-src", "data-lazy-src", "data-orig-file"} {
		if v := strings.TrimSpace(attr(n, k)); v != "" && (src == "" || strings.HasPrefix(src, "data:")) {
			src = v
		}
	}
	return src
}

// imageID is the attachment id the image's class, data attributes or
// enclosing image block or caption give.
func imageID(n *nethtml.Node) int64 {
	if m := imageClassID().FindStringSubmatch(attr(n, "class")); m != nil {
		return number(m[1])
	}
	for _, k := range []string{"data-id", "data-attachment-id"} {
		if id := number(attr(n, k)); id > 0 {
			return id
		}
	}
	for p := n.Parent; p != nil; p = p.Parent {
		if hasAttr(p, "data-bs-attachment") {
			return number(attr(p, "data-bs-attachment"))
		}
	}
	return 0
}

// resolve asks Media for the image, then for the upload it was resized from.
func (c *conversion) resolve(src string, id int64) (string, string, bool) {
	if c.media == nil || (src == "" && id == 0) {
		return "", "", false
	}
	for _, u := range append([]string{src}, originals(src)...) {
		if p, alt, ok := c.media(u, id); ok && p != "" {
			return p, alt, true
		}
	}
	return "", "", false
}

var (
	sizeSuffix = lazyRegexp(`-\d+x\d+$`)
	photon     = lazyRegexp(`^i\d\.wp\.com$`)
)

// originals are the addresses of the upload src may be a copy of: without a
// query, off Jetpack's image CDN, without WordPress's size suffix
// (-300x200), and without or with the -scaled of a big image.
func originals(src string) []string {
	if src == "" || strings.HasPrefix(src, "data:") {
		return nil
	}
	u, err := url.Parse(src)
	if err != nil {
		return nil
	}
	u.RawQuery, u.Fragment = "", ""
	if photon().MatchString(u.Host) {
		if host, p, ok := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/"); ok {
			u.Host, u.Path = host, "/"+p
		}
	}
	dir, file := path.Split(u.Path)
	ext := path.Ext(file)
	stem := sizeSuffix().ReplaceAllString(strings.TrimSuffix(file, ext), "")
	plain := strings.TrimSuffix(strings.TrimSuffix(stem, "-scaled"), "-rotated")
	var out []string
	seen := map[string]bool{src: true}
	for _, p := range []string{u.Path, dir + stem + ext, dir + plain + ext, dir + plain + "-scaled" + ext} {
		v := *u
		v.Path = p
		if s := v.String(); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func fileName(src string) string {
	u, err := url.Parse(src)
	if err != nil {
		return ""
	}
	name := path.Base(u.Path)
	if name == "/" || name == "." {
		return ""
	}
	return name
}

var linkSchemes = map[string]bool{"http": true, "https": true, "mailto": true}

func (c *conversion) link(n *nethtml.Node) {
	if dom.HasClass(n, "wp-block-file__button") { // the file block's second link to the same file
		dom.RemoveNode(n)
		return
	}
	href := strings.TrimSpace(attr(n, "href"))
	if href == "" {
		return
	}
	u, err := url.Parse(strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(href))
	if err != nil || (u.Scheme != "" && !linkSchemes[strings.ToLower(u.Scheme)]) {
		c.note("link to %s dropped, its text kept", href)
		dom.UnwrapNode(n)
		return
	}
	upload := strings.Contains(u.Path, "/wp-content/uploads/")
	page := u.Query().Has("attachment_id") || strings.Contains(u.Path, "/attachment/") || strings.Contains(attr(n, "rel"), "wp-att-")
	if onlyImage(n) && (upload || page) {
		dom.UnwrapNode(n) // the image links to its own file or page, which the site shows itself
		return
	}
	if upload {
		if p, _, ok := c.resolve(href, 0); ok {
			setAttr(n, "href", p)
		} else {
			c.note("link to an uploaded file kept at its old address: %s", href)
		}
	}
}

// onlyImage reports whether the link holds an image and nothing else.
func onlyImage(n *nethtml.Node) bool {
	images := 0
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch {
		case ch.Type == nethtml.ElementNode && ch.Data == "img":
			images++
		case ch.Type == nethtml.TextNode && strings.TrimSpace(ch.Data) == "", ch.Type == nethtml.CommentNode:
		default:
			return false
		}
	}
	return images == 1
}

// mediaLink turns a video or audio player into a link to its file.
func (c *conversion) mediaLink(n *nethtml.Node) {
	src := attr(n, "src")
	for ch := n.FirstChild; ch != nil && src == ""; ch = ch.NextSibling {
		if ch.Type == nethtml.ElementNode && ch.Data == "source" {
			src = attr(ch, "src")
		}
	}
	u, err := url.Parse(strings.TrimSpace(src))
	if src == "" || err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") {
		c.note("%s without a web address dropped", n.Data)
		dom.RemoveNode(n)
		return
	}
	c.note("%s kept as a link: %s", n.Data, src)
	a := &nethtml.Node{Type: nethtml.ElementNode, Data: "a", DataAtom: atom.A, Attr: []nethtml.Attribute{{Key: "href", Val: u.String()}}}
	a.AppendChild(newText(fileName(u.String())))
	dom.ReplaceNode(n, a)
}

// caption turns a figcaption, or a table's caption, into an italic
// paragraph after what it captions.
func (c *conversion) caption(n *nethtml.Node) {
	parent, next := n.Parent, n.NextSibling
	switch {
	case n.Data == "caption":
		t := n.Parent
		for t != nil && t.Data != "table" {
			t = t.Parent
		}
		if t == nil || t.Parent == nil {
			return
		}
		parent, next = t.Parent, t.NextSibling
	case parent.Data == "figure":
		next = nil // after what it captions, wherever it stood
	}
	dom.RemoveNode(n)
	if blank(n) {
		return
	}
	em := newElement("em")
	for _, ch := range dom.AllChildNodes(n) {
		n.RemoveChild(ch)
		em.AppendChild(ch)
	}
	for _, e := range elements(em) {
		if blockTags[e.Data] && e.Data != embedTag {
			e.InsertBefore(newText(" "), e.FirstChild)
			dom.UnwrapNode(e)
		}
	}
	p := newElement("p")
	p.AppendChild(em)
	parent.InsertBefore(p, next)
}

// table makes cells fit a Markdown table row: their line breaks and
// paragraphs become spaces.
func (c *conversion) table(t *nethtml.Node) {
	header := false
	for _, e := range elements(t) {
		switch e.Data {
		case "th", "thead":
			header = true
		case "ul", "ol", "blockquote", "hr", "table", "h1", "h2", "h3", "h4", "h5", "h6":
			return // no Markdown table holds these: the table will be kept as text
		}
	}
	if !header {
		c.note("table without a header row: its first row became the header")
	}
	for _, e := range elements(t) {
		switch {
		case e.Data != "br" && e.Data != "p" && e.Data != "div":
		case e.Data != "br" && e.PrevSibling == nil && e.NextSibling == nil:
			dom.UnwrapNode(e) // a cell's only paragraph
		default:
			c.note("line breaks in table cells kept as spaces")
			e.Parent.InsertBefore(newText(" "), e)
			if e.Data == "br" {
				dom.RemoveNode(e)
			} else {
				dom.UnwrapNode(e)
			}
		}
	}
}

// ---- Small DOM helpers ---------------------------------------------------------

func attr(n *nethtml.Node, key string) string { return dom.GetAttributeOr(n, key, "") }

func hasAttr(n *nethtml.Node, key string) bool { _, ok := dom.GetAttribute(n, key); return ok }

func setAttr(n *nethtml.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, nethtml.Attribute{Key: key, Val: val})
}

func newElement(tag string, attrs ...nethtml.Attribute) *nethtml.Node {
	return &nethtml.Node{Type: nethtml.ElementNode, Data: tag, DataAtom: atom.Lookup([]byte(tag)), Attr: append([]nethtml.Attribute(nil), attrs...)}
}

func newText(s string) *nethtml.Node { return &nethtml.Node{Type: nethtml.TextNode, Data: s} }

// elements lists the elements under n in document order, as they are now.
func elements(n *nethtml.Node) []*nethtml.Node {
	return dom.FindAllNodes(n, func(n *nethtml.Node) bool { return n.Type == nethtml.ElementNode })
}

func attached(n, root *nethtml.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == root {
			return true
		}
	}
	return false
}

// blank reports whether n shows nothing: no text but spaces, no image, no
// embed, no rule.
func blank(n *nethtml.Node) bool {
	return strings.TrimSpace(strings.ReplaceAll(dom.CollectText(n), "\u00a0", " ")) == "" &&
		!dom.ContainsNode(n, func(e *nethtml.Node) bool { return e.Data == "img" || e.Data == embedTag || e.Data == "hr" })
}

// lazyRegexp compiles a pattern when an import first uses it: a site that
// imports nothing keeps none of them in memory.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
