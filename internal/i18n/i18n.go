// Package i18n is the message catalog: every string the reading site shows
// that is not content comes from here, so a translation is one more map, and
// so are the rules for writing direction and dates.
package i18n

import (
	"fmt"
	"strings"
	"time"
)

// Catalog holds the messages of one language.
type Catalog struct {
	lang     string
	messages map[string]string
	months   [12]string
}

var catalogs = map[string]*Catalog{
	"en": {lang: "en", messages: english, months: [12]string{"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"}},
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

// T returns the message for key, formatted with args. A missing key shows
// itself, bracketed, so it is noticed in review rather than silently blank.
func (c *Catalog) T(key string, args ...any) string {
	msg, ok := c.messages[key]
	if !ok {
		msg, ok = english[key]
	}
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Has reports whether key exists in the English catalog, the reference
// every other language is checked against.
func Has(key string) bool { _, ok := english[key]; return ok }

// Date formats t as a reader-facing date, e.g. "29 November 2026".
func (c *Catalog) Date(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), c.months[t.Month()-1], t.Year())
}

// DateTime formats t with its time of day, e.g. "29 November 2026, 08:30".
func (c *Catalog) DateTime(t time.Time) string {
	return c.Date(t) + t.Format(", 15:04")
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
