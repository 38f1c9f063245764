package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
	"broadsheet/internal/i18n"
	"broadsheet/internal/newsroom"
)

// The sections, tags and authors pages share one template: a table of
// editable rows and a form to add one. A kind says which fields it has and
// how a form becomes a record.
type taxonomyKind struct {
	name   string // "sections"
	fields []taxonomyField
	list   func(s *Server, ctx context.Context) ([]taxonomyRow, error)
	save   func(s *Server, ctx context.Context, id int64, values map[string]string) (int64, error)
	delete func(s *Server, ctx context.Context, id int64) error
}

type taxonomyField struct {
	Name, Label string
	Long        bool // a textarea
	Number      bool
	Edition     bool // a choice of the site's editions
}

type taxonomyRow struct {
	ID     int64
	Values map[string]string
	Uses   int // articles using it; -1 when not counted
}

type taxonomyView struct {
	Kind     string
	Fields   []taxonomyField
	Rows     []taxonomyRow
	Form     map[string]string
	Errors   []string
	Editions []editionOption
}

// editionOption is an edition in a choice of editions: Code "" is the
// main edition.
type editionOption struct {
	Code, Name string
}

// editionOptions lists the site's editions, main first, each named in the
// newsroom's language and its own.
func editionOptions(site article.Site, cat *i18n.Catalog) []editionOption {
	var opts []editionOption
	for _, e := range site.AllEditions() {
		name := i18n.For(e.Lang).T("language.name")
		if e.Main {
			name = cat.T("admin.field.main_edition") + " (" + name + ")"
		}
		opts = append(opts, editionOption{Code: e.Code(), Name: name})
	}
	return opts
}

func formValues(r *http.Request, fields []taxonomyField) map[string]string {
	v := map[string]string{}
	for _, f := range fields {
		v[f.Name] = strings.TrimSpace(r.PostFormValue(f.Name))
	}
	if v["slug"] == "" {
		v["slug"] = article.Slugify(v["name"])
	}
	return v
}

// maxTaxonomyName is the length of the longest name of a section, tag or
// author.
const maxTaxonomyName = 200

func requireName(values map[string]string) error {
	if values["name"] == "" || len(values["name"]) > maxTaxonomyName {
		return errs.InvalidKey("name", "problem.taxonomy_name", maxTaxonomyName)
	}
	return nil
}

