package web

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"broadsheet/internal/article"
)

// The site card is the image link previews show for a page that has none
// of its own: an article without a lead image, a section, tag or author
// page, the front page. It is the site's mark with its title and tagline,
// 1200×630 (the size OpenGraph and Twitter cards are shown at), drawn
// when the settings change and served at one address, /card.png.

const (
	cardWidth, cardHeight = 1200, 630
	cardPath              = "/card.png"
)

var (
	cardPaper = color.RGBA{0xfb, 0xfa, 0xf6, 0xff}
	cardInk   = color.RGBA{0x1b, 0x1b, 0x1b, 0xff}
	cardMuted = color.RGBA{0x5c, 0x5a, 0x55, 0xff}
)

// cardMemo keeps the card last drawn with the title and tagline it shows.
// Drawing takes a tenth of a second of CPU, and the page cache can be
// passed by anyone (a fresh query string, a commenter's cookie), so the
// card is drawn again only when what it shows has changed.
type cardMemo struct {
	mu    sync.Mutex
	title string
	line  string
	png   []byte
}

// GET /card.png
func (s *Server) siteCard(r *http.Request) (*response, error) {
	site, err := s.store.Site(r.Context())
	if err != nil {
		return nil, err
	}
	body, err := s.card.get(site)
	if err != nil {
		return nil, err
	}
	return &response{raw: body, contentType: "image/png", keys: []string{article.KeySite}}, nil
}

// get returns the card for site, drawing it only when its title or
// tagline differs from the last one drawn.
func (m *cardMemo) get(site article.Site) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.png != nil && m.title == site.Title && m.line == site.Tagline {
		return m.png, nil
	}
	body, err := cardPNG(site)
	if err != nil {
		return nil, err
	}
	m.title, m.line, m.png = site.Title, site.Tagline, body
	return body, nil
}

// cardPNG draws the card: the mark on the left, the title (and tagline)
// beside it. Go's fonts cover Latin, Greek and Cyrillic; a title in
// another script (Persian, Arabic) cannot be drawn without shaping, so
// its card is the mark alone, larger, in the middle.
func cardPNG(site article.Site) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, cardWidth, cardHeight))
	draw.Draw(img, img.Bounds(), image.NewUniform(cardPaper), image.Point{}, draw.Src)
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("web: card font: %w", err)
	}
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("web: card font: %w", err)
	}
	// An accent rule along the bottom, as under the masthead.
	draw.Draw(img, image.Rect(0, cardHeight-24, cardWidth, cardHeight), image.NewUniform(markColor), image.Point{}, draw.Src)

	if !covers(bold, site.Title) {
		return markOn(img, 320, (cardWidth-320)/2, (cardHeight-24-320)/2)
	}
	const markSize, left, textLeft = 240, 96, 400
	if _, err := markOn(img, markSize, left, (cardHeight-24-markSize)/2); err != nil {
		return nil, err
	}
	width := cardWidth - textLeft - 80
	var lines []string
	var size float64
	for size = 88; size >= 40; size -= 8 {
		if lines = wrapText(bold, size, site.Title, width); len(lines) <= 2 {
			break
		}
	}
	if len(lines) > 3 {
		lines = lines[:3]
	}
	var tagline []string
	if site.Tagline != "" && covers(regular, site.Tagline) {
		tagline = wrapText(regular, 34, site.Tagline, width)
		if len(tagline) > 2 {
			tagline = tagline[:2]
		}
	}
	// Centre the block of text on the mark.
	height := float64(len(lines))*size*1.15 + float64(len(tagline))*34*1.35
	if len(tagline) > 0 {
		height += 24
	}
	y := (float64(cardHeight-24) - height) / 2
	for _, l := range lines {
		y += size * 1.15
		if err := drawText(img, bold, size, cardInk, textLeft, int(y-size*0.25), l); err != nil {
			return nil, err
		}
	}
	y += 24
	for _, l := range tagline {
		y += 34 * 1.35
		if err := drawText(img, regular, 34, cardMuted, textLeft, int(y-34*0.3), l); err != nil {
			return nil, err
		}
	}
	return encodePNG(img)
}

// markOn draws the site's mark (logo.go) at size×size with its top left
// at x, y, and returns the image encoded.
func markOn(img *image.RGBA, size, x, y int) ([]byte, error) {
	mark, err := logoPNG(size)
	if err != nil {
		return nil, err
	}
	m, err := png.Decode(bytes.NewReader(mark))
	if err != nil {
		return nil, fmt.Errorf("web: card mark: %w", err)
	}
	draw.Draw(img, image.Rect(x, y, x+size, y+size), m, image.Point{}, draw.Over)
	return encodePNG(img)
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("web: card: %w", err)
	}
	return buf.Bytes(), nil
}

// covers reports whether f has a glyph for every letter of s.
func covers(f *opentype.Font, s string) bool {
	var b sfnt.Buffer
	for _, r := range s {
		if r == ' ' {
			continue
		}
		if i, err := f.GlyphIndex(&b, r); err != nil || i == 0 {
			return false
		}
	}
	return true
}

// wrapText breaks s into lines no wider than width pixels at size.
func wrapText(f *opentype.Font, size float64, s string, width int) []string {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return []string{s}
	}
	defer face.Close()
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		try := strings.TrimSpace(line + " " + w)
		if line != "" && font.MeasureString(face, try).Ceil() > width {
			lines = append(lines, line)
			line = w
			continue
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

func drawText(img *image.RGBA, f *opentype.Font, size float64, c color.Color, x, y int, s string) error {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return fmt.Errorf("web: card font: %w", err)
	}
	defer face.Close()
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
	return nil
}
