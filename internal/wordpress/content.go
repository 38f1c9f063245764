package wordpress

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"path"
	"regexp"
	"strconv"
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

// ---- Blocks ----------------------------------------------------------------

// block is one block of the block editor: its name ("core/paragraph"), its
// attributes and its content, HTML between inner blocks.
type block struct {
	name  string
	attrs map[string]any
	inner []piece
	raw   string // the saved HTML between the block's comments
}

type piece struct {
	html  string
	block *block
}

// blockComment is the block editor's delimiter, as WordPress's block parser
// reads it: <!-- wp:name {attrs} -->, <!-- /wp:name --> or <!-- wp:name /-->.
var blockComment = regexp.MustCompile(`(?s)<!--\s+(/)?wp:((?:[a-z][a-z0-9_-]*/)?[a-z][a-z0-9_-]*)\s+(\{.*?\}\s+)?(/)?-->`)

// parseBlocks splits content into blocks and the HTML around them. A
// closing comment without its opening one is dropped; blocks still open at
// the end are closed there, as WordPress does.
func parseBlocks(s string) []piece {
	root := &block{}
	type open struct {
		b     *block
		start int
	}
	stack := []open{{b: root}}
	last := 0
	for _, m := range blockComment.FindAllStringSubmatchIndex(s, -1) {
		top := stack[len(stack)-1]
		if m[0] > last {
			top.b.inner = append(top.b.inner, piece{html: s[last:m[0]]})
		}
		last = m[1]
		name := s[m[4]:m[5]]
		if !strings.Contains(name, "/") {
			name = "core/" + name
		}
		switch {
		case m[2] >= 0: // closer
			if len(stack) > 1 {
				top.b.raw = s[top.start:m[0]]
				stack = stack[:len(stack)-1]
			}
		default:
			b := &block{name: name}
			if m[6] >= 0 {
				_ = json.Unmarshal([]byte(s[m[6]:m[7]]), &b.attrs)
			}
			top.b.inner = append(top.b.inner, piece{block: b})
			if m[8] < 0 {
				stack = append(stack, open{b: b, start: m[1]})
			}
		}
	}
	if last < len(s) {
		stack[len(stack)-1].b.inner = append(stack[len(stack)-1].b.inner, piece{html: s[last:]})
	}
	for _, o := range stack[1:] {
		o.b.raw = s[o.start:]
	}
	return root.inner
}

// expand turns the post's blocks and shortcodes into HTML.
func (c *conversion) expand(content string) string {
	if strings.Contains(content, "<!--nextpage-->") {
		c.note("page breaks (<!--nextpage-->) dropped: the pages are one")
		content = strings.ReplaceAll(content, "<!--nextpage-->", "\n\n") // pages share no paragraph
	}
	var b strings.Builder
	for _, p := range parseBlocks(content) {
		switch {
		case p.block != nil:
			b.WriteString(c.block(p.block))
		case strings.TrimSpace(p.html) == "":
			b.WriteString(p.html)
		default:
			b.WriteString(c.classic(p.html))
		}
	}
	return b.String()
}

// classic prepares classic-editor HTML: addresses alone on a line become
// embeds (WordPress's autoembed), shortcodes are expanded, and the result
// is marked for paragraphs (autop, later, on the parsed HTML).
func (c *conversion) classic(s string) string {
	return c.open(autopTag) + c.shortcodes(c.embedLines(s)) + "</" + autopTag + ">"
}

// The blocks whose saved HTML is all there is to them.
var plainBlocks = setOf(`paragraph heading list list-item quote pullquote table separator spacer columns column group
	row stack buttons button media-text details verse subhead text-columns video audio file image cover gallery code
	preformatted embed`)

var iframeOnly = regexp.MustCompile(`(?is)^<iframe\s[^>]*>\s*</iframe>$`)

