// Package wxrtest writes WordPress exports of any size for the tests and
// benchmarks of an import: WXR 1.2 as WordPress 6.x's exporter writes it
// (see ../testdata/real), with the site's authors, nested categories and
// tags in the channel, then its pages, its media library and its posts,
// each post with its threaded comments.
//
// An export is the same for the same Spec, byte for byte. It is written
// item by item, in the memory of one item whatever its size: everything an
// item says about another (a post's images, an attachment's post) is
// worked out again from that item's number, never kept.
package wxrtest

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Spec says what an export holds. A count left at zero means none, except
// where a site always has some: Authors (5), Categories (8, the first
// WordPress's "Uncategorized") and BaseURL ("https://news.example.org").
type Spec struct {
	Posts int
	// CommentsPerPost is the number of comments on each published post;
	// drafts, posts pending review, scheduled and private posts have none.
	CommentsPerPost int
	Pages           int
	Categories      int
	Tags            int
	Authors         int
	Attachments     int // images in the media library, most of them used by a post
	Seed            int64
	BaseURL         string // the site's address, without a trailing slash
}

// The exporter this package writes as.
const wordpressVersion = "6.4.3"

// flushAt is how much is written out at once.
const flushAt = 256 << 10

// WriteFile writes the export of s to path.
func WriteFile(path string, s Spec) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(f, s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Write writes the export of s to w.
func Write(w io.Writer, s Spec) error {
	g, err := newGen(w, s)
	if err != nil {
		return err
	}
	g.header()
	// In the order of their IDs, as WordPress writes them.
	for _, kind := range []struct {
		n     int
		write func(int)
	}{{s.Pages, g.page}, {s.Attachments, g.attachment}, {s.Posts, g.post}} {
		for i := range kind.n {
			if kind.write(i); g.flush(false) != nil {
				return g.err
			}
		}
	}
	g.s("\t</channel>\n</rss>\n")
	return g.flush(true)
}

// gen writes one export.
type gen struct {
	Spec
	host string // for the authors' addresses
	w    io.Writer
	err  error
	b    []byte // written, not yet flushed
	c    []byte // the text being composed, before it goes into CDATA

	r *rand.Rand // the running choices: content, comments
	// An item's identity (its status, slug, date, author) is drawn from id
	// seeded by the item's number, so that another item can draw it again.
	idSrc *rand.PCG
	id    *rand.Rand

	firstAttachment, firstPost int64 // IDs: pages from 2, then the media library, then posts
	start, gap, exported       int64 // seconds: the first post, between posts, the export
	titles                     [len(languages)]perm
	commentID                  int64
	imgs                       []media // the current post's images
	thread                     []int64 // the current post's comments that can be replied to
	depth                      []int   // and how deep each is
	zone                       zone
}

func newGen(w io.Writer, s Spec) (*gen, error) {
	for _, n := range []int{s.Posts, s.CommentsPerPost, s.Pages, s.Categories, s.Tags, s.Authors, s.Attachments} {
		if n < 0 {
			return nil, fmt.Errorf("wxrtest: negative count in %+v", s)
		}
	}
	if s.Authors == 0 {
		s.Authors = 5
	}
	if s.Categories == 0 {
		s.Categories = 8
	}
	if s.BaseURL == "" {
		s.BaseURL = "https://news.example.org"
	}
	s.BaseURL = strings.TrimRight(s.BaseURL, "/")
	u, err := url.Parse(s.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("wxrtest: base URL %q is not an http(s) address", s.BaseURL)
	}
	g := &gen{Spec: s, host: u.Hostname(), w: w, b: make([]byte, 0, 2*flushAt)}
	g.r = rand.New(rand.NewPCG(mix(uint64(s.Seed)), 0x7778727465737400))
	g.idSrc = rand.NewPCG(0, 0)
	g.id = rand.New(g.idSrc)
	g.firstAttachment = 2 + int64(s.Pages)
	g.firstPost = g.firstAttachment + int64(s.Attachments)
	// Ten years of posts, a minute apart at the least.
	g.start = 1420448400 // 2015-01-05 09:00 UTC
	g.gap = max(10*365*86400/max(int64(s.Posts), 1), 60)
	g.exported = g.start + int64(s.Posts)*g.gap + 86400
	for l := range languages {
		t := languages[l].title
		g.titles[l] = newPerm(len(t[0])*len(t[1])*len(t[2]), mix(uint64(s.Seed)+uint64(l)))
	}
	return g, nil
}

// flush writes out what has been composed once there is enough of it, or
// all of it when last.
func (g *gen) flush(last bool) error {
	if g.err == nil && (last || len(g.b) >= flushAt) {
		_, g.err = g.w.Write(g.b)
		g.b = g.b[:0]
	}
	return g.err
}

// identity seeds g.id for item n of a kind ('a'ttachment, 'p'ost,
// pa'g'e).
func (g *gen) identity(kind byte, n int) *rand.Rand {
	g.idSrc.Seed(mix(uint64(g.Seed)^uint64(kind)<<56), mix(uint64(n)))
	return g.id
}

// mix is SplitMix64's finaliser: nearby numbers become unrelated seeds.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// perm maps 0…n-1 onto itself in an order fixed by the seed: n ↦ (n·step
// + off) mod size, with step prime to size.
type perm struct{ size, step, off int }

func newPerm(size int, seed uint64) perm {
	step := int(seed%uint64(size)) | 1
	for gcd(step, size) != 1 {
		step += 2
	}
	return perm{size, step % size, int(seed>>32) % size}
}

func (p perm) at(n int) int { return (n%p.size*p.step + p.off) % p.size }

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// header writes everything before the first item.
func (g *gen) header() {
	g.s(`<?xml version="1.0" encoding="UTF-8" ?>
<!-- This is a WordPress eXtended RSS file generated by WordPress as an export of your site. -->
<!-- It contains information about your site's posts, pages, comments, categories, and other content. -->
<!-- You may use this file to transfer that content from one site to another. -->
<!-- This file is not intended to serve as a complete backup of your site. -->

<!-- To import this information into a WordPress site follow these steps: -->
<!-- 1. Log in to that site as an administrator. -->
<!-- 2. Go to Tools: Import in the WordPress admin panel. -->
<!-- 3. Install the "WordPress" importer from the list. -->
<!-- 4. Activate & Run Importer. -->
<!-- 5. Upload this file using the form provided on that page. -->
<!-- 6. You will first be asked to map the authors in this export file to users -->
<!--    on the site. For each author, you may choose to map to an -->
<!--    existing user on the site or to create a new user. -->
<!-- 7. WordPress will then import each of the posts, pages, comments, categories, etc. -->
<!--    contained in this file into your site. -->

	<!-- generator="WordPress/` + wordpressVersion + `" created="`)
	g.b = appendDate(g.b, g.exported)
	g.b = g.b[:len(g.b)-len(":05")] // to the minute
	g.s(`" -->
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>

<channel>
	<title>The Coastal Courier</title>
	<link>`)
	g.esc(g.BaseURL)
	g.s("</link>\n\t<description>News &#38; views from the coast, since 1891</description>\n\t<pubDate>")
	g.b = appendRFC1123(g.b, g.exported)
	g.s("</pubDate>\n\t<language>en-US</language>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n\t<wp:base_site_url>")
	g.esc(g.BaseURL)
	g.s("</wp:base_site_url>\n\t<wp:base_blog_url>")
	g.esc(g.BaseURL)
	g.s("</wp:base_blog_url>\n\n")
	for a := range g.Authors {
		g.author(a)
	}
	g.s("\n")
	for c := range g.Categories {
		name, slug, parent, desc := g.category(c)
		g.headerTerm("wp:category", int64(1+c), "wp:category_nicename", slug, "wp:category_parent", g.categorySlug(parent),
			"wp:cat_name", name, "wp:category_description", desc)
	}
	for t := range g.Tags {
		name, slug, desc := g.tag(t)
		g.headerTerm("wp:tag", g.tagID(t), "wp:tag_slug", slug, "wp:tag_name", name, "wp:tag_description", desc)
	}
	// A site without taxonomies of its own has every term written again
	// as a wp:term.
	for t := range g.Tags {
		name, slug, desc := g.tag(t)
		g.term(g.tagID(t), "post_tag", slug, "", name, desc)
	}
	for c := range g.Categories {
		name, slug, parent, desc := g.category(c)
		g.term(int64(1+c), "category", slug, g.categorySlug(parent), name, desc)
	}
	g.s("\n\t<generator>https://wordpress.org/?v=" + wordpressVersion + "</generator>\n\n")
}

func (g *gen) author(a int) {
	login, email, display := g.authorOf(a)
	au := authors[a%len(authors)]
	g.s("\t<wp:author><wp:author_id>")
	g.n(int64(1 + a))
	g.s("</wp:author_id><wp:author_login>")
	g.cdata(login)
	g.s("</wp:author_login><wp:author_email>")
	g.cdata(email)
	g.s("</wp:author_email><wp:author_display_name>")
	g.cdata(display)
	g.s("</wp:author_display_name><wp:author_first_name>")
	g.cdata(au.first)
	g.s("</wp:author_first_name><wp:author_last_name>")
	g.cdata(au.last)
	g.s("</wp:author_last_name></wp:author>\n")
}

// authorOf is author a (user a+1): beyond the list, names come round
// again with a number.
func (g *gen) authorOf(a int) (login, email, display string) {
	au, n := authors[a%len(authors)], a/len(authors)
	login, display = au.login, au.display
	if n > 0 {
		login += strconv.Itoa(n + 1)
		display += " " + strconv.Itoa(n+1)
	}
	return login, login + "@" + g.host, display
}

// authorLogin is author a's login, what an item's dc:creator names.
func authorLogin(a int) string {
	if n := a / len(authors); n > 0 {
		return authors[a%len(authors)].login + strconv.Itoa(n+1)
	}
	return authors[a].login
}

func (g *gen) term(id int64, taxonomy, slug, parent, name, desc string) {
	g.headerTerm("wp:term", id, "wp:term_taxonomy", taxonomy, "wp:term_slug", slug, "wp:term_parent", parent,
		"wp:term_name", name, "wp:term_description", desc)
}

// headerTerm writes a term of the channel: its ID, then its fields as
// name, text pairs, the last (a description) only when there is one.
func (g *gen) headerTerm(elem string, id int64, fields ...string) {
	g.s("\t<" + elem + ">\n\t\t<wp:term_id>")
	g.n(id)
	g.s("</wp:term_id>\n")
	for i := 0; i < len(fields); i += 2 {
		if i+2 < len(fields) || fields[i+1] != "" {
			g.el("\t\t", fields[i], fields[i+1])
		}
	}
	g.s("\t</" + elem + ">\n")
}

// categorySlug is category c's slug, or "" for none (-1).
func (g *gen) categorySlug(c int) string {
	if c < 0 {
		return ""
	}
	_, slug, _, _ := g.category(c)
	return slug
}

// category is category c (term c+1): beyond the list, its names come
// round again with a number, "Uncategorized" apart, and a parent in the
// same round.
func (g *gen) category(c int) (name, slug string, parent int, desc string) {
	if c == 0 {
		t := categories[0]
		return t.name, t.slug, -1, t.desc
	}
	n := len(categories) - 1
	t, round := categories[1+(c-1)%n], (c-1)/n
	name, slug, parent = t.name, t.slug, t.parent
	if slug == "" {
		slug = slugify(name)
	}
	if round > 0 {
		name += " " + strconv.Itoa(round+1)
		slug += "-" + strconv.Itoa(round+1)
	}
	if parent > 0 {
		parent += round * n
	}
	return name, slug, parent, t.desc
}

func (g *gen) tagID(t int) int64 { return int64(1 + g.Categories + t) }

// tag is tag t; beyond the list its names come round with a number.
func (g *gen) tag(t int) (name, slug, desc string) {
	tt, round := tags[t%len(tags)], t/len(tags)
	name, slug = tt.name, tt.slug
	if round > 0 {
		name += " " + strconv.Itoa(round+1)
		slug = ""
	}
	if slug == "" {
		slug = slugify(name)
	}
	return name, slug, tt.desc
}

// slugify makes a slug of a name as WordPress does (sanitize_title):
// letters in lower case, ASCII letters and digits as they are, other runs
// of ASCII as one "-", and anything else as its UTF-8 bytes
// percent-encoded in lower case.
func slugify(name string) string {
	const hex = "0123456789abcdef"
	name = strings.ToLower(name)
	b := make([]byte, 0, 3*len(name))
	dash := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
			fallthrough
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
			if dash && len(b) > 0 {
				b = append(b, '-')
			}
			b, dash = append(b, c), false
		case c == '\'':
		case c < 0x80:
			dash = true
		default:
			if dash && len(b) > 0 {
				b = append(b, '-')
			}
			b, dash = append(b, '%', hex[c>>4], hex[c&15]), false
		}
	}
	return string(b)
}

