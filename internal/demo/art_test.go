package demo

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func distinctColours(kind string, seed int64, w, h int) int {
	img := Draw(kind, seed, w, h)
	seen := map[[3]uint8]bool{}
	for i := 0; i < len(img.Pix); i += 4 {
		seen[[3]uint8(img.Pix[i:i+3])] = true
	}
	return len(seen)
}

func TestKinds(t *testing.T) {
	want := []string{"skyline", "harbour", "hills", "field", "abstract", "chart"}
	if got := Kinds(); !slices.Equal(got, want) {
		t.Fatalf("Kinds() = %v, want %v", got, want)
	}
	Kinds()[0] = "mutated"
	if Kinds()[0] != "skyline" {
		t.Fatal("Kinds returned shared backing array")
	}
}

func TestDrawDeterministic(t *testing.T) {
	for _, k := range Kinds() {
		for _, seed := range []int64{0, 1, 42, -7} {
			a, b := Draw(k, seed, 64, 36), Draw(k, seed, 64, 36)
			if !bytes.Equal(a.Pix, b.Pix) {
				t.Errorf("%s seed %d: two draws differ", k, seed)
			}
			if a.Bounds().Dx() != 64 || a.Bounds().Dy() != 36 {
				t.Errorf("%s: bounds %v", k, a.Bounds())
			}
		}
	}
}

func TestDrawSeedsDiffer(t *testing.T) {
	for _, k := range Kinds() {
		seen := map[string]int64{}
		for seed := range int64(8) {
			key := string(Draw(k, seed, 64, 36).Pix)
			if prev, ok := seen[key]; ok {
				t.Errorf("%s: seeds %d and %d give identical images", k, prev, seed)
			}
			seen[key] = seed
		}
	}
}

func TestDrawNotFlat(t *testing.T) {
	for _, k := range Kinds() {
		for seed := range int64(6) {
			if n := distinctColours(k, seed, 64, 36); n < 100 {
				t.Errorf("%s seed %d: only %d distinct colours", k, seed, n)
			}
		}
	}
}

func TestUnknownKindFallsBack(t *testing.T) {
	a, b := Draw("no-such-kind", 3, 64, 36), Draw("abstract", 3, 64, 36)
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Fatal("unknown kind did not draw abstract")
	}
}

func TestDrawDegenerateSize(t *testing.T) {
	for _, k := range Kinds() {
		if img := Draw(k, 1, 0, -5); img.Bounds().Dx() != 1 || img.Bounds().Dy() != 1 {
			t.Errorf("%s: bounds %v for degenerate size", k, img.Bounds())
		}
		Draw(k, 1, 3, 200) // extreme aspect ratios must not panic
		Draw(k, 1, 300, 2)
	}
}

func TestEncodeJPEG(t *testing.T) {
	for _, k := range Kinds() {
		data, err := EncodeJPEG(k, 9, 160, 90)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: decoding: %v", k, err)
		}
		if b := img.Bounds(); b.Dx() != 160 || b.Dy() != 90 {
			t.Errorf("%s: decoded bounds %v", k, b)
		}
	}
}

// TestWriteSamples writes full-size PNGs for eyeballing when ART_DIR is set,
// e.g. ART_DIR=/tmp/art go test -run WriteSamples ./internal/demo.
func TestWriteSamples(t *testing.T) {
	dir := os.Getenv("ART_DIR")
	if dir == "" {
		t.Skip("ART_DIR not set")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds() {
		writePNG(t, filepath.Join(dir, k+".png"), Draw(k, 1, 1200, 675))
		// A contact sheet of more seeds shows every palette at a glance.
		sheet := image.NewRGBA(image.Rect(0, 0, 1200, 687))
		for i := range 9 {
			r := image.Rect(i%3*400, i/3*225+i/3*6, i%3*400+400, i/3*231+225)
			draw.Draw(sheet, r, Draw(k, int64(i+2), 400, 225), image.Point{}, draw.Src)
		}
		writePNG(t, filepath.Join(dir, k+"-sheet.png"), sheet)
	}
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkDraw(b *testing.B) {
	for _, k := range Kinds() {
		b.Run(k, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				Draw(k, int64(i), 1200, 675)
			}
		})
	}
}

// The demo loader draws on several goroutines; run with -race to check
// that Draw shares no mutable state.
func TestDrawConcurrent(t *testing.T) {
	t.Parallel()
	want := Draw("harbour", 5, 96, 54)
	done := make(chan []byte)
	for range 4 {
		go func() { done <- Draw("harbour", 5, 96, 54).Pix }()
	}
	for range 4 {
		if !bytes.Equal(<-done, want.Pix) {
			t.Error("concurrent draw differs")
		}
	}
}