func (c *conversion) block(b *block) string {
	short := strings.TrimPrefix(b.name, "core/")
	label := "wp:" + short
	switch {
	case short == "html":
		raw := strings.TrimSpace(b.raw)
		if iframeOnly.MatchString(raw) {
			return raw // the iframe becomes an embed
		}
		if raw == "" {
			return ""
		}
		c.note("block wp:html kept as text")
		return `<pre><code class="language-html">` + html.EscapeString(raw) + "</code></pre>"
	case short == "code" || short == "preformatted" || short == "verse":
		return b.raw // WordPress escapes shortcodes in them
	case short == "more":
		return ""
	case short == "nextpage":
		c.note("page breaks (<!--nextpage-->) dropped: the pages are one")
		return ""
	case short == "block":
		c.note("reusable block %d not carried over: its content is kept elsewhere", number(b.attrs["ref"]))
		return ""
	case short == "shortcode" || short == "freeform":
		return c.classic(b.raw)
	case short == "embed" || strings.HasPrefix(b.name, "core-embed/"):
		if u, ok := b.attrs["url"].(string); ok && u != "" {
			caption := figcaption.FindString(c.inner(b))
			return "<figure>" + c.embedHTML(u) + caption + "</figure>"
		}
	}
	inner := c.inner(b)
	if strings.TrimSpace(inner) == "" && short != "spacer" && short != "separator" {
		c.note("block %s has no saved content (WordPress builds it when the page is shown): not carried over", label)
		return ""
	}
	switch {
	case short == "image":
		if id := number(b.attrs["id"]); id > 0 {
			return fmt.Sprintf(`<div data-bs-attachment="%d">%s</div>`, id, inner)
		}
	case short == "gallery":
		c.note("gallery kept as its images one after another")
	case short == "cover":
		if u, ok := b.attrs["url"].(string); ok && !strings.Contains(inner, "<img") && !strings.Contains(inner, "<video") {
			return fmt.Sprintf(`<img src="%s" data-id="%d" alt="">`, html.EscapeString(u), number(b.attrs["id"])) + inner
		}
	case !plainBlocks[short] && !strings.HasPrefix(b.name, "core-embed/"):
		c.note("block %s is not known: its content kept as it is", label)
	}
	return inner
}

var figcaption = regexp.MustCompile(`(?is)<figcaption[^>]*>.*?</figcaption>`)

// inner is a block's HTML with its inner blocks in place.
func (c *conversion) inner(b *block) string {
	var s strings.Builder
	for _, p := range b.inner {
		if p.block != nil {
			s.WriteString(c.block(p.block))
		} else {
			s.WriteString(c.shortcodes(p.html))
		}
	}
	return s.String()
}

func number(v any) int64 {
	switch v := v.(type) {
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// ---- Classic content: embeds on their own line and shortcodes --------------

var lineURL = regexp.MustCompile(`^\s*(https?://[^\s<>"]+)\s*$`)

// embedLines makes an embed of every address alone on its line outside the
// tags, as WordPress's autoembed does before paragraphs are made.
func (c *conversion) embedLines(s string) string {
	if !strings.Contains(s, "http") {
		return s
	}
	lines := strings.Split(s, "\n")
	inTag := false
	for i, line := range lines {
		if m := lineURL.FindStringSubmatch(line); m != nil && !inTag {
			lines[i] = c.embedHTML(m[1])
			continue
		}
		for j := 0; j < len(line); j++ {
			switch {
			case line[j] == '<' && j+1 < len(line) && (isLetter(line[j+1]) || line[j+1] == '/' || line[j+1] == '!'):
				inTag = true
			case line[j] == '>':
				inTag = false
			}
		}
	}
	return strings.Join(lines, "\n")
}

func isLetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }

// shortcodes expands the shortcodes WordPress itself registers ([caption],
// [gallery], [embed], [video], [audio]) in the text between tags; others
// stay as they are, with a note when they look like shortcodes rather than
// words in brackets. [[gallery]] is the literal "[gallery]".
func (c *conversion) shortcodes(s string) string {
	if !strings.Contains(s, "[") {
		return s
	}
	f := &finder{s: s, at: map[string]int{}}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			j := tagEnd(s, i)
			b.WriteString(s[i:j])
			i = j
		case '[':
			if out, j, ok := c.shortcode(f, i); ok {
				b.WriteString(out)
				i = j
			} else {
				b.WriteByte('[')
				i++
			}
		default:
			j := i + 1
			for j < len(s) && s[j] != '<' && s[j] != '[' {
				j++
			}
			b.WriteString(s[i:j])
			i = j
		}
	}
	return b.String()
}

