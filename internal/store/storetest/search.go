package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/search"
)

// testSearchWindow: a search that more articles match than it ranks ranks
// the newest by publication time, whatever order they were written in,
// after its section and author filters; a date range is exact to the
// second; an article whose publication time or byline changes is found by
// its new one.
func testSearchWindow(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	// Six harbour stories an hour apart, written newest first, so that
	// ids run against publication order; then one back-dated a year.
	var byTime []*article.Article // oldest first
	base := f.clock
	for i := range 6 {
		a := f.article(i % 2)
		a.Headline = "Harbour works, part " + string(rune('A'+i))
		a.PublishedAt = base.Add(time.Duration(6-i) * time.Hour)
		must(t, s.CreateArticle(ctx, a))
		byTime = append([]*article.Article{a}, byTime...)
	}
	old := f.article(0)
	old.Headline = "Harbour plans, a year before"
	old.PublishedAt = base.AddDate(-1, 0, 0)
	must(t, s.CreateArticle(ctx, old))
	byTime = append([]*article.Article{old}, byTime...)

	ids := func(res search.Results) []int64 {
		var out []int64
		for _, a := range res.Articles {
			out = append(out, a.ID)
		}
		slices.Sort(out)
		return out
	}
	idsOf := func(list []*article.Article) []int64 {
		var out []int64
		for _, a := range list {
			out = append(out, a.ID)
		}
		slices.Sort(out)
		return out
	}
	find := func(r search.Request) search.Results {
		t.Helper()
		r.Text = "harbour"
		if r.Limit == 0 {
			r.Limit = 10
		}
		res, err := s.Search(ctx, r)
		must(t, err)
		return res
	}

	res := find(search.Request{})
	if res.Window || res.Total != 7 || len(res.Articles) != 7 {
		t.Fatalf("all seven fit the window: window %v, total %d, %d articles", res.Window, res.Total, len(res.Articles))
	}
	if res = find(search.Request{Newest: 7}); res.Window || res.Total != 7 {
		t.Errorf("seven matches in a window of seven: window %v, total %d", res.Window, res.Total)
	}
	res = find(search.Request{Newest: 3})
	if want := idsOf(byTime[4:]); !res.Window || res.Total != 3 || !slices.Equal(ids(res), want) {
		t.Errorf("newest 3: window %v, total %d, ids %v; want the three published last %v", res.Window, res.Total, ids(res), want)
	}
	if !res.Before.Equal(byTime[4].PublishedAt.Truncate(time.Second)) {
		t.Errorf("newest 3: Before = %v, want %v, when the oldest of them was published", res.Before, byTime[4].PublishedAt)
	}
	res = find(search.Request{Newest: 3, To: res.Before})
	if want := idsOf(byTime[1:4]); !res.Window || !slices.Equal(ids(res), want) {
		t.Errorf("the three before those: window %v, ids %v, want %v", res.Window, ids(res), want)
	}
	// Filters narrow the matches the window is taken from.
	var inCity []*article.Article // oldest first
	for _, a := range byTime {
		if a.Section.ID == f.sections[0].ID {
			inCity = append(inCity, a)
		}
	}
	res = find(search.Request{Newest: 2, SectionID: f.sections[0].ID})
	if want := idsOf(inCity[len(inCity)-2:]); !res.Window || !slices.Equal(ids(res), want) {
		t.Errorf("section filter, newest 2: window %v, ids %v, want the two newest City matches %v", res.Window, ids(res), want)
	}
	res = find(search.Request{SectionID: f.sections[1].ID})
	for _, a := range res.Articles {
		if a.Section.ID != f.sections[1].ID {
			t.Errorf("section filter: article %d of section %d found in %s", a.ID, a.Section.ID, f.sections[1].Slug)
		}
	}
	if res.Window || res.Total != len(byTime)-len(inCity) {
		t.Errorf("section filter: window %v, total %d, want %d", res.Window, res.Total, len(byTime)-len(inCity))
	}
	// Bylines: the newest story gets a second author, Cy.
	newest, err := s.ArticleByID(ctx, byTime[6].ID)
	must(t, err)
	newest.Authors = append(newest.Authors, f.authors[2])
	must(t, s.UpdateArticle(ctx, newest))
	if res = find(search.Request{AuthorID: f.authors[2].ID}); !slices.Equal(ids(res), []int64{newest.ID}) {
		t.Errorf("author filter for the second byline: ids %v, want [%d]", ids(res), newest.ID)
	}
	if res = find(search.Request{AuthorID: f.authors[0].ID, Newest: 1}); !res.Window || !slices.Equal(ids(res), []int64{newest.ID}) {
		t.Errorf("author filter for the first byline, newest 1: window %v, ids %v, want [%d]", res.Window, ids(res), newest.ID)
	}
	if res = find(search.Request{AuthorID: f.authors[1].ID}); res.Total != 0 {
		t.Errorf("author filter for an author of none: total %d", res.Total)
	}
	// A date range includes From and excludes To, to the second.
	mid := byTime[3].PublishedAt
	res = find(search.Request{From: mid, To: byTime[5].PublishedAt})
	if want := idsOf(byTime[3:5]); !slices.Equal(ids(res), want) {
		t.Errorf("from %v to %v: ids %v, want %v", mid, byTime[5].PublishedAt, ids(res), want)
	}
	res = find(search.Request{From: mid.Add(time.Second), To: byTime[5].PublishedAt.Add(time.Second)})
	if want := idsOf(byTime[4:6]); !slices.Equal(ids(res), want) {
		t.Errorf("a second later: ids %v, want %v", ids(res), want)
	}
	// Moved to the newest, the year-old story is the one newest match.
	got, err := s.ArticleByID(ctx, old.ID)
	must(t, err)
	got.PublishedAt = byTime[6].PublishedAt.Add(time.Hour)
	must(t, s.UpdateArticle(ctx, got))
	res = find(search.Request{Newest: 1})
	if !res.Window || !slices.Equal(ids(res), []int64{old.ID}) {
		t.Errorf("after moving article %d to the newest: window %v, ids %v", old.ID, res.Window, ids(res))
	}
	// Unpublished, it is found by no search.
	got, err = s.ArticleByID(ctx, old.ID)
	must(t, err)
	got.Status = article.Unpublished
	must(t, s.UpdateArticle(ctx, got))
	if res = find(search.Request{}); slices.Contains(ids(res), old.ID) || res.Total != 6 {
		t.Errorf("after unpublishing article %d: total %d, ids %v", old.ID, res.Total, ids(res))
	}
}

