// The Advanced AMP pass: paints float32 (node, type attr) pairs bfloat16/float16 following the
// four op lists (spec sections 1-3) and rewrites the graph with the fewest casts.
//
//   AmpOptions o;                        // target bf16, the registry's lists for o.device
//   o.lists = AmpLists::defaults(DeviceKind::kCPU);
//   PassContext ctx;                     // device, fetches, check_kernels, warnings
//   AmpReport r = run_auto_mixed_precision(g, o, ctx);
//   r.message();  // "Converted 5/9 nodes to bfloat16 precision using 2 cast(s) (excluding ...)"
//
// Files: amp_type_graph.* (the painted graph), amp_painter.* (steps 1-7), amp_rewrite.* (step 8
// and Cast/Const clean-up), this file (driver, report, Pass wrapper).
// When step 1 finds nothing to convert the graph is left untouched (byte-identical).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aamp/passes/amp_lists.h"
#include "aamp/passes/pass_manager.h"

namespace aamp {

struct AmpOptions {
  DType target = DType::kBFloat16;  // kBFloat16 or kHalf
  std::optional<AmpLists> lists;    // unset: AmpLists::defaults(ctx.device)
  bool unsafe_force_all = false;
  // Node-level override (an aamp extension; ITEX has none): these nodes are painted as if their
  // op were in the denylist, so they stay float32 (with casts where their neighbours are low
  // precision) and deny propagation starts from them. Key: node name in the graph the pass sees
  // (after the remapper's fusions; the decision log lists them); value: the rule the decision
  // log records for the node ("deny-node" for user-named nodes, "accuracy-guard" for nodes the
  // accuracy guard chose). Names not in the graph are ignored (AmpReport::unknown_deny_nodes).
  std::map<std::string, std::string> deny_nodes;
  // The opposite override: these nodes are painted as if their op were in the allowlist (rule as
  // given). The accuracy guard uses it to measure one node alone in low precision; a node in
  // both maps is deny.
  std::map<std::string, std::string> allow_nodes;
};

// Why a node ended as it did (the decision log).
struct AmpDecision {
  std::string node;
  std::string op;
  DType dtype = DType::kInvalid;  // final dtype of its (main) type attr; kInvalid when none
  // allowlist, force-all, between-allow, infer-follows-allow, clear-propagation, cast-to-allow,
  // const-weight, deny, deny-propagation from <node>, infer, clear, none-list, no-kernel,
  // preserved-fetch, loop-colour-match with <node>, not-float, unknown-op, and for nodes of
  // AmpOptions::deny_nodes the rule given there (deny-node, accuracy-guard).
  std::string rule;
};

struct AmpReport {
  DType target = DType::kBFloat16;
  int converted_nodes = 0;  // nodes with at least one attr now in the target dtype (no Consts)
  int float_nodes = 0;      // nodes with at least one float32 type attr before (no Consts)
  int casts_inserted = 0;   // excluding Casts that read a Const
  int const_casts = 0;
  int casts_removed = 0;            // pre-existing Casts made redundant
  int consts_converted = 0;         // float32 Consts now stored in the target dtype
  int64_t weight_bytes_before = 0;  // bytes of all Const tensors
  int64_t weight_bytes_after = 0;
  bool changed = false;
  std::vector<AmpDecision> decisions;           // one per node of the input graph, in graph order
  AmpLists lists;                               // the lists used
  std::vector<std::string> unknown_deny_nodes;  // AmpOptions::deny_nodes not in the graph

  // "Converted N/M nodes to bfloat16 precision using K cast(s) (excluding Const and Variable
  // casts)".
  std::string message() const;
  // The decisions as TSV: header "node\top\tdtype\trule", one line per node.
  std::string decisions_tsv() const;
};

// Runs the pass on g in place. Throws on internal failure (the PassManager then restores g).
AmpReport run_auto_mixed_precision(Graph& g, const AmpOptions& opts, const PassContext& ctx);

// Total bytes of the Const nodes' tensors.
int64_t const_weight_bytes(const Graph& g);

class AutoMixedPrecisionPass : public Pass {
 public:
  // `report` (optional) receives the report of each run.
  explicit AutoMixedPrecisionPass(AmpOptions opts, AmpReport* report = nullptr)
      : opts_(std::move(opts)), report_(report) {}
  std::string name() const override { return "AutoMixedPrecision"; }
  PassResult run(Graph& g, const PassContext& ctx) override;

 private:
  AmpOptions opts_;
  AmpReport* report_;
};

}  // namespace aamp
