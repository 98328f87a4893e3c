#!/usr/bin/env bash
# Install the system packages mailpiece needs: Tesseract (OCR engine + English data), the free fonts the
# synthetic generator draws with, and headless Chromium for the review-desk browser tests.
# The Makefile and the Dockerfile both call this script, so the two set-ups cannot drift apart.
# Usage: scripts/install-system-deps.sh [--runtime]   (--runtime skips the test-only browser)
set -euo pipefail

runtime_only=0
[[ "${1:-}" == "--runtime" ]] && runtime_only=1

packages=(
  tesseract-ocr tesseract-ocr-eng
  fonts-dejavu-core fonts-liberation fonts-urw-base35 fonts-freefont-ttf fonts-noto-core fonts-noto-mono
)
(( runtime_only )) || packages+=(chromium chromium-driver)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if (( ${#missing[@]} == 0 )); then
  echo "system packages: all present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "mailpiece needs these system packages, which are missing:" >&2
  echo "  ${missing[*]}" >&2
  echo "Install them as root, e.g.: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: done"
