package media

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The WebP fixtures are real files made with libwebp's cwebp 1.2.4 (Debian
// package "webp") from PNGs that a small Go program drew:
//
//	opaque-lossy-64x48.webp    cwebp -q 80 (VP8, a 64×48 gradient)
//	alpha-lossless-32x32.webp  cwebp -lossless -exact (VP8L; left half alpha 0)
//	alpha-lossy-32x32.webp     cwebp -q 80 (VP8X + ALPH + VP8; left half alpha 0)
//
// They are embedded rather than generated because the standard library has no
// WebP encoder.
//
//go:embed testdata/*.webp
var testdata embed.FS

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := testdata.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// photo draws a deterministic w×h test picture: gradients plus hash noise, so
// that JPEG sizes and resampling costs resemble a real photograph's.
func photo(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			n := uint32(x)*0x9E3779B1 ^ uint32(y)*0x85EBCA77
			n ^= n >> 15
			n *= 0x2C1B3C6D
			n ^= n >> 12
			noise := uint8(n & 31)
			i := m.PixOffset(x, y)
			m.Pix[i+0] = uint8(x*200/w) + noise
			m.Pix[i+1] = uint8(y*200/h) + noise
			m.Pix[i+2] = uint8((x+y)*200/(w+h)) + noise
			m.Pix[i+3] = 255
		}
	}
	return m
}

// withAlpha returns a copy of img as NRGBA whose left half is fully transparent.
func withAlpha(img image.Image) *image.NRGBA {
	b := img.Bounds()
	m := image.NewNRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if x < b.Dx()/2 {
				c.A = 0
			}
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

// to64 converts to 16 bits per channel, which png.Encode writes as a
// 16-bit PNG.
func to64(img image.Image) *image.NRGBA64 {
	b := img.Bounds()
	m := image.NewNRGBA64(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			m.Set(x, y, img.At(x, y))
		}
	}
	return m
}

func encJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encPNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// encGIF encodes a paletted image; transparent adds a fully transparent
// palette entry and paints the left half with it.
func encGIF(t testing.TB, w, h int, transparent bool) []byte {
	t.Helper()
	pal := color.Palette{
		color.RGBA{200, 20, 20, 255}, color.RGBA{20, 200, 20, 255},
		color.RGBA{20, 20, 200, 255}, color.RGBA{0, 0, 0, 0},
	}
	m := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	for y := range h {
		for x := range w {
			i := uint8((x/8 + y/8) % 3)
			if transparent && x < w/2 {
				i = 3
			}
			m.SetColorIndex(x, y, i)
		}
	}
	var b bytes.Buffer
	if err := gif.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngChunk frames data as a PNG chunk with a correct CRC, so crafted files
// get past the decoder's integrity checks and exercise our own guards.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// bombPNG is a valid-looking PNG of about 80 bytes whose header declares
// w×h RGBA pixels: the classic decompression bomb.
func bombPNG(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 64))
	zw.Close()
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", z.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

// patchJPEGSOF returns a copy of j with the frame header's marker and
// dimensions replaced, to forge headers without forging scan data.
func patchJPEGSOF(t testing.TB, j []byte, marker byte, w, h uint16) []byte {
	t.Helper()
	j = bytes.Clone(j)
	i := bytes.Index(j, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 in test JPEG")
	}
	j[i+1] = marker
	binary.BigEndian.PutUint16(j[i+5:], h)
	binary.BigEndian.PutUint16(j[i+7:], w)
	return j
}

func process(t testing.TB, data []byte) *Result {
	t.Helper()
	res, err := Process(bytes.NewReader(data), DefaultLimits)
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	return res
}

// decodeVariant checks a variant's invariants (hash, declared type and size
// match the bytes) and returns its pixels.
func decodeVariant(t testing.TB, v Variant) image.Image {
	t.Helper()
	sum := sha256.Sum256(v.Bytes)
	if v.Hash != hex.EncodeToString(sum[:]) {
		t.Errorf("variant %d: Hash %s is not sha256 of Bytes", v.Width, v.Hash)
	}
	if got := http.DetectContentType(v.Bytes); got != v.ContentType {
		t.Errorf("variant %d: bytes sniff as %s, ContentType says %s", v.Width, got, v.ContentType)
	}
	var img image.Image
	var err error
	switch v.ContentType {
	case "image/jpeg":
		img, err = jpeg.Decode(bytes.NewReader(v.Bytes))
	case "image/png":
		img, err = png.Decode(bytes.NewReader(v.Bytes))
	default:
		t.Fatalf("unexpected content type %q", v.ContentType)
	}
	if err != nil {
		t.Fatalf("variant %d does not decode: %v", v.Width, err)
	}
	if b := img.Bounds(); b.Dx() != v.Width || b.Dy() != v.Height {
		t.Errorf("variant says %d×%d, pixels are %d×%d", v.Width, v.Height, b.Dx(), b.Dy())
	}
	return img
}

