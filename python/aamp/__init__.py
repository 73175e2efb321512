"""aamp: Advanced Auto Mixed Precision for TensorFlow graphs.

    import aamp
    g = aamp.load("model.json")                  # .pb, .pbtxt or TF.js model.json
    g16, report = aamp.optimize(g)               # remapper + AMP (bfloat16 on the CPU)
    print(report["message"])
    s = aamp.Session(g16)
    (y,) = s.run(None, {"input": x})             # NumPy in, NumPy out

Configuration mirrors Intel Extension for TensorFlow (``import aamp as itex`` works for its
config code): AutoMixedPrecisionOptions, GraphOptions, DebugOptions, ConfigProto, set_config,
get_config, ON/OFF/DEFAULT, BFLOAT16/FLOAT16. The config set by set_config applies to every
Session created afterwards; ITEX_AUTO_MIXED_PRECISION* / AAMP_* environment variables apply
where the config leaves a field unset.
"""

import os as _os
import sys as _sys


def _load_extension():
    """Imports the C++ extension so that its libraries keep their own symbols.

    aamp's extension links Debian's libprotobuf (GraphDef I/O) and oneDNN. TensorFlow brings its
    own protobuf and, once imported, exports it into the process's global symbol scope: a library
    loaded afterwards in the default way would bind its protobuf references to TensorFlow's copy
    (two protobuf versions mixed, one descriptor pool). RTLD_DEEPBIND makes the extension and the
    libraries it pulls in look up symbols in their own dependency tree first, so aamp and
    TensorFlow work in one process in either import order.
    """
    deepbind = getattr(_os, "RTLD_DEEPBIND", 0)
    if not deepbind:
        from . import _aamp as ext
        return ext
    flags = _sys.getdlopenflags()
    _sys.setdlopenflags(_os.RTLD_NOW | _os.RTLD_LOCAL | deepbind)
    try:
        from . import _aamp as ext
    finally:
        _sys.setdlopenflags(flags)
    return ext


_aamp = _load_extension()
from ._aamp import (Error, InvalidArgumentError, NotFoundError, ParseError, InvalidGraphError,
                    UnimplementedError, InternalError, Graph, AmpConfig, load,
                    cpu_has_native_fp16)
from ._aamp import IOError  # noqa: A001  (aamp.IOError: a file cannot be read or written)
from .config import (DEFAULT, ON, OFF, DEFAULT_DATA_TYPE, FLOAT16, BFLOAT16,
                     AutoMixedPrecisionOptions, GraphOptions, DebugOptions, ConfigProto,
                     set_config, get_config)
from . import config as _config

__all__ = [
    "Error", "InvalidArgumentError", "NotFoundError", "ParseError", "InvalidGraphError",
    "UnimplementedError", "InternalError", "IOError", "Graph", "AmpConfig", "load", "optimize",
    "Session", "DEFAULT", "ON", "OFF", "DEFAULT_DATA_TYPE", "FLOAT16", "BFLOAT16",
    "AutoMixedPrecisionOptions", "GraphOptions", "DebugOptions", "ConfigProto", "set_config",
    "get_config", "cpu_has_native_fp16", "built_with_cuda",
]


def built_with_cuda():
    """True when this aamp has the CUDA backend (Session(..., device="gpu") works)."""
    return _aamp._built_with_cuda()


def _as_graph(graph_or_path):
    if isinstance(graph_or_path, Graph):
        return graph_or_path
    if isinstance(graph_or_path, str) or hasattr(graph_or_path, "__fspath__"):
        import os
        return load(os.fspath(graph_or_path))
    raise TypeError(f"expected an aamp.Graph or a model path, got {type(graph_or_path).__name__}")


