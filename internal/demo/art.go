package demo

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"slices"
)

// Draw renders a deterministic illustration of the given kind at w×h pixels.
// The same kind, seed, w and h always give the same pixels; an unknown kind draws "abstract".
//
// Scenes are laid out in resolution-independent units (the image is 1 unit
// tall and w/h units wide) and every random choice is made in those units, so
// at a given aspect ratio the random stream never depends on the pixel size:
// a 480×270 thumbnail is the 1200×675 lead image scaled down, not a
// different picture.
func Draw(kind string, seed int64, w, h int) *image.RGBA {
	w, h = max(w, 1), max(h, 1)
	c := newCanvas(w, h)
	// A fixed second PCG word keeps seeds 0 and 1 far apart in the stream.
	r := rand.New(rand.NewPCG(uint64(seed), 0x62726f6164736874))
	draw, ok := scenes[kind]
	if !ok {
		draw = drawAbstract
	}
	draw(c, r)
	return c.image()
}

// Kinds lists the kinds Draw knows.
func Kinds() []string { return slices.Clone(kindNames) }

// EncodeJPEG draws and encodes as JPEG at quality 82.
func EncodeJPEG(kind string, seed int64, w, h int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Draw(kind, seed, w, h), &jpeg.Options{Quality: 82}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var kindNames = []string{"skyline", "harbour", "hills", "field", "abstract", "chart"}

var scenes = map[string]func(*canvas, *rand.Rand){
	"skyline":  drawSkyline,
	"harbour":  drawHarbour,
	"hills":    drawHills,
	"field":    drawField,
	"abstract": drawAbstract,
	"chart":    drawChart,
}

// ---- colour ----

type rgb struct{ r, g, b float32 }

func hex(v uint32) rgb {
	return rgb{float32(v>>16&255) / 255, float32(v>>8&255) / 255, float32(v&255) / 255}
}

func mix(a, b rgb, t float64) rgb {
	f := float32(t)
	return rgb{a.r + (b.r-a.r)*f, a.g + (b.g-a.g)*f, a.b + (b.b-a.b)*f}
}

var white, black = hex(0xffffff), hex(0x000000)

// palette holds the colour roles shared by the scenes. Picking whole curated
// palettes, rather than random colours, is what keeps every seed tasteful:
// the roles are ordered from sky to foreground so depth reads naturally.
type palette struct {
	skyTop, skyBot, sun, far, mid, near, light, accent rgb
	night                                              bool
}

var palettes = []palette{
	{hex(0x2b2d5b), hex(0xf2a07b), hex(0xffe3b0), hex(0xb57080), hex(0x6b3f63), hex(0x2a1e3a), hex(0xffd37a), hex(0xf2c14e), false}, // dusk
	{hex(0x9dbfd6), hex(0xf6e3cf), hex(0xfff4de), hex(0x9fb4c0), hex(0x6f8b9c), hex(0x34485a), hex(0xffe6a6), hex(0xe07a5f), false}, // misty morning
	{hex(0x0b1630), hex(0x2f5082), hex(0xf4f1de), hex(0x263d63), hex(0x17264a), hex(0x0a1222), hex(0xffd166), hex(0xef8354), true},  // night
	{hex(0xe9965a), hex(0xfbe3b4), hex(0xfff7e0), hex(0xd98b5f), hex(0xa0553e), hex(0x4a2c2a), hex(0xffe8a3), hex(0x5b8e7d), false}, // golden hour
	{hex(0x4fa3c7), hex(0xd8eef2), hex(0xffffff), hex(0x8cc0c8), hex(0x3e7f8c), hex(0x1d3f4a), hex(0xffe29a), hex(0xf25c54), false}, // clear noon
	{hex(0xb9cdb4), hex(0xf1ece2), hex(0xf7c59f), hex(0xa7bfa3), hex(0x6e8f72), hex(0x2f4a3a), hex(0xf6d186), hex(0xd8572a), false}, // sage
}

// ---- canvas ----

type pt struct{ X, Y float64 }

type edge struct {
	x0, y0, y1, dxdy float64
	dir              int
}

type crossing struct {
	x   float64
	dir int
}

// canvas accumulates in float32 so that stacked translucent layers do not
// band; quantisation to 8 bits happens once, with dither, in image().
type canvas struct {
	w, h     int
	s, A     float64 // pixels per unit, width in units
	vignette float64
	pix      []float32
	edges    []edge
	act      []edge
	xs       []crossing
	cov      []float32
}

func newCanvas(w, h int) *canvas {
	return &canvas{w: w, h: h, s: float64(h), A: float64(w) / float64(h), vignette: 0.12,
		pix: make([]float32, w*h*3), cov: make([]float32, w+2)}
}

// paint is a linear gradient in colour and alpha between two scene points;
// a solid fill is the degenerate case.
type paint struct {
	c0, c1         rgb
	a0, a1         float64
	x0, y0, x1, y1 float64
}

func solid(c rgb, a float64) paint { return paint{c0: c, c1: c, a0: a, a1: a} }

func vgrad(c0, c1 rgb, y0, y1, a0, a1 float64) paint {
	return paint{c0, c1, a0, a1, 0, y0, 0, y1}
}

// subSamples is the number of sub-scanlines per pixel row. Horizontal
// coverage is exact, so this only sets how many grey levels near-horizontal
// edges get; 16 is indistinguishable from analytic at these sizes.
const subSamples = 16

// fill rasterises the union (non-zero winding) of the contours with exact
// horizontal and 16× vertical coverage. Contours in one call never
// double-blend where they overlap, which keeps translucent shapes clean.
func (c *canvas) fill(contours [][]pt, p paint) {
	s := c.s
	c.edges = c.edges[:0]
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, ct := range contours {
		for i := range ct {
			a, b := ct[i], ct[(i+1)%len(ct)]
			ax, ay, bx, by := a.X*s, a.Y*s, b.X*s, b.Y*s
			minX, maxX = min(minX, ax), max(maxX, ax)
			minY, maxY = min(minY, ay), max(maxY, ay)
			if ay == by {
				continue
			}
			dir := 1
			if ay > by {
				ax, ay, bx, by, dir = bx, by, ax, ay, -1
			}
			c.edges = append(c.edges, edge{ax, ay, by, (bx - ax) / (by - ay), dir})
		}
	}
	x0, x1 := max(0, int(math.Floor(minX))), min(c.w, int(math.Ceil(maxX)))
	y0, y1 := max(0, int(math.Floor(minY))), min(c.h, int(math.Ceil(maxY)))
	if x0 >= x1 || y0 >= y1 {
		return
	}
	slices.SortFunc(c.edges, func(a, b edge) int { return cmpF(a.y0, b.y0) })

	// Gradient parameter t = gx*px + gy*py + g0 in pixel space.
	dx, dy := p.x1-p.x0, p.y1-p.y0
	var gx, gy, g0 float64
	if l2 := dx*dx + dy*dy; l2 > 0 {
		gx, gy, g0 = dx/(l2*s), dy/(l2*s), -(p.x0*dx+p.y0*dy)/l2
	}
	hgrad := gx != 0
	width := x1 - x0
	cov := c.cov[:width+2]
	act, next := c.act[:0], 0
	const wgt = 1.0 / subSamples
	for y := y0; y < y1; y++ {
		fy := float64(y)
		act = slices.DeleteFunc(act, func(e edge) bool { return e.y1 <= fy })
		for next < len(c.edges) && c.edges[next].y0 < fy+1 {
			act = append(act, c.edges[next])
			next++
		}
		clear(cov)
		hit := false
		for i := range subSamples {
			sy := fy + (float64(i)+0.5)*wgt
			xs := c.xs[:0]
			for _, e := range act {
				if e.y0 <= sy && sy < e.y1 {
					xs = append(xs, crossing{e.x0 + (sy-e.y0)*e.dxdy, e.dir})
				}
			}
			c.xs = xs
			if len(xs) < 2 {
				continue
			}
			slices.SortFunc(xs, func(a, b crossing) int { return cmpF(a.x, b.x) })
			wind, start := 0, 0.0
			for _, cr := range xs {
				prev := wind
				wind += cr.dir
				if prev == 0 && wind != 0 {
					start = cr.x
				} else if prev != 0 && wind == 0 {
					addSpan(cov, start-float64(x0), cr.x-float64(x0), float64(width), wgt)
					hit = true
				}
			}
		}
		if !hit {
			continue
		}
		var acc float32
		row, py := y*c.w, fy+0.5
		col, alpha := p.c0, float32(p.a0)
		grad := hgrad
		if !hgrad && gy != 0 { // vertical gradients are constant along a row
			t := clamp01(gy*py + g0)
			col, alpha = mix(p.c0, p.c1, t), float32(p.a0+(p.a1-p.a0)*t)
		}
		for i := range width {
			acc += cov[i]
			if acc < 1.0/1024 {
				continue
			}
			a := min(acc, 1) * alpha
			if grad {
				t := clamp01(gx*(float64(x0+i)+0.5) + gy*py + g0)
				a = min(acc, 1) * float32(p.a0+(p.a1-p.a0)*t)
				col = mix(p.c0, p.c1, t)
			}
			o := (row + x0 + i) * 3
			c.pix[o] += (col.r - c.pix[o]) * a
			c.pix[o+1] += (col.g - c.pix[o+1]) * a
			c.pix[o+2] += (col.b - c.pix[o+2]) * a
		}
	}
	c.act = act
}

// addSpan adds coverage wgt over [a,b) to a difference buffer, splitting the
// end pixels by their exact fractional overlap; a prefix sum recovers it.
func addSpan(cov []float32, a, b, width, wgt float64) {
	a, b = max(a, 0), min(b, width)
	if b <= a {
		return
	}
	ia, ib := int(a), int(b)
	fa, fb := a-float64(ia), b-float64(ib)
	cov[ia] += float32((1 - fa) * wgt)
	cov[ia+1] += float32(fa * wgt)
	cov[ib] -= float32((1 - fb) * wgt)
	cov[ib+1] -= float32(fb * wgt)
}

// glow adds a soft radial light; flat illustrations use it in place of
// real lighting to lift suns, lamps and highlights.
func (c *canvas) glow(cx, cy, r float64, col rgb, strength float64) {
	s := c.s
	x0, x1 := max(0, int((cx-r)*s)), min(c.w, int((cx+r)*s)+1)
	y0, y1 := max(0, int((cy-r)*s)), min(c.h, int((cy+r)*s)+1)
	for y := y0; y < y1; y++ {
		dy := (float64(y)+0.5)/s - cy
		for x := x0; x < x1; x++ {
			dx := (float64(x)+0.5)/s - cx
			d := math.Sqrt(dx*dx+dy*dy) / r
			if d >= 1 {
				continue
			}
			a := float32(strength * (1 - d) * (1 - d))
			o := (y*c.w + x) * 3
			c.pix[o] += (col.r - c.pix[o]) * a
			c.pix[o+1] += (col.g - c.pix[o+1]) * a
			c.pix[o+2] += (col.b - c.pix[o+2]) * a
		}
	}
}

// image quantises with a hashed ±½ LSB dither so long sky gradients don't
// show 8-bit bands, and adds a gentle vignette to pull the eye inward.
func (c *canvas) image() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
	for y := range c.h {
		ny := (float64(y)+0.5)/float64(c.h)*2 - 1
		for x := range c.w {
			nx := (float64(x)+0.5)/float64(c.w)*2 - 1
			v := float32(1 - c.vignette*(nx*nx+ny*ny)/2)
			hsh := uint32(x)*0x9e3779b1 ^ uint32(y)*0x85ebca77
			hsh ^= hsh >> 15
			hsh *= 0x2c1b3c6d
			hsh ^= hsh >> 12
			d := float32(hsh&255)/255 - 0.5
			i, o := (y*c.w+x)*3, y*img.Stride+x*4
			for k := range 3 {
				img.Pix[o+k] = uint8(min(max(c.pix[i+k]*v*255+d+0.5, 0), 255))
			}
			img.Pix[o+3] = 255
		}
	}
	return img
}

