// Session: runs a graph on aamp's runtime. For each input-shape signature (feed dtypes and
// shapes) and fetch list it compiles a plan, cached: a topological schedule of the nodes the
// fetches need, static shapes from the ops' shape functions, constant folding of everything
// computable at plan time (Const, Shape of known shapes, and any node whose inputs are all
// constants, evaluated once with the reference kernels), one kernel per remaining node, and a
// memory plan (one arena; liveness-based offsets with reuse; Reshape/Identity/Squeeze/ExpandDims
// as aliases; element-wise kernels in place when their input dies there).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/ir/tensor.h"
#include "aamp/ops/op_def.h"

namespace aamp {

struct SessionOptions {
  DeviceKind device = DeviceKind::kCPU;
  int threads = 0;  // 0 = all cores
  // Priority-0 kernels only (also forced by the environment variable AAMP_REFERENCE_KERNELS=1,
  // for debugging numerical differences).
  // (float16: on a CPU without native float16, AVX512-FP16, a graph with a node computing in
  // float16 - Casts and Consts aside - is refused at Session creation; the environment variable
  // AAMP_ALLOW_EMULATED_FP16=1 lets the reference kernels run it anyway, in float32.)
  bool reference_kernels_only = false;
  // Per-node timing (PlanStats::profile): host time per step on the CPU; on a device the device
  // time between events recorded around each step (steps are launched one by one, not replayed
  // as a captured graph, so the run's latency is then an upper bound).
  bool profile = false;
  // Device plans replay their steps as one captured graph from the second run on (also turned
  // off by the environment variable AAMP_DEVICE_GRAPHS=0). Profiling runs step by step.
  bool device_graphs = true;
  // CPU plans fold the Cast of a float32 graph input to bfloat16 / float16 into the MatMuls that
  // read it, which convert blocks of rows as they go: mixed precision then needs no arena memory
  // for a low-precision copy of the input (also turned off by AAMP_FOLD_INPUT_CASTS=0).
  bool fold_input_casts = true;
};

struct RunOptions {
  // Device sessions: the feeds hold the values of the previous run of the same plan, which are
  // still in device memory, so they are not copied again (inputs that already live on the
  // device, as a framework's GPU tensors do; benchmarks use it to time the model rather than the
  // host-to-device link). The first run of a plan always copies. Ignored on the CPU.
  bool feeds_resident = false;
};

// A fetch left where the plan computed it (Session::run_resident): in device memory for what a
// device plan computed on the device, else in host memory (constants, feeds, what ran on the
// host: the dynamic executor and continuation plans). Valid until the Session runs again.
struct ResidentTensor {
  DType dtype = DType::kInvalid;
  Shape shape;
  const void* data = nullptr;
  bool on_device = false;
};

struct NodeProfile {
  std::string node, op, kernel;
  double total_ms = 0;
  int64_t calls = 0;
};

struct PlanStats {
  size_t weight_bytes = 0;     // constants read by the plan's kernels (the dynamic ones' too)
  size_t arena_bytes = 0;      // planned peak activation memory (arena size)
  size_t naive_bytes = 0;      // sum of all kernel output sizes (no reuse)
  size_t live_peak_bytes = 0;  // most bytes live at one step: no plan can use less
  int nodes = 0;               // graph nodes the fetches need
  int steps = 0;               // kernels run per inference
  int folded = 0;              // nodes evaluated at plan time (incl. Const)
  int aliases = 0;             // Reshape/Identity/... run as aliases (no copy)
  int inplace = 0;             // kernel outputs sharing their input's memory
  // Nodes run by the dynamic executor (control flow, value-dependent shapes and what follows
  // them until a continuation plan takes over; see plan.h), and how many node executions the last
  // run made (loop bodies once per iteration).
  int dynamic_nodes = 0;
  int64_t dynamic_executions = 0;
  // Memory of the dynamic executor's values after the last run: its recycled buffers, each
  // taken by one value at a time (about its peak; small values aside). Not in arena_bytes.
  size_t dynamic_bytes = 0;
  int folded_casts = 0;      // input Casts folded into the kernels that read them
  int narrow_downloads = 0;  // device plans: float32 fetches downloaded as 16 bits (plan.h)
  std::map<std::string, int> kernels;  // kernel name ("reference", "onednn") -> steps
  // Device plans: whether runs replay one captured graph of all steps (CUDA Graphs: from the
  // second run on, unless profiling or AAMP_DEVICE_GRAPHS=0), and why not when capture failed.
  bool graph_replay = false;
  std::string graph_note;
  std::vector<NodeProfile> profile;  // with SessionOptions::profile, per step, over all runs
};

// A graph input or output: name, dtype and shape (-1 = any size; unknown rank possible).
struct IODesc {
  std::string name;
  DType dtype = DType::kInvalid;
  Shape shape;
};

class Plan;

// On a device other than the CPU (`device` kGPU), a Session owns one stream of that device: its
// plans keep their arena, feeds and constants in device memory and run every kernel on it.
class Session {
 public:
  // Throws Error(kUnimplemented) listing every unsupported op type (count, first node); naming
  // the first node that computes in float16 on a CPU without native float16 (see
  // SessionOptions); or naming a node whose attrs no kernel accepts (e.g. an unknown fused_ops
  // entry of _FusedMatMul / _FusedConv2D / FusedDepthwiseConv2dNative).
  explicit Session(Graph g, SessionOptions o = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // feeds: (placeholder name, value); fetches: "node" or "node:port". Returns owned copies.
  // Errors (kInvalidArgument) name the tensor: wrong dtype/shape, unknown names, missing feeds.
  // Thread-safe: each plan runs in one arena, so concurrent calls on one Session take turns
  // (use one Session per thread to run inferences in parallel).
  std::vector<Tensor> run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                          const std::vector<std::string>& fetches, const RunOptions& ro = {});
  // Runs with the default fetches (output_names()).
  std::vector<Tensor> run(const std::vector<std::pair<std::string, Tensor>>& feeds) {
    return run(feeds, output_names());
  }
  // Like run(), for work chained on the device: the fetches a device plan computed stay in its
  // memory (no download; the run has completed when this returns). On the CPU, views of host
  // copies. The views are valid until the next run of this Session.
  std::vector<ResidentTensor> run_resident(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                           const std::vector<std::string>& fetches,
                                           const RunOptions& ro = {});

