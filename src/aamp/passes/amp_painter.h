// AmpPainter: steps 1-7 of the AMP painting algorithm (spec section 3) on an AmpTypeGraph.
//
// Each vertex ends ALLOW (rewritten to the low-precision dtype), DENY (float32, painted by the
// deny propagation) or unpainted (float32). Every vertex also carries the rule that decided it
// ("allowlist", "deny-propagation from exp", "between-allow", ...) for the decision log.
// The steps are public so tests can check the colouring after each one:
//
//   AmpPainter p(graph, type_graph, lists, opts);
//   if (p.add_allowlist()) { p.propagate_deny(); ... }   // or simply p.run()
//
// The painter never modifies the graph; AmpRewriter (amp_rewrite.h) applies the result.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/passes/amp_lists.h"
#include "aamp/passes/amp_type_graph.h"

namespace aamp {

struct AmpPaintOptions {
  DType target = DType::kBFloat16;
  DeviceKind device = DeviceKind::kCPU;
  // Also require a target-dtype kernel when the runtime has kernels for the op on the device.
  bool check_kernels = true;
  // When set, decides kernel availability instead (PassHooks::has_kernel).
  std::function<bool(const std::string& op, const std::string& attr, DType dtype)> has_kernel;
  bool unsafe_force_all = false;  // every float op that can take the target dtype -> ALLOW
  std::unordered_set<std::string> fetch_nodes;  // their output dtypes are preserved
  // Nodes painted as deny whatever their op's list (AmpOptions::deny_nodes): name -> rule.
  std::map<std::string, std::string> deny_nodes;
  // Nodes painted as allow whatever their op's list (AmpOptions::allow_nodes): name -> rule.
  std::map<std::string, std::string> allow_nodes;
};

class AmpPainter {
 public:
  AmpPainter(const Graph& g, const AmpTypeGraph& tg, const AmpLists& lists,
             const AmpPaintOptions& opts);

  // Runs steps 1-7 (one round of each, in TensorFlow's order); returns false when step 1
  // found no ALLOW vertex (nothing to do).
  bool run();

  // 1. Allowlisted vertices that can take the target dtype -> ALLOW. False when none.
  bool add_allowlist();
  // 2. DENY forward from deny vertices through infer/clear vertices upstream of a deny/infer one.
  void propagate_deny();
  // 3. Clear/infer vertices both downstream and upstream of ALLOW (through non-deny) -> ALLOW.
  void allow_between_allow();
  // 3b (aamp, not in TF). Clear/infer vertices upstream of ALLOW whose float inputs all come,
  //    through such vertices, from Consts alone -> ALLOW ("const-rooted"): e.g. BERT's
  //    embedding lookups, their sum and LayerNorm, which TF leaves float32 (nothing ALLOW is
  //    upstream) with float32 tables. Converting them only rounds the weights and computes as
  //    between ALLOW nodes; integer inputs cast to float are not roots (bfloat16 rounds
  //    integers above 256).
  void allow_const_rooted();
  // 4. Infer vertices with an ALLOW fan-in and no DENY fan-in -> ALLOW (topological order).
  void infer_follows_allow();
  // 5. ALLOW spreads through clear vertices in both directions.
  void allow_through_clear();
  // 6. ALLOW vertices whose op cannot take the target dtype (signature / kernel) are dropped.
  void drop_without_kernel();
  // 7. NextIteration and the Merges it feeds share one colour; Casts to float32 whose consumers
  //    are all ALLOW are repainted.
  void match_loops_and_casts();

  bool allow(int v) const { return paint_[static_cast<size_t>(v)] == kAllow; }
  bool deny(int v) const { return paint_[static_cast<size_t>(v)] == kDeny; }
  const std::string& rule(int v) const { return rule_[static_cast<size_t>(v)]; }
  AmpClass amp_class(int v) const { return cls_[static_cast<size_t>(v)]; }
  bool preserved(int v) const { return preserved_[static_cast<size_t>(v)] != 0; }
  // Whether the vertex's op can take the target dtype on the device.
  bool can_take(int v) const;
  std::vector<int> allow_vertices() const;

 private:
  enum Paint : char { kNone, kAllow, kDeny };
  enum class Dir { kInputs, kOutputs, kBoth };
  // Depth-first walk from root; `enter(v)` decides whether a non-root vertex is entered;
  // `visit(v)` runs on each entered vertex (root included).
  template <typename Enter, typename Visit>
  void dfs(int root, Dir dir, Enter enter, Visit visit);
  bool is_clear(int v) const { return cls_[static_cast<size_t>(v)] == AmpClass::kClear; }
  bool is_infer(int v) const { return cls_[static_cast<size_t>(v)] == AmpClass::kInfer; }
  void set(int v, Paint p, std::string rule) {
    paint_[static_cast<size_t>(v)] = p;
    rule_[static_cast<size_t>(v)] = std::move(rule);
  }

  const Graph& g_;
  const AmpTypeGraph& tg_;
  AmpPaintOptions opts_;
  std::vector<AmpClass> cls_;
  std::vector<char> preserved_;
  std::vector<Paint> paint_;
  std::vector<std::string> rule_;
  std::vector<int> stamp_;  // dfs visited marks
  int generation_ = 0;
};

}  // namespace aamp
