package api

import (
	"net/http"

	"broadsheet/internal/challenge"
)

// What each route does, for the OpenAPI document (openapi.go), by route
// pattern. A route registered without an entry here, or an entry for no
// route, stops New at start-up.

// apiTags group the operations as docs/api.md does.
var apiTags = []any{
	map[string]any{"name": "Content", "description": "Public and read-only: what the reading site shows."},
	map[string]any{"name": "Articles", "description": "The Admin API's articles, through the newsroom workflow."},
	map[string]any{"name": "Sections and authors"},
	map[string]any{"name": "Media", "description": "The media library: images, PDFs and recordings."},
	map[string]any{"name": "Comments", "description": "Moderation, as on the newsroom's comments page, and replies as the newsroom."},
	map[string]any{"name": "Notes", "description": "Corrections and updates on published articles."},
	map[string]any{"name": "Live blogs", "description": "A live blog's updates, as on the newsroom's composer; a live blog's id is its article's."},
	map[string]any{"name": "Banner", "description": "The breaking-news banner across every page."},
	map[string]any{"name": "Redirects", "description": "Redirects from old addresses to where their content is now."},
	map[string]any{"name": "Settings", "description": "The site's settings."},
	map[string]any{"name": "Users", "description": "The newsroom's accounts. Password hashes, sessions and tokens are never shown."},
	map[string]any{"name": "Webhooks", "description": "Webhook endpoints and their deliveries, as on the newsroom's webhooks pages. A secret is shown once, in the answer that made it."},
	map[string]any{"name": "Reading site", "description": "The JSON doors of the site's forms: the same anti-bot check, limits and moderation."},
}

// Query parameters shared by the lists.
var (
	limitParam   = param{name: "limit", typ: "integer", description: "items per page, 1–100"}
	beforeParam  = param{name: "before", typ: "string", description: "the next cursor of the previous page"}
	sectionParam = param{name: "section", typ: "string", description: "a section's slug (unknown: 404)"}
	authorParam  = param{name: "author", typ: "string", description: "an author's slug (unknown: 404)"}
)