// ---- shapes (scene units) ----

// cmpF orders floats for sorting; unlike cmp.Compare it skips NaN handling,
// which matters in the rasteriser's innermost loop.
func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func clamp01(t float64) float64 { return min(max(t, 0), 1) }

func one(p []pt) [][]pt { return [][]pt{p} }

func rect(x0, y0, x1, y1 float64) []pt { return []pt{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}} }

// arc returns points from angle a0 to a1; segment count follows the pixel
// radius so large circles stay round and small ones stay cheap.
func (c *canvas) arc(cx, cy, rx, ry, a0, a1 float64) []pt {
	n := max(1, int(math.Ceil(math.Abs(a1-a0)/(2*math.Pi)*(8+5*math.Sqrt(max(math.Abs(rx), math.Abs(ry))*c.s)))))
	p := make([]pt, 0, n+1)
	for i := 0; i <= n; i++ {
		a := a0 + (a1-a0)*float64(i)/float64(n)
		p = append(p, pt{cx + rx*math.Cos(a), cy + ry*math.Sin(a)})
	}
	return p
}

func (c *canvas) circle(cx, cy, r float64) []pt { return c.arc(cx, cy, r, r, 0, 2*math.Pi) }

// ring is a circle with the inner contour reversed, so non-zero winding
// leaves a hole.
func (c *canvas) ring(cx, cy, r, wd float64) [][]pt {
	return [][]pt{c.arc(cx, cy, r+wd/2, r+wd/2, 0, 2*math.Pi), c.arc(cx, cy, r-wd/2, r-wd/2, 2*math.Pi, 0)}
}

