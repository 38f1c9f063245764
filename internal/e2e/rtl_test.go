package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/store/sqlite"
)

const (
	// The demo's Persian edition: its front page, a section, a story that
	// translates the English lead story, and search results that list
	// several of its stories.
	persianFront   = "/fa"
	persianSection = "/fa/شهر"
	persianLead    = "/fa/شهر/ساخت-۳۰۰-خانه-در-دپوی-تراموای-ایستگیت"
	persianSearch  = "/fa/search?q=مرو"
)

// TestAccessibilityRightToLeft runs axe-core in Chromium on the pages of
// the demo's Persian edition — its front page, a section, a story with a
// discussion and the comment and subscribe forms, search results — and
// on the newsroom of a site whose language is Persian: its sign-in page,
// the articles list, the editor of a Persian story, the settings and the
// comments awaiting moderation. Each at the width of a phone and of a
// desktop window. A right-to-left page may have no violation of any
// impact.
func TestAccessibilityRightToLeft(t *testing.T) {
	requireChromium(t)
	axe := readAxe(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	story := persianDiscussion(t, ctx, db)
	admin := createNewsroomUser(t, ctx, db, "admin@courier.example", "Ada Admin", account.Admin)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)

	// check runs axe-core on path, which must show at least one of each
	// of shows: what the page is there to check.
	check := func(path string, shows ...string) {
		t.Helper()
		for _, size := range axeSizes {
			emulateSize(t, bctx, size)
			resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+path))
			if err != nil {
				t.Fatalf("open %s: %v", path, err)
			}
			expectPage(t, bctx, resp, http.StatusOK, "")
			if dir := evaluate[string](t, bctx, `document.documentElement.dir`); dir != "rtl" {
				t.Fatalf("%s has dir=%q, want rtl", path, dir)
			}
			for _, sel := range shows {
				if len(visibleOnly(inspectAll(t, bctx, sel))) == 0 {
					t.Errorf("%s at %s width shows no %s", path, size.name, sel)
				}
			}
			found := runAxe(t, bctx, axe, path)
			for _, v := range found {
				t.Errorf("%s at %s width: %s", path, size.name, v)
			}
			if len(found) == 0 {
				t.Logf("%s at %s width: no violations", path, size.name)
			}
			problems.report(t, path)
		}
	}
	check(persianFront, selLeadCard)
	check(persianSection, "main article.card")
	check(persianLead, "li.comment.depth-0", "li.comment.depth-1", "#comment-form", "form.subscribe-form")
	check(persianSearch, "ol.search-results li")

	// The newsroom speaks the site's language: Persian, with the Persian
	// edition's stories now the main edition's.
	site, err := db.Site(ctx)
	if err != nil {
		t.Fatalf("read the site: %v", err)
	}
	site.Language, site.Editions = "fa", nil
	if err := db.SetSite(ctx, site); err != nil {
		t.Fatalf("make Persian the site's language: %v", err)
	}
	check("/admin/login", selLoginEmail)
	emulateSize(t, bctx, axeSizes[1])
	signIn(t, bctx, ts.URL, admin)
	check("/admin/articles", "main.admin-main table a[href^='/admin/articles/']")
	check(fmt.Sprintf("/admin/articles/%d", story.ID), selEditor)
	check("/admin/settings", "#language")
	check("/admin/comments", "main.admin-main input[type=checkbox]")
}

// persianDiscussion gives the Persian lead story a discussion — a comment,
// a reply to it by a reader with a Latin name, and a comment awaiting
// moderation — and returns the story.
func persianDiscussion(t *testing.T, ctx context.Context, db *sqlite.DB) *article.Article {
	t.Helper()
	return discussion(t, ctx, db, "ساخت-۳۰۰-خانه-در-دپوی-تراموای-ایستگیت",
		comment.Comment{Name: "نگار رضایی", Body: "۴۰ درصد خانه‌های **ارزان‌قیمت** کم نیست، اما ایستگاه ایستگیت هنوز سکوی دوم ندارد."},
		comment.Comment{ParentID: replyToFirst, Name: "Rosa Fenwick", Body: "موافقم. Route 7 هم هر روز ۱۵ دقیقه دیر می‌رسد."},
		comment.Comment{Name: "کاوه", Status: comment.Pending, HeldReason: "first comment from this commenter",
			Body: "پارکینگ دوچرخه با ۴۰۰ جا کافی است؟"})
}

// replyToFirst, as a comment's ParentID, makes discussion store it as a
// reply to the discussion's first comment.
const replyToFirst = -1

// discussion stores comments on the story with slug, in order, approved
// unless they say otherwise, and returns the story.
func discussion(t *testing.T, ctx context.Context, db *sqlite.DB, slug string, comments ...comment.Comment) *article.Article {
	t.Helper()
	a, err := db.ArticleBySlug(ctx, slug)
	if err != nil {
		t.Fatalf("find the story %s: %v", slug, err)
	}
	var first int64
	for i, c := range comments {
		c.ArticleID, c.Key = a.ID, fmt.Sprint("c", i)
		if c.Status == "" {
			c.Status = comment.Approved
		}
		if c.ParentID == replyToFirst {
			c.ParentID = first
		}
		if err := db.CreateComment(ctx, &c); err != nil {
			t.Fatalf("store the comment of %s on %s: %v", c.Name, slug, err)
		}
		if i == 0 {
			first = c.ID
		}
	}
	return a
}
