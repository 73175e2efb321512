// Array ops: shapes, slicing, gathering, concatenation, padding, casts, I/O.
// Per-op knowledge: AMP class (spec section 2; device overrides where the lists differ) and
// shape function. Signatures of TensorFlow ops come from the generated table.
#include "aamp/ops/families.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"

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
  // Shape functions (ops/shape_inference.h).
  r.info("Placeholder").shape_fn(shape_fns::placeholder);
  r.info("Const").shape_fn(shape_fns::constant);
  for (const char* op :
       {"PlaceholderWithDefault", "Identity", "Snapshot", "StopGradient", "PreventGradient",
        "EnsureShape", "CheckNumerics", "ZerosLike", "OnesLike"})
    r.info(op).shape_fn(shape_fns::unary);
  r.info("IdentityN").shape_fn(shape_fns::identity_n);
  r.info("Shape").shape_fn(shape_fns::shape_of);
  r.info("ShapeN").shape_fn(shape_fns::shape_of);
  r.info("Size").shape_fn(shape_fns::size_of);
  r.info("Rank").shape_fn(shape_fns::rank_of);
  r.info("Reshape").shape_fn(shape_fns::reshape);
  r.info("Squeeze").shape_fn(shape_fns::squeeze);
  r.info("ExpandDims").shape_fn(shape_fns::expand_dims);
  r.info("Transpose").shape_fn(shape_fns::transpose);
  r.info("Concat").shape_fn(shape_fns::concat);
  r.info("ConcatV2").shape_fn(shape_fns::concat);
  r.info("Pack").shape_fn(shape_fns::pack);
  r.info("Unpack").shape_fn(shape_fns::unpack);
  r.info("Split").shape_fn(shape_fns::split);
  r.info("SplitV").shape_fn(shape_fns::split_v);
  r.info("Slice").shape_fn(shape_fns::slice);
  r.info("StridedSlice").shape_fn(shape_fns::strided_slice);
  r.info("Tile").shape_fn(shape_fns::tile);
  for (const char* op : {"Pad", "PadV2", "MirrorPad"}) r.info(op).shape_fn(shape_fns::pad);
  r.info("Gather").shape_fn(shape_fns::gather);
  r.info("GatherV2").shape_fn(shape_fns::gather);
  r.info("GatherNd").shape_fn(shape_fns::gather_nd);
  r.info("OneHot").shape_fn(shape_fns::one_hot);
  r.info("Fill").shape_fn(shape_fns::fill);
  r.info("BroadcastTo").shape_fn(shape_fns::broadcast_to);
  r.info("DepthToSpace").shape_fn(shape_fns::depth_to_space);
  r.info("SpaceToDepth").shape_fn(shape_fns::space_to_depth);
  r.info("SpaceToBatchND").shape_fn(shape_fns::space_to_batch_nd);
  r.info("BatchToSpaceND").shape_fn(shape_fns::batch_to_space_nd);
  r.info("SparseToDense").shape_fn(shape_fns::sparse_to_dense);
}

}  // namespace aamp
