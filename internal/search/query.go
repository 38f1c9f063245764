package search

import "strings"

// Bounds on what a reader's query can make the database do.
const (
	maxQueryTerms = 16
	maxTermBytes  = 64
	// maxQueryBytes is how much of a query is read at all: far more than
	// 16 words need, little enough that normalising it costs nothing.
	maxQueryBytes = 2048
)

// QueryTerms returns the terms a reader's query q searches for: the Terms of
// its first maxQueryBytes bytes, each at most maxTermBytes bytes long (longer
// ones are dropped: truncated they would match nothing), without repeats, at
// most maxQueryTerms of them. It is empty when nothing searchable remains.
//
// Every term consists of letters, digits and combining marks only, so an
// engine other than FTS5 can build its own query from them: PostgreSQL, say,
// can AND them in to_tsquery('simple', …) against to_tsvector('simple', …)
// of the stored Terms, each passed as a quoted lexeme, never pasted into SQL.
func QueryTerms(lang, q string) []string {
	if len(q) > maxQueryBytes {
		// Cut at a space so that the last word is not half a word; Normalize
		// mends a rune cut in two.
		q = q[:maxQueryBytes]
		if i := strings.LastIndexByte(q, ' '); i > 0 {
			q = q[:i]
		}
	}
	ts := Terms(lang, q)
	out := ts[:0]
	seen := make(map[string]bool, len(ts))
	for _, t := range ts {
		if len(t) > maxTermBytes || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
		if len(out) == maxQueryTerms {
			break
		}
	}
	return out
}

// Query turns a reader's query into an SQLite FTS5 MATCH expression over an
// index that stores Terms joined by spaces: every term of QueryTerms as a
// double-quoted FTS5 string, joined by spaces, which FTS5 reads as AND. So
// `"elect" "moscow"` finds articles holding both stems. ok is false when
// nothing searchable remains; then there is nothing to run.
//
// Nothing the reader types is syntax: FTS5 operators (AND, OR, NOT, NEAR),
// quotes, *, ^, :, parentheses and column filters become words or
// separators. There is no prefix search on the last word, even for
// search-as-you-type: the stem of half a word need not be a prefix of the
// stem of the whole word (typing "electi" would search for "electi*", which
// misses "elect", the stem of "election"), and a short prefix such as "a*"
// would read the whole index.
func Query(lang, q string) (fts string, ok bool) {
	ts := QueryTerms(lang, q)
	if len(ts) == 0 {
		return "", false
	}
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		// Terms hold no quotes today; escaping anyway keeps this safe if
		// Normalize ever keeps punctuation.
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
		b.WriteByte('"')
	}
	return b.String(), true
}
