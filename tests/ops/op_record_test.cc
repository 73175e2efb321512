// The op record (ops/registry.h): aamp's own ops keep their type constraints, the traits that the
// planner, the backends and the remapper query, the epilogue vocabulary (ops/epilogue.h) with its
// formulas (ops/activation.h), and attrs with their OpDef defaults (ops/attrs.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "aamp/core/error.h"
#include "aamp/ops/activation.h"
#include "aamp/ops/attrs.h"
#include "aamp/ops/epilogue.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/validate.h"
#include "ops_test_util.h"

namespace aamp {
namespace {

using ::testing::HasSubstr;
using testing::make_node;
using testing::placeholder;

// x (dtype t) -> op(x, ...) with T = t; scale/offset float32 where the op takes them.
Graph one_op(const std::string& op, DType t, bool norm) {
  Graph g;
  g.add(placeholder("x", t));
  std::vector<std::string> in = {"x"};
  if (norm) {
    g.add(placeholder("scale"));
    g.add(placeholder("offset"));
    in = {"x", "scale", "offset"};
  }
  AttrMap attrs = {{"T", t}};
  if (norm) attrs["U"] = DType::kFloat;
  g.add(make_node("y", op, in, attrs));
  return g;
}

TEST(OpRecord, AampOpsRejectDisallowedDtypes) {
  ValidationResult ln = validate(one_op("LayerNorm", DType::kInt32, true));
  ASSERT_EQ(ln.issues.size(), 1u) << ln.summary();
  EXPECT_EQ(ln.issues[0].node, "y");
  EXPECT_THAT(ln.issues[0].message, HasSubstr("attr 'T' value int32 not in ["));
  ValidationResult sw = validate(one_op("Swish", DType::kString, false));
  ASSERT_EQ(sw.issues.size(), 1u) << sw.summary();
  EXPECT_THAT(sw.issues[0].message, HasSubstr("attr 'T' value string not in ["));
  // The float types pass.
  for (DType t : amp_float_types()) {
    EXPECT_TRUE(validate(one_op("LayerNorm", t, true)).ok()) << dtype_name(t);
    EXPECT_TRUE(validate(one_op("Swish", t, false)).ok()) << dtype_name(t);
  }
}

// The guard against the static-initialisation bug coming back in any form: every "type" attr of
// every op whose signature aamp writes itself (aamp's own, TF's hidden and TF.js's ops) constrains
// its types. (An empty list means "any type", which is what a namespace-scope vector read before
// its construction silently gave.)
TEST(OpRecord, HandWrittenSignaturesConstrainTheirTypes) {
  const OpRegistry& r = OpRegistry::global();
  int checked = 0;
  for (const std::string& name : r.op_names()) {
    const OpInfo* info = r.find(name);
    const bool hand_written = info->def.aamp_only || info->def.tfjs_only || name[0] == '_';
    if (!hand_written || !info->def.has_signature) continue;
    for (const AttrDef& a : info->def.attrs)
      if (a.type == "type") {
        EXPECT_FALSE(a.allowed_types.empty()) << name << " attr " << a.name;
        ++checked;
      }
  }
  EXPECT_GE(checked, 12);  // 8 of aamp's ops, _FusedMatMul, _FusedConv2D, ... (T and U)
}

TEST(OpRecord, AliasOpsAreOneList) {
  const std::vector<std::string> alias =
      OpRegistry::global().ops_where([](const OpInfo& i) { return i.traits().alias; });
  EXPECT_EQ(alias,
            (std::vector<std::string>{"CheckNumerics", "EnsureShape", "ExpandDims", "Identity",
                                      "IdentityN", "PlaceholderWithDefault", "PreventGradient",
                                      "Reshape", "Snapshot", "Squeeze", "StopGradient"}));
}

TEST(OpRecord, Traits) {
  const OpRegistry& r = OpRegistry::global();
  EXPECT_TRUE(r.has_trait("Relu", &OpTraits::elementwise));
  EXPECT_TRUE(r.has_trait("Relu", &OpTraits::same_rank));
  EXPECT_TRUE(r.has_trait("Gelu", &OpTraits::elementwise));
  EXPECT_TRUE(r.has_trait("Softmax", &OpTraits::same_shape));
  EXPECT_FALSE(r.has_trait("Softmax", &OpTraits::elementwise));
  EXPECT_TRUE(r.has_trait("Conv2D", &OpTraits::same_rank));
  EXPECT_FALSE(r.has_trait("Conv2D", &OpTraits::same_shape));
  EXPECT_TRUE(r.has_trait("AddV2", &OpTraits::broadcasting));
  EXPECT_TRUE(r.has_trait("SelectV2", &OpTraits::broadcasting));
  EXPECT_FALSE(r.has_trait("Select", &OpTraits::broadcasting));
  EXPECT_FALSE(r.has_trait("MatMul", &OpTraits::same_rank));
  EXPECT_FALSE(r.has_trait("NoSuchOp", &OpTraits::alias));
  // Output shapes from input values: only the ops that need run-time sizing.
  for (const char* op :
       {"Where", "NonMaxSuppressionV3", "NonMaxSuppressionV4", "NonMaxSuppressionV5"})
    EXPECT_TRUE(r.has_trait(op, &OpTraits::value_dependent_shape)) << op;
  for (const char* op : {"TopKV2", "SparseToDense", "Reshape", "Range"})
    EXPECT_FALSE(r.has_trait(op, &OpTraits::value_dependent_shape)) << op;
  // Every value-dependent op has a shape function (it sets the known dims).
  for (const std::string& op :
       r.ops_where([](const OpInfo& i) { return i.traits().value_dependent_shape; }))
    EXPECT_TRUE(static_cast<bool>(r.find(op)->shape_fn())) << op;
  // Every op with a trait has a shape function.
  for (const std::string& op : r.ops_where([](const OpInfo& i) {
         const OpTraits& t = i.traits();
         return t.same_shape || t.broadcasting || t.elementwise;
       }))
    EXPECT_TRUE(static_cast<bool>(r.find(op)->shape_fn())) << op;
}

TEST(OpRecord, KernelDtypesLiveInTheRecord) {
  OpRegistry& r = OpRegistry::global();
  r.register_kernel("_OpRecordTestOp", DeviceKind::kGPU, {DType::kHalf});
  const OpInfo* info = r.find("_OpRecordTestOp");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->kernel_dtypes(DeviceKind::kGPU), (std::set<DType>{DType::kHalf}));
  EXPECT_TRUE(info->kernel_dtypes(DeviceKind::kCPU).empty());
  EXPECT_TRUE(r.has_kernel("_OpRecordTestOp", DeviceKind::kGPU, DType::kHalf));
  EXPECT_FALSE(r.has_kernel("_OpRecordTestOp", DeviceKind::kGPU, DType::kFloat));
  EXPECT_FALSE(r.has_any_kernel("_OpRecordTestOp", DeviceKind::kCPU));
}

TEST(Epilogue, VocabularyRoundTrips) {
  std::set<std::string_view> names;
  for (const EpilogueOpDef& d : epilogue_ops()) {
    EXPECT_EQ(&epilogue_op_def(d.op), &d);
    EXPECT_EQ(find_epilogue_op(d.name), &d);
    EXPECT_TRUE(names.insert(d.name).second) << d.name;
    EXPECT_EQ(is_activation(d.op), d.num_args == 0) << d.name;
    // Every activation folds a standalone op the registry knows, with a shape function.
    if (is_activation(d.op)) {
      const OpInfo* src = OpRegistry::global().find(d.source_op);
      ASSERT_NE(src, nullptr) << d.source_op;
      EXPECT_TRUE(src->traits().elementwise) << d.source_op;
    }
  }
  EXPECT_EQ(find_epilogue_op("Frob"), nullptr);
  EXPECT_EQ(epilogue_op_names({EpilogueOp::kBiasAdd, EpilogueOp::kGeluApprox}),
            "BiasAdd, GeluApproximate");
}

TEST(Epilogue, ParseNamesUnknownStepsAndCountsArgs) {
  Node n = make_node("f", "_FusedMatMul", {"a", "b", "bias"},
                     {{"T", DType::kFloat},
                      {"fused_ops", string_list({"BiasAdd", "LeakyRelu"})},
                      {"num_args", int64_t{1}},
                      {"leakyrelu_alpha", 0.3f}});
  Epilogue e = parse_epilogue(n, 2, 3);
  ASSERT_EQ(e.steps.size(), 2u);
  EXPECT_EQ(e.steps[0].kind, EpilogueOp::kBiasAdd);
  EXPECT_EQ(e.steps[0].arg, 2);
  EXPECT_EQ(e.steps[1].kind, EpilogueOp::kLeakyRelu);
  EXPECT_EQ(e.steps[1].arg, -1);
  EXPECT_FLOAT_EQ(e.act.alpha, 0.3f);
  n.attrs["fused_ops"] = string_list({"BiasAdd", "Frob"});
  try {
    parse_epilogue(n, 2, 3);
    ADD_FAILURE() << "no error";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::kUnimplemented);
    EXPECT_THAT(err.what(), HasSubstr("node 'f' (_FusedMatMul): unsupported fused op 'Frob' in "
                                      "fused_ops [BiasAdd, Frob] (supported: BiasAdd, Add, Mul,"));
  }
  n.attrs["fused_ops"] = string_list({"FusedBatchNorm"});
  EXPECT_THROW(parse_epilogue(n, 2, 3), Error);  // needs 4 args, has 1
}

