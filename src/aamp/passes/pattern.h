// A small declarative pattern matcher over the IR, used by the remapper's fusion rules.
//
// A Pattern describes a tree of producers rooted at one node:
//
//   // Mul(x, Sigmoid(x)) => Swish(x)
//   P::op("Mul", {P::any("x"), P::op("Sigmoid", {P::any("x")})}).commutative()
//
// Leaves (P::any) bind *tensors*; a name bound twice must bind the same tensor, which is how
// "the same x in both places" is expressed. Op patterns bind nodes under their capture name.
// Constant leaves (P::constant) match Const nodes whose value satisfies a predicate.
//
// A match is only reported when it is safe to replace: every interior node (matched op nodes
// other than the root) has all its consumers inside the match and is not a fetch node, so that
// removing it cannot change what anything else computes.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "aamp/ir/graph.h"

namespace aamp {

class Pattern {
 public:
  using NodePred = std::function<bool(const Node&)>;
  using TensorPred = std::function<bool(const Tensor&)>;

  // Node with one of `ops` (separated by '|'), inputs matched positionally (data inputs only;
  // extra inputs of the node are not allowed unless allow_extra_inputs()).
  static Pattern op(const std::string& ops, std::vector<Pattern> inputs = {},
                    std::string capture = "");
  // Any tensor, bound under `capture` (may be empty: don't care).
  static Pattern any(std::string capture = "");
  // A Const node whose tensor satisfies `pred` (e.g. is_scalar_near(0.5f)); bound as a node.
  static Pattern constant(TensorPred pred, std::string capture = "");

  // Inputs 0 and 1 may match in either order.
  Pattern& commutative() {
    commutative_ = true;
    return *this;
  }
  Pattern& where(NodePred p) {
    pred_ = std::move(p);
    return *this;
  }
  Pattern& as(std::string capture) {
    capture_ = std::move(capture);
    return *this;
  }
  // Matches nodes with more data inputs than patterns given (trailing inputs unchecked).
  Pattern& allow_extra_inputs() {
    extra_inputs_ = true;
    return *this;
  }

 private:
  friend class Matcher;
  enum class Kind { kOp, kAny, kConst };
  Kind kind_ = Kind::kAny;
  std::vector<std::string> ops_;
  std::vector<Pattern> inputs_;
  std::string capture_;
  bool commutative_ = false;
  bool extra_inputs_ = false;
  NodePred pred_;
  TensorPred tensor_pred_;
};

struct Match {
  const Node* root = nullptr;
  std::map<std::string, const Node*> nodes;  // op and constant captures
  std::map<std::string, TensorRef> tensors;  // leaf captures (and op captures' port 0)
  std::vector<const Node*> interior;         // matched op nodes other than root
  const Node& node(const std::string& c) const;
  const TensorRef& tensor(const std::string& c) const;
  std::string input(const std::string& c) const { return tensor(c).to_string(); }
};

// Matches patterns against one graph. Build it once per fixed-point iteration (it caches the
// consumer map); it must not be used after the graph changes.
class Matcher {
 public:
  Matcher(const Graph& g, const std::unordered_set<std::string>& fetch_nodes);
  bool match(const Pattern& p, const Node& root, Match* m) const;
  int num_consumers(const std::string& node) const;

 private:
  bool match_tensor(const Pattern& p, const TensorRef& t, Match* m) const;
  bool match_node(const Pattern& p, const Node& n, Match* m) const;
  bool interior_is_private(const Match& m) const;
  const Graph& g_;
  const std::unordered_set<std::string>& fetch_;
  std::unordered_map<std::string, std::vector<std::string>> consumers_;  // producer -> consumers
};

// Helpers for constant predicates.
bool is_scalar_near(const Tensor& t, float v, float tol = 1e-4f);
// A 1-D (or scalar-broadcastable) float constant.
bool is_vector(const Tensor& t);
// Value of a scalar (or single-element) numeric tensor.
double scalar_value(const Tensor& t);
// Const node's tensor, or nullptr for other nodes.
const Tensor* const_value(const Node& n);

}  // namespace aamp
