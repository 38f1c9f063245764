package newsroom

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
)

// A banner form sent empty is refused, naming the headline, and the live
// banner stays; only ClearBanner takes it down. Its limit is counted in
// characters, so a Persian headline gets as many as an English one.
func TestBannerIsClearedOnlyOnPurpose(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	editor := f.users[account.Editor]
	live := article.Banner{Text: "Storm warning: ferries cancelled", URL: "/city", Expires: f.now.Add(3 * time.Hour)}
	must(t, SetBanner(ctx, f.db, editor, live, f.now))

	for _, tt := range []struct {
		name  string
		b     article.Banner
		field string
	}{
		{"an empty form", article.Banner{}, "text"},
		{"only spaces", article.Banner{Text: "  ", Expires: f.now.Add(time.Hour)}, "text"},
		{"201 characters", article.Banner{Text: strings.Repeat("ب", MaxBannerText+1), Expires: f.now.Add(time.Hour)}, "text"},
	} {
		err := SetBanner(ctx, f.db, editor, tt.b, f.now)
		var inv *errs.InvalidError
		if !errors.As(err, &inv) || !strings.Contains(strings.Join(inv.Fields, " "), tt.field) {
			t.Errorf("%s: err = %v, want a problem of %q", tt.name, err, tt.field)
		}
		if got, _ := f.db.Banner(ctx); got.Text != live.Text {
			t.Errorf("%s: the live banner became %+v", tt.name, got)
		}
	}
	persian := article.Banner{Text: strings.Repeat("ب", MaxBannerText), Expires: f.now.Add(time.Hour)}
	if err := SetBanner(ctx, f.db, editor, persian, f.now); err != nil {
		t.Errorf("a headline of %d Persian letters (%d bytes): %v", MaxBannerText, len(persian.Text), err)
	}
	must(t, ClearBanner(ctx, f.db, editor))
	if got, _ := f.db.Banner(ctx); got.Text != "" || got.Active(f.now) {
		t.Errorf("after ClearBanner: %+v", got)
	}
}
