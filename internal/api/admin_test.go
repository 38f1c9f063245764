package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
)

func TestCreateResponse(t *testing.T) {
	f := newFixture(t)
	w := f.as(account.Editor, "POST", "/api/v1/admin/articles", story("Council votes on depot", `"tags":["Housing","housing"]`))
	if w.Code != http.StatusCreated {
		t.Fatalf("status = %d, want 201\n%s", w.Code, w.Body)
	}
	a := decodeAs[articleResp](t, w)
	if a.ID == 0 || a.Slug != "council-votes-on-depot" || a.Status != "draft" || a.Version != 1 {
		t.Errorf("created = %+v, want id, slug council-votes-on-depot, status draft, version 1", a)
	}
	if want := baseURL + "/city/council-votes-on-depot"; a.URL != want {
		t.Errorf("url = %q, want %q", a.URL, want)
	}
	if got, want := w.Header().Get("Location"), "/api/v1/admin/articles/"+strconv.FormatInt(a.ID, 10); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if len(a.Tags) != 1 || a.Tags[0].Slug != "housing" {
		t.Errorf("tags = %+v, want one: housing", a.Tags)
	}
}

func TestCreateByRole(t *testing.T) {
	future := `"publish_at":"2026-06-02T06:00:00Z"`
	tests := []struct {
		name       string
		role       account.Role
		extra      string
		status     int
		wantStatus string
	}{
		{"contributor writes a draft", account.Contributor, `"status":"draft"`, http.StatusCreated, "draft"},
		{"contributor cannot publish", account.Contributor, `"status":"published"`, http.StatusForbidden, ""},
		{"contributor cannot schedule", account.Contributor, `"status":"scheduled",` + future, http.StatusForbidden, ""},
		{"author publishes own", account.Author, `"status":"published"`, http.StatusCreated, "published"},
		{"author schedules own", account.Author, `"status":"scheduled",` + future, http.StatusCreated, "scheduled"},
		{"editor publishes", account.Editor, `"status":"published"`, http.StatusCreated, "published"},
		{"status defaults to draft", account.Author, `"language":"en"`, http.StatusCreated, "draft"},
	}
	for _, tt := range tests {
		f := newFixture(t)
		w := f.as(tt.role, "POST", "/api/v1/admin/articles", story("A story", tt.extra))
		if tt.status != http.StatusCreated {
			wantError(t, tt.name, w, tt.status, "forbidden")
			list, err := f.db.AdminArticles(context.Background(), article.AdminQuery{})
			must(t, err)
			if len(list) != 0 {
				t.Errorf("%s: %d articles stored after a refusal, want none", tt.name, len(list))
			}
			continue
		}
		if w.Code != tt.status {
			t.Errorf("%s: status = %d, want %d\n%s", tt.name, w.Code, tt.status, w.Body)
			continue
		}
		if got := decodeAs[articleResp](t, w).Status; got != tt.wantStatus {
			t.Errorf("%s: article status = %q, want %q", tt.name, got, tt.wantStatus)
		}
	}
}

func TestPublishRules(t *testing.T) {
	f := newFixture(t)
	contributors := f.create(account.Contributor, story("Contributor story"))
	authors := f.create(account.Author, story("Author story"))
	path := func(a articleResp, action string) string {
		return "/api/v1/admin/articles/" + strconv.FormatInt(a.ID, 10) + "/" + action
	}
	tests := []struct {
		name   string
		role   account.Role
		path   string
		status int
	}{
		{"contributor cannot publish own", account.Contributor, path(contributors, "publish"), http.StatusForbidden},
		{"author cannot publish others'", account.Author, path(contributors, "publish"), http.StatusForbidden},
		{"author publishes own", account.Author, path(authors, "publish"), http.StatusOK},
		{"editor publishes others'", account.Editor, path(contributors, "publish"), http.StatusOK},
		{"contributor cannot unpublish", account.Contributor, path(contributors, "unpublish"), http.StatusForbidden},
		{"author cannot unpublish others'", account.Author, path(contributors, "unpublish"), http.StatusForbidden},
		{"editor unpublishes others'", account.Editor, path(authors, "unpublish"), http.StatusOK},
	}
	for _, tt := range tests {
		w := f.as(tt.role, "POST", tt.path, "")
		if tt.status == http.StatusForbidden {
			wantError(t, tt.name, w, tt.status, "forbidden")
		} else if w.Code != tt.status {
			t.Errorf("%s: status = %d, want %d\n%s", tt.name, w.Code, tt.status, w.Body)
		}
	}
	got := decodeAs[articleResp](t, f.as(account.Editor, "GET", "/api/v1/admin/articles/"+strconv.FormatInt(contributors.ID, 10), ""))
	if got.Status != "published" {
		t.Errorf("contributor's story after the editor published it: status %q", got.Status)
	}
}

