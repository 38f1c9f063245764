package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"broadsheet/internal/article"
	"broadsheet/internal/media"
)

// mediaView is the media library page.
type mediaView struct {
	Images []article.Image
	Form   struct{ Alt, Caption, Credit string }
	Errors []string
}

// GET /admin/media
func (s *Server) mediaPage(w http.ResponseWriter, r *http.Request) {
	s.renderMedia(w, r, http.StatusOK, mediaView{})
}

func (s *Server) renderMedia(w http.ResponseWriter, r *http.Request, status int, v mediaView) {
	u := currentUser(r.Context())
	imgs, err := s.store.Images(r.Context(), 200)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v.Images = imgs
	s.renderAdmin(w, r, status, "media", u, "admin.media.title", v)
}

// POST /admin/media takes one image upload. The file's type is decided by
// its bytes; size and dimensions are checked before any pixel is decoded;
// the image is re-encoded (dropping EXIF, GPS and anything appended) into
// the widths the site serves.
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	var v mediaView
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			v.Errors = []string{media.Message(&media.Error{Kind: media.ErrTooLarge, Message: "the file is larger than the limit of 20 MB"})}
			s.renderMedia(w, r, http.StatusRequestEntityTooLarge, v)
			return
		}
		v.Errors = []string{s.adminView(ctx, u).T("admin.media.choose")}
		s.renderMedia(w, r, http.StatusBadRequest, v)
		return
	}
	defer r.MultipartForm.RemoveAll()
	v.Form.Alt = strings.TrimSpace(r.FormValue("alt"))
	v.Form.Caption = strings.TrimSpace(r.FormValue("caption"))
	v.Form.Credit = strings.TrimSpace(r.FormValue("credit"))
	file, _, err := r.FormFile("file")
	if err != nil {
		v.Errors = append(v.Errors, s.adminView(ctx, u).T("admin.media.choose"))
	} else {
		defer file.Close()
	}
	if v.Form.Alt == "" || len(v.Form.Alt) > 300 {
		v.Errors = append(v.Errors, s.adminView(ctx, u).T("admin.media.alt_required"))
	}
	if len(v.Form.Caption) > 1000 || len(v.Form.Credit) > 200 {
		v.Errors = append(v.Errors, s.adminView(ctx, u).T("admin.media.too_long"))
	}
	if len(v.Errors) > 0 {
		s.renderMedia(w, r, http.StatusUnprocessableEntity, v)
		return
	}

	// The same file again is the image already in the library: known by
	// its hash before anything is decoded, and without waiting its turn.
	sum := sha256.New()
	if _, err := io.Copy(sum, io.LimitReader(file, media.DefaultLimits.MaxBytes+1)); err != nil {
		s.adminFail(w, r, u, fmt.Errorf("hashing an upload: %w", err))
		return
	}
	hash := hex.EncodeToString(sum.Sum(nil))
	// known answers for an image already in the library (or a failed
	// look-up) and reports whether it did.
	known := func() bool {
		existing, err := s.store.ImageBySourceHash(ctx, hash)
		switch {
		case err == nil:
			seeOther(w, r, "/admin/media#image-"+strconv.FormatInt(existing.ID, 10), "exists")
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
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		s.adminFail(w, r, u, fmt.Errorf("rereading an upload: %w", err))
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
		s.renderMedia(w, r, http.StatusUnprocessableEntity, v)
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
	seeOther(w, r, "/admin/media", "uploaded")
}
