package wordpress

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/media"
	"broadsheet/internal/redirect"
)

// Store is what an import reads and writes of the site.
type Store interface {
	Site(ctx context.Context) (article.Site, error)
	Sections(ctx context.Context) ([]article.Section, error)
	CreateSection(ctx context.Context, s *article.Section) error
	TagBySlug(ctx context.Context, slug string) (*article.Tag, error)
	CreateTag(ctx context.Context, t *article.Tag) error
	AuthorBySlug(ctx context.Context, slug string) (*article.Author, error)
	CreateAuthor(ctx context.Context, a *article.Author) error
	UserByEmail(ctx context.Context, email string) (*account.User, error)
	CreateUser(ctx context.Context, u *account.User) error
	ImageByID(ctx context.Context, id int64) (*article.Image, error)
	ImageBySourceHash(ctx context.Context, hash string) (*article.Image, error)
	CreateImage(ctx context.Context, img *article.Image, variants []article.Variant) error
	ImportedID(ctx context.Context, o article.Origin) (int64, error)
	RememberImport(ctx context.Context, o article.Origin, id int64) error
	ImportArticle(ctx context.Context, o article.Origin, a *article.Article, comments []comment.Imported) (article.ImportResult, error)
	ImportArticles(ctx context.Context, group []comment.ArticleImport) error
	ImportComments(ctx context.Context, o article.Origin, comments []comment.Imported) (int, error)
	ImportPage(ctx context.Context, o article.Origin, p *article.Page) (bool, error)
	PutRedirects(ctx context.Context, rs []redirect.Redirect) (redirect.PutResult, error)
	Analyze(ctx context.Context) error
}

// Options shape an import.
type Options struct {
	// Uploads is a copy of the old site's wp-content/uploads, where the
	// attachments' files are looked for; "" when there is none.
	Uploads string
	// Accounts gives every author with an email address a newsroom
	// account (a contributor's) without a password, to be set through the
	// password-reset link.
	Accounts bool
	// Location is the old site's time zone, for the dates an export gives
	// only in local time (drafts'); nil is UTC.
	Location *time.Location
	// Progress, when set, hears how far each stage is: "read" and "import"
	// in bytes of the export, "media" in attachments.
	Progress func(stage string, done, total int64)
	// Size is the export's length in bytes, for Progress.
	Size int64
}

// featured is the tag a sticky post is given: WordPress keeps it at the
// top of the front page, and the newsroom finds such posts by it.
var featured = article.Tag{Slug: "featured", Name: "Featured"}

// Import brings a WordPress export into the site st: authors, categories
// and tags as they are used, the attachments' images (found under
// opts.Uploads), posts with their comments, static pages, and a redirect
// from every old address. open gives the export from its start; it is
// read twice, so that no more than one item is held at a time: first for
// the attachments and reusable blocks posts refer to, then for the posts.
// What was imported before (the ids are remembered per site) is not
// written again, except the comments it has gained since.
//
// A bad item is reported in the summary and skipped; only a failure of
// the export as a whole (it cannot be read at all) or of the store ends
// the import, with what was written so far kept.
func Import(ctx context.Context, open func() (io.ReadCloser, error), st Store, opts Options) (*Summary, error) {
	return run(ctx, open, st, opts)
}

// Survey reads a whole export and says what importing it would do,
// without writing anything: Import's counting, with nothing written.
// Attachments are counted as found (their files are looked for under
// opts.Uploads when it is given); images in posts that name no
// attachment of the export are noted.
func Survey(ctx context.Context, open func() (io.ReadCloser, error), opts Options) (*Summary, error) {
	return run(ctx, open, nil, opts)
}

// importer is one run of Import or Survey (st nil).
type importer struct {
	st     Store
	opts   Options
	x      *Export
	s      *Summary
	source string
	lang   string

	attachments map[int64]*attachment
	byUpload    map[string]int64    // an attachment's address, by uploadKey
	blocks      map[int64]string    // reusable blocks' content
	cats        map[string]Category // by nicename
	catParents  map[string]string

	sections    map[string]article.Section // by slug
	bySection   map[string]article.Section // a category's section, by nicename
	tags        map[string]article.Tag     // by origin kind and nicename
	authors     map[string]article.Author  // by login
	fallback    *article.Section
	termTargets map[string]bool // a term's old addresses redirected, true when to a section
	redirects   []redirect.Redirect
	years       map[string]bool
	pending     []pendingPost // posts to be written together
	analyzed    int           // articles written when the statistics were last taken
}

// attachment is what pass one learns of an attachment.
type attachment struct {
	id                  int64
	line                int
	url, file           string // its address, and its path under uploads
	alt, caption, title string
	credit              string
	altGuessed          bool     // alt is its caption or title: it had none
	sizes               []string // the file names of its resized copies
	paths               []string // the old addresses of its page
	image               int64    // the image it became, 0 when none
	show                string   // the path of the size a post shows
	largest             string   // the path of its largest size
}

