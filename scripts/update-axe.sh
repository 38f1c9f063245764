#!/usr/bin/env bash
# Installs axe-core (npm package "axe-core"), the accessibility engine the
# browser tests run in Chromium, pinned to one version:
#
#   scripts/update-axe.sh 4.14.1
#
# It copies the package's browser build, axe.min.js, and its licences to
# internal/e2e/testdata/. Tests only: nothing here is embedded in the binary
# or sent to readers. It prints the version and the files' SHA-256.
#
# After an update run `go test -run Accessibility ./internal/e2e/`.
set -euo pipefail

version=${1:-}
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	echo "usage: $0 VERSION   (a stable release such as 4.14.1; see: npm view axe-core versions)" >&2
	exit 2
fi
for tool in npm node tar sha256sum; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
dest=$root/internal/e2e/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# npm checks the tarball against the registry's integrity hash.
tarball=$(cd "$tmp" && npm pack --silent "axe-core@$version" | tail -n 1)
tar -xzf "$tmp/$tarball" -C "$tmp"
pkg=$tmp/package

got=$(node -p 'require(process.argv[1]).version' "$pkg/package.json")
if [ "$got" != "$version" ]; then
	echo "$0: npm gave axe-core $got, not $version" >&2
	exit 1
fi
if [ ! -f "$pkg/axe.min.js" ] || ! grep -q "$version" "$pkg/axe.min.js"; then
	echo "$0: $pkg/axe.min.js is missing or is not version $version; the package layout changed" >&2
	exit 1
fi

mkdir -p "$dest"
install -m 0644 "$pkg/axe.min.js" "$dest/axe.min.js"
install -m 0644 "$pkg/LICENSE" "$dest/axe-LICENSE.txt"
install -m 0644 "$pkg/LICENSE-3RD-PARTY.txt" "$dest/axe-LICENSE-3RD-PARTY.txt"

echo "axe-core $version ($tarball)"
(cd "$dest" && sha256sum axe.min.js axe-LICENSE.txt axe-LICENSE-3RD-PARTY.txt)
