"""ITEX-shaped configuration classes (spec section 4), mirroring
intel_extension_for_tensorflow's AutoMixedPrecisionOptions / GraphOptions / DebugOptions /
ConfigProto, so that code written for ITEX runs with ``import aamp as itex``.

Every class has fixed fields: assigning an unknown field raises AttributeError, a value of the
wrong type raises TypeError. Unset fields (empty strings, DEFAULT, False) leave the decision to
the environment (ITEX_AUTO_MIXED_PRECISION_* or AAMP_*) and then to the defaults.
"""

import copy as _copy

# Toggle values (GraphOptions.auto_mixed_precision, GraphOptions.remapper).
DEFAULT = 0
ON = 1
OFF = 2
# AutoMixedPrecisionOptions.data_type values (TensorFlow/ITEX DataType enum of the config).
DEFAULT_DATA_TYPE = 0
FLOAT16 = 1
BFLOAT16 = 2

_TOGGLES = (DEFAULT, ON, OFF)
_DATA_TYPES = (DEFAULT_DATA_TYPE, FLOAT16, BFLOAT16)


class _Message:
    """A protobuf-like message with typed fields declared in _FIELDS: name -> (type, default)."""

    _FIELDS = {}
    __slots__ = ("_values",)

    def __init__(self, **kwargs):
        object.__setattr__(self, "_values", {})
        for name, (_, default) in self._FIELDS.items():
            self._values[name] = default() if callable(default) else default
        for name, value in kwargs.items():
            setattr(self, name, value)

    def __setattr__(self, name, value):
        if name not in self._FIELDS:
            raise AttributeError(
                f"{type(self).__name__} has no field '{name}' "
                f"(fields: {', '.join(self._FIELDS)})")
        self._values[name] = self._check(name, value)

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        raise AttributeError(f"{type(self).__name__} has no field '{name}'")

    def _check(self, name, value):
        typ, _ = self._FIELDS[name]
        if typ is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise TypeError(f"{type(self).__name__}.{name} must be a number >= 0, "
                                f"got {value!r}")
            return float(value)
        if typ is bool:
            if not isinstance(value, bool):
                raise TypeError(f"{type(self).__name__}.{name} must be a bool, "
                                f"got {type(value).__name__}")
            return value
        if typ == "path":
            if hasattr(value, "__fspath__"):
                import os
                value = os.fspath(value)
            if not isinstance(value, str):
                raise TypeError(f"{type(self).__name__}.{name} must be a str (a folder path), "
                                f"got {type(value).__name__}")
            return value
        if typ is str:
            if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                return ",".join(value)
            if not isinstance(value, str):
                raise TypeError(f"{type(self).__name__}.{name} must be a str of comma-separated "
                                f"op names, got {type(value).__name__}")
            return value
        if typ == "toggle":
            if isinstance(value, bool) or value not in _TOGGLES:
                raise TypeError(f"{type(self).__name__}.{name} must be aamp.ON, aamp.OFF or "
                                f"aamp.DEFAULT, got {value!r}")
            return value
        if typ == "data_type":
            if isinstance(value, bool) or value not in _DATA_TYPES:
                raise TypeError(f"{type(self).__name__}.{name} must be aamp.BFLOAT16, "
                                f"aamp.FLOAT16 or aamp.DEFAULT_DATA_TYPE, got {value!r}")
            return value
        if not isinstance(value, typ):
            raise TypeError(f"{type(self).__name__}.{name} must be a {typ.__name__}, "
                            f"got {type(value).__name__}")
        return value

    def __eq__(self, other):
        return type(self) is type(other) and self._values == other._values

    def __repr__(self):
        set_fields = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"{type(self).__name__}({set_fields})"

    def __deepcopy__(self, memo):
        c = type(self)()
        for k, v in self._values.items():
            c._values[k] = _copy.deepcopy(v, memo)
        return c


class AutoMixedPrecisionOptions(_Message):
    """The four op lists' edits (comma-separated op type names), data type and force-all; aamp's
    deny_nodes (node names kept float32) and accuracy_target (keep the most error-sensitive
    nodes float32 until the converted graph agrees with float32 within it; see
    aamp.optimize)."""

    _FIELDS = {
        "allowlist_add": (str, ""),
        "inferlist_add": (str, ""),
        "clearlist_add": (str, ""),
        "denylist_add": (str, ""),
        "allowlist_remove": (str, ""),
        "inferlist_remove": (str, ""),
        "clearlist_remove": (str, ""),
        "denylist_remove": (str, ""),
        "unsafe_force_all": (bool, False),
        "data_type": ("data_type", DEFAULT_DATA_TYPE),
        # aamp extensions (ITEX has no equivalent): nodes kept float32 (comma-separated node
        # names), and the accuracy guard's target (0: off; see aamp.optimize).
        "deny_nodes": (str, ""),
        "accuracy_target": (float, 0.0),
    }
    __slots__ = ()


class GraphOptions(_Message):
    """auto_mixed_precision (default off), remapper (default on) and the AMP options."""

    _FIELDS = {
        "auto_mixed_precision": ("toggle", DEFAULT),
        "remapper": ("toggle", DEFAULT),
        "auto_mixed_precision_options": (AutoMixedPrecisionOptions, AutoMixedPrecisionOptions),
    }
    __slots__ = ()


