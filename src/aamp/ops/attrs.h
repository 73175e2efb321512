// Attr access with the OpDef's defaults: a node's attr when it has one, else the default its op's
// signature declares (TensorFlow's OpDefs and aamp's own ops hold them), so that kernels and
// passes never restate a default. A missing attr with no default is an error naming the node.
#pragma once

#include <string>

#include "aamp/ir/attr.h"

namespace aamp {

class Node;

// n's attr `name`, else its op's default; throws Error(kInvalidGraph) naming the node, op and
// attr when neither exists.
const AttrValue& op_attr(const Node& n, const std::string& name);
int64_t op_attr_int(const Node& n, const std::string& name);
float op_attr_float(const Node& n, const std::string& name);
bool op_attr_bool(const Node& n, const std::string& name);
const std::string& op_attr_string(const Node& n, const std::string& name);

// Whether n's op's OpDef declares the attr `name` (false for an op the registry does not know),
// for code that handles several ops of which only some have the attr.
bool op_declares_attr(const Node& n, const std::string& name);

}  // namespace aamp
