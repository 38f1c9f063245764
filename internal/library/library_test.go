package library

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/store/sqlite"
)

var _ Store = (*sqlite.DB)(nil)

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

func setup(t *testing.T) (*Library, *sqlite.DB, *account.User) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u := &account.User{Email: "ed@courier.example", Name: "Ed", Role: account.Editor, PasswordHash: "x"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return New(db, nil), db, u
}

func TestAddChecksWhatIsTyped(t *testing.T) {
	l, _, u := setup(t)
	long := string(bytes.Repeat([]byte("x"), 1001))
	for _, tt := range []struct {
		name   string
		in     Upload
		fields []string
	}{
		{"no file", Upload{Alt: "x"}, []string{"file"}},
		{"an image without alt text", Upload{File: bytes.NewReader(testPNG(20, 10))}, []string{"alt"}},
		{"not an image", Upload{File: bytes.NewReader([]byte("<svg onload=alert(1)>")), Alt: "x"}, []string{"file"}},
		{"a long caption and credit", Upload{File: bytes.NewReader(testPNG(20, 10)), Alt: "x", Caption: long, Credit: long}, []string{"caption", "credit"}},
		{"a damaged image", Upload{File: bytes.NewReader(testPNG(20, 10)[:60]), Alt: "x"}, []string{"file"}},
	} {
		_, err := l.Add(context.Background(), u, tt.in)
		e := errs.From(err)
		if e.Kind != errs.Invalid {
			t.Errorf("%s: %v, want invalid", tt.name, err)
			continue
		}
		got := errs.Fields(e.Fields)
		for _, f := range tt.fields {
			if got[f] == "" {
				t.Errorf("%s: fields %v do not name %s", tt.name, got, f)
			}
		}
	}
}

// The same file again is known by its hash before it is decoded: it is
// answered at once even while another upload holds the one processing
// slot, which a decode would have to wait for.
func TestRepeatUploadIsNotProcessedAgain(t *testing.T) {
	l, _, u := setup(t)
	photo := testPNG(1000, 600)
	first, err := l.Add(context.Background(), u, Upload{File: bytes.NewReader(photo), Alt: "Boats at the quay"})
	if err != nil || first.Existing || first.Image == nil || len(first.Image.Variants) == 0 {
		t.Fatalf("first upload: %+v, %v", first, err)
	}
	l.busy <- struct{}{} // another upload is being processed
	defer func() { <-l.busy }()
	done := make(chan *Added)
	go func() {
		again, _ := l.Add(context.Background(), u, Upload{File: bytes.NewReader(photo), Alt: "Again"})
		done <- again
	}()
	select {
	case again := <-done:
		if again == nil || !again.Existing || again.Image.ID != first.Image.ID || len(again.Image.Variants) == 0 {
			t.Errorf("same file again = %+v, want the existing image with its widths", again)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the same file again waited to be processed")
	}
}

func TestDeleteWhatNoArticleUses(t *testing.T) {
	l, db, u := setup(t)
	ctx := context.Background()
	added, err := l.Add(ctx, u, Upload{File: bytes.NewReader(testPNG(600, 400)), Alt: "The quay"})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := l.Add(ctx, u, Upload{File: bytes.NewReader([]byte("%PDF-1.7\n%budget\n")), Filename: "Budget 2027.pdf"})
	if err != nil || doc.Document == nil || doc.Document.Title != "Budget 2027" {
		t.Fatalf("a document: %+v, %v", doc, err)
	}
	sec := &article.Section{Slug: "city", Name: "City"}
	if err := db.CreateSection(ctx, sec); err != nil {
		t.Fatal(err)
	}
	a := &article.Article{Slug: "quay", Headline: "The quay", Section: *sec, Status: article.Draft, Language: "en",
		LeadImage: &article.Image{ID: added.Image.ID}, Body: fmt.Sprintf("[Budget](%s)", doc.Document.Path()), CreatedBy: u.ID}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteImage(ctx, u, added.Image.ID); !errors.Is(err, ErrInUse) {
		t.Errorf("the lead image of a draft: %v, want ErrInUse", err)
	}
	if err := l.DeleteDocument(ctx, u, doc.Document.ID); !errors.Is(err, ErrInUse) {
		t.Errorf("a document a draft links to: %v, want ErrInUse", err)
	}
	a.LeadImage, a.Body = nil, "No more."
	if err := db.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteImage(ctx, u, added.Image.ID); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteDocument(ctx, u, doc.Document.ID); err != nil {
		t.Fatal(err)
	}
	log, err := db.AuditLog(ctx, 0, 1)
	if err != nil || len(log) != 1 || log[0].Action != "media.delete" || log[0].ObjectType != "document" || log[0].UserID != u.ID {
		t.Errorf("audit log: %+v, %v", log, err)
	}
	if err := l.DeleteImage(ctx, u, added.Image.ID); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("deleted twice: %v", err)
	}
}
