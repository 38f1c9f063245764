// Package search owns language-aware text normalisation: the one place that
// decides which spellings of a word count as the same word. Full-text search
// indexes articles and reads readers' queries through it, and the
// related-articles engine feeds its Terms into TF-IDF, so an article and the
// words typed to find it always go through the same rules.
//
// Normalize gives the folded words; Terms also drops stop words and stems;
// Query and QueryTerms turn a reader's query, however hostile, into the same
// Terms, ready for SQLite FTS5 or for another engine. An index must store
// strings.Join(Terms(lang, text), " ") and be searched with Query or
// QueryTerms for the same language: that is what makes stems meet stems. An
// FTS5 table over that text may keep the default unicode61 tokenizer or use
// ascii, which splits only where Normalize did; the tests run both.
//
// Script rules apply whatever the language tag says, because a query and the
// article it looks for may carry different tags, and a Russian article
// quotes English names while a Persian one quotes Arabic: Arabic-script
// letters, digits and diacritics are folded the same way for every language,
// and so is Cyrillic ё. Only joining and separating Persian affixes, stop
// words and stemming depend on the language.
//
// What Terms stems, by the article's (or query form's) language:
//
//   - English and Russian: every Latin or Cyrillic word, with Snowball.
//   - Persian: Arabic-script words, lightly (stemPersian): the plural ها
//     and its ezafe, indefinite and possessive forms, the plurals ان, یان
//     and گان, the Arabic plural ات read as its singular in ه, the
//     possessives شان and اش, the comparative تر and superlative ترین,
//     each only when enough of the word is left. Not stemmed: a final ی
//     or ه, the first and second persons, verbs, and irregular or Arabic
//     broken plurals (اخبار stays apart from خبر).
//   - Arabic: Arabic-script words, lightly (stemArabic): the definite
//     article with و, ف, ب, ک or ل before it, the pronoun ها, the sound
//     plurals ون and ین and the feminine ات (read as its singular in ة).
//     Not stemmed: a bare و, a final ة or ه, ي and ية, the dual ان, and
//     broken plurals (مدارس stays apart from مدرسة), which a light
//     stemmer cannot reach without a dictionary of roots.
//   - Every other language, and words of other scripts in Persian or
//     Arabic text: not stemmed.
//
// The light stemmers strip less than the published ones they follow,
// because a wrong conflation (مهمان, guest, read as مهم, important)
// pollutes every search for either word, while a missed one only leaves
// a form unfound. Changing what Terms returns changes what an index
// holds: after such a change an existing index must be rebuilt
// (`broadsheet reindex`) for old articles to be found by the new terms.
package search

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Normalize returns text as the words an index or a query sees, separated by
// single spaces, without stemming:
//
//   - NFKC, which also turns Arabic presentation forms and ligatures into
//     plain letters and full-width or mathematical digits into ASCII, then
//     full Unicode case folding (ß is ss, final ς is σ);
//   - Arabic script: harakat, Quranic marks, superscript alef and tatweel
//     are removed; Arabic yeh ي and alef maksura ى become Persian yeh ی,
//     Arabic kaf ك becomes keheh ک, alef with hamza or madda and alef wasla
//     become bare alef ا, teh marbuta ة and heh with yeh ۀ become heh ه:
//     readers type each of these pairs either way, keyboards differ;
//   - Persian ۰–۹ and Arabic-Indic ٠–٩ digits become ASCII 0–9;
//   - ё becomes е, and the dot that folding İ leaves on i goes;
//   - invisible format characters (ZWNJ, ZWJ, soft hyphen, bidi marks) are
//     removed, joining what they stand between; zero-width space separates;
//   - anything that is not a letter, digit or kept combining mark (spaces,
//     punctuation, symbols, control characters, invalid UTF-8) separates.
//
// ZWNJ: a Persian writer types "they want" as می‌خواهند (with ZWNJ, the
// standard), میخواهند (without) or می خواهند (with a space), and a reader may
// type any of the three. Removing ZWNJ makes the first two one word; for
// Persian, Normalize also joins the prefixes می and نمی to the word after a
// space, and the suffixes ها, های, هایی and ترین to the word before one, so
// all three spellings become the single word میخواهند. Joining rather than
// splitting keeps one term per word, which is what TF-IDF should count, and
// never turns a prefix into a word that matches everything. The one ZWNJ
// that separates is the one after a silent heh before the ezafe ی or
// before ای (هسته‌ای, nuclear, is هسته ای): joined, the word would end
// like a plural in های, and stemming would make it هست (is).
func Normalize(lang, text string) string {
	return strings.Join(words(primary(lang), text), " ")
}

// primary returns the lower-case primary subtag of a language tag:
// "fa-IR" and "FA_ir" are "fa".
func primary(lang string) string {
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	return strings.ToLower(strings.TrimSpace(lang))
}