TEST(Activation, Formulas) {
  const ActParams p;
  EXPECT_EQ(activate(EpilogueOp::kRelu, -2.0f, p), 0.0f);
  EXPECT_EQ(activate(EpilogueOp::kRelu6, 7.0f, p), 6.0f);
  EXPECT_FLOAT_EQ(activate(EpilogueOp::kLeakyRelu, -2.0f, {0.1f, 1.0f}), -0.2f);
  EXPECT_FLOAT_EQ(activate(EpilogueOp::kSigmoid, 0.0f, p), 0.5f);
  EXPECT_FLOAT_EQ(activate(EpilogueOp::kSwish, 1.0f, {0.2f, 2.0f}),
                  1.0f / (1.0f + std::exp(-2.0f)));
  EXPECT_FLOAT_EQ(activate(EpilogueOp::kHardSwish, 1.0f, p), 4.0f / 6.0f);
  EXPECT_FLOAT_EQ(activate(EpilogueOp::kGeluExact, 1.0f, p), 0.8413447f);
  EXPECT_NEAR(activate(EpilogueOp::kGeluApprox, 1.0f, p), 0.8411920f, 1e-6f);
  EXPECT_NEAR(activate(EpilogueOp::kMish, 1.0f, p), 0.8650984f, 1e-6f);
  EXPECT_FLOAT_EQ(activate(EpilogueOp::kMish, 30.0f, p), 30.0f);
  EXPECT_EQ(activate(EpilogueOp::kBiasAdd, 3.0f, p), 3.0f);  // argument steps: unchanged
  EXPECT_FLOAT_EQ(prelu(-2.0f, 0.25f), -0.5f);
  EXPECT_FLOAT_EQ(batch_norm(3.0f, 2.0f, 1.0f, 1.0f, 3.0f, 1.0f), 3.0f);  // (3-1)*2/2+1
}

