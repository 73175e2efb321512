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
                 "date": str, "models": list}.items():
        if not isinstance(r.get(k), t):
            fail(f"top-level '{k}' missing or not {t}")
    if not r["models"]:
        fail("no models")
    n_aamp = 0
    for m in r["models"]:
        for k in ("name", "batch", "rows", "notes"):
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
                    if not isinstance(ag, dict) or not isinstance(ag.get("rel_l2"), float):
                        fail(f"{m['name']} {row['mode']}: no agreement with FP32")
    if n_aamp == 0:
        fail("no aamp rows at all")
    if "mnist" in r:
        for row in r["mnist"]:
            for k in ("fp32_accuracy", "bf16_accuracy"):
                if not isinstance(row.get(k), float):
                    fail(f"mnist row lacks '{k}'")
    print(f"check_schema: ok ({len(r['models'])} models, {n_aamp} aamp rows)")


if __name__ == "__main__":
    main()
