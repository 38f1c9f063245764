package search

import (
	"database/sql"
	"slices"
	"strings"
	"testing"
)

// A query finds an article whatever the language of either: each article
// is indexed by its own language's rules, and MatchAny tries them all.
func TestMatchAnyFindsEveryLanguage(t *testing.T) {
	articles := []struct{ lang, body string }{
		{"en", "New homes by the harbour"},
		{"fa", "کتابخانه‌ها در تهران؛ homes"},
		{"ru", "Новые дома у гавани"},
		{"ar", "افتتاح المكتبات في القاهرة"},
	}
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE VIRTUAL TABLE f USING fts5(body, facets, tokenize = "unicode61 remove_diacritics 0 tokenchars '_'")`); err != nil {
		t.Fatal(err)
	}
	for _, a := range articles {
		if _, err := db.Exec(`INSERT INTO f (body, facets) VALUES (?, 's_1')`, strings.Join(Terms(a.lang, a.body), " ")); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		q    string
		want []int64
	}{
		{"homes", []int64{1, 2}},    // the English stem, and the word in Persian text
		{"home", []int64{1}},        // the stem alone
		{"کتابخانه ها", []int64{2}}, // a space where the writer put a ZWNJ
		{"کتابخانهها", []int64{2}},
		{"کتابخانه‌ها", []int64{2}},
		{"کتابخانه", []int64{2}}, // the Persian singular finds the plural
		{"مكتبة", []int64{4}},    // so does the Arabic: المكتبات is مكتبة's
		{"домов", []int64{3}},    // Russian inflection, on any site
		{"المكتبات", []int64{4}},
		{"homes تهران", []int64{2}},
		{"the", nil}, // a stop word in English, in no article's index as a word
	} {
		expr, ok := MatchAny(c.q)
		if !ok {
			t.Errorf("MatchAny(%q) is not ok", c.q)
			continue
		}
		for _, withFacet := range []bool{false, true} {
			e := expr
			if withFacet {
				e += ` AND "s_1"`
			}
			rows, err := db.Query(`SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid`, e)
			if err != nil {
				t.Fatalf("MATCH %q: %v", e, err)
			}
			var got []int64
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				got = append(got, id)
			}
			rows.Close()
			if !slices.Equal(got, c.want) {
				t.Errorf("MATCH %q (for %q) found %v, want %v", e, c.q, got, c.want)
			}
		}
	}
}

// Forms are bounded and never repeat.
func TestQueryForms(t *testing.T) {
	if got := QueryForms("rain"); len(got) != 1 || !slices.Equal(got[0], []string{"rain"}) {
		t.Errorf("QueryForms(rain) = %q, want the one form", got)
	}
	if got := QueryForms("homes"); len(got) != 2 {
		t.Errorf("QueryForms(homes) = %q, want the stem and the word", got)
	}
	if got := QueryForms("المدرسة"); len(got) != 2 {
		t.Errorf("QueryForms(المدرسة) = %q, want the Arabic stem and the word", got)
	}
	if got := QueryForms("!!"); len(got) != 0 {
		t.Errorf("QueryForms(!!) = %q, want none", got)
	}
	long := strings.Repeat("homes houses ", 40)
	for _, f := range QueryForms(long) {
		if len(f) > maxQueryTerms {
			t.Errorf("a form of %d terms", len(f))
		}
	}
}
