package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/mail"
)

// Without SMTP, mail waits in the outbox, where an admin reads it; a dead
// letter can be sent again; editors see none of it.
func TestOutboxInTheNewsroom(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	if rec := postForm(ns, "/subscribe", url.Values{"email": {"reader@example.org"}, "scope": {"site"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("subscribe = %d", rec.Code)
	}
	rec := ns.do("GET", "/admin/mail", account.Admin, nil)
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "No SMTP server is configured") || !strings.Contains(body, "reader@example.org") || !strings.Contains(body, "Queued (1)") {
		t.Fatalf("outbox page = %d", rec.Code)
	}
	list, err := ns.db.OutboxList(ctx, mail.Queued, 0, 10)
	must(t, err)
	path := "/admin/mail/" + itoa(list[0].ID)
	rec = ns.do("GET", path, account.Admin, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Confirm your subscription") || !strings.Contains(rec.Body.String(), "/subscribe/confirm?t=") {
		t.Errorf("message page = %d; want the confirmation as it will read", rec.Code)
	}
	if rec := ns.do("GET", path, account.Editor, nil); rec.Code != http.StatusForbidden {
		t.Errorf("an editor reading the outbox = %d, want 403", rec.Code)
	}
	// A dead letter, sent again by hand.
	must(t, ns.db.Requeue(ctx, list[0].ID, 8, ns.clock, "550 mailbox unavailable", true))
	if c, _ := ns.db.OutboxCounts(ctx); c[mail.Failed] != 1 {
		t.Fatalf("outbox %v, want one failed", c)
	}
	if rec := ns.do("POST", path+"/retry", account.Admin, url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("retry = %d", rec.Code)
	}
	if c, _ := ns.db.OutboxCounts(ctx); c[mail.Failed] != 0 || c[mail.Queued] != 1 {
		t.Errorf("outbox after retry %v, want it queued again", c)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Subscribers: counted, searched, exported, imported only with consent,
// and erased with everything sent to them.
func TestSubscribersInTheNewsroom(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	postForm(ns, "/subscribe", url.Values{"email": {"ana@example.org"}, "scope": {"site"}})

	upload := ns.importSubscribers
	rec := upload("email,scope,consent\nbo@example.net,section:city,signed up at the fair 2026-05-02\ncy@example.com,site,\n")
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Line 3: the consent column is empty.") {
		t.Errorf("import without consent = %d; want 422 naming line 3", rec.Code)
	}
	if st, _ := ns.db.SubscriberStats(ctx); st.Subscribers != 1 {
		t.Errorf("%d subscribers after a refused import, want 1: nothing imported", st.Subscribers)
	}
	rec = upload("email,scope,consent\nbo@example.net,section:city,signed up at the fair 2026-05-02\ncy@example.com,site,newsletter form 2025\n")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/subscribers?imported=2" {
		t.Fatalf("import = %d %s", rec.Code, rec.Header().Get("Location"))
	}
	rec = ns.do("GET", "/admin/subscribers?q=example.net", account.Admin, nil)
	if body := rec.Body.String(); rec.Code != 200 || !strings.Contains(body, "bo@example.net") || strings.Contains(body, "cy@example.com") ||
		!strings.Contains(body, "3 addresses, 2 confirmed.") || !strings.Contains(body, "new articles in City") {
		t.Errorf("subscriber search = %d", rec.Code)
	}
	rec = ns.do("GET", "/admin/subscribers/export", account.Admin, nil)
	rows, err := csv.NewReader(rec.Body).ReadAll()
	must(t, err)
	if len(rows) != 4 || rows[0][0] != "email" || rows[2][0] != "bo@example.net" || rows[2][1] != "section:city" || rows[2][5] != "signed up at the fair 2026-05-02" {
		t.Errorf("export = %v", rows)
	}
	if rec := ns.do("GET", "/admin/subscribers/export", account.Editor, nil); rec.Code != http.StatusForbidden {
		t.Errorf("an editor exporting subscribers = %d, want 403", rec.Code)
	}
	rec = ns.do("POST", "/admin/subscribers/erase", account.Admin, url.Values{"email": {"ana@example.org"}, "confirm": {"ana@example.org"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("erase = %d", rec.Code)
	}
	if _, err := ns.db.SubscriberByEmail(ctx, "ana@example.org"); err == nil {
		t.Error("the erased address is still a subscriber")
	}
	if c, _ := ns.db.OutboxCounts(ctx); c[mail.Queued] != 0 {
		t.Errorf("outbox %v after erasing: the confirmation to the erased address is still there", c)
	}
}

// importSubscribers sends content, as an admin, to the subscriber import.
func (ns *newsroomSite) importSubscribers(content string) *httptest.ResponseRecorder {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "list.csv")
	fw.Write([]byte(content))
	mw.Close()
	req := httptest.NewRequest("POST", "/admin/subscribers/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ns.cookies[account.Admin]})
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	return rec
}

// docs/migrating-from-wordpress.md's worked example runs as written: its
// python3 line turns its MailPoet export (with the byte-order mark MailPoet
// writes) into the CSV the guide shows, and the subscriber import takes that
// file as the guide says.
func TestMailPoetExampleOfTheWordPressGuide(t *testing.T) {
	doc, err := os.ReadFile("../../docs/migrating-from-wordpress.md")
	must(t, err)
	_, example, ok := strings.Cut(string(doc), "### A worked example: MailPoet")
	if !ok {
		t.Fatal("the guide has no MailPoet example")
	}
	blocks := regexp.MustCompile("(?s)```(sh)?\n(.*?)```").FindAllStringSubmatch(example, 3)
	if len(blocks) != 3 || blocks[1][1] != "sh" || !strings.HasPrefix(blocks[1][2], "python3 ") {
		t.Fatalf("the MailPoet example is not the export, the command and its output: %q", blocks)
	}
	export, command, want := blocks[0][2], blocks[1][2], blocks[2][2]
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 is not installed: scripts/test-deps.sh installs it")
	}
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "MailPoet_export.csv"), []byte("\ufeff"+export), 0o600))
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the example's command: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "subscribers.csv"))
	must(t, err)
	if g := strings.ReplaceAll(string(got), "\r\n", "\n"); g != want {
		t.Fatalf("the example's command wrote\n%s\nthe guide shows\n%s", g, want)
	}

	ns := newNewsroom(t)
	ctx := context.Background()
	must(t, ns.db.CreateSection(ctx, &article.Section{Slug: "sport", Name: "Sport"}))
	rec := ns.importSubscribers(string(got))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/subscribers?imported=3" {
		t.Fatalf("importing the example's file = %d %s, want 3 subscriptions imported", rec.Code, rec.Header().Get("Location"))
	}
	for email, want := range map[string][]string{"ada@example.org": {"section", "site"}, "ben@example.net": {"site"}} {
		sub, err := ns.db.SubscriberByEmail(ctx, email)
		must(t, err)
		var kinds []string
		for _, s := range sub.Subs {
			kinds = append(kinds, string(s.Scope.Kind))
		}
		slices.Sort(kinds)
		if !slices.Equal(kinds, want) || !sub.Confirmed() || !strings.HasPrefix(sub.Consent, "MailPoet list Newsletter, subscribed 2023-") {
			t.Errorf("%s: subscriptions %v, confirmed %v, consent %q; want %v, confirmed, with MailPoet's consent", email, kinds, sub.Confirmed(), sub.Consent, want)
		}
	}
	for _, email := range []string{"cy@example.com", "dee@example.com"} {
		if _, err := ns.db.SubscriberByEmail(ctx, email); err == nil {
			t.Errorf("%s is a subscriber; the example leaves them out", email)
		}
	}
}

