package search

import (
	"context"
	"time"

	"broadsheet/internal/article"
)

// Request is a reader's search: the words, and optional filters.
type Request struct {
	// Text is read under every language's rules (QueryForms): not the
	// site's alone, since articles in other languages are indexed by
	// theirs.
	Text      string
	SectionID int64
	// Sections, when not empty, limits the search to articles in any of
	// them: an edition's sections, for a search of one edition.
	Sections []int64
	AuthorID int64
	From, To time.Time // published on or after From, before To; zero for open
	Offset   int
	Limit    int
	// Newest bounds how many matches a search ranks (the newest); zero
	// means Window.
	Newest int
}

// Ranks is how many of the newest matches r ranks.
func (r Request) Ranks() int {
	if r.Newest > 0 {
		return r.Newest
	}
	return Window
}

// Results is one page of hits, best first.
type Results struct {
	Articles []article.Article
	Total    int      // hits in all, at most MaxHits
	Terms    []string // the terms searched for, to highlight
	// Window is set when more articles match than a search ranks: only
	// the newest were ranked, and Before is when the oldest of those was
	// published.
	Window bool
	Before time.Time
}

// MaxHits bounds how many hits a search returns; pages go no further.
const MaxHits = 500

// Window bounds how many matching articles a search ranks: the newest of
// them. A word found in most of an archive would otherwise be scored in
// every article holding it, which takes tens of milliseconds at 100,000
// articles; readers of news want the recent ones first, and go further
// back by date.
const Window = 500

// Searcher is what an engine offers.
type Searcher interface {
	Search(ctx context.Context, r Request) (Results, error)
}