// testSearchAcrossLanguages: a query is read under every language's
// rules, since the articles it looks for were indexed under their own: an
// English word finds an English stem, a Persian plural typed with a space
// finds the word written with a ZWNJ.
func testSearchAcrossLanguages(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	en := f.article(0)
	en.Headline, en.Body = "New homes by the harbour", "Forty homes are planned."
	must(t, s.CreateArticle(ctx, en))
	fa := f.article(0)
	fa.Language, fa.Headline, fa.Body = "fa", "کتابخانه‌ها در تهران", "کتابخانه‌ها تا نیمه‌شب باز می‌مانند."
	must(t, s.CreateArticle(ctx, fa))
	checkSearches(t, s, []searchCase{
		{"homes", []int64{en.ID}},
		{"home", []int64{en.ID}},
		{"کتابخانه ها", []int64{fa.ID}},
		{"کتابخانه‌ها", []int64{fa.ID}},
		{"کتابخانه ها homes", nil},
	})
}

// testSearchLightStems: Persian and Arabic are stemmed lightly, at
// indexing and at search alike, so a singular finds an article that holds
// only the plural, and a word without its article finds it with one.
func testSearchLightStems(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	fa := f.article(0)
	fa.Language, fa.Headline, fa.Body = "fa", "نمایشگاه تهران", "کتاب‌های تازه و نمایندگان ناشران در راهروها."
	must(t, s.CreateArticle(ctx, fa))
	ar := f.article(0)
	ar.Language, ar.Headline, ar.Body = "ar", "افتتاح العام الدراسي", "عاد الطلاب إلى المدرسة والمدرسون إلى الفصول."
	must(t, s.CreateArticle(ctx, ar))
	checkSearches(t, s, []searchCase{
		{"کتاب", []int64{fa.ID}}, // the article has only کتاب‌های
		{"کتابها", []int64{fa.ID}},
		{"کتاب‌ها", []int64{fa.ID}},
		{"نماینده", []int64{fa.ID}},  // نمایندگان
		{"مدرسة", []int64{ar.ID}},    // المدرسة
		{"والمدرسة", []int64{ar.ID}}, // المدرسة
		{"مدرس", []int64{ar.ID}},     // والمدرسون, and the teachers
		{"مدارس", nil},               // a broken plural is another word
		{"کتاب مدرسة", nil},          // every term, in one article
	})
}

// searchCase is a query and the articles it must find, best first.
type searchCase struct {
	q    string
	want []int64
}

// checkSearches runs each case's query and compares the articles found.
func checkSearches(t *testing.T, s Store, cases []searchCase) {
	t.Helper()
	for _, c := range cases {
		res, err := s.Search(context.Background(), search.Request{Text: c.q, Limit: 10})
		must(t, err)
		var got []int64
		for _, a := range res.Articles {
			got = append(got, a.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Search(%q) = %v, want %v", c.q, got, c.want)
		}
	}
}
