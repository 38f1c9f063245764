package wxrtest

import "strconv"

// The content of posts and pages, composed in g.c: block-editor markup
// (paragraphs, headings, images, lists, quotes) as WordPress 6.x saves
// it, or classic-editor HTML, whose paragraphs are blank lines and whose
// images are [caption] shortcodes.

// blocks composes block-editor content: three to eight paragraphs, the
// post's first image after the first, its others further down, and
// perhaps a heading, a list and a quote.
func (g *gen) blocks(lang int, imgs []media) {
	r := g.r
	n := 3 + r.IntN(6)
	heading, list, quote := r.IntN(10) < 6, r.IntN(10) < 3, r.IntN(10) < 3
	for k := range n {
		if k > 0 {
			g.c = append(g.c, "\n\n"...)
		}
		g.c = append(g.c, "<!-- wp:paragraph -->\n<p>"...)
		g.paragraph(lang)
		g.c = append(g.c, "</p>\n<!-- /wp:paragraph -->"...)
		if k < len(imgs) {
			g.c = append(g.c, "\n\n"...)
			g.imageBlock(&imgs[k])
		}
		switch {
		case k == n/2 && heading:
			if r.IntN(4) == 0 {
				g.c = append(g.c, "\n\n<!-- wp:heading {\"level\":3} -->\n<h3 class=\"wp-block-heading\">"...)
				g.phrase(lang)
				g.c = append(g.c, "</h3>\n<!-- /wp:heading -->"...)
			} else {
				g.c = append(g.c, "\n\n<!-- wp:heading -->\n<h2 class=\"wp-block-heading\">"...)
				g.phrase(lang)
				g.c = append(g.c, "</h2>\n<!-- /wp:heading -->"...)
			}
		case k == 1 && list:
			g.c = append(g.c, "\n\n<!-- wp:list -->\n<ul>"...)
			for m := 2 + r.IntN(3); m > 0; m-- {
				g.c = append(g.c, "<!-- wp:list-item -->\n<li>"...)
				g.phrase(lang)
				g.c = append(g.c, "</li>\n<!-- /wp:list-item -->"...)
				if m > 1 {
					g.c = append(g.c, "\n\n"...)
				}
			}
			g.c = append(g.c, "</ul>\n<!-- /wp:list -->"...)
		case k == n-2 && quote:
			g.c = append(g.c, "\n\n<!-- wp:quote -->\n<blockquote class=\"wp-block-quote\"><!-- wp:paragraph -->\n<p>"...)
			g.sentence(lang)
			g.c = append(g.c, "</p>\n<!-- /wp:paragraph --><cite>"...)
			g.c = append(g.c, people[r.IntN(len(people))]...)
			g.c = append(g.c, ", "...)
			g.c = append(g.c, roles[r.IntN(len(roles))]...)
			g.c = append(g.c, "</cite></blockquote>\n<!-- /wp:quote -->"...)
		}
	}
}

// imageBlock is an image at its large size, or whole when it is smaller.
func (g *gen) imageBlock(m *media) {
	file := m.name
	if name, _, _, ok := m.size(1024, 1024, false); ok {
		file = name
	}
	id := strconv.FormatInt(m.id, 10)
	g.c = append(g.c, "<!-- wp:image {\"id\":"+id+",\"sizeSlug\":\"large\",\"linkDestination\":\"none\"} -->\n<figure class=\"wp-block-image size-large\"><img src=\""...)
	g.c = append(g.c, g.mediaURL(m, file)...)
	g.c = append(g.c, "\" alt=\""...)
	g.c = appendEscaped(g.c, m.alt)
	g.c = append(g.c, "\" class=\"wp-image-"+id+"\"/>"...)
	if m.caption != "" {
		g.c = append(g.c, "<figcaption class=\"wp-element-caption\">"...)
		g.c = appendEscaped(g.c, m.caption)
		g.c = append(g.c, "</figcaption>"...)
	}
	g.c = append(g.c, "</figure>\n<!-- /wp:image -->"...)
}

