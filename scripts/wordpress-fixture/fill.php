<?php
/*
 * Fills the fixture's WordPress site through WordPress's own API, as its
 * editors would through the admin screens: users, categories and tags,
 * posts in every status with classic-editor and block-editor bodies, pages,
 * media with their generated sizes, comments in every state, a reusable
 * block and a menu. Run by scripts/wordpress-fixture.sh after install.php.
 *
 * Dates are fixed (the site's time zone is Europe/London, so winter posts
 * are at +00:00 and summer ones at +01:00), edit and trash times included,
 * so a new run makes the same content with the same IDs: only the export's
 * own date changes.
 *
 * WordPress's insert functions expect slashed input (they unslash it), as
 * a form post would be: every array goes through wp_slash().
 */

require __DIR__ . '/bootstrap.php';
require __DIR__ . '/files.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/media.php';
require_once ABSPATH . 'wp-admin/includes/post.php';

$work = rtrim(getenv('WPFIXTURE_WORK'), '/');

// The administrator does the data entry: WordPress then keeps HTML as
// written (no kses), as it does for editors and administrators.
wp_set_current_user(1);

/*
 * An edit after the first save stamps post_modified with the time of the
 * edit. WordPress takes that from the clock; the fixture takes it from
 * $fixture_edited_at so the export is the same on every run.
 */
$fixture_edited_at = null;
add_filter('wp_insert_post_data', function ($data, $postarr, $unsanitized, $update) {
	global $fixture_edited_at;
	if ($update && $fixture_edited_at !== null) {
		$data['post_modified'] = $fixture_edited_at;
		$data['post_modified_gmt'] = get_gmt_from_date($fixture_edited_at);
	}
	return $data;
}, 10, 4);

function new_post(array $fields): int {
	return must(wp_insert_post(wp_slash($fields), true), "insert {$fields['post_title']}");
}

function revise_post(string $at, array $fields): void {
	global $fixture_edited_at;
	$fixture_edited_at = $at;
	must(wp_update_post(wp_slash($fields + ['edit_date' => true]), true), "update post {$fields['ID']}");
	$fixture_edited_at = null;
}

function new_user(array $fields): int {
	$fields += ['user_pass' => wp_generate_password(24), 'user_registered' => '2023-11-01 09:00:00'];
	return must(wp_insert_user(wp_slash($fields)), "user {$fields['user_login']}");
}

function new_term(string $name, string $taxonomy, array $args = []): int {
	$t = must(wp_insert_term(wp_slash($name), $taxonomy, wp_slash($args)), "term $name");
	return $t['term_id'];
}

/**
 * Saves a comment as wp_new_comment() does for one sent through the form,
 * pingback or trackback: through the commenter's filters (kses for anyone
 * not allowed unfiltered HTML, rel="nofollow ugc" on links, "&" in the
 * author's URL stored as "&amp;"), but with the status and date given.
 */
function new_comment(array $fields): int {
	$fields += [
		'comment_approved' => 1,
		'comment_type' => 'comment',
		'comment_author_url' => '',
		'comment_author_IP' => '192.0.2.10',
		'comment_agent' => 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
	];
	wp_set_current_user($fields['user_id'] ?? 0);
	$data = wp_filter_comment(wp_slash($fields));
	wp_set_current_user(1);
	return must(wp_insert_comment($data), "comment by {$fields['comment_author']}");
}

/**
 * Uploads a file as the media screen would: it lands in uploads/YYYY/MM of
 * $date (the parent post's date when attached), WordPress makes the
 * intermediate sizes of images, and title, caption (post_excerpt),
 * description (post_content) and alt text are set.
 */
function upload(string $file, int $parent, string $date, int $author, array $text): int {
	$tmp = wp_tempnam(basename($file));
	copy($file, $tmp);
	$id = must(media_handle_sideload(
		['name' => basename($file), 'tmp_name' => $tmp],
		$parent,
		null,
		wp_slash([
			'post_title' => $text['title'],
			'post_excerpt' => $text['caption'] ?? '',
			'post_content' => $text['description'] ?? '',
			'post_date' => $date,
			'post_author' => $author,
		])
	), 'upload ' . basename($file));
	if (isset($text['alt'])) {
		update_post_meta($id, '_wp_attachment_image_alt', wp_slash($text['alt']));
	}
	return $id;
}

/** [url, width, height] of one of an image's sizes, as the editors insert them. */
function src(int $id, string $size): array {
	return must(wp_get_attachment_image_src($id, $size), "size $size of $id");
}

function alt(int $id): string {
	return esc_attr(get_post_meta($id, '_wp_attachment_image_alt', true));
}

