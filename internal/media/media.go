// Package media turns untrusted image uploads into safe, resized renditions
// for Broadsheet's lead images.
//
// Everything an editor uploads is treated as hostile: the type is decided by
// the bytes (never the file name or the client's Content-Type), the pixel
// budget is checked from the header before anything is decoded, and every
// accepted image is decoded and re-encoded from pixels alone. Re-encoding is
// what makes the output safe to serve from our own origin: EXIF (including
// GPS coordinates of a source's home), comments, ICC blobs, trailing payloads
// and polyglot tricks are all dropped, because none of them survive the trip
// through an image.Image.
//
// The package does no I/O beyond reading the upload and knows nothing of HTTP
// or storage; callers persist Variant.Bytes under Variant.Hash and map the
// sentinel errors to responses.
package media

import (
	"bytes"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"runtime"

	"golang.org/x/image/webp"
)

// Limits bound what an upload may cost before any pixel is decoded.
//
// A zero or negative field means "use the DefaultLimits value", never
// "unlimited": forgetting to set a limit must not open a hole.
type Limits struct {
	MaxBytes  int64 // size of the upload in bytes
	MaxPixels int   // width*height as declared by the image header
	MaxSide   int   // longest permitted width or height
}

// DefaultLimits suit newsroom photography: 20 MB covers a full-resolution
// camera JPEG, 40 megapixels covers current full-frame sensors, and 12,000
// pixels per side admits panoramas while refusing absurd strips. At 40
// megapixels a decoded image is at most about 160 MB in memory.
var DefaultLimits = Limits{
	MaxBytes:  20 << 20,
	MaxPixels: 40_000_000,
	MaxSide:   12_000,
}

// Widths are the srcset widths produced, in pixels. Process never upscales:
// a source narrower than a width simply does not get that rendition.
var Widths = []int{480, 800, 1200, 1600}

// JPEGQuality is the quality used for every JPEG rendition. 82 is the usual
// knee of the size/quality curve for photographs viewed on screen.
const JPEGQuality = 82

// Variant is one re-encoded rendition.
type Variant struct {
	Width, Height int
	ContentType   string // "image/jpeg" or "image/png"
	Bytes         []byte
	Hash          string // hex SHA-256 of Bytes: content address
}

// Result of processing one upload.
type Result struct {
	Format        string // detected source format: "jpeg", "png", "gif", "webp"
	Width, Height int    // of the (orientation-corrected) source
	// Variants are ordered smallest first: each of Widths narrower than the
	// source, plus the source width capped at the largest of Widths.
	Variants []Variant
}

// codec pairs the header-only and full decoders of one format. We call the
// format's own functions rather than image.Decode so that the sniffed type is
// the only type ever tried: a decoder registered elsewhere in the program
// (BMP, TIFF, ...) can never widen what uploads we accept.
type codec struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var codecs = map[string]codec{
	"jpeg": {jpeg.DecodeConfig, jpeg.Decode},
	"png":  {png.DecodeConfig, png.Decode},
	"gif":  {gif.DecodeConfig, gif.Decode}, // gif.Decode returns the first frame only
	"webp": {webp.DecodeConfig, webp.Decode},
}