func (c *canvas) roundRect(x0, y0, x1, y1, rad float64) []pt {
	rad = max(0, min(rad, (x1-x0)/2, (y1-y0)/2))
	var p []pt
	p = append(p, c.arc(x1-rad, y0+rad, rad, rad, -math.Pi/2, 0)...)
	p = append(p, c.arc(x1-rad, y1-rad, rad, rad, 0, math.Pi/2)...)
	p = append(p, c.arc(x0+rad, y1-rad, rad, rad, math.Pi/2, math.Pi)...)
	return append(p, c.arc(x0+rad, y0+rad, rad, rad, math.Pi, 1.5*math.Pi)...)
}

// stroke turns a polyline into quads plus round joins, oriented alike so a
// single fill unions them without seams or double-darkened joints.
func (c *canvas) stroke(line []pt, wd float64) [][]pt {
	var out [][]pt
	for i := 0; i+1 < len(line); i++ {
		a, b := line[i], line[i+1]
		dx, dy := b.X-a.X, b.Y-a.Y
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		nx, ny := -dy/l*wd/2, dx/l*wd/2
		out = append(out, []pt{{a.X + nx, a.Y + ny}, {b.X + nx, b.Y + ny}, {b.X - nx, b.Y - ny}, {a.X - nx, a.Y - ny}})
		if i > 0 {
			out = append(out, c.circle(a.X, a.Y, wd/2))
		}
	}
	return orient(out)
}

// orient makes every contour wind the same way so that unions never cancel.
func orient(cs [][]pt) [][]pt {
	for _, p := range cs {
		var area float64
		for i := range p {
			q := p[(i+1)%len(p)]
			area += p[i].X*q.Y - q.X*p[i].Y
		}
		if area < 0 {
			slices.Reverse(p)
		}
	}
	return cs
}

// ridge samples a height function into a polygon closed at the bottom.
func ridge(A float64, f func(x float64) float64) []pt {
	const n = 160
	p := []pt{{-0.01, 1.01}}
	for i := 0; i <= n; i++ {
		x := A * float64(i) / n
		p = append(p, pt{x, f(x)})
	}
	return append(p, pt{A + 0.01, 1.01})
}

func (c *canvas) sky(p palette, y1 float64) {
	c.fill(one(rect(0, 0, c.A, 1)), vgrad(p.skyTop, p.skyBot, 0, y1, 1, 1))
}

func (c *canvas) stars(r *rand.Rand, n int, y1 float64) {
	for range n {
		x, y, rad := r.Float64()*c.A, r.Float64()*y1, 0.0015+0.002*r.Float64()
		c.fill(one(c.circle(x, y, rad)), solid(white, 0.3+0.5*r.Float64()*(1-y/y1)))
	}
}

func (c *canvas) sun(p palette, x, y, rad float64) {
	c.glow(x, y, rad*5, p.sun, 0.35)
	c.fill(one(c.circle(x, y, rad)), solid(p.sun, 1))
}

// clouds are flat capsules with two puffs, kept translucent so they sit in
// the sky instead of on top of it.
func (c *canvas) clouds(r *rand.Rand, p palette, n int, y0, y1 float64) {
	for range n {
		x, y, w, h := rng(r, 0, c.A), rng(r, y0, y1), rng(r, 0.14, 0.3), rng(r, 0.03, 0.045)
		c.fill(orient([][]pt{c.roundRect(x-w/2, y, x+w/2, y+h, h/2),
			c.circle(x-w*0.12, y+h-h*1.1, h*1.1), c.circle(x+w*0.14, y+h-h*0.8, h*0.8)}),
			solid(mix(p.skyBot, white, 0.45), 0.4))
	}
}

// reflect mirrors the picture above y0 into the band below it, blurred
// sideways, tinted and gently rippled: calm water that matches whatever was
// drawn above it for free.
func (c *canvas) reflect(y0 float64, tint rgb, keep float64) {
	gy, rad := int(y0*c.s), max(1, int(0.005*c.s))
	sum := make([]float32, (c.w+1)*3)
	for y := gy; y < c.h; y++ {
		src := 2*gy - y - 1
		if src < 0 {
			break
		}
		for x := range c.w { // prefix sums make the box blur O(width)
			for k := range 3 {
				sum[(x+1)*3+k] = sum[x*3+k] + c.pix[(src*c.w+x)*3+k]
			}
		}
		yu := float64(y) / c.s
		shift := int(math.Round(math.Sin(yu*90) * 0.003 * c.s))
		f := float32(keep * (1 - (yu-y0)/(1-y0)*0.6))
		t := [3]float32{tint.r, tint.g, tint.b}
		for x := range c.w {
			lo, hi := min(max(x+shift-rad, 0), c.w), min(max(x+shift+rad+1, 0), c.w)
			if hi <= lo {
				lo, hi = min(lo, c.w-1), min(lo, c.w-1)+1
			}
			n := float32(hi - lo)
			for k := range 3 {
				avg := (sum[hi*3+k] - sum[lo*3+k]) / n
				c.pix[(y*c.w+x)*3+k] = t[k] + (avg-t[k])*f
			}
		}
	}
}

