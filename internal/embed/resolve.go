package embed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"

	"broadsheet/internal/article"
	"broadsheet/internal/media"
)

// Images is where thumbnails are kept: the media library.
type Images interface {
	ImageBySourceHash(ctx context.Context, hash string) (*article.Image, error)
	CreateImage(ctx context.Context, img *article.Image, variants []article.Variant) error
}

// Options configure a Resolver. Zero values get the defaults.
type Options struct {
	// Endpoints are oEmbed providers the operator adds.
	Endpoints []Endpoint
	// MetaToken is a Meta app's access token (APP_ID|CLIENT_TOKEN), which
	// Instagram's and Facebook's oEmbed endpoints need; without it their
	// embeds are kept with their frame and no title.
	MetaToken string
	// AllowPrivate lets requests reach internal addresses (loopback,
	// private networks…): for an intranet's own provider, or tests.
	AllowPrivate bool
	// Allow are addresses requests may reach even without AllowPrivate.
	Allow []netip.Prefix
	// ProviderEndpoints replace the oEmbed endpoint of built-in providers,
	// by key ("youtube"): a caching proxy's, or an address that answers
	// nothing where no provider may be asked.
	ProviderEndpoints map[string]string
	// Timeout bounds the requests for one embed, thumbnail included;
	// default 4s.
	Timeout time.Duration
	// Images keeps thumbnails; nil keeps none.
	Images Images
	Log    *slog.Logger
	Now    func() time.Time
}

// Limits of what a provider may send.
const (
	maxJSON      = 256 << 10
	maxThumbnail = 5 << 20
	maxTitle     = 300
	maxAuthor    = 200
)

// thumbnailLimits bound a thumbnail as media.Limits bound an upload: a
// preview has no business being a 40-megapixel photograph.
var thumbnailLimits = media.Limits{MaxBytes: maxThumbnail, MaxPixels: 12_000_000, MaxSide: 6000}

// Resolver asks providers about embeds. It is safe for concurrent use.
type Resolver struct {
	o     Options
	fetch *fetcher
	// processing bounds how many thumbnails are decoded at once.
	processing chan struct{}
}

// NewResolver makes a Resolver.
func NewResolver(o Options) *Resolver {
	if o.Timeout <= 0 {
		o.Timeout = 4 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Resolver{o: o, fetch: newFetcher(o.AllowPrivate, o.Allow), processing: make(chan struct{}, 2)}
}

// Embeds reports whether an address is one the resolver resolves: of a
// known provider or of a configured endpoint.
func (r *Resolver) Embeds(addr string) bool {
	if _, ok := Match(addr); ok {
		return true
	}
	_, ok := r.endpoint(addr)
	return ok
}

// Find is Find with the configured endpoints' addresses too.
func (r *Resolver) Find(body string) []string {
	var out []string
	for _, u := range LoneURLs(body) {
		if r.Embeds(u) {
			out = append(out, u)
		}
	}
	return out
}

func (r *Resolver) endpoint(addr string) (Endpoint, bool) {
	for _, e := range r.o.Endpoints {
		if e.Matches(addr) {
			return e, true
		}
	}
	return Endpoint{}, false
}

// Resolve makes the record of a page address, asking its provider's
// oEmbed endpoint for the title, author, size and thumbnail. When asking
// fails, the record is still returned with what the address alone gives
// (provider and frame), Complete false, together with the error; an
// address of no provider is ErrNotEmbed.
func (r *Resolver) Resolve(ctx context.Context, addr string) (Record, error) {
	rec, endpoint, token, known := r.start(addr)
	if rec.URL == "" {
		return Record{}, ErrNotEmbed
	}
	rec.FetchedAt = r.o.Now().UTC().Truncate(time.Second)
	if endpoint == "" {
		rec.Complete = true
		return rec, nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	o, err := r.oembed(ctx, endpoint, addr, token)
	if err != nil {
		return rec, err
	}
	rec.Title, rec.Author = clean(o.Title, maxTitle), clean(o.AuthorName, maxAuthor)
	src, w, h := iframe(o.HTML)
	if !known {
		if name := clean(o.ProviderName, 100); name != "" {
			rec.Provider = name
		}
		rec.Frame, rec.FrameOrigin = src, Origin(src)
		rec.Width, rec.Height = 640, 360
	}
	switch {
	case o.Width > 0 && o.Height > 0:
		rec.Width, rec.Height = int(o.Width), int(o.Height)
	case w > 0 && h > 0:
		rec.Width, rec.Height = w, h
	}
	rec.Complete = true
	if t := webURL(o.ThumbnailURL); t != "" {
		rec.ThumbnailURL = t
		if r.o.Images != nil {
			if rec.ThumbnailID, err = r.thumbnail(ctx, &rec); err != nil {
				r.o.Log.Warn("embed thumbnail not kept", "url", addr, "thumbnail", redact(rec.ThumbnailURL), "err", err)
			}
		}
	}
	return rec, nil
}

// start is the record of an address before any provider is asked, the
// endpoint to ask ("" for none), whether the endpoint needs the Meta
// token, and whether the provider is a built-in one; a record without
// URL for an address of no provider.
func (r *Resolver) start(addr string) (rec Record, endpoint string, token, known bool) {
	p, pt, frame, known := match(addr)
	if !known {
		e, ok := r.endpoint(addr)
		if !ok {
			return Record{}, "", false, false
		}
		u, _ := url.Parse(e.Endpoint)
		return Record{URL: addr, Provider: u.Hostname(), ProviderKey: "oembed"}, e.Endpoint, false, false
	}
	endpoint = p.oembed
	if pt.oembed != "" {
		endpoint = pt.oembed
	}
	if e, ok := r.o.ProviderEndpoints[p.Key]; ok {
		endpoint = e
	}
	if p.meta && r.o.MetaToken == "" {
		endpoint = "" // nothing can be asked
	}
	return matched(addr, p, pt, frame), endpoint, p.meta, true
}

// oembedAnswer is the part of an oEmbed response a record keeps.
type oembedAnswer struct {
	Title        string `json:"title"`
	AuthorName   string `json:"author_name"`
	ProviderName string `json:"provider_name"`
	Width        size   `json:"width"`
	Height       size   `json:"height"`
	ThumbnailURL string `json:"thumbnail_url"`
	HTML         string `json:"html"`
}

// size is a width or height as providers write it: a number, a number
// in a string, or something else (null, "100%"), which is none.
type size int

func (s *size) UnmarshalJSON(b []byte) error {
	*s = 0
	v := strings.Trim(string(b), `"`)
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 1 && f <= 10000 {
		*s = size(f)
	}
	return nil
}

// oembed asks endpoint about a page address.
func (r *Resolver) oembed(ctx context.Context, endpoint, addr string, token bool) (*oembedAnswer, error) {
	endpoint = strings.ReplaceAll(endpoint, "{format}", "json")
	q := url.Values{"url": {addr}, "format": {"json"}}
	if token {
		q.Set("access_token", r.o.MetaToken)
		q.Set("omitscript", "true")
	}
	sep := "?"
	if strings.Contains(endpoint, "?") {
		sep = "&"
	}
	b, err := r.fetch.get(ctx, endpoint+sep+q.Encode(), "application/json", maxJSON)
	if err != nil {
		return nil, err
	}
	var o oembedAnswer
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("embed: oEmbed of %s: %w", redact(endpoint), err)
	}
	return &o, nil
}

// iframe is the https src, width and height of the first iframe in an
// oEmbed answer's html; src is "" when there is none.
func iframe(h string) (src string, width, height int) {
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return "", 0, 0
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			if string(name) != "iframe" {
				continue
			}
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "src":
					src = frameURL(string(v))
				case "width":
					width, _ = strconv.Atoi(string(v))
				case "height":
					height, _ = strconv.Atoi(string(v))
				}
			}
			if width < 1 || height < 1 || width > 10000 || height > 10000 {
				width, height = 0, 0
			}
			return src, width, height
		}
	}
}

