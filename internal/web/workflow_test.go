package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
)

func TestEditorKeepsWorkAndDetectsConflicts(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()

	// A failed save shows every field as typed.
	bad := articleForm("", 0)
	bad.Set("body", "A paragraph the writer must not lose.")
	bad.Set("section", "")
	rec := ns.do("POST", "/admin/articles", account.Author, bad)
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "headline is required") || !strings.Contains(body, "section is required") ||
		!strings.Contains(body, "A paragraph the writer must not lose.") || !strings.Contains(body, `value="Harbour, Ferries"`) {
		t.Errorf("invalid save = %d; want 422 naming the problems and keeping the text", rec.Code)
	}

	id := ns.create(account.Author, "Ferry fares rise")
	path := fmt.Sprintf("/admin/articles/%d", id)
	first := articleForm("Ferry fares rise", 1)
	first.Set("body", "The editor's careful rewrite.")
	first.Set("action", "save")
	if rec := ns.do("POST", path, account.Editor, first); rec.Code != http.StatusSeeOther {
		t.Fatalf("first save = %d: %s", rec.Code, rec.Body.String())
	}
	second := articleForm("Ferry fares rise sharply", 1) // edited from the same version
	second.Set("body", "The author's own rewrite.")
	second.Set("action", "save")
	rec = ns.do("POST", path, account.Author, second)
	body = rec.Body.String()
	if rec.Code != http.StatusConflict || !strings.Contains(body, "The editor&#39;s careful rewrite.") || !strings.Contains(body, "The author&#39;s own rewrite.") {
		t.Fatalf("stale save = %d; want 409 showing both texts", rec.Code)
	}
	a, _ := ns.db.ArticleByID(ctx, id)
	if a.Body != "The editor's careful rewrite." {
		t.Errorf("stale save overwrote the article: %q", a.Body)
	}
	// Keeping mine from the conflict page saves over theirs, knowingly.
	second.Set("version", fmt.Sprint(a.Version))
	if rec := ns.do("POST", path, account.Author, second); rec.Code != http.StatusSeeOther {
		t.Errorf("save after conflict = %d", rec.Code)
	}
	// Autosave answers JSON with the new version.
	auto := articleForm("Ferry fares rise sharply", a.Version+1)
	auto.Set("action", "autosave")
	rec = ns.do("POST", path, account.Author, auto)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"version":4`) {
		t.Errorf("autosave = %d %s", rec.Code, rec.Body.String())
	}
	revs, _ := ns.db.Revisions(ctx, id)
	if len(revs) != 4 {
		t.Errorf("%d revisions, want 4", len(revs))
	}
	rec = ns.do("GET", path+"/revisions?from=2&to=3", account.Author, nil)
	if !strings.Contains(rec.Body.String(), `<span class="d-">- The editor&#39;s careful rewrite.</span>`) {
		t.Errorf("revision diff lacks the removed line")
	}
	if rec := ns.do("POST", path+"/restore", account.Author, url.Values{"version": {"2"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("restore = %d", rec.Code)
	}
	if a, _ := ns.db.ArticleByID(ctx, id); a.Body != "The editor's careful rewrite." || a.Version != 5 {
		t.Errorf("after restore: v%d %q", a.Version, a.Body)
	}
}

func TestPublishingRules(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	id := ns.create(account.Contributor, "Contributor's report")
	path := fmt.Sprintf("/admin/articles/%d", id)
	page := ns.do("GET", path, account.Contributor, nil).Body.String()
	if strings.Contains(page, `value="publish"`) || !strings.Contains(page, `value="submit"`) {
		t.Error("a contributor is offered Publish, or not offered Submit")
	}
	form := articleForm("Contributor's report", 1)
	form.Set("action", "publish")
	if rec := ns.do("POST", path, account.Contributor, form); rec.Code != http.StatusForbidden {
		t.Errorf("contributor publish = %d, want 403", rec.Code)
	}
	if a, _ := ns.db.ArticleByID(ctx, id); a.Status != article.Draft {
		t.Errorf("contributor's article became %s", a.Status)
	}
	a, _ := ns.db.ArticleByID(ctx, id)
	form = articleForm("Contributor's report", a.Version)
	form.Set("action", "submit")
	if rec := ns.do("POST", path, account.Contributor, form); rec.Code != http.StatusSeeOther {
		t.Errorf("submit = %d", rec.Code)
	}
	review := ns.do("GET", "/admin/articles?status=review", account.Editor, nil).Body.String()
	if !strings.Contains(review, "Contributor&#39;s report") {
		t.Error("the editor's review queue lacks the submitted draft")
	}
	a, _ = ns.db.ArticleByID(ctx, id)
	form = articleForm("Contributor's report", a.Version)
	form.Set("action", "publish")
	if rec := ns.do("POST", path, account.Editor, form); rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "notice=published") {
		t.Errorf("editor publish = %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if r := ns.get("/city/contributors-report"); r.status != 200 || !strings.Contains(r.body, "<h1>Contributor&#39;s report</h1>") {
		t.Errorf("published article = %d", r.status)
	}
	if r := ns.get("/"); !strings.Contains(r.body, "Contributor&#39;s report") {
		t.Error("the front page lacks the published article")
	}

	// Unpublish with a replacement: the old address redirects there.
	other := ns.create(account.Editor, "The fuller account")
	b, _ := ns.db.ArticleByID(ctx, other)
	pub := articleForm("The fuller account", b.Version)
	pub.Set("action", "publish")
	ns.do("POST", fmt.Sprintf("/admin/articles/%d", other), account.Editor, pub)
	a, _ = ns.db.ArticleByID(ctx, id)
	un := articleForm("Contributor's report", a.Version)
	un.Set("action", "unpublish")
	un.Set("replacement", fmt.Sprint(other))
	if rec := ns.do("POST", path, account.Editor, un); rec.Code != http.StatusSeeOther {
		t.Fatalf("unpublish = %d: %s", rec.Code, rec.Body.String())
	}
	if r := ns.get("/city/contributors-report"); r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/city/the-fuller-account" {
		t.Errorf("replaced article = %d %q, want 301 to the replacement", r.status, r.header.Get("Location"))
	}
}

