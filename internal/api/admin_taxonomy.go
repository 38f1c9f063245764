package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
)

// Sections and authors can be listed, read and created. Changing and
// removing them waits for the store (those routes answer 501).

// Lengths of what an editor types about a section or an author.
const (
	maxName        = 100
	maxDescription = 600
	maxRole        = 100
	maxBio         = 2000
)

// checkText adds a problem for a field that is missing (when required) or
// longer than most runes.
func checkText(problems map[string]string, field, value string, required bool, most int) {
	switch {
	case required && strings.TrimSpace(value) == "":
		problems[field] = field + " is required"
	case utf8.RuneCountInString(value) > most:
		problems[field] = fmt.Sprintf("%s is longer than %d characters", field, most)
	}
}

// slugFor is the slug asked for, or one made from the name.
func slugFor(problems map[string]string, slug, name string) string {
	slug = strings.TrimSpace(slug)
	switch {
	case slug != "":
		if err := article.ValidateSlug(slug); err != nil {
			problems["slug"] = err.Error()
		}
	case problems["name"] == "":
		if slug = article.Slugify(name); slug == "" {
			problems["slug"] = "slug is required: the name has no letters or digits to make one from"
		}
	}
	return slug
}

// GET /api/v1/admin/sections
func (h *handler) adminListSections(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	ss, err := h.sections(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ss)
	return nil
}

// GET /api/v1/admin/sections/{slug}
func (h *handler) adminGetSection(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	s, err := h.store.SectionBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.sectionJSON(s))
	return nil
}

// POST /api/v1/admin/sections
func (h *handler) createSection(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	var req struct {
		Name        string `json:"name"`
		Slug        string `json:"slug"`
		Description string `json:"description"`
		Position    int    `json:"position"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	problems := map[string]string{}
	checkText(problems, "name", req.Name, true, maxName)
	checkText(problems, "description", req.Description, false, maxDescription)
	s := article.Section{Name: strings.TrimSpace(req.Name), Slug: slugFor(problems, req.Slug, req.Name),
		Description: strings.TrimSpace(req.Description), Position: req.Position}
	if len(problems) > 0 {
		return invalid(problems)
	}
	if err := h.store.CreateSection(r.Context(), &s); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/admin/sections/"+url.PathEscape(s.Slug))
	writeJSON(w, http.StatusCreated, h.sectionJSON(&s))
	return nil
}

// GET /api/v1/admin/authors
func (h *handler) adminListAuthors(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	as, err := h.authors(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, as)
	return nil
}

// GET /api/v1/admin/authors/{slug}
func (h *handler) adminGetAuthor(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	a, err := h.store.AuthorBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.authorJSON(a))
	return nil
}

// POST /api/v1/admin/authors
func (h *handler) createAuthor(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	var req struct {
		Name string `json:"name"`
		Slug string `json:"slug"`
		Role string `json:"role"`
		Bio  string `json:"bio"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	problems := map[string]string{}
	checkText(problems, "name", req.Name, true, maxName)
	checkText(problems, "role", req.Role, false, maxRole)
	checkText(problems, "bio", req.Bio, false, maxBio)
	a := article.Author{Name: strings.TrimSpace(req.Name), Slug: slugFor(problems, req.Slug, req.Name),
		Role: strings.TrimSpace(req.Role), Bio: strings.TrimSpace(req.Bio)}
	if len(problems) > 0 {
		return invalid(problems)
	}
	if err := h.store.CreateAuthor(r.Context(), &a); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/admin/authors/"+url.PathEscape(a.Slug))
	writeJSON(w, http.StatusCreated, h.authorJSON(&a))
	return nil
}