func run(ctx context.Context, open func() (io.ReadCloser, error), st Store, opts Options) (*Summary, error) {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	im := &importer{st: st, opts: opts,
		s: &Summary{Articles: map[article.Status]int{}, Comments: map[comment.Status]int{}, LeftOut: map[string]int{}, Notes: map[string]int{},
			Written: map[string]int{}, Before: map[string]int{}},
		attachments: map[int64]*attachment{}, byUpload: map[string]int64{}, blocks: map[int64]string{},
		cats: map[string]Category{}, catParents: map[string]string{}, sections: map[string]article.Section{}, bySection: map[string]article.Section{},
		tags: map[string]article.Tag{}, authors: map[string]article.Author{}, termTargets: map[string]bool{}, years: map[string]bool{}}
	if err := im.pass(ctx, open, "read", nil, im.first); err != nil {
		return im.s, err
	}
	if err := im.prepare(ctx); err != nil {
		return im.s, err
	}
	err := im.pass(ctx, open, "import", im.prep, im.second)
	if err == nil && im.st != nil {
		err = im.writePending(ctx)
	}
	if err != nil {
		return im.s, err
	}
	if err := im.finish(ctx); err != nil {
		return im.s, err
	}
	slices.SortFunc(im.s.Problems, func(a, b Problem) int { return cmp.Or(a.Line-b.Line, cmp.Compare(a.What, b.What)) })
	return im.s, nil
}

// pass reads the export once, giving each item to fn. With prep, the
// items are read, and prep run on each, a few items ahead of fn, on
// another goroutine: the reading and converting of one post goes on
// while the one before is written. prep must not change the importer.
func (im *importer) pass(ctx context.Context, open func() (io.ReadCloser, error), stage string,
	prep func(ctx context.Context, it *Item) *prepared, fn func(ctx context.Context, it *Item, p *prepared) error) error {
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	rd := NewReader(f)
	x, err := rd.Header()
	if err != nil {
		return err
	}
	first := im.x == nil
	if first {
		im.header(x)
	}
	// Each item is read in one pass: posts and pages in the second, the
	// rest (attachments, reusable blocks) in the first.
	posts := func(t string) bool { return t == "post" || t == "page" }
	rd.Only = posts
	if first {
		rd.Only = func(t string) bool { return !posts(t) }
	}
	report := func(offset int64) {
		if im.opts.Progress != nil {
			im.opts.Progress(stage, offset, im.opts.Size)
		}
	}
	report(rd.Offset())
	type read struct {
		it     *Item
		p      *prepared
		offset int64
		err    error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	items := make(chan read, 32)
	go func() {
		defer close(items)
		for {
			it, err := rd.Next()
			r := read{it: it, offset: rd.Offset(), err: err}
			if err == nil && prep != nil {
				r.p = prep(ctx, it)
			}
			select {
			case items <- r:
			case <-ctx.Done():
				return
			}
			var ie *ItemError
			if err != nil && !errors.As(err, &ie) {
				return // the end, or an export that cannot be read on
			}
		}
	}()
	for n := 0; ; n++ {
		var r read
		select {
		case r = <-items:
		case <-ctx.Done():
			return ctx.Err()
		}
		if errors.Is(r.err, io.EOF) {
			break
		}
		var ie *ItemError
		if errors.As(r.err, &ie) {
			if first != posts(ie.Type) {
				im.problem(ie.Line, ie.ID, "%s", ie.Err)
			}
			continue
		}
		if r.err != nil {
			return r.err
		}
		if err := fn(ctx, r.it, r.p); err != nil {
			return err
		}
		if n%64 == 0 {
			report(r.offset)
		}
	}
	report(rd.Offset())
	im.s.Dropped += rd.Dropped
	return nil
}

func (im *importer) problem(line int, id int64, format string, args ...any) {
	im.s.Problems = append(im.s.Problems, Problem{Line: line, ID: id, What: fmt.Sprintf(format, args...)})
}

// header takes in what the channel says of the old site.
func (im *importer) header(x *Export) {
	im.x = x
	base := strings.TrimSuffix(cmp.Or(x.BaseBlogURL, x.BaseSiteURL, x.Link), "/")
	im.source = "wordpress " + base
	im.s.Title, im.s.Version = x.Title, x.Version
	im.s.Sections, im.s.Tags, im.s.Authors = len(x.Categories), len(x.Tags), len(x.Authors)
	for _, c := range x.Categories {
		im.cats[c.Slug] = c
		im.catParents[c.Slug] = c.Parent
	}
	if lang, _, _ := strings.Cut(x.Language, "-"); lang != "" && len(lang) <= 3 {
		im.lang = strings.ToLower(lang)
	}
}

// first is pass one: attachments and reusable blocks, which posts refer
// to, and what is left out.
func (im *importer) first(_ context.Context, it *Item, _ *prepared) error {
	switch it.Type {
	case "attachment":
		im.s.Attachments++
		a := &attachment{id: it.ID, line: it.Line, url: strings.TrimSpace(it.AttachmentURL), title: plain(it.Title), caption: plain(it.Excerpt)}
		a.alt, _ = it.MetaValue("_wp_attachment_image_alt")
		if a.alt = plain(a.alt); a.alt == "" {
			// No alt text on the old site: its caption or title, which is
			// often the file's name, in words.
			a.alt = strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(cmp.Or(a.caption, a.title)))
			a.altGuessed = a.alt != ""
		}
		a.file, _ = it.MetaValue("_wp_attached_file")
		if a.file == "" {
			a.file = uploadPath(a.url)
		}
		if m, ok := it.MetaValue("_wp_attachment_metadata"); ok {
			a.credit, a.sizes = attachmentMeta(m)
		}
		a.paths = ItemPaths(im.x, it)
		im.attachments[it.ID] = a
		if a.url != "" {
			im.byUpload[uploadKey(a.url)] = it.ID
		}
		if a.file != "" {
			im.byUpload[uploadKey(a.file)] = it.ID
		}
	case "wp_block":
		if it.Status == "publish" {
			im.blocks[it.ID] = it.Content
		}
	case "post", "page":
	default:
		im.s.LeftOut[it.Type+" items"]++
	}
	return nil
}

