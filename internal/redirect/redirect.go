// Package redirect owns the site's redirects from addresses it once had —
// an old WordPress site's above all — to where their content lives now:
// the one way an address becomes the key a redirect is stored and looked
// up under (Key), what a redirect may lead to (CheckTarget, LocalPath),
// and the rules every redirect obeys (Validate). It knows nothing of HTTP
// or storage.
package redirect

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"broadsheet/internal/errs"
)

// Redirect answers requests for one old address with a redirect.
type Redirect struct {
	ID int64
	// FromPath is the address it answers, as Key writes it:
	// "/category/world/europe", "/?p=123", "/2024/05/17/harbour-reopens".
	FromPath string
	// ToURL is where it leads: a path of this site ("/city/harbour-reopens",
	// with a query or fragment if need be), or, when OffSite, an http or
	// https address on another site.
	ToURL string
	// OffSite allows ToURL to be on another site. Only an admin sets it;
	// a redirect without it never leaves the site, whatever ToURL says.
	OffSite bool
	// Status is 301 (the default), 302, 307 or 308.
	Status int
	// Source is "" for a redirect made by hand and the importer's name
	// ("wordpress") for an imported one. An import never replaces a
	// redirect made by hand.
	Source    string
	CreatedAt time.Time
	CreatedBy int64 // the user who made it; 0 for none (an import)
	// Hits counts the requests it has answered, LastHitAt the latest; both
	// are added up in memory and stored in batches, so they lag a little.
	Hits      int64
	LastHitAt time.Time
}

// Imported reports whether r came from an import.
func (r Redirect) Imported() bool { return r.Source != "" }

// Sources.
const (
	ByHand    = ""
	WordPress = "wordpress"
)

// What Key refuses, said after the address it was given.
var (
	errNotPath      = errors.New("is neither a path starting with / nor an http(s) address")
	errBrokenEscape = errors.New("has a broken percent-escape")
)

// Statuses a redirect may answer with.
var Statuses = []int{301, 302, 307, 308}

// statusArgs are the Statuses, then more, as a message's arguments.
func statusArgs(more ...any) []any {
	args := make([]any, 0, len(Statuses)+len(more))
	for _, s := range Statuses {
		args = append(args, s)
	}
	return append(args, more...)
}

// Permanent reports whether status says the move is for good (301, 308):
// browsers and CDNs may then keep the answer.
func Permanent(status int) bool { return status == 301 || status == 308 }

// CacheKey is the change-log key every write of a redirect logs, so that
// whatever a site keeps in memory about redirects can be dropped by it, in
// every instance. No rendered page holds it today: a 404 is never stored,
// and the front page asks for a redirect before its cache.
const CacheKey = "redirects"

// MaxAddress bounds FromPath and ToURL, in bytes, as stored.
const MaxAddress = 2000

// ErrNotFound means no redirect answers the address, or none has the id.
var ErrNotFound = errs.New(errs.NotFound, "redirect not found")

// Query selects redirects for the newsroom's list, newest first.
type Query struct {
	// Search is part of an address, old or new, as typed or
	// percent-encoded.
	Search string
	// Made is "" for every redirect, MadeByHand or MadeByImport.
	Made     string
	BeforeID int64 // the page after the redirect with this id
	Limit    int
}

// Query.Made values.
const (
	MadeByHand   = "hand"
	MadeByImport = "imported"
)

// Hit is what a site counted of one redirect since it last stored hits.
type Hit struct {
	N    int64
	Last time.Time
}

// PutResult says what PutRedirects did with each redirect it was given.
type PutResult struct {
	Added     int // new addresses
	Updated   int // imported before, and changed
	Unchanged int // imported before, just so
	Kept      int // made by hand, which an import never replaces
	Skipped   int // leading to their own address, or round a circle
}

// ContentQueries are the WordPress query parameters that say which content
// an address shows — a post, a page, an attachment, a category, a tag, an
// author, a date archive, a feed — and so are part of a redirect's key:
// "/?p=123" and "/?cat=4" are different addresses. Every other parameter
// (utm_source, fbclid, replytocom, preview, s, paged, page, cpage, lang
// and whatever a plugin added) is left out of the key: they track, sort
// or page what the content parameters name.
var ContentQueries = []string{
	"attachment", "attachment_id", "author", "author_name", "cat", "category_name", "day", "feed",
	"m", "monthnum", "name", "p", "page_id", "pagename", "post_type", "tag", "tag_id", "taxonomy",
	"term", "w", "year",
}

// numericQueries name a number, which "?p=0123" writes as well as "?p=123".
var numericQueries = []string{"attachment_id", "author", "cat", "day", "monthnum", "p", "page_id", "tag_id", "w", "year"}

