package wxrtest

import (
	"strconv"
	"strings"
)

// item is what every item says before and after its content.
type item struct {
	title, link, creator, guid string
	id                         int64
	date                       int64 // GMT
	published                  bool  // false: no pubDate, no GMT dates (drafts)
	modified                   int64 // GMT
	commentStatus, pingStatus  string
	slug, status, typ          string
	parent                     int64
	menuOrder                  int
	password                   string
	sticky                     bool
}

// open writes the item up to its content.
func (g *gen) open(it *item) {
	g.s("\t<item>\n")
	g.el("\t\t", "title", it.title)
	g.s("\t\t<link>")
	g.esc(it.link)
	g.s("</link>\n\t\t<pubDate>")
	if it.published {
		g.b = appendRFC1123(g.b, it.date)
	}
	g.s("</pubDate>\n")
	g.el("\t\t", "dc:creator", it.creator)
	g.s("\t\t<guid isPermaLink=\"false\">")
	g.esc(it.guid)
	g.s("</guid>\n\t\t<description></description>\n")
}

// fields writes what follows the content and the excerpt, up to the
// item's terms.
func (g *gen) fields(it *item) {
	g.s("\t\t<wp:post_id>")
	g.n(it.id)
	g.s("</wp:post_id>\n")
	g.date("\t\t<wp:post_date>", "</wp:post_date>\n", g.zone.local(it.date))
	g.dateGMT("\t\t<wp:post_date_gmt>", "</wp:post_date_gmt>\n", it.date, it.published)
	g.date("\t\t<wp:post_modified>", "</wp:post_modified>\n", g.zone.local(it.modified))
	g.dateGMT("\t\t<wp:post_modified_gmt>", "</wp:post_modified_gmt>\n", it.modified, it.published)
	g.el("\t\t", "wp:comment_status", it.commentStatus)
	g.el("\t\t", "wp:ping_status", it.pingStatus)
	g.el("\t\t", "wp:post_name", it.slug)
	g.el("\t\t", "wp:status", it.status)
	g.s("\t\t<wp:post_parent>")
	g.n(it.parent)
	g.s("</wp:post_parent>\n\t\t<wp:menu_order>")
	g.n(int64(it.menuOrder))
	g.s("</wp:menu_order>\n")
	g.el("\t\t", "wp:post_type", it.typ)
	g.el("\t\t", "wp:post_password", it.password)
	g.s("\t\t<wp:is_sticky>")
	if it.sticky {
		g.s("1")
	} else {
		g.s("0")
	}
	g.s("</wp:is_sticky>\n")
}

func (g *gen) date(open, close string, t int64) {
	g.s(open)
	g.b = append(g.b, "<![CDATA["...)
	g.b = appendDate(g.b, t)
	g.s("]]>")
	g.s(close)
}

// dateGMT writes a GMT date, or WordPress's zero date for one a draft
// does not have yet.
func (g *gen) dateGMT(open, close string, t int64, set bool) {
	if set {
		g.date(open, close, t)
		return
	}
	g.s(open + "<![CDATA[0000-00-00 00:00:00]]>" + close)
}

func (g *gen) meta(key, value string) {
	g.s("\t\t<wp:postmeta>\n")
	g.el("\t\t", "wp:meta_key", key)
	g.el("\t\t", "wp:meta_value", value)
	g.s("\t\t</wp:postmeta>\n")
}

func (g *gen) metaInt(key string, value int64) {
	g.s("\t\t<wp:postmeta>\n")
	g.el("\t\t", "wp:meta_key", key)
	g.s("\t\t<wp:meta_value><![CDATA[")
	g.n(value)
	g.s("]]></wp:meta_value>\n\t\t</wp:postmeta>\n")
}

func (g *gen) itemTerm(domain, slug, name string) {
	g.s("\t\t<category domain=\"" + domain + "\" nicename=\"")
	g.esc(slug)
	g.s("\">")
	g.cdata(name)
	g.s("</category>\n")
}

// Pages come first, as the oldest items; a third are the children of an
// earlier page.

type page struct {
	title, slug string
	parent      int // -1: none
	date        int64
}

func (g *gen) pageAt(j int) page {
	r := g.identity('g', j)
	p := page{parent: -1, date: g.start - 60*86400 + int64(j)*3600 + r.Int64N(3000)}
	if j > 0 && r.IntN(10) < 3 {
		p.parent = r.IntN(j)
	}
	p.title = pages[j%len(pages)]
	if n := j / len(pages); n > 0 {
		p.title += " " + strconv.Itoa(n+1)
	}
	p.slug = slugify(p.title)
	return p
}

