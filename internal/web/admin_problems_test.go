package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"broadsheet/internal/account"
)

// A Persian newsroom says what is wrong with what was typed in Persian —
// in the editor, in Settings, beside a redirect's fields and on the error
// page — with counts in Persian digits, and keeps everything typed.
func TestNewsroomSaysProblemsInItsLanguage(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	site, err := ns.db.Site(ctx)
	must(t, err)
	site.Language = "fa"
	must(t, ns.db.SetSite(ctx, site))

	for _, tt := range []struct {
		name       string
		path       string
		role       account.Role
		form       url.Values
		want, not  []string
		wantStatus int
	}{
		{
			name: "the editor, without a headline", path: "/admin/articles", role: account.Author,
			form: func() url.Values {
				f := articleForm("", 0)
				f.Set("body", "بندی که نویسنده نباید از دست بدهد.")
				f.Set("section", "weather")
				return f
			}(),
			want: []string{"تیتر الزامی است", "بخشی با نامک «weather» وجود ندارد",
				"بندی که نویسنده نباید از دست بدهد.", `value="Harbour, Ferries"`},
			not: []string{"headline is required", "there is no section"},
		},
		{
			name: "Settings, with an unknown time zone", path: "/admin/settings", role: account.Admin,
			form: url.Values{"title": {"پیک مرو"}, "tagline": {"خبرهای شهر"}, "language": {"fa"}, "timezone": {"Mars/Olympus"}, "digest_hour": {"25"}},
			want: []string{"منطقه زمانی باید نامی مانند Europe/London یا Asia/Tehran باشد", "خلاصه روزانه در ساعتی از ۰ تا ۲۳ فرستاده می‌شود",
				`value="Mars/Olympus"`, `value="پیک مرو"`, `value="خبرهای شهر"`},
			not: []string{"the time zone must be", "daily digests"},
		},
		{
			name: "a redirect without an old address", path: "/admin/redirects", role: account.Admin,
			form: redirectValues("", "/city", "303"),
			want: []string{`<p id="from-error" class="field-error">نشانی قدیمی را که باید تغییر مسیر یابد بنویسید`,
				"کد وضعیت باید ۳۰۱، ۳۰۲، ۳۰۷ یا ۳۰۸ باشد، نه ۳۰۳", `value="/city"`},
			not: []string{"enter the old address", "the status must be"},
		},
		{
			name: "the error page, for an unknown role", path: fmt.Sprintf("/admin/users/%d", ns.users[account.Author].ID), role: account.Admin,
			form: url.Values{"role": {"owner"}},
			want: []string{"<p>نقش «owner» هیچ‌یک از contributor، author، editor و admin نیست</p>"},
			not:  []string{"is not one of"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := ns.do("POST", tt.path, tt.role, tt.form)
			body := rec.Body.String()
			if rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("status %d, want 422", rec.Code)
			}
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			for _, english := range append(tt.not, "[problem.") {
				if strings.Contains(body, english) {
					t.Errorf("the page says %q", english)
				}
			}
		})
	}
}