TEST(Activation, OfNodeUsesOpDefDefaults) {
  EpilogueOp k = EpilogueOp::kRelu;
  ActParams p;
  ASSERT_TRUE(activation_of_node(make_node("g", "Gelu", {"x"}, {{"approximate", true}}), k, p));
  EXPECT_EQ(k, EpilogueOp::kGeluApprox);
  ASSERT_TRUE(activation_of_node(make_node("g", "Gelu", {"x"}), k, p));
  EXPECT_EQ(k, EpilogueOp::kGeluExact);
  ASSERT_TRUE(activation_of_node(make_node("l", "LeakyRelu", {"x"}), k, p));
  EXPECT_EQ(k, EpilogueOp::kLeakyRelu);
  EXPECT_FLOAT_EQ(p.alpha, 0.2f);  // TensorFlow's OpDef default
  EXPECT_FALSE(activation_of_node(make_node("m", "MatMul", {"a", "b"}), k, p));
}

TEST(OpAttrs, DefaultsComeFromTheOpDef) {
  const Node fm = make_node("f", "_FusedMatMul", {"a", "b"});
  EXPECT_FLOAT_EQ(op_attr_float(fm, "epsilon"), 1e-4f);
  EXPECT_FALSE(op_attr_bool(fm, "transpose_a"));
  const Node bn = make_node("bn", "FusedBatchNormV3", {"x"});
  EXPECT_FLOAT_EQ(op_attr_float(bn, "epsilon"), 1e-4f);  // TensorFlow's default
  EXPECT_EQ(op_attr_string(bn, "data_format"), "NHWC");
  Node own = bn;
  own.attrs["epsilon"] = 1e-3f;
  EXPECT_FLOAT_EQ(op_attr_float(own, "epsilon"), 1e-3f);
  try {
    op_attr_int(fm, "no_such_attr");
    ADD_FAILURE() << "no error";
  } catch (const Error& err) {
    EXPECT_EQ(std::string(err.what()),
              "node 'f' (_FusedMatMul): missing attr 'no_such_attr' (its op declares no default)");
  }
}

TEST(OpAttrs, DeclaresAttr) {
  EXPECT_TRUE(op_declares_attr(make_node("b", "BiasAdd", {"x", "b"}), "data_format"));
  EXPECT_FALSE(op_declares_attr(make_node("b", "BiasAddV1", {"x", "b"}), "data_format"));
  EXPECT_FALSE(op_declares_attr(make_node("m", "MatMul", {"a", "b"}), "data_format"));
  EXPECT_TRUE(op_declares_attr(make_node("p", "MirrorPad", {"x", "p"}), "mode"));  // no default
  EXPECT_FALSE(op_declares_attr(make_node("u", "NoSuchOp", {}), "data_format"));
}

