#!/usr/bin/env bash
# Install the Debian packages qualify uses beside Python: libharfbuzz-subset0 (WeasyPrint renders
# small documents 5-8x slower without it), graphviz (`dot`, for SVG workflow diagrams) and
# fonts-dejavu-core with fonts-dejavu-extra (the fonts packets embed, in every weight and style:
# they cover Latin Extended and Vietnamese, so every glyph of an officer's name prints),
# fontconfig (fc-match, with which a test finds those fonts) and poppler-utils (pdftotext,
# pdfinfo and pdftoppm: the packet tests read the text and tags of every packet, and
# `make pictures` draws them), and chromium (Debian's browser: the portal's browser tests drive it
# with Playwright, which never downloads a browser of its own).
# As root it installs what is missing with apt; otherwise it prints one warning line per package.
set -u
wanted=(libharfbuzz-subset0 graphviz fontconfig fonts-dejavu-core fonts-dejavu-extra poppler-utils chromium)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: cannot install ${missing[*]} (no apt-get): PDFs render 5-8x slower without libharfbuzz-subset0; SVG diagrams need graphviz" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "warning: not root, so not installing ${missing[*]}: run 'sudo apt-get install ${missing[*]}' (PDFs render 5-8x slower without libharfbuzz-subset0)" >&2
  exit 0
fi
echo "installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "warning: apt-get could not install ${missing[*]}" >&2
fi
exit 0
