// Signature helpers: flattening args against node attrs, dtypes and governing type attrs.
#include "aamp/ops/signature.h"

#include <gtest/gtest.h>

#include "aamp/core/error.h"
#include "ops_test_util.h"

namespace aamp {
namespace {

using testing::make_node;

TEST(Signature, MatMulDtypesAndTypeAttrs) {
  Node n = make_node("mm", "MatMul", {"a", "b"}, {{"T", DType::kBFloat16}});
  EXPECT_EQ(input_dtypes(n), (std::vector<DType>{DType::kBFloat16, DType::kBFloat16}));
  EXPECT_EQ(output_dtypes(n), (std::vector<DType>{DType::kBFloat16}));
  EXPECT_EQ(input_type_attrs(n), (std::vector<std::string>{"T", "T"}));
  EXPECT_EQ(output_type_attrs(n), (std::vector<std::string>{"T"}));
}

TEST(Signature, CastUsesSrcTAndDstT) {
  Node n = make_node("c", "Cast", {"x"}, {{"SrcT", DType::kFloat}, {"DstT", DType::kHalf}});
  EXPECT_EQ(input_dtypes(n), (std::vector<DType>{DType::kFloat}));
  EXPECT_EQ(output_dtypes(n), (std::vector<DType>{DType::kHalf}));
  EXPECT_EQ(input_type_attrs(n), (std::vector<std::string>{"SrcT"}));
  EXPECT_EQ(output_type_attrs(n), (std::vector<std::string>{"DstT"}));
  EXPECT_EQ(governing_type_attrs(signature_of(n)), (std::vector<std::string>{"SrcT", "DstT"}));
}

TEST(Signature, NumberAttrAndDefaults) {
  // ConcatV2: N x T values, then axis of Tidx (default int32).
  Node n = make_node("cat", "ConcatV2", {"a", "b", "c", "axis"},
                     {{"T", DType::kHalf}, {"N", int64_t{3}}});
  EXPECT_EQ(input_dtypes(n),
            (std::vector<DType>{DType::kHalf, DType::kHalf, DType::kHalf, DType::kInt32}));
  EXPECT_EQ(input_type_attrs(n), (std::vector<std::string>{"T", "T", "T", "Tidx"}));
  auto slots = input_slots(n);
  ASSERT_EQ(slots.size(), 4u);
  EXPECT_EQ(slots[2].arg, 0);
  EXPECT_EQ(slots[2].index_in_arg, 2);
  EXPECT_EQ(slots[3].arg, 1);
  EXPECT_EQ(slots[3].index_in_arg, 0);
}

TEST(Signature, FixedTypesHaveNoTypeAttr) {
  Node n = make_node("sw", "Switch", {"x", "p"}, {{"T", DType::kFloat}});
  EXPECT_EQ(input_dtypes(n), (std::vector<DType>{DType::kFloat, DType::kBool}));
  EXPECT_EQ(input_type_attrs(n), (std::vector<std::string>{"T", ""}));
  EXPECT_EQ(output_dtypes(n), (std::vector<DType>{DType::kFloat, DType::kFloat}));
  auto slots = input_slots(n);
  EXPECT_EQ(slots[1].fixed, DType::kBool);
  EXPECT_TRUE(slots[1].type_attr.empty());
}

TEST(Signature, TypeListAttr) {
  Node n =
      make_node("idn", "IdentityN", {"a", "b"}, {{"T", type_list({DType::kFloat, DType::kInt32})}});
  EXPECT_EQ(input_dtypes(n), (std::vector<DType>{DType::kFloat, DType::kInt32}));
  EXPECT_EQ(output_dtypes(n), (std::vector<DType>{DType::kFloat, DType::kInt32}));
  auto slots = output_slots(n);
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[1].type_attr, "T");
  EXPECT_EQ(slots[1].list_index, 1);
}

TEST(Signature, FusedBatchNormV3TAndU) {
  Node n = make_node("bn", "FusedBatchNormV3", {"x", "s", "o", "m", "v"},
                     {{"T", DType::kBFloat16}, {"U", DType::kFloat}});
  EXPECT_EQ(input_dtypes(n), (std::vector<DType>{DType::kBFloat16, DType::kFloat, DType::kFloat,
                                                 DType::kFloat, DType::kFloat}));
  EXPECT_EQ(output_type_attrs(n), (std::vector<std::string>{"T", "U", "U", "U", "U", "U"}));
  EXPECT_EQ(governing_type_attrs(signature_of(n)), (std::vector<std::string>{"T", "U"}));
}

TEST(Signature, HiddenOpsExpandArgs) {
  Node n = make_node("fc", "_FusedMatMul", {"a", "b", "bias"},
                     {{"T", DType::kFloat}, {"num_args", int64_t{1}}});
  EXPECT_EQ(input_dtypes(n).size(), 3u);
  EXPECT_EQ(output_dtypes(n), (std::vector<DType>{DType::kFloat}));
  // Prelu as TF.js writes it: no attrs; T defaults to float32.
  Node p = make_node("pr", "Prelu", {"x", "alpha"});
  EXPECT_EQ(input_dtypes(p), (std::vector<DType>{DType::kFloat, DType::kFloat}));
  // _FusedBatchNormEx: num_side_inputs defaults to 0.
  Node bn = make_node("bn", "_FusedBatchNormEx", {"x", "s", "o", "m", "v"},
                      {{"T", DType::kHalf}, {"U", DType::kFloat}});
  EXPECT_EQ(input_dtypes(bn).size(), 5u);
  EXPECT_EQ(output_dtypes(bn)[0], DType::kHalf);
}

TEST(Signature, Errors) {
  Node unknown = make_node("u", "NoSuchOp");
  EXPECT_EQ(find_signature(unknown), nullptr);
  try {
    input_dtypes(unknown);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnimplemented);
    EXPECT_STREQ(e.what(), "node 'u' (NoSuchOp): unknown op");
  }
  Node missing = make_node("mm", "MatMul", {"a", "b"});
  try {
    output_dtypes(missing);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidGraph);
    EXPECT_STREQ(e.what(), "node 'mm' (MatMul): missing attr 'T'");
  }
  Node bad_n = make_node("cat", "ConcatV2", {"a", "axis"}, {{"T", DType::kFloat}, {"N", "x"}});
  try {
    input_slots(bad_n);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "node 'cat' (ConcatV2): attr 'N' is string, expected int");
  }
}

}  // namespace
}  // namespace aamp