// publicSurfaces are every page a reader can reach an article from.
func publicSurfaces(slug string) []string {
	return []string{"/", "/latest", "/city", "/tag/harbour", "/author/ada", "/city/" + slug}
}

func TestEmbargoAndSchedulerCatchUp(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	id := ns.create(account.Editor, "Embargoed budget figures")
	a, _ := ns.db.ArticleByID(ctx, id)
	form := articleForm("Embargoed budget figures", a.Version)
	form.Set("action", "schedule")
	form.Set("publish_at", ns.clock.Add(2*time.Hour).Format("2006-01-02T15:04"))
	if rec := ns.do("POST", fmt.Sprintf("/admin/articles/%d", id), account.Editor, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("schedule = %d: %s", rec.Code, rec.Body.String())
	}
	a, _ = ns.db.ArticleByID(ctx, id)
	if a.Status != article.Scheduled {
		t.Fatalf("status %s, want scheduled", a.Status)
	}
	for _, p := range publicSurfaces(a.Slug) {
		if r := ns.get(p); strings.Contains(r.body, "Embargoed budget figures") {
			t.Errorf("GET %s shows the embargoed article (status %d)", p, r.status)
		}
	}
	if r := ns.get("/city/" + a.Slug); r.status != 404 {
		t.Errorf("embargoed article page = %d, want 404", r.status)
	}
	if r := ns.get("/tag/harbour"); r.status != 404 || strings.Contains(r.body, "Harbour") {
		t.Errorf("a tag only the embargoed article uses = %d, want 404", r.status)
	}
	// The server was down when the time came; the first run after it
	// publishes what fell due, once.
	later := ns.clock.Add(5 * time.Hour)
	ids, err := ns.db.PublishDue(ctx, later)
	must(t, err)
	again, _ := ns.db.PublishDue(ctx, later)
	if len(ids) != 1 || ids[0] != id || len(again) != 0 {
		t.Fatalf("PublishDue = %v then %v, want [%d] then none", ids, again, id)
	}
	for _, p := range publicSurfaces(a.Slug) {
		if r := ns.get(p); !strings.Contains(r.body, "Embargoed budget figures") {
			t.Errorf("GET %s lacks the article after its time (status %d)", p, r.status)
		}
	}
	// A time in the past is refused, with the text kept.
	id2 := ns.create(account.Editor, "Too late")
	b, _ := ns.db.ArticleByID(ctx, id2)
	form = articleForm("Too late", b.Version)
	form.Set("action", "schedule")
	form.Set("publish_at", ns.clock.Add(-time.Hour).Format("2006-01-02T15:04"))
	if rec := ns.do("POST", fmt.Sprintf("/admin/articles/%d", id2), account.Editor, form); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), "must be in the future") {
		t.Errorf("schedule in the past = %d", rec.Code)
	}
}

