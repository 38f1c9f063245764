package wxrtest

import (
	"strconv"
	"strings"
)

// postID is what other items need to know of post i: drawn from its
// number alone.
type postID struct {
	id           int64
	status       string
	lang         int
	title, slug  string
	written, gmt int64 // when it was written (its place among the posts) and published
	author       int
}

// Most posts are published; the rest are drafts, pending review,
// scheduled or private. One in twelve is in Persian, Arabic or Russian.
func (g *gen) postAt(i int) postID {
	r := g.identity('p', i)
	p := postID{id: g.firstPost + int64(i), status: "publish"}
	switch x := r.IntN(100); {
	case x >= 97:
		p.status = "private"
	case x >= 94:
		p.status = "future"
	case x >= 90:
		p.status = "pending"
	case x >= 84:
		p.status = "draft"
	}
	switch x := r.IntN(100); {
	case x < 4:
		p.lang = persian
	case x < 6:
		p.lang = arabic
	case x < 8:
		p.lang = russian
	}
	p.written = g.start + int64(i)*g.gap + r.Int64N(g.gap*4/5+1)
	p.gmt = p.written
	if ahead := 86400 + r.Int64N(60*86400); p.status == "future" {
		p.gmt = g.exported + ahead
	}
	p.author = r.IntN(g.Authors)
	p.title, p.slug = g.title(p.lang, i)
	return p
}

// title is post i's title and slug: its own combination of the
// language's title lists until they run out, then the same again with
// "-2", "-3"… on the slug, as WordPress does.
func (g *gen) title(lang, i int) (title, slug string) {
	l := languages[lang].title
	c := g.titles[lang].at(i)
	a, b, d := c%len(l[0]), c/len(l[0])%len(l[1]), c/len(l[0])/len(l[1])
	title = l[0][a] + " " + l[1][b] + " " + l[2][d]
	slug = slugify(title)
	if n := i / g.titles[lang].size; n > 0 {
		slug += "-" + strconv.Itoa(n+1)
	}
	return title, slug
}

// shown reports whether a post has its slug and permalink: drafts,
// pending and scheduled posts have neither yet.
func (p *postID) shown() bool { return p.status == "publish" || p.status == "private" }

// postLink is a post's address: its permalink (by day and name, in the
// site's time), or ?p=N before it has one.
func (g *gen) postLink(p *postID) string {
	if !p.shown() {
		return g.BaseURL + "/?p=" + strconv.FormatInt(p.id, 10)
	}
	b := make([]byte, 0, len(g.BaseURL)+len(p.slug)+14)
	b = append(b, g.BaseURL...)
	b = append(b, '/')
	b = appendDay(b, g.zone.local(p.gmt))
	return string(append(append(append(b, '/'), p.slug...), '/'))
}

// images are the attachments post i shows: its own, or failing those one
// uploaded before it, as long as there is a media library.
func (g *gen) images(i int) []media {
	g.imgs = g.imgs[:0]
	if g.Attachments == 0 || g.Posts == 0 {
		return g.imgs
	}
	a, p := int64(g.Attachments), int64(g.Posts)
	lo, hi := int((int64(i)*a+p-1)/p), int((int64(i+1)*a+p-1)/p)
	for k := lo; k < hi && len(g.imgs) < 4; k++ {
		if k%10 != 9 {
			g.imgs = append(g.imgs, g.mediaAt(k))
		}
	}
	if len(g.imgs) == 0 { // one of an earlier post's
		g.imgs = append(g.imgs, g.mediaAt(int(int64(i)*a/p)))
	}
	return g.imgs
}

