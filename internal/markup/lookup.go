package markup

import "context"

// Lookup answers what the article renderer asks of storage while it
// places a story's pictures, documents and embeds: the stored widths of an
// image of the media library, and what is known of a page to embed. Both
// report false when they know nothing, and the renderer then writes what
// it would write without them.
type Lookup interface {
	// Image describes the media-library image at src, an address such as
	// /media/12/960.jpg.
	Image(ctx context.Context, src string) (Image, bool)
	// Embed describes the page at url, resolved when the article was saved.
	Embed(ctx context.Context, url string) (Embed, bool)
}

// Image is an image of the media library: its intrinsic size and every
// width it is stored at.
type Image struct {
	Width, Height int
	Renditions    []Rendition
}

// Rendition is one stored width of an image and its address.
type Rendition struct {
	URL   string
	Width int
}

// Embed is what is known of a page an article embeds (a video, a post, a
// map): where it lives, who made it, and the address of the frame that
// shows it, loaded only when a reader asks.
type Embed struct {
	URL      string // the page itself
	Provider string // "YouTube", "Vimeo"…
	Title    string
	Author   string
	// Frame is the https address to load in an iframe; empty when the
	// provider offers none, and the embed is then a link.
	Frame         string
	Width, Height int // the frame's proportions; zero for 16:9
	// Thumbnail is a picture of the page kept in the media library
	// (/media/ID/WIDTH.jpg), or empty.
	Thumbnail string
}
