package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
)

func upload(ns *newsroomSite, role account.Role, fields map[string]string, filename string, content []byte) *httptest.ResponseRecorder {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if content != nil {
		fw, _ := mw.CreateFormFile("file", filename)
		fw.Write(content)
	}
	mw.Close()
	req := httptest.NewRequest("POST", "/admin/media", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ns.cookies[role]})
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	return rec
}

func testPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

func TestMediaUpload(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	photo := testPNG(1000, 600)

	rec := upload(ns, account.Contributor, map[string]string{"caption": "Kept caption"}, "quay.png", photo)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "alternative text") || !strings.Contains(rec.Body.String(), `value="Kept caption"`) {
		t.Errorf("upload without alt = %d; want 422 asking for alt text, caption kept", rec.Code)
	}
	rec = upload(ns, account.Contributor, map[string]string{"alt": "A script"}, "photo.jpg", []byte("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"))
	if rec.Code != http.StatusUnprocessableEntity || strings.Contains(rec.Body.String(), "<script>alert(1)") {
		t.Errorf("SVG named .jpg = %d; want 422, script not echoed", rec.Code)
	}
	bomb := testPNG(4, 4)
	// A valid header claiming 100000×100000 pixels over a tiny body.
	copy(bomb[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	binary.BigEndian.PutUint32(bomb[29:33], crc32.ChecksumIEEE(bomb[12:29]))
	rec = upload(ns, account.Author, map[string]string{"alt": "Bomb"}, "bomb.png", bomb)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "100000×100000") {
		t.Errorf("decompression bomb = %d; want 422 naming the size", rec.Code)
	}

	rec = upload(ns, account.Contributor, map[string]string{"alt": "Boats at the quay", "caption": "Dawn.", "credit": "Desk"}, "quay.png", photo)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "notice=uploaded") {
		t.Fatalf("upload = %d %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	imgs, err := ns.db.Images(ctx, 10)
	must(t, err)
	if len(imgs) != 1 || imgs[0].Alt != "Boats at the quay" || imgs[0].Width != 1000 || len(imgs[0].Variants) != 3 || imgs[0].UploadedBy != ns.users[account.Contributor].ID {
		t.Fatalf("stored images = %+v", imgs)
	}
	v, err := ns.db.ImageVariant(ctx, imgs[0].ID, 480)
	must(t, err)
	if v.ContentType != "image/jpeg" || v.Height != 288 || !bytes.HasPrefix(v.Bytes, []byte{0xff, 0xd8}) {
		t.Errorf("480w variant = %s %dh", v.ContentType, v.Height)
	}
	rec = upload(ns, account.Editor, map[string]string{"alt": "Again"}, "copy.png", photo)
	if !strings.Contains(rec.Header().Get("Location"), "notice=exists") {
		t.Errorf("same file again = %d %q, want the existing image", rec.Code, rec.Header().Get("Location"))
	}
	if rec := ns.do("GET", "/admin/media", account.Contributor, nil); !strings.Contains(rec.Body.String(), "Boats at the quay") {
		t.Error("media page lacks the upload")
	}
	if rec := ns.do("GET", "/admin/articles/new", account.Author, nil); !strings.Contains(rec.Body.String(), ": Boats at the quay</option>") {
		t.Error("the editor's lead image list lacks the upload")
	}
}

// The same file again is known by its hash before it is decoded: it is
// answered at once even while another upload holds the one processing
// slot, which a decode would have to wait for.
func TestRepeatUploadIsNotProcessedAgain(t *testing.T) {
	ns := newNewsroom(t)
	photo := testPNG(1000, 600)
	if rec := upload(ns, account.Editor, map[string]string{"alt": "Boats at the quay"}, "quay.png", photo); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload = %d", rec.Code)
	}
	ns.srv.uploads <- struct{}{} // another upload is being processed
	defer func() { <-ns.srv.uploads }()
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- upload(ns, account.Author, map[string]string{"alt": "Again"}, "copy.png", photo) }()
	select {
	case rec := <-done:
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "notice=exists") {
			t.Errorf("same file again = %d %q, want the existing image", rec.Code, rec.Header().Get("Location"))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the same file again waited to be processed")
	}
}