var taxonomyKinds = map[string]*taxonomyKind{
	"sections": {
		name: "sections",
		fields: []taxonomyField{{Name: "name", Label: "admin.field.name"}, {Name: "slug", Label: "admin.field.slug"},
			{Name: "description", Label: "admin.taxonomy.description", Long: true}, {Name: "position", Label: "admin.taxonomy.position", Number: true},
			{Name: "edition", Label: "admin.field.edition", Edition: true}},
		list: func(s *Server, ctx context.Context) ([]taxonomyRow, error) {
			secs, err := s.store.Sections(ctx)
			var rows []taxonomyRow
			for _, sec := range secs {
				rows = append(rows, taxonomyRow{ID: sec.ID, Uses: -1, Values: map[string]string{"name": sec.Name, "slug": sec.Slug,
					"description": sec.Description, "position": strconv.Itoa(sec.Position), "edition": sec.Edition}})
			}
			return rows, err
		},
		save: func(s *Server, ctx context.Context, id int64, v map[string]string) (int64, error) {
			if err := requireName(v); err != nil {
				return 0, err
			}
			pos, _ := strconv.Atoi(v["position"])
			sec := article.Section{ID: id, Name: v["name"], Slug: v["slug"], Description: v["description"], Position: pos, Edition: v["edition"]}
			site, err := s.store.Site(ctx)
			if err != nil {
				return 0, err
			}
			if _, ok := site.Edition(sec.Edition); !ok {
				return 0, errs.InvalidKey("edition", "problem.section_edition_unknown")
			}
			if _, ok := site.Edition(sec.Slug); ok && sec.Edition == "" {
				return 0, errs.InvalidKey("slug", "problem.slug_edition")
			}
			if _, err := s.store.PageBySlug(ctx, sec.Slug); err == nil {
				return 0, errs.InvalidKey("slug", "problem.slug_page")
			}
			if article.Reserved(sec.Slug) {
				return 0, errs.InvalidKey("slug", "problem.slug_reserved")
			}
			if id == 0 {
				err := s.store.CreateSection(ctx, &sec)
				return sec.ID, err
			}
			return id, s.store.UpdateSection(ctx, &sec)
		},
		delete: func(s *Server, ctx context.Context, id int64) error { return s.store.DeleteSection(ctx, id) },
	},
	"authors": {
		name: "authors",
		fields: []taxonomyField{{Name: "name", Label: "admin.field.name"}, {Name: "slug", Label: "admin.field.slug"},
			{Name: "role", Label: "admin.taxonomy.role"}, {Name: "bio", Label: "admin.taxonomy.bio", Long: true}},
		list: func(s *Server, ctx context.Context) ([]taxonomyRow, error) {
			as, err := s.store.Authors(ctx)
			var rows []taxonomyRow
			for _, a := range as {
				rows = append(rows, taxonomyRow{ID: a.ID, Uses: -1, Values: map[string]string{"name": a.Name, "slug": a.Slug, "role": a.Role, "bio": a.Bio}})
			}
			return rows, err
		},
		save: func(s *Server, ctx context.Context, id int64, v map[string]string) (int64, error) {
			if err := requireName(v); err != nil {
				return 0, err
			}
			a := article.Author{ID: id, Name: v["name"], Slug: v["slug"], Role: v["role"], Bio: v["bio"]}
			if id == 0 {
				err := s.store.CreateAuthor(ctx, &a)
				return a.ID, err
			}
			return id, s.store.UpdateAuthor(ctx, &a)
		},
		delete: func(s *Server, ctx context.Context, id int64) error { return s.store.DeleteAuthor(ctx, id) },
	},
	"tags": {
		name:   "tags",
		fields: []taxonomyField{{Name: "name", Label: "admin.field.name"}, {Name: "slug", Label: "admin.field.slug"}},
		list: func(s *Server, ctx context.Context) ([]taxonomyRow, error) {
			ts, err := s.store.Tags(ctx)
			if err != nil {
				return nil, err
			}
			usage, err := s.store.TagUsage(ctx)
			var rows []taxonomyRow
			for _, t := range ts {
				rows = append(rows, taxonomyRow{ID: t.ID, Uses: usage[t.ID], Values: map[string]string{"name": t.Name, "slug": t.Slug}})
			}
			return rows, err
		},
		save: func(s *Server, ctx context.Context, id int64, v map[string]string) (int64, error) {
			if err := requireName(v); err != nil {
				return 0, err
			}
			t := article.Tag{ID: id, Name: v["name"], Slug: v["slug"]}
			if id == 0 {
				err := s.store.CreateTag(ctx, &t)
				return t.ID, err
			}
			return id, s.store.UpdateTag(ctx, &t)
		},
		delete: func(s *Server, ctx context.Context, id int64) error { return s.store.DeleteTag(ctx, id) },
	},
}

func (s *Server) taxonomyKind(w http.ResponseWriter, r *http.Request) *taxonomyKind {
	k, ok := taxonomyKinds[r.PathValue("kind")]
	if !ok {
		s.adminFail(w, r, currentUser(r.Context()), article.ErrNotFound)
	}
	return k
}

// GET /admin/{kind} for sections, tags and authors.
func (s *Server) taxonomyPage(w http.ResponseWriter, r *http.Request) {
	if k := s.taxonomyKind(w, r); k != nil {
		s.renderTaxonomy(w, r, k, http.StatusOK, nil, nil)
	}
}

func (s *Server) renderTaxonomy(w http.ResponseWriter, r *http.Request, k *taxonomyKind, status int, form map[string]string, problems []string) {
	u := currentUser(r.Context())
	rows, err := k.list(s, r.Context())
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	site, err := s.store.Site(r.Context())
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.renderAdmin(w, r, status, "taxonomy", u, "admin.taxonomy."+k.name, taxonomyView{Kind: k.name, Fields: k.fields, Rows: rows, Form: form, Errors: problems,
		Editions: editionOptions(site, i18n.For(site.Language))})
}

