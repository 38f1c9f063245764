package api

import (
	"net/http"
	"strings"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/newsroom"
)

// The breaking-news banner (an editor's) and the site's settings (an
// admin's), changed through the newsroom's own rules and audit entries.

// bannerJSON is the banner across the top of every page.
type bannerJSON struct {
	Text    string     `json:"text" doc:"\"\" when there is none"`
	URL     string     `json:"url" doc:"where it links: a path of the site or an http(s) address; \"\" for none"`
	Expires *time.Time `json:"expires" doc:"when it stops showing"`
	Active  bool       `json:"active" doc:"showing now"`
}

// bannerRequest is the body of PUT /api/v1/admin/banner.
type bannerRequest struct {
	Text    string `json:"text" doc:"at most 200 characters"`
	URL     string `json:"url"`
	Expires string `json:"expires" doc:"RFC 3339, in the future"`
}

func (h *handler) bannerView(b article.Banner) bannerJSON {
	return bannerJSON{Text: b.Text, URL: b.URL, Expires: timeOrNull(b.Expires), Active: b.Active(h.now())}
}

// GET /api/v1/admin/banner
func (h *handler) getBanner(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	b, err := h.store.Banner(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.bannerView(b))
	return nil
}

// PUT /api/v1/admin/banner
func (h *handler) setBanner(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var req bannerRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	b := article.Banner{Text: req.Text, URL: req.URL}
	if req.Expires != "" {
		t, err := time.Parse(time.RFC3339, req.Expires)
		if err != nil {
			return invalid(map[string]string{"expires": "expires must be an RFC 3339 time such as 2026-07-01T18:00:00Z"})
		}
		b.Expires = t
	}
	if err := newsroom.SetBanner(r.Context(), h.store, u, b, h.now()); err != nil {
		return err
	}
	return h.getBanner(w, r, u)
}

// DELETE /api/v1/admin/banner
func (h *handler) clearBanner(w http.ResponseWriter, r *http.Request, u *account.User) error {
	if err := newsroom.ClearBanner(r.Context(), h.store, u); err != nil {
		return err
	}
	noContent(w)
	return nil
}

// settingsJSON is the site's settings, as the newsroom's settings page
// shows them.
type settingsJSON struct {
	Title             string         `json:"title"`
	Tagline           string         `json:"tagline"`
	Language          string         `json:"language" doc:"the main edition's language, a BCP 47 tag, e.g. en or en-GB"`
	TimeZone          string         `json:"time_zone" doc:"IANA name, e.g. Europe/London"`
	CommentsCloseDays int            `json:"comments_close_days" doc:"comments close this many days after publication; 0 keeps them open"`
	DigestHour        int            `json:"digest_hour" doc:"the hour (0–23, in time_zone) daily digests go out"`
	FeedFullText      bool           `json:"feed_full_text" doc:"whole articles in feeds, not standfirsts"`
	TwitterSite       string         `json:"twitter_site" doc:"the site's X account, @name; \"\" for none"`
	LatinDigits       bool           `json:"latin_digits" doc:"0–9 in the main edition where its language has digits of its own"`
	Editions          []editionJSON  `json:"editions" doc:"the languages published besides the main one"`
	SecondStep        account.Policy `json:"second_step" doc:"who must have a second step at sign-in: \"\" leaves it to each person, editors requires it of editors and admins, everyone of every account"`
}

type editionJSON struct {
	Lang        string `json:"lang"`
	Title       string `json:"title"`
	Tagline     string `json:"tagline"`
	LatinDigits bool   `json:"latin_digits"`
}

// settingsPatch is the body of PATCH /api/v1/admin/settings: a field left
// out keeps its value; editions, when sent, replaces the whole list.
type settingsPatch struct {
	Title             *string         `json:"title"`
	Tagline           *string         `json:"tagline"`
	Language          *string         `json:"language"`
	TimeZone          *string         `json:"time_zone"`
	CommentsCloseDays *int            `json:"comments_close_days"`
	DigestHour        *int            `json:"digest_hour"`
	FeedFullText      *bool           `json:"feed_full_text"`
	TwitterSite       *string         `json:"twitter_site"`
	LatinDigits       *bool           `json:"latin_digits"`
	Editions          *[]editionJSON  `json:"editions"`
	SecondStep        *account.Policy `json:"second_step"`
}

func settingsView(s article.Site) settingsJSON {
	j := settingsJSON{Title: s.Title, Tagline: s.Tagline, Language: s.Language, TimeZone: s.TimeZone,
		CommentsCloseDays: s.CommentsCloseDays, DigestHour: s.DigestHour, FeedFullText: s.FeedFullText,
		TwitterSite: s.TwitterSite, LatinDigits: s.LatinDigits, Editions: make([]editionJSON, 0, len(s.Editions)), SecondStep: s.SecondStep}
	for _, e := range s.Editions {
		j.Editions = append(j.Editions, editionJSON{Lang: e.Lang, Title: e.Title, Tagline: e.Tagline, LatinDigits: e.LatinDigits})
	}
	return j
}

// GET /api/v1/admin/settings
func (h *handler) getSettings(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	site, err := h.store.Site(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, settingsView(site))
	return nil
}

// PATCH /api/v1/admin/settings
func (h *handler) patchSettings(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var p settingsPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	ctx := r.Context()
	site, err := h.store.Site(ctx)
	if err != nil {
		return err
	}
	before := site.SecondStep
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&site.Title, p.Title)
	set(&site.Tagline, p.Tagline)
	set(&site.Language, p.Language)
	set(&site.TimeZone, p.TimeZone)
	set(&site.TwitterSite, p.TwitterSite)
	overlay(&site.CommentsCloseDays, p.CommentsCloseDays)
	overlay(&site.DigestHour, p.DigestHour)
	overlay(&site.FeedFullText, p.FeedFullText)
	overlay(&site.LatinDigits, p.LatinDigits)
	overlay(&site.SecondStep, p.SecondStep)
	if p.Editions != nil {
		site.Editions = site.Editions[:0:0]
		for _, e := range *p.Editions {
			site.Editions = append(site.Editions, article.Edition{Lang: strings.TrimSpace(e.Lang), Title: strings.TrimSpace(e.Title),
				Tagline: strings.TrimSpace(e.Tagline), LatinDigits: e.LatinDigits})
		}
	}
	saved, err := newsroom.SaveSite(ctx, h.store, u, site)
	if err != nil {
		return err
	}
	if saved.SecondStep != before {
		h.policyChanged(r, u, before, saved.SecondStep)
	}
	writeJSON(w, http.StatusOK, settingsView(saved))
	return nil
}

// policyChanged tells the accounts a new second-step policy covers, as
// the newsroom's settings page does. The settings are saved by now: a
// failure here is logged, not answered.
func (h *handler) policyChanged(r *http.Request, admin *account.User, before, after account.Policy) {
	queued, err := newsroom.PolicyChanged(r.Context(), h.store, admin, before, after, h.ips.Key(r), h.now())
	if err != nil {
		h.log.Error("telling accounts of the second-step policy", "err", err)
	}
	if queued > 0 && h.mailQueued != nil {
		h.mailQueued()
	}
}
