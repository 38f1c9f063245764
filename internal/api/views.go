package api

import (
	"strconv"
	"time"

	"broadsheet/internal/article"
)

// The JSON shapes of the content model. Times are RFC 3339 in UTC; a time
// that is not set is null.

type sectionJSON struct {
	ID          int64  `json:"id"`
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Position    int    `json:"position"`
	// Edition is the edition the section is in: "" for the main one,
	// otherwise its language code.
	Edition string `json:"edition"`
	URL     string `json:"url"`
}

type tagJSON struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

type authorJSON struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	Role string `json:"role"`
	Bio  string `json:"bio"`
	URL  string `json:"url"`
}

type imageJSON struct {
	ID       int64         `json:"id"`
	Alt      string        `json:"alt"`
	Caption  string        `json:"caption"`
	Credit   string        `json:"credit"`
	Width    int           `json:"width"`
	Height   int           `json:"height"`
	Variants []variantJSON `json:"variants"`
}

type variantJSON struct {
	Width int    `json:"width"`
	URL   string `json:"url"`
}

type noteJSON struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// articleJSON is an article as readers may see it. Listings leave out the
// fields marked omitzero; a single article has them all.
type articleJSON struct {
	ID         int64        `json:"id"`
	Slug       string       `json:"slug"`
	URL        string       `json:"url"`
	Headline   string       `json:"headline"`
	Standfirst string       `json:"standfirst"`
	Section    sectionJSON  `json:"section"`
	Authors    []authorJSON `json:"authors"`
	Tags       []tagJSON    `json:"tags,omitzero"`
	LeadImage  *imageJSON   `json:"lead_image"`
	Language   string       `json:"language"`
	// TranslationOf is the id of the article this one translates, 0 for
	// none: the original of its group.
	TranslationOf int64 `json:"translation_of"`
	// CommentsClosed says whether readers may still comment.
	CommentsClosed bool `json:"comments_closed"`
	// LiveBlog says the story is told as a live blog: its updates are
	// listed at /api/v1/live-blogs/{id}/updates.
	LiveBlog      bool       `json:"live_blog"`
	CoverageStart *time.Time `json:"coverage_start" doc:"when a live blog's coverage opened; null until it does"`
	CoverageEnd   *time.Time `json:"coverage_end" doc:"when a live blog's coverage closed; null while it is open"`
	PublishedAt   *time.Time `json:"published_at"`
	UpdatedAt     *time.Time `json:"updated_at"`
	Body          *string    `json:"body,omitempty"`      // Markdown
	BodyHTML      *string    `json:"body_html,omitempty"` // rendered and sanitised, Content API only
	ReadingTime   int        `json:"reading_time_minutes,omitempty"`
	Notes         []noteJSON `json:"notes,omitzero"` // corrections and updates, oldest first
}

// adminArticleJSON adds the workflow. For a scheduled article published_at
// is when it will appear.
type adminArticleJSON struct {
	articleJSON
	Status      article.Status `json:"status"`
	Version     int            `json:"version"`
	CreatedBy   int64          `json:"created_by"`
	SubmittedAt *time.Time     `json:"submitted_at"`
	ModifiedAt  *time.Time     `json:"modified_at"`
	ReplacedBy  int64          `json:"replaced_by,omitempty"`
}

func timeOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC().Truncate(time.Second)
	return &u
}

func (h *handler) sectionJSON(s *article.Section) sectionJSON {
	return sectionJSON{ID: s.ID, Slug: s.Slug, Name: s.Name, Description: s.Description, Position: s.Position, Edition: s.Edition, URL: h.baseURL + s.Path()}
}

func (h *handler) tagJSON(t *article.Tag) tagJSON {
	return tagJSON{ID: t.ID, Slug: t.Slug, Name: t.Name, URL: h.baseURL + "/tag/" + t.Slug}
}

func (h *handler) authorJSON(a *article.Author) authorJSON {
	return authorJSON{ID: a.ID, Slug: a.Slug, Name: a.Name, Role: a.Role, Bio: a.Bio, URL: h.baseURL + "/author/" + a.Slug}
}

// articleURL is the article's canonical address on the site.
func (h *handler) articleURL(a *article.Article) string {
	return h.baseURL + a.Path()
}

// article is the reader's view. full adds what only a single article
// carries: the body, its tags and its notes.
func (h *handler) article(a *article.Article, full bool) articleJSON {
	j := articleJSON{
		ID: a.ID, Slug: a.Slug, URL: h.articleURL(a), Headline: a.Headline, Standfirst: a.Standfirst,
		Section: h.sectionJSON(&a.Section), Authors: make([]authorJSON, 0, len(a.Authors)),
		Language: a.Language, PublishedAt: timeOrNull(a.PublishedAt), CommentsClosed: a.CommentsClosed, TranslationOf: a.TranslationOf,
		LiveBlog: a.LiveBlog, CoverageStart: timeOrNull(a.CoverageStart), CoverageEnd: timeOrNull(a.CoverageEnd),
	}
	for i := range a.Authors {
		j.Authors = append(j.Authors, h.authorJSON(&a.Authors[i]))
	}
	if a.Updated() {
		j.UpdatedAt = timeOrNull(a.UpdatedAt)
	}
	if img := a.LeadImage; img != nil {
		j.LeadImage = &imageJSON{ID: img.ID, Alt: img.Alt, Caption: img.Caption, Credit: img.Credit,
			Width: img.Width, Height: img.Height, Variants: make([]variantJSON, 0, len(img.Variants))}
		for _, w := range img.Variants {
			u := h.baseURL + "/media/" + strconv.FormatInt(img.ID, 10) + "/" + strconv.Itoa(w) + ".jpg"
			j.LeadImage.Variants = append(j.LeadImage.Variants, variantJSON{Width: w, URL: u})
		}
	}
	if full {
		body := a.Body
		j.Body = &body
		j.ReadingTime = article.ReadingTime(a.Body)
		j.Tags = make([]tagJSON, 0, len(a.Tags))
		for i := range a.Tags {
			j.Tags = append(j.Tags, h.tagJSON(&a.Tags[i]))
		}
		j.Notes = make([]noteJSON, 0, len(a.Notes))
		for _, n := range a.Notes {
			j.Notes = append(j.Notes, noteView(&n))
		}
	}
	return j
}

// adminArticle is the newsroom's view of a whole article.
func (h *handler) adminArticle(a *article.Article) *adminArticleJSON {
	return h.adminArticleView(a, true)
}

func (h *handler) adminArticleView(a *article.Article, full bool) *adminArticleJSON {
	return &adminArticleJSON{
		articleJSON: h.article(a, full),
		Status:      a.Status, Version: a.Version, CreatedBy: a.CreatedBy,
		SubmittedAt: timeOrNull(a.SubmittedAt), ModifiedAt: timeOrNull(a.ModifiedAt), ReplacedBy: a.ReplacedBy,
	}
}

func noteView(n *article.Note) noteJSON {
	return noteJSON{ID: n.ID, Kind: string(n.Kind), Body: n.Body, CreatedAt: n.CreatedAt.UTC()}
}
