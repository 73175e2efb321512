// Neural-network ops: convolutions, pooling, normalisation, activations, softmax.
// One statement per op, alphabetical: its AMP class (spec section 2; device overrides where the
// lists differ), its shape function (ops/shape_inference.h) and its traits (ops/registry.h).
// Signatures of TensorFlow ops come from the generated table.
#include "aamp/ops/families.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"

namespace aamp {

void register_nn_ops(OpRegistry& r) {
  r.info("AvgPool").amp(AmpClass::kInfer).shape_fn(shape_fns::pool).same_rank();
  r.info("AvgPool3D").amp(AmpClass::kInfer);
  r.info("AvgPool3DGrad").amp(AmpClass::kInfer);
  r.info("AvgPoolGrad").amp(AmpClass::kInfer);
  r.info("BiasAdd").amp(AmpClass::kInfer).same_shape();
  r.info("BiasAddGrad").amp(AmpClass::kInfer);
  r.info("BiasAddV1").amp(AmpClass::kInfer).same_shape();
  r.info("Conv2D").amp(AmpClass::kAllow).shape_fn(shape_fns::conv2d).same_rank();
  r.info("Conv2DBackpropFilter").amp(AmpClass::kAllow);
  r.info("Conv2DBackpropInput").amp(AmpClass::kAllow).shape_fn(shape_fns::conv2d_backprop_input);
  r.info("Conv3D").amp(AmpClass::kAllow);
  r.info("Conv3DBackpropFilter").amp(AmpClass::kAllow);
  r.info("Conv3DBackpropFilterV2").amp(AmpClass::kAllow);
  r.info("Conv3DBackpropInput").amp(AmpClass::kAllow);
  r.info("Conv3DBackpropInputV2").amp(AmpClass::kAllow);
  r.info("DepthwiseConv2dNative").amp(AmpClass::kAllow).shape_fn(shape_fns::conv2d).same_rank();
  r.info("DepthwiseConv2dNativeBackpropFilter").amp(AmpClass::kAllow);
  r.info("DepthwiseConv2dNativeBackpropInput").amp(AmpClass::kAllow);
  r.info("Elu").amp(AmpClass::kInfer).elementwise();
  r.info("EluGrad").amp(AmpClass::kInfer);
  r.info("FusedBatchNorm").shape_fn(shape_fns::fused_batch_norm).same_rank();
  r.info("FusedBatchNormGradV2").amp(AmpClass::kInfer);
  r.info("FusedBatchNormGradV3").amp(AmpClass::kInfer);
  r.info("FusedBatchNormV2")
      .amp(AmpClass::kInfer)
      .shape_fn(shape_fns::fused_batch_norm)
      .same_rank();
  r.info("FusedBatchNormV3")
      .amp(AmpClass::kInfer)
      .shape_fn(shape_fns::fused_batch_norm)
      .same_rank();
  r.info("GeluGrad").amp(AmpClass::kInfer);
  r.info("L2Loss").amp(AmpClass::kDeny);
  r.info("LayerNormGrad").amp(AmpClass::kInfer);
  r.info("LeakyRelu").amp(AmpClass::kInfer).elementwise();
  r.info("LeakyReluGrad").amp(AmpClass::kInfer);
  r.info("LogSoftmax").amp(AmpClass::kInfer).same_shape();
  r.info("MaxPool").amp(AmpClass::kClear).shape_fn(shape_fns::pool).same_rank();
  r.info("MaxPool3D").amp(AmpClass::kClear);
  r.info("MaxPool3DGrad").amp(AmpClass::kClear);
  r.info("MaxPool3DGradGrad").amp(AmpClass::kClear);
  r.info("MaxPoolGrad").amp(AmpClass::kClear);
  r.info("MaxPoolGradGrad").amp(AmpClass::kClear);
  r.info("MaxPoolGradGradV2").amp(AmpClass::kClear);
  r.info("MaxPoolGradV2").amp(AmpClass::kClear);
  r.info("MaxPoolV2").amp(AmpClass::kClear);
  // Image ops: no AMP list has them (float32 boxes and scores).
  r.info("NonMaxSuppressionV3").shape_fn(shape_fns::non_max_suppression).value_dependent_shape();
  r.info("NonMaxSuppressionV4").shape_fn(shape_fns::non_max_suppression).value_dependent_shape();
  r.info("NonMaxSuppressionV5").shape_fn(shape_fns::non_max_suppression).value_dependent_shape();
  r.info("Relu").amp(AmpClass::kClear).elementwise();
  r.info("Relu6").amp(AmpClass::kClear).elementwise();
  r.info("Relu6Grad").amp(AmpClass::kClear);
  r.info("ReluGrad").amp(AmpClass::kClear);
  // Clear on the CPU as in TensorFlow's oneDNN lists: a weighted mean of neighbours, no range
  // change; its input then converts with the producer (in no list it cost one Cast per
  // upsampling in movenet and selfie; the output is float32 whatever T is).
  r.info("ResizeBilinear")
      .amp_on(DeviceKind::kCPU, AmpClass::kClear)
      .shape_fn(shape_fns::resize)
      .same_rank();
  r.info("ResizeNearestNeighbor").amp(AmpClass::kClear).shape_fn(shape_fns::resize).same_rank();
  r.info("ResizeNearestNeighborGrad").amp(AmpClass::kClear);
  r.info("Selu").amp(AmpClass::kInfer).elementwise();
  r.info("SeluGrad").amp(AmpClass::kInfer);
  r.info("Softmax").amp(AmpClass::kInfer).same_shape();
  r.info("SoftmaxCrossEntropyWithLogits").amp(AmpClass::kDeny);
  r.info("Softplus").amp(AmpClass::kInfer).elementwise();
  r.info("SoftplusGrad").amp(AmpClass::kInfer);
  r.info("Softsign").amp(AmpClass::kInfer).elementwise();
  r.info("SoftsignGrad").amp(AmpClass::kInfer);
  r.info("SparseSoftmaxCrossEntropyWithLogits").amp(AmpClass::kDeny);
  r.info("SwishGrad").amp(AmpClass::kInfer);
  r.info("TopK").amp(AmpClass::kClear).shape_fn(shape_fns::top_k);
  r.info("TopKV2").amp(AmpClass::kClear).shape_fn(shape_fns::top_k);
}

}  // namespace aamp