func rng(r *rand.Rand, a, b float64) float64 { return a + (b-a)*r.Float64() }

// ---- scenes ----

func drawSkyline(c *canvas, r *rand.Rand) {
	p := palettes[r.IntN(len(palettes))]
	A, ground := c.A, 0.8
	c.sky(p, ground)
	if p.night {
		c.stars(r, 70, 0.5)
	}
	c.sun(p, rng(r, 0.2, 0.8)*A, rng(r, 0.18, 0.32), rng(r, 0.06, 0.09))
	c.clouds(r, p, 2+r.IntN(3), 0.08, 0.35)
	layers := []struct {
		col                rgb
		hMin, hMax         float64
		wMin, wMax         float64
		windows, haze, gap float64
	}{
		{mix(p.far, p.skyBot, 0.35), 0.28, 0.52, 0.05, 0.1, 0, 0.35, 0.03},
		{p.mid, 0.16, 0.42, 0.05, 0.11, 0.5, 0.2, 0.02},
		{p.near, 0.07, 0.26, 0.07, 0.15, 1, 0, 0.015},
	}
	lit := 0.15
	if p.night {
		lit = 0.45
	}
	for _, L := range layers {
		for x := -rng(r, 0, 0.05); x < A; {
			bw, bh := rng(r, L.wMin, L.wMax), rng(r, L.hMin, L.hMax)
			if r.IntN(6) == 0 { // the occasional landmark tower
				bw, bh = bw*0.7, bh*1.45
			}
			top := ground - bh
			shape := [][]pt{rect(x, top, x+bw, ground+0.01)}
			switch r.IntN(8) {
			case 0, 1: // setback
				shape = append(shape, rect(x+bw*0.18, top-bh*0.12, x+bw*0.82, top+0.01))
			case 2: // spire on a setback
				shape = append(shape, rect(x+bw*0.25, top-bh*0.08, x+bw*0.75, top+0.01),
					[]pt{{x + bw*0.42, top - bh*0.08}, {x + bw/2, top - bh*0.3}, {x + bw*0.58, top - bh*0.08}})
			case 3: // antenna
				shape = append(shape, rect(x+bw*0.47, top-0.05, x+bw*0.53, top))
			case 4: // slanted modern roof
				shape = append(shape, []pt{{x, top + 0.001}, {x + bw, top - bw*0.45}, {x + bw, top + 0.001}})
			}
			c.fill(shape, solid(L.col, 1))
			if L.windows > 0 {
				var on, off [][]pt
				cols := int((bw - 0.016) / 0.016)
				mx := x + (bw-float64(cols)*0.016)/2
				for wy := top + 0.02; wy < ground-0.03; wy += 0.024 {
					for i := range cols {
						w := rect(mx+float64(i)*0.016+0.004, wy, mx+float64(i)*0.016+0.012, wy+0.012)
						if r.Float64() < lit {
							on = append(on, w)
						} else {
							off = append(off, w)
						}
					}
				}
				c.fill(off, solid(mix(L.col, p.skyBot, 0.15), L.windows))
				c.fill(on, solid(p.light, L.windows*0.9))
			}
			x += bw + rng(r, -0.01, L.gap)
		}
		if L.haze > 0 {
			c.fill(one(rect(0, 0.3, A, ground+0.02)), vgrad(p.skyBot, p.skyBot, 0.3, ground, 0, L.haze))
		}
	}
	// The river mirrors the city; a few bright streaks sell the water.
	c.reflect(ground, mix(p.near, p.skyTop, 0.3), 0.35)
	var streaks [][]pt
	for range 24 {
		x, y, l := rng(r, 0, A), rng(r, ground+0.02, 0.98), rng(r, 0.02, 0.08)
		streaks = append(streaks, c.roundRect(x, y, x+l, y+0.003, 0.0015))
	}
	c.fill(streaks, solid(p.skyBot, 0.25))
	c.fill(one(rect(0, ground, A, ground+0.01)), solid(mix(p.near, black, 0.2), 1))
}