// POST /admin/{kind} creates; POST /admin/{kind}/{id} saves or deletes.
func (s *Server) saveTaxonomy(w http.ResponseWriter, r *http.Request) {
	k := s.taxonomyKind(w, r)
	if k == nil {
		return
	}
	ctx := r.Context()
	u := currentUser(ctx)
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r); err != nil {
			s.adminFail(w, r, u, err)
			return
		}
	}
	values := formValues(r, k.fields)
	action := "save"
	var err error
	if id != 0 && r.PostFormValue("action") == "delete" {
		action = "delete"
		err = k.delete(s, ctx, id)
	} else {
		id, err = k.save(s, ctx, id, values)
	}
	if err != nil {
		switch rep := httperr.Of(err); rep.Kind {
		case errs.Invalid:
			s.renderTaxonomy(w, r, k, rep.Status, values, problemsOf(s.adminWords(ctx), err))
		case errs.Conflict:
			key := "admin.taxonomy.taken"
			if action == "delete" {
				key = "admin.taxonomy.in_use"
			}
			s.renderTaxonomy(w, r, k, rep.Status, values, []string{s.adminView(ctx, u).T(key)})
		default:
			s.adminFail(w, r, u, err)
		}
		return
	}
	s.store.Audit(ctx, auditEntry(u, strings.TrimSuffix(k.name, "s")+"."+action, strings.TrimSuffix(k.name, "s"), id, values["name"]))
	seeOther(w, r, "/admin/"+k.name, "saved")
}

// GET and POST /admin/settings: the site's title, tagline, language and time zone.
func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) {
	site, err := s.store.Site(r.Context())
	if err != nil {
		s.adminFail(w, r, currentUser(r.Context()), err)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "settings", currentUser(r.Context()), "admin.settings.title",
		map[string]any{"Site": site, "Editions": editionRows(site), "Policies": account.Policies})
}

// editionRow is one language's line in the settings' list of editions.
type editionRow struct {
	article.Edition
	Name      string // the language's name in itself
	On        bool
	OwnDigits bool // offer Latin digits instead
}

// editionRows lists every language with a catalogue but the main one,
// with the site's edition in it where there is one.
func editionRows(site article.Site) []editionRow {
	var rows []editionRow
	for _, lang := range i18n.Languages() {
		if lang == site.Language {
			continue
		}
		row := editionRow{Edition: article.Edition{Lang: lang}, Name: i18n.For(lang).T("language.name"), OwnDigits: i18n.For(lang).OwnDigits()}
		for _, e := range site.Editions {
			if e.Lang == lang {
				row.Edition, row.On = e, true
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// readEditions reads the settings form's editions: a checked language is
// published, with its own title, tagline and digits.
func readEditions(r *http.Request) []article.Edition {
	var eds []article.Edition
	for _, lang := range i18n.Languages() {
		if r.PostFormValue("edition_"+lang) == "" {
			continue
		}
		eds = append(eds, article.Edition{Lang: lang,
			Title:       strings.TrimSpace(r.PostFormValue("edition_" + lang + "_title")),
			Tagline:     strings.TrimSpace(r.PostFormValue("edition_" + lang + "_tagline")),
			LatinDigits: r.PostFormValue("edition_"+lang+"_latin") != ""})
	}
	return eds
}

func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	site := article.Site{Title: strings.TrimSpace(r.PostFormValue("title")), Tagline: strings.TrimSpace(r.PostFormValue("tagline")),
		Language: strings.TrimSpace(r.PostFormValue("language")), TimeZone: strings.TrimSpace(r.PostFormValue("timezone")),
		TwitterSite: r.PostFormValue("twitter_site")}
	words := s.adminWords(ctx)
	if days := strings.TrimSpace(r.PostFormValue("comments_close_days")); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil {
			n = -1 // not a number: said as out of range
		}
		site.CommentsCloseDays = n
	}
	site.FeedFullText = r.PostFormValue("feed_full_text") != ""
	site.LatinDigits = r.PostFormValue("latin_digits") != ""
	site.SecondStep = account.Policy(r.PostFormValue("second_step"))
	site.Editions = readEditions(r)
	site.DigestHour = article.DefaultSite.DigestHour
	if h := strings.TrimSpace(r.PostFormValue("digest_hour")); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil {
			n = -1
		}
		site.DigestHour = n
	}
	before, err := s.store.Site(ctx)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if site.SecondStep != before.SecondStep && s.needFreshIfEnrolled(w, r, "/admin/settings") {
		return
	}
	saved, err := newsroom.SaveSite(ctx, s.store, u, site)
	if err != nil && errs.KindOf(err) != errs.Invalid {
		s.adminFail(w, r, u, err)
		return
	}
	if err != nil {
		s.renderAdmin(w, r, http.StatusUnprocessableEntity, "settings", u, "admin.settings.title",
			map[string]any{"Site": saved, "Editions": editionRows(saved), "Policies": account.Policies, "Errors": problemsOf(words, err)})
		return
	}
	if saved.SecondStep != before.SecondStep {
		s.policyChanged(r, before.SecondStep, saved.SecondStep)
	}
	seeOther(w, r, "/admin/settings", "saved")
}
