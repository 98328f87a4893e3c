#!/usr/bin/env bash
# Read-rate check on fonts the generator never draws: render a set with only these Debian font packages
# (MAILPIECE_FONT_ROOT) and evaluate it. The system fonts are left alone: the packages are downloaded
# and unpacked into a folder, not installed. Needs apt (Debian or Ubuntu) and network access to it.
#
#   bash bench/heldout_fonts.sh [OUT_DIR] [FRAMES] [SEED]      (defaults: /tmp/heldout-fonts 1000 21071)
#
# Writes OUT_DIR/fonts (the unpacked fonts), OUT_DIR/set (the frames and labels) and OUT_DIR/eval.txt.
# Results of this check are in docs/address-reading.md ("Fonts the generator never drew").
set -euo pipefail
out=${1:-/tmp/heldout-fonts}
frames=${2:-1000}
seed=${3:-21071}
here=$(cd "$(dirname "$0")/.." && pwd)
mailpiece="$here/.venv/bin/mailpiece"
packages=(
  fonts-roboto-unhinted fonts-open-sans fonts-lato fonts-crosextra-carlito fonts-crosextra-caladea
  fonts-linuxlibertine fonts-texgyre fonts-comic-neue fonts-dkg-handwriting fonts-humor-sans
  fonts-sil-gentiumplus fonts-sil-charis fonts-hack fonts-inter fonts-cantarell fonts-firacode
  fonts-adf-accanthis fonts-breip fonts-ebgaramond fonts-oxygen
)
mkdir -p "$out/debs" "$out/fonts"
if [ -z "$(find "$out/fonts" -name '*.[ot]tf' -print -quit)" ]; then
  (cd "$out/debs" && for p in "${packages[@]}"; do apt-get download "$p" >/dev/null 2>&1 || echo "skipped $p"; done)
  for deb in "$out"/debs/*.deb; do dpkg -x "$deb" "$out/unpacked"; done
  cp -r "$out/unpacked/usr/share/fonts/." "$out/fonts/"
fi
echo "fonts: $(find "$out/fonts" -name '*.[ot]tf' | wc -l) files under $out/fonts"
if [ ! -f "$out/set/labels.jsonl" ]; then
  MAILPIECE_FONT_ROOT="$out/fonts" "$mailpiece" synth "$out/set" -n "$frames" -s "$seed" -w "$(nproc)"
fi
OMP_THREAD_LIMIT=1 "$mailpiece" evaluate "$out/set" --results "$out/results.jsonl" | tee "$out/eval.txt"
