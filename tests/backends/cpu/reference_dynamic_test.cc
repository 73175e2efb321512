// Hand-computed cases for the reference kernels of backends/cpu/reference_dynamic.cc: Where and
// NonMaxSuppressionV3/V4/V5 (value-dependent output shapes: run with an allocator, as the dynamic
// executor does), TopKV2 and SparseToDense (static outputs, k / output_shape read at run time).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"
#include "backends/cpu/kernel_test_util.h"
#include "tensor_test_util.h"

namespace aamp {
namespace {

using testing::boolean;
using testing::f32;
using testing::i32;
using testing::i64;

using testing::KernelCase;

template <typename T>
std::vector<T> values(const Tensor& t) {
  const auto s = t.values<T>();
  return {s.begin(), s.end()};
}

const KernelRegistration& reference(const KernelCase& c) {
  const KernelRegistration* r = testing::find_kernel(c, "reference");
  if (!r) throw std::runtime_error("no reference kernel for " + c.node.op);
  return *r;
}

// Runs a value-dependent kernel the way the dynamic executor does: no output memory up front,
// every output sized by the kernel through ctx.allocate_output. Each output must be allocated.
std::vector<Tensor> run_sized(const KernelCase& c) {
  std::unique_ptr<Kernel> k = reference(c).factory(c.init());
  std::vector<Tensor> outs(c.outputs.size());
  KernelContext ctx;
  for (const Tensor& t : c.inputs)
    ctx.inputs.push_back({t.dtype(), t.shape().dims, const_cast<uint8_t*>(t.raw()), nullptr});
  ctx.outputs.resize(c.outputs.size());
  ctx.allocator = [&](int i, const std::vector<int64_t>& shape) {
    Tensor& t = outs.at(static_cast<size_t>(i));
    t = Tensor(c.outputs[static_cast<size_t>(i)].dtype, Shape(shape));
    return TensorView{t.dtype(), shape, t.mutable_raw(), nullptr};
  };
  k->run(ctx);
  for (size_t i = 0; i < outs.size(); ++i) {
    EXPECT_FALSE(outs[i].empty()) << c.node.op << " did not size output " << i;
    EXPECT_EQ(outs[i].dtype(), c.outputs[i].dtype) << c.node.op << " output " << i;
  }
  return outs;
}

// The error message of running the case, "" when it runs.
std::string error_of(const KernelCase& c, bool sized) {
  try {
    if (sized)
      run_sized(c);
    else
      testing::run_kernel(c, reference(c));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Shape inference of the case's node from its input shapes and constant inputs.
std::vector<Shape> infer(const KernelCase& c) {
  ShapeContext s;
  s.node = &c.node;
  s.info = OpRegistry::global().find(c.node.op);
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    s.input_dtypes.push_back(c.inputs[i].dtype());
    s.input_shapes.push_back(c.inputs[i].shape());
    const bool k = i < c.is_const.size() && c.is_const[i];
    s.input_values.push_back(k ? &c.inputs[i] : nullptr);
  }
  infer_shapes(s);
  return s.output_shapes;
}

// ---- Where ------------------------------------------------------------------------------------

KernelCase where_case(Tensor x) {
  KernelCase c{testing::make_node("Where", x.dtype()), {std::move(x)}, {}, {}, 1};
  c.outputs = {{DType::kInt64, {-1, static_cast<int64_t>(c.inputs[0].shape().rank())}}};
  return c;
}

TEST(ReferenceDynamic, WhereRank1FloatNonZeroAndNaNAreTrue) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<Tensor> y = run_sized(where_case(f32({6}, {0, 1.5f, 0, -2, nan, -0.0f})));
  EXPECT_EQ(y[0].shape().dims, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(values<int64_t>(y[0]), (std::vector<int64_t>{1, 3, 4}));
}

TEST(ReferenceDynamic, WhereRank3BoolRowMajor) {
  // [2, 2, 3]: true at (0,0,2), (0,1,0), (1,1,1), (1,1,2).
  Tensor x = boolean({2, 2, 3}, {0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1});
  const std::vector<Tensor> y = run_sized(where_case(x));
  EXPECT_EQ(y[0].shape().dims, (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(values<int64_t>(y[0]), (std::vector<int64_t>{0, 0, 2, 0, 1, 0, 1, 1, 1, 1, 1, 2}));
}

TEST(ReferenceDynamic, WhereAllFalseGivesNoRows) {
  const std::vector<Tensor> y = run_sized(where_case(i32({2, 3}, {0, 0, 0, 0, 0, 0})));
  EXPECT_EQ(y[0].shape().dims, (std::vector<int64_t>{0, 2}));
}

TEST(ReferenceDynamic, WhereRank0) {
  std::vector<Tensor> y = run_sized(where_case(boolean({}, {1})));
  EXPECT_EQ(y[0].shape().dims, (std::vector<int64_t>{1, 0}));
  y = run_sized(where_case(boolean({}, {0})));
  EXPECT_EQ(y[0].shape().dims, (std::vector<int64_t>{0, 0}));
}

TEST(ReferenceDynamic, WhereIntInputAndShapeFunction) {
  KernelCase c = where_case(i64({2, 2}, {0, 7, -1, 0}));
  EXPECT_EQ(values<int64_t>(run_sized(c)[0]), (std::vector<int64_t>{0, 1, 1, 0}));
  EXPECT_EQ(infer(c)[0].dims, (std::vector<int64_t>{-1, 2}));
  EXPECT_TRUE(OpRegistry::global().has_trait("Where", &OpTraits::value_dependent_shape));
}

// ---- NonMaxSuppression ------------------------------------------------------------------------

// Six boxes in three pairs of heavy overlap (IoU 0.9 / 1.1 = 0.818) and one alone:
// 0 [0,0,1,1] .9   1 [0,.1,1,1.1] .75   2 [0,-.1,1,.9] .6
// 3 [0,10,1,11] .95   4 [0,10.1,1,11.1] .5   5 [0,100,1,101] .3
const std::vector<float> kBoxes = {0, 0,    1, 1,    0, 0.1f,  1, 1.1f,  0, -0.1f, 1, 0.9f,
                                   0, 10.f, 1, 11.f, 0, 10.1f, 1, 11.1f, 0, 100.f, 1, 101.f};
const std::vector<float> kScores = {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f};

KernelCase nms_case(const std::string& op, std::vector<float> boxes, std::vector<float> scores,
                    int32_t max_out, float iou, float score_threshold, float sigma = 0.0f,
                    bool pad = false) {
  AttrMap a;
  if (op != "NonMaxSuppressionV3") a["pad_to_max_output_size"] = pad;
  if (op != "NonMaxSuppressionV5") a["T_threshold"] = DType::kFloat;
  const int64_t n = static_cast<int64_t>(scores.size());
  KernelCase c{testing::make_node(op, DType::kFloat, a), {}, {}, {}, 1};
  c.inputs = {f32({n, 4}, std::move(boxes)), f32({n}, std::move(scores)), i32({}, {max_out}),
              f32({}, {iou}), f32({}, {score_threshold})};
  if (op == "NonMaxSuppressionV5") c.inputs.push_back(f32({}, {sigma}));
  c.is_const = {false, false, true, true, true, true};
  c.outputs = {{DType::kInt32, {-1}}};
  if (op == "NonMaxSuppressionV4") c.outputs.push_back({DType::kInt32, {}});
  if (op == "NonMaxSuppressionV5")
    c.outputs.insert(c.outputs.end(), {{DType::kFloat, {-1}}, {DType::kInt32, {}}});
  return c;
}

std::vector<int32_t> nms3(std::vector<float> boxes, std::vector<float> scores, int32_t max_out,
                          float iou = 0.5f,
                          float score_threshold = -std::numeric_limits<float>::infinity()) {
  const std::vector<Tensor> y = run_sized(nms_case(
      "NonMaxSuppressionV3", std::move(boxes), std::move(scores), max_out, iou, score_threshold));
  EXPECT_EQ(y[0].shape().rank(), 1);
  return values<int32_t>(y[0]);
}

TEST(ReferenceDynamic, NmsV3GreedyByScore) {
  EXPECT_EQ(nms3(kBoxes, kScores, 3), (std::vector<int32_t>{3, 0, 5}));
  EXPECT_EQ(nms3(kBoxes, kScores, 6), (std::vector<int32_t>{3, 0, 5}));
  EXPECT_EQ(nms3(kBoxes, kScores, 2), (std::vector<int32_t>{3, 0}));
  // A high IoU threshold keeps the overlapping boxes.
  EXPECT_EQ(nms3(kBoxes, kScores, 6, 0.9f), (std::vector<int32_t>{3, 0, 1, 2, 4, 5}));
}

TEST(ReferenceDynamic, NmsV3CornersInAnyOrder) {
  // Each box given by its other diagonal or with both corners swapped: the same boxes.
  std::vector<float> flipped = kBoxes;
  for (size_t b = 0; b < 6; ++b) {
    float* p = flipped.data() + b * 4;
    if (b % 2)
      std::swap(p[0], p[2]), std::swap(p[1], p[3]);
    else
      std::swap(p[0], p[2]);
  }
  EXPECT_EQ(nms3(flipped, kScores, 6), (std::vector<int32_t>{3, 0, 5}));
}

TEST(ReferenceDynamic, NmsV3ScoreThresholdIsStrict) {
  EXPECT_EQ(nms3(kBoxes, kScores, 6, 0.5f, 0.4f), (std::vector<int32_t>{3, 0}));
  // Scores equal to the threshold are not candidates.
  EXPECT_EQ(nms3(kBoxes, kScores, 6, 0.5f, 0.3f), (std::vector<int32_t>{3, 0}));
  EXPECT_TRUE(nms3(kBoxes, kScores, 6, 0.5f, 0.95f).empty());
}

TEST(ReferenceDynamic, NmsV3EmptyCases) {
  EXPECT_TRUE(nms3({}, {}, 10).empty());          // no boxes
  EXPECT_TRUE(nms3(kBoxes, kScores, 0).empty());  // max_output_size 0
}

TEST(ReferenceDynamic, NmsV3TiesTakeTheLowerIndexFirst) {
  // Three disjoint boxes of equal score, then two identical boxes of equal score.
  EXPECT_EQ(nms3({0, 0, 1, 1, 0, 2, 1, 3, 0, 4, 1, 5}, {0.5f, 0.5f, 0.5f}, 3),
            (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(nms3({0, 0, 1, 1, 0, 0, 1, 1}, {0.7f, 0.7f}, 2), (std::vector<int32_t>{0}));
  EXPECT_EQ(nms3({0, 0, 1, 1, 0, 0, 1, 1, 5, 5, 6, 6}, {0.2f, 0.7f, 0.7f}, 3),
            (std::vector<int32_t>{1, 2}));
}

TEST(ReferenceDynamic, NmsV3IouEqualToTheThresholdKeepsTheBox) {
  // IoU([0,0,1,1], [0,0,1,.5]) = .5 / 1 exactly: TensorFlow suppresses only IoU > threshold.
  const std::vector<float> b = {0, 0, 1, 1, 0, 0, 1, 0.5f};
  EXPECT_EQ(nms3(b, {0.9f, 0.8f}, 2, 0.5f), (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(nms3(b, {0.9f, 0.8f}, 2, 0.49f), (std::vector<int32_t>{0}));
}

TEST(ReferenceDynamic, NmsV3ZeroAreaBoxesNeverOverlap) {
  // Box 1 is a line inside box 0: IoU 0, even at threshold 0.
  EXPECT_EQ(nms3({0, 0, 1, 1, 0, 0.5f, 1, 0.5f}, {0.9f, 0.8f}, 2, 0.0f),
            (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(nms3({0, 0, 1, 1, 0, 0.5f, 1, 0.6f}, {0.9f, 0.8f}, 2, 0.0f), (std::vector<int32_t>{0}));
}

TEST(ReferenceDynamic, NmsV4PadsToMaxOutputSize) {
  KernelCase c = nms_case("NonMaxSuppressionV4", kBoxes, kScores, 5, 0.5f, -1e9f, 0.0f, true);
  std::vector<Tensor> y = run_sized(c);
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{3, 0, 5, 0, 0}));
  EXPECT_EQ(y[1].shape().rank(), 0);
  EXPECT_EQ(values<int32_t>(y[1]), (std::vector<int32_t>{3}));
  EXPECT_EQ(infer(c)[0].dims, (std::vector<int64_t>{5}));  // padded: known from max_output_size
  // Without padding: only the selected boxes.
  c = nms_case("NonMaxSuppressionV4", kBoxes, kScores, 5, 0.5f, -1e9f, 0.0f, false);
  y = run_sized(c);
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{3, 0, 5}));
  EXPECT_EQ(values<int32_t>(y[1]), (std::vector<int32_t>{3}));
  EXPECT_EQ(infer(c)[0].dims, (std::vector<int64_t>{-1}));
  // Nothing selected, padded.
  y = run_sized(nms_case("NonMaxSuppressionV4", kBoxes, kScores, 2, 0.5f, 1.0f, 0.0f, true));
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{0, 0}));
  EXPECT_EQ(values<int32_t>(y[1]), (std::vector<int32_t>{0}));
}

TEST(ReferenceDynamic, NmsV5SigmaZeroIsHardNms) {
  std::vector<Tensor> y =
      run_sized(nms_case("NonMaxSuppressionV5", kBoxes, kScores, 6, 0.5f, -1e9f, 0.0f, false));
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{3, 0, 5}));
  EXPECT_EQ(values<float>(y[1]), (std::vector<float>{0.95f, 0.9f, 0.3f}));
  EXPECT_EQ(values<int32_t>(y[2]), (std::vector<int32_t>{3}));
  y = run_sized(
      nms_case("NonMaxSuppressionV5", kBoxes, kScores, 4, 0.5f, -1e9f, 0.0f, /*pad=*/true));
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{3, 0, 5, 0}));
  EXPECT_EQ(values<float>(y[1]), (std::vector<float>{0.95f, 0.9f, 0.3f, 0.0f}));
  EXPECT_EQ(values<int32_t>(y[2]), (std::vector<int32_t>{3}));
}

TEST(ReferenceDynamic, NmsV5Float16) {
  // float16 boxes and scores (T = half): the same selection, scores rounded to float16.
  KernelCase c = nms_case("NonMaxSuppressionV5", kBoxes, kScores, 6, 0.5f, -1e4f);
  c.node.attrs["T"] = DType::kHalf;
  for (size_t i : {0, 1, 3, 4, 5}) c.inputs[i] = c.inputs[i].cast_float(DType::kHalf);
  c.outputs[1].dtype = DType::kHalf;
  const std::vector<Tensor> y = run_sized(c);
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{3, 0, 5}));
  EXPECT_EQ(testing::to_float_vec(y[1]),
            testing::to_float_vec(f32({3}, {0.95f, 0.9f, 0.3f}).cast_float(DType::kHalf)));
}