// Process reads at most limits.MaxBytes+1 bytes from r and returns the variants.
//
// The steps are ordered so that each guard runs before the cost it protects
// against: byte limit while reading, content sniffing before parsing,
// header dimensions (image.DecodeConfig-style, per format) before the pixel
// buffer is allocated, and only then a single full decode. Every variant is
// resampled from that one decoded image, and JPEG EXIF orientation is baked
// into each variant's pixels (see render).
//
// Cost: the upload, the decoded image (at most MaxPixels at 8 bits per
// channel: 160 MB at the defaults; a 16-bit image may have half the
// pixels), and then, for a source at least twice the largest rendition,
// a copy averaged down by a whole factor (see budget.go), after which the
// decoded image is released. x/image/draw's CatmullRom scaler needs a
// scratch buffer of 32 bytes × rendition width × source height for each
// resize; from the averaged copy that stays under about 100 MB. A server
// should still bound how many uploads it processes at once.
//
// Errors from a bad upload are *Error values wrapping ErrTooLarge,
// ErrTooManyPixels, ErrUnsupported or ErrCorrupt; their text is fit to show
// an editor (see Message). An error reading r is returned wrapped as is.
func Process(r io.Reader, limits Limits) (*Result, error) {
	limits = limits.withDefaults()

	data, err := readLimited(r, limits.MaxBytes)
	if err != nil {
		return nil, err
	}

	format := sniff(data)
	if format == "" {
		return nil, unsupported(data)
	}
	c := codecs[format]

	cfg, err := c.config(bytes.NewReader(data))
	if err != nil {
		return nil, decodeError(format, err)
	}
	if err := limits.checkDimensions(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	if err := limits.checkDecodedSize(cfg.Width, cfg.Height, cfg.ColorModel); err != nil {
		return nil, err
	}

	orient := orientNormal
	if format == "jpeg" {
		orient = jpegOrientation(data)
	}

	img, err := decode(c, data)
	if err != nil {
		return nil, decodeError(format, err)
	}
	b := img.Bounds()
	// The header was checked, not the decoder's output. They must agree, or a
	// crafted file could have passed the pixel check with one size and be
	// rendered at another.
	if b.Empty() || b.Dx() > cfg.Width || b.Dy() > cfg.Height {
		return nil, newError(ErrCorrupt, nil, "the %s image is damaged: its size does not match its header", formatName(format))
	}

	w, h := b.Dx(), b.Dy()
	if orient.swapsAxes() {
		w, h = h, w
	}
	res := &Result{Format: format, Width: w, Height: h}
	opaque := isOpaque(img)
	// Largest first, each smaller width resampled from the one before: the
	// full-resolution upload is read once, which makes processing a large
	// photo much faster and lighter, and a 2:1 or smaller step from a
	// CatmullRom result loses nothing visible.
	widths := variantWidths(w, Widths)
	res.Variants = make([]Variant, len(widths))
	base := img
	tw, th := widths[len(widths)-1], scaledHeight(w, h, widths[len(widths)-1])
	if orient.swapsAxes() {
		tw, th = th, tw
	}
	if k := shrinkFactor(b.Dx(), b.Dy(), tw, th); k >= 2 {
		// Averaged down first (see budget.go), and the decoded image let
		// go now rather than at the next cycle: it is the largest buffer
		// there is, and resampling is about to allocate its scratch.
		base = shrink(img, k)
		img = nil
		runtime.GC()
	}
	for i := len(widths) - 1; i >= 0; i-- {
		v, scaled, err := render(base, orient, widths[i], scaledHeight(w, h, widths[i]), opaque)
		if err != nil {
			return nil, err
		}
		res.Variants[i] = v
		base = scaled
	}
	return res, nil
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultLimits.MaxPixels
	}
	if l.MaxSide <= 0 {
		l.MaxSide = DefaultLimits.MaxSide
	}
	return l
}

// readLimited reads at most max+1 bytes: the extra byte is how we tell "exactly
// at the limit" from "over it" without trusting any declared length.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	n := max
	if n < math.MaxInt64 {
		n++
	}
	data, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil {
		return nil, fmt.Errorf("media: reading upload: %w", err)
	}
	if int64(len(data)) > max {
		return nil, newError(ErrTooLarge, nil, "the file is larger than the limit of %s", formatBytes(max))
	}
	return data, nil
}

// checkDimensions is the decompression-bomb guard. A 100-byte PNG can declare
// 100000×100000 pixels (40 GB of RGBA); only the header is trusted here, so
// the check costs nothing and happens before any pixel buffer exists.
func (l Limits) checkDimensions(w, h int) error {
	if w <= 0 || h <= 0 {
		return newError(ErrCorrupt, nil, "the image has no pixels")
	}
	px := int64(w) * int64(h)
	switch {
	case w > l.MaxSide || h > l.MaxSide:
		return newError(ErrTooManyPixels, nil,
			"the image is %d×%d pixels; each side may be at most %d pixels", w, h, l.MaxSide)
	case px > int64(l.MaxPixels):
		return newError(ErrTooManyPixels, nil,
			"the image is %d×%d pixels (%s); the limit is %s",
			w, h, formatMegapixels(px), formatMegapixels(int64(l.MaxPixels)))
	}
	return nil
}

// decode runs the full decoder. The standard and x/image decoders are fuzzed
// and not expected to panic, but this is the one place where attacker bytes
// meet a large parser, so a panic is turned into ErrCorrupt for the editor
// instead of a dropped connection.
func decode(c codec, data []byte) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("decoder panic: %v", p)
		}
	}()
	return c.decode(bytes.NewReader(data))
}

// isOpaque reports whether every pixel has alpha 255. All standard image
// types implement Opaque by scanning the pixels actually present (for
// paletted images, only the palette entries in use), which is what "real
// transparency" means: a PNG with an alpha channel that is fully opaque
// still becomes a JPEG.
func isOpaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0xffff {
				return false
			}
		}
	}
	return true
}
