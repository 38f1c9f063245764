package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
)

// liveUpdateResp is the part of an update the tests look at.
type liveUpdateResp struct {
	ID        int64   `json:"id"`
	ArticleID int64   `json:"article_id"`
	URL       string  `json:"url"`
	Headline  string  `json:"headline"`
	Body      string  `json:"body"`
	BodyHTML  *string `json:"body_html"`
	Text      *string `json:"text"`
	Authors   []struct {
		Slug string `json:"slug"`
	} `json:"authors"`
	Pinned    bool       `json:"pinned"`
	KeyEvent  bool       `json:"key_event"`
	Version   int        `json:"version"`
	CreatedBy int64      `json:"created_by"`
	EditedAt  *time.Time `json:"edited_at"`
}

type liveUpdatePageResp struct {
	Updates []liveUpdateResp `json:"updates"`
	Next    *string          `json:"next"`
}

func updatesPath(articleID int64) string {
	return fmt.Sprintf("/api/v1/admin/live-blogs/%d/updates", articleID)
}

func updatePath(articleID, id int64) string { return fmt.Sprintf("%s/%d", updatesPath(articleID), id) }

// postUpdate posts an update through the API and returns it.
func (f *fixture) postUpdate(role account.Role, articleID int64, body string) liveUpdateResp {
	f.t.Helper()
	w := f.as(role, "POST", updatesPath(articleID), body)
	if w.Code != http.StatusCreated {
		f.t.Fatalf("post update %s: %d %s", body, w.Code, w.Body)
	}
	return decodeAs[liveUpdateResp](f.t, w)
}

// auditActions counts the audit log's entries by action.
func (f *fixture) auditActions() map[string]int {
	f.t.Helper()
	log, err := f.db.AuditLog(context.Background(), 0, 100)
	must(f.t, err)
	actions := map[string]int{}
	for _, e := range log {
		actions[e.Action]++
		if strings.Contains(e.Detail, "whsec_") {
			f.t.Errorf("the audit log holds a webhook's secret: %+v", e)
		}
	}
	return actions
}

// liveBlogResp is the live blog part of an article.
type liveBlogResp struct {
	ID            int64      `json:"id"`
	LiveBlog      bool       `json:"live_blog"`
	CoverageStart *time.Time `json:"coverage_start"`
	CoverageEnd   *time.Time `json:"coverage_end"`
	Version       int        `json:"version"`
}