// post writes post i: block-editor content mostly, classic-editor for
// the rest, its images, its terms, and its comments when published.
func (g *gen) post(i int) {
	p := g.postAt(i)
	imgs := g.images(i)
	r := g.r
	it := &item{title: p.title, link: g.postLink(&p), creator: authorLogin(p.author),
		guid: g.BaseURL + "/?p=" + strconv.FormatInt(p.id, 10), id: p.id, published: p.status != "draft" && p.status != "pending",
		commentStatus: "open", pingStatus: "open", status: p.status, typ: "post"}
	it.date, it.modified = p.gmt, p.gmt
	if !it.published {
		it.date, it.modified = p.written, p.written
	}
	if p.shown() || p.status == "future" {
		it.slug = p.slug
	}
	if p.shown() {
		it.modified += r.Int64N(3 * 3600)
	}
	if r.IntN(10) == 0 {
		it.commentStatus = "closed"
	}
	if p.status == "publish" {
		it.sticky = r.IntN(50) == 0
		if r.IntN(100) == 0 {
			it.password = "harbour"
		}
	}
	g.open(it)

	g.s("\t\t<content:encoded>")
	g.c = g.c[:0]
	if r.IntN(10) < 7 {
		g.blocks(p.lang, imgs)
	} else {
		g.classic(p.lang, imgs)
	}
	g.cdataC()
	g.s("</content:encoded>\n\t\t<excerpt:encoded>")
	g.c = g.c[:0]
	if r.IntN(4) == 0 {
		g.sentence(p.lang)
	}
	g.cdataC()
	g.s("</excerpt:encoded>\n")
	g.fields(it)

	// A category, sometimes two; up to four tags.
	if g.Categories > 1 {
		c := 1 + r.IntN(g.Categories-1)
		g.postCategory(c)
		if second := 1 + r.IntN(g.Categories-1); second != c && r.IntN(100) < 15 {
			g.postCategory(second)
		}
	} else {
		g.postCategory(0)
	}
	if g.Tags > 0 {
		var picked [4]int
		n := min(r.IntN(5), g.Tags)
		for k := 0; k < n; k++ {
			t := r.IntN(g.Tags)
			for _, u := range picked[:k] {
				if u == t {
					t = -1
				}
			}
			if picked[k] = t; t >= 0 {
				name, slug, _ := g.tag(t)
				g.itemTerm("post_tag", slug, name)
			}
		}
	}

	if p.status == "publish" && r.IntN(5) == 0 {
		g.meta("_pingme", "1")
		g.meta("_encloseme", "1")
	}
	if len(imgs) > 0 && r.IntN(100) < 65 {
		g.metaInt("_thumbnail_id", imgs[0].id)
	}
	if p.status == "publish" {
		g.comments(&p)
	}
	g.s("\t</item>\n")
}

func (g *gen) postCategory(c int) {
	name, slug, _, _ := g.category(c)
	g.itemTerm("category", slug, name)
}

// commenterURLs are what commenters give as their site, "&" and all.
var commenterURLs = []string{"https://zoe.example.net/?ref=courier&lang=ga", "https://www.example.com/",
	"http://example.org/blog/", "https://harbourwatch.example.net", "https://example.ie/~brid/"}

