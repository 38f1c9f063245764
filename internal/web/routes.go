package web

import (
	"net/http"

	"broadsheet/internal/account"
	"broadsheet/internal/media"
)

// routes lists every URL Broadsheet answers. Literal segments win over
// wildcards, so /tag/x never reaches the article route.
func (s *Server) routes() *http.ServeMux {
	// Three trees, so that the reading site's wildcards (/{section}/{slug})
	// never compete with the newsroom's or the API's literal paths.
	mux := http.NewServeMux()
	admin := http.NewServeMux()

	// The reading site.
	s.handle(mux, "GET /{$}", s.frontPage())
	s.handle(mux, "GET /latest", s.page(s.latest, archiveParams...))
	s.handle(mux, "GET /corrections", s.page(s.corrections))
	s.handle(mux, "GET /{slug}", s.page(s.sectionOrPage, archiveParams...))
	s.handle(mux, "GET /{section}/{slug}", s.page(s.article, articleParams...))
	s.handle(mux, "POST /{section}/{slug}/comments", s.postComment)
	// GET /{section}/{slug}/comments.rss|atom|json and a live blog's
	// updates.rss|atom|json, the last segment a wildcard: a literal would
	// tie with /media/{id}/{file}, neither more specific, and ServeMux
	// refuses the pair.
	s.handle(mux, "GET /{section}/{slug}/{feed}", s.page(s.articleFeeds))
	s.handle(mux, "GET /{section}/{slug}/comments/live", s.liveComments)
	s.handle(mux, "GET /{section}/{slug}/updates/live", s.liveUpdates)
	s.handle(mux, "POST /{section}/{slug}/comments/{id}/edit", s.editOwnComment)
	s.handle(mux, "POST /{section}/{slug}/comments/{id}/delete", s.deleteOwnComment)
	s.handle(mux, "POST /{section}/{slug}/comments/{id}/report", s.reportComment)
	s.handle(mux, "POST /subscribe", s.subscribe)
	s.handle(mux, "GET /subscribe/sent", s.subscribeSent)
	s.handle(mux, "GET /subscribe/confirm", s.confirmForm)
	s.handle(mux, "POST /subscribe/confirm", s.confirm)
	s.handle(mux, "GET /subscriptions", s.managePage)
	s.handle(mux, "POST /subscriptions", s.manage)
	s.handle(mux, "GET /unsubscribe", s.unsubscribeForm)
	s.handle(mux, "POST /unsubscribe", s.unsubscribe)
	s.handle(mux, "GET /tag/{slug}", s.page(s.tagArchive, archiveParams...))
	s.handle(mux, "GET /author/{slug}", s.page(s.authorArchive, archiveParams...))
	s.handle(mux, "GET /preview/{id}", s.signedPreview)
	s.handle(mux, "GET /media/{id}/{file}", s.media)
	s.handle(mux, "GET /static/{file}", s.static)
	s.handle(mux, "GET /favicon.ico", s.favicon)
	s.handle(mux, "GET "+cardPath, s.page(s.siteCard))
	s.handle(mux, "GET /robots.txt", s.page(s.robots))
	s.handle(mux, "GET /search", s.searchHandler)
	s.handle(mux, "GET /opensearch.xml", s.page(s.openSearch))
	s.handle(mux, "GET /sitemap.xml", s.page(s.sitemapIndex))
	s.handle(mux, "GET /sitemaps/{file}", s.page(s.sitemap))
	s.handle(mux, "GET /healthz", s.healthz)
	s.handle(mux, "GET /metrics", s.metricsPage)

	// The newsroom. Every page names the permission it needs.
	s.handle(admin, "GET /admin/login", s.loginForm)
	s.handle(admin, "POST /admin/login", s.login)
	s.handle(admin, "GET /admin/forgot", s.forgotForm)
	s.handle(admin, "POST /admin/forgot", s.forgot)
	s.handle(admin, "GET /admin/reset", s.resetForm)
	s.handle(admin, "POST /admin/reset", s.reset)
	s.handle(admin, "GET /admin/setup", s.setupForm)
	s.handle(admin, "POST /admin/setup", s.setup)
	s.handle(admin, "GET /admin/login/verify", s.verifyForm)
	s.handle(admin, "POST /admin/login/verify", s.verify)
	s.handle(admin, "POST /admin/login/verify/passkey/options", s.passkeyRoute(s.verifyPasskeyOptions))
	s.handle(admin, "POST /admin/login/verify/passkey", s.passkeyRoute(s.verifyPasskey))
	s.handle(admin, "POST /admin/login/passkey/options", s.passkeyRoute(s.signInPasskeyOptions))
	s.handle(admin, "POST /admin/login/passkey", s.passkeyRoute(s.signInPasskey))
	s.handle(admin, "POST /admin/logout", s.enrolling(s.logout))
	s.handle(admin, "GET /admin/account/security", s.enrolling(s.securityPage))
	s.handle(admin, "POST /admin/account/passkeys/options", s.enrolling(s.passkeyRoute(s.passkeyRegisterOptions)))
	s.handle(admin, "POST /admin/account/passkeys", s.enrolling(s.passkeyRoute(s.registerPasskey)))
	s.handle(admin, "POST /admin/account/passkeys/{key}/delete", s.enrolling(s.deletePasskey))
	s.handle(admin, "POST /admin/account/totp", s.enrolling(s.startTOTP))
	s.handle(admin, "POST /admin/account/totp/confirm", s.enrolling(s.confirmTOTP))
	s.handle(admin, "POST /admin/account/totp/delete", s.enrolling(s.deleteTOTP))
	s.handle(admin, "POST /admin/account/recovery", s.enrolling(s.makeRecoveryCodes))
	s.handle(admin, "GET /admin/account/confirm", s.enrolling(s.stepUpForm))
	s.handle(admin, "POST /admin/account/confirm", s.enrolling(s.stepUp))
	s.handle(admin, "POST /admin/account/confirm/passkey/options", s.enrolling(s.passkeyRoute(s.stepUpPasskeyOptions)))
	s.handle(admin, "POST /admin/account/confirm/passkey", s.enrolling(s.passkeyRoute(s.stepUpPasskey)))
	s.handle(admin, "GET /admin", s.staff(account.WriteDrafts, s.adminHome))
	s.handle(admin, "GET /admin/articles", s.staff(account.WriteDrafts, s.adminArticles))
	s.handle(admin, "GET /admin/articles/new", s.staff(account.WriteDrafts, s.newArticle))
	s.handle(admin, "POST /admin/articles", s.staff(account.WriteDrafts, s.createArticle))
	s.handle(admin, "POST /admin/articles/preview", s.staff(account.WriteDrafts, s.previewArticle))
	s.handle(admin, "GET /admin/articles/{id}", s.staff(account.WriteDrafts, s.editArticle))
	s.handle(admin, "POST /admin/articles/{id}", s.staff(account.WriteDrafts, s.saveArticle))
	s.handle(admin, "GET /admin/articles/{id}/revisions", s.staff(account.WriteDrafts, s.articleRevisions))
	s.handle(admin, "POST /admin/articles/{id}/restore", s.staff(account.WriteDrafts, s.restoreRevision))
	s.handle(admin, "POST /admin/articles/{id}/notes", s.staff(account.PublishOwn, s.addNote))
	s.handle(admin, "POST /admin/articles/{id}/coverage", s.staff(account.PublishOwn, s.setCoverage))
	s.handle(admin, "GET /admin/articles/{id}/live", s.staff(account.PublishOwn, s.liveDesk))
	s.handle(admin, "POST /admin/articles/{id}/live", s.staff(account.PublishOwn, s.postLiveUpdate))
	s.handle(admin, "GET /admin/articles/{id}/live/{update}", s.staff(account.PublishOwn, s.editLiveUpdate))
	s.handle(admin, "POST /admin/articles/{id}/live/{update}", s.staff(account.PublishOwn, s.saveLiveUpdate))
	s.handle(admin, "GET /admin/articles/{id}/live/{update}/delete", s.staff(account.PublishOwn, s.confirmDeleteLiveUpdate))
	s.handle(admin, "POST /admin/articles/{id}/live/{update}/delete", s.staff(account.PublishOwn, s.deleteLiveUpdate))
	s.handle(admin, "GET /admin/media", s.staff(account.UploadMedia, s.mediaPage))
	s.handle(admin, "GET /admin/media.json", s.staff(account.UploadMedia, s.mediaJSON))
	s.handle(admin, "POST /admin/media", s.staff(account.UploadMedia, s.uploadMedia))
	s.handle(admin, "GET /admin/account", s.enrolling(s.accountPage))
	s.handle(admin, "POST /admin/account/password", s.enrolling(s.changePassword))
	s.handle(admin, "POST /admin/account/sessions/{id}/revoke", s.enrolling(s.revokeSession))
	s.handle(admin, "POST /admin/account/tokens", s.staff(account.WriteDrafts, s.createToken))
	s.handle(admin, "POST /admin/account/tokens/{id}/revoke", s.enrolling(s.revokeToken))
	s.handle(admin, "GET /admin/banner", s.staff(account.ManageTaxonomy, s.bannerPage))
	s.handle(admin, "POST /admin/banner", s.staff(account.ManageTaxonomy, s.setBanner))
	s.handle(admin, "GET /admin/{kind}", s.staff(account.ManageTaxonomy, s.taxonomyPage))
	s.handle(admin, "POST /admin/{kind}", s.staff(account.ManageTaxonomy, s.saveTaxonomy))
	s.handle(admin, "POST /admin/{kind}/{id}", s.staff(account.ManageTaxonomy, s.saveTaxonomy))
	s.handle(admin, "GET /admin/settings", s.staff(account.ManageSettings, s.settingsPage))
	s.handle(admin, "POST /admin/settings", s.staff(account.ManageSettings, s.saveSettings))
	s.handle(admin, "GET /admin/comments", s.staff(account.ManageTaxonomy, s.moderationPage))
	s.handle(admin, "POST /admin/comments", s.staff(account.ManageTaxonomy, s.moderate))
	s.handle(admin, "POST /admin/comments/blocklist", s.staff(account.ManageTaxonomy, s.saveBlocklist))
	s.handle(admin, "POST /admin/comments/{id}/edit", s.staff(account.ManageTaxonomy, s.moderatorEdit))
	s.handle(admin, "GET /admin/commenters", s.staff(account.ManageUsers, s.commentersPage))
	s.handle(admin, "GET /admin/commenters/export", s.staff(account.ManageUsers, s.exportCommenter))
	s.handle(admin, "POST /admin/commenters/erase", s.staff(account.ManageUsers, s.eraseCommenter))
	s.handle(admin, "GET /admin/subscribers", s.staff(account.ManageUsers, s.subscribersPage))
	s.handle(admin, "GET /admin/subscribers/export", s.staff(account.ManageUsers, s.exportSubscribers))
	s.handle(admin, "POST /admin/subscribers/import", s.staff(account.ManageUsers, s.importSubscribers))
	s.handle(admin, "POST /admin/subscribers/erase", s.staff(account.ManageUsers, s.eraseSubscriber))
	s.handle(admin, "GET /admin/mail", s.staff(account.ManageSettings, s.mailPage))
	s.handle(admin, "GET /admin/backups", s.staff(account.ManageSettings, s.backupsPage))
	s.handle(admin, "POST /admin/export", s.staff(account.ManageSettings, s.exportDownload))
	s.handle(admin, "GET /admin/redirects", s.staff(account.ManageSettings, s.redirectsPage))
	s.handle(admin, "POST /admin/redirects", s.staff(account.ManageSettings, s.createRedirect))
	s.handle(admin, "GET /admin/redirects/{id}", s.staff(account.ManageSettings, s.redirectPage))
	s.handle(admin, "POST /admin/redirects/{id}", s.staff(account.ManageSettings, s.saveRedirect))
	s.handle(admin, "POST /admin/redirects/{id}/delete", s.staff(account.ManageSettings, s.deleteRedirect))
	s.handle(admin, "POST /admin/mail/retry", s.staff(account.ManageSettings, s.retryMail))
	s.handle(admin, "GET /admin/mail/{id}", s.staff(account.ManageSettings, s.mailMessage))
	s.handle(admin, "POST /admin/mail/{id}/retry", s.staff(account.ManageSettings, s.retryMail))
	s.handle(admin, "GET /admin/webhooks", s.staff(account.ManageSettings, s.webhooksPage))
	s.handle(admin, "POST /admin/webhooks", s.staff(account.ManageSettings, s.createWebhook))
	s.handle(admin, "GET /admin/webhooks/{id}", s.staff(account.ManageSettings, s.onWebhook(s.webhookPage)))
	s.handle(admin, "POST /admin/webhooks/{id}", s.staff(account.ManageSettings, s.onWebhook(s.saveWebhook)))
	s.handle(admin, "POST /admin/webhooks/{id}/rotate", s.staff(account.ManageSettings, s.onWebhook(s.rotateWebhook)))
	s.handle(admin, "POST /admin/webhooks/{id}/delete", s.staff(account.ManageSettings, s.onWebhook(s.deleteWebhook)))
	s.handle(admin, "POST /admin/webhooks/{id}/test", s.staff(account.ManageSettings, s.onWebhook(s.testWebhook)))
	s.handle(admin, "POST /admin/webhooks/{id}/deliveries/{delivery}/resend", s.staff(account.ManageSettings, s.onWebhook(s.resendWebhook)))
	s.handle(admin, "GET /admin/users", s.staff(account.ManageUsers, s.usersPage))
	s.handle(admin, "POST /admin/users", s.staff(account.ManageUsers, s.createUser))
	s.handle(admin, "POST /admin/users/{id}", s.staff(account.ManageUsers, s.updateUser))
	s.handle(admin, "POST /admin/users/{id}/second-step/reset", s.staff(account.ManageUsers, s.resetSecondStep))
	s.handle(admin, "GET /admin/audit", s.staff(account.ViewAudit, s.auditPage))

	s.handle(admin, "/admin/", s.fallback)

	// Everything under /api/v1/ is the API's (internal/api), the site's
	// own JSON endpoints among them: the anti-bot challenge, comments and
	// subscriptions.
	root := http.NewServeMux()
	root.HandleFunc("/api/v1/", s.apiRest)
	root.Handle("/admin", admin)
	root.Handle("/admin/", admin)
	s.handle(mux, "/", s.fallback)
	root.Handle("/", s.editions(mux))
	s.root = root
	return root
}

