package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/fastpath"
	"broadsheet/internal/metrics"
	redirects "broadsheet/internal/redirect"
)

// A cached page is answered in one of three forms, whose heads are
// rendered when the page is stored (renderHeads): the fast path
// (internal/fastpath) sends them as they are, and net/http's answer is
// built from the same header fields (cachedHeader), so the two cannot
// drift apart.
type form int

const (
	formGzip form = iota
	formPlain
	formNotModified
	forms
)

// formFor picks the form a request's Accept-Encoding, If-None-Match and
// If-Modified-Since ask for.
func formFor[T ~string | ~[]byte](c *cached, acceptEncoding, ifNoneMatch, ifModifiedSince T) form {
	switch {
	case c.status == http.StatusOK && notModified(c, ifNoneMatch, ifModifiedSince):
		return formNotModified
	case gzipAccepted(acceptEncoding):
		return formGzip
	}
	return formPlain
}

// cachedHeader sets the fields of c's answer in form f, beyond those every
// answer carries (siteHeader).
func cachedHeader(h http.Header, c *cached, f form) {
	h["Content-Type"] = c.contentType
	h["Vary"] = hdrVaryAE
	// Readers' browsers revalidate every time (a cheap 304), so a correction
	// reaches them at once.
	h["Cache-Control"] = hdrRevalid
	h["Etag"] = c.etagHeader
	h["Last-Modified"] = c.lastModifiedHeader
	setCSP(h, c.csp)
	if c.cacheTag != nil {
		h["Cache-Tag"] = c.cacheTag
		h["Surrogate-Key"] = c.surrogateKey
	}
	switch f {
	case formGzip:
		h["Content-Encoding"] = hdrGzip
		h["Content-Length"] = c.gzLen
	case formPlain:
		h["Content-Length"] = c.bodyLen
	}
}

// renderHeads renders c's head in each form (renderHead). Call it once
// c's fields are final; c.csp must be the policy the page is sent with,
// the site's or its own.
func (c *cached) renderHeads() {
	c.heads = renderForms(c.status, c.csp, func(h http.Header, f form) { cachedHeader(h, c, f) })
}

// renderAssetHeads renders the heads of the answers to a's fingerprinted
// address, with the site's policy csp.
func (a *asset) renderAssetHeads(csp []string) {
	a.heads = renderForms(http.StatusOK, csp, func(h http.Header, f form) { assetHeader(h, a, f, true) })
}

// renderForms renders the head of an answer with status in each form:
// the site's fields with policy csp, and those set sets.
func renderForms(status int, csp []string, set func(h http.Header, f form)) (heads [forms][]byte) {
	for f := range forms {
		h := http.Header{}
		siteHeader(h, csp)
		set(h, f)
		code := status
		if f == formNotModified {
			code = http.StatusNotModified
		}
		heads[f] = renderHead(code, h)
	}
	return heads
}

// renderHead writes a status line and h's fields as net/http sends them
// but Date: sorted by name, a 304 with only its revalidation fields.
func renderHead(code int, h http.Header) []byte {
	if code == http.StatusNotModified {
		revalidationOnly(h)
	}
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(code) + " " + http.StatusText(code) + "\r\n")
	h.Write(&b)
	return b.Bytes()
}

// revalidationOnly keeps in h the fields a 304 carries (RFC 9110
// §15.4.5): those a cache needs to bring its stored copy up to date. The
// rest describe the body the cache already holds — its type, its policy,
// its CDN tags — and stay as the 200 stored them; leaving them out is
// what the RFC asks, and keeps the most frequent answer a busy page gives
// to about 200 bytes.
func revalidationOnly(h http.Header) {
	for k := range h {
		switch k {
		case "Cache-Control", "Etag", "Last-Modified", "Vary", "Expires", "Content-Location":
		default:
			delete(h, k)
		}
	}
}

// writeNotModified answers 304 with only the revalidation fields of
// those set so far: every 304 net/http sends goes through it.
func writeNotModified(w http.ResponseWriter) {
	revalidationOnly(w.Header())
	w.WriteHeader(http.StatusNotModified)
}

// siteHeader sets the fields every answer of the site carries (guard).
func siteHeader(h http.Header, csp []string) {
	h["X-Content-Type-Options"] = hdrNoSniff
	h["Referrer-Policy"] = hdrReferrer
	h["Content-Security-Policy"] = csp
}

