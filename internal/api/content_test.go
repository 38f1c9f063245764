package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/store"
)

type listResp struct {
	Articles []articleResp `json:"articles"`
	Next     *string       `json:"next"`
	Prev     *string       `json:"prev"`
}

func TestContentShowsOnlyPublished(t *testing.T) {
	f := newFixture(t)
	published := f.create(account.Editor, story("Published story", `"status":"published"`, `"tags":["Harbour"]`))
	draft := f.create(account.Editor, story("Draft story", `"tags":["Mayor resigns"]`))
	scheduled := f.create(account.Editor, story("Scheduled story", `"status":"scheduled"`, `"publish_at":"2026-06-09T06:00:00Z"`))
	gone := f.create(account.Editor, story("Withdrawn story", `"status":"published"`))
	if w := f.as(account.Editor, "DELETE", "/api/v1/admin/articles/"+strconv.FormatInt(gone.ID, 10), ""); w.Code != http.StatusOK {
		t.Fatalf("unpublish: %d %s", w.Code, w.Body)
	}

	list := decodeAs[listResp](t, f.get("/api/v1/articles"))
	if len(list.Articles) != 1 || list.Articles[0].ID != published.ID {
		t.Errorf("list = %+v, want only the published story", list.Articles)
	}
	for _, a := range []articleResp{draft, scheduled, gone} {
		for _, path := range []string{"/api/v1/articles/" + strconv.FormatInt(a.ID, 10), "/api/v1/articles/by-slug/" + a.Slug} {
			e := wantError(t, a.Headline+" at "+path, f.get(path), http.StatusNotFound, "not_found")
			if e.Error.Message != "not found" {
				t.Errorf("%s: message %q tells more than an unknown id would", path, e.Error.Message)
			}
		}
	}
	tags := decodeAs[struct {
		Tags []struct{ Slug string }
	}](t, f.get("/api/v1/tags"))
	if len(tags.Tags) != 1 || tags.Tags[0].Slug != "harbour" {
		t.Errorf("tags = %+v, want only harbour (the draft's tag is not public)", tags.Tags)
	}
	for _, tag := range []string{"mayor-resigns", "no-such-tag"} {
		if got := decodeAs[listResp](t, f.get("/api/v1/articles?tag="+tag)); len(got.Articles) != 0 {
			t.Errorf("tag %s: %d articles, want none", tag, len(got.Articles))
		}
	}
}

func TestContentArticle(t *testing.T) {
	f := newFixture(t)
	a := f.create(account.Author, story("Ferry fares rise", `"status":"published"`, `"body":"Fares *rise* today."`, `"tags":["Ferries"]`))
	for _, path := range []string{"/api/v1/articles/" + strconv.FormatInt(a.ID, 10), "/api/v1/articles/by-slug/ferry-fares-rise"} {
		w := f.get(path)
		got := decodeAs[articleResp](t, w)
		if w.Code != http.StatusOK || got.ID != a.ID || got.URL != baseURL+"/city/ferry-fares-rise" {
			t.Errorf("%s: %d %+v", path, w.Code, got)
			continue
		}
		if got.Body == nil || *got.Body != "Fares *rise* today." || got.BodyHTML == nil || !strings.Contains(*got.BodyHTML, "<em>rise</em>") {
			t.Errorf("%s: body %v, body_html %v, want Markdown and HTML", path, got.Body, got.BodyHTML)
		}
		if len(got.Tags) != 1 || got.Tags[0].Slug != "ferries" {
			t.Errorf("%s: tags = %+v", path, got.Tags)
		}
		if strings.Contains(w.Body.String(), `"status"`) || strings.Contains(w.Body.String(), `"version"`) {
			t.Errorf("%s: the Content API shows workflow fields:\n%s", path, w.Body)
		}
		if got := w.Header().Get("Cache-Control"); got != "public, max-age=60" {
			t.Errorf("%s: Cache-Control = %q", path, got)
		}
	}
}

