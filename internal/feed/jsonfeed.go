package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// JSONFeedVersion is the version URL every JSON Feed written here carries.
const JSONFeedVersion = "https://jsonfeed.org/version/1.1"

type jsonFeed struct {
	Version     string     `json:"version"`
	Title       string     `json:"title"`
	HomePageURL string     `json:"home_page_url,omitempty"`
	FeedURL     string     `json:"feed_url,omitempty"`
	Description string     `json:"description,omitempty"`
	Icon        string     `json:"icon,omitempty"`
	Language    string     `json:"language,omitempty"`
	Items       []jsonItem `json:"items"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url,omitempty"`
	Title         string       `json:"title,omitempty"`
	ContentHTML   string       `json:"content_html,omitempty"`
	ContentText   string       `json:"content_text,omitempty"`
	Summary       string       `json:"summary,omitempty"`
	Image         string       `json:"image,omitempty"`
	DatePublished string       `json:"date_published,omitempty"`
	DateModified  string       `json:"date_modified,omitempty"`
	Authors       []jsonAuthor `json:"authors,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
}

type jsonAuthor struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
}

// JSONFeed writes f as a JSON Feed 1.1. The spec wants content_html or
// content_text in every item, so an item without full text carries its
// summary as content_text as well.
func JSONFeed(w io.Writer, f Feed) error {
	f = cleaned(f)
	doc := jsonFeed{
		Version:     JSONFeedVersion,
		Title:       f.Title,
		HomePageURL: f.Link,
		FeedURL:     f.Self,
		Description: f.Description,
		Icon:        f.Icon,
		Language:    f.Language,
		Items:       make([]jsonItem, 0, len(f.Items)),
	}
	for _, it := range f.Items {
		ji := jsonItem{
			ID:            itemID(it),
			URL:           it.Link,
			Title:         it.Title,
			ContentHTML:   it.ContentHTML,
			Summary:       it.Summary,
			Image:         it.Image,
			DatePublished: rfc3339(it.Published),
			DateModified:  rfc3339(it.Updated),
			Tags:          it.Categories,
		}
		if ji.ContentHTML == "" {
			ji.ContentText = it.Summary
		}
		for _, p := range it.Authors {
			ji.Authors = append(ji.Authors, jsonAuthor(p))
		}
		doc.Items = append(doc.Items, ji)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the HTML is a string value; \u003c only hurts reading it
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("feed: json feed: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("feed: json feed: %w", err)
	}
	return nil
}
