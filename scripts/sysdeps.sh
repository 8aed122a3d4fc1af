#!/usr/bin/env bash
# Make sure the system packages that the build and the tests use are present.
# Debian/Ubuntu: installs what is missing with apt-get when run as root (or with sudo).
#   scripts/sysdeps.sh build   what `make brief` needs: Pango and the Noto fonts; if they cannot
#                              be installed it warns and lets the build go on
#   scripts/sysdeps.sh         everything the tests need as well (poppler, LibreOffice, Chromium,
#                              Java, npm)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-test}"

missing=()
[ -d /usr/share/fonts/truetype/noto ] || missing+=(fonts-noto-core)
# The linker cache is read once and matched in the shell. Piped into `grep -q`, ldconfig was
# killed by SIGPIPE whenever grep found its line before ldconfig had written the rest, and
# pipefail then called a present library missing (about one run in a hundred).
libs="$(ldconfig -p 2>/dev/null || true)"
# WeasyPrint subsets fonts with HarfBuzz when this loads, else with fontTools, which writes
# other bytes: without it the same facts would give different PDFs on different machines.
[[ $libs == *libharfbuzz-subset* ]] || missing+=(libharfbuzz-subset0)
[[ $libs == *libpango-1.0* ]] || missing+=(libpango-1.0-0 libpangoft2-1.0-0)

# Installing changes the system, so the packages and the commands are said before they run.
apt_install() {
  local sudo="$1"
  shift
  echo "sysdeps: missing system packages: $*" >&2
  echo "sysdeps: about to run: ${sudo:+$sudo }apt-get update, then" \
    "${sudo:+$sudo }apt-get install -y --no-install-recommends $*" >&2
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" \
      >/dev/null
}

if [ "$mode" = build ]; then
  [ ${#missing[@]} -eq 0 ] && exit 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt_install "" "${missing[@]}" && exit 0
  fi
  echo "sysdeps: warning: missing ${missing[*]} (Debian names); the PDFs need Pango, and use" \
    "the Noto fonts for their typography. Install them, e.g. sudo apt-get install ${missing[*]}" >&2
  exit 0
fi

command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
# tests/test_docx.py converts the Word files with LibreOffice: Word's own readers are not here.
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)

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
  apt_install "$sudo" "${missing[@]}"
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