// classic composes classic-editor content: paragraphs separated by blank
// lines (some with a line break inside), the first image after the first
// paragraph in a [caption], sometimes a "more" mark and a list.
func (g *gen) classic(lang int, imgs []media) {
	r := g.r
	n := 3 + r.IntN(6)
	more, list, code := r.IntN(10) < 3, r.IntN(10) < 2, r.IntN(100) == 0
	for k := range n {
		if k > 0 {
			g.c = append(g.c, "\n\n"...)
		}
		g.paragraph(lang)
		if r.IntN(5) == 0 {
			g.c = append(g.c, '\n')
			g.sentence(lang)
		}
		if k == 0 && len(imgs) > 0 {
			g.c = append(g.c, "\n\n"...)
			g.caption(&imgs[0])
		}
		if k == 1 && more {
			g.c = append(g.c, "\n\n<!--more-->"...)
		}
		if k == 1 && list {
			g.c = append(g.c, "\n\n<ul>"...)
			for m := 2 + r.IntN(3); m > 0; m-- {
				g.c = append(g.c, "\n\t<li>"...)
				g.phrase(lang)
				g.c = append(g.c, "</li>"...)
			}
			g.c = append(g.c, "\n</ul>"...)
		}
	}
	if code {
		// Text that ends a CDATA section: WordPress splits it in two.
		g.c = append(g.c, "\n\nThe fault was in one line: <code>if (a[b[i]]>0) return;</code>"...)
	}
}

// caption is an image at its medium size in a [caption] shortcode, or
// alone when it has no caption.
func (g *gen) caption(m *media) {
	file, w, h := m.name, m.w, m.h
	if name, mw, mh, ok := m.size(300, 300, false); ok {
		file, w, h = name, mw, mh
	}
	id := strconv.FormatInt(m.id, 10)
	if m.caption != "" {
		g.c = append(g.c, "[caption id=\"attachment_"+id+"\" align=\"aligncenter\" width=\""...)
		g.c = strconv.AppendInt(g.c, int64(w), 10)
		g.c = append(g.c, "\"]"...)
	}
	g.c = append(g.c, "<img class=\"size-medium wp-image-"+id+"\" src=\""...)
	g.c = append(g.c, g.mediaURL(m, file)...)
	g.c = append(g.c, "\" alt=\""...)
	g.c = appendEscaped(g.c, m.alt)
	g.c = append(g.c, "\" width=\""...)
	g.c = strconv.AppendInt(g.c, int64(w), 10)
	g.c = append(g.c, "\" height=\""...)
	g.c = strconv.AppendInt(g.c, int64(h), 10)
	g.c = append(g.c, "\" />"...)
	if m.caption != "" {
		g.c = append(g.c, ' ')
		g.c = appendEscaped(g.c, m.caption)
		g.c = append(g.c, "[/caption]"...)
	}
}

// paragraph is two to five sentences.
func (g *gen) paragraph(lang int) {
	for n := 2 + g.r.IntN(4); n > 0; n-- {
		g.sentence(lang)
		if n > 1 {
			g.c = append(g.c, ' ')
		}
	}
}

// phrase is a few words: a heading or a list item.
func (g *gen) phrase(lang int) {
	r := g.r
	if lang != english {
		g.words(lang, 2+r.IntN(4))
		return
	}
	a := adjectives[r.IntN(len(adjectives))]
	g.c = append(append(g.c, a[0]-'a'+'A'), a[1:]...) // the adjectives are in lower case
	g.c = append(g.c, ' ')
	g.c = append(g.c, nouns[r.IntN(len(nouns))]...)
	g.c = append(g.c, " in "...)
	g.c = append(g.c, places[r.IntN(len(places))]...)
}

func (g *gen) words(lang, n int) {
	w := languages[lang].words
	for k := range n {
		if k > 0 {
			g.c = append(g.c, ' ')
		}
		g.c = append(g.c, w[g.r.IntN(len(w))]...)
	}
}

