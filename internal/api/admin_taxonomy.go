package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
)

// Sections and authors can be listed, read, created, changed (PATCH: the
// fields sent replace the stored ones, the rest stay) and deleted while no
// article uses them. The record is found by its slug in the path and saved
// by its id, so a PATCH may change the slug itself.

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

// checkSectionSlug adds a problem for a section slug the site keeps for itself.
func checkSectionSlug(problems map[string]string, slug string) {
	if problems["slug"] == "" && article.Reserved(slug) {
		problems["slug"] = fmt.Sprintf("slug %q is reserved: the site itself answers /%s", slug, slug)
	}
}

// refusedDelete says what a store's refusal to delete a record that
// articles still use (ErrConflict) means: not a slug conflict.
func refusedDelete(err error, message string) error {
	if errors.Is(err, article.ErrConflict) {
		return errs.Wrap(errs.Conflict, message, err)
	}
	return err
}

// noContent answers 204: done, nothing to send.
func noContent(w http.ResponseWriter) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNoContent)
}

// slugFor is the slug asked for, or one made from the name.
func slugFor(problems map[string]string, slug, name string) string {
	slug = strings.TrimSpace(slug)
	switch {
	case slug != "":
		if err := article.ValidateSlug(slug); err != nil {
			problems["slug"] = errs.From(err).Message
		}
	case problems["name"] == "":
		if slug = article.Slugify(name); slug == "" {
			problems["slug"] = "slug is required: the name has no letters or digits to make one from"
		}
	}
	return slug
}

// The bodies of the create and change requests: in a change, a field left
// out (or null) keeps its value.
type (
	sectionCreate struct {
		Name        string `json:"name"`
		Slug        string `json:"slug" doc:"made from the name when left out"`
		Description string `json:"description"`
		Position    int    `json:"position" doc:"orders the navigation, ascending"`
		Edition     string `json:"edition" doc:"the edition's language code; \"\" for the main edition"`
	}
	sectionPatch struct {
		Name        *string `json:"name"`
		Slug        *string `json:"slug" doc:"\"\" makes a new one from the name"`
		Description *string `json:"description"`
		Position    *int    `json:"position"`
		Edition     *string `json:"edition"`
	}
	authorCreate struct {
		Name string `json:"name"`
		Slug string `json:"slug" doc:"made from the name when left out"`
		Role string `json:"role" doc:"the line under the byline, e.g. \"Sport editor\""`
		Bio  string `json:"bio"`
	}
	authorPatch struct {
		Name *string `json:"name"`
		Slug *string `json:"slug" doc:"\"\" makes a new one from the name"`
		Role *string `json:"role"`
		Bio  *string `json:"bio"`
	}
)

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
	var req sectionCreate
	if err := decode(w, r, &req); err != nil {
		return err
	}
	problems := map[string]string{}
	checkText(problems, "name", req.Name, true, maxName)
	checkText(problems, "description", req.Description, false, maxDescription)
	s := article.Section{Name: strings.TrimSpace(req.Name), Slug: slugFor(problems, req.Slug, req.Name),
		Description: strings.TrimSpace(req.Description), Position: req.Position, Edition: req.Edition}
	checkSectionSlug(problems, s.Slug)
	if err := h.checkEdition(r.Context(), problems, s); err != nil {
		return err
	}
	if len(problems) > 0 {
		return invalid(problems)
	}
	if err := h.store.CreateSection(r.Context(), &s); err != nil {
		return article.SlugTaken(err)
	}
	w.Header().Set("Location", "/api/v1/admin/sections/"+url.PathEscape(s.Slug))
	writeJSON(w, http.StatusCreated, h.sectionJSON(&s))
	return nil
}

