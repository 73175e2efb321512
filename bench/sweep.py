"""Thread sweep for bench/run (--thread-sweep): aamp FP32 and BF16 against PyTorch FP32 and
autocast BF16 at each thread count, on the MLP, BERT-base (batch 1 and 8) and ResNet-50 (batch 1
and 16), so that scaling shows up as a table: more threads should never be slower, and the
spread (p90 / median) says how steady the latency is.

Thread counts: 1, 2, 4, 8, 16, those the machine has (or the list given). Each (model, threads)
row times aamp in both precisions and the PyTorch peer in the same process, one after the other
(ratios are from one run). Quick mode: the small MLP and BERT of bench/run --quick.
"""

import os

import torch_peer
from torch_peer import timed

DEFAULT_THREADS = (1, 2, 4, 8, 16)


def sweep_specs(quick):
    """(name, generator args, batch, torch (kind, arg))."""
    if quick:
        bert = ["bert", "--layers", "2", "--hidden", "128", "--heads", "2", "--intermediate",
                "512", "--seq", "32", "--vocab", "1000"]
        tb = ("bert", (2, 128, 2, 512, 32, 1000))
        return [("mlp", ["mlp", "--hidden", "64"], 64, ("mlp", 64)),
                ("bert-b1", bert, 1, tb), ("bert-b8", bert, 8, tb)]
    bert = ["bert", "--layers", "12", "--seq", "128"]
    tb = ("bert", (12, 768, 12, 3072, 128, 30522))
    return [("mlp", ["mlp", "--hidden", "4096"], 1024, ("mlp", 4096)),
            ("bert-b1", bert, 1, tb), ("bert-b8", bert, 8, tb),
            ("resnet50-b1", ["resnet50"], 1, ("resnet50", None)),
            ("resnet50-b16", ["resnet50"], 16, ("resnet50", None))]


def thread_counts(given=None):
    cores = os.cpu_count() or 1
    if given:
        return [t for t in given if 1 <= t <= cores] or [1]
    return [t for t in DEFAULT_THREADS if t <= cores]


def _aamp_rows(aamp, g, feeds, threads, warmup, iters, budget_s):
    rows = []
    for mode in ("fp32", "bf16"):
        cfg = aamp.ConfigProto()
        cfg.graph_options.auto_mixed_precision = aamp.OFF if mode == "fp32" else aamp.ON
        if mode == "bf16":
            cfg.graph_options.auto_mixed_precision_options.data_type = aamp.BFLOAT16
        s = aamp.Session(g, threads=threads, config=cfg)
        fetches = s.output_names
        t = timed(lambda: s.run(fetches, feeds), warmup, iters, budget_s)
        st = s.stats()
        rows.append({"engine": "aamp", "mode": mode, "threads": threads, **t,
                     "p90_over_median": t["p90_ms"] / t["median_ms"],
                     "peak_activation_bytes": st["arena_bytes"] + st.get("dynamic_bytes", 0)})
    return rows


def run_sweep(aamp, generate, random_feeds, log, quick, warmup, iters, budget_s, threads=None,
              peers=True):
    """The sweep section of bench/run's JSON: {"threads": [...], "models": [...]}.
    `generate(name, gen_args)` returns a model path; `random_feeds(graph, batch)` the inputs."""
    counts = thread_counts(threads)
    out = {"threads": counts, "models": []}
    for name, gen, batch, torch_spec in sweep_specs(quick):
        log(f"sweep {name} (batch {batch}), threads {counts}")
        entry = {"name": name, "batch": batch, "rows": [], "notes": []}
        try:
            g = aamp.load(generate(name.split("-")[0], gen))
            feeds = random_feeds(g, batch)
        except Exception as e:  # one model failing must not hide the others
            entry["notes"].append(f"aamp failed: {type(e).__name__}: {str(e)[:300]}")
            out["models"].append(entry)
            continue
        for t in counts:
            try:
                rows = _aamp_rows(aamp, g, feeds, t, warmup, iters, budget_s)
            except Exception as e:
                entry["notes"].append(f"aamp at {t} threads: {type(e).__name__}: {str(e)[:200]}")
                rows = []
            if peers:
                try:
                    prow, note = torch_peer.bench_torch(*torch_spec, batch, t, warmup, iters,
                                                        budget_s)
                    for r in prow:
                        r["threads"] = t
                        r["p90_over_median"] = r["p90_ms"] / r["median_ms"] if r.get(
                            "p90_ms") else None
                    rows += prow
                    if note and note not in entry["notes"]:
                        entry["notes"].append(note)
                except Exception as e:
                    entry["notes"].append(f"pytorch at {t} threads: {type(e).__name__}: {e}")
            for r in rows:
                log(f"  {t:2d} threads {r['engine']} {r['mode']}: {r['median_ms']:.2f} ms "
                    f"(p90/median {r.get('p90_over_median') or 0:.2f})")
            entry["rows"] += rows
        entry["checks"] = checks(entry["rows"], counts)
        out["models"].append(entry)
    return out


def checks(rows, counts):
    """Per engine and mode: whether more threads were never slower (beyond 5% noise) and the
    worst p90 / median; per thread count: aamp over PyTorch in each precision."""
    by = {}
    for r in rows:
        by.setdefault((r["engine"], r["mode"]), {})[r["threads"]] = r
    res = {}
    for (engine, mode), per in sorted(by.items()):
        meds = [per[t]["median_ms"] for t in counts if t in per]
        monotone = all(b <= a * 1.05 for a, b in zip(meds, meds[1:]))
        spreads = [per[t].get("p90_over_median") for t in counts if t in per]
        spreads = [s for s in spreads if s]
        res[f"{engine}_{mode}"] = {"more_threads_never_slower": monotone,
                                   "worst_p90_over_median": max(spreads) if spreads else None}
    for mode in ("fp32", "bf16"):
        a, p = by.get(("aamp", mode), {}), by.get(("pytorch", mode), {})
        res[f"aamp_vs_pytorch_{mode}"] = {str(t): p[t]["median_ms"] / a[t]["median_ms"]
                                          for t in counts if t in a and t in p}
    return res


def markdown(sweep, machine):
    lines = ["", f"## Thread sweep ({machine})", "",
             "| model | threads | aamp FP32 ms | aamp BF16 ms | PyTorch FP32 ms | "
             "PyTorch BF16 ms | aamp/PyTorch FP32 | aamp/PyTorch BF16 | aamp BF16 p90/median |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m in sweep["models"]:
        per = {}
        for r in m["rows"]:
            per.setdefault(r["threads"], {})[(r["engine"], r["mode"])] = r
        for t in sweep["threads"]:
            row = per.get(t, {})

            def ms(k):
                return f"{row[k]['median_ms']:.2f}" if k in row else ""

            def ratio(mode):
                a, p = row.get(("aamp", mode)), row.get(("pytorch", mode))
                return f"{p['median_ms'] / a['median_ms']:.2f}x" if a and p else ""

            spread = row.get(("aamp", "bf16"), {}).get("p90_over_median")
            lines.append(f"| {m['name']} | {t} | {ms(('aamp', 'fp32'))} | {ms(('aamp', 'bf16'))} "
                         f"| {ms(('pytorch', 'fp32'))} | {ms(('pytorch', 'bf16'))} | "
                         f"{ratio('fp32')} | {ratio('bf16')} | "
                         f"{f'{spread:.2f}' if spread else ''} |")
        for note in m.get("notes", []):
            lines.append(f"| {m['name']} | note: {note} | | | | | | | |")
    return "\n".join(lines) + "\n"
