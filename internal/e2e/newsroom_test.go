package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/i18n"
	"broadsheet/internal/store/sqlite"
)

const (
	// newsroomTimeout bounds the whole newsroom journey: two sign-ins,
	// typing two articles, the preview, the publication and the checks.
	newsroomTimeout = 150 * time.Second

	// newsroomSessionCookie is the name of the session cookie of the site.
	newsroomSessionCookie = "__Host-broadsheet_session"

	// newsroomPassword is the password of both test users.
	newsroomPassword = "a long test passphrase"

	// The demo article whose lead image the new article borrows.
	newsroomImageSource = "council-votes-eastgate-tram-depot-homes"

	// The selectors of the newsroom pages that the journey relies on.
	selLoginEmail     = "#email"
	selLoginPassword  = "#password"
	selLoginSubmit    = `form[action="/admin/login"] button[type=submit]`
	selAdminUser      = `header.admin-bar .admin-user a[href="/admin/account"]`
	selAdminRole      = "header.admin-bar .admin-user .role"
	selSignOut        = `header.admin-bar .admin-user form[action="/admin/logout"] button[type=submit]`
	selNavNew         = `header.admin-bar nav a[href="/admin/articles/new"]`
	selNotice         = "main.admin-main p.notice"
	selStatusBadge    = "main.admin-main .page-head .status"
	selEditor         = "form#editor"
	selEdHeadline     = "#editor #headline"
	selEdStandfirst   = "#editor #standfirst"
	selEdBody         = "#editor #body"
	selEdSection      = "#editor #section"
	selEdByline1      = `#editor select[name=byline1]`
	selEdTags         = "#editor #tags"
	selEdLanguage     = "#editor #language"
	selEdLeadImage    = "#editor #lead_image"
	selEdSave         = `#editor button[name=action][value=save]`
	selEdPreview      = `#editor button[formaction="/admin/articles/preview"]`
	selEdPublish      = `#editor button[name=action][value=publish]`
	selEdSubmit       = `#editor button[name=action][value=submit]`
	selEdAnyPublish   = `button[value=publish]`
	selEdSchedule     = `#editor button[name=action][value=schedule]`
	selAdminErrorHead = "main.admin-main h1"
	selBodySubhead    = "article.story .story-body h2"
)

// The article the editor writes and publishes.
const (
	edHeadline   = "Harbour lights return for the winter festival"
	edStandfirst = "Strings of lamps will line the quay for six weeks, and the lantern parade moves to the old lighthouse."
	edSubheading = "A longer festival this year"
	edLinkURL    = "https://example.org/port-merrow/winter-festival"
	edSection    = "culture"
	edByline     = "leila-haddad"
	edBylineName = "Leila Haddad"
	edTags       = "festival, harbour"
)

// edBody is Markdown: paragraphs, a subheading and a link. Its text is long
// enough for checkArticle, which wants a body a reader can read.
var edBody = strings.Join([]string{
	"The harbour lights are back. From Friday, strings of lamps will run the length of the quay for the six weeks of the winter festival, the organisers said on Tuesday.",
	"## " + edSubheading,
	"The festival opens a week earlier than last year, with a lantern parade from the fish market to the old lighthouse. Stalls along the quay will stay open until ten each evening.",
	"Organisers expect more than forty thousand visitors. The full programme is on the [festival website](" + edLinkURL + ").",
	"Volunteers are still needed to steward the parade, and they can sign up at the harbour office before the end of the month.",
}, "\n\n")

// The draft the contributor writes and submits.
const (
	coHeadline   = "Choir rehearsals move to the old customs house"
	coStandfirst = "The harbour choir has a new home for the winter."
	coBody       = "The harbour choir will rehearse in the old customs house from next week.\n\nNew singers are welcome on Thursday evenings."
)

