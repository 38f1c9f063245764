package markup

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	r := New()
	tests := []struct {
		name    string
		src     string
		want    []string // substrings that must appear
		mustNot []string // substrings that must not appear
	}{
		{"paragraph", "Hello *world*", []string{"<p>Hello <em>world</em></p>"}, nil},
		{"heading gets an id", "## The vote", []string{`<h2 id="the-vote">The vote</h2>`}, nil},
		{"link", "[docs](https://example.org/a)", []string{`<a href="https://example.org/a"`}, nil},
		{"quote", "> said", []string{"<blockquote>"}, nil},
		{"list", "- one\n- two", []string{"<ul>", "<li>one</li>"}, nil},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, nil},
		{"raw script dropped", "<script>alert(1)</script>\n\ntext", []string{"<p>text</p>"}, []string{"<script", "alert(1)"}},
		{"inline html dropped", "a <img src=x onerror=alert(1)> b", nil, []string{"<img", "onerror"}},
		{"javascript link", "[x](javascript:alert(1))", nil, []string{"javascript:"}},
		{"javascript link mixed case", "[x](JaVaScRiPt:alert(1))", nil, []string{"avascript:", "alert(1)\""}},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD4=)", nil, []string{"data:text"}},
		{"vbscript link", "[x](vbscript:msgbox(1))", nil, []string{"vbscript:"}},
		{"autolink javascript", "<javascript:alert(1)>", nil, []string{`href="javascript`}},
		{"html in code is escaped", "`<b>x</b>`", []string{"<code>&lt;b&gt;x&lt;/b&gt;</code>"}, nil},
		{"attribute injection in link title", `[x](https://example.org "a\" onmouseover=\"alert(1)")`, nil, []string{"onmouseover=\"alert"}},
		{"iframe", "<iframe src=https://evil.example></iframe>", nil, []string{"<iframe"}},
		{"style tag", "<style>body{display:none}</style>", nil, []string{"<style"}},
		{"footnote", "Claim[^1].\n\n[^1]: Source.", []string{`<sup id="fnref:1">`, `href="#fn:1"`}, nil},
		{"typographer", `"quoted"`, []string{"“quoted”"}, nil},
		{"persian text", "سلام دنیا", []string{"<p>سلام دنیا</p>"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Render(tt.src)
			if err != nil {
				t.Fatalf("Render(%q) error: %v", tt.src, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Render(%q) = %q, want it to contain %q", tt.src, got, w)
				}
			}
			for _, w := range tt.mustNot {
				if strings.Contains(strings.ToLower(got), strings.ToLower(w)) {
					t.Errorf("Render(%q) = %q, must not contain %q", tt.src, got, w)
				}
			}
		})
	}
}
