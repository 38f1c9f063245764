package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"broadsheet/internal/account"
)

// The newsroom's error page says what is wrong in plain words, not as a
// Go list, with the status the one mapping gives invalid input.
func TestNewsroomErrorPageSaysTheProblem(t *testing.T) {
	ns := newNewsroom(t)
	path := fmt.Sprintf("/admin/users/%d", ns.users[account.Author].ID)
	rec := ns.do("POST", path, account.Admin, url.Values{"role": {"owner"}})
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "<p>role &#34;owner&#34; is not one of contributor, author, editor, admin</p>") || strings.Contains(body, "[problem.") {
		t.Errorf("POST %s with an unknown role = %d:\n%.600s", path, rec.Code, body)
	}
	// A byline that names no author is the same kind of mistake, not a
	// failure of the server.
	rec = ns.do("POST", path, account.Admin, url.Values{"role": {"author"}, "author": {"999"}})
	if body := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "<p>there is no author 999</p>") {
		t.Errorf("POST %s with an unknown byline = %d:\n%.600s", path, rec.Code, body)
	}
}

// A comment the reader may not change is refused on the reader's page
// with the words for it; an unknown path is the 404 page; a newsroom
// 404 is the newsroom's.
func TestPagesWordTheirErrors(t *testing.T) {
	ns := newNewsroom(t)
	_, path := publishedArticle(t, ns, "Harbour vote")
	for _, tt := range []struct {
		method, path string
		role         account.Role
		status       int
		want         string
	}{
		{"POST", path + "/comments/1/edit", "", http.StatusForbidden, "only its author can"},
		{"GET", "/no/such/page/here", "", http.StatusNotFound, "We could not find the page"},
		{"GET", "/admin/articles/99999", account.Editor, http.StatusNotFound, "There is nothing here."},
	} {
		rec := ns.do(tt.method, tt.path, tt.role, url.Values{"body": {"changed"}})
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s %s = %d, want %d with %q:\n%.400s", tt.method, tt.path, rec.Code, tt.status, tt.want, rec.Body.String())
		}
	}
}
