#include "aamp/passes/amp_painter.h"

#include "aamp/ops/registry.h"
#include "aamp/ops/signature.h"

namespace aamp {

AmpPainter::AmpPainter(const Graph& g, const AmpTypeGraph& tg, const AmpLists& lists,
                       const AmpPaintOptions& opts)
    : g_(g), tg_(tg), opts_(opts) {
  size_t n = tg.size();
  cls_.assign(n, AmpClass::kNone);
  preserved_.assign(n, 0);
  paint_.assign(n, kNone);
  rule_.assign(n, "none-list");
  stamp_.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const AmpVertex& v = tg.vertex(static_cast<int>(i));
    if (opts_.unsafe_force_all) {
      // Every op with inputs; sources (Const, Placeholder, variables) keep their dtype since
      // their attr describes data the graph does not compute.
      bool eligible = v.governs_input && v.node->op != "PlaceholderWithDefault";
      cls_[i] = eligible ? AmpClass::kAllow : AmpClass::kNone;
    } else {
      cls_[i] = lists.classify(v.node->op);
    }
    switch (cls_[i]) {
      case AmpClass::kAllow:
        rule_[i] = opts_.unsafe_force_all ? "force-all" : "allowlist";
        break;
      case AmpClass::kDeny:
        rule_[i] = "deny";
        break;
      case AmpClass::kInfer:
        rule_[i] = "infer";
        break;
      case AmpClass::kClear:
        rule_[i] = "clear";
        break;
      case AmpClass::kNone:
        rule_[i] = "none-list";
        break;
    }
    // Node-level overrides: allow (the attrs a computation reads), then deny, which wins.
    if (auto it = opts_.allow_nodes.find(v.node->name);
        it != opts_.allow_nodes.end() && v.governs_input) {
      cls_[i] = AmpClass::kAllow;
      rule_[i] = it->second;
    }
    // A node-level override makes every float attr of the node deny, also under force-all.
    if (auto it = opts_.deny_nodes.find(v.node->name); it != opts_.deny_nodes.end()) {
      cls_[i] = AmpClass::kDeny;
      rule_[i] = it->second;
    }
    if (v.governs_output && opts_.fetch_nodes.count(v.node->name)) {
      preserved_[i] = 1;
      rule_[i] = "preserved-fetch";
    }
  }
}

bool AmpPainter::can_take(int v) const {
  const AmpVertex& x = tg_.vertex(v);
  const OpDef* def = find_signature(*x.node);
  if (!def || !attr_allows(*def, x.attr, opts_.target)) return false;
  if (opts_.has_kernel) return opts_.has_kernel(x.node->op, x.attr, opts_.target);
  if (!opts_.check_kernels) return true;
  // Only a runtime that runs the op on this device, but not in the target dtype, vetoes it. Ops
  // the runtime does not run at all here (or runs without a kernel, e.g. aliases like Reshape)
  // are decided by their signature: the converted graph may well be meant for TensorFlow.
  const OpRegistry& r = OpRegistry::global();
  return !r.has_any_kernel(x.node->op, opts_.device) ||
         r.has_kernel(x.node->op, opts_.device, opts_.target);
}

std::vector<int> AmpPainter::allow_vertices() const {
  std::vector<int> out;
  for (int v = 0; v < static_cast<int>(tg_.size()); ++v)
    if (allow(v)) out.push_back(v);
  return out;
}

template <typename Enter, typename Visit>
void AmpPainter::dfs(int root, Dir dir, Enter enter, Visit visit) {
  ++generation_;
  std::vector<int> stack{root};
  while (!stack.empty()) {
    int v = stack.back();
    stack.pop_back();
    if (stamp_[static_cast<size_t>(v)] == generation_) continue;
    stamp_[static_cast<size_t>(v)] = generation_;
    if (v != root && !enter(v)) continue;
    visit(v);
    if (dir != Dir::kOutputs)
      for (int u : tg_.fanin(v)) stack.push_back(u);
    if (dir != Dir::kInputs)
      for (int u : tg_.fanout(v)) stack.push_back(u);
  }
}

