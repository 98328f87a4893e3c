#!/usr/bin/env bash
# Fine-tune the shipped postage/damage CNN on a lent GPU machine (the "next step" in docs/cnn.md): render
# synthetic frames with advertising and decoy art, train from the shipped checkpoint, and hand back the
# best checkpoint and its metrics. Run from the repo root through the `run` tool, which sets OUT:
#   run(carry=[".carry"], command="bash bench/device_finetune.sh", timeout_s=420)
# Knobs (env, with defaults): FRAMES=16000, SEED=50, EPOCHS=5, LR=5e-4, VAL=2000.
# The result is only a candidate: score it here on a fresh seed (bench/cnn_thresholds.py) before shipping.
set -euo pipefail

OUT=${OUT:?set OUT to an output folder}
FRAMES=${FRAMES:-16000}
SEED=${SEED:-50}
EPOCHS=${EPOCHS:-5}
LR=${LR:-5e-4}
VAL=${VAL:-2000}
export PYTHONUNBUFFERED=1
T0=$(date +%s)
T=$T0
step() {
  local now
  now=$(date +%s)
  echo "== $* (previous step $((now - T)) s; $((now - T0)) s in all)"
  T=$now
}
source bench/device_setup.sh

step "train: $FRAMES frames of seed $SEED, $EPOCHS epochs at lr $LR, from the shipped checkpoint"
rm -rf /tmp/ft
set +e
python3 -c 'import sys; from mailpiece.cli import main; sys.argv[0] = "mailpiece"; main()' train \
  --synthetic "$FRAMES" --seed "$SEED" --val-count "$VAL" \
  --synth-option p_advert_art=0.2 --synth-option p_decoy_art=0.6 --synth-option p_decoy_art_paid=0.3 \
  --init mailpiece/resources/postage_damage.pt --lr "$LR" --epochs "$EPOCHS" --patience 3 \
  --batch-size 128 --device cuda --workers 15 --out /tmp/ft 2>&1 | tee "$OUT/train.txt"
rc=${PIPESTATUS[0]}
set -e
cp /tmp/ft/postage_damage.pt /tmp/ft/metrics.csv "$OUT/" 2>/dev/null || true
step "done (train exit code $rc)"
exit "$rc"
