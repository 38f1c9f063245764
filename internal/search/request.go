package search

import (
	"context"
	"time"

	"broadsheet/internal/article"
)

// Request is a reader's search: the words, and optional filters.
type Request struct {
	Text      string
	Lang      string // the language to read Text in: the site's
	SectionID int64
	AuthorID  int64
	From, To  time.Time // published on or after From, before To; zero for open
	Offset    int
	Limit     int
}

// Results is one page of hits, best first.
type Results struct {
	Articles []article.Article
	Total    int      // hits in all, at most MaxHits
	Terms    []string // the terms searched for, to highlight
}

// MaxHits bounds how many hits a search ranks; pages go no further.
const MaxHits = 500

// Searcher is what an engine offers.
type Searcher interface {
	Search(ctx context.Context, r Request) (Results, error)
}