// words does Normalize's work on a primary subtag and returns the words.
func words(lang, text string) []string {
	text = strings.ToValidUTF8(text, " ")
	// NFKC before folding, so that compatibility letters such as ℌ fold too.
	text = cases.Fold().String(norm.NFKC.String(text))

	var out []string
	var w []byte
	base := false // w has a letter or digit, not only marks
	zwnj := -1    // where in w the last ZWNJ was dropped
	flush := func() {
		if base {
			if lang == "fa" && zwnj > 0 && persianClitic(w[:zwnj], w[zwnj:]) {
				out = append(out, string(w[:zwnj]), string(w[zwnj:]))
			} else {
				out = append(out, string(w))
			}
		}
		w, base, zwnj = w[:0], false, -1
	}
	var prev rune
	for _, r := range text {
		if r == '\u200c' {
			zwnj = len(w)
		}
		r, keep := fold(r, prev)
		prev = r
		switch {
		case !keep:
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			w = utf8.AppendRune(w, r)
			base = true
		case unicode.IsMark(r):
			w = utf8.AppendRune(w, r)
		default:
			flush()
		}
	}
	flush()
	if lang == "fa" {
		out = joinPersianAffixes(out)
	}
	return out
}

// fold maps one case-folded rune to what the index keeps; keep is false for
// runes that vanish without separating words. prev is the rune before.
func fold(r, prev rune) (_ rune, keep bool) {
	switch {
	case r < 0x80:
		return r, true
	case r == '\u200b': // zero-width space: a word break, so a separator
		return ' ', true
	case unicode.Is(unicode.Cf, r): // ZWNJ, ZWJ, soft hyphen, bidi marks, BOM
		return r, false
	case r == '\u0307' && prev == 'i': // what folding Turkish İ leaves
		return r, false
	case r >= 0x0600 && r <= 0x06ff || r >= 0x08a0 && r <= 0x08ff:
		return foldArabic(r)
	case r == 'ё':
		return 'е', true
	case r >= 0xab70 && r <= 0xabbf:
		// Cherokee small letters: Unicode folds them to the capitals
		// (CaseFolding.txt), but x/text's Fold lowers the capitals, so
		// text folded twice would swap back and forth. Capitals it is.
		return r - 0xab70 + 0x13a0, true
	case r >= 0x13f8 && r <= 0x13fd:
		return r - 8, true
	}
	return r, true
}

// foldArabic folds a rune of the Arabic and Arabic Extended-A blocks.
func foldArabic(r rune) (_ rune, keep bool) {
	switch {
	case unicode.Is(unicode.Mn, r): // harakat, superscript alef, Quranic marks
		return r, false
	case r == '\u0640': // tatweel
		return r, false
	case r == 'ي' || r == 'ى':
		return 'ی', true
	case r == 'ك':
		return 'ک', true
	case r == 'أ' || r == 'إ' || r == 'آ' || r == 'ٱ':
		return 'ا', true
	case r == 'ة' || r == 'ۀ':
		return 'ه', true
	case r >= '٠' && r <= '٩':
		return '0' + r - '٠', true
	case r >= '۰' && r <= '۹':
		return '0' + r - '۰', true
	}
	return r, true
}

// persianClitic reports whether the end of a Persian word, written after a
// ZWNJ, is the ezafe ی or the ای (a, -ic, you are) that follow a silent
// heh: خانه‌ی, هسته‌ای. Such an end is a word of its own, as when typed
// after a space; joined, هسته‌ای would read as the plural های of هست.
func persianClitic(word, end []byte) bool {
	return (string(end) == "ی" || string(end) == "ای") && bytes.HasSuffix(word, []byte("ه"))
}

// Persian affixes written as separate words, joined by joinPersianAffixes.
// Each is rare as a word of its own; تر ("wet") and بی ("without") are
// common ones, so they are not here.
var (
	persianPrefixes = map[string]bool{"می": true, "نمی": true}
	persianSuffixes = map[string]bool{"ها": true, "های": true, "هایی": true, "ترین": true}
)

// joinPersianAffixes joins a verbal prefix to the Arabic-script word after
// it and a plural or superlative suffix to the Arabic-script word before it,
// reusing ws.
func joinPersianAffixes(ws []string) []string {
	out := ws[:0]
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if persianPrefixes[w] && i+1 < len(ws) && arabicScript(firstRune(ws[i+1])) {
			ws[i+1] = w + ws[i+1]
			continue
		}
		if persianSuffixes[w] && len(out) > 0 && arabicScript(lastRune(out[len(out)-1])) {
			out[len(out)-1] += w
			continue
		}
		out = append(out, w)
	}
	return out
}

func arabicScript(r rune) bool { return unicode.Is(unicode.Arabic, r) }

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}