// Writing: text as it is, escaped, or in CDATA as WordPress writes it
// (wxr_cdata), a "]]>" in the text split across two sections.

func (g *gen) s(x string)   { g.b = append(g.b, x...) }
func (g *gen) n(x int64)    { g.b = strconv.AppendInt(g.b, x, 10) }
func (g *gen) esc(x string) { g.b = appendEscaped(g.b, x) }

// el writes an element holding text, in CDATA, on a line of its own.
func (g *gen) el(indent, name, text string) {
	g.b = append(append(append(g.b, indent...), '<'), name...)
	g.b = append(g.b, '>')
	g.cdata(text)
	g.b = append(append(append(g.b, "</"...), name...), ">\n"...)
}

func (g *gen) cdata(x string) {
	g.b = append(g.b, "<![CDATA["...)
	for {
		i := strings.Index(x, "]]>")
		if i < 0 {
			break
		}
		g.b = append(append(g.b, x[:i+2]...), "]]><![CDATA["...)
		x = x[i+2:]
	}
	g.b = append(append(g.b, x...), "]]>"...)
}

// cdataC writes the text composed in g.c as CDATA.
func (g *gen) cdataC() {
	g.b = append(g.b, "<![CDATA["...)
	x := g.c
	for {
		i := bytes.Index(x, cdataEnd)
		if i < 0 {
			break
		}
		g.b = append(append(g.b, x[:i+2]...), "]]><![CDATA["...)
		x = x[i+2:]
	}
	g.b = append(append(g.b, x...), "]]>"...)
}

var cdataEnd = []byte("]]>")

func appendEscaped(b []byte, x string) []byte {
	for i := 0; i < len(x); i++ {
		switch c := x[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '"':
			b = append(b, "&quot;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}
