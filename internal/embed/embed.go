// Package embed owns the embeds of article bodies: a page address of a
// known provider (a YouTube video, a post on X, a Datawrapper chart…)
// standing alone as a paragraph. It recognises them (Find), computes the
// frame each loads from the address alone (Match), and asks the provider
// once, when an article is saved, for what a reader should see before
// choosing to load it: title, author, size and a thumbnail, kept as a
// Record and as an image of the media library (Resolver, Keeper). A
// reader's page never contacts a provider until the reader asks.
//
// Asking a provider is a request our server makes to an address that
// came, however indirectly, from outside: every connection is checked at
// dial time against loopback, private, link-local and other internal
// addresses (see fetch.go), bodies are capped, and redirects are few.
// The package knows nothing of HTTP handlers or storage.
package embed

import (
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Record is what is kept of one embed, by the address the body gives.
type Record struct {
	// URL is the page address as the article's body writes it.
	URL string
	// Provider is the provider's name as readers read it ("YouTube");
	// ProviderKey names it in the registry ("youtube"), or is "oembed"
	// for a provider configured by its oEmbed endpoint.
	Provider, ProviderKey string
	// Title and Author are what the provider says of the content; empty
	// when it says nothing or could not be asked.
	Title, Author string
	// Frame is the https address a reader's page loads in an iframe once
	// the reader asks, and FrameOrigin its origin (for frame-src). Empty
	// when the provider offers no frame: the page then shows a link.
	Frame, FrameOrigin string
	// Width and Height are the frame's size in CSS pixels as the
	// provider suggests it: their ratio is the shape a page keeps.
	Width, Height int
	// ThumbnailURL is the provider's preview image; ThumbnailID the copy
	// kept in the media library, which pages show, 0 for none.
	ThumbnailURL string
	ThumbnailID  int64
	// Complete says the provider was asked and answered, or has nothing
	// to ask; a record without it was kept after a failed request and is
	// asked again by a later save (Keeper.Retry).
	Complete bool
	// FetchedAt is when the record was made.
	FetchedAt time.Time
}

// ErrNotEmbed means an address belongs to no provider this site embeds.
var ErrNotEmbed = errors.New("embed: not the address of a known provider")

// Origin is the origin of an absolute https address, "" for any other.
func Origin(addr string) string {
	u, err := url.Parse(addr)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return ""
	}
	return "https://" + strings.ToLower(u.Host)
}

// clean is text from a provider as a record keeps it: no control or
// format characters (a right-to-left override cannot turn the rest of a
// page around), spaces collapsed, at most max runes.
func clean(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	n := 0
	space := false
	for _, r := range s {
		if n >= max {
			break
		}
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r), unicode.In(r, unicode.Cf) && r != '\u200c' && r != '\u200d':
			// ZWNJ and ZWJ stay: Persian and Arabic words need them.
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
