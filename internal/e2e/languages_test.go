package e2e

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/store/sqlite"
)

// englishLead is the demo's English lead story, which the screenshots show
// with a discussion.
const englishLead = "/city/council-votes-eastgate-tram-depot-homes"

// pageLayout is what layoutJS reports about the page the browser shows.
type pageLayout struct {
	Lang string `json:"lang"`
	Dir  string `json:"dir"`
	// Keys are message keys shown bracketed, as a catalogue shows a key
	// it lacks, in the page's text or its attributes.
	Keys []string `json:"keys"`
	// Pairs are elements side by side that the page shows in its reading
	// order, the first before the second: the first and last items of the
	// sections' bar, the lead story and the latest, the story and More
	// Articles, the newsroom's brand and its signed-in user.
	Pairs [][2]box `json:"pairs"`
	// Misread are the things shown out of their reading order: see
	// readingOrderJS.
	Misread []string `json:"misread"`
	// Field is the first label of the page's main form and the field it
	// names.
	Field struct {
		Label box `json:"label"`
		Input box `json:"input"`
	} `json:"field"`
}

// box is an element's place in the viewport; Left is -1 when the page has
// no such element.
type box struct {
	Sel   string  `json:"sel"`
	Left  float64 `json:"left"`
	Right float64 `json:"right"`
}

// layoutJS reports on the page: its language and direction, the message
// keys it shows bracketed, and where the elements of pageLayout sit.
const layoutJS = `(() => {
  const key = /\[[a-z][a-z0-9_]*(\.[a-z0-9_]+)+\]/g;
  const seen = new Set(document.body.innerText.match(key) || []);
  for (const m of document.title.match(key) || []) seen.add(m);
  for (const el of document.querySelectorAll('*'))
    for (const a of el.attributes)
      for (const m of a.value.match(key) || []) seen.add(a.name + '=' + m);
  const place = (sel, el = document.querySelector(sel)) => {
    if (!el) return {sel, left: -1, right: -1};
    const r = el.getBoundingClientRect();
    return {sel, left: r.left, right: r.right};
  };
  const pairs = [
    ['.sections-nav li:first-child', '.sections-nav li:last-child'],
    ['.lead-story', 'section.latest'],
    ['article.story', 'aside.more'],
    ['.admin-brand', '.admin-user'],
  ].map(([a, b]) => [place(a), place(b)]).filter(([a, b]) => a.left >= 0 && b.left >= 0);
  const label = document.querySelector('main form label[for]');
  const input = label && document.getElementById(label.htmlFor);
  return {
    lang: document.documentElement.lang, dir: document.documentElement.dir, keys: [...seen], pairs,
    misread: ` + readingOrderJS + `,
    field: {label: place(label ? 'label[for="' + label.htmlFor + '"]' : 'no label', label),
      input: place(input ? '#' + input.id : 'no field', input)},
  };
})()`

