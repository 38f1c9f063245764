// Package wordpress reads a WordPress eXtended RSS export (WXR 1.0 to 1.2,
// as WordPress 4.x to 6.x write it) as a stream: the channel's header
// (site, authors, categories, tags) first, then one item at a time, so
// that an export of any size is read in the memory of its largest item.
//
// Each item is cut out of the stream before it is parsed, so a malformed
// item is reported (with its line) and skipped, and the next one is read
// as if nothing had happened. Characters XML does not allow (control
// characters WordPress lets through) are dropped and counted.
//
// Convert turns a post's content — classic-editor HTML with WordPress's
// automatic paragraphs (autop.go), block-editor markup (blocks.go) and
// shortcodes (shortcodes.go) — into the site's Markdown (content.go).
package wordpress

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Export is the channel's header: the site and its people and terms.
type Export struct {
	Version     string // wp:wxr_version: "1.0", "1.1" or "1.2"
	Title       string
	Link        string
	Description string
	Language    string
	BaseSiteURL string // wp:base_site_url
	BaseBlogURL string // wp:base_blog_url
	Authors     []Author
	Categories  []Category
	Tags        []Tag
	Terms       []Term // other taxonomies (nav_menu and the like)
}

// Author is a wp:author.
type Author struct {
	ID          int64
	Login       string
	Email       string
	DisplayName string
	FirstName   string
	LastName    string
}

// Category is a wp:category; Parent is the parent's nicename.
type Category struct {
	ID          int64
	Slug        string
	Parent      string
	Name        string
	Description string
}

// Tag is a wp:tag.
type Tag struct {
	ID          int64
	Slug        string
	Name        string
	Description string
}

// Term is a wp:term of another taxonomy.
type Term struct {
	ID       int64
	Taxonomy string
	Slug     string
	Parent   string
	Name     string
}

// Item is one item: a post, page, attachment or anything else WordPress
// stores as a post (Type says which).
type Item struct {
	Line          int // where it starts in the export
	Title         string
	Link          string
	PubDate       string
	Creator       string // dc:creator, an author's login
	GUID          string
	Description   string
	Content       string // content:encoded
	Excerpt       string // excerpt:encoded
	ID            int64  // wp:post_id
	Date          string // wp:post_date, the site's local time
	DateGMT       string // wp:post_date_gmt; "0000-00-00 00:00:00" for drafts
	ModifiedGMT   string // wp:post_modified_gmt (WXR 1.2 from WordPress 5.x)
	CommentStatus string // open or closed
	PingStatus    string
	Name          string // wp:post_name, the slug
	Status        string // publish, draft, pending, future, private, inherit, trash…
	Parent        int64
	MenuOrder     int
	Type          string // post, page, attachment, nav_menu_item…
	Password      string
	Sticky        bool
	AttachmentURL string
	Terms         []ItemTerm
	Meta          []Meta
	Comments      []Comment
}

// ItemTerm is a category element of an item: a category, a tag or a term
// of another taxonomy (Domain).
type ItemTerm struct {
	Domain   string // category, post_tag, post_format…
	Nicename string
	Name     string
}

// Meta is one wp:postmeta or wp:commentmeta.
type Meta struct {
	Key, Value string
}

// MetaValue returns the first value of key, and whether there is one.
func (it *Item) MetaValue(key string) (string, bool) {
	for _, m := range it.Meta {
		if m.Key == key {
			return m.Value, true
		}
	}
	return "", false
}

// Comment is a wp:comment.
type Comment struct {
	ID       int64
	Author   string
	Email    string
	URL      string
	IP       string
	Date     string
	DateGMT  string
	Content  string
	Approved string // 1, 0, spam, trash
	Type     string // "", comment, pingback, trackback
	Parent   int64
	UserID   int64
	Meta     []Meta
}

// ItemError is an item that could not be read; the reader goes on to the
// next.
type ItemError struct {
	Line int    // where the item starts
	ID   int64  // its wp:post_id, when that much could be read
	Type string // its wp:post_type, when it could be told at a glance
	Err  error
}

func (e *ItemError) Error() string {
	if e.ID != 0 {
		return fmt.Sprintf("item %d at line %d: %v", e.ID, e.Line, e.Err)
	}
	return fmt.Sprintf("item at line %d: %v", e.Line, e.Err)
}

func (e *ItemError) Unwrap() error { return e.Err }

