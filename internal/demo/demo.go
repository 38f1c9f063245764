// Package demo fills an empty database with The Merrow Courier, a fictional
// local newspaper written for this project: sections, journalists, tags,
// static pages, articles and illustrations drawn by code. It exists so a
// newcomer sees a real-looking site the first time they run Broadsheet.
package demo

import (
	"bufio"
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"broadsheet/internal/article"
)

//go:embed content
var contentFS embed.FS

// Site is the demo newspaper's settings. Besides the English paper it
// has a Persian edition at /fa, for the city's Persian speakers: some of
// the week's stories translated, and one written in Persian.
var Site = article.Site{
	Title:    "The Merrow Courier",
	Tagline:  "News from Port Merrow and the Saltings coast",
	Language: "en",
	TimeZone: "Europe/London",
	Editions: []article.Edition{
		{Lang: "fa", Title: "پیک مرو", Tagline: "خبرهای پورت مرو و کرانهٔ سالتینگز"},
	},
}

var sections = []article.Section{
	{Slug: "city", Name: "City", Description: "City hall, housing, transport and the life of Port Merrow.", Position: 1},
	{Slug: "business", Name: "Business", Description: "Jobs, the harbour economy, shops and the firms that employ the city.", Position: 2},
	{Slug: "science", Name: "Science", Description: "Science, the environment and the changing coast.", Position: 3},
	{Slug: "sport", Name: "Sport", Description: "Port Merrow Athletic, sailing, and every club between.", Position: 4},
	{Slug: "culture", Name: "Culture", Description: "Music, theatre, books and the city's festivals.", Position: 5},
	// Port Merrow's Russian speakers get some of the city's news in their
	// own language inside the English paper, as a newsroom without an
	// edition for a language would publish it; the section says so, in
	// English, so that a reader of the English paper knows why the story
	// is there. Persian has an edition of its own.
	{Slug: "community-languages", Name: "Community languages", Description: "The Courier's stories for Port Merrow's Russian-speaking community, written in Russian by our reporters with the city's community associations. Stories in Persian are in our Persian edition, پیک مرو.", Position: 6},

	// The Persian edition's sections: slugs are unique across the site,
	// so they are Persian words rather than the English ones again.
	{Slug: "شهر", Name: "شهر", Description: "شورای شهر، مسکن، حمل‌ونقل و زندگی روزمرهٔ پورت مرو.", Position: 1, Edition: "fa"},
	{Slug: "اقتصاد", Name: "اقتصاد", Description: "کار و اشتغال، اقتصاد بندر، مغازه‌ها و شرکت‌هایی که مردم شهر در آن‌ها کار می‌کنند.", Position: 2, Edition: "fa"},
	{Slug: "علم-و-محیط-زیست", Name: "علم و محیط زیست", Description: "علم، محیط زیست و ساحلی که پیوسته تغییر می‌کند.", Position: 3, Edition: "fa"},
	{Slug: "ورزش", Name: "ورزش", Description: "اتلتیک پورت مرو، قایقرانی بادبانی و همهٔ باشگاه‌های شهر.", Position: 4, Edition: "fa"},
	{Slug: "فرهنگ", Name: "فرهنگ", Description: "موسیقی، تئاتر، کتاب و جشنواره‌های شهر.", Position: 5, Edition: "fa"},
}

var authors = []article.Author{
	{Slug: "amara-okafor", Name: "Amara Okafor", Role: "City hall correspondent", Bio: "Amara has covered Port Merrow's council, courts and housing since 2014. She grew up in Eastgate."},
	{Slug: "daniel-reyes", Name: "Daniel Reyes", Role: "Business editor", Bio: "Daniel writes about the harbour economy, employers large and small, and what the city's money is spent on."},
	{Slug: "ingrid-solberg", Name: "Ingrid Solberg", Role: "Science and environment reporter", Bio: "Ingrid trained as a marine biologist before joining the Courier. She reports on the coast, climate and research at Merrow University."},
	{Slug: "tomasz-nowak", Name: "Tomasz Nowak", Role: "Sport writer", Bio: "Tomasz follows Port Merrow Athletic home and away, and anything else in the city that keeps score."},
	{Slug: "leila-haddad", Name: "Leila Haddad", Role: "Culture critic", Bio: "Leila reviews theatre, music and books, and writes about the people who make the city's culture."},
	{Slug: "priya-raman", Name: "Priya Raman", Role: "Data and transport reporter", Bio: "Priya turns timetables, budgets and open data into stories about how the city really works."},
	{Slug: "owen-gallagher", Name: "Owen Gallagher", Role: "Coast and weather reporter", Bio: "Owen reports on the sea, the weather and the people who work on both."},
}

