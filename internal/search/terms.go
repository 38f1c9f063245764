package search

import (
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

// Terms returns the index terms of text in order, repeats kept: the words of
// Normalize, stop words dropped, stemmed, and terms shorter than two
// characters dropped. It is what the related-articles engine counts for
// TF-IDF and what a search index stores, joined by spaces.
//
// In English and Russian text each word is stemmed with Snowball by its own
// script, so a Russian article's English names and an English article's
// Russian ones stem as they should. In Persian and Arabic text each word
// of Arabic-script letters is stemmed lightly by that language's rules
// (stemPersian, stemArabic), and words in other scripts are left as they
// are. Words mixing scripts or holding digits are left whole. Other
// languages get the normalised words unstemmed.
func Terms(lang, text string) []string {
	lang = primary(lang)
	ws := words(lang, text)
	stem := stemmer(lang)
	var stems map[string]string // an article repeats its words: stem each once
	if stem != nil {
		stems = make(map[string]string)
	}
	out := ws[:0]
	for _, w := range ws {
		if stem != nil {
			s, ok := stems[w]
			if !ok {
				s = stem(w)
				stems[w] = s
			}
			w = s
		}
		if utf8.RuneCountInString(w) < 2 {
			continue
		}
		out = append(out, w)
	}
	return out
}

// stemmer returns how Terms stems a word of text in language lang (a
// primary subtag), or nil when it does not stem.
func stemmer(lang string) func(string) string {
	switch lang {
	case "en", "ru":
		return stemSnowball
	case "fa":
		return arabicScriptOnly(stemPersian)
	case "ar":
		return arabicScriptOnly(stemArabic)
	}
	return nil
}

// arabicScriptOnly applies stem to words of Arabic-script letters only.
func arabicScriptOnly(stem func(string) string) func(string) string {
	return func(w string) string {
		if script(w) != unicode.Arabic {
			return w
		}
		return stem(w)
	}
}

// stemSnowball stems a word of English or Russian text by its script,
// returning "" for a stop word.
func stemSnowball(w string) string {
	switch script(w) {
	case unicode.Latin:
		if englishStop[w] {
			return ""
		}
		return english.Stem(w, true)
	case unicode.Cyrillic:
		if russianStop[w] {
			return ""
		}
		return russian.Stem(w, true)
	}
	return w
}

// script returns unicode.Latin, unicode.Cyrillic or unicode.Arabic when
// every rune of the word is a letter of that script, and nil otherwise.
func script(w string) *unicode.RangeTable {
	var s *unicode.RangeTable
	for _, r := range w {
		var rs *unicode.RangeTable
		switch {
		case r >= 'a' && r <= 'z', r > 0x7f && unicode.Is(unicode.Latin, r):
			rs = unicode.Latin
		case unicode.Is(unicode.Cyrillic, r) && unicode.IsLetter(r):
			rs = unicode.Cyrillic
		case unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r):
			rs = unicode.Arabic
		default:
			return nil
		}
		if s != nil && s != rs {
			return nil
		}
		s = rs
	}
	return s
}

// Stop words, short on purpose: only function words so frequent that they
// say nothing about an article, written as Normalize leaves them (е for ё).
// Negations stay, in both languages: "no deal" and "не виновен" are news.
// One-letter words (a, и, в, с, к, у, о, я) need no entry: every term
// shorter than two characters is dropped.
var (
	englishStop = set("an", "and", "are", "as", "at", "be", "but", "by", "for",
		"from", "has", "have", "in", "into", "is", "it", "its", "of", "on", "or",
		"that", "the", "their", "this", "to", "was", "were", "will", "with")
	russianStop = set("во", "на", "что", "как", "по", "из", "за", "от",
		"до", "для", "это", "он", "она", "они", "его", "ее", "их", "но", "же", "бы",
		"ли", "со", "при", "или", "об", "то", "так", "уже")
)

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