// ErrNotWXR means the file is not a WordPress export.
var ErrNotWXR = errors.New("wordpress: not a WordPress export (WXR): no <rss> with a <channel> and a wp:wxr_version")

// maxItem bounds one item's size: a post and its comments.
const maxItem = 256 << 20

// Reader reads an export.
type Reader struct {
	in      *countingReader
	split   *splitter
	header  *Export
	failed  error  // why the header could not be read: the export is refused for good
	open    []byte // the <rss …> start tag, with its namespaces, that wraps each item
	Dropped int    // characters XML does not allow, dropped
	// Only, when set, picks the items to read by their type: an item of
	// another type is returned with its Type, ID and Line alone, its XML
	// not read (an item whose type cannot be told at a glance is read).
	Only func(postType string) bool
}

// NewReader reads the export in r.
func NewReader(r io.Reader) *Reader {
	in := &countingReader{r: bufio.NewReaderSize(r, 256<<10)}
	return &Reader{in: in, split: &splitter{in: in, line: 1}}
}

// Offset is how many bytes of the export have been read.
func (r *Reader) Offset() int64 { return r.in.n }

// Header reads the channel up to its first item. An export whose header
// cannot be read gives the same error from every later call.
func (r *Reader) Header() (*Export, error) {
	if r.header != nil || r.failed != nil {
		return r.header, r.failed
	}
	head, err := r.split.header()
	if err != nil {
		r.failed = err
		return nil, err
	}
	x, open, err := parseHeader(r.clean(head))
	if err != nil {
		r.failed = err
		return nil, err
	}
	r.header, r.open = x, open
	return x, nil
}

// Next returns the next item, io.EOF after the last, or an *ItemError for
// an item that could not be read (call Next again for the one after).
// Any other error ends the export.
func (r *Reader) Next() (*Item, error) {
	if _, err := r.Header(); err != nil {
		return nil, err
	}
	raw, line, err := r.split.item()
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, &ItemError{Line: line, Err: err}
		}
		return nil, err
	}
	typ := glance(raw, "<wp:post_type>")
	if r.Only != nil && typ != "" && !r.Only(typ) {
		id, _ := strconv.ParseInt(glance(raw, "<wp:post_id>"), 10, 64)
		return &Item{Type: typ, ID: id, Line: line}, nil
	}
	doc := make([]byte, 0, len(r.open)+len(raw)+len("</rss>"))
	doc = append(append(append(doc, r.open...), r.clean(raw)...), "</rss>"...)
	it, err := parseItem(doc)
	if err != nil {
		e := &ItemError{Line: line, Type: typ, Err: err}
		if it != nil {
			e.ID = it.ID
		}
		return nil, e
	}
	it.Line = line
	return it, nil
}

// glance is the text of the first element of an item's XML that opens
// with tag, plain or in CDATA, without reading the XML: "" when it is not
// there or not simple text.
func glance(raw []byte, tag string) string {
	i := bytes.Index(raw, []byte(tag))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(raw[i+len(tag):], " \t\r\n")
	end := []byte("<")
	if after, ok := bytes.CutPrefix(rest, []byte("<![CDATA[")); ok {
		rest, end = after, []byte("]]>")
	}
	j := bytes.Index(rest, end)
	if j < 0 || j > 64 {
		return ""
	}
	v := string(bytes.TrimSpace(rest[:j]))
	if strings.ContainsAny(v, "<>&") {
		return ""
	}
	return v
}

// clean drops the characters XML 1.0 does not allow: C0 controls other
// than tab, newline and carriage return. They are single bytes in UTF-8,
// never part of a longer sequence.
func (r *Reader) clean(b []byte) []byte {
	bad := func(c byte) bool { return c < 0x20 && c != '\t' && c != '\n' && c != '\r' }
	if bytes.IndexFunc(b, func(c rune) bool { return c < 0x20 && c != '\t' && c != '\n' && c != '\r' }) < 0 {
		return b
	}
	out := b[:0:0]
	for _, c := range b {
		if bad(c) {
			r.Dropped++
			continue
		}
		out = append(out, c)
	}
	return out
}

// countingReader counts the bytes read.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

var errTooLarge = fmt.Errorf("larger than %d MiB", maxItem>>20)

