package redirect

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"broadsheet/internal/errs"
)

func TestKey(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/category/world/europe", "/category/world/europe"},
		{"/category/world/europe/", "/category/world/europe"},
		{"/tag/x/", "/tag/x"},
		{"//tag//x//", "/tag/x"},
		{"/2024/05/17/harbour-reopens/", "/2024/05/17/harbour-reopens"},
		{"/a/./b/../c", "/a/c"},
		{"/", "/"},
		{"", ""}, // refused below
		// Case is kept: WordPress slugs are lower case, and a path is not.
		{"/About-Us", "/About-Us"},
		// A Persian slug as it reads, and encoded in lower or upper case.
		{"/tag/خبر", "/tag/%D8%AE%D8%A8%D8%B1"},
		{"/tag/%d8%ae%d8%a8%d8%b1/", "/tag/%D8%AE%D8%A8%D8%B1"},
		{"/tag/%D8%AE%D8%A8%D8%B1", "/tag/%D8%AE%D8%A8%D8%B1"},
		{"/a%20b", "/a%20b"},
		{"/a b", "/a%20b"},
		{"/%7Euser", "/~user"},
		{"/a%2Fb", "/a/b"},
		{"/100%25", "/100%25"},
		// The query keeps what addresses content, in one order.
		{"/?p=123", "/?p=123"},
		{"/?p=0123", "/?p=123"},
		{"/?utm_source=news&p=123&fbclid=x", "/?p=123"},
		{"/?page_id=7", "/?page_id=7"},
		{"/?cat=4", "/?cat=4"},
		{"/?cat=-4", "/?cat=-4"},
		{"/?feed=rss2", "/?feed=rss2"},
		{"/?year=2024&monthnum=05&day=17", "/?day=17&monthnum=5&year=2024"},
		{"/?m=202405", "/?m=202405"},
		{"/?tag=%D8%AE%D8%A8%D8%B1", "/?tag=%D8%AE%D8%A8%D8%B1"},
		{"/?tag=%d8%ae%d8%a8%d8%b1", "/?tag=%D8%AE%D8%A8%D8%B1"},
		{"/?tag=خبر", "/?tag=%D8%AE%D8%A8%D8%B1"},
		{"/?p=1&p=2", "/?p=2"},
		{"/?p=", "/"},
		{"/?p=12&page=2&paged=3&cpage=1&replytocom=5", "/?p=12"},
		{"/?utm_source=x", "/"},
		{"/?s=harbour", "/"},
		{"/?P=12", "/"},
		{"/?p=12#comments", "/?p=12"},
		{"?p=12", "/?p=12"},
		{"/category/world/?utm_campaign=spring", "/category/world"},
		{"/?author_name=ada&feed=atom", "/?author_name=ada&feed=atom"},
		// WordPress answers /index.php as the front page.
		{"/index.php?p=12", "/?p=12"},
		{"/index.php/2024/05/slug/", "/2024/05/slug"},
		{"/index.php/index.php/x", "/x"},
		{"/index.php/index.php", "/"},
		{"/index.phpx", "/index.phpx"},
		// A whole address of the old site.
		{"https://old.example/category/world/?utm_source=x#top", "/category/world"},
		{"HTTP://old.example", "/"},
		{"http://old.example?p=5", "/?p=5"},
		{"https://old.example:8443/tag/%d8%ae", "/tag/%D8%AE"},
	} {
		got, err := Key(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("Key(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Key(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "category/world", "javascript:alert(1)", "/a%zz", "/100%", "ftp://old.example/x"} {
		if got, err := Key(bad); err == nil {
			t.Errorf("Key(%q) = %q; want an error", bad, got)
		}
	}
}

func TestCheckTarget(t *testing.T) {
	for _, tt := range []struct {
		in      string
		offSite bool
		want    string // "" for refused
	}{
		{"/city/harbour-reopens", false, "/city/harbour-reopens"},
		{"  /city/harbour-reopens  ", false, "/city/harbour-reopens"},
		{"/city/", false, "/city/"},
		{"/search?q=harbour wall", false, "/search?q=harbour%20wall"},
		{"/about#contact", false, "/about#contact"},
		{"/tag/خبر", false, "/tag/%D8%AE%D8%A8%D8%B1"},
		{"/tag/%D8%AE", false, "/tag/%D8%AE"},
		{"/a/../b", false, "/b"},
		{"https://other.example/story?x=1", true, "https://other.example/story?x=1"},
		{"HTTPS://other.example/", true, "https://other.example/"},
		{"/city/x", true, "/city/x"},
		// Refused, however they are written.
		{"", false, ""},
		{"city/x", false, ""},
		{"//evil.example", false, ""},
		{"//evil.example", true, ""},
		{"/\\evil.example", false, ""},
		{"/%5cevil.example", false, ""},
		{"/%2f%2fevil.example", false, ""},
		{"/%252f%252fevil.example", false, ""},
		{"/\t/evil.example", false, ""},
		{"/x\r\nSet-Cookie: a=b", false, ""},
		{"/%2e%2e/%2f%2fevil.example", false, ""},
		{"https://other.example/", false, ""},
		{"javascript:alert(1)", true, ""},
		{"https:evil.example", true, ""},
		{"https:///evil.example", true, ""},
		{"https://user:pw@other.example/", true, ""},
		{"mailto:desk@example.org", true, ""},
		{"/" + strings.Repeat("a", MaxAddress), false, ""},
	} {
		got, err := CheckTarget(tt.in, tt.offSite)
		if tt.want == "" {
			if err == nil {
				t.Errorf("CheckTarget(%q, %v) = %q; want it refused", tt.in, tt.offSite, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CheckTarget(%q, %v) = %q, %v; want %q", tt.in, tt.offSite, got, err, tt.want)
		}
	}
	_, err := CheckTarget("https://other.example/", false)
	if err == nil || !strings.Contains(err.Error(), "off-site") {
		t.Errorf("an off-site target without leave says %v; want it to name off-site targets", err)
	}
}

func TestValidate(t *testing.T) {
	r := Redirect{FromPath: " /category/World/ ", ToURL: "/world"}
	if err := Validate(&r); err != nil {
		t.Fatal(err)
	}
	if r.FromPath != "/category/World" || r.ToURL != "/world" || r.Status != 301 {
		t.Errorf("Validate wrote %+v", r)
	}
	off := Redirect{FromPath: "/x", ToURL: "/y", OffSite: true, Status: 302}
	if err := Validate(&off); err != nil || off.OffSite {
		t.Errorf("a site path with off-site allowed: %+v, %v; want it stored as on-site", off, err)
	}
	for _, tt := range []struct {
		r     Redirect
		field string
		says  string
	}{
		{Redirect{ToURL: "/x"}, "from_path", "enter the old address"},
		{Redirect{FromPath: "x", ToURL: "/x"}, "from_path", "neither a path"},
		{Redirect{FromPath: "/", ToURL: "/x"}, "from_path", "front page"},
		{Redirect{FromPath: "/?utm_source=x", ToURL: "/x"}, "from_path", "front page"},
		{Redirect{FromPath: "/admin/articles", ToURL: "/x"}, "from_path", "newsroom"},
		{Redirect{FromPath: "/api/v1/articles", ToURL: "/x"}, "from_path", "newsroom"},
		{Redirect{FromPath: "/a%0Ab", ToURL: "/x"}, "from_path", "control character"},
		{Redirect{FromPath: "/x"}, "to_url", "enter where"},
		{Redirect{FromPath: "/tag/x/", ToURL: "/tag/x"}, "to_url", "cannot lead to the address it answers"},
		{Redirect{FromPath: "/?p=5", ToURL: "/index.php?p=05#c"}, "to_url", "cannot lead to the address it answers"},
		{Redirect{FromPath: "/x", ToURL: "https://other.example/"}, "to_url", "another site"},
		{Redirect{FromPath: "/x", ToURL: "/y", Status: 303}, "status", "301, 302, 307 or 308"},
		{Redirect{FromPath: "/x", ToURL: "/y", Source: "Word Press"}, "source", "importer"},
	} {
		r := tt.r
		err := Validate(&r)
		var inv *errs.InvalidError
		if !errors.As(err, &inv) || !inv.Has(tt.field) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("Validate(%+v) = %v; want a problem with %s saying %q", tt.r, err, tt.field, tt.says)
		}
	}
	// Every problem at once, each beside its field.
	r = Redirect{FromPath: "nope", ToURL: "nope", Status: 200}
	var inv *errs.InvalidError
	if err := Validate(&r); !errors.As(err, &inv) || !inv.Has("from_path") || !inv.Has("to_url") || !inv.Has("status") {
		t.Errorf("Validate(%+v) = %v; want problems with from_path, to_url and status", r, err)
	}
}

func TestDisplay(t *testing.T) {
	for in, want := range map[string]string{
		"/tag/%D8%AE%D8%A8%D8%B1": "/tag/خبر",
		"/?tag=%D8%AE":            "/?tag=خ",
		"/a%0Ab":                  "/a%0Ab",
		"/a%FFb":                  "/a%FFb",
		"/plain":                  "/plain",
	} {
		if got := Display(in); got != want {
			t.Errorf("Display(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzKey holds Key to what stored and looked-up addresses rely on: a key
// is one form (Key of a key is itself), a clean path of printable ASCII
// with only content parameters in its query, and every trailing-slash,
// case-of-escape and tracking-parameter variant of an address finds it.
func FuzzKey(f *testing.F) {
	for _, s := range []string{"/category/world/", "/?p=123&utm_source=x", "/tag/%d8%ae", "//a//b/", "/index.php/x", "https://old.example/x?cat=4#f",
		"/a/../../b", "/%2e%2e/x", "/?tag=%D8%AE+x&tag=", "/?p=0&p=00", "/x?%zz=1&p=%zz", "/?year=2024&monthnum=05", "/index.php/index.php"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		k, err := Key(raw)
		if err != nil {
			return
		}
		again, err := Key(k)
		if err != nil || again != k {
			t.Fatalf("Key(%q) = %q, but Key(%q) = %q, %v", raw, k, k, again, err)
		}
		p, q, hasQuery := strings.Cut(k, "?")
		if !strings.HasPrefix(p, "/") || strings.Contains(p, "//") || (p != "/" && strings.HasSuffix(p, "/")) || strings.ContainsAny(k, "# ") {
			t.Fatalf("Key(%q) = %q, not a clean path", raw, k)
		}
		for i := 0; i < len(k); i++ {
			if k[i] <= ' ' || k[i] >= 0x7f {
				t.Fatalf("Key(%q) = %q holds byte %#x", raw, k, k[i])
			}
		}
		if hasQuery {
			vals, err := url.ParseQuery(q)
			if err != nil || len(vals) == 0 {
				t.Fatalf("Key(%q) = %q: query %q does not read back (%v)", raw, k, q, err)
			}
			for name := range vals {
				if !containsString(ContentQueries, name) {
					t.Fatalf("Key(%q) = %q keeps %q", raw, k, name)
				}
			}
		}
		query := ""
		if hasQuery {
			query = "?" + q
		}
		lowerEscapes := regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(p, strings.ToLower)
		for _, variant := range []string{p + "/" + query, lowerEscapes + query, p + "?utm_source=x&" + q, "https://old.example" + k + "#frag"} {
			if got, err := Key(variant); err != nil || got != k {
				t.Fatalf("Key(%q) = %q, %v; want %q as for %q", variant, got, err, k, raw)
			}
		}
	})
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
