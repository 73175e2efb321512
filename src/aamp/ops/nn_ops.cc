// Neural-network ops: convolutions, pooling, normalisation, activations, softmax.
// Per-op knowledge: AMP class (spec section 2; device overrides where the lists differ) and
// shape function. Signatures of TensorFlow ops come from the generated table.
#include "aamp/ops/families.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"

namespace aamp {

void register_nn_ops(OpRegistry& r) {
  r.info("Conv2D").amp(AmpClass::kAllow);
  r.info("Conv2DBackpropFilter").amp(AmpClass::kAllow);
  r.info("Conv2DBackpropInput").amp(AmpClass::kAllow);
  r.info("Conv3D").amp(AmpClass::kAllow);
  r.info("Conv3DBackpropFilter").amp(AmpClass::kAllow);
  r.info("Conv3DBackpropFilterV2").amp(AmpClass::kAllow);
  r.info("Conv3DBackpropInput").amp(AmpClass::kAllow);
  r.info("Conv3DBackpropInputV2").amp(AmpClass::kAllow);
  r.info("DepthwiseConv2dNative").amp(AmpClass::kAllow);
  r.info("DepthwiseConv2dNativeBackpropFilter").amp(AmpClass::kAllow);
  r.info("DepthwiseConv2dNativeBackpropInput").amp(AmpClass::kAllow);
  r.info("MaxPool").amp(AmpClass::kClear);
  r.info("MaxPool3D").amp(AmpClass::kClear);
  r.info("MaxPool3DGrad").amp(AmpClass::kClear);
  r.info("MaxPool3DGradGrad").amp(AmpClass::kClear);
  r.info("MaxPoolGrad").amp(AmpClass::kClear);
  r.info("MaxPoolGradGrad").amp(AmpClass::kClear);
  r.info("MaxPoolGradGradV2").amp(AmpClass::kClear);
  r.info("MaxPoolGradV2").amp(AmpClass::kClear);
  r.info("MaxPoolV2").amp(AmpClass::kClear);
  r.info("Relu").amp(AmpClass::kClear);
  r.info("Relu6").amp(AmpClass::kClear);
  r.info("Relu6Grad").amp(AmpClass::kClear);
  r.info("ReluGrad").amp(AmpClass::kClear);
  r.info("ResizeNearestNeighbor").amp(AmpClass::kClear);
  r.info("ResizeNearestNeighborGrad").amp(AmpClass::kClear);
  r.info("TopK").amp(AmpClass::kClear);
  r.info("TopKV2").amp(AmpClass::kClear);
  r.info("L2Loss").amp(AmpClass::kDeny);
  r.info("SoftmaxCrossEntropyWithLogits").amp(AmpClass::kDeny);
  r.info("SparseSoftmaxCrossEntropyWithLogits").amp(AmpClass::kDeny);
  r.info("AvgPool").amp(AmpClass::kInfer);
  r.info("AvgPool3D").amp(AmpClass::kInfer);
  r.info("AvgPool3DGrad").amp(AmpClass::kInfer);
  r.info("AvgPoolGrad").amp(AmpClass::kInfer);
  r.info("BiasAdd").amp(AmpClass::kInfer);
  r.info("BiasAddGrad").amp(AmpClass::kInfer);
  r.info("BiasAddV1").amp(AmpClass::kInfer);
  r.info("Elu").amp(AmpClass::kInfer);
  r.info("EluGrad").amp(AmpClass::kInfer);
  r.info("FusedBatchNormGradV2").amp(AmpClass::kInfer);
  r.info("FusedBatchNormGradV3").amp(AmpClass::kInfer);
  r.info("FusedBatchNormV2").amp(AmpClass::kInfer);
  r.info("FusedBatchNormV3").amp(AmpClass::kInfer);
  r.info("Gelu").amp(AmpClass::kInfer);
  r.info("GeluGrad").amp(AmpClass::kInfer);
  r.info("LayerNorm").amp(AmpClass::kInfer);
  r.info("LayerNormGrad").amp(AmpClass::kInfer);
  r.info("LeakyRelu").amp(AmpClass::kInfer);
  r.info("LeakyReluGrad").amp(AmpClass::kInfer);
  r.info("LogSoftmax").amp(AmpClass::kInfer);
  r.info("Selu").amp(AmpClass::kInfer);
  r.info("SeluGrad").amp(AmpClass::kInfer);
  r.info("Softmax").amp(AmpClass::kInfer);
  r.info("Softplus").amp(AmpClass::kInfer);
  r.info("SoftplusGrad").amp(AmpClass::kInfer);
  r.info("Softsign").amp(AmpClass::kInfer);
  r.info("SoftsignGrad").amp(AmpClass::kInfer);
  r.info("SwishGrad").amp(AmpClass::kInfer);
  // Shape functions (ops/shape_inference.h).
  for (const char* op : {"Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Softmax", "LogSoftmax",
                         "Softplus", "Softsign", "BiasAdd", "BiasAddV1"})
    r.info(op).shape_fn(shape_fns::unary);
  r.info("Conv2D").shape_fn(shape_fns::conv2d);
  r.info("DepthwiseConv2dNative").shape_fn(shape_fns::conv2d);
  r.info("Conv2DBackpropInput").shape_fn(shape_fns::conv2d_backprop_input);
  r.info("MaxPool").shape_fn(shape_fns::pool);
  r.info("AvgPool").shape_fn(shape_fns::pool);
  for (const char* op : {"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"})
    r.info(op).shape_fn(shape_fns::fused_batch_norm);
  // Clear on the CPU as in TensorFlow's oneDNN lists: a weighted mean of neighbours, no range
  // change; its input then converts with the producer (in no list it cost one Cast per
  // upsampling in movenet and selfie; the output is float32 whatever T is).
  r.info("ResizeBilinear").shape_fn(shape_fns::resize).amp_on(DeviceKind::kCPU, AmpClass::kClear);
  r.info("ResizeNearestNeighbor").shape_fn(shape_fns::resize);
  r.info("TopK").shape_fn(shape_fns::top_k);
  r.info("TopKV2").shape_fn(shape_fns::top_k);
}

}  // namespace aamp
