#!/usr/bin/env bash
# Packs a CUDA build made here (scripts/setup.sh's wheel toolkit) into one archive that a GPU
# machine without registries runs with a single command, within the device tool's 64 MiB.
#
#   scripts/pack_gpu_build.sh [BUILD_DIR] [OUT_DIR]        (defaults: build, build/gpu-pack)
#
# OUT_DIR/aamp-gpu.tar.gz holds aamp-gpu/:
#   bin/NAME      a wrapper per program (aamp, aamp-modelgen, test_backends_cuda, and every
#                 other test_* and bench_* binary, or those named in AAMP_PACK_ONLY): it finds
#                 the libraries, then runs libexec/NAME;
#   libexec/      the programs as built here;
#   lib/          the shared libraries they need that such a machine lacks: Debian's oneDNN,
#                 protobuf and OpenCL loader, and the CUDA runtime they were built with;
#   lib/compat/   Debian's libstdc++/libgcc_s/libgomp, used only when the host's are too old;
#   env.sh        the library search: CUDA's big libraries (cuBLAS/cuBLASLt, cuDNN 9; 1.2 GB,
#                 never packed) and the driver come from the GPU machine: $AAMP_CUDA_LIB_DIRS,
#                 else the nvidia-* wheels of its python3 (PyTorch's), else /usr/local/cuda.
# On the GPU machine (bench/README.md, "GPU vs PyTorch"):
#   tar xzf build/gpu-pack/aamp-gpu.tar.gz -C /tmp && /tmp/aamp-gpu/bin/test_backends_cuda
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
OUT=${2:-$BUILD/gpu-pack}
LIMIT=$((60 * 1024 * 1024))  # under the device tool's 64 MiB per call, with room for the tree

if ! grep -q '^AAMP_HAVE_CUDA:INTERNAL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null &&
   [ ! -x "$BUILD/tests/test_backends_cuda" ]; then
  echo "pack_gpu_build: $BUILD has no CUDA build (run scripts/setup.sh, then build with" \
       "AAMP_CUDA=ON)" >&2
  exit 2
fi
progs=("$BUILD/aamp" "$BUILD/aamp-modelgen")
for t in "$BUILD"/tests/test_* "$BUILD"/bench/bench_*; do
  [ -x "$t" ] && [ -f "$t" ] && [[ "$t" != *.* ]] || continue
  # AAMP_PACK_ONLY="test_backends_cuda bench_attention ...": only these besides the CLI (the
  # archive of every program nears the device tool's 64 MiB).
  if [ -n "${AAMP_PACK_ONLY:-}" ] && [[ " $AAMP_PACK_ONLY " != *" $(basename "$t") "* ]]; then
    continue
  fi
  progs+=("$t")
done
for p in "${progs[@]}"; do
  [ -x "$p" ] || { echo "pack_gpu_build: $p missing (build it first)" >&2; exit 2; }
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/aamp-gpu
mkdir -p "$root/bin" "$root/libexec" "$root/lib/compat"

# Libraries: everything ldd resolves outside glibc, minus what the GPU machine brings (CUDA's big
# libraries and the driver) and what any Linux has (libz, libdl, ...).
declare -A seen=()
for p in "${progs[@]}"; do
  cp "$p" "$root/libexec/"
  name=$(basename "$p")
  cat >"$root/bin/$name" <<WRAP
#!/bin/sh
here=\$(cd "\$(dirname "\$0")/.." && pwd)
prog="\$here/libexec/$name"
. "\$here/env.sh"
exec "\$here/libexec/$name" "\$@"
WRAP
  chmod +x "$root/bin/$name"
  while read -r lib path; do
    [ -n "$path" ] && [ -z "${seen[$lib]:-}" ] || continue
    seen[$lib]=1
    case "$lib" in
      libcublas*|libcudnn*|libcuda.so*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|\
      ld-linux*|libz.so*|linux-vdso*) ;;
      libstdc++*|libgcc_s*|libgomp*) cp -L "$path" "$root/lib/compat/$lib" ;;
      *) cp -L "$path" "$root/lib/$lib" ;;
    esac
  done < <(ldd "$p" | awk '$2 == "=>" {print $1, $3}')
done

cat >"$root/env.sh" <<'ENV'
# Sourced by bin/* with the real program in $prog: sets LD_LIBRARY_PATH so that it runs here.
pack=$(cd "$(dirname "$prog")/.." && pwd)
dirs="$pack/lib"
add() { [ -d "$1" ] && case ":$dirs:" in *":$1:"*) ;; *) dirs="$dirs:$1" ;; esac; }
for d in $(echo "${AAMP_CUDA_LIB_DIRS:-}" | tr ':' ' '); do add "$d"; done
nv=$(python3 -c 'import nvidia; print(nvidia.__path__[0])' 2>/dev/null || true)
if [ -n "$nv" ]; then
  for d in "$nv"/cu13/lib "$nv"/cublas/lib "$nv"/cudnn/lib; do add "$d"; done
fi
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do add "$d"; done
export LD_LIBRARY_PATH="$dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# Debian 12's libstdc++ / libgomp only where the host's are older than what the build needs.
if ldd "$prog" 2>&1 | grep -q -E "GLIBCXX|CXXABI|GOMP|libstdc|libgomp|libgcc_s"; then
  export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$pack/lib/compat"
fi
missing=$(ldd "$prog" 2>&1 | grep -E "not found" || true)
if [ -n "$missing" ]; then
  echo "aamp-gpu: $(basename "$prog") cannot start here; missing:" >&2
  echo "$missing" >&2
  echo "aamp-gpu: set AAMP_CUDA_LIB_DIRS to the folders of libcublasLt.so.13 and libcudnn.so.9" >&2
  exit 127
fi
ENV

mkdir -p "$OUT"
# The tests read tests/testdata under the source folder they were built from.
echo "$PWD" >"$root/source_dir"
tar czf "$OUT/aamp-gpu.tar.gz" -C "$stage" aamp-gpu
size=$(stat -c %s "$OUT/aamp-gpu.tar.gz")
echo "pack_gpu_build: $OUT/aamp-gpu.tar.gz ($((size / 1024 / 1024)) MiB, ${#progs[@]} programs," \
     "$(ls "$root/lib" | grep -c so) libraries)"
if [ "$size" -gt "$LIMIT" ]; then
  echo "pack_gpu_build: over $((LIMIT / 1024 / 1024)) MiB: the device tool cannot carry it" >&2
  exit 1
fi