func TestContentFilters(t *testing.T) {
	f := newFixture(t)
	f.create(account.Editor, story("City one", `"status":"published"`, `"tags":["Harbour"]`))
	f.create(account.Editor, `{"headline":"Sport one","section":"sport","authors":["bo"],"status":"published"}`)
	tests := []struct {
		query  string
		status int
		want   int
	}{
		{"", http.StatusOK, 2},
		{"?section=city", http.StatusOK, 1},
		{"?section=sport&author=bo", http.StatusOK, 1},
		{"?section=sport&author=ada", http.StatusOK, 0},
		{"?tag=harbour", http.StatusOK, 1},
		{"?author=ada", http.StatusOK, 1},
		{"?section=weather", http.StatusNotFound, 0},
		{"?author=nobody", http.StatusNotFound, 0},
		{"?before=1-1&after=1-1", http.StatusBadRequest, 0},
		{"?limit=0", http.StatusBadRequest, 0},
	}
	for _, tt := range tests {
		w := f.get("/api/v1/articles" + tt.query)
		if w.Code != tt.status {
			t.Errorf("%s: status = %d, want %d", tt.query, w.Code, tt.status)
			continue
		}
		if got := decodeAs[listResp](t, w); tt.status == http.StatusOK && len(got.Articles) != tt.want {
			t.Errorf("%s: %d articles, want %d", tt.query, len(got.Articles), tt.want)
		}
	}
}

func TestPaginationWalksEveryArticleOnce(t *testing.T) {
	f := newFixture(t)
	const total = 25
	for i := range total {
		if i%3 == 0 {
			f.advance(30 * time.Second) // some share a second: the id breaks the tie
		}
		f.create(account.Editor, story("Story "+strconv.Itoa(i), `"status":"published"`))
	}
	walk := func(start, param string, next func(listResp) *string) []int64 {
		var ids []int64
		cursor := start
		for page := 0; page < total; page++ {
			path := "/api/v1/articles?limit=7"
			if cursor != "" {
				path += "&" + param + "=" + cursor
			}
			w := f.get(path)
			if w.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", path, w.Code, w.Body)
			}
			got := decodeAs[listResp](t, w)
			for _, a := range got.Articles {
				ids = append(ids, a.ID)
			}
			c := next(got)
			if c == nil {
				return ids
			}
			cursor = *c
		}
		t.Fatal("the walk does not end")
		return nil
	}
	older := walk("", "before", func(l listResp) *string { return l.Next })
	if len(older) != total {
		t.Errorf("walked %d articles, want %d", len(older), total)
	}
	seen := map[int64]bool{}
	for i, id := range older {
		if seen[id] {
			t.Errorf("article %d seen twice", id)
		}
		seen[id] = true
		// Created in order, so newest first means descending ids.
		if i > 0 && id >= older[i-1] {
			t.Errorf("position %d: id %d after %d, want newest first", i, id, older[i-1])
		}
	}

	// Back from the last page with prev: the same articles, none twice.
	last := decodeAs[listResp](t, f.get("/api/v1/articles?limit=7&before="+cursorOf(t, f, older[len(older)-5])))
	if last.Next != nil || last.Prev == nil || len(last.Articles) != 4 {
		t.Fatalf("last page: %d articles, next %v, prev %v", len(last.Articles), last.Next, last.Prev)
	}
	newer := walk(*last.Prev, "after", func(l listResp) *string { return l.Prev })
	if len(newer) != total-4 {
		t.Errorf("walked back %d articles, want %d", len(newer), total-4)
	}
	back := map[int64]bool{}
	for _, id := range newer {
		if back[id] {
			t.Errorf("walking back: article %d seen twice", id)
		}
		back[id] = true
	}
}

// cursorOf is the cursor of the published article id, as the API gives it.
func cursorOf(t *testing.T, f *fixture, id int64) string {
	t.Helper()
	a := decodeAs[articleResp](t, f.get("/api/v1/articles/"+strconv.FormatInt(id, 10)))
	return strconv.FormatInt(a.PublishedAt.Unix(), 10) + "-" + strconv.FormatInt(a.ID, 10)
}

