package web

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/comment"
	"broadsheet/internal/i18n"
	"broadsheet/internal/store"
	"broadsheet/internal/store/sqlite"
)

// postComment sends the comment form from a reader's address, with the
// commenter cookie when given.
func postComment(ns *newsroomSite, path string, form url.Values, remote string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = remote
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	return rec
}

func getWith(ns *newsroomSite, path string, cookies ...*http.Cookie) (int, string) {
	req := httptest.NewRequest("GET", path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func publishedArticle(t *testing.T, ns *newsroomSite, headline string) (id int64, path string) {
	ctx := context.Background()
	id = ns.create(account.Editor, headline)
	a, _ := ns.db.ArticleByID(ctx, id)
	form := articleForm(headline, a.Version)
	form.Set("action", "publish")
	if rec := ns.do("POST", fmt.Sprintf("/admin/articles/%d", id), account.Editor, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("publish = %d", rec.Code)
	}
	a, _ = ns.db.ArticleByID(ctx, id)
	return id, "/city/" + a.Slug
}

func TestCommentFormKeepsEverythingAndSaysWhatIsMissing(t *testing.T) {
	ns := newNewsroom(t)
	_, path := publishedArticle(t, ns, "Ferry timetable changes")
	code, page := getWith(ns, path)
	if code != 200 || !strings.Contains(page, `action="`+path+`/comments"`) || !strings.Contains(page, "No comments yet") {
		t.Fatalf("article page = %d, want the comment form", code)
	}
	rec := postComment(ns, path+"/comments", url.Values{"email": {"reader@example.org"}, "notify": {"1"}}, "203.0.113.7:1")
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, comment.MsgBodyMissing) || !strings.Contains(body, comment.MsgNameMissing) ||
		!strings.Contains(body, `value="reader@example.org"`) || !strings.Contains(body, `name="notify" type="checkbox" value="1" checked`) {
		t.Errorf("empty comment = %d; want 422 naming both fields and keeping the email", rec.Code)
	}
	long := strings.Repeat("Long words. ", 500)
	rec = postComment(ns, path+"/comments", url.Values{"name": {"Ana"}, "body": {long}}, "203.0.113.7:1")
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), comment.MsgBodyTooLong) || !strings.Contains(rec.Body.String(), "Long words. Long words.") {
		t.Errorf("too long = %d; want 422 with the text kept", rec.Code)
	}
	rec = postComment(ns, path+"/comments", url.Values{"name": {"Ana"}, "body": {strings.Repeat("x", 70_000)}}, "203.0.113.7:1")
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize body = %d, want 413", rec.Code)
	}
	if rec := postComment(ns, "/city/no-such-story/comments", url.Values{"name": {"Ana"}, "body": {"Hello there"}}, "203.0.113.7:1"); rec.Code != 404 {
		t.Errorf("comment on a missing article = %d, want 404", rec.Code)
	}
	if rec := postComment(ns, path+"/other", url.Values{"name": {"Ana"}, "body": {"Hello there"}}, "203.0.113.7:1"); rec.Code != 404 {
		t.Errorf("POST to another action = %d, want 404", rec.Code)
	}
}

func TestHeldCommentVisibleOnlyToItsAuthor(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	id, path := publishedArticle(t, ns, "Harbour wall repairs")
	getWith(ns, path) // cached for everyone
	form := url.Values{"name": {"Ana <b>Reader</b>"}, "body": {"I live by the wall. <script>alert(1)</script>"}, "key": {"form-1"}}
	rec := postComment(ns, path+"/comments", form, "203.0.113.8:1")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), path+"#c-") {
		t.Fatalf("post = %d %q", rec.Code, rec.Header().Get("Location"))
	}
	cookie := rec.Result().Cookies()[0]
	if cookie.Name != commenterCookie || !cookie.HttpOnly {
		t.Errorf("commenter cookie = %+v", cookie)
	}
	// A double click sends the same form again: still one comment.
	postComment(ns, path+"/comments", form, "203.0.113.8:1", cookie)
	list, _ := ns.db.ModerationQueue(ctx, comment.Pending, 0, 10)
	if len(list) != 1 || list[0].ArticleID != id || list[0].HeldReason == "" {
		t.Fatalf("pending = %+v, want one held comment", list)
	}
	_, mine := getWith(ns, path, cookie)
	if !strings.Contains(mine, "Awaiting moderation") || !strings.Contains(mine, "I live by the wall.") || strings.Contains(mine, "<script>alert(1)") ||
		!strings.Contains(mine, "Ana &lt;b&gt;Reader&lt;/b&gt;") {
		t.Error("the author does not see their held comment, safely escaped")
	}
	_, theirs := getWith(ns, path)
	if strings.Contains(theirs, "I live by the wall.") {
		t.Error("another reader sees a held comment")
	}
	// Approval publishes it to everyone, replacing the cached page.
	must(t, ns.db.SetCommentStatus(ctx, []int64{list[0].ID}, comment.Approved))
	_, theirs = getWith(ns, path)
	if !strings.Contains(theirs, "I live by the wall.") || !strings.Contains(theirs, "Comments (1)") {
		t.Error("the approved comment is not on the public page")
	}
	// A reply from another article's thread is refused with the text kept.
	_, other := publishedArticle(t, ns, "Another story")
	rec = postComment(ns, other+"/comments", url.Values{"name": {"Bo"}, "body": {"Wrong thread"}, "parent": {fmt.Sprint(list[0].ID)}}, "203.0.113.9:1")
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "no longer available") || !strings.Contains(rec.Body.String(), "Wrong thread") {
		t.Errorf("parent on another article = %d", rec.Code)
	}
}

