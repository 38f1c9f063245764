// Package i18n is the message catalog: every string the reading site and
// the newsroom show that is not content comes from here, in each language
// the site speaks, with the rules of that language for plurals, digits,
// writing direction and dates (the Solar Hijri calendar in Persian).
package i18n

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Catalog holds the messages of one language.
type Catalog struct {
	lang     string
	tag      language.Tag
	messages map[string]string
	// plurals are the messages holding a count, by CLDR plural form.
	plurals map[string]map[string]string
	months  [12]string
	// digits are the language's ten digits, "" for 0–9.
	digits string
	// comma is the language's comma, "" for ",".
	comma string
	// jalali dates are written in the Solar Hijri calendar.
	jalali bool
	// latin is the same catalog writing numbers in 0–9: itself when its
	// digits are those already.
	latin *Catalog
}

var catalogs = map[string]*Catalog{}

// register adds a language's catalog.
func register(c *Catalog) {
	c.tag = language.MustParse(c.lang)
	c.latin = c
	if c.digits != "" {
		l := *c
		l.digits, l.latin = "", &l
		c.latin = &l
	}
	catalogs[c.lang] = c
}

// OwnDigits reports whether the language writes numbers in digits of its
// own rather than 0–9.
func (c *Catalog) OwnDigits() bool { return c.digits != "" }

// LatinDigits returns the catalog writing numbers in the digits 0–9, for
// an Arabic edition that chooses them over Arabic-Indic ones.
func (c *Catalog) LatinDigits() *Catalog { return c.latin }

// extend adds the messages of another file to a language's catalog: a
// language may keep its messages in several files (its newsroom problems
// apart, LANG_problems.go). A key written twice is a mistake, refused at
// start-up rather than one copy silently winning.
func extend(messages, more map[string]string, plurals, morePlurals map[string]map[string]string) {
	for k, v := range more {
		if _, dup := messages[k]; dup {
			panic("i18n: message " + k + " is written twice")
		}
		messages[k] = v
	}
	for k, v := range morePlurals {
		if _, dup := plurals[k]; dup || messages[k] != "" {
			panic("i18n: message " + k + " is written twice")
		}
		plurals[k] = v
	}
}

func init() {
	register(&Catalog{lang: "en", messages: english, plurals: englishPlurals, months: [12]string{"January", "February", "March", "April",
		"May", "June", "July", "August", "September", "October", "November", "December"}})
}

// Languages are the languages with a catalog, sorted.
func Languages() []string {
	var out []string
	for l := range catalogs {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// For returns the catalog for lang (a BCP 47 tag such as "en" or "en-GB"),
// falling back to English.
func For(lang string) *Catalog {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if c, ok := catalogs[base]; ok {
		return c
	}
	return catalogs["en"]
}

// Lang returns the catalog's language tag.
func (c *Catalog) Lang() string { return c.lang }

// T returns the message for key, formatted with args; numbers among args
// are written in the language's digits, and a message holding a count
// takes the plural form of the first number. A key the language lacks is
// taken from English; a missing key shows itself, bracketed, so it is
// noticed in review rather than silently blank.
func (c *Catalog) T(key string, args ...any) string {
	msg, ok := c.message(key, args)
	if !ok && c.lang != "en" {
		return catalogs["en"].T(key, args...)
	}
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return msg
	}
	if c.digits != "" {
		args = slices.Clone(args)
		for i, a := range args {
			if n, ok := integer(a); ok {
				args[i] = c.Number(n)
			}
		}
		msg = decimalVerb.ReplaceAllString(msg, "%${1}s")
	}
	return fmt.Sprintf(msg, args...)
}

// decimalVerb is %d, or %[2]d, which the language's digits are put in
// place of as text.
var decimalVerb = regexp.MustCompile(`%(\[\d+\])?d`)

// Forms are the message of key in each plural form the language has, by
// CLDR form name, for a script that counts as the writer types (with
// Intl.PluralRules); a message without plural forms is its only form,
// "other". A key the language lacks is taken from English.
func (c *Catalog) Forms(key string) map[string]string {
	if forms, ok := c.plurals[key]; ok {
		return forms
	}
	if msg, ok := c.messages[key]; ok {
		return map[string]string{"other": msg}
	}
	if c.lang != "en" {
		return catalogs["en"].Forms(key)
	}
	return map[string]string{"other": "[" + key + "]"}
}

// message is the text of key, in the plural form its count asks for.
func (c *Catalog) message(key string, args []any) (string, bool) {
	if msg, ok := c.messages[key]; ok {
		return msg, true
	}
	forms, ok := c.plurals[key]
	if !ok {
		return "", false
	}
	n := 0
	for _, a := range args {
		if v, ok := integer(a); ok {
			n = v
			break
		}
	}
	if msg, ok := forms[c.PluralForm(n)]; ok {
		return msg, true
	}
	msg, ok := forms["other"]
	return msg, ok
}

// PluralForm is the CLDR plural form n takes in the language: "zero",
// "one", "two", "few", "many" or "other".
func (c *Catalog) PluralForm(n int) string {
	abs := n
	if abs < 0 {
		abs = -abs
	}
	switch plural.Cardinal.MatchPlural(c.tag, abs, 0, 0, 0, 0) {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	}
	return "other"
}

// PluralForms are the plural forms the language tells apart among whole
// numbers, and "other" (which CLDR has in every language, for fractions
// where nothing else): its catalog writes every message holding a count
// in each.
func (c *Catalog) PluralForms() []string {
	seen := map[string]bool{"other": true}
	for n := range 1000 {
		seen[c.PluralForm(n)] = true
	}
	var out []string
	for _, f := range []string{"zero", "one", "two", "few", "many", "other"} {
		if seen[f] {
			out = append(out, f)
		}
	}
	return out
}

func integer(a any) (int, bool) {
	switch v := a.(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case int32:
		return int(v), true
	}
	return 0, false
}

// Number writes n in the language's digits.
func (c *Catalog) Number(n int) string {
	return c.Digits(strconv.Itoa(n))
}

// Digits writes the ASCII digits of s in the language's digits.
func (c *Catalog) Digits(s string) string {
	if c.digits == "" {
		return s
	}
	ds := []rune(c.digits)
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return ds[r-'0']
		}
		return r
	}, s)
}

// Has reports whether key exists in the English catalog, the reference
// every other language is checked against.
func Has(key string) bool {
	if _, ok := english[key]; ok {
		return true
	}
	_, ok := englishPlurals[key]
	return ok
}

// Date formats t as a reader-facing date, e.g. "29 November 2026", or in
// Persian the Solar Hijri "۸ آذر ۱۴۰۵".
func (c *Catalog) Date(t time.Time) string {
	y, m, d := t.Year(), int(t.Month()), t.Day()
	if c.jalali {
		y, m, d = Jalali(t)
	}
	return c.Digits(fmt.Sprintf("%d %s %d", d, c.months[m-1], y))
}

// DateTime formats t with its time of day, e.g. "29 November 2026, 08:30".
func (c *Catalog) DateTime(t time.Time) string {
	return c.Date(t) + c.Comma() + " " + c.Digits(t.Format("15:04"))
}

// Comma is the language's comma: "،" in Persian and Arabic, "," otherwise.
func (c *Catalog) Comma() string {
	if c.comma == "" {
		return ","
	}
	return c.comma
}

// Dir returns the writing direction of lang: "rtl" or "ltr".
func Dir(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	switch base {
	case "ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb":
		return "rtl"
	}
	return "ltr"
}
