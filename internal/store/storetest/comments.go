package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/comment"
	"broadsheet/internal/markup"
)

// Comments is readers' comments: threads, moderation, their authors' own
// edits, reports, privacy, the blocklist and reply notifications.
type Comments interface {
	CreateComment(ctx context.Context, c *comment.Comment) error
	CommentByID(ctx context.Context, id int64) (*comment.Comment, error)
	Thread(ctx context.Context, q comment.Query) ([]comment.Comment, error)
	ApprovedCount(ctx context.Context, articleIDs []int64) (map[int64]int, error)
	Returning(ctx context.Context, email, editHash string) (bool, error)
	ModerationQueue(ctx context.Context, status comment.Status, beforeID int64, limit int) ([]comment.Queued, error)
	Comments(ctx context.Context, q comment.QueueQuery) ([]comment.Queued, error)
	SetCommentStatus(ctx context.Context, ids []int64, status comment.Status) error
	SetCommentPinned(ctx context.Context, id int64, pinned bool) error
	EditComment(ctx context.Context, id int64, body string, now time.Time) error
	EditOwnComment(ctx context.Context, id int64, editHash, body, hold string, now time.Time) error
	DeleteOwnComment(ctx context.Context, id int64, editHash string, now time.Time) error
	ReportComment(ctx context.Context, id int64) (int, error)
	StopReplies(ctx context.Context, id int64) error
	ForgetAddresses(ctx context.Context, before time.Time) (int, error)
	CommentsByEmail(ctx context.Context, email string) ([]comment.Comment, error)
	EraseCommenter(ctx context.Context, email string) (int, error)
	Blocklist(ctx context.Context) ([]string, error)
	SetBlocklist(ctx context.Context, entries []string) error
}

func newComment(articleID, parent int64, name, key string, status comment.Status) *comment.Comment {
	return &comment.Comment{ArticleID: articleID, ParentID: parent, Name: name, Body: "Comment by " + name, Status: status, Key: key}
}

// testCommentHTML: a comment is stored with its text rendered for readers,
// again when its author or a moderator edits it. HTML stored by another
// renderer is not given out, and RenderStored renders and stores it,
// leaving what a newer renderer stored alone.
func testCommentHTML(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	html := rendered(t, markup.NewComments())
	stored := func(id int64) string {
		t.Helper()
		c, err := s.CommentByID(ctx, id)
		must(t, err)
		return c.HTML
	}
	c := newComment(a.ID, 0, "Ann", "k1", comment.Approved)
	c.Body, c.EditHash = "I *really* agree: [see](https://example.org)", "ann-hash"
	must(t, s.CreateComment(ctx, c))
	if got, want := stored(c.ID), html(c.Body); got != want || !strings.Contains(got, "<em>really</em>") {
		t.Errorf("stored HTML = %q, want %q", got, want)
	}
	list, err := s.Thread(ctx, comment.Query{ArticleID: a.ID, Limit: 10})
	must(t, err)
	if len(list) != 1 || list[0].HTML != html(c.Body) {
		t.Errorf("the thread gives %v, want the comment with its HTML", list)
	}
	must(t, s.EditOwnComment(ctx, c.ID, "ann-hash", "Now **bold**", "", f.clock))
	if got := stored(c.ID); got != html("Now **bold**") {
		t.Errorf("after the author's edit the HTML is %q", got)
	}
	must(t, s.EditComment(ctx, c.ID, "Trimmed by a *moderator*", f.clock))
	if got := stored(c.ID); got != html("Trimmed by a *moderator*") {
		t.Errorf("after a moderator's edit the HTML is %q", got)
	}

	// Stored by an earlier renderer, and by a later one.
	old := newComment(a.ID, 0, "Ben", "k2", comment.Approved)
	newer := newComment(a.ID, 0, "Cy", "k3", comment.Approved)
	must(t, s.CreateComment(ctx, old))
	must(t, s.CreateComment(ctx, newer))
	storedByOthers(t, s, "comments", "html", markup.CommentsVersion, old.ID, newer.ID, stored)
	n, err := s.RenderStored(ctx, 10)
	must(t, err)
	if n != 1 || stored(old.ID) != html(old.Body) {
		t.Errorf("RenderStored rendered %d, and the earlier comment's HTML is %q", n, stored(old.ID))
	}
	if n, err := s.RenderStored(ctx, 10); err != nil || n != 0 {
		t.Errorf("RenderStored again = %d, %v; want 0", n, err)
	}
}

