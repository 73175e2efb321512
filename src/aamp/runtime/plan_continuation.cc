// The continuation of a plan (plan.h): the nodes after the dynamic executor whose shapes are
// static again once it has run, compiled per shape signature into plans of their own.
//
// A model that preprocesses its input in a loop (handtrack's `map` over the batch) or reshapes
// by a computed size would otherwise run everything after that point in the executor: values
// allocated per run, no fusion-aware memory plan, and on a device all of it on the host. Here
// the executor hands its results over as the feeds of a continuation plan (itself a Plan, which
// may have dynamic nodes and a continuation of its own). Shapes that change from run to run
// (the number of boxes NMS keeps) would compile a plan per run: after kMaxTailPlans shape
// signatures the continuation runs in one shape-agnostic plan (all in its executor) instead.
#include <algorithm>
#include <map>
#include <set>

#include "aamp/core/error.h"
#include "aamp/ops/registry.h"
#include "aamp/runtime/plan.h"

namespace aamp {

namespace {

constexpr size_t kMaxTailPlans = 4;

bool is_op(const Node& n, const char* op) { return n.op == op || n.op == std::string("Ref") + op; }

}  // namespace

std::unordered_set<const Node*> continuation_candidates(
    const Graph& g, const std::unordered_map<const Node*, int>& depth) {
  // The Switch outputs (node, port) a node's value lies behind: it is dead when one of them was
  // not taken. A Merge keeps what all its (forward) inputs lie behind, so a conditional's Merge
  // is clear of its own Switch; an Exit drops the Switches of the frames it leaves.
  using Guard = std::set<std::pair<const Node*, int>>;
  std::unordered_map<const Node*, Guard> guard;
  std::unordered_set<const Node*> out;
  for (const Node* n : g.topo_order()) {
    const bool merge = is_op(*n, "Merge");
    Guard gd;
    bool first = true;
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      const TensorRef r = TensorRef::parse(n->inputs[i]);
      const Node* src = g.find(r.node);
      auto it = src ? guard.find(src) : guard.end();
      if (it == guard.end()) continue;  // a loop's back edge
      Guard s = it->second;
      if (is_op(*src, "Switch")) s.insert({src, r.is_control() ? -1 : r.port});
      if (merge && !r.is_control()) {
        if (first) {
          gd = std::move(s);
          first = false;
        } else {
          Guard both;
          for (const auto& e : gd)
            if (s.count(e)) both.insert(e);
          gd = std::move(both);
        }
        continue;
      }
      gd.insert(s.begin(), s.end());
    }
    const int d = depth.at(n);
    if (is_op(*n, "Exit"))
      for (auto e = gd.begin(); e != gd.end();) e = depth.at(e->first) > d ? gd.erase(e) : ++e;
    if (d == 0 && gd.empty() && !needs_dynamic_execution(*n)) out.insert(n);
    guard[n] = std::move(gd);
  }
  return out;
}

void Plan::make_tail(const Graph& g, std::unordered_set<const Node*> nodes,
                     std::vector<TensorRef> fetches,
                     const std::unordered_map<std::string, std::vector<int>>& ids,
                     const std::unordered_map<const Node*, int>& dyn_idx,
                     std::vector<std::pair<int, int>>& dyn_fetches) {
  tail_ = std::make_unique<Tail>();
  Tail& t = *tail_;
  t.nodes = std::move(nodes);
  t.fetches = std::move(fetches);
  std::set<std::string> seen;
  for (const Node* n : g.topo_order()) {  // a deterministic order of the feeds
    if (!t.nodes.count(n)) continue;
    for (int i = 0; i < n->num_data_inputs(); ++i) {
      const TensorRef r = n->input(i);
      const Node* src = &g.at(r.node);
      if (t.nodes.count(src) || !seen.insert(r.to_string()).second) continue;
      FeedSpec f;
      f.ref = r;
      Tail::Source s;
      if (auto d = dyn_idx.find(src); d != dyn_idx.end()) {
        s = {FetchSlot::From::kDynamic, static_cast<int>(dyn_fetches.size())};
        dyn_fetches.push_back({d->second, r.port});
      } else {
        const int v = ids.at(r.node).at(static_cast<size_t>(r.port));
        if (v < 0)
          throw Error(ErrorCode::kInternal,
                      n->describe() + " reads '" + r.to_string() + "', which the plan is not fed");
        const Value& x = values_[static_cast<size_t>(v)];
        f.dtype = x.dtype;
        f.shape = x.shape;
        if (x.constant) {
          f.constant = *x.constant;
        } else {
          s.index = static_cast<int>(fetch_values_.size());
          fetch_values_.push_back(v);
        }
      }
      t.feeds.push_back(std::move(f));
      t.sources.push_back(s);
    }
  }
}