// TestNewsroomJourney follows the newsroom in a real browser. An editor signs
// in, writes an article, previews it, publishes it, and finds it on the front
// page as a reader does. Then a contributor signs in on the same browser,
// writes a draft and submits it for review. The contributor gets no publish
// button, the draft stays off the public site, and a forged publish is
// refused. Full-page screenshots go to the artifact directory of the test.
//
// It needs Chromium at /usr/bin/chromium. Without it the test skips, unless
// the variable CI is set: CI must run it, so there it fails.
func TestNewsroomJourney(t *testing.T) {
	requireChromium(t)
	start := time.Now()
	step := func(name string) {
		t.Helper()
		t.Logf("[%6v] %s", time.Since(start).Round(time.Millisecond), name)
	}
	dir := t.TempDir() // first, so that its removal is the last cleanup
	artifacts := t.ArtifactDir()

	// Cleanups run after the deferred calls, and the browser must close
	// before the context ends, so the context ends in a cleanup too.
	ctx, cancel := context.WithTimeout(context.Background(), newsroomTimeout)
	t.Cleanup(cancel)

	db, ts := startSite(t, ctx, dir)
	step("demo site started at " + ts.URL)

	editor := createNewsroomUser(t, ctx, db, "editor@courier.example", "Eda Editor", account.Editor)
	contributor := createNewsroomUser(t, ctx, db, "contributor@courier.example", "Cory Contributor", account.Contributor)
	src, err := db.ArticleBySlug(ctx, newsroomImageSource)
	if err != nil {
		t.Fatalf("read the demo article %s: %v", newsroomImageSource, err)
	}
	if src.LeadImage == nil {
		t.Fatalf("the demo article %s has no lead image to borrow", newsroomImageSource)
	}
	imageID := strconv.FormatInt(src.LeadImage.ID, 10)
	step("users created; lead image id " + imageID)

	bctx, problems, dialogs := startNewsroomBrowser(t, ctx, dir)
	step("Chromium started")

	// --- The editor signs in. ---
	signIn(t, bctx, ts.URL, editor)
	problems.report(t, "editor sign-in")
	step("editor signed in")

	// --- The editor writes a new article. ---
	resp, err := chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(selNavNew)))
	if err != nil {
		t.Fatalf("click New article: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/admin/articles/new")
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(selEdHeadline))); err != nil {
		t.Fatalf("wait for the editor form: %v", err)
	}
	if n := len(inspectAll(t, bctx, selEdPublish)); n != 1 {
		t.Fatalf("the editor sees %d Publish now buttons, want 1", n)
	}
	useMarkdownMode(t, bctx)
	if err := chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS(selEdHeadline), edHeadline),
		chromedp.SendKeys(chromedp.CSS(selEdStandfirst), edStandfirst),
		chromedp.SendKeys(chromedp.CSS(selEdBody), edBody),
		chromedp.SetValue(chromedp.CSS(selEdSection), edSection),
		chromedp.SetValue(chromedp.CSS(selEdByline1), edByline),
		chromedp.SendKeys(chromedp.CSS(selEdTags), edTags),
		chromedp.SetValue(chromedp.CSS(selEdLeadImage), imageID),
	); err != nil {
		t.Fatalf("fill in the editor: %v", err)
	}
	checkForm(t, bctx, map[string]string{
		"headline": edHeadline, "standfirst": edStandfirst, "body": edBody, "slug": "",
		"section": edSection, "byline1": edByline, "byline2": "", "tags": edTags,
		"language": "en", "lead_image": imageID,
	})
	checkWritingAids(t, bctx)
	screenshot(t, bctx, filepath.Join(artifacts, "newsroom-editor.png"))
	problems.report(t, "new article (editor)")
	step("article typed in")

	// --- Preview: the button opens the preview in a new tab. ---
	checkPreview(t, bctx, problems, filepath.Join(artifacts, "newsroom-preview.png"))
	step("preview checked")

	// --- Back in the editor tab, publish. ---
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(selEdPublish)))
	if err != nil {
		t.Fatalf("click Publish now: %v", err)
	}
	loc := expectPage(t, bctx, resp, http.StatusOK, "")
	id := editedArticleID(t, loc, "published")
	if n := inspectOne(t, bctx, selNotice); !n.Visible || n.Text != "Published." {
		t.Errorf("after publishing the notice reads %q (visible=%v), want Published.", n.Text, n.Visible)
	}
	if b := inspectOne(t, bctx, selStatusBadge); b.Text != "Published" {
		t.Errorf("after publishing the status reads %q, want Published", b.Text)
	}
	published, err := db.ArticleByID(ctx, id)
	if err != nil {
		t.Fatalf("read the published article %d: %v", id, err)
	}
	checkStored(t, published, imageID)
	publicPath := "/" + published.Section.Slug + "/" + published.Slug
	problems.report(t, "editor after publishing")
	step(fmt.Sprintf("published article %d at %s", id, publicPath))

	// --- The reader's side: the front page, then the article. ---
	resp, err = chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+"/"))
	if err != nil {
		t.Fatalf("open the front page: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/")
	link := fmt.Sprintf(`.lead-story .card-title a[href=%q], section.latest .card-title a[href=%q]`, publicPath, publicPath)
	cards := visibleOnly(inspectAll(t, bctx, link))
	if len(cards) == 0 {
		t.Fatalf("the front page shows no visible link to %s in the lead story or in Latest; lead story: %q",
			publicPath, inspectOne(t, bctx, selLeadLink).Text)
	}
	if got := normalizeSpace(cards[0].Text); got != edHeadline {
		t.Errorf("the front page link to %s reads %q, want %q", publicPath, got, edHeadline)
	}
	if lead := inspectOne(t, bctx, selLeadLink); lead.Attrs["href"] == publicPath {
		t.Logf("the new article is the lead story")
	} else {
		t.Logf("the new article is in Latest; the lead story is %q", lead.Text)
	}
	problems.report(t, "front page")

	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(link)))
	if err != nil {
		t.Fatalf("click the new headline on the front page: %v", err)
	}
	loc = expectPage(t, bctx, resp, http.StatusOK, publicPath)
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(selHeadline))); err != nil {
		t.Fatalf("wait for the article headline: %v", err)
	}
	checkArticle(t, bctx, edHeadline, loc)
	checkPublished(t, bctx)
	screenshot(t, bctx, filepath.Join(artifacts, "newsroom-published-article.png"))
	problems.report(t, "published article")
	step("published article checked")

	// --- The editor signs out. ---
	resp, err = chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+"/admin/articles"))
	if err != nil {
		t.Fatalf("open the article list: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/admin/articles")
	if rows := visibleOnly(inspectAll(t, bctx, fmt.Sprintf(`table.list a[href="/admin/articles/%d"]`, id))); len(rows) != 1 {
		t.Errorf("the article list shows the new article %d times, want once", len(rows))
	}
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(selSignOut)))
	if err != nil {
		t.Fatalf("click Sign out: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/admin/login")
	if c := sessionCookie(t, bctx, ts.URL); c != nil {
		t.Errorf("after signing out the browser still holds the session cookie %s", c.Name)
	}
	resp, err = chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+"/admin/articles/new"))
	if err != nil {
		t.Fatalf("open New article after signing out: %v", err)
	}
	if here := expectPage(t, bctx, resp, http.StatusOK, "/admin/login"); !strings.Contains(here, "next=") {
		t.Errorf("after signing out, New article leads to %s, want the login page with next=", here)
	}
	problems.report(t, "sign-out")
	step("editor signed out")

	// --- The contributor signs in on the same browser. ---
	signIn(t, bctx, ts.URL, contributor)
	problems.report(t, "contributor sign-in")
	step("contributor signed in")

	before := dialogs.count()
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(selNavNew)))
	if err != nil {
		t.Fatalf("click New article as the contributor: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/admin/articles/new")
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(selEdHeadline))); err != nil {
		t.Fatalf("wait for the contributor's editor form: %v", err)
	}
	for _, d := range dialogs.since(before) {
		// Kept drafts are per user and forgotten at sign-out: the next
		// person at this browser must never be offered the editor's text.
		t.Errorf("the contributor's New article page offered another user's kept text: %s", d)
	}
	checkForm(t, bctx, map[string]string{"headline": "", "standfirst": "", "body": "", "section": "", "tags": ""})
	if n := len(inspectAll(t, bctx, selEdAnyPublish)); n != 0 {
		t.Errorf("the contributor's editor has %d publish buttons (%s), want none", n, selEdAnyPublish)
	}
	if n := len(inspectAll(t, bctx, selEdSchedule)); n != 0 {
		t.Errorf("the contributor's editor has %d schedule buttons, want none", n)
	}
	if b := inspectOne(t, bctx, selEdSubmit); !b.Visible || b.Text != "Submit for review" {
		t.Fatalf("the contributor's editor has no visible Submit for review button: %q %+v", b.Text, b.box())
	}
	useMarkdownMode(t, bctx)
	if err := chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS(selEdHeadline), coHeadline),
		chromedp.SendKeys(chromedp.CSS(selEdStandfirst), coStandfirst),
		chromedp.SendKeys(chromedp.CSS(selEdBody), coBody),
		chromedp.SetValue(chromedp.CSS(selEdSection), edSection),
	); err != nil {
		t.Fatalf("fill in the contributor's draft: %v", err)
	}
	checkForm(t, bctx, map[string]string{"headline": coHeadline, "body": coBody, "section": edSection})
	screenshot(t, bctx, filepath.Join(artifacts, "newsroom-contributor-editor.png"))
	problems.report(t, "new article (contributor)")

	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(selEdSubmit)))
	if err != nil {
		t.Fatalf("click Submit for review: %v", err)
	}
	loc = expectPage(t, bctx, resp, http.StatusOK, "")
	draftID := editedArticleID(t, loc, "submitted")
	if n := inspectOne(t, bctx, selNotice); n.Text != "Submitted for review." {
		t.Errorf("after submitting the notice reads %q, want Submitted for review.", n.Text)
	}
	if b := inspectOne(t, bctx, selStatusBadge); b.Text != "Awaiting review" {
		t.Errorf("after submitting the status reads %q, want Awaiting review", b.Text)
	}
	draft, err := db.ArticleByID(ctx, draftID)
	if err != nil {
		t.Fatalf("read the submitted draft %d: %v", draftID, err)
	}
	if draft.Status != article.Draft || draft.SubmittedAt.IsZero() {
		t.Errorf("the submitted draft has status %q, submitted at %v; want a draft awaiting review", draft.Status, draft.SubmittedAt)
	}
	draftPath := "/" + edSection + "/" + draft.Slug
	problems.report(t, "contributor after submitting")
	step(fmt.Sprintf("draft %d submitted for review (%s)", draftID, draftPath))

	// --- The draft is not on the public site; the editor's article is. ---
	checkPublicSite(t, ctx, ts, draftPath)
	step("public site checked with a plain HTTP client")

	// --- A forged publish: the submit button made to say publish. ---
	if n := len(inspectAll(t, bctx, selEdAnyPublish)); n != 0 {
		t.Errorf("the contributor's edit page has %d publish buttons, want none", n)
	}
	if err := chromedp.Do(bctx, chromedp.SetAttributeValue(chromedp.CSS(selEdSubmit), "value", "publish")); err != nil {
		t.Fatalf("turn the submit button into a publish button: %v", err)
	}
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(selEdPublish)))
	if err != nil {
		t.Fatalf("click the forged publish button: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusForbidden, fmt.Sprintf("/admin/articles/%d", draftID))
	if h := inspectOne(t, bctx, selAdminErrorHead); !h.Visible || h.Text != "Your role does not allow this." {
		t.Errorf("the refusal page heading reads %q (visible=%v), want Your role does not allow this.", h.Text, h.Visible)
	}
	screenshot(t, bctx, filepath.Join(artifacts, "newsroom-forbidden.png"))
	reportExpecting(t, problems, "forged publish", fmt.Sprintf("%s/admin/articles/%d: HTTP 403", ts.URL, draftID))
	after, err := db.ArticleBySlug(ctx, draft.Slug)
	if err != nil {
		t.Fatalf("read the draft %s after the forged publish: %v", draft.Slug, err)
	}
	if after.Status != article.Draft || after.Visible() {
		t.Errorf("after the forged publish the draft has status %q (visible=%v), want draft", after.Status, after.Visible())
	}
	if got := plainGet(t, ctx, ts, draftPath); got.status == http.StatusOK {
		t.Errorf("after the forged publish %s answers 200", draftPath)
	}
	step("forged publish refused")
	t.Logf("journey done in %v", time.Since(start).Round(time.Millisecond))
}

// newsroomUser is a user of the newsroom, with the password to sign in.
type newsroomUser struct {
	Email, Name string
	Role        account.Role
}

func createNewsroomUser(t *testing.T, ctx context.Context, db *sqlite.DB, email, name string, role account.Role) newsroomUser {
	t.Helper()
	hash, err := account.HashPassword(newsroomPassword)
	if err != nil {
		t.Fatalf("hash a password: %v", err)
	}
	u := &account.User{Email: email, Name: name, Role: role, PasswordHash: hash}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatalf("create the %s %s: %v", role, email, err)
	}
	return newsroomUser{Email: email, Name: name, Role: role}
}