/** An image block as the block editor of WordPress 6.1 saves it. */
function image_block(int $id, string $size, string $caption = ''): string {
	[$url] = src($id, $size);
	$fig = $caption === '' ? '' : "<figcaption class=\"wp-element-caption\">$caption</figcaption>";
	return "<!-- wp:image {\"id\":$id,\"sizeSlug\":\"$size\",\"linkDestination\":\"none\"} -->\n"
		. "<figure class=\"wp-block-image size-$size\"><img src=\"$url\" alt=\"" . alt($id) . "\" class=\"wp-image-$id\"/>$fig</figure>\n"
		. '<!-- /wp:image -->';
}

function paragraph(string $html): string {
	return "<!-- wp:paragraph -->\n<p>$html</p>\n<!-- /wp:paragraph -->";
}

function join_blocks(string ...$blocks): string {
	return implode("\n\n", $blocks);
}

// ---------------------------------------------------------------- people

$admin = 1;
$aoife = new_user([
	'user_login' => 'aoife',
	'user_email' => 'aoife@wp.example.test',
	'display_name' => 'Aoife Ní Bhriain',
	'nickname' => 'Aoife',
	'first_name' => 'Aoife',
	'last_name' => 'Ní Bhriain',
	'user_url' => 'https://aoife.example.net/',
	'role' => 'author',
]);
$darius = new_user([
	'user_login' => 'dkarimi',
	'user_email' => 'darius@wp.example.test',
	'display_name' => 'Darius Karimi',
	'first_name' => 'Darius',
	'last_name' => 'Karimi',
	'description' => "Darius Karimi covers politics and the Middle East.\nHe joined the Courier from Tehran in 2019 & writes in English and Persian.",
	'role' => 'author',
]);
// Display name left to WordPress, which makes it the login.
$tom = new_user([
	'user_login' => 'tom.baker',
	'user_email' => 'tom@wp.example.test',
	'role' => 'author',
]);
$siobhan = new_user([
	'user_login' => 'siobhan',
	'user_email' => 'siobhan@wp.example.test',
	'display_name' => "Siobhán O'Neill",
	'first_name' => 'Siobhán',
	'last_name' => "O'Neill",
	'role' => 'editor',
]);

// ---------------------------------------------------------------- terms

$world = new_term('World', 'category', ['description' => 'News from beyond Merrow & the county.']);
$europe = new_term('Europe', 'category', ['parent' => $world]);
$ireland = new_term('Ireland', 'category', ['parent' => $europe]);
$sport = new_term('Sport', 'category', ['description' => 'Football, sailing, hurling.']);
new_term('harbour', 'post_tag');
new_term('elections', 'post_tag');
new_term('football', 'post_tag');
new_term('Climate Change', 'post_tag');
new_term('Café culture', 'post_tag', ['description' => 'Coffee, cake & conversation.']);
new_term('ایران', 'post_tag');
new_term('Kilbride', 'post_tag'); // on no post

// ---------------------------------------------------------------- files

$files = [
	'harbour' => make_jpeg("$work/harbour-after-the-storm.jpg", 1200, 800, [90, 120, 160], [30, 70, 110], 'harbour'),
	'polling' => make_jpeg("$work/polling-station.jpg", 900, 600, [200, 160, 120], [90, 80, 70], 'polling'),
	'regatta1' => make_jpeg("$work/regatta-start.jpg", 600, 400, [120, 170, 220], [20, 90, 150], 'regatta 1'),
	'regatta2' => make_jpeg("$work/regatta-mark.jpg", 600, 400, [140, 180, 230], [20, 80, 140], 'regatta 2'),
	'regatta3' => make_jpeg("$work/regatta-finish.jpg", 600, 400, [230, 170, 120], [40, 70, 120], 'regatta 3'),
	'match' => make_jpeg("$work/match-winner.jpg", 640, 960, [110, 160, 90], [40, 110, 50], 'match'),
	'crowd' => make_jpeg("$work/match-crowd.jpg", 800, 450, [160, 150, 170], [60, 110, 60], 'crowd'),
	'bazaar' => make_jpeg("$work/tehran-bazaar.jpg", 1000, 667, [220, 190, 140], [120, 80, 50], 'bazaar'),
	'panorama' => make_jpeg("$work/merrow-panorama.jpg", 2800, 1000, [100, 140, 190], [20, 60, 100], 'panorama'),
	'logo' => make_png("$work/courier-logo.png", 400, 'C'),
	'horn' => make_wav("$work/lifeboat-horn.wav"),
	'budget' => make_pdf("$work/council-budget-2024.pdf", 'Merrow Council budget 2024'),
];

