// Fused ops that stock TensorFlow or TF.js run: TensorFlow's hidden fused forms and TF.js's own
// ops, each in one statement with its signature, AMP class, shape function and traits. TensorFlow's
// public ops take their signatures from the generated table; the hidden ops (names starting with
// '_') and the TF.js-only ops are not in ops.pbtxt, so their signatures are declared here from
// their documented attrs. Stock TensorFlow (or TF.js) runs them, so they are not aamp_only; the
// TF.js-only ones are tfjs_only (tf_compatible validation rejects them, the tf_compatible remapper
// rewrites them into stock ops).
#include "aamp/ops/families.h"
#include "aamp/ops/op_def_builder.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"

namespace aamp {

namespace {

using namespace opdef;  // NOLINT: the signature spelling helpers

std::vector<DType> conv_types() {
  return {DType::kBFloat16, DType::kHalf, DType::kFloat, DType::kDouble};
}
std::vector<DType> low_float_types() { return {DType::kBFloat16, DType::kHalf, DType::kFloat}; }

// An op TensorFlow.js runs and stock TensorFlow does not.
OpDef tfjs_op(const std::string& name, std::vector<ArgDef> in, std::vector<ArgDef> out,
              std::vector<AttrDef> attrs) {
  OpDef d = op(name, std::move(in), std::move(out), std::move(attrs));
  d.tfjs_only = true;
  return d;
}

// The attrs every fused contraction carries after its own: fused_ops, epsilon, leakyrelu_alpha.
void add_fusion_attrs(std::vector<AttrDef>& a) {
  a.push_back(attr("fused_ops", "list(string)", string_list({})));
  a.push_back(attr("epsilon", "float", 1e-4f));
  a.push_back(attr("leakyrelu_alpha", "float", 0.2f));
}

// strides, padding, explicit_paddings, data_format, dilations (Conv2D's convolution attrs);
// without `explicit_padding`, padding SAME / VALID only and no explicit_paddings.
void add_conv_attrs(std::vector<AttrDef>& a, bool explicit_padding = true) {
  a.push_back(attr("strides", "list(int)"));
  if (explicit_padding) {
    a.push_back(string_attr("padding", {"SAME", "VALID", "EXPLICIT"}));
    a.push_back(attr("explicit_paddings", "list(int)", int_list({})));
  } else {
    a.push_back(string_attr("padding", {"SAME", "VALID"}));
  }
  a.push_back(string_attr("data_format", {"NHWC", "NCHW"}, "NHWC"));
  a.push_back(attr("dilations", "list(int)", int_list({1, 1, 1, 1})));
}

void register_signatures(OpRegistry& r) {
  {  // _FusedMatMul: MatMul + fused_ops (BiasAdd, activations) over args.
    std::vector<AttrDef> a = {type_attr("T", low_float_types()), min_attr("num_args", 0),
                              attr("transpose_a", "bool", false),
                              attr("transpose_b", "bool", false)};
    add_fusion_attrs(a);
    r.register_op(op("_FusedMatMul", {arg("a", "T"), arg("b", "T"), arg("args", "T", "num_args")},
                     {arg("product", "T")}, std::move(a)))
        .amp(AmpClass::kAllow)
        .shape_fn(shape_fns::matmul);
  }
  {  // _FusedConv2D: Conv2D + fused_ops (BiasAdd, FusedBatchNorm, activations) over args.
    std::vector<AttrDef> a = {type_attr("T", conv_types()), min_attr("num_args", 0)};
    add_conv_attrs(a);
    a.push_back(attr("use_cudnn_on_gpu", "bool", true));
    add_fusion_attrs(a);
    // TensorFlow's signature types its args through TArgs (one entry per arg; required there:
    // --tf-compatible graphs carry it, see api/optimize.cc) and has host_args (none here).
    a.push_back(attr("TArgs", "list(type)", type_list({})));
    a.push_back(attr("num_host_args", "int", int64_t{0}));
    r.register_op(op("_FusedConv2D",
                     {arg("input", "T"), arg("filter", "T"), arg("args", "T", "num_args")},
                     {arg("output", "T")}, std::move(a)))
        .amp(AmpClass::kAllow)
        .shape_fn(shape_fns::conv2d)
        .same_rank();
  }
  {  // FusedDepthwiseConv2dNative (TF.js only): DepthwiseConv2dNative + fused_ops over args.
    std::vector<AttrDef> a = {type_attr("T", conv_types()), min_attr("num_args", 0)};
    add_conv_attrs(a);
    add_fusion_attrs(a);
    r.register_op(tfjs_op("FusedDepthwiseConv2dNative",
                          {arg("input", "T"), arg("filter", "T"), arg("args", "T", "num_args")},
                          {arg("output", "T")}, std::move(a)))
        .amp(AmpClass::kAllow)
        .shape_fn(shape_fns::conv2d)
        .same_rank();
  }
  {  // _FusedDepthwiseConv2dNative (TensorFlow's, run by its oneDNN): FusedDepthwiseConv2dNative
     // without explicit paddings.
    std::vector<AttrDef> a = {type_attr("T", conv_types()), min_attr("num_args", 0)};
    add_conv_attrs(a, /*explicit_padding=*/false);
    add_fusion_attrs(a);
    r.register_op(op("_FusedDepthwiseConv2dNative",
                     {arg("input", "T"), arg("filter", "T"), arg("args", "T", "num_args")},
                     {arg("output", "T")}, std::move(a)))
        .amp(AmpClass::kAllow)
        .shape_fn(shape_fns::conv2d)
        .same_rank();
  }
  // Prelu (TF.js only): y = x > 0 ? x : alpha * x, alpha broadcast. TF.js writes no attrs at
  // all, so T defaults to float32. It is in no list of the spec; it is LeakyRelu with a learned
  // slope, so it takes LeakyRelu's class (infer). In no list it stayed float32 with two casts
  // around every Prelu between bfloat16 convolutions (iris: 52 of its 54 casts).
  r.register_op(tfjs_op("Prelu", {arg("x", "T"), arg("alpha", "T")}, {arg("y", "T")},
                        {type_attr("T", conv_types(), DType::kFloat)}))
      .amp(AmpClass::kInfer)
      .broadcasting();
  {  // _FusedBatchNormEx: FusedBatchNormV3 (+ side input Add) + activation.
    std::vector<ArgDef> in = {arg("x", "T"),        arg("scale", "U"),
                              arg("offset", "U"),   arg("mean", "U"),
                              arg("variance", "U"), arg("side_input", "T", "num_side_inputs")};
    std::vector<ArgDef> out = {arg("y", "T"),
                               arg("batch_mean", "U"),
                               arg("batch_variance", "U"),
                               arg("reserve_space_1", "U"),
                               arg("reserve_space_2", "U"),
                               arg("reserve_space_3", "U")};
    std::vector<AttrDef> a = {type_attr("T", low_float_types()),
                              type_attr("U", {DType::kFloat}),
                              attr("epsilon", "float", 1e-4f),
                              attr("exponential_avg_factor", "float", 1.0f),
                              attr("activation_mode", "string", "Identity"),
                              string_attr("data_format", {"NHWC", "NCHW"}, "NHWC"),
                              min_attr("num_side_inputs", 0, int64_t{0}),
                              attr("is_training", "bool", true)};
    r.register_op(op("_FusedBatchNormEx", std::move(in), std::move(out), std::move(a)))
        .amp(AmpClass::kInfer)
        .shape_fn(shape_fns::fused_batch_norm);
  }
}

}  // namespace

void register_fused_ops(OpRegistry& r) { register_signatures(r); }

}  // namespace aamp