// Key is the form of an address that redirects are stored and looked up
// under, so that every way of writing one address finds the same
// redirect. raw is a path with an optional query, or a whole http(s)
// address of the old site, whose host is dropped. Key
//
//   - drops the fragment;
//   - decodes the path's percent-escapes, in either case, and escapes it
//     again one way (upper-case hex, and only what a path must escape), so
//     that a Persian slug typed as it reads, or encoded in lower or upper
//     case, is one key; the case of the path is kept;
//   - collapses "//", resolves "." and "..", drops a trailing "/"
//     ("/tag/x/" is "/tag/x"), and reads "/index.php" as "/" and
//     "/index.php/x" as "/x", as WordPress does;
//   - keeps of the query only ContentQueries with a value (the last one of
//     a name, as PHP reads it; a number without leading zeros), sorted by
//     name.
//
// Key(Key(x)) is Key(x).
func Key(raw string) (string, error) {
	s, _, _ := strings.Cut(raw, "#")
	if rest, ok := cutScheme(s); ok {
		// A whole address of the old site: its host is not part of the key.
		i := strings.IndexAny(rest, "/?")
		switch {
		case i < 0:
			s = "/"
		case rest[i] == '?':
			s = "/" + rest[i:]
		default:
			s = rest[i:]
		}
	}
	if strings.HasPrefix(s, "?") {
		s = "/" + s // the front page's query alone
	}
	if !strings.HasPrefix(s, "/") {
		return "", fmt.Errorf("%q %w", raw, errNotPath)
	}
	p, q, _ := strings.Cut(s, "?")
	decoded, err := url.PathUnescape(p)
	if err != nil {
		return "", fmt.Errorf("%q %w", raw, errBrokenEscape)
	}
	clean := path.Clean(decoded)
	for strings.HasPrefix(clean, "/index.php") {
		if clean == "/index.php" {
			clean = "/"
		} else if rest, ok := strings.CutPrefix(clean, "/index.php/"); ok {
			clean = "/" + rest
		} else {
			break
		}
	}
	key := escapePath(clean)
	if cq := ContentQuery(q); cq != "" {
		key += "?" + cq
	}
	return key, nil
}

// cutScheme returns s after "http://" or "https://", in any case.
func cutScheme(s string) (string, bool) {
	for _, scheme := range []string{"http://", "https://"} {
		if len(s) >= len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) {
			return s[len(scheme):], true
		}
	}
	return "", false
}

// ContentQuery is the part of a raw query that a redirect's key keeps
// (see Key), "" when it holds no content parameter: "/?utm_source=x" is
// the front page, and "/?p=12&utm_source=x" is "/?p=12".
func ContentQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	var kept map[string]string
	for pair := range strings.SplitSeq(rawQuery, "&") {
		k, v, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if err != nil || !slices.Contains(ContentQueries, name) {
			continue
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			continue
		}
		if slices.Contains(numericQueries, name) && isDigits(value) {
			value = strings.TrimLeft(value, "0")
			if value == "" {
				value = "0"
			}
		}
		if kept == nil {
			kept = map[string]string{}
		}
		if value == "" {
			delete(kept, name) // an empty value sets nothing
			continue
		}
		kept[name] = value
	}
	if len(kept) == 0 {
		return ""
	}
	var b strings.Builder
	for _, name := range ContentQueries { // sorted
		if v, ok := kept[name]; ok {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(name + "=" + url.QueryEscape(v))
		}
	}
	return b.String()
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// escapePath writes a decoded path with every byte escaped but the
// letters, digits and marks a path may hold as they are.
func escapePath(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(p) + 16)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/!$&'()*+,;=:@", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// Escaped is text as stored addresses write it — its percent-escapes
// decoded, then escaped again as Key escapes a path, with "?", "=" and
// "&" kept — so that a search for a Persian slug, typed as it reads or
// encoded, finds the stored address.
func Escaped(text string) string {
	if d, err := url.PathUnescape(text); err == nil {
		text = d
	}
	var b strings.Builder
	for part := range strings.SplitSeq(text, "?") {
		if b.Len() > 0 {
			b.WriteByte('?')
		}
		b.WriteString(escapePath(part))
	}
	return b.String()
}

// Display is a key or target as people read it: percent-escapes decoded
// when they are text ("/tag/خبر"), as stored when they are not.
func Display(addr string) string {
	d, err := url.PathUnescape(addr)
	if err != nil || !utf8.ValidString(d) || hasUnsafeByte(d) {
		return addr
	}
	return d
}

// TargetKey is the key of the address a redirect leads to, when that is a
// path of this site ("" when it is off-site): what a redirect stored
// under that key would answer. No stored redirect leads to another's
// address (see Validate).
func TargetKey(to string, offSite bool) string {
	if offSite && !strings.HasPrefix(to, "/") {
		return ""
	}
	k, err := Key(to)
	if err != nil {
		return ""
	}
	return k
}