// Box 0 [0,0,1,1] .9, box 1 [0,0,1,.5] .8 (IoU with box 0: .5), box 2 [0,2,1,3] .7 (disjoint).
const std::vector<float> kSoftBoxes = {0, 0, 1, 1, 0, 0, 1, 0.5f, 0, 2, 1, 3};
const std::vector<float> kSoftScores = {0.9f, 0.8f, 0.7f};

TEST(ReferenceDynamic, NmsV5SoftNmsReweightsAndReorders) {
  // sigma .5: box 1's score becomes .8 * exp(-.5^2 / (2 * .5)) = .8 * exp(-.25) = .623041, below
  // box 2's .7, so box 2 comes second.
  const float soft = 0.8f * std::exp(-0.25f);
  std::vector<Tensor> y =
      run_sized(nms_case("NonMaxSuppressionV5", kSoftBoxes, kSoftScores, 3, 1.0f, 0.0f, 0.5f));
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{0, 2, 1}));
  const std::vector<float> s = values<float>(y[1]);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_FLOAT_EQ(s[0], 0.9f);
  EXPECT_FLOAT_EQ(s[1], 0.7f);
  EXPECT_NEAR(s[2], 0.6230406f, 1e-6f);
  EXPECT_FLOAT_EQ(s[2], soft);
  EXPECT_EQ(values<int32_t>(y[2]), (std::vector<int32_t>{3}));
  // A re-weighted score at or below score_threshold drops the box.
  y = run_sized(nms_case("NonMaxSuppressionV5", kSoftBoxes, kSoftScores, 3, 1.0f, 0.65f, 0.5f));
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(values<float>(y[1]), (std::vector<float>{0.9f, 0.7f}));
  // max_output_size bounds the selection after re-weighting: box 2 (.7) beats box 1 (.62).
  y = run_sized(nms_case("NonMaxSuppressionV5", kSoftBoxes, kSoftScores, 2, 1.0f, 0.0f, 0.5f));
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{0, 2}));
}

