// Package related finds an article's More Articles by what they say: each
// published article is a TF-IDF vector of its language-normalised, stemmed
// terms (headline and tags weigh most), similar articles are those with
// the highest cosine similarity, and the ranking blends similarity with
// closeness in time and a boost for the same section. It computes; the
// store keeps the vectors and finds candidates.
package related

import (
	"math"
	"regexp"
	"slices"
	"time"

	"broadsheet/internal/search"
)

// Doc is the text of an article that its vector is made from.
type Doc struct {
	Lang                       string
	Headline, Standfirst, Body string
	Tags                       []string
}

// Field weights: a word in the headline or a tag says more about the
// article than one in the tenth paragraph.
const (
	headlineWeight   = 3
	tagWeight        = 3
	standfirstWeight = 2
	bodyWeight       = 1
)

// MaxTerms is how many of an article's strongest terms are kept.
const MaxTerms = 64

// QueryTerms is how many of an article's strongest terms look for
// candidates.
const QueryTerms = 16

var (
	// markdownMarks are dropped where they stand: "*word*'s" reads "word's".
	markdownMarks = regexp.MustCompile(`\]\([^)]*\)|[\[*_` + "`" + `]`)
	// markdownBreaks separate words: bare URLs, headings, quotes, tables.
	markdownBreaks = regexp.MustCompile(`https?://\S+|[#>|]`)
)

// PlainText drops what in a Markdown body is not prose (link targets,
// bare URLs, emphasis marks) before its words are counted or indexed.
func PlainText(body string) string {
	return markdownBreaks.ReplaceAllString(markdownMarks.ReplaceAllString(body, ""), " ")
}

// Frequencies counts a document's terms, fields weighted.
func Frequencies(d Doc) map[string]float64 {
	tf := map[string]float64{}
	add := func(text string, w float64) {
		for _, t := range search.Terms(d.Lang, text) {
			tf[t] += w
		}
	}
	add(d.Headline, headlineWeight)
	add(d.Standfirst, standfirstWeight)
	add(PlainText(d.Body), bodyWeight)
	for _, tag := range d.Tags {
		add(tag, tagWeight)
	}
	return tf
}

// Term is one weighted term of a vector.
type Term struct {
	Word   string
	Weight float64
}

// Weigh turns term frequencies into a unit-length TF-IDF vector of the
// MaxTerms strongest terms. df is how many indexed articles hold a term
// (this one included), n how many there are.
func Weigh(tf map[string]float64, df func(term string) int, n int) []Term {
	out := make([]Term, 0, len(tf))
	for t, f := range tf {
		idf := math.Log(1 + float64(n)/float64(max(1, df(t))))
		out = append(out, Term{t, (1 + math.Log(f)) * idf})
	}
	slices.SortFunc(out, func(a, b Term) int {
		if a.Weight != b.Weight {
			if a.Weight > b.Weight {
				return -1
			}
			return 1
		}
		if a.Word < b.Word {
			return -1
		}
		return 1
	})
	out = out[:min(len(out), MaxTerms)]
	var norm float64
	for _, t := range out {
		norm += t.Weight * t.Weight
	}
	norm = math.Sqrt(norm)
	for i := range out {
		if norm > 0 {
			out[i].Weight /= norm
		}
	}
	return out
}

// Candidate is an article that shares terms with the source.
type Candidate struct {
	ID          int64
	Similarity  float64 // cosine similarity with the source
	SectionID   int64
	PublishedAt time.Time
}

// Ranking weights.
const (
	sectionBoost = 0.15                // the same section counts 15% more
	recencyShare = 0.3                 // how much of the score distance in time can take away
	recencyScale = 45 * 24 * time.Hour // articles this far apart keep about 37% of that share
	// MinSimilarity is the least similarity that counts as related: below
	// it, articles share only common words.
	MinSimilarity = 0.02
)

// Score blends a candidate's similarity with the source's section and
// publication time.
func Score(c Candidate, sectionID int64, published time.Time) float64 {
	s := c.Similarity
	if c.SectionID == sectionID {
		s *= 1 + sectionBoost
	}
	gap := c.PublishedAt.Sub(published)
	if gap < 0 {
		gap = -gap
	}
	closeness := math.Exp(-float64(gap) / float64(recencyScale))
	return s * (1 - recencyShare + recencyShare*closeness)
}

// Rank orders candidates best first and returns at most limit ids of
// those similar enough.
func Rank(cands []Candidate, sectionID int64, published time.Time, limit int) []int64 {
	type scored struct {
		id    int64
		score float64
	}
	var list []scored
	for _, c := range cands {
		if c.Similarity >= MinSimilarity {
			list = append(list, scored{c.ID, Score(c, sectionID, published)})
		}
	}
	slices.SortFunc(list, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		case a.id > b.id:
			return -1
		case a.id < b.id:
			return 1
		}
		return 0
	})
	ids := make([]int64, 0, min(limit, len(list)))
	for _, s := range list[:min(limit, len(list))] {
		ids = append(ids, s.id)
	}
	return ids
}
