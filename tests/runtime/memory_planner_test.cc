// plan_memory with shrinking buffers, and the plan of a Conv2D -> MaxPool -> Relu -> Conv2D graph:
// the MaxPool writes its output over the first bytes of the conv output (and the Relu runs in
// place over it), so the second conv's output takes the freed rest of the first conv's buffer.
// Exact arena bytes with the in-place pooling and without it (reference kernels, an unsafe
// window, a conv output that is also fetched).
#include "aamp/runtime/memory_planner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aamp/io/graph_io.h"
#include "aamp/runtime/session.h"

namespace aamp {
namespace {

TEST(PlanMemory, ShrunkBufferLendsItsTail) {
  // A: 4096 bytes over steps 0..1, then its first 1024 bytes until step 3.
  const std::vector<BufferRequest> reqs = {
      {4096, 0, 3, 1, 1024}, {1024, 1, 2, -1, 0}, {2048, 2, 4, -1, 0}};
  const MemoryPlan p = plan_memory(reqs);
  EXPECT_EQ(p.offsets, (std::vector<size_t>{0, 4096, 1024}));
  EXPECT_EQ(p.arena_size, 5120u);
  EXPECT_EQ(p.naive_size, 7168u);
  EXPECT_EQ(live_peak(reqs), 5120u);  // step 1: all of A and B
}

TEST(PlanMemory, WithoutShrinkingNothingChanges) {
  std::vector<BufferRequest> reqs = {{4096, 0, 3}, {1024, 1, 2}, {2048, 2, 4}};
  MemoryPlan p = plan_memory(reqs);
  EXPECT_EQ(p.offsets, (std::vector<size_t>{0, 6144, 4096}));
  EXPECT_EQ(p.arena_size, 7168u);
  EXPECT_EQ(live_peak(reqs), 7168u);
  // A shrink at or after the last step, or to the full size, is no shrink.
  reqs[0].shrink_step = 3;
  reqs[0].shrunk_size = 1024;
  EXPECT_EQ(plan_memory(reqs).offsets, p.offsets);
  reqs[0].shrink_step = 1;
  reqs[0].shrunk_size = 4096;
  EXPECT_EQ(plan_memory(reqs).offsets, p.offsets);
}

TEST(PlanMemory, ShrinkingBufferFitsBothParts) {
  // B (placed first, the largest) is live from step 3; A's head lives until step 5, so it cannot
  // share B's bytes, while A's tail (steps 0..2) could: A goes right after B.
  const std::vector<BufferRequest> reqs = {{4096, 0, 5, 2, 1024}, {8192, 3, 6, -1, 0}};
  const MemoryPlan p = plan_memory(reqs);
  EXPECT_EQ(p.offsets, (std::vector<size_t>{8192, 0}));
  EXPECT_EQ(p.arena_size, 12288u);
  EXPECT_EQ(live_peak(reqs), 9216u);
}

std::string dims(const std::vector<int64_t>& d) {
  std::string s;
  for (int64_t x : d) s += " dim { size: " + std::to_string(x) + " }";
  return s;
}

std::string ints(const char* key, const std::vector<int64_t>& v) {
  std::string s = " attr { key: \"" + std::string(key) + "\" value { list {";
  for (int64_t x : v) s += " i: " + std::to_string(x);
  return s + " } } }";
}

std::string constant(const std::string& name, const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::string vals;
  for (int64_t i = 0; i < n; ++i) vals += " float_val: " + std::to_string((i * 7 % 13 - 6) / 8.0);
  return "node { name: \"" + name +
         "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: \"value\" "
         "value { tensor { dtype: DT_FLOAT tensor_shape {" +
         dims(shape) + " }" + vals + " } } } }\n";
}

std::string op(const std::string& name, const std::string& type,
               const std::vector<std::string>& inputs, const std::string& attrs) {
  std::string s = "node { name: \"" + name + "\" op: \"" + type + "\"";
  for (const auto& i : inputs) s += " input: \"" + i + "\"";
  return s + " attr { key: \"T\" value { type: DT_FLOAT } }" + attrs + " }\n";
}

// x [1,8,8,3] -> Conv2D 3x3 SAME to 16 channels (4096 B) -> MaxPool (k, s, padding) -> Relu ->
// Conv2D 1x1 (16 -> 16).
std::string conv_pool_graph(int64_t k, int64_t s, const char* padding) {
  const std::string pad =
      std::string(" attr { key: \"padding\" value { s: \"") + padding + "\" } }";
  return "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } }"
         " attr { key: \"shape\" value { shape {" +
         dims({1, 8, 8, 3}) + " } } } }\n" + constant("w0", {3, 3, 3, 16}) +
         constant("w1", {1, 1, 16, 16}) +
         op("c0", "Conv2D", {"x", "w0"},
            ints("strides", {1, 1, 1, 1}) + " attr { key: \"padding\" value { s: \"SAME\" } }") +
         op("p", "MaxPool", {"c0"},
            ints("ksize", {1, k, k, 1}) + ints("strides", {1, s, s, 1}) + pad) +
         op("r", "Relu", {"p"}, "") +
         op("y", "Conv2D", {"r", "w1"},
            ints("strides", {1, 1, 1, 1}) + " attr { key: \"padding\" value { s: \"VALID\" } }");
}

struct Result {
  PlanStats stats;
  std::vector<float> y;
};

Result run_planner(const std::string& graph, std::vector<std::string> fetches,
                   bool reference = false) {
  SessionOptions o;
  o.threads = 1;
  o.reference_kernels_only = reference;
  Session s(parse_graphdef_text(graph, "conv_pool.pbtxt"), o);
  std::vector<float> xv(8 * 8 * 3);
  for (size_t i = 0; i < xv.size(); ++i) xv[i] = static_cast<float>(i % 11) / 5.0f - 1.0f;
  const std::vector<Tensor> out =
      s.run({{"x", Tensor::from_vector<float>(Shape{1, 8, 8, 3}, xv)}}, fetches);
  Result r{s.last_stats(), {}};
  for (int64_t i = 0; i < out[0].num_elements(); ++i)
    r.y.push_back(static_cast<float>(out[0].element_as_double(i)));
  return r;
}

// Outputs: c0 4096 B, p 1024 B, r 1024 B (in place over p), y 1024 B: naive 7168 B.
TEST(PlanMemory, MaxPoolWritesOverItsConvInput) {
  const std::string g = conv_pool_graph(2, 2, "VALID");
  const Result r = run_planner(g, {"y"});
  EXPECT_EQ(r.stats.naive_bytes, 7168u);
  EXPECT_EQ(r.stats.arena_bytes, 4096u);  // was 5120 without the in-place MaxPool
  EXPECT_EQ(r.stats.live_peak_bytes, 4096u);
  EXPECT_EQ(r.stats.inplace, 2);  // MaxPool over c0, Relu over p
  // The same kernels with c0 kept alive (fetched) run nothing in place: same values, more bytes.
  const Result kept = run_planner(g, {"y", "c0"});
  EXPECT_EQ(kept.stats.arena_bytes, 6144u);
  EXPECT_EQ(kept.stats.inplace, 1);
  EXPECT_EQ(r.y, kept.y);
  // The reference kernels never pool in place.
  const Result ref = run_planner(g, {"y"}, true);
  EXPECT_EQ(ref.stats.arena_bytes, 5120u);
  EXPECT_EQ(ref.stats.inplace, 1);
}

TEST(PlanMemory, UnsafePoolingWindowStaysOutOfPlace) {
  // 7x7 SAME, stride 2, over 8x8: padding 2 on the left and top, so output (0, 1) reads input
  // position (0, 0), already overwritten by output (0, 0). The MaxPool output has its own bytes.
  const std::string g = conv_pool_graph(7, 2, "SAME");
  const Result r = run_planner(g, {"y"});
  EXPECT_EQ(r.stats.naive_bytes, 7168u);
  EXPECT_EQ(r.stats.arena_bytes, 5120u);
  EXPECT_EQ(r.stats.inplace, 1);  // the Relu only
  EXPECT_EQ(r.y, run_planner(g, {"y", "c0"}).y);
}

}  // namespace
}  // namespace aamp
