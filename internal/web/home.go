package web

import (
	"net/http"

	"broadsheet/internal/article"
)

// homeView is the front page: a lead story, the latest articles, and a
// block per section of what the first two did not already show.
type homeView struct {
	Lead      *article.Article
	Secondary []article.Article // pictured stories under the lead
	Latest    []article.Article
	Sections  []sectionBlock
	MostRead  []mostReadList
}

type sectionBlock struct {
	Section  article.Section
	Articles []article.Article
}

const (
	homeSecondary  = 2
	homeLatest     = 8
	homePerSection = 4
)

// GET /{$}
func (s *Server) home(r *http.Request) (*response, error) {
	ctx := r.Context()
	v, err := s.newView(ctx)
	if err != nil {
		return nil, err
	}
	latest, err := s.store.Articles(ctx, article.Query{Limit: homeLatest + homeSecondary + 1, OneEdition: true, Edition: v.Edition.Code()})
	if err != nil {
		return nil, err
	}
	hv := homeView{}
	shown := map[int64]bool{}
	if list := latest.Articles; len(list) > 0 {
		// The lead is the newest story with a picture among the first few,
		// so the top of the page is not a bare headline when it need not be.
		lead := 0
		for i := range min(4, len(list)) {
			if list[i].LeadImage != nil {
				lead = i
				break
			}
		}
		hv.Lead = &list[lead]
		shown[list[lead].ID] = true
		// Under the lead, the next stories with pictures; the rest in order.
		for i := range list {
			if i != lead && list[i].LeadImage != nil && len(hv.Secondary) < homeSecondary {
				hv.Secondary = append(hv.Secondary, list[i])
				shown[list[i].ID] = true
			}
		}
		for i := range list {
			if !shown[list[i].ID] && len(hv.Latest) < homeLatest {
				hv.Latest = append(hv.Latest, list[i])
				shown[list[i].ID] = true
			}
		}
	}
	keys := []string{article.KeyAllArticles}
	for _, sec := range v.Sections {
		keys = append(keys, article.KeySectionList(sec.ID))
		list, err := s.store.Articles(ctx, article.Query{SectionID: sec.ID, Limit: homePerSection + homeLatest + 1})
		if err != nil {
			return nil, err
		}
		block := sectionBlock{Section: sec}
		for _, a := range list.Articles {
			if !shown[a.ID] && len(block.Articles) < homePerSection {
				block.Articles = append(block.Articles, a)
			}
		}
		if len(block.Articles) > 0 {
			hv.Sections = append(hv.Sections, block)
		}
	}
	if hv.MostRead, err = s.mostRead(ctx, v); err != nil {
		return nil, err
	}
	v.Description = v.Site.Tagline
	v.Canonical = s.abs(v.Under("/"))
	s.editionAlternates(v, "/")
	s.homeMeta(v)
	v.Feeds = feedLinks(v.Site.Title, v.Under("/feed"))
	v.Current = "/"
	v.Data = hv
	lists := [][]article.Article{hv.Secondary, hv.Latest}
	if hv.Lead != nil {
		lists = append(lists, []article.Article{*hv.Lead})
	}
	for _, b := range hv.Sections {
		lists = append(lists, b.Articles)
	}
	for _, m := range hv.MostRead {
		lists = append(lists, m.Articles)
	}
	countKeys, err := s.withCounts(r, v, lists...)
	if err != nil {
		return nil, err
	}
	return &response{template: "home", view: v, keys: append(keys, countKeys...), expires: s.now().Add(mostReadAge)}, nil
}
