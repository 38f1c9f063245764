package fastpath

import (
	"strings"
	"testing"
)

// TestDifferential sends the same bytes to the fast path and to net/http
// alone, and wants the same responses but Date; and it checks which side
// answered, so that a case meant for net/http cannot pass by accident.
func TestDifferential(t *testing.T) {
	post := "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
	tests := []struct {
		name, raw string
		methods   []string
		hits      uint64 // answers the fast path gives
	}{
		{"hit", get("Accept-Encoding: gzip\r\n"), nil, 1},
		{"query", "GET " + pagePath + "?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", nil, 1},
		{"If-None-Match", get("If-None-Match: " + pageETag + "\r\n"), nil, 1},
		{"If-None-Match other", get("If-None-Match: \"v0\"\r\nIf-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n"), nil, 1},
		{"If-Modified-Since later", get("If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n"), nil, 1},
		{"If-Modified-Since earlier", get("If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n"), nil, 1},
		{"HEAD", "HEAD " + pagePath + " HTTP/1.1\r\nHost: x\r\n\r\n", []string{"HEAD"}, 1},
		{"Connection: close", get("Connection: close\r\n") + get(""), nil, 1},
		{"pipeline", get("") + "HEAD " + pagePath + " HTTP/1.1\r\nHost: x\r\n\r\n" + get(""), []string{"GET", "HEAD", "GET"}, 3},
		{"pipeline hit POST hit", get("") + post + get(""), nil, 1},
		{"pipeline hit malformed hit", get("") + "GET / HTTP/1.1\r\nHost: x\r\nBad Field: 1\r\n\r\n" + get(""), nil, 1},
		{"signed in", get("Cookie: session=abc\r\n"), nil, 0},
		{"other cookie", get("Cookie: theme=dark\r\n"), nil, 1},
		{"miss", "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", nil, 0},
		{"POST", post, nil, 0},
		{"CL+TE", get("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n" + get(""), nil, 0},
		{"duplicate Content-Length", get("Content-Length: 5\r\nContent-Length: 6\r\n") + "hello!", nil, 0},
		{"Content-Length 0", get("Content-Length: 0\r\n") + get(""), nil, 0},
		{"chunked GET", get("Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n0\r\n\r\n" + get(""), nil, 0},
		{"obs-fold", get("X-A: 1\r\n  folded\r\n"), nil, 0},
		{"bare LF", "GET " + pagePath + " HTTP/1.1\nHost: x\n\n", nil, 0},
		{"bare LF late", get("X-A: 1\n"), nil, 0},
		{"leading empty line", "\r\n" + get(""), nil, 0},
		{"space before colon", get("X-A : 1\r\n"), nil, 0},
		{"NUL in value", get("X-A: a\x00b\r\n"), nil, 0},
		{"20 KB head", get("X-Big: " + strings.Repeat("a", 20<<10) + "\r\n"), nil, 0},
		{"70 KB head", get("X-Big: " + strings.Repeat("a", 70<<10) + "\r\n"), nil, 0},
		{"truncated head", "GET " + pagePath + " HTTP/1.1\r\nHost: x\r\n", nil, 0},
		{"no Host", "GET " + pagePath + " HTTP/1.1\r\n\r\n", nil, 0},
		{"two Hosts", get("Host: b\r\n"), nil, 0},
		{"HTTP/1.0", "GET " + pagePath + " HTTP/1.0\r\n\r\n", nil, 0},
		{"HTTP/1.0 keep-alive", "GET " + pagePath + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + get(""), nil, 0},
		{"percent-encoded ASCII", "GET /city/tram-dep%6Ft HTTP/1.1\r\nHost: x\r\n\r\n", nil, 0},
		{"percent-encoded UTF-8", "GET /%D8%B4%D9%87%D8%B1/tram-depot HTTP/1.1\r\nHost: x\r\n\r\n", nil, 1},
		{"percent-encoded UTF-8, lower case", "GET /%d8%b4%d9%87%d8%b1/tram-depot?a=%d8%b4 HTTP/1.1\r\nHost: x\r\n\r\n", nil, 1},
		{"percent-encoded slash", "GET /%D8%B4%D9%87%D8%B1%2Ftram-depot HTTP/1.1\r\nHost: x\r\n\r\n", nil, 0},
		{"percent-encoded percent", "GET /%D8%B4%D9%87%D8%B1/tram%25depot HTTP/1.1\r\nHost: x\r\n\r\n", nil, 0},
		{"cut escape", "GET /city/tram-depot%D HTTP/1.1\r\nHost: x\r\n\r\n", nil, 0},
		{"absolute form", "GET http://x" + pagePath + " HTTP/1.1\r\nHost: x\r\n\r\n", nil, 0},
		{"dot segment", "GET /city/../city/tram-depot HTTP/1.1\r\nHost: x\r\n\r\n", nil, 0},
		{"double slash", "GET /" + pagePath + " HTTP/1.1\r\nHost: x\r\n\r\n", nil, 0},
		{"lower-case method", "get " + pagePath + " HTTP/1.1\r\nHost: x\r\n\r\n", nil, 0},
		{"Expect", get("Expect: 100-continue\r\n"), nil, 0},
		{"Upgrade", get("Connection: Upgrade\r\nUpgrade: websocket\r\n"), nil, 0},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", nil, 0},
	}
	ref, fs := startReference(t), startFast(t, nil)
	for _, tt := range tests {
		want := responses(exchange(t, ref, tt.raw), tt.methods)
		before := fs.hits.Load()
		got := responses(exchange(t, fs.addr, tt.raw), tt.methods)
		if got != want {
			t.Errorf("%s:\n--- net/http\n%s--- fast path\n%s", tt.name, want, got)
		}
		if n := fs.hits.Load() - before; n != tt.hits {
			t.Errorf("%s: the fast path answered %d, want %d", tt.name, n, tt.hits)
		}
		if want == "" {
			t.Errorf("%s: net/http sent nothing to compare", tt.name)
		}
	}
}
