package i18n

// Live blogs (internal/liveblog): the reading page, the newsroom's
// composer and the problems with what was typed.
func init() { extend(english, englishLive, englishPlurals, englishLivePlurals) }

var englishLive = map[string]string{
	"problem.live_body_required": "the update needs text",
	"problem.live_not_live_blog": "this article is not a live blog: tick Live blog in its editor first",
	"problem.live_stale":         "someone else has changed this update since you opened it; your text is kept below theirs",
}

var englishLivePlurals = map[string]map[string]string{
	"problem.live_body_long":    {"one": "the update is longer than %d character", "other": "the update is longer than %d characters"},
	"problem.live_authors_many": {"one": "an update has at most %d author", "other": "an update has at most %d authors"},
}
