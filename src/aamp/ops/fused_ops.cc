// Fused ops: TensorFlow's hidden/TF.js fused forms and aamp's own fusions.
// Per-op knowledge: AMP class (spec section 2; device overrides where the lists differ) and
// shape function. Signatures of TensorFlow ops come from the generated table.
#include "aamp/ops/families.h"
#include "aamp/ops/registry.h"

namespace aamp {

void register_fused_ops(OpRegistry& r) {
  r.info("FusedDepthwiseConv2dNative").amp(AmpClass::kAllow);
  r.info("_FusedConv2D").amp(AmpClass::kAllow);
  r.info("_FusedMatMul").amp(AmpClass::kAllow);
  r.info("_FusedBatchNormEx").amp(AmpClass::kInfer);
}

}  // namespace aamp