func (g *gen) page(j int) {
	p := g.pageAt(j)
	path := p.slug + "/"
	var parentID int64
	if p.parent >= 0 {
		parentID = 2 + int64(p.parent)
		for a := p.parent; a >= 0; {
			ap := g.pageAt(a)
			path, a = ap.slug+"/"+path, ap.parent
		}
	}
	it := &item{title: p.title, link: g.BaseURL + "/" + path, creator: authorLogin(j % g.Authors),
		guid: g.BaseURL + "/?page_id=" + strconv.Itoa(2+j), id: 2 + int64(j), date: p.date, published: true,
		modified: p.date + g.r.Int64N(30*86400), commentStatus: "closed", pingStatus: "closed",
		slug: p.slug, status: "publish", typ: "page", parent: parentID, menuOrder: j % 7}
	g.open(it)
	g.s("\t\t<content:encoded>")
	g.c = g.c[:0]
	g.blocks(english, nil)
	g.cdataC()
	g.s("</content:encoded>\n\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n")
	g.fields(it)
	g.s("\t</item>\n")
}

// The media library: attachment k belongs to post k·Posts/Attachments
// (every tenth to none), was uploaded as that post was written, and is
// the first image of its post.

type media struct {
	id        int64
	post      int // the post it belongs to, or -1
	date      int64
	author    int
	dir, name string // "2024/06", "harbour-boats-12.jpg"
	mime      string
	w, h      int
	title     string
	alt       string
	caption   string
	described bool
}

var dimensions = [][2]int{{1200, 800}, {1600, 1067}, {2048, 1365}, {1024, 683}, {800, 600}, {1080, 1350}, {2400, 1600}, {640, 480}}

func (g *gen) mediaAt(k int) media {
	r := g.identity('a', k)
	m := media{id: g.firstAttachment + int64(k), post: -1}
	subject, action, place := r.IntN(len(imageSubjects)), r.IntN(len(imageActions)), r.IntN(len(imagePlaces))
	dim := dimensions[r.IntN(len(dimensions))]
	m.w, m.h = dim[0], dim[1]
	named, captioned, photographer := r.IntN(3), r.IntN(10), r.IntN(len(people))
	png := r.IntN(8) == 0
	m.described = r.IntN(10) < 4
	earlier := r.Int64N(3000)
	m.author = r.IntN(g.Authors)

	m.alt = imageSubjects[subject] + " " + imageActions[action] + " " + imagePlaces[place]
	base := "IMG_" + strconv.Itoa(1000+k)
	if k%4 != 0 {
		base = slugify(imageSubjects[subject]) + "-" + strconv.Itoa(k)
	}
	m.title = m.alt
	if named == 0 {
		m.title = base
	}
	if captioned < 6 {
		m.caption = m.alt + ". Photo: " + people[photographer]
	}
	m.mime, m.name = "image/jpeg", base+".jpg"
	if png {
		m.mime, m.name = "image/png", base+".png"
	}

	// Last, as it draws the post's identity.
	switch {
	case g.Posts == 0:
		m.date = g.start - 86400 + int64(k)*600
	case k%10 == 9:
		m.date = g.start + int64(k)*int64(g.Posts)/int64(g.Attachments)*g.gap - 86400 - earlier
	default:
		m.post = int(int64(k) * int64(g.Posts) / int64(g.Attachments))
		p := g.postAt(m.post)
		m.date, m.author = p.written-earlier, p.author
	}
	y, mo, _ := civil(floorDiv(g.zone.local(m.date), 86400))
	m.dir = strconv.Itoa(y) + "/" + string(append2(nil, mo))
	return m
}

func (m *media) slug() string { return strings.ToLower(m.name[:strings.LastIndexByte(m.name, '.')]) }

func (g *gen) mediaURL(m *media, file string) string {
	return g.BaseURL + "/wp-content/uploads/" + m.dir + "/" + file
}

// size is the file WordPress makes of an image for a size of at most
// bw×bh (cropped to it for the thumbnail), and whether it makes one.
func (m *media) size(bw, bh int, crop bool) (name string, w, h int, ok bool) {
	switch {
	case crop:
		w, h = bw, bh
	case bh == 0 || m.w*bh >= m.h*bw: // as wide as the box allows
		w, h = bw, (m.h*bw+m.w/2)/m.w
	default:
		w, h = (m.w*bh+m.h/2)/m.h, bh
	}
	if w >= m.w || h >= m.h {
		return "", 0, 0, false
	}
	dot := strings.LastIndexByte(m.name, '.')
	return m.name[:dot] + "-" + strconv.Itoa(w) + "x" + strconv.Itoa(h) + m.name[dot:], w, h, true
}

