#!/usr/bin/env bash
# Installs what the test suite needs beyond Go: Debian's Chromium (for the
# browser tests), Node.js (to check our anti-bot server against the widget's
# own solver), fonts that cover Latin, Cyrillic, Persian and Arabic, and
# xmllint (libxml2-utils, to validate the sitemaps against their XSD schemas),
# curl (the docs/api.md examples run as written, and the README's https
# one, with openssl to make its certificate), jq and Python (so do
# docs/export-format.md's), a Java runtime and the W3C
# Nu Html Checker (vnu.jar, from npm, into the user's cache directory; see
# docs/adr/0009-nu-html-checker-in-the-tests.md), Lighthouse (from npm, into
# the same cache: internal/e2e scores pages of the Persian edition with it),
# and a PostgreSQL server when none answers on 127.0.0.1:5432.
# Does nothing when they are present.
set -euo pipefail

# The Nu Html Checker's version; internal/web's test reads it from here.
vnu_version=26.9.27
# Lighthouse's version; internal/e2e's test reads it from here. 12.8.2 is
# the last that runs on the Node.js of Debian 12 (18.20); 13 needs 22.19.
lighthouse_version=12.8.2

packages=(chromium curl default-jre-headless fonts-dejavu-core fonts-noto-core jq libxml2-utils nodejs openssl python3)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Some Node.js builds bring npm; Debian's own packages it apart.
command -v npm >/dev/null || missing+=(npm)
# PostgreSQL for the second storage engine's tests: use the one answering
# on 127.0.0.1:5432 (with trust for local TCP, as on the test machines),
# or install and start one.
pg_ready() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }
need_pg=0
if ! pg_ready; then
	need_pg=1
	missing+=(postgresql postgresql-contrib)
fi
# vnu.jar and Lighthouse go into the cache, not the system: no root
# needed, and a new version sits beside the old one. No install script is
# run: vnu-jar's would fetch a Java runtime, and Lighthouse runs with
# Debian's node and Chromium. install_npm PACKAGE VERSION FILE installs
# PACKAGE unless its FILE is there, and checks the version it got.
install_npm() {
	local dir="${XDG_CACHE_HOME:-$HOME/.cache}/broadsheet/$1-$2"
	[ -f "$dir/node_modules/$1/$3" ] && return 0
	echo "installing npm $1 $2 into $dir"
	mkdir -p "$dir"
	npm install --prefix "$dir" --ignore-scripts --no-save --no-audit --no-fund --silent "$1@$2"
	local got
	got=$(node -p "require(process.argv[1]).version" "$dir/node_modules/$1/package.json")
	[ "$got" = "$2" ] || { echo "npm installed $1 $got into $dir, not $2" >&2; exit 1; }
}
install_cached() {
	install_npm vnu-jar "$vnu_version" build/dist/vnu.jar
	install_npm lighthouse "$lighthouse_version" cli/index.js
}

if [ ${#missing[@]} -eq 0 ]; then
	install_cached
	exit 0
fi

echo "installing test dependencies: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		sudo="sudo"
	else
		echo "need root (or sudo) to install: ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"

if [ "$need_pg" -eq 1 ] && ! pg_ready; then
	# A test-only server: trust connections from this machine over TCP.
	version=$(ls /etc/postgresql | sort -V | tail -1)
	hba=/etc/postgresql/$version/main/pg_hba.conf
	grep -q "^host all all 127.0.0.1/32 trust" "$hba" || $sudo sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
	$sudo pg_ctlcluster "$version" main start 2>/dev/null || $sudo pg_ctlcluster "$version" main reload
	for _ in $(seq 30); do pg_ready && break; sleep 1; done
	pg_ready || { echo "PostgreSQL did not start" >&2; exit 1; }
fi
install_cached
