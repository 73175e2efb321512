// Pooling benchmark: the oneDNN MaxPool / AvgPool kernel out of place (oneDNN's primitive)
// versus the same kernel run in place (aamp's own NHWC walk, backends/cpu/pool_inplace.h), on
// antispoof's three MaxPools (2x2, stride 2, VALID), a 3x3 stride 2 SAME pool and blazeface's 2x2
// MaxPools over 24 and 48 channels, float32 and bfloat16. The two variants alternate run by run
// so that machine load hits both alike. Prints JSON with the median microseconds per run of each
// and their ratio.
//
//   bench_pool [--threads N] [--iters N] [--out file.json]
#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/ir/graph.h"
#include "aamp/runtime/kernel.h"
#include "bench_util.h"

namespace {

using aamp::DType;
using Clock = std::chrono::steady_clock;

struct Case {
  const char* op;
  std::vector<int64_t> in;
  int64_t k, s;
  const char* padding;
};

}  // namespace

int main(int argc, char** argv) {
  const aamp_bench::Options opt(argc, argv,
                                "bench_pool [--threads N] [--iters N] [--out file.json]",
                                {"--threads", "--iters", "--out"});
  const int threads = static_cast<int>(opt.num("--threads", 1, 1));
  const int iters = static_cast<int>(opt.num("--iters", 200, 1));
  const std::string out = opt.str("--out");
  const std::vector<Case> cases = {{"MaxPool", {1, 126, 126, 64}, 2, 2, "VALID"},
                                   {"MaxPool", {1, 61, 61, 32}, 2, 2, "VALID"},
                                   {"MaxPool", {1, 28, 28, 16}, 2, 2, "VALID"},
                                   {"AvgPool", {1, 56, 56, 128}, 3, 2, "SAME"},
                                   // blazeface's (the demo's model): channel counts that are not
                                   // a multiple of a 64-byte vector
                                   {"MaxPool", {1, 64, 64, 24}, 2, 2, "SAME"},
                                   {"MaxPool", {1, 32, 32, 48}, 2, 2, "SAME"}};
  nlohmann::json rows = nlohmann::json::array();
  for (DType t : {DType::kFloat, DType::kBFloat16})
    for (const Case& c : cases) {
      aamp::Node n;
      n.name = "pool";
      n.op = c.op;
      n.attrs["T"] = t;
      aamp::AttrList k, s;
      k.i = {1, c.k, c.k, 1};
      s.i = {1, c.s, c.s, 1};
      n.attrs["ksize"] = k;
      n.attrs["strides"] = s;
      n.attrs["padding"] = std::string(c.padding);
      aamp::KernelInit init;
      init.node = &n;
      init.threads = threads;
      init.inputs.push_back({t, c.in});
      init.const_inputs.push_back(nullptr);
      const auto g = aamp::linalg::pool_geom(n, c.in);
      init.outputs.push_back({t, aamp::linalg::geom_output_shape(g)});
      const aamp::KernelRegistration* reg =
          aamp::KernelRegistry::global().lookup(c.op, aamp::DeviceKind::kCPU, t, init);
      if (!reg || reg->name != "onednn") {
        std::cerr << c.op << " " << aamp::dtype_name(t) << ": no oneDNN kernel, skipped\n";
        continue;
      }
      std::unique_ptr<aamp::Kernel> kern = reg->factory(init);
      if (kern->inplace_shrink_pairs().empty()) {
        std::cerr << c.op << ": not runnable in place, skipped\n";
        continue;
      }
      int64_t ne = 1, no = 1;
      for (int64_t d : c.in) ne *= d;
      for (int64_t d : init.outputs[0].shape) no *= d;
      const size_t es = aamp::dtype_size(t);
      std::vector<uint8_t> src(static_cast<size_t>(ne) * es), dst(static_cast<size_t>(no) * es),
          buf(src.size());
      aamp_bench::fill_pattern(src, t, ne);
      aamp::KernelContext apart, inplace;
      apart.threads = inplace.threads = threads;
      apart.inputs.push_back({t, c.in, src.data(), nullptr});
      apart.outputs.push_back({t, init.outputs[0].shape, dst.data(), nullptr});
      inplace.inputs.push_back({t, c.in, buf.data(), nullptr});
      inplace.outputs.push_back({t, init.outputs[0].shape, buf.data(), nullptr});
      std::vector<double> t_apart, t_inplace;
      for (int it = 0; it < iters + 5; ++it) {
        std::memcpy(buf.data(), src.data(), src.size());  // fresh input, outside the timing
        auto t0 = Clock::now();
        kern->run(apart);
        auto t1 = Clock::now();
        kern->run(inplace);
        auto t2 = Clock::now();
        if (it < 5) continue;
        t_apart.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        t_inplace.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
      }
      const double a = aamp_bench::median(t_apart), b = aamp_bench::median(t_inplace);
      std::string shape;
      for (int64_t d : c.in) shape += (shape.empty() ? "" : "x") + std::to_string(d);
      rows.push_back({{"op", c.op},
                      {"dtype", aamp::dtype_name(t)},
                      {"input", shape},
                      {"window", std::to_string(c.k) + "x" + std::to_string(c.k) + "/" +
                                     std::to_string(c.s) + " " + c.padding},
                      {"onednn_us", a},
                      {"inplace_us", b},
                      {"inplace_over_onednn", b / a}});
    }
  const nlohmann::json doc = {{"threads", threads}, {"iters", iters}, {"results", rows}};
  std::cout << doc.dump(2) << "\n";
  if (!out.empty()) std::ofstream(out) << doc.dump(2) << "\n";
  return 0;
}