// A photograph uploaded to the media library on its own, used by a page.
$panorama = upload($files['panorama'], 0, '2024-01-02 09:50:00', $siobhan, [
	'title' => 'Merrow from the headland',
	'caption' => 'Merrow from the headland, looking west.',
	'description' => 'Panorama taken from the coastguard station. It is wider than 2560 pixels, so WordPress keeps a "-scaled" copy.',
	'alt' => 'The town of Merrow and its harbour seen from the headland',
]);

// ---------------------------------------------------------------- pages

$about = new_post([
	'post_type' => 'page',
	'post_status' => 'publish',
	'post_author' => $siobhan,
	'post_date' => '2024-01-02 10:00:00',
	'post_title' => 'About the Courier',
	'post_name' => 'about',
	'post_content' => join_blocks(
		paragraph('The Merrow Courier has reported on Merrow and its harbour since 1891.'),
		image_block($panorama, 'large', 'Merrow from the headland, looking west.'),
		paragraph('We are an independent newsroom of <strong>twelve</strong> journalists.')
	),
]);
new_post([
	'post_type' => 'page',
	'post_status' => 'publish',
	'post_author' => $siobhan,
	'post_parent' => $about,
	'menu_order' => 1,
	'post_date' => '2024-01-02 10:05:00',
	'post_title' => 'Contact the newsroom',
	'post_name' => 'contact',
	'comment_status' => 'closed',
	'post_content' => "Write to us at <a href=\"mailto:news@wp.example.test\">news@wp.example.test</a>.\n\nOr call in: 4 Quay Street, Merrow.",
]);

// A reusable block ("synced pattern" in later versions): a post of type
// wp_block, placed in other posts by reference.
$subscribe_box = new_post([
	'post_type' => 'wp_block',
	'post_status' => 'publish',
	'post_author' => $admin,
	'post_date' => '2024-01-03 09:00:00',
	'post_title' => 'Subscribe box',
	'post_content' => "<!-- wp:paragraph {\"className\":\"subscribe\"} -->\n<p class=\"subscribe\">Get the Courier in your inbox: <a href=\"/subscribe/\">subscribe</a>.</p>\n<!-- /wp:paragraph -->",
]);

// ---------------------------------------------------------------- posts

// Classic editor: text with blank lines for WordPress's automatic
// paragraphs, a [caption] around an image, a "more" break. First saved
// under another title, so WordPress keeps the old slug.
$harbour = new_post([
	'post_status' => 'publish',
	'post_author' => $aoife,
	'post_date' => '2024-01-15 09:30:00',
	'post_title' => 'Harbour to reopen',
	'post_content' => 'The harbour is expected to reopen on Monday.',
	'post_category' => [$ireland],
	'tags_input' => ['harbour', 'Climate Change'],
]);
$harbour_img = upload($files['harbour'], $harbour, '2024-01-15 09:30:00', $aoife, [
	'title' => 'Harbour after the storm',
	'caption' => 'The breakwater on Monday morning. Photo: Aoife Ní Bhriain',
	'description' => 'Fishing boats tied up in the inner harbour, 15 January 2024.',
	'alt' => 'Fishing boats tied up behind the breakwater',
]);
[$medium_url, $medium_w, $medium_h] = src($harbour_img, 'medium');
revise_post('2024-01-15 11:02:00', [
	'ID' => $harbour,
	'post_title' => 'Harbour reopens after storm',
	'post_name' => 'harbour-reopens-after-storm',
	'post_content' => <<<HTML
The harbour at Merrow reopened on Monday morning, <em>three days</em> after the storm closed it to all shipping.

Harbour master Áine Walsh said the breakwater had held. "We were lucky," she said. Read the <a href="https://www.met.ie/warnings">Met Éireann warning</a> that closed it.

[caption id="attachment_$harbour_img" align="aligncenter" width="$medium_w"]<img class="size-medium wp-image-$harbour_img" src="$medium_url" alt="Fishing boats tied up behind the breakwater" width="$medium_w" height="$medium_h" /> The breakwater on Monday morning. Photo: Aoife Ní Bhriain[/caption]

<!--more-->

Fishing boats began to leave at first light.
Some skippers waited for the afternoon tide.

The council will meet on Thursday to discuss repairs:
<ul>
	<li>the north pier lights</li>
	<li>the slipway</li>
</ul>
HTML,
]);
set_post_thumbnail($harbour, $harbour_img);

