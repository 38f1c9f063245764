package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"testing"
)

// gpsSecret stands in for the GPS data of a confidential source's location.
const gpsSecret = "BROADSHEET-SECRET-SOURCE-LOCATION"

// gpsLatitude is 51° 30' 26.3412" as three TIFF RATIONALs (big-endian), a
// byte pattern that must not survive processing.
var gpsLatitude = []uint32{51, 1, 30, 1, 263412, 10000}

// exifTIFF builds the TIFF body of an EXIF segment: IFD0 holds Make,
// Orientation and a pointer to a GPS IFD with latitude and a map datum.
func exifTIFF(o uint16, bo binary.AppendByteOrder) []byte {
	const (
		ifd0    = 8
		gpsIFD  = ifd0 + 2 + 3*12 + 4
		latOff  = gpsIFD + 2 + 3*12 + 4
		textOff = latOff + 24
	)
	var t []byte
	if bo == binary.LittleEndian {
		t = append(t, "II"...)
	} else {
		t = append(t, "MM"...)
	}
	t = bo.AppendUint16(t, 42)
	t = bo.AppendUint32(t, ifd0)
	entry := func(tag, typ uint16, count uint32, value []byte) {
		t = bo.AppendUint16(t, tag)
		t = bo.AppendUint16(t, typ)
		t = bo.AppendUint32(t, count)
		t = append(t, value...)
		t = append(t, make([]byte, 4-len(value))...)
	}
	// IFD0.
	t = bo.AppendUint16(t, 3)
	entry(0x010F, 2, 4, []byte("Cam\x00"))            // Make
	entry(0x0112, 3, 1, bo.AppendUint16(nil, o))      // Orientation
	entry(0x8825, 4, 1, bo.AppendUint32(nil, gpsIFD)) // GPSInfo
	t = bo.AppendUint32(t, 0)
	// GPS IFD.
	t = bo.AppendUint16(t, 3)
	entry(0x0001, 2, 2, []byte("N\x00"))                                      // GPSLatitudeRef
	entry(0x0002, 5, 3, bo.AppendUint32(nil, latOff))                         // GPSLatitude
	entry(0x0012, 2, uint32(len(gpsSecret)+1), bo.AppendUint32(nil, textOff)) // GPSMapDatum
	t = bo.AppendUint32(t, 0)
	for _, v := range gpsLatitude {
		t = bo.AppendUint32(t, v)
	}
	return append(append(t, gpsSecret...), 0)
}

// insertSegment puts a marker segment straight after SOI.
func insertSegment(j []byte, marker byte, payload []byte) []byte {
	seg := []byte{0xFF, marker}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	return append(out, j[2:]...)
}

func jpegWithEXIF(t testing.TB, j []byte, o uint16, bo binary.AppendByteOrder) []byte {
	t.Helper()
	return insertSegment(j, 0xE1, append([]byte("Exif\x00\x00"), exifTIFF(o, bo)...))
}

// jpegMarkers lists the markers before the first SOS: what metadata a JPEG
// carries.
func jpegMarkers(t testing.TB, j []byte) []byte {
	t.Helper()
	var ms []byte
	for i := 2; i+4 <= len(j) && j[i] == 0xFF; {
		m := j[i+1]
		ms = append(ms, m)
		if m == 0xDA {
			return ms
		}
		i += 2 + int(binary.BigEndian.Uint16(j[i+2:]))
	}
	t.Fatal("malformed JPEG output")
	return nil
}

// assertClean checks that a JPEG rendition carries no metadata segments at
// all, ends exactly at its EOI, and contains none of the given byte strings.
func assertClean(t *testing.T, v Variant, forbidden ...[]byte) {
	t.Helper()
	if v.ContentType == "image/jpeg" {
		for _, m := range jpegMarkers(t, v.Bytes) {
			if m >= 0xE0 && m <= 0xEF || m == 0xFE {
				t.Errorf("variant %d keeps segment FF%02X", v.Width, m)
			}
		}
		if !bytes.HasSuffix(v.Bytes, []byte{0xFF, 0xD9}) {
			t.Errorf("variant %d does not end with EOI", v.Width)
		}
	}
	for _, f := range append(forbidden, []byte("Exif")) {
		if bytes.Contains(v.Bytes, f) {
			t.Errorf("variant %d still contains %q", v.Width, f)
		}
	}
}

