package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"html"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/media"
)

func upload(ns *newsroomSite, role account.Role, fields map[string]string, filename string, content []byte) *httptest.ResponseRecorder {
	return uploadAccepting(ns, role, "", fields, filename, content)
}

// uploadAccepting uploads as a client that accepts the given type.
func uploadAccepting(ns *newsroomSite, role account.Role, accept string, fields map[string]string, filename string, content []byte) *httptest.ResponseRecorder {
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
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
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

// The editor uploads with Accept: application/json and is answered with
// the item, or with the problems, as JSON.
func TestMediaUploadJSON(t *testing.T) {
	ns := newNewsroom(t)
	const js = "application/json"
	decode := func(rec *httptest.ResponseRecorder) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil || !strings.HasPrefix(rec.Header().Get("Content-Type"), js) {
			t.Fatalf("answer %q (%s) is not JSON: %v", rec.Body.String(), rec.Header().Get("Content-Type"), err)
		}
		return m
	}
	photo := testPNG(1400, 700)
	rec := uploadAccepting(ns, account.Author, js, map[string]string{"caption": "Dawn."}, "quay.png", photo)
	if m := decode(rec); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(m["errors"]), "alternative text") {
		t.Errorf("without alt text = %d %v; want 422 with the problem", rec.Code, m)
	}
	rec = uploadAccepting(ns, account.Author, js, map[string]string{"alt": "Page"}, "page.html", []byte("<!doctype html><script>alert(1)</script>"))
	if m := decode(rec); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(m["errors"]), "not an image, a PDF or a recording") {
		t.Errorf("an HTML file = %d %v; want 422 saying what is accepted", rec.Code, m)
	}
	rec = uploadAccepting(ns, account.Author, js, map[string]string{"alt": "Boats at the quay", "caption": "Dawn.", "credit": "Desk"}, "quay.png", photo)
	m := decode(rec)
	id := int64(m["id"].(float64))
	want := map[string]any{"kind": "image", "url": fmt.Sprintf("/media/%d/1200.jpg", id), "thumb": fmt.Sprintf("/media/%d/480.jpg", id),
		"alt": "Boats at the quay", "caption": "Dawn.", "credit": "Desk", "width": 1400.0, "height": 700.0}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("new image: %s = %v, want %v", k, m[k], v)
		}
	}
	if rec.Code != http.StatusCreated {
		t.Errorf("new image = %d, want 201", rec.Code)
	}
	rec = uploadAccepting(ns, account.Editor, js, map[string]string{"alt": "Again"}, "copy.png", photo)
	if again := decode(rec); rec.Code != http.StatusOK || again["id"] != m["id"] || again["alt"] != "Boats at the quay" {
		t.Errorf("the same file again = %d %v; want 200 and the image already stored", rec.Code, again)
	}

	pdf := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
	rec = uploadAccepting(ns, account.Author, js, map[string]string{"alt": ""}, "Council Budget 2027.pdf", pdf)
	doc := decode(rec)
	if rec.Code != http.StatusCreated || doc["kind"] != "document" || doc["type"] != "application/pdf" || doc["name"] != "council-budget-2027.pdf" ||
		doc["title"] != "Council Budget 2027" || doc["url"] != fmt.Sprintf("/media/%v/council-budget-2027.pdf", doc["id"]) {
		t.Errorf("a PDF = %d %v; want 201, a document named after the file", rec.Code, doc)
	}
	rec = upload(ns, account.Author, map[string]string{"alt": "Interview with the harbour master"}, "interview.mp3", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0xff, 0xfb, 0x90, 0x64}, 100)...))
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "#document-") {
		t.Errorf("a recording through the form = %d %q; want the library at the document", rec.Code, rec.Header().Get("Location"))
	}

	// The picker's search: newest first, both kinds, by their words.
	var list struct {
		Items []map[string]any
		Next  bool
	}
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"", []string{"image", "interview.mp3", "council-budget-2027.pdf"}}, // within a second, images first
		{"harbour", []string{"interview.mp3"}},
		{"QUAY desk", []string{"image"}},
		{"nothing-like-it", nil},
	} {
		rec := ns.do("GET", "/admin/media.json?q="+url.QueryEscape(tt.q), account.Contributor, nil)
		list.Items = nil
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("media.json?q=%s = %d %q", tt.q, rec.Code, rec.Body.String())
		}
		var got []string
		for _, it := range list.Items {
			if it["kind"] == "image" {
				got = append(got, "image")
			} else {
				got = append(got, it["name"].(string))
			}
		}
		if !slices.Equal(got, tt.want) || list.Next {
			t.Errorf("media.json?q=%s = %q (next %v), want %q", tt.q, got, list.Next, tt.want)
		}
	}
	if rec := ns.do("GET", "/admin/media?q=budget", account.Contributor, nil); !strings.Contains(rec.Body.String(), "Council Budget 2027") ||
		strings.Contains(rec.Body.String(), "Boats at the quay") {
		t.Error("the library page searched for budget does not show just the PDF")
	}
}