var (
	phpCredit = lazyRegexp(`s:6:"credit";s:\d+:"([^"]*)"`)
	phpFile   = lazyRegexp(`s:4:"file";s:\d+:"([^"]+)"`)
)

// attachmentMeta reads the credit and the resized copies' file names out
// of an attachment's metadata, which WordPress writes as a serialized PHP
// array: the two strings are found where they are, without reading PHP.
func attachmentMeta(m string) (credit string, sizes []string) {
	if c := phpCredit().FindStringSubmatch(m); c != nil {
		credit = plain(c[1])
	}
	for i, f := range phpFile().FindAllStringSubmatch(m, -1) {
		if i > 0 && !strings.Contains(f[1], "/") { // the first is the file itself
			sizes = append(sizes, f[1])
		}
	}
	return credit, sizes
}

// uploadPath is an upload's path under wp-content/uploads, from its
// address ("" when it is not under it).
func uploadPath(addr string) string {
	u, err := url.Parse(addr)
	if err != nil {
		return ""
	}
	_, rest, ok := strings.Cut(u.Path, "/wp-content/uploads/")
	if !ok {
		return ""
	}
	return rest
}

// uploadKey is how an upload is known whatever the host or scheme it was
// written with: its path under uploads, or else what was given (an
// address elsewhere, or a path under uploads already).
func uploadKey(addr string) string {
	if p := uploadPath(addr); p != "" {
		return p
	}
	return addr
}

// plain is a WordPress title or excerpt as text: entities decoded, tags
// and runs of space dropped.
func plain(s string) string {
	if strings.ContainsAny(s, "<&") {
		s = html.UnescapeString(htmlText(s))
	}
	return strings.Join(strings.Fields(s), " ")
}

// prepare runs between the passes: authors (and their accounts), the
// attachments' images, and the site's sections.
func (im *importer) prepare(ctx context.Context) error {
	if im.st == nil {
		return im.surveyMedia()
	}
	site, err := im.st.Site(ctx)
	if err != nil {
		return err
	}
	if im.lang == "" {
		im.lang = cmp.Or(site.Language, "en")
	}
	secs, err := im.st.Sections(ctx)
	if err != nil {
		return err
	}
	for _, s := range secs {
		im.sections[s.Slug] = s
	}
	for _, a := range im.x.Authors {
		if err := im.author(ctx, a); err != nil {
			return err
		}
	}
	return im.media(ctx)
}

// surveyMedia is what a dry run knows of the attachments: each found in
// the export, and its file looked for under the uploads.
func (im *importer) surveyMedia() error {
	root, err := im.uploads()
	if err != nil {
		return err
	}
	for _, a := range im.sortedAttachments() {
		a.show = "/media/" + strconv.FormatInt(a.id, 10)
		if root == nil {
			continue
		}
		if _, err := root.Stat(a.file); err != nil || a.file == "" {
			im.problem(a.line, a.id, "its file %s is not under the uploads directory", cmp.Or(a.file, a.url))
		}
	}
	if root != nil {
		root.Close()
	}
	return nil
}

func (im *importer) uploads() (*os.Root, error) {
	if im.opts.Uploads == "" {
		return nil, nil
	}
	root, err := os.OpenRoot(im.opts.Uploads)
	if err != nil {
		return nil, fmt.Errorf("the uploads directory: %w", err)
	}
	return root, nil
}

func (im *importer) sortedAttachments() []*attachment {
	list := make([]*attachment, 0, len(im.attachments))
	for _, a := range im.attachments {
		list = append(list, a)
	}
	slices.SortFunc(list, func(a, b *attachment) int { return cmp.Compare(a.id, b.id) })
	return list
}

// author finds or makes the byline of a WordPress author, and with
// Accounts its newsroom account.
func (im *importer) author(ctx context.Context, a Author) error {
	o := article.Origin{Source: im.source, Kind: "author", ID: a.ID}
	slug := article.Slugify(a.Login)
	if slug == "" {
		slug = "author-" + strconv.FormatInt(a.ID, 10)
	}
	name := plain(cmp.Or(a.DisplayName, strings.TrimSpace(a.FirstName+" "+a.LastName), a.Login))
	au, err := im.st.AuthorBySlug(ctx, slug)
	switch {
	case err == nil:
		im.s.Before["authors"]++
	case errors.Is(err, article.ErrNotFound):
		au = &article.Author{Slug: slug, Name: name}
		if err := im.st.CreateAuthor(ctx, au); err != nil {
			im.problem(0, 0, "author %s: %v", a.Login, err)
			return nil
		}
		im.s.Written["authors"]++
	default:
		return err
	}
	im.authors[a.Login] = *au
	if a.ID != 0 {
		if err := im.st.RememberImport(ctx, o, au.ID); err != nil {
			return err
		}
	}
	im.addTermRedirects(AuthorPaths(a), "/author/"+au.Slug)
	if !im.opts.Accounts || strings.TrimSpace(a.Email) == "" {
		return nil
	}
	email := strings.TrimSpace(a.Email)
	if _, err := im.st.UserByEmail(ctx, email); err == nil {
		im.s.Before["accounts"]++
		return nil
	} else if !errors.Is(err, account.ErrNotFound) {
		return err
	}
	u := &account.User{Email: email, Name: name, Role: account.Contributor, AuthorID: au.ID}
	if err := im.st.CreateUser(ctx, u); err != nil {
		var inv *account.InvalidError
		if errors.As(err, &inv) || errors.Is(err, account.ErrConflict) {
			im.problem(0, 0, "no account for author %s: %v", a.Login, err)
			return nil
		}
		return err
	}
	im.s.Written["accounts"]++
	return nil
}