func TestCommentAbuseControls(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, path := publishedArticle(t, ns, "Council budget")
	// The honeypot keeps the comment, as spam, for a moderator to check.
	rec := postComment(ns, path+"/comments", url.Values{"name": {"Bot"}, "body": {"Buy now"}, "website": {"http://spam.example"}}, "198.51.100.1:1")
	if rec.Code != http.StatusSeeOther {
		t.Errorf("honeypot post = %d", rec.Code)
	}
	if spam, _ := ns.db.ModerationQueue(ctx, comment.Spam, 0, 10); len(spam) != 1 {
		t.Errorf("spam = %d, want the honeypot comment kept as spam", len(spam))
	}
	// Without the anti-bot check only 3 an hour from one address; the
	// fourth gets 429, a readable message and its text back. A forged
	// X-Forwarded-For from an untrusted peer changes nothing.
	for i := range 2 {
		postComment(ns, path+"/comments", url.Values{"name": {"Cy"}, "body": {fmt.Sprintf("Point %d", i)}}, "198.51.100.1:1")
	}
	req := url.Values{"name": {"Cy"}, "body": {"My fourth point, kept."}}
	r := httptest.NewRequest("POST", path+"/comments", strings.NewReader(req.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Forwarded-For", "192.0.2.55")
	r.RemoteAddr = "198.51.100.1:1"
	rr := httptest.NewRecorder()
	ns.srv.ServeHTTP(rr, r)
	if rr.Code != http.StatusTooManyRequests || rr.Header().Get("Retry-After") == "" || !strings.Contains(rr.Body.String(), "My fourth point, kept.") ||
		!strings.Contains(rr.Body.String(), "Without JavaScript only a few comments an hour") {
		t.Errorf("fourth unverified comment = %d; want 429 with Retry-After, a message and the text", rr.Code)
	}
	// Staff comments publish at once with a badge, under the member's own
	// name whatever the form's name field says.
	staff := &http.Cookie{Name: sessionCookie, Value: ns.cookies[account.Editor]}
	rec = postComment(ns, path+"/comments", url.Values{"name": {"Mayor Ada Reed"}, "body": {"Thanks, we have corrected the figure."}}, "10.1.1.1:1", staff)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("staff comment = %d", rec.Code)
	}
	_, page := getWith(ns, path)
	if !strings.Contains(page, "Thanks, we have corrected the figure.") || !strings.Contains(page, `<span class="badge">Staff</span>`) {
		t.Error("the staff comment is not public with its badge")
	}
	if name := ns.users[account.Editor].Name; !strings.Contains(page, name) || strings.Contains(page, "Mayor Ada Reed") {
		t.Errorf("the staff comment is not under the member's name, %q, alone", name)
	}
}

func TestModerationQueue(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, path := publishedArticle(t, ns, "Library hours")
	for i, name := range []string{"Ana", "Bo", "Cy"} {
		postComment(ns, path+"/comments", url.Values{"name": {name}, "body": {"Comment from " + name}}, fmt.Sprintf("203.0.113.%d:1", i+20))
	}
	rec := ns.do("GET", "/admin/comments", account.Editor, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Comment from Bo") || !strings.Contains(rec.Body.String(), "Library hours") {
		t.Fatalf("queue = %d", rec.Code)
	}
	if rec := ns.do("GET", "/admin/comments", account.Author, nil); rec.Code != http.StatusForbidden {
		t.Errorf("author opens the queue = %d, want 403", rec.Code)
	}
	q, _ := ns.db.ModerationQueue(ctx, comment.Pending, 0, 10)
	// Bulk: approve two ticked comments.
	rec = ns.do("POST", "/admin/comments", account.Editor, url.Values{"action": {"approve"}, "id": {fmt.Sprint(q[0].ID), fmt.Sprint(q[1].ID)}, "from": {"pending"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("bulk approve = %d", rec.Code)
	}
	// One: mark the last as spam with its own button.
	rec = ns.do("POST", "/admin/comments", account.Editor, url.Values{"act": {fmt.Sprintf("spam:%d", q[2].ID)}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("spam one = %d", rec.Code)
	}
	rec = ns.do("POST", "/admin/comments", account.Editor, url.Values{"act": {fmt.Sprintf("pin:%d", q[1].ID)}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("pin = %d", rec.Code)
	}
	_, page := getWith(ns, path)
	if !strings.Contains(page, "Comment from Cy") || !strings.Contains(page, "Comment from Bo") || strings.Contains(page, "Comment from Ana") ||
		strings.Index(page, "Comment from Bo") > strings.Index(page, "Comment from Cy") {
		t.Error("public thread: want Bo (pinned) before Cy, and Ana's spam absent")
	}
	if rec := ns.do("POST", "/admin/comments", account.Editor, url.Values{"action": {"approve"}}); rec.Code != http.StatusBadRequest {
		t.Errorf("nothing ticked = %d, want 400", rec.Code)
	}
}

func TestClosedComments(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	id, path := publishedArticle(t, ns, "Closed discussion")
	a, _ := ns.db.ArticleByID(ctx, id)
	form := articleForm("Closed discussion", a.Version)
	form.Set("comments_closed", "1")
	form.Set("action", "save")
	if rec := ns.do("POST", fmt.Sprintf("/admin/articles/%d", id), account.Editor, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("close comments = %d", rec.Code)
	}
	_, page := getWith(ns, path)
	if !strings.Contains(page, "Comments on this article are closed.") || strings.Contains(page, `class="comment-form"`) {
		t.Error("a closed article still shows the comment form")
	}
	rec := postComment(ns, path+"/comments", url.Values{"name": {"Ana"}, "body": {"Too late, but my words stay."}}, "203.0.113.40:1")
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "Too late, but my words stay.") {
		t.Errorf("comment on a closed article = %d; want 403 with the text given back", rec.Code)
	}
}

func fetchChallenge(t *testing.T, ns *newsroomSite) challenge.Challenge {
	t.Helper()
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/challenge", nil))
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /api/v1/challenge = %d %v", rec.Code, rec.Header())
	}
	var ch challenge.Challenge
	must(t, json.Unmarshal(rec.Body.Bytes(), &ch))
	return ch
}

func TestCommentsWithTheAntiBotCheck(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, path := publishedArticle(t, ns, "Tram depot plans")
	// A returning commenter: one comment approved before.
	first := url.Values{"name": {"Dee"}, "email": {"dee@example.org"}, "body": {"First time here."}}
	dee := postComment(ns, path+"/comments", first, "203.0.113.60:1").Result().Cookies()[0]
	q, _ := ns.db.ModerationQueue(ctx, comment.Pending, 0, 10)
	must(t, ns.db.SetCommentStatus(ctx, []int64{q[0].ID}, comment.Approved))

	form := shownForm(t, ns, path)
	ns.clock = ns.clock.Add(time.Minute) // reading, then writing
	solved, err := challenge.Solve(fetchChallenge(t, ns))
	must(t, err)
	form.Set("name", "Dee")
	form.Set("email", "dee@example.org")
	form.Set("body", "Verified and welcome back.")
	form.Set("altcha", solved)
	rec := postComment(ns, path+"/comments", form, "203.0.113.60:1", dee)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("verified comment = %d: %s", rec.Code, rec.Body.String())
	}
	if _, page := getWith(ns, path); !strings.Contains(page, "Verified and welcome back.") {
		t.Error("a verified returning commenter's comment is not public at once")
	}
	// The same solution again is a replay, whatever the text.
	form.Set("body", "Trying the same solution twice.")
	rec = postComment(ns, path+"/comments", form, "203.0.113.60:1")
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "could not be confirmed") || !strings.Contains(rec.Body.String(), "Trying the same solution twice.") {
		t.Errorf("replayed solution = %d; want 422 with the text kept", rec.Code)
	}
	// A forged payload is refused the same way.
	form.Set("altcha", "eyJmb3JnZWQiOnRydWV9")
	if rec := postComment(ns, path+"/comments", form, "203.0.113.60:1"); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("forged solution = %d, want 422", rec.Code)
	}
	// The reader took too long: the check expired. The page comes back with
	// every word and a fresh check; nothing was stored.
	solved, err = challenge.Solve(fetchChallenge(t, ns))
	must(t, err)
	ns.clock = ns.clock.Add(21 * time.Minute)
	form = url.Values{"name": {"Dee"}, "email": {"dee@example.org"}, "body": {"Written slowly, over a long lunch."}, "altcha": {solved}}
	rec = postComment(ns, path+"/comments", form, "203.0.113.60:1")
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "expired while you were writing") || !strings.Contains(body, "Written slowly, over a long lunch.") ||
		!strings.Contains(body, `<altcha-widget challenge="/api/v1/challenge"`) {
		t.Errorf("expired check = %d; want 422, the text kept and a widget to renew", rec.Code)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "worker-src 'self' blob:") {
		t.Errorf("CSP %q does not let the widget solve", csp)
	}
}

