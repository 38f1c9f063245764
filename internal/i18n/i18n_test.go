package i18n

import (
	"testing"
	"time"
)

func TestT(t *testing.T) {
	en := For("en-GB")
	if got := en.T("article.reading_time", 4); got != "4 min read" {
		t.Errorf(`T("article.reading_time", 4) = %q`, got)
	}
	if got := en.T("no.such.key"); got != "[no.such.key]" {
		t.Errorf("missing key = %q, want it bracketed", got)
	}
	if For("xx").Lang() != "en" {
		t.Error("unknown language does not fall back to English")
	}
}

func TestDir(t *testing.T) {
	for lang, want := range map[string]string{"en": "ltr", "fa": "rtl", "ar-EG": "rtl", "FA": "rtl", "ru": "ltr", "he": "rtl", "": "ltr"} {
		if got := Dir(lang); got != want {
			t.Errorf("Dir(%q) = %q, want %q", lang, got, want)
		}
	}
}

func TestDate(t *testing.T) {
	d := time.Date(2026, 11, 29, 8, 5, 0, 0, time.UTC)
	if got := For("en").DateTime(d); got != "29 November 2026, 08:05" {
		t.Errorf("DateTime = %q", got)
	}
}
