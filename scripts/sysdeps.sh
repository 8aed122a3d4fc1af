#!/usr/bin/env bash
# Make sure the system packages that the build and the tests use are present.
# Debian/Ubuntu: installs what is missing with apt-get when run as root (or with sudo).
set -euo pipefail

missing=()
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ -d /usr/share/fonts/truetype/noto ] || missing+=(fonts-noto-core)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

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
