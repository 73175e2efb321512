// Remapper: pattern-based fusions run before (and again after) AMP, so fused ops get mixed
// precision too. Each rule is one pattern + rewrite in remapper_rules*.cc; run_remapper()
// applies them until nothing changes.
//
// Does not apply: a pattern whose intermediate result has another consumer or is fetched (the
// matcher refuses it); ops on devices other than CPU/GPU; in tf_compatible mode, rules that would
// create ops stock TensorFlow cannot run (aamp_only ops, fused_ops lists TF does not accept).
#pragma once

#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/passes/pass_manager.h"
#include "aamp/passes/pattern.h"

namespace aamp {

struct RemapperOptions {
  bool tf_compatible = false;
  // Nodes whose outputs are fetched: never fused away (their name is kept by the fused node
  // only when they are the root of a match).
  std::unordered_set<std::string> fetch_nodes;
  // Which phase: before AMP (fusions) or after AMP (Const+Cast folding, AddN of 2 -> AddV2).
  bool post_amp = false;
  // With tf_compatible: rules that are not tf_compatible run too, and a rewrite is kept when its
  // fused node is one of aamp's own ops (PassHooks::aamp_ops).
  bool aamp_ops = false;
  // With tf_compatible: TensorFlow's oneDNN ops run the result (PassHooks::tf_onednn).
  bool tf_onednn = false;
  // The device the graph runs on (PassContext::device): some fusions pay off on one only.
  DeviceKind device = DeviceKind::kCPU;
};

struct RemapperResult {
  int nodes_before = 0;
  int nodes_after = 0;
  std::map<std::string, int> fusions;  // rule name -> times applied
  int total() const;
};

// Rewrites `g` in place. A rule whose rewrite throws leaves the graph unchanged for that match.
RemapperResult run_remapper(Graph& g, const RemapperOptions& opts);

// Which remapper round(s) a rule runs in.
enum class RemapPhase { kPreAmp, kPostAmp, kBoth };

// One fusion rule. `rewrite` gets the match and edits the graph; it returns false to decline
// (then the graph must be unchanged).
struct FusionRule {
  std::string name;
  Pattern pattern;
  bool tf_compatible = false;       // produces only ops stock TensorFlow runs
  bool only_tf_compatible = false;  // runs in tf_compatible mode only (TF.js op -> stock ops)
  RemapPhase phase = RemapPhase::kPreAmp;
  std::function<bool(Graph&, const Match&, const RemapperOptions&)> rewrite;
};

// Rule sets (remapper_rules_*.cc), in the order they are tried.
std::vector<FusionRule> tfjs_rules();         // tf_compatible: TF.js-only ops -> stock ops
std::vector<FusionRule> activation_rules();   // Swish, Mish, GELU, HardSwish
std::vector<FusionRule> norm_rules();         // LayerNorm, InstanceNorm
std::vector<FusionRule> contraction_rules();  // MatMul/Conv/BMM + bias/act/add, BN folding, Pad
std::vector<FusionRule> misc_rules();         // AddV2+Softmax, AddN->AddV2, Const+Cast
std::vector<FusionRule> attention_rules();    // after AMP: scaled dot-product attention

// Helpers shared by the rule files.
namespace remap {
// Replaces the match root by `fused` (which takes the root's name, so consumers and fetches
// keep working) and removes the interior nodes.
void replace_root(Graph& g, const Match& m, Node fused);
// Adds a Const node with a unique name derived from `base`; returns its name.
std::string add_const(Graph& g, const std::string& base, const Tensor& value,
                      const std::string& device);
// dtype attr T of a node (DT_FLOAT if absent).
DType node_type(const Node& n);
// Rank of a tensor when it follows from the graph alone (Placeholder shapes, Const values,
// Reshape to a constant shape, element-wise ops, ...); -1 when unknown.
int static_rank(const Graph& g, const TensorRef& t);
// Shape of a tensor from the ops' shape functions over its producers (Placeholder shapes, Const
// values); dims may be -1, and the rank unknown (Shape::unknown()) when nothing follows.
Shape static_shape(const Graph& g, const TensorRef& t);
// Whether stock TensorFlow's fused kernel `op` (_FusedConv2D / _FusedMatMul) runs the activation
// step `step` after the steps `before`: its Eigen kernels' activations (EpilogueOpDef::tf_fusable),
// and with its oneDNN ops (`tf_onednn`) also GeluExact, GeluApproximate, Sigmoid and Tanh after a
// MatMul's lone BiasAdd (_MklFusedMatMul; TensorFlow 2.21 ran each in float32 and bfloat16).
bool tf_fused_activation(const std::string& op, const std::vector<std::string>& before,
                         const std::string& step, bool tf_onednn);
// Whether TensorFlow runs the depthwise convolution `conv` (DepthwiseConv2dNative or TF.js's fused
// form) as its _FusedDepthwiseConv2dNative: with its oneDNN ops, and SAME or VALID padding.
bool tf_runs_fused_depthwise(const Node& conv, bool tf_onednn);
// Reduction axes of a Const axis input, normalised to [0, rank) when rank >= 0.
std::vector<int64_t> const_axes(const Node& axis_const, int rank);
}  // namespace remap

// The remapper as a PassManager pass. Fetch nodes come from the PassContext (its fetches, or the
// graph outputs when empty). `result` (optional) receives the result of each run.
class RemapperPass : public Pass {
 public:
  explicit RemapperPass(bool post_amp, bool tf_compatible = false, RemapperResult* result = nullptr)
      : post_amp_(post_amp), tf_compatible_(tf_compatible), result_(result) {}
  std::string name() const override { return post_amp_ ? "RemapperPostAmp" : "Remapper"; }
  PassResult run(Graph& g, const PassContext& ctx) override;

 private:
  bool post_amp_;
  bool tf_compatible_;
  RemapperResult* result_;
};

}  // namespace aamp
