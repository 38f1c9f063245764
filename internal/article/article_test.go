package article

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSlugify(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"simple", "Council votes on budget", "council-votes-on-budget"},
		{"punctuation collapses", "Storm: 3 ferries cancelled!!", "storm-3-ferries-cancelled"},
		{"apostrophe joins", "Port Merrow's new mayor", "port-merrows-new-mayor"},
		{"curly apostrophe joins", "Children’s books", "childrens-books"},
		{"leading and trailing junk", "  --Hello--  ", "hello"},
		{"accents kept composed", "Café crème", "café-crème"},
		{"decomposed input is composed", "Cafe\u0301", "café"},
		{"persian keeps script", "شب شعر در کتابخانه", "شب-شعر-در-کتابخانه"},
		{"persian zwnj joins", "می\u200cخواهم", "میخواهم"},
		{"russian lower-cased", "Шахматный Клуб", "шахматный-клуб"},
		{"only symbols", "!!! ???", ""},
		{"digits", "2026 in review", "2026-in-review"},
		{"emoji dropped", "Goal ⚽ late", "goal-late"},
		{"long cut at a word", strings.Repeat("word ", 30), strings.TrimSuffix(strings.Repeat("word-", 16), "-")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Slugify(tt.in); got != tt.want {
				t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidateSlug(t *testing.T) {
	tests := []struct {
		in   string
		okay bool
	}{
		{"council-budget", true},
		{"شب-شعر", true},
		{"", false},
		{"Upper", false},
		{"double--hyphen", false},
		{"-leading", false},
		{"trailing-", false},
		{"with space", false},
		{"../etc/passwd", false},
		{"a/b", false},
		{strings.Repeat("a", MaxSlug+1), false},
		{"\xff\xfe", false},
	}
	for _, tt := range tests {
		err := ValidateSlug(tt.in)
		if (err == nil) != tt.okay {
			t.Errorf("ValidateSlug(%q) = %v, want ok=%v", tt.in, err, tt.okay)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := Cursor{PublishedAt: time.Date(2026, 11, 29, 8, 30, 0, 0, time.UTC), ID: 42}
	s := c.String()
	if s != "1795941000-42" {
		t.Errorf("String() = %q, want %q", s, "1795941000-42")
	}
	got, err := ParseCursor(s)
	if err != nil {
		t.Fatalf("ParseCursor(%q): %v", s, err)
	}
	if !got.PublishedAt.Equal(c.PublishedAt) || got.ID != c.ID {
		t.Errorf("ParseCursor(%q) = %+v, want %+v", s, got, c)
	}
}

func TestParseCursorRejects(t *testing.T) {
	for _, in := range []string{
		"", "-", "123", "123-", "-5", "abc-1", "1-abc", "1-0", "1--5", "-1-5",
		"+1-5", "1-+5", "1.5-2", "99999999999999999999-1", "1-2-3",
		strings.Repeat("1", 30) + "-" + strings.Repeat("2", 30),
	} {
		if c, err := ParseCursor(in); !errors.Is(err, ErrBadCursor) {
			t.Errorf("ParseCursor(%q) = %+v, %v; want ErrBadCursor", in, c, err)
		}
	}
}

func TestQueryPageSize(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{0, DefaultLimit}, {-3, DefaultLimit}, {5, 5}, {MaxLimit + 1, MaxLimit}} {
		if got := (Query{Limit: tt.in}).PageSize(); got != tt.want {
			t.Errorf("PageSize(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestReadingTime(t *testing.T) {
	for _, tt := range []struct{ words, want int }{{0, 1}, {100, 1}, {230, 1}, {460, 2}, {1000, 4}} {
		body := strings.Repeat("word ", tt.words)
		if got := ReadingTime(body); got != tt.want {
			t.Errorf("ReadingTime(%d words) = %d, want %d", tt.words, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Article{Headline: "H", Slug: "h", Status: Published, Section: Section{ID: 1}, Language: "en", PublishedAt: time.Now()}
	if err := good.Validate(); err != nil {
		t.Fatalf("Validate(good) = %v", err)
	}
	bad := Article{Slug: "Bad Slug", Status: "live"}
	err := bad.Validate()
	var inv *InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("Validate(bad) = %v, want *InvalidError", err)
	}
	for _, want := range []string{"headline is required", "slug", "status", "section is required", "language is required"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate(bad) = %q, want mention of %q", err, want)
		}
	}
}

// Each problem Validate finds names the field it is about, as data: the
// API's fields and the forms' messages come from here, never from words.
func TestValidateNamesTheFieldOfEachProblem(t *testing.T) {
	good := Article{Headline: "H", Slug: "h", Status: Draft, Section: Section{ID: 1}, Language: "en"}
	for _, tt := range []struct {
		field string
		spoil func(*Article)
	}{
		{"headline", func(a *Article) { a.Headline = " " }},
		{"headline", func(a *Article) { a.Headline = strings.Repeat("h", MaxHeadline+1) }},
		{"standfirst", func(a *Article) { a.Standfirst = strings.Repeat("s", MaxStandfirst+1) }},
		{"body", func(a *Article) { a.Body = strings.Repeat("b", MaxBody+1) }},
		{"slug", func(a *Article) { a.Slug = "Bad Slug" }},
		{"status", func(a *Article) { a.Status = "live" }},
		{"section", func(a *Article) { a.Section = Section{} }},
		{"publish_at", func(a *Article) { a.Status = Published }},
		{"language", func(a *Article) { a.Language = "" }},
	} {
		a := good
		tt.spoil(&a)
		var inv *InvalidError
		if err := a.Validate(); !errors.As(err, &inv) || len(inv.Problems) != 1 {
			t.Errorf("%s: Validate = %v, want one problem", tt.field, err)
			continue
		}
		if got := inv.Field(0); got != tt.field {
			t.Errorf("%q is about %q, want %q", inv.Problems[0], got, tt.field)
		}
	}
}
