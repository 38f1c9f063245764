package i18n

// The problems the newsroom finds with what was typed (keys beginning with
// "problem."), recorded by the domain code where it finds them
// (errs.InvalidError.AddKey). The English words are also what the logs and
// the JSON API say, word for word, and docs/api.md quotes some of them:
// API clients may show or match them, so change them only with care. A value the editor typed is quoted with %q; a translation
// may quote it with %s and its own quotation marks.
func init() { extend(english, englishProblems, englishPlurals, englishProblemPlurals) }

var englishProblems = map[string]string{
	// Articles.
	"problem.headline_required":         "headline is required",
	"problem.slug_required":             "slug is required",
	"problem.slug_letters":              "slug %q may hold only lower-case letters, digits and single hyphens",
	"problem.status_unknown":            "status %q is not one of draft, scheduled, published, unpublished",
	"problem.section_required":          "section is required",
	"problem.section_unknown":           "there is no section %q",
	"problem.author_unknown":            "there is no author %q",
	"problem.image_unknown":             "there is no image %d",
	"problem.publish_time_required":     "a published article needs a publication time",
	"problem.language_required":         "language is required",
	"problem.version_missing":           "the save did not say which version it edits; reload the article and try again",
	"problem.submit_not_draft":          "only a draft can be submitted for review",
	"problem.schedule_published":        "the article is already published; unpublish it first to schedule it again",
	"problem.replace_itself":            "an article cannot replace itself",
	"problem.replacement_unpublished":   "the replacement must be a published article",
	"problem.unpublish_not_published":   "only a published or scheduled article can be unpublished",
	"problem.note_unpublished":          "corrections and updates go on published articles",
	"problem.note_kind":                 "a note is a \"correction\" or an \"update\"",
	"problem.note_text":                 "the note needs text, at most 5,000 bytes",
	"problem.translation_of_number":     "give the number of the article this one translates, as in its newsroom address (/admin/articles/12)",
	"problem.translation_of_missing":    "there is no article %d to be a translation of",
	"problem.translation_of_self":       "an article cannot be a translation of itself or of its own translation",
	"problem.translation_main_taken":    "the article it translates, or another of its translations, is in the main edition already: an edition holds one version of a story",
	"problem.translation_edition_taken": "the article it translates, or another of its translations, is in the %q edition already: an edition holds one version of a story",
	"problem.section_edition_taken":     "the section holds %q, whose translation group has an article in that edition already: an edition holds one version of a story",

	// Sections, tags and authors.
	"problem.section_edition_unknown": "the site has no such edition: add it in Settings first",
	"problem.slug_edition":            "this address is an edition's: the section would not be reached",
	"problem.slug_page":               "a static page already uses this address",
	"problem.slug_reserved":           "this address is reserved by Broadsheet",

	// Settings.
	"problem.edition_code":          "%q is not a language code such as fa or ru",
	"problem.edition_no_catalogue":  "there is no catalogue for the language %q",
	"problem.edition_main":          "%q is the main edition's language already",
	"problem.edition_twice":         "the edition %q is listed twice",
	"problem.edition_too_long":      "the %q edition's title or tagline is too long",
	"problem.edition_section_clash": "the section %q has the address /%s, which the %s edition would take: change its slug first",
	"problem.edition_page_clash":    "the page %q has the address /%s, which the %s edition would take: change its slug first",
	"problem.edition_has_sections":  "the %q edition still has the section %q: move it to another edition or delete it first",
	"problem.close_days":            "comments close after a whole number of days, %d for never",
	"problem.digest_hour":           "daily digests go out at an hour from %d to %d",
	"problem.site_language":         "the language must be a tag such as en or fa",
	"problem.time_zone":             "the time zone must be a name such as Europe/London or Asia/Tehran",

	// People and passwords.
	"problem.email_invalid":     "%q is not an email address",
	"problem.name_required":     "name is required",
	"problem.role_unknown":      "role %q is not one of contributor, author, editor, admin",
	"problem.author_id_unknown": "there is no author %d",
	"problem.password_text":     "the password is not valid text",
	"problem.password_common":   "this password is on the list of the most common passwords; choose another",
	"problem.password_pattern":  "this password is a repeated or sequential pattern; choose another",
	"problem.password_personal": "the password must not contain your name, email address or the site's name",

	// Redirects.
	"problem.redirect_from_missing":  "enter the old address to redirect, such as /category/world or /?p=123",
	"problem.redirect_from_not_path": "the old address %q is neither a path starting with / nor an http(s) address",
	"problem.redirect_from_escape":   "the old address %q has a broken percent-escape",
	"problem.redirect_from_unsafe":   "the old address holds a control character or a backslash, which no address of a site has",
	"problem.redirect_front_page":    "the front page cannot be redirected; an old address of it with a query, such as /?p=123, can",
	"problem.redirect_reserved":      "%s is the newsroom's or the API's own address, which a redirect never answers",
	"problem.redirect_to_itself":     "a redirect cannot lead to the address it answers (%s)",
	"problem.redirect_circle":        "%s redirects to %s already: this redirect would send readers round in a circle",
	"problem.redirect_status":        "the status must be %d, %d, %d or %d",
	"problem.redirect_status_not":    "the status must be %d, %d, %d or %d, not %d",
	"problem.redirect_source":        "%q is not the name of an importer",
	"problem.redirect_to_missing":    "enter where the redirect leads: a path of this site, such as /city/harbour-reopens",
	"problem.redirect_to_unsafe":     "the new address holds a control character or a backslash",
	"problem.redirect_to_bad_path":   "the new address %q is not a valid path",
	"problem.redirect_to_not_local":  "the new address %q is not plainly a path of this site: it must not begin with // or hold a backslash, a control character or a . or .. segment, however it is decoded",
	"problem.redirect_to_relative":   "the new address must be a path of this site starting with one /, such as /city/harbour-reopens, or an http(s) address",
	"problem.redirect_to_bad_url":    "the new address %q is not a valid http(s) address",
	"problem.redirect_to_userinfo":   "the new address must not hold a user name or password",
	"problem.redirect_off_site":      "%s is on another site: a redirect leaves the site only when an admin allows off-site targets",
}

