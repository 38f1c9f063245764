package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/errs"
	"broadsheet/internal/redirect"
)

// Redirects are the redirects from old addresses, made by hand in the
// newsroom or imported.
type Redirects interface {
	CreateRedirect(ctx context.Context, r *redirect.Redirect) error
	UpdateRedirect(ctx context.Context, r *redirect.Redirect) error
	DeleteRedirect(ctx context.Context, id int64) error
	RedirectByID(ctx context.Context, id int64) (*redirect.Redirect, error)
	RedirectFor(ctx context.Context, target string) (*redirect.Redirect, error)
	Redirects(ctx context.Context, q redirect.Query) ([]redirect.Redirect, error)
	AddRedirectHits(ctx context.Context, hits map[int64]redirect.Hit) error
	PutRedirects(ctx context.Context, rs []redirect.Redirect) (redirect.PutResult, error)
}

// target is where the redirect answering addr leads, or "" for none.
func target(t *testing.T, s Store, addr string) string {
	t.Helper()
	r, err := s.RedirectFor(context.Background(), addr)
	if errors.Is(err, redirect.ErrNotFound) {
		return ""
	}
	must(t, err)
	return r.ToURL
}

func testRedirects(t *testing.T, s Store) {
	ctx := context.Background()
	admin := &account.User{Email: "ed@courier.example", Name: "Ed", Role: account.Admin, PasswordHash: "h"}
	must(t, s.CreateUser(ctx, admin))
	start, err := s.LastChange(ctx)
	must(t, err)

	r := &redirect.Redirect{FromPath: "https://old.example/category/World/Europe/?utm_source=x", ToURL: "/world", CreatedBy: admin.ID}
	must(t, s.CreateRedirect(ctx, r))
	if r.ID == 0 || r.FromPath != "/category/World/Europe" || r.Status != 301 || r.CreatedAt.IsZero() {
		t.Errorf("created %+v; want an id, the address as its key, 301 and a time", r)
	}
	got, err := s.RedirectByID(ctx, r.ID)
	must(t, err)
	if got.FromPath != r.FromPath || got.ToURL != "/world" || got.CreatedBy != admin.ID || got.Source != "" || got.OffSite ||
		!got.CreatedAt.Equal(r.CreatedAt) || got.Hits != 0 || !got.LastHitAt.IsZero() {
		t.Errorf("RedirectByID = %+v, want %+v", got, r)
	}
	// Every way of writing the address finds it; its case is kept.
	for _, addr := range []string{"/category/World/Europe", "/category/World/Europe/", "//category/World//Europe?fbclid=1", "/index.php/category/World/Europe"} {
		if to := target(t, s, addr); to != "/world" {
			t.Errorf("RedirectFor(%q) leads to %q, want /world", addr, to)
		}
	}
	for _, addr := range []string{"/category/world/europe", "/category/World", "/a%zz", ""} {
		if _, err := s.RedirectFor(ctx, addr); !errors.Is(err, redirect.ErrNotFound) || !errors.Is(err, errs.NotFound) {
			t.Errorf("RedirectFor(%q): err = %v, want not found", addr, err)
		}
	}
	// A Persian slug, however it was encoded, and the front page's queries.
	persian := &redirect.Redirect{FromPath: "/tag/%d8%ae%d8%a8%d8%b1/", ToURL: "/tag/news"}
	must(t, s.CreateRedirect(ctx, persian))
	post := &redirect.Redirect{FromPath: "/?p=123", ToURL: "/city/harbour-reopens", Status: 302}
	must(t, s.CreateRedirect(ctx, post))
	for addr, want := range map[string]string{
		"/tag/خبر": "/tag/news", "/tag/%D8%AE%D8%A8%D8%B1": "/tag/news",
		"/?p=123&utm_source=mail": "/city/harbour-reopens", "/?p=0123": "/city/harbour-reopens", "/index.php?p=123": "/city/harbour-reopens",
		"/?p=124": "", "/?page_id=123": "",
	} {
		if to := target(t, s, addr); to != want {
			t.Errorf("RedirectFor(%q) leads to %q, want %q", addr, to, want)
		}
	}

	// An address that has a redirect is a conflict naming it; invalid
	// input says each problem beside its field, and nothing is stored.
	err = s.CreateRedirect(ctx, &redirect.Redirect{FromPath: "/category/World/Europe/", ToURL: "/elsewhere"})
	if !errors.Is(err, errs.Conflict) || !strings.Contains(errs.From(err).Message, "already redirects to /world") {
		t.Errorf("a second redirect at one address: err = %v, want a conflict naming the first", err)
	}
	var inv *errs.InvalidError
	if err := s.CreateRedirect(ctx, &redirect.Redirect{FromPath: "/x", ToURL: "https://other.example/"}); !errors.As(err, &inv) || !inv.Has("to_url") {
		t.Errorf("an off-site target not allowed: err = %v, want a problem with to_url", err)
	}
	if err := s.CreateRedirect(ctx, &redirect.Redirect{FromPath: "/x/", ToURL: "/x"}); !errors.As(err, &inv) || !inv.Has("to_url") {
		t.Errorf("a redirect to its own address: err = %v, want a problem with to_url", err)
	}
	off := &redirect.Redirect{FromPath: "/partner", ToURL: "https://partner.example/story", OffSite: true, Status: 307}
	must(t, s.CreateRedirect(ctx, off))
	if got, _ := s.RedirectByID(ctx, off.ID); got == nil || !got.OffSite || got.ToURL != "https://partner.example/story" || got.Status != 307 {
		t.Errorf("an allowed off-site redirect reads back as %+v", got)
	}

	// Chains: a redirect to another's address leads straight on...
	must(t, s.CreateRedirect(ctx, &redirect.Redirect{FromPath: "/b", ToURL: "/c"}))
	a := &redirect.Redirect{FromPath: "/a", ToURL: "/b/"}
	must(t, s.CreateRedirect(ctx, a))
	if a.ToURL != "/c" || target(t, s, "/a") != "/c" {
		t.Errorf("/a → /b with /b → /c stored: /a leads to %q (%q), want /c", a.ToURL, target(t, s, "/a"))
	}
	// ...and those that led to a new redirect's address lead on to its target.
	must(t, s.CreateRedirect(ctx, &redirect.Redirect{FromPath: "/c", ToURL: "/d?x=1#top"}))
	for _, from := range []string{"/a", "/b", "/c"} {
		if to := target(t, s, from); to != "/d?x=1#top" {
			t.Errorf("after /c → /d: %s leads to %q, want /d?x=1#top", from, to)
		}
	}
	// Through an off-site target, too.
	must(t, s.CreateRedirect(ctx, &redirect.Redirect{FromPath: "/to-partner", ToURL: "/partner"}))
	if got, _ := s.RedirectFor(ctx, "/to-partner"); got == nil || !got.OffSite || got.ToURL != "https://partner.example/story" {
		t.Errorf("a redirect to an off-site redirect's address: %+v, want it to lead off-site too", got)
	}
	// What a redirect leads to is stored as a key too, which finds those
	// to lead on.
	var key string
	must(t, s.Writer().QueryRowContext(ctx, `SELECT to_key FROM redirects WHERE from_path = ?`, "/a").Scan(&key))
	if key != "/d" {
		t.Errorf("to_key of /a = %q, want /d", key)
	}
	// A circle is refused.
	err = s.CreateRedirect(ctx, &redirect.Redirect{FromPath: "/d", ToURL: "/a"})
	if !errors.As(err, &inv) || !inv.Has("to_url") || !strings.Contains(err.Error(), "circle") {
		t.Errorf("/d → /a when /a → /d: err = %v, want it refused as a circle", err)
	}
	if target(t, s, "/d") != "" {
		t.Error("the refused redirect was stored")
	}

	// Updates: a change by hand; hits and creation stay.
	must(t, s.AddRedirectHits(ctx, map[int64]redirect.Hit{post.ID: {N: 3, Last: time.Unix(1_800_000_000, 0)}}))
	imported := redirect.Redirect{FromPath: "/?page_id=7", ToURL: "/about", Source: redirect.WordPress}
	_, err = s.PutRedirects(ctx, []redirect.Redirect{imported})
	must(t, err)
	up, err := s.RedirectFor(ctx, "/?page_id=7")
	must(t, err)
	up.ToURL = "/about-us"
	must(t, s.UpdateRedirect(ctx, up))
	if got, _ := s.RedirectByID(ctx, up.ID); got == nil || got.ToURL != "/about-us" || got.Source != redirect.ByHand {
		t.Errorf("an imported redirect changed by hand reads back as %+v; want it made by hand", got)
	}
	post.ToURL, post.Status = "/city/harbour-reopens-after-storm", 301
	must(t, s.UpdateRedirect(ctx, post))
	if got, _ := s.RedirectByID(ctx, post.ID); got == nil || got.Hits != 3 || got.ToURL != "/city/harbour-reopens-after-storm" || got.Status != 301 || !got.CreatedAt.Equal(post.CreatedAt) {
		t.Errorf("after an update: %+v; want the new target and status, and its hits and creation kept", got)
	}
	moved := *post
	moved.FromPath = "/a"
	if err := s.UpdateRedirect(ctx, &moved); !errors.Is(err, errs.Conflict) {
		t.Errorf("moving a redirect to another's address: err = %v, want a conflict", err)
	}
	if err := s.UpdateRedirect(ctx, &redirect.Redirect{ID: 999_999, FromPath: "/nowhere", ToURL: "/x"}); !errors.Is(err, redirect.ErrNotFound) {
		t.Errorf("updating a missing redirect: err = %v, want not found", err)
	}
	if err := s.UpdateRedirect(ctx, &redirect.Redirect{ID: post.ID, FromPath: "/?p=123", ToURL: "/?p=123"}); !errors.As(err, &inv) {
		t.Errorf("updating to its own address: err = %v, want invalid", err)
	}

	// Hits add up, the latest time wins, and a deleted redirect's are dropped.
	must(t, s.AddRedirectHits(ctx, map[int64]redirect.Hit{post.ID: {N: 2, Last: time.Unix(1_700_000_000, 0)}, a.ID: {N: 1, Last: time.Unix(1_800_000_100, 0)}, 999_999: {N: 5, Last: time.Unix(1, 0)}}))
	must(t, s.AddRedirectHits(ctx, nil))
	if got, _ := s.RedirectByID(ctx, post.ID); got == nil || got.Hits != 5 || got.LastHitAt.Unix() != 1_800_000_000 {
		t.Errorf("hits = %+v; want 5, last at 1800000000", got)
	}
	if got, _ := s.RedirectByID(ctx, a.ID); got == nil || got.Hits != 1 || got.LastHitAt.Unix() != 1_800_000_100 {
		t.Errorf("hits of /a = %+v; want 1", got)
	}

	// Delete.
	must(t, s.DeleteRedirect(ctx, persian.ID))
	if target(t, s, "/tag/خبر") != "" {
		t.Error("a deleted redirect still answers")
	}
	if err := s.DeleteRedirect(ctx, persian.ID); !errors.Is(err, redirect.ErrNotFound) {
		t.Errorf("deleting twice: err = %v, want not found", err)
	}
	if _, err := s.RedirectByID(ctx, persian.ID); !errors.Is(err, redirect.ErrNotFound) {
		t.Errorf("RedirectByID of a deleted one: err = %v, want not found", err)
	}

	// Every write is in the change log.
	cs, err := s.ChangesSince(ctx, start, 100)
	must(t, err)
	logged := 0
	for _, c := range cs {
		if slices.Contains(c.Keys, redirect.CacheKey) {
			logged++
		}
	}
	if logged < 10 {
		t.Errorf("%d change-log entries name %q; want one for each write", logged, redirect.CacheKey)
	}
}

