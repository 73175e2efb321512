#!/usr/bin/env python3
"""Checks that bench/run's results.json has the documented schema (CI runs bench/run --quick and
then this; timings are never compared). Usage: bench/check_schema.py results.json"""
import json
import sys

ROW_KEYS = {"mode": str, "engine": str, "median_ms": (int, float), "throughput_per_s": (int, float)}
AAMP_KEYS = {"p10_ms": (int, float), "p90_ms": (int, float), "iters": int, "weight_bytes": int,
             "peak_activation_bytes": int, "naive_activation_bytes": int, "nodes": int}


def fail(msg):
    sys.exit(f"check_schema: {msg}")


def main():
    r = json.load(open(sys.argv[1]))
    for k, t in {"schema_version": int, "quick": bool, "machine": str, "threads": int,
                 "date": str, "models": list, "notes": list}.items():
        if not isinstance(r.get(k), t):
            fail(f"top-level '{k}' missing or not {t}")
    if not r["models"] and "sweep" not in r:
        fail("no models")
    n_aamp = 0
    for m in r["models"]:
        for k in ("name", "batch", "threads", "rows", "notes", "speedups"):
            if k not in m:
                fail(f"model entry lacks '{k}': {m.get('name')}")
        for row in m["rows"]:
            for k, t in ROW_KEYS.items():
                if not isinstance(row.get(k), t):
                    fail(f"{m['name']}: row lacks '{k}' ({row})")
            if row["engine"] == "aamp":
                n_aamp += 1
                for k, t in AAMP_KEYS.items():
                    if not isinstance(row.get(k), t):
                        fail(f"{m['name']} {row['mode']}: aamp row lacks '{k}'")
                if row["mode"] != "fp32":
                    ag = row.get("agreement")
                    if not isinstance(ag, dict) or not all(
                            isinstance(ag.get(k), float) for k in ("rel_l2", "max_abs")):
                        fail(f"{m['name']} {row['mode']}: no agreement with FP32")
                    if "top1_agreement" not in ag:
                        fail(f"{m['name']} {row['mode']}: no top-1 agreement field")
        modes = {r["mode"] for r in m["rows"] if r["engine"] == "aamp"}
        if {"fp32", "bf16"} <= modes:
            for k in ("aamp_bf16_vs_aamp_fp32", "bf16_peak_memory_fraction"):
                if not isinstance(m["speedups"].get(k), float):
                    fail(f"{m['name']}: speedups lack '{k}'")
    if "mnist_error" in r:
        fail(f"mnist accuracy failed: {r['mnist_error']}")
    for row in r.get("mnist", []):
        for k, t in {"fp32_accuracy": float, "bf16_accuracy": float,
                     "bf16_minus_fp32_points": float, "within_0_3_points": bool}.items():
            if not isinstance(row.get(k), t):
                fail(f"mnist row lacks '{k}'")
    n_sweep = 0
    if "sweep" in r:
        sw = r["sweep"]
        if not isinstance(sw.get("threads"), list) or not sw["threads"]:
            fail("sweep lacks its thread counts")
        for m in sw.get("models", []):
            for k in ("name", "batch", "rows", "notes", "checks"):
                if k not in m:
                    fail(f"sweep entry lacks '{k}': {m.get('name')}")
            for row in m["rows"]:
                for k, t in {**ROW_KEYS, "threads": int}.items():
                    if k != "throughput_per_s" and not isinstance(row.get(k), t):
                        fail(f"sweep {m['name']}: row lacks '{k}' ({row})")
                n_sweep += row["engine"] == "aamp"
        if n_sweep == 0:
            fail("the sweep has no aamp rows")
    elif n_aamp == 0:
        fail("no aamp rows at all")
    print(f"check_schema: ok ({len(r['models'])} models, {n_aamp} aamp rows, "
          f"{n_sweep} sweep rows)")


if __name__ == "__main__":
    main()
