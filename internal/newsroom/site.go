package newsroom

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/i18n"
)

// The site's settings and its breaking-news banner, as the newsroom's
// pages and the Admin API change them: one set of rules and one audit
// entry whichever door the change comes in by. The caller has checked the
// user's permission (ManageSettings, ManageTaxonomy).

// Limits on the site's title and tagline.
const (
	MaxSiteTitle   = 100
	MaxSiteTagline = 200
	MaxCloseDays   = 3650
	MaxBannerText  = 200
)

// SiteStore is what saving the settings needs.
type SiteStore interface {
	Sections(ctx context.Context) ([]article.Section, error)
	Pages(ctx context.Context) ([]article.Page, error)
	SetSite(ctx context.Context, s article.Site) error
	Audit(ctx context.Context, e article.AuditEntry) error
}

// SaveSite checks site and stores it: an *errs.InvalidError names every
// field that breaks a rule, and nothing is saved then. TwitterSite is
// taken as typed and stored as "@name".
func SaveSite(ctx context.Context, st SiteStore, u *account.User, site article.Site) (article.Site, error) {
	inv := &errs.InvalidError{}
	if site.CommentsCloseDays < 0 || site.CommentsCloseDays > MaxCloseDays {
		inv.AddKey("comments_close_days", "problem.close_days", 0)
	}
	if err := site.ValidateEditions(i18n.Languages()); err != nil {
		addProblems(inv, "editions", err)
	}
	if err := editionClashes(ctx, st, site, inv); err != nil {
		return site, err
	}
	if site.DigestHour < 0 || site.DigestHour > 23 {
		inv.AddKey("digest_hour", "problem.digest_hour", 0, 23)
	}
	if site.Title == "" || utf8.RuneCountInString(site.Title) > MaxSiteTitle {
		inv.AddKey("title", "problem.site_title", MaxSiteTitle)
	}
	if utf8.RuneCountInString(site.Tagline) > MaxSiteTagline {
		inv.AddKey("tagline", "problem.site_tagline", MaxSiteTagline)
	}
	// The language reaches every page's <html lang> and Content-Language:
	// only a well-formed BCP 47 tag of a known language, stored as
	// written canonically (en-gb is en-GB).
	if tag, err := language.Parse(strings.TrimSpace(site.Language)); err != nil || tag == language.Und {
		inv.AddKey("language", "problem.site_language")
	} else {
		site.Language = tag.String()
	}
	if _, err := time.LoadLocation(site.TimeZone); err != nil || site.TimeZone == "" {
		inv.AddKey("time_zone", "problem.time_zone")
	}
	if handle, err := article.TwitterHandle(site.TwitterSite); err != nil {
		addProblems(inv, "twitter_site", err)
	} else {
		site.TwitterSite = handle
	}
	if !site.SecondStep.Valid() {
		inv.AddKey("second_step", "problem.second_step_policy")
	}
	if err := inv.OrNil(); err != nil {
		return site, err
	}
	if err := st.SetSite(ctx, site); err != nil {
		return site, err
	}
	audit(ctx, st, u, "settings.update", "settings", 0, site.Title)
	return site, nil
}

// addProblems adds err's problems to inv, under field when they name none.
func addProblems(inv *errs.InvalidError, field string, err error) {
	for _, p := range errs.From(err).Fields {
		if p.Field == "" {
			p.Field = field
		}
		inv.AddProblem(p)
	}
}

// editionClashes adds a problem for each edition whose code a section or
// page of the main edition has as its slug (that address would stop
// reaching it), and for each section in an edition the site would no
// longer have (its articles would answer nothing).
func editionClashes(ctx context.Context, st SiteStore, site article.Site, inv *errs.InvalidError) error {
	sections, err := st.Sections(ctx)
	if err != nil {
		return err
	}
	pages, err := st.Pages(ctx)
	if err != nil {
		return err
	}
	for _, e := range site.Editions {
		for _, sec := range sections {
			if sec.Edition == "" && sec.Slug == e.Lang {
				inv.AddKey("editions", "problem.edition_section_clash", sec.Name, sec.Slug, e.Lang)
			}
		}
		for _, p := range pages {
			if p.Slug == e.Lang {
				inv.AddKey("editions", "problem.edition_page_clash", p.Title, p.Slug, e.Lang)
			}
		}
	}
	for _, sec := range sections {
		if _, ok := site.Edition(sec.Edition); !ok {
			inv.AddKey("editions", "problem.edition_has_sections", sec.Edition, sec.Name)
		}
	}
	return nil
}

// BannerStore is what setting the banner needs.
type BannerStore interface {
	SetBanner(ctx context.Context, b article.Banner) error
	Audit(ctx context.Context, e article.AuditEntry) error
}

// SetBanner shows b across the site until it expires. Its text is
// required (at most MaxBannerText characters), it must expire after now,
// and its link is a path of the site or an http(s) address. Nothing here
// takes a banner down: an empty form is a mistake to name, not a wish to
// clear the live banner (that is ClearBanner).
func SetBanner(ctx context.Context, st BannerStore, u *account.User, b article.Banner, now time.Time) error {
	b.Text, b.URL = strings.TrimSpace(b.Text), strings.TrimSpace(b.URL)
	inv := &errs.InvalidError{}
	if b.Text == "" || utf8.RuneCountInString(b.Text) > MaxBannerText {
		inv.AddKey("text", "admin.banner.headline_invalid")
	}
	switch {
	case b.Expires.IsZero():
		inv.AddKey("expires", "admin.banner.expires_invalid")
	case !b.Expires.After(now):
		inv.AddKey("expires", "admin.banner.expires_past")
	}
	if b.URL != "" && !strings.HasPrefix(b.URL, "/") && !strings.HasPrefix(b.URL, "https://") && !strings.HasPrefix(b.URL, "http://") ||
		strings.HasPrefix(b.URL, "//") {
		inv.AddKey("url", "admin.banner.link_invalid")
	}
	if err := inv.OrNil(); err != nil {
		return err
	}
	if err := st.SetBanner(ctx, b); err != nil {
		return err
	}
	audit(ctx, st, u, "banner.set", "settings", 0, b.Text)
	return nil
}

// ClearBanner takes the banner down at once.
func ClearBanner(ctx context.Context, st BannerStore, u *account.User) error {
	if err := st.SetBanner(ctx, article.Banner{}); err != nil {
		return err
	}
	audit(ctx, st, u, "banner.clear", "settings", 0, "")
	return nil
}

// auditor is what writing the audit log needs.
type auditor interface {
	Audit(ctx context.Context, e article.AuditEntry) error
}

// audit records a change that is already saved: a lost entry must not
// report the change as failed, so it is logged loudly instead.
func audit(ctx context.Context, st auditor, u *account.User, action, objectType string, id int64, detail string) {
	if err := st.Audit(ctx, article.AuditEntry{UserID: u.ID, Action: action, ObjectType: objectType, ObjectID: id, Detail: detail}); err != nil {
		logAuditFailure(action, objectType, id, u, err)
	}
}

func logAuditFailure(action, objectType string, id int64, u *account.User, err error) {
	slog.Default().Error("audit log write failed", "action", action, "object", objectType, "id", id, "user", u.ID, "err", err)
}