class DebugOptions(_Message):
    """auto_mixed_precision_log_path: folder for the graph dumps and decision logs."""

    _FIELDS = {"auto_mixed_precision_log_path": ("path", "")}
    __slots__ = ()


class ConfigProto(_Message):
    """The whole configuration, as passed to set_config()."""

    _FIELDS = {
        "graph_options": (GraphOptions, GraphOptions),
        "debug_options": (DebugOptions, DebugOptions),
    }
    __slots__ = ()


_global_config = ConfigProto()


def set_config(config):
    """Sets the configuration used by every Session created afterwards (and by optimize()
    when it gets no config), and by aamp's TensorFlow plugin for every graph TensorFlow builds
    afterwards in this process (through the AAMP_CONFIG_JSON environment variable, which the
    plugin reads on each graph). Raises aamp.Error for a configuration that could not run (an
    op in two lists, FLOAT16 on a CPU without native FP16)."""
    global _global_config
    if not isinstance(config, ConfigProto):
        raise TypeError(f"set_config expects an aamp.ConfigProto, got {type(config).__name__}")
    _check(config)
    _global_config = _copy.deepcopy(config)
    _publish_to_tensorflow(config)


def _check(config):
    from . import _aamp

    _aamp.AmpConfig.merge(to_amp_config(config, False), _aamp.AmpConfig.from_env()).check("cpu")


def _api_fields(config):
    """The fields the config sets itself (API level), named as the C++ AmpConfig's."""
    g = config.graph_options
    o = g.auto_mixed_precision_options
    d = {}
    if g.auto_mixed_precision != DEFAULT:
        d["enabled"] = g.auto_mixed_precision == ON
    if g.remapper != DEFAULT:
        d["remapper"] = g.remapper == ON
    if o.data_type == BFLOAT16:
        d["data_type"] = "BFLOAT16"
    elif o.data_type == FLOAT16:
        d["data_type"] = "FLOAT16"
    for name in ("allowlist_add", "inferlist_add", "clearlist_add", "denylist_add",
                 "allowlist_remove", "inferlist_remove", "clearlist_remove", "denylist_remove",
                 "deny_nodes"):
        if getattr(o, name):
            d[name] = getattr(o, name)
    if o.unsafe_force_all:
        d["unsafe_force_all"] = True
    if config.debug_options.auto_mixed_precision_log_path:
        d["log_path"] = str(config.debug_options.auto_mixed_precision_log_path)
    return d


_tf_options_set = {}


def _publish_to_tensorflow(config):
    """Hands the config to the TensorFlow plugin (docs/tf-plugin.md): AAMP_CONFIG_JSON, and,
    when TensorFlow is already imported and aamp's AMP / remapper are now on, TensorFlow's own
    AMP and remapper switched off for graphs built afterwards (as the plugin does at import)."""
    import json
    import os
    import sys

    os.environ["AAMP_CONFIG_JSON"] = json.dumps(_api_fields(config), sort_keys=True)
    tf = sys.modules.get("tensorflow")
    if tf is None or not hasattr(tf, "config"):
        return
    eff = to_amp_config(config, False)
    amp_on = bool(eff.enabled)
    remap_on = eff.remapper if eff.remapper is not None else amp_on
    wanted = {}
    if amp_on:
        wanted.update({"auto_mixed_precision": False, "auto_mixed_precision_onednn_bfloat16": False,
                       "auto_mixed_precision_mkl": False})
    if remap_on:
        wanted["remapping"] = False
    # Give back what an earlier set_config switched off and this one does not need off.
    restore = {k: True for k in _tf_options_set if k not in wanted and k == "remapping"}
    options = {**restore, **wanted}
    if options:
        tf.config.optimizer.set_experimental_options(options)
    _tf_options_set.clear()
    _tf_options_set.update(wanted)


def get_config():
    """A copy of the configuration set by set_config() (a default ConfigProto if none)."""
    return _copy.deepcopy(_global_config)


def to_amp_config(config, amp_default):
    """Translates a ConfigProto into the C++ AmpConfig. Unset fields stay None so that the
    environment and then the defaults decide. amp_default: whether AMP runs when neither the
    config nor the environment says (True for optimize(), False for sessions, as in ITEX)."""
    from . import _aamp

    g = config.graph_options
    o = g.auto_mixed_precision_options
    c = _aamp.AmpConfig()
    if g.auto_mixed_precision == ON:
        c.enabled = True
    elif g.auto_mixed_precision == OFF:
        c.enabled = False
    elif _aamp.AmpConfig.from_env().enabled is None:
        c.enabled = amp_default
    if g.remapper != DEFAULT:
        c.remapper = g.remapper == ON
    if o.data_type == BFLOAT16:
        c.data_type = "BFLOAT16"
    elif o.data_type == FLOAT16:
        c.data_type = "FLOAT16"
    for name in ("allowlist_add", "inferlist_add", "clearlist_add", "denylist_add",
                 "allowlist_remove", "inferlist_remove", "clearlist_remove", "denylist_remove"):
        value = getattr(o, name)
        if value:
            setattr(c, name, value)
    if o.unsafe_force_all:
        c.unsafe_force_all = True
    if o.deny_nodes:
        c.deny_nodes = o.deny_nodes
    if config.debug_options.auto_mixed_precision_log_path:
        c.log_path = config.debug_options.auto_mixed_precision_log_path
    return _aamp.AmpConfig.merge(c, _aamp.AmpConfig.from_env())
