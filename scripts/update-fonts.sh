#!/usr/bin/env bash
# Installs Vazirmatn (npm package "vazirmatn", SIL OFL 1.1), the typeface of
# Persian and Arabic text on the reading site and in the newsroom, pinned to
# one version and subset to the letters of Persian and Arabic:
#
#   scripts/update-fonts.sh
#
# It checks the package against the integrity hash pinned below, cuts the
# regular and bold faces down to the characters Persian and Arabic text uses
# (the ranges below), and writes them as WOFF2 to internal/web/static/
# (vazirmatn-regular.woff2, vazirmatn-bold.woff2) with the licence beside
# them (vazirmatn-LICENSE.txt). It prints the sizes, before and after, and
# the files' SHA-256.
#
# Static faces, not the variable one: a face is 12 KB where the variable
# font is 30 KB for the same characters. The reading site loads only the
# regular face, and the browser draws its bold from it, so that an article
# in Persian stays within its 35 KB (docs/performance.md); the newsroom
# loads both. Its weight 600 is drawn bold.
#
# To move to another release, set version and integrity from
#   npm view vazirmatn@VERSION version dist.integrity
# Same inputs, same tools (Debian's fonttools and python3-brotli: apt-get
# install fonttools python3-brotli) give the same bytes. Not run by the tests.
set -euo pipefail

version=33.0.3
integrity=sha512-fbjNc0CMjazZpIegWzz9OHGzI1APFboT+x7ZecXlUCtDe/nkyx7gtCTZnWS/+eeXG7fbfXymCPKJI8EsnM3iqw==

# What Persian and Arabic text needs, from the Arabic block: ، ؛ ؟, the
# letters of Arabic, tatweel, the harakat and the hamza above and below,
# Arabic-Indic and Persian digits, ٪ ٫ ٬, the superscript alef and alef
# wasla, and Persian's پ چ ژ ک گ ۀ ی; then ZWNJ and ZWJ, the marks LRM and
# RLM, the dotted circle a shaper shows under a stray mark, and the
# ligature ﷲ and the rial sign ﷼. The letters only other languages use
# (Urdu, Pashto, Kurdish, Sindhi...) are left out, as are Quranic marks:
# they were a third of the font, and they fall to the system's face. The
# presentation forms are left out too: shaping picks initial, medial and
# final forms through the font's GSUB tables, which the subset keeps, not
# through those code points. « and » are left to the Latin faces: Russian
# uses them too, and a Russian page must not fetch this font for them.
# unicode-range in style.css and admin.css must match (internal/web's
# tests check).
unicodes=U+060C,U+061B,U+061F,U+0621-063A,U+0640-0655,U+0660-066C,U+0670-0671,U+067E,U+0686,U+0698,U+06A9,U+06AF,U+06C0,U+06CC,U+06F0-06F9,U+200C-200F,U+25CC,U+FDF2,U+FDFC

for tool in npm tar openssl base64 sha256sum pyftsubset ttx; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed (pyftsubset, ttx: apt-get install fonttools python3-brotli)" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
static=$root/internal/web/static
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# npm checks the tarball against the registry's hash; this checks it
# against the one pinned here, so a republished version is noticed.
tarball=$(cd "$tmp" && npm pack --silent "vazirmatn@$version" | tail -n 1)
got=sha512-$(openssl dgst -sha512 -binary "$tmp/$tarball" | base64 -w0)
if [ "$got" != "$integrity" ]; then
	echo "$0: vazirmatn@$version is $got, not the pinned $integrity" >&2
	exit 1
fi
tar -xzf "$tmp/$tarball" -C "$tmp"
pkg=$tmp/package
for f in fonts/ttf/Vazirmatn-Regular.ttf fonts/ttf/Vazirmatn-Bold.ttf OFL.txt; do
	[ -f "$pkg/$f" ] || { echo "$0: $f is missing from the package; its layout changed" >&2; exit 1; }
done

for weight in Regular Bold; do
	out=$static/vazirmatn-${weight,,}.woff2
	pyftsubset "$pkg/fonts/ttf/Vazirmatn-$weight.ttf" --unicodes="$unicodes" \
		--flavor=woff2 --output-file="$tmp/subset.woff2"
	# Every letter of the Persian and the Arabic alphabet, the common
	# harakat, the digits of both, the punctuation and the joiners must
	# have survived the cut.
	ttx -q -t cmap -o "$tmp/cmap.ttx" "$tmp/subset.woff2"
	for cp in 0621 0622 0623 0624 0625 0626 0627 0628 0629 062A 062B 062C 062D 062E 062F \
		0630 0631 0632 0633 0634 0635 0636 0637 0638 0639 063A 0640 0641 0642 0643 0644 0645 \
		0646 0647 0648 0649 064A 064B 064C 064D 064E 064F 0650 0651 0652 0654 0670 067E 0686 \
		0698 06A9 06AF 06C0 06CC 0660 0669 06F0 06F9 060C 061B 061F 066A 200C 200D; do
		grep -q "$(printf 'code="0x%x"' "$((16#$cp))")" "$tmp/cmap.ttx" || { echo "$0: U+$cp is not in the $weight subset" >&2; exit 1; }
	done
	install -m 0644 "$tmp/subset.woff2" "$out"
	printf '%-8s %7d bytes TTF, %7d bytes WOFF2 in the package, %6d bytes subset WOFF2\n' "$weight" \
		"$(stat -c %s "$pkg/fonts/ttf/Vazirmatn-$weight.ttf")" \
		"$(stat -c %s "$pkg/fonts/webfonts/Vazirmatn-$weight.woff2")" "$(stat -c %s "$out")"
done
install -m 0644 "$pkg/OFL.txt" "$static/vazirmatn-LICENSE.txt"

echo "vazirmatn $version ($tarball); subset with" \
	"$(dpkg-query -W -f='${Package} ${Version}  ' fonttools python3-brotli 2>/dev/null || echo 'fonttools (version unknown)')"
(cd "$static" && sha256sum vazirmatn-regular.woff2 vazirmatn-bold.woff2 vazirmatn-LICENSE.txt)