TEST(ReferenceDynamic, NmsV5SoftNmsIgnoresIouThreshold) {
  // TensorFlow: with sigma > 0 the IoU threshold does not hard-suppress (TF.js would drop box 1).
  const std::vector<Tensor> y =
      run_sized(nms_case("NonMaxSuppressionV5", kSoftBoxes, kSoftScores, 3, 0.3f, 0.0f, 0.5f));
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{0, 2, 1}));
}

TEST(ReferenceDynamic, NmsBadArgumentsNameTheNode) {
  std::string e = error_of(nms_case("NonMaxSuppressionV3", kBoxes, kScores, 3, 1.5f, 0.0f), true);
  EXPECT_NE(e.find("'test_NonMaxSuppressionV3'"), std::string::npos) << e;
  EXPECT_NE(e.find("iou_threshold must be in [0, 1]"), std::string::npos) << e;
  e = error_of(nms_case("NonMaxSuppressionV3", kBoxes, kScores, -1, 0.5f, 0.0f), true);
  EXPECT_NE(e.find("max_output_size must be non-negative"), std::string::npos) << e;
  e = error_of(nms_case("NonMaxSuppressionV5", kBoxes, kScores, 3, 0.5f, 0.0f, -1.0f), true);
  EXPECT_NE(e.find("soft_nms_sigma must be non-negative"), std::string::npos) << e;
  KernelCase c = nms_case("NonMaxSuppressionV3", kBoxes, kScores, 3, 0.5f, 0.0f);
  c.inputs[1] = f32({5}, {1, 2, 3, 4, 5});
  e = error_of(c, true);
  EXPECT_NE(e.find("scores must have shape [6]"), std::string::npos) << e;
}

