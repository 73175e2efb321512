#!/usr/bin/env bash
# Builds aamp in build/ (Release, warnings as errors, tests, the CUDA backend when setup's
# toolkit is there, the TensorFlow plugin when .venv has TensorFlow) and installs it into .venv
# the way users install it, `pip install .` (pyproject.toml, scikit-build-core): the `aamp`
# package, the `aamp` CLI in .venv/bin and the plugin in site-packages/tensorflow-plugins/, where
# TensorFlow loads it at `import tensorflow`. A second run rebuilds only what changed.
# scripts/setup.sh, scripts/test.sh and scripts/demo.sh call it.
# Environment: AAMP_BUILD_DIR (default build), AAMP_JOBS (default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$PWD/.venv/bin/python
if [ ! -x "$PY" ]; then
  echo "build.sh: $PY not found: run scripts/setup.sh first" >&2
  exit 2
fi
BUILD=${AAMP_BUILD_DIR:-build}
CUDA=AUTO
if [ -x .deps/cuda/bin/nvcc ]; then CUDA=ON; fi  # setup's toolkit: it must build (CI too)
export CMAKE_BUILD_PARALLEL_LEVEL=${AAMP_JOBS:-$(nproc)}
# ccache (when installed) keys objects by paths relative to the checkout, so a fresh clone on a
# machine that built aamp before reuses its objects.
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
# --no-build-isolation: scikit-build-core and pybind11 are .venv's pinned ones (no download).
"$PY" -m pip install -q --disable-pip-version-check --no-build-isolation --no-deps \
  --config-settings=build-dir="$BUILD" --config-settings=cmake.define.AAMP_BUILD_TESTS=ON \
  --config-settings=cmake.define.AAMP_WERROR=ON --config-settings=cmake.define.AAMP_CUDA="$CUDA" .
