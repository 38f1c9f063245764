package wordpress

import (
	"fmt"
	"html"
	"strings"

	nethtml "golang.org/x/net/html"
)

var lineURL = lazyRegexp(`^\s*(https?://[^\s<>"]+)\s*$`)

// embedLines makes an embed of every address alone on its line outside the
// tags, as WordPress's autoembed does before paragraphs are made.
func (c *conversion) embedLines(s string) string {
	if !strings.Contains(s, "http") {
		return s
	}
	lines := strings.Split(s, "\n")
	inTag := false
	for i, line := range lines {
		if m := lineURL().FindStringSubmatch(line); m != nil && !inTag {
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

var shortcodeAttr = lazyRegexp(`([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)`)

// shortcodeAttrs reads name="value", name='value' and name=value pairs;
// names are case-insensitive, values are HTML-unescaped.
func shortcodeAttrs(s string) map[string]string {
	s = strings.NewReplacer("\u00a0", " ", "\u200b", " ").Replace(s)
	attrs := map[string]string{}
	for _, m := range shortcodeAttr().FindAllStringSubmatch(s, -1) {
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
	captionImage = lazyRegexp(`(?is)^\s*((?:<a\s[^>]*>\s*)?<img\s[^>]*>(?:\s*</a>)?)(.*)$`)
	attachmentID = lazyRegexp(`(\d+)$`)
	idList       = lazyRegexp(`\d+`)
)

var mediaSources = map[string][]string{
	"video": {"src", "mp4", "m4v", "webm", "ogv", "wmv", "flv"},
	"audio": {"src", "mp3", "ogg", "oga", "wav", "m4a", "wma", "flac"},
}

func (c *conversion) expandShortcode(sc shortcode, raw string) string {
	attr := func(name string) string { return html.EscapeString(sc.attrs[name]) }
	switch sc.name {
	case "caption", "wp_caption":
		m := captionImage().FindStringSubmatch(sc.content)
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
		id := attachmentID().FindString(sc.attrs["id"])
		return fmt.Sprintf(`<figure data-bs-attachment="%s">%s<figcaption>%s</figcaption></figure>`, id, m[1], caption)
	case "gallery":
		ids := idList().FindAllString(sc.attrs["ids"]+","+sc.attrs["include"], -1)
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
