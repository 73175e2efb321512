"""What bench/itex_peer and bench/tf_plugin share: the conversion counts read from a log path
(aamp's, ITEX's and TensorFlow's own AMP all write graphdef_preop_* / graphdef_AutoMixedPrecision_*
.pb.txt files), one inference job of bench/tf_worker.py in a given Python, the machine's name."""

import glob
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf_worker.py")


def log(tag, msg):
    print(f"[{tag} {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


WEIGHT_OPS = ("Const", "ReadVariableOp", "VariableV2", "VarHandleOp")


def count_conversions(log_dir):
    """(converted nodes, casts) of the most converted graph an AMP wrote to its log path: nodes
    with a bfloat16 type attr (Cast and Const left out), and the Casts AMP inserted (named
    ...-CastToBf16/Fp32-...AutoMixedPrecision by aamp, ITEX and TensorFlow alike) that do not
    read a weight, a Const or a variable read (aamp stores such a Const in bfloat16 where the
    others add a Cast; TensorFlow's own count leaves out "Const and Variable casts"). Each tool
    runs once per meta-optimizer iteration, so the graph it returned last is the one counted."""
    import tensorflow as tf
    from google.protobuf import text_format
    bf = tf.bfloat16.as_datatype_enum
    best = (0, 0)
    for post in glob.glob(os.path.join(log_dir, "*graphdef_AutoMixedPrecision_*.pb.txt")):
        text = open(post).read()
        if text.startswith("goo.gle/"):  # TensorFlow's header line (goo.gle/debugproto, ...)
            text = text.split("\n", 1)[1]
        g = tf.compat.v1.GraphDef()
        text_format.Parse(text, g, allow_unknown_field=True)
        ops = {n.name: n.op for n in g.node}
        conv = sum(1 for n in g.node if n.op not in ("Cast", "Const") and any(
            v.type == bf or bf in v.list.type for v in n.attr.values()))
        casts = sum(1 for n in g.node if n.op == "Cast" and "AutoMixedPrecision" in n.name and
                    ops.get(n.input[0].split(":")[0].lstrip("^")) not in WEIGHT_OPS)
        best = max(best, (conv, casts), key=lambda t: t[0])
    return best


def clean_env():
    """This process's environment without any AMP or plugin setting (each side adds its own).
    AAMP_TF_IMPL stays: it picks the plugin's implementation library (a build tree's
    tf_plugin/libaamp_tf_impl.so instead of the installed one), not what the plugin does."""
    env = {k: v for k, v in os.environ.items()
           if k == "AAMP_TF_IMPL" or
           not k.startswith(("AAMP_", "ITEX_", "TF_PLUGGABLE", "TF_AUTO_MIXED"))}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


def aamp_plugin_to_load(repo, build):
    """None when .venv has aamp's plugin installed (TensorFlow loads it by itself), else the
    build tree's, for TF_PLUGGABLE_DEVICE_LIBRARY_PATH."""
    installed = glob.glob(os.path.join(repo, ".venv", "lib", "python3*", "site-packages",
                                       "tensorflow-plugins", "libaamp_tf.so"))
    return None if installed else os.path.join(build, "tf_plugin", "libaamp_tf.so")


def run_job(py, env, work, job):
    """bench/tf_worker.py JOB... in `py` with `env`: (its JSON result, its first output)."""
    out = os.path.join(work, "out.npy")
    env = dict(env, AAMP_PEER_OUT=out)
    p = subprocess.run([py, WORKER, *job], env=env, capture_output=True, text=True, timeout=1800)
    if p.returncode != 0:
        why = (f"killed by signal {-p.returncode}" + (" (the kernel's OOM killer sends 9)"
                                                      if p.returncode == -9 else "")
               if p.returncode < 0 else f"exit status {p.returncode}")
        raise RuntimeError(f"{why}: {p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1]), np.load(out)


def rel_l2(out, ref):
    d = out.astype(np.float64) - ref.astype(np.float64)
    return float(np.linalg.norm(d) / max(np.linalg.norm(ref), 1e-12))


def machine_name():
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            name = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{name}, {os.cpu_count()} cores"
