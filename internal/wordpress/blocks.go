package wordpress

import (
	"encoding/json"
	"fmt"
	"html"
	"strconv"
	"strings"
)

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
var blockComment = lazyRegexp(`(?s)<!--\s+(/)?wp:((?:[a-z][a-z0-9_-]*/)?[a-z][a-z0-9_-]*)\s+(\{.*?\}\s+)?(/)?-->`)

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
	for _, m := range blockComment().FindAllStringSubmatchIndex(s, -1) {
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

var iframeOnly = lazyRegexp(`(?is)^<iframe\s[^>]*>\s*</iframe>$`)

func (c *conversion) block(b *block) string {
	short := strings.TrimPrefix(b.name, "core/")
	label := "wp:" + short
	switch {
	case short == "html":
		raw := strings.TrimSpace(b.raw)
		if iframeOnly().MatchString(raw) {
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
			caption := figcaption().FindString(c.inner(b))
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

var figcaption = lazyRegexp(`(?is)<figcaption[^>]*>.*?</figcaption>`)

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