// shownForm reads the hidden fields of the article page's comment form,
// as a browser would send them.
func shownForm(t *testing.T, ns *newsroomSite, path string) url.Values {
	t.Helper()
	_, page := getWith(ns, path)
	form := url.Values{}
	for _, name := range []string{"key", "shown"} {
		_, rest, ok := strings.Cut(page, `name="`+name+`" value="`)
		value, _, _ := strings.Cut(rest, `"`)
		if !ok || value == "" {
			t.Fatalf("the comment form has no %s field", name)
		}
		form.Set(name, value)
	}
	return form
}

// A comment sent seconds after its form appeared, or without the form's
// genuine stamp, waits for a moderator even from a verified returning
// commenter; the same comment sent after a reader's pause does not.
func TestHurriedCommentsAreHeld(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	// One commenter posts many times here: the limits follow the test's clock.
	ns.srv.limiters()["comment-email"].SetClock(func() time.Time { return ns.clock })
	ns.srv.limiters()["comment-ip"].SetClock(func() time.Time { return ns.clock })
	_, path := publishedArticle(t, ns, "Harbour wall repairs")
	dee := postComment(ns, path+"/comments", url.Values{"name": {"Dee"}, "email": {"dee@example.org"}, "body": {"First time here."}}, "203.0.113.61:1").Result().Cookies()[0]
	must(t, ns.db.SetCommentStatus(ctx, []int64{mustPending(t, ns)[0].ID}, comment.Approved))

	post := func(body string, form url.Values) *comment.Comment {
		t.Helper()
		solved, err := challenge.Solve(fetchChallenge(t, ns))
		must(t, err)
		form.Set("name", "Dee")
		form.Set("email", "dee@example.org")
		form.Set("body", body)
		form.Set("altcha", solved)
		if rec := postComment(ns, path+"/comments", form, "203.0.113.61:1", dee); rec.Code != http.StatusSeeOther {
			t.Fatalf("%q = %d", body, rec.Code)
		}
		q, err := ns.db.ModerationQueue(ctx, comment.Pending, 0, 10)
		must(t, err)
		for _, c := range q {
			if c.Body == body {
				return &c.Comment
			}
		}
		return nil
	}
	fresh := shownForm(t, ns, path)
	ns.clock = ns.clock.Add(time.Second)
	if held := post("Sent a second after the page.", fresh); held == nil || held.HeldReason != "sent seconds after the form appeared" {
		t.Errorf("a comment one second after its form: held = %+v, want held as hurried", held)
	}
	forged := shownForm(t, ns, path)
	forged.Set("shown", "1000000000.AAAAAAAAAAAAAAAAAAAAAA")
	ns.clock = ns.clock.Add(10 * time.Minute)
	if held := post("Sent with a forged stamp.", forged); held == nil || held.HeldReason != "sent seconds after the form appeared" {
		t.Errorf("a forged form stamp: held = %+v, want held", held)
	}
	if held := post("Sent with no stamp.", url.Values{}); held == nil {
		t.Error("a comment without the form stamp was published")
	}
	// The stamp is signed for its article: another article's is no good.
	_, other := publishedArticle(t, ns, "Lighthouse keepers")
	elsewhere := shownForm(t, ns, other)
	ns.clock = ns.clock.Add(10 * time.Minute)
	if held := post("Sent with another article's stamp.", elsewhere); held == nil {
		t.Error("a comment with another article's form stamp was published")
	}
	ns.clock = ns.clock.Add(10 * time.Minute)
	if held := post("Sent after a reader's pause.", fresh); held != nil {
		t.Errorf("a comment long after its form was held: %q", held.HeldReason)
	}
}