func names(cs []comment.Comment) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s@%d", c.Name, c.Depth))
	}
	return out
}

func testCommentThreads(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	other := f.article(0)
	must(t, s.CreateArticle(ctx, other))

	add := func(parent int64, name string, status comment.Status) *comment.Comment {
		t.Helper()
		c := newComment(a.ID, parent, name, "key-"+name, status)
		must(t, s.CreateComment(ctx, c))
		return c
	}
	ann := add(0, "Ann", comment.Approved)
	bo := add(ann.ID, "Bo", comment.Approved)
	cy := add(bo.ID, "Cy", comment.Approved)
	di := add(cy.ID, "Di", comment.Approved)   // depth 3
	eve := add(di.ID, "Eve", comment.Approved) // would be 4: stays at 3
	fay := add(0, "Fay", comment.Approved)
	gus := add(fay.ID, "Gus", comment.Pending)
	add(ann.ID, "Hal", comment.Approved) // a later reply to Ann comes after Bo's subtree

	if eve.Depth != comment.MaxDepth || eve.ReplyToName != "Di" || di.ReplyToName != "" {
		t.Errorf("deep reply: depth %d, reply to %q; want %d, Di", eve.Depth, eve.ReplyToName, comment.MaxDepth)
	}
	got, err := s.Thread(ctx, comment.Query{ArticleID: a.ID})
	must(t, err)
	want := []string{"Ann@0", "Bo@1", "Cy@2", "Di@3", "Eve@3", "Hal@1", "Fay@0"}
	if !slices.Equal(names(got), want) {
		t.Errorf("Thread = %v, want %v", names(got), want)
	}
	// A thread position is the ids from the top of the thread down, each
	// of twelve digits; the deepest reply sits beside the one it answers.
	for _, tt := range []struct {
		c    *comment.Comment
		path []*comment.Comment
	}{{ann, []*comment.Comment{ann}}, {bo, []*comment.Comment{ann, bo}}, {di, []*comment.Comment{ann, bo, cy, di}},
		{eve, []*comment.Comment{ann, bo, cy, eve}}, {fay, []*comment.Comment{fay}}, {gus, []*comment.Comment{fay, gus}}} {
		var root int64
		var path, want string
		must(t, s.Reader().QueryRowContext(ctx, `SELECT root_id, path FROM comments WHERE id = ?`, tt.c.ID).Scan(&root, &path))
		for _, c := range tt.path {
			want += fmt.Sprintf("/%012d", c.ID)
		}
		if root != tt.path[0].ID || path != want {
			t.Errorf("%s's thread position = %d, %q; want %d, %q", tt.c.Name, root, path, tt.path[0].ID, want)
		}
	}
	// The author of a held comment sees it; nobody else does.
	held := newComment(a.ID, fay.ID, "Ivy", "key-ivy", comment.Pending)
	held.EditHash = "ivy-token-hash"
	must(t, s.CreateComment(ctx, held))
	mine, err := s.Thread(ctx, comment.Query{ArticleID: a.ID, OwnEditHashes: []string{"ivy-token-hash"}})
	must(t, err)
	if !slices.Contains(names(mine), "Ivy@1") || slices.Contains(names(mine), "Gus@1") {
		t.Errorf("with Ivy's token: %v, want Ivy's held reply and not Gus's", names(mine))
	}
	newest, err := s.Thread(ctx, comment.Query{ArticleID: a.ID, Newest: true})
	must(t, err)
	if newest[0].Name != "Fay" {
		t.Errorf("newest first begins with %s, want Fay", newest[0].Name)
	}

	// Idempotency: the same form twice makes one comment.
	again := newComment(a.ID, 0, "Ann", "key-Ann", comment.Approved)
	err = s.CreateComment(ctx, again)
	var dup *comment.DuplicateError
	if !errors.As(err, &dup) || dup.Existing.ID != ann.ID {
		t.Errorf("repeated key: err = %v, want DuplicateError for %d", err, ann.ID)
	}
	// The same key on another article is another comment.
	must(t, s.CreateComment(ctx, newComment(other.ID, 0, "Ann", "key-Ann", comment.Approved)))
	// A parent from another article, or a missing one, is refused.
	var fe comment.FieldErrors
	if err := s.CreateComment(ctx, newComment(other.ID, ann.ID, "Jo", "key-jo", comment.Approved)); !errors.As(err, &fe) || fe["parent"] == "" {
		t.Errorf("parent on another article: err = %v, want a parent field error", err)
	}
	if err := s.CreateComment(ctx, newComment(a.ID, 99999, "Jo", "key-jo2", comment.Approved)); !errors.As(err, &fe) {
		t.Errorf("missing parent: err = %v", err)
	}

	counts, err := s.ApprovedCount(ctx, []int64{a.ID, other.ID, 424242})
	must(t, err)
	if counts[a.ID] != 7 || counts[other.ID] != 1 || counts[424242] != 0 {
		t.Errorf("ApprovedCount = %v, want 7 and 1", counts)
	}
}