// startNewsroomBrowser starts Chromium with a fresh profile in dir, as
// TestReaderJourney does, and closes it when the test ends. Every JavaScript
// dialog is declined and recorded, so that none can block the journey.
func startNewsroomBrowser(t *testing.T, ctx context.Context, dir string) (context.Context, *pageProblems, *dialogLog) {
	t.Helper()
	chromeOut := new(lockedBuffer)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		// Only loopback resolves: a page that asks another site for
		// anything is seen asking, and nothing leaves the machine.
		// localhost is there too: passkeys refuse a page at an IP address.
		chromedp.Flag("host-resolver-rules", "MAP localhost 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(filepath.Join(dir, "chromium-profile")),
		chromedp.WindowSize(desktopWidth, desktopHeight),
		chromedp.CombinedOutput(chromeOut),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc) // waits until the browser process has exited
	problems := newPageProblems()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithListener(problems.listen))
	t.Cleanup(cancelBrowser)
	t.Cleanup(func() {
		// Close the browser gracefully, within a bound of its own.
		cctx, ccancel := context.WithTimeout(bctx, 10*time.Second)
		defer ccancel()
		if err := chromedp.Cancel(cctx); err != nil && ctx.Err() == nil {
			t.Logf("close the browser: %v", err)
		}
		if t.Failed() {
			t.Logf("Chromium output (D-Bus noise left out):\n%s", chromeOut.tail(50, "dbus"))
		}
	})
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	dialogs := &dialogLog{}
	events := chromedp.Events(bctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			dialogs.add(fmt.Sprintf("%s on %s: %q", ev.Type, ev.URL, ev.Message))
			// Decline: restore nothing; but do leave a page that asks.
			accept := ev.Type == page.DialogTypeBeforeunload
			_, _ = chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
		}
	}()
	return bctx, problems, dialogs
}

