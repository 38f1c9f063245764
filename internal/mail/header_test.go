package mail

import (
	"mime"
	"net/mail"
	"strings"
	"testing"
)

// Whatever a name holds, the header decodes to the name as text: an
// encoded-word in it stays literal, line breaks and control characters
// cannot start a new header, and every line stays short.
func TestHeaderTextDecodesToWhatWasTyped(t *testing.T) {
	long := strings.Repeat("کتابخانه‌ها و خانه‌ها ", 12)
	for _, c := range []struct{ name, in, want string }{
		{"plain", "Ana replied to your comment", "Ana replied to your comment"},
		{"encoded-word", "=?UTF-8?B?QWRtaW4gVGVhbQ==?= replied", "=?UTF-8?B?QWRtaW4gVGVhbQ==?= replied"},
		{"encoded-word in q", "=?utf-8?q?Support?=", "=?utf-8?q?Support?="},
		{"header injection", "Ana\r\nBcc: all@example.org", "Ana Bcc: all@example.org"},
		{"controls", "An\x00a\x1b[31m\x7f", "An a [31m"},
		{"line separator", "Ana\u2028Bo", "Ana Bo"},
		{"Persian", "سارا پاسخ داد", "سارا پاسخ داد"},
		{"long", long, strings.TrimSpace(long)},
	} {
		t.Run(c.name, func(t *testing.T) {
			enc := encodeText(c.in)
			if strings.ContainsAny(enc, "\r\n") {
				t.Fatalf("encodeText(%q) = %q: holds a line break", c.in, enc)
			}
			for _, w := range strings.Fields(enc) {
				if len(w) > 75 {
					t.Errorf("word %q longer than 75 characters", w)
				}
			}
			got, err := new(mime.WordDecoder).DecodeHeader(enc)
			if err != nil || got != c.want {
				t.Errorf("decoded %q = %q, %v; want %q", enc, got, err, c.want)
			}
		})
	}
}

// A display name is a quoted string or encoded-words, and net/mail reads
// back the name as typed.
func TestFromHeaderKeepsTheName(t *testing.T) {
	for _, name := range []string{"The Merrow Courier", `The "Daily" Courier, Merrow`, "=?utf-8?q?Bank?=", "پیک مرو", "Merrow\r\nBcc: x@y"} {
		h := fromHeader(name, "news@courier.example")
		a, err := mail.ParseAddress(h)
		if err != nil {
			t.Errorf("fromHeader(%q) = %q: %v", name, h, err)
			continue
		}
		if a.Name != headerText(name) || a.Address != "news@courier.example" {
			t.Errorf("fromHeader(%q) = %q, reads as %q <%s>", name, h, a.Name, a.Address)
		}
	}
}

// A site without a domain name still gets a sender address that parses
// and that relays accept.
func TestDefaultSender(t *testing.T) {
	for _, c := range []struct{ host, want string }{
		{"news.example.org", "news@news.example.org"},
		{"News.Example.org.", "news@news.example.org"},
		{"127.0.0.1", "news@localhost.localdomain"},
		{"::1", "news@localhost.localdomain"},
		{"[::1]", "news@localhost.localdomain"},
		{"localhost", "news@localhost.localdomain"},
		{"intranet", "news@localhost.localdomain"},
		{"пример.рф", "news@xn--e1afmkfd.xn--p1ai"},
	} {
		got := DefaultSender(c.host)
		if got != c.want {
			t.Errorf("DefaultSender(%q) = %q, want %q", c.host, got, c.want)
		}
		if _, err := mail.ParseAddress(got); err != nil {
			t.Errorf("DefaultSender(%q) = %q: %v", c.host, got, err)
		}
	}
}
