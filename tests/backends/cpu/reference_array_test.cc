// Hand-computed cases for the reference array, reduction and image kernels
// (backends/cpu/reference_{array,reduce,image}.cc).
#include <gtest/gtest.h>

#include <numeric>

#include "backends/cpu/kernel_test_util.h"
#include "tensor_test_util.h"

namespace aamp {
namespace {

using testing::f32;
using testing::i32;

using testing::KernelCase;

Tensor iota(std::vector<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0.0f);
  return f32(std::move(shape), v);
}

// A case whose inputs after the first are plan-time constants (axes, paddings, ...).
KernelCase array_case(const std::string& op, std::vector<Tensor> inputs, std::vector<int64_t> out,
                      AttrMap attrs = {}, DType out_type = DType::kInvalid) {
  const DType t = inputs.at(0).dtype();
  KernelCase c{testing::make_node(op, t, std::move(attrs)), std::move(inputs), {}, {}, 1};
  c.is_const.assign(c.inputs.size(), true);
  c.is_const[0] = false;
  c.outputs = {{out_type == DType::kInvalid ? t : out_type, std::move(out)}};
  return c;
}

std::vector<Tensor> run_array_ref(const KernelCase& c) {
  const KernelRegistration* r = testing::find_kernel(c, "reference");
  EXPECT_NE(r, nullptr) << "no reference kernel for " << c.node.op;
  if (!r) return {};
  return testing::run_kernel(c, *r);
}

void expect_values(const KernelCase& c, const std::vector<float>& want, float tol = 0.0f) {
  const std::vector<Tensor> got = run_array_ref(c);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].shape().dims, c.outputs[0].shape) << c.node.op;
  const std::vector<float> v = testing::to_float_vec(got[0]);
  ASSERT_EQ(v.size(), want.size()) << c.node.op;
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(v[i], want[i], tol) << c.node.op << " element " << i;
}

// ---- StridedSlice / Slice ---------------------------------------------------------------------

TEST(ReferenceArray, StridedSliceBeginEndShrinkMasks) {
  // x[:, 1, 1::2] of a [2,3,4] iota.
  AttrMap a{{"begin_mask", int64_t{1}}, {"end_mask", int64_t{1}}, {"shrink_axis_mask", int64_t{2}}};
  KernelCase c = array_case(
      "StridedSlice",
      {iota({2, 3, 4}), i32({3}, {0, 1, 1}), i32({3}, {0, 2, 4}), i32({3}, {1, 1, 2})}, {2, 2}, a);
  expect_values(c, {5, 7, 17, 19});
}

TEST(ReferenceArray, StridedSliceEllipsisNewAxisNegativeStride) {
  // x[..., newaxis, ::-1] of a [2,3,4] iota -> [2,3,1,4].
  AttrMap a{{"ellipsis_mask", int64_t{1}},
            {"new_axis_mask", int64_t{2}},
            {"begin_mask", int64_t{4}},
            {"end_mask", int64_t{4}}};
  KernelCase c =
      array_case("StridedSlice",
                 {iota({2, 3, 4}), i32({3}, {0, 0, 0}), i32({3}, {0, 0, 0}), i32({3}, {1, 1, -1})},
                 {2, 3, 1, 4}, a);
  expect_values(
      c, {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 19, 18, 17, 16, 23, 22, 21, 20});
}

TEST(ReferenceArray, StridedSliceNegativeBeginShrinkLast) {
  // x[-1, :, -1] -> [3]: 15, 19, 23.
  AttrMap a{{"shrink_axis_mask", int64_t{5}}, {"begin_mask", int64_t{2}}, {"end_mask", int64_t{2}}};
  KernelCase c = array_case(
      "StridedSlice",
      {iota({2, 3, 4}), i32({3}, {-1, 0, -1}), i32({3}, {0, 0, 0}), i32({3}, {1, 1, 1})}, {3}, a);
  expect_values(c, {15, 19, 23});
}

TEST(ReferenceArray, Slice) {
  KernelCase c = array_case("Slice", {iota({3, 4}), i32({2}, {1, 1}), i32({2}, {-1, 2})}, {2, 2});
  expect_values(c, {5, 6, 9, 10});
}

// ---- Pad --------------------------------------------------------------------------------------

TEST(ReferenceArray, PadAndPadV2) {
  Tensor x = f32({2, 2}, {1, 2, 3, 4});
  Tensor p = i32({2, 2}, {1, 0, 0, 2});
  expect_values(array_case("Pad", {x, p}, {3, 4}), {0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0});
  expect_values(array_case("PadV2", {x, p, Tensor::scalar<float>(9)}, {3, 4}),
                {9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9});
}

