// Graph / Node: TensorFlow's GraphDef model. Inputs are TF-style strings ("node", "node:1",
// "^ctrl") so that graphs round-trip exactly; TensorRef parses them.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aamp/ir/attr.h"

namespace aamp {

// One parsed input string.
struct TensorRef {
  std::string node;
  int port = 0;  // output index; -1 for control inputs
  bool is_control() const { return port < 0; }
  // "node" for port 0, "node:1" otherwise, "^node" for control.
  std::string to_string() const;
  static TensorRef parse(std::string_view s);  // throws Error(kInvalidGraph) if malformed
  bool operator==(const TensorRef&) const = default;
  bool operator<(const TensorRef& o) const {
    return node != o.node ? node < o.node : port < o.port;
  }
};

class Node {
 public:
  std::string name;
  std::string op;
  std::vector<std::string> inputs;  // data inputs first, then control inputs ("^x")
  std::string device;
  AttrMap attrs;
  // NodeDef fields the IR does not model (experimental_debug_info, experimental_type, unknown
  // fields), kept as a serialized NodeDef by the io layer and merged back on save.
  std::string passthrough;

  // Attr helpers. find_attr returns nullptr when absent; the typed getters throw
  // Error(kInvalidGraph) naming the node when the attr is missing or of another kind.
  const AttrValue* find_attr(const std::string& key) const;
  bool has_attr(const std::string& key) const { return attrs.count(key) != 0; }
  DType attr_type(const std::string& key) const;
  int64_t attr_int(const std::string& key) const;
  float attr_float(const std::string& key) const;
  bool attr_bool(const std::string& key) const;
  const std::string& attr_string(const std::string& key) const;
  const Shape& attr_shape(const std::string& key) const;
  const Tensor& attr_tensor(const std::string& key) const;
  const AttrList& attr_list(const std::string& key) const;
  // With the caller's default, for attrs an op's OpDef does not declare (aamp's annotations) and
  // for the IR itself, which knows no OpDefs. Outside the IR, an attr the OpDef declares takes
  // its default from there: op_attr_int/float/bool/string (ops/attrs.h).
  int64_t attr_int_or(const std::string& key, int64_t dflt) const;
  float attr_float_or(const std::string& key, float dflt) const;
  bool attr_bool_or(const std::string& key, bool dflt) const;
  std::string attr_string_or(const std::string& key, const std::string& dflt) const;

  int num_data_inputs() const;  // inputs before the first "^"
  TensorRef input(int i) const { return TensorRef::parse(inputs.at(static_cast<size_t>(i))); }
  // "node 'name' (Op)" for error messages.
  std::string describe() const;
};

struct VersionInfo {
  int32_t producer = 0;
  int32_t min_consumer = 0;
  std::vector<int32_t> bad_consumers;
  bool present = false;  // GraphDef.versions was set
  bool operator==(const VersionInfo&) const = default;
};

class Graph {
 public:
  Graph() = default;
  Graph(const Graph& o);
  Graph& operator=(const Graph& o);
  Graph(Graph&&) = default;
  Graph& operator=(Graph&&) = default;

  // Nodes in insertion (file) order.
  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  size_t size() const { return nodes_.size(); }

  Node* find(std::string_view name);
  const Node* find(std::string_view name) const;
  // Throws Error(kNotFound) naming the node.
  Node& at(std::string_view name);
  const Node& at(std::string_view name) const;

  // Adds a node; throws Error(kInvalidGraph) on a duplicate name. Returns the stored node.
  Node& add(Node n);
  // Removes a node (does not touch consumers' inputs).
  void remove(std::string_view name);
  // Puts `n` where node `name` is in node order (n may keep that name or take a new unused one);
  // consumers' inputs are not touched. Keeps the graph's outputs in their order when a pass
  // rewrites an output node. Returns the stored node.
  Node& replace(std::string_view name, Node n);
  // Renames nothing; replaces every data input that reads `from` with `to` (control inputs
  // that name from.node are rewritten to to.node). Returns the number of inputs changed.
  int rewire(const TensorRef& from, const TensorRef& to);
  // A name not yet used: `base`, or `base_1`, `base_2`, ...
  std::string unique_name(const std::string& base) const;

  // Consumers of an output port (node, input index), in node order. Port -1 = control consumers.
  std::vector<std::pair<Node*, int>> consumers(const TensorRef& output) const;
  // Map from producer node name to all (consumer, input index), data and control.
  std::unordered_map<std::string, std::vector<std::pair<Node*, int>>> consumer_map() const;
  // The model's outputs where none are named: the nodes no node reads by a data or a control
  // edge, other than Const, NoOp, Placeholder and PlaceholderWithDefault, in node order. A node
  // read only by control edges (a cond's pivot, an update grouped under a NoOp) is no result.
  std::vector<const Node*> default_outputs() const;

  // Topological order (producers before consumers) over data and control edges; ties keep file
  // order. NextIteration -> Merge back edges are ignored. A cycle throws Error(kInvalidGraph)
  // naming a node on it. Inputs naming unknown nodes throw Error(kInvalidGraph).
  std::vector<Node*> topo_order() const;

  // Structural checks: unique names, every input names an existing node, ports non-negative,
  // control inputs after data inputs, no cycle. Throws Error(kInvalidGraph) on the first problem.
  void check_structure() const;

  VersionInfo versions;
  // GraphDef fields not modelled (library, debug_info, unknown fields), as a serialized GraphDef
  // holding only them; the io layer merges it back on save.
  std::string passthrough;

 private:
  void reindex();
  std::vector<std::unique_ptr<Node>> nodes_;
  std::unordered_map<std::string, Node*> index_;
};

}  // namespace aamp
