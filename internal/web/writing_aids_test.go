package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"broadsheet/internal/account"
)

// The editor shows, from the server, the counts and previews its script
// keeps current as the writer types.
func TestEditorWritingAids(t *testing.T) {
	ns := newNewsroom(t)
	form := articleForm("Harbour reopens after a week of repairs to the storm-battered quay walls", 0)
	form.Set("standfirst", "Boats return.")
	form.Set("body", strings.Repeat("word ", 460))
	form.Set("action", "save")
	rec := ns.do("POST", "/admin/articles", account.Editor, form)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save = %d: %s", rec.Code, rec.Body.String())
	}
	page := ns.do("GET", rec.Header().Get("Location"), account.Editor, nil).Body.String()
	for _, want := range []string{
		`<span class="words">460 words</span>`,
		`<span class="minutes">2 min read</span>`,
		"72 characters; search results show about the first 60.",
		"13 characters; search results and share cards show about the first 160.",
		`Harbour reopens after a week of repairs to the storm-batter… · Broadsheet`,
		`data-forms="{&#34;one&#34;:&#34;%d character; search results show about the first 60.&#34;`,
		`data-digits="0123456789"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the editor lacks %q in\n%s", want, page[strings.Index(page, "share-preview"):][:1200])
		}
	}
	// A published article has one action that changes it: Update.
	if !strings.Contains(page, `value="publish"`) || strings.Contains(page, `value="update"`) {
		t.Error("a draft's editor should offer Publish and not Update")
	}
	id := articleIDInLocation.FindStringSubmatch(rec.Header().Get("Location"))[1]
	version := func(page string) string {
		m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("the editor has no version field")
		}
		return m[1]
	}
	form.Set("action", "publish")
	form.Set("version", version(page))
	if rec := ns.do("POST", "/admin/articles/"+id, account.Editor, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("publish = %d: %s", rec.Code, rec.Body.String())
	}
	page = ns.do("GET", "/admin/articles/"+id, account.Editor, nil).Body.String()
	for _, refused := range []string{`value="save"`, `value="publish"`, `value="schedule"`} {
		if strings.Contains(page, refused) {
			t.Errorf("a published article's editor offers %s beside Update", refused)
		}
	}
	if !strings.Contains(page, `name="action" value="update" class="primary">Update</button>`) {
		t.Errorf("a published article's editor lacks its Update button:\n%s", page[strings.Index(page, `class="actions"`):][:800])
	}
	form.Set("action", "update")
	form.Set("version", version(page))
	form.Set("headline", "Harbour reopens")
	rec = ns.do("POST", "/admin/articles/"+id, account.Editor, form)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "notice=updated") {
		t.Fatalf("update = %d %q", rec.Code, rec.Header().Get("Location"))
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	a, err := ns.db.ArticleByID(t.Context(), n)
	if err != nil || a.Headline != "Harbour reopens" || a.Status != "published" {
		t.Errorf("after Update: %+v, %v; want the new headline, still published", a, err)
	}
	if page := ns.do("GET", rec.Header().Get("Location"), account.Editor, nil).Body.String(); !strings.Contains(page, "Updated: the live page shows your changes.") {
		t.Error("the editor does not confirm the update")
	}
}
