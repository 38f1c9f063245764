<?php
/*
 * Loads Debian's WordPress (/usr/share/wordpress) from the command line
 * against the fixture's own database and content directory. It does what a
 * wp-config.php does, so nothing is written to /etc/wordpress and no web
 * server is involved. scripts/wordpress-fixture.sh sets the environment:
 *
 *   WPFIXTURE_DB_NAME, WPFIXTURE_DB_USER, WPFIXTURE_DB_PASSWORD
 *   WPFIXTURE_CONTENT_DIR   the site's wp-content (uploads go under it)
 *
 * A script that installs WordPress defines WP_INSTALLING before requiring
 * this file.
 */

if (PHP_SAPI !== 'cli') {
	exit(1);
}

foreach (['WPFIXTURE_DB_NAME', 'WPFIXTURE_DB_USER', 'WPFIXTURE_DB_PASSWORD', 'WPFIXTURE_CONTENT_DIR'] as $name) {
	if (getenv($name) === false || getenv($name) === '') {
		fwrite(STDERR, "$name is not set: run scripts/wordpress-fixture.sh\n");
		exit(1);
	}
}

// Warnings go to stderr, never into an export written to stdout.
ini_set('display_errors', 'stderr');

// What a request to the site would carry; WordPress reads these.
const FIXTURE_HOST = 'wp.example.test';
const FIXTURE_URL = 'http://' . FIXTURE_HOST;
$_SERVER['HTTP_HOST'] = FIXTURE_HOST;
$_SERVER['SERVER_NAME'] = FIXTURE_HOST;
$_SERVER['SERVER_PORT'] = '80';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';

define('DB_NAME', getenv('WPFIXTURE_DB_NAME'));
define('DB_USER', getenv('WPFIXTURE_DB_USER'));
define('DB_PASSWORD', getenv('WPFIXTURE_DB_PASSWORD'));
define('DB_HOST', 'localhost');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';

define('ABSPATH', '/usr/share/wordpress/');
define('WP_HOME', FIXTURE_URL);
define('WP_SITEURL', FIXTURE_URL);
define('WP_CONTENT_DIR', rtrim(getenv('WPFIXTURE_CONTENT_DIR'), '/'));
define('WP_CONTENT_URL', FIXTURE_URL . '/wp-content');

// The site has no network: no cron requests to itself, no update checks,
// no pingbacks or oEmbed look-ups leaving the machine.
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);

// A site without mail: wp_install and friends would try sendmail.
// Defined before WordPress loads, so pluggable.php keeps this one.
function wp_mail($to, $subject, $message, $headers = '', $attachments = array()) {
	return true;
}

require_once ABSPATH . 'wp-settings.php';

/**
 * Stops the run when a WordPress call failed: returns $result otherwise.
 */
function must($result, string $what) {
	if (is_wp_error($result)) {
		fwrite(STDERR, "wordpress-fixture: $what: " . $result->get_error_message() . "\n");
		exit(1);
	}
	if ($result === false || $result === 0 || $result === null) {
		fwrite(STDERR, "wordpress-fixture: $what failed\n");
		exit(1);
	}
	return $result;
}