// englishProblemPlurals are the problems that hold a limit: the first
// number picks the form.
var englishProblemPlurals = map[string]map[string]string{
	"problem.headline_long":      {"one": "headline is longer than %d character", "other": "headline is longer than %d characters"},
	"problem.standfirst_long":    {"one": "standfirst is longer than %d character", "other": "standfirst is longer than %d characters"},
	"problem.body_long":          {"one": "body is longer than %d byte", "other": "body is longer than %d bytes"},
	"problem.slug_long":          {"one": "slug is longer than %d character", "other": "slug is longer than %d characters"},
	"problem.x_account":          {"one": "an X account is @ and up to %d letter, digit or underscore", "other": "an X account is @ and up to %d letters, digits or underscores"},
	"problem.taxonomy_name":      {"one": "a name is required (at most %d character)", "other": "a name is required (at most %d characters)"},
	"problem.site_title":         {"one": "the site needs a title of at most %d character", "other": "the site needs a title of at most %d characters"},
	"problem.site_tagline":       {"one": "the tagline is longer than %d character", "other": "the tagline is longer than %d characters"},
	"problem.name_long":          {"one": "name is longer than %d character", "other": "name is longer than %d characters"},
	"problem.password_long":      {"one": "the password is longer than %d byte", "other": "the password is longer than %d bytes"},
	"problem.password_short":     {"one": "the password must be at least %d character", "other": "the password must be at least %d characters"},
	"problem.redirect_from_long": {"one": "the old address is longer than %d character", "other": "the old address is longer than %d characters"},
	"problem.redirect_to_long":   {"one": "the new address is longer than %d character", "other": "the new address is longer than %d characters"},
}