// TestInlineMessagesMatchTheServer keeps the words the page's script shows
// the same as the server's.
func TestInlineMessagesMatchTheServer(t *testing.T) {
	cat := i18n.For("en")
	for key, want := range map[string]string{
		"comments.msg_name": comment.MsgNameMissing, "comments.msg_name_long": comment.MsgNameTooLong,
		"comments.msg_body": comment.MsgBodyMissing, "comments.msg_body_short": comment.MsgBodyTooShort,
		"comments.msg_body_long": comment.MsgBodyTooLong, "comments.msg_email": comment.MsgEmailInvalid,
		"comments.msg_email_notify": comment.MsgEmailNotify,
	} {
		if got := cat.T(key); got != want {
			t.Errorf("%s = %q, the server says %q", key, got, want)
		}
	}
}

func TestEditDeleteAndReport(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, path := publishedArticle(t, ns, "Ferry strike")
	rec := postComment(ns, path+"/comments", url.Values{"name": {"Ana"}, "body": {"Frist post, sorry for the typo."}}, "203.0.113.70:1")
	cookie := rec.Result().Cookies()[0]
	q, _ := ns.db.ModerationQueue(ctx, comment.Pending, 0, 10)
	id := q[0].ID
	_, page := getWith(ns, path, cookie)
	if !strings.Contains(page, fmt.Sprintf(`action="%s/comments/%d/edit"`, path, id)) {
		t.Fatal("the author is not offered Edit on their new comment")
	}
	stranger := &http.Cookie{Name: commenterCookie, Value: strings.Repeat("x", 43)}
	if rec := postComment(ns, fmt.Sprintf("%s/comments/%d/edit", path, id), url.Values{"body": {"Hijacked"}}, "198.51.100.9:1", stranger); rec.Code != http.StatusForbidden {
		t.Errorf("edit by another browser = %d, want 403", rec.Code)
	}
	if rec := postComment(ns, fmt.Sprintf("%s/comments/%d/edit", path, id), url.Values{"body": {"First post, typo fixed."}}, "203.0.113.70:1", cookie); rec.Code != http.StatusSeeOther {
		t.Errorf("own edit = %d", rec.Code)
	}
	if c, _ := ns.db.CommentByID(ctx, id); c.Body != "First post, typo fixed." {
		t.Errorf("after edit: %q", c.Body)
	}
	ns.clock = ns.clock.Add(comment.EditWindow + time.Minute)
	if rec := postComment(ns, fmt.Sprintf("%s/comments/%d/delete", path, id), url.Values{}, "203.0.113.70:1", cookie); rec.Code != http.StatusForbidden {
		t.Errorf("delete after the window = %d, want 403", rec.Code)
	}

	// Readers' reports send an approved comment back to moderation.
	must(t, ns.db.SetCommentStatus(ctx, []int64{id}, comment.Approved))
	for i := range comment.ReportThreshold {
		if rec := postComment(ns, fmt.Sprintf("%s/comments/%d/report", path, id), url.Values{}, fmt.Sprintf("192.0.2.%d:1", i+1)); rec.Code != http.StatusSeeOther {
			t.Fatalf("report %d = %d", i, rec.Code)
		}
	}
	if _, page := getWith(ns, path); strings.Contains(page, "typo fixed") {
		t.Error("a much-reported comment is still public")
	}
}

