package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
)

// Views are counted in memory for readers only, written in one batch, and
// rank the Most read lists.
func TestMostRead(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, a := publishedArticle(t, ns, "Harbour wall repairs")
	_, b := publishedArticle(t, ns, "Ferry timetable changes")
	_, c := publishedArticle(t, ns, "Lighthouse keepers return")
	const browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
	visit := func(path, ua string, n int, headers ...string) {
		for range n {
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("User-Agent", ua)
			for i := 0; i+1 < len(headers); i += 2 {
				req.Header.Set(headers[i], headers[i+1])
			}
			rec := httptest.NewRecorder()
			ns.srv.ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Fatalf("GET %s = %d", path, rec.Code)
			}
		}
	}
	visit(a, browser, 3)
	visit(c, browser, 2)
	visit(b, browser, 1)
	visit(b, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 10)
	visit(b, "curl/8.5.0", 10)
	visit(b, browser, 10, "Sec-Purpose", "prefetch")
	visit("/city/no-such-story-at-all", browser, 0)

	if list, _ := ns.db.MostRead(ctx, ns.clock.Add(-time.Hour), 5); len(list) != 0 {
		t.Fatalf("views reached the database before a flush: %d articles", len(list))
	}
	must(t, ns.srv.FlushViews(ctx))
	list, err := ns.db.MostRead(ctx, ns.clock.Add(-24*time.Hour), 5)
	must(t, err)
	var got []string
	for _, x := range list {
		got = append(got, "/city/"+x.Slug)
	}
	if strings.Join(got, " ") != strings.Join([]string{a, c, b}, " ") {
		t.Errorf("most read = %v, want %s, %s, %s (robots and prefetches not counted)", got, a, c, b)
	}
	ns.clock = ns.clock.Add(mostReadAge + time.Second) // the cached front page shows the lists it was rendered with until then
	_, home := getWith(ns, "/")
	i := strings.Index(home, "Most read")
	if i < 0 {
		t.Fatal("the front page has no Most read list")
	}
	if ia, ic, ib := strings.Index(home[i:], "Harbour wall repairs"), strings.Index(home[i:], "Lighthouse keepers return"), strings.Index(home[i:], "Ferry timetable changes"); !(ia < ic && ic < ib) {
		t.Errorf("front page Most read order: %d %d %d, want Harbour, Lighthouse, Ferry", ia, ic, ib)
	}
}

// Views are counted by article, not by address: a slug changed between a
// reader's visit and the flush keeps the views, whether the page was
// rendered for the reader or served from the cache.
func TestViewsSurviveASlugChange(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	id, path := publishedArticle(t, ns, "Harbour wall repairs")
	const browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
	for range 3 { // the first rendered, the others from the cache
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("User-Agent", browser)
		rec := httptest.NewRecorder()
		ns.srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("GET %s = %d", path, rec.Code)
		}
	}
	a, err := ns.db.ArticleByID(ctx, id)
	must(t, err)
	form := articleForm("Harbour wall repairs", a.Version)
	form.Set("slug", "harbour-wall-repairs-begin")
	form.Set("action", "publish")
	if rec := ns.do("POST", fmt.Sprintf("/admin/articles/%d", id), account.Editor, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("rename = %d", rec.Code)
	}
	if a, _ := ns.db.ArticleByID(ctx, id); a.Slug != "harbour-wall-repairs-begin" {
		t.Fatalf("slug = %q after the rename", a.Slug)
	}
	must(t, ns.srv.FlushViews(ctx))
	list, err := ns.db.MostRead(ctx, ns.clock.Add(-24*time.Hour), 5)
	must(t, err)
	if len(list) != 1 || list[0].ID != id {
		t.Fatalf("most read after the rename = %d articles, want the renamed one", len(list))
	}
}

// A flush that fails keeps its views for the next one: the periodic flush
// cut short at shutdown loses nothing.
func TestFailedFlushKeepsViews(t *testing.T) {
	ns := newNewsroom(t)
	_, a := publishedArticle(t, ns, "Harbour wall repairs")
	_, b := publishedArticle(t, ns, "Ferry timetable changes")
	visit := func(path string, n int) {
		for range n {
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
			rec := httptest.NewRecorder()
			ns.srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s = %d", path, rec.Code)
			}
		}
	}
	visit(a, 3)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ns.srv.FlushViews(cancelled); err == nil {
		t.Fatal("a flush with its context ended did not fail")
	}
	visit(b, 2)
	ctx := context.Background()
	must(t, ns.srv.FlushViews(ctx))
	list, err := ns.db.MostRead(ctx, ns.clock.Add(-time.Hour), 5)
	must(t, err)
	var got []string
	for _, x := range list {
		got = append(got, "/city/"+x.Slug)
	}
	if strings.Join(got, " ") != a+" "+b {
		t.Errorf("most read after a failed flush and a good one = %v, want %s (3 views), %s (2)", got, a, b)
	}
}
