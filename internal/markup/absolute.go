package markup

import (
	"html"
	"regexp"
	"strings"
)

// urlAttr is an attribute holding addresses in HTML this package wrote:
// there a quotation mark in text or in another attribute's value is
// always escaped, so ` src="` begins an attribute and nothing else.
var urlAttr = regexp.MustCompile(` (href|src|srcset)="([^"]*)"`)

// Absolute returns body, HTML a renderer wrote, with its addresses on the
// site (/media/12/960.jpg, /city/story) made absolute under base
// (https://news.example.org): links, pictures and each of their widths,
// sounds. A feed reader or a mail client shows it away from the site.
func Absolute(body, base string) string {
	base = html.EscapeString(strings.TrimSuffix(base, "/"))
	return urlAttr.ReplaceAllStringFunc(body, func(m string) string {
		sub := urlAttr.FindStringSubmatch(m)
		name, value := sub[1], sub[2]
		if name != "srcset" {
			return ` ` + name + `="` + absolute(value, base) + `"`
		}
		parts := strings.Split(value, ", ")
		for i, p := range parts {
			parts[i] = absolute(p, base)
		}
		return ` srcset="` + strings.Join(parts, ", ") + `"`
	})
}

func absolute(ref, base string) string {
	if strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//") {
		return base + ref
	}
	return ref
}