// readingOrderJS lists what the page shows out of its reading order, where
// text of one direction sits in text of the other: a path or web address
// (/fa/…, https://…) whose characters are not drawn left to right; Latin
// names in a byline or the newsroom's list drawn in the other order than
// the page reads; a comment whose closing punctuation is not at its end;
// a field whose text overflows at the side it starts from, hiding its
// beginning.
const readingOrderJS = `(() => {
  const out = [];
  const box = (node, i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1); return r.getBoundingClientRect(); };
  const texts = root => { const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT); const all = []; let n; while ((n = w.nextNode())) all.push(n); return all; };
  const shown = n => n.parentElement && n.parentElement.checkVisibility() && !n.parentElement.closest('script, style, textarea, select');
  const firstStrong = s => { const m = s.match(/[A-Za-z\u00C0-\u024F\u0400-\u04FF]|[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/); return m ? (/[\u0590-\uFEFF]/.test(m[0]) ? 'rtl' : 'ltr') : ''; };
  for (const n of texts(document.body).filter(shown)) {
    for (const m of n.data.matchAll(/(?:[a-z]+:)?\/+[a-z0-9?…][^\s()\[\]،,]*/gi)) {
      // A full stop or colon after it is the sentence's.
      const addr = m[0].replace(/[.:;]+$/, '');
      let prev = null;
      for (let i = m.index; i < m.index + addr.length; i++) {
        const b = box(n, i);
        // A character drawn in one glyph with its neighbours has their
        // box: it says nothing of its own place.
        if (b.width === 0 || prev && b.left <= prev.left && b.right >= prev.right) continue;
        if (prev && Math.abs(prev.top - b.top) < 2 && b.left < prev.left) { out.push('the address ' + addr + ' is not drawn left to right'); break; }
        prev = b;
      }
    }
  }
  const nameRe = /\p{Lu}\p{Ll}+(?: \p{Lu}\p{Ll}+)+/gu;
  for (const el of document.querySelectorAll('.byline, main table.list td:nth-child(4)')) {
    const dir = getComputedStyle(el).direction;
    let prev = null;
    for (const n of texts(el).filter(shown)) for (const m of n.data.matchAll(nameRe)) {
      const b = box(n, m.index);
      if (prev && Math.abs(prev.b.top - b.top) < 2 && (dir === 'rtl' ? b.left > prev.b.left : b.left < prev.b.left))
        out.push('in ' + dir + ' the name ' + m[0] + ' is drawn before ' + prev.name);
      prev = {b, name: m[0]};
    }
  }
  for (const p of document.querySelectorAll('.comment-body p')) {
    const chars = [];
    for (const n of texts(p)) for (let i = 0; i < n.data.length; i++) if (n.data[i].trim()) chars.push([n, i]);
    if (chars.length < 2) continue;
    const [ln, li] = chars[chars.length - 1], [pn, pi] = chars[chars.length - 2];
    if (!'.?!…'.includes(ln.data[li])) continue;
    const dir = firstStrong(p.textContent), end = box(ln, li), before = box(pn, pi);
    if (Math.abs(end.top - before.top) < 2 && (dir === 'ltr' ? end.left < before.left : end.left > before.left))
      out.push('the comment ' + JSON.stringify(p.textContent.slice(0, 40)) + ' does not end with its ' + ln.data[li]);
  }
  for (const f of document.querySelectorAll('input')) {
    const dir = firstStrong(f.value);
    if (dir && f.checkVisibility() && f.scrollWidth > f.clientWidth + 1 && dir !== getComputedStyle(f).direction)
      out.push('the field #' + f.id + ' hides the start of ' + JSON.stringify(f.value.slice(0, 40)));
  }
  return out;
})()`

// TestEveryLanguageOnScreen shows the site in each language its newsroom
// speaks — English, Persian, Arabic and Russian as the site's language,
// and the demo's Persian edition of the English site — and takes
// screenshots of the front page, a story with a discussion and its forms,
// and the newsroom's articles list, editor and settings. On each page the
// document has the language and direction of the site, no message shows
// as its bracketed key, and in Persian and Arabic the layout is mirrored:
// the top bar begins at the right, and a field's label sits at its right
// edge.
func TestEveryLanguageOnScreen(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	artifacts := t.ArtifactDir()
	// Four languages of eight pages each, two of them the article editor
	// with its rich view: on a busy machine of two cores, that takes time.
	ctx, cancel := context.WithTimeout(context.Background(), 240*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	story := englishDiscussion(t, ctx, db)
	persian := persianDiscussion(t, ctx, db)
	admin := createNewsroomUser(t, ctx, db, "admin@courier.example", "Ada Admin", account.Admin)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	signIn(t, bctx, ts.URL, admin)
	site, err := db.Site(ctx)
	if err != nil {
		t.Fatalf("read the site: %v", err)
	}
	demoEditions := site.Editions

	type page struct{ name, path, lang string }
	show := func(lang string, p page) {
		t.Helper()
		resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+p.path))
		if err != nil {
			t.Fatalf("open %s: %v", p.path, err)
		}
		expectPage(t, bctx, resp, http.StatusOK, "")
		shot := filepath.Join(artifacts, lang+"-"+p.name+".png")
		screenshot(t, bctx, shot)
		where := fmt.Sprintf("%s (site in %s)", p.path, lang)
		l := evaluate[pageLayout](t, bctx, layoutJS)
		t.Logf("%s: lang=%s dir=%s, %d pairs side by side, first label %s", where, l.Lang, l.Dir, len(l.Pairs), l.Field.Label.Sel)
		checkLayout(t, l, where, p.lang)
		problems.report(t, where)
	}
	for _, lang := range []string{"en", "fa", "ar", "ru"} {
		site.Language = lang
		site.Editions = slices.DeleteFunc(slices.Clone(demoEditions), func(e article.Edition) bool { return e.Lang == lang })
		if err := db.SetSite(ctx, site); err != nil {
			t.Fatalf("make %s the site's language: %v", lang, err)
		}
		pages := []page{
			{"front", "/", lang},
			{"article", englishLead, lang},
			{"admin-articles", "/admin/articles", lang},
			{"admin-editor", fmt.Sprintf("/admin/articles/%d", story.ID), lang},
			{"admin-editor-fa", fmt.Sprintf("/admin/articles/%d", persian.ID), lang},
			{"admin-settings", "/admin/settings", lang},
			{"admin-redirects", "/admin/redirects", lang},
			{"admin-security", "/admin/account/security", lang},
			{"admin-account", "/admin/account", lang},
		}
		if lang == "en" {
			pages = append(pages, page{"fa-edition-front", persianFront, "fa"}, page{"fa-edition-article", persianLead, "fa"})
		}
		for _, p := range pages {
			show(lang, p)
		}
	}
}

