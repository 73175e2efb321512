// Helpers to create and run one CPU kernel standalone (no Session): build a Node, give inputs
// (optionally constant, as KernelInit::const_inputs), pick a registration by name ("reference",
// "onednn") and run it over plain std::vector buffers.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "aamp/core/dispatch.h"
#include "aamp/ir/graph.h"
#include "aamp/ir/tensor.h"
#include "aamp/runtime/kernel.h"

namespace aamp::testing {

inline Node make_node(const std::string& op, DType t, AttrMap attrs = {}) {
  Node n;
  n.name = "test_" + op;
  n.op = op;
  n.attrs = std::move(attrs);
  n.attrs["T"] = t;
  return n;
}

// Uniform values in [lo, hi), rounded to the dtype (so every kernel sees the same inputs).
inline Tensor random_tensor(DType t, std::vector<int64_t> shape, uint32_t seed, float lo = -1.0f,
                            float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(rng);
  return Tensor::from_vector<float>(Shape(std::move(shape)), v).cast_float(t);
}

inline std::vector<float> to_float_vec(const Tensor& t) {
  std::vector<float> v(static_cast<size_t>(t.num_elements()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<float>(t.element_as_double(static_cast<int64_t>(i)));
  return v;
}

struct KernelCase {
  Node node;
  std::vector<Tensor> inputs;
  std::vector<bool> is_const;  // per input; missing entries = not constant
  std::vector<TensorDesc> outputs;
  int threads = 1;

  DType dtype() const {
    const AttrValue* a = node.find_attr("T");
    return a && a->is<DType>() ? a->get<DType>() : inputs.at(0).dtype();
  }
  // The dtype the kernel registry looks the case up by (runtime/kernel.h's kernel_dtype).
  DType kernel_dtype() const {
    std::vector<DType> in, out;
    for (const Tensor& t : inputs) in.push_back(t.dtype());
    for (const TensorDesc& d : outputs) out.push_back(d.dtype);
    return aamp::kernel_dtype(node, in, out);
  }
  KernelInit init() const {
    KernelInit k;
    k.node = &node;
    for (size_t i = 0; i < inputs.size(); ++i) {
      k.inputs.push_back({inputs[i].dtype(), inputs[i].shape().dims});
      const bool c = i < is_const.size() && is_const[i];
      k.const_inputs.push_back(c ? &inputs[i] : nullptr);
    }
    k.outputs = outputs;
    k.threads = threads;
    return k;
  }
};

// The registration called `impl` for the case's op and dtype if it accepts the case, else null.
inline const KernelRegistration* find_kernel(const KernelCase& c, const std::string& impl) {
  const KernelInit init = c.init();
  for (const KernelRegistration* r : KernelRegistry::global().all(c.node.op, DeviceKind::kCPU)) {
    if (r->name != impl) continue;
    if (std::find(r->dtypes.begin(), r->dtypes.end(), c.dtype()) == r->dtypes.end()) continue;
    if (r->supports && !r->supports(init)) continue;
    return r;
  }
  return nullptr;
}

// Creates the kernel and runs it `runs` times (outputs of the last run are returned).
inline std::vector<Tensor> run_kernel(const KernelCase& c, const KernelRegistration& r,
                                      int runs = 1) {
  const KernelInit init = c.init();
  std::unique_ptr<Kernel> k = r.factory(init);
  std::vector<Tensor> outs;
  for (const TensorDesc& d : c.outputs) outs.emplace_back(d.dtype, Shape(d.shape));
  KernelContext ctx;
  ctx.threads = c.threads;
  for (const Tensor& t : c.inputs) {
    // Inputs are read-only; kernels get a non-const pointer by interface.
    ctx.inputs.push_back({t.dtype(), t.shape().dims, const_cast<uint8_t*>(t.raw()), nullptr});
  }
  for (Tensor& t : outs)
    ctx.outputs.push_back({t.dtype(), t.shape().dims, t.mutable_raw(), nullptr});
  // Scratch memory holds garbage before every run, as a plan's arena may.
  std::vector<uint8_t> scratch(k->scratch_bytes());
  if (!scratch.empty()) ctx.scratch = scratch.data();
  for (int i = 0; i < runs; ++i) {
    std::fill(scratch.begin(), scratch.end(), uint8_t{0x7f});
    k->run(ctx);
  }
  return outs;
}

// max |a - b| / max(1, max |b|): b is the reference.
inline double scaled_max_err(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape().dims, b.shape().dims);
  const std::vector<float> x = to_float_vec(a), y = to_float_vec(b);
  double err = 0, mag = 1;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    mag = std::max(mag, std::abs(static_cast<double>(y[i])));
    const double d = std::abs(static_cast<double>(x[i]) - y[i]);
    err = std::max(err, std::isnan(d) ? 1e30 : d);
  }
  return err / mag;
}

// Tolerance of a fast kernel against the reference for a dtype.
inline double tolerance(DType t) { return t == DType::kFloat ? 1e-5 : 2e-2; }

// Adds fused_ops (+ num_args, epsilon, leakyrelu_alpha) to c.node and appends the args they take
// as inputs: BiasAdd/Prelu [C], Add the output's shape, Mul a scalar, FusedBatchNorm 4 x [C].
inline void add_fused_ops(KernelCase& c, const std::vector<std::string>& ops,
                          const std::vector<int64_t>& out_shape, int64_t channels, bool const_args,
                          uint32_t seed) {
  const DType t = c.dtype();
  int64_t num_args = 0;
  auto push = [&](Tensor v) {
    c.is_const.resize(c.inputs.size(), false);
    c.inputs.push_back(std::move(v));
    c.is_const.push_back(const_args);
    ++num_args;
  };
  for (const std::string& op : ops) {
    ++seed;
    if (op == "BiasAdd")
      push(random_tensor(t, {channels}, seed));
    else if (op == "Prelu")
      push(random_tensor(t, {channels}, seed, 0.0f, 0.5f));
    else if (op == "Add")
      push(random_tensor(t, out_shape, seed));
    else if (op == "Mul")
      push(random_tensor(t, {}, seed, 0.5f, 2.0f));
    else if (op == "FusedBatchNorm") {
      push(random_tensor(t, {channels}, seed, 0.5f, 1.5f));
      push(random_tensor(t, {channels}, seed + 100, -0.5f, 0.5f));
      push(random_tensor(t, {channels}, seed + 200, -0.5f, 0.5f));
      push(random_tensor(t, {channels}, seed + 300, 0.5f, 1.5f));
    }
  }
  c.node.attrs["fused_ops"] = string_list(ops);
  c.node.attrs["num_args"] = num_args;
  c.node.attrs["epsilon"] = 1e-3f;
  c.node.attrs["leakyrelu_alpha"] = 0.3f;
}

// Runs the "onednn" kernel (twice, to check that re-running is stable) and the reference, and
// compares every output. float32 cases must be accepted by oneDNN; other dtypes are skipped when
// oneDNN refuses them on this CPU.
inline void expect_matches_reference(const KernelCase& c) {
  const KernelRegistration* ref = find_kernel(c, "reference");
  ASSERT_NE(ref, nullptr) << "no reference kernel for " << c.node.op;
  const KernelRegistration* fast = find_kernel(c, "onednn");
  if (!fast) {
    ASSERT_NE(c.dtype(), DType::kFloat) << "oneDNN refused a float32 " << c.node.op;
    GTEST_SKIP() << "oneDNN does not run " << c.node.op << " in " << dtype_name(c.dtype())
                 << " on this CPU";
  }
  const std::vector<Tensor> want = run_kernel(c, *ref);
  const std::vector<Tensor> got = run_kernel(c, *fast, 2);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_LE(scaled_max_err(got[i], want[i]), tolerance(c.dtype()))
        << c.node.op << " output " << i << " in " << dtype_name(c.dtype());
}

}  // namespace aamp::testing
