package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/demo"
	"broadsheet/internal/liveblog"
	redirects "broadsheet/internal/redirect"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/subscription"
)

// The public pages are checked by the W3C Nu Html Checker, the validator
// behind validator.w3.org/nu (docs/adr/0009-nu-html-checker-in-the-tests.md).
// The demo newspaper is rendered page kind by page kind, and every page is
// handed to one run of the checker: the JVM takes seconds to start.

// demoPage is one rendered public page.
type demoPage struct {
	name, path string
	status     int
	body       string
}

// demoSite is the demo newspaper on a real SQLite file, served by a real
// Server, with the embeds of embed_pages_test.go kept.
func demoSite(t *testing.T) *site {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	must(t, demo.Load(ctx, db, time.Now(), nil))
	keepEmbeds(t, db, testEmbeds)
	srv := newServer(t, db, Options{BaseURL: "https://courier.example", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	db.OnChange(srv.Invalidate)
	return &site{t: t, db: db, srv: srv}
}

// demoPages renders every kind of public page of the demo site: the front
// page, articles (with and without a lead image, left to right and right
// to left, with a discussion, with a refused comment), the archives, a
// static page, search, the error pages, every subscription page and the
// corrections.
func demoPages(t *testing.T) []demoPage {
	t.Helper()
	s := demoSite(t)
	ctx := context.Background()
	lead, err := s.db.ArticleBySlug(ctx, "council-votes-eastgate-tram-depot-homes")
	must(t, err)
	if lead.LeadImage == nil {
		t.Fatal("the demo's council story has no lead image")
	}
	first := &comment.Comment{ArticleID: lead.ID, Name: "Ana", Body: "A fair point about the **depot**.\n\n> quoted\n\n[a link](https://example.org/)", Status: comment.Approved, Key: "k1"}
	must(t, s.db.CreateComment(ctx, first))
	must(t, s.db.CreateComment(ctx, &comment.Comment{ArticleID: lead.ID, ParentID: first.ID, Name: "Bo", Body: "I agree.", Status: comment.Approved, Key: "k2"}))
	must(t, s.db.AddNote(ctx, &article.Note{ArticleID: lead.ID, Kind: article.Correction, Body: "An earlier version gave the wrong vote count.", CreatedAt: time.Now()}))
	// A story with a picture, a gallery, documents and embeds.
	imgs, err := s.db.Images(ctx, 3)
	must(t, err)
	if len(imgs) < 3 {
		t.Fatalf("the demo has %d images, want 3 for a gallery", len(imgs))
	}
	src := func(i int) string { return fmt.Sprintf("/media/%d/%d.jpg", imgs[i].ID, imgs[i].Variants[0]) }
	media := &article.Article{Slug: "the-port-in-pictures", Headline: "The port in pictures", Section: lead.Section, Authors: lead.Authors,
		Status: article.Published, Language: "en", PublishedAt: time.Now().Add(-time.Minute),
		Body: "![" + imgs[0].Alt + "](" + src(0) + " \"Courier staff\")\nThe quay at *dawn*.\n\n" +
			"![" + imgs[1].Alt + "](" + src(1) + ")\n![" + imgs[2].Alt + "](" + src(2) + " \"Desk\")\nTwo views of the port.\n\n" +
			"[The budget](/media/4/budget.pdf)\n\n[The interview](/media/5/interview.mp3)\n\n" +
			"https://www.youtube.com/watch?v=harbour\n\n<https://vimeo.com/42>\n\nhttps://example.org/post"}
	must(t, s.db.CreateArticle(ctx, media))
	s.unrendered(media.ID)

	liveEN, liveFA := demoLiveBlogs(t, s, src(0))

	var pages []demoPage
	add := func(name, path string, status int, body string) {
		pages = append(pages, demoPage{name: name, path: path, status: status, body: body})
	}
	for _, p := range []struct {
		name, path string
		status     int
	}{
		{"front", "/", 200},
		{"article-image-comments", "/city/council-votes-eastgate-tram-depot-homes", 200},
		{"article-no-image", "/city/eastgate-residents-depot-homes-meeting", 200},
		{"article-pictures-embeds", "", 200}, // the story above, in its section
		{"article-rtl", "/fa/فرهنگ/persian-poetry-night-central-library", 200},
		{"edition-front", "/fa", 200},
		{"article-translated", "/fa/شهر/ساخت-۳۰۰-خانه-در-دپوی-تراموای-ایستگیت", 200},
		{"section", "/city", 200},
		{"tag", "/tag/housing", 200},
		{"author", "/author/amara-okafor", 200},
		{"latest", "/latest", 200},
		{"latest-page-2", "", 200}, // filled in below from the pager
		{"static", "/about", 200},
		{"search", "/search?q=ferry", 200},
		{"search-empty", "/search", 200},
		{"search-none", "/search?q=zzzzqqq", 200},
		{"corrections", "/corrections", 200},
		{"404", "/no-such-page", 404},
		{"live-blog-demo", "/city/storm-hesper-clean-up-live", 200},
		{"live-blog", "", 200},
		{"live-blog-oldest", "", 200},
		{"live-blog-rtl", "", 200},
	} {
		switch p.name {
		case "article-pictures-embeds":
			p.path = media.Path()
		case "live-blog":
			p.path = liveEN
		case "live-blog-oldest":
			p.path = liveEN + "?order=oldest"
		case "live-blog-rtl":
			p.path = liveFA
		}
		if p.path == "" {
			older := regexp.MustCompile(`href="(/latest\?before=[^"]+)" rel="next"`).FindStringSubmatch(pages[len(pages)-1].body)
			if older == nil {
				t.Fatal("the demo's latest articles have no second page")
			}
			p.path = strings.ReplaceAll(older[1], "&amp;", "&")
		}
		r := s.get(p.path)
		if r.status != p.status {
			t.Fatalf("GET %s = %d, want %d", p.path, r.status, p.status)
		}
		if p.name == "front" {
			// The demo's live blog is among the latest, marked Live.
			r.has(t, `<span class="live-label">Live</span><a href="/city"><bdi>City</bdi></a></p>`, `href="/city/storm-hesper-clean-up-live"`)
		}
		if p.name == "article-pictures-embeds" {
			r.has(t, `<figure class="figure">`, `<figure class="gallery">`, `<p class="document">`, `<figure class="audio">`,
				`<figure class="embed"`, `<p class="embed-link">`, "embed.js")
		}
		add(p.name, p.path, r.status, r.body)
	}

	// A comment refused for what is missing comes back with its messages.
	form := url.Values{"name": {""}, "body": {""}, "email": {"not an address"}}
	rec := post(s, "/city/council-votes-eastgate-tram-depot-homes/comments", form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("empty comment = %d, want 422", rec.Code)
	}
	add("article-comment-refused", "POST comments", rec.Code, rec.Body.String())
	// So does a refused subscription.
	rec = post(s, "/subscribe", url.Values{"email": {"reader at example"}, "scope": {"site"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad subscription = %d, want 422", rec.Code)
	}
	add("subscribe-refused", "POST /subscribe", rec.Code, rec.Body.String())

	// Every kind of subscription page, rendered as its handlers do.
	city, err := s.db.SectionBySlug(ctx, "city")
	must(t, err)
	subs := []subscription.Subscription{
		{ID: 1, Scope: subscription.Scope{Kind: subscription.Site}, Frequency: subscription.Immediate, Status: subscription.Active, Label: "Everything"},
		{ID: 2, Scope: subscription.Scope{Kind: subscription.Section, ID: city.ID}, Frequency: subscription.Daily, Status: subscription.Pending, Label: "City"},
		{ID: 3, Scope: subscription.Scope{Kind: subscription.Article, ID: lead.ID}, Frequency: subscription.Immediate, Status: subscription.Active, Label: lead.Headline},
	}
	for _, p := range []subscribePage{
		{Kind: "sent"}, {Kind: "confirm", Token: "1.n.2.sig"}, {Kind: "confirmed", Email: "reader@example.org", Token: "1.sig"},
		{Kind: "bad_link"}, {Kind: "manage", Email: "reader@example.org", Token: "1.sig", Subs: subs, Notice: "Done."},
		{Kind: "manage", Email: "reader@example.org", Token: "1.sig"},
		{Kind: "unsubscribe", Token: "1.sig", SubIDs: "1,2"}, {Kind: "unsubscribe", Token: "1.sig"}, {Kind: "unsubscribe", Reply: "7.sig"},
		{Kind: "unsubscribed", Token: "1.sig"},
	} {
		req := httptest.NewRequest("GET", "/subscriptions", nil)
		v, err := s.srv.newView(req.Context())
		must(t, err)
		rec := httptest.NewRecorder()
		s.srv.renderSubscribe(rec, v, http.StatusOK, p)
		add(fmt.Sprintf("subscribe-%s-%d", p.Kind, len(pages)), "subscription page "+p.Kind, rec.Code, rec.Body.String())
	}
	return pages
}

func post(s *site, path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = "203.0.113.160:1"
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, req)
	return rec
}

var headingTag = regexp.MustCompile(`<h([1-6])[\s>]`)

// headingSkips names every heading that is more than one level below the
// heading before it, the error the checker reports as "skipping a heading
// level"; checked here too so that it holds where the checker cannot run.
func headingSkips(body string) []string {
	var out []string
	prev := 0
	for _, m := range headingTag.FindAllStringSubmatchIndex(body, -1) {
		level := int(body[m[2]] - '0')
		if prev > 0 && level > prev+1 || prev == 0 && level != 1 {
			out = append(out, fmt.Sprintf("h%d after h%d: %.80s", level, prev, body[m[0]:]))
		}
		prev = level
	}
	return out
}

// newsroomPages renders the newsroom pages the checker covers: the
// redirects page with its list, an address tried and a refused form, and
// one redirect's page with a refused change and an unconfirmed delete.
func newsroomPages(t *testing.T) []demoPage {
	t.Helper()
	ns := newNewsroom(t)
	ctx := context.Background()
	must(t, ns.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: "/tag/خبر", ToURL: "/city", CreatedBy: ns.users[account.Admin].ID}))
	_, err := ns.db.PutRedirects(ctx, []redirects.Redirect{{FromPath: "/?p=12", ToURL: "/city", Source: redirects.WordPress},
		{FromPath: "/partner", ToURL: "https://partner.example/", OffSite: true, Status: 307, Source: redirects.WordPress}})
	must(t, err)
	rd, err := ns.db.RedirectFor(ctx, "/?p=12")
	must(t, err)
	must(t, ns.srv.store.AddRedirectHits(ctx, map[int64]redirects.Hit{rd.ID: {N: 3, Last: ns.clock}}))
	one := fmt.Sprintf("/admin/redirects/%d", rd.ID)
	// A live blog's composer, with an update edited once.
	liveID, _ := liveBlogArticle(t, ns, "Storm live")
	desk := liveDeskPath(liveID)
	if resp := postLive(ns, liveID, account.Admin, url.Values{"headline": {"Bridge shut"}, "body": {"The bridge is **shut**."}, "key_event": {"1"}, "byline": {"ada"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("post a live update = %d", resp.StatusCode)
	}
	list, err := ns.db.LiveUpdates(ctx, liveblog.Query{ArticleID: liveID})
	must(t, err)
	update := liveUpdatePath(liveID, list.Updates[0].ID)
	if rec := ns.do("POST", update, account.Admin, url.Values{"version": {"1"}, "body": {"The bridge is shut both ways."}, "pinned": {"1"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("edit a live update = %d", rec.Code)
	}
	var pages []demoPage
	for _, p := range []struct {
		name, method, path string
		form               url.Values
		status             int
	}{
		{"admin-redirects", "GET", "/admin/redirects?notice=saved", nil, 200},
		{"admin-redirects-tried", "GET", "/admin/redirects?try=" + url.QueryEscape("https://old.example/?p=12"), nil, 200},
		{"admin-redirects-tried-404", "GET", "/admin/redirects?try=/no/such/page/", nil, 200},
		{"admin-redirects-none", "GET", "/admin/redirects?q=nothing", nil, 200},
		{"admin-redirects-refused", "POST", "/admin/redirects", url.Values{"from_path": {"nope"}, "to_url": {"//evil"}, "status": {"1"}}, 422},
		{"admin-redirect", "GET", one, nil, 200},
		{"admin-redirect-refused", "POST", one, url.Values{"from_path": {"/?p=12"}, "to_url": {"/?p=12"}, "status": {"301"}}, 422},
		{"admin-redirect-unconfirmed", "POST", one + "/delete", url.Values{}, 422},
		{"admin-live", "GET", desk + "?notice=posted", nil, 200},
		{"admin-live-refused", "POST", desk, url.Values{"headline": {"x"}, "body": {""}}, 422},
		{"admin-live-edit", "GET", update, nil, 200},
		{"admin-live-conflict", "POST", update, url.Values{"version": {"1"}, "body": {"Stale."}}, 409},
		{"admin-live-delete", "GET", update + "/delete", nil, 200},
	} {
		rec := ns.do(p.method, p.path, account.Admin, p.form)
		if rec.Code != p.status {
			t.Fatalf("%s %s = %d, want %d", p.method, p.path, rec.Code, p.status)
		}
		pages = append(pages, demoPage{name: p.name, path: p.method + " " + p.path, status: rec.Code, body: rec.Body.String()})
	}
	return pages
}

// Every public page kind of the demo, and the newsroom pages of
// newsroomPages, pass the Nu Html Checker with no error, and no page skips
// a heading level.
func TestPublicPagesPassNuHTMLChecker(t *testing.T) {
	pages := append(demoPages(t), newsroomPages(t)...)
	for _, p := range pages {
		for _, skip := range headingSkips(p.body) {
			t.Errorf("%s (%s): heading skips a level: %s", p.name, p.path, skip)
		}
	}
	java, jar, why := nuChecker(t)
	if why != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("the Nu Html Checker cannot run in CI: %s", why)
		}
		t.Skipf("the Nu Html Checker is not installed (%s); scripts/test-deps.sh installs it", why)
	}
	dir := t.TempDir()
	files := make([]string, 0, len(pages))
	byFile := map[string]demoPage{}
	for _, p := range pages {
		f := filepath.Join(dir, p.name+".html")
		must(t, os.WriteFile(f, []byte(p.body), 0o600))
		files = append(files, f)
		byFile["file:"+f] = p
	}
	msgs, err := runNuChecker(java, jar, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		p := byFile[m.URL]
		t.Errorf("%s (%s) line %d: %s\n\t%s", p.name, p.path, m.LastLine, m.Message, strings.Join(strings.Fields(m.Extract), " "))
	}
}

// nuMessage is one finding of the checker's JSON output.
type nuMessage struct {
	Type     string `json:"type"`
	URL      string `json:"url"`
	LastLine int    `json:"lastLine"`
	Message  string `json:"message"`
	Extract  string `json:"extract"`
}

// runNuChecker checks files in one JVM and returns the errors it reports.
func runNuChecker(java, jar string, files []string) ([]nuMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, java, append([]string{"-Xss2m", "-jar", jar, "--errors-only", "--format", "json"}, files...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, fmt.Errorf("nu checker: %w", err)
	}
	// The report goes to standard error; exit status 1 means it found errors.
	var out struct {
		Messages []nuMessage `json:"messages"`
	}
	if jerr := json.Unmarshal(stderr.Bytes(), &out); jerr != nil {
		return nil, fmt.Errorf("nu checker (%v): unreadable report: %v\n%s%s", err, jerr, stdout.String(), stderr.String())
	}
	var errs []nuMessage
	for _, m := range out.Messages {
		if m.Type != "info" {
			errs = append(errs, m)
		}
	}
	if err != nil && len(errs) == 0 {
		return nil, fmt.Errorf("nu checker: %w\n%s", err, stderr.String())
	}
	return errs, nil
}

// nuChecker finds java and the checker's jar, installed by
// scripts/test-deps.sh at the version pinned there (or named by
// BROADSHEET_VNU_JAR); why says what is missing.
func nuChecker(t *testing.T) (java, jar, why string) {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		return "", "", "no java on PATH"
	}
	jar = os.Getenv("BROADSHEET_VNU_JAR")
	if jar == "" {
		script, err := os.ReadFile("../../scripts/test-deps.sh")
		must(t, err)
		m := regexp.MustCompile(`(?m)^vnu_version=(\S+)$`).FindSubmatch(script)
		if m == nil {
			t.Fatal("scripts/test-deps.sh pins no vnu_version")
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", "", err.Error()
		}
		jar = filepath.Join(cache, "broadsheet", "vnu-jar-"+string(m[1]), "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
	}
	if _, err := os.Stat(jar); err != nil {
		return "", "", "no " + jar
	}
	return java, jar, ""
}

// demoLiveBlogs adds to the demo a live blog with a picture, a key event,
// a pinned update and an edited one, and one in the Persian edition, and
// returns their addresses.
func demoLiveBlogs(t *testing.T, s *site, picture string) (en, fa string) {
	t.Helper()
	ctx := context.Background()
	secs, err := s.db.Sections(ctx)
	must(t, err)
	authors, err := s.db.Authors(ctx)
	must(t, err)
	for _, lb := range []struct {
		edition, slug, headline, lang string
		bodies                        []string
		path                          *string
	}{
		{"", "harbour-live", "The harbour, live", "en", []string{"![The quay](" + picture + " \"Desk\")\nThe quay at noon.", "The ferry is **cancelled**.", "Crews are on the quay."}, &en},
		{"fa", "بندر-زنده", "بندر، زنده", "fa", []string{"کشتی امروز نمی‌رود.", "خدمه در اسکله‌اند."}, &fa},
	} {
		var sec article.Section
		for _, x := range secs {
			if x.Edition == lb.edition {
				sec = x
				break
			}
		}
		a := &article.Article{Slug: lb.slug, Headline: lb.headline, Body: lb.bodies[len(lb.bodies)-1], Section: sec, Authors: authors[:1],
			Status: article.Published, Language: lb.lang, PublishedAt: time.Now().Add(-time.Hour), LiveBlog: true}
		must(t, s.db.CreateArticle(ctx, a))
		must(t, s.db.SetCoverage(ctx, a.ID, a.PublishedAt, time.Time{}))
		for i, body := range lb.bodies {
			u := liveblog.Update{ArticleID: a.ID, Body: body, Authors: authors[i%2 : i%2+1], KeyEvent: i == 0, Pinned: i == 1}
			if i == 0 {
				u.Headline = lb.headline
			}
			must(t, s.db.PostLiveUpdate(ctx, &u))
			if i == 2 {
				u.Body += " They wait."
				must(t, s.db.EditLiveUpdate(ctx, &u))
			}
		}
		*lb.path = a.Path()
	}
	return en, fa
}