// checkLayout checks the page in l, at where, against its language.
func checkLayout(t *testing.T, l pageLayout, where, lang string) {
	t.Helper()
	wantDir := "ltr"
	if lang == "fa" || lang == "ar" {
		wantDir = "rtl"
	}
	if l.Lang != lang || l.Dir != wantDir {
		t.Errorf("%s: <html lang=%q dir=%q>, want lang=%q dir=%q", where, l.Lang, l.Dir, lang, wantDir)
	}
	for _, m := range l.Misread {
		t.Errorf("%s: %s", where, m)
	}
	if len(l.Keys) > 0 {
		t.Errorf("%s shows message keys instead of messages: %s", where, strings.Join(l.Keys, ", "))
	}
	if len(l.Pairs) == 0 {
		t.Errorf("%s: none of the elements whose order shows the page's direction is there", where)
	}
	// Side by side, the first of a pair is at the side the page reads
	// from: the right in right to left.
	for _, p := range l.Pairs {
		first, second := p[0], p[1]
		if wantDir == "rtl" && !(first.Left >= second.Right) || wantDir == "ltr" && !(first.Right <= second.Left) {
			t.Errorf("%s: %s spans %.0f–%.0f px and %s %.0f–%.0f px; in %s the first should be to the %s",
				where, first.Sel, first.Left, first.Right, second.Sel, second.Left, second.Right, wantDir, map[string]string{"rtl": "right", "ltr": "left"}[wantDir])
		}
	}
	// A form's first label starts where its field starts: the right edge
	// in right to left.
	if f := l.Field; f.Label.Left >= 0 && f.Input.Left >= 0 {
		edge, lEdge, iEdge := "left", f.Label.Left, f.Input.Left
		if wantDir == "rtl" {
			edge, lEdge, iEdge = "right", f.Label.Right, f.Input.Right
		}
		if d := lEdge - iEdge; d > 2 || d < -2 {
			t.Errorf("%s: the label %s starts at %.0f px and its field %s at %.0f px; want both at the %s edge",
				where, f.Label.Sel, lEdge, f.Input.Sel, iEdge, edge)
		}
	}
}

// englishDiscussion gives the English lead story a discussion, in the
// scripts of the site's languages — a comment, a reply in Persian with
// Latin names and numbers in it, and one in Russian — and returns the
// story.
func englishDiscussion(t *testing.T, ctx context.Context, db *sqlite.DB) *article.Article {
	t.Helper()
	return discussion(t, ctx, db, "council-votes-eastgate-tram-depot-homes",
		comment.Comment{Name: "Rosa Fenwick", Body: "The second platform at Eastgate Halt matters more than the 400 bike spaces."},
		comment.Comment{ParentID: replyToFirst, Name: "نگار رضایی", Body: "موافقم؛ Eastgate Halt فقط ۱ سکو دارد و Route 7 هر روز دیر می‌رسد."},
		comment.Comment{Name: "Анна Ковалёва", Body: "Сколько из 300 квартир будут доступны для семей?"})
}
