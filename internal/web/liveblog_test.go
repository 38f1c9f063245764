package web

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"broadsheet/internal/article"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/webhook"
)

// liveSite is a test site with a published live blog whose coverage is
// open, its updates posted a minute apart from its publication.
type liveSite struct {
	*site
	blog *article.Article
	ups  []liveblog.Update
}

func newLiveSite(t *testing.T) *liveSite {
	t.Helper()
	s := newSite(t)
	ls := &liveSite{site: s}
	ls.blog = s.publish("city", "storm-live", "Storm: live", func(a *article.Article) {
		a.LiveBlog = true
		a.Body = "The storm reaches the coast tonight."
	})
	must(t, s.db.SetCoverage(context.Background(), ls.blog.ID, ls.blog.PublishedAt, time.Time{}))
	return ls
}

// post posts an update as if at the live blog's start plus minutes.
func (ls *liveSite) post(minutes int, u liveblog.Update) liveblog.Update {
	ls.t.Helper()
	at := ls.blog.PublishedAt.Add(time.Duration(minutes) * time.Minute)
	ls.db.SetClock(func() time.Time { return at })
	defer ls.db.SetClock(time.Now)
	u.ArticleID = ls.blog.ID
	must(ls.t, ls.db.PostLiveUpdate(context.Background(), &u))
	ls.ups = append(ls.ups, u)
	return u
}

// jsonLDOf is the page's structured data of type typ.
func jsonLDOf(t *testing.T, body, typ string) map[string]any {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindAllStringSubmatch(body, -1) {
		var obj map[string]any
		if err := json.Unmarshal([]byte(m[1]), &obj); err != nil {
			t.Fatalf("JSON-LD does not parse: %v\n%s", err, m[1])
		}
		if obj["@type"] == typ {
			return obj
		}
	}
	t.Fatalf("the page has no %s JSON-LD", typ)
	return nil
}

// A published live blog's page: "Live" while its coverage is open, the
// key events at the top, the pinned update first, then the others newest
// first with their times, bylines, headlines, text and permalinks; a
// switch to oldest first; the feed announced; LiveBlogPosting data.
func TestLiveBlogPage(t *testing.T) {
	ls := newLiveSite(t)
	first := ls.post(1, liveblog.Update{Body: "Winds reach *90 km/h*.", Authors: []article.Author{ls.authors["ada-lovelace"]}})
	bridge := ls.post(2, liveblog.Update{Headline: "Bridge shut", Body: "The bridge is shut both ways.", KeyEvent: true,
		Authors: []article.Author{ls.authors["grace-hopper"], ls.authors["ada-lovelace"]}})
	shelter := ls.post(3, liveblog.Update{Headline: "Where to shelter", Body: "The school hall is open all night.", Pinned: true})
	latest := ls.post(4, liveblog.Update{Body: "Power is cut in Eastgate."})
	id := func(u liveblog.Update) string { return strconv.FormatInt(u.ID, 10) }

	r := ls.get("/city/storm-live")
	if r.status != 200 {
		t.Fatalf("GET the live blog = %d", r.status)
	}
	r.has(t, `<span class="live-label">Live</span>`,
		`<h2 id="key-events-heading">Key events</h2>`, `<a href="#update-`+id(bridge)+`"><time`,
		`<span dir="auto">Bridge shut</span>`,
		`<a href="/city/storm-live?order=oldest#live-updates">Oldest first</a>`,
		`<article class="live-update live-pin" id="update-`+id(shelter)+`"`,
		`<a class="live-time" href="/city/storm-live?from=`+id(bridge)+`#update-`+id(bridge)+`"><time datetime="`+bridge.CreatedAt.Format(time.RFC3339)+`">`,
		`By <a href="/author/grace-hopper" rel="author"><bdi>Grace Hopper</bdi></a> and <a href="/author/ada-lovelace" rel="author"><bdi>Ada Lovelace</bdi></a>`,
		`<h3>Bridge shut</h3>`, `<p>Winds reach <em>90 km/h</em>.</p>`,
		`<link rel="alternate" type="application/atom&#43;xml" title="Storm: live: updates (Atom)" href="/city/storm-live/updates.atom">`,
		`data-stream="/city/storm-live/updates/live" data-seq="4"`, `data-first="1"`, `aria-live="polite"`)
	r.lacks(t, `rel="next"`, `rel="prev"`, "Coverage ended", "min read")
	order := []string{`id="update-` + id(shelter), `id="update-` + id(latest), `id="update-` + id(bridge), `id="update-` + id(first)}
	for i := 1; i < len(order); i++ {
		if strings.Index(r.body, order[i-1]) > strings.Index(r.body, order[i]) {
			t.Errorf("%s comes after %s: want the pinned update first, then newest first", order[i-1], order[i])
		}
	}
	if n := strings.Count(r.body, `id="update-`+id(shelter)+`"`); n != 1 {
		t.Errorf("the pinned update is on the page %d times, want once", n)
	}
	oldest := ls.get("/city/storm-live?order=oldest")
	if i, j := strings.Index(oldest.body, `id="update-`+id(first)), strings.Index(oldest.body, `id="update-`+id(latest)); i < 0 || i > j {
		t.Errorf("oldest first: the first update at %d, the latest at %d", i, j)
	}
	oldest.has(t, `<a href="/city/storm-live#live-updates">Newest first</a>`)

	// Structured data: a LiveBlogPosting whose updates are BlogPostings.
	post := jsonLDOf(t, r.body, "LiveBlogPosting")
	if post["coverageStartTime"] != ls.blog.PublishedAt.UTC().Format(time.RFC3339) || post["coverageEndTime"] != nil {
		t.Errorf("coverage %v – %v, want from the publication and open", post["coverageStartTime"], post["coverageEndTime"])
	}
	if post["headline"] != "Storm: live" || post["dateModified"] != latest.CreatedAt.UTC().Format(time.RFC3339) {
		t.Errorf("headline %v, modified %v; want the article's and the latest update's time", post["headline"], post["dateModified"])
	}
	updates, _ := post["liveBlogUpdate"].([]any)
	if len(updates) != 4 {
		t.Fatalf("liveBlogUpdate holds %d updates, want 4", len(updates))
	}
	for i, want := range []struct {
		u              liveblog.Update
		headline, body string
	}{
		{shelter, "Where to shelter", "The school hall is open all night."},
		{latest, "Power is cut in Eastgate.", "Power is cut in Eastgate."},
		{bridge, "Bridge shut", "The bridge is shut both ways."},
		{first, "Winds reach 90 km/h.", "Winds reach 90 km/h."},
	} {
		u, _ := updates[i].(map[string]any)
		if u["@type"] != "BlogPosting" || u["headline"] != want.headline || u["articleBody"] != want.body ||
			u["datePublished"] != want.u.CreatedAt.UTC().Format(time.RFC3339) ||
			u["url"] != "https://news.example.org/city/storm-live?from="+id(want.u)+"#update-"+id(want.u) {
			t.Errorf("liveBlogUpdate[%d] = %v, want a BlogPosting of %q at its permalink", i, u, want.headline)
		}
	}

	// Ended: said at the top, and in the data.
	end := ls.blog.PublishedAt.Add(time.Hour)
	must(t, ls.db.SetCoverage(context.Background(), ls.blog.ID, ls.blog.PublishedAt, end))
	r = ls.get("/city/storm-live")
	r.has(t, `<span class="live-ended">Coverage ended <time datetime="`+end.Format(time.RFC3339)+`">`)
	r.lacks(t, `<span class="live-label">`)
	if post := jsonLDOf(t, r.body, "LiveBlogPosting"); post["coverageEndTime"] != end.UTC().Format(time.RFC3339) {
		t.Errorf("coverageEndTime = %v, want %v", post["coverageEndTime"], end)
	}
	if r := ls.get("/city/storm-live?from=abc"); r.status != 404 {
		t.Errorf("a page from no update = %d, want 404", r.status)
	}
}

