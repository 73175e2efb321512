// Layered (Sugiyama-style) layout of a DAG for the conversion report (report.h): top to bottom,
// one row per layer.
//
//   LayoutGraph lg;
//   lg.width = {80, 120, 60};            // box width of each node (height is common)
//   lg.edges = {{0, 1}, {1, 2}, {0, 2}};  // producer -> consumer; no cycles (drop back edges)
//   Layout l = layered_layout(lg);        // l.x[i], l.y[i]: box centre; l.edge_points[e]: route
//
// 1. Layers: longest path from the sources (a node sits one row below its lowest producer);
//    then every source moves down next to its first consumer (so a Placeholder or a node fed
//    only by folded constants sits above its user, not at the top).
// 2. Edges spanning several layers get a virtual point per layer crossed (these take part in
//    ordering and give the edge its route). Beyond `max_virtual` virtual points (huge graphs with
//    many long edges), the longest edges are drawn straight instead.
// 3. Order within each layer: barycentric sweeps (down, then up, `sweeps` times), starting from
//    a depth-first order.
// 4. x: each node pulled towards the mean x of its neighbours in the adjacent layers (alternate
//    directions), overlaps resolved keeping the order, spacing `gap`.
// Deterministic: the same graph gives the same layout.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace aamp {

struct LayoutGraph {
  std::vector<double> width;               // per node
  std::vector<std::pair<int, int>> edges;  // (from, to), node indices; self edges ignored
  double node_height = 28, layer_gap = 34, gap = 18;
  int sweeps = 6;
  size_t max_virtual = 60000;
};

struct Layout {
  std::vector<double> x, y;  // node box centres
  std::vector<int> layer;    // per node
  // Per edge (same order as LayoutGraph::edges): the points between its ends (virtual points),
  // empty for edges between adjacent layers or drawn straight.
  std::vector<std::vector<std::pair<double, double>>> edge_points;
  double width = 0, height = 0;  // bounding box (origin 0,0)
  int layers = 0;
};

// Throws Error(kInvalidArgument) for an edge naming a node out of range or a cycle.
Layout layered_layout(const LayoutGraph& g);

}  // namespace aamp
