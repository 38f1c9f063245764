package web

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// An article's embeds are placeholders (internal/markup's story rules):
// nothing is loaded from their providers until a reader asks, with the
// button embed.js adds. A page holding some loads that script, and its
// Content-Security-Policy lets frames come from their origins, and from
// no others; every other page keeps the site's policy as it is.

// embedFrame finds the origin of each placeholder's frame in a body the
// markup sanitiser wrote: only a figure can carry data-embed-frame there,
// and only with an https address whose host is plain enough to be named
// in a policy; elsewhere a quotation mark is always escaped.
var embedFrame = regexp.MustCompile(`data-embed-frame="(https://[a-z0-9.-]+(?::[0-9]{1,5})?)[/"]`)

// embedOrigins are the origins of the frames body's placeholders load,
// each once, sorted; none for a body without embeds.
func embedOrigins(body string) []string {
	if !strings.Contains(body, "data-embed-frame") {
		return nil
	}
	var origins []string
	for _, m := range embedFrame.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(origins, m[1]) {
			origins = append(origins, m[1])
		}
	}
	slices.Sort(origins)
	return origins
}

// framing is the Content-Security-Policy of a page holding embeds from
// origins: the site's, its frame-src widened to them (or gained, when it
// has none). Nil without origins: the page keeps the site's policy.
func (s *Server) framing(origins []string) []string {
	if len(origins) == 0 {
		return nil
	}
	dirs := strings.Split(s.csp[0], "; ")
	for i, d := range dirs {
		if strings.HasPrefix(d, "frame-src ") {
			dirs[i] = d + " " + strings.Join(origins, " ")
			return []string{strings.Join(dirs, "; ")}
		}
	}
	return []string{s.csp[0] + "; frame-src " + strings.Join(origins, " ")}
}

// setCSP gives a response the page's own policy, when it has one, in
// place of the site's, which guard set.
func setCSP(h http.Header, csp []string) {
	if csp != nil {
		h["Content-Security-Policy"] = csp
	}
}
