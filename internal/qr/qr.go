// Package qr draws QR codes as inline SVG, for pages that hand a phone
// something to scan, such as the key of an authenticator app. It draws;
// github.com/skip2/go-qrcode encodes.
package qr

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// quietZone is the light margin, in modules, that ISO/IEC 18004 requires
// around a symbol; scanners find the finder patterns by it.
const quietZone = 4

// SVG returns text as a QR code in an <svg> element, ready to be placed in
// a page as it is. label is what a screen reader announces (the image
// itself cannot be read aloud); it is the only text placed in the SVG, and
// it is escaped. The image has no width or height, so it fills the width
// its container gives it.
func SVG(text, label string) (string, error) {
	m, err := modules(text)
	if err != nil {
		return "", err
	}
	size := len(m) + 2*quietZone
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="`, size, size)
	// xml.EscapeText escapes quotes too and replaces characters XML cannot
	// hold, so the attribute is safe both in HTML and as an SVG file.
	xml.EscapeText(&b, []byte(label))
	fmt.Fprintf(&b, `" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, size, size)
	b.WriteString(pathData(m))
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}

// modules is the symbol's matrix without its quiet zone, true for dark,
// indexed [y][x]. The quiet zone is left to the viewBox rather than
// drawn as modules.
func modules(text string) ([][]bool, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr: %d bytes: %w", len(text), err)
	}
	// Bitmap would otherwise include a quiet zone of its own (four
	// modules, as it happens); without it the offsets here are ours.
	q.DisableBorder = true
	return q.Bitmap(), nil
}

// pathData draws each horizontal run of dark modules as one rectangle:
// about a third of the commands of one square a module, and no hairline
// seams between neighbours when the image is scaled.
func pathData(m [][]bool) string {
	var b strings.Builder
	for y, row := range m {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			n := 1
			for x+n < len(row) && row[x+n] {
				n++
			}
			w := strconv.Itoa(n)
			b.WriteString("M" + strconv.Itoa(x+quietZone) + " " + strconv.Itoa(y+quietZone) + "h" + w + "v1h-" + w + "z")
			x += n
		}
	}
	return b.String()
}