// media brings each image attachment into the media library, once: an
// attachment imported before, or a file already in the library, is the
// image it was.
func (im *importer) media(ctx context.Context) error {
	root, err := im.uploads()
	if err != nil {
		return err
	}
	if root != nil {
		defer root.Close()
	}
	list := im.sortedAttachments()
	for i, a := range list {
		if im.opts.Progress != nil {
			im.opts.Progress("media", int64(i), int64(len(list)))
		}
		if err := im.attachment(ctx, root, a); err != nil {
			return err
		}
		if a.image == 0 {
			continue
		}
		img, err := im.st.ImageByID(ctx, a.image)
		if errors.Is(err, article.ErrNotFound) {
			a.image = 0 // deleted here since
			continue
		}
		if err != nil {
			return err
		}
		a.show, a.largest = imagePaths(img)
		im.mediaRedirects(a)
	}
	if im.opts.Progress != nil {
		im.opts.Progress("media", int64(len(list)), int64(len(list)))
	}
	return nil
}

// imagePaths are the paths of the size of img a post shows (the widest up
// to 1200 pixels) and of its largest size.
func imagePaths(img *article.Image) (show, largest string) {
	if len(img.Variants) == 0 {
		return "", ""
	}
	w, top := img.Variants[0], img.Variants[0]
	for _, v := range img.Variants {
		if v <= 1200 {
			w = v
		}
		top = max(top, v)
	}
	p := func(w int) string { return fmt.Sprintf("/media/%d/%d.jpg", img.ID, w) }
	return p(w), p(top)
}

// attachment imports one attachment's image, setting a.image.
func (im *importer) attachment(ctx context.Context, root *os.Root, a *attachment) error {
	o := article.Origin{Source: im.source, Kind: "attachment", ID: a.id}
	id, err := im.st.ImportedID(ctx, o)
	if err != nil {
		return err
	}
	if id != 0 {
		a.image = id
		im.s.Before["images"]++
		return nil
	}
	if !isImage(a.file) {
		im.s.LeftOut["attachments that are not images"]++
		return nil
	}
	if root == nil {
		im.s.LeftOut["images (no uploads directory was given)"]++
		return nil
	}
	data, err := readUpload(root, a.file)
	if err != nil {
		im.problem(a.line, a.id, "image %s not imported: %v", a.file, err)
		return nil
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	img, err := im.st.ImageBySourceHash(ctx, hash)
	switch {
	case err == nil:
		im.s.Before["images"]++
	case errors.Is(err, article.ErrNotFound):
		res, err := media.Process(bytes.NewReader(data), media.DefaultLimits)
		if err != nil {
			im.problem(a.line, a.id, "image %s not imported: %s", a.file, media.Message(err))
			return nil
		}
		img = &article.Image{Alt: a.alt, Caption: a.caption, Credit: a.credit, Width: res.Width, Height: res.Height, SourceHash: hash}
		if a.altGuessed {
			im.s.Notes["an image without alt text is described by its caption or title: check it in the media library"]++
		}
		variants := make([]article.Variant, 0, len(res.Variants))
		for _, v := range res.Variants {
			variants = append(variants, article.Variant{Width: v.Width, Height: v.Height, ContentType: v.ContentType, Bytes: v.Bytes})
		}
		if err := im.st.CreateImage(ctx, img, variants); err != nil {
			return err
		}
		im.s.Written["images"]++
	default:
		return err
	}
	a.image = img.ID
	return im.st.RememberImport(ctx, o, img.ID)
}

// readUpload reads a file under the uploads directory, which it cannot
// leave, up to the size an upload may have.
func readUpload(root *os.Root, name string) ([]byte, error) {
	if name == "" {
		return nil, errors.New("the export gives no file")
	}
	name, err := url.PathUnescape(name)
	if err != nil {
		return nil, err
	}
	f, err := root.Open(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("not found under the uploads directory")
		}
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, media.DefaultLimits.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > media.DefaultLimits.MaxBytes {
		return nil, fmt.Errorf("larger than an upload may be (%d MB)", media.DefaultLimits.MaxBytes>>20)
	}
	return data, nil
}

func isImage(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp":
		return true
	}
	return false
}

// mediaRedirects lead an imported image's old addresses (its file, its
// resized copies, its attachment page) to its largest size.
func (im *importer) mediaRedirects(a *attachment) {
	var from []string
	if a.file != "" {
		dir := path.Dir(a.file)
		from = append(from, "/wp-content/uploads/"+a.file)
		for _, s := range a.sizes {
			from = append(from, "/wp-content/uploads/"+path.Join(dir, s))
		}
	}
	from = append(from, a.paths...)
	for _, p := range dedupe(from) {
		im.redirect(p, a.largest)
	}
}

// redirect adds one old address to the redirects to write.
func (im *importer) redirect(from, to string) {
	if from == "" || to == "" {
		return
	}
	im.s.OldAddresses++
	if im.st != nil {
		im.redirects = append(im.redirects, redirect.Redirect{FromPath: from, ToURL: to, Source: redirect.WordPress})
	}
}

