package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"broadsheet/internal/article"
)

func testDocuments(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	pdf := []byte("%PDF-1.7\n% the council's budget\n")
	doc := article.Document{Name: "budget.pdf", Title: "Budget 2027", ContentType: "application/pdf", SourceHash: "h-budget"}
	must(t, s.CreateDocument(ctx, &doc, pdf))
	if doc.ID == 0 || doc.Size != int64(len(pdf)) {
		t.Fatalf("CreateDocument set id %d, size %d; want an id and %d", doc.ID, doc.Size, len(pdf))
	}
	again := article.Document{Name: "copy.pdf", ContentType: "application/pdf", SourceHash: "h-budget"}
	if err := s.CreateDocument(ctx, &again, pdf); !errors.Is(err, article.ErrConflict) {
		t.Errorf("the same file again: %v, want ErrConflict", err)
	}
	for name, get := range map[string]func() (*article.Document, error){
		"by id":   func() (*article.Document, error) { return s.DocumentByID(ctx, doc.ID) },
		"by hash": func() (*article.Document, error) { return s.DocumentBySourceHash(ctx, "h-budget") },
	} {
		got, err := get()
		if err != nil || got.Name != "budget.pdf" || got.Title != "Budget 2027" || got.ContentType != "application/pdf" ||
			got.Size != int64(len(pdf)) || got.CreatedAt.IsZero() {
			t.Errorf("%s: %+v, %v; want the stored document", name, got, err)
		}
	}
	for _, r := range []struct{ off, n int64 }{{0, int64(len(pdf))}, {0, 1 << 20}, {5, 3}, {int64(len(pdf)) - 2, 10}, {int64(len(pdf)), 10}, {0, 0}} {
		want := pdf[min(r.off, int64(len(pdf))):min(r.off+r.n, int64(len(pdf)))]
		if b, err := s.DocumentBytes(ctx, doc.ID, r.off, r.n); err != nil || !bytes.Equal(b, want) {
			t.Errorf("DocumentBytes(from %d, %d bytes) = %q, %v; want %q", r.off, r.n, b, err, want)
		}
	}
	if _, err := s.DocumentByID(ctx, doc.ID+100); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("a missing document: %v, want ErrNotFound", err)
	}
	if _, err := s.DocumentBytes(ctx, doc.ID+100, 0, 10); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("a missing document's bytes: %v, want ErrNotFound", err)
	}

	// Public once a published article links to it, and no longer when it
	// stops linking to it.
	a := f.article(0)
	a.Status, a.Body = article.Draft, fmt.Sprintf("The budget:\n\n[%s](%s)\n", doc.Title, doc.Path())
	must(t, s.CreateArticle(ctx, a))
	for _, tt := range []struct {
		name string
		step func()
		want bool
	}{
		{"linked from a draft", func() {}, false},
		{"linked from a published article", func() { a.Status = article.Published; must(t, s.UpdateArticle(ctx, a)) }, true},
		{"no longer linked", func() { a.Body = "No budget."; must(t, s.UpdateArticle(ctx, a)) }, false},
	} {
		tt.step()
		if got, err := s.DocumentPublic(ctx, doc.ID); err != nil || got != tt.want {
			t.Errorf("%s: DocumentPublic = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

// A file of the media library is deleted only while no article of any
// status uses it.
func testMediaDelete(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	img := article.Image{Alt: "The quay", Width: 10, Height: 5}
	must(t, s.CreateImage(ctx, &img, []article.Variant{{Width: 10, Height: 5, ContentType: "image/jpeg", Bytes: []byte{1}}}))
	doc := article.Document{Name: "report.pdf", ContentType: "application/pdf", SourceHash: "h-report"}
	must(t, s.CreateDocument(ctx, &doc, []byte("%PDF-")))
	a := f.article(0)
	a.Status, a.LeadImage = article.Draft, &article.Image{ID: img.ID}
	a.Body = fmt.Sprintf("[The report](%s)", doc.Path())
	must(t, s.CreateArticle(ctx, a))
	for _, tt := range []struct {
		name string
		step func()
		used bool
	}{
		{"the lead image of a draft, linked from it", func() {}, true},
		{"in the body instead", func() {
			a.LeadImage, a.Body = nil, fmt.Sprintf("![The quay](/media/%d/10.jpg)\n\n[The report](%s)", img.ID, doc.Path())
			must(t, s.UpdateArticle(ctx, a))
		}, true},
	} {
		tt.step()
		if err := s.DeleteImage(ctx, img.ID); !errors.Is(err, article.ErrConflict) {
			t.Errorf("%s: DeleteImage = %v, want ErrConflict", tt.name, err)
		}
		if err := s.DeleteDocument(ctx, doc.ID); !errors.Is(err, article.ErrConflict) {
			t.Errorf("%s: DeleteDocument = %v, want ErrConflict", tt.name, err)
		}
	}
	a.Body = "Nothing."
	must(t, s.UpdateArticle(ctx, a))
	must(t, s.DeleteImage(ctx, img.ID))
	must(t, s.DeleteDocument(ctx, doc.ID))
	if _, err := s.ImageByID(ctx, img.ID); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("a deleted image: %v", err)
	}
	if _, err := s.ImageVariant(ctx, img.ID, 10); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("a deleted image's width: %v", err)
	}
	if _, err := s.DocumentByID(ctx, doc.ID); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("a deleted document: %v", err)
	}
	if err := s.DeleteImage(ctx, img.ID); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("deleting it again: %v, want ErrNotFound", err)
	}
	if err := s.DeleteDocument(ctx, doc.ID); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("deleting the document again: %v, want ErrNotFound", err)
	}
}