std::vector<Tensor> Plan::run_tail(const std::vector<Tensor>& static_out,
                                   const std::vector<Tensor>& dyn_out) {
  Tail& t = *tail_;
  std::vector<const Tensor*> feeds(t.feeds.size());
  std::vector<std::vector<int64_t>> key;
  for (size_t i = 0; i < t.feeds.size(); ++i) {
    const Tail::Source& s = t.sources[i];
    if (s.from == FetchSlot::From::kDynamic) {
      const Tensor& x = dyn_out.at(static_cast<size_t>(s.index));
      feeds[i] = &x;
      t.feeds[i].dtype = x.dtype();
      t.feeds[i].shape = x.shape().dims;
      key.push_back({static_cast<int64_t>(x.dtype())});
      key.back().insert(key.back().end(), x.shape().dims.begin(), x.shape().dims.end());
    } else {
      feeds[i] =
          s.index >= 0 ? &static_out.at(static_cast<size_t>(s.index)) : &*t.feeds[i].constant;
    }
  }
  Plan* p = nullptr;
  if (auto it = t.plans.find(key); it != t.plans.end()) {
    p = it->second.get();
  } else if (t.plans.size() < kMaxTailPlans) {
    auto made = std::make_unique<Plan>(*graph_def_, opts_, t.feeds, t.fetches, stream_,
                                       PlanScope{&t.nodes, false});
    p = t.plans.emplace(key, std::move(made)).first->second.get();
  } else {
    if (!t.any_shape)
      t.any_shape = std::make_unique<Plan>(*graph_def_, opts_, t.feeds, t.fetches, stream_,
                                           PlanScope{&t.nodes, true});
    p = t.any_shape.get();
  }
  t.last = p;
  return p->run(feeds, false);
}

PlanStats Plan::stats() const {
  if (!tail_ || !tail_->last) return stats_;
  PlanStats s = stats_;
  const PlanStats c = tail_->last->stats();
  s.weight_bytes += c.weight_bytes;
  s.arena_bytes += c.arena_bytes;  // both arenas are held
  s.naive_bytes += c.naive_bytes;
  s.live_peak_bytes = std::max(s.live_peak_bytes, c.live_peak_bytes);
  s.steps += c.steps;
  s.folded += c.folded;
  s.aliases += c.aliases;
  s.inplace += c.inplace;
  s.dynamic_nodes += c.dynamic_nodes;
  s.dynamic_executions += c.dynamic_executions;
  s.dynamic_bytes += c.dynamic_bytes;
  s.folded_casts += c.folded_casts;
  for (const auto& [k, v] : c.kernels) s.kernels[k] += v;
  s.graph_replay = (steps_.empty() || s.graph_replay) && c.graph_replay;
  if (!c.graph_note.empty())
    s.graph_note +=
        (s.graph_note.empty() ? "" : "; ") + std::string("continuation: ") + c.graph_note;
  s.profile.insert(s.profile.end(), c.profile.begin(), c.profile.end());
  return s;
}

}  // namespace aamp
