package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The discussion's routes answer their own paths and methods only: a
// neighbouring name, a wrong method or an unknown action is the reader's
// 404 page, never another route's handler.
func TestCommentRoutesAnswerOnlyTheirPaths(t *testing.T) {
	ns := newNewsroom(t)
	_, path := publishedArticle(t, ns, "Harbour vote")
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"POST", path + "/comments", http.StatusSeeOther},
		{"POST", path + "/comment", http.StatusNotFound},
		{"POST", path + "/comments.rss", http.StatusNotFound},
		{"POST", "/culture/harbour-vote/comments", http.StatusNotFound},
		{"PUT", path + "/comments", http.StatusNotFound},
		{"GET", path + "/comments", http.StatusNotFound},
		{"GET", path + "/comments.rss", http.StatusOK},
		{"GET", path + "/comments.atom", http.StatusOK},
		{"GET", path + "/comments.json", http.StatusOK},
		{"HEAD", path + "/comments.json", http.StatusOK},
		{"GET", path + "/comments.xml", http.StatusNotFound},
		{"GET", path + "/comments.", http.StatusNotFound},
		{"GET", path + "/other.rss", http.StatusNotFound},
		{"GET", path + "/comments.rss/", http.StatusMovedPermanently},
		{"POST", path + "/comments.rss", http.StatusNotFound},
		{"POST", path + "/comments/1/report", http.StatusForbidden}, // held, so not reported
		{"POST", path + "/comments/1/edit", http.StatusForbidden},
		{"POST", path + "/comments/1/delete", http.StatusForbidden},
		{"POST", path + "/comments/1/hide", http.StatusNotFound},
		{"POST", path + "/comments/x/report", http.StatusNotFound},
		{"POST", path + "/replies/1/report", http.StatusNotFound},
		{"POST", "/culture/harbour-vote/comments/1/report", http.StatusNotFound},
		{"GET", path + "/comments/1/report", http.StatusNotFound},
	} {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader("name=Ana&body=A+fair+point+about+the+harbour."))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = "203.0.113.90:1"
		rec := httptest.NewRecorder()
		ns.srv.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, rec.Code, tc.want)
		}
		if tc.want == http.StatusNotFound && tc.method != "HEAD" && !strings.Contains(rec.Body.String(), "<html") {
			t.Errorf("%s %s: 404 is not the reader's page: %.200s", tc.method, tc.path, rec.Body.String())
		}
	}
}
