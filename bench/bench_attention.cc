// Attention benchmark: BERT's self-attention block (q, k, v [B,S,H,D] split into heads by
// Transposes, scaled q k^T, mask + softmax, probabilities x v, the merge Transpose) as the
// remapper leaves it before the attention fusion (five kernels and four Transposes) versus one
// _AampFusedAttention node, both in a Session on the CPU in bfloat16 (or --dtype float16).
// The two alternate run by run so that machine load hits both alike. Prints JSON with the
// median microseconds per run of each and their ratio.
//
//   bench_attention [--threads N] [--iters N] [--batch B] [--seq S] [--heads H] [--depth D]
//                   [--dtype bfloat16|float16] [--out file.json]
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "aamp/io/graph_io.h"
#include "aamp/passes/remapper.h"
#include "aamp/runtime/session.h"
#include "bench_util.h"

namespace {

using aamp::DType;
using Clock = std::chrono::steady_clock;

// The block as the remapper leaves it before the attention fusion, in dtype `dt` ("DT_BFLOAT16").
std::string block_text(const std::string& dt, int64_t s, int64_t h, int64_t d, float scale) {
  const std::string t = "attr { key: \"T\" value { type: " + dt + " } }";
  auto ph = [&](const std::string& name, const std::string& dims) {
    return "node { name: \"" + name +
           "\" op: \"Placeholder\" attr { key: \"dtype\" value { type: " + dt +
           " } } attr { key: \"shape\" value { shape { " + dims + " } } } }\n";
  };
  auto dim = [](int64_t n) { return "dim { size: " + std::to_string(n) + " } "; };
  const std::string x = dim(-1) + dim(s) + dim(h) + dim(d);
  std::string g =
      ph("q", x) + ph("k", x) + ph("v", x) + ph("mask", dim(-1) + dim(1) + dim(1) + dim(s));
  g +=
      "node { name: \"perm\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } attr "
      "{ key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 4 } } int_val: "
      "0 int_val: 2 int_val: 1 int_val: 3 } } } }\n";
  g += "node { name: \"scale\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr "
       "{ key: \"value\" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: " +
       std::to_string(scale) + " } } } }\n";
  g += "node { name: \"scale_t\" op: \"Cast\" input: \"scale\" attr { key: \"SrcT\" value { type: "
       "DT_FLOAT } } attr { key: \"DstT\" value { type: " +
       dt + " } } }\n";
  for (const char* n : {"q", "k", "v"})
    g += std::string("node { name: \"t") + n + "\" op: \"Transpose\" input: \"" + n +
         "\" input: \"perm\" " + t + " }\n";
  g += "node { name: \"scores\" op: \"_AampFusedBatchMatMulV2\" input: \"tq\" input: \"tk\" input: "
       "\"scale_t\" " +
       t +
       " attr { key: \"adj_y\" value { b: true } } attr { key: \"num_args\" value { i: 1 } } attr "
       "{ key: \"fused_ops\" value { list { s: \"Mul\" } } } }\n";
  g += "node { name: \"probs\" op: \"_AampFusedAddSoftmax\" input: \"scores\" input: \"mask\" " +
       t + " }\n";
  g += "node { name: \"ctx\" op: \"BatchMatMulV2\" input: \"probs\" input: \"tv\" " + t + " }\n";
  g += "node { name: \"out\" op: \"Transpose\" input: \"ctx\" input: \"perm\" " + t + " }\n";
  return g;
}

}  // namespace