// fastpathMaxTarget is the longest target the fast path takes: a longer
// one is net/http's.
const fastpathMaxTarget = MaxURLBytes

// FastHandler answers, for internal/fastpath, the requests for pages the
// cache holds that net/http would answer from it: the same bytes but
// Date, the same view counted and the same metrics kept. It declines
// (and net/http answers) a page the cache does not hold, a reader who
// commented recently (whose page is theirs alone), a query that may be an
// old address to redirect, and every request while debug logging is on.
func (s *Server) FastHandler() fastpath.Handler {
	// The name alone: net/http's cookie parser reads it with spaces
	// before "=" too.
	commenter := []byte(commenterCookie)
	return func(req *fastpath.Request) (fastpath.Answer, bool) {
		start := time.Now()
		if bytes.Contains(req.Cookie, commenter) || s.log.Enabled(context.Background(), slog.LevelDebug) {
			return fastpath.Answer{}, false
		}
		if name, ok := bytes.CutPrefix(req.Path, staticPrefix); ok {
			return s.fastAsset(req, name, start)
		}
		key := req.Target
		if n := len(req.Path); n < len(key) || bytes.IndexByte(req.Path, '%') >= 0 {
			var buf [fastpathMaxTarget]byte
			key = req.AppendPath(buf[:0]) // as requestPath has it: decoded
			if n < len(req.Target) {
				query := req.Target[n+1:]
				if oldAddressQuery(query) {
					return fastpath.Answer{}, false
				}
				key = appendQueryKey(key, query)
			}
		}
		now := start
		if !s.wallClock {
			now = s.now()
		}
		c := s.cache.hit(key, now)
		if c == nil {
			return fastpath.Answer{}, false
		}
		f := formFor(c, req.AcceptEncoding, req.IfNoneMatch, req.IfModifiedSince)
		head := req.Method == http.MethodHead
		ans := answer(&c.heads, f, head, c.body, c.gz)
		if !head && c.viewOf != 0 && reading(req.SecPurpose, req.Purpose, req.XMoz, req.UserAgent) {
			s.views.add(c.viewOf, 1)
		}
		c.series[b2i(head)][b2i(f == formNotModified)].Observe(time.Since(start))
		return ans, true
	}
}

// answer is the pre-rendered answer in form f: its head, and the body of
// that form unless the request is HEAD or the answer 304.
func answer(heads *[forms][]byte, f form, head bool, plain, gz []byte) fastpath.Answer {
	ans := fastpath.Answer{Head: heads[f]}
	switch {
	case head:
	case f == formGzip:
		ans.Body = gz
	case f == formPlain:
		ans.Body = plain
	}
	return ans
}

var staticPrefix = []byte("/static/")