// Body limits: how much of a request body each route may read, in this one
// place. Every route gets maxFormBytes unless named here; the API mounted
// under /api/v1/ caps its own bodies (internal/api: the comment and
// subscription endpoints take what these forms take). See capBody.
const (
	// maxFormBytes holds any form of the site: a comment of 5,000
	// characters in any script, its other fields and the anti-bot payload.
	maxFormBytes   = 64 << 10
	maxEditorBytes = 1 << 20  // an article from the editor, Markdown and fields
	maxImportBytes = 20 << 20 // a subscriber CSV
	// maxLiveBytes holds a live update of the longest (liveblog.MaxBody
	// characters, each up to four bytes and each byte percent-encoded
	// in three) and its other fields.
	maxLiveBytes = 192 << 10
)

// maxUploadBytes holds the largest image accepted and its fields.
var maxUploadBytes = media.DefaultLimits.MaxBytes + 1<<20

var bodyLimits = map[string]bodyCap{
	"POST /{section}/{slug}/comments":         {bytes: maxFormBytes, msg: "comment.too_large"},
	"POST /admin/articles":                    {bytes: maxEditorBytes},
	"POST /admin/articles/preview":            {bytes: maxEditorBytes},
	"POST /admin/articles/{id}":               {bytes: maxEditorBytes},
	"POST /admin/articles/{id}/live":          {bytes: maxLiveBytes},
	"POST /admin/articles/{id}/live/{update}": {bytes: maxLiveBytes},
	"POST /admin/media":                       {bytes: maxUploadBytes, upload: true, msg: "admin.media.too_large"},
	"POST /admin/subscribers/import":          {bytes: maxImportBytes, upload: true},
}

