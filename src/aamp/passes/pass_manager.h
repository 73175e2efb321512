// PassManager: runs graph passes in order with a safety net.
//
//   PassManager pm;
//   pm.add(std::make_unique<AutoMixedPrecisionPass>(opts));
//   pm.set_dump([](int i, const std::string& pass, const Graph& g) { ... });
//   std::vector<PassRecord> records = pm.run(graph, ctx);
//
// After each pass the graph's structure is verified (Graph::check_structure). A pass that throws,
// or leaves a structurally broken graph, is rolled back: the graph is restored to what it was
// before that pass, a warning naming the pass and the reason goes to the context's sink, and the
// following passes still run. A half-rewritten graph is never handed on.
//
// PassManagerOptions make the net finer or the failure louder:
//   verify_each_pass: also validate() the graph after each pass (op signatures, attrs, input
//     counts and dtypes: aamp/ops/validate.h). A problem the graph did not have before the pass
//     (a Cast whose SrcT disagrees with its input, a T attr outside the op's allowed types, ...)
//     fails that pass, named with the first such problem. Problems the input already had (an op
//     aamp does not know, say) are not blamed on the pass that keeps them: a node that did not
//     validate before the pass is not blamed on it whatever it shows after.
//   strict: a failing pass (exception, broken structure, new validation problem) throws an Error
//     naming the pass instead of being rolled back with a warning. The graph is still restored
//     first; the dump (when set) sees the graph as the failing pass left it. Tests run strict.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/ops/op_def.h"

namespace aamp {

// Collects warnings (unknown op names in lists, rolled-back passes, ...). Tests read `messages`;
// the CLI and API forward them through `callback` too when set.
struct WarningSink {
  std::vector<std::string> messages;
  std::function<void(const std::string&)> callback;
  void warn(const std::string& msg) {
    messages.push_back(msg);
    if (callback) callback(msg);
  }
};

// What a host framework that runs the rewritten graph itself tells the passes (the TensorFlow
// plugin, tf_plugin/): which kernels it has and which fused forms it runs. Unset: aamp's own.
struct PassHooks {
  // When set, AMP paints (op, type attr) in a low-precision dtype only where this returns true
  // (the host has that kernel), instead of consulting OpRegistry's kernel table.
  std::function<bool(const std::string& op, const std::string& attr, DType dtype)> has_kernel;
  // With tf_compatible: also keep remapper fusions whose fused node is one of aamp's own ops
  // (aamp_only), for a host that registers aamp's ops; TF.js-only forms stay refused.
  bool aamp_ops = false;
  // With tf_compatible: the host TensorFlow runs its CPU ops through oneDNN (its graph rewrite
  // turns _FusedConv2D into a oneDNN op), whose fused convolution also takes a residual Add.
  // TensorFlow's own kernel does not ("Fusion is not implemented: [BiasAdd,Add,Relu]"), so
  // without it no Add is fused into _FusedConv2D.
  bool tf_onednn = false;
  // The host keeps each kernel between runs and may keep a variable's low-precision copy while
  // the variable's buffer is unchanged (passes/variable_cast_cache.h): the TensorFlow plugin.
  bool cache_variable_casts = false;
};

// What every pass gets besides the graph.
struct PassContext {
  DeviceKind device = DeviceKind::kCPU;
  // Names of nodes whose outputs must keep their dtype ("node" or "node:port"; the node part is
  // used). Empty = the graph outputs: Graph::default_outputs() (nodes nothing reads).
  std::vector<std::string> fetches;
  // Whether a low-precision rewrite also needs OpRegistry::has_kernel(op, device, dtype); when
  // false the op signatures alone decide (pure pass tests without a runtime).
  bool check_kernels = true;
  WarningSink* warnings = nullptr;  // may be null
  PassHooks hooks;

  void warn(const std::string& msg) const {
    if (warnings) warnings->warn(msg);
  }
  // The fetch node names resolved against g. Throws Error(kNotFound) for a fetch naming no node.
  std::unordered_set<std::string> fetch_nodes(const Graph& g) const;
};

struct PassResult {
  bool changed = false;
  std::string summary;  // one line for logs, e.g. AMP's "Converted 3/5 nodes ..."
};

class Pass {
 public:
  virtual ~Pass() = default;
  virtual std::string name() const = 0;
  // Rewrites g in place. May throw; the PassManager then restores g.
  virtual PassResult run(Graph& g, const PassContext& ctx) = 0;
};

// What happened to one pass in PassManager::run.
struct PassRecord {
  std::string pass;
  bool ok = true;  // false: the pass failed and was rolled back
  bool changed = false;
  std::string summary;  // the pass's summary, or the failure reason
};

struct PassManagerOptions {
  bool verify_each_pass = false;  // validate() after each pass; new problems fail the pass
  bool strict = false;            // a failing pass throws Error instead of being rolled back
};

class PassManager {
 public:
  // Called with (index from 1, pass name, graph) after each pass that ran (also after a
  // rolled-back one, with the restored graph; in strict mode, with the failing pass's output
  // just before the Error is thrown); index 0 / "input" is the graph before any pass.
  using DumpFn = std::function<void(int index, const std::string& pass, const Graph& g)>;

  PassManager() = default;
  explicit PassManager(PassManagerOptions options) : options_(options) {}

  void add(std::unique_ptr<Pass> p) { passes_.push_back(std::move(p)); }
  size_t size() const { return passes_.size(); }
  void set_dump(DumpFn f) { dump_ = std::move(f); }
  const PassManagerOptions& options() const { return options_; }
  void set_options(PassManagerOptions options) { options_ = options; }

  // Runs the passes in order on g. Throws Error only in strict mode (see the header comment)
  // or when the dump function throws.
  std::vector<PassRecord> run(Graph& g, const PassContext& ctx);

 private:
  PassManagerOptions options_;
  std::vector<std::unique_ptr<Pass>> passes_;
  DumpFn dump_;
};

}  // namespace aamp