// fastAsset answers a static file asked for by its fingerprinted address,
// the one pages link to ("/static/style.css?v=…"); any other address of
// it is net/http's.
func (s *Server) fastAsset(req *fastpath.Request, name []byte, start time.Time) (fastpath.Answer, bool) {
	a, ok := s.assets[string(name)]
	if !ok || a.heads[formPlain] == nil || len(req.Path) == len(req.Target) || string(req.Target[len(req.Path)+1:]) != a.versionQuery {
		return fastpath.Answer{}, false
	}
	f := assetForm(a, req.AcceptEncoding, req.IfNoneMatch)
	head := req.Method == http.MethodHead
	if f == formPlain && a.body == nil && !head {
		return fastpath.Answer{}, false // kept only as gzip: net/http decompresses it
	}
	ans := answer(&a.heads, f, head, a.body, a.gz)
	s.staticSeries[b2i(head)][b2i(f == formNotModified)].Observe(time.Since(start))
	return ans, true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// observeIn keeps the metrics series a cached page's answers count
// in: route is the pattern that rendered it.
func (c *cached) observeIn(m *metrics.Registry, route string) {
	c.series = answerSeries(m, route, c.status)
}

// answerSeries are the series a route's answers with status (or 304)
// count in, by GET and HEAD.
func answerSeries(m *metrics.Registry, route string, status int) (series [2][2]metrics.Series) {
	for i, method := range []string{http.MethodGet, http.MethodHead} {
		series[i][0] = m.Series(route, method, status)
		series[i][1] = m.Series(route, method, http.StatusNotModified)
	}
	return series
}

// notModified reports whether a reader's copy of c, described by the
// request's If-None-Match and If-Modified-Since, is current.
func notModified[T ~string | ~[]byte](c *cached, ifNoneMatch, ifModifiedSince T) bool {
	if len(ifNoneMatch) > 0 {
		want := strings.TrimPrefix(c.etag, "W/")
		for inm := ifNoneMatch; len(inm) > 0; {
			var tag T
			tag, inm, _ = cutByte(inm, ',')
			tag = trimSpace(tag)
			if string(tag) == "*" {
				return true
			}
			if len(tag) >= 2 && tag[0] == 'W' && tag[1] == '/' {
				tag = tag[2:]
			}
			if string(tag) == want {
				return true
			}
		}
		return false
	}
	if len(ifModifiedSince) > 0 {
		if t, err := http.ParseTime(string(ifModifiedSince)); err == nil {
			return !c.lastModified.After(t)
		}
	}
	return false
}

// gzipAccepted reads an Accept-Encoding value: gzip or "*", unless
// refused with q=0.
func gzipAccepted[T ~string | ~[]byte](ae T) bool {
	for len(ae) > 0 {
		var part T
		part, ae, _ = cutByte(ae, ',')
		coding, params, _ := cutByte(part, ';')
		coding = trimSpace(coding)
		if !(len(coding) == 4 && lowerASCII(coding[0]) == 'g' && lowerASCII(coding[1]) == 'z' &&
			lowerASCII(coding[2]) == 'i' && lowerASCII(coding[3]) == 'p') && string(coding) != "*" {
			continue
		}
		return !zeroQ(params)
	}
	return false
}

// zeroQ reports whether coding parameters say q=0 (spaces ignored): the
// coding refused.
func zeroQ[T ~string | ~[]byte](params T) bool {
	var buf [16]byte
	p := buf[:0]
	for i := 0; i < len(params) && len(p) < len(buf); i++ {
		if params[i] != ' ' {
			p = append(p, params[i])
		}
	}
	q, ok := bytes.CutPrefix(p, []byte("q="))
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(string(q), 64)
	return err == nil && f == 0
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// cutByte is strings.Cut and bytes.Cut for a one-byte separator: after is
// empty, not nil, when c is not found.
func cutByte[T ~string | ~[]byte](s T, c byte) (before, after T, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, s[len(s):], false
}

// trimSpace trims spaces and tabs, as HTTP's optional whitespace.
func trimSpace[T ~string | ~[]byte](s T) T {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// anyPageReads reports whether a query pair, raw as asked, is one some
// cached page reads (anyPageParams): a parameter of a route's list with a
// value, the value it keeps when it keeps only one.
func anyPageReads[T ~string | ~[]byte](pair T) bool {
	name, value, _ := cutByte(pair, '=')
	for _, p := range anyPageParams {
		if string(name) == p.name {
			if p.only != "" {
				return string(value) == p.only
			}
			return len(value) > 0
		}
	}
	return false
}

// oldAddressQuery reports whether a raw query keeps an old address
// (redirects.ContentQuery): the front page's /?p=12 may be a redirect's.
// A query naming none of those parameters is told without allocating.
func oldAddressQuery(query []byte) bool {
	for rest := query; len(rest) > 0; {
		var pair []byte
		pair, rest, _ = cutByte(rest, '&')
		name, _, _ := cutByte(pair, '=')
		if bytes.ContainsAny(name, "%+") {
			return redirects.ContentQuery(string(query)) != "" // escaped: as ContentQuery reads it
		}
		for _, content := range redirects.ContentQueries {
			if string(name) == content {
				return redirects.ContentQuery(string(query)) != ""
			}
		}
	}
	return false
}

// appendQueryKey appends to a page's path the query the fast path looks
// the page up by: the pairs some page reads (anyPageReads), as asked, "?"
// only if something is left. A page is stored under its own route's one
// form of the query (canonicalQuery), which this matches when the request
// asked in that form, click ids and the like aside; a request asking
// another way misses here, and net/http answers it from the cache under
// that form.
func appendQueryKey[T ~string | ~[]byte](dst []byte, rawQuery T) []byte {
	sep := byte('?')
	for len(rawQuery) > 0 {
		var pair T
		pair, rawQuery, _ = cutByte(rawQuery, '&')
		if !anyPageReads(pair) {
			continue
		}
		dst = append(dst, sep)
		dst = append(dst, pair...)
		sep = '&'
	}
	return dst
}
