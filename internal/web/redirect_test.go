package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"broadsheet/internal/account"
)

// hostilePaths are request paths as they arrive on the wire, each meant to
// become "//evil.example" or "/\evil.example" in some browser, proxy or
// second decoding: tab, CR, LF, backslash, encoded and double-encoded.
var hostilePaths = []string{
	"/%09/evil.example", "/%0d%0a/evil.example", "/%0a/evil.example", "/%0d/evil.example",
	"/%5cevil.example", "/%5C%5Cevil.example", "/%5c/evil.example", `/\evil.example`, `/\/evil.example`,
	"/%2f%2fevil.example", "/%2F/evil.example", "/%252f%252fevil.example", "/%25252f%25252fevil.example",
	"/%2509/evil.example", "/%255cevil.example", "/%250d%250a/evil.example",
	"//evil.example", "///evil.example", "/.%2f%2fevil.example", "/%2e%2e/%2f%2fevil.example",
	"/%00/evil.example", "/%7f/evil.example", "/%20/evil.example",
}

// hostileNexts are values of next= as the site reads them, once decoded.
var hostileNexts = []string{
	"//evil.example", "///evil.example", `/\evil.example`, `\\evil.example`, "/\t/evil.example", "\t//evil.example",
	"/\r\n/evil.example", "/\n/evil.example", "https://evil.example/", "https:evil.example", "javascript:alert(1)",
	"/admin/..//evil.example", "/admin/../\\evil.example", "/admin/\t/../\t/evil.example", "/admin/../%2f%2fevil.example",
	"/%2f%2fevil.example", "/%252f%252fevil.example", "/%5cevil.example", "/%255cevil.example", "/%09/evil.example",
	"/%2509/evil.example", `/admin\@evil.example`, "/admin\x00//evil.example", " //evil.example",
}

