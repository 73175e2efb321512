#!/usr/bin/env bash
# Generates the benchmark model zoo into a build folder (nothing here is committed):
#   mlp4096.pb           784-4096-4096-10 MLP, random weights     (~84 MB)
#   bert_base_s128.pb    BERT-base encoder, 12 layers, seq 128    (~436 MB)
#   resnet50.pb          ResNet-50 v1.5, 224x224 NHWC             (~102 MB)
#   mnist/mnist_mlp{64,512}.pb + x_test.npy/y_test.npy   (trained by scripts/train_mnist.py)
# Usage: bench/models/generate.sh [BUILD_DIR] [OUT_DIR]
#   BUILD_DIR: where aamp-modelgen was built (default: build); OUT_DIR default BUILD_DIR/models.
# Set SKIP_MNIST=1 to skip the (~1 minute) MNIST training; SEED to change the weights (default 0).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$repo/build}
out=${2:-$build/models}
gen=$build/aamp-modelgen
seed=${SEED:-0}
if [[ ! -x $gen ]]; then
  echo "generate.sh: $gen not found; build it first: ninja -C $build aamp_modelgen" >&2
  exit 2
fi
mkdir -p "$out"
"$gen" mlp --hidden 4096 --seed "$seed" -o "$out/mlp4096.pb"
"$gen" bert --layers 12 --seq 128 --seed "$seed" -o "$out/bert_base_s128.pb"
"$gen" resnet50 --seed "$seed" -o "$out/resnet50.pb"
if [[ -z ${SKIP_MNIST:-} ]]; then
  py="$repo/.venv/bin/python"  # scripts/setup.sh makes it
  "$py" "$repo/scripts/train_mnist.py" --out-dir "$out/mnist" --modelgen "$gen"
fi
ls -l "$out"
