#!/usr/bin/env bash
# Install the system packages allianceprint needs, where we are allowed to.
#   Pango (WeasyPrint's text layout), the book fonts (Noto CJK for Chinese, Japanese and
#   Korean text), poppler-utils and qpdf (PDF checks in
#   the tests) and a Java runtime (EPUBCheck).
#   With --test, also what only the tests need: Chromium, the browser DAISY Ace (the EPUB
#   accessibility checker, installed from npm into tools/) drives, and Node.js with npm if
#   the machine has no `node`.
# As root on Debian/Ubuntu this installs whatever is missing; otherwise it names what is
# missing and how to install it, and fails.
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-linuxlibertine
          fonts-dejavu-core fonts-noto-cjk poppler-utils qpdf)
if ! command -v java >/dev/null 2>&1; then
  packages+=(default-jre-headless)
fi
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium)
  if ! command -v node >/dev/null 2>&1; then
    packages+=(nodejs npm)
  fi
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: these system packages are missing: ${missing[*]}" >&2
  echo "setup: install them as root, e.g.: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
