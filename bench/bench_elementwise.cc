// Element-wise kernels, float32 against bfloat16: the CPU kernel the registry picks for Prelu
// (per-channel alpha, as TF.js models have after every convolution), AddV2 of two full tensors,
// Mul by a scalar, Relu, Sigmoid and a Cast float32 -> bfloat16, over a conv activation
// [1, 32, 32, 64] and a BERT activation [1, 128, 768]. bfloat16 moves half the bytes, so it
// should never be slower; where it is, the conversion code is the cost. The dtypes alternate
// run by run so that machine load hits both alike. Prints JSON: median ns per element of each
// dtype and bfloat16's time over float32's.
//
//   bench_elementwise [--threads N] [--iters N] [--out file.json]
#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/runtime/kernel.h"
#include "bench_util.h"

namespace {

using aamp::DType;
using Clock = std::chrono::steady_clock;

struct Case {
  const char* op;
  int arity;         // inputs
  bool channel_arg;  // input 1 is [C] (Prelu alpha); else a scalar for Mul, full for AddV2
};

// One kernel with its buffers, ready to run.
struct Prepared {
  std::unique_ptr<aamp::Kernel> kernel;
  std::vector<std::vector<uint8_t>> bufs;  // inputs, then the output
  aamp::KernelContext ctx;
  aamp::Node node;
};

// Input dtype t, output dtype out (differs for Cast only).
std::unique_ptr<Prepared> prepare(const Case& c, DType t, DType out,
                                  const std::vector<int64_t>& shape, int threads) {
  auto p = std::make_unique<Prepared>();
  aamp::Node& n = p->node;
  n.name = c.op;
  n.op = c.op;
  if (std::string(c.op) == "Cast") {
    n.attrs["SrcT"] = t;
    n.attrs["DstT"] = out;
  } else {
    n.attrs["T"] = t;
  }
  int64_t ne = 1;
  for (int64_t d : shape) ne *= d;
  std::vector<std::vector<int64_t>> in_shapes = {shape};
  if (c.arity == 2)
    in_shapes.push_back(c.channel_arg
                            ? std::vector<int64_t>{shape.back()}
                            : (std::string(c.op) == "Mul" ? std::vector<int64_t>{} : shape));
  aamp::KernelInit init;
  init.node = &n;
  init.threads = threads;
  for (const auto& s : in_shapes) {
    init.inputs.push_back({t, s});
    init.const_inputs.push_back(nullptr);
  }
  init.outputs.push_back({out, shape});
  const aamp::KernelRegistration* reg =
      aamp::KernelRegistry::global().lookup(c.op, aamp::DeviceKind::kCPU, t, init);
  if (!reg) return nullptr;
  p->kernel = reg->factory(init);
  p->ctx.threads = threads;
  p->bufs.reserve(in_shapes.size() + 1);
  for (const auto& s : in_shapes) {
    int64_t k = 1;
    for (int64_t d : s) k *= d;
    p->bufs.emplace_back(static_cast<size_t>(k) * aamp::dtype_size(t));
    aamp_bench::fill_pattern(p->bufs.back(), t, k);
    p->ctx.inputs.push_back({t, s, p->bufs.back().data(), nullptr});
  }
  p->bufs.emplace_back(static_cast<size_t>(ne) * aamp::dtype_size(out));
  p->ctx.outputs.push_back({out, shape, p->bufs.back().data(), nullptr});
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  const aamp_bench::Options opt(argc, argv,
                                "bench_elementwise [--threads N] [--iters N] [--out file.json]",
                                {"--threads", "--iters", "--out"});
  const int threads = static_cast<int>(opt.num("--threads", 1, 1));
  const int iters = static_cast<int>(opt.num("--iters", 300, 1));
  const std::string out = opt.str("--out");
  const std::vector<Case> cases = {{"Prelu", 2, true}, {"AddV2", 2, false},   {"Mul", 2, false},
                                   {"Relu", 1, false}, {"Sigmoid", 1, false}, {"Cast", 1, false}};
  const std::vector<std::vector<int64_t>> shapes = {{1, 32, 32, 64}, {1, 128, 768}};
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& shape : shapes)
    for (const Case& c : cases) {
      // Cast: bfloat16 -> float32 in the float32 column, float32 -> bfloat16 in the other.
      const bool cast = std::string(c.op) == "Cast";
      const DType f32 = DType::kFloat, bf16 = DType::kBFloat16;
      auto f = cast ? prepare(c, bf16, f32, shape, threads) : prepare(c, f32, f32, shape, threads);
      auto b =
          cast ? prepare(c, f32, bf16, shape, threads) : prepare(c, bf16, bf16, shape, threads);
      if (!f || !b) {
        std::cerr << c.op << ": no CPU kernel for both dtypes, skipped\n";
        continue;
      }
      int64_t ne = 1;
      for (int64_t d : shape) ne *= d;
      std::vector<double> tf, tb;
      for (int it = 0; it < iters + 5; ++it) {
        auto t0 = Clock::now();
        f->kernel->run(f->ctx);
        auto t1 = Clock::now();
        b->kernel->run(b->ctx);
        auto t2 = Clock::now();
        if (it < 5) continue;
        tf.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / ne);
        tb.push_back(std::chrono::duration<double, std::nano>(t2 - t1).count() / ne);
      }
      std::string s;
      for (int64_t d : shape) s += (s.empty() ? "" : "x") + std::to_string(d);
      const double mf = aamp_bench::median(tf), mb = aamp_bench::median(tb);
      rows.push_back({{"op", cast ? "Cast bfloat16->float32 vs float32->bfloat16" : c.op},
                      {"shape", s},
                      {cast ? "to_float32_ns_per_element" : "float32_ns_per_element", mf},
                      {cast ? "to_bfloat16_ns_per_element" : "bfloat16_ns_per_element", mb},
                      {"bfloat16_over_float32", mb / mf}});
    }
  const nlohmann::json doc = {{"threads", threads}, {"iters", iters}, {"results", rows}};
  std::cout << doc.dump(2) << "\n";
  if (!out.empty()) std::ofstream(out) << doc.dump(2) << "\n";
  return 0;
}
