package api

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/library"
)

// The media library, as on the newsroom's media page: uploads go through
// the one use case the page's form goes through (library.Add: the same
// checks, limits, processing slot and audit entry), and a file is deleted
// only while no article uses it.

// maxUploadBytes is what an upload may send: the largest file the library
// takes, and room for its fields and the form's framing.
var maxUploadBytes = library.MaxBytes + 1<<20

// bodyCaps are the routes that read more than maxBodyBytes.
var bodyCaps = map[string]int64{"POST /api/v1/admin/media": maxUploadBytes}

// mediaJSON is an image or a document of the library. Fields of the other
// kind are left out.
type mediaJSON struct {
	ID        int64         `json:"id"`
	Kind      mediaKind     `json:"kind"`
	URL       string        `json:"url" doc:"an image's width for a story column, or the document; until a published article uses it, 404 to all but the newsroom signed in with a browser (an API token too)"`
	Alt       string        `json:"alt,omitempty" doc:"an image's alternative text"`
	Caption   string        `json:"caption,omitempty"`
	Credit    string        `json:"credit,omitempty"`
	Width     int           `json:"width,omitempty"`
	Height    int           `json:"height,omitempty"`
	Variants  []variantJSON `json:"variants,omitzero" doc:"every width stored, narrowest first"`
	Name      string        `json:"name,omitempty" doc:"a document's file name"`
	Title     string        `json:"title,omitempty" doc:"a document's title"`
	Type      string        `json:"content_type,omitempty" doc:"a document's type"`
	Size      int64         `json:"size,omitempty" doc:"a document's size in bytes"`
	CreatedAt *time.Time    `json:"created_at"`
}

// mediaKind is which of the library's two kinds an item is.
type mediaKind string

const (
	imageKind    mediaKind = "image"
	documentKind mediaKind = "document"
)

// storyWidth is the widest stored width an image's url names, as the
// newsroom's editor places it in a story.
const storyWidth = 1200

func (h *handler) imageView(img *article.Image) mediaJSON {
	j := mediaJSON{ID: img.ID, Kind: imageKind, Alt: img.Alt, Caption: img.Caption, Credit: img.Credit, Width: img.Width, Height: img.Height,
		Variants: make([]variantJSON, 0, len(img.Variants)), CreatedAt: timeOrNull(img.CreatedAt)}
	for _, w := range img.Variants {
		u := h.baseURL + "/media/" + strconv.FormatInt(img.ID, 10) + "/" + strconv.Itoa(w) + ".jpg"
		j.Variants = append(j.Variants, variantJSON{Width: w, URL: u})
		if j.URL == "" || w <= storyWidth {
			j.URL = u
		}
	}
	return j
}

func (h *handler) documentView(d *article.Document) mediaJSON {
	return mediaJSON{ID: d.ID, Kind: documentKind, URL: h.baseURL + d.Path(), Name: d.Name, Title: d.Title, Type: d.ContentType,
		Size: d.Size, CreatedAt: timeOrNull(d.CreatedAt)}
}

type mediaList struct {
	Items []mediaJSON `json:"items"`
	Next  *string     `json:"next" doc:"pass as ?before= for the next page; null on the last"`
}

// uploadForm is the multipart form of POST /api/v1/admin/media, for the
// document.
type uploadForm struct {
	File    string `json:"file" doc:"the file: a JPEG, PNG, WebP or GIF image, a PDF, or an MP3, M4A, Ogg, WAV or FLAC recording; at most 20 MB"`
	Alt     string `json:"alt" doc:"an image's alternative text, required, at most 300 bytes; a document's title (default: its file name)"`
	Caption string `json:"caption" doc:"at most 1,000 bytes"`
	Credit  string `json:"credit" doc:"at most 200 bytes"`
}