// A document is served as uploaded, under its name, to the newsroom until
// a published article links to it, and then to everyone, with ranges.
func TestDocumentServing(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	pdf := []byte("%PDF-1.7\n% the harbour board's report, in full\n%%EOF\n")
	rec := upload(ns, account.Author, map[string]string{"alt": "Harbour report"}, "report.pdf", pdf)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("upload = %d: %s", rec.Code, rec.Body.String())
	}
	p, err := ns.db.Media(ctx, "", 1, 10)
	must(t, err)
	if len(p.Documents) != 1 {
		t.Fatalf("library = %+v, want one document", p)
	}
	d := p.Documents[0]
	anon := func(path string, h map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		ns.srv.ServeHTTP(rec, req)
		return rec
	}
	if rec := anon(d.Path(), nil); rec.Code != http.StatusNotFound {
		t.Errorf("an unpublished document to a stranger = %d, want 404", rec.Code)
	}
	if rec := ns.do("GET", d.Path(), account.Contributor, nil); rec.Code != http.StatusOK || rec.Body.String() != string(pdf) {
		t.Errorf("an unpublished document to the newsroom = %d %q", rec.Code, rec.Body.String())
	}
	form := articleForm("Harbour report published", 0)
	form.Set("body", "The board's findings:\n\n["+d.Title+"]("+d.Path()+")\n")
	form.Set("action", "publish")
	if rec := ns.do("POST", "/admin/articles", account.Editor, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("publish = %d: %s", rec.Code, rec.Body.String())
	}
	rec = anon(d.Path(), nil)
	h := rec.Header()
	if rec.Code != http.StatusOK || rec.Body.String() != string(pdf) || h.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(h.Get("Content-Security-Policy"), "default-src 'none'") || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Content-Disposition") != `inline; filename=report.pdf` {
		t.Errorf("a published document = %d %q, headers %v", rec.Code, rec.Body.String(), h)
	}
	if rec := anon(d.Path(), map[string]string{"Range": "bytes=0-7"}); rec.Code != http.StatusPartialContent || rec.Body.String() != "%PDF-1.7" {
		t.Errorf("a range = %d %q, want 206 and the first 8 bytes", rec.Code, rec.Body.String())
	}
	if rec := anon(d.Path(), map[string]string{"If-None-Match": h.Get("ETag")}); rec.Code != http.StatusNotModified {
		t.Errorf("revalidated = %d, want 304", rec.Code)
	} else {
		wantRevalidationFields(t, "the document's 304", rec.Header(), h.Get("ETag"))
	}
	for _, path := range []string{strings.Replace(d.Path(), "report.pdf", "other.pdf", 1), strings.Replace(d.Path(), "report.pdf", "report.html", 1)} {
		if rec := anon(path, nil); rec.Code != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", path, rec.Code)
		}
	}
}

// A file over the library's limit is refused whole, whether the request
// says its size (refused before it is read) or not (refused once read),
// and the editor is told in JSON.
func TestUploadOverTheLimit(t *testing.T) {
	ns := newNewsroom(t)
	big := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{'x'}, int(media.DefaultLimits.MaxBytes))...)
	rec := uploadAccepting(ns, account.Author, "application/json", map[string]string{"alt": "Budget"}, "budget.pdf", big)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "larger than the limit of 20 MB") {
		t.Errorf("a PDF a little over 20 MB = %d %q; want 413 saying the limit", rec.Code, rec.Body.String())
	}
	if p, err := ns.db.Media(context.Background(), "", 1, 10); err != nil || len(p.Items) != 0 {
		t.Errorf("after the refusal the library holds %d items (%v), want none", len(p.Items), err)
	}
	huge := bytes.Repeat([]byte{'x'}, int(maxUploadBytes)+1)
	var body bytes.Buffer
	body.Write(huge)
	req := httptest.NewRequest("POST", "/admin/media", &body)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.Header.Set("Accept", "application/json")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ns.cookies[account.Author]})
	rec = httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	var answer struct{ Errors []string }
	if err := json.Unmarshal(rec.Body.Bytes(), &answer); rec.Code != http.StatusRequestEntityTooLarge || err != nil || len(answer.Errors) != 1 {
		t.Errorf("a body over the route's cap, asked as JSON = %d %q; want 413 with the reason as JSON", rec.Code, rec.Body.String())
	}
}

