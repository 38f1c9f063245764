package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/liveblog"
)

// liveBlogArticle makes a published live blog through the editor as an
// editor and returns its id and address.
func liveBlogArticle(t *testing.T, ns *newsroomSite, headline string) (int64, string) {
	t.Helper()
	ctx := context.Background()
	id := ns.create(account.Editor, headline)
	a, _ := ns.db.ArticleByID(ctx, id)
	form := articleForm(headline, a.Version)
	form.Set("live_blog", "1")
	form.Set("action", "publish")
	if rec := ns.do("POST", fmt.Sprintf("/admin/articles/%d", id), account.Editor, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("publish the live blog = %d: %s", rec.Code, rec.Body.String())
	}
	a, _ = ns.db.ArticleByID(ctx, id)
	if !a.LiveBlog {
		t.Fatal("the editor's Live blog box was not saved")
	}
	return id, a.Path()
}

// postLive posts an update from the composer as role.
func postLive(ns *newsroomSite, id int64, role account.Role, form url.Values) *http.Response {
	return ns.do("POST", liveDeskPath(id), role, form).Result()
}

// A journalist opens the live blog from its editor, posts from the
// composer (a refused post keeps every word), finds the update listed,
// edits it, meets another journalist's edit without losing a word, and
// deletes it after a question that works without JavaScript.
func TestLiveComposer(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	editor := ns.users[account.Editor]
	editor.AuthorID = ns.authors["ada"].ID
	must(t, ns.db.UpdateUser(ctx, editor))
	id, _ := liveBlogArticle(t, ns, "Storm live")
	desk := liveDeskPath(id)

	page := ns.do("GET", fmt.Sprintf("/admin/articles/%d", id), account.Editor, nil).Body.String()
	for _, want := range []string{`name="live_blog" value="1" aria-describedby="live-blog-help" checked`, `href="` + desk + `"`,
		`action="/admin/articles/` + strconv.FormatInt(id, 10) + `/coverage"`, `value="start"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the editor lacks %s", want)
		}
	}
	page = ns.do("GET", desk, account.Editor, nil).Body.String()
	for _, want := range []string{`<form method="post" action="` + desk + `" class="live-form" id="composer">`, `<option value="ada" selected>`,
		`name="key_event"`, `name="pinned"`, "No updates yet."} {
		if !strings.Contains(page, want) {
			t.Errorf("the composer lacks %s", want)
		}
	}

	// Refused: every word kept, the problem beside its field.
	rec := ns.do("POST", desk, account.Editor, url.Values{"headline": {"Bridge <shut>"}, "body": {"  "}, "byline": {"ada"}, "key_event": {"1"}})
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `value="Bridge &lt;shut&gt;"`) ||
		!strings.Contains(body, `id="live-body-error">the update needs text</p>`) || !strings.Contains(body, `name="key_event" value="1" checked`) {
		t.Errorf("an empty update = %d, want 422 keeping the headline and flag and naming the body:\n%s", rec.Code, body)
	}
	if page, _ := ns.db.LiveUpdates(ctx, liveblog.Query{ArticleID: id}); len(page.Updates) != 0 {
		t.Fatalf("a refused update was stored: %+v", page.Updates)
	}

	resp := postLive(ns, id, account.Editor, url.Values{"headline": {"Bridge shut"}, "body": {"The **bridge** is shut."}, "byline": {"ada", ""}, "key_event": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != desk+"?notice=posted" {
		t.Fatalf("post = %d %q, want 303 back to the composer", resp.StatusCode, resp.Header.Get("Location"))
	}
	list, err := ns.db.LiveUpdates(ctx, liveblog.Query{ArticleID: id})
	must(t, err)
	if len(list.Updates) != 1 || !list.Updates[0].KeyEvent || len(list.Updates[0].Authors) != 1 {
		t.Fatalf("stored %+v, want the key event by Ada", list.Updates)
	}
	up := list.Updates[0]
	edit := liveUpdatePath(id, up.ID)
	page = ns.do("GET", desk+"?notice=posted", account.Editor, nil).Body.String()
	for _, want := range []string{"Posted: readers", `<strong>Bridge shut</strong>`, `<p>The <strong>bridge</strong> is shut.</p>`,
		`href="` + edit + `"`, `href="` + edit + `/delete"`, `href="/city/storm-live?from=` + strconv.FormatInt(up.ID, 10) + `#update-`} {
		if !strings.Contains(page, want) {
			t.Errorf("the composer's list lacks %s", want)
		}
	}

	// Two edits from one version: the second is shown both texts.
	page = ns.do("GET", edit, account.Editor, nil).Body.String()
	if !strings.Contains(page, `name="version" value="1"`) || !strings.Contains(page, `The **bridge** is shut.</textarea>`) {
		t.Errorf("the edit form does not hold the update at version 1:\n%s", page)
	}
	if rec := ns.do("POST", edit, account.Editor, url.Values{"version": {"1"}, "body": {"The bridge is shut both ways."}, "byline": {"ada"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("edit = %d: %s", rec.Code, rec.Body.String())
	}
	rec = ns.do("POST", edit, account.Admin, url.Values{"version": {"1"}, "body": {"The bridge reopens at six."}, "pinned": {"1"}})
	body = rec.Body.String()
	if rec.Code != http.StatusConflict || !strings.Contains(body, "someone else has changed this update") ||
		!strings.Contains(body, "The bridge is shut both ways.") || !strings.Contains(body, `The bridge reopens at six.</textarea>`) ||
		!strings.Contains(body, `name="version" value="2"`) || !strings.Contains(body, `name="pinned" value="1" checked`) {
		t.Errorf("stale edit = %d, want 409 with their text and mine, ready to save over version 2:\n%s", rec.Code, body)
	}
	if got, _ := ns.db.LiveUpdate(ctx, up.ID); got.Body != "The bridge is shut both ways." {
		t.Errorf("the stale edit was saved: %q", got.Body)
	}
	if page := ns.do("GET", edit, account.Editor, nil).Body.String(); !strings.Contains(page, "1 earlier version") || !strings.Contains(page, "The **bridge** is shut.") {
		t.Errorf("the edit page does not show the earlier version")
	}

	// Deleting asks first, in a form.
	page = ns.do("GET", edit+"/delete", account.Editor, nil).Body.String()
	if !strings.Contains(page, `<form method="post" action="`+edit+`/delete"`) || !strings.Contains(page, "Delete this update?") {
		t.Errorf("the question before deleting:\n%s", page)
	}
	if rec := ns.do("POST", edit+"/delete", account.Editor, url.Values{}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != desk+"?notice=deleted" {
		t.Errorf("delete = %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := ns.do("GET", edit, account.Editor, nil); rec.Code != http.StatusNotFound {
		t.Errorf("the deleted update's edit page = %d, want 404", rec.Code)
	}

	// Coverage, from the composer.
	for _, step := range []struct{ action, notice, state string }{{"start", "coverage_started", "End coverage"}, {"end", "coverage_ended", "Reopen coverage"}} {
		rec := ns.do("POST", fmt.Sprintf("/admin/articles/%d/coverage", id), account.Editor, url.Values{"action": {step.action}, "from": {"live"}})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != desk+"?notice="+step.notice {
			t.Errorf("%s coverage = %d %q", step.action, rec.Code, rec.Header().Get("Location"))
		}
		if page := ns.do("GET", desk, account.Editor, nil).Body.String(); !strings.Contains(page, step.state) {
			t.Errorf("after %s the composer does not offer %s", step.action, step.state)
		}
	}
}

// Whoever may publish the article may use its composer: not a
// contributor, not another author; an article that is no live blog has
// no composer.
func TestLiveComposerPermissions(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	live, _ := liveBlogArticle(t, ns, "Flood live")
	plain := ns.create(account.Author, "A plain story")
	authors := ns.create(account.Author, "The author's live blog")
	a, _ := ns.db.ArticleByID(ctx, authors)
	form := articleForm("The author's live blog", a.Version)
	form.Set("live_blog", "1")
	form.Set("action", "save")
	if rec := ns.do("POST", fmt.Sprintf("/admin/articles/%d", authors), account.Author, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("save = %d", rec.Code)
	}
	for _, tt := range []struct {
		name string
		path string
		role account.Role
		want int
	}{
		{"a contributor", liveDeskPath(live), account.Contributor, http.StatusForbidden},
		{"an author, on an editor's", liveDeskPath(live), account.Author, http.StatusForbidden},
		{"an author, on their own", liveDeskPath(authors), account.Author, http.StatusOK},
		{"an editor, on an author's", liveDeskPath(authors), account.Editor, http.StatusOK},
		{"no live blog", liveDeskPath(plain), account.Editor, http.StatusUnprocessableEntity},
		{"no article", liveDeskPath(plain + 100), account.Editor, http.StatusNotFound},
		{"no update", liveUpdatePath(live, 99), account.Editor, http.StatusNotFound},
		{"not an update", liveDeskPath(live) + "/x", account.Editor, http.StatusNotFound},
	} {
		if rec := ns.do("GET", tt.path, tt.role, nil); rec.Code != tt.want {
			t.Errorf("%s: GET %s = %d, want %d", tt.name, tt.path, rec.Code, tt.want)
		}
	}
	if resp := postLive(ns, live, account.Author, url.Values{"body": {"Not mine to post."}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another author's post = %d, want 403", resp.StatusCode)
	}
	if rec := ns.do("POST", fmt.Sprintf("/admin/articles/%d/coverage", live), account.Author, url.Values{"action": {"start"}}); rec.Code != http.StatusForbidden {
		t.Errorf("another author's coverage = %d, want 403", rec.Code)
	}
}

// An update someone deletes while a journalist edits it loses them
// nothing: saving shows the composer again with their text, saying what
// happened, ready to post it as a new update. Another author's deleted
// update stays out of reach, and one that never was is not found.
func TestLiveEditOfDeletedUpdate(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	id, _ := liveBlogArticle(t, ns, "Storm live")
	desk := liveDeskPath(id)
	if resp := postLive(ns, id, account.Editor, url.Values{"body": {"The bridge is shut."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("post = %d", resp.StatusCode)
	}
	list, err := ns.db.LiveUpdates(ctx, liveblog.Query{ArticleID: id})
	must(t, err)
	up := list.Updates[0]
	must(t, ns.db.DeleteLiveUpdate(ctx, id, up.ID, 0))

	rec := ns.do("POST", liveUpdatePath(id, up.ID), account.Editor, url.Values{"version": {"1"}, "headline": {"Bridge <shut>"},
		"body": {"The bridge is shut both ways."}, "byline": {"", "ada"}, "key_event": {"1"}})
	body := rec.Body.String()
	if rec.Code != http.StatusConflict {
		t.Fatalf("the edit of a deleted update = %d, want 409 with the form:\n%s", rec.Code, body)
	}
	for _, want := range []string{"Someone deleted this update while you were editing it.", `role="alert"`,
		`<form method="post" action="` + desk + `" class="live-form" id="composer">`, `value="Bridge &lt;shut&gt;"`,
		`The bridge is shut both ways.</textarea>`, `name="key_event" value="1" checked`, `<option value="ada" selected>`, ">Post</button>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the composer lacks %s", want)
		}
	}
	if strings.Contains(body, `name="version"`) {
		t.Error("the form offered to post a new update names a version")
	}
	if other := ns.do("POST", liveUpdatePath(id, up.ID+100), account.Editor, url.Values{"version": {"1"}, "body": {"x"}}); other.Code != http.StatusNotFound {
		t.Errorf("an edit of an update that never was = %d, want 404", other.Code)
	}
	if other := ns.do("POST", liveUpdatePath(id, up.ID), account.Contributor, url.Values{"version": {"1"}, "body": {"x"}}); other.Code != http.StatusForbidden {
		t.Errorf("a contributor's edit of the deleted update = %d, want 403", other.Code)
	}
}