func TestScheduledIsInvisibleUntilDue(t *testing.T) {
	f := newFixture(t)
	at := f.clock().Add(2 * time.Hour)
	a := f.create(account.Editor, story("Embargoed budget", `"status":"scheduled"`, `"publish_at":"`+at.Format(time.RFC3339)+`"`))
	if a.Status != "scheduled" || a.PublishedAt == nil || !a.PublishedAt.Equal(at) {
		t.Fatalf("created = %+v, want scheduled for %v", a, at)
	}
	id := strconv.FormatInt(a.ID, 10)
	visible := func() map[string]bool {
		list := decodeAs[struct{ Articles []articleResp }](t, f.get("/api/v1/articles"))
		inList := false
		for _, x := range list.Articles {
			inList = inList || x.ID == a.ID
		}
		return map[string]bool{
			"list":    inList,
			"by id":   f.get("/api/v1/articles/"+id).Code == http.StatusOK,
			"by slug": f.get("/api/v1/articles/by-slug/"+a.Slug).Code == http.StatusOK,
		}
	}
	for where, seen := range visible() {
		if seen {
			t.Errorf("before its time: visible %s", where)
		}
	}
	f.advance(time.Hour)
	if ids, err := f.svc.PublishDue(context.Background()); err != nil || len(ids) != 0 {
		t.Errorf("an hour early: published %v, %v", ids, err)
	}
	f.advance(time.Hour)
	if ids, err := f.svc.PublishDue(context.Background()); err != nil || len(ids) != 1 {
		t.Fatalf("at its time: published %v, %v", ids, err)
	}
	for where, seen := range visible() {
		if !seen {
			t.Errorf("after its time: not visible %s", where)
		}
	}
}

func TestScheduleNeedsAFutureTime(t *testing.T) {
	f := newFixture(t)
	past := f.clock().Add(-time.Minute).Format(time.RFC3339)
	tests := []struct {
		name  string
		extra string
		field string
	}{
		{"scheduled without publish_at", `"status":"scheduled"`, "publish_at"},
		{"scheduled in the past", `"status":"scheduled","publish_at":"` + past + `"`, "publish_at"},
		{"scheduled now", `"status":"scheduled","publish_at":"` + f.clock().Format(time.RFC3339) + `"`, "publish_at"},
		{"publish_at not RFC 3339", `"status":"scheduled","publish_at":"tomorrow 6am"`, "publish_at"},
		{"publish_at without scheduled", `"status":"published","publish_at":"2027-01-01T00:00:00Z"`, "publish_at"},
		{"unknown status", `"status":"live"`, "status"},
	}
	for _, tt := range tests {
		w := f.as(account.Editor, "POST", "/api/v1/admin/articles", story("A story", tt.extra))
		e := wantError(t, tt.name, w, http.StatusUnprocessableEntity, "invalid")
		if e.Error.Fields[tt.field] == "" {
			t.Errorf("%s: fields = %v, want %q", tt.name, e.Error.Fields, tt.field)
		}
	}
	a := f.create(account.Editor, story("Later"))
	w := f.as(account.Editor, "POST", "/api/v1/admin/articles/"+strconv.FormatInt(a.ID, 10)+"/publish", `{"publish_at":"`+past+`"}`)
	wantError(t, "publish endpoint with a past time", w, http.StatusUnprocessableEntity, "invalid")
}

