// Registration functions of the op families; OpRegistry's constructor calls each once.
#pragma once

namespace aamp {
class OpRegistry;
void register_tf_op_signatures(OpRegistry& r);  // generated: tf_ops_generated.cc
void register_math_ops(OpRegistry& r);          // math_ops.cc
void register_nn_ops(OpRegistry& r);            // nn_ops.cc
void register_array_ops(OpRegistry& r);         // array_ops.cc
void register_control_flow_ops(OpRegistry& r);  // control_flow_ops.cc
void register_fused_ops(OpRegistry& r);         // fused_ops.cc (TF hidden / TF.js fused forms)
void register_aamp_fused_ops(OpRegistry& r);    // aamp_fused_ops.cc (aamp's own, remapper-made)
}  // namespace aamp