func TestPreviewLinks(t *testing.T) {
	ns := newNewsroom(t)
	id := ns.create(account.Author, "Draft under embargo")
	good := ns.srv.previewURL(id, ns.clock.Add(time.Hour))
	path := strings.TrimPrefix(good, "https://news.example.org")
	r := ns.get(path)
	if r.status != 200 || !strings.Contains(r.body, "<h1>Draft under embargo</h1>") || !strings.Contains(r.body, `<meta name="robots" content="noindex">`) ||
		r.header.Get("X-Robots-Tag") == "" {
		t.Errorf("preview = %d, want the article marked noindex", r.status)
	}
	u, _ := url.Parse(path)
	q := u.Query()
	q.Set("expires", fmt.Sprint(ns.clock.Add(100*time.Hour).Unix())) // stretched life, old signature
	if r := ns.get(u.Path + "?" + q.Encode()); r.status != 404 {
		t.Errorf("tampered preview = %d, want 404", r.status)
	}
	if r := ns.get(fmt.Sprintf("/preview/%d?expires=1&sig=x", id+1)); r.status != 404 {
		t.Errorf("forged preview = %d, want 404", r.status)
	}
	ns.clock = ns.clock.Add(2 * time.Hour)
	if r := ns.get(path); r.status != http.StatusGone {
		t.Errorf("expired preview = %d, want 410", r.status)
	}
	// The editor's preview button renders unsaved text the same way.
	rec := ns.do("POST", "/admin/articles/preview", account.Contributor, articleForm("Unsaved <b>words</b>", 0))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<h1>Unsaved &lt;b&gt;words&lt;/b&gt;</h1>") || !strings.Contains(rec.Body.String(), `<h2 id="h-detail">Detail</h2>`) {
		t.Errorf("editor preview = %d", rec.Code)
	}
}

