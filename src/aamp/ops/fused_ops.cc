// Fused ops: TensorFlow's hidden/TF.js fused forms and aamp's own fusions.
// Per-op knowledge: AMP class (spec section 2; device overrides where the lists differ) and
// shape function. TensorFlow's public ops take their signatures from the generated table; the
// hidden ops (names starting with '_') and the TF.js-only ops are not in ops.pbtxt, so their
// signatures are declared here from their documented attrs. Stock TensorFlow (or TF.js) runs
// them, so they are not aamp_only; the TF.js-only ones are tfjs_only (tf_compatible validation
// rejects them, the tf_compatible remapper rewrites them into stock ops).
#include "aamp/ops/families.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"

namespace aamp {

namespace {

// Functions, not namespace-scope vectors: the registry may be built from another translation
// unit's static initializer, before this one's globals are constructed.
std::vector<DType> conv_types() {
  return {DType::kBFloat16, DType::kHalf, DType::kFloat, DType::kDouble};
}
std::vector<DType> low_float_types() { return {DType::kBFloat16, DType::kHalf, DType::kFloat}; }

ArgDef targ(const std::string& name, const std::string& type_attr, const std::string& n = "") {
  ArgDef a;
  a.name = name;
  a.type_attr = type_attr;
  a.number_attr = n;
  return a;
}

AttrDef adef(const std::string& name, const std::string& type,
             std::optional<AttrValue> dflt = std::nullopt) {
  AttrDef a;
  a.name = name;
  a.type = type;
  a.default_value = std::move(dflt);
  return a;
}

AttrDef type_adef(const std::string& name, std::vector<DType> allowed,
                  std::optional<AttrValue> dflt = std::nullopt) {
  AttrDef a = adef(name, "type", std::move(dflt));
  a.allowed_types = std::move(allowed);
  return a;
}

AttrDef string_adef(const std::string& name, std::vector<std::string> allowed,
                    std::optional<AttrValue> dflt = std::nullopt) {
  AttrDef a = adef(name, "string", std::move(dflt));
  a.allowed_values = std::move(allowed);
  return a;
}

AttrDef min_adef(const std::string& name, int64_t minimum,
                 std::optional<AttrValue> dflt = std::nullopt) {
  AttrDef a = adef(name, "int", std::move(dflt));
  a.has_minimum = true;
  a.minimum = minimum;
  return a;
}

AttrValue ints(std::vector<int64_t> v) {
  AttrList l;
  l.i = std::move(v);
  return l;
}

AttrValue no_strings() { return AttrList{}; }

OpDef op(const std::string& name, std::vector<ArgDef> in, std::vector<ArgDef> out,
         std::vector<AttrDef> attrs) {
  OpDef d;
  d.name = name;
  d.inputs = std::move(in);
  d.outputs = std::move(out);
  d.attrs = std::move(attrs);
  return d;
}

// An op TensorFlow.js runs and stock TensorFlow does not.
OpDef tfjs_op(const std::string& name, std::vector<ArgDef> in, std::vector<ArgDef> out,
              std::vector<AttrDef> attrs) {
  OpDef d = op(name, std::move(in), std::move(out), std::move(attrs));
  d.tfjs_only = true;
  return d;
}

// The attrs every fused contraction carries after its own: fused_ops, epsilon, leakyrelu_alpha.
void add_fusion_attrs(std::vector<AttrDef>& a) {
  a.push_back(adef("fused_ops", "list(string)", no_strings()));
  a.push_back(adef("epsilon", "float", 1e-4f));
  a.push_back(adef("leakyrelu_alpha", "float", 0.2f));
}

// strides, padding, explicit_paddings, data_format, dilations (Conv2D's convolution attrs).
void add_conv_attrs(std::vector<AttrDef>& a) {
  a.push_back(adef("strides", "list(int)"));
  a.push_back(string_adef("padding", {"SAME", "VALID", "EXPLICIT"}));
  a.push_back(adef("explicit_paddings", "list(int)", ints({})));
  a.push_back(string_adef("data_format", {"NHWC", "NCHW"}, "NHWC"));
  a.push_back(adef("dilations", "list(int)", ints({1, 1, 1, 1})));
}

void register_hidden_signatures(OpRegistry& r) {
  {  // _FusedMatMul: MatMul + fused_ops (BiasAdd, activations) over args.
    std::vector<AttrDef> a = {type_adef("T", low_float_types()), min_adef("num_args", 0),
                              adef("transpose_a", "bool", false),
                              adef("transpose_b", "bool", false)};
    add_fusion_attrs(a);
    r.register_op(op("_FusedMatMul",
                     {targ("a", "T"), targ("b", "T"), targ("args", "T", "num_args")},
                     {targ("product", "T")}, std::move(a)));
  }
  {  // _FusedConv2D: Conv2D + fused_ops (BiasAdd, FusedBatchNorm, activations) over args.
    std::vector<AttrDef> a = {type_adef("T", conv_types()), min_adef("num_args", 0)};
    add_conv_attrs(a);
    a.push_back(adef("use_cudnn_on_gpu", "bool", true));
    add_fusion_attrs(a);
    // TensorFlow's signature types its args through TArgs (one entry per arg; required there:
    // --tf-compatible graphs carry it, see api/optimize.cc) and has host_args (none here).
    AttrList no_types;
    a.push_back(adef("TArgs", "list(type)", no_types));
    a.push_back(adef("num_host_args", "int", int64_t{0}));
    r.register_op(op("_FusedConv2D",
                     {targ("input", "T"), targ("filter", "T"), targ("args", "T", "num_args")},
                     {targ("output", "T")}, std::move(a)));
  }
  {  // FusedDepthwiseConv2dNative (TF.js only): DepthwiseConv2dNative + fused_ops over args.
    std::vector<AttrDef> a = {type_adef("T", conv_types()), min_adef("num_args", 0)};
    add_conv_attrs(a);
    add_fusion_attrs(a);
    r.register_op(tfjs_op("FusedDepthwiseConv2dNative",
                          {targ("input", "T"), targ("filter", "T"), targ("args", "T", "num_args")},
                          {targ("output", "T")}, std::move(a)));
  }
  // Prelu (TF.js only): y = x > 0 ? x : alpha * x, alpha broadcast. TF.js writes no attrs at
  // all, so T defaults to float32.
  r.register_op(tfjs_op("Prelu", {targ("x", "T"), targ("alpha", "T")}, {targ("y", "T")},
                        {type_adef("T", conv_types(), DType::kFloat)}));
  {  // _FusedBatchNormEx: FusedBatchNormV3 (+ side input Add) + activation.
    std::vector<ArgDef> in = {targ("x", "T"),        targ("scale", "U"),
                              targ("offset", "U"),   targ("mean", "U"),
                              targ("variance", "U"), targ("side_input", "T", "num_side_inputs")};
    std::vector<ArgDef> out = {targ("y", "T"),
                               targ("batch_mean", "U"),
                               targ("batch_variance", "U"),
                               targ("reserve_space_1", "U"),
                               targ("reserve_space_2", "U"),
                               targ("reserve_space_3", "U")};
    std::vector<AttrDef> a = {type_adef("T", low_float_types()),
                              type_adef("U", {DType::kFloat}),
                              adef("epsilon", "float", 1e-4f),
                              adef("exponential_avg_factor", "float", 1.0f),
                              adef("activation_mode", "string", "Identity"),
                              string_adef("data_format", {"NHWC", "NCHW"}, "NHWC"),
                              min_adef("num_side_inputs", 0, int64_t{0}),
                              adef("is_training", "bool", true)};
    r.register_op(op("_FusedBatchNormEx", std::move(in), std::move(out), std::move(a)));
  }
}

}  // namespace

void register_fused_ops(OpRegistry& r) {
  register_hidden_signatures(r);
  r.info("FusedDepthwiseConv2dNative").amp(AmpClass::kAllow);
  r.info("_FusedConv2D").amp(AmpClass::kAllow);
  r.info("_FusedMatMul").amp(AmpClass::kAllow);
  r.info("_FusedBatchNormEx").amp(AmpClass::kInfer);
  // Prelu (TF.js) is in no list of the spec; it is LeakyRelu with a learned slope, so it takes
  // LeakyRelu's class (infer). In no list it stayed float32 with two casts around every Prelu
  // between bfloat16 convolutions (iris: 52 of its 54 casts).
  r.info("Prelu").amp(AmpClass::kInfer);
  // Shape functions (ops/shape_inference.h), also for aamp's own fused ops.
  r.info("FusedDepthwiseConv2dNative").shape_fn(shape_fns::conv2d);
  r.info("_FusedConv2D").shape_fn(shape_fns::conv2d);
  r.info("_FusedMatMul").shape_fn(shape_fns::matmul);
  r.info("_FusedBatchNormEx").shape_fn(shape_fns::fused_batch_norm);
  r.info("Prelu").shape_fn(shape_fns::broadcast);
  for (const char* op : {"LayerNorm", "InstanceNorm", "Swish", "Mish", "HardSwish", "Gelu"})
    r.info(op).shape_fn(shape_fns::unary);
  r.info("_AampFusedAddSoftmax").shape_fn(shape_fns::broadcast);
  r.info("_AampFusedBatchMatMulV2").shape_fn(shape_fns::batch_matmul);
}

}  // namespace aamp
