package storetest

import (
	"broadsheet/internal/embed"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/markup"
)

// Pictures is what the article renderer asks of storage, and the renderer
// the store saves with, which the site and the API share.
type Pictures interface {
	MarkupLookup() markup.Lookup
	Markup() *markup.Renderer
}

// testBodyPictures: an article's pictures of the media library are
// stored with every width the library keeps of them and their
// proportions; another address, or an image not stored, is asked about
// in vain, and so is every embed until embed records are stored.
func testBodyPictures(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	img := article.Image{Alt: "A quay", Width: 1200, Height: 675}
	must(t, s.CreateImage(ctx, &img, []article.Variant{
		{Width: 480, Height: 270, ContentType: "image/jpeg", Bytes: []byte("small")},
		{Width: 1200, Height: 675, ContentType: "image/jpeg", Bytes: []byte("large")},
	}))
	src := fmt.Sprintf("/media/%d/480.jpg", img.ID)
	l := s.MarkupLookup()
	want := markup.Image{Width: 1200, Height: 675, Renditions: []markup.Rendition{
		{URL: src, Width: 480}, {URL: fmt.Sprintf("/media/%d/1200.jpg", img.ID), Width: 1200}}}
	if got, ok := l.Image(ctx, src); !ok || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Image(%q) = %+v, %v; want %+v", src, got, ok, want)
	}
	// The store's renderer asks the same: a picture of the library is
	// offered at every width kept, where a renderer without the store
	// knows only the address written.
	body := "![A quay](" + src + ")"
	large := fmt.Sprintf("/media/%d/1200.jpg", img.ID)
	if got := rendered(t, s.Markup())(body); !strings.Contains(got, large) {
		t.Errorf("Markup().Render(%q) = %q, want the 1200 width, %s", body, got, large)
	}
	if got := rendered(t, markup.New())(body); strings.Contains(got, large) {
		t.Errorf("a renderer without the store renders %q as %q, which names %s: this case cannot tell them apart", body, got, large)
	}
	for _, other := range []string{fmt.Sprintf("/media/%d/480.gif", img.ID), "https://example.org" + src, "/media/999999/480.jpg", "/media/x/480.jpg", ""} {
		if got, ok := l.Image(ctx, other); ok {
			t.Errorf("Image(%q) = %+v, want nothing", other, got)
		}
	}
	// A page of a known provider without a record is what its address
	// says; a kept record says more; any other address is nothing.
	if got, ok := l.Embed(ctx, "https://www.youtube.com/watch?v=Quay0Dawn01"); !ok || got.Provider != "YouTube" || got.Frame != "https://www.youtube-nocookie.com/embed/Quay0Dawn01" || got.Title != "" {
		t.Errorf("Embed without a record = %+v, %v; want YouTube's frame and no title", got, ok)
	}
	must(t, s.SaveEmbed(ctx, &embed.Record{URL: "https://www.youtube.com/watch?v=Quay0Dawn01", ProviderKey: "youtube", Provider: "YouTube", Title: "The quay",
		Frame: "https://www.youtube-nocookie.com/embed/Quay0Dawn01", ThumbnailID: img.ID, Complete: true, FetchedAt: time.Now()}))
	if got, ok := l.Embed(ctx, "https://www.youtube.com/watch?v=Quay0Dawn01"); !ok || got.Title != "The quay" || got.Thumbnail != fmt.Sprintf("/media/%d/1200.jpg", img.ID) {
		t.Errorf("Embed with a record = %+v, %v; want its title and its thumbnail at 1200w", got, ok)
	}
	for _, other := range []string{"https://example.org/watch?v=Quay0Dawn01", "https://www.youtube.com/", ""} {
		if got, ok := l.Embed(ctx, other); ok {
			t.Errorf("Embed(%q) = %+v, want nothing", other, got)
		}
	}

	a := f.article(0)
	a.Body = "![A quay](" + src + " \"Desk\")\nThe quay at dawn.\n\n![Gone](/media/999999/480.jpg)"
	must(t, s.CreateArticle(ctx, a))
	got, err := s.ArticleByID(ctx, a.ID)
	must(t, err)
	for _, w := range []string{
		fmt.Sprintf(`<img src="%s" alt="A quay" srcset="%s 480w, /media/%d/1200.jpg 1200w" sizes="(min-width: 46rem) 44rem, 100vw" width="1200" height="675" loading="lazy" decoding="async">`, src, src, img.ID),
		`<figcaption>The quay at dawn. <small class="credit">Desk</small></figcaption>`,
		`<img src="/media/999999/480.jpg" alt="Gone" loading="lazy" decoding="async">`,
	} {
		if !strings.Contains(got.BodyHTML, w) {
			t.Errorf("stored BodyHTML = %s\nwant it to contain %s", got.BodyHTML, w)
		}
	}
}
