#!/usr/bin/env bash
# Makes internal/wordpress/testdata/real/: the export (WXR) of a real
# WordPress site, for the tests of `broadsheet import wordpress`.
#
# What it installs, when missing (Debian 12, as root): Debian's wordpress
# package (6.1) with php-cli, php-mysql and php-gd, and libxml2-utils
# (xmllint). Debian's wordpress depends on a web server, so apt brings
# apache2 along (and starts it where services run); nothing here uses it.
# A MariaDB or MySQL server must already answer on the local socket, where
# root may connect.
#
# What it creates, and removes again when it ends (also on failure):
# the database and user `wpfixture` and the site's content directory
# ${TMPDIR:-/tmp}/broadsheet-wordpress-fixture. Nothing is written to
# /etc/wordpress: scripts/wordpress-fixture/bootstrap.php plays the part of
# wp-config.php. The packages stay installed.
#
# What it does: installs a site with wp_install() (install.php), fills it
# through WordPress's own API — users, nested categories, tags, posts in
# every status, classic and block-editor bodies, pages, generated images
# with their intermediate sizes, comments in every state, pingbacks and
# trackbacks (fill.php) — and exports it with WordPress's export_wp()
# (export.php), all from php-cli.
#
# Where output goes, replacing what was there:
#   internal/wordpress/testdata/real/wordpress-6.1.wxr.xml  the export
#   internal/wordpress/testdata/real/uploads/               the site's uploads
#   internal/wordpress/testdata/real/README.md              what the export holds
#
# It takes a few seconds once the packages are installed (installing them
# takes about twenty seconds more). Run it again at any time:
#
#   scripts/wordpress-fixture.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
php_dir=$root/scripts/wordpress-fixture
out=$root/internal/wordpress/testdata/real
xml_name=wordpress-6.1.wxr.xml
site=${TMPDIR:-/tmp}/broadsheet-wordpress-fixture
db=wpfixture
start=$SECONDS

if [ "$(id -u)" != 0 ]; then
	echo "$0: run as root (it installs packages and creates a database)" >&2
	exit 1
fi

packages=(wordpress php-cli php-mysql php-gd libxml2-utils)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The name says which WordPress wrote the file.
wp_version=$(php -r 'include "/usr/share/wordpress/wp-includes/version.php"; echo $wp_version;')
case $wp_version in
6.1.*) ;;
*) echo "$0: Debian's wordpress package is $wp_version; this fixture is the export of WordPress 6.1" >&2; exit 1 ;;
esac
if ! mysqladmin ping >/dev/null 2>&1; then
	echo "$0: no MariaDB/MySQL server answers on the local socket" >&2
	exit 1
fi

cleanup() {
	mysql -e "DROP DATABASE IF EXISTS $db; DROP USER IF EXISTS '$db'@'localhost';"
	rm -rf "$site"
}
# Leftovers of an interrupted run go first.
cleanup
trap cleanup EXIT
trap 'exit 130' INT TERM

password=$(head -c 18 /dev/urandom | base64 | tr -d '+/=')
mysql -e "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '$db'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON $db.* TO '$db'@'localhost';"
mkdir -p "$site/wp-content/uploads" "$site/work"

export WPFIXTURE_DB_NAME=$db WPFIXTURE_DB_USER=$db WPFIXTURE_DB_PASSWORD=$password
export WPFIXTURE_CONTENT_DIR=$site/wp-content WPFIXTURE_WORK=$site/work
php "$php_dir/install.php"
php "$php_dir/fill.php"
php "$php_dir/export.php" "$site/$xml_name"
xmllint --noout "$site/$xml_name"

php_version=$(php -r 'echo PHP_VERSION;')
db_version=$(mysql -N -e 'SELECT VERSION()')
# What export_wp() leaves out, read from the site before it is dropped.
spam=$(mysql -N -e "SELECT COUNT(*) FROM $db.wp_comments WHERE comment_approved = 'spam'")

mkdir -p "$out"
rm -rf "$out/uploads"
cp -r "$site/wp-content/uploads" "$out/uploads"
cp "$site/$xml_name" "$out/$xml_name"

# Counts for the README, read from the export itself.
xml=$out/$xml_name
count() { xmllint --xpath "count($1)" "$xml"; }
el() { printf "*[local-name()='%s']" "$1"; }
item_type() { printf "//item[%s='%s']" "$(el post_type)" "$1"; }
posts_in() { count "$(item_type post)[$(el status)='$1']"; }
comments_where() { count "//$(el comment)[$(el "$1")='$2']"; }
upload_files=$(find "$out/uploads" -type f | wc -l)
upload_kib=$(find "$out/uploads" -type f -printf '%s\n' | awk '{ s += $1 } END { print int((s + 1023) / 1024) }')
if [ "$upload_kib" -ge 2048 ]; then
	echo "$0: uploads take $upload_kib KiB; keep the fixture under 2 MiB" >&2
	exit 1
