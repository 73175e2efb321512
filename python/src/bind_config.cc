// Configuration and optimization bindings: AmpConfig (every field optional: unset = the
// environment, then the default), optimize(graph, config, device, fetches) -> (graph, report).
// The ITEX-shaped classes (ConfigProto, GraphOptions, ...) are pure Python (aamp/config.py) and
// translate into AmpConfig.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "aamp/api/accuracy_guard.h"
#include "aamp/api/config.h"
#include "aamp/api/optimize.h"
#include "aamp/core/error.h"
#include "bindings.h"

namespace pyb = pybind11;

namespace aamp::py {
namespace {

pyb::dict report_dict(const OptimizeResult& r) {
  pyb::dict d;
  d["amp_ran"] = r.amp_ran;
  d["data_type"] = dtype_name(r.amp.target);
  d["message"] = r.amp_ran ? r.amp.message() : std::string("AMP did not run");
  d["converted_nodes"] = r.amp.converted_nodes;
  d["float_nodes"] = r.amp.float_nodes;
  d["casts_inserted"] = r.amp.casts_inserted;
  d["consts_converted"] = r.amp.consts_converted;
  d["weight_bytes_before"] = r.amp.weight_bytes_before;
  d["weight_bytes_after"] = r.amp.weight_bytes_after;
  d["fusions"] = r.remapper_pre.fusions;
  d["warnings"] = r.warnings;
  d["log_files"] = r.log_files;
  pyb::list passes;
  for (const PassRecord& p : r.passes)
    passes.append(pyb::make_tuple(p.pass, p.ok, p.changed, p.summary));
  d["passes"] = passes;
  pyb::dict dec;
  for (const AmpDecision& a : r.amp.decisions)
    dec[pyb::str(a.node)] = pyb::make_tuple(
        a.op, a.dtype == DType::kInvalid ? std::string("") : dtype_name(a.dtype), a.rule);
  d["decisions"] = dec;
  return d;
}

}  // namespace

void bind_config(pyb::module_& m) {
  pyb::class_<AmpConfig>(m, "AmpConfig",
                         "Advanced AMP configuration; None fields fall back to the environment "
                         "(ITEX_AUTO_MIXED_PRECISION_* / AAMP_*) and then to the defaults.")
      .def(pyb::init<>())
      .def_readwrite("enabled", &AmpConfig::enabled)
      .def_readwrite("data_type", &AmpConfig::data_type)
      .def_readwrite("allowlist_add", &AmpConfig::allowlist_add)
      .def_readwrite("inferlist_add", &AmpConfig::inferlist_add)
      .def_readwrite("clearlist_add", &AmpConfig::clearlist_add)
      .def_readwrite("denylist_add", &AmpConfig::denylist_add)
      .def_readwrite("allowlist_remove", &AmpConfig::allowlist_remove)
      .def_readwrite("inferlist_remove", &AmpConfig::inferlist_remove)
      .def_readwrite("clearlist_remove", &AmpConfig::clearlist_remove)
      .def_readwrite("denylist_remove", &AmpConfig::denylist_remove)
      .def_readwrite("unsafe_force_all", &AmpConfig::unsafe_force_all)
      .def_readwrite("log_path", &AmpConfig::log_path)
      .def_readwrite("remapper", &AmpConfig::remapper)
      .def_readwrite("tf_compatible", &AmpConfig::tf_compatible)
      .def_readwrite("deny_nodes", &AmpConfig::deny_nodes)
      .def_readwrite("verify_each_pass", &AmpConfig::verify_each_pass)
      .def_readwrite("strict", &AmpConfig::strict)
      .def_readwrite("dump_dir", &AmpConfig::dump_dir)
      .def_static("from_env", &AmpConfig::from_env)
      .def_static("merge", &AmpConfig::merge, pyb::arg("api"), pyb::arg("env"))
      .def(
          "check",
          [](const AmpConfig& c, const std::string& device) {
            // What optimize() rejects before touching a graph: the data type (FP16 on a CPU
            // without it) and the lists (an op in two lists). Returns the lists' warnings.
            DeviceKind d = device == "gpu" ? DeviceKind::kGPU : DeviceKind::kCPU;
            DType t = c.target(d);
            if (d == DeviceKind::kCPU && t == DType::kHalf && !cpu_has_native_fp16())
              throw Error(ErrorCode::kUnimplemented,
                          "AMP data type FLOAT16 needs a CPU with native FP16 (AVX512-FP16), "
                          "which this CPU lacks; use BFLOAT16 on the CPU");
            std::vector<std::string> warnings;
            c.lists(d, &warnings);
            return warnings;
          },
          pyb::arg("device") = "cpu",
          "Raises aamp.Error for a configuration optimize() would reject (an op in two lists, "
          "FLOAT16 on a CPU without native FP16); returns the lists' warnings.");

  m.def(
      "_optimize",
      [](const Graph& g, const AmpConfig& c, const std::string& device,
         const std::vector<std::string>& fetches) {
        Graph out = g;
        OptimizeResult r;
        {
          pyb::gil_scoped_release release;
          r = optimize(out, c, parse_device(device), fetches);
        }
        return pyb::make_tuple(std::move(out), report_dict(r));
      },
      pyb::arg("graph"), pyb::arg("config"), pyb::arg("device") = "cpu",
      pyb::arg("fetches") = std::vector<std::string>{});
  m.def(
      "_optimize_guarded",
      [](const Graph& g, const AmpConfig& c, const std::string& device,
         const std::vector<std::string>& fetches, double target, const pyb::list& calibration,
         int samples, int max_evaluations, bool progress) {
        Graph out = g;
        AccuracyGuardOptions o;
        o.target = target;
        o.samples = samples;
        o.max_evaluations = max_evaluations;
        for (const auto& item : calibration) {
          CalibrationSample sample;
          for (const auto& [k, v] : item.cast<pyb::dict>()) {
            std::string name = k.cast<std::string>();
            sample.push_back({name, from_numpy(name, v.cast<pyb::array>())});
          }
          o.calibration.push_back(std::move(sample));
        }
        if (progress) o.progress = [](const std::string& s) { pyb::print(s); };
        OptimizeResult r;
        AccuracyGuardReport rep;
        if (progress) {  // pyb::print needs the GIL
          r = optimize_with_accuracy_guard(out, c, parse_device(device), fetches, o, &rep);
        } else {
          pyb::gil_scoped_release release;
          r = optimize_with_accuracy_guard(out, c, parse_device(device), fetches, o, &rep);
        }
        pyb::dict d = report_dict(r);
        pyb::dict a;
        a["target"] = rep.target;
        a["error_before"] = rep.error_before;
        a["error_after"] = rep.error_after;
        a["kept_float32"] = rep.kept_float;
        a["evaluations"] = rep.evaluations;
        a["met"] = rep.met;
        a["summary"] = rep.summary();
        d["accuracy"] = a;
        return pyb::make_tuple(std::move(out), d);
      },
      pyb::arg("graph"), pyb::arg("config"), pyb::arg("device"), pyb::arg("fetches"),
      pyb::arg("target"), pyb::arg("calibration"), pyb::arg("samples"), pyb::arg("max_evaluations"),
      pyb::arg("progress"));
  m.def("cpu_has_native_fp16", &cpu_has_native_fp16);
  // For the tests: what the TensorFlow plugin decides from (not part of the public API).
  m.def("cpu_has_tf_onednn_features", &cpu_has_tf_onednn_features);
  m.def("tf_runs_onednn", &tf_runs_onednn);
}

}  // namespace aamp::py
