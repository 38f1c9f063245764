package i18n

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"
)

var verb = regexp.MustCompile(`%(\[(\d+)\])?([-+# 0]*\d*(?:\.\d+)?[a-zA-Z%])`)

// verbs are a message's formatting verbs, each with the argument it
// formats (a translation may take them in another order, with explicit
// indexes: "%[2]s … %[1]s"), sorted. A quoted %q counts as %s: a
// translation quotes a value with its own quotation marks, «%s».
func verbs(msg string) string {
	var out []string
	arg := 0
	for _, m := range verb.FindAllStringSubmatch(msg, -1) {
		if m[3] == "%" {
			continue
		}
		if m[3] == "q" {
			m[3] = "s"
		}
		if m[2] != "" {
			arg, _ = strconv.Atoi(m[2])
		} else {
			arg++
		}
		out = append(out, strconv.Itoa(arg)+":"+m[3])
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// Every catalog holds every message of English, each with the same
// placeholders, a message holding a count in every plural form its
// language tells apart, and nothing English lacks.
func TestCatalogsComplete(t *testing.T) {
	en := catalogs["en"]
	for _, lang := range Languages() {
		c := catalogs[lang]
		t.Run(lang, func(t *testing.T) {
			for key, msg := range en.messages {
				got, ok := c.messages[key]
				switch {
				case !ok:
					t.Errorf("%s lacks %q", lang, key)
				case verbs(got) != verbs(msg):
					t.Errorf("%s %q has placeholders %q; English has %q", lang, key, verbs(got), verbs(msg))
				case strings.TrimSpace(got) == "" && strings.TrimSpace(msg) != "":
					t.Errorf("%s %q is empty", lang, key)
				}
			}
			forms := c.PluralForms()
			for key, enForms := range en.plurals {
				got, ok := c.plurals[key]
				if !ok {
					t.Errorf("%s lacks the counted message %q", lang, key)
					continue
				}
				for _, f := range forms {
					msg, ok := got[f]
					if !ok {
						t.Errorf("%s %q lacks the plural form %q (the language has %v)", lang, key, f, forms)
					} else if verbs(msg) != verbs(enForms["other"]) {
						t.Errorf("%s %q (%s) has placeholders %q; English has %q", lang, key, f, verbs(msg), verbs(enForms["other"]))
					}
				}
				for f := range got {
					if !slices.Contains(forms, f) {
						t.Errorf("%s %q has the form %q, which the language does not use (%v)", lang, key, f, forms)
					}
				}
			}
			for key := range c.messages {
				if _, ok := en.messages[key]; !ok {
					t.Errorf("%s has %q, which English has not (or has as a counted message)", lang, key)
				}
			}
			for key := range c.plurals {
				if _, ok := en.plurals[key]; !ok {
					t.Errorf("%s counts %q, which English does not", lang, key)
				}
			}
		})
	}
	if len(en.messages) < 400 || !slices.Contains(slices.Collect(maps.Keys(en.plurals)), "comments.card") {
		t.Fatalf("the English catalog is not the reference it should be: %d messages", len(en.messages))
	}
}

// mailKey is a message key of the mail, quoted, as the mail templates and
// the composing code name it.
var mailKey = regexp.MustCompile(`"(mail\.[a-z0-9_.]+)"`)

// The mail (internal/mail) names only messages the catalogues hold, and
// every message of the mail is named there: a letter never shows a
// bracketed key, and no translation is kept for nothing.
func TestMailUsesItsMessages(t *testing.T) {
	files, _ := filepath.Glob("../mail/templates/*")
	code, _ := filepath.Glob("../mail/*.go")
	used := map[string]bool{}
	for _, f := range append(files, code...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mailKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
			if !Has(m[1]) {
				t.Errorf("%s uses message %q, missing from the catalogue", f, m[1])
			}
		}
	}
	if len(files) < 17 || len(used) < 40 {
		t.Fatalf("found %d mail messages in %d templates: the pattern or the paths are out of date", len(used), len(files))
	}
	for _, keys := range [][]string{slices.Collect(maps.Keys(english)), slices.Collect(maps.Keys(englishPlurals))} {
		for _, key := range keys {
			if strings.HasPrefix(key, "mail.") && !used[key] {
				t.Errorf("the catalogue holds %q, which no mail uses", key)
			}
		}
	}
}

// problemKey is a message key of a problem with what was typed, quoted,
// as the code that finds the problem names it; keyedProblem is any key
// given to errs where a problem is recorded.
var (
	problemKey   = regexp.MustCompile(`"(problem\.[a-z0-9_.]+)"`)
	keyedProblem = regexp.MustCompile(`(?:InvalidKey|AddKey)\([^,()]+, "([a-z0-9_.]+)"`)
)

// The code that finds problems with what was typed names only messages the
// catalogues hold, and every problem message is named somewhere: the
// newsroom never shows a bracketed key, and no translation is kept for
// nothing.
func TestProblemsUseTheirMessages(t *testing.T) {
	used := map[string]bool{}
	recorded := 0
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path == filepath.Join("..", "i18n"):
			return filepath.SkipDir // the catalogues themselves
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range problemKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		for _, m := range keyedProblem.FindAllStringSubmatch(string(b), -1) {
			recorded++
			used[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 70 || recorded < 50 {
		t.Fatalf("found %d problem messages, %d recorded with a key: the patterns or the paths are out of date", len(used), recorded)
	}
	for key := range used {
		if !Has(key) {
			t.Errorf("the code names message %q, missing from the catalogue", key)
		}
	}
	for _, keys := range [][]string{slices.Collect(maps.Keys(english)), slices.Collect(maps.Keys(englishPlurals))} {
		for _, key := range keys {
			if strings.HasPrefix(key, "problem.") && !used[key] {
				t.Errorf("the catalogue holds %q, which no code uses", key)
			}
		}
	}
}

// The plural forms are CLDR's, and the count picks its form.
func TestPlurals(t *testing.T) {
	en := For("en")
	if got := en.T("comments.card", 1); got != "1 comment" {
		t.Errorf("one comment: %q", got)
	}
	if got := en.T("comments.card", 0); got != "0 comments" {
		t.Errorf("no comments: %q", got)
	}
	for lang, want := range map[string][]string{
		"en": {"one", "other"},
		"fa": {"one", "other"},
		"ru": {"one", "few", "many", "other"},
		"ar": {"zero", "one", "two", "few", "many", "other"},
	} {
		c := &Catalog{lang: lang, tag: language.MustParse(lang)}
		if got := c.PluralForms(); !slices.Equal(got, want) {
			t.Errorf("%s plural forms %v, want %v", lang, got, want)
		}
	}
	ru := &Catalog{lang: "ru", tag: language.Russian}
	for n, want := range map[int]string{1: "one", 21: "one", 2: "few", 24: "few", 5: "many", 11: "many", 12: "many", 111: "many", 0: "many"} {
		if got := ru.PluralForm(n); got != want {
			t.Errorf("ru %d: %s, want %s", n, got, want)
		}
	}
}

func TestVerbs(t *testing.T) {
	if verbs("%s a %d b %s") != verbs("%[3]s x %[1]s y %[2]d") {
		t.Errorf("reordered placeholders are not the same: %q, %q", verbs("%s a %d b %s"), verbs("%[3]s x %[1]s y %[2]d"))
	}
	if verbs("slug %q is taken") != verbs("نامک «%s» گرفته شده است") {
		t.Errorf("a translation may quote %%q's value with its own marks: %q, %q", verbs("slug %q is taken"), verbs("نامک «%s» گرفته شده است"))
	}
	if verbs("%s %d") == verbs("%d %s") || verbs("%s") == verbs("%s %s") || verbs("100%% %s") != verbs("%s") {
		t.Error("different placeholders are the same")
	}
}

// Numbers in messages and dates are written in the language's digits.
func TestDigits(t *testing.T) {
	c := &Catalog{lang: "fa", tag: language.Persian, digits: "۰۱۲۳۴۵۶۷۸۹", messages: map[string]string{"x": "%d از %s", "y": "%[2]s: %[1]d"}}
	if got := c.T("x", 1405, "ab12"); got != "۱۴۰۵ از ab12" {
		t.Errorf("T = %q: the number in Persian digits, the text as it is", got)
	}
	if got := c.T("y", 7, "ab12"); got != "ab12: ۷" {
		t.Errorf("T = %q: the number in Persian digits, in the translation's order", got)
	}
}

// A date and its time are joined by the language's comma.
func TestDateTimeComma(t *testing.T) {
	at := time.Date(2026, 11, 29, 8, 30, 0, 0, time.UTC)
	for lang, want := range map[string]string{"en": "29 November 2026, 08:30", "fa": "۸ آذر ۱۴۰۵، ۰۸:۳۰", "ru": "29 ноября 2026, 08:30"} {
		if got := For(lang).DateTime(at); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
