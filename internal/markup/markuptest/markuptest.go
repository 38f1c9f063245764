// Package markuptest is what tests of pages with embeds share: a table of
// embed records beside a store's lookup, as the store answers once embeds
// are resolved and stored when an article is saved.
package markuptest

import (
	"context"

	"broadsheet/internal/markup"
)

// Embeds returns l answering embeds from table, and images as l does.
func Embeds(l markup.Lookup, table map[string]markup.Embed) markup.Lookup {
	return embeds{l, table}
}

type embeds struct {
	markup.Lookup
	table map[string]markup.Embed
}

func (e embeds) Embed(_ context.Context, url string) (markup.Embed, bool) {
	rec, ok := e.table[url]
	return rec, ok
}
