// _AampFusedAttention's record: its shape function for the three layouts (unknown dims pass
// through, wrong ranks fail naming the node) and the geometry every backend's kernel works from
// (ops/attention.h: strides per layout, k / v offsets of the packed layout, the mask's broadcast
// strides, errors that name the node).
#include "aamp/ops/attention.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aamp/core/error.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"
#include "ops_test_util.h"

namespace aamp {
namespace {

using ::testing::HasSubstr;
using testing::make_node;

Node attention(const std::string& layout, int args = 0) {
  std::vector<std::string> in = {"q", "k", "v"};
  if (args) in.push_back("mask");
  return make_node("att", "_AampFusedAttention", in,
                   {{"T", DType::kBFloat16},
                    {"layout", AttrValue(layout)},
                    {"scale", 0.125f},
                    {"num_args", int64_t{args}}});
}

Shape infer(const Node& n, const std::vector<Shape>& in) {
  ShapeContext c;
  c.node = &n;
  c.info = OpRegistry::global().find(n.op);
  for (const Shape& s : in) {
    c.input_dtypes.push_back(DType::kBFloat16);
    c.input_shapes.push_back(s);
    c.input_values.push_back(nullptr);
  }
  infer_shapes(c);
  return c.output_shapes.at(0);
}

TEST(AttentionOp, ShapesOfTheThreeLayouts) {
  EXPECT_EQ(
      infer(attention("BHSD"), {Shape{2, 12, 7, 64}, Shape{2, 12, 9, 64}, Shape{2, 12, 9, 32}}),
      (Shape{2, 12, 7, 32}));
  EXPECT_EQ(
      infer(attention("BSHD"), {Shape{-1, 7, 12, 64}, Shape{-1, 9, 12, 64}, Shape{-1, 9, 12, 64}}),
      (Shape{-1, 7, 12, 64}));
  const Shape qkv{-1, 128, 3, 12, 64};
  EXPECT_EQ(infer(attention("BS3HD"), {qkv, qkv, qkv}), (Shape{-1, 128, 12, 64}));
  EXPECT_EQ(infer(attention("BHSD"), {Shape::unknown(), Shape::unknown(), Shape::unknown()}),
            Shape::unknown());
}

TEST(AttentionOp, BadShapesFailNamingTheNode) {
  try {
    infer(attention("BHSD"), {Shape{2, 7, 64}, Shape{2, 12, 9, 64}, Shape{2, 12, 9, 64}});
    FAIL() << "rank 3 accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("att"));
    EXPECT_THAT(e.what(), HasSubstr("rank 4"));
  }
  EXPECT_THROW(
      infer(attention("BHSD"), {Shape{2, 12, 7, 64}, Shape{2, 12, 9, 32}, Shape{2, 12, 9, 64}}),
      Error);  // q and k differ in depth
}

TEST(AttentionOp, GeometryStridesOffsetsAndMask) {
  const AttentionGeometry bhsd = attention_geometry(
      attention("BHSD", 1), {{2, 3, 5, 8}, {2, 3, 7, 8}, {2, 3, 7, 16}, {2, 1, 1, 7}});
  EXPECT_EQ(bhsd.q.b, 3 * 5 * 8);
  EXPECT_EQ(bhsd.q.h, 5 * 8);
  EXPECT_EQ(bhsd.q.s, 8);
  EXPECT_EQ(bhsd.out.s, 16);
  EXPECT_TRUE(bhsd.masked);
  EXPECT_EQ(bhsd.mask_b, 7);
  EXPECT_EQ(bhsd.mask_h, 0);
  EXPECT_EQ(bhsd.mask_q, 0);
  EXPECT_EQ(bhsd.mask_k, 1);
  EXPECT_FLOAT_EQ(bhsd.scale, 0.125f);

  const AttentionGeometry bshd =
      attention_geometry(attention("BSHD"), {{2, 5, 3, 8}, {2, 7, 3, 8}, {2, 7, 3, 8}});
  EXPECT_EQ(bshd.q.s, 3 * 8);
  EXPECT_EQ(bshd.q.h, 8);
  EXPECT_EQ(bshd.k.b, 7 * 3 * 8);
  EXPECT_FALSE(bshd.masked);

  const std::vector<int64_t> qkv = {2, 5, 3, 4, 16};
  const AttentionGeometry packed = attention_geometry(attention("BS3HD"), {qkv, qkv, qkv});
  EXPECT_EQ(packed.heads, 4);
  EXPECT_EQ(packed.q_len, 5);
  EXPECT_EQ(packed.q.s, 3 * 4 * 16);
  EXPECT_EQ(packed.k_offset, 4 * 16);
  EXPECT_EQ(packed.v_offset, 2 * 4 * 16);
  EXPECT_EQ(packed.out.s, 4 * 16);

  try {
    attention_geometry(attention("BHSD", 1),
                       {{2, 3, 5, 8}, {2, 3, 7, 8}, {2, 3, 7, 8}, {2, 1, 1, 6}});
    FAIL() << "a mask of 6 keys accepted for 7";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("att"));
    EXPECT_THAT(e.what(), HasSubstr("does not broadcast"));
  }
  EXPECT_THROW(attention_geometry(attention("BS3HD"), {qkv, qkv, {2, 5, 3, 4, 8}}), Error);
}

}  // namespace
}  // namespace aamp
