"""Shared fixtures: the built module on sys.path, a small MLP written as a pbtxt GraphDef, and
the real human-models folder (tests needing it skip when it is missing)."""

import os
import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("AAMP_BUILD_DIR", ROOT / "build")).resolve()
sys.path.insert(0, str(BUILD / "python"))
MODELS = ROOT / "node_modules" / "@vladmandic" / "human-models" / "models"


def _const(name, arr):
    dims = "".join(f" dim {{ size: {d} }}" for d in arr.shape)
    vals = " ".join(f"float_val: {v:.8g}" for v in arr.ravel())
    return (f'node {{ name: "{name}" op: "Const" attr {{ key: "dtype" value {{ type: DT_FLOAT }} }}'
            f' attr {{ key: "value" value {{ tensor {{ dtype: DT_FLOAT tensor_shape {{{dims} }}'
            f' {vals} }} }} }} }}\n')


def _op(name, op, inputs, extra=""):
    ins = " ".join(f'input: "{i}"' for i in inputs)
    return (f'node {{ name: "{name}" op: "{op}" {ins} attr {{ key: "T" value {{ type: DT_FLOAT }} }}'
            f'{extra} }}\n')


def mlp_pbtxt(inp=16, hidden=32, out=10, seed=0):
    """x[-1,inp] -> MatMul+BiasAdd+Relu -> MatMul+BiasAdd -> Softmax 'probs'."""
    rng = np.random.default_rng(seed)
    lim1, lim2 = np.sqrt(6 / (inp + hidden)), np.sqrt(6 / (hidden + out))
    text = ('node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }'
            f' attr {{ key: "shape" value {{ shape {{ dim {{ size: -1 }} dim {{ size: {inp} }} }} }} }} }}\n')
    text += _const("w1", rng.uniform(-lim1, lim1, (inp, hidden)).astype(np.float32))
    text += _const("b1", rng.uniform(-0.1, 0.1, (hidden,)).astype(np.float32))
    text += _const("w2", rng.uniform(-lim2, lim2, (hidden, out)).astype(np.float32))
    text += _const("b2", rng.uniform(-0.1, 0.1, (out,)).astype(np.float32))
    text += _op("mm1", "MatMul", ["x", "w1"])
    text += _op("bias1", "BiasAdd", ["mm1", "b1"])
    text += _op("relu1", "Relu", ["bias1"])
    text += _op("mm2", "MatMul", ["relu1", "w2"])
    text += _op("bias2", "BiasAdd", ["mm2", "b2"])
    text += _op("probs", "Softmax", ["bias2"])
    return text


@pytest.fixture
def mlp_path(tmp_path):
    p = tmp_path / "mlp.pbtxt"
    p.write_text(mlp_pbtxt())
    return p


@pytest.fixture(autouse=True)
def _clean_amp_env(monkeypatch):
    """Tests start without AMP environment variables and with a default global config."""
    for k in list(os.environ):
        if k.startswith(("ITEX_AUTO_MIXED_PRECISION", "AAMP_AUTO_MIXED_PRECISION", "ITEX_REMAPPER",
                         "AAMP_REMAPPER")):
            monkeypatch.delenv(k)
    import aamp
    aamp.set_config(aamp.ConfigProto())
    yield
    aamp.set_config(aamp.ConfigProto())


def model(name):
    p = MODELS / f"{name}.json"
    if not p.exists():
        pytest.skip(f"{p} missing (run scripts/setup.sh)")
    return p
