package e2e

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/internal/article"
	"broadsheet/internal/search"
)

// TestSearchJourney searches as a reader in a real browser: from the
// masthead box, through a search that more articles match than are
// ranked (the page says so, and its link goes back in time), to the
// section filter and a result's article page.
func TestSearchJourney(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	artifacts := t.ArtifactDir()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)

	// One more Zephyrline story than a search ranks, one a day back from
	// yesterday, beside the demo newspaper.
	sections, err := db.Sections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The English stories go in the English edition's sections: a search
	// looks in one edition, and the demo has a Persian one too.
	sections = slices.DeleteFunc(sections, func(s article.Section) bool { return s.Edition != "" })
	authors, err := db.Authors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	yesterday := time.Now().Add(-24 * time.Hour).Truncate(time.Hour)
	for i := range search.Window + 1 {
		a := &article.Article{
			Slug: fmt.Sprintf("zephyrline-timetable-%d", i), Headline: fmt.Sprintf("Zephyrline timetable for week %d", i),
			Standfirst: "The Zephyrline ferry changes its timetable again.",
			Body:       "The ferry to the islands sails an hour later from Monday, Zephyrline said.",
			Section:    sections[i%len(sections)], Authors: []article.Author{authors[0]},
			Status: article.Published, Language: "en", PublishedAt: yesterday.AddDate(0, 0, -i),
		}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)

	// The masthead box, as a reader uses it.
	if _, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+"/")); err != nil {
		t.Fatalf("open the front page: %v", err)
	}
	resp, err := chromedp.RunResponse(bctx, chromedp.SendKeys(chromedp.CSS("#masthead-q"), "Zephyrline\n"))
	if err != nil {
		t.Fatalf("search from the masthead: %v", err)
	}
	expectPage(t, bctx, resp, 200, "/search")
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS("ol.search-results"))); err != nil {
		t.Fatalf("no results for a word five hundred articles hold: %v", err)
	}
	if got := normalizeSpace(inspectOne(t, bctx, ".search-count").Text); got != "Results 1–10 of 500" {
		t.Errorf("the count says %q", got)
	}
	notice := inspectOne(t, bctx, ".search-window")
	if !notice.Visible || !strings.Contains(notice.Text, fmt.Sprintf("newest %d", search.Window)) {
		t.Errorf("the page does not say that only the newest were ranked: %+v", notice)
	}
	if marks := visibleOnly(inspectAll(t, bctx, ".search-results .snippet mark")); len(marks) == 0 || marks[0].Text != "Zephyrline" {
		t.Errorf("the passages do not mark the word searched for: %+v", marks)
	}
	// The newest story leads: all are alike, and recency decides.
	if first := inspectOne(t, bctx, ".search-results li .card-title a"); first.Text != "Zephyrline timetable for week 0" {
		t.Errorf("the first result is %q, want the newest Zephyrline story", first.Text)
	}
	screenshot(t, bctx, filepath.Join(artifacts, "search-window.png"))
	problems.report(t, "search results")

	// Earlier articles: the search ends on the day of the oldest story
	// ranked, and finds it again with the one left out.
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(".search-window a")))
	if err != nil {
		t.Fatalf("follow the link to earlier articles: %v", err)
	}
	expectPage(t, bctx, resp, 200, "/search")
	loc, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if u, err := url.Parse(loc); err != nil || u.Query().Get("to") == "" || u.Query().Get("q") != "Zephyrline" {
		t.Fatalf("the link to earlier articles goes to %s", loc)
	}
	if got := normalizeSpace(inspectOne(t, bctx, ".search-count").Text); got != "Results 1–2 of 2" {
		t.Errorf("earlier articles: the count says %q, want the two oldest stories", got)
	}
	body := pageText(t, bctx)
	for _, week := range []int{search.Window - 1, search.Window} {
		if !strings.Contains(body, fmt.Sprintf("Zephyrline timetable for week %d", week)) {
			t.Errorf("earlier articles: week %d is missing", week)
		}
	}
	if inspectOne(t, bctx, ".search-window").Visible {
		t.Error("earlier articles: two matches, yet the page says more match than are ranked")
	}
	problems.report(t, "earlier search results")

	// The section filter, from the form on the page.
	if _, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+"/search?q=tram")); err != nil {
		t.Fatalf("search for tram: %v", err)
	}
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS("details.search-filters summary")),
		chromedp.SetValue(chromedp.CSS(`select[name=section]`), "city"),
	)
	if err != nil {
		t.Fatalf("choose the City section: %v", err)
	}
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`form.search-form button[type=submit]`)))
	if err != nil {
		t.Fatalf("search with the filter: %v", err)
	}
	expectPage(t, bctx, resp, 200, "/search")
	kickers := visibleOnly(inspectAll(t, bctx, ".search-results .kicker a"))
	if len(kickers) == 0 {
		t.Fatalf("no City results for tram")
	}
	for _, k := range kickers {
		if !strings.EqualFold(k.Text, "City") {
			t.Errorf("a result from %q passed the City filter", k.Text)
		}
	}
	screenshot(t, bctx, filepath.Join(artifacts, "search-filtered.png"))

	// A result opens its article.
	title := inspectOne(t, bctx, ".search-results li .card-title a")
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(".search-results li .card-title a")))
	if err != nil {
		t.Fatalf("open the first result: %v", err)
	}
	expectPage(t, bctx, resp, 200, title.Attrs["href"])
	if h := inspectOne(t, bctx, selHeadline); h.Text != title.Text {
		t.Errorf("the article's headline is %q, the result's %q", h.Text, title.Text)
	}
	problems.report(t, "article from search")
}
