package media

import (
	"image"
	"image/color"

	"golang.org/x/image/draw"
)

// Memory is bounded in two steps. The decoded image is the one buffer the
// standard decoders must allocate whole, so its size is checked from the
// header, in bytes rather than pixels (checkDecodedSize): 16-bit images
// take twice the bytes of 8-bit ones. Then, before any resampling, an
// image much larger than the largest rendition is averaged down by a
// whole factor (shrink) and the decoded image is let go: CatmullRom's
// scratch buffer grows with the source's height, and at 40 megapixels it
// came to more than the decoded image itself.

// bytesPerPixel is what one pixel of a decoded image of model m holds.
func bytesPerPixel(m color.Model) int {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.Gray16Model:
		return 2
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.YCbCrModel:
		return 3 // 4:4:4 at most; JPEG's 4:2:0 takes half
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4
}

// checkDecodedSize refuses an image whose decoded pixels would take more
// than MaxPixels at 8 bits per channel: a 16-bit PNG may have half the
// pixels of an 8-bit one.
func (l Limits) checkDecodedSize(w, h int, m color.Model) error {
	bpp := bytesPerPixel(m)
	if bpp <= 4 {
		return nil // within MaxPixels, checked before
	}
	budget := int64(l.MaxPixels) * 4
	if px := int64(w) * int64(h); px*int64(bpp) > budget {
		return newError(ErrTooManyPixels, nil,
			"the image is %d×%d pixels (%s) at 16 bits per colour; at that depth the limit is %s: save it with 8 bits per colour",
			w, h, formatMegapixels(px), formatMegapixels(budget/int64(bpp)))
	}
	return nil
}

// shrinkFactor is the whole factor by which a w×h source can be averaged
// down and still be at least tw×th; 1 when it cannot be halved.
func shrinkFactor(w, h, tw, th int) int {
	return max(1, min(w/tw, h/th))
}

// shrink averages every k×k block of src into one pixel (a box filter,
// which is exact for a whole factor: every source pixel counts once), with
// partial blocks at the right and bottom edges. It reads src a band of k
// rows at a time, converted by draw.Draw's fast paths, so it needs memory
// only for the result. Colours are averaged premultiplied, so transparent
// pixels lend no colour to their neighbours.
func shrink(src image.Image, k int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := (w+k-1)/k, (h+k-1)/k
	dst := image.NewRGBA(image.Rect(0, 0, ow, oh))
	band := image.NewRGBA(image.Rect(0, 0, w, k))
	sum := make([]uint32, ow*4)
	for oy := range oh {
		rows := min(k, h-oy*k)
		draw.Draw(band, image.Rect(0, 0, w, rows), src, image.Pt(b.Min.X, b.Min.Y+oy*k), draw.Src)
		clear(sum)
		for y := range rows {
			row := band.Pix[y*band.Stride : y*band.Stride+w*4]
			for x := range w {
				s := sum[x/k*4 : x/k*4+4]
				p := row[x*4 : x*4+4]
				s[0] += uint32(p[0])
				s[1] += uint32(p[1])
				s[2] += uint32(p[2])
				s[3] += uint32(p[3])
			}
		}
		out := dst.Pix[oy*dst.Stride:]
		for ox := range ow {
			n := uint32(min(k, w-ox*k) * rows)
			for c := range 4 {
				out[ox*4+c] = uint8((sum[ox*4+c] + n/2) / n)
			}
		}
	}
	return dst
}
