package store

import (
	"context"
	"errors"
	"regexp"
	"strconv"

	"broadsheet/internal/article"
	"broadsheet/internal/embed"
	"broadsheet/internal/markup"
)

// markupLookup answers the article renderer's questions from storage.
type markupLookup struct{ db *DB }

// MarkupLookup is what article bodies are rendered with, when they are
// saved and wherever they are rendered again: the media library's widths
// of each image they show, and what is kept of each page they embed.
func (db *DB) MarkupLookup() markup.Lookup { return markupLookup{db} }

// Markup is the article renderer built on MarkupLookup that saving uses,
// for the site and the API to render with too: one set of its compiled
// patterns and policies in memory, not one per user.
func (db *DB) Markup() *markup.Renderer { return db.articles }

// mediaSrc is the address of a stored width of an image, /media/ID/WIDTH.jpg.
var mediaSrc = regexp.MustCompile(`^/media/([0-9]{1,18})/[0-9]{1,5}\.jpg$`)

// Image describes the media-library image src shows; false for any other
// address, an image that is not stored, or a database that does not
// answer (the picture is then shown without its other widths).
func (l markupLookup) Image(ctx context.Context, src string) (markup.Image, bool) {
	m := mediaSrc.FindStringSubmatch(src)
	if m == nil {
		return markup.Image{}, false
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return markup.Image{}, false
	}
	img, err := l.db.ImageByID(ctx, id)
	if err != nil || len(img.Variants) == 0 {
		return markup.Image{}, false
	}
	out := markup.Image{Width: img.Width, Height: img.Height, Renditions: make([]markup.Rendition, 0, len(img.Variants))}
	for _, w := range img.Variants {
		out.Renditions = append(out.Renditions, markup.Rendition{URL: "/media/" + m[1] + "/" + strconv.Itoa(w) + ".jpg", Width: w})
	}
	return out, true
}

// Embed describes the page at addr as its kept record says, or, for a
// page of a known provider without one (an imported article not saved
// since), as its address alone says: provider and frame, no title. False
// for any other address, or a database that does not answer (the page is
// then a plain link).
func (l markupLookup) Embed(ctx context.Context, addr string) (markup.Embed, bool) {
	r, err := l.db.Embed(ctx, addr)
	if err != nil {
		var ok bool
		if r, ok = embed.Match(addr); !errors.Is(err, article.ErrNotFound) || !ok {
			return markup.Embed{}, false
		}
	}
	e := markup.Embed{URL: r.URL, Provider: r.Provider, Title: r.Title, Author: r.Author, Frame: r.Frame, Width: r.Width, Height: r.Height}
	if r.ThumbnailID != 0 {
		if img, err := l.db.ImageByID(ctx, r.ThumbnailID); err == nil && len(img.Variants) > 0 {
			w := img.Variants[0]
			for _, v := range img.Variants {
				if v <= 1200 {
					w = v
				}
			}
			e.Thumbnail = "/media/" + strconv.FormatInt(img.ID, 10) + "/" + strconv.Itoa(w) + ".jpg"
		}
	}
	return e, true
}
