// Session bindings: runs a Graph on aamp's runtime with NumPy arrays in and out. The GIL is
// released while the plan runs. bfloat16 outputs come back as float32 arrays unless raw_bf16
// is set (then as uint16 arrays holding the bfloat16 bits).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/runtime/kernel.h"
#include "aamp/runtime/session.h"
#include "bindings.h"

namespace pyb = pybind11;

namespace aamp::py {
namespace {

// The NumPy dtype holding a tensor dtype (bfloat16: its float32 view, see to_numpy).
pyb::dtype numpy_dtype(DType t) {
  switch (t) {
    case DType::kFloat:
      return pyb::dtype::of<float>();
    case DType::kDouble:
      return pyb::dtype::of<double>();
    case DType::kHalf:
      return pyb::dtype("float16");
    case DType::kBFloat16:
      return pyb::dtype::of<float>();
    case DType::kInt32:
      return pyb::dtype::of<int32_t>();
    case DType::kInt64:
      return pyb::dtype::of<int64_t>();
    case DType::kInt16:
      return pyb::dtype::of<int16_t>();
    case DType::kInt8:
      return pyb::dtype::of<int8_t>();
    case DType::kUInt8:
      return pyb::dtype::of<uint8_t>();
    case DType::kUInt16:
      return pyb::dtype::of<uint16_t>();
    case DType::kBool:
      return pyb::dtype::of<bool>();
    default:
      throw Error(ErrorCode::kUnimplemented,
                  "dtype " + dtype_name(t) + " cannot be converted to a NumPy array");
  }
}

// The tensor dtype of a NumPy dtype (kInvalid when none).
DType tensor_dtype(const pyb::dtype& d) {
  const char k = d.kind();
  const auto sz = d.itemsize();
  if (k == 'f')
    return sz == 4   ? DType::kFloat
           : sz == 8 ? DType::kDouble
           : sz == 2 ? DType::kHalf
                     : DType::kInvalid;
  if (k == 'i')
    return sz == 4   ? DType::kInt32
           : sz == 8 ? DType::kInt64
           : sz == 2 ? DType::kInt16
           : sz == 1 ? DType::kInt8
                     : DType::kInvalid;
  if (k == 'u') return sz == 1 ? DType::kUInt8 : sz == 2 ? DType::kUInt16 : DType::kInvalid;
  if (k == 'b') return DType::kBool;
  return DType::kInvalid;
}

}  // namespace

Tensor from_numpy(const std::string& name, const pyb::array& in) {
  pyb::array a = pyb::array::ensure(in, pyb::array::c_style);
  if (!a) throw Error(ErrorCode::kInvalidArgument, "feed '" + name + "' is not an array");
  DType t = tensor_dtype(a.dtype());
  if (t == DType::kInvalid)
    throw Error(ErrorCode::kInvalidArgument, "feed '" + name + "' has NumPy dtype " +
                                                 std::string(pyb::str(a.dtype())) +
                                                 ", which aamp cannot feed");
  Shape s;
  for (pyb::ssize_t i = 0; i < a.ndim(); ++i) s.dims.push_back(a.shape(i));
  std::vector<uint8_t> bytes(static_cast<size_t>(a.nbytes()));
  if (!bytes.empty()) std::memcpy(bytes.data(), a.data(), bytes.size());
  return Tensor::from_bytes(t, std::move(s), std::move(bytes));
}

namespace {

pyb::array to_numpy(const Tensor& t, bool raw_bf16) {
  std::vector<pyb::ssize_t> shape(t.shape().dims.begin(), t.shape().dims.end());
  if (t.dtype() == DType::kBFloat16 && !raw_bf16) {
    Tensor f = t.cast_float(DType::kFloat);
    pyb::array out(pyb::dtype::of<float>(), shape);
    if (f.byte_size()) std::memcpy(out.mutable_data(), f.raw(), f.byte_size());
    return out;
  }
  pyb::dtype d =
      t.dtype() == DType::kBFloat16 ? pyb::dtype::of<uint16_t>() : numpy_dtype(t.dtype());
  pyb::array out(d, shape);
  if (t.byte_size()) std::memcpy(out.mutable_data(), t.raw(), t.byte_size());
  return out;
}

}  // namespace

DeviceKind parse_device(const std::string& d) {
  if (d == "cpu" || d == "CPU") return DeviceKind::kCPU;
  if (d == "gpu" || d == "GPU" || d == "cuda") return DeviceKind::kGPU;
  throw Error(ErrorCode::kInvalidArgument, "unknown device '" + d + "' (valid: cpu, gpu)");
}

void bind_session(pyb::module_& m) {
  m.def(
      "_built_with_cuda", [] { return KernelRegistry::global().has_device(DeviceKind::kGPU); },
      "Whether this build has the CUDA backend (GPU kernels registered).");
  pyb::class_<Session>(m, "_Session")
      .def(pyb::init([](const Graph& g, const std::string& device, int threads) {
             SessionOptions o;
             o.device = parse_device(device);
             o.threads = threads;
             return std::make_unique<Session>(g, o);
           }),
           pyb::arg("graph"), pyb::arg("device") = "cpu", pyb::arg("threads") = 0)
      .def(
          "run",
          [](Session& s, const std::vector<std::string>& fetches, const pyb::dict& feeds,
             bool raw_bf16) {
            std::vector<std::pair<std::string, Tensor>> in;
            for (const auto& [k, v] : feeds) {
              std::string name = pyb::str(k);
              Tensor t = from_numpy(name, pyb::array::ensure(v));
              // Float feeds convert to the placeholder's float dtype (float64 -> float32,
              // float32 -> bfloat16, ...); anything else must match (the Session says so).
              const DType want = s.input_desc(name).dtype;
              if (want != t.dtype() && is_float(want) && is_float(t.dtype()))
                t = t.cast_float(want);
              in.emplace_back(name, std::move(t));
            }
            std::vector<Tensor> out;
            {
              pyb::gil_scoped_release release;
              out = s.run(in, fetches);
            }
            pyb::list l;
            for (const Tensor& t : out) l.append(to_numpy(t, raw_bf16));
            return l;
          },
          pyb::arg("fetches"), pyb::arg("feeds"), pyb::arg("raw_bf16") = false)
      .def_property_readonly("input_names", &Session::input_names)
      .def_property_readonly("output_names", &Session::output_names)
      .def("input_dtype",
           [](const Session& s, const std::string& n) { return dtype_name(s.input_desc(n).dtype); })
      .def("last_stats", [](const Session& s) {
        const PlanStats& p = s.last_stats();
        pyb::dict d;
        d["weight_bytes"] = p.weight_bytes;
        d["arena_bytes"] = p.arena_bytes;
        d["naive_bytes"] = p.naive_bytes;
        d["nodes"] = p.nodes;
        d["steps"] = p.steps;
        d["kernels"] = p.kernels;
        d["dynamic_nodes"] = p.dynamic_nodes;
        d["dynamic_executions"] = p.dynamic_executions;
        d["dynamic_bytes"] = p.dynamic_bytes;
        d["folded_casts"] = p.folded_casts;
        return d;
      });
}

}  // namespace aamp::py
