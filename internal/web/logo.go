package web

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"

	"golang.org/x/image/vector"
)

// The publisher logo that structured data and feeds point to must be a
// raster image; the site's mark is an SVG (static/favicon.svg). logoPNG
// draws the same mark at a given size once, at start-up.

// markPath is the letter of the mark, in the SVG's 32-unit box.
const markPath = "M9 7h8.5c4 0 6.2 1.9 6.2 4.8 0 2-1.2 3.4-3 4 2.3.5 3.8 2.1 3.8 4.4 0 3.3-2.5 5.3-6.7 5.3H9z" +
	"m4 3.2v4.6h3.8c1.8 0 2.8-.8 2.8-2.3s-1-2.3-2.8-2.3z" +
	"m0 7.6v5h4.2c2 0 3.1-.9 3.1-2.5s-1.1-2.5-3.1-2.5z"

var markColor = color.RGBA{0x7a, 0x1f, 0x1f, 0xff}

func logoPNG(size int) ([]byte, error) {
	scale := float32(size) / 32
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	// The rounded square.
	bg := vector.NewRasterizer(size, size)
	roundedRect(bg, 0, 0, 32*scale, 32*scale, 6*scale)
	bg.Draw(img, img.Bounds(), image.NewUniform(markColor), image.Point{})
	// The letter, even-odd by its sub-paths' direction as in the SVG.
	fg := vector.NewRasterizer(size, size)
	if err := tracePath(fg, markPath, scale); err != nil {
		return nil, err
	}
	fg.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func roundedRect(z *vector.Rasterizer, x, y, w, h, r float32) {
	const k = 0.5523 // a quarter circle as a cubic
	z.MoveTo(x+r, y)
	z.LineTo(x+w-r, y)
	z.CubeTo(x+w-r+r*k, y, x+w, y+r-r*k, x+w, y+r)
	z.LineTo(x+w, y+h-r)
	z.CubeTo(x+w, y+h-r+r*k, x+w-r+r*k, y+h, x+w-r, y+h)
	z.LineTo(x+r, y+h)
	z.CubeTo(x+r-r*k, y+h, x, y+h-r+r*k, x, y+h-r)
	z.LineTo(x, y+r)
	z.CubeTo(x, y+r-r*k, x+r-r*k, y, x+r, y)
	z.ClosePath()
}

// tracePath follows the SVG path commands the mark uses: M m H h V v C c
// S s Z z, with numbers separated by spaces, commas or signs.
func tracePath(z *vector.Rasterizer, d string, scale float32) error {
	nums, cmds := tokenizePath(d)
	var x, y, startX, startY, lastCX, lastCY float32
	prev := byte(0)
	for _, c := range cmds {
		args := nums[c.from:c.to]
		rel := c.op >= 'a'
		need := map[byte]int{'m': 2, 'h': 1, 'v': 1, 'c': 6, 's': 4, 'z': 0}[c.op|0x20]
		if need == 0 && c.op|0x20 != 'z' || (need > 0 && len(args)%need != 0) {
			return fmt.Errorf("web: logo path: %c with %d numbers", c.op, len(args))
		}
		for i := 0; need == 0 && i == 0 || i < len(args); i += max(need, 1) {
			a := args[i:min(i+need, len(args))]
			ox, oy := float32(0), float32(0)
			if rel {
				ox, oy = x, y
			}
			switch c.op | 0x20 {
			case 'm':
				x, y = ox+a[0], oy+a[1]
				startX, startY = x, y
				z.MoveTo(x*scale, y*scale)
			case 'h':
				x = ox + a[0]
				z.LineTo(x*scale, y*scale)
			case 'v':
				y = oy + a[0]
				z.LineTo(x*scale, y*scale)
			case 'c', 's':
				var c1x, c1y, c2x, c2y float32
				if c.op|0x20 == 'c' {
					c1x, c1y, c2x, c2y, x, y = ox+a[0], oy+a[1], ox+a[2], oy+a[3], ox+a[4], oy+a[5]
				} else {
					c1x, c1y = x, y
					if prev|0x20 == 'c' || prev|0x20 == 's' {
						c1x, c1y = 2*x-lastCX, 2*y-lastCY
					}
					c2x, c2y, x, y = ox+a[0], oy+a[1], ox+a[2], oy+a[3]
				}
				z.CubeTo(c1x*scale, c1y*scale, c2x*scale, c2y*scale, x*scale, y*scale)
				lastCX, lastCY = c2x, c2y
			case 'z':
				z.ClosePath()
				x, y = startX, startY
			}
			prev = c.op
		}
	}
	return nil
}

type pathCmd struct {
	op       byte
	from, to int // its numbers
}

func tokenizePath(d string) ([]float32, []pathCmd) {
	var nums []float32
	var cmds []pathCmd
	for i := 0; i < len(d); {
		ch := d[i]
		switch {
		case strings.IndexByte("MmHhVvCcSsZz", ch) >= 0:
			if len(cmds) > 0 {
				cmds[len(cmds)-1].to = len(nums)
			}
			cmds = append(cmds, pathCmd{op: ch, from: len(nums)})
			i++
		case ch == ' ' || ch == ',':
			i++
		default:
			j := i + 1
			dot := ch == '.'
			for j < len(d) && (d[j] >= '0' && d[j] <= '9' || d[j] == '.' && !dot) {
				dot = dot || d[j] == '.'
				j++
			}
			f, _ := strconv.ParseFloat(d[i:j], 32)
			nums = append(nums, float32(f))
			i = j
		}
	}
	if len(cmds) > 0 {
		cmds[len(cmds)-1].to = len(nums)
	}
	return nums, cmds
}

// logoAsset is the mark as a PNG static asset.
func logoAsset(size int) (*asset, error) {
	body, err := logoPNG(size)
	if err != nil {
		return nil, err
	}
	return newAsset("logo.png", body), nil
}