// Channel padding (TF.js models' shortcuts): pads on both sides of the last dim, each row one
// copy between two fills; the zero fill and a PadV2 constant.
TEST(ReferenceArray, PadOfTheLastDimOnBothSides) {
  Tensor x = f32({1, 2, 1, 3}, {1, 2, 3, 4, 5, 6});
  Tensor p = i32({4, 2}, {0, 0, 0, 1, 0, 0, 2, 1});
  expect_values(array_case("Pad", {x, p}, {1, 3, 1, 6}),
                {0, 0, 1, 2, 3, 0, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0});
  expect_values(array_case("PadV2", {x, p, Tensor::scalar<float>(-7)}, {1, 3, 1, 6}),
                {-7, -7, 1, 2, 3, -7, -7, -7, 4, 5, 6, -7, -7, -7, -7, -7, -7, -7});
}

TEST(ReferenceArray, MirrorPadReflectAndSymmetric) {
  Tensor x = f32({3}, {1, 2, 3});
  Tensor p = i32({1, 2}, {2, 2});
  expect_values(array_case("MirrorPad", {x, p}, {7}, {{"mode", std::string("REFLECT")}}),
                {3, 2, 1, 2, 3, 2, 1});
  expect_values(array_case("MirrorPad", {x, p}, {7}, {{"mode", std::string("SYMMETRIC")}}),
                {2, 1, 1, 2, 3, 3, 2});
}

// ---- Concat / Pack / Split / Unpack -----------------------------------------------------------

TEST(ReferenceArray, ConcatV2NegativeAxis) {
  KernelCase c = array_case(
      "ConcatV2", {f32({2, 1}, {1, 2}), f32({2, 2}, {3, 4, 5, 6}), i32({}, {-1})}, {2, 3});
  c.is_const = {false, false, true};
  expect_values(c, {1, 3, 4, 2, 5, 6});
}

TEST(ReferenceArray, PackAxis1) {
  KernelCase c = array_case("Pack", {f32({2}, {1, 2}), f32({2}, {3, 4})}, {2, 2},
                            {{"axis", int64_t{1}}, {"N", int64_t{2}}});
  c.is_const = {false, false};
  expect_values(c, {1, 3, 2, 4});
}

TEST(ReferenceArray, SplitAndUnpack) {
  KernelCase c{testing::make_node("Split", DType::kFloat, {{"num_split", int64_t{2}}}),
               {i32({}, {1}), iota({2, 4})},
               {true, false},
               {},
               1};
  c.outputs = {{DType::kFloat, {2, 2}}, {DType::kFloat, {2, 2}}};
  std::vector<Tensor> got = run_array_ref(c);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(testing::to_float_vec(got[0]), (std::vector<float>{0, 1, 4, 5}));
  EXPECT_EQ(testing::to_float_vec(got[1]), (std::vector<float>{2, 3, 6, 7}));

  KernelCase u{testing::make_node("Unpack", DType::kFloat, {{"axis", int64_t{1}}}),
               {iota({2, 2})},
               {false},
               {},
               1};
  u.outputs = {{DType::kFloat, {2}}, {DType::kFloat, {2}}};
  got = run_array_ref(u);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(testing::to_float_vec(got[0]), (std::vector<float>{0, 2}));
  EXPECT_EQ(testing::to_float_vec(got[1]), (std::vector<float>{1, 3}));
}

// ---- Transpose / Tile / Gather / misc ---------------------------------------------------------

TEST(ReferenceArray, Transpose) {
  expect_values(
      array_case("Transpose", {f32({2, 3}, {1, 2, 3, 4, 5, 6}), i32({2}, {1, 0})}, {3, 2}),
      {1, 4, 2, 5, 3, 6});
  // [2,3,4] -> perm [2,0,1] -> [4,2,3]: out[k,i,j] = x[i,j,k] = 12i + 4j + k.
  std::vector<float> want;
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) want.push_back(static_cast<float>(12 * i + 4 * j + k));
  expect_values(array_case("Transpose", {iota({2, 3, 4}), i32({3}, {2, 0, 1})}, {4, 2, 3}), want);
}

TEST(ReferenceArray, Tile) {
  expect_values(array_case("Tile", {f32({1, 2}, {1, 2}), i32({2}, {2, 2})}, {2, 4}),
                {1, 2, 1, 2, 1, 2, 1, 2});
}

