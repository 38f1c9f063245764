package wordpress

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// fuzzOpen is the start of a small export, up to its first item.
const fuzzOpen = `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Fuzz &amp; Co</title>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:category><wp:term_id>2</wp:term_id><wp:category_nicename><![CDATA[news]]></wp:category_nicename><wp:cat_name><![CDATA[News]]></wp:cat_name></wp:category>
`

// fuzzDocs are small exports with what makes reading one hard.
var fuzzDocs = []string{
	// CDATA split around "]]>", as WordPress writes it.
	fuzzOpen + "\t<item>\n\t\t<title>Split</title>\n\t\t<wp:post_id>1</wp:post_id>\n" +
		"\t\t<content:encoded><![CDATA[a ]]]]><![CDATA[> b <item> c]]></content:encoded>\n\t</item>\n</channel>\n</rss>\n",
	// Entities, character references, and one XML does not define.
	fuzzOpen + "\t<item><title>Caf&#233; &amp; &lt;b&gt; &#x1F41F; &#8211;</title><wp:post_id>2</wp:post_id>" +
		"<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author_url>https://a.example/?x=1&amp;y=2</wp:comment_author_url></wp:comment></item>\n" +
		"\t<item><title>&nbsp;&bogus;</title><wp:post_id>3</wp:post_id></item>\n</channel></rss>",
	// Control characters XML does not allow, in text and in CDATA.
	fuzzOpen + "\t<item><title>bell\x07 and\x01 form\x0c feed</title><content:encoded><![CDATA[\x00nul\x1b]]></content:encoded></item>\n</channel></rss>\n",
	// An item the export ends inside.
	fuzzOpen + "\t<item>\n\t\t<title>Cut off</title>\n\t\t<content:encoded><![CDATA[half a sent",
	// A broken item between two good ones.
	fuzzOpen + "\t<item><title>One</title><wp:post_id>4</wp:post_id></item>\n" +
		"\t<item><title>Two</title><wp:post_id>5</wp:post_id><wp:status>publish</oops></item>\n" +
		"\t<item><title>Three</title><wp:post_id>6</wp:post_id></item>\n</channel></rss>\n",
	// Items within items, an item's end with no start, an <item/> that is empty.
	fuzzOpen + "<item><item><title>inner</title></item></item></item><item/><item\n>x</item >\n</channel></rss>",
	// "<item>" in a comment and in the header's CDATA; Windows line ends.
	"<?xml version=\"1.0\"?>\r\n<!-- <item> -->\r\n<rss xmlns:wp=\"http://wordpress.org/export/1.1/\">\r\n<channel><title><![CDATA[<item>]]></title>\r\n" +
		"<wp:wxr_version>1.1</wp:wxr_version>\r\n<item><title>crlf</title></item>\r\n</channel></rss>\r\n",
	// A quote in a tag that never closes.
	fuzzOpen + "<item><title a='>b</title></item><item><title>after</title></item></channel></rss>",
	// Not an export at all, and an empty one.
	"<html><body><item>not WXR</item></body></html>",
	"",
}

// FuzzReader: whatever the file, the reader does not panic; it reads the
// header once (asked again, it says the same, and after refusing it reads
// no item); it comes to an end within one call of Next per "<item" in the
// file, and one more; and the line it gives for an item, read or not, is
// in the file and holds the item's start, never before the last one's.
func FuzzReader(f *testing.F) {
	edge, err := os.ReadFile("testdata/edge-1.1.wxr.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(edge)
	// The real export in pieces: its channel up to the wp:term list, and
	// each of its items behind the channel's first lines. The fuzzer
	// shrinks every input that finds something new, in time that grows
	// with the square of its length: on the whole file (100 KB) it would
	// do little else.
	b, err := os.ReadFile("testdata/real/wordpress-6.1.wxr.xml")
	if err != nil {
		f.Fatal(err)
	}
	real := string(b)
	const end = "</channel>\n</rss>\n"
	head, _, _ := strings.Cut(real, "\t\t<wp:author>")
	channel, _, _ := strings.Cut(real, "\t\t<wp:term>")
	f.Add([]byte(channel + end))
	for _, it := range strings.Split(real, "<item>")[1:] {
		it, _, _ = strings.Cut(it, "</item>")
		f.Add([]byte(head + "<item>" + it + "</item>\n" + end))
	}
	for _, doc := range fuzzDocs {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		lines := bytes.Split(in, []byte("\n"))
		starts := bytes.Count(in, []byte("<item"))
		// at checks a line the reader names.
		at := func(what string, line int) {
			t.Helper()
			if line < 1 || line > len(lines) {
				t.Fatalf("%s at line %d of %d", what, line, len(lines))
			}
			if !bytes.Contains(lines[line-1], []byte("<item")) {
				t.Fatalf("%s at line %d, which is %q", what, line, lines[line-1])
			}
		}

		rd := NewReader(bytes.NewReader(in))
		x, herr := rd.Header()
		if herr != nil && x != nil || herr == nil && x == nil {
			t.Fatalf("Header() = %v, %v", x, herr)
		}
		if x2, err2 := rd.Header(); x2 != x || (err2 == nil) != (herr == nil) {
			t.Fatalf("Header() again = %v, %v; first %v, %v", x2, err2, x, herr)
		}
		last, ended := 0, false
		for calls := 0; calls <= starts; calls++ {
			it, err := rd.Next()
			if errors.Is(err, io.EOF) {
				ended = true
				break
			}
			var ie *ItemError
			if errors.As(err, &ie) {
				if herr != nil {
					t.Fatalf("the header could not be read (%v), yet Next read on: %v", herr, err)
				}
				_ = ie.Error()
				at("item not read ("+ie.Err.Error()+")", ie.Line)
				if ie.Line < last {
					t.Fatalf("item not read at line %d after one at line %d", ie.Line, last)
				}
				last = ie.Line
				continue
			}
			if err != nil {
				ended = true
				break // ends the export
			}
			if herr != nil {
				t.Fatalf("the header could not be read (%v), yet Next read an item at line %d", herr, it.Line)
			}
			at("item", it.Line)
			if it.Line < last {
				t.Fatalf("item at line %d after one at line %d", it.Line, last)
			}
			last = it.Line
		}
		if !ended {
			t.Fatalf("no end after %d calls of Next on a file with %d \"<item\"", starts+1, starts)
		}
		if rd.Offset() > int64(len(in)) || rd.Dropped > len(in) {
			t.Fatalf("read %d bytes of %d, dropped %d characters", rd.Offset(), len(in), rd.Dropped)
		}
	})
}
