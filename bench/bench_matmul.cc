// MLP matmul benchmark: 784 -> 4096 -> 4096 -> 10 at batch 1024 (BiasAdd + Relu between layers),
// run as a chain of aamp's _FusedMatMul kernels (taken from the kernel registry, constant
// weights packed at creation) versus bare oneDNN matmul primitives of the same shapes and
// post-ops, in float32 and bfloat16. Prints JSON with GFLOP/s.
//
//   bench_matmul [--threads N] [--iters N] [--warmup N] [--batch N] [--out file.json]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "aamp/backends/cpu/onednn_common.h"
#include "aamp/core/error.h"
#include "aamp/runtime/kernel.h"
#include "bench_util.h"

namespace {

using aamp::DType;
using aamp::Tensor;
using Clock = std::chrono::steady_clock;

struct Options {
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int iters = 10;
  int warmup = 3;
  int64_t batch = 1024;
  std::string out;
};

const std::vector<int64_t> kWidths = {784, 4096, 4096, 10};

// Deterministic weights in [-0.05, 0.05).
Tensor weights(int64_t rows, int64_t cols, uint32_t seed, DType t) {
  std::vector<float> v(static_cast<size_t>(rows * cols));
  uint32_t s = seed * 2654435761u + 1;
  for (auto& x : v) {
    s = s * 1664525u + 1013904223u;
    x = (static_cast<float>(s >> 8) / 16777216.0f - 0.5f) * 0.1f;
  }
  return Tensor::from_vector<float>(aamp::Shape{rows, cols}, v).cast_float(t);
}

double flops(int64_t batch) {
  double f = 0;
  for (size_t i = 0; i + 1 < kWidths.size(); ++i)
    f += 2.0 * static_cast<double>(batch) * static_cast<double>(kWidths[i] * kWidths[i + 1]);
  return f;
}

template <typename F>
double time_ms(const Options& o, F&& step) {
  for (int i = 0; i < o.warmup; ++i) step();
  std::vector<double> ms;
  for (int i = 0; i < o.iters; ++i) {
    const auto t0 = Clock::now();
    step();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];  // median
}

struct Layer {
  Tensor w, b;
};

std::vector<Layer> make_layers(DType t) {
  std::vector<Layer> layers;
  for (size_t i = 0; i + 1 < kWidths.size(); ++i)
    layers.push_back({weights(kWidths[i], kWidths[i + 1], static_cast<uint32_t>(i), t),
                      weights(1, kWidths[i + 1], static_cast<uint32_t>(i + 10), t)
                          .reshaped(aamp::Shape{kWidths[i + 1]})});
  return layers;
}

// aamp: _FusedMatMul kernels from the registry ("onednn" registration).
// Returns the median ms, or a negative value when the oneDNN kernel refuses the dtype.
double bench_aamp(const Options& o, DType t, std::string* impl) {
  const std::vector<Layer> layers = make_layers(t);
  std::vector<aamp::Node> nodes(layers.size());
  std::vector<std::unique_ptr<aamp::Kernel>> kernels;
  std::vector<Tensor> acts;
  acts.push_back(weights(o.batch, kWidths[0], 99, t));
  for (size_t i = 0; i < layers.size(); ++i) {
    aamp::Node& n = nodes[i];
    n.name = "dense" + std::to_string(i);
    n.op = "_FusedMatMul";
    n.attrs["T"] = t;
    n.attrs["fused_ops"] = i + 2 < kWidths.size() ? aamp::string_list({"BiasAdd", "Relu"})
                                                  : aamp::string_list({"BiasAdd"});
    n.attrs["num_args"] = int64_t{1};
    aamp::KernelInit init;
    init.node = &n;
    init.inputs = {
        {t, {o.batch, kWidths[i]}}, {t, {kWidths[i], kWidths[i + 1]}}, {t, {kWidths[i + 1]}}};
    init.const_inputs = {nullptr, &layers[i].w, &layers[i].b};
    init.outputs = {{t, {o.batch, kWidths[i + 1]}}};
    init.threads = o.threads;
    const aamp::KernelRegistration* reg = nullptr;
    for (const auto* r : aamp::KernelRegistry::global().all(n.op, aamp::DeviceKind::kCPU))
      if (r->name == "onednn" && (!r->supports || r->supports(init))) reg = r;
    if (!reg) return -1;
    *impl = reg->name;
    kernels.push_back(reg->factory(init));
    acts.emplace_back(t, aamp::Shape{o.batch, kWidths[i + 1]});
  }
  std::vector<aamp::KernelContext> ctxs(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    auto view = [](Tensor& x) {
      return aamp::TensorView{x.dtype(), x.shape().dims, x.mutable_raw(), nullptr};
    };
    ctxs[i].inputs = {view(acts[i]), view(const_cast<Tensor&>(layers[i].w)),
                      view(const_cast<Tensor&>(layers[i].b))};
    ctxs[i].outputs = {view(acts[i + 1])};
    ctxs[i].threads = o.threads;
  }
  return time_ms(o, [&] {
    for (size_t i = 0; i < kernels.size(); ++i) kernels[i]->run(ctxs[i]);
  });
}

// Bare oneDNN: the same three matmuls (bias + relu post-op, packed weights).
double bench_bare(const Options& o, DType t) {
  using dnnl::memory;
  namespace od = aamp::onednn;
  const memory::data_type mt = od::dt(t);
  const std::vector<Layer> layers = make_layers(t);
  std::vector<dnnl::matmul> prims;
  std::vector<std::unordered_map<int, memory>> args(layers.size());
  std::vector<memory> acts;
  acts.emplace_back(memory::desc({o.batch, kWidths[0]}, mt, memory::format_tag::ab), od::engine());
  try {
    for (size_t i = 0; i < layers.size(); ++i) {
      const memory::desc src({o.batch, kWidths[i]}, mt, memory::format_tag::ab);
      const memory::desc w_any({kWidths[i], kWidths[i + 1]}, mt, memory::format_tag::any);
      const memory::desc bias({1, kWidths[i + 1]}, mt, memory::format_tag::ab);
      const memory::desc dst({o.batch, kWidths[i + 1]}, mt, memory::format_tag::ab);
      dnnl::primitive_attr attr;
      if (i + 2 < kWidths.size()) {
        dnnl::post_ops po;
        po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        attr.set_post_ops(po);
      }
      dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, w_any, bias, dst), attr,
                                      od::engine());
      prims.emplace_back(pd);
      acts.emplace_back(dst, od::engine());
      args[i][DNNL_ARG_SRC] = acts[i];
      args[i][DNNL_ARG_DST] = acts[i + 1];
      args[i][DNNL_ARG_WEIGHTS] = od::pack_const(layers[i].w, {kWidths[i], kWidths[i + 1]},
                                                 {kWidths[i + 1], 1}, pd.weights_desc());
      memory b(bias, od::engine());
      std::memcpy(b.get_data_handle(), layers[i].b.raw(), layers[i].b.byte_size());
      args[i][DNNL_ARG_BIAS] = b;
    }
  } catch (const dnnl::error&) {
    return -1;
  }
  od::set_threads(o.threads);
  return time_ms(o, [&] {
    for (size_t i = 0; i < prims.size(); ++i) prims[i].execute(od::stream(), args[i]);
    od::stream().wait();
  });
}