// An article says whether it is a live blog, in the Admin API and the
// Content API alike; a live blog is made one and back by create and
// PATCH, and its coverage opened and closed by whoever may publish it,
// each step in the audit log.
func TestLiveBlogArticle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.create(account.Author, story("Storm live", `"live_blog":true`, `"status":"published"`))
	got := decodeAs[liveBlogResp](t, f.as(account.Author, "GET", fmt.Sprintf("/api/v1/admin/articles/%d", a.ID), ""))
	if !got.LiveBlog || got.CoverageStart != nil || got.CoverageEnd != nil {
		t.Errorf("created: %+v, want a live blog whose coverage has not opened", got)
	}
	start := fmt.Sprintf("/api/v1/admin/articles/%d/coverage/start", a.ID)
	end := fmt.Sprintf("/api/v1/admin/articles/%d/coverage/end", a.ID)
	wantError(t, "a contributor opens coverage", f.as(account.Contributor, "POST", start, ""), http.StatusForbidden, "forbidden")
	other := &account.User{Email: "other@courier.example", Name: "Other", Role: account.Author, PasswordHash: "x"}
	must(t, f.db.CreateUser(ctx, other))
	w := f.serve(req{method: "POST", path: start, token: f.token(other)})
	wantError(t, "another author opens coverage", w, http.StatusForbidden, "forbidden")

	w = f.as(account.Author, "POST", start, "")
	if w.Code != http.StatusOK {
		t.Fatalf("start: %d %s", w.Code, w.Body)
	}
	got = decodeAs[liveBlogResp](t, w)
	if got.CoverageStart == nil || !got.CoverageStart.Equal(f.clock()) || got.CoverageEnd != nil {
		t.Errorf("started: %+v, want coverage from %v, open", got, f.clock())
	}
	public := decodeAs[liveBlogResp](t, f.get(fmt.Sprintf("/api/v1/articles/%d", a.ID)))
	if !public.LiveBlog || public.CoverageStart == nil || public.CoverageEnd != nil {
		t.Errorf("the Content API's article: %+v, want a live blog with its coverage open", public)
	}
	f.advance(time.Hour)
	got = decodeAs[liveBlogResp](t, f.as(account.Editor, "POST", end, ""))
	if got.CoverageEnd == nil || !got.CoverageEnd.Equal(f.clock()) {
		t.Errorf("ended: %+v, want coverage closed at %v", got, f.clock())
	}

	w = f.as(account.Author, "PATCH", fmt.Sprintf("/api/v1/admin/articles/%d", a.ID), fmt.Sprintf(`{"version":%d,"live_blog":false}`, got.Version))
	if got := decodeAs[liveBlogResp](t, w); w.Code != http.StatusOK || got.LiveBlog {
		t.Errorf("PATCH live_blog false: %d %s", w.Code, w.Body)
	}
	e := wantError(t, "coverage of an article that is not a live blog", f.as(account.Author, "POST", start, ""), http.StatusUnprocessableEntity, "invalid")
	if !strings.Contains(e.Error.Message, "not a live blog") {
		t.Errorf("message %q, want it to say the article is not a live blog", e.Error.Message)
	}
	wantError(t, "coverage of no article", f.as(account.Author, "POST", "/api/v1/admin/articles/999/coverage/start", ""), http.StatusNotFound, "not_found")

	actions := f.auditActions()
	if actions["live.start"] != 1 || actions["live.end"] != 1 {
		t.Errorf("audit log %v, want one live.start and one live.end", actions)
	}
}