func TestValidation(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		body   string
		fields []string
	}{
		{"everything missing", `{}`, []string{"headline", "section"}},
		{"unknown section and author", `{"headline":"A","section":"weather","authors":["nobody"]}`, []string{"section", "authors"}},
		{"bad slug", `{"headline":"A","section":"city","slug":"Not A Slug"}`, []string{"slug"}},
	}
	for _, tt := range tests {
		e := wantError(t, tt.name, f.as(account.Editor, "POST", "/api/v1/admin/articles", tt.body), http.StatusUnprocessableEntity, "invalid")
		for _, field := range tt.fields {
			if e.Error.Fields[field] == "" {
				t.Errorf("%s: fields = %v, want %q", tt.name, e.Error.Fields, field)
			}
		}
	}
	f.create(account.Editor, story("Same slug"))
	e := wantError(t, "slug taken", f.as(account.Editor, "POST", "/api/v1/admin/articles", story("Same slug")), http.StatusConflict, "conflict")
	if e.Error.Fields["slug"] == "" {
		t.Errorf("slug taken: fields = %v, want slug", e.Error.Fields)
	}
}

func TestPatch(t *testing.T) {
	f := newFixture(t)
	a := f.create(account.Author, story("First headline"))
	path := "/api/v1/admin/articles/" + strconv.FormatInt(a.ID, 10)

	w := f.as(account.Author, "PATCH", path, `{"version":1,"headline":"Second headline"}`)
	if w.Code != http.StatusOK {
		t.Fatalf("patch: %d %s", w.Code, w.Body)
	}
	if got := decodeAs[articleResp](t, w); got.Headline != "Second headline" || got.Version != 2 || got.Slug != "first-headline" || *got.Body != "Councillors voted." {
		t.Errorf("patched = %+v, want new headline, version 2, slug and body kept", got)
	}

	e := wantError(t, "stale version", f.as(account.Author, "PATCH", path, `{"version":1,"headline":"Third headline"}`), http.StatusConflict, "conflict")
	if e.Error.Current == nil || e.Error.Current.Version != 2 || e.Error.Current.Headline != "Second headline" {
		t.Errorf("conflict current = %+v, want version 2 with the second headline", e.Error.Current)
	}
	stored, err := f.db.ArticleByID(context.Background(), a.ID)
	must(t, err)
	if stored.Headline != "Second headline" {
		t.Errorf("stored headline after the conflict = %q, want it unchanged", stored.Headline)
	}
	// The message names the version sent and the one stored, the right
	// way round, whether the client is behind or ahead.
	if want := "you sent version 1, but someone else has saved this article since: it is now at version 2 (see current)"; e.Error.Message != want {
		t.Errorf("stale message = %q, want %q", e.Error.Message, want)
	}
	e = wantError(t, "stale version, status only", f.as(account.Author, "PATCH", path, `{"version":1,"status":"published"}`), http.StatusConflict, "conflict")
	if want := "you sent version 1, but someone else has saved this article since: it is now at version 2 (see current)"; e.Error.Message != want {
		t.Errorf("stale message, status only = %q, want %q", e.Error.Message, want)
	}
	e = wantError(t, "future version", f.as(account.Author, "PATCH", path, `{"version":5,"headline":"x"}`), http.StatusConflict, "conflict")
	if want := "you sent version 5, which this article has not reached: it is at version 2 (see current)"; e.Error.Message != want {
		t.Errorf("future version message = %q, want %q", e.Error.Message, want)
	}
	wantError(t, "no version", f.as(account.Author, "PATCH", path, `{"headline":"x"}`), http.StatusUnprocessableEntity, "invalid")
	wantError(t, "version zero", f.as(account.Author, "PATCH", path, `{"version":0,"headline":"x"}`), http.StatusUnprocessableEntity, "invalid")
	wantError(t, "contributor edits another's", f.as(account.Contributor, "PATCH", path, `{"version":2,"headline":"x"}`), http.StatusForbidden, "forbidden")

	w = f.as(account.Author, "PATCH", path, `{"version":2,"body":"New text.","status":"published"}`)
	if got := decodeAs[articleResp](t, w); w.Code != http.StatusOK || got.Status != "published" || *got.Body != "New text." {
		t.Errorf("edit and publish: %d %+v", w.Code, got)
	}
	wantError(t, "published back to draft", f.as(account.Author, "PATCH", path, `{"version":4,"status":"draft"}`), http.StatusUnprocessableEntity, "invalid")
	later := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	wantError(t, "schedule a published article", f.as(account.Author, "PATCH", path, `{"version":4,"headline":"Changed","status":"scheduled","publish_at":"`+later+`"}`),
		http.StatusUnprocessableEntity, "invalid")
	if stored, _ := f.db.ArticleByID(context.Background(), a.ID); stored.Headline == "Changed" || stored.Version != 4 {
		t.Errorf("a refused schedule changed the article: %q v%d", stored.Headline, stored.Version)
	}
	// Fields a PATCH does not name keep their value, comments_closed too.
	w = f.as(account.Author, "PATCH", path, `{"version":4,"comments_closed":true}`)
	if got := decodeAs[articleResp](t, w); w.Code != http.StatusOK || !got.CommentsClosed {
		t.Fatalf("close comments: %d %s", w.Code, w.Body)
	}
	w = f.as(account.Author, "PATCH", path, `{"version":5,"standfirst":"Only this."}`)
	if got := decodeAs[articleResp](t, w); w.Code != http.StatusOK || !got.CommentsClosed {
		t.Errorf("a PATCH of the standfirst reopened comments: %d %s", w.Code, w.Body)
	}

	// A contributor's status change is refused before the text is saved.
	c := f.create(account.Contributor, story("Contributor draft"))
	cpath := "/api/v1/admin/articles/" + strconv.FormatInt(c.ID, 10)
	wantError(t, "contributor edits and publishes", f.as(account.Contributor, "PATCH", cpath, `{"version":1,"headline":"Sneaky","status":"published"}`), http.StatusForbidden, "forbidden")
	if stored, _ := f.db.ArticleByID(context.Background(), c.ID); stored.Headline != "Contributor draft" || stored.Version != 1 {
		t.Errorf("after the refusal: %q version %d, want unchanged", stored.Headline, stored.Version)
	}
}

