package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
)

type sectionResp struct {
	ID          int64  `json:"id"`
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Position    int    `json:"position"`
	URL         string `json:"url"`
}

type authorResp struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	Role string `json:"role"`
	Bio  string `json:"bio"`
	URL  string `json:"url"`
}

func TestPatchSection(t *testing.T) {
	f := newFixture(t)
	const path = "/api/v1/admin/sections/city"
	w := f.as(account.Editor, "PATCH", path, `{"name":"City & Region","description":"Council, courts, transport","position":4}`)
	got := decodeAs[sectionResp](t, w)
	if w.Code != http.StatusOK || got.Name != "City & Region" || got.Description != "Council, courts, transport" || got.Position != 4 || got.Slug != "city" {
		t.Fatalf("update: %d %+v, want the new name, description and position, slug kept", w.Code, got)
	}

	// Absent fields keep their value.
	w = f.as(account.Editor, "PATCH", path, `{"position":7}`)
	got = decodeAs[sectionResp](t, w)
	if w.Code != http.StatusOK || got.Position != 7 || got.Name != "City & Region" || got.Description != "Council, courts, transport" {
		t.Errorf("partial update: %d %+v, want position 7 and the rest kept", w.Code, got)
	}
	w = f.as(account.Editor, "PATCH", path, `{}`)
	if got := decodeAs[sectionResp](t, w); w.Code != http.StatusOK || got.Position != 7 || got.Name != "City & Region" {
		t.Errorf("empty update: %d %+v, want it unchanged", w.Code, got)
	}
	stored, err := f.db.SectionBySlug(context.Background(), "city")
	must(t, err)
	if stored.Name != "City & Region" || stored.Description != "Council, courts, transport" || stored.Position != 7 {
		t.Errorf("stored = %+v", stored)
	}

	// The slug can change; the old one is then gone.
	w = f.as(account.Editor, "PATCH", path, `{"slug":"region"}`)
	if got := decodeAs[sectionResp](t, w); w.Code != http.StatusOK || got.Slug != "region" || got.URL != baseURL+"/region" || got.Name != "City & Region" {
		t.Fatalf("slug change: %d %+v", w.Code, got)
	}
	wantError(t, "old slug after the change", f.as(account.Editor, "GET", path, ""), http.StatusNotFound, "not_found")
	if w := f.as(account.Editor, "GET", "/api/v1/admin/sections/region", ""); w.Code != http.StatusOK {
		t.Errorf("new slug: %d", w.Code)
	}
	// "" makes a slug from the name.
	w = f.as(account.Editor, "PATCH", "/api/v1/admin/sections/region", `{"name":"Town Hall","slug":""}`)
	if got := decodeAs[sectionResp](t, w); w.Code != http.StatusOK || got.Slug != "town-hall" {
		t.Errorf("slug from name: %d %+v, want town-hall", w.Code, got)
	}

	tests := []struct {
		name   string
		role   account.Role
		path   string
		body   string
		status int
		code   string
		field  string
	}{
		{"slug taken", account.Editor, "/api/v1/admin/sections/town-hall", `{"slug":"sport"}`, http.StatusConflict, "conflict", "slug"},
		{"slug reserved", account.Editor, "/api/v1/admin/sections/town-hall", `{"slug":"admin"}`, http.StatusUnprocessableEntity, "invalid", "slug"},
		{"slug malformed", account.Editor, "/api/v1/admin/sections/town-hall", `{"slug":"Town Hall"}`, http.StatusUnprocessableEntity, "invalid", "slug"},
		{"name emptied", account.Editor, "/api/v1/admin/sections/town-hall", `{"name":"  "}`, http.StatusUnprocessableEntity, "invalid", "name"},
		{"description too long", account.Editor, "/api/v1/admin/sections/town-hall", `{"description":"` + strings.Repeat("x", maxDescription+1) + `"}`, http.StatusUnprocessableEntity, "invalid", "description"},
		{"unknown field", account.Editor, "/api/v1/admin/sections/town-hall", `{"colour":"red"}`, http.StatusBadRequest, "bad_request", "colour"},
		{"position not a number", account.Editor, "/api/v1/admin/sections/town-hall", `{"position":"1"}`, http.StatusBadRequest, "bad_request", "position"},
		{"unknown section", account.Editor, "/api/v1/admin/sections/weather", `{"name":"Weather"}`, http.StatusNotFound, "not_found", ""},
		{"author may not", account.Author, "/api/v1/admin/sections/town-hall", `{"name":"Mine"}`, http.StatusForbidden, "forbidden", ""},
		{"contributor may not", account.Contributor, "/api/v1/admin/sections/town-hall", `{"name":"Mine"}`, http.StatusForbidden, "forbidden", ""},
	}
	for _, tt := range tests {
		e := wantError(t, tt.name, f.as(tt.role, "PATCH", tt.path, tt.body), tt.status, tt.code)
		if tt.field != "" && e.Error.Fields[tt.field] == "" {
			t.Errorf("%s: fields = %v, want %q named", tt.name, e.Error.Fields, tt.field)
		}
	}
	stored, err = f.db.SectionBySlug(context.Background(), "town-hall")
	must(t, err)
	if stored.Name != "Town Hall" || stored.Position != 7 {
		t.Errorf("after the refusals: %+v, want it unchanged", stored)
	}
}