// Updates are posted, read, listed newest first a page at a time with
// the pinned among them, and deleted, through the newsroom's rules and
// audit entries.
func TestLiveUpdates(t *testing.T) {
	f := newFixture(t)
	a := f.create(account.Author, story("Storm live", `"live_blog":true`, `"status":"published"`))
	first := f.postUpdate(account.Author, a.ID, `{"headline":" Bridge shut ","body":"The bridge is *shut*.","authors":["bo","ada","bo"],"key_event":true}`)
	if first.Headline != "Bridge shut" || first.Body != "The bridge is *shut*." || !first.KeyEvent || first.Pinned || first.Version != 1 ||
		len(first.Authors) != 2 || first.Authors[0].Slug != "bo" || first.CreatedBy != f.users[account.Author].ID || first.ArticleID != a.ID {
		t.Errorf("posted %+v", first)
	}
	if want := fmt.Sprintf("%s/city/storm-live?from=%d#update-%d", baseURL, first.ID, first.ID); first.URL != want {
		t.Errorf("url = %q, want %q", first.URL, want)
	}
	var ids []int64
	for i := range 4 {
		f.advance(time.Minute)
		body := fmt.Sprintf(`{"body":"Update %d."}`, i)
		if i == 0 {
			body = `{"body":"Where to get help.","pinned":true}`
		}
		ids = append(ids, f.postUpdate(account.Editor, a.ID, body).ID)
	}
	w := f.as(account.Author, "POST", updatesPath(a.ID), `{"body":"x y"}`)
	if got := w.Header().Get("Location"); got != updatePath(a.ID, decodeAs[liveUpdateResp](t, w).ID) {
		t.Errorf("Location = %q", got)
	}
	last := decodeAs[liveUpdateResp](t, w).ID
	if w := f.as(account.Author, "DELETE", updatePath(a.ID, last), ""); w.Code != http.StatusNoContent || w.Body.Len() != 0 {
		t.Errorf("DELETE: %d %s, want 204 and no body", w.Code, w.Body)
	}

	// Newest first, two a page: the pinned one in its place, the deleted
	// one nowhere.
	want := []int64{ids[3], ids[2], ids[1], ids[0], first.ID}
	var got []int64
	next := ""
	for pages := 0; pages < 5; pages++ {
		path := updatesPath(a.ID) + "?limit=2"
		if next != "" {
			path += "&before=" + next
		}
		w := f.as(account.Editor, "GET", path, "")
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
		}
		page := decodeAs[liveUpdatePageResp](t, w)
		for _, u := range page.Updates {
			got = append(got, u.ID)
		}
		if page.Next == nil {
			break
		}
		next = *page.Next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("listed %v, want %v", got, want)
	}

	w = f.as(account.Author, "GET", updatePath(a.ID, first.ID), "")
	if one := decodeAs[liveUpdateResp](t, w); w.Code != http.StatusOK || one.ID != first.ID || one.Headline != "Bridge shut" {
		t.Errorf("GET one: %d %s", w.Code, w.Body)
	}
	wantError(t, "a deleted update", f.as(account.Author, "GET", updatePath(a.ID, last), ""), http.StatusNotFound, "not_found")
	wantError(t, "deleted again", f.as(account.Author, "DELETE", updatePath(a.ID, last), ""), http.StatusNotFound, "not_found")
	otherBlog := f.create(account.Author, story("Flood live", `"live_blog":true`))
	wantError(t, "through another live blog", f.as(account.Author, "GET", updatePath(otherBlog.ID, first.ID), ""), http.StatusNotFound, "not_found")
	wantError(t, "a cursor of another live blog", f.as(account.Author, "GET", updatesPath(otherBlog.ID)+"?before="+fmt.Sprint(first.ID), ""),
		http.StatusBadRequest, "bad_request")
	wantError(t, "an update id that is no number", f.as(account.Author, "GET", updatesPath(a.ID)+"/x", ""), http.StatusNotFound, "not_found")

	actions := f.auditActions()
	if actions["live.post"] != 6 || actions["live.delete"] != 1 {
		t.Errorf("audit log %v, want six posts and a deletion", actions)
	}
}