// A newsroom member who forgot their password gets a link by mail that
// works once, within the hour, and signs out every session.
func TestPasswordResetByMail(t *testing.T) {
	ms := newMailSite(t)
	ed := ms.users[account.Editor]
	same := func(email string) string {
		rec := ms.do("POST", "/admin/forgot", "", url.Values{"email": {email}})
		if rec.Code != 200 {
			t.Fatalf("forgot(%s) = %d", email, rec.Code)
		}
		return rec.Body.String()
	}
	if same("nobody@courier.example") != same(ed.Email) {
		t.Error("the answer differs for an address without an account")
	}
	must(t, ms.srv.FinishAnswered(context.Background()))
	ms.deliver(t)
	got := ms.smtp.Wait(t, 1, 5*time.Second)
	if len(got) != 1 || got[0].To != ed.Email || !strings.Contains(got[0].Header.Get("Subject"), "Reset") {
		t.Fatalf("mails: %d, want one reset link to the editor", len(got))
	}
	link := local(t, linkPattern.FindString(got[0].Text))
	if code, body := getWith(ms.newsroomSite, link); code != 200 || !strings.Contains(body, `name="new"`) {
		t.Fatalf("reset page = %d", code)
	}
	token := mustQuery(t, "https://x"+link, "t")
	if rec := ms.do("POST", "/admin/reset", "", url.Values{"t": {token}, "new": {"short"}, "confirm": {"short"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("a weak password = %d, want 422", rec.Code)
	}
	const fresh = "harbour lights at dusk 42"
	if rec := ms.do("POST", "/admin/reset", "", url.Values{"t": {token}, "new": {fresh}, "confirm": {fresh}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("reset = %d: %s", rec.Code, rec.Body.String())
	}
	// The old session is gone; the new password signs in; the link is spent.
	if rec := ms.do("GET", "/admin", account.Editor, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("the editor's old session after a reset = %d, want a redirect to sign in", rec.Code)
	}
	if rec := ms.do("POST", "/admin/login", "", url.Values{"email": {ed.Email}, "password": {fresh}}); rec.Code != http.StatusSeeOther {
		t.Errorf("sign in with the new password = %d", rec.Code)
	}
	if rec := ms.do("POST", "/admin/reset", "", url.Values{"t": {token}, "new": {fresh + "!"}, "confirm": {fresh + "!"}}); rec.Code != http.StatusGone {
		t.Errorf("the link used again = %d, want 410", rec.Code)
	}
}

// Moderators hear of held comments in batches, not one mail per comment.
func TestModerationNoticesAreBatched(t *testing.T) {
	ms := newMailSite(t)
	ctx := context.Background()
	_, path := publishedArticle(t, ms.newsroomSite, "Ferry fares")
	for i, name := range []string{"Ana", "Bo"} {
		postComment(ms.newsroomSite, path+"/comments", url.Values{"name": {name}, "body": {"Held for a moderator."}}, "203.0.113."+strconv.Itoa(180+i)+":1")
	}
	n, err := ms.db.QueueModerationNotice(ctx, ms.clock, 15*time.Minute)
	must(t, err)
	if n != 2 {
		t.Fatalf("notice names %d comments, want 2", n)
	}
	ms.deliver(t)
	got := ms.smtp.Wait(t, 2, 5*time.Second)
	for _, r := range []account.Role{account.Editor, account.Admin} {
		m := ms.smtp.To(ms.users[r].Email)
		if len(m) != 1 || !strings.Contains(m[0].Header.Get("Subject"), "2 comments are waiting") || !strings.Contains(m[0].Text, "https://news.example.org/admin/comments") {
			t.Errorf("the %s got %d notices, want one naming 2 comments", r, len(m))
		}
	}
	if len(got) != 2 {
		t.Errorf("%d notices, want one each for the editor and the admin", len(got))
	}
	postComment(ms.newsroomSite, path+"/comments", url.Values{"name": {"Cy"}, "body": {"Another one."}}, "203.0.113.190:1")
	if n, _ := ms.db.QueueModerationNotice(ctx, ms.clock.Add(time.Minute), 15*time.Minute); n != 0 {
		t.Errorf("a second notice within 15 minutes names %d comments", n)
	}
	if n, _ := ms.db.QueueModerationNotice(ctx, ms.clock.Add(16*time.Minute), 15*time.Minute); n != 1 {
		t.Errorf("the next notice names %d comments, want only the new one", n)
	}
}
