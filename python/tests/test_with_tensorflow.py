"""aamp and TensorFlow in one process.

TensorFlow exports its own protobuf into the process's global symbol scope once imported; aamp's
extension links Debian's libprotobuf. Loaded naively after TensorFlow, the extension's protobuf
calls bind to TensorFlow's copy and the process crashes at the first GraphDef parse (seen: SIGSEGV
in aamp.load). aamp/__init__.py loads the extension with RTLD_DEEPBIND; these tests run both
import orders in fresh processes (a crash is a failed test, not a dead pytest) and check that a
Session and TensorFlow both compute afterwards.
"""

import importlib.util
import os
import subprocess
import sys

import pytest

from conftest import BUILD, mlp_pbtxt

SCRIPT = r"""
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "tf-first":
    import tensorflow as tf
    import aamp
else:
    import aamp
    import tensorflow as tf
g = aamp.load(sys.argv[3])
g16, report = aamp.optimize(g)
x = np.random.default_rng(0).standard_normal((4, 16)).astype(np.float32)
(y32,) = aamp.Session(g).run(None, {"x": x})
(y16,) = aamp.Session(g16).run(None, {"x": x})
# TensorFlow computes too, and runs aamp's float32 graph to the same probabilities.
gd = tf.compat.v1.GraphDef()
from google.protobuf import text_format
text_format.Parse(open(sys.argv[3]).read(), gd)
with tf.Graph().as_default() as tg:
    tf.graph_util.import_graph_def(gd, name="")
    with tf.compat.v1.Session(graph=tg) as s:
        (ytf,) = s.run(["probs:0"], {"x:0": x})
print("converted", report["converted_nodes"])
print("max_tf_vs_aamp_fp32", float(np.abs(ytf - y32).max()))
print("max_bf16_vs_fp32", float(np.abs(y16 - y32).max()))
"""


def _tensorflow_present():
    if importlib.util.find_spec("tensorflow") is None:
        if os.environ.get("CI"):
            pytest.fail("tensorflow is not installed in this Python (scripts/setup.sh puts it in "
                        ".venv): CI must run these tests")
        pytest.skip("tensorflow not installed (run scripts/setup.sh and use .venv/bin/python)")


@pytest.mark.parametrize("order", ["tf-first", "aamp-first"])
def test_tensorflow_and_aamp_in_one_process(order, tmp_path):
    _tensorflow_present()
    graph = tmp_path / "mlp.pbtxt"
    graph.write_text(mlp_pbtxt())
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    p = subprocess.run([sys.executable, "-c", SCRIPT, str(BUILD / "python"), order, str(graph)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, f"exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}"
    out = dict(line.split() for line in p.stdout.strip().splitlines())
    assert int(out["converted"]) > 0
    assert float(out["max_tf_vs_aamp_fp32"]) < 1e-6
    assert float(out["max_bf16_vs_fp32"]) < 2e-2
