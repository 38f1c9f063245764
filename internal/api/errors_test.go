package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
)

// The fields of an invalid article are the ones the domain recorded with
// each problem, whatever its words: an error's fields are data, never read
// from its message.
func TestInvalidFieldsComeFromTheDomain(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("s", article.MaxStandfirst+1)
	w := f.as(account.Editor, "POST", "/api/v1/admin/articles", `{"standfirst":"`+long+`","section":"city","slug":"Not A Slug","authors":["nobody"],"lead_image_id":99}`)
	e := wantError(t, "invalid article", w, http.StatusUnprocessableEntity, "invalid")

	// What the domain itself says of the same article.
	a := &article.Article{Standfirst: long, Slug: "Not A Slug", Section: article.Section{ID: 1}, Status: article.Draft, Language: "en"}
	var inv *article.InvalidError
	if !errors.As(a.Validate(), &inv) {
		t.Fatal("the article should not be valid")
	}
	want := errs.Fields(inv.List())
	want["authors"] = `there is no author "nobody"`
	want["lead_image_id"] = "there is no image 99"
	if !reflect.DeepEqual(e.Error.Fields, want) {
		t.Errorf("fields = %v\nwant     %v", e.Error.Fields, want)
	}
	if list, err := f.db.AdminArticles(context.Background(), article.AdminQuery{}); err != nil || len(list) != 0 {
		t.Errorf("stored after a refusal: %d articles, %v", len(list), err)
	}

	// Words that begin with another field's name do not move a problem.
	misleading := &errs.InvalidError{}
	misleading.Add("authors", "headline writers cannot be bylined")
	misleading.Add("", "slug and section are fine; the body is not")
	rec := httptest.NewRecorder()
	h := &handler{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h.fail(rec, httptest.NewRequest("POST", "/api/v1/admin/articles", nil), misleading)
	got := decodeAs[apiErr](t, rec)
	if !reflect.DeepEqual(got.Error.Fields, map[string]string{"authors": "headline writers cannot be bylined"}) ||
		got.Error.Message != "headline writers cannot be bylined; slug and section are fine; the body is not" {
		t.Errorf("misleading words: %+v", got.Error)
	}
}

// The API speaks English whatever the site's language: a Persian site's
// newsroom says a problem in Persian, the API in the words docs/api.md
// quotes.
func TestInvalidWordsAreEnglishOnAnySite(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	site, err := f.db.Site(ctx)
	must(t, err)
	site.Language = "fa"
	must(t, f.db.SetSite(ctx, site))
	e := wantError(t, "an article without a headline", f.as(account.Editor, "POST", "/api/v1/admin/articles", `{"section":"weather"}`),
		http.StatusUnprocessableEntity, "invalid")
	if want := `there is no section "weather"; headline is required`; e.Error.Message != want {
		t.Errorf("message = %q, want %q", e.Error.Message, want)
	}
	if want := map[string]string{"headline": "headline is required", "section": `there is no section "weather"`}; !reflect.DeepEqual(e.Error.Fields, want) {
		t.Errorf("fields = %v, want %v", e.Error.Fields, want)
	}
}