// leavesSite reports whether a browser given loc as a Location could end up
// anywhere but the site, read as browsers read it and also after one or two
// more rounds of decoding, as a careless proxy might.
func leavesSite(loc string) bool {
	if loc == "" {
		return false
	}
	base, _ := url.Parse("https://news.example.org/city/story")
	read := func(s string) bool {
		s = strings.Trim(s, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\v\f\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
		s = strings.NewReplacer("\t", "", "\r", "", "\n", "", `\`, "/").Replace(s)
		if strings.HasPrefix(s, "//") {
			s = "//" + strings.TrimLeft(s, "/") // browsers skip extra slashes before a host
		}
		u, err := url.Parse(s)
		if err != nil {
			return true
		}
		abs := base.ResolveReference(u)
		return abs.Scheme != "https" || abs.Host != "news.example.org"
	}
	if read(loc) {
		return true
	}
	// The query and fragment cannot move the browser to another host; a
	// decoded path can.
	p := loc
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	for range 2 {
		d, err := url.PathUnescape(p)
		if err != nil {
			break
		}
		if p = d; strings.ContainsAny(p, "\x00\x7f") || read(p) {
			return true
		}
	}
	return false
}

func TestLeavesSite(t *testing.T) {
	for loc, want := range map[string]bool{
		"/city/story": false, "/admin?notice=saved": false, "": false, "/admin/login?next=%2F%2Fevil.example": false,
		"//evil.example": true, "/\t/evil.example": true, `/\evil.example`: true, "https://evil.example/": true,
		"/%2f%2fevil.example": true, "/%252f%252fevil.example": true, "/%09/evil.example": true,
	} {
		if got := leavesSite(loc); got != want {
			t.Errorf("leavesSite(%q) = %v, want %v", loc, got, want)
		}
	}
}

// No redirect the site makes leaves it, whatever a stranger puts in the
// path or in next=: through the trailing-slash fallback, the newsroom's
// sign-in (before and after signing in), and the mux's own clean-ups.
func TestNoRedirectLeavesTheSite(t *testing.T) {
	ns := newNewsroom(t)
	check := func(t *testing.T, what string, rec *httptest.ResponseRecorder) string {
		t.Helper()
		loc := rec.Header().Get("Location")
		if leavesSite(loc) {
			t.Errorf("%s = %d, Location %q leaves the site", what, rec.Code, loc)
		}
		if rec.Code >= 300 && rec.Code < 400 && loc == "" {
			t.Errorf("%s = %d without a Location", what, rec.Code)
		}
		if rec.Code >= 500 {
			t.Errorf("%s = %d", what, rec.Code)
		}
		return loc
	}
	get := func(target string, role account.Role) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/", nil)
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Fatalf("%q: %v", target, err)
		}
		req.URL, req.RequestURI = u, target
		if role != "" {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ns.cookies[role]})
		}
		rec := httptest.NewRecorder()
		ns.srv.ServeHTTP(rec, req)
		return rec
	}
	logins := 0
	login := func(next string) *httptest.ResponseRecorder {
		// A fresh address and a rotating account, so no sign-in limit
		// stands between the test and the redirect.
		logins++
		role := account.Roles[logins%len(account.Roles)]
		form := url.Values{"email": {ns.users[role].Email}, "password": {testPassword}, "next": {next}}
		req := httptest.NewRequest("POST", "/admin/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = fmt.Sprintf("198.51.100.%d:1", logins)
		rec := httptest.NewRecorder()
		ns.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("sign-in with next=%q = %d", next, rec.Code)
		}
		return rec
	}

	for _, p := range hostilePaths {
		t.Run("path "+p, func(t *testing.T) {
			for _, target := range []string{p + "/", p + "/?x=1", "/city" + p + "/", "/admin" + p + "/", p} {
				check(t, "GET "+target, get(target, ""))
			}
			// Signed out, a newsroom page sends the browser to sign in and
			// carries the page in next=; signing in then follows it.
			for _, target := range []string{"/admin/articles" + p, "/admin" + p, "/admin/articles/1" + p} {
				loc := check(t, "GET "+target, get(target, ""))
				if u, err := url.Parse(loc); err == nil && u.Path == "/admin/login" {
					check(t, "sign-in after GET "+target, login(u.Query().Get("next")))
				}
			}
		})
	}
	for _, next := range hostileNexts {
		t.Run(fmt.Sprintf("next %q", next), func(t *testing.T) {
			check(t, "GET /admin/login signed in", get("/admin/login?next="+url.QueryEscape(next), account.Editor))
			check(t, "POST /admin/login", login(next))
		})
	}
}

// The redirects after a form — a comment, a subscription, a moderator's
// action — stay on the site whatever the form says.
func TestFormRedirectsStayOnTheSite(t *testing.T) {
	ns := newNewsroom(t)
	_, article := publishedArticle(t, ns, "Ferry timetable changes")
	rec := postComment(ns, article+"/comments", url.Values{"name": {"Ana"}, "body": {"A fair point about the ferry."}}, "203.0.113.7:1")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), article+"#c-") {
		t.Errorf("comment = %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = postComment(ns, "/subscribe", url.Values{"email": {"reader@example.org"}, "scope": {"site"}}, "203.0.113.8:1")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/subscribe/sent" {
		t.Errorf("subscribe = %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	for _, from := range append(hostileNexts, "pending") {
		for _, path := range []string{"/admin/comments", "/admin/comments/1/edit"} {
			rec := ns.do("POST", path, account.Editor, url.Values{"action": {"approve"}, "id": {"1"}, "body": {"Edited."}, "from": {from}})
			if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || leavesSite(loc) || !strings.HasPrefix(loc, "/admin/comments") {
				t.Errorf("POST %s from=%q = %d, Location %q", path, from, rec.Code, loc)
			}
		}
	}
}

func TestLocalPath(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/city/story", "/city/story"},
		{"/city/story#c-12", "/city/story#c-12"},
		{"/admin/comments?status=held", "/admin/comments?status=held"},
		{"/city/", "/city/"},
		{"/admin/../city", "/city"},
		{"/city/%D8%A8%D8%A7", "/city/%D8%A8%D8%A7"},
		{"/search?q=%2F%2Fa%5Cb", "/search?q=%2F%2Fa%5Cb"},
	} {
		if got, ok := localPath(tt.in); !ok || got != tt.want {
			t.Errorf("localPath(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, p := range append(hostileNexts, "", "city", "?x", "#x", "/100%") {
		if got, ok := localPath(p); ok && leavesSite(got) {
			t.Errorf("localPath(%q) = %q, which leaves the site", p, got)
		}
	}
}

// Every redirect goes through redirect (redirect.go): no other code in the
// package calls http.Redirect or sets a Location header itself.
func TestEveryRedirectGoesThroughOneHelper(t *testing.T) {
	files, err := filepath.Glob("*.go")
	must(t, err)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "redirect.go" {
			continue
		}
		src, err := os.ReadFile(name)
		must(t, err)
		f, err := parser.ParseFile(fset, name, src, 0)
		must(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "http" && (n.Sel.Name == "Redirect" || n.Sel.Name == "RedirectHandler") {
					t.Errorf("%s: http.%s; use redirect", fset.Position(n.Pos()), n.Sel.Name)
				}
			case *ast.BasicLit:
				if n.Kind == token.STRING && strings.EqualFold(strings.Trim(n.Value, "`\""), "Location") {
					t.Errorf("%s: sets Location itself; use redirect", fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
}

// Whatever localPath accepts stays on the site, however it is decoded.
func FuzzLocalPath(f *testing.F) {
	for _, s := range append(hostileNexts, "/city/story", "/admin?x=1#y", "/%2e%2e/%2f/x", "/a/../../b", "/#D%", "/x?%zz") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		if got, ok := localPath(target); ok && leavesSite(got) {
			t.Errorf("localPath(%q) = %q, which leaves the site", target, got)
		}
	})
}