  // Stats of the plan used by the last run (throws if nothing ran yet).
  PlanStats last_stats() const;
  // Placeholders, in graph order.
  std::vector<std::string> input_names() const;
  // Every output of the graph's default_outputs() (Graph: nodes nothing reads, by data or
  // control edges) but those inside a while loop's body: "node" for port 0, "node:k" for other
  // ports.
  std::vector<std::string> output_names() const;
  IODesc input_desc(const std::string& name) const;
  const Graph& graph() const { return graph_; }
  const SessionOptions& options() const { return opts_; }
  size_t cached_plans() const {
    std::lock_guard<std::mutex> lock(mu_);
    return plans_.size();
  }

 private:
  // run() and run_resident(): the plan for these feeds and fetches (compiled on first use), run
  // with `resident` (see Plan::run) while holding the lock.
  std::vector<Tensor> run_plan(const std::vector<std::pair<std::string, Tensor>>& feeds,
                               const std::vector<std::string>& fetches, const RunOptions& ro,
                               std::vector<ResidentTensor>* resident);

  Graph graph_;
  SessionOptions opts_;
  mutable std::mutex mu_;  // guards plans_, last_ and the plans' arenas during run()
  std::map<std::string, std::unique_ptr<Plan>> plans_;
  Plan* last_ = nullptr;
  void* stream_ = nullptr;  // device stream (devices other than the CPU), destroyed last
};

// "graph has N unsupported op type(s) on cpu: Foo (3 nodes, first 'a'), Bar (1 node, first
// 'b')", or "" when every op can run (has a kernel and a shape function, or is handled by the
// runtime itself).
std::string unsupported_ops_message(const Graph& g, DeviceKind d);

}  // namespace aamp