var sourceName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// Validate checks r and writes it in its stored form: FromPath as its key,
// ToURL checked (CheckTarget), Status 301 when unset. It says every
// problem, each about its field (from_path, to_url, status, source).
//
// Chains are the store's to resolve, since they depend on what is stored:
// a redirect whose target is the address of another leads straight to
// that one's target, and redirects that led to its address lead straight
// to its target, so that every redirect is one hop. A redirect that would
// lead back to its own address, directly or so, is refused.
func Validate(r *Redirect) error {
	inv := &errs.InvalidError{}
	from := strings.TrimSpace(r.FromPath)
	switch key, err := Key(from); {
	case from == "":
		inv.AddKey("from_path", "problem.redirect_from_missing")
	case errors.Is(err, errBrokenEscape):
		inv.AddKey("from_path", "problem.redirect_from_escape", from)
	case err != nil:
		inv.AddKey("from_path", "problem.redirect_from_not_path", from)
	case len(key) > MaxAddress:
		inv.AddKey("from_path", "problem.redirect_from_long", MaxAddress)
	case hasUnsafeByte(mustUnescape(key)):
		inv.AddKey("from_path", "problem.redirect_from_unsafe")
	case key == "/":
		inv.AddKey("from_path", "problem.redirect_front_page")
	case Reserved(key):
		inv.AddKey("from_path", "problem.redirect_reserved", Display(key))
	default:
		r.FromPath = key
	}
	switch to, err := CheckTarget(r.ToURL, r.OffSite); {
	case err != nil:
		for _, p := range errs.From(err).Fields {
			inv.AddProblem(p)
		}
	default:
		r.ToURL = to
		r.OffSite = r.OffSite && !strings.HasPrefix(to, "/")
		if !inv.Has("from_path") && TargetKey(to, r.OffSite) == r.FromPath {
			inv.AddKey("to_url", "problem.redirect_to_itself", Display(r.FromPath))
		}
	}
	if r.Status == 0 {
		r.Status = 301
	}
	switch {
	case r.Status < 0:
		inv.AddKey("status", "problem.redirect_status", statusArgs()...)
	case !slices.Contains(Statuses, r.Status):
		inv.AddKey("status", "problem.redirect_status_not", statusArgs(r.Status)...)
	}
	if r.Source != ByHand && !sourceName.MatchString(r.Source) {
		inv.AddKey("source", "problem.redirect_source", r.Source)
	}
	return inv.OrNil()
}

// Reserved reports whether key is an address of the newsroom or the API,
// which redirects never answer.
func Reserved(key string) bool {
	p, _, _ := strings.Cut(key, "?")
	return p == "/admin" || strings.HasPrefix(p, "/admin/") || p == "/api" || strings.HasPrefix(p, "/api/")
}

func mustUnescape(key string) string {
	d, _ := url.PathUnescape(key)
	return d
}

// CheckTarget checks where a redirect leads and returns it as it is
// stored: a path of this site, with its query and fragment, the path's
// text percent-escaped; or, only when offSite, an absolute http or https
// address. A path must be one every browser reads as a path of this site
// (LocalPath): no "//" at its start, no backslash, no control character,
// no dot segment, however it is decoded. What is wrong is a problem
// about the field "to_url".
func CheckTarget(to string, offSite bool) (string, error) {
	to = strings.TrimSpace(to)
	refuse := func(key string, args ...any) (string, error) { return "", errs.InvalidKey("to_url", key, args...) }
	switch {
	case to == "":
		return refuse("problem.redirect_to_missing")
	case len(to) > MaxAddress:
		return refuse("problem.redirect_to_long", MaxAddress)
	case hasUnsafeByte(to):
		return refuse("problem.redirect_to_unsafe")
	}
	if strings.HasPrefix(to, "/") && !strings.HasPrefix(to, "//") {
		u, err := url.Parse(to)
		if err != nil {
			return refuse("problem.redirect_to_bad_path", to)
		}
		out := u.EscapedPath()
		if u.RawQuery != "" || u.ForceQuery {
			out += "?" + EscapeLoose(u.RawQuery)
		}
		if u.Fragment != "" {
			out += "#" + u.EscapedFragment()
		}
		clean, ok := LocalPath(out)
		if !ok {
			return refuse("problem.redirect_to_not_local", to)
		}
		return clean, nil
	}
	rest, absolute := cutScheme(to)
	if !absolute {
		return refuse("problem.redirect_to_relative")
	}
	u, err := url.Parse(to)
	switch {
	case err != nil || u.Host == "" || strings.HasPrefix(rest, "/"):
		return refuse("problem.redirect_to_bad_url", to)
	case u.User != nil:
		return refuse("problem.redirect_to_userinfo")
	case !offSite:
		return refuse("problem.redirect_off_site", to)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.RawQuery = EscapeLoose(u.RawQuery)
	return u.String(), nil
}

// EscapeLoose escapes what a request line or a header may not carry
// (spaces, controls, anything beyond ASCII, quotes and angle brackets) and
// leaves the rest of a query as it was written.
func EscapeLoose(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '`' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// LocalPath returns target, cleaned, when every browser reads it as a path
// on this site, and false when it may not. Browsers drop tabs and line
// breaks from a URL and read "\" as "/", so "/\t/evil.example" and
// "/\evil.example" both reach evil.example; a proxy or a second decoding
// can turn "/%2f%2fevil.example" into "//evil.example" too. A path is
// refused when any decoding of it holds a control character, a backslash
// or a dot segment, or begins with "//": no page of the site has such a
// path.
func LocalPath(target string) (string, bool) {
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
