package search

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, lang, in, want string
	}{
		{"english case and punctuation", "en", "Parliament's vote: \"No deal\" (again)!", "parliament s vote no deal again"},
		{"spaces collapse", "en", "  one\t\ttwo\n\nthree  ", "one two three"},
		{"full case folding", "de", "STRASSE Straße", "strasse strasse"},
		{"compatibility forms", "en", "ｆｕｌｌｗｉｄｔｈ ２０２４ ﬁnance", "fullwidth 2024 finance"},
		{"turkish capital i", "en", "İstanbul", "istanbul"},
		{"control characters separate", "en", "a\x00b\x07c", "a b c"},
		{"invalid utf-8 separates", "en", "bad\xff\xfebytes", "bad bytes"},
		{"zero-width space separates", "en", "two\u200bwords", "two words"},
		{"soft hyphen joins", "en", "news\u00adpaper", "newspaper"},
		{"cherokee folds to its capitals either way", "en", "Ꮺ0 ꮺ0 ᏸ Ᏸ", "Ꮺ0 Ꮺ0 Ᏸ Ᏸ"},
		{"persian arabic letters", "fa", "كتاب علي", "کتاب علی"},
		{"persian digits", "fa", "سال ۱۴۰۳", "سال 1403"},
		{"persian zwnj", "fa", "می‌خواهند", "میخواهند"},
		{"persian prefix after space", "fa", "نمی خواهند", "نمیخواهند"},
		{"persian plural after space", "fa", "کتاب ها", "کتابها"},
		{"persian ezafe", "fa", "خانۀ دوست خانهٔ دوست", "خانه دوست خانه دوست"},
		{"persian ezafe after zwnj separates", "fa", "خانه‌ی دوست", "خانه ی دوست"},
		{"persian -ای after zwnj separates", "fa", "هسته‌ای", "هسته ای"},
		{"persian -ای after zwnj and arabic yeh", "fa", "هسته‌اي", "هسته ای"},
		{"persian zwnj before ای after a letter not heh joins", "fa", "پا‌ای", "پاای"},
		{"persian zwnj separating only for persian", "ar", "هسته‌ای", "هستهای"},
		{"persian prefix alone stays", "fa", "می", "می"},
		{"persian prefix before latin stays", "fa", "می iran", "می iran"},
		{"persian joining only for persian", "ar", "می خواهند", "می خواهند"},
		{"arabic harakat", "ar", "الْعَرَبِيَّةُ", "العربیه"},
		{"arabic tatweel", "ar", "العـــربية", "العربیه"},
		{"arabic superscript alef", "ar", "هٰذا", "هذا"},
		{"arabic-indic digits", "ar", "٢٠٢٤", "2024"},
		{"arabic alef forms", "ar", "أحمد إلى آمن ٱلله", "احمد الی امن الله"},
		{"arabic presentation forms", "ar", "ﻻ ﺍﻟﻌﺮﺑﻴﺔ", "لا العربیه"},
		{"arabic punctuation separates", "ar", "قال،مرحبا؟نعم", "قال مرحبا نعم"},
		{"russian yo", "ru", "Ёлка ёж", "елка еж"},
		{"russian case", "ru", "ВЫБОРЫ В Москве", "выборы в москве"},
		{"lone marks are no word", "en", "\u0301 a\u0301", "á"},
		{"empty", "en", "", ""},
		{"only punctuation", "en", "\"*\" () ^: --", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.lang, tt.in); got != tt.want {
				t.Errorf("Normalize(%q, %q) = %q, want %q", tt.lang, tt.in, got, tt.want)
			}
		})
	}
}

