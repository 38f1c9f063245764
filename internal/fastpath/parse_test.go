package fastpath

import (
	"strings"
	"testing"
)

func TestHeadEnd(t *testing.T) {
	tests := []struct {
		name, in string
		want     int
	}{
		{"complete", "GET / HTTP/1.1\r\nHost: x\r\n\r\nrest", 27},
		{"partial", "GET / HTTP/1.1\r\nHost: x\r\n", 0},
		{"nothing", "", 0},
		{"bare LF", "GET / HTTP/1.1\nHost: x\r\n\r\n", -1},
		{"bare LF at the end", "GET / HTTP/1.1\r\nHost: x\r\n\n", -1},
		{"leading empty line", "\r\nGET / HTTP/1.1\r\n\r\n", -1},
		{"leading LF", "\nGET / HTTP/1.1\r\n\r\n", -1},
	}
	for _, tt := range tests {
		if got := headEnd([]byte(tt.in)); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	get := func(fields string) string { return "GET /a/b?x=1 HTTP/1.1\r\nHost: example.org\r\n" + fields + "\r\n" }
	tests := []struct {
		name, in string
		want     bool
	}{
		{"plain", get(""), true},
		{"head", "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", true},
		{"every field", get("Accept-Encoding: gzip\r\nIf-None-Match: \"e\"\r\nIf-Modified-Since: x\r\nCookie: a=1\r\nUser-Agent: u\r\nSec-Purpose: prefetch\r\nPurpose: prefetch\r\nX-Moz: prefetch\r\n"), true},
		{"keep-alive", get("Connection: keep-alive\r\n"), true},
		{"other field", get("X-Any: whatever you like\r\n"), true},
		{"post", "POST / HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"lower-case method", "get / HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"HTTP/1.0", "GET / HTTP/1.0\r\nHost: x\r\n\r\n", false},
		{"two spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"no host", "GET / HTTP/1.1\r\n\r\n", false},
		{"two hosts", get("Host: b\r\n"), false},
		{"bad host", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", false},
		{"content-length", get("Content-Length: 0\r\n"), false},
		{"transfer-encoding", get("Transfer-Encoding: chunked\r\n"), false},
		{"expect", get("Expect: 100-continue\r\n"), false},
		{"upgrade", get("Connection: Upgrade\r\nUpgrade: websocket\r\n"), false},
		{"http2-settings", get("HTTP2-Settings: x\r\n"), false},
		{"obs-fold", get("X-A: 1\r\n folded\r\n"), false},
		{"space before colon", get("X-A : 1\r\n"), false},
		{"no colon", get("X-A\r\n"), false},
		{"NUL in value", get("X-A: a\x00b\r\n"), false},
		{"CR in value", get("X-A: a\rb\r\n"), false},
		{"two cookies", get("Cookie: a=1\r\nCookie: b=2\r\n"), false},
		{"two accept-encodings", get("Accept-Encoding: gzip\r\nAccept-Encoding: br\r\n"), false},
		{"too many fields", get(strings.Repeat("X-A: 1\r\n", maxHeaders)), false},
		{"long target", "GET /" + strings.Repeat("a", maxTarget) + " HTTP/1.1\r\nHost: x\r\n\r\n", false},
	}
	for _, tt := range tests {
		var r Request
		if got := parse([]byte(tt.in), &r); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseFields(t *testing.T) {
	in := "HEAD /a/b?x=1 HTTP/1.1\r\nhost: example.org\r\nACCEPT-ENCODING:  gzip, br \r\nIf-None-Match: \"e\"\r\n" +
		"If-Modified-Since: Mon, 02 Jan 2006 15:04:05 GMT\r\nCookie: a=1\r\nUser-Agent: u/1\r\nSec-Purpose: prefetch\r\n" +
		"Purpose: p\r\nX-Moz: m\r\nConnection: close\r\n\r\n"
	var r Request
	if !parse([]byte(in), &r) {
		t.Fatal("refused")
	}
	got := []string{r.Method, string(r.Target), string(r.Path), string(r.Host), string(r.AcceptEncoding),
		string(r.IfNoneMatch), string(r.IfModifiedSince), string(r.Cookie), string(r.UserAgent),
		string(r.SecPurpose), string(r.Purpose), string(r.XMoz)}
	want := []string{"HEAD", "/a/b?x=1", "/a/b", "example.org", "gzip, br", `"e"`,
		"Mon, 02 Jan 2006 15:04:05 GMT", "a=1", "u/1", "prefetch", "p", "m"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d: got %q, want %q", i, got[i], want[i])
		}
	}
	if !r.close {
		t.Error("Connection: close not seen")
	}
}

func TestGoodTarget(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"/", true},
		{"/city/a-b_c~d.html", true},
		{"/search?q=a+b&page=2,3", true},
		{"/a/.well-known", true},
		{"/a/..b", true},
		{"/a?x=/./", true},
		{"", false},
		{"*", false},
		{"http://x/a", false},
		{"//a", false},
		{"/a//b", false},
		{"/.", false},
		{"/a/./b", false},
		{"/a/..", false},
		{"/a/../b", false},
		{"/a/.?x", false},
		{"/a%20b", false},
		{"/a#f", false},
		{"/a?", false},
		{"/a?b?c", false},
		{"/a;b", false},
	}
	for _, tt := range tests {
		if got := goodTarget([]byte(tt.in)); got != tt.want {
			t.Errorf("goodTarget(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