func TestTagsFollowPublication(t *testing.T) {
	f := newFixture(t)
	f.create(account.Editor, story("Harbour reopens", `"status":"published"`, `"tags":["Harbour"]`))
	draft := f.create(account.Editor, story("Mayor to resign", `"tags":["Mayor resigns"]`))
	tagSlugs := func() []string {
		var slugs []string
		for _, tg := range decodeAs[struct{ Tags []struct{ Slug string } }](t, f.get("/api/v1/tags")).Tags {
			slugs = append(slugs, tg.Slug)
		}
		return slugs
	}
	if got := tagSlugs(); len(got) != 1 || got[0] != "harbour" {
		t.Fatalf("tags before = %v, want [harbour]", got)
	}

	// A tag only a draft carries answers exactly as an unknown tag,
	// whatever the cursor.
	cursor := "1780315200-1"
	for _, q := range []string{"", "&limit=5", "&before=" + cursor, "&after=" + cursor} {
		hidden, unknown := f.get("/api/v1/articles?tag=mayor-resigns"+q), f.get("/api/v1/articles?tag=no-such-tag"+q)
		if hidden.Code != http.StatusOK {
			t.Errorf("%s: draft-only tag: status %d, want 200", q, hidden.Code)
		}
		if hidden.Code != unknown.Code || hidden.Body.String() != unknown.Body.String() ||
			hidden.Header().Get("Cache-Control") != unknown.Header().Get("Cache-Control") {
			t.Errorf("%s: draft-only tag %d %s, unknown tag %d %s; want the same", q, hidden.Code, hidden.Body, unknown.Code, unknown.Body)
		}
	}

	// Publishing shows the tag at once: the list is not cached.
	path := "/api/v1/admin/articles/" + strconv.FormatInt(draft.ID, 10)
	if w := f.as(account.Editor, "POST", path+"/publish", ""); w.Code != http.StatusOK {
		t.Fatalf("publish: %d %s", w.Code, w.Body)
	}
	if got := tagSlugs(); len(got) != 2 || got[0] != "harbour" || got[1] != "mayor-resigns" {
		t.Errorf("tags after publishing = %v, want [harbour mayor-resigns] by name", got)
	}
	if got := decodeAs[listResp](t, f.get("/api/v1/articles?tag=mayor-resigns")); len(got.Articles) != 1 || got.Articles[0].ID != draft.ID {
		t.Errorf("?tag=mayor-resigns after publishing: %+v", got.Articles)
	}

	// Unpublishing hides it again, at once.
	if w := f.as(account.Editor, "DELETE", path, ""); w.Code != http.StatusOK {
		t.Fatalf("unpublish: %d %s", w.Code, w.Body)
	}
	if got := tagSlugs(); len(got) != 1 || got[0] != "harbour" {
		t.Errorf("tags after unpublishing = %v, want [harbour]", got)
	}
}

// The Content API gives the HTML stored with an article, and renders the
// body again when an earlier renderer stored it.
func TestContentArticleStoredHTML(t *testing.T) {
	f := newFixture(t)
	kept := f.create(account.Author, story("Kept fares", `"status":"published"`, `"body":"Fares *kept*."`))
	old := f.create(account.Author, story("Old fares", `"status":"published"`, `"body":"Fares *old*."`))
	ctx := context.Background()
	if err := f.db.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET body_html = '<p>as stored</p>' WHERE id = ?`, kept.ID); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx, `UPDATE articles SET body_html = '<p>from before</p>', html_of = 0 WHERE id = ?`, old.ID)
		return nil, err
	}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]string{kept.ID: "<p>as stored</p>", old.ID: "<p>Fares <em>old</em>.</p>"} {
		got := decodeAs[articleResp](t, f.get("/api/v1/articles/"+strconv.FormatInt(id, 10)))
		if got.BodyHTML == nil || strings.TrimSpace(*got.BodyHTML) != want {
			t.Errorf("article %d: body_html %v, want %q", id, got.BodyHTML, want)
		}
	}
}
