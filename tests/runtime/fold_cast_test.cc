// Folded input casts (SessionOptions::fold_input_casts): the Cast of a float32 graph input to
// bfloat16 that feeds a MatMul is done by the MatMul's kernel block by block, so mixed precision
// takes no arena memory for a low-precision copy of the input (an MLP's BF16 arena was 331% of
// its FP32 one); the results do not change; a reader that cannot fold gets the Cast as a step.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "aamp/io/graph_io.h"
#include "aamp/runtime/session.h"

namespace aamp {
namespace {

std::string weights(const std::string& name, int rows, int cols, const std::string& dtype) {
  std::string vals;
  for (int i = 0; i < rows * cols; ++i) vals += " float_val: " + std::to_string((i % 7 - 3) * 0.05);
  return "node { name: \"" + name +
         "\" op: \"Const\" attr { key: \"dtype\" value { type: " + dtype +
         " } } attr { key: \"value\" value { tensor { dtype: DT_FLOAT tensor_shape { dim "
         "{ size: " +
         std::to_string(rows) + " } dim { size: " + std::to_string(cols) + " } }" + vals +
         " } } } }\n";
}

// x [?, 96] float32 -> Cast bf16 -> _FusedMatMul [BiasAdd, Relu] -> MatMul -> Cast f32 -> out,
// plus whatever `extra` adds. The weights are given as float32 values and held as bfloat16.
std::string mlp(const std::string& extra = "") {
  std::string g =
      "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } } "
      "attr { key: \"shape\" value { shape { dim { size: -1 } dim { size: 96 } } } } }\n"
      "node { name: \"xc\" op: \"Cast\" input: \"x\" attr { key: \"SrcT\" value { type: DT_FLOAT "
      "} } attr { key: \"DstT\" value { type: DT_BFLOAT16 } } }\n";
  g += weights("w1f", 96, 32, "DT_FLOAT") + weights("w2f", 32, 8, "DT_FLOAT");
  g += "node { name: \"bf\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { "
       "key: \"value\" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 32 } } "
       "float_val: 0.1 } } } }\n";
  for (const std::string w : {"w1", "w2", "b"}) {
    const std::string src = w + "f";
    g += "node { name: \"" + w + "\" op: \"Cast\" input: \"" + src +
         "\" attr { key: \"SrcT\" value { type: DT_FLOAT } } attr { key: \"DstT\" value { type: "
         "DT_BFLOAT16 } } }\n";
  }
  g += "node { name: \"h\" op: \"_FusedMatMul\" input: \"xc\" input: \"w1\" input: \"b\" attr { "
       "key: \"T\" value { type: DT_BFLOAT16 } } attr { key: \"fused_ops\" value { list { s: "
       "\"BiasAdd\" s: \"Relu\" } } } attr { key: \"num_args\" value { i: 1 } } }\n"
       "node { name: \"y\" op: \"MatMul\" input: \"h\" input: \"w2\" attr { key: \"T\" value { "
       "type: DT_BFLOAT16 } } }\n"
       "node { name: \"out\" op: \"Cast\" input: \"y\" attr { key: \"SrcT\" value { type: "
       "DT_BFLOAT16 } } attr { key: \"DstT\" value { type: DT_FLOAT } } }\n";
  return g + extra;
}

Tensor input(int64_t rows) {
  std::vector<float> v(static_cast<size_t>(rows * 96));
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.37 * static_cast<double>(i)) * 2.0;
  return Tensor::from_vector<float>({rows, 96}, v);
}

struct RunResult {
  std::vector<Tensor> out;
  PlanStats stats;
};

RunResult run_fold(const std::string& pbtxt, bool fold, bool reference, int64_t rows,
                   const std::vector<std::string>& fetches = {"out"}) {
  SessionOptions o;
  o.fold_input_casts = fold;
  o.reference_kernels_only = reference;
  Session s(parse_graphdef_text(pbtxt, "mlp.pbtxt"), o);
  RunResult r;
  r.out = s.run({{"x", input(rows)}}, fetches);
  r.stats = s.last_stats();
  return r;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  double m = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i)
    m = std::max(m, std::abs(a.element_as_double(i) - b.element_as_double(i)));
  return m;
}

double max_abs(const Tensor& a) {
  double m = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i) m = std::max(m, std::abs(a.element_as_double(i)));
  return m;
}

TEST(FoldInputCast, ArenaHoldsNoLowPrecisionCopyOfTheInput) {
  // 3000 rows: several blocks of the folding kernel and a last one that overlaps.
  for (bool reference : {false, true}) {
    const RunResult folded = run_fold(mlp(), true, reference, 3000);
    const RunResult plain = run_fold(mlp(), false, reference, 3000);
    EXPECT_EQ(folded.stats.folded_casts, 1) << reference;
    EXPECT_EQ(plain.stats.folded_casts, 0);
    EXPECT_EQ(folded.stats.steps, plain.stats.steps - 1);
    // Unfolded, the peak is the input's bfloat16 copy (3000 x 96 x 2 bytes) with h (3000 x 32 x
    // 2); folded, h with y (3000 x 8 x 2).
    EXPECT_EQ(plain.stats.arena_bytes, 3000u * 96 * 2 + 3000 * 32 * 2) << reference;
    EXPECT_EQ(folded.stats.arena_bytes, 3000u * 32 * 2 + 3000 * 8 * 2) << reference;
    ASSERT_EQ(folded.out[0].shape(), Shape({3000, 8}));
    if (reference) {  // the same arithmetic, the same bits
      EXPECT_TRUE(folded.out[0].same_content(plain.out[0]));
    } else {  // oneDNN may block the rows differently: the same within bfloat16 rounding
      EXPECT_LE(max_abs_diff(folded.out[0], plain.out[0]), 1e-2 * max_abs(plain.out[0]));
    }
  }
}

TEST(FoldInputCast, ReaderThatCannotFoldGetsTheCastAsAStep) {
  // The Cast also feeds a Relu and is fetched itself: it is computed once, as a step.
  const std::string g =
      mlp("node { name: \"r\" op: \"Relu\" input: \"xc\" attr { key: \"T\" value { type: "
          "DT_BFLOAT16 } } }\n");
  const RunResult folded = run_fold(g, true, false, 5, {"out", "r", "xc"});
  const RunResult plain = run_fold(g, false, false, 5, {"out", "r", "xc"});
  EXPECT_EQ(folded.stats.steps, plain.stats.steps);
  EXPECT_TRUE(folded.out[2].same_content(plain.out[2]));
  EXPECT_TRUE(folded.out[1].same_content(plain.out[1]));
  EXPECT_EQ(folded.out[0].shape(), Shape({5, 8}));
}

}  // namespace
}  // namespace aamp