func TestCorrectionsAndBanner(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	id := ns.create(account.Editor, "Mayor opens bridge")
	a, _ := ns.db.ArticleByID(ctx, id)
	pub := articleForm("Mayor opens bridge", a.Version)
	pub.Set("action", "publish")
	ns.do("POST", fmt.Sprintf("/admin/articles/%d", id), account.Editor, pub)
	ns.get("/city/mayor-opens-bridge") // cached now
	ns.clock = ns.clock.Add(time.Hour)
	rec := ns.do("POST", fmt.Sprintf("/admin/articles/%d/notes", id), account.Editor,
		url.Values{"kind": {"correction"}, "body": {"An earlier version gave the wrong date for the opening."}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("add correction = %d", rec.Code)
	}
	r := ns.get("/city/mayor-opens-bridge")
	if !strings.Contains(r.body, "An earlier version gave the wrong date") || !strings.Contains(r.body, "Updated <time") {
		t.Error("the article lacks its correction or its updated time")
	}
	if r := ns.get("/corrections"); !strings.Contains(r.body, "An earlier version gave the wrong date") || !strings.Contains(r.body, `href="/city/mayor-opens-bridge"`) {
		t.Error("/corrections lacks the correction")
	}

	expires := ns.clock.Add(time.Hour)
	bad := ns.do("POST", "/admin/banner", account.Editor, url.Values{"text": {"Storm warning"}, "url": {"javascript:alert(1)"}, "expires": {expires.Format("2006-01-02T15:04")}})
	if bad.Code != http.StatusUnprocessableEntity {
		t.Errorf("banner with a javascript: link = %d, want 422", bad.Code)
	}
	rec = ns.do("POST", "/admin/banner", account.Editor, url.Values{"text": {"Storm warning for the coast"}, "url": {"/city/mayor-opens-bridge"},
		"expires": {expires.Format("2006-01-02T15:04")}, "action": {"set"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("set banner = %d: %s", rec.Code, rec.Body.String())
	}
	for _, p := range []string{"/", "/city", "/city/mayor-opens-bridge"} {
		if r := ns.get(p); !strings.Contains(r.body, "Storm warning for the coast") {
			t.Errorf("GET %s lacks the banner", p)
		}
	}
	ns.clock = expires.Add(time.Minute)
	ns.srv.Invalidate([]string{article.KeySite}) // what the scheduler does when a banner expires
	if r := ns.get("/"); strings.Contains(r.body, "Storm warning for the coast") {
		t.Error("the banner shows after it expired")
	}
	log, _ := ns.db.AuditLog(ctx, 0, 20)
	actions := map[string]bool{}
	for _, e := range log {
		actions[e.Action] = true
	}
	for _, want := range []string{"article.create", "article.publish", "article.correction", "banner.set"} {
		if !actions[want] {
			t.Errorf("audit log lacks %s: %v", want, actions)
		}
	}
	if rec := ns.do("GET", "/admin/audit", account.Admin, nil); !strings.Contains(rec.Body.String(), "article.correction") {
		t.Error("the audit page lacks the correction")
	}
}

func TestAccountPage(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	// A second session for the author, to be signed out by a password change.
	token, hash := account.NewToken()
	must(t, ns.db.CreateSession(ctx, &account.Session{TokenHash: hash, UserID: ns.users[account.Author].ID, CreatedAt: ns.clock, LastSeenAt: ns.clock}))
	rec := ns.do("POST", "/admin/account/password", account.Author, url.Values{"current": {"wrong"}, "new": {"another long passphrase"}, "confirm": {"another long passphrase"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("wrong current password = %d", rec.Code)
	}
	rec = ns.do("POST", "/admin/account/password", account.Author, url.Values{"current": {testPassword}, "new": {"12345678"}, "confirm": {"12345678"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("weak new password = %d", rec.Code)
	}
	rec = ns.do("POST", "/admin/account/password", account.Author, url.Values{"current": {testPassword}, "new": {"another long passphrase"}, "confirm": {"another long passphrase"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("change password = %d: %s", rec.Code, rec.Body.String())
	}
	if _, err := ns.db.SessionByTokenHash(ctx, account.HashToken(token)); err == nil {
		t.Error("the other session survived the password change")
	}
	if rec := ns.do("GET", "/admin/account", account.Author, nil); rec.Code != 200 {
		t.Errorf("this session after the change = %d, want 200", rec.Code)
	}
	// Someone else's session cannot be revoked through one's own page.
	others, _ := ns.db.UserSessions(ctx, ns.users[account.Editor].ID)
	if rec := ns.do("POST", fmt.Sprintf("/admin/account/sessions/%d/revoke", others[0].ID), account.Author, url.Values{}); rec.Code != http.StatusNotFound {
		t.Errorf("revoking another user's session = %d, want 404", rec.Code)
	}
	// The last admin cannot lock the site out.
	admin := ns.users[account.Admin]
	rec = ns.do("POST", fmt.Sprintf("/admin/users/%d", admin.ID), account.Admin, url.Values{"role": {"editor"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("demoting the last admin = %d, want 422", rec.Code)
	}
	rec = ns.do("POST", "/admin/users", account.Admin, url.Values{"name": {"New Writer"}, "email": {"new@courier.example"}, "role": {"author"}, "password": {"a fresh long passphrase"}})
	if rec.Code != http.StatusSeeOther {
		t.Errorf("create user = %d: %s", rec.Code, rec.Body.String())
	}
	if u, err := ns.db.UserByEmail(ctx, "new@courier.example"); err != nil || u.Role != account.Author {
		t.Errorf("created user = %+v, %v", u, err)
	}
}

func TestTaxonomyAndSettingsPages(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	rec := ns.do("POST", "/admin/sections", account.Editor, url.Values{"name": {"Science & Tech"}, "description": {"Research."}, "position": {"3"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create section = %d: %s", rec.Code, rec.Body.String())
	}
	sec, err := ns.db.SectionBySlug(ctx, "science-tech")
	must(t, err)
	if r := ns.get("/"); !strings.Contains(r.body, `<a href="/science-tech"><bdi>Science &amp; Tech</bdi></a>`) {
		t.Error("the navigation lacks the new section")
	}
	for _, tt := range []struct {
		form url.Values
		want int
	}{
		{url.Values{"name": {""}}, http.StatusUnprocessableEntity},
		{url.Values{"name": {"Admin"}, "slug": {"admin"}}, http.StatusUnprocessableEntity},
		{url.Values{"name": {"City again"}, "slug": {"city"}}, http.StatusConflict},
		{url.Values{"name": {"Bad"}, "slug": {"Bad Slug"}}, http.StatusUnprocessableEntity},
	} {
		if rec := ns.do("POST", "/admin/sections", account.Editor, tt.form); rec.Code != tt.want {
			t.Errorf("create section %v = %d, want %d", tt.form, rec.Code, tt.want)
		}
	}
	ns.create(account.Editor, "Uses the city section")
	city := ns.sections["city"]
	rec = ns.do("POST", fmt.Sprintf("/admin/sections/%d", city.ID), account.Editor, url.Values{"action": {"delete"}, "name": {"City"}})
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "Articles still use it") {
		t.Errorf("delete section in use = %d", rec.Code)
	}
	rec = ns.do("POST", fmt.Sprintf("/admin/sections/%d", sec.ID), account.Editor, url.Values{"action": {"delete"}})
	if rec.Code != http.StatusSeeOther {
		t.Errorf("delete unused section = %d", rec.Code)
	}
	rec = ns.do("POST", "/admin/authors", account.Editor, url.Values{"name": {"Ben Reporter"}, "role": {"Courts"}, "bio": {"Covers the courts."}})
	if rec.Code != http.StatusSeeOther {
		t.Errorf("create author = %d", rec.Code)
	}
	if r := ns.get("/author/ben-reporter"); r.status != 200 || !strings.Contains(r.body, "Covers the courts.") {
		t.Errorf("new author page = %d", r.status)
	}
	if rec := ns.do("GET", "/admin/nothing", account.Editor, nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown admin kind = %d, want 404", rec.Code)
	}

	rec = ns.do("POST", "/admin/settings", account.Admin, url.Values{"title": {"The Gazette"}, "language": {"en"}, "timezone": {"Mars/Olympus"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "time zone") {
		t.Errorf("bad time zone = %d", rec.Code)
	}
	rec = ns.do("POST", "/admin/settings", account.Admin, url.Values{"title": {"The Gazette"}, "language": {"en"}, "timezone": {"UTC"}, "twitter_site": {"@no spaces"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "X account") || !strings.Contains(rec.Body.String(), `value="@no spaces"`) {
		t.Errorf("bad X account = %d", rec.Code)
	}
	rec = ns.do("POST", "/admin/settings", account.Admin, url.Values{"title": {"The Gazette"}, "tagline": {"Daily"}, "language": {"en"}, "timezone": {"Asia/Tehran"},
		"twitter_site": {"https://x.com/thegazette"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("settings = %d", rec.Code)
	}
	if r := ns.get("/"); !strings.Contains(r.body, "<title>The Gazette</title>") || !strings.Contains(r.body, `<meta name="twitter:site" content="@thegazette">`) {
		t.Error("the new title or X account is not on the front page")
	}
}
