package media

import (
	"bytes"
	"encoding/binary"
	"image"
)

// orientation is an EXIF Orientation value (TIFF tag 0x0112), 1–8.
//
// Cameras and phones store pixels as the sensor saw them and record how the
// picture should be turned in this tag. Browsers honour it, so once
// re-encoding strips EXIF the rotation has to be baked into the pixels, or
// every portrait phone photo would publish sideways.
type orientation uint8

const (
	orientNormal     orientation = 1 // as stored
	orientFlipH      orientation = 2 // mirrored left–right
	orientRotate180  orientation = 3
	orientFlipV      orientation = 4 // mirrored top–bottom
	orientTranspose  orientation = 5 // mirrored across the main diagonal
	orientRotate90   orientation = 6 // needs 90° clockwise rotation
	orientTransverse orientation = 7 // mirrored across the anti-diagonal
	orientRotate270  orientation = 8 // needs 90° counter-clockwise rotation
)

// swapsAxes reports whether displaying the image exchanges width and height.
func (o orientation) swapsAxes() bool { return o >= orientTranspose && o <= orientRotate270 }

var exifHeader = []byte("Exif\x00\x00")

// jpegOrientation returns the EXIF orientation of a JPEG file, or
// orientNormal if there is none or anything about it is malformed.
//
// It walks the marker segments that precede the image data, looking only for
// the first APP1 segment that starts with "Exif\0\0". Every length and offset
// comes from the attacker, so each is checked against the slice before use;
// on any inconsistency the answer is simply "not rotated", which is also what
// a browser would show for a file with broken metadata.
func jpegOrientation(b []byte) orientation {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return orientNormal
	}
	i := 2
	for i+2 <= len(b) {
		if b[i] != 0xFF {
			return orientNormal // lost marker sync; don't guess
		}
		marker := b[i+1]
		switch {
		case marker == 0xFF: // fill byte before a marker
			i++
			continue
		case marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7):
			i += 2 // standalone markers carry no length
			continue
		case marker == 0xDA || marker == 0xD9:
			return orientNormal // start of scan / end of image: metadata is over
		}
		if i+4 > len(b) {
			return orientNormal
		}
		// The length counts its own two bytes but not the marker.
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return orientNormal
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, exifHeader) {
			return tiffOrientation(seg[len(exifHeader):])
		}
		i += 2 + n
	}
	return orientNormal
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF structure (the body
// of an EXIF segment). Offsets inside TIFF are relative to its start.
func tiffOrientation(t []byte) orientation {
	if len(t) < 8 {
		return orientNormal
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return orientNormal
	}
	if bo.Uint16(t[2:]) != 42 {
		return orientNormal
	}
	// Work in uint64 so that a hostile 32-bit offset cannot overflow int on
	// 32-bit platforms.
	ifd := uint64(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > uint64(len(t)) {
		return orientNormal
	}
	count := uint64(bo.Uint16(t[ifd:]))
	for k := range count {
		e := ifd + 2 + 12*k
		if e+12 > uint64(len(t)) {
			return orientNormal // the directory claims more entries than fit
		}
		entry := t[e : e+12]
		if bo.Uint16(entry) != 0x0112 {
			continue
		}
		// Orientation must be one SHORT (type 3), stored inline in the
		// first two bytes of the value field.
		if bo.Uint16(entry[2:]) != 3 || bo.Uint32(entry[4:]) != 1 {
			return orientNormal
		}
		if v := bo.Uint16(entry[8:]); v >= 1 && v <= 8 {
			return orientation(v)
		}
		return orientNormal
	}
	return orientNormal
}

// orient returns src turned upright according to o, as a new image with its
// origin at (0, 0).
//
// Each output pixel (x, y) is read from source pixel (sx, sy), where
// sx = ax*x + bx*y + cx and sy = ay*x + by*y + cy. The eight orientations are
// exactly the eight choices of those coefficients that map the rectangle
// onto itself, which keeps this to one loop instead of eight.
func orient(src *image.RGBA, o orientation) *image.RGBA {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := sw, sh
	if o.swapsAxes() {
		dw, dh = sh, sw
	}
	var ax, bx, cx, ay, by, cy int
	switch o {
	case orientFlipH:
		ax, cx, by = -1, sw-1, 1
	case orientRotate180:
		ax, cx, by, cy = -1, sw-1, -1, sh-1
	case orientFlipV:
		ax, by, cy = 1, -1, sh-1
	case orientTranspose:
		bx, ay = 1, 1
	case orientRotate90:
		bx, ay, cy = 1, -1, sh-1
	case orientTransverse:
		bx, cx, ay, cy = -1, sw-1, -1, sh-1
	case orientRotate270:
		bx, cx, ay = -1, sw-1, 1
	default:
		ax, by = 1, 1
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		sx, sy := bx*y+cx, by*y+cy
		d := dst.PixOffset(0, y)
		for range dw {
			s := (sy)*src.Stride + sx*4
			copy(dst.Pix[d:d+4], src.Pix[s:s+4])
			d += 4
			sx += ax
			sy += ay
		}
	}
	return dst
}
