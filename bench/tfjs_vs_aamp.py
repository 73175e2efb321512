#!/usr/bin/env python3
"""Median batch-1 latency: TF.js (wasm backend, Node) vs aamp's CPU runtime on the human models.

For each model it runs
  node scripts/tfjs_reference.js --backend wasm --bench N --threads T --models M --json ...
  aamp bench <models>/M.json --iters N --threads T --json
and writes <out>/tfjs_vs_aamp.json and <out>/tfjs_vs_aamp.md (a table with the speedup
tfjs_ms / aamp_ms; the target is >= 2x). Only the Python standard library is used.

TF.js wasm in Node has no multithreading (tfjs-backend-wasm disables threads under Node), so the
TF.js side always runs on 1 thread; the thread count it reports is recorded. Use --threads 1
(the default) for a like-for-like comparison.

Usage: bench/tfjs_vs_aamp.py [--aamp BUILD/aamp] [--iters 50] [--warmup 5] [--threads 1]
                             [--models a,b] [--out build/bench] [--skip-tfjs | --skip-aamp]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS_DIR = os.path.join(REPO, "node_modules", "@vladmandic", "human-models", "models")
CORE_MODELS = [
    "blazeface", "emotion", "gender", "movenet-lightning", "mobilefacenet", "faceres", "iris",
    "facemesh", "handdetect", "selfie", "efficientpose", "gear", "liveness", "antispoof",
    "posenet", "meet",
]
MEDIAN_KEYS = ("median_ms", "p50_ms", "median", "latency_ms", "ms")


def find_median(obj, prefer=("fp32", "float32", "baseline")):
    """Finds an FP32 median latency (ms) in `aamp bench --json` output, whatever its layout:
    a top-level median, or one under a key/entry naming fp32 (else the first median found)."""
    if isinstance(obj, dict):
        for k in prefer:
            for key, val in obj.items():
                if key.lower() == k and isinstance(val, (dict, list)):
                    m = find_median(val, prefer)
                    if m is not None:
                        return m
        # A list of runs like [{"mode": "fp32", "median_ms": ...}, ...]
        for key in MEDIAN_KEYS:
            if isinstance(obj.get(key), (int, float)):
                return float(obj[key])
        for key, val in obj.items():
            if isinstance(val, (dict, list)):
                m = find_median(val, prefer)
                if m is not None:
                    return m
    elif isinstance(obj, list):
        tagged = [e for e in obj if isinstance(e, dict) and
                  any(str(v).lower() in prefer for v in e.values() if isinstance(v, str))]
        for e in tagged + [e for e in obj if e not in tagged]:
            m = find_median(e, prefer)
            if m is not None:
                return m
    return None


def find_amp_median(obj):
    """The AMP (bf16/fp16) median if the bench output has one, else None."""
    return find_median(obj, prefer=("amp", "bf16", "bfloat16", "fp16", "half")) \
        if isinstance(obj, (dict, list)) and _mentions(obj, ("amp", "bf16", "fp16")) else None


def _mentions(obj, words):
    text = json.dumps(obj).lower()
    return any('"%s' % w in text for w in words)


def run_tfjs(models, args, tmp):
    out_json = os.path.join(tmp, "tfjs.json")
    cmd = ["node", os.path.join(REPO, "scripts", "tfjs_reference.js"), "--backend", "wasm",
           "--bench", str(args.iters), "--warmup", str(args.warmup), "--threads",
           str(args.threads), "--models", ",".join(models), "--out", os.path.join(tmp, "tfjs"),
           "--json", out_json]
    print("[tfjs]", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=REPO, check=False)
    res = {}
    if os.path.exists(out_json):
        with open(out_json) as f:
            data = json.load(f)
        for r in data.get("results", []):
            res[r["model"]] = r
    return res


def run_aamp(model, args):
    cmd = [args.aamp, "bench", os.path.join(MODELS_DIR, model + ".json"), "--iters",
           str(args.iters), "--threads", str(args.threads), "--json"]
    try:
        p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": "timeout after %ss" % args.timeout}
    if p.returncode != 0:
        msg = (p.stderr.strip() or p.stdout.strip()).splitlines()
        return {"ok": False, "error": msg[-1] if msg else "exit %d" % p.returncode}
    try:
        start = p.stdout.index("{") if "{" in p.stdout else p.stdout.index("[")
        data = json.loads(p.stdout[start:])
    except ValueError as e:
        return {"ok": False, "error": "cannot parse --json output: %s" % e}
    med = find_median(data)
    if med is None:
        return {"ok": False, "error": "no median latency in --json output", "raw": data}
    return {"ok": True, "median_ms": med, "amp_median_ms": find_amp_median(data), "raw": data}


def fmt(x, nd=2):
    return "-" if x is None else ("%.*f" % (nd, x))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aamp", default=None, help="aamp binary (default: build*/aamp or PATH)")
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--models", default=",".join(CORE_MODELS))
    ap.add_argument("--out", default=os.path.join(REPO, "build", "bench"))
    ap.add_argument("--timeout", type=int, default=600, help="seconds per aamp bench run")
    ap.add_argument("--skip-tfjs", action="store_true")
    ap.add_argument("--skip-aamp", action="store_true")
    args = ap.parse_args()
    models = [m for m in args.models.split(",") if m]

    if not args.skip_aamp and args.aamp is None:
        for cand in ("build/aamp", "build-release/aamp"):
            if os.access(os.path.join(REPO, cand), os.X_OK):
                args.aamp = os.path.join(REPO, cand)
                break
        else:
            args.aamp = shutil.which("aamp")
        if args.aamp is None:
            sys.exit("tfjs_vs_aamp: no aamp binary found; pass --aamp BUILD/aamp")

    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tfjs = {} if args.skip_tfjs else run_tfjs(models, args, tmp)
    rows = []
    for m in models:
        t = tfjs.get(m, {})
        a = {"ok": False, "error": "skipped"} if args.skip_aamp else run_aamp(m, args)
        t_ms = t.get("median_ms") if t.get("ok") else None
        a_ms = a.get("median_ms") if a.get("ok") else None
        row = {
            "model": m,
            "tfjs_wasm_ms": t_ms,
            "tfjs_threads": t.get("threads"),
            "tfjs_error": None if t.get("ok") else t.get("error", "not run"),
            "aamp_ms": a_ms,
            "aamp_amp_ms": a.get("amp_median_ms"),
            "aamp_threads": args.threads,
            "aamp_error": None if a.get("ok") else a.get("error"),
            "speedup": (t_ms / a_ms) if (t_ms and a_ms) else None,
        }
        rows.append(row)
        print("[%s] tfjs %s ms, aamp %s ms, speedup %s" %
              (m, fmt(t_ms), fmt(a_ms), fmt(row["speedup"])), flush=True)

    speedups = [r["speedup"] for r in rows if r["speedup"]]
    summary = {
        "iters": args.iters, "threads": args.threads, "models": len(models),
        "compared": len(speedups),
        "geomean_speedup": statistics.geometric_mean(speedups) if speedups else None,
        "min_speedup": min(speedups) if speedups else None,
        "below_2x": [r["model"] for r in rows if r["speedup"] and r["speedup"] < 2.0],
    }
    with open(os.path.join(args.out, "tfjs_vs_aamp.json"), "w") as f:
        json.dump({"summary": summary, "rows": rows}, f, indent=1)
        f.write("\n")
    lines = [
        "# TF.js wasm vs aamp CPU, median latency at batch 1",
        "",
        "iters %d, aamp threads %d; TF.js wasm threads as reported (Node: 1)." %
        (args.iters, args.threads),
        "",
        "| model | TF.js wasm (ms) | aamp FP32 (ms) | speedup | aamp AMP (ms) | note |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        note = "; ".join(e for e in (r["tfjs_error"] and "tfjs: " + r["tfjs_error"],
                                     r["aamp_error"] and "aamp: " + r["aamp_error"]) if e)
        sp = fmt(r["speedup"]) + "x" if r["speedup"] else "-"
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            r["model"], fmt(r["tfjs_wasm_ms"]), fmt(r["aamp_ms"]), sp, fmt(r["aamp_amp_ms"]),
            note.replace("|", "/")[:120]))
    lines += ["", "geomean speedup: %s; min: %s; below 2x: %s" % (
        fmt(summary["geomean_speedup"]), fmt(summary["min_speedup"]),
        ", ".join(summary["below_2x"]) or "none")]
    with open(os.path.join(args.out, "tfjs_vs_aamp.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print("wrote %s/tfjs_vs_aamp.{json,md}" % args.out)
    return 0 if speedups and len(speedups) == len(models) else 1


if __name__ == "__main__":
    sys.exit(main())