func testRedirectList(t *testing.T, s Store) {
	ctx := context.Background()
	var ids []int64
	for i := range 7 {
		r := &redirect.Redirect{FromPath: fmt.Sprintf("/old/%d", i), ToURL: fmt.Sprintf("/new/%d", i)}
		must(t, s.CreateRedirect(ctx, r))
		ids = append(ids, r.ID)
	}
	_, err := s.PutRedirects(ctx, []redirect.Redirect{
		{FromPath: "/tag/خبر", ToURL: "/tag/news", Source: redirect.WordPress},
		{FromPath: "/?cat=4", ToURL: "/world", Source: redirect.WordPress},
	})
	must(t, err)
	from := func(list []redirect.Redirect) string {
		var out []string
		for _, r := range list {
			out = append(out, r.FromPath)
		}
		return strings.Join(out, " ")
	}
	for _, tt := range []struct {
		q    redirect.Query
		want string
	}{
		{redirect.Query{Limit: 3}, "/?cat=4 /tag/%D8%AE%D8%A8%D8%B1 /old/6"},
		{redirect.Query{Limit: 3, BeforeID: ids[6]}, "/old/5 /old/4 /old/3"},
		{redirect.Query{Made: redirect.MadeByImport}, "/?cat=4 /tag/%D8%AE%D8%A8%D8%B1"},
		{redirect.Query{Made: redirect.MadeByHand, Limit: 2}, "/old/6 /old/5"},
		{redirect.Query{Search: "old/3"}, "/old/3"},
		{redirect.Query{Search: "new/2"}, "/old/2"},
		{redirect.Query{Search: "خبر"}, "/tag/%D8%AE%D8%A8%D8%B1"},
		{redirect.Query{Search: "/tag/خبر/"}, "/tag/%D8%AE%D8%A8%D8%B1"},
		{redirect.Query{Search: "%d8%ae"}, "/tag/%D8%AE%D8%A8%D8%B1"},
		{redirect.Query{Search: "OLD/3"}, "/old/3"},
		{redirect.Query{Search: "?cat=4"}, "/?cat=4"},
		{redirect.Query{Search: "100%_"}, ""},
		{redirect.Query{Search: "old", Made: redirect.MadeByImport}, ""},
	} {
		list, err := s.Redirects(ctx, tt.q)
		must(t, err)
		if got := from(list); got != tt.want {
			t.Errorf("Redirects(%+v) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func testPutRedirects(t *testing.T, s Store) {
	ctx := context.Background()
	hand := &redirect.Redirect{FromPath: "/?p=1", ToURL: "/by-hand"}
	must(t, s.CreateRedirect(ctx, hand))
	wp := func(from, to string) redirect.Redirect {
		return redirect.Redirect{FromPath: from, ToURL: to, Source: redirect.WordPress}
	}
	res, err := s.PutRedirects(ctx, []redirect.Redirect{
		wp("/?p=1", "/imported"),                    // kept: made by hand
		wp("/?p=2", "/city/two"),                    // added
		wp("/2024/05/17/harbour-reopens/", "/?p=2"), // added, straight on to /city/two
		wp("/?p=3", "/?p=3"),                        // skipped: to itself
		wp("/category/world/", "/world"),            // added
		wp("/?cat=4", "/category/world"),            // added, straight on to /world
		wp("/?p=9", "/?p=10"),                       // added, then on to /city/ten
		wp("/?p=10", "/city/ten"),                   // added
		wp("/?p=11", "/?p=12"),                      // added
		wp("/?p=12", "/?p=11"),                      // skipped: a circle
	})
	must(t, err)
	if want := (redirect.PutResult{Added: 7, Kept: 1, Skipped: 2}); res != want {
		t.Errorf("PutRedirects = %+v, want %+v", res, want)
	}
	for addr, want := range map[string]string{
		"/?p=1": "/by-hand", "/?p=2": "/city/two", "/2024/05/17/harbour-reopens": "/city/two", "/?p=3": "",
		"/?cat=4": "/world", "/?p=9": "/city/ten", "/?p=10": "/city/ten", "/?p=11": "/?p=12", "/?p=12": "",
	} {
		if to := target(t, s, addr); to != want {
			t.Errorf("after the import %s leads to %q, want %q", addr, to, want)
		}
	}
	if r, _ := s.RedirectFor(ctx, "/?p=2"); r == nil || r.Source != redirect.WordPress || r.Status != 301 || r.CreatedAt.IsZero() {
		t.Errorf("an imported redirect reads back as %+v", r)
	}

	// Again, as an import run twice: nothing new; a changed target updates
	// an imported redirect and never one made by hand.
	res, err = s.PutRedirects(ctx, []redirect.Redirect{
		wp("/?p=1", "/imported-again"), wp("/?p=2", "/city/two"), wp("/category/world", "/world-news"),
	})
	must(t, err)
	if want := (redirect.PutResult{Updated: 1, Unchanged: 1, Kept: 1}); res != want {
		t.Errorf("PutRedirects again = %+v, want %+v", res, want)
	}
	// A redirect stored straight on is its own: it does not follow later
	// changes of the one it went through.
	if to := target(t, s, "/?cat=4"); to != "/world" {
		t.Errorf("/?cat=4 was stored leading to /world; it leads to %q", to)
	}
	if to := target(t, s, "/?p=1"); to != "/by-hand" {
		t.Errorf("the redirect made by hand now leads to %q", to)
	}

	// One bad redirect refuses the batch, naming it; nothing is stored.
	_, err = s.PutRedirects(ctx, []redirect.Redirect{wp("/?p=50", "/fine"), wp("/?p=51", "javascript:alert(1)"), {FromPath: "/?p=52", ToURL: "/x"}})
	var inv *errs.InvalidError
	if !errors.As(err, &inv) || !strings.Contains(err.Error(), "redirect 2 (/?p=51)") || !strings.Contains(err.Error(), "redirect 3 (/?p=52)") {
		t.Errorf("a batch with bad redirects: err = %v, want each named", err)
	}
	if target(t, s, "/?p=50") != "" {
		t.Error("a refused batch stored some of its redirects")
	}
	if res, err := s.PutRedirects(ctx, nil); err != nil || res != (redirect.PutResult{}) {
		t.Errorf("PutRedirects(nil) = %+v, %v", res, err)
	}

	// One address twice in a batch is one redirect, to the later target.
	res, err = s.PutRedirects(ctx, []redirect.Redirect{wp("/category/twice/", "/tag/twice"), wp("/category/twice/", "/twice")})
	if err != nil || res != (redirect.PutResult{Added: 1}) {
		t.Errorf("an address twice in a batch: %+v, %v; want one added", res, err)
	}
	if to := target(t, s, "/category/twice"); to != "/twice" {
		t.Errorf("an address twice in a batch leads to %q; want the later target", to)
	}
}
