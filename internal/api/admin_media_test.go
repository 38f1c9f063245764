package api

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/library"
)

func testPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// upload sends a multipart form with a file (when data is not nil) and
// fields, as role.
func (f *fixture) upload(role account.Role, filename string, data []byte, fields ...string) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.uploadIn(role, "file", filename, data, fields...)
}

// uploadIn is upload with the file in the part named part.
func (f *fixture) uploadIn(role account.Role, part, filename string, data []byte, fields ...string) *httptest.ResponseRecorder {
	f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	if data != nil {
		fw, _ := mw.CreateFormFile(part, filename)
		fw.Write(data)
	}
	mw.Close()
	r := httptest.NewRequest("POST", "/api/v1/admin/media", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Authorization", "Bearer "+f.tokens[role])
	r.RemoteAddr = "192.0.2.1:4711"
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func TestMediaUpload(t *testing.T) {
	f := newFixture(t)
	photo := testPNG(1000, 600)
	w := f.upload(account.Contributor, "quay.png", photo, "alt", "Boats at the quay", "caption", "Dawn at the Old Quay.", "credit", "Ada Reed")
	if w.Code != http.StatusCreated {
		t.Fatalf("upload = %d %s", w.Code, w.Body)
	}
	img := decodeAs[mediaJSON](t, w)
	if img.Kind != "image" || img.Alt != "Boats at the quay" || img.Width != 1000 || len(img.Variants) != 3 || img.CreatedAt == nil ||
		img.URL != baseURL+"/media/"+strconv.FormatInt(img.ID, 10)+"/1000.jpg" || img.Credit != "Ada Reed" {
		t.Errorf("uploaded %s", w.Body)
	}
	if got, want := w.Header().Get("Location"), "/api/v1/admin/media/images/"+strconv.FormatInt(img.ID, 10); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	wantAudit(t, f, account.Contributor, "media.upload")
	if w := f.upload(account.Author, "copy.png", photo, "alt", "Again"); w.Code != http.StatusOK || decodeAs[mediaJSON](t, w).ID != img.ID {
		t.Errorf("the same file again = %d %s, want 200 and the first", w.Code, w.Body)
	}
	f.advance(time.Minute)
	w = f.upload(account.Author, "Budget 2027.pdf", []byte("%PDF-1.7\n% the budget\n"))
	doc := decodeAs[mediaJSON](t, w)
	if w.Code != http.StatusCreated || doc.Kind != "document" || doc.Title != "Budget 2027" || doc.Type != "application/pdf" || !strings.HasPrefix(doc.URL, baseURL+"/media/") {
		t.Errorf("a PDF = %d %s", w.Code, w.Body)
	}

	// What the newsroom's form refuses, the API refuses, naming the field.
	for _, tt := range []struct {
		name        string
		filename    string
		data        []byte
		fields      []string
		status      int
		code, field string
	}{
		{"no alt text", "x.png", testPNG(20, 10), nil, 422, "invalid", "alt"},
		{"no file", "", nil, []string{"alt", "x"}, 422, "invalid", "file"},
		{"not an image", "x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), []string{"alt", "x"}, 422, "invalid", "file"},
		{"a long credit", "x.png", testPNG(20, 10), []string{"alt", "x", "credit", strings.Repeat("c", 201)}, 422, "invalid", "credit"},
		{"an unknown field", "x.png", testPNG(20, 10), []string{"alt", "x", "title", "y"}, 400, "bad_request", "title"},
	} {
		e := wantError(t, tt.name, f.upload(account.Editor, tt.filename, tt.data, tt.fields...), tt.status, tt.code)
		if e.Error.Fields[tt.field] == "" {
			t.Errorf("%s: fields %v, want %s", tt.name, e.Error.Fields, tt.field)
		}
	}
	wantError(t, "JSON instead of a form", f.as(account.Editor, "POST", "/api/v1/admin/media", `{"alt":"x"}`), http.StatusUnsupportedMediaType, "unsupported_media_type")
	// The file in a part of another name is not taken for no file at all:
	// the answer says where it goes.
	e := wantError(t, "the file in a part named upload", f.uploadIn(account.Editor, "upload", "x.png", testPNG(20, 10), "alt", "x"),
		http.StatusBadRequest, "bad_request")
	if msg := e.Error.Fields["file"]; !strings.Contains(msg, `"file"`) || !strings.Contains(msg, `"upload"`) {
		t.Errorf("the file in a part named upload: fields %v, want file named and the part it came in", e.Error.Fields)
	}
	e = wantError(t, "file sent as text", f.upload(account.Editor, "", nil, "alt", "x", "file", "quay.png"), http.StatusBadRequest, "bad_request")
	if e.Error.Fields["file"] == "" {
		t.Errorf("file sent as text: fields %v, want file named", e.Error.Fields)
	}

	// Over the cap: refused unread when its length says so, and cut off
	// at the cap when it does not.
	r := httptest.NewRequest("POST", "/api/v1/admin/media", &countingReader{left: maxUploadBytes + 1})
	r.ContentLength = maxUploadBytes + 1
	r.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	r.Header.Set("Authorization", "Bearer "+f.tokens[account.Editor])
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	wantError(t, "said to be too large", rec, http.StatusRequestEntityTooLarge, "too_large")
	var big bytes.Buffer
	mw := multipart.NewWriter(&big)
	mw.WriteField("alt", "x")
	fw, _ := mw.CreateFormFile("file", "big.png")
	fw.Write(testPNG(20, 10))
	fw.Write(make([]byte, library.MaxBytes+10))
	mw.Close()
	r = httptest.NewRequest("POST", "/api/v1/admin/media", io.MultiReader(&big))
	r.ContentLength = -1
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Authorization", "Bearer "+f.tokens[account.Editor])
	rec = httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	wantError(t, "too large, length unsaid", rec, http.StatusRequestEntityTooLarge, "too_large")

	// Listed newest first, searched, paged.
	list := decodeAs[mediaList](t, f.as(account.Contributor, "GET", "/api/v1/admin/media", ""))
	if len(list.Items) != 2 || list.Items[0].Kind != "document" || list.Next != nil {
		t.Errorf("the library = %+v", list)
	}
	page := decodeAs[mediaList](t, f.as(account.Contributor, "GET", "/api/v1/admin/media?limit=1", ""))
	if len(page.Items) != 1 || page.Next == nil {
		t.Fatalf("a page of one: %+v", page)
	}
	if rest := decodeAs[mediaList](t, f.as(account.Contributor, "GET", "/api/v1/admin/media?limit=1&before="+*page.Next, "")); len(rest.Items) != 1 || rest.Items[0].Kind != "image" || rest.Next != nil {
		t.Errorf("the second page: %+v", rest)
	}
	if found := decodeAs[mediaList](t, f.as(account.Contributor, "GET", "/api/v1/admin/media?q=quay", "")); len(found.Items) != 1 || found.Items[0].ID != img.ID {
		t.Errorf("?q=quay: %+v", found)
	}
	if got := decodeAs[mediaJSON](t, f.as(account.Contributor, "GET", "/api/v1/admin/media/images/"+strconv.FormatInt(img.ID, 10), "")); got.Caption != "Dawn at the Old Quay." {
		t.Errorf("one image: %+v", got)
	}
	if got := decodeAs[mediaJSON](t, f.as(account.Contributor, "GET", "/api/v1/admin/media/documents/"+strconv.FormatInt(doc.ID, 10), "")); got.Size == 0 {
		t.Errorf("one document: %+v", got)
	}
	wantError(t, "no such image", f.as(account.Contributor, "GET", "/api/v1/admin/media/images/999", ""), http.StatusNotFound, "not_found")
}

func TestMediaDelete(t *testing.T) {
	f := newFixture(t)
	img := decodeAs[mediaJSON](t, f.upload(account.Editor, "quay.png", testPNG(600, 400), "alt", "The quay"))
	path := "/api/v1/admin/media/images/" + strconv.FormatInt(img.ID, 10)
	leastRole(t, f, account.Editor, "DELETE", path, "")
	a := f.create(account.Author, story("The quay", `"lead_image_id":`+strconv.FormatInt(img.ID, 10)))
	e := wantError(t, "the lead image of a draft", f.as(account.Editor, "DELETE", path, ""), http.StatusConflict, "conflict")
	if !strings.Contains(e.Error.Message, "article uses") {
		t.Errorf("message %q", e.Error.Message)
	}
	f.as(account.Author, "PATCH", "/api/v1/admin/articles/"+strconv.FormatInt(a.ID, 10), `{"version":1,"lead_image_id":0}`)
	if w := f.as(account.Editor, "DELETE", path, ""); w.Code != http.StatusNoContent {
		t.Fatalf("delete = %d %s", w.Code, w.Body)
	}
	wantAudit(t, f, account.Editor, "media.delete")
	wantError(t, "deleted", f.as(account.Editor, "GET", path, ""), http.StatusNotFound, "not_found")
	if _, err := f.db.ImageVariant(context.Background(), img.ID, 480); err == nil {
		t.Error("a width of the deleted image is still stored")
	}
}