// Past a page of updates the page links to the next with rel=next, and
// that one back with rel=prev; an update's permalink finds it however
// far newer updates have pushed it, and the cached page is dropped when
// an update is posted.
func TestLiveBlogPagesAndPermalinks(t *testing.T) {
	ls := newLiveSite(t)
	for i := 1; i <= livePageSize+5; i++ {
		ls.post(i, liveblog.Update{Body: fmt.Sprintf("Update number %d.", i)})
	}
	r := ls.get("/city/storm-live")
	if n := strings.Count(r.body, `<article class="live-update`); n != livePageSize {
		t.Errorf("the first page shows %d updates, want %d", n, livePageSize)
	}
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">Older updates</a>`).FindStringSubmatch(r.body)
	if next == nil {
		t.Fatal("the first page has no rel=next link to older updates")
	}
	page2 := ls.get(strings.Split(strings.ReplaceAll(next[1], "&amp;", "&"), "#")[0])
	page2.has(t, "Update number 5.", "Update number 1.", `rel="prev">Newer updates</a>`)
	page2.lacks(t, "Update number 6.", `rel="next"`)

	// The first update's permalink, however far down it is.
	oldest := ls.ups[0]
	link := livePermalink(ls.blog, oldest.ID)
	ls.get(strings.Split(link, "#")[0]).has(t, `id="update-`+strconv.FormatInt(oldest.ID, 10)+`"`)
	// The page was cached; a new update drops it.
	ls.post(100, liveblog.Update{Body: "The storm passes."})
	ls.get("/city/storm-live").has(t, "The storm passes.", `data-seq="56"`)
}

