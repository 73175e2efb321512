// Spot checks of the generated TensorFlow signature table and the hidden/TF.js op signatures.
#include <gtest/gtest.h>

#include <algorithm>

#include "aamp/ops/registry.h"

namespace aamp {
namespace {

const OpDef& sig(const std::string& op) {
  const OpInfo* i = OpRegistry::global().find(op);
  EXPECT_NE(i, nullptr) << op;
  static OpDef empty;
  return i ? i->def : empty;
}

const AttrDef& attr(const OpDef& d, const std::string& name) {
  const AttrDef* a = d.find_attr(name);
  EXPECT_NE(a, nullptr) << d.name << "." << name;
  static AttrDef empty;
  return a ? *a : empty;
}

bool has_type(const AttrDef& a, DType t) {
  return std::find(a.allowed_types.begin(), a.allowed_types.end(), t) != a.allowed_types.end();
}

TEST(OpSignatures, TableHasAllTensorFlowOps) {
  // ops.pbtxt of TF 2.7 holds 1425 ops; aamp adds its own and the hidden ones on top.
  auto names = OpRegistry::global().op_names();
  int with_sig = 0;
  for (const auto& n : names) with_sig += OpRegistry::global().find(n)->def.has_signature;
  EXPECT_GE(with_sig, 1425 + 5);
  EXPECT_TRUE(sig("NoOp").has_signature);
  EXPECT_TRUE(sig("NoOp").inputs.empty());
}

TEST(OpSignatures, MatMul) {
  const OpDef& d = sig("MatMul");
  ASSERT_EQ(d.inputs.size(), 2u);
  EXPECT_EQ(d.inputs[0].name, "a");
  EXPECT_EQ(d.inputs[1].name, "b");
  EXPECT_EQ(d.inputs[0].type_attr, "T");
  EXPECT_EQ(d.inputs[1].type_attr, "T");
  EXPECT_EQ(d.inputs[0].type, DType::kInvalid);
  ASSERT_EQ(d.outputs.size(), 1u);
  EXPECT_EQ(d.outputs[0].name, "product");
  const AttrDef& ta = attr(d, "transpose_a");
  EXPECT_EQ(ta.type, "bool");
  ASSERT_TRUE(ta.default_value.has_value());
  EXPECT_EQ(*ta.default_value, AttrValue(false));
  const AttrDef& t = attr(d, "T");
  EXPECT_EQ(t.type, "type");
  EXPECT_FALSE(t.default_value.has_value());
  EXPECT_TRUE(has_type(t, DType::kBFloat16));
  EXPECT_TRUE(has_type(t, DType::kHalf));
  EXPECT_TRUE(has_type(t, DType::kFloat));
  EXPECT_FALSE(has_type(t, DType::kString));
  EXPECT_FALSE(d.is_stateful);
  EXPECT_FALSE(d.aamp_only);
}

TEST(OpSignatures, FusedBatchNormV3) {
  const OpDef& d = sig("FusedBatchNormV3");
  ASSERT_EQ(d.inputs.size(), 5u);
  EXPECT_EQ(d.inputs[0].type_attr, "T");
  EXPECT_EQ(d.inputs[1].type_attr, "U");
  ASSERT_EQ(d.outputs.size(), 6u);
  EXPECT_EQ(d.outputs[5].name, "reserve_space_3");
  EXPECT_TRUE(has_type(attr(d, "T"), DType::kBFloat16));
  EXPECT_EQ(attr(d, "U").allowed_types, std::vector<DType>{DType::kFloat});
  EXPECT_EQ(*attr(d, "epsilon").default_value, AttrValue(0.0001f));
  EXPECT_EQ(*attr(d, "is_training").default_value, AttrValue(true));
  EXPECT_EQ(*attr(d, "data_format").default_value, AttrValue("NHWC"));
}

TEST(OpSignatures, Conv2D) {
  const OpDef& d = sig("Conv2D");
  EXPECT_EQ(attr(d, "padding").allowed_values,
            (std::vector<std::string>{"SAME", "VALID", "EXPLICIT"}));
  EXPECT_FALSE(attr(d, "padding").default_value.has_value());
  EXPECT_EQ(attr(d, "strides").type, "list(int)");
  EXPECT_EQ(*attr(d, "dilations").default_value, AttrValue(int_list({1, 1, 1, 1})));
  EXPECT_EQ(*attr(d, "explicit_paddings").default_value, AttrValue(AttrList{}));
  EXPECT_EQ(*attr(d, "use_cudnn_on_gpu").default_value, AttrValue(true));
}

TEST(OpSignatures, Cast) {
  const OpDef& d = sig("Cast");
  EXPECT_EQ(d.inputs[0].type_attr, "SrcT");
  EXPECT_EQ(d.outputs[0].type_attr, "DstT");
  EXPECT_EQ(attr(d, "SrcT").type, "type");
  EXPECT_EQ(attr(d, "DstT").type, "type");
  EXPECT_EQ(*attr(d, "Truncate").default_value, AttrValue(false));
}

TEST(OpSignatures, ConcatV2) {
  const OpDef& d = sig("ConcatV2");
  ASSERT_EQ(d.inputs.size(), 2u);
  EXPECT_EQ(d.inputs[0].name, "values");
  EXPECT_EQ(d.inputs[0].number_attr, "N");
  EXPECT_EQ(d.inputs[0].type_attr, "T");
  EXPECT_EQ(d.inputs[1].type_attr, "Tidx");
  const AttrDef& n = attr(d, "N");
  EXPECT_EQ(n.type, "int");
  EXPECT_TRUE(n.has_minimum);
  EXPECT_EQ(n.minimum, 2);
  EXPECT_EQ(*attr(d, "Tidx").default_value, AttrValue(DType::kInt32));
  EXPECT_EQ(attr(d, "Tidx").allowed_types, (std::vector<DType>{DType::kInt32, DType::kInt64}));
}

TEST(OpSignatures, Const) {
  const OpDef& d = sig("Const");
  EXPECT_TRUE(d.inputs.empty());
  ASSERT_EQ(d.outputs.size(), 1u);
  EXPECT_EQ(d.outputs[0].type_attr, "dtype");
  EXPECT_EQ(attr(d, "value").type, "tensor");
  EXPECT_EQ(attr(d, "dtype").type, "type");
  EXPECT_FALSE(attr(d, "value").default_value.has_value());
}

TEST(OpSignatures, FixedTypesRefsListsAndStateful) {
  const OpDef& sw = sig("Switch");
  EXPECT_EQ(sw.inputs[1].name, "pred");
  EXPECT_EQ(sw.inputs[1].type, DType::kBool);
  EXPECT_TRUE(sig("Assign").inputs[0].is_ref);
  EXPECT_FALSE(sig("Assign").is_stateful);
  EXPECT_TRUE(sig("VariableV2").is_stateful);
  EXPECT_EQ(sig("IdentityN").inputs[0].type_list_attr, "T");
  const AttrDef& t = attr(sig("IdentityN"), "T");
  EXPECT_EQ(t.type, "list(type)");
  EXPECT_TRUE(t.has_minimum);
  EXPECT_EQ(t.minimum, 1);
  // Shape defaults: unknown rank.
  const AttrDef& shape = attr(sig("PlaceholderWithDefault"), "shape");
  EXPECT_FALSE(shape.default_value.has_value());
  const AttrDef& ph = attr(sig("Placeholder"), "shape");
  ASSERT_TRUE(ph.default_value.has_value());
  EXPECT_EQ(*ph.default_value, AttrValue(Shape::unknown()));
}

TEST(OpSignatures, EncodedDefaultsOfEveryKind) {
  EXPECT_EQ(*attr(sig("LeakyRelu"), "alpha").default_value, AttrValue(0.2f));
  EXPECT_EQ(*attr(sig("Squeeze"), "squeeze_dims").default_value, AttrValue(AttrList{}));
  EXPECT_EQ(*attr(sig("ArgMax"), "output_type").default_value, AttrValue(DType::kInt64));
  EXPECT_EQ(*attr(sig("ResizeBilinear"), "half_pixel_centers").default_value, AttrValue(false));
  EXPECT_EQ(*attr(sig("Abort"), "error_msg").default_value, AttrValue(""));
  EXPECT_EQ(*attr(sig("StridedSlice"), "begin_mask").default_value, AttrValue(int64_t{0}));
  // The only tensor default in TF 2.7 (a uint8 [4] color): found by scanning every op.
  bool found_tensor = false;
  for (const auto& name : OpRegistry::global().op_names()) {
    for (const auto& a : OpRegistry::global().find(name)->def.attrs) {
      if (a.type != "tensor" || !a.default_value) continue;
      const Tensor& t = a.default_value->get<Tensor>();
      EXPECT_EQ(t.dtype(), DType::kUInt8);
      EXPECT_EQ(t.shape(), (Shape{4}));
      EXPECT_EQ(t.values<uint8_t>()[0], 255);
      EXPECT_EQ(t.values<uint8_t>()[1], 0);
      EXPECT_EQ(t.values<uint8_t>()[3], 255);
      found_tensor = true;
    }
  }
  EXPECT_TRUE(found_tensor);
}

TEST(OpSignatures, HiddenFusedMatMul) {
  const OpDef& d = sig("_FusedMatMul");
  EXPECT_TRUE(d.has_signature);
  EXPECT_FALSE(d.aamp_only);
  ASSERT_EQ(d.inputs.size(), 3u);
  EXPECT_EQ(d.inputs[2].name, "args");
  EXPECT_EQ(d.inputs[2].number_attr, "num_args");
  EXPECT_EQ(d.inputs[2].type_attr, "T");
  EXPECT_EQ(attr(d, "T").allowed_types,
            (std::vector<DType>{DType::kBFloat16, DType::kHalf, DType::kFloat}));
  EXPECT_TRUE(attr(d, "num_args").has_minimum);
  EXPECT_EQ(attr(d, "num_args").minimum, 0);
  EXPECT_EQ(*attr(d, "transpose_b").default_value, AttrValue(false));
  EXPECT_EQ(*attr(d, "fused_ops").default_value, AttrValue(AttrList{}));
  EXPECT_EQ(*attr(d, "epsilon").default_value, AttrValue(1e-4f));
  EXPECT_EQ(*attr(d, "leakyrelu_alpha").default_value, AttrValue(0.2f));
  // register_op replaced the signature but kept the AMP class set through info().
  EXPECT_EQ(OpRegistry::global().find("_FusedMatMul")->amp_class(DeviceKind::kCPU),
            AmpClass::kAllow);
}

TEST(OpSignatures, HiddenFusedConvolutions) {
  for (const char* op : {"_FusedConv2D", "FusedDepthwiseConv2dNative"}) {
    SCOPED_TRACE(op);
    const OpDef& d = sig(op);
    ASSERT_EQ(d.inputs.size(), 3u);
    EXPECT_EQ(d.inputs[0].name, "input");
    EXPECT_EQ(d.inputs[1].name, "filter");
    EXPECT_EQ(attr(d, "T").allowed_types,
              (std::vector<DType>{DType::kBFloat16, DType::kHalf, DType::kFloat, DType::kDouble}));
    EXPECT_EQ(attr(d, "padding").allowed_values,
              (std::vector<std::string>{"SAME", "VALID", "EXPLICIT"}));
    EXPECT_EQ(attr(d, "data_format").allowed_values, (std::vector<std::string>{"NHWC", "NCHW"}));
    EXPECT_EQ(*attr(d, "data_format").default_value, AttrValue("NHWC"));
    EXPECT_EQ(*attr(d, "dilations").default_value, AttrValue(int_list({1, 1, 1, 1})));
    EXPECT_FALSE(attr(d, "strides").default_value.has_value());
    EXPECT_EQ(OpRegistry::global().find(op)->amp_class(DeviceKind::kGPU), AmpClass::kAllow);
  }
  EXPECT_EQ(*attr(sig("_FusedConv2D"), "use_cudnn_on_gpu").default_value, AttrValue(true));
  EXPECT_EQ(sig("FusedDepthwiseConv2dNative").find_attr("use_cudnn_on_gpu"), nullptr);
  // Stock TensorFlow has _FusedConv2D; FusedDepthwiseConv2dNative is TF.js's own.
  EXPECT_FALSE(sig("_FusedConv2D").tfjs_only);
  EXPECT_TRUE(sig("FusedDepthwiseConv2dNative").tfjs_only);
  EXPECT_FALSE(sig("FusedDepthwiseConv2dNative").aamp_only);
}

TEST(OpSignatures, HiddenBatchNormExAndPrelu) {
  const OpDef& d = sig("_FusedBatchNormEx");
  ASSERT_EQ(d.inputs.size(), 6u);
  EXPECT_EQ(d.inputs[5].name, "side_input");
  EXPECT_EQ(d.inputs[5].number_attr, "num_side_inputs");
  ASSERT_EQ(d.outputs.size(), 6u);
  EXPECT_EQ(d.outputs[1].type_attr, "U");
  EXPECT_EQ(*attr(d, "activation_mode").default_value, AttrValue("Identity"));
  EXPECT_EQ(*attr(d, "exponential_avg_factor").default_value, AttrValue(1.0f));
  EXPECT_EQ(*attr(d, "num_side_inputs").default_value, AttrValue(int64_t{0}));
  EXPECT_EQ(OpRegistry::global().find("_FusedBatchNormEx")->amp_class(DeviceKind::kCPU),
            AmpClass::kInfer);

  const OpDef& p = sig("Prelu");
  ASSERT_EQ(p.inputs.size(), 2u);
  EXPECT_EQ(p.inputs[1].name, "alpha");
  EXPECT_EQ(p.outputs[0].name, "y");
  EXPECT_EQ(*attr(p, "T").default_value, AttrValue(DType::kFloat));
  EXPECT_TRUE(p.tfjs_only);
  EXPECT_FALSE(d.tfjs_only);
  EXPECT_FALSE(sig("_FusedMatMul").tfjs_only);
  EXPECT_FALSE(sig("Conv2D").tfjs_only);
}

}  // namespace
}  // namespace aamp