// Every attr that the kernels, the remapper and optimize() read through op_attr_* (no default
// written at the call site any more) has an OpDef default of the kind they read; the attrs that
// are required (no default: TensorFlow rejects a node without them) are listed apart.
TEST(OpAttrs, AttrsReadWithTheirOpDefDefaultHaveOne) {
  struct Use {
    const char* op;
    const char* attr;
    const char* kind;
  };
  const Use with_default[] = {
      {"BiasAdd", "data_format", "string"},
      {"Conv2D", "data_format", "string"},
      {"_FusedConv2D", "data_format", "string"},
      {"DepthwiseConv2dNative", "data_format", "string"},
      {"FusedDepthwiseConv2dNative", "data_format", "string"},
      {"Conv2DBackpropInput", "data_format", "string"},
      {"MaxPool", "data_format", "string"},
      {"AvgPool", "data_format", "string"},
      {"InstanceNorm", "data_format", "string"},
      {"MatMul", "transpose_a", "bool"},
      {"MatMul", "transpose_b", "bool"},
      {"_FusedMatMul", "transpose_a", "bool"},
      {"_FusedMatMul", "transpose_b", "bool"},
      {"BatchMatMul", "adj_x", "bool"},
      {"BatchMatMul", "adj_y", "bool"},
      {"BatchMatMulV2", "adj_x", "bool"},
      {"BatchMatMulV2", "adj_y", "bool"},
      {"_AampFusedBatchMatMulV2", "adj_x", "bool"},
      {"_AampFusedBatchMatMulV2", "adj_y", "bool"},
      {"_AampFusedBatchMatMulV2", "num_args", "int"},
      {"ResizeBilinear", "align_corners", "bool"},
      {"ResizeBilinear", "half_pixel_centers", "bool"},
      {"ResizeNearestNeighbor", "align_corners", "bool"},
      {"ResizeNearestNeighbor", "half_pixel_centers", "bool"},
      {"Mean", "keep_dims", "bool"},
      {"LeakyRelu", "alpha", "float"},
      {"LayerNorm", "epsilon", "float"},
      {"InstanceNorm", "epsilon", "float"},
      {"InstanceNorm", "leakyrelu_alpha", "float"},
      {"_FusedConv2D", "leakyrelu_alpha", "float"},
      {"_FusedMatMul", "leakyrelu_alpha", "float"},
      {"FusedDepthwiseConv2dNative", "leakyrelu_alpha", "float"},
      {"StridedSlice", "begin_mask", "int"},
      {"StridedSlice", "end_mask", "int"},
      {"StridedSlice", "ellipsis_mask", "int"},
      {"StridedSlice", "new_axis_mask", "int"},
      {"StridedSlice", "shrink_axis_mask", "int"},
      {"GatherV2", "batch_dims", "int"},
      {"Pack", "axis", "int"},
      {"Unpack", "axis", "int"},
      {"OneHot", "axis", "int"},
  };
  const OpRegistry& r = OpRegistry::global();
  for (const Use& u : with_default) {
    const OpInfo* info = r.find(u.op);
    ASSERT_NE(info, nullptr) << u.op;
    const AttrDef* a = info->def.find_attr(u.attr);
    ASSERT_NE(a, nullptr) << u.op << "." << u.attr;
    ASSERT_TRUE(a->default_value.has_value()) << u.op << "." << u.attr;
    EXPECT_STREQ(a->default_value->kind_name(), u.kind) << u.op << "." << u.attr;
  }
  for (const char* op : {"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"}) {
    const Node n = make_node("bn", op, {"x"});
    EXPECT_FLOAT_EQ(op_attr_float(n, "epsilon"), 1e-4f) << op;
    EXPECT_TRUE(op_attr_bool(n, "is_training")) << op;
    EXPECT_EQ(op_attr_string(n, "data_format"), "NHWC") << op;
  }
  const Use required[] = {
      {"MirrorPad", "mode", "string"},       {"DepthToSpace", "block_size", "int"},
      {"SpaceToDepth", "block_size", "int"}, {"Conv2D", "padding", "string"},
      {"MaxPool", "padding", "string"},      {"_FusedConv2D", "num_args", "int"},
      {"_FusedMatMul", "num_args", "int"},   {"FusedDepthwiseConv2dNative", "num_args", "int"},
      {"Einsum", "equation", "string"},
  };
  for (const Use& u : required) {
    const AttrDef* a = r.find(u.op)->def.find_attr(u.attr);
    ASSERT_NE(a, nullptr) << u.op << "." << u.attr;
    EXPECT_FALSE(a->default_value.has_value()) << u.op << "." << u.attr;
  }
}

}  // namespace
}  // namespace aamp
