"""Fixtures of the TensorFlow plugin tests: where the plugin is, and a runner of tf_worker.py in
a fresh process (TensorFlow loads the plugin and its config at `import tensorflow`)."""

import json
import os
import pathlib
import subprocess
import sys
import sysconfig

import numpy as np
import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
BUILD = pathlib.Path(os.environ.get("AAMP_BUILD_DIR", ROOT / "build")).resolve()
WORKER = HERE / "tf_worker.py"


def _installed_plugin():
    p = pathlib.Path(sysconfig.get_paths()["purelib"]) / "tensorflow-plugins" / "libaamp_tf.so"
    return p if p.exists() else None


def _built_plugin():
    p = BUILD / "tf_plugin" / "libaamp_tf.so"
    return p if p.exists() else None


class Plugin:
    """How to run TensorFlow with and without the plugin."""

    def __init__(self):
        self.installed = _installed_plugin()
        self.built = _built_plugin()
        self.test_ops = BUILD / "tf_plugin" / "libaamp_tf_test_ops.so"

    @property
    def available(self):
        return self.installed is not None or self.built is not None

    def env(self, loaded=True, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AAMP_", "ITEX_", "TF_PLUGGABLE"))}
        env["TF_CPP_MIN_LOG_LEVEL"] = "1"  # TensorFlow's warnings: a rejected graph shows
        # An installed plugin goes with the installed aamp package: one libaamp.so per process
        # (the build tree's would be a second copy next to the plugin's).
        paths = [] if self.installed else [str(BUILD / "python")]
        if os.environ.get("PYTHONPATH") and not self.installed:
            paths.append(os.environ["PYTHONPATH"])
        if paths:
            env["PYTHONPATH"] = os.pathsep.join(paths)
        else:
            env.pop("PYTHONPATH", None)
        if loaded and self.installed is None:
            env["TF_PLUGGABLE_DEVICE_LIBRARY_PATH"] = str(self.built)
        if not loaded and self.installed is not None:
            env["AAMP_TF_PLUGIN"] = "0"  # an installed plugin cannot be kept from loading
        env["AAMP_TEST_OPS_LIB"] = str(self.test_ops)
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def run(self, job, out, env, api=False, timeout=120, extra_args=()):
        cmd = ([sys.executable, str(WORKER), job, str(out)] + (["--api"] if api else []) +
               list(extra_args))
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            raise AssertionError(f"{job} failed (exit {p.returncode}):\n{p.stderr[-4000:]}")
        # TensorFlow falls back to the graph it had when it cannot use a rewritten one.
        assert "optimization failure" not in p.stderr and "Failed to apply" not in p.stderr, \
            p.stderr[-4000:]
        info = json.loads((pathlib.Path(out) / "info.json").read_text())
        return p, info


@pytest.fixture(scope="session")
def plugin():
    p = Plugin()
    if not p.available:
        pytest.skip(f"the TensorFlow plugin was not built ({BUILD}/tf_plugin/libaamp_tf.so is "
                    "missing and none is installed in site-packages/tensorflow-plugins; configure "
                    "with TensorFlow in the venv and AAMP_TF=AUTO or ON)")
    return p


def rel_l2(a, b):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), 1e-12))


def aamp_logs(log_dir):
    """(graphs.tsv lines, {file: text} of the rewritten graphs' graphdef_AutoMixedPrecision)."""
    d = pathlib.Path(log_dir)
    lines = (d / "graphs.tsv").read_text().splitlines() if (d / "graphs.tsv").exists() else []
    graphs = {p.name: p.read_text() for p in d.glob("*graphdef_AutoMixedPrecision_*.pb.txt")}
    return lines, graphs