// Block editor: headings, list, quote, pullquote, image, table,
// separator, file, a reusable block; two categories, three tags; sticky;
// custom fields. Published just after midnight summer time, so its local
// and UTC dates fall on different days.
$election = new_post([
	'post_status' => 'publish',
	'post_author' => $darius,
	'post_date' => '2024-06-06 00:30:00',
	'post_title' => 'Election night: what we know so far',
	'post_content' => '',
	'post_category' => [$world, $europe],
	'tags_input' => ['elections', 'Climate Change', 'Café culture'],
]);
$polling_img = upload($files['polling'], $election, '2024-06-06 00:30:00', $darius, [
	'title' => 'Polling station',
	'caption' => 'Ballot boxes arrive at the town hall.',
	'alt' => 'Two officials carry sealed ballot boxes up the town hall steps',
]);
$budget_pdf = upload($files['budget'], $election, '2024-06-06 00:30:00', $darius, [
	'title' => 'Council budget 2024',
	'description' => 'The budget as published by Merrow Council.',
]);
$pdf_url = wp_get_attachment_url($budget_pdf);
revise_post('2024-06-06 01:10:00', [
	'ID' => $election,
	'post_content' => join_blocks(
		paragraph('Polls closed at 10pm. Counting began at <strong>Merrow Town Hall</strong> shortly after.'),
		"<!-- wp:heading -->\n<h2>The count</h2>\n<!-- /wp:heading -->",
		image_block($polling_img, 'large', 'Ballot boxes arrive at the town hall. <em>Photo: Darius Karimi</em>'),
		"<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>Turnout: 61%</li>\n<!-- /wp:list-item -->\n\n<!-- wp:list-item -->\n<li>Seats: 9, of which <em>four</em> are new</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->",
		"<!-- wp:heading {\"level\":3} -->\n<h3>What the candidates said</h3>\n<!-- /wp:heading -->",
		"<!-- wp:quote -->\n<blockquote class=\"wp-block-quote\"><!-- wp:paragraph -->\n<p>It is too early to call.</p>\n<!-- /wp:paragraph --><cite>Mary Doyle, returning officer</cite></blockquote>\n<!-- /wp:quote -->",
		"<!-- wp:pullquote -->\n<figure class=\"wp-block-pullquote\"><blockquote><p>Every vote in Merrow was counted by hand.</p><cite>The count centre</cite></blockquote></figure>\n<!-- /wp:pullquote -->",
		"<!-- wp:table -->\n<figure class=\"wp-block-table\"><table><thead><tr><th>Party</th><th>Votes</th></tr></thead><tbody><tr><td>Harbour Alliance</td><td>4,210</td></tr><tr><td>Independents</td><td>3,876</td></tr></tbody></table><figcaption class=\"wp-element-caption\">First-preference votes</figcaption></figure>\n<!-- /wp:table -->",
		"<!-- wp:separator -->\n<hr class=\"wp-block-separator has-alpha-channel-opacity\"/>\n<!-- /wp:separator -->",
		"<!-- wp:file {\"id\":$budget_pdf,\"href\":\"$pdf_url\"} -->\n<div class=\"wp-block-file\"><a id=\"wp-block-file--media-5f0b6c2e-1c1d-4d6e-9a51-2d1f3e0c7b42\" href=\"$pdf_url\">Council budget 2024</a><a href=\"$pdf_url\" class=\"wp-block-file__button wp-element-button\" download aria-describedby=\"wp-block-file--media-5f0b6c2e-1c1d-4d6e-9a51-2d1f3e0c7b42\">Download</a></div>\n<!-- /wp:file -->",
		"<!-- wp:block {\"ref\":$subscribe_box} /-->"
	),
]);
set_post_thumbnail($election, $polling_img);
stick_post($election);
update_post_meta($election, 'standfirst', wp_slash('Counting goes on through the night in Merrow’s closest race in years.'));
update_post_meta($election, 'sources', ['Returning officer', 'Merrow Council']);

// Classic editor: a [gallery] shortcode; the gallery post format.
$regatta = new_post([
	'post_status' => 'publish',
	'post_author' => $tom,
	'post_date' => '2024-04-20 15:00:00',
	'post_title' => 'Gallery: the spring regatta',
	'post_content' => '',
	'post_category' => [$sport],
	'tags_input' => ['harbour'],
]);
$regatta_imgs = [
	upload($files['regatta1'], $regatta, '2024-04-20 15:00:00', $tom, ['title' => 'The start', 'caption' => 'Forty boats cross the start line.', 'alt' => 'Sailing boats crossing the start line']),
	upload($files['regatta2'], $regatta, '2024-04-20 15:00:00', $tom, ['title' => 'Rounding the mark', 'alt' => 'Boats rounding a yellow buoy']),
	// Left without alt text or caption, as many uploads are.
	upload($files['regatta3'], $regatta, '2024-04-20 15:00:00', $tom, ['title' => 'regatta-finish']),
];
$ids = implode(',', $regatta_imgs);
revise_post('2024-04-20 15:20:00', [
	'ID' => $regatta,
	'post_content' => "Forty boats raced in the spring regatta on Saturday.\n\n[gallery ids=\"$ids\" columns=\"3\" size=\"medium\"]\n\nResults are on the <a href=\"https://sailing.example.org/results?race=spring&amp;year=2024\">club's website</a>.",
]);
set_post_thumbnail($regatta, $regatta_imgs[0]);
set_post_format($regatta, 'gallery');