// splitter cuts the export into its header and its items at the byte
// level, passing over CDATA sections and comments, where "<item>" may be
// text.
type splitter struct {
	in   *countingReader
	line int
	buf  []byte
	// pending holds the start of the first item, read while looking for
	// the end of the header.
	pending     []byte
	pendingLine int
	done        bool
}

// header returns everything before the first <item>.
func (s *splitter) header() ([]byte, error) {
	var out []byte
	for {
		line := s.line
		tok, err := s.token()
		if err == io.EOF {
			s.done = true
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if isItemStart(tok) {
			s.pending, s.pendingLine = tok, line
			return out, nil
		}
		out = append(out, tok...)
		if len(out) > maxItem {
			return nil, fmt.Errorf("wordpress: the channel's header is %w", errTooLarge)
		}
	}
}

// item returns the next <item>…</item> and the line it starts on.
func (s *splitter) item() ([]byte, int, error) {
	var start []byte
	var line int
	if s.pending != nil {
		start, line, s.pending = s.pending, s.pendingLine, nil
	} else {
		for {
			if s.done {
				return nil, 0, io.EOF
			}
			line = s.line
			tok, err := s.token()
			if err == io.EOF {
				s.done = true
				return nil, 0, io.EOF
			}
			if err != nil {
				return nil, 0, err
			}
			if isItemStart(tok) {
				start = tok
				break
			}
		}
	}
	out := append([]byte(nil), start...)
	depth := 1
	tooLarge := false
	for depth > 0 {
		tok, err := s.token()
		if err == io.EOF {
			return nil, line, &ItemError{Line: line, Err: errors.New("the export ends inside this item")}
		}
		if err != nil {
			return nil, line, err
		}
		switch {
		case isItemStart(tok):
			depth++
		case bytes.HasPrefix(tok, []byte("</item")):
			depth--
		}
		if !tooLarge {
			out = append(out, tok...)
			if len(out) > maxItem {
				tooLarge, out = true, nil
			}
		}
	}
	if tooLarge {
		return nil, line, errTooLarge
	}
	return out, line, nil
}

func isItemStart(tok []byte) bool {
	return bytes.HasPrefix(tok, []byte("<item")) && len(tok) > 5 && (tok[5] == '>' || tok[5] == ' ' || tok[5] == '\t' || tok[5] == '\n' || tok[5] == '\r')
}

// token reads the next piece of the export: a run of text, a CDATA
// section, a comment, or a tag, whole.
func (s *splitter) token() ([]byte, error) {
	s.buf = s.buf[:0]
	c, err := s.in.ReadByte()
	if err != nil {
		return nil, err
	}
	s.put(c)
	if c != '<' {
		for {
			c, err := s.in.r.Peek(1)
			if err != nil || c[0] == '<' {
				return s.buf, nil
			}
			b, _ := s.in.ReadByte()
			s.put(b)
		}
	}
	// A CDATA section, a comment, or a tag (whose quoted attribute values
	// may hold a ">"): read to its end.
	end, least := "", 0 // least: the shortest whole one
	if p, _ := s.in.r.Peek(8); bytes.HasPrefix(p, []byte("![CDATA[")) {
		end, least = "]]>", len("<![CDATA[]]>")
	} else if bytes.HasPrefix(p, []byte("!--")) {
		end, least = "-->", len("<!---->")
	}
	var quote byte
	for {
		c, err := s.in.ReadByte()
		if err != nil {
			return s.buf, nil // cut off by the end of the file: the parser will say so
		}
		s.put(c)
		switch {
		case end != "":
			if c == '>' && len(s.buf) >= least && bytes.HasSuffix(s.buf, []byte(end)) {
				return s.buf, nil
			}
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return s.buf, nil
		}
	}
}

func (s *splitter) put(c byte) {
	if c == '\n' {
		s.line++
	}
	s.buf = append(s.buf, c)
}

// Namespaces are matched by what they name, not by the version in their
// URL: WXR 1.0, 1.1 and 1.2 differ in nothing else this reader uses.
func space(ns string) string {
	switch {
	case ns == "":
		return ""
	case strings.HasPrefix(ns, "http://wordpress.org/export/") && strings.HasSuffix(ns, "/excerpt/"):
		return "excerpt"
	case strings.HasPrefix(ns, "http://wordpress.org/export/"):
		return "wp"
	case ns == "http://purl.org/rss/1.0/modules/content/":
		return "content"
	case ns == "http://purl.org/dc/elements/1.1/":
		return "dc"
	}
	return "other"
}

// parseHeader reads the channel's header; it returns the rss start tag
// to wrap each item in, so that items are read with its namespaces.
func parseHeader(head []byte) (*Export, []byte, error) {
	d := xml.NewDecoder(io.MultiReader(bytes.NewReader(head), strings.NewReader("</channel></rss>")))
	d.Strict = true
	x := &Export{}
	var open []byte
	var path []string
	sawChannel := false
	for {
		t, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if sawChannel && x.Version != "" {
				break // the closing tags added above were not needed: the file ended
			}
			return nil, nil, fmt.Errorf("%w: %v", ErrNotWXR, err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			path = append(path, space(t.Name.Space)+":"+t.Name.Local)
			switch {
			case len(path) == 1:
				if t.Name.Local != "rss" {
					return nil, nil, ErrNotWXR
				}
				open = rssStart(t)
			case len(path) == 2 && t.Name.Local == "channel":
				sawChannel = true
			case len(path) == 3:
				if err := headerElement(d, t, x); err != nil {
					return nil, nil, fmt.Errorf("wordpress: %s: %w", t.Name.Local, err)
				}
				path = path[:len(path)-1]
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
	}
	if !sawChannel || x.Version == "" {
		return nil, nil, ErrNotWXR
	}
	return x, open, nil
}

// rssStart writes the rss element's start tag with its namespace
// declarations.
func rssStart(t xml.StartElement) []byte {
	var b bytes.Buffer
	b.WriteString("<rss")
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			name := "xmlns"
			if a.Name.Space == "xmlns" {
				name = "xmlns:" + a.Name.Local
			}
			b.WriteString(" " + name + `="`)
			xml.EscapeText(&b, []byte(a.Value))
			b.WriteString(`"`)
		}
	}
	b.WriteString(">")
	return b.Bytes()
}

// headerElement reads one child of the channel.
func headerElement(d *xml.Decoder, t xml.StartElement, x *Export) error {
	key := space(t.Name.Space) + ":" + t.Name.Local
	switch key {
	case "wp:author", "wp:category", "wp:tag", "wp:term":
		f, err := fields(d)
		if err != nil {
			return err
		}
		switch key {
		case "wp:author":
			x.Authors = append(x.Authors, Author{ID: num(f["author_id"]), Login: f["author_login"], Email: f["author_email"],
				DisplayName: f["author_display_name"], FirstName: f["author_first_name"], LastName: f["author_last_name"]})
		case "wp:category":
			x.Categories = append(x.Categories, Category{ID: num(f["term_id"]), Slug: f["category_nicename"], Parent: f["category_parent"],
				Name: f["cat_name"], Description: f["category_description"]})
		case "wp:tag":
			x.Tags = append(x.Tags, Tag{ID: num(f["term_id"]), Slug: f["tag_slug"], Name: f["tag_name"], Description: f["tag_description"]})
		case "wp:term":
			x.Terms = append(x.Terms, Term{ID: num(f["term_id"]), Taxonomy: f["term_taxonomy"], Slug: f["term_slug"], Parent: f["term_parent"], Name: f["term_name"]})
		}
		return nil
	}
	s, err := text(d)
	if err != nil {
		return err
	}
	switch key {
	case ":title":
		x.Title = s
	case ":link":
		x.Link = s
	case ":description":
		x.Description = s
	case ":language":
		x.Language = s
	case "wp:wxr_version":
		x.Version = s
	case "wp:base_site_url":
		x.BaseSiteURL = s
	case "wp:base_blog_url":
		x.BaseBlogURL = s
	}
	return nil
}

// fields reads an element's children as local name → text (the first of
// each name).
func fields(d *xml.Decoder) (map[string]string, error) {
	f := map[string]string{}
	for {
		t, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			s, err := text(d)
			if err != nil {
				return nil, err
			}
			if _, ok := f[t.Name.Local]; !ok {
				f[t.Name.Local] = s
			}
		case xml.EndElement:
			return f, nil
		}
	}
}

