package fastpath

import (
	"bytes"
	"net"
)

// Request is a request head the fast path understood: a bodiless GET or
// HEAD over HTTP/1.1 with an origin-form target. Every slice points into
// the connection's read buffer and is valid only during the Handler call;
// a Handler that keeps one must copy it.
type Request struct {
	Method string // "GET" or "HEAD"
	Target []byte // as sent, in the strict form goodTarget checks
	Path   []byte // Target up to "?", as sent (AppendPath decodes it)

	Host            []byte
	AcceptEncoding  []byte
	IfNoneMatch     []byte
	IfModifiedSince []byte
	Cookie          []byte
	UserAgent       []byte
	// A browser's prefetch announces itself in one of these; a page view
	// counter wants to tell it from a visit.
	SecPurpose, Purpose, XMoz []byte

	// Remote is the connection's peer, as http.Request.RemoteAddr names it.
	Remote net.Addr

	close bool   // Connection: close
	seen  uint16 // which fields were set, to hand off on a duplicate
}

const (
	seenHost uint16 = 1 << iota
	seenAcceptEncoding
	seenIfNoneMatch
	seenIfModifiedSince
	seenCookie
	seenUserAgent
	seenSecPurpose
	seenPurpose
	seenXMoz
)

const (
	// maxTarget is the web package's MaxURLBytes: a longer target goes to
	// net/http, whose guard answers 414.
	maxTarget  = 4096
	maxHeaders = 64
)

// headEnd returns the length of the request head at the start of b, the
// blank line included; 0 when b holds no complete head yet; -1 when the
// bytes so far already hold something the fast path does not take: a bare
// LF, which net/http's reader accepts as a line end and which a proxy in
// front might read differently, or an empty line before the request line,
// which net/http skips.
func headEnd(b []byte) int {
	i := 0
	for {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return 0
		}
		i += j
		if i == 0 || b[i-1] != '\r' || i == 1 {
			return -1
		}
		if i >= 3 && b[i-3] == '\r' && b[i-2] == '\n' {
			return i + 1
		}
		i++
	}
}

// parse reads a complete head as measured by headEnd into r. It accepts a
// strict subset of what net/http accepts, so that whatever it takes means
// the same to both; false hands the connection to net/http, which answers
// or refuses as it always has.
func parse(h []byte, r *Request) bool {
	*r = Request{}
	switch {
	case len(h) > 4 && string(h[:4]) == "GET ":
		r.Method, h = "GET", h[4:]
	case len(h) > 5 && string(h[:5]) == "HEAD ":
		r.Method, h = "HEAD", h[5:]
	default:
		return false // other methods, lower case, the HTTP/2 preface, garbage
	}
	sp := bytes.IndexByte(h, ' ')
	if sp <= 0 || sp > maxTarget || !goodTarget(h[:sp]) {
		return false
	}
	r.Target, r.Path = h[:sp], h[:sp]
	if q := bytes.IndexByte(r.Target, '?'); q >= 0 {
		r.Path = r.Target[:q]
	}
	h = h[sp+1:]
	if len(h) < 10 || string(h[:10]) != "HTTP/1.1\r\n" {
		return false // HTTP/1.0 and its keep-alive rules stay net/http's
	}
	h = h[10:]
	for n := 0; len(h) < 2 || h[0] != '\r' || h[1] != '\n'; n++ {
		if n == maxHeaders {
			return false
		}
		// headEnd saw a CR before every LF; a CR elsewhere ends here.
		eol := bytes.IndexByte(h, '\r')
		if eol < 0 || eol+1 >= len(h) || h[eol+1] != '\n' {
			return false
		}
		line := h[:eol]
		h = h[eol+2:]
		colon := 0
		for colon < len(line) && isTchar[line[colon]] {
			colon++
		}
		// An empty name, whitespace before the colon (RFC 9112 §5.1 says
		// refuse it) and an obs-fold line (starting with SP or HT) land here.
		if colon == 0 || colon == len(line) || line[colon] != ':' {
			return false
		}
		v := trimOWS(line[colon+1:])
		for _, c := range v {
			if c < ' ' && c != '\t' || c == 0x7f {
				return false
			}
		}
		if !r.header(line[:colon], v) {
			return false
		}
	}
	return r.seen&seenHost != 0 && goodHost(r.Host)
}

