"""set_config() -> the plugin's channel (AAMP_CONFIG_JSON) and its errors, in this process."""

import json
import os

import pytest

aamp = pytest.importorskip("aamp")


@pytest.fixture
def clean_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith(("AAMP_", "ITEX_")):
            monkeypatch.delenv(k)
    yield
    aamp.set_config(aamp.ConfigProto())


def config(**opts):
    o = aamp.AutoMixedPrecisionOptions(**opts)
    g = aamp.GraphOptions(auto_mixed_precision_options=o)
    g.auto_mixed_precision = aamp.ON
    return aamp.ConfigProto(graph_options=g)


def test_set_config_publishes_only_what_it_sets(clean_env):
    aamp.set_config(config(allowlist_add="MyOp", data_type=aamp.BFLOAT16))
    assert json.loads(os.environ["AAMP_CONFIG_JSON"]) == {
        "enabled": True, "data_type": "BFLOAT16", "allowlist_add": "MyOp"}
    aamp.set_config(aamp.ConfigProto())
    assert json.loads(os.environ["AAMP_CONFIG_JSON"]) == {}


def test_op_in_two_lists_raises_at_set_config(clean_env):
    aamp.set_config(config(allowlist_add="MyOp"))
    before = os.environ["AAMP_CONFIG_JSON"]
    with pytest.raises(aamp.InvalidArgumentError, match="MyOp present in multiple lists"):
        aamp.set_config(config(allowlist_add="MyOp", denylist_add="MyOp"))
    with pytest.raises(aamp.InvalidArgumentError, match="Relu present in multiple lists"):
        aamp.set_config(config(allowlist_add="Relu"))  # Relu is a clearlist op
    assert os.environ["AAMP_CONFIG_JSON"] == before  # the bad config never reached the plugin


def test_fp16_on_a_cpu_without_fp16_raises_at_set_config(clean_env):
    c = config(data_type=aamp.FLOAT16)
    if aamp.cpu_has_native_fp16():
        aamp.set_config(c)  # accepted where the CPU has AVX512-FP16
        assert json.loads(os.environ["AAMP_CONFIG_JSON"])["data_type"] == "FLOAT16"
    else:
        with pytest.raises(aamp.Error, match="FLOAT16 needs a CPU with native FP16"):
            aamp.set_config(c)
