// aamp's own ops, produced by the remapper (passes/remapper*.cc) and run by aamp's runtime (and,
// registered with TensorFlow, by the TensorFlow plugin). Stock TensorFlow does not have them
// (aamp_only = true): --tf-compatible never creates them. Each op is one statement: signature,
// AMP class, shape function, traits.
#include "aamp/ops/families.h"
#include "aamp/ops/op_def_builder.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"

namespace aamp {

namespace {

using namespace opdef;  // NOLINT: the signature spelling helpers

OpDef aamp_op(const std::string& name, std::vector<ArgDef> in, std::vector<ArgDef> out,
              std::vector<AttrDef> attrs) {
  OpDef d = op(name, std::move(in), std::move(out), std::move(attrs));
  d.aamp_only = true;
  return d;
}

}  // namespace

void register_aamp_fused_ops(OpRegistry& r) {
  // LayerNorm over the last axis: y = (x - mean) * rsqrt(var + epsilon) * scale + offset.
  // Statistics are computed in float32 for every T; scale/offset stay float32 (U).
  r.register_op(aamp_op("LayerNorm", {arg("x", "T"), arg("scale", "U"), arg("offset", "U")},
                        {arg("y", "T")},
                        {type_attr("T", float_types()), type_attr("U", {DType::kFloat}),
                         attr("epsilon", "float", 1e-3f)}))
      .amp(AmpClass::kInfer)
      .same_shape();
  // InstanceNorm: statistics over the spatial axes ([1,2] for NHWC, [2,3] for NCHW), per
  // sample and channel, then an optional activation from fused_ops ([], [Relu], [LeakyRelu]).
  r.register_op(aamp_op("InstanceNorm", {arg("x", "T"), arg("scale", "U"), arg("offset", "U")},
                        {arg("y", "T")},
                        {type_attr("T", float_types()), type_attr("U", {DType::kFloat}),
                         attr("epsilon", "float", 1e-3f), attr("data_format", "string", "NHWC"),
                         attr("fused_ops", "list(string)", string_list({})),
                         attr("leakyrelu_alpha", "float", 0.2f)}))
      .amp(AmpClass::kInfer)
      .same_shape();
  // Swish: x * sigmoid(beta * x).
  r.register_op(aamp_op("Swish", {arg("x", "T")}, {arg("y", "T")},
                        {type_attr("T", float_types()), attr("beta", "float", 1.0f)}))
      .amp(AmpClass::kInfer)
      .elementwise();
  // Mish: x * tanh(softplus(x)).
  r.register_op(aamp_op("Mish", {arg("x", "T")}, {arg("y", "T")}, {type_attr("T", float_types())}))
      .amp(AmpClass::kInfer)
      .elementwise();
  // HardSwish: x * relu6(x + 3) / 6.
  r.register_op(
       aamp_op("HardSwish", {arg("x", "T")}, {arg("y", "T")}, {type_attr("T", float_types())}))
      .amp(AmpClass::kInfer)
      .elementwise();
  // Gelu: exact 0.5*x*(1+erf(x/sqrt(2))) or, with approximate, the tanh form.
  r.register_op(aamp_op("Gelu", {arg("features", "T")}, {arg("activations", "T")},
                        {type_attr("T", float_types()), attr("approximate", "bool", false)}))
      .amp(AmpClass::kInfer)
      .elementwise();
  // softmax(logits + mask) over the last axis; mask broadcasts like AddV2.
  r.register_op(aamp_op("_AampFusedAddSoftmax", {arg("logits", "T"), arg("mask", "T")},
                        {arg("softmax", "T")}, {type_attr("T", float_types())}))
      .amp(AmpClass::kInfer)
      .amp_on(DeviceKind::kGPU, AmpClass::kAllow)
      .broadcasting();
  // BatchMatMulV2 followed by fused_ops over args: "Mul" (scalar scale), "BiasAdd", "Add",
  // and activations, in order.
  r.register_op(aamp_op("_AampFusedBatchMatMulV2",
                        {arg("x", "T"), arg("y", "T"), arg("args", "T", "num_args")},
                        {arg("output", "T")},
                        {type_attr("T", float_types()), attr("adj_x", "bool", false),
                         attr("adj_y", "bool", false), min_attr("num_args", 0, int64_t{0}),
                         attr("fused_ops", "list(string)", string_list({})),
                         attr("epsilon", "float", 1e-4f), attr("leakyrelu_alpha", "float", 0.2f)}))
      .amp(AmpClass::kAllow)
      .shape_fn(shape_fns::batch_matmul)
      .same_rank();
  // Scaled dot-product attention per batch and head: softmax(scale * q k^T + mask) v, the softmax
  // over the keys and in float32. layout "BHSD": q [B,H,Sq,D], k [B,H,Sk,D], v [B,H,Sk,Dv] and
  // output [B,H,Sq,Dv]; "BSHD": the sequence axis before the head axis in all four (the head
  // split's and merge's Transposes absorbed); "BS3HD": q, k and v are the same [B,S,3,H,D] tensor
  // (one merged projection), the output [B,S,H,D]. args: none, or the additive mask, broadcast
  // against the scores [B,H,Sq,Sk] like AddV2 (e.g. [B,1,1,Sk]).
  r.register_op(aamp_op("_AampFusedAttention",
                        {arg("q", "T"), arg("k", "T"), arg("v", "T"), arg("args", "T", "num_args")},
                        {arg("output", "T")},
                        {type_attr("T", float_types()), attr("scale", "float", 1.0f),
                         attr("layout", "string", "BHSD"), min_attr("num_args", 0, int64_t{0})}))
      .amp(AmpClass::kAllow)
      .shape_fn(shape_fns::attention);
  // A Cast of a variable's value to bfloat16 whose result the host may keep between runs while
  // the value's buffer is the same (passes/variable_cast_cache.h). y = Cast(x) otherwise.
  r.register_op(aamp_op("CachedCast", {fixed_arg("x", DType::kFloat)}, {arg("y", "T")},
                        {type_attr("T", {DType::kBFloat16})}))
      .same_shape();
}

}  // namespace aamp