func drawHarbour(c *canvas, r *rand.Rand) {
	p := palettes[r.IntN(len(palettes))]
	A, hz := c.A, 0.58
	flip := r.IntN(2) == 1
	fx := func(x float64) float64 { // mirrors the layout for half the seeds
		if flip {
			return A - x
		}
		return x
	}
	fr := func(x0, y0, x1, y1 float64) []pt { return rect(min(fx(x0), fx(x1)), y0, max(fx(x0), fx(x1)), y1) }
	c.sky(p, hz)
	if p.night {
		c.stars(r, 60, 0.4)
	}
	sx := fx(rng(r, 0.35, 0.7) * A)
	c.sun(p, sx, hz-rng(r, 0.1, 0.22), rng(r, 0.05, 0.08))
	c.clouds(r, p, r.IntN(3), 0.08, 0.3)
	ph1, ph2, hx := rng(r, 0, 6), rng(r, 0, 6), rng(r, 0.3, 0.8)*A
	c.fill(one(ridge(A, func(x float64) float64 {
		d := math.Abs(x - hx)
		return hz - max(0, 0.07-d*0.1)*(1+0.2*math.Sin(x*9+ph1)) - 0.006*math.Sin(x*23+ph2)
	})), solid(mix(p.far, p.skyBot, 0.35), 1))
	sea := mix(mix(p.skyTop, p.mid, 0.5), p.near, 0.2)
	c.fill(one(rect(0, hz, A, 1)), vgrad(mix(sea, p.skyBot, 0.45), mix(sea, p.near, 0.6), hz, 1, 1, 1))
	var glint, waves [][]pt
	for y := hz + 0.006; y < 0.95; y += 0.014 {
		l := rng(r, 0.02, 0.1) * (1.2 - (y-hz)*1.5)
		o := rng(r, -0.03, 0.03)
		glint = append(glint, c.roundRect(sx+o-l/2, y, sx+o+l/2, y+0.004, 0.002))
	}
	for range 30 {
		x, y := rng(r, 0, A), rng(r, hz+0.03, 0.98)
		l := 0.02 + 0.06*(y-hz)
		waves = append(waves, c.roundRect(x, y, x+l, y+0.0035, 0.0017))
	}
	c.fill(glint, solid(p.sun, 0.55))
	c.fill(waves, solid(p.skyBot, 0.18))
	shx := rng(r, 0.25, 0.6) * A
	c.fill([][]pt{{{shx, hz - 0.012}, {shx + 0.16, hz - 0.012}, {shx + 0.15, hz + 0.002}, {shx + 0.01, hz + 0.002}},
		rect(shx+0.11, hz-0.03, shx+0.145, hz-0.011), rect(shx+0.02, hz-0.024, shx+0.1, hz-0.011)}, solid(mix(p.mid, p.skyBot, 0.3), 1))
	// Sailing boats between the point and the quay, smaller further out.
	q0 := rng(r, 0.5, 0.62) * A
	for range 1 + r.IntN(3) {
		y := rng(r, hz+0.04, 0.76)
		k := 0.4 + (y-hz)*4
		x := fx(rng(r, 0.32, q0/A-0.1) * A)
		hull := []pt{{x - 0.05*k, y - 0.012*k}, {x + 0.06*k, y - 0.012*k}, {x + 0.04*k, y + 0.008*k}, {x - 0.04*k, y + 0.008*k}}
		c.fill(one(hull), solid(p.near, 1))
		c.fill([][]pt{{{x, y - 0.16*k}, {x, y - 0.02*k}, {x + 0.05*k, y - 0.02*k}}, {{x - 0.004*k, y - 0.15*k}, {x - 0.004*k, y - 0.02*k}, {x - 0.045*k, y - 0.02*k}}},
			solid(mix(p.skyBot, white, 0.6), 1))
	}
	// Lighthouse on a rocky point.
	lx := fx(0.12 * A)
	c.fill(one(ridge(A, func(x float64) float64 {
		d := (x - lx) / 0.22
		return 0.7 + d*d*0.2 - 0.015*math.Sin(x*40+ph2)
	})), vgrad(p.mid, mix(p.mid, p.near, 0.6), 0.68, 1, 1, 1))
	lt, lb := 0.33, 0.69
	if p.night || r.IntN(2) == 0 {
		ey := lt - 0.035 + rng(r, -0.12, 0.04)
		c.fill(one([]pt{{lx, lt - 0.035}, {fx(0.12*A + 0.9), ey - 0.09}, {fx(0.12*A + 0.9), ey + 0.09}}),
			paint{p.light, p.light, 0.35, 0, lx, 0, fx(0.12*A + 0.9), 0})
	}
	tower := []pt{{lx - 0.018, lt}, {lx + 0.018, lt}, {lx + 0.028, lb}, {lx - 0.028, lb}}
	c.fill(one(tower), solid(mix(p.skyBot, white, 0.7), 1))
	var bands [][]pt
	for i := range 3 {
		y0 := lt + (lb-lt)*(0.15+float64(i)*0.3)
		y1 := y0 + (lb-lt)*0.14
		w0, w1 := 0.018+0.01*(y0-lt)/(lb-lt), 0.018+0.01*(y1-lt)/(lb-lt)
		bands = append(bands, []pt{{lx - w0, y0}, {lx + w0, y0}, {lx + w1, y1}, {lx - w1, y1}})
	}
	c.fill(bands, solid(p.accent, 1))
	c.glow(lx, lt-0.035, 0.09, p.light, 0.6)
	c.fill(one(rect(lx-0.014, lt-0.05, lx+0.014, lt-0.02)), solid(p.light, 1))
	c.fill([][]pt{rect(lx-0.026, lt-0.02, lx+0.026, lt+0.002), {{lx - 0.02, lt - 0.05}, {lx, lt - 0.075}, {lx + 0.02, lt - 0.05}}}, solid(p.near, 1))
	// Quay with stacked containers and, usually, a gantry crane.
	qy := 0.83
	c.fill(one(fr(q0, qy, A+0.01, 1.01)), solid(p.near, 1))
	c.fill(one(fr(q0, qy, A+0.01, qy+0.008)), solid(mix(p.near, p.skyBot, 0.3), 1))
	boxes := []rgb{p.accent, p.mid, p.far, mix(p.accent, p.near, 0.4), mix(p.light, p.mid, 0.3)}
	cx := q0 + rng(r, 0.05, 0.12)
	crane := r.IntN(4) > 0
	start := q0 + 0.03
	if crane {
		start = cx + 0.17
	}
	for x := start; x < A-0.04; x += 0.1 {
		for lvl := range 1 + r.IntN(3) {
			y := qy - float64(lvl+1)*0.042
			c.fill(one(fr(x, y, x+0.095, y+0.04)), solid(mix(boxes[r.IntN(len(boxes))], p.skyBot, 0.1), 1))
			var ribs [][]pt
			for i := 1; i < 6; i++ {
				rx := x + 0.095*float64(i)/6
				ribs = append(ribs, fr(rx-0.001, y+0.005, rx+0.001, y+0.035))
			}
			c.fill(ribs, solid(black, 0.12))
		}
	}
	if crane {
		// Crane members in local units (x from the landward leg, y up from
		// the quay), mirrored and scaled into place.
		const k = 0.75
		cr := func(x0, y0, x1, y1 float64) []pt { return fr(cx+x0*k, qy-y1*k, cx+x1*k, qy-y0*k) }
		parts := [][]pt{cr(0, 0, 0.014, 0.39), cr(0.16, 0, 0.174, 0.39), cr(-0.26, 0.382, 0.3, 0.4),
			cr(0, 0.218, 0.174, 0.23), cr(0.03, 0.4, 0.1, 0.425), cr(0.08, 0.39, 0.094, 0.52),
			cr(-0.17, 0.23, -0.168, 0.382), cr(-0.19, 0.222, -0.148, 0.23)}
		for _, l := range [][4]float64{{0, 0.39, 0.174, 0.23}, {0.087, 0.52, -0.26, 0.395}, {0.087, 0.52, 0.3, 0.395}} {
			parts = append(parts, c.stroke([]pt{{fx(cx + l[0]*k), qy - l[1]*k}, {fx(cx + l[2]*k), qy - l[3]*k}}, 0.005)...)
		}
		c.fill(orient(parts), solid(mix(p.near, p.mid, 0.25), 1))
	}
	var bollards [][]pt
	for x := q0 + 0.04; x < A; x += 0.12 {
		bollards = append(bollards, c.roundRect(fx(x)-0.006, qy-0.014, fx(x)+0.006, qy+0.002, 0.004))
	}
	c.fill(bollards, solid(p.near, 1))
}

