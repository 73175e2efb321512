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
  // Containers (TensorArray, TensorList): their handles are DT_RESOURCE / DT_VARIANT scalars,
  // which only the dynamic executor holds; reads take their shape from what was written.
  for (const char* op : {"TensorArrayV3", "TensorArrayWriteV3", "TensorArrayScatterV3",
                         "TensorArraySizeV3", "TensorArrayCloseV3"})
    r.info(op).shape_fn(shape_fns::scalars);
  for (const char* op : {"TensorArrayReadV3", "TensorArrayGatherV3"})
    r.info(op).amp(AmpClass::kClear).value_dependent_shape().shape_fn(shape_fns::no_outputs);
  for (const char* op : {"EmptyTensorList", "TensorListFromTensor", "TensorListLength",
                         "TensorListPushBack", "TensorListReserve", "TensorListSetItem"})
    r.info(op).amp(AmpClass::kClear).shape_fn(shape_fns::scalars);
  for (const char* op :
       {"TensorListElementShape", "TensorListGetItem", "TensorListPopBack", "TensorListStack"})
    r.info(op).amp(AmpClass::kClear).value_dependent_shape().shape_fn(shape_fns::scalars_first);
  // Listed for their AMP class; no kernel runs them yet.
  for (const char* op :
       {"TensorListConcat", "TensorListConcatV2", "TensorListFromTensorV2", "TensorListGather",
        "TensorListGatherV2", "TensorListGetItemV2", "TensorListPopBackV2", "TensorListPushBackV2",
        "TensorListScatter", "TensorListScatterV2", "TensorListSetItemV2", "TensorListSplit",
        "TensorListSplitV2", "TensorListStackV2"})
    r.info(op).amp(AmpClass::kClear);
}

}  // namespace aamp
