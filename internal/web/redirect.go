package web

import (
	"net/http"
	"net/url"
	"path"
	"strings"
)

// redirect sends the browser to target, a path on this site. Every redirect
// the site makes goes through here, so that none can leave the site: a
// target that is not plainly one of its paths sends the browser to the
// front page instead (callers that take a target from a request check it
// with localPath first and choose their own fallback).
func redirect(w http.ResponseWriter, r *http.Request, target string, code int) {
	p, ok := localPath(target)
	if !ok {
		p = "/"
	}
	http.Redirect(w, r, p, code)
}

// localPath returns target, cleaned, when every browser reads it as a path
// on this site, and false when it may not. Browsers drop tabs and line
// breaks from a URL and read "\" as "/", so "/\t/evil.example" and
// "/\evil.example" both reach evil.example; a proxy or a second decoding
// can turn "/%2f%2fevil.example" into "//evil.example" too. A path is
// refused when any decoding of it holds a control character, a backslash
// or a dot segment, or begins with "//": no page of the site has such a
// path.
func localPath(target string) (string, bool) {
	if !strings.HasPrefix(target, "/") || hasUnsafeByte(target) {
		return "", false
	}
	if _, err := url.Parse(target); err != nil {
		return "", false // a broken escape: not a URL any page of ours has
	}
	p, rest := target, ""
	if i := strings.IndexAny(target, "?#"); i >= 0 {
		p, rest = target[:i], target[i:]
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	// Decode as often as anyone might; three rounds cover every double or
	// triple encoding, and a path still encoded after that is not ours.
	for d, round := clean, 0; ; round++ {
		if strings.HasPrefix(d, "//") || hasUnsafeByte(d) || hasDotSegment(d) {
			return "", false
		}
		if !strings.Contains(d, "%") {
			break
		}
		if round == 3 {
			return "", false
		}
		next, err := url.PathUnescape(d)
		if err != nil {
			return "", false
		}
		d = next
	}
	return clean + rest, true
}

// hasDotSegment reports a "." or ".." segment. A cleaned path has none, so
// one that appears on decoding was encoded on purpose.
func hasDotSegment(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// hasUnsafeByte reports a control character or a backslash.
func hasUnsafeByte(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return true
		}
	}
	return false
}
