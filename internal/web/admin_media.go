package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"broadsheet/internal/article"
	"broadsheet/internal/media"
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
// recording. The file's type is decided by its bytes. An image's size and
// dimensions are checked before any pixel is decoded, and it is re-encoded
// (dropping EXIF, GPS and anything appended) into the widths the site
// serves; a document is kept as it is. A form is answered with the library
// page; a client that accepts JSON (the editor) with the item or
// {"errors": [...]}.
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
	file, header, err := r.FormFile("file")
	var head []byte
	if err != nil {
		v.Errors = append(v.Errors, t("admin.media.choose"))
	} else {
		defer file.Close()
		head = make([]byte, media.SniffHeadBytes)
		n, _ := io.ReadFull(file, head)
		head = head[:n]
	}
	doc, isDoc := media.SniffDocument(head)
	switch {
	case file == nil:
	case isDoc:
		if len(v.Form.Alt) > 300 {
			v.Errors = append(v.Errors, t("admin.media.title_too_long"))
		}
	case !media.IsImage(head):
		v.Errors = append(v.Errors, t("admin.media.unsupported"))
	case v.Form.Alt == "" || len(v.Form.Alt) > 300:
		v.Errors = append(v.Errors, t("admin.media.alt_required"))
	}
	if len(v.Form.Caption) > 1000 || len(v.Form.Credit) > 200 {
		v.Errors = append(v.Errors, t("admin.media.too_long"))
	}
	if len(v.Errors) > 0 {
		refuse(http.StatusUnprocessableEntity)
		return
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		s.adminFail(w, r, u, fmt.Errorf("rereading an upload: %w", err))
		return
	}
	// The same file again is the one already in the library: known by its
	// hash before anything is decoded, and without waiting its turn.
	sum := sha256.New()
	size, err := io.Copy(sum, io.LimitReader(file, media.DefaultLimits.MaxBytes+1))
	if err != nil {
		s.adminFail(w, r, u, fmt.Errorf("hashing an upload: %w", err))
		return
	}
	if size > media.DefaultLimits.MaxBytes {
		v.Errors = []string{t("admin.media.too_large")}
		refuse(http.StatusRequestEntityTooLarge)
		return
	}
	hash := hex.EncodeToString(sum.Sum(nil))
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		s.adminFail(w, r, u, fmt.Errorf("rereading an upload: %w", err))
		return
	}
	if isDoc {
		s.uploadDocument(w, r, file, header.Filename, doc, hash, v.Form.Alt)
		return
	}
	// answer tells the client where the image is: the item, or the
	// library page at its place.
	answer := func(img *article.Image, status int, notice string) {
		if wantsJSON(r) {
			writeJSON(w, status, imageItem(img))
			return
		}
		seeOther(w, r, "/admin/media#image-"+strconv.FormatInt(img.ID, 10), notice)
	}
	// known answers for an image already in the library (or a failed
	// look-up) and reports whether it did.
	known := func() bool {
		existing, err := s.store.ImageBySourceHash(ctx, hash)
		switch {
		case err == nil:
			if existing, err = s.store.ImageByID(ctx, existing.ID); err != nil {
				s.adminFail(w, r, u, err)
				return true
			}
			answer(existing, http.StatusOK, "exists")
		case !errors.Is(err, article.ErrNotFound):
			s.adminFail(w, r, u, err)
		default:
			return false
		}
		return true
	}
	if known() {
		return
	}
	// Decoding and resizing a large photo takes up to a few hundred
	// megabytes for a moment; one at a time keeps a burst of uploads from
	// exhausting memory.
	select {
	case s.uploads <- struct{}{}:
		defer func() { <-s.uploads }()
	case <-ctx.Done():
		return
	}
	if known() { // the same file, sent twice at once, was processed meanwhile
		return
	}
	res, err := media.Process(file, media.DefaultLimits)
	if err != nil {
		var me *media.Error
		if !errors.As(err, &me) {
			s.log.Warn("reading an upload", "err", err)
		}
		v.Errors = []string{media.Message(err)}
		refuse(http.StatusUnprocessableEntity)
		return
	}
	img := article.Image{Alt: v.Form.Alt, Caption: v.Form.Caption, Credit: v.Form.Credit, Width: res.Width, Height: res.Height,
		SourceHash: hash, UploadedBy: u.ID}
	variants := make([]article.Variant, 0, len(res.Variants))
	for _, rv := range res.Variants {
		variants = append(variants, article.Variant{Width: rv.Width, Height: rv.Height, ContentType: rv.ContentType, Bytes: rv.Bytes})
	}
	if err := s.store.CreateImage(ctx, &img, variants); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "media.upload", "image", img.ID, img.Alt))
	if wantsJSON(r) {
		writeJSON(w, http.StatusCreated, imageItem(&img))
		return
	}
	seeOther(w, r, "/admin/media", "uploaded")
}

// uploadDocument keeps a PDF or a recording as it was uploaded, once.
func (s *Server) uploadDocument(w http.ResponseWriter, r *http.Request, file io.Reader, filename string, typ media.DocumentType, hash, title string) {
	ctx := r.Context()
	u := currentUser(ctx)
	answer := func(d *article.Document, status int, notice string) {
		if wantsJSON(r) {
			writeJSON(w, status, documentItem(d))
			return
		}
		seeOther(w, r, "/admin/media#document-"+strconv.FormatInt(d.ID, 10), notice)
	}
	existing, err := s.store.DocumentBySourceHash(ctx, hash)
	switch {
	case err == nil:
		answer(existing, http.StatusOK, "exists")
		return
	case !errors.Is(err, article.ErrNotFound):
		s.adminFail(w, r, u, err)
		return
	}
	data, err := io.ReadAll(io.LimitReader(file, media.DefaultLimits.MaxBytes+1))
	if err != nil {
		s.adminFail(w, r, u, fmt.Errorf("reading an upload: %w", err))
		return
	}

	name := media.DocumentName(filename, typ.Ext)
	if title == "" {
		title = strings.TrimSuffix(filepath.Base(strings.ReplaceAll(filename, `\`, "/")), filepath.Ext(filename))
	}
	d := article.Document{Name: name, Title: title, ContentType: typ.ContentType, SourceHash: hash, UploadedBy: u.ID}
	err = s.store.CreateDocument(ctx, &d, data)
	if errors.Is(err, article.ErrConflict) { // the same file, sent twice at once
		if existing, err = s.store.DocumentBySourceHash(ctx, hash); err == nil {
			answer(existing, http.StatusOK, "exists")
			return
		}
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "media.upload", "document", d.ID, d.Title))
	answer(&d, http.StatusCreated, "uploaded")
}