TEST(ReferenceArray, GatherV2Axis0And1) {
  Tensor p = f32({3, 2}, {1, 2, 3, 4, 5, 6});
  KernelCase c = array_case("GatherV2", {p, i32({2}, {2, 0}), i32({}, {0})}, {2, 2});
  c.is_const = {false, false, true};
  expect_values(c, {5, 6, 1, 2});
  KernelCase d = array_case("GatherV2", {p, i32({3, 1}, {1, 0, 1}), i32({}, {1})}, {3, 3, 1});
  d.is_const = {false, false, true};
  expect_values(d, {2, 1, 2, 4, 3, 4, 6, 5, 6});
}

TEST(ReferenceArray, GatherNd) {
  KernelCase c = array_case("GatherNd", {iota({2, 3}), i32({2, 2}, {1, 2, 0, 1})}, {2});
  c.is_const = {false, false};
  expect_values(c, {5, 1});
}

TEST(ReferenceArray, DepthToSpaceAndBack) {
  Tensor x = f32({1, 1, 1, 4}, {0, 1, 2, 3});
  expect_values(array_case("DepthToSpace", {x}, {1, 2, 2, 1}, {{"block_size", int64_t{2}}}),
                {0, 1, 2, 3});
  // [1,2,2,2] -> [1,1,1,8] channel order: (by, bx, c).
  expect_values(
      array_case("SpaceToDepth", {iota({1, 2, 2, 2})}, {1, 1, 1, 8}, {{"block_size", int64_t{2}}}),
      {0, 1, 2, 3, 4, 5, 6, 7});
  // DepthToSpace of [1,1,2,4] (two pixels) -> [1,2,4,1].
  expect_values(
      array_case("DepthToSpace", {iota({1, 1, 2, 4})}, {1, 2, 4, 1}, {{"block_size", int64_t{2}}}),
      {0, 1, 4, 5, 2, 3, 6, 7});
}

TEST(ReferenceArray, SpaceToBatchNDPadsAndInterleaves) {
  // [1,2,4,1] rows [1,2,3,4] / [5,6,7,8], block [2,2], width padded by 2 before: padded rows
  // [0,0,1,2,3,4] / [0,0,5,6,7,8]; output batch g1*2+g2 reads padded[g1][2*w + g2].
  KernelCase c = array_case(
      "SpaceToBatchND",
      {f32({1, 2, 4, 1}, {1, 2, 3, 4, 5, 6, 7, 8}), i32({2}, {2, 2}), i32({2, 2}, {0, 0, 2, 0})},
      {4, 1, 3, 1});
  expect_values(c, {0, 1, 3, 0, 2, 4, 0, 5, 7, 0, 6, 8});
  // Two batches, one spatial dim, padding on both sides: output batch g * 2 + b.
  // Padded: [0,1,2,3,4,0] / [0,5,6,7,8,0].
  c = array_case("SpaceToBatchND",
                 {f32({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}), i32({1}, {2}), i32({1, 2}, {1, 1})},
                 {4, 3});
  expect_values(c, {0, 2, 4, 0, 6, 8, 1, 3, 0, 5, 7, 0});
  // Trailing dims move whole: [1,2,2,2] with block [2,2] -> [4,1,1,2], one pixel per batch.
  expect_values(
      array_case("SpaceToBatchND",
                 {iota({1, 2, 2, 2}), i32({2}, {2, 2}), i32({2, 2}, {0, 0, 0, 0})}, {4, 1, 1, 2}),
      {0, 1, 2, 3, 4, 5, 6, 7});
}

TEST(ReferenceArray, BatchToSpaceNDInvertsAndCrops) {
  KernelCase c = array_case("BatchToSpaceND",
                            {f32({4, 1, 3, 1}, {0, 1, 3, 0, 2, 4, 0, 5, 7, 0, 6, 8}),
                             i32({2}, {2, 2}), i32({2, 2}, {0, 0, 2, 0})},
                            {1, 2, 4, 1});
  expect_values(c, {1, 2, 3, 4, 5, 6, 7, 8});
  c = array_case(
      "BatchToSpaceND",
      {f32({4, 3}, {0, 2, 4, 0, 6, 8, 1, 3, 0, 5, 7, 0}), i32({1}, {2}), i32({1, 2}, {1, 1})},
      {2, 4});
  expect_values(c, {1, 2, 3, 4, 5, 6, 7, 8});
  // int32 data, no crops: [4,1,1,1] -> [1,2,2,1].
  c = array_case("BatchToSpaceND",
                 {i32({4, 1, 1, 1}, {1, 2, 3, 4}), i32({2}, {2, 2}), i32({2, 2}, {0, 0, 0, 0})},
                 {1, 2, 2, 1});
  expect_values(c, {1, 2, 3, 4});
}

