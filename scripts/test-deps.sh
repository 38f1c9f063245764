#!/usr/bin/env bash
# Installs what the test suite needs beyond Go: Debian's Chromium (for the
# browser tests), Node.js (to check our anti-bot server against the widget's
# own solver), fonts that cover Latin, Cyrillic, Persian and Arabic, and
# xmllint (libxml2-utils, to validate the sitemaps against their XSD schemas).
# Does nothing when they are present.
set -euo pipefail

packages=(chromium fonts-dejavu-core fonts-noto-core libxml2-utils nodejs)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

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
