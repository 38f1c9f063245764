package web

import (
	"encoding/json"
	"strings"
)

// richWords are the messages the rich editor (static/editor.js) shows, by
// the name it asks for; each is the catalogue's "admin.rich.NAME".
var richWords = strings.Fields(`mode mode_rich mode_markdown toolbar h2 h3 bold italic link bullet ordered
	quote pullquote table row_add row_remove col_add col_remove rule image library undo redo
	help help_title help_tab paragraph strike line_break
	link_title link_url link_help link_invalid link_apply link_remove cancel
	image_title image_alt image_alt_help image_alt_required image_caption image_credit image_upload
	image_uploading image_failed image_offline image_edit image_save image_remove image_add caption_placeholder
	picker_title picker_query picker_search picker_results picker_gallery picker_more picker_loading
	picker_none picker_error picker_choose picker_insert embed source`)

// RichWords is the rich editor's words in the page's language, as JSON for
// a data attribute: the script reads them there, so none is inline code.
func (v *view) RichWords() string {
	m := make(map[string]string, len(richWords))
	for _, k := range richWords {
		m[k] = v.T("admin.rich." + k)
	}
	b, _ := json.Marshal(m)
	return string(b)
}
