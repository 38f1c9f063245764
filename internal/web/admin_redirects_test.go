package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	redirects "broadsheet/internal/redirect"
)

func redirectValues(from, to, status string, extra ...string) url.Values {
	f := url.Values{"from_path": {from}, "to_url": {to}, "status": {status}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

// lastAudit is the newest audit entry.
func (ns *newsroomSite) lastAudit() article.AuditEntry {
	ns.t.Helper()
	log, err := ns.db.AuditLog(context.Background(), 0, 1)
	must(ns.t, err)
	if len(log) == 0 {
		ns.t.Fatal("the audit log is empty")
	}
	return log[0]
}

// Only admins manage redirects; editors and everyone else are refused.
func TestRedirectsPageRoles(t *testing.T) {
	ns := newNewsroom(t)
	rd := &redirects.Redirect{FromPath: "/old", ToURL: "/city"}
	must(t, ns.db.CreateRedirect(context.Background(), rd))
	one := fmt.Sprintf("/admin/redirects/%d", rd.ID)
	for _, tt := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/admin/redirects", nil},
		{"GET", "/admin/redirects?try=/old", nil},
		{"POST", "/admin/redirects", redirectValues("/x", "/city", "301")},
		{"GET", one, nil},
		{"POST", one, redirectValues("/old", "/elsewhere", "301")},
		{"POST", one + "/delete", url.Values{"confirm": {"yes"}}},
	} {
		for _, role := range []account.Role{account.Contributor, account.Author, account.Editor} {
			if rec := ns.do(tt.method, tt.path, role, tt.form); rec.Code != http.StatusForbidden {
				t.Errorf("%s %s as %s = %d, want 403", tt.method, tt.path, role, rec.Code)
			}
		}
		if rec := ns.do(tt.method, tt.path, "", tt.form); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/login") {
			t.Errorf("%s %s signed out = %d, want the sign-in page", tt.method, tt.path, rec.Code)
		}
	}
	if got, _ := ns.db.RedirectByID(context.Background(), rd.ID); got == nil || got.ToURL != "/city" {
		t.Errorf("refused requests changed the redirect: %+v", got)
	}
	if rec := ns.do("GET", "/admin/redirects/999999", account.Admin, nil); rec.Code != http.StatusNotFound {
		t.Errorf("a missing redirect's page = %d, want 404", rec.Code)
	}
	// The link is in the admin's menu, not the editor's.
	if body := ns.do("GET", "/admin/articles", account.Admin, nil).Body.String(); !strings.Contains(body, `href="/admin/redirects"`) {
		t.Error("the admin's menu has no link to the redirects")
	}
	if body := ns.do("GET", "/admin/articles", account.Editor, nil).Body.String(); strings.Contains(body, `href="/admin/redirects"`) {
		t.Error("the editor's menu links to the redirects")
	}
}