func testCommentPagingAndCommenters(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	for i := range 25 {
		c := newComment(a.ID, 0, fmt.Sprintf("R%02d", i), fmt.Sprintf("k%d", i), comment.Approved)
		c.Pinned = i == 20
		must(t, s.CreateComment(ctx, c))
	}
	var seen []string
	q := comment.Query{ArticleID: a.ID, Limit: 10}
	for range 5 {
		page, err := s.Thread(ctx, q)
		must(t, err)
		if len(page) == 0 {
			break
		}
		seen = append(seen, names(page)...)
		q.AfterID = page[len(page)-1].ID
	}
	pinnedSeen := 0
	for _, n := range seen {
		if n == "R20@0" {
			pinnedSeen++
		}
	}
	if len(seen) != 25 || seen[0] != "R20@0" || pinnedSeen != 1 {
		t.Errorf("paged thread = %v, want 25 with the pinned R20 first and once", seen)
	}

	email := newComment(a.ID, 0, "Kim", "kim", comment.Pending)
	email.Email = "Kim@Example.org"
	email.EditHash = "kim-token-hash"
	must(t, s.CreateComment(ctx, email))
	if ok, _ := s.Returning(ctx, "kim@example.org", "kim-token-hash"); ok {
		t.Error("a held commenter counts as returning")
	}
	ok2 := newComment(a.ID, 0, "Kim", "kim2", comment.Approved)
	ok2.Email = "kim@example.org"
	ok2.EditHash = "kim-token-hash"
	must(t, s.CreateComment(ctx, ok2))
	if ok, _ := s.Returning(ctx, "KIM@example.org", "kim-token-hash"); !ok {
		t.Error("an approved commenter with their token is not recognised (case-insensitively)")
	}
	for _, tt := range []struct{ email, hash, why string }{
		{"kim@example.org", "", "an address without a token"},
		{"kim@example.org", "a-stranger-token-hash", "an address with another's token"},
		{"other@example.org", "kim-token-hash", "the token with another address"},
		{"", "kim-token-hash", "the token without an address"},
	} {
		if ok, _ := s.Returning(ctx, tt.email, tt.hash); ok {
			t.Errorf("%s counts as returning", tt.why)
		}
	}
	if err := s.CreateComment(ctx, newComment(9999, 0, "X", "x", comment.Approved)); err == nil {
		t.Error("comment on a missing article accepted")
	}
	got, err := s.CommentByID(ctx, ok2.ID)
	must(t, err)
	if got.Email != "kim@example.org" || got.Key != "kim2" || got.Status != comment.Approved {
		t.Errorf("CommentByID = %+v", got)
	}
	if _, err := s.CommentByID(ctx, 99999); !errors.Is(err, comment.ErrNotFound) {
		t.Errorf("missing comment: err = %v", err)
	}
}

