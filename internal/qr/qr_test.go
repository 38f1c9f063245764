package qr

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const keyURI = "otpauth://totp/Broadsheet:ana%40example.org?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Broadsheet&algorithm=SHA1&digits=6&period=30"

// svgDoc is what the tests read back from SVG's output.
type svgDoc struct {
	XMLName   xml.Name `xml:"svg"`
	Xmlns     string   `xml:"xmlns,attr"`
	ViewBox   string   `xml:"viewBox,attr"`
	Role      string   `xml:"role,attr"`
	Label     string   `xml:"aria-label,attr"`
	Rendering string   `xml:"shape-rendering,attr"`
	Rects     []struct {
		Width  string `xml:"width,attr"`
		Height string `xml:"height,attr"`
		Fill   string `xml:"fill,attr"`
	} `xml:"rect"`
	Paths []struct {
		D    string `xml:"d,attr"`
		Fill string `xml:"fill,attr"`
	} `xml:"path"`
}

func parse(t *testing.T, svg string) svgDoc {
	t.Helper()
	var doc svgDoc
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("SVG does not parse as XML: %v\n%s", err, svg)
	}
	return doc
}

func TestSVGStructure(t *testing.T) {
	m, err := modules(keyURI)
	if err != nil {
		t.Fatal(err)
	}
	n := len(m)
	// A version v symbol is 17+4v modules square; no border of the
	// library's own may be left in the matrix.
	if (n-17)%4 != 0 || n < 21 {
		t.Fatalf("matrix is %d modules: not a QR symbol without quiet zone", n)
	}
	svg, err := SVG(keyURI, "Scan with your authenticator app")
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, svg)
	size := n + 2*quietZone
	if want := fmt.Sprintf("0 0 %d %d", size, size); doc.ViewBox != want {
		t.Errorf("viewBox %q, want %q (%d modules and a quiet zone of 4 each side)", doc.ViewBox, want, n)
	}
	if doc.Xmlns != "http://www.w3.org/2000/svg" || doc.Role != "img" || doc.Rendering != "crispEdges" {
		t.Errorf("xmlns %q role %q shape-rendering %q", doc.Xmlns, doc.Role, doc.Rendering)
	}
	if doc.Label != "Scan with your authenticator app" {
		t.Errorf("aria-label %q", doc.Label)
	}
	if len(doc.Paths) != 1 {
		t.Fatalf("%d paths, want exactly one", len(doc.Paths))
	}
	if doc.Paths[0].Fill != "#000" || len(doc.Rects) != 1 || doc.Rects[0].Fill != "#fff" ||
		doc.Rects[0].Width != strconv.Itoa(size) || doc.Rects[0].Height != strconv.Itoa(size) {
		t.Errorf("not black on a white square: path fill %q, rects %+v", doc.Paths[0].Fill, doc.Rects)
	}

	// Drawing the path back gives the matrix, moved in by the quiet zone.
	drawn := rasterise(t, doc.Paths[0].D, size)
	for y := range size {
		for x := range size {
			want := false
			if mx, my := x-quietZone, y-quietZone; mx >= 0 && my >= 0 && mx < n && my < n {
				want = m[my][mx]
			}
			if drawn[y][x] != want {
				t.Fatalf("module (%d,%d) drawn %v, want %v", x, y, drawn[y][x], want)
			}
		}
	}
}

// rasterise fills the rectangles of a path made of "Mx yhnv1h-nz" runs,
// failing on any other command or on a module painted twice.
func rasterise(t *testing.T, d string, size int) [][]bool {
	t.Helper()
	run := regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
	if rest := run.ReplaceAllString(d, ""); rest != "" {
		t.Fatalf("path has more than runs: %.80q", rest)
	}
	grid := make([][]bool, size)
	for i := range grid {
		grid[i] = make([]bool, size)
	}
	for _, r := range run.FindAllStringSubmatch(d, -1) {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		w, _ := strconv.Atoi(r[3])
		if back, _ := strconv.Atoi(r[4]); back != w {
			t.Fatalf("run %q does not close", r[0])
		}
		if x+w > size || y >= size {
			t.Fatalf("run %q outside the %d-module image", r[0], size)
		}
		// Runs are maximal: two touching on one row should have been one.
		if x > 0 && grid[y][x-1] {
			t.Fatalf("run %q continues the run before it", r[0])
		}
		for i := x; i < x+w; i++ {
			if grid[y][i] {
				t.Fatalf("module (%d,%d) painted twice", i, y)
			}
			grid[y][i] = true
		}
	}
	return grid
}

func TestFinderPatterns(t *testing.T) {
	for _, text := range []string{"a", keyURI, strings.Repeat("Broadsheet ", 60)} {
		m, err := modules(text)
		if err != nil {
			t.Fatal(err)
		}
		n := len(m)
		corners := [][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}}
		for _, c := range corners {
			for dy := range 7 {
				for dx := range 7 {
					// Dark ring, light ring, dark 3x3 centre.
					ring := max(abs(dx-3), abs(dy-3))
					want := ring != 2
					if got := m[c[1]+dy][c[0]+dx]; got != want {
						t.Errorf("%d-module symbol: finder at (%d,%d), module (%d,%d) is %v, want %v",
							n, c[0], c[1], dx, dy, got, want)
					}
				}
			}
		}
		// The bottom-right corner has no finder, or scanners could not
		// tell which way up the symbol is.
		if m[n-1][n-1] && m[n-7][n-7] && m[n-1][n-7] && m[n-7][n-1] && !m[n-6][n-6] {
			t.Errorf("%d-module symbol: a finder pattern at the bottom right", n)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestSVGLabelEscaped(t *testing.T) {
	label := `<script>alert(1)</script>" onload="x' & ok` + "\x00"
	svg, err := SVG("x", label)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"<script>", `" onload`, "' &"} {
		if strings.Contains(svg, raw) {
			t.Errorf("label written raw: %q in %s", raw, svg)
		}
	}
	doc := parse(t, svg)
	if want := strings.TrimSuffix(label, "\x00") + "\uFFFD"; doc.Label != want {
		t.Errorf("aria-label read back %q, want %q", doc.Label, want)
	}
	if strings.Count(svg, "<") != 4 { // svg, rect, path, /svg
		t.Errorf("unexpected elements in %s", svg)
	}
}

func TestSVGTooLong(t *testing.T) {
	// Medium error correction holds at most 2,331 bytes.
	if svg, err := SVG(strings.Repeat("\xff", 3000), "x"); err == nil {
		t.Errorf("3,000 bytes encoded: %.60s…", svg)
	}
}