// imageSizes are WordPress's own sizes, in the order it lists them.
var imageSizes = []struct {
	name string
	w, h int
	crop bool
}{{"medium", 300, 300, false}, {"large", 1024, 1024, false}, {"thumbnail", 150, 150, true}, {"medium_large", 768, 0, false}}

func (g *gen) attachment(k int) {
	m := g.mediaAt(k)
	link := g.BaseURL + "/" + m.slug() + "/"
	var parent int64
	if m.post >= 0 {
		parent = g.firstPost + int64(m.post)
		if p := g.postAt(m.post); p.status == "publish" {
			link = g.postLink(&p) + m.slug() + "/"
		}
	}
	url := g.mediaURL(&m, m.name)
	it := &item{title: m.title, link: link, creator: authorLogin(m.author), guid: url, id: m.id,
		date: m.date, published: true, modified: m.date, commentStatus: "open", pingStatus: "closed",
		slug: m.slug(), status: "inherit", typ: "attachment", parent: parent}
	g.open(it)
	g.s("\t\t<content:encoded>")
	g.c = g.c[:0]
	if m.described {
		g.sentence(english)
	}
	g.cdataC()
	g.s("</content:encoded>\n\t\t<excerpt:encoded>")
	g.cdata(m.caption)
	g.s("</excerpt:encoded>\n")
	g.fields(it)
	g.s("\t\t<wp:attachment_url>")
	g.cdata(url)
	g.s("</wp:attachment_url>\n")
	g.meta("_wp_attached_file", m.dir+"/"+m.name)
	g.s("\t\t<wp:postmeta>\n\t\t<wp:meta_key><![CDATA[_wp_attachment_metadata]]></wp:meta_key>\n\t\t<wp:meta_value>")
	g.c = g.c[:0]
	g.attachmentMetadata(&m)
	g.cdataC()
	g.s("</wp:meta_value>\n\t\t</wp:postmeta>\n")
	g.meta("_wp_attachment_image_alt", m.alt)
	g.s("\t</item>\n")
}

// attachmentMetadata composes an image's _wp_attachment_metadata in g.c,
// PHP-serialised as WordPress stores it.
func (g *gen) attachmentMetadata(m *media) {
	sizes := 0
	for _, s := range imageSizes {
		if _, _, _, ok := m.size(s.w, s.h, s.crop); ok {
			sizes++
		}
	}
	c := append(g.c, "a:6:{"...)
	c = phpKeyInt(c, "width", m.w)
	c = phpKeyInt(c, "height", m.h)
	c = phpKeyString(c, "file", m.dir+"/"+m.name)
	c = phpKeyInt(c, "filesize", m.w*m.h/9)
	c = phpString(c, "sizes")
	c = append(strconv.AppendInt(append(c, "a:"...), int64(sizes), 10), ":{"...)
	for _, s := range imageSizes {
		name, w, h, ok := m.size(s.w, s.h, s.crop)
		if !ok {
			continue
		}
		c = phpString(c, s.name)
		c = append(c, "a:5:{"...)
		c = phpKeyString(c, "file", name)
		c = phpKeyInt(c, "width", w)
		c = phpKeyInt(c, "height", h)
		c = phpKeyString(c, "mime-type", m.mime)
		c = phpKeyInt(c, "filesize", w*h/9)
		c = append(c, '}')
	}
	c = append(c, '}')
	c = phpString(c, "image_meta")
	c = append(c, `a:12:{s:8:"aperture";s:1:"0";s:6:"credit";s:0:"";s:6:"camera";s:0:"";s:7:"caption";s:0:"";s:17:"created_timestamp";s:1:"0";s:9:"copyright";s:0:"";s:12:"focal_length";s:1:"0";s:3:"iso";s:1:"0";s:13:"shutter_speed";s:1:"0";s:5:"title";s:0:"";s:11:"orientation";s:1:"0";s:8:"keywords";a:0:{}}}`...)
	g.c = c
}

func phpString(b []byte, s string) []byte {
	b = strconv.AppendInt(append(b, "s:"...), int64(len(s)), 10)
	return append(append(append(b, ":\""...), s...), "\";"...)
}

func phpKeyString(b []byte, k, v string) []byte { return phpString(phpString(b, k), v) }

func phpKeyInt(b []byte, k string, v int) []byte {
	return append(strconv.AppendInt(append(phpString(b, k), "i:"...), int64(v), 10), ';')
}
