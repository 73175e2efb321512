// The vocabulary of fused epilogues, shared by the remapper (which writes `fused_ops`), the CPU
// kernels and the CUDA kernels (which read it): one table row per step with its `fused_ops`
// name, its arguments, the standalone op it folds, and whether stock TensorFlow's fused kernels
// run it. Error messages that list what a kernel supports are built from it.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aamp/ops/activation.h"

namespace aamp {

class Node;

struct EpilogueOpDef {
  EpilogueOp op;
  std::string_view name;  // the `fused_ops` entry
  int num_args;           // fused data inputs the step reads (0 for activations)
  // Arguments must hold one value per output channel (BiasAdd, FusedBatchNorm); otherwise they
  // may also broadcast against the output (Add, Mul, Prelu).
  bool per_channel_only;
  // The standalone op the remapper folds into the step ("" for argument steps it handles by
  // pattern). Gelu folds into GeluExact or GeluApproximate by its `approximate` attr.
  std::string_view source_op;
  // Stock TensorFlow's _FusedMatMul / _FusedConv2D kernels run the step.
  bool tf_fusable;
};

// Every step, in EpilogueOp order.
std::span<const EpilogueOpDef> epilogue_ops();
const EpilogueOpDef& epilogue_op_def(EpilogueOp op);
// nullptr for a name that is no step.
const EpilogueOpDef* find_epilogue_op(std::string_view name);
bool is_activation(EpilogueOp op);
// The fused depthwise convolutions: TF.js's FusedDepthwiseConv2dNative and TensorFlow's oneDNN
// _FusedDepthwiseConv2dNative (the same inputs, fused_ops and kernels; TensorFlow's takes SAME /
// VALID padding and, run by its oneDNN, the steps BiasAdd [, Relu | Relu6 | Elu]).
bool is_fused_depthwise(std::string_view op);
// "Relu, Relu6, ..." for messages: the given steps, or every step when `ops` is empty.
std::string epilogue_op_names(std::initializer_list<EpilogueOp> ops = {});
// "Relu, Relu6, ...": every activation step.
std::string epilogue_activation_names();
// The rows of the standalone ops the vocabulary folds, one per op (the first of Gelu's two
// steps), in vocabulary order: Relu, Relu6, Elu, LeakyRelu, Sigmoid, Tanh, Swish, Mish,
// HardSwish, Gelu.
std::vector<const EpilogueOpDef*> activation_source_rows();

// The activation a standalone node computes (Relu, Relu6, Elu, LeakyRelu, Sigmoid, Tanh, Swish,
// Mish, HardSwish, Gelu by its `approximate` attr), with its parameters from the node's attrs
// or the OpDef's defaults; false for any other op.
bool activation_of_node(const Node& n, EpilogueOp& op, ActParams& params);

// A parsed `fused_ops` attr.
struct EpilogueStep {
  EpilogueOp kind;
  int arg = -1;  // data input index of the (first) argument; -1 for activations
};
struct Epilogue {
  std::vector<EpilogueStep> steps;
  float epsilon = 1e-4f;  // FusedBatchNorm steps
  ActParams act;          // alpha: the node's leakyrelu_alpha
  bool empty() const { return steps.empty(); }
};

// Parses n's fused_ops; the arguments are n's data inputs from `first_arg` on. Throws
// Error(kUnimplemented) naming the node for an unknown entry (listing the known ones) and
// kInvalidGraph when the node has fewer inputs than the steps read.
Epilogue parse_epilogue(const Node& n, int first_arg, int num_data_inputs);

// The data input of a fused contraction's first fused_ops argument (_FusedMatMul, _FusedConv2D,
// FusedDepthwiseConv2dNative, _AampFusedBatchMatMulV2: after their two operands).
constexpr int kFirstEpilogueArg = 2;

// The Session-creation check of a fused contraction's fused_ops (an unknown entry, fewer args
// than the steps read), the same on every device: each backend registers it
// (KernelRegistry::add_check) for the fused contractions it runs.
void check_fused_ops(const Node& n);

// "[BiasAdd, Relu]": n's fused_ops as written, for messages.
std::string fused_ops_text(const Node& n);

}  // namespace aamp