TEST(ReferenceArray, SpaceToBatchNDMismatchNamesTheNode) {
  // Paddings that do not give the planned output shape.
  KernelCase c = array_case(
      "SpaceToBatchND", {f32({1, 4}, {1, 2, 3, 4}), i32({1}, {2}), i32({1, 2}, {2, 0})}, {2, 2});
  const KernelRegistration* r = testing::find_kernel(c, "reference");
  ASSERT_NE(r, nullptr);
  try {
    testing::run_kernel(c, *r);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'test_SpaceToBatchND'"), std::string::npos) << e.what();
  }
}

TEST(ReferenceArray, OneHotAndBroadcastTo) {
  KernelCase c = array_case(
      "OneHot",
      {i32({3}, {0, 2, 5}), i32({}, {3}), Tensor::scalar<float>(1), Tensor::scalar<float>(0)},
      {3, 3}, {}, DType::kFloat);
  c.node.attrs["T"] = DType::kFloat;
  c.is_const = {false, true, false, false};
  expect_values(c, {1, 0, 0, 0, 0, 1, 0, 0, 0});
  expect_values(array_case("BroadcastTo", {f32({2, 1}, {1, 2}), i32({2}, {2, 3})}, {2, 3}),
                {1, 1, 1, 2, 2, 2});
}

// ---- reductions -------------------------------------------------------------------------------

TEST(ReferenceReduce, MeanOverAxes) {
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_values(array_case("Mean", {x, i32({1}, {1})}, {2}), {2, 5});
  expect_values(array_case("Mean", {x, i32({1}, {-2})}, {1, 3}, {{"keep_dims", true}}),
                {2.5f, 3.5f, 4.5f});
  expect_values(array_case("Mean", {x, i32({2}, {0, 1})}, {}), {3.5f});
  // Non-adjacent axes of [2,3,2]: mean over dims 0 and 2.
  expect_values(array_case("Mean", {iota({2, 3, 2}), i32({2}, {0, 2})}, {3}), {3.5f, 5.5f, 7.5f});
}

TEST(ReferenceReduce, SumMaxMinProdArgMax) {
  Tensor x = f32({2, 3}, {1, -2, 3, 4, 5, -6});
  expect_values(array_case("Sum", {x, i32({1}, {0})}, {3}), {5, 3, -3});
  expect_values(array_case("Max", {x, i32({1}, {1})}, {2}), {3, 5});
  expect_values(array_case("Min", {x, i32({1}, {1})}, {2}), {-2, -6});
  expect_values(array_case("Prod", {x, i32({1}, {1})}, {2}), {-6, -120});
  expect_values(array_case("ArgMax", {x, i32({}, {1})}, {2}, {}, DType::kInt64), {2, 1});
  expect_values(array_case("ArgMin", {x, i32({}, {0})}, {3}, {}, DType::kInt32), {0, 0, 1});
  Tensor n = i32({4}, {7, 1, 2, 3});
  expect_values(array_case("Mean", {n, i32({1}, {0})}, {}), {3});  // integer division
  Tensor h = f32({4}, {1, 2, 3, 4}).cast_float(DType::kBFloat16);
  expect_values(array_case("Sum", {h, i32({1}, {0})}, {}), {10});
}

// ---- resize -----------------------------------------------------------------------------------

Tensor row(std::vector<float> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return f32({1, 1, n, 1}, std::move(v));
}

TEST(ReferenceImage, ResizeBilinearModes) {
  // 2x2 -> 3x3 with align_corners: exact midpoints.
  expect_values(array_case("ResizeBilinear", {f32({1, 2, 2, 1}, {0, 1, 2, 3}), i32({2}, {3, 3})},
                           {1, 3, 3, 1}, {{"align_corners", true}}),
                {0, 0.5f, 1, 1, 1.5f, 2, 2, 2.5f, 3}, 1e-6f);
  // Half-pixel centres: 2 -> 4 samples at -0.25, 0.25, 0.75, 1.25 (clamped).
  expect_values(array_case("ResizeBilinear", {row({0, 1}), i32({2}, {1, 4})}, {1, 1, 4, 1},
                           {{"half_pixel_centers", true}}),
                {0, 0.25f, 0.75f, 1}, 1e-6f);
  // Legacy: 2 -> 4 samples at 0, 0.5, 1, 1.5 (upper clamped).
  expect_values(array_case("ResizeBilinear", {row({0, 1}), i32({2}, {1, 4})}, {1, 1, 4, 1}),
                {0, 0.5f, 1, 1}, 1e-6f);
}