// What the composer refuses the API refuses, naming each field, and
// nothing is stored; only whoever may publish the live blog may write to
// it.
func TestLiveUpdateRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.create(account.Author, story("Storm live", `"live_blog":true`))
	plain := f.create(account.Author, story("Plain story"))
	for _, tt := range []struct {
		name, body string
		role       account.Role
		article    int64
		status     int
		code       string
		fields     []string
	}{
		{"no body", `{"headline":"` + strings.Repeat("h", 201) + `","authors":["ghost"]}`, account.Author, a.ID,
			http.StatusUnprocessableEntity, "invalid", []string{"body", "headline", "authors"}},
		{"too many bylines", `{"body":"x y","authors":["ada","bo","ada-2","bo-2","ada-3"]}`, account.Author, a.ID,
			http.StatusUnprocessableEntity, "invalid", []string{"authors"}},
		{"a body too long", `{"body":"` + strings.Repeat("ж", 10_001) + `"}`, account.Author, a.ID, http.StatusUnprocessableEntity, "invalid", []string{"body"}},
		{"an unknown field", `{"body":"x y","sticky":true}`, account.Author, a.ID, http.StatusBadRequest, "bad_request", []string{"sticky"}},
		{"a wrong type", `{"body":"x y","pinned":"yes"}`, account.Author, a.ID, http.StatusBadRequest, "bad_request", []string{"pinned"}},
		{"not a live blog", `{"body":"x y"}`, account.Author, plain.ID, http.StatusUnprocessableEntity, "invalid", nil},
		{"a contributor", `{"body":"x y"}`, account.Contributor, a.ID, http.StatusForbidden, "forbidden", nil},
		{"no such article", `{"body":"x y"}`, account.Author, 999, http.StatusNotFound, "not_found", nil},
	} {
		for _, slug := range []string{"ada-2", "bo-2", "ada-3"} {
			if _, err := f.db.AuthorBySlug(ctx, slug); err != nil {
				must(t, f.db.CreateAuthor(ctx, &article.Author{Slug: slug, Name: slug}))
			}
		}
		e := wantError(t, tt.name, f.as(tt.role, "POST", updatesPath(tt.article), tt.body), tt.status, tt.code)
		for _, field := range tt.fields {
			if e.Error.Fields[field] == "" {
				t.Errorf("%s: fields %v, want one naming %s", tt.name, e.Error.Fields, field)
			}
		}
	}
	page := decodeAs[liveUpdatePageResp](t, f.as(account.Author, "GET", updatesPath(a.ID), ""))
	if len(page.Updates) != 0 {
		t.Errorf("%d updates stored after refusals", len(page.Updates))
	}
	wantError(t, "listing a plain story", f.as(account.Author, "GET", updatesPath(plain.ID), ""), http.StatusUnprocessableEntity, "invalid")

	// An author writes to their own live blog only.
	editors := f.create(account.Editor, story("Editor's live", `"live_blog":true`))
	up := f.postUpdate(account.Editor, editors.ID, `{"body":"Roads shut."}`)
	wantError(t, "an author posts to another's", f.as(account.Author, "POST", updatesPath(editors.ID), `{"body":"x y"}`), http.StatusForbidden, "forbidden")
	wantError(t, "an author reads another's", f.as(account.Author, "GET", updatePath(editors.ID, up.ID), ""), http.StatusForbidden, "forbidden")
	wantError(t, "an author deletes another's", f.as(account.Author, "DELETE", updatePath(editors.ID, up.ID), ""), http.StatusForbidden, "forbidden")
}

// An edit names the version it started from: a stale one is a 409 that
// carries the update as stored, and changes nothing; fields left out
// keep their value.
func TestLiveUpdateEdit(t *testing.T) {
	f := newFixture(t)
	a := f.create(account.Author, story("Storm live", `"live_blog":true`))
	up := f.postUpdate(account.Author, a.ID, `{"headline":"Power cut","body":"Power cut in Eastgate.","authors":["ada"],"pinned":true}`)
	f.advance(time.Minute)
	w := f.as(account.Editor, "PATCH", updatePath(a.ID, up.ID), `{"version":1,"body":"Power cut in Eastgate and Northside."}`)
	edited := decodeAs[liveUpdateResp](t, w)
	if w.Code != http.StatusOK || edited.Version != 2 || edited.Body != "Power cut in Eastgate and Northside." || edited.Headline != "Power cut" ||
		!edited.Pinned || len(edited.Authors) != 1 || edited.EditedAt == nil || !edited.EditedAt.Equal(f.clock()) {
		t.Fatalf("edited: %d %s", w.Code, w.Body)
	}

	w = f.as(account.Author, "PATCH", updatePath(a.ID, up.ID), `{"version":1,"body":"Power back in Eastgate."}`)
	e := wantError(t, "a stale edit", w, http.StatusConflict, "conflict")
	if e.Error.Fields["version"] != "stale" || !strings.Contains(e.Error.Message, "version 2") {
		t.Errorf("stale edit: %+v", e.Error)
	}
	current := decodeAs[struct {
		Error struct {
			Current liveUpdateResp `json:"current"`
		} `json:"error"`
	}](t, w).Error.Current
	if current.ID != up.ID || current.Version != 2 || current.Body != "Power cut in Eastgate and Northside." {
		t.Errorf("current = %+v, want the editor's version 2", current)
	}
	e = wantError(t, "no version", f.as(account.Author, "PATCH", updatePath(a.ID, up.ID), `{"body":"x y"}`), http.StatusUnprocessableEntity, "invalid")
	if e.Error.Fields["version"] == "" {
		t.Errorf("no version: fields %v, want version named", e.Error.Fields)
	}
	w = f.as(account.Author, "GET", updatePath(a.ID, up.ID), "")
	if got := decodeAs[liveUpdateResp](t, w); got.Version != 2 || got.Body != edited.Body {
		t.Errorf("after refusals: %+v, want the editor's version unchanged", got)
	}
	w = f.as(account.Author, "PATCH", updatePath(a.ID, up.ID), `{"version":2,"pinned":false,"headline":""}`)
	if got := decodeAs[liveUpdateResp](t, w); w.Code != http.StatusOK || got.Pinned || got.Headline != "" || got.Body != edited.Body {
		t.Errorf("unpinned: %d %s", w.Code, w.Body)
	}
}