// An admin adds, changes and deletes redirects; each change is in the
// audit log, and the site answers by them at once.
func TestRedirectsPageAddChangeDelete(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	admin := ns.users[account.Admin]

	rec := ns.do("POST", "/admin/redirects", account.Admin, redirectValues("https://old.example/category/world/", "/city", "301"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/redirects?notice=saved" {
		t.Fatalf("add = %d %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	rd, err := ns.db.RedirectFor(ctx, "/category/world")
	must(t, err)
	if rd.ToURL != "/city" || rd.Status != 301 || rd.CreatedBy != admin.ID || rd.Imported() {
		t.Errorf("added %+v", rd)
	}
	if e := ns.lastAudit(); e.Action != "redirect.create" || e.ObjectType != "redirect" || e.ObjectID != rd.ID || e.UserID != admin.ID || e.Detail != "/category/world → /city (301)" {
		t.Errorf("audit entry %+v", e)
	}
	if r := ns.get("/category/world/"); r.status != http.StatusMovedPermanently || r.header.Get("Location") != "https://news.example.org/city" {
		t.Errorf("the site answers the new redirect's address %d %q", r.status, r.header.Get("Location"))
	}
	body := ns.do("GET", "/admin/redirects?notice=saved", account.Admin, nil).Body.String()
	for _, want := range []string{"Saved.", `href="/admin/redirects/` + fmt.Sprint(rd.ID) + `">/category/world</a>`, "<td>301</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}

	// A target that has a redirect of its own: this one leads straight on,
	// and the admin is told.
	rec = ns.do("POST", "/admin/redirects", account.Admin, redirectValues("/?cat=4", "/category/world/", "308"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/redirects?notice=redirect_followed" {
		t.Fatalf("add through a redirect = %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if got, _ := ns.db.RedirectFor(ctx, "/?cat=4"); got == nil || got.ToURL != "/city" || got.Status != 308 {
		t.Errorf("/?cat=4 → /category/world stored as %+v; want it to lead straight to /city", got)
	}

	// Off-site only with the box ticked.
	rec = ns.do("POST", "/admin/redirects", account.Admin, redirectValues("/partner", "https://partner.example/x", "302"))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "is on another site") {
		t.Errorf("off-site without leave = %d, want 422 saying so", rec.Code)
	}
	rec = ns.do("POST", "/admin/redirects", account.Admin, redirectValues("/partner", "https://partner.example/x", "302", "off_site", "1"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("off-site with leave = %d", rec.Code)
	}
	if got, _ := ns.db.RedirectFor(ctx, "/partner"); got == nil || !got.OffSite || got.Status != 302 {
		t.Errorf("off-site redirect stored as %+v", got)
	}

	// Change: an imported redirect changed here becomes one made by hand.
	_, err = ns.db.PutRedirects(ctx, []redirects.Redirect{{FromPath: "/?p=7", ToURL: "/city/seven", Source: redirects.WordPress}})
	must(t, err)
	imp, err := ns.db.RedirectFor(ctx, "/?p=7")
	must(t, err)
	one := fmt.Sprintf("/admin/redirects/%d", imp.ID)
	page := ns.do("GET", one, account.Admin, nil)
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "Imported (wordpress)") || !strings.Contains(page.Body.String(), `value="/city/seven"`) {
		t.Errorf("an imported redirect's page = %d:\n%s", page.Code, page.Body.String())
	}
	rec = ns.do("POST", one, account.Admin, redirectValues("/?p=7", "/city/seventh", "301"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != one+"?notice=saved" {
		t.Fatalf("change = %d %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	if got, _ := ns.db.RedirectByID(ctx, imp.ID); got == nil || got.ToURL != "/city/seventh" || got.Imported() {
		t.Errorf("changed: %+v; want the new target, made by hand", got)
	}
	if e := ns.lastAudit(); e.Action != "redirect.update" || e.ObjectID != imp.ID || e.Detail != "/?p=7 → /city/seven (301) ⇒ /?p=7 → /city/seventh (301)" {
		t.Errorf("audit entry %+v", e)
	}

	// Delete needs the box ticked.
	rec = ns.do("POST", one+"/delete", account.Admin, url.Values{})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "nothing was deleted") {
		t.Errorf("delete unconfirmed = %d, want 422 saying so", rec.Code)
	}
	if _, err := ns.db.RedirectByID(ctx, imp.ID); err != nil {
		t.Errorf("an unconfirmed delete deleted: %v", err)
	}
	rec = ns.do("POST", one+"/delete", account.Admin, url.Values{"confirm": {"yes"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/redirects?notice=deleted" {
		t.Fatalf("delete = %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if _, err := ns.db.RedirectByID(ctx, imp.ID); err == nil {
		t.Error("the redirect is still there")
	}
	if e := ns.lastAudit(); e.Action != "redirect.delete" || e.ObjectID != imp.ID || e.Detail != "/?p=7 → /city/seventh (301)" {
		t.Errorf("audit entry %+v", e)
	}
	if body := ns.do("GET", "/admin/audit", account.Admin, nil).Body.String(); !strings.Contains(body, fmt.Sprintf(`<a href="/admin/redirects/%d">redirect %d</a>`, imp.ID, imp.ID)) {
		t.Error("the audit log does not link to the redirect")
	}
}

// A refused form comes back with what the admin typed and says exactly
// what is wrong, beside each field.
func TestRedirectsPageKeepsInputOnError(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	rec := ns.do("POST", "/admin/redirects", account.Admin, redirectValues("category world", `javascript:alert("x")`, "303"))
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad form = %d", rec.Code)
	}
	for _, want := range []string{
		`value="category world"`, `value="javascript:alert(&#34;x&#34;)"`,
		html.EscapeString("the old address \"category world\" is neither a path starting with / nor an http(s) address"),
		"the new address must be a path of this site starting with one /",
		"the status must be 301, 302, 307 or 308, not 303",
		`id="from_path" name="from_path"`, `aria-invalid="true"`, `id="from-error" class="field-error"`, `id="to-error" class="field-error"`,
		"The redirect was not saved:",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	if strings.Contains(body, `<script`) && strings.Contains(body, `alert("x")`) {
		t.Error("the typed target is written unescaped")
	}
	if list, _ := ns.db.Redirects(ctx, redirects.Query{}); len(list) != 0 {
		t.Errorf("a refused form stored %d redirects", len(list))
	}

	// An address with a redirect already: a conflict naming it.
	must(t, ns.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: "/old", ToURL: "/city"}))
	rec = ns.do("POST", "/admin/redirects", account.Admin, redirectValues("/old/", "/elsewhere", "302"))
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "/old already redirects to /city: change that redirect instead") ||
		!strings.Contains(rec.Body.String(), `value="/elsewhere"`) || !strings.Contains(rec.Body.String(), `<option value="302" selected>`) {
		t.Errorf("a second redirect at /old = %d:\n%s", rec.Code, rec.Body.String())
	}

	// A change refused keeps the change typed, not what is stored.
	rd, _ := ns.db.RedirectFor(ctx, "/old")
	one := fmt.Sprintf("/admin/redirects/%d", rd.ID)
	rec = ns.do("POST", one, account.Admin, redirectValues("/old", "//evil.example", "301"))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `value="//evil.example"`) || !strings.Contains(rec.Body.String(), "a path of this site starting with one /") {
		t.Errorf("a bad change = %d:\n%s", rec.Code, rec.Body.String())
	}
	if rec := ns.do("POST", one, account.Admin, redirectValues("/old", "/old/", "301")); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "cannot lead to the address it answers") {
		t.Errorf("a change to itself = %d", rec.Code)
	}
	if got, _ := ns.db.RedirectByID(ctx, rd.ID); got.ToURL != "/city" {
		t.Errorf("a refused change changed the redirect: %+v", got)
	}
}

// Trying an address of the old site says what answers it here.
func TestRedirectsPageTriesAnAddress(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, story := publishedArticle(t, ns, "Harbour reopens")
	must(t, ns.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: "/2024/05/17/harbour-reopens", ToURL: story}))
	_, err := ns.db.PutRedirects(ctx, []redirects.Redirect{{FromPath: "/?p=12", ToURL: story, Source: redirects.WordPress}})
	must(t, err)
	try := func(addr string) string {
		t.Helper()
		rec := ns.do("GET", "/admin/redirects?try="+url.QueryEscape(addr), account.Admin, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("try %s = %d", addr, rec.Code)
		}
		return rec.Body.String()
	}
	for addr, wants := range map[string][]string{
		"https://old.example/2024/05/17/harbour-reopens/?utm_source=x": {"Redirects read it as /2024/05/17/harbour-reopens.",
			"A redirect answers it: 301 to https://news.example.org" + story + ".", ">The redirect from /2024/05/17/harbour-reopens</a>"},
		"/?p=12&utm_medium=mail":  {"Redirects read it as /?p=12.", "A redirect answers it: 301", `<span class="role">imported</span>`},
		story:                     {"This site answers it itself (200)"},
		"/city/":                  {"This site sends it on by itself to /city (301) first.", "This site answers it itself (200)"},
		"/no/such/page/":          {"This site sends it on by itself to /no/such/page (301) first.", "Nothing answers it", `id="from_path" name="from_path" value="/no/such/page"`},
		"/admin/articles":         {"newsroom or the API"},
		"mailto:desk@example.org": {"neither a path starting with / nor an http or https address"},
	} {
		body := try(addr)
		for _, want := range wants {
			if !strings.Contains(body, want) {
				t.Errorf("trying %s: the page lacks %q", addr, want)
			}
		}
		if !strings.Contains(body, `value="`+html.EscapeString(addr)+`"`) {
			t.Errorf("trying %s: the form does not keep it", addr)
		}
	}
	// Trying is not a hit.
	must(t, ns.srv.FlushViews(ctx))
	if rd, _ := ns.db.RedirectFor(ctx, "/?p=12"); rd.Hits != 0 {
		t.Errorf("trying counted %d hits", rd.Hits)
	}
}

// The list is searched, filtered and paged.
func TestRedirectsPageList(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	var batch []redirects.Redirect
	for i := range adminListSize + 5 {
		batch = append(batch, redirects.Redirect{FromPath: fmt.Sprintf("/?p=%d", i+1), ToURL: fmt.Sprintf("/city/story-%d", i+1), Source: redirects.WordPress})
	}
	_, err := ns.db.PutRedirects(ctx, batch)
	must(t, err)
	must(t, ns.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: "/tag/خبر", ToURL: "/tag/news"}))
	rows := func(body string) int { return strings.Count(body, `<a href="/admin/redirects/`) }

	first := ns.do("GET", "/admin/redirects", account.Admin, nil).Body.String()
	if n := rows(first); n != adminListSize {
		t.Errorf("the first page lists %d, want %d", n, adminListSize)
	}
	if !strings.Contains(first, "/tag/خبر") {
		t.Error("the newest redirect is not first, or its address is not shown as it reads")
	}
	next := regexpFind(t, first, `href="(/admin/redirects\?[^"]*before=[^"]+)">More redirects`)
	second := ns.do("GET", html.UnescapeString(next), account.Admin, nil).Body.String()
	if n := rows(second); n != 6 || strings.Contains(second, "More redirects") {
		t.Errorf("the second page lists %d, want 6 and no further page", n)
	}
	if body := ns.do("GET", "/admin/redirects?made=hand", account.Admin, nil).Body.String(); rows(body) != 1 || !strings.Contains(body, `<option value="hand" selected>`) {
		t.Errorf("made by hand lists %d, want 1", rows(body))
	}
	if body := ns.do("GET", "/admin/redirects?q="+url.QueryEscape("story-17"), account.Admin, nil).Body.String(); rows(body) != 1 || !strings.Contains(body, "/?p=17") {
		t.Errorf("a search for story-17 lists %d", rows(body))
	}
	if body := ns.do("GET", "/admin/redirects?q="+url.QueryEscape("خبر"), account.Admin, nil).Body.String(); rows(body) != 1 {
		t.Errorf("a search in Persian lists %d", rows(body))
	}
	if body := ns.do("GET", "/admin/redirects?q=nothing-like-it", account.Admin, nil).Body.String(); !strings.Contains(body, "No redirects match.") {
		t.Error("an empty search does not say so")
	}
}

// regexpFind is the first group of pattern in body.
func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in the page", pattern)
	}
	return m[1]
}