func TestProcessFormats(t *testing.T) {
	// An NRGBA image has an alpha channel even when every pixel is opaque;
	// only real transparency should keep an image out of JPEG.
	opaqueNRGBA := image.NewNRGBA(image.Rect(0, 0, 10, 10))
	for i := range opaqueNRGBA.Pix {
		opaqueNRGBA.Pix[i] = 255
	}
	tests := []struct {
		name       string
		data       []byte
		format     string
		w, h       int
		wantType   string
		transLeft  bool // left half of the output must be transparent
		wantWidths []int
	}{
		{"jpeg", encJPEG(t, photo(640, 480)), "jpeg", 640, 480, "image/jpeg", false, []int{480, 640}},
		{"png opaque becomes jpeg", encPNG(t, photo(300, 200)), "png", 300, 200, "image/jpeg", false, []int{300}},
		{"png with all-opaque alpha channel becomes jpeg", encPNG(t, opaqueNRGBA), "png", 10, 10, "image/jpeg", false, []int{10}},
		{"png transparent stays png", encPNG(t, withAlpha(photo(900, 300))), "png", 900, 300, "image/png", true, []int{480, 800, 900}},
		{"16-bit png with alpha stays png", encPNG(t, to64(withAlpha(photo(200, 100)))), "png", 200, 100, "image/png", true, []int{200}},
		{"gif opaque becomes jpeg", encGIF(t, 120, 80, false), "gif", 120, 80, "image/jpeg", false, []int{120}},
		{"gif transparent becomes png", encGIF(t, 120, 80, true), "gif", 120, 80, "image/png", true, []int{120}},
		{"webp lossy", fixture(t, "opaque-lossy-64x48.webp"), "webp", 64, 48, "image/jpeg", false, []int{64}},
		{"webp lossless alpha", fixture(t, "alpha-lossless-32x32.webp"), "webp", 32, 32, "image/png", true, []int{32}},
		{"webp lossy alpha", fixture(t, "alpha-lossy-32x32.webp"), "webp", 32, 32, "image/png", true, []int{32}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := http.DetectContentType(tt.data); got != "image/"+tt.format {
				t.Fatalf("fixture sniffs as %s for net/http", got)
			}
			res := process(t, tt.data)
			if res.Format != tt.format || res.Width != tt.w || res.Height != tt.h {
				t.Fatalf("got %s %d×%d, want %s %d×%d", res.Format, res.Width, res.Height, tt.format, tt.w, tt.h)
			}
			var widths []int
			for _, v := range res.Variants {
				widths = append(widths, v.Width)
				if v.ContentType != tt.wantType {
					t.Errorf("variant %d is %s, want %s", v.Width, v.ContentType, tt.wantType)
				}
				img := decodeVariant(t, v)
				if tt.transLeft {
					b := img.Bounds()
					if _, _, _, a := img.At(b.Min.X+b.Dx()/8, b.Min.Y+b.Dy()/2).RGBA(); a != 0 {
						t.Errorf("variant %d: left half alpha %d, want 0", v.Width, a)
					}
					if _, _, _, a := img.At(b.Max.X-1-b.Dx()/8, b.Min.Y+b.Dy()/2).RGBA(); a != 0xffff {
						t.Errorf("variant %d: right half alpha %d, want opaque", v.Width, a)
					}
				}
			}
			if !equalInts(widths, tt.wantWidths) {
				t.Errorf("widths %v, want %v", widths, tt.wantWidths)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestVariants(t *testing.T) {
	type size struct{ w, h int }
	tests := []struct {
		name     string
		srcW     int
		srcH     int
		variants []size
	}{
		{"2000x1000 gets every width", 2000, 1000, []size{{480, 240}, {800, 400}, {1200, 600}, {1600, 800}}},
		{"600x400 is never upscaled", 600, 400, []size{{480, 320}, {600, 400}}},
		{"heights round half up", 1000, 667, []size{{480, 320}, {800, 534}, {1000, 667}}},
		{"exactly the largest width", 1600, 900, []size{{480, 270}, {800, 450}, {1200, 675}, {1600, 900}}},
		{"narrower than every width", 300, 1000, []size{{300, 1000}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := process(t, encJPEG(t, photo(tt.srcW, tt.srcH)))
			if len(res.Variants) != len(tt.variants) {
				t.Fatalf("got %d variants, want %d", len(res.Variants), len(tt.variants))
			}
			for i, v := range res.Variants {
				if want := tt.variants[i]; v.Width != want.w || v.Height != want.h {
					t.Errorf("variant %d is %d×%d, want %d×%d", i, v.Width, v.Height, want.w, want.h)
				}
				decodeVariant(t, v) // also checks Hash == sha256(Bytes)
			}
		})
	}
}

func TestVariantWidthsAndHeights(t *testing.T) {
	for _, tt := range []struct {
		srcW   int
		widths []int
		want   []int
	}{
		{2000, Widths, []int{480, 800, 1200, 1600}},
		{1601, Widths, []int{480, 800, 1200, 1600}},
		{800, Widths, []int{480, 800}},
		{481, Widths, []int{480, 481}},
		{1, Widths, []int{1}},
		{2000, []int{1600, 480, 480, 800}, []int{480, 800, 1600}}, // unsorted, duplicated
		{2000, nil, []int{2000}},
	} {
		if got := variantWidths(tt.srcW, tt.widths); !equalInts(got, tt.want) {
			t.Errorf("variantWidths(%d, %v) = %v, want %v", tt.srcW, tt.widths, got, tt.want)
		}
	}
	if h := scaledHeight(12000, 1, 480); h != 1 {
		t.Errorf("a 12000×1 strip scaled to 480 wide is %d high, want 1", h)
	}
}

func TestDeterministic(t *testing.T) {
	for _, data := range [][]byte{
		encJPEG(t, photo(1700, 900)),
		encPNG(t, withAlpha(photo(500, 300))),
	} {
		a, b := process(t, data), process(t, data)
		for i := range a.Variants {
			if a.Variants[i].Hash != b.Variants[i].Hash {
				t.Errorf("variant %d differs between runs", a.Variants[i].Width)
			}
		}
	}
}

func TestHostileInputs(t *testing.T) {
	small := encJPEG(t, photo(300, 200))
	gifData := encGIF(t, 64, 64, false)
	pngData := encPNG(t, photo(64, 64))
	webpData := fixture(t, "opaque-lossy-64x48.webp")

	tests := []struct {
		name    string
		data    []byte
		limits  Limits
		want    error
		message string // substring of Message(err)
	}{
		{"png bomb 100000x100000", bombPNG(100000, 100000), DefaultLimits, ErrTooManyPixels,
			"the image is 100000×100000 pixels; each side may be at most 12000 pixels"},
		{"png bomb within side limit", bombPNG(12000, 12000), DefaultLimits, ErrTooManyPixels,
			"the image is 12000×12000 pixels (144 megapixels); the limit is 40 megapixels"},
		{"jpeg header bomb", patchJPEGSOF(t, small, 0xC0, 65000, 65000), DefaultLimits, ErrTooManyPixels, "65000×65000"},
		{"zero limits mean defaults, not unlimited", bombPNG(100000, 100000), Limits{}, ErrTooManyPixels, "100000×100000"},
		{"over MaxBytes", small, Limits{MaxBytes: 1000}, ErrTooLarge, "larger than the limit of 1000 bytes"},
		{"over default MaxBytes", append(bytes.Clone(small), make([]byte, 20<<20)...), DefaultLimits, ErrTooLarge, "limit of 20 MB"},
		{"zero bytes", nil, DefaultLimits, ErrUnsupported, "the file is empty"},
		{"svg with script", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>`),
			DefaultLimits, ErrUnsupported, "SVG"},
		{"plain text", []byte("GPS 51.5N 0.1W, do not publish"), DefaultLimits, ErrUnsupported, "not a JPEG, PNG, GIF or WebP"},
		{"html then jpeg polyglot", append([]byte("<html><script>alert(1)</script>"), small...), DefaultLimits, ErrUnsupported, "web page"},
		{"bmp", append([]byte("BM"), make([]byte, 64)...), DefaultLimits, ErrUnsupported, "not a JPEG"},
		{"riff that is not webp", append([]byte("RIFF\x24\x00\x00\x00WAVEfmt "), make([]byte, 32)...), DefaultLimits, ErrUnsupported, "not a JPEG"},
		{"arithmetic-coded jpeg", patchJPEGSOF(t, small, 0xC9, 300, 200), DefaultLimits, ErrUnsupported, "re-save it as a standard JPEG"},
		{"jpeg truncated halfway", small[:len(small)/2], DefaultLimits, ErrCorrupt, "the JPEG image is damaged or incomplete"},
		{"jpeg truncated in header", small[:40], DefaultLimits, ErrCorrupt, "damaged or incomplete"},
		{"jpeg magic only", []byte{0xFF, 0xD8, 0xFF}, DefaultLimits, ErrCorrupt, "damaged"},
		{"png truncated halfway", pngData[:len(pngData)/2], DefaultLimits, ErrCorrupt, "the PNG image is damaged"},
		{"png bad crc", append(bytes.Clone(pngData[:30]), 0xEE), DefaultLimits, ErrCorrupt, "PNG"},
		{"gif truncated halfway", gifData[:len(gifData)/2], DefaultLimits, ErrCorrupt, "the GIF image"},
		{"webp truncated halfway", webpData[:len(webpData)/2], DefaultLimits, ErrCorrupt, "WebP"},
		{"png zero width", bombPNG(0, 10), DefaultLimits, ErrCorrupt, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Process(bytes.NewReader(tt.data), tt.limits)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Process = %v, %v; want %v", res, err, tt.want)
			}
			checkUserMessage(t, err, tt.message)
		})
	}
}

// checkUserMessage asserts the error is an *Error whose text is plain and
// safe: no decoder jargon, no upload bytes.
func checkUserMessage(t *testing.T, err error, want string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not *media.Error", err)
	}
	msg := Message(err)
	if !strings.Contains(msg, want) {
		t.Errorf("Message = %q, want it to contain %q", msg, want)
	}
	if err.Error() != "media: "+msg {
		t.Errorf("Error() = %q, want %q", err.Error(), "media: "+msg)
	}
	for _, bad := range []string{"<", "unexpected EOF", "invalid", "png:", "jpeg:", "gif:", "webp:"} {
		if strings.Contains(msg, bad) {
			t.Errorf("Message %q leaks %q", msg, bad)
		}
	}
}

func TestHTMLNamedJPG(t *testing.T) {
	// The name and any Content-Type the browser sent play no part: Process
	// only ever sees bytes.
	path := filepath.Join(t.TempDir(), "lead-photo.jpg")
	if err := os.WriteFile(path, []byte("<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = Process(f, DefaultLimits)
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("got %v, want ErrUnsupported", err)
	}
	checkUserMessage(t, err, "web page")
}

func TestBombIsRejectedBeforeDecoding(t *testing.T) {
	data := bombPNG(100000, 100000) // 40 GB if decoded
	run := func() {
		if _, err := Process(bytes.NewReader(data), DefaultLimits); !errors.Is(err, ErrTooManyPixels) {
			t.Fatalf("got %v", err)
		}
	}
	if allocs := testing.AllocsPerRun(50, run); allocs > 40 {
		t.Errorf("%.0f allocations to reject a bomb; header parsing should need a handful", allocs)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const n = 50
	for range n {
		run()
	}
	runtime.ReadMemStats(&after)
	if perRun := (after.TotalAlloc - before.TotalAlloc) / n; perRun > 64<<10 {
		t.Errorf("rejecting a bomb allocated %d bytes per call; want < 64 KiB", perRun)
	}
}

// countingReader yields zeros forever and counts what was read.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	clear(p)
	c.n += int64(len(p))
	return len(p), nil
}

func TestReadsAtMostMaxBytesPlusOne(t *testing.T) {
	r := &countingReader{}
	_, err := Process(r, Limits{MaxBytes: 4096})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if r.n != 4097 {
		t.Errorf("read %d bytes from an endless upload, want 4097", r.n)
	}
}

func TestReadErrorIsNotBlamedOnTheImage(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := Process(io.MultiReader(bytes.NewReader([]byte{0xFF, 0xD8}), errReader{boom}), DefaultLimits)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the reader's error", err)
	}
	for _, s := range []error{ErrTooLarge, ErrTooManyPixels, ErrUnsupported, ErrCorrupt} {
		if errors.Is(err, s) {
			t.Errorf("read failure reported as %v", s)
		}
	}
	if msg := Message(err); strings.Contains(msg, "connection reset") {
		t.Errorf("Message leaks internal error: %q", msg)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestCauseIsKeptForLogs(t *testing.T) {
	small := encJPEG(t, photo(300, 200))
	_, err := Process(bytes.NewReader(small[:len(small)/2]), DefaultLimits)
	var e *Error
	if !errors.As(err, &e) || e.Err == nil {
		t.Fatalf("want *Error with a cause, got %#v", err)
	}
	var fe jpeg.FormatError
	if !errors.As(err, &fe) {
		t.Errorf("decoder's error %v not reachable through errors.As", e.Err)
	}
}

func TestFormatting(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{formatBytes(20 << 20), "20 MB"},
		{formatBytes(1536 << 10), "1.5 MB"},
		{formatBytes(512 << 10), "512 KB"},
		{formatBytes(1), "1 byte"},
		{formatMegapixels(40_000_000), "40 megapixels"},
		{formatMegapixels(2_500_000), "2.5 megapixels"},
		{formatMegapixels(10_000_000_000), "10000 megapixels"},
		{Message(nil), ""},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// FuzzProcess checks that no input panics and that every failure is one of
// the four documented kinds with a presentable message. Limits are small so
// that each iteration stays cheap.
func FuzzProcess(f *testing.F) {
	f.Add(encJPEG(f, photo(40, 30)))
	f.Add(encPNG(f, withAlpha(photo(20, 20))))
	f.Add(encGIF(f, 16, 16, true))
	f.Add(fixture(f, "alpha-lossless-32x32.webp"))
	f.Add(fixture(f, "alpha-lossy-32x32.webp"))
	f.Add(bombPNG(100000, 100000))
	f.Add(jpegWithEXIF(f, encJPEG(f, photo(30, 20)), 6, binary.BigEndian))
	f.Add([]byte("<svg/>"))
	limits := Limits{MaxBytes: 1 << 16, MaxPixels: 1 << 16, MaxSide: 1024}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Process(bytes.NewReader(data), limits)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Message == "" {
				t.Fatalf("undocumented error %#v", err)
			}
			switch e.Kind {
			case ErrTooLarge, ErrTooManyPixels, ErrUnsupported, ErrCorrupt:
			default:
				t.Fatalf("unknown kind %v", e.Kind)
			}
			return
		}
		if len(res.Variants) == 0 {
			t.Fatal("success without variants")
		}
		for _, v := range res.Variants {
			decodeVariant(t, v)
		}
	})
}

// BenchmarkProcess processes a camera JPEG and a PNG at the pixel limit,
// reporting the most heap a run held at once (peak-heap-MiB) besides what
// -benchmem counts (every byte allocated, freed or not).
func BenchmarkProcess(b *testing.B) {
	for _, c := range []struct {
		name string
		data func() []byte
	}{
		{"jpeg-6MP", func() []byte { return encJPEG(b, photo(3000, 2000)) }},
		{"png-40MP", func() []byte { return encPNGFast(b, gradient(7300, 5479)) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			data := c.data()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				peak = max(peak, peakHeap(func() {
					if _, err := Process(bytes.NewReader(data), DefaultLimits); err != nil {
						b.Fatal(err)
					}
				}))
			}
			b.ReportMetric(float64(len(data)), "input-bytes")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// peakHeap runs fn and returns the most heap it held above what was live
// before, sampled every millisecond.
func peakHeap(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(done)
	<-stopped
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// gradient is a smooth opaque image, like a scan or a rendered graphic:
// at 40 megapixels its PNG stays under the upload's byte limit.
func gradient(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := m.PixOffset(x, y)
			m.Pix[i+0] = uint8(x * 255 / w)
			m.Pix[i+1] = uint8(y * 255 / h)
			n := uint32(x)*0x9E3779B1 ^ uint32(y)*0x85EBCA77
			n ^= n >> 15
			m.Pix[i+2] = uint8((x/64+y/64)%2*120) + uint8(n&15)
			m.Pix[i+3] = 255
		}
	}
	return m
}

func encPNGFast(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
