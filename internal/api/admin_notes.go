package api

import (
	"net/http"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
)

// Corrections and updates on a published article, oldest first: each is
// shown under the article and on the corrections page, and sets its
// updated_at. Adding one goes through the newsroom's rule (an editor may
// note any article, an author their own).

type noteList struct {
	Notes []noteJSON `json:"notes"`
}

// noteRequest is the body of POST …/notes.
type noteRequest struct {
	Kind string `json:"kind" doc:"correction or update"`
	Body string `json:"body" doc:"plain text, at most 5,000 bytes"`
}

// GET /api/v1/admin/articles/{id}/notes
func (h *handler) listNotes(w http.ResponseWriter, r *http.Request, u *account.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := h.newsroom.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	res := noteList{Notes: make([]noteJSON, 0, len(a.Notes))}
	for i := range a.Notes {
		res.Notes = append(res.Notes, noteView(&a.Notes[i]))
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// POST /api/v1/admin/articles/{id}/notes
func (h *handler) addNote(w http.ResponseWriter, r *http.Request, u *account.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req noteRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	n, err := h.newsroom.AddNote(r.Context(), u, id, article.NoteKind(req.Kind), req.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, noteView(n))
	return nil
}
