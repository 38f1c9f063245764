package diff

import (
	"strings"
	"testing"
)

func render(ls []Line) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteByte(byte(l.Kind))
		b.WriteString(l.Text)
		b.WriteByte('|')
	}
	return b.String()
}

func TestLines(t *testing.T) {
	tests := []struct {
		name, a, b, want string
	}{
		{"equal", "a\nb", "a\nb", " a| b|"},
		{"both empty", "", "", ""},
		{"added line", "a\nc", "a\nb\nc", " a|+b| c|"},
		{"removed line", "a\nb\nc", "a\nc", " a|-b| c|"},
		{"changed line", "a\nb\nc", "a\nB\nc", " a|-b|+B| c|"},
		{"from empty", "", "x\ny", "+x|+y|"},
		{"to empty", "x", "", "-x|"},
		{"trailing newline ignored", "a\n", "a", " a|"},
		{"moved block", "1\n2\n3\n4", "3\n4\n1\n2", "-1|-2| 3| 4|+1|+2|"},
	}
	for _, tt := range tests {
		if got := render(Lines(tt.a, tt.b)); got != tt.want {
			t.Errorf("%s: Lines = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestLinesLargeFallsBack(t *testing.T) {
	a := strings.Repeat("x\n", 3000)
	b := strings.Repeat("y\n", 3000)
	ls := Lines(a, b)
	if len(ls) != 6000 || ls[0].Kind != Removed || ls[5999].Kind != Added {
		t.Errorf("large diff: %d lines", len(ls))
	}
}