// tagEnd is where the tag or comment starting at s[i] ends; i+1 when "<"
// starts no tag.
func tagEnd(s string, i int) int {
	if strings.HasPrefix(s[i:], "<!--") {
		if k := strings.Index(s[i+4:], "-->"); k >= 0 {
			return i + 4 + k + 3
		}
		return len(s)
	}
	if i+1 >= len(s) || !(isLetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!' || s[i+1] == '?') {
		return i + 1
	}
	var quote byte
	for j := i + 1; j < len(s); j++ {
		switch {
		case quote != 0:
			if s[j] == quote {
				quote = 0
			}
		case s[j] == '"' || s[j] == '\'':
			if k := strings.TrimRight(s[i:j], " \t\n"); strings.HasSuffix(k, "=") {
				quote = s[j]
			}
		case s[j] == '>':
			return j + 1
		}
	}
	return len(s)
}

type shortcode struct {
	name       string
	attrs      map[string]string
	content    string
	hasContent bool
	end        int // just after it
	selfClosed bool
	rawAttrs   string
}

// knownShortcodes are the shortcodes WordPress itself registers.
var knownShortcodes = setOf("caption wp_caption gallery embed video audio playlist")

// enclosingShortcodes may have content and a closing tag.
var enclosingShortcodes = setOf("caption wp_caption embed video audio")

// finder finds text in s from positions that only grow, each search
// starting where the last one for the same text ended: however many
// brackets a post has, it is read through once per kind of search.
type finder struct {
	s  string
	at map[string]int // where sub was last found; -1 for nowhere after
}

func (f *finder) index(from int, sub string) int {
	if at, ok := f.at[sub]; ok && (at < 0 || at >= from) {
		return at
	}
	at := strings.Index(f.s[from:], sub)
	if at >= 0 {
		at += from
	}
	f.at[sub] = at
	return at
}

func (c *conversion) shortcode(f *finder, i int) (string, int, bool) {
	s := f.s
	if strings.HasPrefix(s[i:], "[[") {
		sc, ok := parseShortcode(f, i+1)
		if ok && knownShortcodes[sc.name] && sc.end < len(s) && s[sc.end] == ']' {
			return s[i+1 : sc.end], sc.end + 1, true
		}
		return "", 0, false
	}
	sc, ok := parseShortcode(f, i)
	if !ok {
		return "", 0, false
	}
	if !knownShortcodes[sc.name] {
		if strings.Contains(sc.rawAttrs, "=") || strings.ContainsAny(sc.name, "_-") || sc.selfClosed ||
			f.index(sc.end, "[/"+sc.name+"]") >= 0 {
			c.note("shortcode [%s] kept as text", sc.name)
		}
		return "", 0, false
	}
	return c.expandShortcode(sc, s[i:sc.end]), sc.end, true
}

// parseShortcode reads [name attrs], [name attrs /] or, for an enclosing
// shortcode, [name attrs]content[/name], as WordPress's shortcode regex
// does: the first closing tag of the same name ends it.
func parseShortcode(f *finder, i int) (shortcode, bool) {
	s := f.s
	j := i + 1
	for j < len(s) && (isLetter(s[j]) || s[j] >= '0' && s[j] <= '9' || s[j] == '_' || s[j] == '-') {
		j++
	}
	if j == i+1 || !isLetter(s[i+1]) || j >= len(s) || !strings.ContainsRune("]/ \t\n\r", rune(s[j])) {
		return shortcode{}, false
	}
	k := f.index(j, "]")
	if k < 0 {
		return shortcode{}, false
	}
	sc := shortcode{name: s[i+1 : j], rawAttrs: s[j:k], end: k + 1}
	if strings.HasSuffix(sc.rawAttrs, "/") {
		sc.selfClosed = true
		sc.rawAttrs = sc.rawAttrs[:len(sc.rawAttrs)-1]
	}
	sc.attrs = shortcodeAttrs(sc.rawAttrs)
	if !sc.selfClosed && enclosingShortcodes[sc.name] {
		closing := "[/" + sc.name + "]"
		if k := f.index(sc.end, closing); k >= 0 {
			sc.content, sc.hasContent = s[sc.end:k], true
			sc.end = k + len(closing)
		}
	}
	return sc, true
}

var shortcodeAttr = regexp.MustCompile(`([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)`)

// shortcodeAttrs reads name="value", name='value' and name=value pairs;
// names are case-insensitive, values are HTML-unescaped.
func shortcodeAttrs(s string) map[string]string {
	s = strings.NewReplacer("\u00a0", " ", "\u200b", " ").Replace(s)
	attrs := map[string]string{}
	for _, m := range shortcodeAttr.FindAllStringSubmatch(s, -1) {
		for g := 1; g < len(m); g += 2 {
			if m[g] != "" {
				attrs[strings.ToLower(m[g])] = html.UnescapeString(m[g+1])
				break
			}
		}
	}
	return attrs
}