// dialogLog records the JavaScript dialogs that pages opened.
type dialogLog struct {
	mu   sync.Mutex
	seen []string
}

func (d *dialogLog) add(s string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen = append(d.seen, s)
}

func (d *dialogLog) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.seen)
}

func (d *dialogLog) since(n int) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.seen[n:]...)
}

// signIn signs u in through the login form, as a person does: it types the
// address and the password and clicks the button.
func signIn(t *testing.T, ctx context.Context, base string, u newsroomUser) {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+"/admin/login"))
	if err != nil {
		t.Fatalf("open the login page: %v", err)
	}
	expectPage(t, ctx, resp, http.StatusOK, "/admin/login")
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(selLoginEmail)),
		chromedp.SendKeys(chromedp.CSS(selLoginEmail), u.Email),
		chromedp.SendKeys(chromedp.CSS(selLoginPassword), newsroomPassword),
	); err != nil {
		t.Fatalf("fill in the login form: %v", err)
	}
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selLoginSubmit)))
	if err != nil {
		t.Fatalf("click Sign in as %s: %v", u.Email, err)
	}
	expectPage(t, ctx, resp, http.StatusOK, "/admin/articles")
	if a := inspectOne(t, ctx, selAdminUser); !a.Visible || a.Text != u.Name {
		t.Errorf("the admin bar names %q (visible=%v), want %q", a.Text, a.Visible, u.Name)
	}
	// The role is named in the newsroom's language.
	role := i18n.For(evaluate[string](t, ctx, `document.documentElement.lang`)).T("admin.role." + string(u.Role))
	if r := inspectOne(t, ctx, selAdminRole); !strings.EqualFold(r.Text, role) {
		t.Errorf("the admin bar shows the role %q, want %q", r.Text, role)
	}
	c := sessionCookie(t, ctx, base)
	if c == nil {
		t.Fatalf("after signing in the browser holds no %s cookie for %s", newsroomSessionCookie, base)
	}
	if !c.Secure || !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax || c.Path != "/" {
		t.Errorf("session cookie: secure=%v httpOnly=%v sameSite=%q path=%q; want Secure, HttpOnly, Lax, /", c.Secure, c.HTTPOnly, c.SameSite, c.Path)
	}
}