func testMediaSearch(t *testing.T, s Store) {
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) // every upload in one second
	s.SetClock(func() time.Time { return at })
	for i, alt := range []string{"Harbour at dawn", "Council chamber", "Harbour 100% full", "Flood_gauge"} {
		img := article.Image{Alt: alt, Credit: "Desk", Width: 10, Height: 5}
		must(t, s.CreateImage(ctx, &img, []article.Variant{{Width: 10, Height: 5, ContentType: "image/jpeg", Bytes: []byte{byte(i)}}}))
	}
	doc := article.Document{Name: "harbour-report.pdf", Title: "Harbour report", ContentType: "application/pdf", SourceHash: "h1"}
	must(t, s.CreateDocument(ctx, &doc, []byte("%PDF-")))
	names := func(p []article.MediaItem) []string {
		var out []string
		for _, it := range p {
			if it.Image != nil {
				out = append(out, it.Image.Alt)
			} else {
				out = append(out, it.Document.Name)
			}
		}
		return out
	}
	for _, tt := range []struct {
		q          string
		page, size int
		want       []string
		more       bool
	}{
		// Uploaded within one second: images first, then the document.
		{"", 1, 10, []string{"Flood_gauge", "Harbour 100% full", "Council chamber", "Harbour at dawn", "harbour-report.pdf"}, false},
		{"", 1, 2, []string{"Flood_gauge", "Harbour 100% full"}, true},
		{"", 2, 2, []string{"Council chamber", "Harbour at dawn"}, true},
		{"", 3, 2, []string{"harbour-report.pdf"}, false},
		{"HARBOUR", 1, 10, []string{"Harbour 100% full", "Harbour at dawn", "harbour-report.pdf"}, false},
		{"harbour dawn", 1, 10, []string{"Harbour at dawn"}, false},
		{"desk", 1, 10, []string{"Flood_gauge", "Harbour 100% full", "Council chamber", "Harbour at dawn"}, false},
		{"100%", 1, 10, []string{"Harbour 100% full"}, false},
		{"h_r", 1, 10, nil, false}, // _ is itself, not any letter
		{"report", 1, 10, []string{"harbour-report.pdf"}, false},
	} {
		p, err := s.Media(ctx, tt.q, tt.page, tt.size)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(p.Items); !slices.Equal(got, tt.want) || p.More != tt.more {
			t.Errorf("Media(%q, page %d of %d) = %q, more %v; want %q, more %v", tt.q, tt.page, tt.size, got, p.More, tt.want, tt.more)
		}
		if len(p.Images)+len(p.Documents) != len(p.Items) {
			t.Errorf("Media(%q): %d images and %d documents, %d items", tt.q, len(p.Images), len(p.Documents), len(p.Items))
		}
		for _, img := range p.Images {
			if !slices.Equal(img.Variants, []int{10}) {
				t.Errorf("Media(%q): image %q has widths %v, want [10]", tt.q, img.Alt, img.Variants)
			}
		}
	}
}