// frameURL is an iframe's src as a record keeps it: absolute https only
// (one without a scheme, //host/…, is taken as https), or "".
func frameURL(src string) string {
	src = strings.TrimSpace(src)
	if strings.HasPrefix(src, "//") {
		src = "https:" + src
	}
	if f := webURL(src); strings.HasPrefix(f, "https://") {
		return f
	}
	return ""
}

// webURL is an absolute http(s) address without user or password, as a
// record keeps it, or "".
func webURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(s) > maxURL {
		return ""
	}
	return u.String()
}

// thumbnail fetches a record's thumbnail into the media library, through
// the checks every upload goes through (media.Process): the bytes decide
// the type, dimensions are checked before decoding, and the image is
// re-encoded. The same image again is the one kept already.
func (r *Resolver) thumbnail(ctx context.Context, rec *Record) (int64, error) {
	b, err := r.fetch.get(ctx, rec.ThumbnailURL, "image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8", maxThumbnail)
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])
	known := func() (int64, error) {
		img, err := r.o.Images.ImageBySourceHash(ctx, hash)
		if err != nil {
			return 0, err
		}
		return img.ID, nil
	}
	if id, err := known(); err == nil || !errors.Is(err, article.ErrNotFound) {
		return id, err
	}
	select {
	case r.processing <- struct{}{}:
		defer func() { <-r.processing }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	res, err := media.Process(bytes.NewReader(b), thumbnailLimits)
	if err != nil {
		return 0, fmt.Errorf("embed: thumbnail: %w", err)
	}
	img := article.Image{Alt: rec.Title, Credit: rec.Provider, Width: res.Width, Height: res.Height, SourceHash: hash}
	if img.Alt == "" {
		img.Alt = rec.Provider
	}
	if rec.Author != "" {
		img.Credit = rec.Author + " / " + rec.Provider
	}
	variants := make([]article.Variant, 0, len(res.Variants))
	for _, v := range res.Variants {
		variants = append(variants, article.Variant{Width: v.Width, Height: v.Height, ContentType: v.ContentType, Bytes: v.Bytes})
	}
	err = r.o.Images.CreateImage(ctx, &img, variants)
	if errors.Is(err, article.ErrConflict) {
		return known() // kept meanwhile by another save
	}
	if err != nil {
		return 0, err
	}
	return img.ID, nil
}
