package related

import (
	"testing"
	"time"
)

func TestPlainText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"the [operator's travel updates page](https://example.org/x).", "the operator's travel updates page."},
		{"*Kittiwake*'s fuel", "Kittiwake's fuel"},
		{"## Road closures\n> quoted", "   Road closures\n  quoted"},
		{"see https://example.org/a?b=c now", "see   now"},
	} {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRankPrefersSimilarThenCloseInTime(t *testing.T) {
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	cands := []Candidate{
		{ID: 1, Similarity: 0.5, SectionID: 2, PublishedAt: now.AddDate(-1, 0, 0)},
		{ID: 2, Similarity: 0.5, SectionID: 2, PublishedAt: now.AddDate(0, 0, -1)},
		{ID: 3, Similarity: 0.5, SectionID: 1, PublishedAt: now.AddDate(0, 0, -1)},
		{ID: 4, Similarity: 0.01, SectionID: 1, PublishedAt: now},
		{ID: 5, Similarity: 0.9, SectionID: 2, PublishedAt: now.AddDate(-2, 0, 0)},
	}
	got := Rank(cands, 1, now, 10)
	// Much more similar wins across sections and years; at equal
	// similarity the same section, then closeness in time; 4 is below
	// MinSimilarity.
	want := []int64{5, 3, 2, 1}
	if len(got) != len(want) {
		t.Fatalf("Rank = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Rank = %v, want %v", got, want)
		}
	}
}
