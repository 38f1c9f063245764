package transfer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"broadsheet/internal/mail"
	"broadsheet/internal/redirect"
)

// The export format, version 2 (docs/export-format.md describes it for
// readers who have no Broadsheet code): one ZIP archive holding
//
//	manifest.json            what the archive holds, and its version
//	records/KIND.jsonl       one JSON object per line for each record
//	media/IMAGE/WIDTH.EXT    the bytes of each stored image size
//
// A kind is the rows of one table, with the fields listed below in that
// order; a record's fields are its columns, except that times are RFC 3339
// strings in UTC and an image's bytes are a file named by its "file"
// field (written file=bytes: the field, then its column). Columns the program computes from others are left out and
// computed again on import; so are the tables a site rebuilds by itself
// (the search index, More Articles lists) and those that only hold
// short-lived state (sessions, rate limits).

// FormatName and FormatVersion identify the export format in its
// manifest. A reader refuses a version newer than its own and reads every
// older one: a kind or a field added since (kind.since, field.since) is
// simply absent from an older export. Version 2 added redirects; version
// 3 the records imports remember (imported) and comments' url; version 4
// sections' edition and articles' translation_of; version 5 embeds,
// documents (PDFs and audio) and the documents articles link to; version
// 6 live blogs: articles' live_blog, coverage and live_seq, and their
// updates, the updates' bylines and revisions; version 7 the second step
// of newsroom sign-in: users' authenticator secret and last code's step,
// passkeys and recovery codes.
const (
	FormatName    = "broadsheet-export"
	FormatVersion = 7
)

// fieldType is how a column is written in a record.
type fieldType int

const (
	tInt  fieldType = iota // a JSON integer
	tText                  // a JSON string
	tBool                  // true or false
	tTime                  // an RFC 3339 string in UTC, from Unix seconds
	tFile                  // the name of a file in the archive, from bytes
)

// field is one column of a kind, in the order records write them.
type field struct {
	name string
	typ  fieldType
	col  string // the column, when it is not name
	// since is the format version that added the field (0: the kind's);
	// a record of an earlier version has none, and the column keeps its
	// default.
	since int
	// zero says an older export's record gives the column 0, not NULL
	// (written @VERSION=0): a count that cannot be NULL.
	zero bool
}

// absent is what an export older than the field stores in its column:
// the empty text of a text column, false in a boolean one, 0 in a count
// that says so (zero), NULL (or the column's default) for the others.
func (f field) absent() any {
	switch {
	case f.typ == tText:
		return ""
	case f.typ == tBool:
		return false
	case f.zero:
		return int64(0)
	}
	return nil
}

// column is the field's column.
func (f field) column() string {
	if f.col != "" {
		return f.col
	}
	return f.name
}

// kind is one kind of record: the rows of one table.
type kind struct {
	name string
	// since is the format version that added the kind; an export of an
	// earlier version has none of it.
	since  int
	fields []field
	key    string // ORDER BY: records are written in this order
	// derived are columns computed on import from a record's fields.
	derived map[string]func(rec []any) any
	// computed are columns the program fills in by itself after an
	// import (rendered HTML), left at their defaults.
	computed []string
}

func (k kind) file() string { return "records/" + k.name + ".jsonl" }

func (k kind) index(name string) int {
	return slices.IndexFunc(k.fields, func(f field) bool { return f.name == name })
}

// addressKey derives an address's key column from its address field.
func addressKey(k *kind, from string) func(rec []any) any {
	i := k.index(from)
	return func(rec []any) any {
		if s, ok := rec[i].(string); ok && s != "" {
			return mail.AddressKey(s)
		}
		return ""
	}
}

