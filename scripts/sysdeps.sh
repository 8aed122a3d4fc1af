#!/usr/bin/env bash
# Make sure the system packages that the build and the tests use are present.
# Debian/Ubuntu: installs what is missing with apt-get when run as root (or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ -d /usr/share/fonts/truetype/noto ] || missing+=(fonts-noto-core)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)

# Browser tests (tests/browser): Debian's Chromium (Playwright never downloads its own), a Java
# runtime for the Nu HTML checker, and npm to fetch axe-core and vnu-jar (package-lock.json).
[ -x "${BRIEFING_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "sysdeps: please install: ${missing[*]} (names are Debian's)" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "sysdeps: run as root, or install: ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "sysdeps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The browser tests' npm tools. --ignore-scripts: vnu-jar's install script would fetch a Java
# runtime of its own; the system one above is used instead.
if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
  echo "sysdeps: npm ci (axe-core, vnu-jar for the browser tests)" >&2
  if ! npm ci --ignore-scripts --no-audit --no-fund >&2; then
    echo "sysdeps: npm ci failed: the browser tests need node_modules/axe-core and" \
      "node_modules/vnu-jar; run 'npm ci --ignore-scripts' where the npm registry is reachable" >&2
    exit 1
  fi
fi
