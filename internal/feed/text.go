package feed

import (
	"strings"

	"golang.org/x/net/html"
)

// PlainText turns rendered, sanitised HTML into the plain text a summary
// holds: the words a reader sees, without tags or Markdown, with a space
// where one block ends and the next begins and runs of white space made
// one. Entities are decoded; the writers escape the result again.
func PlainText(h string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if !inlineTags[string(name)] {
				b.WriteByte(' ')
			}
		}
	}
}

// inlineTags are the elements inside a line of text: they join the words
// around them without a space.
var inlineTags = map[string]bool{"a": true, "em": true, "strong": true, "del": true, "code": true, "b": true, "i": true, "s": true,
	"sub": true, "sup": true, "span": true, "abbr": true, "mark": true, "small": true, "q": true, "cite": true}
