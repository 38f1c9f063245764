#!/usr/bin/env bash
# Installs the ALTCHA widget (npm package "altcha") that the comment and
# subscribe forms use, pinned to one version:
#
#   scripts/update-altcha.sh 3.2.2
#
# It copies the package's self-contained browser build, dist/main/altcha.min.js
# (an ES module that defines <altcha-widget>, with its PBKDF2/SHA workers and
# its CSS inlined), to internal/web/static/altcha.min.js and the package's
# licence to internal/web/static/altcha-LICENSE.txt. It prints the version,
# the files' SHA-256, every URL the bundle mentions (to review: none may be
# fetched at run time) and the CSP hash of the stylesheet the bundle injects.
#
# After an update run `go test ./internal/challenge/`: its widget test solves
# a challenge with the new bundle's own worker code.
set -euo pipefail

version=${1:-}
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	echo "usage: $0 VERSION   (a stable release such as 3.2.2; see: npm view altcha versions)" >&2
	exit 2
fi
for tool in npm node tar sha256sum; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
static=$root/internal/web/static
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# npm checks the tarball against the registry's integrity hash.
tarball=$(cd "$tmp" && npm pack --silent "altcha@$version" | tail -n 1)
tar -xzf "$tmp/$tarball" -C "$tmp"
pkg=$tmp/package

got=$(node -p 'require(process.argv[1]).version' "$pkg/package.json")
if [ "$got" != "$version" ]; then
	echo "$0: npm gave altcha $got, not $version" >&2
	exit 1
fi
bundle=$pkg/dist/main/altcha.min.js
if [ ! -f "$bundle" ] || ! grep -q 'customElements.define("altcha-widget"' "$bundle"; then
	echo "$0: $bundle is missing or does not define <altcha-widget>; the package layout changed" >&2
	exit 1
fi
# Static imports would fail below, where the bundle is loaded from a data:
# URL; dynamic ones would fetch code at run time.
if grep -Eq '(^|[^.[:alnum:]_$])(import|importScripts)[[:space:]]*\(' "$bundle"; then
	echo "$0: the bundle loads code at run time (import() or importScripts); it is no longer self-contained" >&2
	exit 1
fi
license=""
for f in LICENSE.txt LICENSE LICENSE.md; do
	[ -f "$pkg/$f" ] && { license=$pkg/$f; break; }
done
if [ -z "$license" ]; then
	echo "$0: no licence file in the package" >&2
	exit 1
fi

install -m 0644 "$bundle" "$static/altcha.min.js"
install -m 0644 "$license" "$static/altcha-LICENSE.txt"

# The stylesheet the bundle injects as a <style> element, read by loading
# the bundle with a stub DOM, and its hash for a style-src CSP source.
css_hash=$(node --input-type=module - "$static/altcha.min.js" <<'EOF'
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
let css = '';
const el = () => ({ style: {}, appendChild: (c) => c, setAttribute() {}, addEventListener() {} });
globalThis.self = globalThis;
globalThis.HTMLElement = class {};
globalThis.customElements = { define() {}, get() {} };
globalThis.location = { origin: 'https://x.test', href: 'https://x.test/' };
globalThis.Worker = class {};
globalThis.document = {
	createElement: () => el(), getElementById: () => null, querySelector: () => null,
	currentScript: null, addEventListener() {},
	head: { appendChild: (c) => { css += c.textContent ?? ''; return c; } }
};
await import('data:text/javascript;base64,' + readFileSync(process.argv[2]).toString('base64'));
console.log(css ? 'sha256-' + createHash('sha256').update(css).digest('base64') : 'none');
EOF
)

echo "altcha $version ($tarball)"
(cd "$static" && sha256sum altcha.min.js altcha-LICENSE.txt)
echo "URLs in the bundle (links and error texts, none may be fetched):"
grep -oE 'https?://[A-Za-z0-9.-]+' "$static/altcha.min.js" | sort | uniq -c | sed 's/^/  /'
echo "injected stylesheet, for style-src: '$css_hash'"
