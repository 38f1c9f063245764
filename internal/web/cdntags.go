package web

import (
	"strings"

	"broadsheet/internal/article"
)

// cdnTagHeaders formats, once for every answer of a cached page, the tags
// of its keys and extra (tags a page shows but need not be dropped for,
// such as its byline's authors): the values of Cache-Tag (Cloudflare,
// comma separated) and Surrogate-Key (Fastly and others, space
// separated). See article.CacheTag for what each tag names.
func cdnTagHeaders(keys, extra []string) (cacheTag, surrogateKey []string) {
	tags := article.CacheTags(keys, extra...)
	if len(tags) == 0 {
		return nil, nil
	}
	return []string{strings.Join(tags, ",")}, []string{strings.Join(tags, " ")}
}
