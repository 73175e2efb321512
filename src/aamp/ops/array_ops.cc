// Array ops: shapes, slicing, gathering, concatenation, padding, casts, I/O.
// Per-op knowledge: AMP class (spec section 2; device overrides where the lists differ) and
// shape function. Signatures of TensorFlow ops come from the generated table.
#include "aamp/ops/families.h"
#include "aamp/ops/registry.h"

namespace aamp {

void register_array_ops(OpRegistry& r) {
  r.info("BatchToSpace").amp(AmpClass::kClear);
  r.info("BatchToSpaceND").amp(AmpClass::kClear);
  r.info("BroadcastTo").amp(AmpClass::kClear);
  r.info("CheckNumerics").amp(AmpClass::kClear);
  r.info("Concat").amp(AmpClass::kClear);
  r.info("ConcatV2").amp(AmpClass::kClear);
  r.info("DepthToSpace").amp(AmpClass::kClear);
  r.info("DynamicPartition").amp(AmpClass::kClear);
  r.info("DynamicStitch").amp(AmpClass::kClear);
  r.info("EnsureShape").amp(AmpClass::kClear);
  r.info("ExpandDims").amp(AmpClass::kClear);
  r.info("Fill").amp(AmpClass::kClear);
  r.info("Gather").amp(AmpClass::kClear);
  r.info("GatherNd").amp(AmpClass::kClear);
  r.info("GatherV2").amp(AmpClass::kClear);
  r.info("Identity").amp(AmpClass::kClear);
  r.info("IdentityN").amp(AmpClass::kClear);
  r.info("MirrorPad").amp(AmpClass::kClear);
  r.info("MirrorPadGrad").amp(AmpClass::kClear);
  r.info("OneHot").amp(AmpClass::kClear);
  r.info("OnesLike").amp(AmpClass::kClear);
  r.info("Pack").amp(AmpClass::kClear);
  r.info("Pad").amp(AmpClass::kClear);
  r.info("PadV2").amp(AmpClass::kClear);
  r.info("PreventGradient").amp(AmpClass::kClear);
  r.info("Rank").amp(AmpClass::kClear);
  r.info("Reshape").amp(AmpClass::kClear);
  r.info("Reverse").amp(AmpClass::kClear);
  r.info("ReverseSequence").amp(AmpClass::kClear);
  r.info("ReverseV2").amp(AmpClass::kClear);
  r.info("Shape").amp(AmpClass::kClear);
  r.info("ShapeN").amp(AmpClass::kClear);
  r.info("Size").amp(AmpClass::kClear);
  r.info("Slice").amp(AmpClass::kClear);
  r.info("Snapshot").amp(AmpClass::kClear);
  r.info("SpaceToBatch").amp(AmpClass::kClear);
  r.info("SpaceToBatchND").amp(AmpClass::kClear);
  r.info("SpaceToDepth").amp(AmpClass::kClear);
  r.info("Split").amp(AmpClass::kClear);
  r.info("SplitV").amp(AmpClass::kClear);
  r.info("Squeeze").amp(AmpClass::kClear);
  r.info("StopGradient").amp(AmpClass::kClear);
  r.info("StridedSlice").amp(AmpClass::kClear);
  r.info("StridedSliceGrad").amp(AmpClass::kClear);
  r.info("Tile").amp(AmpClass::kClear);
  r.info("Transpose").amp(AmpClass::kClear);
  r.info("Unpack").amp(AmpClass::kClear);
  r.info("Where").amp(AmpClass::kClear);
  r.info("ZerosLike").amp(AmpClass::kClear);
  r.info("SaveV2").amp(AmpClass::kDeny);
}

}  // namespace aamp
