// Array ops: shapes, slicing, gathering, concatenation, padding, casts, I/O.
// One statement per op, alphabetical: its AMP class (spec section 2; device overrides where the
// lists differ), its shape function (ops/shape_inference.h) and its traits (ops/registry.h).
// Signatures of TensorFlow ops come from the generated table.
#include "aamp/ops/families.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"

namespace aamp {

void register_array_ops(OpRegistry& r) {
  r.info("BatchToSpace").amp(AmpClass::kClear);
  r.info("BatchToSpaceND").amp(AmpClass::kClear).shape_fn(shape_fns::batch_to_space_nd);
  r.info("BroadcastTo").amp(AmpClass::kClear).shape_fn(shape_fns::broadcast_to);
  r.info("CheckNumerics").amp(AmpClass::kClear).same_shape().alias();
  r.info("Concat").amp(AmpClass::kClear).shape_fn(shape_fns::concat);
  r.info("ConcatV2").amp(AmpClass::kClear).shape_fn(shape_fns::concat);
  r.info("Const").shape_fn(shape_fns::constant);
  r.info("DepthToSpace").amp(AmpClass::kClear).shape_fn(shape_fns::depth_to_space);
  r.info("DynamicPartition").amp(AmpClass::kClear);
  r.info("DynamicStitch").amp(AmpClass::kClear);
  r.info("EnsureShape").amp(AmpClass::kClear).same_shape().alias();
  r.info("ExpandDims").amp(AmpClass::kClear).shape_fn(shape_fns::expand_dims).alias();
  r.info("Fill").amp(AmpClass::kClear).shape_fn(shape_fns::fill);
  r.info("Gather").amp(AmpClass::kClear).shape_fn(shape_fns::gather);
  r.info("GatherNd").amp(AmpClass::kClear).shape_fn(shape_fns::gather_nd);
  r.info("GatherV2").amp(AmpClass::kClear).shape_fn(shape_fns::gather);
  r.info("Identity").amp(AmpClass::kClear).same_shape().alias();
  r.info("IdentityN").amp(AmpClass::kClear).shape_fn(shape_fns::identity_n).alias();
  r.info("MirrorPad").amp(AmpClass::kClear).shape_fn(shape_fns::pad).same_rank();
  r.info("MirrorPadGrad").amp(AmpClass::kClear);
  r.info("OneHot").amp(AmpClass::kClear).shape_fn(shape_fns::one_hot);
  r.info("OnesLike").amp(AmpClass::kClear).same_shape();
  r.info("Pack").amp(AmpClass::kClear).shape_fn(shape_fns::pack);
  r.info("Pad").amp(AmpClass::kClear).shape_fn(shape_fns::pad).same_rank();
  r.info("PadV2").amp(AmpClass::kClear).shape_fn(shape_fns::pad).same_rank();
  r.info("Placeholder").shape_fn(shape_fns::placeholder);
  r.info("PlaceholderWithDefault").same_shape().alias();
  r.info("PreventGradient").amp(AmpClass::kClear).same_shape().alias();
  r.info("Rank").amp(AmpClass::kClear).shape_fn(shape_fns::rank_of);
  r.info("Reshape").amp(AmpClass::kClear).shape_fn(shape_fns::reshape).alias();
  r.info("Reverse").amp(AmpClass::kClear);
  r.info("ReverseSequence").amp(AmpClass::kClear);
  r.info("ReverseV2").amp(AmpClass::kClear);
  r.info("SaveV2").amp(AmpClass::kDeny);
  r.info("Shape").amp(AmpClass::kClear).shape_fn(shape_fns::shape_of);
  r.info("ShapeN").amp(AmpClass::kClear).shape_fn(shape_fns::shape_of);
  r.info("Size").amp(AmpClass::kClear).shape_fn(shape_fns::size_of);
  r.info("Slice").amp(AmpClass::kClear).shape_fn(shape_fns::slice);
  r.info("Snapshot").amp(AmpClass::kClear).same_shape().alias();
  r.info("SpaceToBatch").amp(AmpClass::kClear);
  r.info("SpaceToBatchND").amp(AmpClass::kClear).shape_fn(shape_fns::space_to_batch_nd);
  r.info("SpaceToDepth").amp(AmpClass::kClear).shape_fn(shape_fns::space_to_depth);
  r.info("SparseToDense").shape_fn(shape_fns::sparse_to_dense);
  r.info("Split").amp(AmpClass::kClear).shape_fn(shape_fns::split);
  r.info("SplitV").amp(AmpClass::kClear).shape_fn(shape_fns::split_v);
  r.info("Squeeze").amp(AmpClass::kClear).shape_fn(shape_fns::squeeze).alias();
  r.info("StopGradient").amp(AmpClass::kClear).same_shape().alias();
  r.info("StridedSlice").amp(AmpClass::kClear).shape_fn(shape_fns::strided_slice);
  r.info("StridedSliceGrad").amp(AmpClass::kClear);
  r.info("Tile").amp(AmpClass::kClear).shape_fn(shape_fns::tile);
  r.info("Transpose").amp(AmpClass::kClear).shape_fn(shape_fns::transpose);
  r.info("Unpack").amp(AmpClass::kClear).shape_fn(shape_fns::unpack);
  r.info("Where").amp(AmpClass::kClear).shape_fn(shape_fns::where).value_dependent_shape();
  r.info("ZerosLike").amp(AmpClass::kClear).same_shape();
}

}  // namespace aamp
