package search

import (
	"slices"
	"strings"
)

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
	quoteTerms(&b, ts)
	return b.String(), true
}

// quoteTerms writes ts as double-quoted FTS5 strings separated by spaces.
func quoteTerms(b *strings.Builder, ts []string) {
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
}

// indexRules names one language for each set of rules Terms can index an
// article by: English and Russian stem each word by its script, Persian
// joins its affixes and stems its words, Arabic stems its words, and
// every other language does none of these.
var indexRules = []string{"en", "fa", "ar", "und"}

// QueryForms returns the ways a reader's query q can have been indexed:
// QueryTerms of q under each set of indexing rules, without repeats,
// leaving out those under which nothing searchable remains. An article was
// indexed by its own language's rules, which the reader cannot know (an
// English site quotes a Persian book title; a Persian one an English
// name), so a search matches an article that holds every term of any one
// form: "homes" finds the English stem "home" and the word "homes" in a
// Persian article; "کتابخانه ها" finds the Persian stem "کتابخانه" and the
// two words elsewhere; "المدرسة" finds the Arabic stem "مدرسه" and the
// word "المدرسه" in a Persian article.
func QueryForms(q string) [][]string {
	var out [][]string
	for _, lang := range indexRules {
		ts := QueryTerms(lang, q)
		if len(ts) == 0 || slices.ContainsFunc(out, func(f []string) bool { return slices.Equal(f, ts) }) {
			continue
		}
		out = append(out, ts)
	}
	return out
}

// MatchAny is Query for QueryForms: an FTS5 MATCH expression that holds
// every term of at least one form, in parentheses so that it can be
// ANDed with more. ok is false when nothing searchable remains.
func MatchAny(q string) (fts string, ok bool) {
	forms := QueryForms(q)
	if len(forms) == 0 {
		return "", false
	}
	var b strings.Builder
	b.WriteByte('(')
	for i, f := range forms {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteByte('(')
		quoteTerms(&b, f)
		b.WriteByte(')')
	}
	b.WriteByte(')')
	return b.String(), true
}

// FormTerms is every term of forms once, in order: what a page
// highlights.
func FormTerms(forms [][]string) []string {
	var out []string
	for _, f := range forms {
		for _, t := range f {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}
