// Signature helpers: a node's op signature (OpDef) expanded against the node's attrs.
//
// An OpDef arg is one tensor, N tensors of one type (number_attr), or a list of tensors of
// several types (type_list_attr). For a concrete node, the helpers flatten the args into the
// node's input/output positions and resolve each position's dtype from the node's attrs, falling
// back to the attr defaults of the signature:
//
//   input_dtypes(n)      {float32, float32}          for MatMul with T=float32
//   input_type_attrs(n)  {"T", "T"}                  ("" where the type is fixed)
//
// The AMP pass uses the type attrs to know which attr to rewrite when it changes an input or
// output's dtype; the runtime and validation use the dtypes.
//
// Errors: Error(kUnimplemented) when the op has no registered signature, Error(kInvalidGraph)
// naming the node when an attr the expansion needs (a number_attr / type_list_attr, a type attr
// without a default) is missing or of the wrong kind.
#pragma once

#include <string>
#include <vector>

#include "aamp/core/dtype.h"
#include "aamp/ir/graph.h"
#include "aamp/ops/op_def.h"

namespace aamp {

// One flattened input or output position of a node.
struct TypeSlot {
  int arg = -1;           // index into OpDef::inputs / OpDef::outputs
  int index_in_arg = 0;   // position within the arg (0 for single-tensor args)
  std::string type_attr;  // attr governing the dtype: type_attr or type_list_attr; "" = fixed
  int list_index = -1;    // >= 0 when governed by element list_index of a list(type) attr
  DType fixed = DType::kInvalid;  // the dtype when type_attr is empty
  bool is_ref = false;
  bool operator==(const TypeSlot&) const = default;
};

// The signature of n's op (from the global registry); nullptr when the op has none.
const OpDef* find_signature(const Node& n);
// Like find_signature but throws Error(kUnimplemented) "node 'x' (Op): unknown op".
const OpDef& signature_of(const Node& n);

// The node's attr, else the signature's default, else nullptr.
const AttrValue* attr_or_default(const OpDef& def, const Node& n, const std::string& name);

// Number of tensors an arg stands for on this node (1, N, or the length of the type list).
int arg_count(const OpDef& def, const ArgDef& arg, const Node& n);

std::vector<TypeSlot> input_slots(const OpDef& def, const Node& n);
std::vector<TypeSlot> output_slots(const OpDef& def, const Node& n);
std::vector<TypeSlot> input_slots(const Node& n);
std::vector<TypeSlot> output_slots(const Node& n);

// The dtype of a slot on node n (its type attr's value or default, or the fixed type).
DType slot_dtype(const OpDef& def, const Node& n, const TypeSlot& s);

// Per data input / output position: the dtype.
std::vector<DType> input_dtypes(const OpDef& def, const Node& n);
std::vector<DType> output_dtypes(const OpDef& def, const Node& n);
std::vector<DType> input_dtypes(const Node& n);
std::vector<DType> output_dtypes(const Node& n);

// Per data input / output position: the governing type attr name ("" when fixed).
std::vector<std::string> input_type_attrs(const Node& n);
std::vector<std::string> output_type_attrs(const Node& n);

// The "type" attrs of the op (names, signature order) whose value governs at least one input or
// output, e.g. {"T"} for MatMul, {"SrcT", "DstT"} for Cast, {"T", "U"} for FusedBatchNormV3.
std::vector<std::string> governing_type_attrs(const OpDef& def);

}  // namespace aamp