// Block editor: gallery, YouTube and X/Twitter embeds; a hand-written
// excerpt; comments closed (after one was made).
$match = new_post([
	'post_status' => 'publish',
	'post_author' => $tom,
	'post_date' => '2024-03-10 17:45:00',
	'post_title' => 'Match report: Merrow 2–1 Kilbride',
	'post_excerpt' => 'A late header from Ciarán Byrne settles a scrappy derby.',
	'post_content' => '',
	'post_category' => [$sport],
	'tags_input' => ['football'],
]);
$match_img = upload($files['match'], $match, '2024-03-10 17:45:00', $tom, [
	'title' => 'The winner',
	'caption' => 'Ciarán Byrne after his late header.',
	'alt' => 'Ciarán Byrne celebrates in front of the home supporters',
]);
$crowd_img = upload($files['crowd'], $match, '2024-03-10 17:45:00', $tom, [
	'title' => 'The home end',
	'alt' => 'Supporters in the stand',
]);
revise_post('2024-03-10 18:30:00', [
	'ID' => $match,
	'post_content' => join_blocks(
		paragraph('Merrow came from behind to beat Kilbride 2–1 at Merrow Park on Sunday.'),
		"<!-- wp:gallery {\"linkTo\":\"none\"} -->\n<figure class=\"wp-block-gallery has-nested-images columns-default is-cropped\">"
			. image_block($match_img, 'large') . "\n\n" . image_block($crowd_img, 'large', 'The home end')
			. "<figcaption class=\"blocks-gallery-caption wp-element-caption\">Sunday at Merrow Park</figcaption></figure>\n<!-- /wp:gallery -->",
		"<!-- wp:embed {\"url\":\"https://www.youtube.com/watch?v=M7lc1UVf-VE\\u0026t=42s\",\"type\":\"video\",\"providerNameSlug\":\"youtube\",\"responsive\":true,\"className\":\"wp-embed-aspect-16-9 wp-has-aspect-ratio\"} -->\n<figure class=\"wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube wp-embed-aspect-16-9 wp-has-aspect-ratio\"><div class=\"wp-block-embed__wrapper\">\nhttps://www.youtube.com/watch?v=M7lc1UVf-VE&amp;t=42s\n</div><figcaption class=\"wp-element-caption\">The goals</figcaption></figure>\n<!-- /wp:embed -->",
		"<!-- wp:embed {\"url\":\"https://twitter.com/merrowcourier/status/1766912345678901234\",\"type\":\"rich\",\"providerNameSlug\":\"twitter\",\"responsive\":true} -->\n<figure class=\"wp-block-embed is-type-rich is-provider-twitter wp-block-embed-twitter\"><div class=\"wp-block-embed__wrapper\">\nhttps://twitter.com/merrowcourier/status/1766912345678901234\n</div></figure>\n<!-- /wp:embed -->",
		paragraph('Kilbride’s manager said the referee “had a long afternoon”.')
	),
]);
set_post_thumbnail($match, $match_img);

// Classic editor: [embed], [video], [audio] shortcodes and a bare URL on a
// line of its own (which WordPress embeds too); the video post format.
$lifeboat = new_post([
	'post_status' => 'publish',
	'post_author' => $aoife,
	'post_date' => '2024-05-02 08:00:00',
	'post_title' => 'Video: the new lifeboat is launched',
	'post_content' => '',
	'post_category' => [$ireland],
	'tags_input' => ['harbour'],
]);
$horn = upload($files['horn'], $lifeboat, '2024-05-02 08:00:00', $aoife, [
	'title' => 'Lifeboat horn',
	'caption' => 'The horn, recorded on the quay.',
]);
$horn_url = wp_get_attachment_url($horn);
revise_post('2024-05-02 08:40:00', [
	'ID' => $lifeboat,
	'post_content' => <<<HTML
The new lifeboat was launched from the north slipway on Thursday.

[embed]https://www.youtube.com/watch?v=M7lc1UVf-VE[/embed]

Footage from the quay:

[video width="640" height="360" mp4="https://media.example.org/merrow/lifeboat-launch.mp4"][/video]

And the lifeboat's horn, recorded by our reporter:

[audio wav="$horn_url"][/audio]

The RNLI's own film:

https://www.youtube.com/watch?v=M7lc1UVf-VE
HTML,
]);
set_post_format($lifeboat, 'video');

