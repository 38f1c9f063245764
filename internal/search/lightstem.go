package search

import (
	"strings"
	"unicode/utf8"
)

// Light stemmers for Persian and Arabic: they strip the few affixes that
// are inflection, never derivation, and leave the rest of a word alone.
// A word's root is out of their reach, and so are the plurals Arabic and
// Persian make inside the word (broken plurals: مدرسة, مدارس; خبر,
// اخبار). They follow the published light stemmers (Larkey, Ballesteros
// and Connell's light10 for Arabic; the suffix lists of the Persian ones)
// but strip less, because a wrong conflation puts another word's articles
// into every search for this one, while a missed one only leaves a form
// to type. Each rule below says what it gives up.
//
// They read words as Normalize leaves them, so every affix is written in
// its folded letters: Arabic yeh ي as Persian yeh ی, teh marbuta ة as heh
// ه, kaf ك as keheh ک, and Persian affixes already joined to their word.
// Lengths are counted in letters, and a rule applies only when at least
// its minimum is left.

// stemPersian stems a Persian word of Arabic-script letters, outermost
// suffix first: a possessive, the plural ها, another plural, then the
// comparative or superlative.
//
// Not stripped: a final ی, which is the indefinite article but also
// makes adjectives and nouns (ایرانی Iranian, بازی game from باز open,
// جمهوری republic beside جمهور public); a final ه (خانه stays); the
// first and second persons (ام، ات، مان، تان), rare in news and colliding
// with word endings (اعلام, انجام, ساختمان); a bare ش (گزارش, ارتش); the
// verbal prefixes, which Normalize joins but which stay; and verbs.
func stemPersian(w string) string {
	// Their, after at least four letters (not نشان, ایشان, پریشان); his or
	// her after a silent heh (خانه‌اش), which writes it with an alef.
	if s, ok := cutSuffix(w, "شان", 4); ok {
		w = s
	} else if s, ok := cutSuffix(w, "اش", 3); ok && strings.HasSuffix(s, "ه") {
		w = s
	}
	// The plural ها, with an ezafe, indefinite or possessive after it,
	// leaving three letters: تنها (alone) is not تن (body).
	w = cutFirst(w, persianHa, 3)
	// One more plural: گان after a silent heh, which it replaces
	// (نمایندگان, نماینده); یان after a vowel (دانشجویان); ان (رهبران);
	// the Arabic ات, read as the singular in ه it mostly comes from
	// (مذاکرات, مذاکره; حملات, حمله), and not after a heh, where it is
	// "your" (خانه‌ات). Four letters must stay for ان, because many
	// nouns and names end in it: ایران, تهران, میزان, مهمان, بحران,
	// زندان, آلمان keep their last letters, at the cost of مردان and
	// پسران, which keep theirs too.
	if s, ok := cutSuffix(w, "گان", 4); ok {
		w = s + "ه"
	} else if s, ok := cutSuffix(w, "یان", 4); ok && (strings.HasSuffix(s, "ا") || strings.HasSuffix(s, "و")) {
		w = s
	} else if s, ok := cutSuffix(w, "ان", 4); ok {
		w = s
	} else if s, ok := cutSuffix(w, "ات", 3); ok && !strings.HasSuffix(s, "ه") {
		w = s + "ه"
	}
	// The superlative ترین is almost never the end of another word; the
	// comparative تر often is (دفتر, دختر, فیلتر), so it leaves four.
	if s, ok := cutSuffix(w, "ترین", 3); ok {
		w = s
	} else if s, ok := cutSuffix(w, "تر", 4); ok {
		w = s
	}
	return w
}

// persianHa are the forms of the plural ها, longest first: bare, with
// an ezafe, with the indefinite, with "his" or "her" (with "their" it is
// هایشان, whose شان goes first). "My" and "your" (هایم, هایت) are left
// out: after a silent heh ایم and اید are also "we have" and "you have"
// (گفته‌ایم).
var persianHa = []string{"هایی", "هایش", "های", "ها"}

// stemArabic stems an Arabic word of Arabic-script letters: the definite
// article with what is joined before it, the pronoun ها (her, their),
// then a sound plural.
//
// Not stripped, though light10 strips them: a bare و (and), which begins
// too many words (وزير, وزارة, واحد); a final ه, which after folding is
// both teh marbuta and "his", and whose removal would make مكتبة
// (library) مكتب (office), جامعة (university) جامع (mosque), منطقة
// (region) منطق (logic); ي and ية, which make adjectives whose stem is
// another word (دولي international and دول countries, رئيسي main and
// رئيس president); and the dual ان, rare in news beside the names that
// end in it (لبنان, إيران, عمان).
func stemArabic(w string) string {
	// The article, leaving three letters: الله is not له. The known cost
	// is a word that begins with these letters, والدين (parents), which
	// becomes دين (religion).
	for _, p := range arabicArticles {
		if s, ok := cutPrefix(w, p, 3); ok {
			w = s
			break
		}
	}
	if s, ok := cutSuffix(w, "ها", 3); ok {
		w = s
	}
	// The sound feminine plural is read as its singular in ة (folded to
	// ه), which it nearly always comes from: منظمات is منظمة, قوات is
	// قوة, without making any word its neighbour; the plurals in ات of
	// other words (انتخابات) do not meet their singular. The sound masculine
	// plural leaves four letters: المواطنين is مواطن, but البحرين
	// (Bahrain) is not البحر (the sea), nor قانون (law) قان.
	if s, ok := cutSuffix(w, "ات", 2); ok {
		w = s + "ه"
	} else if s, ok := cutSuffix(w, "ون", 4); ok {
		w = s
	} else if s, ok := cutSuffix(w, "ین", 4); ok {
		w = s
	}
	return w
}

// arabicArticles are the definite article and the article after a
// conjunction or preposition joined to it, longest first; لل is ل with
// the article, whose alef it drops.
var arabicArticles = []string{"وال", "فال", "بال", "کال", "لل", "ال"}

// cutSuffix returns w without suffix when w ends in it and at least min
// letters remain.
func cutSuffix(w, suffix string, min int) (string, bool) {
	s, ok := strings.CutSuffix(w, suffix)
	return s, ok && utf8.RuneCountInString(s) >= min
}

// cutPrefix returns w without prefix when w begins with it and at least
// min letters remain.
func cutPrefix(w, prefix string, min int) (string, bool) {
	s, ok := strings.CutPrefix(w, prefix)
	return s, ok && utf8.RuneCountInString(s) >= min
}

// cutFirst returns w without the first of suffixes it ends in, when at
// least min letters remain, and w unchanged otherwise.
func cutFirst(w string, suffixes []string, min int) string {
	for _, suffix := range suffixes {
		if s, ok := strings.CutSuffix(w, suffix); ok {
			if utf8.RuneCountInString(s) >= min {
				return s
			}
			return w
		}
	}
	return w
}
