package web

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"broadsheet/internal/account"
)

// TestEveryNewsroomFieldHasALabel opens every newsroom page an
// administrator can and checks that each form field a person fills in is
// named for assistive technology: by a <label for>, an enclosing <label>,
// or aria-label(ledby). A screen reader announces an unnamed field as just
// "file" or "edit text".
func TestEveryNewsroomFieldHasALabel(t *testing.T) {
	ns := newNewsroom(t)
	id := ns.create(account.Admin, "A story to edit")
	paths := []string{fmt.Sprintf("/admin/articles/%d", id), fmt.Sprintf("/admin/articles/%d/revisions", id)}
	for _, rt := range adminRoutes {
		if rt.method == "GET" {
			paths = append(paths, rt.path)
		}
	}
	for _, path := range paths {
		rec := ns.do("GET", path, account.Admin, nil)
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			continue
		}
		doc, err := html.Parse(rec.Body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, f := range unlabelledFields(doc) {
			t.Errorf("%s: a field without a label: %s", path, f)
		}
	}
}

// unlabelledFields lists the fields of doc no label names.
func unlabelledFields(doc *html.Node) []string {
	labelled := map[string]bool{}
	var fields []*html.Node
	inLabel := map[*html.Node]bool{}
	var walk func(n *html.Node, underLabel bool)
	walk = func(n *html.Node, underLabel bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "label":
				if f := attr(n, "for"); f != "" {
					labelled[f] = true
				}
				underLabel = true
			case "input", "select", "textarea":
				switch attr(n, "type") {
				case "hidden", "submit", "button", "reset", "image":
				default:
					fields = append(fields, n)
					inLabel[n] = underLabel
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, underLabel)
		}
	}
	walk(doc, false)
	var out []string
	for _, f := range fields {
		if inLabel[f] || labelled[attr(f, "id")] && attr(f, "id") != "" || attr(f, "aria-label") != "" || attr(f, "aria-labelledby") != "" {
			continue
		}
		out = append(out, fmt.Sprintf("<%s name=%q type=%q>", f.Data, attr(f, "name"), attr(f, "type")))
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