// A live blog's updates are a feed in each format, which real parsers
// read, newest first, announced on its page; an article that is no live
// blog has none.
func TestLiveBlogFeeds(t *testing.T) {
	ls := newLiveSite(t)
	ls.post(1, liveblog.Update{Body: "Winds reach **90 km/h**.", Authors: []article.Author{ls.authors["ada-lovelace"]}})
	ls.post(2, liveblog.Update{Headline: "Bridge shut", Body: "The bridge is shut.", Pinned: true})
	parser := gofeed.NewParser()
	for _, ext := range []string{"rss", "atom", "json"} {
		r := ls.get("/city/storm-live/updates." + ext)
		if r.status != 200 {
			t.Fatalf("updates.%s = %d", ext, r.status)
		}
		f, err := parser.ParseString(r.body)
		if err != nil {
			t.Fatalf("updates.%s does not parse: %v", ext, err)
		}
		if f.Title != "Storm: live: updates" || len(f.Items) != 2 || f.Items[0].Title != "Bridge shut" || f.Items[1].Title != "Winds reach 90 km/h." {
			t.Errorf("updates.%s: %q, %d items", ext, f.Title, len(f.Items))
			continue
		}
		if !strings.Contains(f.Items[1].Content, "<strong>90 km/h</strong>") || f.Items[1].Description != "Winds reach 90 km/h." ||
			!strings.HasPrefix(f.Items[1].Link, "https://news.example.org/city/storm-live?from=") {
			t.Errorf("updates.%s item = %+v", ext, f.Items[1])
		}
		if r2 := ls.get("/city/storm-live/updates."+ext, "If-None-Match", r.header.Get("ETag")); r2.status != 304 {
			t.Errorf("updates.%s with its ETag = %d, want 304", ext, r2.status)
		}
	}
	ls.publish("city", "plain", "Plain story")
	if r := ls.get("/city/plain/updates.atom"); r.status != 404 {
		t.Errorf("the updates feed of an article that is no live blog = %d, want 404", r.status)
	}
}

// The cache tags liveblog.update_posted names are on every page the post
// changes, in their Cache-Tag header: the live blog's pages and the feeds
// of its updates. A CDN purging them by the event drops them all.
func TestLiveBlogPagesCarryTheWebhookCacheTags(t *testing.T) {
	ls := newLiveSite(t)
	ctx := context.Background()
	must(t, ls.db.CreateWebhookEndpoint(ctx, &webhook.Endpoint{URL: "https://hooks.example.org/cdn", Events: []string{webhook.LiveblogUpdatePosted},
		Enabled: true, Secret: webhook.NewSecret()}))
	u := ls.post(1, liveblog.Update{Body: "The bridge is shut."})
	jobs, err := ls.db.ClaimWebhooks(ctx, time.Now().Add(time.Hour), time.Minute, 10)
	must(t, err)
	if len(jobs) != 1 || jobs[0].Message.Type != webhook.LiveblogUpdatePosted {
		t.Fatalf("the post recorded %d messages, want one liveblog.update_posted", len(jobs))
	}
	var ev struct{ Data webhook.LiveUpdateData }
	must(t, json.Unmarshal(jobs[0].Message.Payload, &ev))
	if want := fmt.Sprintf("liveblog-%d", ls.blog.ID); !slices.Contains(ev.Data.CacheTags, want) {
		t.Errorf("the event's cache tags %q lack %q", ev.Data.CacheTags, want)
	}
	for _, path := range []string{"/city/storm-live", fmt.Sprintf("/city/storm-live?from=%d", u.ID), "/city/storm-live?order=oldest",
		"/city/storm-live/updates.rss", "/city/storm-live/updates.atom", "/city/storm-live/updates.json"} {
		r := ls.get(path)
		tags := strings.Split(r.header.Get("Cache-Tag"), ",")
		for _, tag := range ev.Data.CacheTags {
			if r.status != 200 || !slices.Contains(tags, tag) {
				t.Errorf("%s = %d with tags %q: lacks the event's %q", path, r.status, tags, tag)
			}
		}
	}
}

// A Persian site's live blog reads right to left, its updates' times in
// the site's time zone and in Persian digits, as the rest of the page.
func TestLiveBlogInPersian(t *testing.T) {
	ls := newLiveSite(t)
	ctx := context.Background()
	site, err := ls.db.Site(ctx)
	must(t, err)
	site.Language, site.TimeZone = "fa", "Asia/Tehran"
	must(t, ls.db.SetSite(ctx, site))
	ls.blog.Language = "fa"
	must(t, ls.db.UpdateArticle(ctx, ls.blog))
	u := ls.post(5, liveblog.Update{Body: "پل بسته است.", KeyEvent: true})
	r := ls.get("/city/storm-live")
	tehran, _ := time.LoadLocation("Asia/Tehran")
	at := u.CreatedAt.In(tehran)
	r.has(t, `<html lang="fa" dir="rtl">`, `<article class="story" lang="fa" dir="rtl">`, `<span class="live-label">زنده</span>`,
		`<time datetime="`+strings.ReplaceAll(at.Format(time.RFC3339), "+", "&#43;")+`">`, `data-digits="۰۱۲۳۴۵۶۷۸۹"`, "رویدادهای مهم")
	when := regexp.MustCompile(`<a class="live-time"[^>]*><time[^>]*>([^<]+)</time>`).FindStringSubmatch(r.body)
	if when == nil || strings.ContainsAny(when[1], "0123456789") || !strings.Contains(when[1], "۱۴۰۵") {
		t.Errorf("the update's time %q is not in Persian digits and the Solar Hijri year", when)
	}
}