func testCommentModeration(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	var ids []int64
	for i := range 3 {
		c := newComment(a.ID, 0, fmt.Sprintf("P%d", i), fmt.Sprintf("p%d", i), comment.Pending)
		c.HeldReason = "first comment"
		must(t, s.CreateComment(ctx, c))
		ids = append(ids, c.ID)
	}
	q, err := s.ModerationQueue(ctx, comment.Pending, 0, 10)
	must(t, err)
	if len(q) != 3 || q[0].ID != ids[2] || q[0].ArticleHeadline != a.Headline || q[0].ArticlePath != "/city/"+a.Slug || q[0].HeldReason != "first comment" {
		t.Fatalf("queue = %+v", q)
	}
	must(t, s.SetCommentStatus(ctx, ids[:2], comment.Approved))
	must(t, s.SetCommentStatus(ctx, ids[2:], comment.Spam))
	if q, _ := s.ModerationQueue(ctx, comment.Pending, 0, 10); len(q) != 0 {
		t.Errorf("pending after moderation = %d", len(q))
	}
	if q, _ := s.ModerationQueue(ctx, comment.Spam, 0, 10); len(q) != 1 || q[0].ID != ids[2] {
		t.Errorf("spam queue = %+v", q)
	}
	// Every status of one article, a page at a time; another article's
	// comments are not among them.
	b := f.article(1)
	must(t, s.CreateArticle(ctx, b))
	must(t, s.CreateComment(ctx, newComment(b.ID, 0, "Other", "elsewhere", comment.Pending)))
	var got []int64
	for before := int64(0); ; {
		page, err := s.Comments(ctx, comment.QueueQuery{ArticleID: a.ID, BeforeID: before, Limit: 2})
		must(t, err)
		for _, c := range page {
			got = append(got, c.ID)
		}
		if len(page) < 2 {
			break
		}
		before = page[len(page)-1].ID
	}
	if !slices.Equal(got, []int64{ids[2], ids[1], ids[0]}) {
		t.Errorf("an article's comments, any status, in pages of 2: %v, want %v", got, []int64{ids[2], ids[1], ids[0]})
	}
	if q, err := s.Comments(ctx, comment.QueueQuery{Status: comment.Approved, ArticleID: a.ID}); err != nil || len(q) != 2 || q[0].ArticlePath != "/city/"+a.Slug {
		t.Errorf("an article's approved comments: %+v, %v", q, err)
	}
	must(t, s.EditComment(ctx, ids[1], "Edited by a moderator.", time.Now()))
	if got, _ := s.CommentByID(ctx, ids[1]); got.Body != "Edited by a moderator." || got.EditedAt.IsZero() {
		t.Errorf("after moderator edit: %+v", got)
	}
	if err := s.EditComment(ctx, 99999, "x", time.Now()); !errors.Is(err, comment.ErrNotFound) {
		t.Errorf("edit missing: err = %v", err)
	}
	must(t, s.SetCommentPinned(ctx, ids[1], true))
	th, err := s.Thread(ctx, comment.Query{ArticleID: a.ID})
	must(t, err)
	if len(th) != 2 || th[0].ID != ids[1] || !th[0].Pinned {
		t.Errorf("thread after pinning = %v", names(th))
	}
	if err := s.SetCommentPinned(ctx, 99999, true); !errors.Is(err, comment.ErrNotFound) {
		t.Errorf("pin missing: err = %v", err)
	}
	if err := s.SetCommentStatus(ctx, ids, "deleted"); err == nil {
		t.Error("unknown status accepted")
	}
}

