// Graph validation against the op signatures (what TensorFlow checks when it imports a graph).
//
// validate() never throws on a bad graph: it collects every issue it finds.
//   - structure: Graph::check_structure's first problem (duplicate names, dangling inputs,
//     control inputs before data inputs, cycles);
//   - every node's op is known (the registry holds a signature for it);
//   - attrs: required attrs (no default) present; each attr of the kind its type says ("int",
//     "list(int)", "type", ...); type attrs within allowed_types; string attrs within
//     allowed_values; int minimums and list minimum lengths; attrs not in the signature (names
//     starting with '_' are TensorFlow's internal attrs and are allowed);
//   - data input count equals the signature's (1 per arg, N for number_attr args, the length of
//     the type list for type_list_attr args);
//   - each data input's dtype (the producer's output dtype) matches what the consumer's signature
//     expects, where both are known;
//   - tf_compatible: aamp-only and TensorFlow.js-only ops are rejected (stock TensorFlow cannot
//     run them).
// Issues name the node and op; messages read e.g.
//   node 'conv1' (Conv2D): attr 'padding' value "FOO" not in [SAME, VALID, EXPLICIT]
// where ValidationIssue::message holds the part after "node 'conv1' (Conv2D): ".
#pragma once

#include <string>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/ops/signature.h"

namespace aamp {

struct ValidationIssue {
  std::string node;  // empty for graph-level issues
  std::string op;
  std::string message;
  // "node 'x' (Op): message", or just message for graph-level issues.
  std::string to_string() const;
};

struct ValidationResult {
  std::vector<ValidationIssue> issues;
  bool ok() const { return issues.empty(); }
  // "ok", or one issue per line (to_string()).
  std::string summary() const;
};

ValidationResult validate(const Graph& g, bool tf_compatible = false);

// Validates one node's op, attrs and input count (no graph context: no dtype-of-input check).
void validate_node(const Node& n, bool tf_compatible, std::vector<ValidationIssue>& issues);

}  // namespace aamp
