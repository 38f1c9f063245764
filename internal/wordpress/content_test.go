package wordpress

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"broadsheet/internal/markup"

	nethtml "golang.org/x/net/html"
)

var updateContent = flag.Bool("update-content", false, "rewrite testdata/content/*.md and *.notes from what Convert writes")

// siteMedia is a site that imported these attachments, each known by its
// id and its own addresses only: every other address must be found through
// the original's.
func siteMedia(src string, id int64) (string, string, bool) {
	type image struct{ path, alt string }
	byURL := map[string]image{
		"https://courier.example/wp-content/uploads/2022/05/quay.jpg":         {"/media/27/800.jpg", "The quay at dawn"},
		"https://courier.example/wp-content/uploads/2022/05/crowd-scaled.jpg": {"/media/28/1200.jpg", ""},
		"/wp-content/uploads/2021/01/map.png":                                 {"/media/29/640.jpg", "Map"},
	}
	byID := map[int64]image{
		27: byURL["https://courier.example/wp-content/uploads/2022/05/quay.jpg"],
		28: byURL["https://courier.example/wp-content/uploads/2022/05/crowd-scaled.jpg"],
		31: {"/media/31/800.jpg", "Polling station"}, 32: {"/media/32/800.jpg", "Queue"}, 33: {"/media/33/800.jpg", ""},
	}
	if im, ok := byID[id]; ok {
		return im.path, im.alt, true
	}
	if im, ok := byURL[src]; ok {
		return im.path, im.alt, true
	}
	return "", "", false
}

type convertCase struct {
	name, in, want string
	notes          []string
}

