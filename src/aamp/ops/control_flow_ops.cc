// Control-flow ops (v1 loops and conditionals) and TensorList ops.
// One statement per op, alphabetical: its AMP class (spec section 2; device overrides where the
// lists differ), its shape function (ops/shape_inference.h) and its traits (ops/registry.h).
// Signatures of TensorFlow ops come from the generated table.
#include "aamp/ops/families.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"

namespace aamp {

void register_control_flow_ops(OpRegistry& r) {
  r.info("Enter").amp(AmpClass::kClear).control_flow().shape_fn(shape_fns::unary);
  r.info("Exit").amp(AmpClass::kClear).control_flow().shape_fn(shape_fns::unary);
  r.info("LoopCond").control_flow().shape_fn(shape_fns::unary);
  r.info("Merge").amp(AmpClass::kClear).control_flow().shape_fn(shape_fns::merge);
  r.info("NoOp").shape_fn(shape_fns::no_outputs);
  r.info("NextIteration").amp(AmpClass::kClear).control_flow().shape_fn(shape_fns::unary);
  r.info("Switch").amp(AmpClass::kClear).control_flow().shape_fn(shape_fns::unary);
  r.info("TensorListConcat").amp(AmpClass::kClear);
  r.info("TensorListConcatV2").amp(AmpClass::kClear);
  r.info("TensorListFromTensor").amp(AmpClass::kClear);
  r.info("TensorListFromTensorV2").amp(AmpClass::kClear);
  r.info("TensorListGather").amp(AmpClass::kClear);
  r.info("TensorListGatherV2").amp(AmpClass::kClear);
  r.info("TensorListGetItem").amp(AmpClass::kClear);
  r.info("TensorListGetItemV2").amp(AmpClass::kClear);
  r.info("TensorListPopBack").amp(AmpClass::kClear);
  r.info("TensorListPopBackV2").amp(AmpClass::kClear);
  r.info("TensorListPushBack").amp(AmpClass::kClear);
  r.info("TensorListPushBackV2").amp(AmpClass::kClear);
  r.info("TensorListScatter").amp(AmpClass::kClear);
  r.info("TensorListScatterV2").amp(AmpClass::kClear);
  r.info("TensorListSetItem").amp(AmpClass::kClear);
  r.info("TensorListSetItemV2").amp(AmpClass::kClear);
  r.info("TensorListSplit").amp(AmpClass::kClear);
  r.info("TensorListSplitV2").amp(AmpClass::kClear);
  r.info("TensorListStack").amp(AmpClass::kClear);
  r.info("TensorListStackV2").amp(AmpClass::kClear);
}

}  // namespace aamp