// sentence is one sentence: in Persian, Arabic or Russian a run of the
// language's words; in English one of a few shapes of news sentence,
// sometimes with a word in bold or italics, a link or an entity.
func (g *gen) sentence(lang int) {
	r := g.r
	if lang != english {
		g.words(lang, 6+r.IntN(10))
		g.c = append(g.c, languages[lang].stop...)
		return
	}
	c := g.c
	noun := func() string { return nouns[r.IntN(len(nouns))] }
	adj := func() string { return adjectives[r.IntN(len(adjectives))] }
	switch r.IntN(36) / 5 { // seven shapes alike, and now and then an eighth
	case 0:
		c = append(c, people[r.IntN(len(people))]...)
		c = append(c, ", "...)
		c = append(c, roles[r.IntN(len(roles))]...)
		c = append(c, ", said the "...)
		c = append(append(append(c, adj()...), ' '), noun()...)
		c = append(c, " would be "...)
		c = append(c, past[r.IntN(len(past))]...)
		c = append(append(c, ' '), when[r.IntN(len(when))]...)
	case 1:
		c = append(append(c, "The "...), noun()...)
		c = append(append(c, " in "...), places[r.IntN(len(places))]...)
		c = append(append(c, " was "...), past[r.IntN(len(past))]...)
		c = append(append(c, ' '), when[r.IntN(len(when))]...)
		c = strconv.AppendInt(append(c, " after "...), int64(12+r.IntN(900)), 10)
		c = append(append(c, ' '), groups[r.IntN(len(groups))]...)
		c = append(append(c, " signed a letter about the "...), noun()...)
	case 2:
		c = append(append(c, "Residents of "...), places[r.IntN(len(places))]...)
		c = append(append(c, ' '), past[r.IntN(len(past))]...)
		c = append(append(append(append(c, " the "...), adj()...), ' '), noun()...)
		c = strconv.AppendInt(append(c, ", which will cost €"...), int64(1+r.IntN(90)), 10)
		c = append(c, " million"...)
	case 3:
		c = append(append(append(c, "“We are "...), feelings[r.IntN(len(feelings))]...), " about the "...)
		c = append(append(c, noun()...), ",” said "...)
		c = append(c, people[r.IntN(len(people))]...)
	case 4:
		c = append(append(c, "It is the third time this year that the "...), noun()...)
		c = append(append(c, " has been "...), past[r.IntN(len(past))]...)
	case 5:
		c = append(append(append(append(c, "According to the "...), adj()...), ' '), noun()...)
		c = strconv.AppendInt(append(c, ", "...), int64(1+r.IntN(99)), 10)
		c = append(append(c, " per cent of "...), groups[r.IntN(len(groups))]...)
		c = append(append(c, " in "...), places[r.IntN(len(places))]...)
		c = append(append(c, ' '), past[r.IntN(len(past))]...)
		c = append(c, " it"...)
	case 6:
		c = append(append(c, "More details of the "...), noun()...)
		c = append(c, " are expected at the "...)
		switch r.IntN(4) {
		case 0:
			c = append(append(append(c, "<strong>"...), noun()...), " meeting</strong>"...)
		case 1:
			c = append(append(append(c, "<em>"...), noun()...), "</em> meeting"...)
		case 2:
			n := noun()
			c = append(append(append(append(append(c, `<a href="`...), g.BaseURL...), "/tag/"...), n...), `/">`...)
			c = append(append(c, n...), " meeting</a>"...)
		default:
			c = append(append(c, noun()...), " meeting"...)
		}
		c = append(append(c, ' '), when[r.IntN(len(when))]...)
	default:
		c = append(append(c, "Fish &amp; chips at the "...), noun()...)
		c = append(c, " — a local favourite — will cost more "...)
		c = append(c, []string{"from next month", "this summer", "after Easter"}[r.IntN(3)]...)
	}
	g.c = append(c, '.')
}
