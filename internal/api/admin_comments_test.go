package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/comment"
)

// readerComment posts a comment through the site's JSON door, as a reader
// without the anti-bot check: it waits for a moderator.
func (f *fixture) readerComment(articleID int64, name, body string) int64 {
	f.t.Helper()
	w := f.serve(req{method: "POST", path: "/api/v1/articles/" + strconv.FormatInt(articleID, 10) + "/comments",
		body: `{"name":` + strconv.Quote(name) + `,"email":"reader@example.org","body":` + strconv.Quote(body) + `}`,
		addr: "198.51.100." + strconv.Itoa(len(name))})
	if w.Code != http.StatusCreated {
		f.t.Fatalf("posting a comment: %d %s", w.Code, w.Body)
	}
	return decodeAs[commentAccepted](f.t, w).ID
}

func TestModeration(t *testing.T) {
	f := newFixture(t)
	a := f.create(account.Editor, story("Ferry timetable", `"status":"published"`))
	b := f.create(account.Editor, story("Tram depot", `"status":"published"`))
	first := f.readerComment(a.ID, "Ana", "The late ferry is welcome.")
	second := f.readerComment(a.ID, "Bo", "Buy cheap watches at https://spam.example")
	other := f.readerComment(b.ID, "Cy", "What about the trams?")
	id := func(n int64) string { return "/api/v1/admin/comments/" + strconv.FormatInt(n, 10) }

	leastRole(t, f, account.Editor, "GET", "/api/v1/admin/comments", "")
	leastRole(t, f, account.Editor, "POST", id(first)+"/approve", "")
	leastRole(t, f, account.Editor, "DELETE", id(first), "")

	queue := decodeAs[moderatedList](t, f.as(account.Editor, "GET", "/api/v1/admin/comments", ""))
	if len(queue.Comments) != 3 || queue.Comments[0].ID != other || queue.Comments[2].Email != "reader@example.org" || queue.Comments[2].HeldReason == "" {
		t.Fatalf("the queue = %+v, want three pending comments, newest first, with email and why held", queue.Comments)
	}
	if want := baseURL + "/city/ferry-timetable#c-" + strconv.FormatInt(first, 10); queue.Comments[2].URL != want {
		t.Errorf("url = %q, want %q", queue.Comments[2].URL, want)
	}

	w := f.as(account.Editor, "POST", id(first)+"/approve", "")
	if c := decodeAs[moderatedJSON](t, w); w.Code != http.StatusOK || c.Status != comment.Approved {
		t.Errorf("approve = %d %s", w.Code, w.Body)
	}
	wantAudit(t, f, account.Editor, "comment.approve")
	if w := f.as(account.Editor, "POST", id(second)+"/spam", ""); decodeAs[moderatedJSON](t, w).Status != comment.Spam {
		t.Errorf("spam = %s", w.Body)
	}
	if w := f.as(account.Editor, "POST", id(first)+"/pin", ""); !decodeAs[moderatedJSON](t, w).Pinned {
		t.Errorf("pin = %s", w.Body)
	}
	wantAudit(t, f, account.Editor, "comment.pin")
	if w := f.as(account.Editor, "POST", id(first)+"/unpin", ""); decodeAs[moderatedJSON](t, w).Pinned {
		t.Errorf("unpin = %s", w.Body)
	}
	if w := f.as(account.Editor, "POST", id(first)+"/hold", ""); decodeAs[moderatedJSON](t, w).Status != comment.Pending {
		t.Errorf("hold = %s", w.Body)
	}
	f.as(account.Editor, "POST", id(first)+"/approve", "")

	// By article and status, and every status of one article.
	for _, tt := range []struct {
		query string
		want  []int64
	}{
		{"?status=spam", []int64{second}},
		{"?status=approved", []int64{first}},
		{"?status=all&article=" + strconv.FormatInt(a.ID, 10), []int64{second, first}},
		{"?article=" + strconv.FormatInt(b.ID, 10), []int64{other}},
	} {
		got := decodeAs[moderatedList](t, f.as(account.Editor, "GET", "/api/v1/admin/comments"+tt.query, ""))
		var ids []int64
		for _, c := range got.Comments {
			ids = append(ids, c.ID)
		}
		if len(ids) != len(tt.want) || (len(ids) > 0 && ids[0] != tt.want[0]) {
			t.Errorf("%s: %v, want %v", tt.query, ids, tt.want)
		}
	}
	page := decodeAs[moderatedList](t, f.as(account.Editor, "GET", "/api/v1/admin/comments?status=all&limit=2", ""))
	if len(page.Comments) != 2 || page.Next == nil {
		t.Fatalf("a first page of 2: %+v", page)
	}
	if rest := decodeAs[moderatedList](t, f.as(account.Editor, "GET", "/api/v1/admin/comments?status=all&limit=2&before="+*page.Next, "")); len(rest.Comments) != 1 || rest.Next != nil {
		t.Errorf("the last page: %+v", rest)
	}
	wantError(t, "a bad status", f.as(account.Editor, "GET", "/api/v1/admin/comments?status=held", ""), http.StatusBadRequest, "bad_request")
	wantError(t, "an unknown article", f.as(account.Editor, "GET", "/api/v1/admin/comments?article=999", ""), http.StatusNotFound, "not_found")
	wantError(t, "an unknown comment", f.as(account.Editor, "POST", "/api/v1/admin/comments/999/approve", ""), http.StatusNotFound, "not_found")

	// A moderator's edit, then the trash.
	w = f.as(account.Editor, "PATCH", id(first), `{"body":"The late ferry is most welcome."}`)
	if c := decodeAs[moderatedJSON](t, w); w.Code != http.StatusOK || c.Body != "The late ferry is most welcome." || c.EditedAt == nil {
		t.Errorf("edit = %d %s", w.Code, w.Body)
	}
	wantAudit(t, f, account.Editor, "comment.edit")
	e := wantError(t, "an empty edit", f.as(account.Editor, "PATCH", id(first), `{"body":""}`), http.StatusUnprocessableEntity, "invalid")
	if e.Error.Fields["body"] == "" {
		t.Errorf("fields %v, want body", e.Error.Fields)
	}
	w = f.as(account.Editor, "DELETE", id(second), "")
	if c := decodeAs[moderatedJSON](t, w); w.Code != http.StatusOK || c.Status != comment.Trash {
		t.Errorf("delete = %d %s", w.Code, w.Body)
	}
	wantAudit(t, f, account.Editor, "comment.trash")
}