func TestEXIFAndGPSAreStripped(t *testing.T) {
	for _, bo := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		data := jpegWithEXIF(t, encJPEG(t, photo(1000, 600)), 1, bo)
		if !bytes.Contains(data, []byte(gpsSecret)) {
			t.Fatal("test input lacks its GPS data")
		}
		var lat []byte
		for _, v := range gpsLatitude {
			lat = bo.AppendUint32(lat, v)
		}
		res := process(t, data)
		for _, v := range res.Variants {
			decodeVariant(t, v)
			assertClean(t, v, []byte(gpsSecret), lat)
		}
	}
}

func TestTrailingJunkAndPolyglotsAreStripped(t *testing.T) {
	script := []byte("<script>alert(document.cookie)</script>")
	php := []byte("<?php system($_GET['c']); ?>")
	j := encJPEG(t, photo(200, 150))
	other := encJPEG(t, photo(90, 60))
	otherScan := other[len(other)-200 : len(other)-100]

	// A GIF with a script in a comment extension and a whole JPEG (plus
	// more script) after its trailer: a GIF/JPEG polyglot.
	g := encGIF(t, 50, 40, false)
	gct := 0
	if g[10]&0x80 != 0 {
		gct = 3 << (g[10]&7 + 1)
	}
	comment := append(append([]byte{0x21, 0xFE, byte(len(script))}, script...), 0)
	polyglot := append(append([]byte{}, g[:13+gct]...), comment...)
	polyglot = append(polyglot, g[13+gct:]...)
	polyglot = append(append(polyglot, other...), script...)

	tests := []struct {
		name   string
		data   []byte
		format string
	}{
		{"jpeg with trailing script and php", append(append(bytes.Clone(j), script...), php...), "jpeg"},
		{"jpeg with a second jpeg appended", append(append(bytes.Clone(j), other...), script...), "jpeg"},
		{"jpeg with script in COM segment", insertSegment(j, 0xFE, script), "jpeg"},
		{"gif/jpeg polyglot", polyglot, "gif"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := process(t, tt.data)
			if res.Format != tt.format {
				t.Fatalf("format %s, want %s", res.Format, tt.format)
			}
			for _, v := range res.Variants {
				decodeVariant(t, v)
				assertClean(t, v, script, php, otherScan, []byte("GIF8"))
			}
		})
	}
}

