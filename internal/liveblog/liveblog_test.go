package liveblog

import (
	"strings"
	"testing"

	"broadsheet/internal/article"
	"broadsheet/internal/errs"
)

func TestKeys(t *testing.T) {
	k := Key(12, 345)
	if k != "live:12:345" {
		t.Errorf("Key = %q", k)
	}
	for in, want := range map[string][2]int64{"live:12:345": {12, 345}, "live:7:0": {7, 0}} {
		a, u, ok := ParseKey(in)
		if !ok || a != want[0] || u != want[1] {
			t.Errorf("ParseKey(%q) = %d, %d, %v", in, a, u, ok)
		}
	}
	for _, bad := range []string{"live:", "live:x:1", "live:1", "comments:1", "live:0:1", "live:1:-2", "live:1:2:3"} {
		if _, _, ok := ParseKey(bad); ok {
			t.Errorf("ParseKey(%q) read a key", bad)
		}
	}
}

// An update's permalink is the page of updates beginning with it,
// anchored at it.
func TestPermalink(t *testing.T) {
	if got, want := Permalink("/city/storm-live", 17), "/city/storm-live?from=17#update-17"; got != want {
		t.Errorf("Permalink = %q, want %q", got, want)
	}
}

func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		u      Update
		fields []string
	}{
		{"fine", Update{Body: "Roads shut."}, nil},
		{"no text", Update{Body: " \n "}, []string{"body"}},
		{"too long", Update{Body: strings.Repeat("ж", MaxBody+1), Headline: strings.Repeat("h", MaxHeadline+1)}, []string{"body", "headline"}},
		{"as long as may be", Update{Body: strings.Repeat("ж", MaxBody), Headline: strings.Repeat("h", MaxHeadline)}, nil},
		{"too many authors", Update{Body: "x", Authors: make([]article.Author, MaxAuthors+1)}, []string{"authors"}},
	} {
		err := tt.u.Validate()
		var got []string
		for _, p := range errs.From(err).Fields {
			got = append(got, p.Field)
		}
		if strings.Join(got, " ") != strings.Join(tt.fields, " ") {
			t.Errorf("%s: problems with %v, want %v (%v)", tt.name, got, tt.fields, err)
		}
	}
}