// adminRoutes lists every newsroom route with the least role that may use
// it, for the test that walks them all with every role.
var adminRoutes = []struct {
	method, path string
	min          account.Role // "" means anyone, signed in or not
}{
	{"GET", "/admin/login", ""},
	{"GET", "/admin/setup", ""},
	{"GET", "/admin/forgot", ""},
	{"GET", "/admin", account.Contributor},
	{"GET", "/admin/articles", account.Contributor},
	{"GET", "/admin/articles/new", account.Contributor},
	{"POST", "/admin/articles", account.Contributor},
	{"POST", "/admin/articles/preview", account.Contributor},
	// A live blog's composer, on an article that is not there: the role
	// is refused before the article is looked for.
	{"GET", "/admin/articles/1/live", account.Author},
	{"POST", "/admin/articles/1/live", account.Author},
	{"GET", "/admin/articles/1/live/1", account.Author},
	{"POST", "/admin/articles/1/live/1", account.Author},
	{"GET", "/admin/articles/1/live/1/delete", account.Author},
	{"POST", "/admin/articles/1/live/1/delete", account.Author},
	{"POST", "/admin/articles/1/coverage", account.Author},
	{"GET", "/admin/account", account.Contributor},
	{"POST", "/admin/account/tokens", account.Contributor},
	{"GET", "/admin/account/security", account.Contributor},
	{"POST", "/admin/account/totp", account.Contributor},
	{"POST", "/admin/account/recovery", account.Contributor},
	{"GET", "/admin/account/confirm", account.Contributor},
	{"POST", "/admin/account/confirm", account.Contributor},
	{"GET", "/admin/media", account.Contributor},
	{"GET", "/admin/media.json", account.Contributor},
	{"POST", "/admin/media", account.Contributor},
	{"GET", "/admin/banner", account.Editor},
	{"POST", "/admin/banner", account.Editor},
	{"GET", "/admin/sections", account.Editor},
	{"POST", "/admin/sections", account.Editor},
	{"GET", "/admin/tags", account.Editor},
	{"GET", "/admin/authors", account.Editor},
	{"POST", "/admin/authors", account.Editor},
	{"GET", "/admin/settings", account.Admin},
	{"POST", "/admin/settings", account.Admin},
	{"GET", "/admin/comments", account.Editor},
	{"POST", "/admin/comments", account.Editor},
	{"POST", "/admin/comments/blocklist", account.Editor},
	{"GET", "/admin/commenters", account.Admin},
	{"GET", "/admin/commenters/export", account.Admin},
	{"POST", "/admin/commenters/erase", account.Admin},
	{"GET", "/admin/subscribers", account.Admin},
	{"GET", "/admin/subscribers/export", account.Admin},
	{"POST", "/admin/subscribers/import", account.Admin},
	{"POST", "/admin/subscribers/erase", account.Admin},
	{"GET", "/admin/mail", account.Admin},
	{"GET", "/admin/backups", account.Admin},
	{"POST", "/admin/export", account.Admin},
	{"GET", "/admin/redirects", account.Admin},
	{"POST", "/admin/redirects", account.Admin},
	{"POST", "/admin/mail/retry", account.Admin},
	{"GET", "/admin/webhooks", account.Admin},
	{"POST", "/admin/webhooks", account.Admin},
	{"GET", "/admin/users", account.Admin},
	{"POST", "/admin/users", account.Admin},
	// An account that is not there: resetting a real one would sign it out.
	{"POST", "/admin/users/999/second-step/reset", account.Admin},
	{"GET", "/admin/audit", account.Admin},
}

// GET /admin
func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) {
	redirect(w, r, "/admin/articles", http.StatusSeeOther)
}

// GET /favicon.ico: browsers ask for it whatever the page says.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	redirect(w, r, s.assetURL("favicon.svg"), http.StatusMovedPermanently)
}