var convertCases = []convertCase{
	// Classic editor: wpautop's paragraphs and line breaks.
	{"classic paragraphs", "First line\nsecond line\n\nNext paragraph\n\n\n\nLast", "First line  \nsecond line\n\nNext paragraph\n\nLast", nil},
	{"classic double br is a paragraph", "One<br><br>\nTwo<br />\nThree", "One\n\nTwo  \nThree", nil},
	{"classic block tags left as they are", "<div class=\"box\">In a box\non two lines</div>\nAfter the box\n<ul>\n<li>one</li>\n<li>two\nlines</li>\n</ul>",
		"In a box  \non two lines\n\nAfter the box\n\n- one\n- two  \n  lines", nil},
	{"classic blank line inside a block", "<blockquote>Said one thing.\n\nThen another.</blockquote>", "> Said one thing.\n> \n> Then another.", nil},
	{"classic blank line inside emphasis", "<em>Both\n\nitalic</em>", "*Both*\n\n*italic*", nil},
	{"classic pre untouched", "Code:\n<pre>a  b\n\n  c</pre>", "Code:\n\n```\na  b\n\n  c\n```", nil},
	{"classic explicit paragraphs", "<p>One</p>\n<p>Two\nlines</p>", "One\n\nTwo  \nlines", nil},
	{"inline html", `Some <em>stress</em>, <strong>weight</strong>, <b>bold</b>, <i>slant</i>, <del>gone</del> and <a href="https://example.org/a_b?x=1&amp;y=2" title="Title">a link</a>.`,
		`Some *stress*, **weight**, **bold**, *slant*, ~~gone~~ and [a link](https://example.org/a_b?x=1&y=2 "Title").`, nil},
	{"entities", "Don&#8217;t &amp; won&rsquo;t&nbsp;stop &#8220;now&#8221; &lt;b&gt; &amp;copy;",
		"Don’t & won’t\u00a0stop “now” &lt;b&gt; &amp;copy;", nil},
	{"markdown characters stay text", "* not a list\n\n# not a heading\n\n1986. A year\n\n+ plus\n\n> not a quote\n\n5 * 3 and `ticks` and [brackets](here)",
		"\\* not a list\n\n\\# not a heading\n\n1986\\. A year\n\n\\+ plus\n\n&gt; not a quote\n\n5 * 3 and \\`ticks\\` and \\[brackets](here)", nil},
	{"right to left", "<p dir=\"rtl\">انتخابات ریاست‌جمهوری، «دور دوم» — ۱۴۰۳</p>\n<p>Выборы: «второй тур»</p>",
		"انتخابات ریاست‌جمهوری، «دور دوم» — ۱۴۰۳\n\nВыборы: «второй тур»", nil},
	{"odd characters", "Emoji 🗳️, combining e\u0301, zero\u200bwidth, bidi \u202eevil\u202c, bell\a.",
		"Emoji 🗳️, combining e\u0301, zero\u200bwidth, bidi \u202eevil\u202c, bell.", []string{"control characters dropped"}},

	// Block editor.
	{"paragraph and heading blocks", "<!-- wp:paragraph -->\n<p>Text <strong>here</strong>.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:heading {\"level\":3} -->\n<h3 class=\"wp-block-heading\">Sub # heading</h3>\n<!-- /wp:heading -->",
		"Text **here**.\n\n### Sub # heading", nil},
	{"block paragraph keeps its newline a space", "<!-- wp:paragraph -->\n<p>One\ntwo</p>\n<!-- /wp:paragraph -->", "One two", nil},
	{"nested list blocks", "<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>One<!-- wp:list {\"ordered\":true} -->\n<ol><!-- wp:list-item -->\n<li>Nested</li>\n<!-- /wp:list-item --></ol>\n<!-- /wp:list --></li>\n<!-- /wp:list-item -->\n\n<!-- wp:list-item -->\n<li>Two</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->",
		"- One\n  1. Nested\n- Two", nil},
	{"quote block", "<!-- wp:quote -->\n<blockquote class=\"wp-block-quote\"><!-- wp:paragraph -->\n<p>Words.</p>\n<!-- /wp:paragraph --><cite>Ada</cite></blockquote>\n<!-- /wp:quote -->",
		"> Words.\n> \n> Ada", nil},
	{"pullquote block", "<!-- wp:pullquote -->\n<figure class=\"wp-block-pullquote\"><blockquote><p>Pulled out.</p><cite>Rez</cite></blockquote></figure>\n<!-- /wp:pullquote -->",
		"> Pulled out.\n> \n> Rez", nil},
	{"image block with id and caption", "<!-- wp:image {\"id\":27,\"sizeSlug\":\"large\"} -->\n<figure class=\"wp-block-image size-large\"><img src=\"https://courier.example/wp-content/uploads/2022/05/quay-1024x683.jpg\" alt=\"\" class=\"wp-image-27\"/><figcaption class=\"wp-element-caption\">The <a href=\"https://courier.example/quay\">quay</a>, at dawn</figcaption></figure>\n<!-- /wp:image -->",
		"![The quay at dawn](/media/27/800.jpg)\n\n*The [quay](https://courier.example/quay), at dawn*", nil},
	{"image block id without class", "<!-- wp:image {\"id\":28} -->\n<figure class=\"wp-block-image\"><img src=\"https://elsewhere.example/x.jpg\" alt=\"Crowd\"/></figure>\n<!-- /wp:image -->",
		"![Crowd](/media/28/1200.jpg)", nil},
	{"gallery block", "<!-- wp:gallery {\"linkTo\":\"none\"} -->\n<figure class=\"wp-block-gallery has-nested-images\"><!-- wp:image {\"id\":31} -->\n<figure class=\"wp-block-image\"><img src=\"https://courier.example/wp-content/uploads/p1.jpg\" alt=\"\" class=\"wp-image-31\"/></figure>\n<!-- /wp:image -->\n\n<!-- wp:image {\"id\":32} -->\n<figure class=\"wp-block-image\"><img src=\"https://courier.example/wp-content/uploads/p2.jpg\" alt=\"\" class=\"wp-image-32\"/><figcaption>The queue</figcaption></figure>\n<!-- /wp:image --><figcaption class=\"blocks-gallery-caption\">Election day</figcaption></figure>\n<!-- /wp:gallery -->",
		"![Polling station](/media/31/800.jpg)\n\n![Queue](/media/32/800.jpg)\n\n*The queue*\n\n*Election day*", []string{"gallery kept as its images one after another"}},
	{"older gallery block", "<!-- wp:gallery {\"ids\":[31,33]} -->\n<figure class=\"wp-block-gallery columns-2\"><ul class=\"blocks-gallery-grid\"><li class=\"blocks-gallery-item\"><figure><img src=\"https://courier.example/wp-content/uploads/p1.jpg\" data-id=\"31\" class=\"wp-image-31\"/></figure></li><li class=\"blocks-gallery-item\"><figure><img src=\"https://courier.example/wp-content/uploads/p3.jpg\" data-id=\"33\"/><figcaption class=\"blocks-gallery-item__caption\">Third</figcaption></figure></li></ul></figure>\n<!-- /wp:gallery -->",
		"![Polling station](/media/31/800.jpg)\n\n![](/media/33/800.jpg)\n\n*Third*", []string{"gallery kept as its images one after another"}},
	{"embed block", "<!-- wp:embed {\"url\":\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\",\"type\":\"video\",\"providerNameSlug\":\"youtube\"} -->\n<figure class=\"wp-block-embed is-type-video\"><div class=\"wp-block-embed__wrapper\">\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n</div><figcaption>The speech</figcaption></figure>\n<!-- /wp:embed -->",
		"<https://www.youtube.com/watch?v=dQw4w9WgXcQ>\n\n*The speech*", []string{"embed kept as its address: https://www.youtube.com/watch?v=dQw4w9WgXcQ"}},
	{"older embed block", "<!-- wp:core-embed/twitter {\"url\":\"https://twitter.com/courier/status/1\"} -->\n<figure class=\"wp-block-embed-twitter wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\nhttps://twitter.com/courier/status/1\n</div></figure>\n<!-- /wp:core-embed/twitter -->",
		"<https://twitter.com/courier/status/1>", []string{"embed kept as its address: https://twitter.com/courier/status/1"}},
	{"video and audio blocks", "<!-- wp:video {\"id\":45} -->\n<figure class=\"wp-block-video\"><video controls src=\"https://courier.example/wp-content/uploads/clip.mp4\"></video><figcaption>Clip</figcaption></figure>\n<!-- /wp:video -->\n\n<!-- wp:audio -->\n<figure class=\"wp-block-audio\"><audio controls><source src=\"https://courier.example/wp-content/uploads/talk.mp3\"></audio></figure>\n<!-- /wp:audio -->",
		"[clip.mp4](https://courier.example/wp-content/uploads/clip.mp4)\n\n*Clip*\n\n[talk.mp3](https://courier.example/wp-content/uploads/talk.mp3)",
		[]string{"video kept as a link: https://courier.example/wp-content/uploads/clip.mp4", "audio kept as a link: https://courier.example/wp-content/uploads/talk.mp3"}},
	{"table block", "<!-- wp:table -->\n<figure class=\"wp-block-table\"><table><thead><tr><th>Party</th><th>Seats</th></tr></thead><tbody><tr><td>Green | Left</td><td>12</td></tr><tr><td>Blue<br>list</td><td>7</td></tr></tbody></table><figcaption>Results</figcaption></figure>\n<!-- /wp:table -->",
		"| Party         | Seats |\n|---------------|-------|\n| Green \\| Left | 12    |\n| Blue list     | 7     |\n\n*Results*", []string{"line breaks in table cells kept as spaces"}},
	{"table without a header", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
		"| a | b |\n|---|---|\n| c | d |", []string{"table without a header row: its first row became the header"}},
	{"table holding a list", "<table><tr><th>Who</th></tr><tr><td><ul><li>x</li></ul></td></tr></table>",
		"Who\n\n- x", []string{"table kept as text: a Markdown table cannot hold its lists, headings or inner tables"}},
	{"separator block", "<!-- wp:paragraph -->\n<p>Above</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:separator -->\n<hr class=\"wp-block-separator\"/>\n<!-- /wp:separator -->\n\n<!-- wp:paragraph -->\n<p>Below</p>\n<!-- /wp:paragraph -->",
		"Above\n\n---\n\nBelow", nil},
	{"html block", "<!-- wp:html -->\n<div class=\"poll\" onclick=\"vote()\">Vote <script>track()</script></div>\n<!-- /wp:html -->",
		"```html\n<div class=\"poll\" onclick=\"vote()\">Vote <script>track()</script></div>\n```", []string{"block wp:html kept as text"}},
	{"html block of an iframe", "<!-- wp:html -->\n<iframe src=\"https://www.youtube.com/embed/abc\" width=\"560\"></iframe>\n<!-- /wp:html -->",
		"<https://www.youtube.com/embed/abc>", []string{"embed kept as its address: https://www.youtube.com/embed/abc"}},
	{"code and preformatted blocks", "<!-- wp:code -->\n<pre class=\"wp-block-code\"><code class=\"language-go x`\">if a &lt; b {\n\treturn \"```\"\n}</code></pre>\n<!-- /wp:code -->\n\n<!-- wp:preformatted -->\n<pre class=\"wp-block-preformatted\">Two  spaces\nand [gallery] as it is</pre>\n<!-- /wp:preformatted -->",
		"````go\nif a < b {\n\treturn \"```\"\n}\n````\n\n```\nTwo  spaces\nand [gallery] as it is\n```", nil},
	{"verse block", "<!-- wp:verse -->\n<pre class=\"wp-block-verse\">Roses are red,\nviolets are blue.</pre>\n<!-- /wp:verse -->",
		"Roses are red,  \nviolets are blue.", nil},
	{"columns and group blocks", "<!-- wp:group -->\n<div class=\"wp-block-group\"><!-- wp:columns -->\n<div class=\"wp-block-columns\"><!-- wp:column -->\n<div class=\"wp-block-column\"><!-- wp:paragraph -->\n<p>Left</p>\n<!-- /wp:paragraph --></div>\n<!-- /wp:column -->\n\n<!-- wp:column -->\n<div class=\"wp-block-column\"><!-- wp:heading -->\n<h2>Right</h2>\n<!-- /wp:heading --></div>\n<!-- /wp:column --></div>\n<!-- /wp:columns --></div>\n<!-- /wp:group -->",
		"Left\n\n## Right", nil},
	{"unknown block", "<!-- wp:acme/poll {\"id\":3} -->\n<div class=\"acme-poll\"><p>Which one?</p></div>\n<!-- /wp:acme/poll -->",
		"Which one?", []string{"block wp:acme/poll is not known: its content kept as it is"}},
	{"dynamic and reusable blocks", "<!-- wp:paragraph -->\n<p>Read more:</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:latest-posts {\"postsToShow\":3} /-->\n\n<!-- wp:block {\"ref\":123} /-->",
		"Read more:", []string{"block wp:latest-posts has no saved content (WordPress builds it when the page is shown): not carried over", "reusable block 123 not carried over: its content is kept elsewhere"}},
	{"shortcode block", "<!-- wp:shortcode -->\n[gallery ids=\"31,32\"]\n<!-- /wp:shortcode -->",
		"![Polling station](/media/31/800.jpg)\n\n![Queue](/media/32/800.jpg)", []string{"gallery kept as its images one after another"}},
	{"classic content between blocks", "<!-- wp:paragraph -->\n<p>Block</p>\n<!-- /wp:paragraph -->\n\nClassic line\nand its break\n\n<!-- wp:paragraph -->\n<p>Block again</p>\n<!-- /wp:paragraph -->",
		"Block\n\nClassic line  \nand its break\n\nBlock again", nil},
	{"unclosed and stray block comments", "<!-- /wp:paragraph -->\n<!-- wp:paragraph -->\n<p>Open to the end</p>", "Open to the end", nil},

	// Shortcodes.
	{"caption shortcode", `[caption id="attachment_27" align="alignnone" width="300"]<a href="https://courier.example/wp-content/uploads/2022/05/quay.jpg"><img class="size-medium wp-image-27" src="https://courier.example/wp-content/uploads/2022/05/quay-300x200.jpg" alt="" width="300" height="200" /></a> The quay, <em>at dawn</em>[/caption]`,
		"![The quay at dawn](/media/27/800.jpg)\n\n*The quay, at dawn*", nil},
	{"caption shortcode with its caption attribute", `[caption id="attachment_28" caption="A crowd &amp; flags"]<img src="https://courier.example/wp-content/uploads/2022/05/crowd-1024x683.jpg" alt="Crowd">[/caption]`,
		"![Crowd](/media/28/1200.jpg)\n\n*A crowd & flags*", nil},
	{"gallery shortcode", `Before [gallery ids="31,32,99" columns="3"] after`,
		"Before\n\n![Polling station](/media/31/800.jpg)\n\n![Queue](/media/32/800.jpg)\n\nafter", []string{"gallery kept as its images one after another", "image 99 not found"}},
	{"gallery shortcode without ids", `[gallery columns="2"]`, `\[gallery columns="2"]`,
		[]string{"shortcode [gallery] without ids (the post's attached images) kept as text"}},
	{"embed shortcode", "[embed width=\"500\"]https://vimeo.com/123?a=1&amp;b=2[/embed]", "<https://vimeo.com/123?a=1&b=2>",
		[]string{"embed kept as its address: https://vimeo.com/123?a=1&b=2"}},
	{"video and audio shortcodes", `[video width="640" mp4="https://courier.example/wp-content/uploads/v.mp4"][/video] [audio mp3="https://courier.example/wp-content/uploads/a.mp3"]`,
		"[v.mp4](https://courier.example/wp-content/uploads/v.mp4) [a.mp3](https://courier.example/wp-content/uploads/a.mp3)",
		[]string{"video kept as a link: https://courier.example/wp-content/uploads/v.mp4", "audio kept as a link: https://courier.example/wp-content/uploads/a.mp3"}},
	{"unknown shortcodes", `[contact-form-7 id="12" title="Contact"] and [spoiler]Twist[/spoiler] but not [sic]`,
		`\[contact-form-7 id="12" title="Contact"] and \[spoiler]Twist\[/spoiler] but not \[sic]`, []string{"shortcode [contact-form-7] kept as text", "shortcode [spoiler] kept as text"}},
	{"escaped shortcodes", `Type [[gallery]] or [[caption]x[/caption]], not [[foo]]`, `Type \[gallery] or \[caption]x\[/caption], not \[\[foo]]`, nil},
	{"shortcode in an attribute stays", `<a href="https://example.org/?q=[gallery]" title="[embed]">x</a>`, `[x](https://example.org/?q=%5Bgallery%5D "[embed]")`, nil},
	{"address alone on its line", "Watch:\nhttps://www.youtube.com/watch?v=a_b_\nor <a title=\"\nhttps://not.example/in-a-tag\n\" href=\"x\">this</a>",
		"Watch:\n\n<https://www.youtube.com/watch?v=a_b_>\n\nor [this](x \" https://not.example/in-a-tag \")", []string{"embed kept as its address: https://www.youtube.com/watch?v=a_b_"}},
	{"address alone in a paragraph", "<!-- wp:paragraph -->\n<p>https://www.youtube.com/watch?v=1</p>\n<!-- /wp:paragraph -->",
		"<https://www.youtube.com/watch?v=1>", []string{"embed kept as its address: https://www.youtube.com/watch?v=1"}},

	// Images.
	{"image by address", `<img src="https://courier.example/wp-content/uploads/2022/05/quay.jpg" alt="Given alt">`, "![Given alt](/media/27/800.jpg)", nil},
	{"image by its sizes", `<img src="https://courier.example/wp-content/uploads/2022/05/quay-150x150.jpg?resize=150" alt="">` +
		` <img src="https://courier.example/wp-content/uploads/2022/05/crowd-768x512.jpg" alt="">` +
		` <img src="https://courier.example/wp-content/uploads/2022/05/crowd.jpg" alt="">` +
		` <img src="https://i0.wp.com/courier.example/wp-content/uploads/2022/05/quay.jpg?w=1200" alt="">` +
		` <img src="/wp-content/uploads/2021/01/map-300x300.png" alt="">`,
		"![The quay at dawn](/media/27/800.jpg) ![](/media/28/1200.jpg) ![](/media/28/1200.jpg) ![The quay at dawn](/media/27/800.jpg) ![Map](/media/29/640.jpg)", nil},
	{"image by class", `<img src="https://cdn.example/anything.jpg" class="alignleft wp-image-31 size-full">`, "![Polling station](/media/31/800.jpg)", nil},
	{"lazy image", `<img src="data:image/gif;base64,R0lGOD" data-src="https://courier.example/wp-content/uploads/2022/05/quay.jpg" class="lazyload"><noscript><img src="https://courier.example/wp-content/uploads/2022/05/quay.jpg"></noscript>`,
		"![The quay at dawn](/media/27/800.jpg)", nil},
	{"image not found", `<p>Logo: <img src="https://other.example/logo-150x50.png" alt="The [Courier]"> and <img src="https://other.example/a%20b.jpg"> and <img src="data:image/png;base64,iVBOR"></p>`,
		`Logo: The \[Courier] and a b.jpg and`, []string{"image not found, kept as its text: https://other.example/logo-150x50.png", "image not found, kept as its text: https://other.example/a%20b.jpg", "image written into the post (data: address) not carried over"}},
	{"image linked to its file or page", `<a href="https://courier.example/wp-content/uploads/2022/05/quay.jpg"><img src="https://courier.example/wp-content/uploads/2022/05/quay-300x200.jpg"></a> <a href="https://courier.example/?attachment_id=27"><img class="wp-image-27" src="x.jpg"></a> <a href="https://example.org/story"><img class="wp-image-31" src="y.jpg"></a> <a href="https://courier.example/2022/05/vote/station/" rel="attachment wp-att-32"><img class="wp-image-32" src="z.jpg"></a>`,
		"![The quay at dawn](/media/27/800.jpg) ![The quay at dawn](/media/27/800.jpg) [![Polling station](/media/31/800.jpg)](https://example.org/story) ![Queue](/media/32/800.jpg)", nil},
	{"link to an uploaded file", `<a href="https://courier.example/wp-content/uploads/report.pdf">Report</a> and <a href="https://courier.example/wp-content/uploads/2022/05/quay-1024x683.jpg">photo</a>`,
		"[Report](https://courier.example/wp-content/uploads/report.pdf) and [photo](/media/27/800.jpg)", []string{"link to an uploaded file kept at its old address: https://courier.example/wp-content/uploads/report.pdf"}},

	// What must never get through.
	{"script and style", "<p>Before</p><script>alert(1)</script><script src=\"https://platform.twitter.com/widgets.js\"></script><style>p{color:red}</style><p>After</p>",
		"Before\n\nAfter", []string{"script dropped", "script dropped: https://platform.twitter.com/widgets.js", "style sheet dropped"}},
	{"iframes", `<iframe src="https://www.youtube.com/embed/xyz" width="560"></iframe><iframe src="javascript:alert(1)"></iframe><iframe srcdoc="<script>x</script>"></iframe>`,
		"<https://www.youtube.com/embed/xyz>", []string{"embed kept as its address: https://www.youtube.com/embed/xyz", "iframe without a web address dropped"}},
	{"event handlers and styles", `<p onclick="alert(1)" style="color:red"><img src="x" onerror="alert(1)" alt="pic"><a href="https://example.org" onmouseover="alert(1)">ok</a></p>`,
		"pic[ok](https://example.org)", []string{"image not found, kept as its text: x"}},
	{"javascript links", `<a href="javascript:alert(1)">one</a> <a href=" JaVa&#x09;ScRiPt:alert(1)">two</a> <a href="data:text/html,x">three</a> <a href="mailto:desk@courier.example">four</a> <a href="tel:+44">five</a>`,
		"one two three [four](mailto:desk@courier.example) five",
		[]string{"link to javascript:alert(1) dropped, its text kept", "link to JaVa ScRiPt:alert(1) dropped, its text kept", "link to data:text/html,x dropped, its text kept", "link to tel:+44 dropped, its text kept"}},
	{"forms and objects", `<form action="/x"><input name="q"><button>Go</button></form><object data="movie.swf"></object><svg><text>S</text></svg>`,
		"", []string{"form dropped", "plugin object dropped", "SVG drawing dropped"}},
	{"forged converter elements", `<x-bs-embed data-url="javascript:alert(1)">text</x-bs-embed><x-bs-autop data-bs="guess">a
b</x-bs-autop>`, "texta  \nb", nil},
	{"more and page breaks", "Teaser\n<!--more-->\nRest\n<!--nextpage-->\nPage two", "Teaser  \nRest\n\nPage two",
		[]string{"page breaks (<!--nextpage-->) dropped: the pages are one"}},
	{"inline elements without markdown", `<h1>Top</h1><p><a href="/2019/05/older-story/">Older</a>, <code>x := 1</code>, <q>quoted</q>, m<sup>2</sup>, H<sub>2</sub>O, <u>under</u>, <mark>marked</mark></p><hr><dl><dt>Term</dt><dd>Meaning</dd></dl>`,
		"# Top\n\n[Older](/2019/05/older-story/), `x := 1`, “quoted”, m2, H2O, under, marked\n\n---\n\nTerm\n\nMeaning",
		[]string{"superscript kept as plain text: 2", "subscript kept as plain text: 2"}},
	{"table caption", "<table><caption>Seats</caption><thead><tr><th>A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>", "| A |\n|---|\n| 1 |\n\n*Seats*", nil},
	{"caption and embed shortcodes without their content", "[caption]Only words[/caption] [embed][/embed]", "Only words \\[embed]\\[/embed]", []string{"shortcode [embed] kept as text"}},
	{"embed inside a paragraph split by a blank line", "<p>a\n\nb [embed]https://x.example/v[/embed] c\n\nd</p>",
		"a\n\nb\n\n<https://x.example/v>\n\nc\n\nd", []string{"embed kept as its address: https://x.example/v"}},
	{"caption outside a figure stays where it is", "<figcaption>Loose</figcaption><p>after</p>", "*Loose*\n\nafter", nil},
	{"empty", "", "", nil},
}