TEST(ReferenceDynamic, NmsRecords) {
  const OpRegistry& r = OpRegistry::global();
  for (const char* op : {"NonMaxSuppressionV3", "NonMaxSuppressionV4", "NonMaxSuppressionV5"}) {
    EXPECT_TRUE(r.has_trait(op, &OpTraits::value_dependent_shape)) << op;
    EXPECT_TRUE(r.has_kernel(op, DeviceKind::kCPU, DType::kFloat)) << op;
  }
  const std::vector<Shape> s =
      infer(nms_case("NonMaxSuppressionV5", kBoxes, kScores, 3, 0.5f, 0.0f));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].dims, (std::vector<int64_t>{-1}));
  EXPECT_EQ(s[1].dims, (std::vector<int64_t>{-1}));
  EXPECT_EQ(s[2].dims, (std::vector<int64_t>{}));
}

// ---- TopKV2 -----------------------------------------------------------------------------------

// k is not a plan-time constant: the kernel reads it from its input.
KernelCase topk_case(Tensor x, int32_t k, bool sorted = true) {
  std::vector<int64_t> out = x.shape().dims;
  out.back() = k;
  AttrMap a{{"sorted", sorted}};
  KernelCase c{testing::make_node("TopKV2", x.dtype(), a), {std::move(x), i32({}, {k})}, {}, {}, 1};
  c.outputs = {{c.inputs[0].dtype(), out}, {DType::kInt32, out}};
  return c;
}

