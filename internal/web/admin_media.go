package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"broadsheet/internal/article"
	"broadsheet/internal/httperr"
	"broadsheet/internal/library"
)

// mediaView is the media library page.
type mediaView struct {
	*article.MediaPage
	Query  string
	Page   int
	Form   struct{ Alt, Caption, Credit string }
	Errors []string
}

// mediaPageSize is how many images and documents a page of the library
// shows.
const mediaPageSize = 48

// GET /admin/media
func (s *Server) mediaPage(w http.ResponseWriter, r *http.Request) {
	s.renderMedia(w, r, http.StatusOK, mediaView{})
}

func (s *Server) renderMedia(w http.ResponseWriter, r *http.Request, status int, v mediaView) {
	u := currentUser(r.Context())
	v.Query = strings.TrimSpace(r.URL.Query().Get("q"))
	v.Page = max(1, pageParam(r.URL.Query()))
	var err error
	if v.MediaPage, err = s.store.Media(r.Context(), v.Query, v.Page, mediaPageSize); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.renderAdmin(w, r, status, "media", u, "admin.media.title", v)
}

// mediaItem is an image or a document as the editor's JSON sees it.
type mediaItem struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"` // "image" or "document"
	URL     string `json:"url"`
	Thumb   string `json:"thumb,omitempty"`
	Alt     string `json:"alt,omitempty"`
	Caption string `json:"caption,omitempty"`
	Credit  string `json:"credit,omitempty"`
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	Name    string `json:"name,omitempty"`
	Title   string `json:"title,omitempty"`
	Type    string `json:"type,omitempty"`
	Size    int64  `json:"size,omitempty"`
}

// storyWidth is the width of the size a story's Markdown names: pages
// offer every size through srcset, and a plain reader of the Markdown
// gets one fit for a column.
const storyWidth = 1200

func imageItem(img *article.Image) mediaItem {
	it := mediaItem{ID: img.ID, Kind: "image", Alt: img.Alt, Caption: img.Caption, Credit: img.Credit, Width: img.Width, Height: img.Height}
	if len(img.Variants) > 0 {
		url := func(w int) string { return "/media/" + strconv.FormatInt(img.ID, 10) + "/" + strconv.Itoa(w) + ".jpg" }
		it.URL, it.Thumb = url(storyWidthOf(img.Variants)), url(img.Variants[0])
	}
	return it
}

// storyWidthOf is the width, of an image's stored widths (narrowest
// first), that a story's Markdown names: the widest up to storyWidth, or
// the narrowest when all are wider.
func storyWidthOf(widths []int) int {
	story := widths[0]
	for _, w := range widths {
		if w <= storyWidth {
			story = w
		}
	}
	return story
}

func documentItem(d *article.Document) mediaItem {
	return mediaItem{ID: d.ID, Kind: "document", URL: d.Path(), Name: d.Name, Title: d.Title, Type: d.ContentType, Size: d.Size}
}

// GET /admin/media.json?q=WORDS&page=N lists the library for the editor's
// picker, newest first.
func (s *Server) mediaJSON(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	p, err := s.store.Media(ctx, strings.TrimSpace(q.Get("q")), max(1, pageParam(q)), 24)
	if err != nil {
		s.adminFail(w, r, currentUser(ctx), err)
		return
	}
	items := make([]mediaItem, 0, len(p.Items))
	for _, it := range p.Items {
		if it.Image != nil {
			items = append(items, imageItem(it.Image))
		} else {
			items = append(items, documentItem(it.Document))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next": p.More})
}

// pageParam is the page a list is asked for, from 1.
func pageParam(q url.Values) int {
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 || n > 100 {
		return 1
	}
	return n
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// wantsJSON reports whether the client asked for a JSON answer (the
// editor does; a form does not).
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// POST /admin/media takes one upload: an image, a PDF or an audio
// recording, through the media library's one use case (library.Add). A
// form is answered with the library page; a client that accepts JSON (the
// editor) with the item or {"errors": [...]}.
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	var v mediaView
	refuse := func(status int) {
		if wantsJSON(r) {
			writeJSON(w, status, map[string]any{"errors": v.Errors})
			return
		}
		s.renderMedia(w, r, status, v)
	}
	t := s.adminView(ctx, u).T
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			v.Errors = []string{t("admin.media.too_large")}
			refuse(http.StatusRequestEntityTooLarge)
			return
		}
		v.Errors = []string{t("admin.media.choose")}
		refuse(http.StatusBadRequest)
		return
	}
	defer r.MultipartForm.RemoveAll()
	v.Form.Alt = strings.TrimSpace(r.FormValue("alt"))
	v.Form.Caption = strings.TrimSpace(r.FormValue("caption"))
	v.Form.Credit = strings.TrimSpace(r.FormValue("credit"))
	in := library.Upload{Alt: v.Form.Alt, Caption: v.Form.Caption, Credit: v.Form.Credit}
	if file, header, err := r.FormFile("file"); err == nil {
		defer file.Close()
		in.File, in.Filename = file, header.Filename
	}
	added, err := s.library.Add(ctx, u, in)
	if err != nil {
		if rep := httperr.Of(err); !rep.Internal {
			v.Errors = problemsOf(s.adminWords(ctx), err)
			refuse(rep.Status)
			return
		}
		s.adminFail(w, r, u, err)
		return
	}
	status, notice := http.StatusCreated, "uploaded"
	if added.Existing {
		status, notice = http.StatusOK, "exists"
	}
	item, anchor := mediaItem{}, ""
	if added.Image != nil {
		item, anchor = imageItem(added.Image), "#image-"+strconv.FormatInt(added.Image.ID, 10)
	} else {
		item, anchor = documentItem(added.Document), "#document-"+strconv.FormatInt(added.Document.ID, 10)
	}
	if wantsJSON(r) {
		writeJSON(w, status, item)
		return
	}
	if added.Image != nil && !added.Existing {
		anchor = "" // a new image leads the library page
	}
	seeOther(w, r, "/admin/media"+anchor, notice)
}
