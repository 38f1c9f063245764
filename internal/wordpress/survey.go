package wordpress

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
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

// Survey reads a whole export and says what importing it would do, without
// writing anything: the first pass of an import, and all of a dry run.
// Attachments are counted as found (their files are looked for under the
// uploads directory on import); images in posts that name no attachment of
// the export are noted. loc is the old site's time zone, for drafts' dates.
func Survey(r io.Reader, loc *time.Location) (*Summary, error) {
	s := &Summary{Articles: map[article.Status]int{}, Comments: map[comment.Status]int{}, LeftOut: map[string]int{}, Notes: map[string]int{}}
	rd := NewReader(r)
	x, err := rd.Header()
	if err != nil {
		return nil, err
	}
	s.Title, s.Version = x.Title, x.Version
	s.Sections, s.Tags, s.Authors = len(x.Categories), len(x.Tags), len(x.Authors)
	parents := map[string]string{}
	for _, c := range x.Categories {
		parents[c.Slug] = c.Parent
	}
	for _, c := range x.Categories {
		s.OldAddresses += len(CategoryPaths(c, ancestors(parents, c.Slug)))
	}
	for _, t := range x.Tags {
		s.OldAddresses += len(TagPaths(t))
	}
	for _, a := range x.Authors {
		s.OldAddresses += len(AuthorPaths(a))
	}

	// Items come in any order (attachments before the posts that use
	// them): the content is converted once every attachment is known.
	media := map[string]int64{} // attachment address → id
	ids := map[int64]bool{}
	var posts []*Item
	for {
		it, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var ie *ItemError
		if errors.As(err, &ie) {
			s.Problems = append(s.Problems, Problem{Line: ie.Line, ID: ie.ID, What: ie.Err.Error()})
			continue
		}
		if err != nil {
			return s, err
		}
		switch it.Type {
		case "attachment":
			s.Attachments++
			ids[it.ID] = true
			if it.AttachmentURL != "" {
				media[it.AttachmentURL] = it.ID
			}
			s.OldAddresses += len(ItemPaths(x, it))
		case "post", "page":
			posts = append(posts, it)
		default:
			s.LeftOut[it.Type+" items"]++
		}
	}
	s.Dropped = rd.Dropped
	find := func(src string, id int64) (string, string, bool) {
		if id != 0 && ids[id] {
			return "/media/" + strconv.FormatInt(id, 10), "", true
		}
		if id, ok := media[src]; ok {
			return "/media/" + strconv.FormatInt(id, 10), "", true
		}
		return "", "", false
	}
	for _, it := range posts {
		s.post(x, it, loc, find)
	}
	slices.SortFunc(s.Problems, func(a, b Problem) int { return a.Line - b.Line })
	return s, nil
}

// post counts what one post or page becomes.
func (s *Summary) post(x *Export, it *Item, loc *time.Location, media Media) {
	st, _, ok := ArticleStatus(it.Status)
	if !ok {
		s.LeftOut[it.Status+" "+it.Type+"s"]++
		return
	}
	if _, ok := PostTime(it, loc); !ok && st != article.Draft {
		s.Problems = append(s.Problems, Problem{Line: it.Line, ID: it.ID, What: "no date it was published"})
		return
	}
	if it.Type == "page" {
		s.Pages++
	} else {
		_, _, more, hasSection := Sections(it)
		if !hasSection {
			s.Problems = append(s.Problems, Problem{Line: it.Line, ID: it.ID, What: "no category: it goes into the first section"})
		}
		s.ExtraSections += more
		s.Articles[st]++
	}
	if thumb, ok := it.MetaValue("_thumbnail_id"); ok {
		if id, _ := strconv.ParseInt(thumb, 10, 64); id != 0 {
			if _, _, found := media(thumb, id); !found {
				s.Problems = append(s.Problems, Problem{Line: it.Line, ID: it.ID, What: "its featured image " + thumb + " is not in the export"})
			}
		}
	}
	s.OldAddresses += len(ItemPaths(x, it))
	_, notes := Convert(it.Content, media)
	for _, n := range notes {
		s.Notes[n]++
	}
	for i := range it.Comments {
		c := &it.Comments[i]
		if IsPingback(c) {
			s.Pingbacks++
			continue
		}
		cs, ok := CommentStatus(c.Approved)
		if !ok {
			s.LeftOut[c.Approved+" comments"]++
			continue
		}
		s.Comments[cs]++
	}
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