// PATCH /api/v1/admin/sections/{slug}
func (h *handler) patchSection(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	var req sectionPatch
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	old, err := h.store.SectionBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return err
	}
	s := *old
	problems := map[string]string{}
	if req.Name != nil {
		checkText(problems, "name", *req.Name, true, maxName)
		s.Name = strings.TrimSpace(*req.Name)
	}
	if req.Description != nil {
		checkText(problems, "description", *req.Description, false, maxDescription)
		s.Description = strings.TrimSpace(*req.Description)
	}
	if req.Position != nil {
		s.Position = *req.Position
	}
	if req.Slug != nil {
		// "" makes a new slug from the name, as on creation.
		s.Slug = slugFor(problems, *req.Slug, s.Name)
		if s.Slug != old.Slug {
			checkSectionSlug(problems, s.Slug)
		}
	}
	if req.Edition != nil {
		s.Edition = *req.Edition
	}
	if err := h.checkEdition(ctx, problems, s); err != nil {
		return err
	}
	if len(problems) > 0 {
		return invalid(problems)
	}
	if s != *old {
		if err := h.store.UpdateSection(ctx, &s); err != nil {
			return article.SlugTaken(err)
		}
	}
	writeJSON(w, http.StatusOK, h.sectionJSON(&s))
	return nil
}

// checkEdition adds a problem when s names an edition the site lacks, or
// is a main-edition section whose slug is an edition's code.
func (h *handler) checkEdition(ctx context.Context, problems map[string]string, s article.Section) error {
	site, err := h.store.Site(ctx)
	if err != nil {
		return err
	}
	if _, ok := site.Edition(s.Edition); !ok {
		problems["edition"] = "the site has no such edition: \"\" is the main edition, or one of " + strings.Join(site.EditionCodes(), ", ")
	}
	if _, ok := site.Edition(s.Slug); ok && s.Slug != "" && s.Edition == "" {
		problems["slug"] = "this address is an edition's: the section would not be reached"
	}
	return nil
}

// DELETE /api/v1/admin/sections/{slug}
func (h *handler) deleteSection(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	ctx := r.Context()
	s, err := h.store.SectionBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return err
	}
	if err := h.store.DeleteSection(ctx, s.ID); err != nil {
		return refusedDelete(err, "articles still use this section (drafts and unpublished ones count too); move them to another section first")
	}
	noContent(w)
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
	var req authorCreate
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
		return article.SlugTaken(err)
	}
	w.Header().Set("Location", "/api/v1/admin/authors/"+url.PathEscape(a.Slug))
	writeJSON(w, http.StatusCreated, h.authorJSON(&a))
	return nil
}

// PATCH /api/v1/admin/authors/{slug}
func (h *handler) patchAuthor(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	var req authorPatch
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	old, err := h.store.AuthorBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return err
	}
	a := *old
	problems := map[string]string{}
	if req.Name != nil {
		checkText(problems, "name", *req.Name, true, maxName)
		a.Name = strings.TrimSpace(*req.Name)
	}
	if req.Role != nil {
		checkText(problems, "role", *req.Role, false, maxRole)
		a.Role = strings.TrimSpace(*req.Role)
	}
	if req.Bio != nil {
		checkText(problems, "bio", *req.Bio, false, maxBio)
		a.Bio = strings.TrimSpace(*req.Bio)
	}
	if req.Slug != nil {
		// "" makes a new slug from the name, as on creation.
		a.Slug = slugFor(problems, *req.Slug, a.Name)
	}
	if len(problems) > 0 {
		return invalid(problems)
	}
	if a != *old {
		if err := h.store.UpdateAuthor(ctx, &a); err != nil {
			return article.SlugTaken(err)
		}
	}
	writeJSON(w, http.StatusOK, h.authorJSON(&a))
	return nil
}

// DELETE /api/v1/admin/authors/{slug}
func (h *handler) deleteAuthor(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	ctx := r.Context()
	a, err := h.store.AuthorBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return err
	}
	if err := h.store.DeleteAuthor(ctx, a.ID); err != nil {
		return refusedDelete(err, "articles still use this author (drafts and unpublished ones count too); take the author off their bylines first")
	}
	noContent(w)
	return nil
}