func TestDeleteSection(t *testing.T) {
	f := newFixture(t)
	w := f.as(account.Editor, "POST", "/api/v1/admin/sections", `{"name":"Weather"}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	wantError(t, "author deletes", f.as(account.Author, "DELETE", "/api/v1/admin/sections/weather", ""), http.StatusForbidden, "forbidden")
	wantError(t, "contributor deletes", f.as(account.Contributor, "DELETE", "/api/v1/admin/sections/weather", ""), http.StatusForbidden, "forbidden")

	w = f.as(account.Editor, "DELETE", "/api/v1/admin/sections/weather", "")
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 {
		t.Errorf("delete unused: %d %q, want 204 and no body", w.Code, w.Body)
	}
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("204 Cache-Control = %q, want no-store", got)
	}
	wantError(t, "read after delete", f.as(account.Editor, "GET", "/api/v1/admin/sections/weather", ""), http.StatusNotFound, "not_found")
	wantError(t, "delete again", f.as(account.Editor, "DELETE", "/api/v1/admin/sections/weather", ""), http.StatusNotFound, "not_found")

	// A draft is enough to keep a section.
	f.create(account.Contributor, story("Draft in sport", `"section":"sport"`))
	e := wantError(t, "delete in use", f.as(account.Editor, "DELETE", "/api/v1/admin/sections/sport", ""), http.StatusConflict, "conflict")
	if !strings.Contains(e.Error.Message, "articles still use this section") || e.Error.Fields["slug"] != "" {
		t.Errorf("in use: error = %+v, want it to say articles use the section, not blame the slug", e.Error)
	}
	if _, err := f.db.SectionBySlug(context.Background(), "sport"); err != nil {
		t.Errorf("section after the refusal: %v", err)
	}
}

func TestPatchAuthor(t *testing.T) {
	f := newFixture(t)
	const path = "/api/v1/admin/authors/ada"
	w := f.as(account.Editor, "PATCH", path, `{"name":"Ada Reed-Lind","role":"City editor","bio":"Covers the council."}`)
	got := decodeAs[authorResp](t, w)
	if w.Code != http.StatusOK || got.Name != "Ada Reed-Lind" || got.Role != "City editor" || got.Bio != "Covers the council." || got.Slug != "ada" {
		t.Fatalf("update: %d %+v", w.Code, got)
	}
	w = f.as(account.Editor, "PATCH", path, `{"bio":""}`)
	if got := decodeAs[authorResp](t, w); w.Code != http.StatusOK || got.Bio != "" || got.Role != "City editor" || got.Name != "Ada Reed-Lind" {
		t.Errorf("partial update: %d %+v, want bio cleared and the rest kept", w.Code, got)
	}
	w = f.as(account.Editor, "PATCH", path, `{"slug":"ada-reed"}`)
	if got := decodeAs[authorResp](t, w); w.Code != http.StatusOK || got.Slug != "ada-reed" || got.URL != baseURL+"/author/ada-reed" {
		t.Fatalf("slug change: %d %+v", w.Code, got)
	}
	wantError(t, "old slug after the change", f.as(account.Editor, "GET", path, ""), http.StatusNotFound, "not_found")
	stored, err := f.db.AuthorBySlug(context.Background(), "ada-reed")
	must(t, err)
	if stored.Name != "Ada Reed-Lind" || stored.Role != "City editor" || stored.Bio != "" {
		t.Errorf("stored = %+v", stored)
	}

	tests := []struct {
		name   string
		role   account.Role
		path   string
		body   string
		status int
		code   string
		field  string
	}{
		{"slug taken", account.Editor, "/api/v1/admin/authors/ada-reed", `{"slug":"bo"}`, http.StatusConflict, "conflict", "slug"},
		{"slug malformed", account.Editor, "/api/v1/admin/authors/ada-reed", `{"slug":"-ada"}`, http.StatusUnprocessableEntity, "invalid", "slug"},
		{"role too long", account.Editor, "/api/v1/admin/authors/ada-reed", `{"role":"` + strings.Repeat("x", maxRole+1) + `"}`, http.StatusUnprocessableEntity, "invalid", "role"},
		{"name emptied", account.Editor, "/api/v1/admin/authors/ada-reed", `{"name":""}`, http.StatusUnprocessableEntity, "invalid", "name"},
		{"unknown author", account.Editor, "/api/v1/admin/authors/nobody", `{"name":"X"}`, http.StatusNotFound, "not_found", ""},
		{"author may not", account.Author, "/api/v1/admin/authors/ada-reed", `{"bio":"Me"}`, http.StatusForbidden, "forbidden", ""},
		{"contributor may not", account.Contributor, "/api/v1/admin/authors/ada-reed", `{"bio":"Me"}`, http.StatusForbidden, "forbidden", ""},
	}
	for _, tt := range tests {
		e := wantError(t, tt.name, f.as(tt.role, "PATCH", tt.path, tt.body), tt.status, tt.code)
		if tt.field != "" && e.Error.Fields[tt.field] == "" {
			t.Errorf("%s: fields = %v, want %q named", tt.name, e.Error.Fields, tt.field)
		}
	}
	if again, err := f.db.AuthorBySlug(context.Background(), "ada-reed"); err != nil || *again != *stored {
		t.Errorf("after the refusals: %+v, %v; want it unchanged", again, err)
	}
}

func TestDeleteAuthor(t *testing.T) {
	f := newFixture(t)
	wantError(t, "author deletes", f.as(account.Author, "DELETE", "/api/v1/admin/authors/bo", ""), http.StatusForbidden, "forbidden")
	wantError(t, "contributor deletes", f.as(account.Contributor, "DELETE", "/api/v1/admin/authors/bo", ""), http.StatusForbidden, "forbidden")

	w := f.as(account.Editor, "DELETE", "/api/v1/admin/authors/bo", "")
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 {
		t.Errorf("delete unused: %d %q, want 204 and no body", w.Code, w.Body)
	}
	wantError(t, "read after delete", f.as(account.Editor, "GET", "/api/v1/admin/authors/bo", ""), http.StatusNotFound, "not_found")
	wantError(t, "delete again", f.as(account.Editor, "DELETE", "/api/v1/admin/authors/bo", ""), http.StatusNotFound, "not_found")

	// Ada is on the byline of an unpublished article: that still counts.
	a := f.create(account.Editor, story("Withdrawn", `"status":"published"`))
	if w := f.as(account.Editor, "DELETE", "/api/v1/admin/articles/"+strconv.FormatInt(a.ID, 10), ""); w.Code != http.StatusOK {
		t.Fatalf("unpublish: %d %s", w.Code, w.Body)
	}
	e := wantError(t, "delete in use", f.as(account.Editor, "DELETE", "/api/v1/admin/authors/ada", ""), http.StatusConflict, "conflict")
	if !strings.Contains(e.Error.Message, "articles still use this author") || e.Error.Fields["slug"] != "" {
		t.Errorf("in use: error = %+v, want it to say articles use the author, not blame the slug", e.Error)
	}
	if _, err := f.db.AuthorBySlug(context.Background(), "ada"); err != nil {
		t.Errorf("author after the refusal: %v", err)
	}
}

// Sections take an edition the site has; articles link translations.
func TestEditionsThroughTheAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	site, err := f.db.Site(ctx)
	must(t, err)
	site.Editions = []article.Edition{{Lang: "fa"}}
	must(t, f.db.SetSite(ctx, site))
	if w := f.as(account.Editor, "POST", "/api/v1/admin/sections", `{"name":"Welt","slug":"welt","edition":"de"}`); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "edition") {
		t.Errorf("a section in a missing edition: %d %s", w.Code, w.Body)
	}
	if w := f.as(account.Editor, "POST", "/api/v1/admin/sections", `{"name":"Farsi","slug":"fa"}`); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("a main-edition section at an edition's address: %d, want 422", w.Code)
	}
	w := f.as(account.Editor, "POST", "/api/v1/admin/sections", `{"name":"جهان","slug":"jahan","edition":"fa"}`)
	sec := decodeAs[struct {
		Edition string `json:"edition"`
		URL     string `json:"url"`
	}](t, w)
	if w.Code != http.StatusCreated || sec.Edition != "fa" || sec.URL != baseURL+"/fa/jahan" {
		t.Fatalf("a Persian section: %d %+v", w.Code, sec)
	}
	original := decodeAs[articleResp](t, f.as(account.Editor, "POST", "/api/v1/admin/articles", story("Harbour reopens", `"status":"published"`)))
	w = f.as(account.Editor, "POST", "/api/v1/admin/articles",
		`{"headline":"بندر باز شد","body":"متن.","section":"jahan","authors":["ada"],"status":"published","translation_of":`+strconv.FormatInt(original.ID, 10)+`}`)
	tr := decodeAs[struct {
		TranslationOf int64  `json:"translation_of"`
		Language      string `json:"language"`
		URL           string `json:"url"`
	}](t, w)
	if w.Code != http.StatusCreated || tr.TranslationOf != original.ID || tr.Language != "fa" || !strings.HasPrefix(tr.URL, baseURL+"/fa/jahan/") {
		t.Errorf("the translation: %d %+v; want of %d, in Persian, under /fa/jahan", w.Code, tr, original.ID)
	}
	// A second Persian version of the same story is refused, naming the field.
	w = f.as(account.Editor, "POST", "/api/v1/admin/articles",
		`{"headline":"نسخهٔ دیگر","body":"متن.","section":"jahan","authors":["ada"],"translation_of":`+strconv.FormatInt(original.ID, 10)+`}`)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "translation_of") {
		t.Errorf("a second Persian version: %d %s", w.Code, w.Body)
	}
}