// comments writes a published post's comments: threaded (a reply answers
// an earlier comment of the post, most often the one just before, five
// deep at most), most approved, some held, a few in the trash, and a few
// pingbacks.
func (g *gen) comments(p *postID) {
	r := g.r
	g.thread, g.depth = g.thread[:0], g.depth[:0]
	t := p.gmt
	for j := range g.CommentsPerPost {
		g.commentID++
		if r.IntN(20) == 0 {
			g.commentID++ // spam, which WordPress leaves out
		}
		t += 300 + r.Int64N(4*3600)
		ping := j > 0 && r.IntN(25) == 0
		var parent int64
		depth := 0
		if !ping && len(g.thread) > 0 && r.IntN(100) < 45 {
			k := len(g.thread) - 1
			if r.IntN(100) >= 60 {
				k = r.IntN(len(g.thread))
			}
			if g.depth[k] < 4 {
				parent, depth = g.thread[k], g.depth[k]+1
			}
		}
		approved := "1"
		if x := r.IntN(100); !ping && x >= 97 {
			approved = "trash"
		} else if !ping && x >= 87 {
			approved = "0"
		}

		g.s("\t\t<wp:comment>\n\t\t\t<wp:comment_id>")
		g.n(g.commentID)
		g.s("</wp:comment_id>\n\t\t\t<wp:comment_author>")
		var user int64
		switch {
		case ping:
			b := r.IntN(len(blogs))
			g.b = append(g.b, "<![CDATA["...)
			g.b = append(g.b, languages[english].title[0][r.IntN(30)]...)
			g.b = append(g.b, " &#8211; "...)
			g.b = append(g.b, blogs[b]...)
			g.s("]]></wp:comment_author>\n\t\t\t<wp:comment_author_email><![CDATA[]]></wp:comment_author_email>\n\t\t\t<wp:comment_author_url>https://")
			g.s(slugify(blogs[b]))
			g.s(".example.org/")
			g.b = appendDay(g.b, g.zone.local(t))
			g.s("/roundup/</wp:comment_author_url>\n\t\t\t<wp:comment_author_IP><![CDATA[198.51.100.")
		case r.IntN(100) < 8:
			a := r.IntN(g.Authors)
			user = int64(1 + a)
			_, email, display := g.authorOf(a)
			g.cdata(display)
			g.s("</wp:comment_author>\n\t\t\t<wp:comment_author_email>")
			g.cdata(email)
			g.s("</wp:comment_author_email>\n\t\t\t<wp:comment_author_url></wp:comment_author_url>\n\t\t\t<wp:comment_author_IP><![CDATA[192.0.2.")
		default:
			c := commenters[r.IntN(len(commenters))]
			g.cdata(c.name)
			g.s("</wp:comment_author>\n\t\t\t<wp:comment_author_email>")
			g.cdata(c.email)
			g.s("</wp:comment_author_email>\n\t\t\t<wp:comment_author_url>")
			if r.IntN(4) == 0 {
				g.esc(commenterURLs[r.IntN(len(commenterURLs))])
			}
			g.s("</wp:comment_author_url>\n\t\t\t<wp:comment_author_IP><![CDATA[203.0.113.")
		}
		g.n(int64(1 + r.IntN(254)))
		g.s("]]></wp:comment_author_IP>\n")
		g.date("\t\t\t<wp:comment_date>", "</wp:comment_date>\n", g.zone.local(t))
		g.date("\t\t\t<wp:comment_date_gmt>", "</wp:comment_date_gmt>\n", t)
		g.s("\t\t\t<wp:comment_content>")
		g.c = g.c[:0]
		if ping {
			g.c = append(g.c, "[&#8230;] "...)
			g.sentence(english)
			g.c = append(g.c, " [&#8230;]"...)
		} else {
			g.commentText(p.lang)
		}
		g.cdataC()
		g.s("</wp:comment_content>\n\t\t\t<wp:comment_approved>")
		g.cdata(approved)
		g.s("</wp:comment_approved>\n\t\t\t<wp:comment_type>")
		if ping {
			g.s("<![CDATA[pingback]]>")
		} else {
			g.s("<![CDATA[comment]]>")
		}
		g.s("</wp:comment_type>\n\t\t\t<wp:comment_parent>")
		g.n(parent)
		g.s("</wp:comment_parent>\n\t\t\t<wp:comment_user_id>")
		g.n(user)
		g.s("</wp:comment_user_id>\n")
		if approved == "trash" {
			g.s("\t\t\t<wp:commentmeta>\n\t\t\t<wp:meta_key><![CDATA[_wp_trash_meta_status]]></wp:meta_key>\n\t\t\t<wp:meta_value><![CDATA[1]]></wp:meta_value>\n\t\t\t</wp:commentmeta>\n")
			g.s("\t\t\t<wp:commentmeta>\n\t\t\t<wp:meta_key><![CDATA[_wp_trash_meta_time]]></wp:meta_key>\n\t\t\t<wp:meta_value><![CDATA[")
			g.n(t + 86400)
			g.s("]]></wp:meta_value>\n\t\t\t</wp:commentmeta>\n")
		}
		g.s("\t\t</wp:comment>\n")
		if !ping {
			g.thread, g.depth = append(g.thread, g.commentID), append(g.depth, depth)
		}
	}
}

// commentText composes a comment in g.c: a paragraph or three, in the
// post's language or in English, sometimes with a link.
func (g *gen) commentText(lang int) {
	r := g.r
	if r.IntN(5) == 0 {
		lang = english
	}
	for n := 1 + r.IntN(3); n > 0; n-- {
		for s := 1 + r.IntN(3); s > 0; s-- {
			g.sentence(lang)
			if s > 1 {
				g.c = append(g.c, ' ')
			}
		}
		if n > 1 {
			g.c = append(g.c, "\n\n"...)
		}
	}
	if r.IntN(10) == 0 {
		g.c = append(g.c, ` See <a href="https://www.example.com/`...)
		g.c = append(g.c, strings.ToLower(nouns[r.IntN(len(nouns))])...)
		g.c = append(g.c, `" rel="nofollow ugc">this</a>.`...)
	}
}