TEST(ReferenceDynamic, TopKLargestFirstTiesByLowerIndex) {
  const KernelCase c = topk_case(f32({2, 5}, {1, 3, 3, 2, 5, -1, -1, -1, 0, -2}), 3);
  const std::vector<Tensor> y = testing::run_kernel(c, reference(c));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{5, 3, 3, 0, -1, -1}));
  EXPECT_EQ(values<int32_t>(y[1]), (std::vector<int32_t>{4, 1, 2, 3, 0, 1}));
}

TEST(ReferenceDynamic, TopKWholeRowAndInt32) {
  const KernelCase c = topk_case(i32({4}, {7, -3, 7, 10}), 4);
  const std::vector<Tensor> y = testing::run_kernel(c, reference(c));
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{10, 7, 7, -3}));
  EXPECT_EQ(values<int32_t>(y[1]), (std::vector<int32_t>{3, 0, 2, 1}));
}

TEST(ReferenceDynamic, TopKZeroAndUnsorted) {
  KernelCase c = topk_case(f32({2, 3}, {1, 2, 3, 4, 5, 6}), 0);
  std::vector<Tensor> y = testing::run_kernel(c, reference(c));
  EXPECT_EQ(y[0].shape().dims, (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(y[1].shape().dims, (std::vector<int64_t>{2, 0}));
  // sorted = false: the same k entries (this kernel keeps them in sorted order).
  c = topk_case(f32({1, 4}, {0.5f, 2, -1, 3}), 2, false);
  y = testing::run_kernel(c, reference(c));
  EXPECT_EQ(values<int32_t>(y[1]), (std::vector<int32_t>{3, 1}));
}

TEST(ReferenceDynamic, TopKNaNRanksFirst) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const KernelCase c = topk_case(f32({4}, {1, nan, 2, nan}), 3);
  const std::vector<Tensor> y = testing::run_kernel(c, reference(c));
  EXPECT_EQ(values<int32_t>(y[1]), (std::vector<int32_t>{1, 3, 2}));
}

TEST(ReferenceDynamic, TopKErrorsNameTheNode) {
  KernelCase c = topk_case(f32({3}, {1, 2, 3}), 3);
  c.inputs[1] = i32({}, {4});  // k larger than the row
  std::string e = error_of(c, false);
  EXPECT_NE(e.find("'test_TopKV2'"), std::string::npos) << e;
  EXPECT_NE(e.find("at least k = 4"), std::string::npos) << e;
  c.inputs[1] = i32({}, {2});  // k differs from the planned outputs
  e = error_of(c, false);
  EXPECT_NE(e.find("does not match the planned output"), std::string::npos) << e;
  // The shape function gives [..., k] from a constant k, and refuses a negative k.
  c = topk_case(f32({2, 3}, {1, 2, 3, 4, 5, 6}), 2);
  c.is_const = {false, true};
  EXPECT_EQ(infer(c)[1].dims, (std::vector<int64_t>{2, 2}));
  c.inputs[1] = i32({}, {-1});
  EXPECT_THROW(infer(c), Error);
  e = error_of(c, false);
  EXPECT_NE(e.find("k must be non-negative"), std::string::npos) << e;
}

// ---- SparseToDense ----------------------------------------------------------------------------

// output_shape is not a plan-time constant: the kernel reads it from its input.
KernelCase s2d_case(Tensor indices, std::vector<int64_t> shape, Tensor vals, Tensor dflt,
                    bool validate = true) {
  const DType ti = indices.dtype();
  const DType t = vals.dtype();
  AttrMap a{{"validate_indices", validate}, {"Tindices", ti}};
  Tensor shape_t = ti == DType::kInt64 ? i64({static_cast<int64_t>(shape.size())}, shape)
                                       : i32({static_cast<int64_t>(shape.size())},
                                             std::vector<int32_t>(shape.begin(), shape.end()));
  KernelCase c{testing::make_node("SparseToDense", t, a),
               {std::move(indices), std::move(shape_t), std::move(vals), std::move(dflt)},
               {},
               {},
               1};
  c.outputs = {{t, shape}};
  return c;
}

TEST(ReferenceDynamic, SparseToDenseVectorIndices) {
  const KernelCase c = s2d_case(i32({3}, {0, 2, 4}), {5}, f32({3}, {1, 2, 3}), f32({}, {-1}));
  EXPECT_EQ(values<float>(testing::run_kernel(c, reference(c))[0]),
            (std::vector<float>{1, -1, 2, -1, 3}));
}

TEST(ReferenceDynamic, SparseToDenseMatrixIndicesScalarValue) {
  const KernelCase c = s2d_case(i64({2, 2}, {0, 1, 1, 0}), {2, 3}, i32({}, {7}), i32({}, {-1}));
  EXPECT_EQ(values<int32_t>(testing::run_kernel(c, reference(c))[0]),
            (std::vector<int32_t>{-1, 7, -1, 7, -1, -1}));
}

TEST(ReferenceDynamic, SparseToDenseScalarIndexAndNoIndices) {
  KernelCase c = s2d_case(i32({}, {2}), {4}, f32({}, {5}), f32({}, {0}));
  EXPECT_EQ(values<float>(testing::run_kernel(c, reference(c))[0]),
            (std::vector<float>{0, 0, 5, 0}));
  // nanodet's case: int64 indices [0, 1] and values [0], everything default.
  c = s2d_case(i64({0, 1}, {}), {3}, i64({0}, {}), i64({}, {9}));
  EXPECT_EQ(values<int64_t>(testing::run_kernel(c, reference(c))[0]),
            (std::vector<int64_t>{9, 9, 9}));
}

TEST(ReferenceDynamic, SparseToDenseBoolValues) {
  const KernelCase c = s2d_case(i32({2}, {1, 3}), {4}, boolean({2}, {1, 1}), boolean({}, {0}));
  const std::vector<Tensor> y = testing::run_kernel(c, reference(c));
  EXPECT_EQ(std::vector<uint8_t>(y[0].raw(), y[0].raw() + 4), (std::vector<uint8_t>{0, 1, 0, 1}));
}

TEST(ReferenceDynamic, SparseToDenseOutOfRangeNamesTheNode) {
  // [0, 3] is in the flat range of [2, 3] but not in its dim 1.
  const KernelCase c = s2d_case(i32({1, 2}, {0, 3}), {2, 3}, f32({1}, {1}), f32({}, {0}));
  const std::string e = error_of(c, false);
  EXPECT_NE(e.find("'test_SparseToDense'"), std::string::npos) << e;
  EXPECT_NE(e.find("sparse_indices[0] = [0,3] is out of bounds"), std::string::npos) << e;
  EXPECT_NE(error_of(s2d_case(i32({1}, {-1}), {3}, f32({1}, {1}), f32({}, {0})), false)
                .find("out of bounds"),
            std::string::npos);
}

TEST(ReferenceDynamic, SparseToDenseValidateIndices) {
  // Out of order and repeated: errors with validate_indices; without it, the last write wins.
  KernelCase c = s2d_case(i32({3}, {2, 0, 0}), {3}, f32({3}, {1, 2, 3}), f32({}, {0}));
  std::string e = error_of(c, false);
  EXPECT_NE(e.find("sparse_indices[1] = [0] is out of order"), std::string::npos) << e;
  c = s2d_case(i32({3}, {0, 2, 2}), {3}, f32({3}, {1, 2, 3}), f32({}, {0}));
  e = error_of(c, false);
  EXPECT_NE(e.find("sparse_indices[2] = [2] is repeated"), std::string::npos) << e;
  c = s2d_case(i32({3}, {2, 0, 0}), {3}, f32({3}, {1, 2, 3}), f32({}, {0}), false);
  EXPECT_EQ(values<float>(testing::run_kernel(c, reference(c))[0]), (std::vector<float>{3, 0, 1}));
}

TEST(ReferenceDynamic, SparseToDenseBadShapes) {
  KernelCase c = s2d_case(i32({2}, {0, 1}), {3}, f32({3}, {1, 2, 3}), f32({}, {0}));
  EXPECT_NE(error_of(c, false).find("sparse_values must be a scalar or have shape [2]"),
            std::string::npos);
  c = s2d_case(i32({2, 2}, {0, 0, 1, 1}), {3}, f32({}, {1}), f32({}, {0}));
  EXPECT_NE(error_of(c, false).find("output_shape has 1 entries but sparse_indices index 2 dims"),
            std::string::npos);
}

}  // namespace
}  // namespace aamp
