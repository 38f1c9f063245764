<?php
/*
 * Installs the fixture's WordPress site into an empty database with
 * wp_install(), as the installer's web form would, then sets what the
 * fixture depends on: time zone, permalinks, tagline, threaded comments.
 * Run by scripts/wordpress-fixture.sh.
 */

define('WP_INSTALLING', true);
require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

// The installer would probe the web server for mod_rewrite over HTTP.
add_filter('got_url_rewrite', '__return_false');

$result = wp_install(
	'The Merrow Courier — Café edition',
	'admin',
	'admin@wp.example.test',
	true,
	'',
	wp_generate_password(24),
	'en_US'
);
must($result['user_id'] ?? 0, 'wp_install');

update_option('siteurl', FIXTURE_URL);
update_option('home', FIXTURE_URL);
update_option('blogdescription', 'News & views from Merrow, since 1891');
update_option('timezone_string', 'Europe/London');
update_option('gmt_offset', '');
update_option('thread_comments', 1);
update_option('thread_comments_depth', 5);
update_option('posts_per_rss', 10);

// Permalinks as Settings > Permalinks saves them; no .htaccess is written.
global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%day%/%postname%/');
flush_rewrite_rules(false);

$admin = get_userdata($result['user_id']);
wp_update_user(wp_slash([
	'ID' => $admin->ID,
	'display_name' => 'Courier Desk',
	'first_name' => 'Courier',
	'last_name' => 'Desk',
	'nickname' => 'Courier Desk',
]));

// wp_install's own content ("Hello world!", its comment, "Sample Page",
// the draft "Privacy Policy") is not part of the fixture.
foreach (get_posts(['post_type' => ['post', 'page'], 'post_status' => 'any', 'numberposts' => -1]) as $p) {
	must(wp_delete_post($p->ID, true), "delete {$p->post_title}");
}
update_option('wp_page_for_privacy_policy', 0);

echo 'installed WordPress ', get_bloginfo('version'), ' at ', home_url('/'), "\n";
