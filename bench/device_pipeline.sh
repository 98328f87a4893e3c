#!/usr/bin/env bash
# One run of bench/bench_pipeline.py (the Ray pipeline benchmark) on a lent GPU machine, which has
# Python 3.12 with torch/OpenCV but no internet, no Ray, no Tesseract and no fonts.
#
# What the machine lacks travels in .carry/ (git-ignored, made by bench/build_carry.sh, about 45 MB), which
# bench/device_setup.sh unpacks: ray 2.60 (trimmed), tesserocr, zipcodes, pytesseract, jsonschema as cp312
# wheels, Tesseract's eng.traineddata, and the fonts the synthetic renderer uses.
#
# Invoked from the repo root through the `run` tool, which sets OUT:
#   run(carry=[".carry"], command="bash bench/device_pipeline.sh", timeout_s=540)
# Knobs (env, with defaults): COUNT=960 frames, WORKERS=8,16, STAGES=separate,fused, LAT=30 (seconds of the
# paced latency run), BASE=96 (frames for the one-process baseline; passed only if the bench has
# --baseline-count), e.g. command="COUNT=480 WORKERS=16 bash bench/device_pipeline.sh".
# Writes to $OUT: env.txt, smoke.txt, synth.txt, pipeline.txt, ray-logs.tgz.
set -euo pipefail

OUT=${OUT:?set OUT to an output folder}
COUNT=${COUNT:-960}
WORKERS=${WORKERS:-8,16}
STAGES=${STAGES:-separate,fused}
LAT=${LAT:-30}
BASE=${BASE:-96}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1

T0=$(date +%s)
T=$T0
step() {  # step NAME: says how long the previous step took, then names the next one
  local now
  now=$(date +%s)
  echo "== $* (previous step $((now - T)) s; $((now - T0)) s in all)"
  T=$now
}

collect_logs() {  # Ray's session logs, whatever happened (small files only)
  local dirs
  dirs=$(ls -d /tmp/mpbench*/ray/session_2* /tmp/rt/session_2* 2>/dev/null || true)
  [ -n "$dirs" ] || return 0
  # shellcheck disable=SC2086
  find $dirs -path '*/logs/*' -type f -size -4M -print0 |
    tar -czf "$OUT/ray-logs.tgz" --null -T - 2>/dev/null || true
}
trap collect_logs EXIT

source bench/device_setup.sh

step "machine and imports"
{
  nvidia-smi -L
  echo "nproc $(nproc)"
  python3 -V
  python3 -c 'import ray, tesserocr, zipcodes, jsonschema, torch, cv2; print(ray.__version__, tesserocr.tesseract_version(), torch.__version__, torch.cuda.is_available())'
  df -h /dev/shm /tmp | tail -n +2
} 2>&1 | tee "$OUT/env.txt"

step "smoke test: render 2 frames, inspect them on cuda"
rm -rf /tmp/smoke /tmp/frames
python3 -c '
from pathlib import Path
from mailpiece.datasets import write_dataset
from mailpiece.inspect.factory import build_inspector
from mailpiece.inspect.frame import Frame

write_dataset("/tmp/smoke", 2, seed=1, progress=False)
inspector = build_inspector(device="cuda")
print("ocr engine:", inspector.reader.ocr.name, "| model:", inspector.model_name)
for path in sorted(Path("/tmp/smoke/frames").iterdir()):
    r = inspector(Frame.from_path(path))
    print(r.piece_id, r.decision, r.bin, r.reasons, r.message or "",
          {k: round(v, 1) for k, v in r.timings_ms.items()})
    assert "processing_error" not in r.reasons, r.message
' 2>&1 | tee "$OUT/smoke.txt"

step "render $COUNT frames with 16 processes into /tmp/frames"
python3 -c "
from mailpiece.datasets import write_dataset
s = write_dataset('/tmp/frames', $COUNT, seed=2024, workers=16, progress=False)
print(s.count, 'frames;', s.class_counts['postage'], s.class_counts['damage'])
" 2>&1 | tee "$OUT/synth.txt"

step "bench_pipeline: workers $WORKERS, stages $STAGES, latency run $LAT s"
extra=()
if python3 bench/bench_pipeline.py --help | grep -q -- --baseline-count; then
  extra=(--baseline-count "$BASE")
fi
set +e
python3 bench/bench_pipeline.py --frames-dir /tmp/frames/frames --workers "$WORKERS" --stages "$STAGES" \
  --device auto --latency-seconds "$LAT" ${extra[@]+"${extra[@]}"} 2>&1 | tee "$OUT/pipeline.txt"
rc=${PIPESTATUS[0]}
set -e

step "done (bench exit code $rc)"
exit "$rc"