// The Content API lists a published live blog's updates, rendered and
// sanitised (raw HTML dropped) as on its page, and nothing of one readers
// cannot see.
func TestPublicLiveUpdates(t *testing.T) {
	f := newFixture(t)
	a := f.create(account.Editor, story("Storm live", `"live_blog":true`))
	path := fmt.Sprintf("/api/v1/live-blogs/%d/updates", a.ID)
	f.postUpdate(account.Editor, a.ID, `{"body":"The bridge is *shut* & <b>closed</b>.","authors":["ada"]}`)
	wantError(t, "a draft live blog", f.get(path), http.StatusNotFound, "not_found")
	f.as(account.Editor, "POST", fmt.Sprintf("/api/v1/admin/articles/%d/publish", a.ID), "")
	f.advance(time.Minute)
	gone := f.postUpdate(account.Editor, a.ID, `{"body":"Soon gone."}`)
	f.as(account.Editor, "DELETE", updatePath(a.ID, gone.ID), "")
	f.advance(time.Minute)
	f.postUpdate(account.Editor, a.ID, `{"headline":"Power back","body":"Power is back."}`)

	w := f.get(path + "?limit=1")
	if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != contentCache || w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("GET %s: %d %v\n%s", path, w.Code, w.Header(), w.Body)
	}
	page := decodeAs[liveUpdatePageResp](t, w)
	if len(page.Updates) != 1 || page.Updates[0].Headline != "Power back" || page.Next == nil {
		t.Fatalf("first page: %s", w.Body)
	}
	page = decodeAs[liveUpdatePageResp](t, f.get(path+"?limit=1&before="+*page.Next))
	if len(page.Updates) != 1 || page.Next != nil {
		t.Fatalf("second page: %+v, want the first update and no more", page)
	}
	u := page.Updates[0]
	if u.BodyHTML == nil || *u.BodyHTML != "<p>The bridge is <em>shut</em> &amp; closed.</p>\n" ||
		u.Text == nil || *u.Text != "The bridge is shut & closed." || u.Body != "" || u.Version != 0 {
		t.Errorf("rendered: html %q, text %q, body %q, version %d", deref(u.BodyHTML), deref(u.Text), u.Body, u.Version)
	}

	plain := f.create(account.Editor, story("Plain", `"status":"published"`))
	wantError(t, "an article that is no live blog", f.get(fmt.Sprintf("/api/v1/live-blogs/%d/updates", plain.ID)), http.StatusNotFound, "not_found")
	wantError(t, "no article", f.get("/api/v1/live-blogs/999/updates"), http.StatusNotFound, "not_found")
	wantError(t, "a made-up cursor", f.get(path+"?before=abc"), http.StatusBadRequest, "bad_request")
	f.as(account.Editor, "DELETE", fmt.Sprintf("/api/v1/admin/articles/%d", a.ID), "")
	wantError(t, "an unpublished live blog", f.get(path), http.StatusNotFound, "not_found")
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