// kinds are the kinds of record in the order an import writes them:
// every kind after the kinds it refers to.
var kinds = func() []kind {
	f := func(spec string) []field {
		var fs []field
		for _, w := range strings.Fields(spec) {
			w, since, _ := strings.Cut(w, "@")
			name, t, _ := strings.Cut(w, ":")
			typ := map[string]fieldType{"int": tInt, "text": tText, "bool": tBool, "time": tTime, "file": tFile}[t]
			if t == "" || (typ == tInt && t != "int") {
				panic("transfer: bad field " + w)
			}
			name, col, _ := strings.Cut(name, "=")
			fl := field{name: name, typ: typ, col: col}
			if since != "" {
				since, zero := strings.CutSuffix(since, "=0")
				fl.since, _ = strconv.Atoi(since)
				fl.zero = zero && typ == tInt
				if fl.since < 2 || zero != fl.zero {
					panic("transfer: bad field version " + w)
				}
			}
			fs = append(fs, fl)
		}
		return fs
	}
	ks := []kind{
		{name: "settings", key: "key", fields: f("key:text value:text")},
		{name: "sections", key: "id", fields: f("id:int slug:text name:text description:text position:int edition:text@4")},
		{name: "tags", key: "id", fields: f("id:int slug:text name:text")},
		{name: "authors", key: "id", fields: f("id:int slug:text name:text role:text bio:text")},
		{name: "users", key: "id", fields: f(`id:int email:text name:text role:text password_hash:text author_id:int created_at:time disabled:bool
			totp_secret:text@7 totp_step:int@7=0`)},
		{name: "passkeys", since: 7, key: "id", fields: f("id:int user_id:int name:text credential_id:text record:text created_at:time last_used_at:time")},
		{name: "recovery_codes", since: 7, key: "id", fields: f("id:int user_id:int code_hash:text created_at:time used_at:time")},
		{name: "api_tokens", key: "id", fields: f("id:int user_id:int name:text token_hash:text created_at:time last_used_at:time revoked_at:time")},
		{name: "images", key: "id", fields: f("id:int alt:text caption:text credit:text width:int height:int created_at:time source_hash:text uploaded_by:int")},
		{name: "image_variants", key: "image_id, width", fields: f("image_id:int width:int height:int content_type:text file=bytes:file")},
		{name: "embeds", since: 5, key: "url", fields: f(`url:text provider:text provider_name:text title:text author:text frame:text
			width:int height:int thumbnail_url:text thumbnail_id:int complete:bool fetched_at:time`)},
		{name: "documents", since: 5, key: "id", fields: f("id:int name:text title:text content_type:text size:int file=bytes:file source_hash:text uploaded_by:int created_at:time")},
		{name: "articles", key: "id", fields: f(`id:int slug:text headline:text standfirst:text body:text section_id:int lead_image_id:int
			status:text language:text published_at:time updated_at:time created_at:time modified_at:time version:int created_by:int
			submitted_at:time replaced_by:int comments_closed:bool translation_of:int@4
			live_blog:bool@6 coverage_start:time@6 coverage_end:time@6 live_seq:int@6=0`), computed: []string{"body_html", "html_of"}},
		{name: "live_updates", since: 6, key: "id", fields: f(`id:int article_id:int seq:int headline:text body:text pinned:bool key_event:bool
			version:int created_by:int created_at:time edited_by:int edited_at:time deleted_at:time`), computed: []string{"body_html", "html_of"}},
		{name: "live_update_authors", since: 6, key: "update_id, position, author_id", fields: f("update_id:int author_id:int position:int")},
		{name: "live_update_revisions", since: 6, key: "id", fields: f(`id:int update_id:int version:int user_id:int saved_at:time
			headline:text body:text pinned:bool key_event:bool author_ids:text`)},
		{name: "article_documents", since: 5, key: "article_id, document_id", fields: f("article_id:int document_id:int")},
		{name: "article_tags", key: "article_id, tag_id", fields: f("article_id:int tag_id:int")},
		{name: "article_authors", key: "article_id, position, author_id", fields: f("article_id:int author_id:int position:int")},
		{name: "slug_redirects", key: "old_slug", fields: f("old_slug:text article_id:int")},
		{name: "revisions", key: "id", fields: f("id:int article_id:int version:int user_id:int created_at:time snapshot:text")},
		{name: "article_notes", key: "id", fields: f("id:int article_id:int kind:text body:text created_at:time user_id:int")},
		{name: "pages", key: "id", fields: f("id:int slug:text title:text body:text language:text modified_at:time")},
		{name: "redirects", since: 2, key: "id", fields: f(`id:int from_path:text to_url:text off_site:bool status:int source:text
			created_at:time created_by:int hits:int last_hit_at:time`)},
		{name: "comments", key: "id", fields: f(`id:int article_id:int parent_id:int root_id:int path:text depth:int reply_to_name:text
			name:text email:text body:text status:text pinned:bool user_id:int notify:bool ip_hash:text idem_key:text edit_hash:text
			reports:int held_reason:text created_at:time edited_at:time url:text@3`), computed: []string{"html", "html_of"}},
		{name: "subscribers", key: "id", fields: f("id:int email:text confirmed_at:time consent:text created_at:time")},
		{name: "subscriptions", key: "id", fields: f(`id:int subscriber_id:int scope_kind:text scope_id:int frequency:text status:text
			nonce:text created_at:time last_digest:int`)},
		{name: "outbox", key: "id", fields: f(`id:int key:text recipient:text kind:text object_id:int data:text status:text attempts:int
			next_at:time lease_until:time last_error:text created_at:time sent_at:time`)},
		{name: "fanouts", key: "id", fields: f("id:int kind:text object_id:int not_before:time cursor:int queued:int done_at:time")},
		{name: "imported", since: 3, key: "source, kind, source_id", fields: f("source:text kind:text source_id:int local_id:int imported_at:time")},
		{name: "audit_log", key: "id", fields: f("id:int at:time user_id:int action:text object_type:text object_id:int detail:text")},
		{name: "article_views", key: "article_id, hour", fields: f("article_id:int hour:time views:int")},
	}
	for i := range ks {
		k := &ks[i]
		if k.since == 0 {
			k.since = 1
		}
		switch k.name {
		case "users", "subscribers", "comments":
			k.derived = map[string]func([]any) any{"email_key": addressKey(k, "email")}
		case "outbox":
			k.derived = map[string]func([]any) any{"recipient_key": addressKey(k, "recipient")}
		case "redirects":
			to, off := k.index("to_url"), k.index("off_site")
			k.derived = map[string]func([]any) any{"to_key": func(rec []any) any {
				s, _ := rec[to].(string)
				o, _ := rec[off].(bool)
				return redirect.TargetKey(s, o)
			}}
		}
	}
	return ks
}()

