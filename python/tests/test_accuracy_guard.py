"""aamp's extensions of AutoMixedPrecisionOptions: deny_nodes and the accuracy guard
(accuracy_target, calibration)."""

import numpy as np
import pytest

import aamp
from conftest import _const, _op


def cancel_pbtxt():
    """out1 = (x @ w1 + 1000) @ w2, w2 taking column differences: the 1000 cancels, so bfloat16
    rounding of ba1 (or of mm2's input) destroys out1; out2 = x @ w3 is benign."""
    rng = np.random.default_rng(0)
    text = ('node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }'
            ' attr { key: "shape" value { shape { dim { size: 1 } dim { size: 4 } } } } }\n')
    text += _const("w1", rng.uniform(-1, 1, (4, 4)).astype(np.float32))
    text += _const("b1", np.full((4,), 1000, np.float32))
    text += _const("w2", np.array([[1, 0], [-1, 0], [0, 1], [0, -1]], np.float32))
    text += _const("w3", rng.uniform(-1, 1, (4, 2)).astype(np.float32))
    text += _op("mm1", "MatMul", ["x", "w1"]) + _op("ba1", "BiasAdd", ["mm1", "b1"])
    text += _op("mm2", "MatMul", ["ba1", "w2"]) + _op("out1", "Identity", ["mm2"])
    text += _op("mm3", "MatMul", ["x", "w3"]) + _op("out2", "Identity", ["mm3"])
    return text


def config(**amp_options):
    c = aamp.ConfigProto()
    c.graph_options.remapper = aamp.OFF  # keep the test graph's node names
    for k, v in amp_options.items():
        setattr(c.graph_options.auto_mixed_precision_options, k, v)
    return c


@pytest.fixture
def cancel_path(tmp_path):
    p = tmp_path / "cancel.pbtxt"
    p.write_text(cancel_pbtxt())
    return p


def test_deny_nodes_keeps_that_node_float32(cancel_path):
    _, report = aamp.optimize(aamp.load(str(cancel_path)), config(deny_nodes="mm3"))
    assert report["decisions"]["mm3"] == ("MatMul", "float32", "deny-node")
    assert report["decisions"]["mm1"][1] == "bfloat16"


def test_accuracy_target_keeps_the_sensitive_nodes(cancel_path):
    x = np.array([[0.1, 0.7, 0.4, 0.9]], np.float32)
    g, report = aamp.optimize(aamp.load(str(cancel_path)), config(accuracy_target=1e-2),
                              calibration=[{"x": x}])
    acc = report["accuracy"]
    assert acc["met"]
    assert sorted(acc["kept_float32"]) == ["ba1", "mm2"]
    assert acc["error_before"] > 0.1 >= 1e-2 >= acc["error_after"]
    assert acc["summary"].startswith("2 nodes kept float32 for accuracy 0.01: error ")
    assert report["decisions"]["ba1"] == ("BiasAdd", "float32", "accuracy-guard")
    assert report["decisions"]["mm3"] == ("MatMul", "bfloat16", "allowlist")
    fetches = ["out1", "out2"]
    ref = aamp.Session(aamp.load(str(cancel_path))).run(fetches, {"x": x})
    got = aamp.Session(g).run(fetches, {"x": x})
    for r, o in zip(ref, got):
        assert np.linalg.norm(r - o) <= 1e-2 * max(np.linalg.norm(r), np.sqrt(r.size))


def test_accuracy_target_validation(cancel_path):
    with pytest.raises(TypeError):
        config(accuracy_target=-1)
    with pytest.raises(TypeError):
        config(accuracy_target="0.01")
    with pytest.raises(ValueError):
        aamp.optimize(aamp.load(str(cancel_path)), config(), calibration=[{}])