// quadrants draws a w×h picture with a differently coloured quarter in each
// corner, so that every rotation and mirror is distinguishable.
func quadrants(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := [2][2]color.RGBA{
				{red, green},
				{blue, white},
			}[btoi(y >= h/2)][btoi(x >= w/2)]
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

var (
	red   = color.RGBA{255, 0, 0, 255}
	green = color.RGBA{0, 255, 0, 255}
	blue  = color.RGBA{0, 0, 255, 255}
	white = color.RGBA{255, 255, 255, 255}
)

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestOrientation(t *testing.T) {
	// Expected corners (top-left, top-right, bottom-left, bottom-right) of
	// the upright picture, from the meaning of each EXIF value: e.g. 6 means
	// "rotate 90° clockwise to view", which brings the stored bottom-left
	// (blue) to the top-left.
	corners := map[uint16][4]color.RGBA{
		1: {red, green, blue, white},
		2: {green, red, white, blue},
		3: {white, blue, green, red},
		4: {blue, white, red, green},
		5: {red, blue, green, white},
		6: {blue, red, white, green},
		7: {white, green, blue, red},
		8: {green, white, red, blue},
	}
	for _, size := range []image.Point{{400, 200}, {1000, 500}} {
		src := encJPEG(t, quadrants(size.X, size.Y))
		for o := uint16(1); o <= 8; o++ {
			res := process(t, jpegWithEXIF(t, src, o, binary.BigEndian))
			w, h := size.X, size.Y
			if o >= 5 {
				w, h = h, w
			}
			if res.Width != w || res.Height != h {
				t.Errorf("%v orientation %d: result %d×%d, want %d×%d", size, o, res.Width, res.Height, w, h)
				continue
			}
			for _, v := range res.Variants {
				if want := scaledHeight(w, h, v.Width); v.Height != want {
					t.Errorf("%v orientation %d: variant %d×%d, want height %d", size, o, v.Width, v.Height, want)
				}
				img := decodeVariant(t, v)
				assertClean(t, v)
				pts := [4]image.Point{
					{v.Width / 4, v.Height / 4}, {3 * v.Width / 4, v.Height / 4},
					{v.Width / 4, 3 * v.Height / 4}, {3 * v.Width / 4, 3 * v.Height / 4},
				}
				for i, p := range pts {
					if got := img.At(p.X, p.Y); !near(got, corners[o][i]) {
						t.Errorf("%v orientation %d, variant %d: corner %d is %v, want %v", size, o, v.Width, i, got, corners[o][i])
					}
				}
			}
		}
	}
}

// near compares colours loosely: JPEG at quality 82 shifts solid colours a
// little, but never from one primary to another.
func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, b uint8) bool { return int(a>>8)-int(b) < 48 && int(b)-int(a>>8) < 48 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

func TestJPEGOrientationParser(t *testing.T) {
	base := encJPEG(t, photo(16, 16))
	le, be := binary.LittleEndian, binary.BigEndian
	exif := func(tiff []byte) []byte { return insertSegment(base, 0xE1, append([]byte("Exif\x00\x00"), tiff...)) }
	valid := exifTIFF(6, be)

	patched := func(f func(t []byte)) []byte {
		t := bytes.Clone(valid)
		f(t)
		return exif(t)
	}
	tests := []struct {
		name string
		data []byte
		want orientation
	}{
		{"no exif", base, 1},
		{"big-endian 6", exif(valid), 6},
		{"little-endian 8", exif(exifTIFF(8, le)), 8},
		{"value 0", exif(exifTIFF(0, le)), 1},
		{"value 9", exif(exifTIFF(9, le)), 1},
		{"xmp app1 before exif", insertSegment(exif(valid), 0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x/>")), 6},
		{"fill bytes before marker", append([]byte{0xFF, 0xD8, 0xFF, 0xFF}, exif(valid)[3:]...), 6},
		{"wrong type LONG", patched(func(t []byte) { be.PutUint16(t[24:], 4) }), 1},
		{"count 2", patched(func(t []byte) { be.PutUint32(t[26:], 2) }), 1},
		{"ifd offset past end", patched(func(t []byte) { be.PutUint32(t[4:], 0xFFFFFFF0) }), 1},
		{"ifd offset inside header", patched(func(t []byte) { be.PutUint32(t[4:], 2) }), 1},
		{"65535 entries claimed", patched(func(t []byte) { be.PutUint16(t[8:], 0xFFFF); be.PutUint16(t[22:], 0x0111) }), 1},
		{"bad tiff magic", patched(func(t []byte) { be.PutUint16(t[2:], 43) }), 1},
		{"bad byte order", patched(func(t []byte) { copy(t, "XX") }), 1},
		{"tiff too short", exif([]byte("MM\x00\x2a")), 1},
		{"segment length past end", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 'E', 'x'}, 1},
		{"segment length 1", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01, 0xFF, 0xD9}, 1},
		{"exif after start of scan", append(append(bytes.Clone(base[:len(base)-2]), exif(valid)[2:]...), 0xFF, 0xD9), 1},
		{"not a jpeg", []byte("GIF89a"), 1},
		{"empty", nil, 1},
	}
	for _, tt := range tests {
		if got := jpegOrientation(tt.data); got != tt.want {
			t.Errorf("%s: orientation %d, want %d", tt.name, got, tt.want)
		}
	}
	// Every truncation of a valid file must be handled without panicking.
	full := exif(valid)
	for n := range len(full) {
		jpegOrientation(full[:n])
	}
}

func FuzzJPEGOrientation(f *testing.F) {
	base := encJPEG(f, photo(8, 8))
	f.Add(jpegWithEXIF(f, base, 6, binary.BigEndian))
	f.Add(jpegWithEXIF(f, base, 3, binary.LittleEndian))
	f.Add(base)
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := jpegOrientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d out of range", o)
		}
	})
}