// notExported are the tables an export leaves out, and why.
var notExported = map[string]string{
	"schema_migrations":     "each engine records its own migrations",
	"changes":               "the change log of a new site starts empty",
	"sessions":              "everyone signs in again on the imported site",
	"setup_tokens":          "one-time links for creating the first administrator",
	"used_challenges":       "spent anti-bot challenges, which expire within the hour",
	"rate_events":           "rate-limit counters, which expire within the day",
	"article_fts":           "the search index, rebuilt by the import",
	"article_fts_keys":      "the SQLite search index's own row keys",
	"term_df":               "the search index, rebuilt by the import",
	"article_terms":         "the search index, rebuilt by the import",
	"related_kept":          "More Articles lists, made again by the imported site",
	"article_images":        "the images articles' bodies show, found again as the imported site renders them",
	"live_update_images":    "the images live updates show, found again as the imported site renders them",
	"live_update_documents": "the documents live updates link to, found again as the imported site renders them",
	"_litestream_seq":       "the write-ahead-log replica's own bookkeeping",
	"_litestream_lock":      "the write-ahead-log replica's own bookkeeping",
	// Webhook endpoints hold live secrets that sign to other systems, and
	// their queue is the old site's deliveries: the new site's admin
	// registers the endpoints again and gives each receiver its secret.
	"webhook_endpoints":       "webhook endpoints and their signing secrets, registered again on the new site",
	"webhook_endpoint_events": "the events of webhook endpoints, registered again on the new site",
	"webhook_messages":        "the webhook queue: the old site's events",
	"webhook_deliveries":      "the webhook queue: the old site's deliveries",
	"webhook_attempts":        "the webhook delivery log of the old site",
}

// checkColumns compares a table's columns with its kind: a column the
// format does not know would be lost, so it stops the export (or the
// import) and names itself.
func (k kind) checkColumns(cols []string) error {
	known := map[string]bool{}
	for _, f := range k.fields {
		known[f.column()] = true
	}
	for c := range k.derived {
		known[c] = true
	}
	for _, c := range k.computed {
		known[c] = true
	}
	var unknown, missing []string
	for _, c := range cols {
		if !known[c] {
			unknown = append(unknown, k.name+"."+c)
		}
		delete(known, c)
	}
	for c := range known {
		missing = append(missing, k.name+"."+c)
	}
	if len(unknown)+len(missing) == 0 {
		return nil
	}
	slices.Sort(unknown)
	slices.Sort(missing)
	var parts []string
	if len(unknown) > 0 {
		parts = append(parts, "columns the export format does not know: "+strings.Join(unknown, ", "))
	}
	if len(missing) > 0 {
		parts = append(parts, "columns the database lacks: "+strings.Join(missing, ", "))
	}
	return fmt.Errorf("transfer: the database and export format version %d differ (%s)", FormatVersion, strings.Join(parts, "; "))
}

// mediaExt names the file extension of an image's content type.
func mediaExt(contentType string) string {
	switch contentType {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/webp":
		return ".webp"
	case "image/gif":
		return ".gif"
	case "image/avif":
		return ".avif"
	}
	return ".bin"
}
