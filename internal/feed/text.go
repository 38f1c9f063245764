package feed

import (
	"strings"

	"golang.org/x/net/html"
)

// PlainText turns rendered, sanitised HTML into the plain text a summary
// holds: the prose a reader reads, without tags or Markdown, with a space
// where one block ends and the next begins and runs of white space made
// one. The apparatus the renderer adds around the prose (footnote marks,
// the list of notes, their back-links) is left out. Entities are decoded;
// the writers escape the result again.
func PlainText(h string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(h))
	// skip is the element being left out; depth counts the open elements
	// of its name, so that a <div> of notes ends at its own </div>, not at
	// the first one inside it.
	skip, depth := "", 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			if skip == "" {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch {
			case skip != "":
				if string(name) != skip {
					continue
				}
				if tt == html.StartTagToken {
					depth++
					continue
				}
				if tt == html.EndTagToken {
					if depth--; depth > 0 {
						continue
					}
					skip = ""
				}
			case tt == html.StartTagToken && hasAttr && apparatus[role(z)]:
				skip, depth = string(name), 1
			}
			if !inlineTags[string(name)] {
				b.WriteByte(' ')
			}
		}
	}
}

// apparatus are the roles (DPUB-ARIA) that mark what is not prose: the
// Markdown renderer gives them to a footnote's mark, the section of notes
// and each note's link back to its mark.
var apparatus = map[string]bool{"doc-noteref": true, "doc-endnotes": true, "doc-backlink": true}

// role is the role attribute of the start tag z has just read.
func role(z *html.Tokenizer) string {
	for {
		key, val, more := z.TagAttr()
		if string(key) == "role" {
			return string(val)
		}
		if !more {
			return ""
		}
	}
}

// inlineTags are the elements inside a line of text: they join the words
// around them without a space.
var inlineTags = map[string]bool{"a": true, "em": true, "strong": true, "del": true, "code": true, "b": true, "i": true, "s": true,
	"sub": true, "sup": true, "span": true, "abbr": true, "mark": true, "small": true, "q": true, "cite": true}
