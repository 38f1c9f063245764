package demo

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/liveblog"
)

// Store is what the demo is written through: the content, and the updates
// of its live blog.
type Store interface {
	article.Store
	PostLiveUpdate(ctx context.Context, u *liveblog.Update) error
	SetCoverage(ctx context.Context, articleID int64, start, end time.Time) error
}

// StoryUpdate is one update of a demo live blog, as its story's file
// writes it: after a line "+++", headers (minutes_ago, authors, and
// headline, key_event: yes, pinned: yes when it has them), a blank line,
// then its Markdown.
type StoryUpdate struct {
	MinutesAgo int
	Authors    []string
	Headline   string
	KeyEvent   bool
	Pinned     bool
	Body       string
}

// splitUpdates cuts a live blog's file body into the article's own body
// and its updates.
func splitUpdates(file, body string) (string, []StoryUpdate, error) {
	parts := strings.Split(body, "\n+++\n")
	var ups []StoryUpdate
	for i, p := range parts[1:] {
		head, text, ok := strings.Cut(p, "\n\n")
		if !ok {
			return "", nil, fmt.Errorf("demo: %s: update %d has no blank line after its headers", file, i+1)
		}
		u := StoryUpdate{Body: strings.TrimSpace(text)}
		for _, line := range strings.Split(head, "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				return "", nil, fmt.Errorf("demo: %s: update %d: header line %q is not key: value", file, i+1, line)
			}
			switch k, v = strings.TrimSpace(k), strings.TrimSpace(v); k {
			case "minutes_ago":
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return "", nil, fmt.Errorf("demo: %s: update %d: minutes_ago %q is not a number of minutes", file, i+1, v)
				}
				u.MinutesAgo = n
			case "authors":
				u.Authors = splitList(v)
			case "headline":
				u.Headline = v
			case "key_event":
				u.KeyEvent = v == "yes"
			case "pinned":
				u.Pinned = v == "yes"
			default:
				return "", nil, fmt.Errorf("demo: %s: update %d: unknown header %q", file, i+1, k)
			}
		}
		ups = append(ups, u)
	}
	return strings.TrimSpace(parts[0]) + "\n", ups, nil
}

// postUpdates opens a's coverage at its publication and posts the
// updates of s, each at its time.
func postUpdates(ctx context.Context, st Store, a *article.Article, s Story, now time.Time, authorBySlug map[string]article.Author,
	loaded map[string]article.Article) error {
	if err := st.SetCoverage(ctx, a.ID, a.PublishedAt, time.Time{}); err != nil {
		return fmt.Errorf("demo: %s: %w", s.File, err)
	}
	for i, su := range s.Updates {
		body, err := withPictures(su.Body, loaded)
		if err != nil {
			return fmt.Errorf("demo: %s: update %d: %w", s.File, i+1, err)
		}
		u := liveblog.Update{ArticleID: a.ID, Headline: su.Headline, Body: body, KeyEvent: su.KeyEvent, Pinned: su.Pinned,
			CreatedAt: now.Add(-time.Duration(su.MinutesAgo) * time.Minute).Truncate(time.Second)}
		for _, slug := range su.Authors {
			au, ok := authorBySlug[slug]
			if !ok {
				return fmt.Errorf("demo: %s: update %d: unknown author %q", s.File, i+1, slug)
			}
			u.Authors = append(u.Authors, au)
		}
		if err := st.PostLiveUpdate(ctx, &u); err != nil {
			return fmt.Errorf("demo: %s: update %d: %w", s.File, i+1, err)
		}
	}
	return nil
}