var operations = map[string]operation{
	// Content API.
	"GET /api/v1/articles": {id: "listArticles", tag: "Content", summary: "List published articles, newest first",
		query: []param{limitParam, beforeParam, {name: "after", typ: "string", description: "the prev cursor of a page: newer articles"},
			sectionParam, authorParam, {name: "tag", typ: "string", description: "a tag's slug (unknown: an empty list)"}},
		resp: articleList{}, errors: []int{400, 404}},
	"GET /api/v1/articles/{id}": {id: "getArticle", tag: "Content", summary: "One published article",
		resp: articleJSON{}},
	"GET /api/v1/articles/by-slug/{slug}": {id: "getArticleBySlug", tag: "Content", summary: "One published article, by slug",
		resp: articleJSON{}},
	"GET /api/v1/live-blogs/{id}/updates": {id: "listLiveUpdates", tag: "Content", summary: "A published live blog's updates, newest first",
		description: "Pinned updates are among the others, marked pinned; deleted ones are absent. An article that is not a live blog is a 404.",
		query:       []param{limitParam, beforeParam}, resp: liveUpdateList{}, errors: []int{400}},
	"GET /api/v1/sections": {id: "listSections", tag: "Content", summary: "Every edition's sections, in navigation order", resp: sectionList{}},
	"GET /api/v1/tags":     {id: "listTags", tag: "Content", summary: "Tags on at least one published article, by name", resp: tagList{}},
	"GET /api/v1/authors":  {id: "listAuthors", tag: "Content", summary: "Authors, by name", resp: authorList{}},
	"GET /api/v1/openapi.json": {id: "openAPI", tag: "Content", summary: "This document",
		description: "OpenAPI 3.1. It changes only with the program; its ETag says which.", resp: map[string]any{}, etag: true},

	// Admin API: articles.
	"GET /api/v1/admin/articles": {id: "adminListArticles", tag: "Articles", summary: "List articles of any status, most recently changed first",
		description: "Contributors and authors see only the articles they created.",
		query: []param{{name: "status", typ: "string", enum: []string{"draft", "review", "scheduled", "published", "unpublished"}},
			sectionParam, authorParam, {name: "q", typ: "string", description: "words in the headline, standfirst or slug"},
			beforeParam, limitParam},
		resp: adminArticleList{}, errors: []int{400, 404}},
	"POST /api/v1/admin/articles": {id: "createArticle", tag: "Articles", summary: "Create an article",
		description: "A draft, or published or scheduled at once for a role that may publish.",
		body:        articleFields{}, required: []string{"headline", "section"}, status: http.StatusCreated, resp: adminArticleJSON{}, location: true,
		errors: []int{409}},
	"GET /api/v1/admin/articles/{id}": {id: "adminGetArticle", tag: "Articles", summary: "One article, any status", resp: adminArticleJSON{}},
	"PATCH /api/v1/admin/articles/{id}": {id: "patchArticle", tag: "Articles", summary: "Change an article",
		description: "Fields left out keep their value; version is the article's as last read (409 with current when stale).",
		body:        patchRequest{}, required: []string{"version"}, resp: adminArticleJSON{}, errors: []int{409}},
	"DELETE /api/v1/admin/articles/{id}": {id: "deleteArticle", tag: "Articles", summary: "Take an article offline (nothing is erased)",
		resp: adminArticleJSON{}, errors: []int{422}},
	"POST /api/v1/admin/articles/{id}/publish": {id: "publishArticle", tag: "Articles", summary: "Publish now, or schedule",
		body: publishRequest{}, optionalBody: true, resp: adminArticleJSON{}},
	"POST /api/v1/admin/articles/{id}/unpublish": {id: "unpublishArticle", tag: "Articles", summary: "Take offline, optionally redirecting to a replacement",
		body: unpublishRequest{}, optionalBody: true, resp: adminArticleJSON{}},

	"POST /api/v1/admin/articles/{id}/coverage/start": {id: "startCoverage", tag: "Articles", summary: "Open a live blog's coverage",
		description: "Marks it Live from now, or again after it was closed (keeping when it first opened). Whoever may publish the article may; an article that is not a live blog is a 422.",
		resp:        adminArticleJSON{}, errors: []int{422}},
	"POST /api/v1/admin/articles/{id}/coverage/end": {id: "endCoverage", tag: "Articles", summary: "Close a live blog's coverage",
		description: "Closes it now; coverage never opened is taken to have opened when the article was published.",
		resp:        adminArticleJSON{}, errors: []int{422}},

	// Admin API: live blogs.
	"GET /api/v1/admin/live-blogs/{id}/updates": {id: "adminListLiveUpdates", tag: "Live blogs", summary: "A live blog's updates, newest first",
		description: "Any status of the article; pinned updates among the others, deleted ones absent. Whoever may publish the article may read and write its updates; an article that is not a live blog is a 422.",
		query:       []param{beforeParam, limitParam}, resp: adminLiveUpdateList{}, errors: []int{400, 422}},
	"POST /api/v1/admin/live-blogs/{id}/updates": {id: "postLiveUpdate", tag: "Live blogs", summary: "Post an update, as the live blog's newest",
		body: liveUpdateFields{}, required: []string{"body"}, status: http.StatusCreated, resp: adminLiveUpdate{}, location: true},
	"GET /api/v1/admin/live-blogs/{id}/updates/{update}": {id: "getLiveUpdate", tag: "Live blogs", summary: "One update",
		resp: adminLiveUpdate{}, errors: []int{422}},
	"PATCH /api/v1/admin/live-blogs/{id}/updates/{update}": {id: "editLiveUpdate", tag: "Live blogs", summary: "Change an update",
		description: "Fields left out keep their value; version is the update's as last read (409 with current when stale).",
		body:        liveUpdatePatch{}, required: []string{"version"}, resp: adminLiveUpdate{}, errors: []int{409}},
	"DELETE /api/v1/admin/live-blogs/{id}/updates/{update}": {id: "deleteLiveUpdate", tag: "Live blogs", summary: "Delete an update",
		description: "Its text goes for good; readers' open pages take it away.", status: http.StatusNoContent, errors: []int{422}},

	// Admin API: sections and authors.
	"GET /api/v1/admin/sections": {id: "adminListSections", tag: "Sections and authors", summary: "List sections", resp: sectionList{}},
	"POST /api/v1/admin/sections": {id: "createSection", tag: "Sections and authors", summary: "Create a section",
		body: sectionCreate{}, required: []string{"name"}, status: http.StatusCreated, resp: sectionJSON{}, location: true, errors: []int{409}},
	"GET /api/v1/admin/sections/{slug}": {id: "adminGetSection", tag: "Sections and authors", summary: "One section", resp: sectionJSON{}},
	"PATCH /api/v1/admin/sections/{slug}": {id: "patchSection", tag: "Sections and authors", summary: "Change a section",
		body: sectionPatch{}, resp: sectionJSON{}, errors: []int{409}},
	"DELETE /api/v1/admin/sections/{slug}": {id: "deleteSection", tag: "Sections and authors", summary: "Delete a section no article uses",
		status: http.StatusNoContent, errors: []int{409}},
	"GET /api/v1/admin/authors": {id: "adminListAuthors", tag: "Sections and authors", summary: "List authors", resp: authorList{}},
	"POST /api/v1/admin/authors": {id: "createAuthor", tag: "Sections and authors", summary: "Create an author",
		body: authorCreate{}, required: []string{"name"}, status: http.StatusCreated, resp: authorJSON{}, location: true, errors: []int{409}},
	"GET /api/v1/admin/authors/{slug}": {id: "adminGetAuthor", tag: "Sections and authors", summary: "One author", resp: authorJSON{}},
	"PATCH /api/v1/admin/authors/{slug}": {id: "patchAuthor", tag: "Sections and authors", summary: "Change an author",
		body: authorPatch{}, resp: authorJSON{}, errors: []int{409}},
	"DELETE /api/v1/admin/authors/{slug}": {id: "deleteAuthor", tag: "Sections and authors", summary: "Delete an author on no byline",
		status: http.StatusNoContent, errors: []int{409}},

	// Admin API: notes.
	"GET /api/v1/admin/articles/{id}/notes": {id: "listNotes", tag: "Notes", summary: "An article's corrections and updates, oldest first",
		resp: noteList{}},
	"POST /api/v1/admin/articles/{id}/notes": {id: "addNote", tag: "Notes", summary: "Add a correction or an update to a published article",
		description: "Shown under the article and on the corrections page; it sets the article's updated_at. An author may note their own articles, an editor any.",
		body:        noteRequest{}, required: []string{"kind", "body"}, status: http.StatusCreated, resp: noteJSON{}},

	// Admin API: the media library.
	"GET /api/v1/admin/media": {id: "listMedia", tag: "Media", summary: "List the library, newest first",
		query: []param{{name: "q", typ: "string", description: "words in an image's alt text, caption or credit, or a document's name or title"},
			beforeParam, {name: "limit", typ: "integer", description: "items per page, 1–100 (default 24)"}},
		resp: mediaList{}, errors: []int{400}},
	"POST /api/v1/admin/media": {id: "uploadMedia", tag: "Media", summary: "Upload an image, a PDF or a recording",
		description: "The type is decided by the file's bytes. An image is checked before it is decoded and re-encoded into the site's widths (EXIF and GPS dropped); a document is kept as uploaded. The same file again answers 200 with the item already in the library.",
		upload:      uploadForm{}, required: []string{"file"}, status: http.StatusCreated, resp: mediaJSON{}, location: true,
		alsoOK: []int{http.StatusOK}},
	"GET /api/v1/admin/media/images/{id}": {id: "getImage", tag: "Media", summary: "One image", resp: mediaJSON{}},
	"DELETE /api/v1/admin/media/images/{id}": {id: "deleteImage", tag: "Media", summary: "Delete an image no article uses",
		description: "409 while an article of any status uses it, as its lead image or in its text. Its addresses then answer 404.",
		status:      http.StatusNoContent, errors: []int{409}},
	"GET /api/v1/admin/media/documents/{id}": {id: "getDocument", tag: "Media", summary: "One document", resp: mediaJSON{}},
	"DELETE /api/v1/admin/media/documents/{id}": {id: "deleteDocument", tag: "Media", summary: "Delete a document no article links to",
		status: http.StatusNoContent, errors: []int{409}},

	// Admin API: comments.
	"GET /api/v1/admin/comments": {id: "listComments", tag: "Comments", summary: "List comments for moderation, newest first",
		query: []param{{name: "status", typ: "string", enum: []string{"pending", "approved", "spam", "trash", "all"},
			description: "pending (the default: the moderation queue), approved, spam, trash, or all"},
			{name: "article", typ: "integer", description: "an article's id: its comments only"}, beforeParam, limitParam},
		resp: moderatedList{}, errors: []int{400, 404}},
	"GET /api/v1/admin/comments/{id}": {id: "getComment", tag: "Comments", summary: "One comment", resp: moderatedJSON{}},
	"PATCH /api/v1/admin/comments/{id}": {id: "editComment", tag: "Comments", summary: "Change a comment's text as a moderator",
		body: commentBody{}, required: []string{"body"}, resp: moderatedJSON{}},
	"DELETE /api/v1/admin/comments/{id}": {id: "deleteComment", tag: "Comments", summary: "Move a comment to the trash",
		description: "As the newsroom's Delete: the comment leaves the page and waits in the trash (status trash), from where approving brings it back.",
		resp:        moderatedJSON{}},
	"POST /api/v1/admin/comments/{id}/approve": {id: "approveComment", tag: "Comments", summary: "Publish a comment", resp: moderatedJSON{}},
	"POST /api/v1/admin/comments/{id}/hold":    {id: "holdComment", tag: "Comments", summary: "Take a comment back into the queue (pending)", resp: moderatedJSON{}},
	"POST /api/v1/admin/comments/{id}/spam":    {id: "spamComment", tag: "Comments", summary: "Mark a comment as spam", resp: moderatedJSON{}},
	"POST /api/v1/admin/comments/{id}/pin":     {id: "pinComment", tag: "Comments", summary: "Pin a comment first in its thread", resp: moderatedJSON{}},
	"POST /api/v1/admin/comments/{id}/unpin":   {id: "unpinComment", tag: "Comments", summary: "Unpin a comment", resp: moderatedJSON{}},
	"POST /api/v1/admin/comments/{id}/replies": {id: "replyToComment", tag: "Comments", summary: "Reply as the newsroom",
		description: "Under the token's user's name, marked as the newsroom's and published at once, as a signed-in member's reply on the article page (a blocklisted word or too many links hold it; 30 comments in 10 minutes per user). The article must be published (422 naming id) and open to comments (403).",
		body:        commentBody{}, required: []string{"body"}, status: http.StatusCreated, resp: moderatedJSON{}, location: true},

	// Admin API: the banner and the settings.
	"GET /api/v1/admin/banner": {id: "getBanner", tag: "Banner", summary: "The breaking-news banner", resp: bannerJSON{}},
	"PUT /api/v1/admin/banner": {id: "setBanner", tag: "Banner", summary: "Show a banner until it expires",
		body: bannerRequest{}, required: []string{"text", "expires"}, resp: bannerJSON{}},
	"DELETE /api/v1/admin/banner": {id: "clearBanner", tag: "Banner", summary: "Take the banner down", status: http.StatusNoContent},
	"GET /api/v1/admin/settings":  {id: "getSettings", tag: "Settings", summary: "The site's settings", resp: settingsJSON{}},
	"PATCH /api/v1/admin/settings": {id: "patchSettings", tag: "Settings", summary: "Change the site's settings",
		description: "Fields left out keep their value; the whole result is checked, and nothing is saved when a field breaks a rule.",
		body:        settingsPatch{}, resp: settingsJSON{}},

	// Admin API: redirects.
	"GET /api/v1/admin/redirects": {id: "listRedirects", tag: "Redirects", summary: "List redirects, newest first",
		query: []param{{name: "q", typ: "string", description: "part of an address, old or new"},
			{name: "made", typ: "string", enum: []string{"hand", "imported"}}, beforeParam, limitParam},
		resp: redirectList{}, errors: []int{400}},
	"POST /api/v1/admin/redirects": {id: "createRedirect", tag: "Redirects", summary: "Redirect an old address",
		body: redirectFields{}, required: []string{"from_path", "to_url"}, status: http.StatusCreated, resp: redirectJSON{}, location: true,
		errors: []int{409}},
	"GET /api/v1/admin/redirects/{id}": {id: "getRedirect", tag: "Redirects", summary: "One redirect", resp: redirectJSON{}},
	"PATCH /api/v1/admin/redirects/{id}": {id: "patchRedirect", tag: "Redirects", summary: "Change a redirect",
		body: redirectFields{}, resp: redirectJSON{}, errors: []int{409}},
	"DELETE /api/v1/admin/redirects/{id}": {id: "deleteRedirect", tag: "Redirects", summary: "Delete a redirect", status: http.StatusNoContent},

	// Admin API: users.
	"GET /api/v1/admin/users": {id: "listUsers", tag: "Users", summary: "List the newsroom's accounts", resp: userList{}},
	"POST /api/v1/admin/users": {id: "createUser", tag: "Users", summary: "Create an account",
		body: userCreate{}, required: []string{"email", "name", "role", "password"}, status: http.StatusCreated, resp: userJSON{}, location: true},
	"GET /api/v1/admin/users/{id}": {id: "getUser", tag: "Users", summary: "One account", resp: userJSON{}},
	"PATCH /api/v1/admin/users/{id}": {id: "patchUser", tag: "Users", summary: "Change an account's role, byline or whether it is disabled",
		description: "The last enabled admin can be neither demoted nor disabled (422 naming role or disabled); an author_id that is no author's is a 422 naming it.",
		body:        userPatch{}, resp: userJSON{}},

	// Admin API: webhooks.
	"GET /api/v1/admin/webhooks": {id: "listWebhooks", tag: "Webhooks", summary: "List the endpoints, oldest first, with how each fares",
		resp: webhookList{}},
	"POST /api/v1/admin/webhooks": {id: "createWebhook", tag: "Webhooks", summary: "Register an endpoint",
		description: "The answer holds its signing secret, which is never shown again.",
		body:        webhookFields{}, required: []string{"url", "events"}, status: http.StatusCreated, resp: webhookSecretJSON{}, location: true},
	"GET /api/v1/admin/webhooks/{id}": {id: "getWebhook", tag: "Webhooks", summary: "One endpoint", resp: webhookJSON{}},
	"PATCH /api/v1/admin/webhooks/{id}": {id: "patchWebhook", tag: "Webhooks", summary: "Change an endpoint's address, description, events or whether it is enabled",
		description: "Fields left out keep their value; the secret stays.", body: webhookFields{}, resp: webhookJSON{}},
	"DELETE /api/v1/admin/webhooks/{id}": {id: "deleteWebhook", tag: "Webhooks", summary: "Delete an endpoint with its deliveries",
		status: http.StatusNoContent},
	"POST /api/v1/admin/webhooks/{id}/rotate": {id: "rotateWebhookSecret", tag: "Webhooks", summary: "Give an endpoint a new secret",
		description: "The answer holds the new secret, shown once; the one before signs beside it for 24 hours (old_secret_until).",
		resp:        webhookSecretJSON{}},
	"POST /api/v1/admin/webhooks/{id}/test": {id: "testWebhook", tag: "Webhooks", summary: "Queue a webhook.test message to the endpoint",
		description: "Sent at once by the site's worker; its delivery is listed with the others. A disabled endpoint is a 422.",
		status:      http.StatusAccepted, resp: webhookMessage{}, errors: []int{422}},
	"GET /api/v1/admin/webhooks/{id}/deliveries": {id: "listWebhookDeliveries", tag: "Webhooks", summary: "An endpoint's deliveries, newest first, each with every attempt",
		query: []param{beforeParam, limitParam}, resp: deliveryList{}, errors: []int{400}},
	"POST /api/v1/admin/webhooks/{id}/deliveries/{delivery}/resend": {id: "resendWebhookDelivery", tag: "Webhooks", summary: "Send a delivery again",
		description: "Whatever its state (a dead letter too): the same message with the same id, queued at once with a fresh schedule of attempts. A disabled endpoint is a 422.",
		status:      http.StatusAccepted, resp: deliveryJSON{}, errors: []int{422}},

	// The reading site's doors.
	"GET /api/v1/challenge": {id: "challenge", tag: "Reading site", summary: "A fresh anti-bot challenge (ALTCHA v2)",
		description: "Single use, expires (20 minutes by default), never cached.", resp: challenge.Challenge{}},
	"POST /api/v1/articles/{id}/comments": {id: "postComment", tag: "Reading site", summary: "Comment on a published article",
		description: "Through the same checks as the article page's form; without a proof the comment is held.",
		body:        commentJSON{}, required: []string{"name", "body"}, status: http.StatusCreated, resp: commentAccepted{},
		errors: []int{403, http.StatusServiceUnavailable}},
	"POST /api/v1/subscriptions": {id: "subscribe", tag: "Reading site", summary: "Ask to subscribe an address",
		description: "The same answer whether or not the address was known: a confirmation mail goes to a new one.",
		body:        subscribeRequest{}, required: []string{"email"}, status: http.StatusAccepted, resp: subscribeAnswer{},
		errors: []int{http.StatusServiceUnavailable}},
}