bool AmpPainter::run() {
  if (!add_allowlist()) return false;
  propagate_deny();
  allow_between_allow();
  allow_const_rooted();
  // One round of 4 then 5, as TensorFlow does. Repeating them until nothing changes would also
  // convert infer nodes behind clear nodes that ALLOW reached in 5 (IdentityN -> Square), but in
  // training graphs that walks into the optimizer's update math, between float32 variable reads
  // and writes: the MLP train step took 34 casts instead of TF's 14 (docs/amp-vs-tensorflow.md).
  infer_follows_allow();
  allow_through_clear();
  drop_without_kernel();
  match_loops_and_casts();
  return true;
}

bool AmpPainter::add_allowlist() {
  bool any = false;
  for (int v = 0; v < static_cast<int>(tg_.size()); ++v) {
    if (cls_[static_cast<size_t>(v)] != AmpClass::kAllow || preserved(v)) continue;
    if (!can_take(v)) {
      rule_[static_cast<size_t>(v)] = "no-kernel";
      continue;
    }
    set(v, kAllow, rule(v));
    any = true;
  }
  return any;
}

void AmpPainter::propagate_deny() {
  int n = static_cast<int>(tg_.size());
  std::vector<char> upstream(static_cast<size_t>(n), 0);
  for (int root = 0; root < n; ++root) {
    AmpClass c = cls_[static_cast<size_t>(root)];
    if (c != AmpClass::kDeny && c != AmpClass::kInfer) continue;
    dfs(
        root, Dir::kInputs, [&](int v) { return !upstream[static_cast<size_t>(v)] && is_clear(v); },
        [&](int v) { upstream[static_cast<size_t>(v)] = 1; });
  }
  for (int root = 0; root < n; ++root) {
    if (cls_[static_cast<size_t>(root)] != AmpClass::kDeny) continue;
    const std::string& from = tg_.vertex(root).node->name;
    dfs(
        root, Dir::kOutputs, [&](int v) { return !deny(v) && upstream[static_cast<size_t>(v)]; },
        [&](int v) {
          if (v == root) {
            auto it = opts_.deny_nodes.find(tg_.vertex(v).node->name);
            set(v, kDeny,
                preserved(v)                   ? "preserved-fetch"
                : it != opts_.deny_nodes.end() ? it->second
                                               : "deny");
          } else if (!deny(v)) {
            set(v, kDeny, "deny-propagation from " + from);
          }
        });
  }
}

void AmpPainter::allow_between_allow() {
  int n = static_cast<int>(tg_.size());
  auto passable = [&](int v) {
    return !allow(v) && !deny(v) && !preserved(v) && (is_clear(v) || is_infer(v));
  };
  std::vector<char> downstream(static_cast<size_t>(n), 0), upstream(static_cast<size_t>(n), 0);
  std::vector<int> roots = allow_vertices();
  for (int root : roots)
    dfs(
        root, Dir::kOutputs,
        [&](int v) { return !downstream[static_cast<size_t>(v)] && passable(v); },
        [&](int v) { downstream[static_cast<size_t>(v)] = 1; });
  for (int root : roots)
    dfs(
        root, Dir::kInputs, [&](int v) { return !upstream[static_cast<size_t>(v)] && passable(v); },
        [&](int v) {
          upstream[static_cast<size_t>(v)] = 1;
          if (downstream[static_cast<size_t>(v)] && !allow(v)) set(v, kAllow, "between-allow");
        });
}

