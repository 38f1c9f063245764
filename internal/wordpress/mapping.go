package wordpress

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
)

// What a WordPress item, term or comment becomes on the site: the rules an
// import follows, apart from any storage.

// ArticleStatus is what a post's status becomes: published and scheduled
// posts keep theirs; drafts, posts pending review and private posts become
// drafts (note says so for private ones, which readers of the old site
// could not see); trashed posts, auto-drafts and revisions are not
// imported (ok false).
func ArticleStatus(wpStatus string) (st article.Status, note string, ok bool) {
	switch wpStatus {
	case "publish":
		return article.Published, "", true
	case "future":
		return article.Scheduled, "", true
	case "draft", "pending":
		return article.Draft, "", true
	case "private":
		return article.Draft, "a private post becomes a draft", true
	}
	return "", "", false
}

// zeroDate is how WordPress writes a date a post does not have yet.
const zeroDate = "0000-00-00 00:00:00"

// wpTime is the layout of WordPress's dates.
const wpTime = "2006-01-02 15:04:05"

// PostTime is when an item was (or is to be) published: its GMT date;
// for a draft, which has none, its local date read in loc (the export
// does not name the site's time zone); failing both, its RSS pubDate. ok
// is false when the item has no date at all.
func PostTime(it *Item, loc *time.Location) (time.Time, bool) {
	if s := strings.TrimSpace(it.DateGMT); s != "" && s != zeroDate {
		if t, err := time.ParseInLocation(wpTime, s, time.UTC); err == nil {
			return t, true
		}
	}
	if s := strings.TrimSpace(it.Date); s != "" && s != zeroDate {
		if t, err := time.ParseInLocation(wpTime, s, loc); err == nil {
			return t.UTC(), true
		}
	}
	if s := strings.TrimSpace(it.PubDate); s != "" {
		for _, layout := range []string{time.RFC1123Z, time.RFC1123} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// Slug is the item's slug for the site: WordPress's percent-encoded slug
// decoded (Persian and Arabic slugs are stored that way), without the
// suffix WordPress gives a trashed post, or made from the title when the
// item has none (drafts).
func Slug(it *Item) string {
	s := strings.TrimSuffix(strings.TrimSpace(it.Name), "__trashed")
	if d, err := url.PathUnescape(s); err == nil {
		s = d
	}
	if s = article.Slugify(s); s != "" {
		return s
	}
	if s = article.Slugify(it.Title); s != "" {
		return s
	}
	return "post-" + strconv.FormatInt(it.ID, 10)
}

// CommentStatus is what a comment's approval becomes; trashed comments,
// and those of trashed posts, are not imported (ok false).
func CommentStatus(approved string) (st comment.Status, ok bool) {
	switch approved {
	case "1", "approve", "approved":
		return comment.Approved, true
	case "0", "hold":
		return comment.Pending, true
	case "spam":
		return comment.Spam, true
	}
	return "", false
}

// IsPingback reports whether a comment is a pingback or trackback, which
// an import counts and leaves out.
func IsPingback(c *Comment) bool { return c.Type == "pingback" || c.Type == "trackback" }

// sitePath is the path of a link on the old site relative to its base
// (a WordPress in a subdirectory has its base there), or "" when the link
// is on another site.
func sitePath(base, link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if u.Host != "" {
		b, err := url.Parse(strings.TrimSpace(base))
		if err != nil || !strings.EqualFold(strings.TrimPrefix(b.Host, "www."), strings.TrimPrefix(u.Host, "www.")) {
			return ""
		}
		u.Path = "/" + strings.TrimPrefix(strings.TrimPrefix(u.Path, strings.TrimSuffix(b.Path, "/")), "/")
	}
	if u.Path == "" {
		u.Path = "/"
	}
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// ItemPaths are the old site's addresses of an item, which redirect to
// its new one: its permalink, its ?p= (or ?page_id=) form, the feed of
// its comments and their AMP forms. The redirects' own keys (package
// redirect) fold the trailing slash, the query's order and the query
// parameters that name no content (?amp=1 is ?p='s own).
func ItemPaths(x *Export, it *Item) []string {
	var out []string
	add := func(p string) {
		if p != "" {
			out = append(out, p)
		}
	}
	base := x.BaseBlogURL
	if base == "" {
		base = x.Link
	}
	link := sitePath(base, it.Link)
	add(link)
	if link != "" && !strings.Contains(link, "?") {
		dir := strings.TrimSuffix(link, "/")
		add(dir + "/feed/")
		add(dir + "/amp/")
	}
	id := strconv.FormatInt(it.ID, 10)
	switch it.Type {
	case "page":
		add("/?page_id=" + id)
	case "attachment":
		add("/?attachment_id=" + id)
	default:
		add("/?p=" + id)
		add("/?p=" + id + "&feed=rss2")
	}
	if g := sitePath(base, it.GUID); g != "" && g != link && !strings.HasPrefix(g, "/?") {
		add(g) // the permalink at first save, when the slug has changed since
	}
	return dedupe(out)
}

// CategoryPaths are the old addresses of a category: its archive under
// its parents' slugs (/category/world/europe/), its ?cat= form and their
// feeds. parents are the slugs above it, outermost first.
func CategoryPaths(c Category, parents []string) []string {
	segs := append(append([]string{}, parents...), c.Slug)
	p := "/category/" + path.Join(segs...) + "/"
	return dedupe([]string{p, p + "feed/", "/category/" + c.Slug + "/", fmt.Sprintf("/?cat=%d", c.ID), fmt.Sprintf("/?cat=%d&feed=rss2", c.ID)})
}

// TagPaths are the old addresses of a tag and its feed.
func TagPaths(t Tag) []string {
	p := "/tag/" + t.Slug + "/"
	return dedupe([]string{p, p + "feed/", "/?tag=" + t.Slug})
}

// AuthorPaths are the old addresses of an author's archive and feed.
func AuthorPaths(a Author) []string {
	p := "/author/" + url.PathEscape(a.Login) + "/"
	return dedupe([]string{p, p + "feed/", fmt.Sprintf("/?author=%d", a.ID)})
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	out := list[:0]
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Sections chooses an item's section and tags from its categories and
// tags: the first category is the section; further categories become
// tags (more says how many, for the summary), as do its tags.
func Sections(it *Item) (section ItemTerm, tags []ItemTerm, more int, ok bool) {
	for _, t := range it.Terms {
		switch t.Domain {
		case "category":
			if !ok {
				section, ok = t, true
				continue
			}
			more++
			tags = append(tags, t)
		case "post_tag":
			tags = append(tags, t)
		}
	}
	return section, tags, more, ok
}