// sessionCookie returns the session cookie the browser holds for base, or nil.
func sessionCookie(t *testing.T, ctx context.Context, base string) *network.Cookie {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
	if err != nil {
		t.Fatalf("read the cookies of %s: %v", base, err)
	}
	for _, c := range res.Cookies {
		if c.Name == newsroomSessionCookie {
			return c
		}
	}
	return nil
}

// expectPage checks the status of the response that loaded the page, and
// that the browser is at path (when path is not empty). It returns the
// location of the page.
func expectPage(t *testing.T, ctx context.Context, resp *network.Response, status int, path string) string {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("read the location: %v", err)
	}
	if resp == nil {
		t.Fatalf("no response for the page at %s", loc)
	}
	if int(resp.Status) != status {
		t.Fatalf("%s: HTTP status %d, want %d; the page says: %.300q", loc, resp.Status, status, pageText(t, ctx))
	}
	if path != "" {
		u, err := url.Parse(loc)
		if err != nil || u.Path != path {
			t.Fatalf("the browser is at %s, want the path %s", loc, path)
		}
	}
	return loc
}

func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return normalizeSpace(evaluate[string](t, ctx, `document.body ? document.body.innerText : ""`))
}

// editedPath is where the newsroom sends the browser after a save.
var editedPath = regexp.MustCompile(`^/admin/articles/([0-9]+)$`)

