<?php
/*
 * Writes the site's export, made by WordPress's own export_wp() with all
 * content (Tools > Export > All content), to the file named by the first
 * argument. Run by scripts/wordpress-fixture.sh after fill.php.
 */

if ($argc !== 2) {
	fwrite(STDERR, "usage: php export.php FILE.xml\n");
	exit(2);
}
require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/export.php';

wp_set_current_user(1);
ob_start();
export_wp(['content' => 'all']);
$xml = ob_get_clean();
must(file_put_contents($argv[1], $xml), "write {$argv[1]}");
printf("exported %d bytes with WordPress %s on PHP %s\n", strlen($xml), get_bloginfo('version'), PHP_VERSION);
