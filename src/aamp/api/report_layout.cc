#include "aamp/api/report_layout.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

#include "aamp/core/error.h"

namespace aamp {

namespace {

// A node or virtual point taking part in ordering.
struct Item {
  int layer = 0;
  double width = 0;
  std::vector<int> up, down;  // neighbouring items in the layer above / below
  double x = 0;
  int pos = 0;  // index within its layer
};

double mean_x(const std::vector<Item>& items, const std::vector<int>& nb, double dflt) {
  if (nb.empty()) return dflt;
  double s = 0;
  for (int k : nb) s += items[static_cast<size_t>(k)].x;
  return s / static_cast<double>(nb.size());
}

// Places the items of one layer (in order) as close to `want` as the spacing allows: the mean
// of the left-packed and the right-packed placements (both keep the order and the gaps).
void place_row(std::vector<Item>& items, const std::vector<int>& row, std::vector<double> want,
               double gap) {
  const size_t n = row.size();
  if (n == 0) return;
  auto sep = [&](size_t i) {  // min distance between centres of row[i-1] and row[i]
    return (items[static_cast<size_t>(row[i - 1])].width +
            items[static_cast<size_t>(row[i])].width) /
               2 +
           gap;
  };
  std::vector<double> l(n), r(n);
  l[0] = want[0];
  for (size_t i = 1; i < n; ++i) l[i] = std::max(want[i], l[i - 1] + sep(i));
  r[n - 1] = want[n - 1];
  for (size_t i = n - 1; i-- > 0;) r[i] = std::min(want[i], r[i + 1] - sep(i + 1));
  for (size_t i = 0; i < n; ++i) items[static_cast<size_t>(row[i])].x = (l[i] + r[i]) / 2;
}

}  // namespace

Layout layered_layout(const LayoutGraph& g) {
  const size_t n = g.width.size();
  std::vector<std::vector<int>> succ(n), pred(n);
  std::vector<std::pair<int, int>> uniq;
  for (const auto& [a, b] : g.edges) {
    if (a < 0 || b < 0 || static_cast<size_t>(a) >= n || static_cast<size_t>(b) >= n)
      throw Error(ErrorCode::kInvalidArgument, "layered_layout: edge " + std::to_string(a) +
                                                   " -> " + std::to_string(b) + " out of range");
    if (a != b) uniq.emplace_back(a, b);
  }
  std::sort(uniq.begin(), uniq.end());
  uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
  for (const auto& [a, b] : uniq) {
    succ[static_cast<size_t>(a)].push_back(b);
    pred[static_cast<size_t>(b)].push_back(a);
  }
  // 1. Longest-path layers in a Kahn order (ties: lower index first).
  std::vector<int> indeg(n), order;
  for (size_t v = 0; v < n; ++v) indeg[v] = static_cast<int>(pred[v].size());
  std::vector<int> ready;
  for (size_t v = n; v-- > 0;)
    if (indeg[v] == 0) ready.push_back(static_cast<int>(v));
  while (!ready.empty()) {
    int v = ready.back();
    ready.pop_back();
    order.push_back(v);
    for (auto it = succ[static_cast<size_t>(v)].rbegin(); it != succ[static_cast<size_t>(v)].rend();
         ++it)
      if (--indeg[static_cast<size_t>(*it)] == 0) ready.push_back(*it);
  }
  if (order.size() != n)
    throw Error(ErrorCode::kInvalidArgument, "layered_layout: the graph has a cycle");
  Layout out;
  out.layer.assign(n, 0);
  for (int v : order)
    for (int s : succ[static_cast<size_t>(v)])
      out.layer[static_cast<size_t>(s)] =
          std::max(out.layer[static_cast<size_t>(s)], out.layer[static_cast<size_t>(v)] + 1);
  for (size_t v = 0; v < n; ++v) {
    if (!pred[v].empty() || succ[v].empty()) continue;
    int lo = std::numeric_limits<int>::max();
    for (int s : succ[v]) lo = std::min(lo, out.layer[static_cast<size_t>(s)]);
    out.layer[v] = std::max(0, lo - 1);
  }
  int layers = 0;
  for (int l : out.layer) layers = std::max(layers, l + 1);
  out.layers = layers;

  // 2. Items: the nodes, then virtual points of long edges (shortest edges first, up to the cap).
  std::vector<Item> items(n);
  for (size_t v = 0; v < n; ++v) {
    items[v].layer = out.layer[v];
    items[v].width = g.width[v];
  }
  std::vector<size_t> by_span(uniq.size());
  std::iota(by_span.begin(), by_span.end(), size_t{0});
  auto span = [&](size_t e) {
    return out.layer[static_cast<size_t>(uniq[e].second)] -
           out.layer[static_cast<size_t>(uniq[e].first)];
  };
  std::stable_sort(by_span.begin(), by_span.end(),
                   [&](size_t a, size_t b) { return span(a) < span(b); });
  std::vector<std::vector<int>> chain(uniq.size());  // virtual items of each unique edge
  size_t virtuals = 0;
  for (size_t e : by_span) {
    const int s = span(e);
    if (s > 1 && virtuals + static_cast<size_t>(s - 1) > g.max_virtual) continue;
    int prev = uniq[e].first;
    for (int k = 1; k < s; ++k) {
      Item it;
      it.layer = out.layer[static_cast<size_t>(uniq[e].first)] + k;
      it.width = 6;
      items.push_back(it);
      int cur = static_cast<int>(items.size() - 1);
      items[static_cast<size_t>(prev)].down.push_back(cur);
      items[static_cast<size_t>(cur)].up.push_back(prev);
      chain[e].push_back(cur);
      prev = cur;
    }
    if (s >= 1 && (s == 1 || !chain[e].empty())) {
      items[static_cast<size_t>(prev)].down.push_back(uniq[e].second);
      items[static_cast<size_t>(uniq[e].second)].up.push_back(prev);
    }
    virtuals += chain[e].size();
  }

  // 3. Ordering. Initial: nodes in Kahn order, each virtual point after its edge's source.
  std::vector<std::vector<int>> rows(static_cast<size_t>(layers));
  {
    std::vector<char> placed(items.size(), 0);
    std::vector<std::vector<int>> chains_of(n);
    for (size_t e = 0; e < uniq.size(); ++e)
      if (!chain[e].empty()) chains_of[static_cast<size_t>(uniq[e].first)].push_back(int(e));
    for (int v : order) {
      rows[static_cast<size_t>(items[static_cast<size_t>(v)].layer)].push_back(v);
      for (int e : chains_of[static_cast<size_t>(v)])
        for (int c : chain[static_cast<size_t>(e)])
          rows[static_cast<size_t>(items[static_cast<size_t>(c)].layer)].push_back(c);
    }
  }
  auto renumber = [&](std::vector<int>& row) {
    for (size_t i = 0; i < row.size(); ++i) items[static_cast<size_t>(row[i])].pos = int(i);
  };
  for (auto& row : rows) renumber(row);
  auto sweep_row = [&](std::vector<int>& row, bool from_up) {
    std::vector<std::pair<double, int>> key;
    for (int k : row) {
      const Item& it = items[static_cast<size_t>(k)];
      const std::vector<int>& nb = from_up ? it.up : it.down;
      double b = it.pos;
      if (!nb.empty()) {
        double s = 0;
        for (int m : nb) s += items[static_cast<size_t>(m)].pos;
        b = s / static_cast<double>(nb.size());
      }
      key.emplace_back(b, k);
    }
    std::stable_sort(key.begin(), key.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < row.size(); ++i) row[i] = key[i].second;
    renumber(row);
  };
  for (int s = 0; s < g.sweeps; ++s) {
    for (size_t l = 1; l < rows.size(); ++l) sweep_row(rows[l], true);
    for (size_t l = rows.size(); l-- > 1;) sweep_row(rows[l - 1], false);
  }

  // 4. x coordinates: packed rows, then pulled towards the neighbours' mean.
  for (auto& row : rows) {
    double x = 0;
    for (int k : row) {
      Item& it = items[static_cast<size_t>(k)];
      x += it.width / 2;
      it.x = x;
      x += it.width / 2 + g.gap;
    }
  }
  for (int pass = 0; pass < 8; ++pass) {
    const bool down = pass % 2 == 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      std::vector<int>& row = rows[down ? i : rows.size() - 1 - i];
      std::vector<double> want;
      for (int k : row) {
        const Item& it = items[static_cast<size_t>(k)];
        const double a = mean_x(items, down ? it.up : it.down, it.x);
        const double b = mean_x(items, down ? it.down : it.up, it.x);
        want.push_back(0.75 * a + 0.25 * b);
      }
      place_row(items, row, want, g.gap);
    }
  }
  double min_x = std::numeric_limits<double>::max(), max_x = std::numeric_limits<double>::lowest();
  for (const Item& it : items) {
    min_x = std::min(min_x, it.x - it.width / 2);
    max_x = std::max(max_x, it.x + it.width / 2);
  }
  if (items.empty()) min_x = max_x = 0;
  const double margin = 20, row_h = g.node_height + g.layer_gap;
  auto y_of = [&](int layer) { return margin + g.node_height / 2 + row_h * layer; };
  out.x.resize(n);
  out.y.resize(n);
  for (size_t v = 0; v < n; ++v) {
    out.x[v] = items[v].x - min_x + margin;
    out.y[v] = y_of(items[v].layer);
  }
  out.width = max_x - min_x + 2 * margin;
  out.height = layers > 0 ? y_of(layers - 1) + g.node_height / 2 + margin : 2 * margin;
  // Routes, per input edge (duplicates share their unique edge's chain).
  out.edge_points.resize(g.edges.size());
  for (size_t e = 0; e < g.edges.size(); ++e) {
    auto it = std::lower_bound(uniq.begin(), uniq.end(), g.edges[e]);
    if (it == uniq.end() || *it != g.edges[e]) continue;
    for (int c : chain[static_cast<size_t>(it - uniq.begin())])
      out.edge_points[e].emplace_back(items[static_cast<size_t>(c)].x - min_x + margin,
                                      y_of(items[static_cast<size_t>(c)].layer));
  }
  return out;
}

}  // namespace aamp