// Lerps in double, rounded once (as TF.js, whose coordinates and lerps are JavaScript numbers):
// every element equals the float64 interpolation rounded to float32, which float32 lerps miss by
// an ulp on many elements (counted, so that this test would fail on them).
// Two images, upsampled (each input row serves several output rows: the kernel keeps an input
// row's horizontal lerps while they are read) and downsampled.
TEST(ReferenceImage, ResizeBilinearRoundsOnce) {
  const int64_t n = 2, h = 5, w = 7, c = 3;
  const Tensor x = testing::random_tensor(DType::kFloat, {n, h, w, c}, 3, -10.0f, 10.0f);
  const std::vector<float> xv = testing::to_float_vec(x);
  int float32_misses = 0;
  for (const auto& [oh, ow] : std::vector<std::pair<int64_t, int64_t>>{{8, 12}, {3, 4}})
    for (const auto& [align, half] :
         std::vector<std::pair<bool, bool>>{{false, false}, {true, false}, {false, true}}) {
      const KernelCase kc =
          array_case("ResizeBilinear", {x, i32({2}, {static_cast<int>(oh), static_cast<int>(ow)})},
                     {n, oh, ow, c}, {{"align_corners", align}, {"half_pixel_centers", half}});
      const std::vector<float> got = testing::to_float_vec(run_array_ref(kc).at(0));
      auto coord = [&](int64_t o, int64_t in, int64_t out, int64_t& lo, int64_t& hi) {
        const double r = align ? double(in - 1) / double(out - 1) : double(in) / double(out);
        const double src = half ? r * (double(o) + 0.5) - 0.5 : r * double(o);
        lo = std::max<int64_t>(0, static_cast<int64_t>(std::floor(src)));
        hi = std::min<int64_t>(in - 1, static_cast<int64_t>(std::ceil(src)));
        return src - static_cast<double>(lo);
      };
      for (int64_t b = 0; b < n; ++b)
        for (int64_t y = 0; y < oh; ++y)
          for (int64_t xo = 0; xo < ow; ++xo)
            for (int64_t k = 0; k < c; ++k) {
              int64_t y0, y1, x0, x1;
              const double fy = coord(y, h, oh, y0, y1), fx = coord(xo, w, ow, x0, x1);
              auto at = [&](int64_t yy, int64_t xx) {
                return xv[static_cast<size_t>(((b * h + yy) * w + xx) * c + k)];
              };
              const double top = at(y0, x0) + (double(at(y0, x1)) - at(y0, x0)) * fx;
              const double bot = at(y1, x0) + (double(at(y1, x1)) - at(y1, x0)) * fx;
              const float want = static_cast<float>(top + (bot - top) * fy);
              const size_t i = static_cast<size_t>(((b * oh + y) * ow + xo) * c + k);
              EXPECT_EQ(got[i], want)
                  << oh << "x" << ow << " align " << align << " half " << half << " element " << i;
              const float ft = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * static_cast<float>(fx);
              const float fb = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * static_cast<float>(fx);
              float32_misses += ft + (fb - ft) * static_cast<float>(fy) != want;
            }
    }
  EXPECT_GT(float32_misses, 20);
}

TEST(ReferenceImage, ResizeNearestModes) {
  Tensor x = row({10, 20, 30});
  expect_values(array_case("ResizeNearestNeighbor", {x, i32({2}, {1, 2})}, {1, 1, 2, 1}), {10, 20});
  expect_values(array_case("ResizeNearestNeighbor", {x, i32({2}, {1, 2})}, {1, 1, 2, 1},
                           {{"align_corners", true}}),
                {10, 30});
  expect_values(array_case("ResizeNearestNeighbor", {x, i32({2}, {1, 2})}, {1, 1, 2, 1},
                           {{"half_pixel_centers", true}}),
                {10, 30});
  expect_values(array_case("ResizeNearestNeighbor", {row({1, 2}), i32({2}, {1, 4})}, {1, 1, 4, 1}),
                {1, 1, 2, 2});
}

}  // namespace
}  // namespace aamp