void AmpPainter::allow_const_rooted() {
  // rooted[v]: 1 when every float input of v comes, through clear/infer vertices, from Consts.
  const int n = static_cast<int>(tg_.size());
  std::vector<char> rooted(static_cast<size_t>(n), 0);
  for (int v : tg_.topo()) {
    const AmpVertex& x = tg_.vertex(v);
    if (x.node->op == "Const") {
      rooted[static_cast<size_t>(v)] = 1;
      continue;
    }
    if (allow(v) || deny(v) || preserved(v) || !(is_clear(v) || is_infer(v)) || !can_take(v))
      continue;
    bool ok = !tg_.fanin(v).empty();
    for (int u : tg_.fanin(v)) ok = ok && rooted[static_cast<size_t>(u)];
    rooted[static_cast<size_t>(v)] = ok;
  }
  for (int root : allow_vertices())
    dfs(
        root, Dir::kInputs,
        [&](int v) {
          return rooted[static_cast<size_t>(v)] && tg_.vertex(v).node->op != "Const" && !allow(v);
        },
        [&](int v) {
          if (v != root) set(v, kAllow, "const-rooted");
        });
}

void AmpPainter::infer_follows_allow() {
  for (int v : tg_.topo()) {
    if (!is_infer(v) || allow(v) || deny(v) || preserved(v)) continue;
    bool has_allow = false;
    for (int f : tg_.fanin(v)) {
      if (deny(f)) {
        has_allow = false;
        break;
      }
      if (allow(f)) has_allow = true;
    }
    if (has_allow) set(v, kAllow, "infer-follows-allow");
  }
}

void AmpPainter::allow_through_clear() {
  int n = static_cast<int>(tg_.size());
  std::vector<char> seen(static_cast<size_t>(n), 0);
  for (int root : allow_vertices())
    dfs(
        root, Dir::kBoth,
        [&](int v) {
          return !allow(v) && !deny(v) && !seen[static_cast<size_t>(v)] && is_clear(v) &&
                 !preserved(v) && !tg_.vertex(v).reads_ref;
        },
        [&](int v) {
          seen[static_cast<size_t>(v)] = 1;
          if (!allow(v)) set(v, kAllow, "clear-propagation");
        });
}

void AmpPainter::drop_without_kernel() {
  for (int v : allow_vertices())
    if (!can_take(v)) set(v, kNone, "no-kernel");
}

void AmpPainter::match_loops_and_casts() {
  // NextIteration -> Merge back edges: both ends of a loop-carried value share one dtype.
  for (const auto& np : g_.nodes()) {
    if (np->op != "NextIteration") continue;
    for (int nv : tg_.vertices_of(np->name)) {
      std::vector<int> group{nv};
      for (int u : tg_.fanout(nv))
        if (tg_.vertex(u).node->op == "Merge") group.push_back(u);
      bool all_allow = true;
      for (int u : group) all_allow = all_allow && allow(u);
      if (all_allow) continue;
      for (int u : group)
        if (allow(u)) set(u, kNone, "loop-colour-match with " + np->name);
    }
  }
  // The ops of one TensorList / TensorArray agree on its element dtype.
  for (const std::vector<int>& group : tg_.tied_groups()) {
    bool all_allow = true;
    for (int u : group) all_allow = all_allow && allow(u);
    if (all_allow) continue;
    for (int u : group)
      if (allow(u)) set(u, kNone, "container-colour-match with " + tg_.vertex(group[0]).label());
  }
  // Cast(x -> float32) whose consumers all read in low precision: cast straight to it.
  auto consumers = g_.consumer_map();
  for (int v = 0; v < static_cast<int>(tg_.size()); ++v) {
    const AmpVertex& x = tg_.vertex(v);
    if (x.node->op != "Cast" || x.attr != "DstT" || allow(v) || preserved(v)) continue;
    auto it = consumers.find(x.node->name);
    if (it == consumers.end()) continue;
    bool any = false, all = true;
    for (const auto& [c, idx] : it->second) {
      if (idx >= c->num_data_inputs()) continue;  // control edge
      int iv = tg_.input_vertex(*c, idx);
      any = true;
      all = all && iv >= 0 && allow(iv);
    }
    if (any && all && can_take(v)) set(v, kAllow, "cast-to-allow");
  }
}

}  // namespace aamp
