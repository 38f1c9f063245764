package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"slices"

	"golang.org/x/image/draw"
)

// variantWidths lists the rendition widths for a source srcW pixels wide,
// smallest first: every entry of widths narrower than the source, then the
// source width itself capped at the largest entry. Nothing is upscaled, and a
// source narrower than every entry still gets one rendition at its own size.
func variantWidths(srcW int, widths []int) []int {
	ws := slices.Clone(widths) // Widths is exported; never trust its order
	slices.Sort(ws)
	ws = slices.Compact(ws)
	var out []int
	for _, w := range ws {
		if w > 0 && w < srcW {
			out = append(out, w)
		}
	}
	top := srcW
	if len(ws) > 0 && ws[len(ws)-1] > 0 {
		top = min(srcW, ws[len(ws)-1])
	}
	if len(out) == 0 || out[len(out)-1] != top {
		out = append(out, top)
	}
	return out
}

// scaledHeight keeps the aspect ratio, rounding half up, and never returns
// less than one pixel (a 12000×1 strip is legal input).
func scaledHeight(srcW, srcH, w int) int {
	h := (2*int64(srcH)*int64(w) + int64(srcW)) / (2 * int64(srcW))
	return max(int(h), 1)
}

// render produces one rendition w×h pixels (in display orientation).
//
// The rendition size is decided in display orientation (w is measured after
// rotation), but resampling happens in the source's stored orientation and
// the small result is then turned upright. Rotations and mirrors commute with
// a separable, symmetric filter, so the pixels match rotating first (up to
// rounding), but we
// never allocate a second full-resolution copy of the upload just to turn it
// (most phone portraits carry orientation 6).
func render(src image.Image, o orientation, w, h int, opaque bool) (Variant, image.Image, error) {
	sw, sh := w, h
	if o.swapsAxes() {
		sw, sh = h, w
	}

	var img image.Image = src
	if b := src.Bounds(); b.Dx() != sw || b.Dy() != sh {
		dst := image.NewRGBA(image.Rect(0, 0, sw, sh))
		// CatmullRom is the highest-quality kernel in x/image/draw: a
		// bicubic that keeps edges crisp when downscaling photographs, in
		// pure Go. draw.Src because dst starts transparent black and the
		// source alpha must be copied, not composited.
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
		img = dst
	}
	scaled := img
	if o != orientNormal {
		img = orient(toRGBA(img), o)
	}
	v, err := encode(img, w, h, opaque)
	return v, scaled, err
}

// encode writes one variant as JPEG, or PNG when it has transparency.
func encode(img image.Image, w, h int, opaque bool) (Variant, error) {
	var buf bytes.Buffer
	v := Variant{Width: w, Height: h}
	if opaque {
		v.ContentType = "image/jpeg"
		// Photographs, and opaque PNG/GIF (often screenshots or converted
		// photos), go out as JPEG: several times smaller than PNG for
		// camera content.
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: JPEGQuality}); err != nil {
			return Variant{}, fmt.Errorf("media: encoding JPEG %d×%d: %w", w, h, err)
		}
	} else {
		v.ContentType = "image/png"
		// JPEG has no alpha channel; PNG keeps the transparency of logos
		// and cut-outs intact.
		if err := png.Encode(&buf, img); err != nil {
			return Variant{}, fmt.Errorf("media: encoding PNG %d×%d: %w", w, h, err)
		}
	}
	v.Bytes = buf.Bytes()
	sum := sha256.Sum256(v.Bytes)
	v.Hash = hex.EncodeToString(sum[:])
	return v, nil
}

// toRGBA returns img as an *image.RGBA whose bounds start at (0, 0), copying
// only when it is not one already. orient relies on the zero origin.
func toRGBA(img image.Image) *image.RGBA {
	if m, ok := img.(*image.RGBA); ok && m.Rect.Min == (image.Point{}) {
		return m
	}
	b := img.Bounds()
	m := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(m, m.Bounds(), img, b.Min, draw.Src)
	return m
}
