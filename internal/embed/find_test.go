package embed

import (
	"slices"
	"testing"
)

func TestFind(t *testing.T) {
	const yt, vimeo = "https://www.youtube.com/watch?v=M7lc1UVf-VE", "https://vimeo.com/76979871"
	for _, tt := range []struct {
		name, body string
		want       []string
	}{
		{"bare", yt, []string{yt}},
		{"autolinked", "<" + yt + ">", []string{yt}},
		{"a link whose text is its address", "[" + yt + "](" + yt + ")", []string{yt}},
		{"between paragraphs", "The mayor spoke.\n\n" + yt + "\n\nShe left.", []string{yt}},
		{"with spaces around", "Intro.\n\n   " + yt + "  \n\nEnd.", []string{yt}},
		{"several, each once, in order", vimeo + "\n\nText.\n\n" + yt + "\n\n" + vimeo, []string{vimeo, yt}},
		{"in a quote", "> " + yt, []string{yt}},
		{"in a line of text", "Watch " + yt + " now.", nil},
		{"on a line of a longer paragraph", "Watch this:\n" + yt, nil},
		{"followed by a line of the paragraph", yt + "\nwhich we filmed.", nil},
		{"a link with other text", "[the video](" + yt + ")", nil},
		{"a link to another address", "[" + yt + "](" + vimeo + ")", nil},
		{"two addresses", yt + " " + vimeo, nil},
		{"in a fenced code block", "```\n" + yt + "\n```", nil},
		{"in an indented code block", "Code:\n\n    " + yt + "\n", nil},
		{"in a heading", "## " + yt, nil},
		{"an unknown provider", "https://example.org/video/1", nil},
		{"a javascript address", "javascript:alert(1)//" + yt, nil},
		{"an autolink with more after it", "<" + yt + ">x", nil},
		{"emphasised", "*" + yt + "*", nil},
	} {
		if got := Find(tt.body); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Find(%q) = %q, want %q", tt.name, tt.body, got, tt.want)
		}
	}
}

func TestLoneURLs(t *testing.T) {
	body := "https://example.org/a\n\n<https://example.org/b>\n\n[https://example.org/c](https://example.org/c)\n\nhttps://en.wikipedia.org/wiki/Bond_(finance)\n\nmailto:x@example.org"
	want := []string{"https://example.org/a", "https://example.org/b", "https://example.org/c", "https://en.wikipedia.org/wiki/Bond_(finance)"}
	if got := LoneURLs(body); !slices.Equal(got, want) {
		t.Errorf("LoneURLs = %q, want %q", got, want)
	}
}