func TestDeleteTakesOfflineWithoutErasing(t *testing.T) {
	f := newFixture(t)
	a := f.create(account.Editor, story("Retracted", `"status":"published"`))
	id := strconv.FormatInt(a.ID, 10)
	if w := f.get("/api/v1/articles/" + id); w.Code != http.StatusOK {
		t.Fatalf("published article: %d", w.Code)
	}
	wantError(t, "contributor deletes", f.as(account.Contributor, "DELETE", "/api/v1/admin/articles/"+id, ""), http.StatusForbidden, "forbidden")
	w := f.as(account.Editor, "DELETE", "/api/v1/admin/articles/"+id, "")
	if got := decodeAs[articleResp](t, w); w.Code != http.StatusOK || got.Status != "unpublished" {
		t.Errorf("delete: %d %+v, want 200 and status unpublished", w.Code, got)
	}
	wantError(t, "content API after delete", f.get("/api/v1/articles/"+id), http.StatusNotFound, "not_found")
	w = f.as(account.Editor, "GET", "/api/v1/admin/articles/"+id, "")
	if got := decodeAs[articleResp](t, w); w.Code != http.StatusOK || got.Headline != "Retracted" {
		t.Errorf("admin API after delete: %d %+v, want the article still there", w.Code, got)
	}
	wantError(t, "delete a draft", f.as(account.Editor, "DELETE", "/api/v1/admin/articles/"+strconv.FormatInt(f.create(account.Editor, story("Draft")).ID, 10), ""),
		http.StatusUnprocessableEntity, "invalid")
}

