package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/comment"
	"broadsheet/internal/i18n"
)

// The comment list is written in Go, so it escapes by hand: every value a
// reader controls must come out as html/template would write it, and the
// forms each comment carries must depend on who is reading.
func TestCommentItemsEscape(t *testing.T) {
	v := &view{cat: i18n.For("en"), loc: time.FixedZone("Tehran", 12600)}
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	hostile := `<script>alert("x")</script> & 'q' +1` + "\x00"
	d := &discussionView{Action: "/جهان/سلام/comments", Comments: []commentView{
		{Comment: comment.Comment{ID: 11, Name: hostile, Body: hostile, ReplyToName: hostile}, HTML: "<p>kept</p>",
			Initials: "<S", Own: true, ISO: v.ISO(at), When: v.DateTime(at)},
		{Comment: comment.Comment{ID: 12, Depth: 2, Name: "Held", Pinned: true}, Held: true, Staff: true},
		{Comment: comment.Comment{ID: 13, Depth: 1, Name: "Public"}},
	}}
	page := string(d.Items(v))
	const escaped = `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39; &#43;1` + "\uFFFD"
	for _, want := range []string{
		`<strong class="comment-name"><bdi>` + escaped + `</bdi></strong>`,
		`<span class="avatar" aria-hidden="true">&lt;S</span>`,
		`<p class="reply-to">In reply to ` + escaped + `</p>`,
		`required>` + escaped + `</textarea>`,
		`<div class="comment-body" dir="auto"><p>kept</p></div>`,
		`<time datetime="2026-03-01T13:00:00&#43;03:30">`,
		`action="/%d8%ac%d9%87%d8%a7%d9%86/%d8%b3%d9%84%d8%a7%d9%85/comments/11/edit"`,
		`action="/%d8%ac%d9%87%d8%a7%d9%86/%d8%b3%d9%84%d8%a7%d9%85/comments/11/delete"`,
		`<li class="comment depth-2 pinned held" id="c-12">`,
		`<p class="held-note">`,
		`<a href="?reply=13#comment-form">Reply</a>`,
		`action="/%d8%ac%d9%87%d8%a7%d9%86/%d8%b3%d9%84%d8%a7%d9%85/comments/13/report"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("comment list lacks %s", want)
		}
	}
	for _, never := range []string{"<script>", "comments/12/report", "?reply=12#", "comments/11/report", "comments/13/edit", "\x00"} {
		if strings.Contains(page, never) {
			t.Errorf("comment list holds %q", never)
		}
	}
	if n := strings.Count(page, `<span class="badge">`); n != 2 {
		t.Errorf("%d badges, want 2 (staff and pinned on the held comment)", n)
	}
	if got := (&discussionView{}).Items(v); got != template.HTML("") {
		t.Errorf("no comments: got %q", got)
	}
}
