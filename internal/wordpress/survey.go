package wordpress

import (
	"fmt"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/redirect"
)

// Summary says what an export holds for the site: what comes across, what
// is left out and why, and every item that could not be read.
type Summary struct {
	Title, Version string
	Articles       map[article.Status]int // posts, by the status they take
	Pages          int
	Attachments    int
	Sections       int // categories
	Tags           int
	Authors        int
	Comments       map[comment.Status]int
	Pingbacks      int            // pingbacks and trackbacks, left out
	LeftOut        map[string]int // items and comments not imported, by why
	ExtraSections  int            // posts' categories after the first, which become tags
	OldAddresses   int            // the redirects the old addresses make
	Notes          map[string]int // what content could not be carried over exactly, by kind
	Problems       []Problem
	Dropped        int // characters XML does not allow

	// What an import wrote, by kind (articles, pages, comments, images,
	// sections, tags, authors, accounts), and what it found written by an
	// earlier one; a survey writes nothing.
	Written, Before map[string]int
	Redirects       redirect.PutResult
}

// Problem is an item that could not be read or cannot come across.
type Problem struct {
	Line int
	ID   int64
	What string
}

func (p Problem) String() string {
	if p.ID != 0 {
		return fmt.Sprintf("item %d (line %d): %s", p.ID, p.Line, p.What)
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.What)
}

// ancestors are the slugs above a category, outermost first; a loop in
// the export ends the climb.
func ancestors(parents map[string]string, slug string) []string {
	var out []string
	seen := map[string]bool{slug: true}
	for p := parents[slug]; p != "" && !seen[p]; p = parents[p] {
		seen[p] = true
		out = append([]string{p}, out...)
	}
	return out
}
