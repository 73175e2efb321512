// The one formula per activation, usable in host code and in CUDA device code (.cu files include
// this header): every fused epilogue (CPU reference, oneDNN tail, CUDA) and every fast kernel of
// an activation calls activate(). Inputs and results are float32; 16-bit kernels convert around
// it. The reference kernels of TensorFlow's standalone activations (reference_elementwise.cc)
// keep their own generic formulas on purpose: they run in the op's dtype (float64 included) and
// so check activate() independently; aamp's own activations are checked by Activation.Formulas.
//
// Adding an activation: a value in EpilogueOp (ops/epilogue.h), its row in the vocabulary table
// (ops/epilogue.cc) and its case here. See docs/adding-an-op.md.
#pragma once

#include <math.h>  // the float functions (expf, tanhf, ...) that exist on host and device alike

#include <cstdint>

#include "aamp/core/host_device.h"

namespace aamp {

// The steps of a fused epilogue (the `fused_ops` attr of _FusedMatMul, _FusedConv2D,
// FusedDepthwiseConv2dNative, _AampFusedBatchMatMulV2), argument steps first, then activations.
// Plain int32 so that device code can take it by value.
enum class EpilogueOp : int32_t {
  kBiasAdd,    // 1 arg, per output channel
  kAdd,        // 1 arg, broadcast NumPy-style (a residual)
  kMul,        // 1 arg, broadcast NumPy-style (a scalar scale)
  kPrelu,      // 1 arg, alpha per channel (or broadcast): max(v, 0) + alpha * min(v, 0)
  kBatchNorm,  // 4 args per channel: scale, offset, mean, variance; with epsilon
  kRelu,
  kRelu6,
  kElu,
  kLeakyRelu,  // ActParams::alpha
  kSigmoid,
  kTanh,
  kSwish,  // x * sigmoid(beta * x), ActParams::beta
  kMish,
  kHardSwish,
  kGeluExact,
  kGeluApprox,
  kLast = kGeluApprox,  // not a step: the last value (vocabulary rows are checked against it)
};

// The parameters an activation reads (the OpDef defaults of LeakyRelu's alpha, Swish's beta).
struct ActParams {
  float alpha = 0.2f;
  float beta = 1.0f;
};

// Applies activation `k` to x. Argument steps (kBiasAdd ... kBatchNorm) return x unchanged.
// No default case: -Wswitch flags a new EpilogueOp that has no formula here.
AAMP_HOST_DEVICE float activate(EpilogueOp k, float x, ActParams p = {}) {
  switch (k) {
    case EpilogueOp::kBiasAdd:
    case EpilogueOp::kAdd:
    case EpilogueOp::kMul:
    case EpilogueOp::kPrelu:
    case EpilogueOp::kBatchNorm:
      return x;
    case EpilogueOp::kRelu:
      return x > 0.0f ? x : 0.0f;
    case EpilogueOp::kRelu6:
      return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case EpilogueOp::kElu:
      return x > 0.0f ? x : expm1f(x);
    case EpilogueOp::kLeakyRelu:
      return x > 0.0f ? x : x * p.alpha;
    case EpilogueOp::kSigmoid:
      return 1.0f / (1.0f + expf(-x));
    case EpilogueOp::kTanh:
      return tanhf(x);
    case EpilogueOp::kSwish:
      return x / (1.0f + expf(-p.beta * x));
    case EpilogueOp::kMish:  // x * tanh(softplus(x)); softplus(x) = x above 20 in float32
      return x * tanhf(x > 20.0f ? x : log1pf(expf(x)));
    case EpilogueOp::kHardSwish: {
      const float r = x + 3.0f;
      return x * (r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r)) / 6.0f;
    }
    case EpilogueOp::kGeluExact:  // 0.5 x (1 + erf(x / sqrt(2)))
      return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
    case EpilogueOp::kGeluApprox:  // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
      return 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
  }
  return x;
}

// The argument steps' formulas that are more than one operator (kBiasAdd/kAdd add, kMul
// multiplies).
AAMP_HOST_DEVICE float prelu(float v, float alpha) {
  return (v > 0.0f ? v : 0.0f) + alpha * (v < 0.0f ? v : 0.0f);
}
AAMP_HOST_DEVICE float batch_norm(float v, float scale, float offset, float mean, float variance,
                                  float epsilon) {
  return (v - mean) * (scale / sqrtf(variance + epsilon)) + offset;
}

}  // namespace aamp