// Image widths stored for each illustration: phones, cards, full width.
var imageWidths = []int{480, 800, 1200}

// ErrNotEmpty is returned when the database already holds content: the demo
// never mixes with, or overwrites, a newsroom's work.
var ErrNotEmpty = errors.New("demo: the database already has content; demo content loads only into an empty database")

// Progress is told how many steps are done out of how many.
type Progress interface {
	Add(n int)
}

// Load writes the demo newspaper into st, with publication times counted
// back from now. It returns ErrNotEmpty if st already has content.
func Load(ctx context.Context, st Store, now time.Time, p Progress) error {
	stories, err := Stories()
	if err != nil {
		return err
	}
	pages, err := pages()
	if err != nil {
		return err
	}
	return load(ctx, st, now, p, stories, pages)
}

// load is Load with the content already read, so that a test can hand it
// content the embedded files do not have.
func load(ctx context.Context, st Store, now time.Time, p Progress, stories []Story, pages []article.Page) error {
	if secs, err := st.Sections(ctx); err != nil {
		return fmt.Errorf("demo: %w", err)
	} else if len(secs) > 0 {
		return ErrNotEmpty
	}
	if list, err := st.Articles(ctx, article.Query{Limit: 1}); err != nil {
		return fmt.Errorf("demo: %w", err)
	} else if len(list.Articles) > 0 {
		return ErrNotEmpty
	}
	if p == nil {
		p = nopProgress{}
	}

	if err := st.SetSite(ctx, Site); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	sectionBySlug := map[string]article.Section{}
	for _, s := range sections {
		if err := st.CreateSection(ctx, &s); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		sectionBySlug[s.Slug] = s
	}
	authorBySlug := map[string]article.Author{}
	for _, a := range authors {
		if err := st.CreateAuthor(ctx, &a); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		authorBySlug[a.Slug] = a
	}
	for _, pg := range pages {
		if err := st.CreatePage(ctx, &pg); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	p.Add(1)

	images := drawAll(stories, p)
	tagBySlug := map[string]article.Tag{}
	// Files load in name order, so a translation's file comes after its
	// original's and finds it here.
	loaded := map[string]article.Article{}
	for i, s := range stories {
		a := article.Article{
			Slug: s.Slug, Headline: s.Headline, Standfirst: s.Standfirst, Body: s.Body,
			Status: article.Published, Language: s.Language, LiveBlog: s.LiveBlog,
			PublishedAt: now.Add(-time.Duration(s.HoursAgo) * time.Hour).Truncate(time.Minute),
		}
		if s.UpdatedHoursAgo > 0 {
			a.UpdatedAt = now.Add(-time.Duration(s.UpdatedHoursAgo) * time.Hour).Truncate(time.Minute)
		}
		var ok bool
		if a.Section, ok = sectionBySlug[s.Section]; !ok {
			return fmt.Errorf("demo: %s: unknown section %q", s.File, s.Section)
		}
		// An edition is in one language; the main edition may carry a
		// story in another, in a section that says why.
		if ed := a.Section.Edition; ed != "" && s.Language != ed {
			return fmt.Errorf("demo: %s: a story in language %q in section %q of the %q edition", s.File, s.Language, s.Section, ed)
		}
		var err error
		if a.Body, err = withPictures(a.Body, loaded); err != nil {
			return fmt.Errorf("demo: %s: %w", s.File, err)
		}
		if s.TranslationOf != "" {
			orig, ok := loaded[s.TranslationOf]
			switch {
			case !ok:
				return fmt.Errorf("demo: %s: translation_of %q: no story with that slug in an earlier file", s.File, s.TranslationOf)
			case orig.Section.Edition == a.Section.Edition:
				return fmt.Errorf("demo: %s: translation_of %q: the original is in the same edition (%q); a translation belongs in another", s.File, s.TranslationOf, a.Section.Edition)
			}
			a.TranslationOf = orig.ID
		}
		for _, slug := range s.Authors {
			au, ok := authorBySlug[slug]
			if !ok {
				return fmt.Errorf("demo: %s: unknown author %q", s.File, slug)
			}
			a.Authors = append(a.Authors, au)
		}
		for _, slug := range s.Tags {
			t, ok := tagBySlug[slug]
			if !ok {
				t = article.Tag{Slug: slug, Name: tagName(slug)}
				if err := st.CreateTag(ctx, &t); err != nil {
					return fmt.Errorf("demo: %s: %w", s.File, err)
				}
				tagBySlug[slug] = t
			}
			a.Tags = append(a.Tags, t)
		}
		if img := images[i]; img.err != nil {
			return fmt.Errorf("demo: %s: drawing %s: %w", s.File, s.Image, img.err)
		} else if img.variants != nil {
			lead := article.Image{Alt: s.Alt, Caption: s.Caption, Credit: s.Credit, Width: 1200, Height: 675}
			if err := st.CreateImage(ctx, &lead, img.variants); err != nil {
				return fmt.Errorf("demo: %s: %w", s.File, err)
			}
			a.LeadImage = &lead
		}
		if err := st.CreateArticle(ctx, &a); err != nil {
			return fmt.Errorf("demo: %s: %w", s.File, err)
		}
		if s.LiveBlog {
			if err := postUpdates(ctx, st, &a, s, now, authorBySlug, loaded); err != nil {
				return err
			}
		}
		loaded[a.Slug] = a
		p.Add(1)
	}
	return nil
}

// pictureRef is a picture of an earlier story in a story's Markdown:
// ![alt](media:SLUG "credit") shows that story's lead image.
var pictureRef = regexp.MustCompile(`\]\(media:([a-z0-9-]+)`)

// withPictures puts the media library's address of each picture a body
// names in place of its name.
func withPictures(body string, loaded map[string]article.Article) (string, error) {
	var missing string
	body = pictureRef.ReplaceAllStringFunc(body, func(m string) string {
		slug := pictureRef.FindStringSubmatch(m)[1]
		a, ok := loaded[slug]
		if !ok || a.LeadImage == nil {
			missing = slug
			return m
		}
		return "](/media/" + strconv.FormatInt(a.LeadImage.ID, 10) + "/1200.jpg"
	})
	if missing != "" {
		return "", fmt.Errorf("a picture of %q: no story with that slug and a picture in an earlier file", missing)
	}
	return body, nil
}

// Steps is how many Add calls Load makes, for sizing a progress bar.
func Steps() int {
	stories, err := Stories()
	if err != nil {
		return 1
	}
	n := 1 + len(stories)
	for _, s := range stories {
		if s.Image != "" {
			n++
		}
	}
	return n
}

type nopProgress struct{}

func (nopProgress) Add(int) {}

type drawn struct {
	variants []article.Variant
	err      error
}

// drawAll renders every story's illustration at every width, spread over
// the machine's cores. A picture two stories share (a translation shows
// its original's) is drawn once.
func drawAll(stories []Story, p Progress) []drawn {
	out := make([]drawn, len(stories))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range jobs {
				s := stories[i]
				seed := s.imageSeed()
				for _, w := range imageWidths {
					h := w * 9 / 16
					b, err := EncodeJPEG(s.Image, seed, w, h)
					if err != nil {
						out[i].err = err
						break
					}
					out[i].variants = append(out[i].variants, article.Variant{Width: w, Height: h, ContentType: "image/jpeg", Bytes: b})
				}
				p.Add(1)
			}
		})
	}
	type picture struct {
		kind string
		seed int64
	}
	first := map[picture]int{}
	same := map[int]int{}
	for i, s := range stories {
		if s.Image == "" {
			continue
		}
		pic := picture{s.Image, s.imageSeed()}
		if j, ok := first[pic]; ok {
			same[i] = j
			continue
		}
		first[pic] = i
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for i, j := range same {
		out[i] = out[j]
		p.Add(1)
	}
	return out
}

func fnvHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// tagName makes a tag's name from its slug: "city-council" is "City
// council", "شورای-شهر" is "شورای شهر".
func tagName(slug string) string {
	name := strings.ReplaceAll(slug, "-", " ")
	r, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[n:]
}

// Story is one demo article as written in content/articles.
type Story struct {
	File            string
	Headline        string
	Slug            string
	Section         string
	Authors         []string
	Tags            []string
	Standfirst      string
	Image           string
	Alt             string
	Caption         string
	Credit          string
	HoursAgo        int
	UpdatedHoursAgo int
	Language        string
	// TranslationOf is the slug of the story this one translates, in an
	// earlier file and another edition; empty for none.
	TranslationOf string
	Body          string
	// LiveBlog is a live blog whose coverage is open (header "live:
	// open"), with Updates below its body.
	LiveBlog bool
	Updates  []StoryUpdate
}

// imageSeed seeds the story's illustration. A translation draws its
// original's picture, so that both editions show the same illustration.
func (s Story) imageSeed() int64 {
	if s.TranslationOf != "" {
		return int64(fnvHash(s.TranslationOf))
	}
	return int64(fnvHash(s.Slug))
}

// Stories parses every demo article, oldest file name first.
func Stories() ([]Story, error) {
	files, err := fs.Glob(contentFS, "content/articles/*.md")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Story
	for _, f := range files {
		head, body, err := readDoc(f)
		if err != nil {
			return nil, err
		}
		s := Story{File: path.Base(f), Body: body, Language: "en"}
		for k, v := range head {
			switch k {
			case "headline":
				s.Headline = v
			case "slug":
				s.Slug = v
			case "section":
				s.Section = v
			case "authors":
				s.Authors = splitList(v)
			case "tags":
				s.Tags = splitList(v)
			case "standfirst":
				s.Standfirst = v
			case "image":
				s.Image = v
			case "alt":
				s.Alt = v
			case "caption":
				s.Caption = v
			case "credit":
				s.Credit = v
			case "language":
				s.Language = v
			case "translation_of":
				s.TranslationOf = v
			case "live":
				if v != "open" {
					return nil, fmt.Errorf("demo: %s: live %q: a demo live blog is open", f, v)
				}
				s.LiveBlog = true
			case "hours_ago", "updated_hours_ago":
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("demo: %s: %s %q is not a number of hours", f, k, v)
				}
				if k == "hours_ago" {
					s.HoursAgo = n
				} else {
					s.UpdatedHoursAgo = n
				}
			default:
				return nil, fmt.Errorf("demo: %s: unknown header %q", f, k)
			}
		}
		if s.Headline == "" || s.Slug == "" || s.Section == "" || len(s.Authors) == 0 || s.HoursAgo == 0 {
			return nil, fmt.Errorf("demo: %s: headline, slug, section, authors and hours_ago are required", f)
		}
		if s.LiveBlog {
			if s.Body, s.Updates, err = splitUpdates(s.File, s.Body); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func pages() ([]article.Page, error) {
	files, err := fs.Glob(contentFS, "content/pages/*.md")
	if err != nil {
		return nil, err
	}
	var out []article.Page
	for _, f := range files {
		head, body, err := readDoc(f)
		if err != nil {
			return nil, err
		}
		out = append(out, article.Page{Slug: head["slug"], Title: head["title"], Body: body, Language: "en"})
	}
	return out, nil
}

// readDoc splits a "key: value" header from the Markdown after the first
// line that is exactly "---".
func readDoc(name string) (map[string]string, string, error) {
	b, err := fs.ReadFile(contentFS, name)
	if err != nil {
		return nil, "", err
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	header, body, ok := strings.Cut(text, "\n---\n")
	if !ok {
		return nil, "", fmt.Errorf("demo: %s: no --- line after the header", name)
	}
	head := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(header))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, "", fmt.Errorf("demo: %s: header line %q is not key: value", name, line)
		}
		head[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return head, strings.TrimSpace(body) + "\n", nil
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
