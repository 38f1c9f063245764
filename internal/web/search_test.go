package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
)

// Search finds an article across the spelling variants of its language,
// highlights what matched, filters, and answers hostile queries normally.
func TestSearchPage(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	s.publish("city", "tram-depot", "Council approves the new tram depot", func(a *article.Article) {
		a.Body = "The council voted on Tuesday to build a tram depot by the river. Residents had campaigned against the depot for years."
	})
	s.publish("city", "tehran-metro", "مترو تهران گسترش می‌یابد", func(a *article.Article) {
		a.Language = "fa"
		a.Body = "خط جدید مترو در سال ۱۴۰۳ افتتاح می‌شود و مسافران بیشتری را جابه‌جا می‌کند."
	})
	s.publish("sport", "ice-rink", "Каток открывается в ёлочный сезон", func(a *article.Article) {
		a.Language = "ru"
		a.Body = "Новый каток открылся у ёлки на площади. Выборы нового директора пройдут зимой."
	})
	s.publish("sport", "derby", "Derby ends in a draw", func(a *article.Article) {
		a.Body = "The derby ended goalless in the rain."
	})
	search := func(q string, extra ...string) result {
		u := url.Values{"q": {q}}
		for i := 0; i+1 < len(extra); i += 2 {
			u.Set(extra[i], extra[i+1])
		}
		return s.get("/search?" + u.Encode())
	}
	for _, tt := range []struct {
		name, q, want string
	}{
		{"English stem", "depots voting", "/city/tram-depot"},
		{"Persian with Arabic yeh and kaf, no ZWNJ", "مترو تهران مييابد", "/city/tehran-metro"},
		{"Persian digits as ASCII", "1403", "/city/tehran-metro"},
		{"Russian yo folded and stemmed", "елки каток", "/sport/ice-rink"},
		{"Russian inflection", "выборов", "/sport/ice-rink"},
	} {
		r := search(tt.q)
		if r.status != 200 || !strings.Contains(r.body, `href="`+tt.want+`"`) {
			t.Errorf("%s: %q does not find %s (%d)", tt.name, tt.q, tt.want, r.status)
		}
	}
	r := search("depot")
	if !strings.Contains(r.body, "<mark>depot</mark>") || strings.Contains(r.body, "/sport/derby") || !strings.Contains(r.body, "Results 1–1 of 1") {
		t.Errorf("depot: highlighted passage and only the tram story expected")
	}
	if r := search("rain", "section", "city"); strings.Contains(r.body, "/sport/derby") {
		t.Error("the section filter let a sport story through")
	}
	if r := search("rain", "section", "sport", "from", "2026-05-01", "to", "2026-05-01"); !strings.Contains(r.body, `href="/sport/derby"`) {
		t.Error("the sport story published on 2026-05-01 is not found with filters for that day")
	}
	if r := search("rain", "from", "2026-06-01"); strings.Contains(r.body, `href="/sport/derby"`) {
		t.Error("the date filter let an older story through")
	}
	for _, q := range []string{`"`, `tram" OR "derby`, `depot*`, `NEAR(tram depot)`, `headline:tram`, `-depot ^tram`, `(((`, "\x00\x01", strings.Repeat("depot ", 1700), "\xff\xfe"} {
		if r := search(q); r.status != 200 {
			t.Errorf("hostile query %.40q = %d, want 200", q, r.status)
		}
	}
	if r := search("", "from", "not-a-date"); r.status != 200 {
		t.Errorf("empty query = %d", r.status)
	}
	if r := search("depot", "from", "yesterday"); !strings.Contains(r.body, "year-month-day") {
		t.Error("a bad date says nothing")
	}
	os := s.get("/opensearch.xml")
	if os.status != 200 || !strings.Contains(os.body, `template="https://news.example.org/search?q={searchTerms}"`) {
		t.Errorf("opensearch.xml = %d\n%s", os.status, os.body)
	}
	s.get("/").has(t, `<link rel="search" type="application/opensearchdescription+xml"`, `action="/search"`)
	_ = ctx
}

// A search that more articles match than it ranks says so, and links to
// the same search over the articles published before those it ranked.
func TestSearchWindow(t *testing.T) {
	s := newSite(t)
	s.srv.searchNewest = 2
	day := func(d int) func(*article.Article) {
		return func(a *article.Article) {
			a.PublishedAt = time.Date(2026, 5, d, 12, 0, 0, 0, time.UTC)
			a.Body = "The ferry sailed at dawn."
		}
	}
	s.publish("city", "ferry-one", "Ferry one", day(3))
	s.publish("city", "ferry-two", "Ferry two", day(5))
	s.publish("city", "ferry-three", "Ferry three", day(7))
	r := s.get("/search?q=ferry")
	if !strings.Contains(r.body, `href="/city/ferry-three"`) || !strings.Contains(r.body, `href="/city/ferry-two"`) || strings.Contains(r.body, `href="/city/ferry-one"`) {
		t.Fatalf("the two newest ferry stories expected, not the oldest:\n%s", r.body)
	}
	if !strings.Contains(r.body, "the best of the newest 2") || !strings.Contains(r.body, `href="/search?q=ferry&amp;to=2026-05-05"`) {
		t.Fatalf("no notice of the window, or no link to earlier articles:\n%s", r.body)
	}
	r = s.get("/search?q=ferry&to=2026-05-05")
	if !strings.Contains(r.body, `href="/city/ferry-one"`) || !strings.Contains(r.body, `href="/city/ferry-two"`) || strings.Contains(r.body, `href="/city/ferry-three"`) {
		t.Errorf("earlier articles: ferry one and two expected:\n%s", r.body)
	}
	if strings.Contains(r.body, "the best of the newest") {
		t.Errorf("two matches fit a window of two, yet the page says more match:\n%s", r.body)
	}
}

func TestEarlierTo(t *testing.T) {
	at := func(d, h int) time.Time { return time.Date(2026, 5, d, h, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		before, to time.Time
		want       string
	}{
		{at(5, 12), time.Time{}, "2026-05-05"}, // the whole day of the oldest ranked
		{at(5, 12), at(8, 0), "2026-05-05"},
		{at(5, 12), at(6, 0), "2026-05-04"}, // the same search again: a day back
		{at(5, 0), at(6, 0), "2026-05-04"},
	} {
		if got := earlierTo(tt.before, tt.to); got != tt.want {
			t.Errorf("earlierTo(%v, %v) = %s, want %s", tt.before, tt.to, got, tt.want)
		}
	}
}
