"""The ITEX-shaped configuration API: same names, keyword constructors, type checks."""

import numpy as np
import pytest

import aamp
from conftest import model


def test_itex_snippet_verbatim():
    import aamp as itex  # the only change to ITEX's documented snippet

    auto_mixed_precision_options = itex.AutoMixedPrecisionOptions()
    auto_mixed_precision_options.data_type = itex.BFLOAT16

    graph_options = itex.GraphOptions(auto_mixed_precision_options=auto_mixed_precision_options)
    graph_options.auto_mixed_precision = itex.ON

    config = itex.ConfigProto(graph_options=graph_options)
    itex.set_config(config)

    got = itex.get_config()
    assert got == config
    assert got.graph_options.auto_mixed_precision == itex.ON
    assert got.graph_options.auto_mixed_precision_options.data_type == itex.BFLOAT16

    # The config applies to every Session created afterwards: a real model runs in bfloat16
    # and agrees with its float32 run.
    path = model("emotion")
    s16 = itex.Session(str(path))
    assert s16.data_type == "bfloat16"
    assert "to bfloat16 precision" in s16.report["message"], s16.report["message"]
    assert s16.report["converted_nodes"] > 0
    assert s16.report["weight_bytes_after"] < 0.6 * s16.report["weight_bytes_before"]
    fp32 = itex.ConfigProto()
    fp32.graph_options.auto_mixed_precision = itex.OFF
    s32 = itex.Session(str(path), config=fp32)
    assert s32.data_type == "float32"
    (name, _, shape), = s32.graph.inputs
    x = np.random.default_rng(0).uniform(0, 1, [1 if d < 0 else d for d in shape])
    x = x.astype(np.float32)
    for ref, got in zip(s32.run(None, {name: x}), s16.run(None, {name: x})):
        assert got.dtype == np.float32
        err = np.linalg.norm(got.astype(np.float64) - ref) / np.linalg.norm(ref)
        assert 0 < err <= 1e-2


def test_constants_match_the_spec():
    assert (aamp.DEFAULT, aamp.ON, aamp.OFF) == (0, 1, 2)
    assert (aamp.DEFAULT_DATA_TYPE, aamp.FLOAT16, aamp.BFLOAT16) == (0, 1, 2)


def test_defaults():
    c = aamp.ConfigProto()
    assert c.graph_options.auto_mixed_precision == aamp.DEFAULT
    assert c.graph_options.remapper == aamp.DEFAULT
    o = c.graph_options.auto_mixed_precision_options
    assert o.allowlist_add == "" and o.denylist_remove == "" and o.unsafe_force_all is False
    assert c.debug_options.auto_mixed_precision_log_path == ""


def test_keyword_constructors_and_lists():
    o = aamp.AutoMixedPrecisionOptions(allowlist_add="Conv2D,MatMul", denylist_remove=["Exp"],
                                       unsafe_force_all=True)
    assert o.allowlist_add == "Conv2D,MatMul"
    assert o.denylist_remove == "Exp"
    d = aamp.DebugOptions(auto_mixed_precision_log_path="/tmp/x")
    c = aamp.ConfigProto(debug_options=d)
    assert c.debug_options.auto_mixed_precision_log_path == "/tmp/x"


@pytest.mark.parametrize("cls,field,value", [
    (aamp.AutoMixedPrecisionOptions, "data_type", "BFLOAT16"),
    (aamp.AutoMixedPrecisionOptions, "data_type", 7),
    (aamp.AutoMixedPrecisionOptions, "allowlist_add", 3),
    (aamp.AutoMixedPrecisionOptions, "unsafe_force_all", 1),
    (aamp.GraphOptions, "auto_mixed_precision", True),
    (aamp.GraphOptions, "auto_mixed_precision_options", aamp.DebugOptions()),
    (aamp.ConfigProto, "graph_options", {}),
])
def test_wrong_type_raises_type_error(cls, field, value):
    with pytest.raises(TypeError, match=field):
        setattr(cls(), field, value)


def test_unknown_field_raises_attribute_error():
    with pytest.raises(AttributeError, match="allow_list_add"):
        aamp.AutoMixedPrecisionOptions().allow_list_add = "MatMul"
    with pytest.raises(AttributeError):
        aamp.GraphOptions(auto_mixed_precison=aamp.ON)
    with pytest.raises(AttributeError):
        _ = aamp.ConfigProto().graph_option


def test_set_config_checks_type_and_copies():
    with pytest.raises(TypeError):
        aamp.set_config(aamp.GraphOptions())
    c = aamp.ConfigProto()
    aamp.set_config(c)
    c.graph_options.auto_mixed_precision = aamp.ON  # later edits do not leak into the global
    assert aamp.get_config().graph_options.auto_mixed_precision == aamp.DEFAULT
