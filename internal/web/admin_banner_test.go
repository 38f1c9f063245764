package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
)

// TestBannerFormTimes checks the banner's "Show until" field: empty when
// no banner is set (not the zero time in the zone's oldest offset), a
// catalogued message when the time cannot be read or has passed, and the
// site's time zone named beside it, as beside the editor's "Publish at".
func TestBannerFormTimes(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	site, err := ns.db.Site(ctx)
	must(t, err)
	site.TimeZone = "Europe/London" // its zero-time offset is -0:01:15, which gave 0000-12-31T23:58
	must(t, ns.db.SetSite(ctx, site))

	page := ns.do("GET", "/admin/banner", account.Editor, nil)
	body := page.Body.String()
	if page.Code != http.StatusOK || !strings.Contains(body, `name="expires" type="datetime-local" value=""`) {
		i := strings.Index(body, `name="expires"`)
		t.Errorf("GET /admin/banner = %d; with no banner the expiry field must be empty, got %.120q", page.Code, body[max(i, 0):])
	}
	zone := "In the site&#39;s time zone, Europe/London."
	if !strings.Contains(body, zone) || !strings.Contains(body, `aria-describedby="expires-zone"`) {
		t.Errorf("the banner form does not name the site's time zone (%q) beside the field", zone)
	}

	for _, c := range []struct{ name, expires, want string }{
		{"the zero time the form used to fill in", "0000-12-31T23:58", "The time the banner stops showing must be in the future."},
		{"empty", "", "Choose the date and time the banner stops showing."},
		{"not a time", "tomorrow", "Choose the date and time the banner stops showing."},
		{"past", ns.clock.Add(-48 * time.Hour).Format(localInputLayout), "The time the banner stops showing must be in the future."},
	} {
		rec := ns.do("POST", "/admin/banner", account.Editor, url.Values{"text": {"Storm warning"}, "expires": {c.expires}, "action": {"set"}})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s (%q): %d, want 422 saying %q", c.name, c.expires, rec.Code, c.want)
		}
	}

	id := ns.create(account.Editor, "Scheduled for the morning")
	editor := ns.do("GET", "/admin/articles/"+itoa(id), account.Editor, nil).Body.String()
	if !strings.Contains(editor, `aria-describedby="publish-at-zone"`) || !strings.Contains(editor, zone) {
		t.Errorf("the editor's Publish at does not name the site's time zone (%q)", zone)
	}
}

// The banner form sent with its fields empty is refused with the headline
// named and the live banner kept; the Clear button alone takes it down.
func TestBannerFormClearsOnlyOnPurpose(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	expires := ns.clock.Add(2 * time.Hour).Format(localInputLayout)
	if rec := ns.do("POST", "/admin/banner", account.Editor, url.Values{"text": {"Storm warning"}, "expires": {expires}, "action": {"set"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("set = %d: %s", rec.Code, rec.Body.String())
	}
	for _, form := range []url.Values{
		{"text": {""}, "url": {""}, "expires": {""}, "action": {"set"}},
		{"text": {" "}, "expires": {expires}},
	} {
		rec := ns.do("POST", "/admin/banner", account.Editor, form)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Write a headline of at most 200 characters.") {
			t.Errorf("POST %v = %d, want 422 naming the headline", form, rec.Code)
		}
		if b, _ := ns.db.Banner(ctx); b.Text != "Storm warning" {
			t.Errorf("after POST %v the banner is %+v, want the live one kept", form, b)
		}
	}
	if rec := ns.do("POST", "/admin/banner", account.Editor, url.Values{"text": {"Storm warning"}, "action": {"clear"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("clear = %d: %s", rec.Code, rec.Body.String())
	}
	if b, _ := ns.db.Banner(ctx); b.Text != "" {
		t.Errorf("after Clear the banner is %+v", b)
	}
}
