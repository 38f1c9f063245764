#!/usr/bin/env bash
# Builds the newsroom's rich editor (web/editor, on Milkdown) into one
# self-contained file, internal/web/static/editor.js:
#
#   scripts/update-editor.sh
#
# It installs exactly what web/editor/package-lock.json pins (npm ci, no
# install scripts run), bundles src/main.js with esbuild (minified, ES2020,
# one IIFE: no module loading, no source map), refuses a bundle that could
# load code at run time (import(), importScripts, eval, new Function),
# gathers the licence of every package esbuild put in the bundle into
# internal/web/static/editor-LICENSES.txt, and records the bundle's
# packages (web/editor/packages.txt) and SHA-256 (web/editor/bundle.sha256)
# for the Go test that checks the committed files (go test ./internal/web/
# -run Editor). It prints the sizes, raw and gzipped.
#
# To move to another Milkdown version: change it in web/editor/package.json,
# run `npm install --ignore-scripts --package-lock-only` there, then this.
# The stylesheet, internal/web/static/editor.css, is ours and not built.
set -euo pipefail

esbuild=github.com/evanw/esbuild/cmd/esbuild@v0.28.2
for tool in npm node go gzip sha256sum; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/web/editor
static=$root/internal/web/static
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$src" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
(cd "$src" && go run "$esbuild" src/main.js --bundle --format=iife --target=es2020 --platform=browser \
	--minify --legal-comments=none --charset=utf8 \
	--metafile="$tmp/meta.json" --outfile="$tmp/editor.js" --log-level=warning)

bundle=$tmp/editor.js
# Code loaded at run time would escape this review and the CSP's intent.
if grep -Eq '(^|[^.[:alnum:]_$])(import|importScripts)[[:space:]]*\(' "$bundle"; then
	echo "$0: the bundle loads code at run time (import() or importScripts)" >&2
	exit 1
fi
if grep -Eq '(^|[^.[:alnum:]_$])eval[[:space:]]*\(|new Function[[:space:]]*\(' "$bundle"; then
	echo "$0: the bundle evaluates strings as code (eval or new Function)" >&2
	exit 1
fi

# Every package in the bundle, from the metafile, with its licence.
node - "$tmp/meta.json" "$src" "$tmp" <<'JS'
const fs = require('fs'), path = require('path')
const [meta, src, tmp] = process.argv.slice(2)
const inputs = Object.keys(JSON.parse(fs.readFileSync(meta, 'utf8')).inputs)
const dirs = new Set()
for (const f of inputs) {
  const m = /^(?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)
  if (m) dirs.add(f.slice(0, f.lastIndexOf('node_modules/' + m[1]) + ('node_modules/' + m[1]).length))
}
const pkgs = []
for (const d of dirs) {
  const dir = path.join(src, d)
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
  const file = fs.readdirSync(dir).find((n) => /^(licen[cs]e|copying)(\.(md|txt|markdown))?$/i.test(n))
  if (!file) throw new Error(pj.name + ' ' + pj.version + ' ships no licence file')
  pkgs.push({ name: pj.name, version: pj.version, license: pj.license, text: fs.readFileSync(path.join(dir, file), 'utf8').trim() })
}
pkgs.sort((a, b) => (a.name < b.name ? -1 : 1))
const head = 'The newsroom editor (editor.js) bundles these packages, each under its licence below.\n' +
  'Built by scripts/update-editor.sh from web/editor.\n\n' + pkgs.map((p) => `${p.name} ${p.version} (${p.license})`).join('\n') + '\n'
const body = pkgs.map((p) => `\n${'='.repeat(72)}\n${p.name} ${p.version} (${p.license})\n${'='.repeat(72)}\n\n${p.text}\n`).join('')
fs.writeFileSync(path.join(tmp, 'editor-LICENSES.txt'), head + body)
fs.writeFileSync(path.join(tmp, 'packages.txt'), pkgs.map((p) => `${p.name} ${p.version} ${p.license}`).join('\n') + '\n')
JS

install -m 0644 "$bundle" "$static/editor.js"
install -m 0644 "$tmp/editor-LICENSES.txt" "$static/editor-LICENSES.txt"
install -m 0644 "$tmp/packages.txt" "$src/packages.txt"
(cd "$static" && sha256sum editor.js editor-LICENSES.txt) > "$src/bundle.sha256"

echo "editor.js from $(wc -l < "$src/packages.txt") packages; Milkdown $(node -p 'require(process.argv[1]).version' "$src/node_modules/@milkdown/kit/package.json")"
for f in editor.js editor.css; do
	printf '  %-12s %8d bytes raw, %7d gzipped\n' "$f" "$(wc -c < "$static/$f")" "$(gzip -9 -c "$static/$f" | wc -c)"
done
cat "$src/bundle.sha256"
echo "URLs in the bundle (namespaces and texts of errors; none may be fetched):"
grep -oE 'https?://[A-Za-z0-9./_-]+' "$static/editor.js" | sort | uniq -c | sed 's/^/  /'