// editedArticleID checks that loc is the edit page of an article with the
// confirmation notice, and returns the id of the article.
func editedArticleID(t *testing.T, loc, notice string) int64 {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("parse the location %q: %v", loc, err)
	}
	m := editedPath.FindStringSubmatch(u.Path)
	if m == nil {
		t.Fatalf("the browser is at %s, want /admin/articles/{id}", loc)
	}
	if got := u.Query().Get("notice"); got != notice {
		t.Errorf("the browser is at %s, want the notice %q", loc, notice)
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		t.Fatalf("article id in %s: %v", loc, err)
	}
	return id
}

// checkForm checks the values the editor form would send.
func checkForm(t *testing.T, ctx context.Context, want map[string]string) {
	t.Helper()
	got := evaluate[map[string]string](t, ctx,
		`Object.fromEntries([...new FormData(document.getElementById("editor"))].map(([k, v]) => [k, String(v)]))`)
	for name, w := range want {
		// A browser sends the line breaks of a textarea as CRLF.
		if g := strings.ReplaceAll(got[name], "\r\n", "\n"); g != w {
			t.Errorf("the editor field %s holds %q, want %q", name, g, w)
		}
	}
}

// checkPreview clicks Preview, which opens the preview in a new tab, checks
// the preview there, saves its screenshot at shot, and closes the tab.
func checkPreview(t *testing.T, ctx context.Context, problems *pageProblems, shot string) {
	t.Helper()
	ch := chromedp.WaitNewTarget(ctx, func(info *target.Info) bool {
		return strings.HasSuffix(info.URL, "/admin/articles/preview")
	})
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(selEdPreview))); err != nil {
		t.Fatalf("click Preview: %v", err)
	}
	var id target.ID
	select {
	case got, ok := <-ch:
		if !ok {
			t.Fatalf("Preview opened no new tab")
		}
		id = got
	case <-time.After(15 * time.Second):
		t.Fatalf("Preview opened no tab at /admin/articles/preview within 15s")
	}
	// Attaching DevTools to a tab that has loaded already makes Chromium
	// report a failed request of type Other with net::ERR_CACHE_MISS, with
	// no request before it. It does so for any page, GET or POST, with or
	// without a favicon, so it is no problem of the site: leave it out.
	listen := func(ev any) {
		if f, ok := ev.(*network.EventLoadingFailed); ok && f.Type == network.ResourceTypeOther && f.ErrorText == "net::ERR_CACHE_MISS" {
			return
		}
		problems.listen(ev)
	}
	pctx, pcancel := chromedp.NewContext(ctx, chromedp.WithTargetID(id), chromedp.WithListener(listen))
	defer func() {
		pcancel() // closes the preview tab
		// Bring the editor's tab to the front again, as closing a tab does.
		editorTab := chromedp.FromContext(ctx).Target.TargetID
		if _, err := chromedp.CallBrowser(ctx, target.ActivateTarget, target.ActivateTargetParams{TargetID: editorTab}); err != nil {
			t.Errorf("activate the editor tab: %v", err)
		}
	}()
	if err := chromedp.Do(pctx, chromedp.WaitVisible(chromedp.CSS(selHeadline))); err != nil {
		t.Fatalf("wait for the headline of the preview: %v", err)
	}
	// The tab loaded before the test could watch it, so the status of the
	// preview comes from the Navigation Timing entry of the page.
	if st := evaluate[int](t, pctx, `performance.getEntriesByType("navigation")[0].responseStatus`); st != http.StatusOK {
		t.Errorf("the preview answered HTTP %d, want 200", st)
	}
	if h := inspectOne(t, pctx, selHeadline); !h.Visible || normalizeSpace(h.Text) != edHeadline {
		t.Errorf("the preview h1 reads %q (visible=%v), want %q", h.Text, h.Visible, edHeadline)
	}
	if sf := inspectOne(t, pctx, selStandfirst); normalizeSpace(sf.Text) != edStandfirst {
		t.Errorf("the preview standfirst reads %q, want %q", sf.Text, edStandfirst)
	}
	if h2 := inspectOne(t, pctx, selBodySubhead); !h2.Visible || normalizeSpace(h2.Text) != edSubheading {
		t.Errorf("the preview body subheading (h2) reads %q (visible=%v), want %q", h2.Text, h2.Visible, edSubheading)
	}
	if a := inspectOne(t, pctx, fmt.Sprintf(`article.story .story-body a[href=%q]`, edLinkURL)); !a.Visible || a.Text != "festival website" {
		t.Errorf("the preview body has no visible link to %s: %q %+v", edLinkURL, a.Text, a.box())
	}
	if b := inspectOne(t, pctx, selBylineLinks); normalizeSpace(b.Text) != edBylineName {
		t.Errorf("the preview byline reads %q, want %q", b.Text, edBylineName)
	}
	robots := evaluate[[]string](t, pctx, `[...document.querySelectorAll('meta[name="robots"]')].map(m => m.content)`)
	if len(robots) != 1 || robots[0] != "noindex" {
		t.Errorf(`the preview has robots meta %q, want exactly one <meta name="robots" content="noindex">`, robots)
	}
	if img := inspectOne(t, pctx, selLeadImage); !img.Found {
		t.Errorf("the preview shows no lead image, although one is chosen in the editor")
	}
	screenshot(t, pctx, shot)
	problems.report(t, "preview")
}

