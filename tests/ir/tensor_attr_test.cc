// Shape, Tensor (construction, from_bytes, casts, copy-on-write) and AttrValue.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/ir/attr.h"
#include "aamp/ir/graph.h"
#include "aamp/ir/tensor.h"

namespace aamp {
namespace {

std::string error_of(const std::function<void()>& f, ErrorCode* code = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "<no error>";
}

TEST(Shape, Basics) {
  EXPECT_EQ(Shape({1, 224, 224, 3}).to_string(), "[1,224,224,3]");
  EXPECT_EQ(Shape({-1, 10}).to_string(), "[?,10]");
  EXPECT_EQ(Shape{}.to_string(), "[]");
  EXPECT_EQ(Shape::unknown().to_string(), "<unknown>");
  EXPECT_EQ(Shape({2, 3}).num_elements(), 6);
  EXPECT_EQ(Shape{}.num_elements(), 1);
  EXPECT_EQ(Shape({0, 5}).num_elements(), 0);
  EXPECT_EQ(Shape({-1, 5}).num_elements(), -1);
  EXPECT_EQ(Shape::unknown().num_elements(), -1);
  EXPECT_TRUE(Shape({2}).is_fully_defined());
  EXPECT_FALSE(Shape::unknown().is_fully_defined());
  EXPECT_EQ(Shape({2, 3}).rank(), 2);
  EXPECT_EQ(Shape({2, 3}), Shape({2, 3}));
  EXPECT_FALSE(Shape({2, 3}) == Shape({3, 2}));
  EXPECT_FALSE(Shape{} == Shape::unknown());
}

TEST(Tensor, ZeroInitialisedConstruction) {
  Tensor t(DType::kFloat, Shape{2, 3});
  EXPECT_EQ(t.dtype(), DType::kFloat);
  EXPECT_EQ(t.num_elements(), 6);
  EXPECT_EQ(t.byte_size(), 24u);
  for (float v : t.values<float>()) EXPECT_EQ(v, 0.0f);
  Tensor h(DType::kHalf, Shape{5});
  EXPECT_EQ(h.byte_size(), 10u);
  Tensor s(DType::kString, Shape{3});
  EXPECT_EQ(s.strings().size(), 3u);
  EXPECT_TRUE(Tensor().empty());
  EXPECT_FALSE(t.empty());
  ErrorCode code{};
  EXPECT_NE(error_of(
                [] {
                  Tensor(DType::kFloat, Shape{-1, 3});
                },
                &code)
                .find("[?,3]"),
            std::string::npos);
  EXPECT_EQ(code, ErrorCode::kInvalidArgument);
}

TEST(Tensor, FromBytesChecksSize) {
  std::vector<uint8_t> b(24, 0);
  Tensor t = Tensor::from_bytes(DType::kInt32, Shape{2, 3}, b);
  EXPECT_EQ(t.num_elements(), 6);
  ErrorCode code{};
  std::string msg = error_of(
      [] {
        Tensor::from_bytes(DType::kFloat, Shape{2, 3}, std::vector<uint8_t>(20));
      },
      &code);
  EXPECT_EQ(code, ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("needs 24 bytes, got 20"), std::string::npos) << msg;
  EXPECT_NE(error_of([] { Tensor::from_bytes(DType::kFloat, Shape::unknown(), {}); }),
            "<no error>");
  EXPECT_NE(error_of([] {
              Tensor::from_bytes(DType::kBFloat16, Shape{3}, {1, 2, 3, 4, 5});
            }),
            "<no error>");
  EXPECT_EQ(Tensor::from_bytes(DType::kFloat, Shape{0, 4}, {}).byte_size(), 0u);
}

TEST(Tensor, FromVectorScalarAndElements) {
  Tensor t = Tensor::from_vector<float>(Shape{3}, {1.5f, -2.0f, 0.25f});
  EXPECT_EQ(t.values<float>()[1], -2.0f);
  EXPECT_EQ(t.element_as_double(2), 0.25);
  Tensor i = Tensor::scalar<int64_t>(42);
  EXPECT_EQ(i.shape().rank(), 0);
  EXPECT_EQ(i.num_elements(), 1);
  EXPECT_EQ(i.element_as_double(0), 42.0);
  Tensor h = Tensor::from_vector<float16>(Shape{1}, {float16{0x3e00}});
  EXPECT_EQ(h.element_as_double(0), 1.5);
}

// Integers come out exactly (not through float32, which turned 2147483647 into 2147483648).
TEST(Tensor, ElementAsDoubleIsExactForIntegers) {
  Tensor i = Tensor::from_vector<int32_t>(Shape{2}, {2147483647, -16777217});
  EXPECT_EQ(i.element_as_double(0), 2147483647.0);
  EXPECT_EQ(i.element_as_double(1), -16777217.0);
  Tensor l = Tensor::scalar<int64_t>(int64_t{1} << 52 | 1);
  EXPECT_EQ(l.element_as_double(0), 4503599627370497.0);
}

TEST(Tensor, CastFloatRoundsAndConverts) {
  Tensor t = Tensor::from_vector<float>(Shape{5}, {1.0f, 0.1f, 70000.0f, -0.0f, 3.0f});
  Tensor b = t.cast_float(DType::kBFloat16);
  EXPECT_EQ(b.dtype(), DType::kBFloat16);
  EXPECT_EQ(b.shape(), t.shape());
  EXPECT_EQ(b.byte_size(), 10u);
  EXPECT_EQ(b.data<bfloat16>()[0].bits, 0x3f80u);
  EXPECT_EQ(b.data<bfloat16>()[1].bits, 0x3dcdu);
  EXPECT_EQ(b.data<bfloat16>()[3].bits, 0x8000u);
  Tensor h = t.cast_float(DType::kHalf);
  EXPECT_EQ(h.data<float16>()[1].bits, 0x2e66u);
  EXPECT_EQ(h.data<float16>()[2].bits, 0x7c00u);  // overflow -> inf
  Tensor back = b.cast_float(DType::kFloat);
  EXPECT_EQ(back.values<float>()[1], bf16_bits_to_float(0x3dcd));
  EXPECT_EQ(back.values<float>()[4], 3.0f);
  Tensor d = h.cast_float(DType::kDouble);
  EXPECT_TRUE(std::isinf(d.values<double>()[2]));
  EXPECT_EQ(d.values<double>()[0], 1.0);
  EXPECT_EQ(d.cast_float(DType::kBFloat16).data<bfloat16>()[0].bits, 0x3f80u);
  // Same dtype: same content.
  EXPECT_EQ(t.cast_float(DType::kFloat), t);
}

TEST(Tensor, CastFloatRejectsNonFloat) {
  Tensor i = Tensor::from_vector<int32_t>(Shape{2}, {1, 2});
  ErrorCode code{};
  std::string msg = error_of([&] { i.cast_float(DType::kFloat); }, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("int32"), std::string::npos) << msg;
  Tensor f = Tensor::from_vector<float>(Shape{1}, {1.0f});
  msg = error_of([&] { f.cast_float(DType::kInt8); }, &code);
  EXPECT_NE(msg.find("int8"), std::string::npos) << msg;
}

TEST(Tensor, CopyOnWriteAndReshape) {
  Tensor a = Tensor::from_vector<float>(Shape{2, 2}, {1, 2, 3, 4});
  Tensor b = a;
  b.mutable_data<float>()[0] = 9.0f;
  EXPECT_EQ(a.values<float>()[0], 1.0f);
  EXPECT_EQ(b.values<float>()[0], 9.0f);
  EXPECT_FALSE(a == b);
  Tensor r = a.reshaped(Shape{4});
  EXPECT_EQ(r.shape(), Shape({4}));
  EXPECT_EQ(r.values<float>()[3], 4.0f);
  EXPECT_NE(error_of([&] { a.reshaped(Shape{3}); }).find("cannot reshape [2,2] to [3]"),
            std::string::npos);
}

TEST(Tensor, SameContent) {
  Tensor a = Tensor::from_vector<float>(Shape{2}, {1, 2});
  EXPECT_EQ(a, Tensor::from_vector<float>(Shape{2}, {1, 2}));
  EXPECT_FALSE(a == Tensor::from_vector<float>(Shape{2}, {1, 3}));
  EXPECT_FALSE(a == Tensor::from_vector<float>(Shape{1, 2}, {1, 2}));
  EXPECT_FALSE(a == Tensor::from_vector<int32_t>(Shape{2}, {0, 0}));
  Tensor s1(DType::kString, Shape{1}), s2(DType::kString, Shape{1});
  s1.mutable_strings()[0] = "x";
  EXPECT_FALSE(s1 == s2);
  s2.mutable_strings()[0] = "x";
  EXPECT_EQ(s1, s2);
}

TEST(AttrValue, KindsAndEquality) {
  EXPECT_STREQ(AttrValue().kind_name(), "none");
  EXPECT_STREQ(AttrValue(3).kind_name(), "int");
  EXPECT_STREQ(AttrValue(0.5f).kind_name(), "float");
  EXPECT_STREQ(AttrValue(true).kind_name(), "bool");
  EXPECT_STREQ(AttrValue("s").kind_name(), "string");
  EXPECT_STREQ(AttrValue(DType::kHalf).kind_name(), "type");
  EXPECT_STREQ(AttrValue(Shape{1}).kind_name(), "shape");
  EXPECT_STREQ(AttrValue(Tensor::scalar<float>(1)).kind_name(), "tensor");
  EXPECT_STREQ(AttrValue(AttrList{}).kind_name(), "list");
  EXPECT_STREQ(AttrValue(FuncAttr{"f", {}}).kind_name(), "func");
  EXPECT_STREQ(AttrValue(AttrPlaceholder{"T"}).kind_name(), "placeholder");

  EXPECT_EQ(AttrValue(3), AttrValue(int64_t{3}));
  EXPECT_FALSE(AttrValue(3) == AttrValue(4));
  EXPECT_FALSE(AttrValue(1) == AttrValue(1.0f));  // different kinds never compare equal
  EXPECT_FALSE(AttrValue(true) == AttrValue(1));
  EXPECT_EQ(AttrValue("abc"), AttrValue(std::string("abc")));
  EXPECT_EQ(AttrValue(Tensor::from_vector<float>(Shape{2}, {1, 2})),
            AttrValue(Tensor::from_vector<float>(Shape{2}, {1, 2})));
  EXPECT_FALSE(AttrValue(Tensor::from_vector<float>(Shape{2}, {1, 2})) ==
               AttrValue(Tensor::from_vector<float>(Shape{2}, {1, 5})));
  AttrList l1, l2;
  l1.i = {1, 2};
  l2.i = {1, 2};
  EXPECT_EQ(AttrValue(l1), AttrValue(l2));
  l2.type = {DType::kFloat};
  EXPECT_FALSE(AttrValue(l1) == AttrValue(l2));
  FuncAttr f1{"f", {{"T", AttrValue(DType::kFloat)}}};
  FuncAttr f2{"f", {{"T", AttrValue(DType::kHalf)}}};
  EXPECT_FALSE(AttrValue(f1) == AttrValue(f2));
  EXPECT_EQ(AttrValue(f1), AttrValue(f1));
}

TEST(AttrValue, ToString) {
  EXPECT_EQ(AttrValue().to_string(), "<none>");
  EXPECT_EQ(AttrValue(-3).to_string(), "-3");
  EXPECT_EQ(AttrValue(0.5f).to_string(), "0.5");
  EXPECT_EQ(AttrValue(false).to_string(), "false");
  EXPECT_EQ(AttrValue("SAME").to_string(), "\"SAME\"");
  EXPECT_EQ(AttrValue(DType::kBFloat16).to_string(), "bfloat16");
  EXPECT_EQ(AttrValue(Shape{-1, 3}).to_string(), "[?,3]");
  EXPECT_EQ(AttrValue(Tensor::from_vector<float>(Shape{2}, {1, 2})).to_string(),
            "tensor<float32[2]>");
  AttrList l;
  l.i = {1, 2, 2, 1};
  EXPECT_EQ(AttrValue(l).to_string(), "[1,2,2,1]");
  AttrList t;
  t.type = {DType::kFloat, DType::kHalf};
  EXPECT_EQ(AttrValue(t).to_string(), "[float32,float16]");
  EXPECT_EQ(AttrValue(AttrList{}).to_string(), "[]");
  EXPECT_EQ(AttrValue(FuncAttr{"body", {}}).to_string(), "func body");
  EXPECT_EQ(AttrValue(AttrPlaceholder{"T"}).to_string(), "placeholder T");
}

TEST(NodeAttrs, TypedGettersAndDefaults) {
  Node n;
  n.name = "conv";
  n.op = "Conv2D";
  n.attrs["T"] = DType::kFloat;
  n.attrs["padding"] = "SAME";
  n.attrs["epsilon"] = 0.001f;
  n.attrs["use_cudnn_on_gpu"] = true;
  n.attrs["N"] = 3;
  EXPECT_EQ(n.attr_type("T"), DType::kFloat);
  EXPECT_EQ(n.attr_string("padding"), "SAME");
  EXPECT_EQ(n.attr_int("N"), 3);
  EXPECT_EQ(n.attr_float("epsilon"), 0.001f);
  EXPECT_TRUE(n.attr_bool("use_cudnn_on_gpu"));
  EXPECT_EQ(n.attr_int_or("missing", 7), 7);
  EXPECT_EQ(n.attr_string_or("missing", "VALID"), "VALID");
  EXPECT_EQ(n.attr_float_or("epsilon", 1.0f), 0.001f);
  EXPECT_FALSE(n.attr_bool_or("missing", false));
  EXPECT_TRUE(n.has_attr("T"));
  EXPECT_EQ(n.find_attr("nope"), nullptr);
  ErrorCode code{};
  std::string msg = error_of([&] { n.attr_int("strides"); }, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidGraph);
  EXPECT_EQ(msg, "node 'conv' (Conv2D): missing attr 'strides'");
  msg = error_of([&] { n.attr_int("padding"); });
  EXPECT_EQ(msg, "node 'conv' (Conv2D): attr 'padding' should be int, is string");
  msg = error_of([&] { n.attr_int_or("epsilon", 1); });
  EXPECT_NE(msg.find("should be int, is float"), std::string::npos) << msg;
}

}  // namespace
}  // namespace aamp