func (im *importer) addTermRedirects(paths []string, to string) {
	for _, p := range paths {
		im.redirect(p, to)
	}
}

// flush writes the redirects gathered so far.
func (im *importer) flush(ctx context.Context) error {
	if len(im.redirects) == 0 {
		return nil
	}
	res, err := im.st.PutRedirects(ctx, im.redirects)
	if err != nil {
		return fmt.Errorf("redirects: %w", err)
	}
	im.redirects = im.redirects[:0]
	im.s.Redirects.Added += res.Added
	im.s.Redirects.Updated += res.Updated
	im.s.Redirects.Unchanged += res.Unchanged
	im.s.Redirects.Kept += res.Kept
	im.s.Redirects.Skipped += res.Skipped
	return nil
}

// resolve is the Media of a post's conversion: an attachment by its id or
// by any address of its file.
func (im *importer) resolve(src string, id int64) (string, string, bool) {
	a := im.attachments[id]
	if a == nil || a.show == "" {
		a = im.attachments[im.byUpload[uploadKey(src)]]
	}
	if a == nil || a.show == "" {
		return "", "", false
	}
	return a.show, a.alt, true
}

// reusable matches a reference to a reusable block.
var reusable = lazyRegexp(`<!--\s*wp:block\s+(\{[^}]*\})\s*/-->`)
var blockRef = lazyRegexp(`"ref"\s*:\s*(\d+)`)

// expandBlocks puts the content of the reusable blocks the export holds
// where a post refers to them (one level: a block inside a block is
// left to the conversion to note).
func (im *importer) expandBlocks(content string) string {
	if len(im.blocks) == 0 || !strings.Contains(content, "wp:block") {
		return content
	}
	return reusable().ReplaceAllStringFunc(content, func(m string) string {
		ref := blockRef().FindStringSubmatch(m)
		if ref == nil {
			return m
		}
		id, _ := strconv.ParseInt(ref[1], 10, 64)
		if b, ok := im.blocks[id]; ok {
			return b
		}
		return m
	})
}

// prepared is what pass two works out of an item before it writes
// anything: its text converted, with notes, and its comments.
type prepared struct {
	body     string
	notes    []string
	comments postComments
	before   int64 // the article a post became in an earlier import, if it did
	err      error // of the store, asked that
}

// prep converts an item of pass two. It reads only what pass one
// gathered, and changes nothing.
func (im *importer) prep(ctx context.Context, it *Item) *prepared {
	if it.Type != "post" && it.Type != "page" {
		return nil
	}
	p := &prepared{}
	if it.Type == "post" {
		at, _ := PostTime(it, im.opts.Location)
		p.comments = im.comments(it, at)
		if im.st != nil {
			// A post imported before brings only its new comments: its
			// text is not converted again.
			if p.before, p.err = im.st.ImportedID(ctx, article.Origin{Source: im.source, Kind: "post", ID: it.ID}); p.err != nil || p.before != 0 {
				return p
			}
		}
	}
	p.body, p.notes = Convert(im.expandBlocks(it.Content), im.resolve)
	return p
}

// second is pass two: posts and pages.
func (im *importer) second(ctx context.Context, it *Item, p *prepared) error {
	switch it.Type {
	case "post":
		return im.post(ctx, it, p)
	case "page":
		return im.page(ctx, it, p)
	}
	return nil
}