// TestSameTerms lists spellings a reader may type for the same words: each
// pair must give the same terms, so a query in one finds an article in the
// other.
func TestSameTerms(t *testing.T) {
	tests := []struct {
		name, lang, a, b string
	}{
		{"persian headline in arabic letters", "fa",
			"وزير امور خارجه ايران گفت مذاكرات در وين ادامه مي‌يابد",
			"وزیر امور خارجه ایران گفت مذاکرات در وین ادامه می‌یابد"},
		{"persian alef maksura", "fa", "مصطفى", "مصطفی"},
		{"persian with and without zwnj", "fa", "آنها می‌خواهند", "آنها میخواهند"},
		{"persian zwnj and space", "fa", "آنها می‌خواهند", "آنها می خواهند"},
		{"persian negative prefix", "fa", "نمی‌توانند", "نمی توانند"},
		{"persian plural", "fa", "رسانه‌های مستقل", "رسانه های مستقل"},
		{"persian superlative", "fa", "بزرگ‌ترین انتخابات", "بزرگ ترین انتخابات"},
		{"persian -ای with zwnj and space", "fa", "انرژی هسته‌ای", "انرژی هسته ای"},
		{"persian plural and singular", "fa", "کتاب‌های تازه", "کتاب تازه"},
		{"arabic article and conjunction", "ar", "والمدرسة الجديدة", "مدرسة جديدة"},
		{"persian digits", "fa", "انتخابات ریاست جمهوری ۱۴۰۳", "انتخابات ریاست جمهوری 1403"},
		{"persian zwnj with arabic letters", "fa", "مي‌خواهند", "میخواهند"},
		{"arabic harakat", "ar", "اللُّغَةُ الْعَرَبِيَّةُ", "اللغة العربية"},
		{"arabic tatweel", "ar", "اللغـــة العـــربية", "اللغة العربية"},
		{"arabic-indic digits", "ar", "قمة ٢٠٢٤", "قمة 2024"},
		{"arabic hamza on alef", "ar", "أعلنت الأمم المتحدة", "اعلنت الامم المتحدة"},
		{"arabic teh marbuta", "ar", "مدينة غزة", "مدينه غزه"},
		{"russian yo", "ru", "ёлка", "елка"},
		{"russian case", "ru", "ВЫБОРЫ В ГОСДУМУ", "выборы в госдуму"},
		{"russian inflection", "ru", "выборы", "выборов"},
		{"russian instrumental", "ru", "выборами", "выборы"},
		{"english inflection", "en", "elections", "election"},
		{"english verb", "en", "running", "runs"},
		{"english stop words", "en", "The Fall of the Berlin Wall", "fall berlin wall"},
		{"russian stop words", "ru", "Путин и Трамп на саммите в Хельсинки", "Путин Трамп саммите Хельсинки"},
		{"english names in russian", "ru", "Дональд Трамп цитирует The New York Times", "Дональд Трамп цитирует new york time"},
		{"russian names in english", "en", "the word выборы", "word выборов"},
		{"language tag region", "en-GB", "running elections", "run elect"},
		{"language tag case and underscore", "RU_ru", "ВЫБОРАМИ", "выборы"},
		{"persian tag region", "fa-IR", "كتاب‌ها", "کتاب ها"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Terms(tt.lang, tt.a), Terms(tt.lang, tt.b)
			if !slices.Equal(a, b) {
				t.Errorf("Terms(%q, %q) = %q, but Terms(%q, %q) = %q; want them equal", tt.lang, tt.a, a, tt.lang, tt.b, b)
			}
			if len(a) == 0 {
				t.Errorf("Terms(%q, %q) is empty", tt.lang, tt.a)
			}
		})
	}
}

func TestTerms(t *testing.T) {
	tests := []struct {
		name, lang, in string
		want           []string
	}{
		{"english stems", "en", "Elections: the elected are running and runs", []string{"elect", "elect", "run", "run"}},
		{"english stop words and one letter", "en", "A tale of two cities", []string{"tale", "two", "citi"}},
		{"russian stems", "ru", "Выборы, выборов, выборами", []string{"выбор", "выбор", "выбор"}},
		{"russian stop words", "ru", "Я и ты, это не он", []string{"ты", "не"}},
		{"latin in russian stemmed as english", "ru", "Elections в России", []string{"elect", "росс"}},
		{"cyrillic in english stemmed as russian", "en", "Moscow calls them выборами", []string{"moscow", "call", "them", "выбор"}},
		{"mixed script word left whole", "en", "covid19 iphoneы", []string{"covid19", "iphoneы"}},
		{"persian stemmed", "fa", "کتاب‌های جدید و قدیمی", []string{"کتاب", "جدید", "قدیمی"}},
		{"arabic stemmed", "ar", "الكُتُبُ الجديدة", []string{"کتب", "جدیده"}},
		{"latin in persian unstemmed", "fa", "Elections در تهران", []string{"elections", "در", "تهران"}},
		{"arabic script in english unstemmed", "en", "کتابها and الكتب", []string{"کتابها", "الکتب"}},
		{"other language unstemmed", "de", "Die Wahlen in Berlin", []string{"die", "wahlen", "in", "berlin"}},
		{"no words", "en", "!!! ... ???", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Terms(tt.lang, tt.in)
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Terms(%q, %q) = %q, want %q", tt.lang, tt.in, got, tt.want)
			}
		})
	}
}

