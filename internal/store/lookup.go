package store

import (
	"context"
	"regexp"
	"strconv"

	"broadsheet/internal/markup"
)

// markupLookup answers the article renderer's questions from storage.
type markupLookup struct{ db *DB }

// MarkupLookup is what article bodies are rendered with, when they are
// saved and wherever they are rendered again: the media library's widths
// of each image they show.
func (db *DB) MarkupLookup() markup.Lookup { return markupLookup{db} }

// mediaSrc is the address of a stored width of an image, /media/ID/WIDTH.jpg.
var mediaSrc = regexp.MustCompile(`^/media/([0-9]{1,18})/[0-9]{1,5}\.(jpg|png)$`)

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

// Embed knows no page yet: embed records are wired when they are stored.
func (markupLookup) Embed(context.Context, string) (markup.Embed, bool) { return markup.Embed{}, false }