// Persian, right to left, with zero-width non-joiners (U+200C) inside
// words and Persian digits; its slug is the percent-encoded title.
$bazaar = new_post([
	'post_status' => 'publish',
	'post_author' => $darius,
	'post_date' => '2024-03-19 12:00:00',
	'post_title' => 'بازار بزرگ تهران در آستانهٔ نوروز',
	'post_content' => '',
	'post_category' => [$world],
	'tags_input' => ['ایران'],
]);
$bazaar_img = upload($files['bazaar'], $bazaar, '2024-03-19 12:00:00', $darius, [
	'title' => 'بازار تهران',
	'caption' => 'راستهٔ فرش‌فروشان، اسفند ۱۴۰۲',
	'alt' => 'مغازه‌های فرش در بازار بزرگ تهران',
]);
revise_post('2024-03-19 12:30:00', [
	'ID' => $bazaar,
	'post_content' => join_blocks(
		paragraph('بازار بزرگ تهران در روزهای پایانی سال شلوغ‌ترین روزهای خود را می‌گذراند. فروشندگان از افزایش قیمت‌ها می‌گویند.'),
		image_block($bazaar_img, 'large', 'راستهٔ فرش‌فروشان، اسفند ۱۴۰۲'),
		paragraph('به گفتهٔ یکی از فروشندگان، قیمت آجیل نسبت به سال گذشته ۴۰ درصد بالا رفته است. <a href="https://www.example.org/fa/news">گزارش کامل</a> را بخوانید.')
	),
]);
set_post_thumbnail($bazaar, $bazaar_img);

// Characters an exporter must escape or that an importer trips on: an
// emoji title, entities, quotes, a less-than sign, backslashes and "]]>",
// which ends a CDATA section. A custom HTML block with a script and an
// iframe, kept because an editor wrote it (an author's would be filtered).
$odd = new_post([
	'post_status' => 'publish',
	'post_author' => $siobhan,
	'post_date' => '2024-02-29 12:00:00',
	'post_title' => 'Fish & chips, “smart quotes”, 1 < 2 and 🐟',
	'post_excerpt' => 'Café “quotes” & a CDATA end ]]> in an excerpt.',
	'post_content' => join_blocks(
		paragraph('Emoji: 🐟🍟 ☕ 👩🏽‍🍳 (a zero-width-joiner sequence) and a flag 🇮🇪.'),
		paragraph('Entities, as the editor stores them: &amp; &lt;b&gt; &nbsp; &copy; &#8217; and straight "double" and \'single\' quotes, curly “double” and ‘single’ ones.'),
		paragraph('A less-than sign: 1 &lt; 2, and a raw one in code: <code>if (a < b)</code>. Backslashes: C:\\Users\\merrow and \\n.'),
		paragraph('The end of a CDATA section, ]]>, appears here, and twice more: ]]&gt; ]]>]]>'),
		"<!-- wp:html -->\n<div class=\"scoreboard\" data-home=\"2\" data-away=\"1\"><script>document.write(\"<b>live</b> ]]>\");</script>\n<iframe src=\"https://www.openstreetmap.org/export/embed.html?bbox=-9.1,53.2,-9.0,53.3&amp;layer=mapnik\" width=\"300\" height=\"200\"></iframe></div>\n<!-- /wp:html -->",
		"<!-- wp:code -->\n<pre class=\"wp-block-code\"><code>&lt;?php echo \"fish &amp; chips\"; ?&gt;</code></pre>\n<!-- /wp:code -->"
	),
	'post_category' => [$ireland],
	'tags_input' => ['Café culture'],
]);
$logo = upload($files['logo'], $odd, '2024-02-29 12:00:00', $siobhan, [
	'title' => 'Courier logo',
	'alt' => 'The Courier’s round “C” logo',
	'description' => 'A PNG with a transparent background.',
]);
set_post_thumbnail($odd, $logo);
update_post_meta($odd, 'note', wp_slash('Meta with ]]> and <b>markup</b> & an ampersand'));

