package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/embed"
	"broadsheet/internal/errs"
)

// Embeds are what providers said of the embeds of article bodies.
type Embeds interface {
	Embed(ctx context.Context, url string) (embed.Record, error)
	EmbedsByURL(ctx context.Context, urls []string) (map[string]embed.Record, error)
	SaveEmbed(ctx context.Context, r *embed.Record) error
}

var _ embed.Store = Store(nil)

// still is an image of the media library, a video's thumbnail.
func still(t *testing.T, s Store) article.Image {
	t.Helper()
	img := article.Image{Alt: "A still", Width: 480, Height: 360}
	must(t, s.CreateImage(context.Background(), &img, []article.Variant{{Width: 480, Height: 360, ContentType: "image/jpeg", Bytes: []byte("x")}}))
	return img
}

// testEmbeds: a record is kept whole by its address, found alone or with
// others, replaced by a newer one, but never a complete one by one kept
// after a provider did not answer.
func testEmbeds(t *testing.T, s Store) {
	ctx := context.Background()
	const video = "https://www.youtube.com/watch?v=M7lc1UVf-VE&t=90"
	if _, err := s.Embed(ctx, video); !errors.Is(err, article.ErrNotFound) || !errors.Is(err, errs.NotFound) {
		t.Errorf("Embed of an address never kept: err = %v, want not found", err)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	bare, ok := embed.Match(video)
	if !ok {
		t.Fatalf("Match(%q) found no provider", video)
	}
	bare.FetchedAt = at
	must(t, s.SaveEmbed(ctx, &bare))
	got, err := s.Embed(ctx, video)
	must(t, err)
	if !reflect.DeepEqual(got, bare) {
		t.Errorf("Embed = %+v\nwant %+v", got, bare)
	}

	img := still(t, s)
	full := bare
	full.Title, full.Author, full.Width, full.Height = "Harbour reopens — «live»", "The Courier", 200, 113
	full.ThumbnailURL, full.ThumbnailID, full.Complete, full.FetchedAt = "https://i.ytimg.com/vi/M7lc1UVf-VE/hqdefault.jpg", img.ID, true, at.Add(time.Hour)
	must(t, s.SaveEmbed(ctx, &full))
	// A provider failing a later save takes nothing away.
	late := bare
	late.FetchedAt = at.Add(48 * time.Hour)
	must(t, s.SaveEmbed(ctx, &late))
	if got, err = s.Embed(ctx, video); err != nil || !reflect.DeepEqual(got, full) {
		t.Errorf("after a complete record and a failed one: %+v, %v\nwant %+v", got, err, full)
	}

	const chart = "https://datawrapper.dwcdn.net/aBc12/3/"
	other, _ := embed.Match(chart)
	other.FetchedAt, other.Complete = at, true
	must(t, s.SaveEmbed(ctx, &other))
	byURL, err := s.EmbedsByURL(ctx, []string{chart, "https://vimeo.com/76979871", video})
	must(t, err)
	if len(byURL) != 2 || !reflect.DeepEqual(byURL[video], full) || !reflect.DeepEqual(byURL[chart], other) {
		t.Errorf("EmbedsByURL = %+v; want the video and the chart", byURL)
	}
	if byURL, err = s.EmbedsByURL(ctx, nil); err != nil || len(byURL) != 0 {
		t.Errorf("EmbedsByURL(nil) = %v, %v; want none", byURL, err)
	}

	for name, r := range map[string]embed.Record{
		"no address":          {ProviderKey: "youtube", FetchedAt: at},
		"no provider":         {URL: "https://x.example/", FetchedAt: at},
		"no time":             {URL: "https://x.example/", ProviderKey: "oembed"},
		"a frame over http":   {URL: "https://x.example/", ProviderKey: "oembed", Frame: "http://x.example/embed", FetchedAt: at},
		"a missing thumbnail": {URL: "https://x.example/", ProviderKey: "oembed", ThumbnailID: img.ID + 1000, FetchedAt: at},
	} {
		if err := s.SaveEmbed(ctx, &r); !errors.Is(err, errs.Invalid) {
			t.Errorf("SaveEmbed with %s: err = %v, want invalid", name, err)
		}
	}
	if _, err := s.Embed(ctx, "https://x.example/"); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("a refused record was kept: err = %v", err)
	}
}

// testEmbedThumbnails: the thumbnail of an embed is public while a
// published article's body shows the embed, as an image of its own is.
func testEmbedThumbnails(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	img := still(t, s)
	const video = "https://youtu.be/M7lc1UVf-VE"
	rec, _ := embed.Match(video)
	rec.ThumbnailID, rec.Complete, rec.FetchedAt = img.ID, true, f.clock
	must(t, s.SaveEmbed(ctx, &rec))
	a := f.article(0)
	a.Status, a.Body = article.Draft, "Before.\n\n<"+video+">\n\nAfter."
	must(t, s.CreateArticle(ctx, a))
	public := func() bool {
		t.Helper()
		p, err := s.ImagePublic(ctx, img.ID)
		must(t, err)
		return p
	}
	if public() {
		t.Error("the thumbnail of an embed in a draft is public")
	}
	a.Status = article.Published
	must(t, s.UpdateArticle(ctx, a))
	if !public() {
		t.Error("the thumbnail of an embed in a published article is not public")
	}
	a.Body = "Before.\n\n    " + video + "\n\nThe address is code now."
	must(t, s.UpdateArticle(ctx, a))
	if public() {
		t.Error("the thumbnail is public after the body stopped showing the embed")
	}
}