func drawHills(c *canvas, r *rand.Rand) {
	p := palettes[r.IntN(len(palettes))]
	A := c.A
	c.sky(p, 0.7)
	if p.night {
		c.stars(r, 90, 0.55)
	}
	c.sun(p, rng(r, 0.15, 0.85)*A, rng(r, 0.2, 0.35), rng(r, 0.06, 0.1))
	for range 3 + r.IntN(3) { // birds
		x, y, s := rng(r, 0.2, A-0.2), rng(r, 0.12, 0.35), rng(r, 0.008, 0.014)
		c.fill(c.stroke([]pt{{x - s, y - s*0.6}, {x, y}, {x + s, y - s*0.6}}, 0.003), solid(p.near, 0.7))
	}
	const n = 5
	for i := range n {
		t := math.Pow(float64(i)/(n-1), 0.8)
		col := mix(mix(p.far, p.skyBot, 0.45), p.near, t)
		if i > 0 && i < n-1 {
			col = mix(col, p.mid, 0.3)
		}
		base, amp := 0.48+0.1*float64(i), 0.06+0.02*float64(i)
		f1, f2, f3 := rng(r, 1.5, 3), rng(r, 4, 7), rng(r, 9, 14)
		p1, p2, p3 := rng(r, 0, 7), rng(r, 0, 7), rng(r, 0, 7)
		hf := func(x float64) float64 {
			return base - amp*(0.65*math.Sin(x*f1+p1)+0.25*math.Sin(x*f2+p2)+0.1*math.Sin(x*f3+p3))
		}
		c.fill(one(ridge(A, hf)), vgrad(col, mix(col, p.near, 0.25), base-amp, base+0.2, 1, 1))
		if i >= n-2 {
			var trees [][]pt
			for range 4 + r.IntN(6) {
				x := rng(r, 0, A)
				s := 0.02 + 0.015*float64(i-n+2)
				y := hf(x) + s*0.3
				if r.IntN(2) == 0 {
					trees = append(trees, []pt{{x - s*0.45, y}, {x, y - s*2.2}, {x + s*0.45, y}})
				} else {
					trees = append(trees, c.circle(x, y-s*1.3, s*0.6), rect(x-s*0.08, y-s, x+s*0.08, y+0.01))
				}
			}
			c.fill(orient(trees), solid(mix(col, p.near, 0.5), 1))
		}
		if i < n-1 {
			c.fill(one(rect(0, base-amp, A, 1)), vgrad(p.skyBot, p.skyBot, base-amp, base+0.2, 0, 0.2))
		}
	}
}