func init() {
	convertCases = append(convertCases,
		convertCase{"html nested too deeply", strings.Repeat("<div>", 600) + "Deep &amp; <em>down</em>\n\n[gallery ids=\"31\"]", "Deep & down",
			[]string{"gallery kept as its images one after another", "HTML nested too deeply to read (html: open stack of elements exceeds 512 nodes): kept as its text"}},
		convertCase{"many open shortcodes", strings.Repeat("[caption]", 3000) + "[x", strings.Repeat(`\[caption]`, 3000) + "[x", []string{"shortcode [caption] kept as text"}})
}

func TestConvert(t *testing.T) {
	for _, tc := range convertCases {
		t.Run(tc.name, func(t *testing.T) {
			got, notes := Convert(tc.in, siteMedia)
			if got != tc.want {
				t.Errorf("Convert(%.300q)\n got %.300q\nwant %.300q", tc.in, got, tc.want)
			}
			if !reflect.DeepEqual(notes, tc.notes) {
				t.Errorf("notes\n got %q\nwant %q", notes, tc.notes)
			}
			assertSafe(t, tc.in, got)
		})
	}
}

// TestConvertWithoutMedia: with nothing imported every image is its text.
func TestConvertWithoutMedia(t *testing.T) {
	got, notes := Convert(`<img src="https://courier.example/wp-content/uploads/2022/05/quay.jpg" alt="Quay"> [gallery ids="1"]`, nil)
	if want := "Quay"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	want := []string{"gallery kept as its images one after another", "image not found, kept as its text: https://courier.example/wp-content/uploads/2022/05/quay.jpg", "image 1 not found"}
	if !reflect.DeepEqual(notes, want) {
		t.Errorf("notes = %q, want %q", notes, want)
	}
}