func TestQuery(t *testing.T) {
	long := strings.Repeat("x", maxTermBytes+1)
	var many []string
	for i := range maxQueryTerms + 4 {
		many = append(many, fmt.Sprintf("word%d", i))
	}
	tests := []struct {
		name, lang, in string
		want           string // "" means ok is false
	}{
		{"english", "en", "Running elections", `"run" "elect"`},
		{"repeats once", "en", "election elections elected", `"elect"`},
		{"persian variants meet", "fa", "مي خواهند", `"میخواهند"`},
		{"russian", "ru-RU", "Выборами в Москве", `"выбор" "москв"`},
		{"operators are words", "fa", "جنگ AND صلح OR NOT NEAR", `"جنگ" "and" "صلح" "or" "not" "near"`},
		{"column filter is a word", "en", "title:election", `"titl" "elect"`},
		{"prefix star is dropped", "en", "elect*", `"elect"`},
		{"over-long term dropped", "en", long + " vote", `"vote"`},
		{"at most 16 terms", "en", strings.Join(many, " "), `"` + strings.Join(many[:maxQueryTerms], `" "`) + `"`},
		{"only stop words", "en", "the of and", ""},
		{"only one letter words", "ru", "я и в", ""},
		{"empty", "en", "", ""},
		{"only punctuation", "en", `"*" ( ) ^ : -`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Query(tt.lang, tt.in)
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("Query(%q, %q) = %q, %v; want %q, %v", tt.lang, tt.in, got, ok, tt.want, tt.want != "")
			}
		})
	}
}

// hostileQueries are what a reader, or a bot, may type into the search box.
var hostileQueries = []string{
	`"`, `""`, `"""`, `"*"`, `*`, `**`, `"unbalanced quote`, `unbalanced" quote"`,
	`a AND b`, `a OR b`, `NOT a`, `a NOT`, `AND`, `OR OR OR`, `NEAR(a b)`, `NEAR("a" "b", 5)`, `NEAR`,
	`^start`, `title:election`, `body: x`, `{title body}: x`, `-title: x`, `t:"x" AND`,
	`(a OR b`, `a)`, `((()))`, `a + b`, `a*b*`, `"a" * "b"`, `'; DROP TABLE t; --`,
	"\x00", "a\x00b", "\xff\xfe\xfd", "\xe2\x80", "a\xc0\x80b", "\u202eevil\u202c", "\u200c\u200d\ufeff",
	strings.Repeat("a", 10000),
	strings.Repeat("ы ", 5000),
	strings.Repeat(`"NEAR(" `, 1250),
	strings.Repeat("مي‌خواهند ", 1000),
}

func TestQueryHostile(t *testing.T) {
	idx := openFTS(t)
	for _, lang := range []string{"en", "ru", "fa", "ar", "zh", ""} {
		for i, q := range hostileQueries {
			t.Run(fmt.Sprintf("%s/%d", lang, i), func(t *testing.T) {
				checkQuery(t, idx, lang, q)
			})
		}
	}
}

// checkQuery fails t unless Query(lang, q) is either not ok or a well-formed
// expression that every FTS5 table runs without error.
func checkQuery(t *testing.T, idx *ftsIndex, lang, q string) {
	t.Helper()
	got, ok := Query(lang, q)
	if !ok {
		if got != "" {
			t.Errorf("Query(%q, %.40q) = %q, false; want an empty expression", lang, q, got)
		}
		return
	}
	terms, err := parseQuery(got)
	if err != nil {
		t.Fatalf("Query(%q, %.40q) = %q: %v", lang, q, got, err)
	}
	if !slices.Equal(terms, QueryTerms(lang, q)) {
		t.Errorf("Query(%q, %.40q) = %q, not the quoted QueryTerms %q", lang, q, got, QueryTerms(lang, q))
	}
	for i, match := range idx.match {
		var n int
		if err := match.QueryRow(got).Scan(&n); err != nil {
			t.Fatalf("Query(%q, %.40q) = %q: %s MATCH: %v", lang, q, got, ftsTables[i], err)
		}
	}
}

// parseQuery reads Query's output format, nothing more: double-quoted terms
// with "" for a quote inside, separated by single spaces, at most
// maxQueryTerms of at most maxTermBytes each, none empty.
func parseQuery(s string) ([]string, error) {
	var terms []string
	for i := 0; i < len(s); {
		if len(terms) > 0 {
			if s[i] != ' ' {
				return nil, fmt.Errorf("byte %d: %q where a space belongs", i, s[i])
			}
			i++
		}
		if i >= len(s) || s[i] != '"' {
			return nil, fmt.Errorf("byte %d: no opening quote", i)
		}
		i++
		var term strings.Builder
		for {
			if i >= len(s) {
				return nil, errors.New("unterminated term")
			}
			if s[i] == '"' {
				if i+1 < len(s) && s[i+1] == '"' {
					term.WriteByte('"')
					i += 2
					continue
				}
				i++
				break
			}
			term.WriteByte(s[i])
			i++
		}
		if term.Len() == 0 || term.Len() > maxTermBytes {
			return nil, fmt.Errorf("term %q: length %d", term.String(), term.Len())
		}
		terms = append(terms, term.String())
	}
	if len(terms) == 0 || len(terms) > maxQueryTerms {
		return nil, fmt.Errorf("%d terms", len(terms))
	}
	return terms, nil
}