// The other statuses. Drafts and pending posts keep a post_date but no
// post_date_gmt (0000-00-00 00:00:00) until they are published.
new_post([
	'post_status' => 'draft',
	'post_author' => $aoife,
	'post_date' => '2024-06-10 11:00:00',
	'post_title' => 'Council budget: what the leaked draft says',
	'post_content' => "Notes so far.\n\nCall the finance officer <em>before</em> Friday.",
]);
new_post([
	'post_status' => 'pending',
	'post_author' => $tom,
	'post_date' => '2024-06-11 09:00:00',
	'post_title' => 'Ferry timetable changes for the summer',
	'post_content' => paragraph('From 1 July the first ferry leaves at 07:15.'),
	'post_category' => [$ireland],
]);
// Scheduled far ahead, so that it is still "future" when the fixture is made again.
new_post([
	'post_status' => 'future',
	'post_author' => $darius,
	'post_date' => '2099-06-21 10:00:00',
	'post_title' => 'Summer festival programme announced',
	'post_content' => paragraph('The festival runs for nine days on the quays.'),
	'post_category' => [$world],
]);
new_post([
	'post_status' => 'private',
	'post_author' => $siobhan,
	'post_date' => '2024-05-20 16:00:00',
	'post_title' => 'Newsroom rota for the festival weekend',
	'post_content' => "Saturday: Aoife, Tom.\nSunday: Darius.",
]);
new_post([
	'post_status' => 'publish',
	'post_author' => $aoife,
	'post_date' => '2024-04-02 10:00:00',
	'post_title' => 'The archive photographs, for members',
	'post_password' => 'merrow-1891',
	'post_content' => 'The Courier’s glass-plate negatives, scanned for the first time.',
	'post_category' => [$ireland],
]);
// Published with the wrong score, then moved to the trash: its status
// becomes "trash", its slug gains "__trashed" and its comment's status
// becomes "post-trashed".
$wrong = new_post([
	'post_status' => 'publish',
	'post_author' => $tom,
	'post_date' => '2024-03-10 17:30:00',
	'post_title' => 'Match report: Merrow 1–2 Kilbride',
	'post_content' => 'Kilbride won at Merrow Park.',
	'post_category' => [$sport],
]);
new_comment([
	'comment_post_ID' => $wrong,
	'comment_author' => 'Seán',
	'comment_author_email' => 'sean@example.net',
	'comment_date' => '2024-03-10 17:40:00',
	'comment_content' => 'Wrong way round, surely?',
]);
$fixture_edited_at = '2024-03-10 17:50:00';
must(wp_trash_post($wrong), 'trash post');
// WordPress records when it was trashed from the clock; the fixture's clock says 17:50.
update_post_meta($wrong, '_wp_trash_meta_time', (int) get_gmt_from_date($fixture_edited_at, 'U'));
$fixture_edited_at = null;

// ---------------------------------------------------------------- comments

// On the harbour story: a thread three deep (the middle reply by a
// registered user), one held for moderation, spam, trash, a pingback and a
// trackback. export_wp() leaves spam out.
$c1 = new_comment([
	'comment_post_ID' => $harbour,
	'comment_author' => 'Zoë Ní Bhriain',
	'comment_author_email' => 'zoe@example.net',
	'comment_author_url' => 'https://zoe.example.net/?ref=courier&lang=ga',
	'comment_date' => '2024-01-15 10:12:00',
	'comment_content' => "Great to see the boats out again.\n\nDoes anyone know when the <strong>slipway</strong> will be fixed?",
]);
$c2 = new_comment([
	'comment_post_ID' => $harbour,
	'comment_parent' => $c1,
	'user_id' => $siobhan,
	'comment_author' => "Siobhán O'Neill",
	'comment_author_email' => 'siobhan@wp.example.test',
	'comment_date' => '2024-01-15 10:40:00',
	'comment_content' => 'The council meets on Thursday; we will report on it.',
]);
new_comment([
	'comment_post_ID' => $harbour,
	'comment_parent' => $c2,
	'comment_author' => 'Дмитрий Соколов',
	'comment_author_email' => 'dmitri@example.org',
	'comment_date' => '2024-01-15 11:05:00',
	'comment_content' => 'Спасибо! Thank you — I will look out for it.',
]);
new_comment([
	'comment_post_ID' => $harbour,
	'comment_approved' => 0,
	'comment_author' => 'Pádraig',
	'comment_author_email' => 'padraig@example.com',
	'comment_date' => '2024-01-15 12:30:00',
	'comment_content' => 'Held for moderation because of two links: <a href="https://a.example.com/">one</a> and <a href="https://b.example.com/">two</a>.',
]);
$spam = new_comment([
	'comment_post_ID' => $harbour,
	'comment_approved' => 0,
	'comment_author' => 'Cheap Watches',
	'comment_author_email' => 'sales@spam.example',
	'comment_author_url' => 'https://spam.example/watches',
	'comment_author_IP' => '203.0.113.66',
	'comment_date' => '2024-01-15 13:00:00',
	'comment_content' => 'Buy watches now!!!',
]);
must(wp_spam_comment($spam), 'spam comment');
$troll = new_comment([
	'comment_post_ID' => $harbour,
	'comment_author' => 'angry_reader',
	'comment_author_email' => 'angry@example.com',
	'comment_date' => '2024-01-15 13:20:00',
	'comment_content' => 'Nobody cares about the harbour.',
]);
must(wp_trash_comment($troll), 'trash comment');
update_comment_meta($troll, '_wp_trash_meta_time', (int) get_gmt_from_date('2024-01-15 14:00:00', 'U'));
// As WordPress's XML-RPC pingback server records one: the author is the
// linking page's title, the content an excerpt between "[…]".
new_comment([
	'comment_post_ID' => $harbour,
	'comment_type' => 'pingback',
	'comment_author' => 'Harbour news roundup &#8211; The Kilbride Gazette',
	'comment_author_email' => '',
	'comment_author_url' => 'https://kilbride-gazette.example.org/2024/01/16/harbour-roundup/',
	'comment_author_IP' => '198.51.100.7',
	'comment_agent' => 'WordPress/6.4.2; https://kilbride-gazette.example.org',
	'comment_date' => '2024-01-16 08:00:00',
	'comment_content' => '[&#8230;] The Merrow Courier reports that the harbour reopened on Monday [&#8230;]',
]);
// As wp-trackback.php records one.
new_comment([
	'comment_post_ID' => $harbour,
	'comment_type' => 'trackback',
	'comment_author' => 'Merrow Sailing Club',
	'comment_author_email' => '',
	'comment_author_url' => 'https://sailing.example.org/news/harbour-open/',
	'comment_author_IP' => '198.51.100.8',
	'comment_agent' => 'Movable Type',
	'comment_date' => '2024-01-16 09:15:00',
	'comment_content' => "<strong>The harbour is open again</strong>\n\nRacing resumes this weekend.",
]);