int main(int argc, char** argv) {
  const aamp_bench::Options opt(
      argc, argv,
      "bench_attention [--batch B] [--seq S] [--heads H] [--depth D] [--threads N] [--iters N] "
      "[--dtype bfloat16|float16] [--out file.json]",
      {"--threads", "--iters", "--batch", "--seq", "--heads", "--depth", "--dtype", "--out"});
  const int threads = static_cast<int>(opt.num("--threads", 0, 0));
  const int iters = static_cast<int>(opt.num("--iters", 200, 1));
  const int64_t batch = opt.num("--batch", 1, 1), seq = opt.num("--seq", 128, 1),
                heads = opt.num("--heads", 12, 1), depth = opt.num("--depth", 64, 1);
  const std::string out = opt.str("--out"), dtype = opt.str("--dtype", "bfloat16");
  if (dtype != "bfloat16" && dtype != "float16") {
    std::cerr << "bench_attention: --dtype must be bfloat16 or float16\n";
    return 2;
  }
  const DType t = dtype == "float16" ? DType::kHalf : DType::kBFloat16;
  const std::string dt = t == DType::kHalf ? "DT_HALF" : "DT_BFLOAT16";
  const float scale = 1.0f / std::sqrt(static_cast<float>(depth));
  const aamp::Graph unfused =
      aamp::parse_graphdef_text(block_text(dt, seq, heads, depth, scale), "bench_attention");
  aamp::Graph fused = unfused;
  aamp::RemapperOptions ro;
  ro.post_amp = true;
  ro.fetch_nodes = {"out"};
  const aamp::RemapperResult rr = aamp::run_remapper(fused, ro);
  if (!rr.fusions.count("Attention")) {
    std::cerr << "bench_attention: the attention fusion did not apply\n";
    return 1;
  }

  std::mt19937 rng(1);
  std::normal_distribution<float> u(0.f, 1.f);
  std::vector<std::pair<std::string, aamp::Tensor>> feeds;
  for (const char* n : {"q", "k", "v"}) {
    std::vector<float> x(static_cast<size_t>(batch * seq * heads * depth));
    for (float& e : x) e = u(rng);
    feeds.emplace_back(
        n, aamp::Tensor::from_vector(aamp::Shape{batch, seq, heads, depth}, x).cast_float(t));
  }
  std::vector<float> m(static_cast<size_t>(batch * seq), 0.0f);
  for (size_t i = 0; i < m.size(); ++i) m[i] = i % static_cast<size_t>(seq) >= 100 ? -10000.f : 0.f;
  feeds.emplace_back("mask",
                     aamp::Tensor::from_vector(aamp::Shape{batch, 1, 1, seq}, m).cast_float(t));

  aamp::SessionOptions so;
  so.threads = threads;
  aamp::Session a(unfused, so), b(fused, so);
  std::vector<double> ta, tb;
  double max_diff = 0;
  for (int i = 0; i < iters + 5; ++i) {
    auto t0 = Clock::now();
    const aamp::Tensor ya = a.run(feeds, {"out"}).at(0);
    auto t1 = Clock::now();
    const aamp::Tensor yb = b.run(feeds, {"out"}).at(0);
    auto t2 = Clock::now();
    if (i < 5) {  // warm-up; compare the outputs once
      if (i == 0) {
        const aamp::Tensor fa = ya.cast_float(DType::kFloat), fb = yb.cast_float(DType::kFloat);
        for (int64_t j = 0; j < fa.num_elements(); ++j)
          max_diff =
              std::max(max_diff, std::abs(fa.element_as_double(j) - fb.element_as_double(j)));
      }
      continue;
    }
    ta.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    tb.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
  }
  nlohmann::json j;
  j["benchmark"] = "bench_attention";
  j["dtype"] = aamp::dtype_name(t);
  j["batch"] = batch, j["seq"] = seq, j["heads"] = heads, j["depth"] = depth;
  j["threads"] = threads;
  j["iters"] = iters;
  j["unfused_median_us"] = aamp_bench::median(ta);
  j["fused_median_us"] = aamp_bench::median(tb);
  j["speedup"] = aamp_bench::median(ta) / aamp_bench::median(tb);
  j["max_abs_diff"] = max_diff;
  const std::string text = j.dump(2);
  std::cout << text << "\n";
  if (!out.empty()) std::ofstream(out) << text << "\n";
  return 0;
}
