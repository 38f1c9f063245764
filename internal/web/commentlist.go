package web

import (
	"html/template"
	"strconv"
	"strings"
)

// Items writes the discussion's comments as the list items of the article
// page. It is Go rather than template text because it runs for each of up
// to fifty comments a page, and html/template evaluates every action and
// its escapers by reflection: about 15 µs a comment, most of an uncached
// page's rendering, against about 1 µs here. Every value is escaped as
// html/template escapes it in the same place (TestCommentItemsEscape), so
// the page reads exactly as when the template wrote the list.
func (d *discussionView) Items(v *view) template.HTML {
	if len(d.Comments) == 0 {
		return ""
	}
	l := commentLabels{
		reply: v.T("comments.reply"), report: v.T("comments.report"),
		staff: v.T("comments.staff"), pinned: v.T("comments.pinned"),
		awaiting: v.T("comments.awaiting"), edit: v.T("comments.edit"),
		body: v.T("comments.body"), save: v.T("comments.save_edit"), del: v.T("comments.delete"),
	}
	// The comments' forms post to addresses under the discussion's.
	var action strings.Builder
	normalizeURL(&action, d.Action)
	l.action = action.String()
	var b strings.Builder
	b.Grow(len(d.Comments) * 1200)
	for i := range d.Comments {
		writeItem(&b, v, &d.Comments[i], &l)
	}
	return template.HTML(b.String())
}

// commentLabels are what every comment repeats, worked out once a page.
type commentLabels struct {
	reply, report, staff, pinned, awaiting, edit, body, save, del string
	action                                                        string // the discussion's address, normalised
}

func writeItem(b *strings.Builder, v *view, cv *commentView, l *commentLabels) {
	c := &cv.Comment
	id := strconv.FormatInt(c.ID, 10)
	b.WriteString("\n    <li class=\"comment depth-")
	b.WriteString(strconv.Itoa(c.Depth))
	if c.Pinned {
		b.WriteString(" pinned")
	}
	if cv.Held {
		b.WriteString(" held")
	}
	b.WriteString("\" id=\"c-" + id + "\">\n      <div class=\"comment-head\">\n        <span class=\"avatar\" aria-hidden=\"true\">")
	escapeHTML(b, cv.Initials)
	// A name in another script than the page's is isolated (<bdi>), so
	// that a Latin name keeps its place in a Persian line, and the other
	// way round.
	b.WriteString("</span>\n        <strong class=\"comment-name\"><bdi>")
	escapeHTML(b, c.Name)
	b.WriteString("</bdi></strong>\n        ")
	if cv.Staff {
		writeElement(b, "<span class=\"badge\">", l.staff, "</span>")
	}
	b.WriteString("\n        ")
	if c.Pinned {
		writeElement(b, "<span class=\"badge\">", l.pinned, "</span>")
	}
	b.WriteString("\n        <a class=\"comment-time\" href=\"#c-" + id + "\"><time datetime=\"")
	escapeHTML(b, cv.ISO)
	b.WriteString("\">")
	escapeHTML(b, cv.When)
	b.WriteString("</time></a>\n      </div>\n      ")
	if c.ReplyToName != "" {
		writeElement(b, "<p class=\"reply-to\">", v.T("comments.in_reply_to", c.ReplyToName), "</p>")
	}
	b.WriteString("\n      ")
	if cv.Held {
		writeElement(b, "<p class=\"held-note\">", l.awaiting, "</p>")
	}
	// A comment is in the language its reader wrote it in, which may not
	// be the page's: its own text sets its direction.
	b.WriteString("\n      <div class=\"comment-body\" dir=\"auto\">")
	b.WriteString(string(cv.HTML))
	b.WriteString("</div>\n      <div class=\"comment-actions\">\n        ")
	if !cv.Held {
		writeElement(b, "<a href=\"?reply="+id+"#comment-form\">", l.reply, "</a>")
	}
	b.WriteString("\n        ")
	switch {
	case cv.Own:
		b.WriteString("\n        <details class=\"own-edit\"><summary>")
		escapeHTML(b, l.edit)
		b.WriteString("</summary>\n          <form method=\"post\" action=\"")
		writeAction(b, l, id, "/edit")
		b.WriteString("\">\n            <label for=\"edit-" + id + "\" class=\"visually-hidden\">")
		escapeHTML(b, l.body)
		b.WriteString("</label>\n            <textarea id=\"edit-" + id + "\" name=\"body\" rows=\"4\" maxlength=\"5000\" dir=\"auto\" required>")
		escapeHTML(b, c.Body)
		b.WriteString("</textarea>\n            <button type=\"submit\">")
		escapeHTML(b, l.save)
		b.WriteString("</button>\n          </form>\n        </details>\n        ")
		writeButton(b, l, id, "/delete", l.del)
	case !cv.Held:
		b.WriteString("\n        ")
		writeButton(b, l, id, "/report", l.report)
	}
	b.WriteString("\n      </div>\n    </li>")
}

// writeAction writes the address of one of a comment's forms.
func writeAction(b *strings.Builder, l *commentLabels, id, verb string) {
	escapeHTML(b, l.action)
	b.WriteString("/" + id + verb)
}

// writeButton writes a one-button form that posts to one of a comment's
// addresses.
func writeButton(b *strings.Builder, l *commentLabels, id, verb, label string) {
	b.WriteString("<form method=\"post\" action=\"")
	writeAction(b, l, id, verb)
	writeElement(b, "\" class=\"inline-form\"><button type=\"submit\" class=\"link\">", label, "</button></form>\n        ")
}

// writeElement writes text, escaped, between an element's tags.
func writeElement(b *strings.Builder, open, text, close string) {
	b.WriteString(open)
	escapeHTML(b, text)
	b.WriteString(close)
}

// htmlEscapes are the bytes html/template replaces in text and in quoted
// attribute values, with what it writes instead.
var htmlEscapes = [256]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// escapeHTML writes s escaped for HTML text and quoted attribute values.
func escapeHTML(b *strings.Builder, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		if r := htmlEscapes[s[i]]; r != "" {
			b.WriteString(s[start:i])
			b.WriteString(r)
			start = i + 1
		}
	}
	b.WriteString(s[start:])
}

// normalizeURL writes s with every byte that may not stand in a URL
// percent-encoded, as html/template normalises an address: reserved and
// unreserved characters and valid escapes stay, quotes and parentheses do
// not.
func normalizeURL(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0:
			continue
		case c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			continue
		}
		b.WriteString(s[start:i])
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
		start = i + 1
	}
	b.WriteString(s[start:])
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
