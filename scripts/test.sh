#!/usr/bin/env bash
# aamp's test command (README): everything CI runs.
#   1. Release build with warnings as errors (build/), installed into .venv by `pip install .`
#      (scripts/build.sh), then ctest, then the conversion report's browser test (Chromium).
#   2. Unless AAMP_QUICK_TESTS=1: a clang libFuzzer build with ASan+UBSan (build-fuzz/) running
#      the fuzz targets (the parsers of untrusted files) side by side for AAMP_FUZZ_SECONDS
#      (default 20) seconds each. With AAMP_ASAN=1 also an ASan+UBSan build of everything
#      (build-asan/, Debug at -O0) running the unit tests (the tests over whole real models,
#      which only repeat the release run's checks at ASan speed, are left out): about 25 minutes
#      more on 2 cores, so CI leaves it out; run it before landing changes to memory handling.
#   3. pytest on python/tests.
#   4. bench/run --quick (small models, TF.js wasm peer, MNIST accuracy) and a check of its JSON
#      schema; timings are never compared.
# Every stage runs even if an earlier test stage failed; the exit status is non-zero if any
# stage failed. A summary with the time of each stage ends the output.
# Environment: AAMP_QUICK_TESTS=1, AAMP_ASAN=1, AAMP_FUZZ_SECONDS=N, AAMP_JOBS=N (build
# parallelism).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=${AAMP_JOBS:-$(nproc)}
FUZZ_SECONDS=${AAMP_FUZZ_SECONDS:-20}
QUICK=${AAMP_QUICK_TESTS:-0}
# The project's virtual environment (scripts/setup.sh): the interpreter the module is built
# for, with NumPy, pytest and TensorFlow.
PY=$ROOT/.venv/bin/python
if [ ! -x "$PY" ]; then
  echo "[test] $PY not found: run scripts/setup.sh first" >&2
  exit 2
fi
# ccache (when installed) keys objects by paths relative to the checkout, so a fresh clone on a
# machine that built aamp before reuses its objects.
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
T0=$SECONDS
SUMMARY=()
FAILED=0

# Free space: the build, ctest and pytest together write a few GiB (pytest ~1 GiB, removed when it
# passes). Short of that, tests fail with "No space left on device" far from the cause.
for d in "$ROOT" "${TMPDIR:-/tmp}"; do
  free_kib=$(df -Pk "$d" | awk 'NR == 2 {print $4}')
  if [ "${free_kib:-0}" -lt $((4 * 1024 * 1024)) ]; then
    echo "[test] warning: only $((free_kib / 1024)) MiB free on the file system of $d;" \
         "the tests need about 4 GiB" >&2
  fi
done

stage() { echo; echo "==== [test] $* (at $((SECONDS - T0)) s)"; }
# record NAME STATUS START
record() {
  local status=$2
  SUMMARY+=("$(printf '%-28s %-7s %4d s' "$1" "$status" $((SECONDS - $3)))")
  if [ "$status" = FAIL ]; then FAILED=1; fi
}
finish() {
  echo
  echo "==== [test] summary (total $((SECONDS - T0)) s)"
  for l in "${SUMMARY[@]}"; do echo "  $l"; done
  if [ "$FAILED" = 0 ]; then echo "==== [test] all stages passed"; else echo "==== [test] FAILED"; fi
  exit "$FAILED"
}

# ---- 1. Release build + ctest -------------------------------------------------------------
stage "Release build (build/) + pip install . into .venv (scripts/build.sh)"
t=$SECONDS
# Warnings as errors, the tests, the CUDA backend with setup's toolkit (its tests skip at run
# time without a GPU), the TensorFlow plugin; installed the way users install it, so the Python
# tests and TensorFlow load what was just built.
if AAMP_JOBS=$JOBS scripts/build.sh; then
  record "release build + install" ok $t
else
  record "release build + install" FAIL $t
  finish
fi

stage "ctest (build/)"
t=$SECONDS
if (cd build && ctest --output-on-failure -j2); then
  record "ctest" ok $t
else
  record "ctest" FAIL $t
fi

# ---- 1b. The conversion report in a real browser --------------------------------------------
stage "report in headless Chromium (tests/report/report_browser_test.mjs)"
t=$SECONDS
# Fails when Chromium is missing under CI=true (setup installs it); skips elsewhere.
if CI="${CI:-}" node tests/report/report_browser_test.mjs --build build; then
  record "report browser test" ok $t
else
  record "report browser test" FAIL $t
fi