// TestConvertRendered renders what Convert writes the way an article is
// rendered, and checks what a reader gets.
func TestConvertRendered(t *testing.T) {
	r := markup.New()
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"gallery", `[gallery ids="31,32"]`, []string{`<figure class="figure"><img src="/media/31/800.jpg" alt="Polling station" loading="lazy" decoding="async"></figure>`,
			`<figure class="figure"><img src="/media/32/800.jpg" alt="Queue" loading="lazy" decoding="async"></figure>`}},
		{"caption", `[caption id="attachment_27"]<img src="https://courier.example/wp-content/uploads/2022/05/quay-300x200.jpg"> At dawn[/caption]`,
			[]string{`<figure class="figure"><img src="/media/27/800.jpg" alt="The quay at dawn" loading="lazy" decoding="async"></figure>`, "<p><em>At dawn</em></p>"}},
		{"embed", "https://www.youtube.com/watch?v=a_b_--c", []string{`<p><a href="https://www.youtube.com/watch?v=a_b_--c">https://www.youtube.com/watch?v=a_b_--c</a></p>`}},
		{"markdown characters", "<p>* star</p><p># hash</p><p>5 * 3 * 2 and _x_</p>", []string{"<p>* star</p>", "<p># hash</p>", "<p>5 * 3 * 2 and _x_</p>"}},
		{"entity-looking text", "AT&amp;T &amp;copy; &amp;#169;", []string{"<p>AT&amp;T &amp;copy; &amp;#169;</p>"}},
		{"nested list stays tight", "<ul><li>One<ul><li>Nested</li></ul></li><li>Two</li></ul>", []string{"<li>One\n<ul>\n<li>Nested</li>"}},
		{"table", "<table><thead><tr><th>A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>", []string{"<th>A</th>", "<td>1</td>"}},
		{"right to left", "<p>سلام «دنیا»</p>", []string{"<p>سلام «دنیا»</p>"}},
		{"dangerous", `<script>alert(1)</script><a href="javascript:alert(1)" onclick="x()">t</a><img src=x onerror=alert(1)>`, []string{"<p>tx</p>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md, _ := Convert(tc.in, siteMedia)
			out, err := r.Render(context.Background(), md)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("Convert(%q) = %q renders to %q, want it to hold %q", tc.in, md, out, w)
				}
			}
		})
	}
}