// post brings one post across with its comments.
func (im *importer) post(ctx context.Context, it *Item, p *prepared) error {
	st, note, ok := ArticleStatus(it.Status)
	if !ok {
		im.s.LeftOut[it.Status+" posts"]++
		return nil
	}
	if note != "" {
		im.s.Notes[note]++
	}
	if it.Password != "" && st != article.Draft {
		st = article.Draft
		im.s.Notes["a password-protected post becomes a draft"]++
	}
	at, ok := PostTime(it, im.opts.Location)
	if !ok && st != article.Draft {
		im.problem(it.Line, it.ID, "no date it was published")
		return nil
	}
	o := article.Origin{Source: im.source, Kind: "post", ID: it.ID}
	im.s.Pingbacks += p.comments.pingbacks
	for why, n := range p.comments.leftOut {
		im.s.LeftOut[why] += n
	}
	comments := p.comments.list
	if p.err != nil {
		return p.err
	}
	if p.before != 0 {
		im.s.Before["articles"]++
		n, err := im.st.ImportComments(ctx, o, comments)
		if errors.Is(err, article.ErrNotFound) {
			return nil // deleted here since
		}
		im.s.Written["comments"] += n
		return err
	}
	a := &article.Article{Slug: Slug(it), Headline: plain(it.Title), Standfirst: plain(it.Excerpt), Status: st, Language: im.lang,
		CommentsClosed: it.CommentStatus == "closed"}
	if a.Headline == "" {
		a.Headline = "Untitled"
		im.s.Notes["a post without a title is called Untitled"]++
	}
	if utf8.RuneCountInString(a.Headline) > article.MaxHeadline {
		im.problem(it.Line, it.ID, "its title is longer than %d characters", article.MaxHeadline)
		return nil
	}
	if utf8.RuneCountInString(a.Standfirst) > article.MaxStandfirst {
		a.Body = a.Standfirst + "\n\n"
		a.Standfirst = ""
		im.s.Notes[fmt.Sprintf("an excerpt longer than %d characters opens the article instead of standing under its headline", article.MaxStandfirst)]++
	}
	if st != article.Draft {
		a.PublishedAt = at
	}
	a.Body += p.body
	for _, n := range p.notes {
		im.s.Notes[n]++
	}
	if len(a.Body) > article.MaxBody {
		im.problem(it.Line, it.ID, "its text is longer than %d bytes", article.MaxBody)
		return nil
	}
	if thumb, ok := it.MetaValue("_thumbnail_id"); ok {
		if id, _ := strconv.ParseInt(strings.TrimSpace(thumb), 10, 64); id != 0 {
			switch att := im.attachments[id]; {
			case att == nil:
				im.problem(it.Line, it.ID, "its featured image %d is not in the export", id)
			case att.image != 0:
				a.LeadImage = &article.Image{ID: att.image}
			case im.st != nil && im.opts.Uploads != "":
				im.problem(it.Line, it.ID, "its featured image %d was not imported", id)
			}
		}
	}
	if a.LeadImage != nil && a.LeadImage.ID != 0 {
		if rest, ok := withoutLead(a.Body, a.LeadImage.ID); ok {
			a.Body = rest
			im.s.Notes["a featured image that also opened the text is shown once, as the lead image"]++
		}
	}
	section, tags, more, hasSection := Sections(it)
	if !hasSection {
		im.problem(it.Line, it.ID, "no category: it goes into the first section")
	}
	count := func() {
		im.s.ExtraSections += more
		im.s.Articles[st]++
		for _, c := range comments {
			im.s.Comments[c.Status]++
		}
	}
	if im.st == nil {
		count()
		im.s.OldAddresses += len(ItemPaths(im.x, it))
		return nil
	}
	var err error
	if a.Section, err = im.section(ctx, section, hasSection); err != nil {
		return err
	}
	for _, t := range tags {
		tag, err := im.tag(ctx, t)
		if err != nil {
			return err
		}
		if tag.ID != 0 && !slices.ContainsFunc(a.Tags, func(x article.Tag) bool { return x.ID == tag.ID }) {
			a.Tags = append(a.Tags, tag)
		}
	}
	if it.Sticky {
		tag, err := im.tag(ctx, ItemTerm{Domain: "featured", Nicename: featured.Slug, Name: featured.Name})
		if err != nil {
			return err
		}
		a.Tags = append(a.Tags, tag)
	}
	if au, ok := im.authors[it.Creator]; ok {
		a.Authors = []article.Author{au}
	}
	im.pending = append(im.pending, pendingPost{it: it, at: at, count: count,
		ArticleImport: comment.ArticleImport{Origin: o, Article: a, Comments: comments}})
	if len(im.pending) >= groupSize {
		return im.writePending(ctx)
	}
	return nil
}

// groupSize is how many posts are written in one transaction: one commit
// (a wait for the disk) for many posts.
const groupSize = 32

// pendingPost is a post waiting for its group to be written.
type pendingPost struct {
	comment.ArticleImport
	it    *Item
	at    time.Time
	count func() // adds it to the summary, once written
}

// writePending writes the posts waiting, as one group, and what follows
// from each: its counts, its redirects. A post whose slug another article
// has is written again on its own, with its WordPress id in its slug.
func (im *importer) writePending(ctx context.Context) error {
	if len(im.pending) == 0 {
		return nil
	}
	group := make([]comment.ArticleImport, len(im.pending))
	for i, p := range im.pending {
		group[i] = p.ArticleImport
	}
	if err := im.st.ImportArticles(ctx, group); err != nil {
		return err
	}
	for i, p := range im.pending {
		a, it := p.Article, p.it
		res, err := group[i].Result, group[i].Err
		if errors.Is(err, article.ErrConflict) {
			a.Slug = article.Slugify(a.Slug + "-" + strconv.FormatInt(it.ID, 10))
			im.s.Notes["a post whose address another article has is given its WordPress id in its slug"]++
			res, err = im.st.ImportArticle(ctx, p.Origin, a, p.Comments)
		}
		var inv *article.InvalidError
		if errors.As(err, &inv) || errors.Is(err, article.ErrConflict) {
			im.problem(it.Line, it.ID, "not imported: %v", err)
			continue
		}
		if err != nil {
			return err
		}
		p.count()
		if res.New {
			im.s.Written["articles"]++
		} else {
			im.s.Before["articles"]++
		}
		im.s.Written["comments"] += res.Comments
		to := a.Path()
		for _, path := range ItemPaths(im.x, it) {
			im.redirect(path, to)
		}
		if a.Status == article.Published {
			im.years[p.at.In(im.opts.Location).Format("2006/01/02")] = true
		}
	}
	im.pending = im.pending[:0]
	// The planner's statistics, taken of tables nearly empty, would keep
	// their lookups on full scans as they grow: they are taken again as
	// the site grows eightfold.
	if n := im.s.Written["articles"]; n >= im.analyzed*8 {
		if err := im.st.Analyze(ctx); err != nil {
			return err
		}
		im.analyzed = max(n, 64)
	}
	// The group's redirects are written with it: an import stopped later
	// and run again finds its posts imported, and would not make them.
	return im.flush(ctx)
}

// leadAtTop is an image of the media library opening a body, with the
// caption under it, if any.
var leadAtTop = lazyRegexp(`^\s*!\[[^\]\n]*\]\(/media/([0-9]+)/[0-9]+\.jpg\)[ \t]*(?:\n\n\*[^\n]+\*[ \t]*)?(?:\n+|$)`)

