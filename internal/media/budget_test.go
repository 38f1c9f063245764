package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"strings"
	"testing"
)

// A 16-bit image is held in twice the bytes of an 8-bit one, so it may
// have half the pixels; the refusal comes from the header and says why.
func TestSixteenBitImageWithinTheByteBudget(t *testing.T) {
	deep := func(w, h uint32) []byte {
		data := bombPNG(w, h)
		data[24] = 16 // IHDR bit depth: 16 bits per channel
		binary.BigEndian.PutUint32(data[29:33], crc32.ChecksumIEEE(data[12:29]))
		return data
	}
	_, err := Process(bytes.NewReader(deep(6000, 5000)), DefaultLimits) // 30 MP, 240 MB decoded
	if !errors.Is(err, ErrTooManyPixels) || !strings.Contains(Message(err), "16 bits per colour") || !strings.Contains(Message(err), "20 megapixels") {
		t.Fatalf("30-megapixel 16-bit PNG: %v; want a refusal naming the 20-megapixel limit at that depth", err)
	}
	// Under the budget it is read like any other (this one is damaged
	// past its header, which is the next thing to be found).
	if _, err := Process(bytes.NewReader(deep(4000, 4000)), DefaultLimits); errors.Is(err, ErrTooManyPixels) {
		t.Errorf("16 megapixels at 16 bits refused: %v", err)
	}
}

// Averaging by a whole factor counts every pixel once, partial blocks at
// the edges included, and keeps transparency premultiplied.
func TestShrinkAverages(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 5, 3))
	for y := range 3 {
		for x := range 5 {
			src.Set(x, y, color.NRGBA{uint8(10 * (x + 5*y)), 0, 0, 255})
		}
	}
	src.Set(4, 2, color.NRGBA{255, 255, 255, 0}) // transparent white
	got := shrink(src, 2)
	if got.Bounds() != image.Rect(0, 0, 3, 2) {
		t.Fatalf("bounds %v, want 3×2", got.Bounds())
	}
	for _, c := range []struct {
		x, y int
		want color.RGBA
	}{
		{0, 0, color.RGBA{30, 0, 0, 255}},  // (0+10+50+60)/4
		{2, 0, color.RGBA{65, 0, 0, 255}},  // (40+90)/2: a column cut short
		{1, 1, color.RGBA{125, 0, 0, 255}}, // (120+130)/2: a row cut short
		{2, 1, color.RGBA{0, 0, 0, 0}},     // the transparent corner alone
	} {
		if g := got.RGBAAt(c.x, c.y); g != c.want {
			t.Errorf("pixel (%d,%d) = %v, want %v", c.x, c.y, g, c.want)
		}
	}
}

// An image at the pixel limit is processed within a bounded amount of
// memory: the decoded image (160 MB) and a little more, not the scratch
// of resampling it whole on top.
func TestLargeImageWithinItsBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("draws and encodes a 40-megapixel image")
	}
	data := encPNGFast(t, gradient(7300, 5479))
	var res *Result
	peak := peakHeap(func() {
		var err error
		if res, err = Process(bytes.NewReader(data), DefaultLimits); err != nil {
			t.Fatal(err)
		}
	})
	if peak > 250<<20 {
		t.Errorf("processing a 40-megapixel PNG held %d MiB at once; want at most 250", peak>>20)
	}
	if top := res.Variants[len(res.Variants)-1]; top.Width != 1600 || top.Height != scaledHeight(7300, 5479, 1600) {
		t.Errorf("largest rendition %d×%d", top.Width, top.Height)
	}
	// The averaged copy resamples like the original: the rendition is
	// within a few steps of one scaled from the decoded image whole (the
	// image's fine noise is averaged over slightly different footprints).
	src := gradient(7300, 5479)
	want, _, err := render(src, orientNormal, 1600, scaledHeight(7300, 5479, 1600), true)
	if err != nil {
		t.Fatal(err)
	}
	a, b := decodeVariant(t, res.Variants[len(res.Variants)-1]), decodeVariant(t, want)
	var diff, n int
	for y := 0; y < a.Bounds().Dy(); y += 7 {
		for x := 0; x < a.Bounds().Dx(); x += 7 {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			diff += absDiff(int(r1>>8), int(r2>>8)) + absDiff(int(g1>>8), int(g2>>8)) + absDiff(int(b1>>8), int(b2>>8))
			n += 3
		}
	}
	if mean := float64(diff) / float64(n); mean > 4 {
		t.Errorf("the rendition differs from one scaled whole by %.2f a channel on average; want at most 4", mean)
	}
}

func absDiff(a, b int) int {
	if a > b {
		return a - b
	}
	return b - a
}
