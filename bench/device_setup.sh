# Sourced by bench/device_*.sh on a lent GPU machine: unpacks what the machine lacks (.carry/, git-ignored,
# made by bench/build_carry.sh) and points Python, Tesseract and the renderer at it.
#   .carry/bundle.tar.xz       site/ (cp312 wheels unzipped: ray, tesserocr, zipcodes, pytesseract,
#                              jsonschema and deps), tessdata/, fonts/truetype/{dejavu,liberation,freefont}
#   .carry/fonts-extra.tar.xz  the Noto and URW base35 faces the renderer also uses here (paths from /)
# Unpacks only once per machine (/tmp/mp survives between calls while the machine stays warm).
if [ ! -f /tmp/mp/.unpacked ]; then
  step "unpack .carry into /tmp/mp"
  rm -rf /tmp/mp
  mkdir -p /tmp/mp/fonts /tmp/rt
  tar -xJf .carry/bundle.tar.xz -C /tmp/mp
  if [ -f .carry/fonts-extra.tar.xz ]; then
    tar -xJf .carry/fonts-extra.tar.xz -C /tmp/mp/fonts --strip-components=3
  fi
  touch /tmp/mp/.unpacked
fi
mkdir -p /tmp/rt
export PYTHONPATH=/tmp/mp/site:$PWD
export TESSDATA_PREFIX=/tmp/mp/tessdata
export MAILPIECE_FONT_ROOT=/tmp/mp/fonts
export OMP_THREAD_LIMIT=1
export RAY_TMPDIR=/tmp/rt
if [ -d /tmp/mp/site/bin ]; then export PATH=/tmp/mp/site/bin:$PATH; fi