func testOwnCommentsAndReports(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	c := newComment(a.ID, 0, "Ana", "k1", comment.Approved)
	c.EditHash = "ana-hash"
	must(t, s.CreateComment(ctx, c))
	now := c.CreatedAt.Add(time.Minute)
	if err := s.EditOwnComment(ctx, c.ID, "someone-else", "Hijacked", "", now); !errors.Is(err, comment.ErrNotFound) {
		t.Errorf("edit with another's token: err = %v", err)
	}
	if err := s.EditOwnComment(ctx, c.ID, "", "Hijacked", "", now); !errors.Is(err, comment.ErrNotFound) {
		t.Errorf("edit with no token: err = %v", err)
	}
	must(t, s.EditOwnComment(ctx, c.ID, "ana-hash", "Fixed my typo.", "", now))
	got, _ := s.CommentByID(ctx, c.ID)
	if got.Body != "Fixed my typo." || got.EditedAt.IsZero() {
		t.Errorf("after edit: %q edited %v", got.Body, got.EditedAt)
	}
	if got.Status != comment.Approved {
		t.Errorf("an edit with nothing to hold moved the comment to %s", got.Status)
	}
	held := newComment(a.ID, 0, "Ana", "k-held", comment.Approved)
	held.EditHash = "ana-hash"
	must(t, s.CreateComment(ctx, held))
	must(t, s.EditOwnComment(ctx, held.ID, "ana-hash", "Now with spam.", "edited: too many links", held.CreatedAt.Add(time.Minute)))
	if got, _ := s.CommentByID(ctx, held.ID); got.Status != comment.Pending || got.HeldReason != "edited: too many links" || got.Body != "Now with spam." {
		t.Errorf("held edit: %s (%q) %q, want pending with its reason and the new text", got.Status, got.HeldReason, got.Body)
	}
	if th, _ := s.Thread(ctx, comment.Query{ArticleID: a.ID}); len(th) != 1 || th[0].ID != c.ID {
		t.Errorf("public thread after a held edit = %v, want only the other comment", names(th))
	}
	late := c.CreatedAt.Add(comment.EditWindow + time.Minute)
	if err := s.EditOwnComment(ctx, c.ID, "ana-hash", "Too late", "", late); !errors.Is(err, comment.ErrNotFound) {
		t.Errorf("edit after the window: err = %v", err)
	}
	for i := 1; i <= comment.ReportThreshold; i++ {
		n, err := s.ReportComment(ctx, c.ID)
		must(t, err)
		if n != i {
			t.Errorf("report %d counted %d", i, n)
		}
	}
	got, _ = s.CommentByID(ctx, c.ID)
	if got.Status != comment.Pending || got.HeldReason != "reported by readers" {
		t.Errorf("after %d reports: %s (%q), want back in moderation", comment.ReportThreshold, got.Status, got.HeldReason)
	}
	if _, err := s.ReportComment(ctx, c.ID); !errors.Is(err, comment.ErrNotFound) {
		t.Errorf("reporting a held comment: err = %v", err)
	}
	must(t, s.DeleteOwnComment(ctx, c.ID, "ana-hash", now))
	if got, _ := s.CommentByID(ctx, c.ID); got.Status != comment.Trash {
		t.Errorf("after delete: %s, want trash", got.Status)
	}
}

func testCommenterPrivacy(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	mine := newComment(a.ID, 0, "Ana", "a1", comment.Approved)
	mine.Email, mine.IPHash = "ana@example.org", "abcd"
	must(t, s.CreateComment(ctx, mine))
	reply := newComment(a.ID, mine.ID, "Bo", "b1", comment.Approved)
	reply.IPHash = "ef01"
	must(t, s.CreateComment(ctx, reply))

	// Both were written before the cut-off, even when the clock turned a
	// second between them.
	n, err := s.ForgetAddresses(ctx, reply.CreatedAt.Add(time.Second))
	must(t, err)
	if n != 2 {
		t.Errorf("ForgetAddresses = %d, want 2", n)
	}
	if got, _ := s.CommentByID(ctx, mine.ID); got.IPHash != "" {
		t.Errorf("address hash kept: %q", got.IPHash)
	}
	list, err := s.CommentsByEmail(ctx, "ANA@example.org")
	must(t, err)
	if len(list) != 1 || list[0].ID != mine.ID {
		t.Errorf("CommentsByEmail = %+v", list)
	}
	n, err = s.EraseCommenter(ctx, "ana@example.org")
	must(t, err)
	if n != 1 {
		t.Errorf("EraseCommenter = %d, want 1", n)
	}
	if _, err := s.CommentByID(ctx, mine.ID); !errors.Is(err, comment.ErrNotFound) {
		t.Errorf("erased comment still there: %v", err)
	}
	if got, err := s.CommentByID(ctx, reply.ID); err != nil || got.ParentID != 0 {
		t.Errorf("the reply = %+v, %v; want kept, detached", got, err)
	}
	if n, _ := s.EraseCommenter(ctx, ""); n != 0 {
		t.Error("an empty email erased something")
	}
}

func testBlocklist(t *testing.T, s Store) {
	ctx := context.Background()
	got, err := s.Blocklist(ctx)
	must(t, err)
	if len(got) != 0 {
		t.Errorf("empty blocklist = %v", got)
	}
	must(t, s.SetBlocklist(ctx, []string{"casino", "spam.example"}))
	got, err = s.Blocklist(ctx)
	must(t, err)
	if !slices.Equal(got, []string{"casino", "spam.example"}) {
		t.Errorf("Blocklist = %v", got)
	}
}