func TestStaffReply(t *testing.T) {
	f := newFixture(t)
	a := f.create(account.Editor, story("Ferry timetable", `"status":"published"`))
	asked := f.readerComment(a.ID, "Ana", "When does the late ferry start?")
	path := "/api/v1/admin/comments/" + strconv.FormatInt(asked, 10) + "/replies"
	f.as(account.Editor, "POST", "/api/v1/admin/comments/"+strconv.FormatInt(asked, 10)+"/approve", "")
	// Any member of the newsroom may answer, and more than a stranger's
	// limits allow: the token proves who they are.
	for i := range 4 {
		w := f.as(account.Contributor, "POST", path, `{"body":"From the first Friday of next month, reply `+strconv.Itoa(i)+`."}`)
		if w.Code != http.StatusCreated {
			t.Fatalf("reply %d = %d %s", i+1, w.Code, w.Body)
		}
		c := decodeAs[moderatedJSON](t, w)
		if c.Status != comment.Approved || c.StaffID != f.users[account.Contributor].ID || c.ParentID != asked || c.Name != string(account.Contributor) {
			t.Errorf("reply = %+v, want approved at once, the contributor's, under the question", c)
		}
		if !strings.HasPrefix(w.Header().Get("Location"), "/api/v1/admin/comments/") {
			t.Errorf("Location = %q", w.Header().Get("Location"))
		}
	}
	stored, err := f.db.Thread(context.Background(), comment.Query{ArticleID: a.ID})
	must(t, err)
	if len(stored) != 5 || stored[0].Staff() || !stored[1].Staff() {
		t.Errorf("the thread readers see: %d comments", len(stored))
	}
	e := wantError(t, "an empty reply", f.as(account.Editor, "POST", path, `{"body":" "}`), http.StatusUnprocessableEntity, "invalid")
	if e.Error.Fields["body"] == "" {
		t.Errorf("fields %v, want body", e.Error.Fields)
	}
	f.as(account.Editor, "PATCH", "/api/v1/admin/articles/"+strconv.FormatInt(a.ID, 10), `{"version":2,"comments_closed":true}`)
	wantError(t, "comments closed", f.as(account.Editor, "POST", path, `{"body":"Too late."}`), http.StatusForbidden, "forbidden")
	// Under an article taken offline, the reply is refused naming the
	// comment the path gives, as docs/api.md says.
	f.as(account.Editor, "POST", "/api/v1/admin/articles/"+strconv.FormatInt(a.ID, 10)+"/unpublish", "")
	e = wantError(t, "an unpublished article", f.as(account.Editor, "POST", path, `{"body":"Nobody would read this."}`), http.StatusUnprocessableEntity, "invalid")
	if !strings.Contains(e.Error.Fields["id"], "not published") {
		t.Errorf("fields %v, want id named", e.Error.Fields)
	}
}