# ---- 2a. ASan + UBSan (AAMP_ASAN=1) ---------------------------------------------------------
if [ "$QUICK" != 1 ] && [ "${AAMP_ASAN:-0}" = 1 ]; then
  stage "ASan+UBSan build (build-asan/)"
  t=$SECONDS
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  if cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g1 -O0" \
       -DAAMP_SANITIZE=ON -DAAMP_WERROR=ON -DAAMP_PYTHON=OFF -DAAMP_CUDA=OFF -DAAMP_TF=OFF \
       >/dev/null &&
     cmake --build build-asan -j "$JOBS"; then
    record "asan build" ok $t
    stage "unit tests under ASan+UBSan (build-asan/)"
    t=$SECONDS
    # Each test executable runs as one process (ASan start-up per test would cost more than the
    # tests), two at a time. Whole-model tests (conformance, real-model round trips, numerics and
    # memory plans) only repeat the release run's checks at ASan speed and are left out.
    export GTEST_FILTER='-*Conformance*:*RealModel*:*HumanModels*:*Numeric*:*ValidateModels*:*MemoryPlan*'
    if (cd build-asan/tests && ls test_* | grep -v '\.' | xargs -P 2 -I{} sh -c \
          './{} --gtest_brief=1 >{}.log 2>&1 && echo "[test] {}: ok" ||
           { tail -n 80 {}.log; echo "[test] {}: FAILED (log: build-asan/tests/{}.log)"; exit 1; }'); then
      record "asan tests" ok $t
    else
      record "asan tests" FAIL $t
    fi
    unset GTEST_FILTER
  else
    record "asan build" FAIL $t
  fi
fi

# ---- 2b. libFuzzer --------------------------------------------------------------------------
if [ "$QUICK" != 1 ]; then
  stage "libFuzzer build (build-fuzz/)"
  t=$SECONDS
  if [ ! -f tests/fuzz/CMakeLists.txt ]; then
    echo "[test] no tests/fuzz/CMakeLists.txt: no fuzz targets"
    record "fuzz" skipped $t
  elif ! command -v clang++ >/dev/null; then
    echo "[test] clang++ not found (run scripts/setup.sh)"
    record "fuzz build" FAIL $t
  else
    targets=()
    configured=0
    if cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
         -DCMAKE_CXX_COMPILER=clang++ -DAAMP_FUZZ=ON -DAAMP_BUILD_TESTS=OFF -DAAMP_PYTHON=OFF \
         -DAAMP_CUDA=OFF -DAAMP_TF=OFF >/dev/null; then
      configured=1
      # Executables defined under tests/fuzz/.
      mapfile -t targets < <(ninja -C build-fuzz -t targets all 2>/dev/null |
        sed -n 's|^\(tests/fuzz/[^:/]*\): CXX_EXECUTABLE_LINKER.*|\1|p' | sort -u)
    fi
    if [ "$configured" = 0 ]; then
      # A configure error is a failure, not "no targets" (clang once lacked OpenMP: libomp-dev).
      echo "[test] configuring the fuzz build with clang failed (see above)"
      record "fuzz configure" FAIL $t
    elif [ ${#targets[@]} -eq 0 ]; then
      echo "[test] no fuzz targets defined in tests/fuzz"
      record "fuzz" skipped $t
    elif ninja -C build-fuzz -j "$JOBS" "${targets[@]}"; then
      record "fuzz build" ok $t
      # The targets run side by side (one core each on CI's two), each for FUZZ_SECONDS.
      stage "fuzz ${targets[*]##*/} for ${FUZZ_SECONDS} s each, concurrently"
      t=$SECONDS
      pids=()
      for tgt in "${targets[@]}"; do
        name=$(basename "$tgt")
        work="$ROOT/build-fuzz/fuzz-work/$name"
        rm -rf "$work" && mkdir -p "$work/corpus"
        seeds=()
        for d in "tests/fuzz/corpus/$name" "tests/fuzz/corpus/${name#fuzz_}"; do
          if [ -d "$d" ]; then seeds+=("$ROOT/$d"); fi
        done
        (cd "$work" && "$ROOT/build-fuzz/$tgt" -max_total_time="$FUZZ_SECONDS" \
           -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 corpus "${seeds[@]}" \
           >fuzz.log 2>&1) &
        pids+=($!)
      done
      for i in "${!targets[@]}"; do
        name=$(basename "${targets[$i]}")
        work="$ROOT/build-fuzz/fuzz-work/$name"
        if wait "${pids[$i]}"; then
          echo "[test] fuzz $name: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' \
            "$work/fuzz.log" | grep -o '[0-9]*$') runs, no crash"
          record "fuzz $name" ok $t
        else
          tail -n 60 "$work/fuzz.log"
          echo "[test] fuzz $name failed; crash inputs and log in $work"
          record "fuzz $name" FAIL $t
        fi
      done
    else
      record "fuzz build" FAIL $t
    fi
  fi
fi

# ---- 3. pytest ------------------------------------------------------------------------------
if [ -d python/tests ]; then
  stage "pytest python/tests"
  t=$SECONDS
  export AAMP_BUILD_DIR="$ROOT/build"
  export PYTHONPATH="$ROOT/build/python:$ROOT/python${PYTHONPATH:+:$PYTHONPATH}"
  set +e
  # A private base directory, emptied by pytest at the start and removed after a pass (pytest's
  # default keeps three runs' worth, ~1 GiB each, in /tmp).
  "$PY" -m pytest -q python/tests --basetemp "$ROOT/build/pytest-tmp"
  rc=$?
  set -e
  if [ $rc = 0 ]; then
    rm -rf "$ROOT/build/pytest-tmp"
    record "pytest" ok $t
  elif [ $rc = 5 ]; then
    echo "[test] pytest collected no tests"
    record "pytest" "no tests" $t
  else
    record "pytest" FAIL $t
  fi
fi

# ---- 4. bench/run --quick -------------------------------------------------------------------
stage "bench/run --quick (build/bench-quick)"
t=$SECONDS
if "$PY" bench/run --quick --thread-sweep --build build --out build/bench-quick >build/bench-quick.log 2>&1 &&
   "$PY" bench/check_schema.py build/bench-quick/results.json; then
  record "bench quick" ok $t
else
  tail -n 40 build/bench-quick.log
  record "bench quick" FAIL $t
fi

finish
