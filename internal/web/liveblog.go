package web

import (
	"strconv"

	"broadsheet/internal/article"
)

// livePermalink is the address of update id of the live blog a: the page
// of updates that begins with it, wherever the newer ones have pushed it.
func livePermalink(a *article.Article, id int64) string {
	n := strconv.FormatInt(id, 10)
	return a.Path() + "?from=" + n + "#update-" + n
}