fi

cat >"$out/README.md" <<README
# A real WordPress export

\`$xml_name\` is what WordPress's own exporter (Tools › Export › All content,
\`export_wp()\`) wrote for a small news site: WordPress $wp_version (Debian 12's
package) on PHP $php_version and MariaDB $db_version. \`uploads/\` is that site's
\`wp-content/uploads\`: every file the export's attachment URLs
(\`http://wp.example.test/wp-content/uploads/…\`) and the posts' bodies point to,
with the smaller sizes WordPress made of each image.

Nothing here is written by hand. \`scripts/wordpress-fixture.sh\` installs the
site from the command line, fills it through WordPress's API
(\`scripts/wordpress-fixture/fill.php\`: that file is the list of what the site
holds and why), exports it and writes this README. To make it again, as root
on Debian 12 with MariaDB running:

    scripts/wordpress-fixture.sh

Dates and IDs are fixed, so a new export differs only in its own creation
date (the \`generator\` comment and the channel's \`pubDate\`).

## What it holds

| Kind | Count |
| --- | --- |
| posts | $(count "$(item_type post)") |
| — published | $(posts_in publish) (one sticky, one password-protected, one with comments closed) |
| — draft | $(posts_in draft) |
| — pending review | $(posts_in pending) |
| — scheduled (future) | $(posts_in future) |
| — private | $(posts_in private) |
| — in the trash | $(posts_in trash) |
| pages | $(count "$(item_type page)") (one the child of the other) |
| attachments | $(count "$(item_type attachment)") ($(count "$(item_type attachment)[contains($(el attachment_url), '.jpg') or contains($(el attachment_url), '.png')]") images, a WAV, a PDF) |
| reusable blocks (\`wp_block\`) | $(count "$(item_type wp_block)") |
| menu items (\`nav_menu_item\`) | $(count "$(item_type nav_menu_item)") |
| posts with a featured image (\`_thumbnail_id\`) | $(count "//item[$(el postmeta)/$(el meta_key)='_thumbnail_id']") |
| authors (\`wp:author\`) | $(count "/rss/channel/$(el author)") |
| categories (\`wp:category\`) | $(count "/rss/channel/$(el category)") (World › Europe › Ireland, Sport, Uncategorized) |
| tags (\`wp:tag\`) | $(count "/rss/channel/$(el tag)") (one on no post, one in Persian) |
| terms (\`wp:term\`, every taxonomy again) | $(count "/rss/channel/$(el term)") |
| comments (\`wp:comment\`) | $(count "//$(el comment)") |
| — approved (\`1\`) | $(comments_where comment_approved 1) |
| — held for moderation (\`0\`) | $(comments_where comment_approved 0) |
| — in the trash (\`trash\`) | $(comments_where comment_approved trash) |
| — on a trashed post (\`post-trashed\`) | $(comments_where comment_approved post-trashed) |
| — replies (\`comment_parent\` set; threads go three deep) | $(count "//$(el comment)[$(el comment_parent)!='0']") |
| — by registered users (\`comment_user_id\` set) | $(count "//$(el comment)[$(el comment_user_id)!='0']") |
| — pingbacks | $(comments_where comment_type pingback) |
| — trackbacks | $(comments_where comment_type trackback) |
| uploaded files | $upload_files ($upload_kib KiB) |

The site also held $spam spam comment(s): \`export_wp()\` leaves spam out.

## What an importer meets in it

- **CDATA split.** Text holding \`]]>\` is written as \`]]]]><![CDATA[>\`
  (post content, excerpt, meta values). An XML parser joins the pieces.
- **Not everything is CDATA.** \`wp:comment_author_url\` is written as a bare
  URL (\`sanitize_url\`, not escaped). WordPress's comment form stores \`&\` in
  it as \`&amp;\`, as here, which keeps the file well-formed; a URL saved with
  a raw \`&\` by other means (an import, a plugin, \`wp_insert_comment()\`)
  makes the whole export malformed XML, as does a control character in any
  text (\`wxr_cdata()\` does not remove them). WordPress's own importer falls
  back to a regular-expression parser for such files.
- **Order.** Items are not in ID order: attachments come before the posts
  they belong to, pages, reusable blocks and menu items are mixed in.
  Resolve \`wp:post_parent\`, \`_thumbnail_id\`, \`wp-image-N\` classes,
  \`[gallery ids]\`, \`<!-- wp:block {"ref":N} /-->\` and
  \`_menu_item_object_id\` after reading every item.
- **Types and statuses.** \`post\`, \`page\`, \`attachment\` (status
  \`inherit\`), \`wp_block\`, \`nav_menu_item\`; posts in \`publish\`,
  \`draft\`, \`pending\`, \`future\`, \`private\` and \`trash\`. A trashed post's
  slug ends in \`__trashed\` (the real one is in \`_wp_desired_post_slug\`).
  A password-protected post is \`publish\` with \`wp:post_password\` in clear.
- **Dates.** \`wp:post_date\` is the site's local time (Europe/London here; the
  export does not name the zone), \`wp:post_date_gmt\` is UTC. Drafts and
  pending posts have \`0000-00-00 00:00:00\` as \`post_date_gmt\`, an empty
  \`pubDate\`, an empty \`wp:post_name\` and a \`?p=N\` link. The election post,
  published at 00:30 summer time, has a different day locally and in UTC.
- **Slugs** are percent-encoded UTF-8 in lower case: the Persian tag's
  \`wp:tag_slug\`, the Persian post's \`post_name\` and the emoji at the end of
  another post's. Names and titles are plain UTF-8.
- **GUIDs are not permalinks.** A post's guid is its permalink at the first
  save (the harbour story's still has its old slug; its old slug is also in
  \`_wp_old_slug\`, worth a redirect); an attachment's is the original file's
  URL.
- **Terms are listed twice**: as \`wp:category\` / \`wp:tag\` (parents named by
  slug, parents first) and again as \`wp:term\` with \`wp:term_taxonomy\`,
  with the \`post_format\` and \`nav_menu\` terms (the menu's twice): a site
  without custom taxonomies gets every term there, a site with one gets only
  its terms. On items they are \`<category domain="category|post_tag|post_format|nav_menu"
  nicename="slug">\`.
- **Authors** are only users who own an exported item; \`dc:creator\` is the
  login, not the display name (which may equal the login). Biographies,
  website URLs and roles are not exported.
- **HTML-escaped text**: term descriptions and the site's tagline are stored
  escaped (\`&amp;\` inside CDATA, \`&#38;\` in the channel's \`description\`);
  a pingback's author is the linking page's title with entities (\`&#8211;\`).
- **Comments**: approved \`1\`, held \`0\`, \`trash\` (with
  \`_wp_trash_meta_*\` comment meta), \`post-trashed\`; types \`comment\`,
  \`pingback\`, \`trackback\`. \`comment_parent\` is a \`comment_id\` of the same
  item, \`comment_user_id\` an \`author_id\`. IDs have gaps where spam was left
  out. Links in visitors' comments carry \`rel="nofollow ugc"\`.
- **Attachments**: \`_wp_attachment_metadata\` is PHP-serialized (sizes, file
  names, image metadata; audio details for the WAV). The sizes are files in
  \`uploads/\` but not items. The panorama is wider than 2560 px, so its
  \`wp:attachment_url\` and \`_wp_attached_file\` name \`…-scaled.jpg\`, the
  metadata's \`original_image\` the upload. Alt text is the
  \`_wp_attachment_image_alt\` meta, the caption the item's excerpt, the
  description its content; one image has neither alt nor caption.
- **Classic bodies** have no \`<p>\`: paragraphs are blank lines and single
  newlines line breaks (WordPress's \`wpautop\`), with \`[caption]\`,
  \`[gallery]\`, \`[embed]\`, \`[video]\`, \`[audio]\` shortcodes, a bare URL on
  its own line (embedded when shown) and \`<!--more-->\`.
- **Block bodies** carry \`<!-- wp:name {json} -->\` delimiters; the JSON
  escapes \`&\` as \`\\u0026\` where the HTML beside it has \`&amp;\`. An
  image block's \`src\` is the file of its \`sizeSlug\`, or the original when
  the image is smaller than that size; galleries nest image blocks, embeds
  hold only the URL, and a custom HTML block keeps a \`<script>\` and an
  \`<iframe>\`.
- **Meta** includes WordPress's own bookkeeping (\`_pingme\`, \`_encloseme\`
  from publishing, \`_wp_old_slug\`, \`_wp_trash_*\`, \`_menu_item_*\`) beside
  custom fields (\`standfirst\`, and \`sources\` serialized as a PHP array).
README

# The fixture belongs to whoever owns the checkout, not to root.
chown -R --reference="$root" "$out"
echo "wrote $out ($(count '//item') items, $upload_files uploaded files, $upload_kib KiB) in $((SECONDS - start)) s"
