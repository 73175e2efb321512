// Op names and signatures across the TensorFlow boundary (implementation side).
//
// aamp's own fused ops (OpDef::aamp_only) are registered with TensorFlow under names that cannot
// collide with TensorFlow's or ITEX's: "_Aamp" + aamp's name ("LayerNorm" -> "_AampLayerNorm");
// ops already named "_Aamp..." keep their name. Custom ops a user names in the AMP lists get
// their signature from TensorFlow's registry (a serialized OpDef).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/ops/op_def.h"

namespace aamp::tfplugin {

// TensorFlow's name of an aamp op (unchanged for ops that are not aamp_only).
std::string tf_op_name(const std::string& aamp_op);
// aamp's name of a TensorFlow op name ("_AampLayerNorm" -> "LayerNorm"; others unchanged).
std::string aamp_op_name(const std::string& tf_op);
// Renames every node's op in place, one way or the other.
void to_tf_names(Graph& g);
void to_aamp_names(Graph& g);
// The TensorFlow names of all aamp_only ops (sorted).
const std::vector<std::string>& fused_op_tf_names();

// A serialized TensorFlow OpDef as aamp's OpDef (name, args, attrs with defaults and allowed
// values, is_stateful). Throws Error(kParse) naming the op for bytes that do not parse.
OpDef op_def_from_tf(std::string_view bytes, const std::string& op);

}  // namespace aamp::tfplugin
