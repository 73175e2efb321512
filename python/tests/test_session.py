"""Sessions over NumPy: FP32 vs AMP agreement, the global config, log path, bad inputs."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import aamp
from conftest import BUILD, mlp_pbtxt, model


def rel_l2(a, b):
    return float(np.linalg.norm(a.astype(np.float64) - b) / max(np.linalg.norm(b), 1e-30))


def test_load_inputs_outputs(mlp_path):
    g = aamp.load(str(mlp_path))
    assert g.inputs == [("x", "float32", [-1, 16])]
    assert [o[0] for o in g.outputs] == ["probs"]
    assert g.op_histogram()["MatMul"] == 2
    assert g.validate() == "ok" or "ok" in g.validate()


def test_fp32_session_runs(mlp_path):
    s = aamp.Session(str(mlp_path))
    # The remapper runs by default (GraphOptions.remapper defaults to on), AMP does not.
    assert s.data_type == "float32"
    assert s.report is not None and not s.report["amp_ran"]
    assert "_FusedMatMul" in s.graph.op_histogram()
    x = np.random.default_rng(1).standard_normal((4, 16))  # float64: converted to float32
    y = s.run("probs", {"x": x})
    assert y.shape == (4, 10) and y.dtype == np.float32
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-5)


def test_optimize_converts_to_bf16_and_agrees(mlp_path):
    g = aamp.load(str(mlp_path))
    g16, report = aamp.optimize(g)
    assert report["amp_ran"] and report["data_type"] == "bfloat16"
    assert report["message"].startswith("Converted ")
    assert "to bfloat16 precision" in report["message"]
    assert report["converted_nodes"] > 0
    assert report["weight_bytes_after"] < report["weight_bytes_before"]
    assert len(g) == 11  # the input graph is not modified
    x = np.random.default_rng(2).standard_normal((8, 16)).astype(np.float32)
    ref = aamp.Session(g).run("probs", {"x": x})
    got = aamp.Session(g16).run("probs", {"x": x})
    assert got.dtype == np.float32  # the fetch keeps its dtype
    assert rel_l2(got, ref) < 2e-2


def test_global_config_applies_to_new_sessions(mlp_path):
    cfg = aamp.ConfigProto()
    cfg.graph_options.auto_mixed_precision = aamp.ON
    cfg.graph_options.auto_mixed_precision_options.data_type = aamp.BFLOAT16
    aamp.set_config(cfg)
    s = aamp.Session(str(mlp_path))
    assert s.data_type == "bfloat16"
    assert "bfloat16" in s.report["message"]
    # Removing MatMul from the allow list keeps the graph float32.
    cfg.graph_options.auto_mixed_precision_options.allowlist_remove = "MatMul,_FusedMatMul"
    aamp.set_config(cfg)
    s2 = aamp.Session(str(mlp_path))
    # (the remapper fused mm1+bias1+relu1 into one _FusedMatMul named relu1)
    assert s2.report["decisions"]["relu1"][1] == "float32"


def test_raw_bf16_outputs(mlp_path):
    g16, _ = aamp.optimize(aamp.load(str(mlp_path)))
    s = aamp.Session(g16)
    x = np.ones((2, 16), np.float32)
    raw = s.run("relu1", {"x": x}, raw_bf16=True)
    assert raw.dtype == np.uint16
    as_f32 = (raw.astype(np.uint32) << 16).view(np.float32)
    np.testing.assert_array_equal(as_f32, s.run("relu1", {"x": x}))


def test_log_path_files(mlp_path, tmp_path):
    logs = tmp_path / "logs"
    cfg = aamp.ConfigProto(debug_options=aamp.DebugOptions(
        auto_mixed_precision_log_path=str(logs)))
    _, report = aamp.optimize(aamp.load(str(mlp_path)), cfg)
    names = sorted(os.listdir(logs))
    ts = names[0].rsplit("_", 1)[1].split(".")[0]
    for stem in ("graphdef_preop_{}.pb", "graphdef_preop_{}.pb.txt",
                 "graphdef_AutoMixedPrecision_{}.pb", "graphdef_AutoMixedPrecision_{}.pb.txt",
                 "paintbuckets_AutoMixedPrecision_{}.txt", "decisions_{}.tsv",
                 "report_{}.html"):
        assert stem.format(ts) in names, (stem, names)
    buckets = (logs / f"paintbuckets_AutoMixedPrecision_{ts}.txt").read_text()
    for section in ("AllowList:", "DenyList:", "InferList:", "ClearList:"):
        assert section in buckets
    assert "MatMul" in buckets


ENV_SCRIPT = r"""
import sys
sys.path.insert(0, sys.argv[1])
import aamp
s = aamp.Session(sys.argv[2])
r = s.report
print(s.data_type, r["decisions"]["relu1"][1], r["decisions"]["bias2"][1])
"""


@pytest.mark.parametrize("prefix", ["ITEX", "AAMP"])
def test_environment_variables(mlp_path, prefix):
    env = dict(os.environ)
    env[f"{prefix}_AUTO_MIXED_PRECISION"] = "1"
    env[f"{prefix}_AUTO_MIXED_PRECISION_DATA_TYPE"] = "BFLOAT16"
    out = subprocess.run([sys.executable, "-c", ENV_SCRIPT, str(BUILD / "python"), str(mlp_path)],
                         env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["bfloat16", "bfloat16", "bfloat16"]
    env[f"{prefix}_AUTO_MIXED_PRECISION_ALLOWLIST_REMOVE"] = "MatMul,_FusedMatMul"
    out = subprocess.run([sys.executable, "-c", ENV_SCRIPT, str(BUILD / "python"), str(mlp_path)],
                         env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out[1:] == ["float32", "float32"]


def test_env_is_ignored_where_the_api_sets_the_field(mlp_path, monkeypatch):
    monkeypatch.setenv("ITEX_AUTO_MIXED_PRECISION", "1")
    cfg = aamp.ConfigProto()
    cfg.graph_options.auto_mixed_precision = aamp.OFF
    s = aamp.Session(str(mlp_path), config=cfg)
    assert s.data_type == "float32"


def test_bad_inputs(mlp_path, tmp_path):
    s = aamp.Session(str(mlp_path))
    with pytest.raises(aamp.Error, match="x"):
        s.run("probs", {"x": np.zeros((2, 5), np.float32)})  # wrong shape
    with pytest.raises(aamp.Error):
        s.run("probs", {"x": np.array([["a"] * 16])})  # strings cannot be fed
    with pytest.raises(aamp.Error, match="nope"):
        s.run("nope", {"x": np.zeros((2, 16), np.float32)})
    with pytest.raises(aamp.Error, match="y"):
        s.run("probs", {"y": np.zeros((2, 16), np.float32)})
    with pytest.raises(aamp.NotFoundError, match="missing.pb"):
        aamp.load(str(tmp_path / "missing.pb"))
    bad = tmp_path / "bad.pbtxt"
    bad.write_text("node { name: ")
    with pytest.raises(aamp.Error, match="bad.pbtxt"):
        aamp.load(str(bad))
    with pytest.raises(TypeError):
        aamp.Session(42)
    with pytest.raises(aamp.InvalidArgumentError, match="FLOAT8"):
        cfg = aamp.AmpConfig()
        cfg.data_type = "FLOAT8"
        aamp._aamp._optimize(aamp.load(str(mlp_path)), cfg, "cpu", [])


def test_real_model_runs_in_bf16_and_agrees():
    path = model("posenet")
    cfg = aamp.ConfigProto()
    cfg.graph_options.auto_mixed_precision = aamp.ON
    aamp.set_config(cfg)
    s16 = aamp.Session(str(path))
    assert s16.data_type == "bfloat16", s16.report["message"]
    s32 = aamp.Session(str(path), config=aamp.ConfigProto())
    x = np.random.default_rng(0).uniform(0, 1, (1, 385, 385, 3)).astype(np.float32)
    heat = "MobilenetV1/heatmap_2/BiasAdd"
    ref = s32.run(heat, {"image": x})
    got = s16.run(heat, {"image": x})
    assert rel_l2(got, ref) < 5e-2


def test_remapper_off_leaves_the_graph_alone(mlp_path, monkeypatch):
    cfg = aamp.ConfigProto()
    cfg.graph_options.remapper = aamp.OFF
    s = aamp.Session(str(mlp_path), config=cfg)
    assert s.report is None and "_FusedMatMul" not in s.graph.op_histogram()
    monkeypatch.setenv("ITEX_REMAPPER", "0")
    s = aamp.Session(str(mlp_path))
    assert s.report is None and s.graph.op_histogram()["MatMul"] == 2


LIST_ENV_SCRIPT = r"""
import sys
sys.path.insert(0, sys.argv[1])
import aamp
s = aamp.Session(sys.argv[2])
print(s.report["decisions"]["probs"][1], s.report["decisions"]["relu1"][1])
"""


@pytest.mark.parametrize("prefix", ["ITEX", "AAMP"])
def test_environment_list_add_and_remove(mlp_path, prefix):
    """List edits through the environment (_ADD and _REMOVE) change the outcome, and a
    conflicting edit is refused."""
    env = dict(os.environ)
    env[f"{prefix}_AUTO_MIXED_PRECISION"] = "1"

    def run(extra):
        e = dict(env, **extra)
        return subprocess.run([sys.executable, "-c", LIST_ENV_SCRIPT, str(BUILD / "python"),
                               str(mlp_path)], env=e, capture_output=True, text=True,
                              check=True).stdout.split()

    # Default: the fetched Softmax keeps its float32 output; the fused MatMul is bfloat16.
    assert run({}) == ["float32", "bfloat16"]
    # MatMul out of the allow list, into the deny list: relu1 (its fused form) stays float32.
    moved = run({f"{prefix}_AUTO_MIXED_PRECISION_ALLOWLIST_REMOVE": "MatMul,_FusedMatMul",
                 f"{prefix}_AUTO_MIXED_PRECISION_DENYLIST_ADD": "MatMul,_FusedMatMul"})
    assert moved == ["float32", "float32"]
    # An op in two lists after the edits is an error naming the op and both lists.
    e = dict(env, **{f"{prefix}_AUTO_MIXED_PRECISION_DENYLIST_ADD": "MatMul"})
    p = subprocess.run([sys.executable, "-c", LIST_ENV_SCRIPT, str(BUILD / "python"),
                        str(mlp_path)], env=e, capture_output=True, text=True)
    assert p.returncode != 0
    assert "MatMul" in p.stderr and "allow" in p.stderr.lower() and "deny" in p.stderr.lower()


def test_int_feed_for_a_float_input_is_refused(mlp_path):
    s = aamp.Session(str(mlp_path))
    with pytest.raises(aamp.InvalidArgumentError, match="'x'.*float32.*int"):
        s.run("probs", {"x": np.zeros((2, 16), np.int32)})


def test_devices_and_threads(mlp_path):
    x = np.random.default_rng(3).standard_normal((8, 16)).astype(np.float32)
    one = aamp.Session(str(mlp_path), device="cpu", threads=1).run("probs", {"x": x})
    two = aamp.Session(str(mlp_path), device="cpu", threads=2).run("probs", {"x": x})
    np.testing.assert_allclose(one, two, rtol=1e-6, atol=1e-7)
    with pytest.raises(aamp.Error, match="tpu"):
        aamp.Session(str(mlp_path), device="tpu")
    with pytest.raises(TypeError, match="threads"):
        aamp.Session(str(mlp_path), threads="2")
    if not aamp.built_with_cuda():
        with pytest.raises(aamp.Error, match="(?i)cuda"):
            aamp.Session(str(mlp_path), device="gpu")


def test_gpu_session_matches_cpu(mlp_path):
    """device="gpu" runs the same graph through the CUDA backend (skipped without one)."""
    if not aamp.built_with_cuda():
        pytest.skip("aamp built without CUDA")
    try:
        gpu = aamp.Session(str(mlp_path), device="gpu")
    except aamp.Error as e:
        assert "CUDA device" in str(e)
        pytest.skip(str(e))
    x = np.random.default_rng(5).standard_normal((8, 16)).astype(np.float32)
    want = aamp.Session(str(mlp_path), device="cpu").run("probs", {"x": x})
    np.testing.assert_allclose(gpu.run("probs", {"x": x}), want, rtol=1e-4, atol=1e-5)


def test_one_session_from_many_threads(mlp_path):
    """run() releases the GIL; concurrent calls on one Session must each get their own result."""
    import threading

    s = aamp.Session(str(mlp_path))
    rng = np.random.default_rng(4)
    xs = [rng.standard_normal((4, 16)).astype(np.float32) for _ in range(8)]
    want = [s.run("probs", {"x": x}) for x in xs]
    bad = []

    def work(k):
        for i in range(30):
            j = (k + i) % len(xs)
            if not np.array_equal(s.run("probs", {"x": xs[j]}), want[j]):
                bad.append((k, i))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad


def test_graph_outputs_report_each_outputs_dtype(tmp_path):
    text = ('node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }\n'
            'node { name: "c" op: "Cast" input: "x" attr { key: "SrcT" value { type: DT_FLOAT } }'
            ' attr { key: "DstT" value { type: DT_INT32 } } }\n')
    p = tmp_path / "cast.pbtxt"
    p.write_text(text)
    assert aamp.load(str(p)).outputs == [("c", "int32", None)]


def test_log_path_must_be_a_path():
    with pytest.raises(TypeError, match="auto_mixed_precision_log_path"):
        aamp.DebugOptions(auto_mixed_precision_log_path=["/a", "/b"])
    d = aamp.DebugOptions(auto_mixed_precision_log_path=pathlib.Path("/tmp/logs"))
    assert d.auto_mixed_precision_log_path == "/tmp/logs"


def test_unknown_list_ops_warn(mlp_path):
    cfg = aamp.ConfigProto()
    cfg.graph_options.auto_mixed_precision = aamp.ON
    cfg.graph_options.auto_mixed_precision_options.allowlist_add = "MyCustomOp"
    with pytest.warns(RuntimeWarning, match="MyCustomOp"):
        aamp.Session(str(mlp_path), config=cfg)


def test_loads_next_to_pytorch():
    """Both libraries register protobuf files in one process-wide pool: a clash of file names
    aborts the process (aamp's proto used to be a plain 'graph.proto')."""
    code = "import torch, sys; sys.path.insert(0, sys.argv[1]); import aamp; print('ok')"
    try:
        import importlib.util
        if importlib.util.find_spec("torch") is None:
            pytest.skip("torch not installed")
    except ValueError:
        pytest.skip("torch not importable")
    p = subprocess.run([sys.executable, "-c", code, str(BUILD / "python")], capture_output=True,
                       text=True)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr[-500:]