// TestConvertGolden converts a realistic post of each editor; run with
// -update-content after checking a change by eye.
func TestConvertGolden(t *testing.T) {
	for _, name := range []string{"classic", "blocks"} {
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", "content", name+".html"))
			if err != nil {
				t.Fatal(err)
			}
			md, notes := Convert(string(in), siteMedia)
			got := map[string]string{".md": md + "\n", ".notes": strings.Join(notes, "\n") + "\n"}
			for ext, g := range got {
				file := filepath.Join("testdata", "content", name+ext)
				if *updateContent {
					if err := os.WriteFile(file, []byte(g), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if g != string(want) {
					t.Errorf("%s differs from what Convert writes:\n%s", file, g)
				}
			}
			assertSafe(t, string(in), md)
		})
	}
}

func FuzzConvert(f *testing.F) {
	for _, tc := range convertCases {
		f.Add(tc.in)
	}
	for _, name := range []string{"classic", "blocks"} {
		if in, err := os.ReadFile(filepath.Join("testdata", "content", name+".html")); err == nil {
			f.Add(string(in))
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		md, _ := Convert(in, siteMedia)
		assertSafe(t, in, md)
	})
}

// assertSafe renders md as an article and fails on a script, a style, a
// frame, an event handler or a javascript: address in what comes out.
func assertSafe(t *testing.T, in, md string) {
	t.Helper()
	out, err := markup.New().Render(context.Background(), md)
	if err != nil {
		t.Fatalf("Render(Convert(%q)) = %v", in, err)
	}
	if strings.Contains(strings.ToLower(out), "<script") {
		t.Fatalf("Convert(%q) = %q renders a script: %q", in, md, out)
	}
	z := nethtml.NewTokenizer(strings.NewReader(out))
	for tt := z.Next(); tt != nethtml.ErrorToken; tt = z.Next() {
		if tt != nethtml.StartTagToken && tt != nethtml.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "style", "iframe", "object", "embed", "form", "svg":
			t.Fatalf("Convert(%q) = %q renders <%s>: %q", in, md, tok.Data, out)
		}
		for _, a := range tok.Attr {
			val := strings.ToLower(strings.Map(func(r rune) rune {
				if r <= ' ' {
					return -1
				}
				return r
			}, a.Val))
			if strings.HasPrefix(a.Key, "on") || strings.Contains(val, "javascript:") || strings.Contains(val, "vbscript:") {
				t.Fatalf("Convert(%q) = %q renders %s=%q: %q", in, md, a.Key, a.Val, out)
			}
		}
	}
}