// The library shows each item as Markdown to copy into a story; words
// that Markdown would read as syntax are escaped.
func TestMediaSnippetsEscapeMarkdown(t *testing.T) {
	ns := newNewsroom(t)
	if rec := upload(ns, account.Author, map[string]string{"alt": `The [old] quay`, "credit": `"Desk" \ wire`}, "quay.png", testPNG(500, 300)); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload = %d", rec.Code)
	}
	page := html.UnescapeString(ns.do("GET", "/admin/media", account.Author, nil).Body.String())
	want := regexp.MustCompile(`!\[The \\\[old\\\] quay\]\(/media/\d+/500\.jpg "\\"Desk\\" \\\\ wire"\)`)
	if !want.MatchString(page) {
		t.Errorf("the library's snippet is not escaped Markdown: want %s in\n%s", want, page[strings.Index(page, "media-grid"):])
	}
}

// A document larger than what one read asks the database for is served
// whole, and a range across the reads' boundary is served exactly.
func TestLargeDocumentRanges(t *testing.T) {
	ns := newNewsroom(t)
	pdf := []byte("%PDF-1.7\n")
	for i := 0; len(pdf) < 2*documentChunk+12345; i++ {
		pdf = fmt.Appendf(pdf, "%% line %d of the report\n", i)
	}
	if rec := upload(ns, account.Author, map[string]string{"alt": "Report"}, "report.pdf", pdf); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload = %d: %s", rec.Code, rec.Body.String())
	}
	p, err := ns.db.Media(context.Background(), "", 1, 1)
	must(t, err)
	path := p.Documents[0].Path()
	if rec := ns.do("GET", path, account.Author, nil); rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), pdf) {
		t.Errorf("GET the whole document = %d, %d bytes; want 200 and its %d bytes", rec.Code, rec.Body.Len(), len(pdf))
	}
	for _, r := range [][2]int{{documentChunk - 10, documentChunk + 10}, {2*documentChunk - 1, len(pdf) - 1}, {0, 4}} {
		rec := ns.do("GET", path, account.Author, nil, "Range", fmt.Sprintf("bytes=%d-%d", r[0], r[1]))
		if want := pdf[r[0] : r[1]+1]; rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), want) {
			t.Errorf("bytes %d-%d = %d, %d bytes; want 206 and those %d bytes", r[0], r[1], rec.Code, rec.Body.Len(), len(want))
		}
	}
}

// wantRevalidationFields checks a 304's header: its ETag, and no field
// beyond those RFC 9110 §15.4.5 lists.
func wantRevalidationFields(t *testing.T, what string, h http.Header, etag string) {
	t.Helper()
	if h.Get("Etag") != etag {
		t.Errorf("%s has ETag %q, want %q", what, h.Get("Etag"), etag)
	}
	for k := range h {
		switch k {
		case "Cache-Control", "Etag", "Last-Modified", "Vary", "Expires", "Content-Location":
		default:
			t.Errorf("%s carries %s: %q", what, k, h[k])
		}
	}
}

// An image answers a revalidation with 304 and its ETag, nothing more.
func TestImageRevalidation(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	if rec := upload(ns, account.Editor, map[string]string{"alt": "Boats at the quay"}, "quay.png", testPNG(600, 400)); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload = %d: %s", rec.Code, rec.Body.String())
	}
	imgs, err := ns.db.Images(ctx, 10)
	must(t, err)
	path := fmt.Sprintf("/media/%d/480.jpg", imgs[0].ID)
	rec := ns.do("GET", path, account.Editor, nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Etag") == "" {
		t.Fatalf("GET %s = %d with ETag %q", path, rec.Code, rec.Header().Get("Etag"))
	}
	etag := rec.Header().Get("Etag")
	again := ns.do("GET", path, account.Editor, nil, "If-None-Match", etag)
	if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Fatalf("revalidated = %d with %d bytes, want 304 and empty", again.Code, again.Body.Len())
	}
	wantRevalidationFields(t, "the image's 304", again.Header(), etag)
	if got, want := again.Header().Get("Cache-Control"), rec.Header().Get("Cache-Control"); got != want {
		t.Errorf("the 304 says Cache-Control %q, the image %q", got, want)
	}
}