func TestUnpublishWithReplacement(t *testing.T) {
	f := newFixture(t)
	old := f.create(account.Editor, story("Old version", `"status":"published"`))
	repl := f.create(account.Editor, story("New version", `"status":"published"`))
	path := "/api/v1/admin/articles/" + strconv.FormatInt(old.ID, 10) + "/unpublish"
	wantError(t, "replacement is itself", f.as(account.Editor, "POST", path, fmt.Sprintf(`{"replacement_id":%d}`, old.ID)), http.StatusUnprocessableEntity, "invalid")
	w := f.as(account.Editor, "POST", path, fmt.Sprintf(`{"replacement_id":%d}`, repl.ID))
	if w.Code != http.StatusOK {
		t.Fatalf("unpublish: %d %s", w.Code, w.Body)
	}
	stored, err := f.db.ArticleByID(context.Background(), old.ID)
	must(t, err)
	if stored.Status != article.Unpublished || stored.ReplacedBy != repl.ID {
		t.Errorf("stored = %s replaced by %d, want unpublished replaced by %d", stored.Status, stored.ReplacedBy, repl.ID)
	}
}

func TestAdminListSeesOwnWorkOrAll(t *testing.T) {
	f := newFixture(t)
	f.create(account.Contributor, story("Mine"))
	f.create(account.Editor, story("Editor's", `"status":"published"`))
	f.create(account.Editor, story("Scheduled", `"status":"scheduled"`, `"publish_at":"2027-01-01T00:00:00Z"`))
	type list struct {
		Articles []articleResp
		Next     *string
	}
	tests := []struct {
		name  string
		role  account.Role
		query string
		want  int
	}{
		{"contributor sees own", account.Contributor, "", 1},
		{"editor sees all", account.Editor, "", 3},
		{"status filter", account.Editor, "?status=scheduled", 1},
		{"section filter", account.Editor, "?section=sport", 0},
		{"author filter", account.Editor, "?author=ada", 3},
		{"search", account.Editor, "?q=mine", 1},
	}
	for _, tt := range tests {
		w := f.as(tt.role, "GET", "/api/v1/admin/articles"+tt.query, "")
		if got := decodeAs[list](t, w); w.Code != http.StatusOK || len(got.Articles) != tt.want {
			t.Errorf("%s: %d with %d articles, want %d", tt.name, w.Code, len(got.Articles), tt.want)
		}
	}
	wantError(t, "unknown status", f.as(account.Editor, "GET", "/api/v1/admin/articles?status=lost", ""), http.StatusBadRequest, "bad_request")
	wantError(t, "unknown section", f.as(account.Editor, "GET", "/api/v1/admin/articles?section=weather", ""), http.StatusNotFound, "not_found")

	// Pages of two walk all three once.
	seen := map[int64]bool{}
	next := ""
	for page := 0; ; page++ {
		path := "/api/v1/admin/articles?limit=2"
		if next != "" {
			path += "&before=" + next
		}
		got := decodeAs[list](t, f.as(account.Editor, "GET", path, ""))
		for _, a := range got.Articles {
			if seen[a.ID] {
				t.Errorf("page %d: article %d seen twice", page, a.ID)
			}
			seen[a.ID] = true
		}
		if got.Next == nil {
			break
		}
		next = *got.Next
	}
	if len(seen) != 3 {
		t.Errorf("walked %d articles, want 3", len(seen))
	}
}

