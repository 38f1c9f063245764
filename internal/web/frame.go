package web

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/article"
)

// frame keeps in memory what is around every page and changes rarely: the
// site's settings, sections, static pages and banner, and the Most read
// lists. A page rendered because its own content changed then asks the
// database only for that content. Writes drop what they touch (Invalidate
// hears of this process's writes and, through Follow, of every other's).
type frame struct {
	mu   sync.Mutex
	gen  uint64 // counts drops: a load begun before one is not kept
	site *siteFrame
	read map[time.Duration]mostReadCache
	// more holds each article's More Articles. They depend on articles
	// only, so they outlive the writes of comments — the commonest reason
	// a page is rendered again; a list worked out again drops its own, and
	// any other write drops them all.
	more map[int64][]article.Article
}

// moreKept bounds the More Articles lists held: past it they all go. A
// list of six articles with their bylines and tags is about 4.6 KB, so
// 1,000 lists — more than the articles readers comment on at once — hold
// under 5 MB; 10,000 could hold 46 MB of a big site's memory under load
// (docs/performance.md).
const moreKept = 1_000

type siteFrame struct {
	site     article.Site
	sections []article.Section
	pages    []article.Page
	banner   article.Banner
}

type mostReadCache struct {
	list    []article.Article
	expires time.Time
}

// mostReadFresh is how long a Most read list is kept: views move it all
// the time, and no reader can tell a list a minute old.
const mostReadFresh = time.Minute

// drop forgets what keys touch: KeySite is the whole frame; an article in
// a Most read list drops the lists.
func (f *frame) drop(keys []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.more != nil && !onlyComments(keys) {
		f.gen++
		if ids, ok := relatedOnly(keys); ok {
			for _, id := range ids {
				delete(f.more, id)
			}
		} else {
			f.more = nil
		}
	}
	for _, k := range keys {
		if k == article.KeySite {
			f.gen++
			f.site, f.read = nil, nil
			return
		}
	}
	for p, c := range f.read {
		for _, a := range c.list {
			if slices.Contains(keys, article.KeyArticle(a.ID)) {
				f.gen++
				delete(f.read, p)
				break
			}
		}
	}
}

// siteFrame returns the site's frame, loading it when it is not held.
func (s *Server) siteFrame(ctx context.Context) (*siteFrame, error) {
	f := &s.frame
	f.mu.Lock()
	sf, gen := f.site, f.gen
	f.mu.Unlock()
	if sf != nil {
		return sf, nil
	}
	sf = &siteFrame{}
	var err error
	if sf.site, err = s.store.Site(ctx); err != nil {
		return nil, err
	}
	if sf.sections, err = s.store.Sections(ctx); err != nil {
		return nil, err
	}
	if sf.pages, err = s.store.Pages(ctx); err != nil {
		return nil, err
	}
	if sf.banner, err = s.store.Banner(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	if f.gen == gen {
		f.site = sf
	}
	f.mu.Unlock()
	return sf, nil
}

// mostReadSince returns the Most read list of the last d, from memory
// while it is fresh.
func (s *Server) mostReadSince(ctx context.Context, d time.Duration) ([]article.Article, error) {
	f := &s.frame
	now := s.now()
	f.mu.Lock()
	c, ok := f.read[d]
	gen := f.gen
	f.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.list, nil
	}
	limit := mostReadSize
	if sf, err := s.siteFrame(ctx); err != nil {
		return nil, err
	} else if len(sf.site.Editions) > 0 {
		limit = mostReadKept // each edition picks its own among them
	}
	list, err := s.store.MostRead(ctx, now.Add(-d), limit)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	if f.gen == gen {
		if f.read == nil {
			f.read = map[time.Duration]mostReadCache{}
		}
		f.read[d] = mostReadCache{list: list, expires: now.Add(mostReadFresh)}
	}
	f.mu.Unlock()
	return list, nil
}

// onlyComments reports whether keys are those a comment's write touches:
// its article's page and the article's comments.
func onlyComments(keys []string) bool {
	for _, k := range keys {
		if !strings.HasPrefix(k, "comments:") && !strings.HasPrefix(k, "article:") {
			return false
		}
	}
	return true
}

// relatedOnly returns the articles whose More Articles keys name, when
// they name nothing else.
func relatedOnly(keys []string) ([]int64, bool) {
	var ids []int64
	for _, k := range keys {
		n, ok := strings.CutPrefix(k, "related:")
		id, err := strconv.ParseInt(n, 10, 64)
		if !ok || err != nil {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// moreArticles returns an article's More Articles, from memory when they
// are held.
func (s *Server) moreArticles(ctx context.Context, id int64) ([]article.Article, error) {
	f := &s.frame
	f.mu.Lock()
	list, ok := f.more[id]
	gen := f.gen
	f.mu.Unlock()
	if ok {
		return list, nil
	}
	list, err := s.store.RelatedArticles(ctx, id, moreArticles)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	if f.gen == gen {
		if f.more == nil || len(f.more) >= moreKept {
			f.more = map[int64][]article.Article{}
		}
		f.more[id] = list
	}
	f.mu.Unlock()
	return list, nil
}