std::string isa_name() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx2:
      return "avx2";
    case dnnl::cpu_isa::avx2_vnni:
      return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core:
      return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
    default:
      return "other";
  }
}

}  // namespace

int main(int argc, char** argv) {
  const aamp_bench::Options opt(
      argc, argv,
      "bench_matmul [--threads N] [--iters N] [--warmup N] [--batch N] [--out file.json]",
      {"--threads", "--iters", "--warmup", "--batch", "--out"});
  Options o;
  o.threads = static_cast<int>(opt.num("--threads", o.threads, 1));
  o.iters = static_cast<int>(opt.num("--iters", o.iters, 1));
  o.warmup = static_cast<int>(opt.num("--warmup", o.warmup, 0));
  o.batch = opt.num("--batch", o.batch, 1);
  o.out = opt.str("--out");
  nlohmann::json j;
  j["benchmark"] = "mlp_784x4096x4096x10";
  j["batch"] = o.batch;
  j["threads"] = o.threads;
  j["iters"] = o.iters;
  j["onednn"] = aamp::onednn::version_string();
  j["cpu_isa"] = isa_name();
  j["gflop_per_iter"] = flops(o.batch) / 1e9;
  nlohmann::json results = nlohmann::json::array();
  double gf[2][2] = {{0, 0}, {0, 0}};  // [dtype][aamp, bare]
  int di = 0;
  try {
    for (DType t : {DType::kFloat, DType::kBFloat16}) {
      std::string impl = "onednn";
      const double ms_aamp = bench_aamp(o, t, &impl);
      const double ms_bare = bench_bare(o, t);
      for (int k = 0; k < 2; ++k) {
        const double ms = k == 0 ? ms_aamp : ms_bare;
        nlohmann::json r;
        r["dtype"] = aamp::dtype_name(t);
        r["impl"] = k == 0 ? "aamp" : "bare_onednn";
        if (ms < 0) {
          r["supported"] = false;
        } else {
          r["supported"] = true;
          r["median_ms"] = ms;
          r["gflops"] = gf[di][k] = flops(o.batch) / (ms * 1e6);
        }
        results.push_back(r);
      }
      ++di;
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_matmul: " << e.what() << "\n";
    return 1;
  }
  j["results"] = results;
  if (gf[0][1] > 0) j["aamp_vs_bare_fp32"] = gf[0][0] / gf[0][1];
  if (gf[1][1] > 0) j["aamp_vs_bare_bf16"] = gf[1][0] / gf[1][1];
  if (gf[0][0] > 0 && gf[1][0] > 0) j["aamp_bf16_vs_fp32"] = gf[1][0] / gf[0][0];
  if (gf[0][1] > 0 && gf[1][1] > 0) j["bare_bf16_vs_fp32"] = gf[1][1] / gf[0][1];
  const std::string text = j.dump(2);
  std::cout << text << "\n";
  if (!o.out.empty()) std::ofstream(o.out) << text << "\n";
  return 0;
}