// withoutLead is body without the image id at its top: a theme shows
// the featured image above the text, so posts often open with it too.
func withoutLead(body string, id int64) (string, bool) {
	m := leadAtTop().FindStringSubmatch(body)
	if m == nil || m[1] != strconv.FormatInt(id, 10) {
		return body, false
	}
	return body[len(m[0]):], true
}

// page brings one static page across. The site's static pages have no
// drafts, so only published pages come.
func (im *importer) page(ctx context.Context, it *Item, pre *prepared) error {
	if n := len(it.Comments); n > 0 {
		im.s.LeftOut["comments on pages"] += n
	}
	if it.Status != "publish" || it.Password != "" {
		why := it.Status + " pages"
		if it.Password != "" {
			why = "password-protected pages"
		}
		im.s.LeftOut[why]++
		return nil
	}
	for _, n := range pre.notes {
		im.s.Notes[n]++
	}
	im.s.Pages++
	if im.st == nil {
		im.s.OldAddresses += len(ItemPaths(im.x, it))
		return nil
	}
	p := &article.Page{Slug: Slug(it), Title: cmp.Or(plain(it.Title), "Untitled"), Body: pre.body, Language: im.lang}
	if article.Reserved(p.Slug) || im.sections[p.Slug].ID != 0 {
		p.Slug = article.Slugify(p.Slug + "-page")
	}
	o := article.Origin{Source: im.source, Kind: "page", ID: it.ID}
	written, err := im.st.ImportPage(ctx, o, p)
	if errors.Is(err, article.ErrConflict) {
		p.Slug = article.Slugify(p.Slug + "-" + strconv.FormatInt(it.ID, 10))
		written, err = im.st.ImportPage(ctx, o, p)
	}
	var inv *article.InvalidError
	if errors.As(err, &inv) || errors.Is(err, article.ErrConflict) {
		im.problem(it.Line, it.ID, "not imported: %v", err)
		return nil
	}
	if err != nil {
		return err
	}
	if !written {
		im.s.Before["pages"]++
		return nil
	}
	im.s.Written["pages"]++
	for _, path := range ItemPaths(im.x, it) {
		im.redirect(path, "/"+p.Slug)
	}
	return nil
}

// postComments are the comments of a post that come across, and those
// that do not.
type postComments struct {
	list      []comment.Imported
	pingbacks int
	leftOut   map[string]int // by why
}

// comments are the comments of a post that come across, each after the
// one it replies to; a reply to one that does not come (trashed, or a
// pingback) replies to the nearest above it that does.
func (im *importer) comments(it *Item, postTime time.Time) postComments {
	var pc postComments
	parentOf := map[int64]int64{}
	keep := map[int64]*comment.Imported{}
	var kept []int64
	for i := range it.Comments {
		c := &it.Comments[i]
		parentOf[c.ID] = c.Parent
		if IsPingback(c) {
			pc.pingbacks++
			continue
		}
		st, ok := CommentStatus(c.Approved)
		if !ok {
			if pc.leftOut == nil {
				pc.leftOut = map[string]int{}
			}
			pc.leftOut[cmp.Or(c.Approved, "unknown")+" comments"]++
			continue
		}
		body, _ := Convert(c.Content, nil)
		ci := &comment.Imported{From: c.ID, Parent: c.Parent, Comment: comment.Comment{
			Name: commentName(c.Author), Email: commentEmail(c.Email), URL: commentURL(c.URL), Body: strings.TrimSpace(body), Status: st,
			CreatedAt: commentTime(c, im.opts.Location, postTime)}}
		if ci.Body == "" {
			ci.Body = "…"
		}
		keep[c.ID] = ci
		kept = append(kept, c.ID)
	}
	children := map[int64][]int64{}
	for _, id := range kept {
		c := keep[id]
		p, seen := c.Parent, map[int64]bool{id: true}
		for p != 0 && keep[p] == nil && !seen[p] {
			seen[p] = true
			p = parentOf[p]
		}
		if keep[p] == nil || seen[p] {
			p = 0
		}
		c.Parent = p
		children[p] = append(children[p], id)
	}
	out := make([]comment.Imported, 0, len(kept))
	placed := map[int64]bool{}
	var walk func(id int64)
	walk = func(id int64) {
		for _, ch := range children[id] {
			if !placed[ch] {
				placed[ch] = true
				out = append(out, *keep[ch])
				walk(ch)
			}
		}
	}
	for _, ids := range children {
		slices.Sort(ids)
	}
	walk(0)
	for _, id := range kept { // round a circle of replies: to the top
		if !placed[id] {
			placed[id] = true
			c := *keep[id]
			c.Parent = 0
			out = append(out, c)
			walk(id)
		}
	}
	pc.list = out
	return pc
}

func commentName(s string) string {
	s = plain(s)
	if s == "" {
		return "Anonymous"
	}
	if utf8.RuneCountInString(s) > comment.MaxName {
		s = string([]rune(s)[:comment.MaxName])
	}
	return s
}

func commentEmail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > comment.MaxEmail || !strings.Contains(s, "@") || strings.ContainsAny(s, " <>\"") {
		return ""
	}
	return s
}

// commentURL is a commenter's web address when it is one (http or https).
func commentURL(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 500 {
		return ""
	}
	return u.String()
}

// commentTime is when a comment was written: its GMT date, else its local
// date, else its post's.
func commentTime(c *Comment, loc *time.Location, post time.Time) time.Time {
	if t, ok := PostTime(&Item{DateGMT: c.DateGMT, Date: c.Date}, loc); ok {
		return t
	}
	if post.IsZero() {
		return time.Now().UTC()
	}
	return post
}