// checkStored checks the article that the editor published, as stored.
func checkStored(t *testing.T, a *article.Article, imageID string) {
	t.Helper()
	if a.Status != article.Published || !a.Visible() {
		t.Errorf("the published article has status %q (visible=%v), want published", a.Status, a.Visible())
	}
	if a.Headline != edHeadline || a.Section.Slug != edSection {
		t.Errorf("the published article is %q in %s, want %q in %s", a.Headline, a.Section.Slug, edHeadline, edSection)
	}
	if a.Slug != article.Slugify(edHeadline) {
		t.Errorf("the published article has the slug %q, want %q made from the headline", a.Slug, article.Slugify(edHeadline))
	}
	if len(a.Authors) != 1 || a.Authors[0].Slug != edByline {
		t.Errorf("the published article has the bylines %+v, want only %s", a.Authors, edByline)
	}
	var tags []string
	for _, tg := range a.Tags {
		tags = append(tags, tg.Slug)
	}
	if strings.Join(tags, ",") != "festival,harbour" {
		t.Errorf("the published article has the tags %q, want festival and harbour", tags)
	}
	if a.LeadImage == nil || strconv.FormatInt(a.LeadImage.ID, 10) != imageID {
		t.Errorf("the published article has the lead image %+v, want id %s", a.LeadImage, imageID)
	}
}

// checkPublished checks what the editor typed on the published article page,
// beyond what checkArticle checks on any article page.
func checkPublished(t *testing.T, ctx context.Context) {
	t.Helper()
	var names []string
	for _, b := range inspectAll(t, ctx, selBylineLinks) {
		names = append(names, normalizeSpace(b.Text))
	}
	if len(names) != 1 || names[0] != edBylineName {
		t.Errorf("the article bylines are %q, want only %s", names, edBylineName)
	}
	if img := inspectOne(t, ctx, selLeadImage); !img.Found {
		t.Errorf("the published article shows no lead image (%s)", selLeadImage)
	} else if st := evaluate[imageState](t, ctx, fmt.Sprintf(imageStateJS, jsString(selLeadImage))); st.NaturalWidth <= 0 {
		t.Errorf("the lead image did not load: naturalWidth %d, src %s", st.NaturalWidth, st.Src)
	}
	if h2 := inspectOne(t, ctx, selBodySubhead); !h2.Visible || normalizeSpace(h2.Text) != edSubheading {
		t.Errorf("the body subheading (h2) reads %q (visible=%v), want %q", h2.Text, h2.Visible, edSubheading)
	}
	if a := inspectOne(t, ctx, fmt.Sprintf(`article.story .story-body a[href=%q]`, edLinkURL)); !a.Visible {
		t.Errorf("the body has no visible link to %s", edLinkURL)
	}
	if sf := inspectOne(t, ctx, selStandfirst); normalizeSpace(sf.Text) != edStandfirst {
		t.Errorf("the standfirst reads %q, want %q", sf.Text, edStandfirst)
	}
	var tags []string
	for _, a := range inspectAll(t, ctx, selTagLinks) {
		tags = append(tags, a.Attrs["href"])
	}
	if strings.Join(tags, " ") != "/tag/festival /tag/harbour" {
		t.Errorf("the tag links are %q, want /tag/festival and /tag/harbour", tags)
	}
	robots := evaluate[int](t, ctx, `document.querySelectorAll('meta[name="robots"]').length`)
	if robots != 0 {
		t.Errorf("the published article has %d robots meta tags, want none", robots)
	}
}

