package markup

import (
	"bufio"
	"bytes"
	"context"
	"html"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// The story rules turn a paragraph that is a picture, several pictures, a
// document or an address to embed into what it shows. Each is plain
// Markdown, which any other renderer shows as an image, a link or an
// address; docs/markdown.md tells editors how to write them.

var (
	// mediaImage is an image of the media library, /media/ID/WIDTH.jpg.
	mediaImage = regexp.MustCompile(`^/media/[0-9]{1,18}/[0-9]{1,5}\.jpg$`)
	// mediaDocument is a document of the media library: a PDF or a sound.
	mediaDocument = regexp.MustCompile(`^/media/[0-9]{1,18}/[^/?#\s"'<>\\]{1,200}\.(?i:pdf|mp3|m4a|ogg|oga|opus|wav|flac)$`)
	// bareURL is an address written on its own, without <> or [](): what
	// a reporter pastes.
	bareURL = regexp.MustCompile("^https?://[^\\s<>\"'`\\\\]+$")
	// frameURL is the address of an embed's frame: https only, its host
	// plain enough to be named in a Content-Security-Policy as it is.
	frameURL = regexp.MustCompile(`^https://[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?(/[^\s"'<>\\` + "`" + `]*)?$`)
	// frameRatio is an embed's width/height, in lowest terms.
	frameRatio = regexp.MustCompile(`^[1-9][0-9]{0,4}/[1-9][0-9]{0,4}$`)
	// providerName names who serves an embed: the words of a button.
	providerName = regexp.MustCompile(`^[\p{L}\p{N}]` + upTo(`[\p{L}\p{N} .,'&()+_-]`, 79) + `$`)
)

// The sizes a picture is shown at, for the browser to choose among its
// widths: the story column (see .story-body in style.css), or half of it
// in a gallery.
const (
	figureSizes  = "(min-width: 46rem) 44rem, 100vw"
	gallerySizes = "(min-width: 46rem) 22rem, 50vw"
)

// place applies the story rules to every paragraph of doc.
func (r *Renderer) place(ctx context.Context, doc ast.Node, source []byte) {
	var paras []*ast.Paragraph
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if p, ok := n.(*ast.Paragraph); ok && entering {
			paras = append(paras, p)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, p := range paras {
		if n := r.story(ctx, p, source); n != nil {
			p.Parent().ReplaceChild(p.Parent(), p, n)
		}
	}
}

// story returns what p becomes, or nil when it stays a paragraph.
func (r *Renderer) story(ctx context.Context, p *ast.Paragraph, source []byte) ast.Node {
	lines := splitLines(p)
	pictures := 0
	for pictures < len(lines) && soleImage(lines[pictures], source) != nil {
		pictures++
	}
	switch {
	case pictures == 1:
		return r.figure(ctx, lines, source)
	case pictures > 1:
		return r.gallery(ctx, lines, pictures, source)
	case len(lines) != 1:
		return nil
	}
	if link, ok := sole(lines[0], source).(*ast.Link); ok && mediaDocument.Match(link.Destination) {
		return document(link)
	}
	if url, bare := embedURL(p, lines[0], source); url != "" {
		return r.embed(ctx, url, bare)
	}
	return nil
}

// splitLines cuts a paragraph's inline nodes into its lines: each ends
// with the text carrying its line break.
func splitLines(p ast.Node) [][]ast.Node {
	var lines [][]ast.Node
	var cur []ast.Node
	for c := p.FirstChild(); c != nil; c = c.NextSibling() {
		cur = append(cur, c)
		if t, ok := c.(*ast.Text); ok && (t.SoftLineBreak() || t.HardLineBreak()) {
			lines, cur = append(lines, cur), nil
		}
	}
	if len(cur) > 0 {
		lines = append(lines, cur)
	}
	return lines
}

// blank reports whether n is text of nothing but spaces.
func blank(n ast.Node, source []byte) bool {
	t, ok := n.(*ast.Text)
	return ok && len(bytes.TrimSpace(t.Value(source))) == 0
}

// sole is the one node of line that is not blank, or nil.
func sole(line []ast.Node, source []byte) ast.Node {
	var one ast.Node
	for _, n := range line {
		if blank(n, source) {
			continue
		}
		if one != nil {
			return nil
		}
		one = n
	}
	return one
}

func soleImage(line []ast.Node, source []byte) *ast.Image {
	img, _ := sole(line, source).(*ast.Image)
	return img
}

// figure is a picture on the first line, its caption on the others.
func (r *Renderer) figure(ctx context.Context, lines [][]ast.Node, source []byte) ast.Node {
	img := soleImage(lines[0], source)
	credit := r.picture(ctx, img, figureSizes)
	fig := newElement("figure", []attr{{"class", "figure"}}, img)
	fig.block = true
	if c := caption(lines[1:], credit, source); c != nil {
		fig.AppendChild(fig, c)
	}
	return fig
}

// gallery is n pictures, one a line, and a caption on the lines after.
func (r *Renderer) gallery(ctx context.Context, lines [][]ast.Node, n int, source []byte) ast.Node {
	list := newElement("ul", nil)
	list.block = true
	for _, line := range lines[:n] {
		img := soleImage(line, source)
		item := newElement("li", nil, img)
		item.block = true
		if credit := r.picture(ctx, img, gallerySizes); credit != "" {
			item.AppendChild(item, newPlain(" "))
			item.AppendChild(item, creditNode(credit))
		}
		list.AppendChild(list, item)
	}
	fig := newElement("figure", []attr{{"class", "gallery"}}, list)
	fig.block = true
	if c := caption(lines[n:], "", source); c != nil {
		fig.AppendChild(fig, c)
	}
	return fig
}

// picture readies img for a figure or a gallery: loaded lazily, with the
// widths the media library keeps of it. It returns img's title, its
// credit, which is shown rather than kept as a title.
func (r *Renderer) picture(ctx context.Context, img *ast.Image, sizes string) string {
	credit := titleText(img.Title)
	img.Title = nil
	for _, a := range r.responsive(ctx, string(img.Destination), sizes) {
		img.SetAttributeString(a.name, a.value)
	}
	return credit
}

// responsive is what lets a browser pick the width of a media-library
// image that fits: its stored widths (srcset), the width it is shown at
// (sizes), and its proportions (width, height), then lazy loading.
func (r *Renderer) responsive(ctx context.Context, src, sizes string) []attr {
	var attrs []attr
	if r.lookup != nil && mediaImage.MatchString(src) {
		if im, ok := r.lookup.Image(ctx, src); ok && len(im.Renditions) > 0 {
			set := make([]string, 0, len(im.Renditions))
			for _, rd := range im.Renditions {
				set = append(set, rd.URL+" "+strconv.Itoa(rd.Width)+"w")
			}
			attrs = append(attrs, attr{"srcset", strings.Join(set, ", ")}, attr{"sizes", sizes})
			if im.Width > 0 && im.Height > 0 {
				attrs = append(attrs, attr{"width", strconv.Itoa(im.Width)}, attr{"height", strconv.Itoa(im.Height)})
			}
		}
	}
	return append(attrs, attr{"loading", "lazy"}, attr{"decoding", "async"})
}

// caption is a figcaption holding lines and credit, or nil when both are
// empty.
func caption(lines [][]ast.Node, credit string, source []byte) ast.Node {
	var nodes []ast.Node
	words := false
	for _, l := range lines {
		for _, n := range l {
			nodes = append(nodes, n)
			words = words || !blank(n, source)
		}
	}
	if !words && credit == "" {
		return nil
	}
	c := newElement("figcaption", nil)
	if words {
		for _, n := range nodes {
			c.AppendChild(c, n)
		}
	}
	if credit != "" {
		if words {
			c.AppendChild(c, newPlain(" "))
		}
		c.AppendChild(c, creditNode(credit))
	}
	return c
}

func creditNode(credit string) ast.Node {
	return newElement("small", []attr{{"class", "credit"}}, newPlain(credit))
}

// titleText is a link or image title as text: its backslash escapes and
// character references read as goldmark reads them.
func titleText(title []byte) string {
	if len(title) == 0 {
		return ""
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	gmhtml.DefaultWriter.Write(w, title)
	w.Flush()
	return strings.TrimSpace(html.UnescapeString(buf.String()))
}

// document is a paragraph that is one link to a PDF or a sound of the
// media library: a player for a sound, a card for a PDF.
func document(link *ast.Link) ast.Node {
	dest := string(link.Destination)
	if strings.EqualFold(path.Ext(dest), ".pdf") {
		p := newElement("p", []attr{{"class", "document"}}, link, newPlain(" "), newElement("span", nil, newPlain("PDF")))
		p.block = true
		return p
	}
	audio := newElement("audio", []attr{{"controls", ""}, {"preload", "none"}, {"src", dest}})
	fig := newElement("figure", []attr{{"class", "audio"}}, audio)
	fig.block = true
	if link.HasChildren() {
		c := newElement("figcaption", nil)
		for _, n := range children(link) {
			c.AppendChild(c, n)
		}
		fig.AppendChild(fig, c)
	}
	return fig
}

func children(n ast.Node) []ast.Node {
	var list []ast.Node
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		list = append(list, c)
	}
	return list
}

// embedURL is the http(s) address p consists of, if it is one: written
// bare (bare is then true), as <URL>, or as [URL](URL).
func embedURL(p *ast.Paragraph, line []ast.Node, source []byte) (url string, bare bool) {
	switch n := sole(line, source).(type) {
	case *ast.AutoLink:
		if n.AutoLinkType == ast.AutoLinkURL {
			url = string(n.URL(source))
		}
	case *ast.Link:
		if label := linkText(n, source); label == string(n.Destination) {
			url = label
		}
	}
	if url != "" {
		if !bareURL.MatchString(url) {
			url = ""
		}
		return url, false
	}
	// A bare address is text alone, perhaps cut into pieces at its
	// underscores or dashes; its words are read from the source.
	for c := p.FirstChild(); c != nil; c = c.NextSibling() {
		switch c.(type) {
		case *ast.Text, *ast.String:
		default:
			return "", false
		}
	}
	if p.Lines().Len() != 1 {
		return "", false
	}
	seg := p.Lines().At(0)
	if raw := string(bytes.TrimSpace(seg.Value(source))); bareURL.MatchString(raw) {
		return raw, true
	}
	return "", false
}

// linkText is a link's words when they are plain text, else "".
func linkText(link *ast.Link, source []byte) string {
	var b strings.Builder
	for c := link.FirstChild(); c != nil; c = c.NextSibling() {
		t, ok := c.(*ast.Text)
		if !ok {
			return ""
		}
		b.Write(t.Value(source))
	}
	return b.String()
}

// embed is what an address alone in its paragraph becomes: a placeholder
// that loads nothing from the provider until a reader asks, when the
// lookup knows a frame for it; a link card when it knows the page but
// not a frame; a link when it knows nothing. Never an iframe.
func (r *Renderer) embed(ctx context.Context, url string, bare bool) ast.Node {
	var rec Embed
	ok := false
	if r.lookup != nil {
		rec, ok = r.lookup.Embed(ctx, url)
	}
	title := strings.TrimSpace(rec.Title)
	if title == "" {
		title = url
	}
	link := newElement("a", []attr{{"href", url}})
	switch {
	case !ok && !bare:
		return nil // the link as written
	case !ok:
		link.AppendChild(link, newPlain(url))
		p := newElement("p", nil, link)
		p.block = true
		return p
	case !frameURL.MatchString(rec.Frame):
		link.AppendChild(link, newPlain(title))
		p := newElement("p", []attr{{"class", "embed-link"}}, link)
		p.block = true
		return p
	}
	attrs := []attr{{"class", "embed"}, {"data-embed-frame", rec.Frame}, {"data-embed-ratio", ratio(rec.Width, rec.Height)}}
	provider := strings.TrimSpace(rec.Provider)
	if providerName.MatchString(provider) {
		attrs = append(attrs, attr{"data-embed-provider", provider})
	}
	if mediaImage.MatchString(rec.Thumbnail) {
		img := newElement("img", append([]attr{{"src", rec.Thumbnail}, {"alt", ""}}, r.responsive(ctx, rec.Thumbnail, figureSizes)...))
		img.void = true
		link.AppendChild(link, img)
	}
	link.AppendChild(link, newElement("span", nil, newPlain(title)))
	fig := newElement("figure", attrs, link)
	fig.block = true
	if provider != "" || rec.Author != "" {
		c := newElement("figcaption", nil)
		if provider != "" {
			c.AppendChild(c, newPlain(provider))
		}
		if author := strings.TrimSpace(rec.Author); author != "" {
			if provider != "" {
				c.AppendChild(c, newPlain(" "))
			}
			c.AppendChild(c, creditNode(author))
		}
		fig.AppendChild(fig, c)
	}
	return fig
}

// ratio is width/height in lowest terms, 16/9 when either is unknown.
func ratio(w, h int) string {
	if w <= 0 || h <= 0 {
		return "16/9"
	}
	a, b := w, h
	for b != 0 {
		a, b = b, a%b
	}
	s := strconv.Itoa(w/a) + "/" + strconv.Itoa(h/a)
	if !frameRatio.MatchString(s) {
		return "16/9"
	}
	return s
}
