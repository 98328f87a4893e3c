#!/usr/bin/env bash
# Build .carry/ (git-ignored), what a bare lent GPU machine lacks for bench/device_*.sh: Python 3.12 wheels
# of ray (trimmed to fit the 64 MiB a call may carry), tesserocr, zipcodes, pytesseract and jsonschema,
# unzipped into site/; Tesseract's eng.traineddata; and the fonts the synthetic renderer uses here.
#   bash bench/build_carry.sh        # from the repo root, on a machine with PyPI and tesseract-ocr
# Result: .carry/bundle.tar.xz (about 41 MB) and .carry/fonts-extra.tar.xz (about 4 MB).
set -euo pipefail

PY=${PY:-312}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p .carry "$WORK/wheels" "$WORK/b/site" "$WORK/b/tessdata" "$WORK/b/fonts/truetype"

python3 -m pip download -q --no-deps --only-binary=:all: --python-version "$PY" --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  -d "$WORK/wheels" ray==2.60.0 tesserocr==2.13.0 zipcodes==3.0.0 pytesseract==0.3.13 jsonschema==4.26.0 \
  jsonschema-specifications referencing rpds-py typing_extensions
for wheel in "$WORK"/wheels/*.whl; do
  python3 -m zipfile -e "$wheel" "$WORK/b/site"
done
# Ray without what the pipeline never loads: Java, RLlib, Serve, LLM, Tune, Train, the dashboard's web UI.
( cd "$WORK/b/site/ray" && rm -rf jars rllib serve llm tune train dashboard/client/build )
find "$WORK/b/site" -name '*.js.map' -delete
# zipfile drops the executable bit: give it back to Ray's binaries and every shared library.
find "$WORK/b/site/ray/core" -type f -path '*/src/ray/*' -exec chmod +x {} +
find "$WORK/b/site" -name '*.so*' -exec chmod +x {} +

cp /usr/share/tesseract-ocr/5/tessdata/eng.traineddata "$WORK/b/tessdata/"
cp -r /usr/share/tesseract-ocr/5/tessdata/configs "$WORK/b/tessdata/"
for family in dejavu liberation freefont; do
  cp -r "/usr/share/fonts/truetype/$family" "$WORK/b/fonts/truetype/"
done
tar -cJf .carry/bundle.tar.xz -C "$WORK/b" site tessdata fonts
# The Noto and URW faces the renderer takes here (paths from /; bench/device_setup.sh strips 3 parts).
.venv/bin/python -c "from mailpiece.datasets.fonts import font_catalogue
print('\n'.join(f.path.lstrip('/') for f in font_catalogue() if '/noto/' in f.path or '/urw' in f.path))" |
  (cd / && tar -cJf "$OLDPWD/.carry/fonts-extra.tar.xz" -T -)
ls -la .carry