$m1 = new_comment([
	'comment_post_ID' => $bazaar,
	'comment_author' => 'مریم',
	'comment_author_email' => 'maryam@example.ir',
	'comment_date' => '2024-03-19 14:00:00',
	'comment_content' => 'گزارش خوبی بود. ممنون!',
]);
new_comment([
	'comment_post_ID' => $bazaar,
	'comment_parent' => $m1,
	'user_id' => $darius,
	'comment_author' => 'Darius Karimi',
	'comment_author_email' => 'darius@wp.example.test',
	'comment_date' => '2024-03-19 15:10:00',
	'comment_content' => 'ممنون از شما، مریم.',
]);

new_comment([
	'comment_post_ID' => $election,
	'comment_author' => 'Chloé',
	'comment_author_email' => 'chloe@example.fr',
	'comment_date' => '2024-06-06 07:45:00',
	'comment_content' => 'Turnout up again 🎉 — <em>finally</em>.',
]);

new_comment([
	'comment_post_ID' => $match,
	'comment_author' => 'Ciarán’s mam',
	'comment_author_email' => 'mam@example.ie',
	'comment_date' => '2024-03-10 19:00:00',
	'comment_content' => 'What a header!',
]);
revise_post('2024-03-12 09:00:00', ['ID' => $match, 'comment_status' => 'closed', 'ping_status' => 'closed']);

// ---------------------------------------------------------------- menu

$menu = must(wp_create_nav_menu('Main menu'), 'menu');
$item = fn(array $a) => must(wp_update_nav_menu_item($menu, 0, wp_slash($a + [
	'menu-item-status' => 'publish',
	'menu-item-post-date' => '2024-01-03 10:00:00',
])), 'menu item');
$item(['menu-item-title' => 'Home', 'menu-item-type' => 'custom', 'menu-item-url' => FIXTURE_URL . '/', 'menu-item-position' => 1]);
$item(['menu-item-type' => 'taxonomy', 'menu-item-object' => 'category', 'menu-item-object-id' => $world, 'menu-item-position' => 2]);
$about_item = $item(['menu-item-type' => 'post_type', 'menu-item-object' => 'page', 'menu-item-object-id' => $about, 'menu-item-position' => 3]);
$item(['menu-item-type' => 'post_type', 'menu-item-object' => 'page', 'menu-item-object-id' => get_page_by_path('about/contact')->ID, 'menu-item-parent-id' => $about_item, 'menu-item-position' => 4]);

$posts = array_filter((array) wp_count_posts('post'));
printf("filled: posts %s; %d pages, %d attachments, %d comments\n",
	implode(', ', array_map(fn($s, $n) => "$s $n", array_keys($posts), $posts)),
	array_sum((array) wp_count_posts('page')),
	array_sum((array) wp_count_posts('attachment')),
	(int) $wpdb->get_var("SELECT COUNT(*) FROM $wpdb->comments"));
