package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"broadsheet/internal/article"
)

// A queryParam is a query parameter a cached page reads, and the one form
// its value is cached and rendered under. Every other parameter, and every
// value that reads as the parameter's absence, changes nothing on the page
// and is left out of both: a story shared with a new click id (fbclid,
// utm_source…) on every click is one page, and a stranger adding ?x=1,
// ?x=2…, ?reply=a1, ?reply=a2… or ?after=007 cannot make each request a
// render and push the read pages out of the cache.
type queryParam struct {
	name string
	// only, when set, is the one value that means something besides the
	// default; every other value is dropped.
	only string
	// canon, for a parameter without only, returns the value's one form,
	// or keep=false for a value the page reads as no value. A value the
	// page refuses (a cursor it answers 400, an update it answers 404) is
	// kept as asked: the page answers it, and such answers are never
	// stored.
	canon func(value string) (v string, keep bool)
}

var (
	// An archive's page: a cursor either way (archive).
	archiveParams = []queryParam{{name: "after", canon: cursorValue}, {name: "before", canon: cursorValue}}
	// An article's page: the discussion's order and page, the comment
	// replied to (discussion), a live blog's order and page (liveBlog).
	articleParams = []queryParam{{name: "after", canon: countValue}, {name: "comments", only: "newest"},
		{name: "from", canon: updateValue}, {name: "order", only: "oldest"}, {name: "reply", canon: countValue}}
	// anyPageParams are the parameters of every route's list, which the
	// fast path keeps (anyPageReads).
	anyPageParams = append(slices.Clip(archiveParams), articleParams...)
)

// value is v in its one form for p, keep=false when p reads it as none.
func (p queryParam) value(v string) (string, bool) {
	if p.only != "" {
		return v, v == p.only
	}
	return p.canon(v)
}

// cursorValue is an archive cursor as article.Cursor writes it.
func cursorValue(v string) (string, bool) {
	if v == "" {
		return "", false // the first page
	}
	if c, err := article.ParseCursor(v); err == nil {
		return c.String(), true
	}
	return v, true
}

// countValue is a positive whole number; anything else reads as none.
func countValue(v string) (string, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return "", false
	}
	return strconv.FormatInt(n, 10), true
}

// updateValue is a live blog update's id; a value that is not one is
// answered 404.
func updateValue(v string) (string, bool) {
	if v == "" {
		return "", false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		return strconv.FormatInt(n, 10), true
	}
	return v, true
}

// canonicalQuery is the raw query a page with params is cached and rendered
// under: its parameters in their one form, ordered by name (a repeated one
// in the order asked, for the page to refuse), every other pair left out.
func canonicalQuery(rawQuery string, params []queryParam) string {
	if len(params) == 0 {
		return ""
	}
	type pair struct{ name, value string }
	var kept []pair
	for raw := range strings.SplitSeq(rawQuery, "&") {
		k, v, _ := strings.Cut(raw, "=")
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue // as url.ParseQuery skips it
		}
		i := slices.IndexFunc(params, func(p queryParam) bool { return p.name == name })
		if i < 0 {
			continue
		}
		if value, ok := params[i].value(value); ok {
			kept = append(kept, pair{name, value})
		}
	}
	slices.SortStableFunc(kept, func(a, b pair) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	for i, p := range kept {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.value))
	}
	return b.String()
}