// GET /api/v1/admin/media
func (h *handler) listMedia(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	limit, err := queryLimit(r, 24, maxAdminPage)
	if err != nil {
		return err
	}
	page := 1
	if s := r.URL.Query().Get("before"); s != "" {
		// The library pages by number; the cursor is the next page's.
		if page, err = strconv.Atoi(s); err != nil || page < 2 {
			return badRequest("before is not a cursor this API gave out")
		}
	}
	p, err := h.store.Media(r.Context(), strings.TrimSpace(r.URL.Query().Get("q")), page, limit)
	if err != nil {
		return err
	}
	res := mediaList{Items: make([]mediaJSON, 0, len(p.Items))}
	for _, it := range p.Items {
		if it.Image != nil {
			res.Items = append(res.Items, h.imageView(it.Image))
		} else {
			res.Items = append(res.Items, h.documentView(it.Document))
		}
	}
	if p.More {
		next := strconv.Itoa(page + 1)
		res.Next = &next
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// mediaID reads the path's {id}.
func mediaID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, article.ErrNotFound
	}
	return id, nil
}

// GET /api/v1/admin/media/images/{id}
func (h *handler) getImage(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	id, err := mediaID(r)
	if err != nil {
		return err
	}
	img, err := h.store.ImageByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.imageView(img))
	return nil
}

// GET /api/v1/admin/media/documents/{id}
func (h *handler) getDocument(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	id, err := mediaID(r)
	if err != nil {
		return err
	}
	d, err := h.store.DocumentByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.documentView(d))
	return nil
}

// DELETE /api/v1/admin/media/images/{id}
func (h *handler) deleteImage(w http.ResponseWriter, r *http.Request, u *account.User) error {
	id, err := mediaID(r)
	if err != nil {
		return err
	}
	if err := h.library.DeleteImage(r.Context(), u, id); err != nil {
		return err
	}
	noContent(w)
	return nil
}

// DELETE /api/v1/admin/media/documents/{id}
func (h *handler) deleteDocument(w http.ResponseWriter, r *http.Request, u *account.User) error {
	id, err := mediaID(r)
	if err != nil {
		return err
	}
	if err := h.library.DeleteDocument(r.Context(), u, id); err != nil {
		return err
	}
	noContent(w)
	return nil
}

// misplacedFile refuses an upload whose file is not where the form
// says, naming the file part.
func misplacedFile(msg string) error {
	e := badRequest("%s", msg)
	e.Fields = []errs.Problem{{Field: "file", Message: msg}}
	return e
}

// POST /api/v1/admin/media takes one file as multipart/form-data: 201 with
// what it became, or 200 with the item already in the library when the
// same file was uploaded before.
func (h *handler) uploadMedia(w http.ResponseWriter, r *http.Request, u *account.User) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		return errUnsupportedUpload
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return library.ErrTooLarge
		}
		return badRequest("the body is not a multipart form this API can read")
	}
	defer r.MultipartForm.RemoveAll()
	for name := range r.MultipartForm.Value {
		switch name {
		case "alt", "caption", "credit":
		case "file":
			return misplacedFile("the file was sent as text: send its bytes as a file part named \"file\" (curl -F file=@PATH)")
		default:
			e := badRequest("unknown field %q", name)
			e.Fields = []errs.Problem{{Field: name, Message: "unknown field"}}
			return e
		}
	}
	for name := range r.MultipartForm.File {
		if name != "file" {
			// Taken for no file at all, it would be refused as missing.
			return misplacedFile(fmt.Sprintf("the file goes in a part named \"file\", not %q", name))
		}
	}
	in := library.Upload{Alt: r.FormValue("alt"), Caption: r.FormValue("caption"), Credit: r.FormValue("credit")}
	if file, header, err := r.FormFile("file"); err == nil {
		defer file.Close()
		in.File, in.Filename = file, header.Filename
	}
	added, err := h.library.Add(r.Context(), u, in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if added.Existing {
		status = http.StatusOK
	}
	// Answered as now stored, with the time the store gave it.
	if added.Image != nil {
		img, err := h.store.ImageByID(r.Context(), added.Image.ID)
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/api/v1/admin/media/images/"+strconv.FormatInt(img.ID, 10))
		writeJSON(w, status, h.imageView(img))
		return nil
	}
	d, err := h.store.DocumentByID(r.Context(), added.Document.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/admin/media/documents/"+strconv.FormatInt(d.ID, 10))
	writeJSON(w, status, h.documentView(d))
	return nil
}
