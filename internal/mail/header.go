package mail

import (
	"encoding/base64"
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Header values carry names that readers and editors typed: a commenter's
// name in a reply's Subject, the site's title in From and List-Id. They
// are text, never header syntax. A name that looks like an RFC 2047
// encoded-word ("=?UTF-8?B?…?=") would be decoded by mail programs into
// whatever it hides, so such a value is encoded here, whole, and a mail
// program shows the characters as typed.

// headerText is s as one line of text: control characters and line
// breaks become spaces, and runs of spaces become one.
func headerText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// encodeText makes s safe as unstructured header text (RFC 5322
// section 3.2.5): plain printable ASCII stays as it is; anything else, or
// anything holding "=?", becomes UTF-8 encoded-words, which decode to
// exactly s.
func encodeText(s string) string {
	s = headerText(s)
	if plainASCII(s) && !strings.Contains(s, "=?") {
		return s
	}
	return encodedWords(s)
}

// phrase makes s safe as the display name of an address (RFC 5322
// section 3.2.5): a quoted string when plain, encoded-words otherwise
// (RFC 2047 forbids encoded-words inside quotes, and some programs decode
// them there all the same).
func phrase(s string) string {
	s = headerText(s)
	if plainASCII(s) && !strings.Contains(s, "=?") {
		a := mail.Address{Name: s, Address: "x@x"}
		q := a.String()
		return q[:len(q)-len(" <x@x>")]
	}
	return encodedWords(s)
}

// fromHeader is the From header for addr with name as its display name;
// addr must be a bare address.
func fromHeader(name, addr string) string {
	if name = headerText(name); name == "" {
		return "<" + addr + ">"
	}
	return phrase(name) + " <" + addr + ">"
}

// sender splits a configured sender into its display name and address.
func sender(from string) (name, addr string, err error) {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return "", "", fmt.Errorf("sender %q: %w", from, err)
	}
	return a.Name, a.Address, nil
}

func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// wordBytes is how much text one encoded-word carries: 45 bytes are 60
// in base64, and with "=?utf-8?b?" and "?=" the word stays within the 75
// characters RFC 2047 allows.
const wordBytes = 45

// encodedWords writes s as base64 encoded-words separated by spaces (which
// decoders drop between encoded-words), never splitting a character.
func encodedWords(s string) string {
	var b strings.Builder
	for s != "" {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > wordBytes {
				break
			}
			n += size
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("=?utf-8?b?")
		b.WriteString(base64.StdEncoding.EncodeToString([]byte(s[:n])))
		b.WriteString("?=")
		s = s[n:]
	}
	return b.String()
}

// placeholderDomain stands in for a site that has no domain name of its
// own (its base URL names an IP address or a single-label host such as
// localhost). RFC 5322 would accept an IP only as a domain literal,
// "news@[127.0.0.1]", which relays commonly refuse and which no SPF or
// DKIM record can cover; a dotted name is what a sender address needs,
// and this one is plainly not a real domain.
const placeholderDomain = "localhost.localdomain"

// DefaultSender is the sender address for a site at host when none is
// configured: news@ the host, or news@localhost.localdomain when the host
// is not a domain name. Its display name comes from the site's title, at
// sending time, so that a renamed site sends under its new name.
func DefaultSender(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil || !strings.Contains(host, ".") {
		return "news@" + placeholderDomain
	}
	ascii, err := idna.Lookup.ToASCII(host)
	if err != nil {
		return "news@" + placeholderDomain
	}
	if _, err := mail.ParseAddress("news@" + ascii); err != nil {
		return "news@" + placeholderDomain
	}
	return "news@" + ascii
}
