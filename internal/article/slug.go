package article

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"broadsheet/internal/errs"
)

// Slugify turns a headline into a URL slug: lower case, letters and digits of
// any script kept (a Persian headline gets a Persian slug), everything else
// collapsed into single hyphens, at most MaxSlug characters, cut at a word.
func Slugify(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	hyphen := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r) && b.Len() > 0 && !hyphen:
			// Combining marks belong to the letter before them.
			b.WriteRune(r)
		case r == '\'' || r == '’' || r == '\u200c':
			// Apostrophes and the zero-width non-joiner join, not split.
		default:
			hyphen = true
		}
	}
	out := b.String()
	if utf8.RuneCountInString(out) <= MaxSlug {
		return out
	}
	runes := []rune(out)[:MaxSlug]
	if i := lastIndexRune(runes, '-'); i > MaxSlug/2 {
		runes = runes[:i]
	}
	return strings.Trim(string(runes), "-")
}

func lastIndexRune(rs []rune, r rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

// ValidateSlug accepts exactly what Slugify can produce; anything else is
// invalid input about the field "slug".
func ValidateSlug(s string) error {
	switch {
	case s == "":
		return errs.InvalidKey("slug", "problem.slug_required")
	case utf8.RuneCountInString(s) > MaxSlug:
		return errs.InvalidKey("slug", "problem.slug_long", MaxSlug)
	case !utf8.ValidString(s) || Slugify(s) != s:
		return errs.InvalidKey("slug", "problem.slug_letters", s)
	}
	return nil
}

// reserved are first path segments the site answers itself. Sections and
// static pages live at /{slug}, so one of these would be unreachable or
// would hide a part of the site.
var reserved = map[string]bool{
	"admin": true, "api": true, "static": true, "media": true, "tag": true, "author": true,
	"latest": true, "corrections": true, "preview": true, "healthz": true, "metrics": true, "favicon.ico": true,
	"robots.txt": true, "sitemap.xml": true, "feed": true, "search": true, "subscribe": true,
	"subscriptions": true, "unsubscribe": true, "sitemaps": true,
}

// Reserved reports whether slug is kept for the site's own pages.
func Reserved(slug string) bool { return reserved[slug] }