// header records one field. A field that could give the request a body,
// switch protocols or ask for an interim response is refused, and so is a
// second copy of a field the Handler reads: net/http has its own rule for
// each, and the fast path must not guess it.
func (r *Request) header(name, v []byte) bool {
	once := func(bit uint16, dst *[]byte) bool {
		if r.seen&bit != 0 {
			return false
		}
		r.seen |= bit
		*dst = v
		return true
	}
	switch len(name) {
	case 4:
		if eqFold(name, "host") {
			return once(seenHost, &r.Host)
		}
	case 5:
		if eqFold(name, "x-moz") {
			return once(seenXMoz, &r.XMoz)
		}
	case 6:
		if eqFold(name, "cookie") {
			return once(seenCookie, &r.Cookie)
		}
		if eqFold(name, "expect") {
			return false
		}
	case 7:
		if eqFold(name, "purpose") {
			return once(seenPurpose, &r.Purpose)
		}
		if eqFold(name, "upgrade") || eqFold(name, "trailer") {
			return false
		}
	case 10:
		if eqFold(name, "user-agent") {
			return once(seenUserAgent, &r.UserAgent)
		}
		if eqFold(name, "connection") {
			return r.connection(v)
		}
	case 11:
		if eqFold(name, "sec-purpose") {
			return once(seenSecPurpose, &r.SecPurpose)
		}
	case 13:
		if eqFold(name, "if-none-match") {
			return once(seenIfNoneMatch, &r.IfNoneMatch)
		}
	case 14:
		// A GET with a body, even "Content-Length: 0", is net/http's.
		if eqFold(name, "content-length") || eqFold(name, "http2-settings") {
			return false
		}
	case 15:
		if eqFold(name, "accept-encoding") {
			return once(seenAcceptEncoding, &r.AcceptEncoding)
		}
	case 17:
		if eqFold(name, "if-modified-since") {
			return once(seenIfModifiedSince, &r.IfModifiedSince)
		}
		if eqFold(name, "transfer-encoding") {
			return false
		}
	}
	return true
}

// connection takes "close" and "keep-alive"; any other token (upgrade, or
// a header named hop-by-hop) is net/http's to interpret.
func (r *Request) connection(v []byte) bool {
	for len(v) > 0 {
		tok := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			tok, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		switch tok = trimOWS(tok); {
		case eqFold(tok, "close"):
			r.close = true
		case len(tok) == 0, eqFold(tok, "keep-alive"):
		default:
			return false
		}
	}
	return true
}

// goodTarget accepts only targets that ServeMux would neither clean nor
// redirect and whose escapes decode to nothing a router or a query reads
// specially: "/" then unreserved characters, "/" and percent-escapes of
// the bytes 0x80–0xFF (the UTF-8 of a word beyond ASCII: a Persian slug),
// and a query of the same and "=", "&", "+", ",". No other "%", no "//",
// no "." or ".." segment, no fragment, no absolute form, no empty query.
func goodTarget(t []byte) bool {
	if len(t) == 0 || t[0] != '/' {
		return false
	}
	query := false
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '~':
		case c == '%':
			if i+2 >= len(t) || unhex(t[i+1]) < 8 || unhex(t[i+2]) < 0 {
				return false
			}
			i += 2
		case c == '.':
			if !query && t[i-1] == '/' && dotSegment(t[i:]) {
				return false
			}
		case c == '/':
			if !query && i > 0 && t[i-1] == '/' {
				return false
			}
		case c == '?':
			if query || i+1 == len(t) {
				return false
			}
			query = true
		case query && (c == '=' || c == '&' || c == '+' || c == ','):
		default:
			return false
		}
	}
	return true
}

// unhex is a hex digit's value, -1 for any other byte.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// AppendPath appends r's path as net/http's URL.Path holds it: decoded.
// The only escapes the fast path takes are those of bytes 0x80–0xFF.
func (r *Request) AppendPath(dst []byte) []byte {
	p := r.Path
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) {
			dst = append(dst, byte(unhex(p[i+1])<<4|unhex(p[i+2])))
			i += 2
			continue
		}
		dst = append(dst, p[i])
	}
	return dst
}

// dotSegment reports whether s, which starts a path segment with ".", is
// the segment "." or "..".
func dotSegment(s []byte) bool {
	if len(s) > 1 && s[1] == '.' {
		s = s[1:]
	}
	return len(s) == 1 || s[1] == '/' || s[1] == '?'
}

// goodHost is a strict subset of what net/http accepts in Host.
func goodHost(h []byte) bool {
	if len(h) == 0 || len(h) > 255 {
		return false
	}
	for _, c := range h {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '.' || c == '-' || c == ':' || c == '[' || c == ']') {
			return false
		}
	}
	return true
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// eqFold compares b with the lower-case ASCII s, ignoring case.
func eqFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// isTchar marks the bytes allowed in a field name (RFC 9110 §5.6.2).
var isTchar = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()