// drawField shows a football pitch in broadcast perspective under
// floodlights: pitch metres are projected through a simple pinhole so
// lines, stripes and the centre circle foreshorten correctly.
func drawField(c *canvas, r *rand.Rand) {
	p := palettes[r.IntN(len(palettes))]
	A := c.A
	grasses := [][2]rgb{{hex(0x4c9a4f), hex(0x5aa95c)}, {hex(0x3e8e5e), hex(0x48996a)}, {hex(0x2f7045), hex(0x387d4f)}}
	kits := [][2]rgb{{hex(0xe63946), hex(0xf1faee)}, {hex(0x1d3557), hex(0xffb703)}, {hex(0xf77f00), hex(0x023e8a)}, {hex(0xffffff), hex(0x22223b)}}
	g, kit := grasses[r.IntN(len(grasses))], kits[r.IntN(len(kits))]
	pan := rng(r, -16, 16)          // the camera follows play along the touchline
	proj := func(u, v float64) pt { // u along the pitch (−52.5…52.5), v across (0 = near touchline)
		d := 1 + v/68*1.25
		return pt{A/2 + (u-pan)/52.5*1.3/d, -0.09 + 1.12/d}
	}
	poly := func(q []pt) []pt {
		out := make([]pt, len(q))
		for i, v := range q {
			out[i] = proj(v.X, v.Y)
		}
		return out
	}
	far := proj(0, 73).Y
	c.sky(p, far)
	// Stand behind the far touchline: tiers, a speckled crowd, then the roof.
	stand := mix(p.near, p.mid, 0.25)
	c.fill(one(rect(0, 0.1, A, far)), vgrad(mix(stand, black, 0.35), stand, 0.1, far, 1, 1))
	crowd := []rgb{p.accent, p.light, kit[0], kit[1], p.far, white}
	var tiers [][]pt
	var fans [3]paint
	for i := range fans {
		fans[i] = solid(crowd[r.IntN(len(crowd))], 0.5-0.1*float64(i))
	}
	for y := 0.125; y < far-0.035; y += 0.022 {
		tiers = append(tiers, rect(0, y+0.012, A, y+0.014))
		for x := rng(r, 0, 0.01); x < A; x += rng(r, 0.009, 0.016) {
			// One fill per fan: batching a thousand tiny shapes only makes
			// the rasteriser sort long crossing lists.
			if g := r.IntN(4); g < 3 {
				dy, hw := rng(r, -0.003, 0.003), rng(r, 0.003, 0.0045)
				c.fill(one(c.roundRect(x-hw, y+dy-0.002, x+hw, y+dy+0.01, hw)), fans[g])
			}
		}
	}
	c.fill(tiers, solid(white, 0.07))
	var boards [2][][]pt
	for i, x := 0, -r.Float64()*0.3; x < A; i, x = i+1, x+0.3 {
		boards[i%2] = append(boards[i%2], rect(x, far-0.03, x+0.3, far))
	}
	c.fill(boards[0], solid(mix(p.accent, white, 0.1), 1))
	c.fill(boards[1], solid(mix(kit[0], p.near, 0.2), 1))
	c.fill(one(rect(0, far-0.03, A, far-0.027)), solid(white, 0.4))
	c.fill(one(rect(0, 0.06, A, 0.11)), solid(mix(p.near, black, 0.3), 1))
	for _, lx := range []float64{0.15, 0.45, 0.75} {
		for _, x := range []float64{lx * A, A - lx*A} {
			c.glow(x, 0.085, 0.2, p.light, 0.35)
			c.fill(one(c.roundRect(x-0.04, 0.075, x+0.04, 0.095, 0.005)), solid(mix(p.light, white, 0.6), 1))
		}
	}
	// Surround, then mown stripes across the pitch.
	c.fill(one(rect(0, far, A, 1)), solid(mix(g[0], black, 0.2), 1))
	const ml, mw = 52.5, 34.0
	c.fill(one(poly(rect(-ml-5, -6, ml+5, 73))), solid(g[0], 1))
	var stripes [][]pt
	for i := range 18 {
		if i%2 == 0 {
			u := -ml + float64(i)*105/18
			stripes = append(stripes, poly(rect(u, 0, u+105.0/18, 68)))
		}
	}
	c.fill(stripes, solid(g[1], 1))
	// Markings: all lines in one fill so crossings don't double up.
	lw := 0.35
	line := func(u0, v0, u1, v1 float64) []pt {
		return poly([]pt{{u0 - lw/2, v0 - lw/2}, {u1 + lw/2, v0 - lw/2}, {u1 + lw/2, v1 + lw/2}, {u0 - lw/2, v1 + lw/2}})
	}
	box := func(u0, v0, u1, v1 float64) [][]pt {
		return [][]pt{line(u0, v0, u1, v0), line(u0, v1, u1, v1), line(u0, v0, u0, v1), line(u1, v0, u1, v1)}
	}
	ring := func(cu, cv, rad, a0, a1 float64) [][]pt {
		return c.stroke(poly(c.arc(cu, cv, rad, rad, a0, a1)), 0.0035)
	}
	marks := box(-ml, 0, ml, 68)
	marks = append(marks, line(0, 0, 0, 68))
	marks = append(marks, ring(0, mw, 9.15, 0, 2*math.Pi)...)
	for _, s := range []float64{-1, 1} {
		marks = append(marks, box(s*ml, mw-20.16, s*(ml-16.5), mw+20.16)...)
		marks = append(marks, box(s*ml, mw-9.16, s*(ml-5.5), mw+9.16)...)
		a := math.Acos(5.5 / 9.15)
		if s > 0 {
			marks = append(marks, ring(s*(ml-11), mw, 9.15, math.Pi-a, math.Pi+a)...)
		} else {
			marks = append(marks, ring(s*(ml-11), mw, 9.15, -a, a)...)
		}
	}
	c.fill(orient(marks), solid(white, 0.85))
	c.fill(one(c.circle(proj(0, mw).X, proj(0, mw).Y, 0.004)), solid(white, 0.9))
	// Players: a 4-4-2 for each side, jittered, with contact shadows.
	form := [][2]float64{{-48, 34}, {-35, 8}, {-37, 25}, {-37, 43}, {-35, 60}, {-18, 10}, {-20, 28}, {-20, 40}, {-18, 58}, {-5, 26}, {-3, 44}}
	type player struct {
		pos  pt
		team int
	}
	var players []player
	shift := pan + rng(r, -6, 6)
	for team, s := range []float64{-1, 1} {
		for _, f := range form {
			u := s*f[0] + shift + rng(r, -5, 5)
			v := min(max(f[1]+rng(r, -5, 5), 2), 66)
			if s > 0 {
				v = 68 - v
			}
			players = append(players, player{pt{u, v}, team})
		}
	}
	slices.SortFunc(players, func(a, b player) int { return cmpF(b.pos.Y, a.pos.Y) })
	for _, pl := range players {
		q := proj(pl.pos.X, pl.pos.Y)
		k := 1.25 / (1 + pl.pos.Y/68*1.25)
		c.fill(one(c.arc(q.X+0.004*k, q.Y, 0.016*k, 0.005*k, 0, 2*math.Pi)), solid(black, 0.3))
		c.fill(one(c.roundRect(q.X-0.008*k, q.Y-0.045*k, q.X+0.008*k, q.Y, 0.006*k)), solid(kit[pl.team], 1))
		c.fill(one(c.circle(q.X, q.Y-0.052*k, 0.0065*k)), solid(hex(0x5b3a29), 1))
	}
	b := proj(shift+rng(r, -8, 8), rng(r, 15, 50))
	c.fill(one(c.arc(b.X+0.003, b.Y, 0.008, 0.003, 0, 2*math.Pi)), solid(black, 0.3))
	c.fill(one(c.circle(b.X, b.Y-0.006, 0.0055)), solid(white, 1))
}

