// AmpTypeGraph: the graph the AMP pass paints (spec section 3).
//
// A vertex is one (node, type attribute) pair -- or (node, list(type) attr, element) -- whose
// dtype is float32: MatMul has one vertex (T), FusedBatchNormV3 two (T and U), IdentityN one per
// list element. An edge goes from the vertex governing a producer's output port to the vertex
// governing the consumer's input port, for every data edge where both ends are vertices.
// Non-float attrs (int32 indices, bool masks, strings) and nodes without a known signature have no
// vertices: they are never painted and painting never passes through them.
// Containers (TensorList, TensorArray): the ops that share one list or array through its
// DT_VARIANT / DT_RESOURCE handle (also through Identity, Enter, Merge, Switch, ... of the
// handle) must agree on its element dtype. Each such op's float type attrs are vertices even
// when they govern no float port (TensorListReserve's element_dtype), the ops of one container are
// chained by edges both ways, and tied_groups() lists them so that the painter gives a group one
// colour.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/ops/op_def.h"
#include "aamp/ops/signature.h"

namespace aamp {

struct AmpVertex {
  const Node* node = nullptr;
  std::string attr;             // the type attr ("T", "U", "DstT", "Tcomponents", ...)
  int list_index = -1;          // element of a list(type) attr, -1 for a plain type attr
  bool governs_output = false;  // some output port's dtype is this attr
  bool governs_input = false;
  bool reads_ref = false;     // some input governed by it is a reference
  std::string label() const;  // "node:attr" or "node:attr[2]"
};

class AmpTypeGraph {
 public:
  // Builds the vertices and edges of g. g must outlive the type graph and not change meanwhile.
  explicit AmpTypeGraph(const Graph& g);

  size_t size() const { return vertices_.size(); }
  const AmpVertex& vertex(int v) const { return vertices_[static_cast<size_t>(v)]; }
  const std::vector<int>& fanin(int v) const { return fanin_[static_cast<size_t>(v)]; }
  const std::vector<int>& fanout(int v) const { return fanout_[static_cast<size_t>(v)]; }
  // The vertex of (node, attr, list_index), or -1.
  int find(const std::string& node, const std::string& attr, int list_index = -1) const;
  // Vertices of a node, in signature order (empty when the node has none).
  const std::vector<int>& vertices_of(const std::string& node) const;
  // Vertex governing a node's output / input port, or -1.
  int output_vertex(const Node& n, int port) const;
  int input_vertex(const Node& n, int index) const;
  // Whether the node's signature was known (its slots could be expanded).
  bool has_signature(const std::string& node) const;
  // Vertices in topological order of their nodes (producers first; ties in file order).
  const std::vector<int>& topo() const { return topo_; }
  // Vertices that must end in one dtype: the element dtypes of the ops of one container.
  const std::vector<std::vector<int>>& tied_groups() const { return tied_; }

 private:
  struct NodeSlots {
    bool ok = false;
    std::vector<int> in_vertex, out_vertex;  // per data input / output port, -1 when none
    std::vector<DType> out_dtype;            // per output port
    std::vector<int> vertices;
    bool container = false;  // has a DT_VARIANT / DT_RESOURCE input or output
  };
  std::vector<AmpVertex> vertices_;
  std::vector<std::vector<int>> fanin_, fanout_;
  std::unordered_map<std::string, NodeSlots> slots_;
  std::map<std::tuple<std::string, std::string, int>, int> index_;
  std::vector<int> topo_;
  std::vector<std::vector<int>> tied_;
};

// True when a slot can take `t` according to the op signature's allowed types for its attr.
bool attr_allows(const OpDef& def, const std::string& attr, DType t);

}  // namespace aamp