func TestCommentFeed(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, path := publishedArticle(t, ns, "Feed story")
	postComment(ns, path+"/comments", url.Values{"name": {"Ana & Co"}, "body": {"Approved <b>words</b>."}}, "203.0.113.80:1")
	postComment(ns, path+"/comments", url.Values{"name": {"Bo"}, "body": {"Still held."}}, "203.0.113.81:1")
	q, _ := ns.db.ModerationQueue(ctx, comment.Pending, 0, 10)
	must(t, ns.db.SetCommentStatus(ctx, []int64{q[1].ID}, comment.Approved)) // Ana's, the older
	code, body := getWith(ns, path+"/comments.atom")
	if code != 200 {
		t.Fatalf("feed = %d", code)
	}
	var f struct {
		Title   string `xml:"title"`
		Entries []struct {
			Title   string `xml:"title"`
			Content string `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("feed is not XML: %v\n%s", err, body)
	}
	if f.Title != "Feed story" || len(f.Entries) != 1 || f.Entries[0].Title != "Ana & Co" || !strings.Contains(f.Entries[0].Content, "<p>Approved words.</p>") || strings.Contains(f.Entries[0].Content, "<b>") {
		t.Errorf("feed = %+v, want only Ana's comment, sanitised", f)
	}
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, httptest.NewRequest("GET", path+"/comments.atom", nil))
	if ct := rec.Header().Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if code, _ := getWith(ns, path+"/other.atom"); code != 404 {
		t.Errorf("another file name = %d, want 404", code)
	}
}

func postJSON(ns *newsroomSite, path, body, remote string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	return rec
}

func TestCommentAPIHasTheSameChecks(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	id, _ := publishedArticle(t, ns, "API story")
	draft := ns.create(account.Editor, "Unpublished story")
	api := fmt.Sprintf("/api/v1/articles/%d/comments", id)

	for _, tt := range []struct {
		name, path, body string
		want             int
		code             string
	}{
		{"missing fields", api, `{}`, 422, `"code":"invalid"`},
		{"unknown field", api, `{"name":"A","body":"Hello","admin":true}`, 400, "unknown field"},
		{"not JSON", api, `name=A`, 400, "bad_request"},
		{"draft article", fmt.Sprintf("/api/v1/articles/%d/comments", draft), `{"name":"A","body":"Hello"}`, 404, "not_found"},
		{"no article", "/api/v1/articles/99999/comments", `{"name":"A","body":"Hello"}`, 404, "not_found"},
		{"forged check", api, `{"name":"A","body":"Hello","altcha":"eyJ4IjoxfQ=="}`, 422, "check_failed"},
	} {
		rec := postJSON(ns, tt.path, tt.body, "203.0.113.90:1")
		if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.code) {
			t.Errorf("%s = %d %s, want %d with %s", tt.name, rec.Code, rec.Body.String(), tt.want, tt.code)
		}
	}
	req := httptest.NewRequest("POST", api, strings.NewReader(`{"name":"A","body":"Hello"}`))
	req.Header.Set("Content-Type", "text/plain")
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain = %d, want 415", rec.Code)
	}
	// Without the check the API, like the form, holds the comment.
	rec = postJSON(ns, api, `{"name":"Bot","body":"No check at all"}`, "203.0.113.91:1")
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"status":"pending"`) {
		t.Errorf("unverified = %d %s, want 201 pending", rec.Code, rec.Body.String())
	}
	// With a solved check, a returning commenter publishes at once.
	must(t, ns.db.SetCommentStatus(ctx, []int64{mustPending(t, ns)[0].ID}, comment.Approved))
	solved, err := challenge.Solve(fetchChallenge(t, ns))
	must(t, err)
	body := fmt.Sprintf(`{"name":"Bot","body":"Now verified","email":"","altcha":%q}`, solved)
	rec = postJSON(ns, api, body, "203.0.113.91:1")
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"status":"pending"`) {
		t.Errorf("verified without email = %d %s, want 201 pending (no email, no history)", rec.Code, rec.Body.String())
	}
	if rec := postJSON(ns, api, body, "203.0.113.91:1"); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "check_failed") {
		t.Errorf("replayed solution = %d %s, want 422 check_failed", rec.Code, rec.Body.String())
	}
}

func mustPending(t *testing.T, ns *newsroomSite) []comment.Queued {
	t.Helper()
	q, err := ns.db.ModerationQueue(context.Background(), comment.Pending, 0, 10)
	must(t, err)
	if len(q) == 0 {
		t.Fatal("no pending comment")
	}
	return q
}

func TestCommenterExportAndErase(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, path := publishedArticle(t, ns, "Privacy story")
	postComment(ns, path+"/comments", url.Values{"name": {"Ana"}, "email": {"ana@example.org"}, "body": {"Please erase me later."}}, "203.0.113.95:1")
	rec := ns.do("GET", "/admin/commenters?email=ana@example.org", account.Admin, nil)
	if !strings.Contains(rec.Body.String(), "Please erase me later.") {
		t.Fatal("the commenter page lacks the comment")
	}
	rec = ns.do("GET", "/admin/commenters/export?email=ana@example.org", account.Admin, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"body":"Please erase me later."`) || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Errorf("export = %d %s", rec.Code, rec.Body.String())
	}
	if rec := ns.do("POST", "/admin/commenters/erase", account.Admin, url.Values{"email": {"ana@example.org"}, "confirm": {"wrong@example.org"}}); rec.Code != http.StatusBadRequest {
		t.Errorf("erase without confirmation = %d, want 400", rec.Code)
	}
	if rec := ns.do("POST", "/admin/commenters/erase", account.Admin, url.Values{"email": {"ana@example.org"}, "confirm": {"ana@example.org"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("erase = %d", rec.Code)
	}
	if list, _ := ns.db.CommentsByEmail(ctx, "ana@example.org"); len(list) != 0 {
		t.Errorf("%d comments left after erasure", len(list))
	}
}

func TestBlocklistLearnsFromSpam(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, path := publishedArticle(t, ns, "Blocklist story")
	postComment(ns, path+"/comments", url.Values{"name": {"Bot"}, "body": {"Cheap pills at https://pills.example/buy"}}, "203.0.113.100:1")
	q := mustPending(t, ns)
	must(t, ns.db.SetCommentStatus(ctx, []int64{q[0].ID}, comment.Spam))
	page := ns.do("GET", "/admin/comments", account.Editor, nil).Body.String()
	if !strings.Contains(page, `value="pills.example"`) {
		t.Fatal("the spam's domain is not suggested for the blocklist")
	}
	if rec := ns.do("POST", "/admin/comments/blocklist", account.Editor, url.Values{"add": {"pills.example"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("add to blocklist = %d", rec.Code)
	}
	// A returning, verified commenter's comment naming it is now held.
	postComment(ns, path+"/comments", url.Values{"name": {"Dee"}, "email": {"dee@example.org"}, "body": {"First, harmless."}}, "203.0.113.101:1")
	must(t, ns.db.SetCommentStatus(ctx, []int64{mustPending(t, ns)[0].ID}, comment.Approved))
	solved, err := challenge.Solve(fetchChallenge(t, ns))
	must(t, err)
	postComment(ns, path+"/comments", url.Values{"name": {"Dee"}, "email": {"dee@example.org"}, "body": {"See pills.example for details"}, "altcha": {solved}}, "203.0.113.101:1")
	held := mustPending(t, ns)
	if !strings.Contains(held[0].HeldReason, "blocklist") {
		t.Errorf("held because %q, want the blocklist", held[0].HeldReason)
	}
}

func TestModeratorEdit(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, path := publishedArticle(t, ns, "Edit story")
	postComment(ns, path+"/comments", url.Values{"name": {"Ana"}, "body": {"My phone number is 555 0100."}}, "203.0.113.110:1")
	id := mustPending(t, ns)[0].ID
	if rec := ns.do("POST", fmt.Sprintf("/admin/comments/%d/edit", id), account.Author, url.Values{"body": {"x"}}); rec.Code != http.StatusForbidden {
		t.Errorf("author edits a comment = %d, want 403", rec.Code)
	}
	if rec := ns.do("POST", fmt.Sprintf("/admin/comments/%d/edit", id), account.Editor, url.Values{"body": {"My phone number is [removed]."}, "from": {"pending"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("moderator edit = %d", rec.Code)
	}
	if c, _ := ns.db.CommentByID(ctx, id); c.Body != "My phone number is [removed]." {
		t.Errorf("after edit: %q", c.Body)
	}
	if rec := ns.do("POST", fmt.Sprintf("/admin/comments/%d/edit", id), account.Editor, url.Values{"body": {""}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("empty edit = %d, want 422", rec.Code)
	}
}

func TestLiveCommentStream(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, path := publishedArticle(t, ns, "Live story")
	ts := httptest.NewServer(ns.srv)
	defer ts.Close()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(sctx, "GET", ts.URL+path+"/comments/live", nil)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := bufio.NewScanner(resp.Body)
	if !lines.Scan() || lines.Text() != "retry: 10000" {
		t.Fatalf("first line %q", lines.Text())
	}
	// A held comment is not news; its approval is.
	postComment(ns, path+"/comments", url.Values{"name": {"Ana"}, "body": {"Live comment"}}, "203.0.113.120:1")
	must(t, ns.db.SetCommentStatus(ctx, []int64{mustPending(t, ns)[0].ID}, comment.Approved))
	got := ""
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "event: ") {
			got = lines.Text()
			break
		}
	}
	if got != "event: changed" {
		t.Errorf("stream said %q, want event: changed", got)
	}
	// Streams per address are bounded.
	var open []*http.Response
	defer func() {
		for _, r := range open {
			r.Body.Close()
		}
	}()
	code := 0
	for range DefaultLiveStreamsPerIP {
		req, _ := http.NewRequestWithContext(sctx, "GET", ts.URL+path+"/comments/live", nil)
		r, err := http.DefaultClient.Do(req)
		must(t, err)
		open = append(open, r)
		code = r.StatusCode
	}
	if code != http.StatusTooManyRequests {
		t.Errorf("stream %d from one address = %d, want 429", DefaultLiveStreamsPerIP+1, code)
	}
}

func TestExternalVerifierOnTheForm(t *testing.T) {
	siteverify := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		ok := r.PostFormValue("response") == "good-token" && r.PostFormValue("secret") == "sec"
		json.NewEncoder(w).Encode(map[string]any{"success": ok, "hostname": "news.example.org"})
	}))
	defer siteverify.Close()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ext.db"))
	must(t, err)
	defer db.Close()
	ext := &challenge.External{Provider: challenge.Turnstile, Secret: "sec", Hostname: "news.example.org", Endpoint: siteverify.URL, Client: siteverify.Client(), Used: db}
	srv := newServer(t, db, Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), External: ext, SiteKey: "site-key-1"})
	sec := article.Section{Slug: "city", Name: "City"}
	must(t, db.CreateSection(ctx, &sec))
	must(t, db.CreateArticle(ctx, &article.Article{Slug: "s", Headline: "S", Section: sec, Status: article.Published, Language: "en", PublishedAt: time.Now()}))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/city/s", nil))
	page := rec.Body.String()
	if !strings.Contains(page, `<div class="cf-turnstile" data-sitekey="site-key-1">`) || strings.Contains(page, "<altcha-widget") ||
		!strings.Contains(rec.Header().Get("Content-Security-Policy"), "https://challenges.cloudflare.com") {
		t.Fatal("the form does not carry the Turnstile widget, or the CSP does not allow it")
	}
	post := func(token string) *httptest.ResponseRecorder {
		form := url.Values{"name": {"Ana"}, "body": {"Checked by a third party."}, "cf-turnstile-response": {token}}
		req := httptest.NewRequest("POST", "/city/s/comments", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	if rec := post("bad-token"); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Checked by a third party.") {
		t.Errorf("bad token = %d, want 422 with the text kept", rec.Code)
	}
	if rec := post("good-token"); rec.Code != http.StatusSeeOther {
		t.Fatalf("good token = %d", rec.Code)
	}
	q, _ := db.ModerationQueue(ctx, comment.Pending, 0, 5)
	if len(q) != 1 || q[0].HeldReason != "first comment from this commenter" {
		t.Errorf("held = %+v, want held only as a first comment (the check passed)", q)
	}
}