func TestSectionsAndAuthors(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		role   account.Role
		method string
		path   string
		body   string
		status int
		code   string
	}{
		{"editor creates a section", account.Editor, "POST", "/api/v1/admin/sections", `{"name":"Arts & Culture","description":"Reviews"}`, http.StatusCreated, ""},
		{"author cannot create a section", account.Author, "POST", "/api/v1/admin/sections", `{"name":"Weather"}`, http.StatusForbidden, "forbidden"},
		{"section slug taken", account.Editor, "POST", "/api/v1/admin/sections", `{"name":"City"}`, http.StatusConflict, "conflict"},
		{"section without a name", account.Editor, "POST", "/api/v1/admin/sections", `{"slug":"x"}`, http.StatusUnprocessableEntity, "invalid"},
		{"section with a bad slug", account.Editor, "POST", "/api/v1/admin/sections", `{"name":"X","slug":"X Y"}`, http.StatusUnprocessableEntity, "invalid"},
		{"anyone reads a section", account.Contributor, "GET", "/api/v1/admin/sections/arts-culture", "", http.StatusOK, ""},
		{"unknown section", account.Contributor, "GET", "/api/v1/admin/sections/weather", "", http.StatusNotFound, "not_found"},
		{"section slug reserved by the site", account.Editor, "POST", "/api/v1/admin/sections", `{"name":"Latest"}`, http.StatusUnprocessableEntity, "invalid"},
		{"editor creates an author", account.Editor, "POST", "/api/v1/admin/authors", `{"name":"Cy Moss","role":"Sport editor","bio":"Covers Athletic."}`, http.StatusCreated, ""},
		{"contributor cannot create an author", account.Contributor, "POST", "/api/v1/admin/authors", `{"name":"Me"}`, http.StatusForbidden, "forbidden"},
		{"author with a name of symbols", account.Editor, "POST", "/api/v1/admin/authors", `{"name":"???"}`, http.StatusUnprocessableEntity, "invalid"},
		{"anyone reads an author", account.Contributor, "GET", "/api/v1/admin/authors/cy-moss", "", http.StatusOK, ""},
	}
	for _, tt := range tests {
		w := f.as(tt.role, tt.method, tt.path, tt.body)
		if tt.code != "" {
			wantError(t, tt.name, w, tt.status, tt.code)
		} else if w.Code != tt.status {
			t.Errorf("%s: status = %d, want %d\n%s", tt.name, w.Code, tt.status, w.Body)
		}
	}
	sections := decodeAs[struct {
		Sections []struct{ Slug, URL string }
	}](t, f.get("/api/v1/sections"))
	// Position 0 sorts the new section before City (1) and Sport (2).
	if len(sections.Sections) != 3 || sections.Sections[0].Slug != "arts-culture" || sections.Sections[0].URL != baseURL+"/arts-culture" {
		t.Errorf("sections = %+v, want three, the new one first with its URL", sections.Sections)
	}
	authors := decodeAs[struct {
		Authors []struct{ Slug, Role string }
	}](t, f.as(account.Contributor, "GET", "/api/v1/admin/authors", ""))
	if len(authors.Authors) != 3 {
		t.Errorf("authors = %+v, want three", authors.Authors)
	}
}

func TestPatchStatus(t *testing.T) {
	f := newFixture(t)
	a := f.create(account.Author, story("Moving story"))
	path := "/api/v1/admin/articles/" + strconv.FormatInt(a.ID, 10)
	later := `"publish_at":"2026-06-03T06:00:00Z"`
	steps := []struct {
		name        string
		body        string
		wantStatus  string
		wantVersion int
	}{
		{"schedule a draft", `{"version":1,"status":"scheduled",` + later + `}`, "scheduled", 2},
		{"same schedule changes nothing", `{"version":2,"status":"scheduled",` + later + `}`, "scheduled", 2},
		{"reschedule", `{"version":2,"status":"scheduled","publish_at":"2026-06-04T06:00:00Z"}`, "scheduled", 3},
		{"cancel the schedule", `{"version":3,"status":"draft"}`, "draft", 4},
		{"draft stays a draft", `{"version":4,"status":"draft"}`, "draft", 4},
		{"publish", `{"version":4,"status":"published"}`, "published", 5},
	}
	for _, s := range steps {
		w := f.as(account.Author, "PATCH", path, s.body)
		got := decodeAs[articleResp](t, w)
		if w.Code != http.StatusOK || got.Status != s.wantStatus || got.Version != s.wantVersion {
			t.Errorf("%s: %d, status %q version %d, want %q version %d\n%s", s.name, w.Code, got.Status, got.Version, s.wantStatus, s.wantVersion, w.Body)
		}
	}
}