func drawAbstract(c *canvas, r *rand.Rand) {
	p := palettes[r.IntN(len(palettes))]
	A := c.A
	bg := mix(p.skyBot, white, 0.4)
	cols := []rgb{p.far, p.mid, p.accent, p.sun, p.skyTop, p.near}
	if p.night { // on a dark ground the palette's darks vanish; use its lights
		bg, cols = p.near, []rgb{p.skyBot, p.accent, p.light, p.sun, mix(p.far, white, 0.3), p.mid}
	}
	c.fill(one(rect(0, 0, A, 1)), solid(bg, 1))
	r.Shuffle(len(cols), func(i, j int) { cols[i], cols[j] = cols[j], cols[i] })
	for i := range 2 {
		a := rng(r, -0.6, 0.6) + math.Pi/2*float64(i)
		cx, cy, wd := rng(r, 0.3, A-0.3), rng(r, 0.3, 0.7), rng(r, 0.08, 0.2)
		dx, dy, nx, ny := math.Cos(a)*2, math.Sin(a)*2, -math.Sin(a)*wd, math.Cos(a)*wd
		band := []pt{{cx - dx - nx, cy - dy - ny}, {cx + dx - nx, cy + dy - ny}, {cx + dx + nx, cy + dy + ny}, {cx - dx + nx, cy - dy + ny}}
		c.fill(one(band), solid(cols[i], 0.5))
	}
	for i := range 6 {
		rad := rng(r, 0.08, 0.38)
		c.fill(one(c.circle(rng(r, 0, A), rng(r, 0.1, 0.9), rad)), solid(cols[(i+2)%len(cols)], rng(r, 0.55, 0.8)))
	}
	c.fill(c.ring(rng(r, 0.2, A-0.2), rng(r, 0.2, 0.8), rng(r, 0.1, 0.25), 0.012), solid(cols[0], 0.9))
	half := rng(r, 0.1, 0.18)
	hx, hy := rng(r, 0.2, A-0.2), rng(r, 0.3, 0.9)
	c.fill(one(c.arc(hx, hy, half, half, math.Pi, 2*math.Pi)), solid(cols[1], 0.85))
	var dots [][]pt
	gx, gy := rng(r, 0.05, A-0.35), rng(r, 0.05, 0.7)
	for i := range 7 {
		for j := range 5 {
			dots = append(dots, c.circle(gx+float64(i)*0.045, gy+float64(j)*0.045, 0.006))
		}
	}
	c.fill(dots, solid(cols[5], 0.6))
}

func drawChart(c *canvas, r *rand.Rand) {
	p := palettes[r.IntN(len(palettes))]
	A := c.A
	c.vignette = 0.04 // a chart is a graphic, not a scene
	bg, ink := mix(p.skyBot, white, 0.75), p.near
	if p.night {
		bg, ink = mix(p.near, p.skyTop, 0.4), white
	}
	c.fill(one(rect(0, 0, A, 1)), solid(bg, 1))
	x0, x1, y0, y1 := 0.1, A-0.08, 0.22, 0.9
	// Title and legend stand-ins: pills read as text without being text.
	c.fill([][]pt{c.roundRect(x0, 0.07, x0+rng(r, 0.4, 0.6), 0.1, 0.015)}, solid(ink, 0.75))
	c.fill([][]pt{c.roundRect(x0, 0.12, x0+rng(r, 0.25, 0.4), 0.14, 0.01)}, solid(ink, 0.3))
	var grid [][]pt
	for i := range 5 {
		y := y0 + (y1-y0)*float64(i)/4
		grid = append(grid, rect(x0, y-0.0012, x1, y+0.0012))
		grid = append(grid, c.roundRect(x0-0.06, y-0.007, x0-0.02, y+0.007, 0.007))
	}
	c.fill(grid, solid(ink, 0.14))
	n := 24 + r.IntN(16)
	vals := make([]float64, n)
	v, drift := 0.0, rng(r, -0.03, 0.05)
	for i := range vals {
		v += drift + r.NormFloat64()*0.12
		vals[i] = v
	}
	lo, hi := slices.Min(vals), slices.Max(vals)
	ys := func(v float64) float64 { return y1 - 0.08 - (v-lo)/(hi-lo+1e-9)*(y1-y0-0.15) }
	xs := func(i int) float64 { return x0 + 0.02 + (x1-x0-0.04)*float64(i)/float64(n-1) }
	main, second := p.accent, mix(p.mid, bg, 0.2)
	if p.night {
		second = mix(p.far, white, 0.25)
	}
	if r.IntN(2) == 0 {
		var line []pt
		for i, v := range vals {
			line = append(line, pt{xs(i), ys(v)})
		}
		var bars [][]pt
		bw := (x1 - x0) / float64(n) * 0.6
		for i := range n {
			h := rng(r, 0.02, 0.09)
			bars = append(bars, rect(xs(i)-bw/2, y1-h, xs(i)+bw/2, y1))
		}
		c.fill(bars, solid(second, 0.45))
		area := append(slices.Clone(line), pt{xs(n - 1), y1}, pt{xs(0), y1})
		c.fill(one(area), vgrad(main, main, y0, y1, 0.4, 0.02))
		c.fill(c.stroke(line, 0.007), solid(main, 1))
		e := line[n-1]
		c.fill(c.ring(e.X, e.Y, 0.022, 0.004), solid(main, 0.35))
		c.fill(one(c.circle(e.X, e.Y, 0.011)), solid(main, 1))
		c.fill(one(c.circle(e.X, e.Y, 0.005)), solid(bg, 1))
	} else {
		// Two series of columns, rounded only at the top, with their mean
		// drawn as a thin line so the eye has a trend to follow.
		n = 8 + r.IntN(6)
		gw := (x1 - x0) / float64(n)
		bar := func(x, top, wd float64) [][]pt {
			return [][]pt{c.roundRect(x, top, x+wd, y1, wd*0.3), rect(x, top+wd*0.3, x+wd, y1)}
		}
		var sa, sb [][]pt
		var trend []pt
		b := rng(r, 0.3, 0.6)
		for i := range n {
			gx := x0 + gw*float64(i) + gw*0.18
			a := (y1 - ys(vals[i])) * 0.95
			b = min(max(b+r.NormFloat64()*0.06, 0.1), 0.55)
			sa = append(sa, bar(gx, y1-a, gw*0.3)...)
			sb = append(sb, bar(gx+gw*0.34, y1-b, gw*0.3)...)
			trend = append(trend, pt{gx + gw*0.32, y1 - (a+b)/2 - 0.04})
		}
		c.fill(orient(sa), solid(main, 1))
		c.fill(orient(sb), solid(second, 1))
		c.fill(c.stroke(trend, 0.004), solid(ink, 0.6))
		var marks [][]pt
		for _, q := range trend {
			marks = append(marks, c.circle(q.X, q.Y, 0.007))
		}
		c.fill(marks, solid(ink, 0.85))
	}
	c.fill(one(rect(x0, y1-0.0015, x1, y1+0.003)), solid(ink, 0.5))
}
