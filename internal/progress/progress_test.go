package progress

import (
	"strings"
	"testing"
)

func TestPlainOutput(t *testing.T) {
	var b strings.Builder
	bar := New(&b, "Loading", 8)
	for range 8 {
		bar.Add(1)
	}
	bar.Finish()
	got := b.String()
	for _, want := range []string{"Loading: 2/8 (25%)", "Loading: 4/8 (50%)", "Loading: 8/8 (100%)"} {
		if !strings.Contains(got, want) {
			t.Errorf("output %q lacks %q", got, want)
		}
	}
	if strings.Count(got, "8/8") != 1 {
		t.Errorf("final line repeated: %q", got)
	}
}