var (
	captionImage = regexp.MustCompile(`(?is)^\s*((?:<a\s[^>]*>\s*)?<img\s[^>]*>(?:\s*</a>)?)(.*)$`)
	attachmentID = regexp.MustCompile(`(\d+)$`)
	idList       = regexp.MustCompile(`\d+`)
)

var mediaSources = map[string][]string{
	"video": {"src", "mp4", "m4v", "webm", "ogv", "wmv", "flv"},
	"audio": {"src", "mp3", "ogg", "oga", "wav", "m4a", "wma", "flac"},
}

func (c *conversion) expandShortcode(sc shortcode, raw string) string {
	attr := func(name string) string { return html.EscapeString(sc.attrs[name]) }
	switch sc.name {
	case "caption", "wp_caption":
		m := captionImage.FindStringSubmatch(sc.content)
		if m == nil && strings.TrimSpace(sc.content) != "" {
			return sc.content // WordPress shows a caption without an image as its text
		}
		if m == nil {
			break
		}
		caption := strings.TrimSpace(m[2])
		if caption == "" {
			caption = attr("caption")
		}
		id := attachmentID.FindString(sc.attrs["id"])
		return fmt.Sprintf(`<figure data-bs-attachment="%s">%s<figcaption>%s</figcaption></figure>`, id, m[1], caption)
	case "gallery":
		ids := idList.FindAllString(sc.attrs["ids"]+","+sc.attrs["include"], -1)
		if len(ids) == 0 {
			c.note("shortcode [gallery] without ids (the post's attached images) kept as text")
			return raw
		}
		c.note("gallery kept as its images one after another")
		var b strings.Builder
		for _, id := range ids {
			b.WriteString(`<figure><img data-id="` + id + `" alt=""></figure>`)
		}
		return b.String()
	case "embed":
		if u := strings.TrimSpace(htmlText(sc.content)); u != "" {
			return c.embedHTML(u)
		}
	case "video", "audio":
		for _, k := range mediaSources[sc.name] {
			if sc.attrs[k] != "" {
				return fmt.Sprintf(`<%s src="%s"></%[1]s>`, sc.name, attr(k))
			}
		}
	}
	c.note("shortcode [%s] kept as text", sc.name)
	return raw
}

// htmlText is the text of an HTML fragment, tags, scripts and styles left
// out.
func htmlText(s string) string {
	var b strings.Builder
	z := nethtml.NewTokenizer(strings.NewReader(s))
	raw := false
	for tt := z.Next(); tt != nethtml.ErrorToken; tt = z.Next() {
		switch tt {
		case nethtml.TextToken:
			if !raw {
				b.Write(z.Text())
			}
		case nethtml.StartTagToken, nethtml.EndTagToken:
			name, _ := z.TagName()
			raw = tt == nethtml.StartTagToken && (string(name) == "script" || string(name) == "style")
		}
	}
	return b.String()
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
		return entityLike.ReplaceAllString(s, "&amp;$1;") // the text "&copy;" stays that text
	}, converter.PriorityEarly)
	return conv
})

var entityLike = regexp.MustCompile(`&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});`)

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
			if m := lineURL.FindStringSubmatch(n.FirstChild.Data); m != nil { // WordPress embeds these too
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
			if codeLanguage.MatchString(k) {
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

var codeLanguage = regexp.MustCompile(`^(language|lang)-[A-Za-z0-9_+#.-]{1,30}$`)

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

var imageClassID = regexp.MustCompile(`(?:^|\s)wp-image-(\d+)(?:\s|$)`)

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
	if m := imageClassID.FindStringSubmatch(attr(n, "class")); m != nil {
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
	sizeSuffix = regexp.MustCompile(`-\d+x\d+$`)
	photon     = regexp.MustCompile(`^i\d\.wp\.com$`)
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
	if photon.MatchString(u.Host) {
		if host, p, ok := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/"); ok {
			u.Host, u.Path = host, "/"+p
		}
	}
	dir, file := path.Split(u.Path)
	ext := path.Ext(file)
	stem := sizeSuffix.ReplaceAllString(strings.TrimSuffix(file, ext), "")
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

// ---- Paragraphs for classic content -----------------------------------------

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

var blankLine = regexp.MustCompile(`\n[ \t\r\f]*\n`)

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
			for j, part := range blankLine.Split(n.Data, -1) {
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