def optimize(graph, config=None, device="cpu", fetches=None, calibration=None,
             calibration_samples=1, max_evaluations=200, progress=False):
    """Runs the remapper and Advanced AMP on a copy of `graph` (a Graph or a model path).

    config: a ConfigProto (default: the one set by set_config). AMP runs unless the config or
    the environment turns it off. Returns (new_graph, report) where report is a dict with
    'message' ("Converted N/M nodes to bfloat16 ..."), 'converted_nodes', 'casts_inserted',
    'weight_bytes_before'/'after', 'decisions' (node -> (op, dtype, rule)), 'warnings', ...

    With auto_mixed_precision_options.accuracy_target > 0 (e.g. 1e-2) the converted graph is
    measured against float32 on calibration inputs (per float output
    ||d|| / max(||ref||, sqrt(n)), the max over outputs) and the most error-sensitive nodes are
    kept float32 until it meets the target (rule 'accuracy-guard' in 'decisions'; report
    ['accuracy'] has 'error_before', 'error_after', 'kept_float32', 'met', 'summary').
    calibration: a list of {input name: NumPy array} samples (default: calibration_samples
    seeded random ones, float inputs uniform in [0, 1)); max_evaluations caps the search's
    convert+run steps; progress=True prints its progress lines.
    """
    if config is not None and not isinstance(config, ConfigProto):
        raise TypeError(f"config must be an aamp.ConfigProto, got {type(config).__name__}")
    proto = config if config is not None else get_config()
    cfg = _config.to_amp_config(proto, True)
    target = proto.graph_options.auto_mixed_precision_options.accuracy_target
    if target > 0:
        result = _aamp._optimize_guarded(_as_graph(graph), cfg, device, list(fetches or []),
                                         target, list(calibration or []), calibration_samples,
                                         max_evaluations, progress)
    else:
        if calibration is not None:
            raise ValueError("calibration needs auto_mixed_precision_options.accuracy_target")
        result = _aamp._optimize(_as_graph(graph), cfg, device, list(fetches or []))
    _warn(result[1])
    return result


def _warn(report):
    """The optimizer's warnings (unknown op names in the lists, a pass rolled back, a CPU
    without native bfloat16) as Python warnings; they also stay in report['warnings']."""
    import warnings

    for w in (report or {}).get("warnings", []):
        warnings.warn(f"aamp: {w}", RuntimeWarning, stacklevel=3)


class Session:
    """Runs a graph on aamp's runtime.

    Session(graph_or_path, device="cpu", threads=None, config=None): the config (default: the
    one set by set_config, as ITEX applies its config to every graph) decides whether the graph
    is first rewritten by the remapper and AMP; `report` holds that rewrite's report (None when
    nothing ran). run(fetches, feeds) takes NumPy arrays and returns NumPy arrays; bfloat16
    outputs come back as float32 unless raw_bf16=True (uint16 bit patterns).
    """

    def __init__(self, graph_or_path, device="cpu", threads=None, config=None):
        graph = _as_graph(graph_or_path)
        if config is not None and not isinstance(config, ConfigProto):
            raise TypeError(f"config must be an aamp.ConfigProto, got {type(config).__name__}")
        if threads is not None and (not isinstance(threads, int) or threads < 0):
            raise TypeError("threads must be a non-negative int or None")
        cfg = _config.to_amp_config(config if config is not None else get_config(), False)
        self.report = None
        # The remapper is on unless the config or ITEX_REMAPPER/AAMP_REMAPPER turn it off
        # (GraphOptions.remapper defaults to on, as in ITEX); AMP only when asked for.
        if cfg.enabled or cfg.remapper is not False:
            graph, self.report = _aamp._optimize(graph, cfg, device, [])
            _warn(self.report)
        self.graph = graph
        self._s = _aamp._Session(graph, device, threads or 0)

    @property
    def input_names(self):
        return self._s.input_names

    @property
    def output_names(self):
        return self._s.output_names

    @property
    def data_type(self):
        """'bfloat16' / 'float16' when AMP rewrote the graph, else 'float32'."""
        if self.report and self.report["amp_ran"] and self.report["converted_nodes"] > 0:
            return self.report["data_type"]
        return "float32"

    def stats(self):
        """Memory and kernel statistics of the last run's plan."""
        return self._s.last_stats()

    def run(self, fetches, feeds, raw_bf16=False):
        """fetches: a tensor name, a list of names, or None (all graph outputs);
        feeds: {placeholder name: array-like}. Returns an array or a list of arrays."""
        import numpy as np

        single = isinstance(fetches, str)
        names = self.output_names if fetches is None else ([fetches] if single else list(fetches))
        if not isinstance(feeds, dict):
            raise TypeError(f"feeds must be a dict of name -> array, got {type(feeds).__name__}")
        arrays = {}
        for name, value in feeds.items():
            if not isinstance(name, str):
                raise TypeError(f"feed names must be str, got {type(name).__name__}")
            arrays[name] = np.ascontiguousarray(np.asarray(value))
        out = self._s.run(names, arrays, raw_bf16)
        return out[0] if single else out