// text reads the text of the element just started, CDATA sections joined
// (WordPress splits one around every "]]>" in the text), and its end;
// child elements' text is included.
func text(d *xml.Decoder) (string, error) {
	var b strings.Builder
	depth := 1
	for depth > 0 {
		t, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return b.String(), nil
}

func num(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

// parseItem reads one item, wrapped in the rss start tag. WordPress
// writes some fields (a commenter's URL) without escaping them, so an
// item that is not well-formed is read again leniently, where a bare "&"
// is text; what even that cannot read is an error.
func parseItem(doc []byte) (*Item, error) {
	it, err := parseItemStrict(doc, true)
	if err == nil {
		return it, nil
	}
	if lenient, err2 := parseItemStrict(doc, false); err2 == nil {
		return lenient, nil
	}
	return it, err
}

func parseItemStrict(doc []byte, strict bool) (*Item, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = strict
	it := &Item{}
	depth := 0
	for {
		t, err := d.Token()
		if err == io.EOF {
			return it, nil
		}
		if err != nil {
			return it, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			depth++
			if depth != 3 { // rss > item > field
				continue
			}
			if err := itemElement(d, t, it); err != nil {
				return it, fmt.Errorf("%s: %w", t.Name.Local, err)
			}
			depth--
		case xml.EndElement:
			depth--
		}
	}
}

func itemElement(d *xml.Decoder, t xml.StartElement, it *Item) error {
	key := space(t.Name.Space) + ":" + t.Name.Local
	switch key {
	case "wp:postmeta":
		f, err := fields(d)
		if err == nil {
			it.Meta = append(it.Meta, Meta{Key: f["meta_key"], Value: f["meta_value"]})
		}
		return err
	case "wp:comment":
		c, err := readComment(d)
		if err == nil {
			it.Comments = append(it.Comments, c)
		}
		return err
	case ":category":
		var term ItemTerm
		for _, a := range t.Attr {
			switch a.Name.Local {
			case "domain":
				term.Domain = a.Value
			case "nicename":
				term.Nicename = a.Value
			}
		}
		s, err := text(d)
		term.Name = s
		if err == nil {
			it.Terms = append(it.Terms, term)
		}
		return err
	}
	s, err := text(d)
	if err != nil {
		return err
	}
	switch key {
	case ":title":
		it.Title = s
	case ":link":
		it.Link = strings.TrimSpace(s)
	case ":pubDate":
		it.PubDate = s
	case "dc:creator":
		it.Creator = s
	case ":guid":
		it.GUID = s
	case ":description":
		it.Description = s
	case "content:encoded":
		it.Content = s
	case "excerpt:encoded":
		it.Excerpt = s
	case "wp:post_id":
		it.ID = num(s)
	case "wp:post_date":
		it.Date = s
	case "wp:post_date_gmt":
		it.DateGMT = s
	case "wp:post_modified_gmt":
		it.ModifiedGMT = s
	case "wp:comment_status":
		it.CommentStatus = s
	case "wp:ping_status":
		it.PingStatus = s
	case "wp:post_name":
		it.Name = s
	case "wp:status":
		it.Status = s
	case "wp:post_parent":
		it.Parent = num(s)
	case "wp:menu_order":
		it.MenuOrder = int(num(s))
	case "wp:post_type":
		it.Type = s
	case "wp:post_password":
		it.Password = s
	case "wp:is_sticky":
		it.Sticky = strings.TrimSpace(s) == "1"
	case "wp:attachment_url":
		it.AttachmentURL = strings.TrimSpace(s)
	}
	return nil
}

// readComment reads a wp:comment.
func readComment(d *xml.Decoder) (Comment, error) {
	var c Comment
	for {
		t, err := d.Token()
		if err != nil {
			return c, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			if t.Name.Local == "commentmeta" {
				f, err := fields(d)
				if err != nil {
					return c, err
				}
				c.Meta = append(c.Meta, Meta{Key: f["meta_key"], Value: f["meta_value"]})
				continue
			}
			s, err := text(d)
			if err != nil {
				return c, err
			}
			switch t.Name.Local {
			case "comment_id":
				c.ID = num(s)
			case "comment_author":
				c.Author = s
			case "comment_author_email":
				c.Email = s
			case "comment_author_url":
				c.URL = s
			case "comment_author_IP":
				c.IP = s
			case "comment_date":
				c.Date = s
			case "comment_date_gmt":
				c.DateGMT = s
			case "comment_content":
				c.Content = s
			case "comment_approved":
				c.Approved = strings.TrimSpace(s)
			case "comment_type":
				c.Type = strings.TrimSpace(s)
			case "comment_parent":
				c.Parent = num(s)
			case "comment_user_id":
				c.UserID = num(s)
			}
		case xml.EndElement:
			return c, nil
		}
	}
}