func TestCommentsCloseAfterDays(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, path := publishedArticle(t, ns, "Old story")
	rec := ns.do("POST", "/admin/settings", account.Admin, url.Values{"title": {"The Gazette"}, "language": {"en"}, "timezone": {"UTC"}, "comments_close_days": {"7"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("settings = %d: %s", rec.Code, rec.Body.String())
	}
	if site, _ := ns.db.Site(ctx); site.CommentsCloseDays != 7 {
		t.Fatalf("CommentsCloseDays = %d", site.CommentsCloseDays)
	}
	if rec := ns.do("POST", "/admin/settings", account.Admin, url.Values{"title": {"G"}, "language": {"en"}, "timezone": {"UTC"}, "comments_close_days": {"-1"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("negative days = %d, want 422", rec.Code)
	}
	if _, page := getWith(ns, path); !strings.Contains(page, `class="comment-form"`) {
		t.Error("a fresh article's comments are closed")
	}
	// No write happens as the days pass: the cached page expires itself.
	ns.clock = ns.clock.Add(8 * 24 * time.Hour)
	if _, page := getWith(ns, path); strings.Contains(page, `class="comment-form"`) || !strings.Contains(page, "Comments on this article are closed.") {
		t.Error("an eight-day-old article still takes comments")
	}
	if rec := postComment(ns, path+"/comments", url.Values{"name": {"Late"}, "body": {"Eight days on."}}, "203.0.113.130:1"); rec.Code != http.StatusForbidden {
		t.Errorf("late comment = %d, want 403", rec.Code)
	}
}

// A returning commenter is known by the secret token their browser (or API
// client) was given with their approved comment, never by the address
// alone: a stranger who types a regular's address, verified and unhurried,
// still waits for a moderator.
func TestTrustFollowsTheCommenterNotTheAddress(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	id, path := publishedArticle(t, ns, "Bridge tolls")
	rec := postComment(ns, path+"/comments", url.Values{"name": {"Reg"}, "email": {"reg@example.org"}, "body": {"My first comment."}}, "203.0.113.40:1")
	cookies := rec.Result().Cookies()
	if len(cookies) != 2 || cookies[0].Name != commenterCookie || cookies[1].Name != returningCookie || cookies[0].Value != cookies[1].Value {
		t.Fatalf("cookies = %+v, want the commenter token in the week's and the year's cookie", cookies)
	}
	regular := cookies[1]
	if !regular.HttpOnly || regular.SameSite != http.SameSiteLaxMode || regular.MaxAge < 300*24*3600 {
		t.Errorf("returning cookie = %+v, want HttpOnly, SameSite=Lax, kept for a year", regular)
	}
	must(t, ns.db.SetCommentStatus(ctx, []int64{mustPending(t, ns)[0].ID}, comment.Approved))
	// Weeks later only the year's cookie is left: the regular reads the
	// same cached page as everyone else.
	anyone, theirs := httptest.NewRecorder(), httptest.NewRecorder()
	ns.srv.ServeHTTP(anyone, httptest.NewRequest("GET", path, nil))
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(regular)
	ns.srv.ServeHTTP(theirs, req)
	if e := theirs.Header().Get("ETag"); e == "" || e != anyone.Header().Get("ETag") {
		t.Errorf("with the returning cookie the page is not the cached one (ETag %q, want %q)", e, anyone.Header().Get("ETag"))
	}

	post := func(body string, cookies ...*http.Cookie) comment.Status {
		t.Helper()
		form := shownForm(t, ns, path)
		ns.clock = ns.clock.Add(time.Minute)
		solved, err := challenge.Solve(fetchChallenge(t, ns))
		must(t, err)
		form.Set("name", "Reg")
		form.Set("email", "REG@example.org")
		form.Set("body", body)
		form.Set("altcha", solved)
		if rec := postComment(ns, path+"/comments", form, "198.51.100.40:1", cookies...); rec.Code != http.StatusSeeOther {
			t.Fatalf("%q = %d", body, rec.Code)
		}
		q, err := ns.db.ModerationQueue(ctx, comment.Pending, 0, 10)
		must(t, err)
		for _, c := range q {
			if c.Body == body {
				if c.HeldReason != "first comment from this commenter" {
					t.Errorf("%q held for %q", body, c.HeldReason)
				}
				return comment.Pending
			}
		}
		return comment.Approved
	}
	if got := post("A stranger typing the regular's address."); got != comment.Pending {
		t.Error("a stranger who typed a regular's address was published at once")
	}
	forged := &http.Cookie{Name: commenterCookie, Value: strings.Repeat("A", 43)}
	if got := post("A stranger with a made-up token.", forged); got != comment.Pending {
		t.Error("a made-up commenter token was trusted")
	}
	if got := post("The regular, from their own browser.", regular); got != comment.Approved {
		t.Error("the regular, with their token, was held")
	}

	// Through the API the token is a field: given with the first comment,
	// sent back with the next.
	api := fmt.Sprintf("/api/v1/articles/%d/comments", id)
	var first struct {
		Status string `json:"status"`
		Token  string `json:"commenter_token"`
	}
	rec = postJSON(ns, api, `{"name":"Api","email":"api@example.org","body":"From an app."}`, "203.0.113.41:1")
	must(t, json.Unmarshal(rec.Body.Bytes(), &first))
	if rec.Code != http.StatusCreated || first.Token == "" {
		t.Fatalf("API comment = %d %s, want a commenter_token", rec.Code, rec.Body.String())
	}
	must(t, ns.db.SetCommentStatus(ctx, []int64{mustPending(t, ns)[0].ID}, comment.Approved))
	for _, tt := range []struct {
		name, email, token string
		want               string
	}{
		{"the address without the token", "api@example.org", "", "pending"},
		{"the token with another address", "other@example.org", first.Token, "pending"},
		{"the address with its token", "api@example.org", first.Token, "approved"},
	} {
		ns.clock = ns.clock.Add(time.Minute)
		solved, err := challenge.Solve(fetchChallenge(t, ns))
		must(t, err)
		body, _ := json.Marshal(map[string]string{"name": "Api", "email": tt.email, "body": "Again: " + tt.name, "altcha": solved,
			"commenter_token": tt.token, "shown": shownForm(t, ns, path).Get("shown")})
		ns.clock = ns.clock.Add(time.Minute)
		rec := postJSON(ns, api, string(body), "203.0.113.42:1")
		if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"status":"`+tt.want+`"`) {
			t.Errorf("%s = %d %s, want %s", tt.name, rec.Code, rec.Body.String(), tt.want)
		}
	}
}

// An edit passes the rules a new comment passes: a public comment edited
// into blocklisted words and five links goes back to moderation, as the
// same text sent new would; its author still sees it, with every word,
// marked as awaiting moderation; a plain edit stays public.
func TestEditPassesModeration(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, path := publishedArticle(t, ns, "Market day")
	must(t, ns.db.SetBlocklist(ctx, []string{"miracle pills"}))
	post := func(body string) (int64, *http.Cookie) {
		t.Helper()
		rec := postComment(ns, path+"/comments", url.Values{"name": {"Ana"}, "email": {"ana@example.org"}, "body": {body}}, "203.0.113.50:1")
		q := mustPending(t, ns)
		must(t, ns.db.SetCommentStatus(ctx, []int64{q[0].ID}, comment.Approved))
		return q[0].ID, rec.Result().Cookies()[0]
	}
	edit := func(id int64, body string, cookie *http.Cookie) {
		t.Helper()
		if rec := postComment(ns, fmt.Sprintf("%s/comments/%d/edit", path, id), url.Values{"body": {body}}, "203.0.113.50:1", cookie); rec.Code != http.StatusSeeOther {
			t.Fatalf("edit = %d", rec.Code)
		}
	}
	id, cookie := post("The stalls open at eight.")
	edit(id, "The stalls open at nine.", cookie)
	if c, _ := ns.db.CommentByID(ctx, id); c.Status != comment.Approved {
		t.Errorf("a plain edit of a public comment: %s (%q), want it public", c.Status, c.HeldReason)
	}

	spam := "Buy miracle pills: https://a.example https://b.example https://c.example https://d.example https://e.example"
	edit(id, spam, cookie)
	c, _ := ns.db.CommentByID(ctx, id)
	if c.Status != comment.Pending || !strings.HasPrefix(c.HeldReason, "edited: ") || c.Body != spam {
		t.Errorf("spam edit: %s (%q), want held for a moderator with the new text", c.Status, c.HeldReason)
	}
	if _, page := getWith(ns, path); strings.Contains(page, "miracle pills") || strings.Contains(page, "open at nine") {
		t.Error("the edited comment is still public")
	}
	if _, page := getWith(ns, path, cookie); !strings.Contains(page, "miracle pills") || !strings.Contains(page, "Awaiting moderation") {
		t.Error("its author does not see the edited comment marked as awaiting moderation")
	}
	if q, _ := ns.db.ModerationQueue(ctx, comment.Pending, 0, 10); len(q) != 1 || q[0].ID != id {
		t.Errorf("moderation queue = %+v, want the edited comment", q)
	}
	// The same text as a new comment is held too, for the same reason.
	solved, err := challenge.Solve(fetchChallenge(t, ns))
	must(t, err)
	form := shownForm(t, ns, path)
	ns.clock = ns.clock.Add(time.Minute)
	form.Set("name", "Ana")
	form.Set("email", "ana@example.org")
	form.Set("body", spam+" again")
	form.Set("altcha", solved)
	postComment(ns, path+"/comments", form, "203.0.113.50:1", cookie)
	if q, _ := ns.db.ModerationQueue(ctx, comment.Pending, 0, 1); len(q) != 1 || "edited: "+q[0].HeldReason != c.HeldReason {
		t.Errorf("the same text as a new comment: %+v, want held as %q", q, strings.TrimPrefix(c.HeldReason, "edited: "))
	}
}

// TestPagesShowStoredCommentHTML: the article page and the comment feed
// show each comment's HTML as stored with it, rendering only what an
// earlier renderer stored.
func TestPagesShowStoredCommentHTML(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	a := s.publish("city", "stored-html", "Stored HTML")
	kept := &comment.Comment{ArticleID: a.ID, Name: "Ann", Body: "kept *text*", Status: comment.Approved, Key: "k1"}
	old := &comment.Comment{ArticleID: a.ID, Name: "Ben", Body: "old *text*", Status: comment.Approved, Key: "k2"}
	must(t, s.db.CreateComment(ctx, kept))
	must(t, s.db.CreateComment(ctx, old))
	// What is stored is shown; what an earlier renderer stored is not.
	must(t, s.db.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET html = '<p>as stored</p>' WHERE id = ?`, kept.ID); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx, `UPDATE comments SET html = '<p>from before</p>', html_of = 0 WHERE id = ?`, old.ID)
		return []string{article.KeyArticle(a.ID), article.KeyComments(a.ID)}, err
	}))
	for _, path := range []string{"/city/stored-html", "/city/stored-html/comments.atom"} {
		body := s.get(path).body
		if !strings.Contains(body, "as stored") || strings.Contains(body, "kept <em>text</em>") {
			t.Errorf("%s does not show the comment's stored HTML", path)
		}
		if strings.Contains(body, "from before") || !strings.Contains(body, "old <em>text</em>") && !strings.Contains(body, "old &lt;em&gt;text&lt;/em&gt;") {
			t.Errorf("%s shows HTML an earlier renderer stored, or not the comment rendered now", path)
		}
	}
}

