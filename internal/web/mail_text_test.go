package web

import (
	"context"
	"mime"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/comment"
	"broadsheet/internal/mail/mailtest"
)

// setTitle renames the test site.
func (ms *mailSite) setTitle(t *testing.T, title string) {
	t.Helper()
	ctx := context.Background()
	s, err := ms.db.Site(ctx)
	must(t, err)
	s.Title = title
	must(t, ms.db.SetSite(ctx, s))
}

var (
	mailBlockPattern = regexp.MustCompile(`</(p|title|h[1-6]|li|div|td)>`)
	tagPattern       = regexp.MustCompile(`<[^>]*>`)
)

// repeatedPhrase finds a run of three words said twice in one line or
// paragraph of a mail ("from The Merrow Courier from The Merrow Courier").
func repeatedPhrase(m mailtest.Received) string {
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	lines := append([]string{subject}, strings.Split(m.Text, "\n")...)
	for _, p := range mailBlockPattern.Split(m.HTML, -1) {
		lines = append(lines, tagPattern.ReplaceAllString(p, " "))
	}
	for _, line := range lines {
		words := strings.FieldsFunc(strings.ToLower(line), func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
		})
		seen := map[string]bool{}
		for i := 0; i+3 <= len(words); i++ {
			phrase := strings.Join(words[i:i+3], " ")
			if seen[phrase] {
				return strings.TrimSpace(line)
			}
			seen[phrase] = true
		}
	}
	return ""
}

// The confirmation for every scope, and the notice that a confirmed
// reader has more, name what was subscribed to once, in plain words; and a
// sender configured without a name sends as the site.
func TestSubscriptionMailSaysEachThingOnce(t *testing.T) {
	ms := newMailSite(t)
	ms.setTitle(t, "The Merrow Courier")
	ms.worker.From = "news@news.example.org"
	id, _ := publishedArticle(t, ms.newsroomSite, "Harbour wall repairs")
	ms.deliver(t)
	scopes := []struct{ scope, says string }{
		{"site", "every new article from The Merrow Courier"},
		{"section:city", "new articles in City"},
		{"article:" + strconv.FormatInt(id, 10), "new comments on “Harbour wall repairs”"},
	}
	for i, sc := range scopes {
		before := len(ms.smtp.Messages())
		// Each from its own address: subscribing without the check is limited per address.
		postComment(ms.newsroomSite, "/subscribe", url.Values{"email": {"reader" + strconv.Itoa(i) + "@example.org"}, "scope": {sc.scope}}, "203.0.113."+strconv.Itoa(10+i)+":1")
		ms.deliver(t)
		m := ms.smtp.Wait(t, before+1, 5*time.Second)[before]
		checkSubscriptionMail(t, m, sc.scope, sc.says)
	}
	// Confirmed for the site, reader0 adds the section: a notice.
	confirm := ms.smtp.To("reader0@example.org")[0]
	if rec := postForm(ms.newsroomSite, "/subscribe/confirm", url.Values{"t": {mustQuery(t, linkPattern.FindString(confirm.Text), "t")}}); rec.Code != 200 {
		t.Fatalf("confirm = %d", rec.Code)
	}
	before := len(ms.smtp.Messages())
	if rec := postComment(ms.newsroomSite, "/subscribe", url.Values{"email": {"reader0@example.org"}, "scope": {"section:city"}}, "203.0.113.20:1"); rec.Code != 303 {
		t.Fatalf("subscribe = %d", rec.Code)
	}
	ms.deliver(t)
	notice := ms.smtp.Wait(t, before+1, 5*time.Second)[before]
	if !strings.Contains(notice.Header.Get("Subject"), "You are now subscribed") {
		t.Fatalf("mail %q, want the notice", notice.Header.Get("Subject"))
	}
	checkSubscriptionMail(t, notice, "notice", "new articles in City")
}

func checkSubscriptionMail(t *testing.T, m mailtest.Received, scope, says string) {
	t.Helper()
	if p := repeatedPhrase(m); p != "" {
		t.Errorf("%s: a phrase repeats in %q", scope, p)
	}
	if !strings.Contains(m.Text, says) || !strings.Contains(m.HTML, strings.ReplaceAll(says, "“", "“")) {
		t.Errorf("%s: the mail does not say %q:\n%s", scope, says, m.Text)
	}
	from, err := mail.ParseAddress(m.Header.Get("From"))
	if err != nil || from.Name != "The Merrow Courier" || from.Address != "news@news.example.org" {
		t.Errorf("%s: From = %q, want the site's title and the configured address", scope, m.Header.Get("From"))
	}
}

// A commenter's name reaches a reply notification's Subject as text: a
// name written as an encoded-word is shown as typed, not decoded into
// what it hides; and a site title that needs encoding names the sender.
func TestReplySubjectShowsTheNameAsTyped(t *testing.T) {
	ms := newMailSite(t)
	ms.setTitle(t, `Merrow "Courier" — پیک مرو`)
	ms.worker.From = "news@news.example.org"
	ctx := context.Background()
	_, path := publishedArticle(t, ms.newsroomSite, "Bridge tolls to rise")
	postComment(ms.newsroomSite, path+"/comments", url.Values{"name": {"Ana"}, "email": {"ana@example.org"}, "notify": {"1"},
		"body": {"Tolls again? The ferry is cheaper."}}, "203.0.113.170:1")
	ana := mustPending(t, ms.newsroomSite)[0]
	must(t, ms.db.SetCommentStatus(ctx, []int64{ana.ID}, comment.Approved))
	const name = "=?UTF-8?B?VGhlIEVkaXRvcnM=?="
	postComment(ms.newsroomSite, path+"/comments", url.Values{"name": {name}, "email": {"someone@example.net"}, "parent": {strconv.FormatInt(ana.ID, 10)},
		"body": {"Only in summer."}}, "203.0.113.171:1")
	reply := mustPending(t, ms.newsroomSite)[0]
	must(t, ms.db.SetCommentStatus(ctx, []int64{reply.ID}, comment.Approved))
	ms.deliver(t)
	ms.smtp.Wait(t, 1, 5*time.Second)
	toAna := ms.smtp.To("ana@example.org")
	if len(toAna) != 1 {
		t.Fatalf("Ana got %d mails, want the reply notification", len(toAna))
	}
	raw := toAna[0].Header.Get("Subject")
	subject, err := new(mime.WordDecoder).DecodeHeader(raw)
	if want := name + " replied to your comment"; err != nil || subject != want {
		t.Errorf("Subject %q reads as %q (%v), want %q", raw, subject, err, want)
	}
	from, err := mail.ParseAddress(toAna[0].Header.Get("From"))
	if err != nil || from.Name != `Merrow "Courier" — پیک مرو` {
		t.Errorf("From = %q, reads as %+v (%v), want the site's title", toAna[0].Header.Get("From"), from, err)
	}
}
