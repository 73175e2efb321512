// Shape inference: ShapeContext (what an op's shape function sees and fills) and the library of
// shape functions the op families attach to their ops (ops/*_ops.cc: r.info(op).shape_fn(...)).
//
// A shape function reads the node, its input dtypes/shapes and the values of constant inputs,
// and sets the output shapes (dtypes are pre-filled from the op signature; a function may
// override them). It may also set output_values when an output is a cheap constant (Const,
// Shape of a fully known shape, ...). Shapes may be partially known (-1 dims, unknown rank); the
// runtime always calls with fully known input shapes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/ir/tensor.h"
#include "aamp/ops/registry.h"

namespace aamp {

struct ShapeContext {
  const Node* node = nullptr;
  const OpInfo* info = nullptr;  // may be null (op without a registry entry)
  std::vector<DType> input_dtypes;
  std::vector<Shape> input_shapes;
  std::vector<const Tensor*> input_values;  // constant value of each data input, or nullptr

  std::vector<DType> output_dtypes;
  std::vector<Shape> output_shapes;
  std::vector<std::optional<Tensor>> output_values;

  int num_inputs() const { return static_cast<int>(input_shapes.size()); }
  int num_outputs() const { return static_cast<int>(output_shapes.size()); }
  const Shape& in(int i) const;
  const Tensor* value(int i) const;  // nullptr when not constant (or i out of range)
  // A constant integer input as int64s; throws Error(kUnimplemented) naming the node when the
  // input is not a plan-time constant.
  std::vector<int64_t> ints(int i) const;
  // The node's attr, else the signature's default, else nullptr.
  const AttrValue* attr(const std::string& name) const;
  int64_t attr_int(const std::string& name, int64_t dflt) const;
  float attr_float(const std::string& name, float dflt) const;
  bool attr_bool(const std::string& name, bool dflt) const;
  std::string attr_string(const std::string& name, const std::string& dflt) const;
  std::vector<int64_t> attr_ints(const std::string& name) const;  // empty if absent

  void set(int i, Shape s) { output_shapes.at(static_cast<size_t>(i)) = std::move(s); }
  void set_value(int i, Tensor t);
  [[noreturn]] void fail(const std::string& msg) const;  // Error(kInvalidGraph) naming the node
};

// Fills ctx.output_dtypes and sizes outputs from the signature (number_attr / type_list_attr),
// resolving type attrs from node attrs, then input dtypes, then defaults. Needs ctx.node,
// ctx.info and the input fields.
void prepare_outputs(ShapeContext& ctx);
// prepare_outputs + the op's shape function. Throws Error(kUnimplemented) when the op has no
// shape function.
void infer_shapes(ShapeContext& ctx);

// ---- helpers shared with kernels ------------------------------------------------------------
// NumPy broadcasting of two shapes (-1 propagates); fails with a message naming both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const Node* node);
// Normalises an axis into [0, rank); throws naming the node when out of range.
int64_t normalize_axis(int64_t axis, int64_t rank, const Node* node);

// StridedSlice resolved against a concrete input shape: per input dim, begin / stride / size;
// and the final output shape (after shrink and new axes).
struct StridedSliceSpec {
  std::vector<int64_t> begin, stride, size;  // one per input dim
  std::vector<int64_t> out_shape;
};
StridedSliceSpec resolve_strided_slice(const std::vector<int64_t>& in_shape,
                                       const std::vector<int64_t>& begin,
                                       const std::vector<int64_t>& end,
                                       const std::vector<int64_t>& strides, int64_t begin_mask,
                                       int64_t end_mask, int64_t ellipsis_mask,
                                       int64_t new_axis_mask, int64_t shrink_mask,
                                       const Node* node);

// Conv / pool output size for one spatial dim (TF semantics for SAME / VALID / EXPLICIT).
// Returns the output size and sets pad_before.
int64_t conv_out_size(int64_t in, int64_t k, int64_t stride, int64_t dilation,
                      const std::string& padding, int64_t pad_lo, int64_t pad_hi,
                      int64_t* pad_before);

// ---- shape functions (attached by the op families) -------------------------------------------
namespace shape_fns {
void unary(ShapeContext& c);      // out0 = in0 (all outputs)
void broadcast(ShapeContext& c);  // NumPy broadcast of all data inputs
void select(ShapeContext& c);     // Select (v1 rank-1 condition) / SelectV2
void no_outputs(ShapeContext& c);
void scalars(ShapeContext& c);        // every output a scalar (handles, flows, sizes)
void scalars_first(ShapeContext& c);  // output 0 a scalar, the others left unknown
void placeholder(ShapeContext& c);
void constant(ShapeContext& c);
void shape_of(ShapeContext& c);  // Shape, ShapeN
void size_of(ShapeContext& c);
void rank_of(ShapeContext& c);
void reduce(ShapeContext& c);      // Sum, Mean, Max, Min, Prod, All, Any (input 1 = axes)
void arg_reduce(ShapeContext& c);  // ArgMax, ArgMin
void reshape(ShapeContext& c);
void squeeze(ShapeContext& c);
void expand_dims(ShapeContext& c);
void transpose(ShapeContext& c);
void concat(ShapeContext& c);  // ConcatV2 (axis last) and Concat (axis first)
void pack(ShapeContext& c);
void unpack(ShapeContext& c);
void split(ShapeContext& c);
void split_v(ShapeContext& c);
void slice(ShapeContext& c);
void strided_slice(ShapeContext& c);
void tile(ShapeContext& c);
void pad(ShapeContext& c);     // Pad, PadV2, MirrorPad
void gather(ShapeContext& c);  // GatherV2, Gather
void gather_nd(ShapeContext& c);
void one_hot(ShapeContext& c);
void fill(ShapeContext& c);
void range(ShapeContext& c);
void broadcast_to(ShapeContext& c);
void resize(ShapeContext& c);  // ResizeBilinear, ResizeNearestNeighbor
void depth_to_space(ShapeContext& c);
void space_to_depth(ShapeContext& c);
void space_to_batch_nd(ShapeContext& c);
void batch_to_space_nd(ShapeContext& c);
void top_k(ShapeContext& c);
void sparse_to_dense(ShapeContext& c);
// Value-dependent (OpTraits::value_dependent_shape): unknown dims stay -1, the kernel sizes them.
void where(ShapeContext& c);                // [num_true, rank]
void non_max_suppression(ShapeContext& c);  // NonMaxSuppressionV3 / V4 / V5
void identity_n(ShapeContext& c);
void merge(ShapeContext& c);   // Merge: the inputs' common shape (unknown dims where they differ)
void conv2d(ShapeContext& c);  // Conv2D, _FusedConv2D, DepthwiseConv2dNative, Fused...
void conv2d_backprop_input(ShapeContext& c);
void pool(ShapeContext& c);          // MaxPool, AvgPool
void matmul(ShapeContext& c);        // MatMul, _FusedMatMul
void batch_matmul(ShapeContext& c);  // BatchMatMul(V2), _AampFusedBatchMatMulV2
void fused_batch_norm(ShapeContext& c);
void attention(ShapeContext& c);  // _AampFusedAttention: q's shape, last dim v's
}  // namespace shape_fns

}  // namespace aamp