// An article's page and its full-text feed show the HTML stored with the
// article; one stored by an earlier renderer is rendered again instead.
func TestPagesShowStoredArticleHTML(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	kept := s.publish("city", "kept-html", "Kept HTML")
	old := s.publish("city", "old-html", "Old HTML")
	site, err := s.db.Site(ctx)
	must(t, err)
	site.FeedFullText = true
	must(t, s.db.SetSite(ctx, site))
	must(t, s.db.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET body_html = '<p>as stored</p>' WHERE id = ?`, kept.ID); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx, `UPDATE articles SET body_html = '<p>from before</p>', html_of = 0 WHERE id = ?`, old.ID)
		return []string{article.KeySite}, err
	}))
	if body := s.get("/city/kept-html").body; !strings.Contains(body, "<p>as stored</p>") || strings.Contains(body, "First paragraph of Kept HTML") {
		t.Error("the article page does not show the article's stored HTML")
	}
	if body := s.get("/city/old-html").body; strings.Contains(body, "from before") || !strings.Contains(body, "<p>First paragraph of Old HTML.</p>") {
		t.Error("the article page shows HTML an earlier renderer stored, or not the body rendered now")
	}
	feed := s.get("/city.atom").body
	if !strings.Contains(feed, "as stored") || strings.Contains(feed, "from before") || !strings.Contains(feed, "First paragraph of Old HTML.") {
		t.Error("the full-text feed does not carry each article's current HTML")
	}
}