// ftsTables are one FTS5 table per tokenizer an index might use: the
// default unicode61 and ascii, which splits only where Normalize does.
var ftsTables = []string{"uni", "ascii"}

// indexed are the articles every FTS5 table in openFTS holds, stored the way
// an index must store them: Terms joined by spaces.
var indexed = []struct{ lang, body string }{
	{"en", "The elections in Moscow: voters were running out of patience"},
	{"ru", "Ёлка на Красной площади и выборы в Госдуму"},
	{"fa", "وزیر امور خارجه ایران می‌گوید مذاکرات هسته‌ای ادامه خواهد یافت؛ آنها می‌خواهند توافق کنند. سال ۱۴۰۳"},
	{"ar", "أعلنت الأُمَمُ المتحدة أنّ اللُّغَةُ الْعَرَبِيَّةُ لغة رسمية منذ عام ١٩٧٣"},
}

// ftsIndex is an in-memory SQLite database with the ftsTables, each holding
// the indexed articles, rowid 1 onwards, and a prepared count of MATCH ?
// for each table.
type ftsIndex struct {
	db    *sql.DB
	match []*sql.Stmt
}

func openFTS(tb testing.TB) *ftsIndex {
	tb.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // every connection would be its own :memory: database
	if _, err := db.Exec(`
		CREATE VIRTUAL TABLE uni USING fts5(body);
		CREATE VIRTUAL TABLE ascii USING fts5(body, tokenize = 'ascii');`); err != nil {
		tb.Fatal(err)
	}
	for _, table := range ftsTables {
		for _, a := range indexed {
			if _, err := db.Exec(`INSERT INTO `+table+`(body) VALUES (?)`, strings.Join(Terms(a.lang, a.body), " ")); err != nil {
				tb.Fatal(err)
			}
		}
	}
	idx := &ftsIndex{db: db}
	for _, table := range ftsTables {
		st, err := db.Prepare(`SELECT count(*) FROM ` + table + ` WHERE ` + table + ` MATCH ?`)
		if err != nil {
			tb.Fatal(err)
		}
		idx.match = append(idx.match, st)
	}
	return idx
}

// TestQueryFindsArticle runs queries typed the way readers type them against
// the indexed articles.
func TestQueryFindsArticle(t *testing.T) {
	db := openFTS(t).db
	tests := []struct {
		name, lang, q string
		want          []int64 // rowids of indexed
	}{
		{"english stem", "en", "election moscow", []int64{1}},
		{"english other form", "en", "Elected runs", []int64{1}},
		{"english hostile", "en", `"elections" AND (moscow* OR`, []int64{1}},
		{"english all terms required", "en", "elections paris", nil},
		{"russian without yo", "ru", "елка", []int64{2}},
		{"russian inflected", "ru", "выборами Госдумы", []int64{2}},
		{"persian arabic letters", "fa", "مذاكرات هسته‌اي", []int64{3}},
		{"persian without zwnj", "fa", "میخواهند", []int64{3}},
		{"persian with space", "fa", "می خواهند", []int64{3}},
		{"persian ascii digits", "fa", "1403", []int64{3}},
		{"arabic without harakat", "ar", "اللغة العربية", []int64{4}},
		{"arabic with tatweel", "ar", "العـــربية", []int64{4}},
		{"arabic western digits", "ar", "1973", []int64{4}},
		{"arabic bare alef", "ar", "اعلنت الامم", []int64{4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expr, ok := Query(tt.lang, tt.q)
			if !ok {
				t.Fatalf("Query(%q, %q) is not ok", tt.lang, tt.q)
			}
			for _, table := range ftsTables {
				rows, err := db.Query(`SELECT rowid FROM `+table+` WHERE `+table+` MATCH ? ORDER BY rowid`, expr)
				if err != nil {
					t.Fatalf("%s MATCH %q: %v", table, expr, err)
				}
				var got []int64
				for rows.Next() {
					var id int64
					if err := rows.Scan(&id); err != nil {
						t.Fatal(err)
					}
					got = append(got, id)
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				rows.Close()
				if !slices.Equal(got, tt.want) {
					t.Errorf("%s MATCH Query(%q, %q) = %q found %v, want %v", table, tt.lang, tt.q, expr, got, tt.want)
				}
			}
		})
	}
}