// plainResponse is what a client without cookies got.
type plainResponse struct {
	status int
	body   string
}

// plainGet fetches path from the site with a client that has no session.
func plainGet(t *testing.T, ctx context.Context, ts *httptest.Server, path string) plainResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+path, nil)
	if err != nil {
		t.Fatalf("build the request for %s: %v", path, err)
	}
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read GET %s: %v", path, err)
	}
	if resp.StatusCode >= 500 {
		t.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	return plainResponse{status: resp.StatusCode, body: string(body)}
}

// checkPublicSite checks, as an anonymous reader, that the contributor's
// draft is nowhere on the public site, and that the editor's article is.
func checkPublicSite(t *testing.T, ctx context.Context, ts *httptest.Server, draftPath string) {
	t.Helper()
	for _, path := range []string{"/", "/" + edSection, "/latest"} {
		got := plainGet(t, ctx, ts, path)
		if got.status != http.StatusOK {
			t.Errorf("GET %s: HTTP %d, want 200", path, got.status)
			continue
		}
		if strings.Contains(got.body, coHeadline) || strings.Contains(got.body, draftPath) {
			t.Errorf("GET %s shows the contributor's unpublished draft %q", path, coHeadline)
		}
		if !strings.Contains(got.body, edHeadline) {
			t.Errorf("GET %s does not show the published article %q", path, edHeadline)
		}
	}
	if got := plainGet(t, ctx, ts, draftPath); got.status != http.StatusNotFound {
		t.Errorf("GET %s (the draft): HTTP %d, want 404", draftPath, got.status)
	}
}

// reportExpecting is pageProblems.report, but the one problem want must be
// there, and is not a failure.
func reportExpecting(t *testing.T, p *pageProblems, page, want string) {
	t.Helper()
	p.mu.Lock()
	got := p.problems
	p.problems = nil
	p.mu.Unlock()
	found := false
	for _, s := range got {
		if !found && strings.HasSuffix(s, want) {
			found = true
			continue
		}
		t.Errorf("%s: %s", page, s)
	}
	if !found {
		t.Errorf("%s: the browser saw no %q", page, want)
	}
}

// requireChromium skips the test when Chromium is missing, except in CI
// (the variable CI set), where the browser tests must run and so fail.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set, but Chromium is not usable at %s: %v", chromiumPath, err)
		}
		t.Skipf("skipping the browser test: Chromium is not usable at %s (%v); install Debian's chromium package to run it", chromiumPath, err)
	}
}

// checkWritingAids checks that the counts and the search and share
// previews followed what was typed.
func checkWritingAids(t *testing.T, ctx context.Context) {
	t.Helper()
	words := len(strings.Fields(edBody))
	minutes := max(1, (words+115)/230)
	unit := "words"
	if words == 1 {
		unit = "word"
	}
	for sel, want := range map[string]string{
		"#body-stats .words":         fmt.Sprintf("%d %s", words, unit),
		"#body-stats .minutes":       fmt.Sprintf("%d min read", minutes),
		"#headline-hint":             fmt.Sprintf("%d characters; search results show about the first 60.", len([]rune(edHeadline))),
		"#share-preview .card-title": edHeadline,
		"#share-preview .serp-path":  " › " + edSection,
	} {
		text := `(document.querySelector(` + jsString(sel) + `) || {}).textContent`
		if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](text+` === `+jsString(want),
			chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Errorf("%s reads %q, want %q", sel, evaluate[string](t, ctx, text), want)
		}
	}
}
