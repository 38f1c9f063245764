package search

import (
	"slices"
	"strings"
	"testing"
)

// FuzzQuery: whatever a reader types, Query gives either nothing or quoted
// terms that FTS5 runs without error, and the terms stay within bounds;
// so does MatchAny, which a search runs.
// Run it with: go test -run '^$' -fuzz FuzzQuery -fuzztime 60s ./internal/search/
func FuzzQuery(f *testing.F) {
	idx := openFTS(f) // one connection and prepared statements for every input
	langs := []string{"en", "ru", "fa", "ar", "de", ""}
	for i, q := range hostileQueries {
		// A long seed's mutants take minutes to minimise whenever they find
		// new coverage; TestQueryHostile runs the long ones.
		if len(q) <= 256 {
			f.Add(q, uint8(i))
		}
	}
	for i, a := range indexed {
		f.Add(a.body, uint8(i))
	}
	f.Fuzz(func(t *testing.T, q string, l uint8) {
		lang := langs[int(l)%len(langs)]
		checkQuery(t, idx, lang, q)
		// What a search runs: every form at once, ANDed with a facet.
		if expr, ok := MatchAny(q); ok {
			for i, match := range idx.match {
				var n int
				if err := match.QueryRow(expr + ` AND "s_1"`).Scan(&n); err != nil {
					t.Fatalf("MatchAny(%.40q) = %q: %s MATCH: %v", q, expr, ftsTables[i], err)
				}
			}
		}
		if got, want := Normalize(lang, Normalize(lang, q)), Normalize(lang, q); got != want {
			t.Errorf("Normalize is not idempotent on %q: %q, then %q", q, want, got)
		}
		got := QueryTerms(lang, q)
		if !slices.Equal(got, QueryTerms(lang, q)) {
			t.Errorf("QueryTerms(%q, %q) differs between calls", lang, q)
		}
		// The SQLite index keeps "_" inside its words for the facets
		// (s_12, a_7): no term a reader makes may hold one.
		for _, term := range got {
			if strings.Contains(term, "_") {
				t.Errorf("QueryTerms(%q, %q) holds %q, with an underscore", lang, q, term)
			}
		}
	})
}