// section is the section a post's first category becomes: the section of
// that slug if the site has one, else a new one. A post without a
// category goes into the site's first section, or a new "News".
func (im *importer) section(ctx context.Context, t ItemTerm, ok bool) (article.Section, error) {
	if !ok {
		if im.fallback == nil {
			secs, err := im.st.Sections(ctx)
			if err != nil {
				return article.Section{}, err
			}
			if len(secs) > 0 {
				im.fallback = &secs[0]
			} else {
				s, err := im.makeSection(ctx, ItemTerm{Nicename: "news", Name: "News"})
				if err != nil {
					return s, err
				}
				im.fallback = &s
			}
		}
		return *im.fallback, nil
	}
	if s, ok := im.bySection[t.Nicename]; ok {
		return s, nil
	}
	s, err := im.makeSection(ctx, t)
	if err != nil {
		return s, err
	}
	im.bySection[t.Nicename] = s
	cat := im.cats[t.Nicename]
	if cat.ID != 0 {
		if err := im.st.RememberImport(ctx, article.Origin{Source: im.source, Kind: "category", ID: cat.ID}, s.ID); err != nil {
			return s, err
		}
		im.termTarget(CategoryPaths(cat, ancestors(im.catParents, cat.Slug)), "/"+s.Slug, true)
	}
	return s, nil
}

func (im *importer) makeSection(ctx context.Context, t ItemTerm) (article.Section, error) {
	slug := termSlug(t)
	if article.Reserved(slug) {
		slug = article.Slugify(slug + "-section")
	}
	if s, ok := im.sections[slug]; ok {
		im.s.Before["sections"]++
		return s, nil
	}
	s := article.Section{Slug: slug, Name: cmp.Or(plain(t.Name), slug), Description: plain(im.cats[t.Nicename].Description), Position: len(im.sections) + 1}
	if err := im.st.CreateSection(ctx, &s); err != nil {
		return s, fmt.Errorf("section %q: %w", slug, err)
	}
	im.s.Written["sections"]++
	im.sections[slug] = s
	return s, nil
}

// tag is the tag a post's tag (or further category) becomes.
func (im *importer) tag(ctx context.Context, t ItemTerm) (article.Tag, error) {
	key := t.Domain + " " + t.Nicename
	if tag, ok := im.tags[key]; ok {
		return tag, nil
	}
	slug := termSlug(t)
	tag, err := im.st.TagBySlug(ctx, slug)
	switch {
	case err == nil:
		im.s.Before["tags"]++
	case errors.Is(err, article.ErrNotFound):
		tag = &article.Tag{Slug: slug, Name: cmp.Or(plain(t.Name), slug)}
		if err := im.st.CreateTag(ctx, tag); err != nil {
			return article.Tag{}, fmt.Errorf("tag %q: %w", slug, err)
		}
		im.s.Written["tags"]++
	default:
		return article.Tag{}, err
	}
	im.tags[key] = *tag
	switch t.Domain {
	case "post_tag":
		for _, x := range im.x.Tags {
			if x.Slug == t.Nicename {
				if err := im.st.RememberImport(ctx, article.Origin{Source: im.source, Kind: "tag", ID: x.ID}, tag.ID); err != nil {
					return *tag, err
				}
				im.termTarget(TagPaths(x), "/tag/"+tag.Slug, false)
			}
		}
	case "category":
		if cat := im.cats[t.Nicename]; cat.ID != 0 {
			im.termTarget(CategoryPaths(cat, ancestors(im.catParents, cat.Slug)), "/tag/"+tag.Slug, false)
		}
	}
	return *tag, nil
}

// termTarget makes a term's old addresses lead to to, written with the
// next group of posts: a category that is a section for some posts and a
// tag for others leads to its section.
func (im *importer) termTarget(paths []string, to string, section bool) {
	for _, p := range paths {
		if done, ok := im.termTargets[p]; !ok || (section && !done) {
			im.termTargets[p] = section
			im.redirect(p, to)
		}
	}
}

// termSlug is the slug of a category or tag: its nicename decoded, or
// made from its name.
func termSlug(t ItemTerm) string {
	s := t.Nicename
	if d, err := url.PathUnescape(s); err == nil {
		s = d
	}
	return cmp.Or(article.Slugify(s), article.Slugify(t.Name), "topic")
}

// finish writes the redirects of terms and date archives, and the rest.
func (im *importer) finish(ctx context.Context) error {
	if im.st == nil {
		for _, c := range im.x.Categories {
			im.s.OldAddresses += len(CategoryPaths(c, ancestors(im.catParents, c.Slug)))
		}
		for _, t := range im.x.Tags {
			im.s.OldAddresses += len(TagPaths(t))
		}
		for _, a := range im.x.Authors {
			im.s.OldAddresses += len(AuthorPaths(a))
		}
		return nil
	}
	// The site has no dated archives: a day, month or year of the old
	// site's leads to the latest articles.
	dates := map[string]bool{}
	for d := range im.years {
		y, m, _ := strings.Cut(d, "/")
		m, _, _ = strings.Cut(m, "/")
		dates["/"+d+"/"], dates["/"+y+"/"+m+"/"], dates["/"+y+"/"] = true, true, true
	}
	for _, d := range slices.Sorted(maps.Keys(dates)) {
		im.redirect(d, "/latest")
	}
	if err := im.flush(ctx); err != nil {
		return err
	}
	return im.st.Analyze(ctx)
}
