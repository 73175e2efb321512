// A compiled plan (see session.h): schedule, static shapes, constants, kernels, memory plan.
// What cannot be planned statically - v1 control flow (Switch, Merge, loops), ops whose output
// shapes depend on values (Where, NonMaxSuppression*), TensorArray / TensorList containers, a
// shape that depends on a value computed at run time, and what reads these - is handed to a
// DynamicExecutor (executor.h): the static schedule runs first, then the executor interprets the
// dynamic nodes over the static values they read (the boundary). A graph without such nodes has
// no executor. Where the graph leaves the dynamic region again (a loop's results, what follows
// NMS: nodes in no loop and on no conditional branch), the rest is the plan's continuation: once
// the executor has run, the shapes of what it hands over are known, and the continuation is
// compiled as a plan of its own for those shapes (cached per shape signature; see Tail in
// plan_continuation.cc), so a backbone after a preprocessing loop is a static plan again (on a
// device: on the device). AAMP_CONTINUATION_PLANS=0 turns this off. On a
// device other than the CPU (a DeviceRuntime is registered for it) the arena, the feeds and the
// constants kernels read live in device memory: constants are uploaded once when the plan is
// compiled, feeds are copied in and fetches copied out on the Session's stream at each run.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/runtime/device.h"
#include "aamp/runtime/executor.h"
#include "aamp/runtime/kernel.h"
#include "aamp/runtime/session.h"

namespace aamp {

struct FeedSpec {
  TensorRef ref;
  DType dtype = DType::kInvalid;
  std::vector<int64_t> shape;
  // Continuation plans: a constant of the plan before (a shape, a weight), known at compile time.
  std::optional<Tensor> constant;
};

// What part of the graph a plan compiles (continuation plans; the default: all of it).
struct PlanScope {
  const std::unordered_set<const Node*>* nodes = nullptr;  // only these (and the feeds)
  bool all_dynamic = false;  // every node in the dynamic executor (shapes change every run)
};

// The nodes a plan may resume static planning at after dynamic ones: outside every loop, on no
// conditional branch (no Switch output they depend on is left unmerged), and not dynamic by
// themselves (control flow, value-dependent shapes, containers). `depth` is loop_depths(g).
std::unordered_set<const Node*> continuation_candidates(
    const Graph& g, const std::unordered_map<const Node*, int>& depth);

class Plan {
 public:
  // Compiles for the given feeds (dtype/shape) and fetches. Throws Error naming the node.
  // `stream`: the Session's device stream (nullptr on the CPU).
  Plan(const Graph& g, const SessionOptions& o, const std::vector<FeedSpec>& feeds,
       const std::vector<TensorRef>& fetches, void* stream = nullptr, const PlanScope& scope = {});
  ~Plan();
  // feeds: in the order of the FeedSpecs given at compile time. `feeds_resident` (device plans):
  // the feeds' device copies of the previous run are still valid (see RunOptions). With
  // `resident` (Session::run_resident), device plans leave the fetches their steps computed in
  // device memory (their Tensors in the result are empty) and `resident` receives one view per
  // fetch, valid until the next run.
  std::vector<Tensor> run(const std::vector<const Tensor*>& feeds, bool feeds_resident = false,
                          std::vector<ResidentTensor>* resident = nullptr);
  // This plan's, with those of the continuation plan the last run used.
  PlanStats stats() const;

 private:
  struct Value {
    DType dtype = DType::kInvalid;
    std::vector<int64_t> shape;
    std::optional<Tensor> constant;
    int feed = -1;      // index of the feed providing it
    int producer = -1;  // step index
    int alias_of = -1;  // value whose memory it shares (alias ops)
    int last_use = -1;
    size_t bytes = 0;
    // A Cast of a float32 feed to a low precision, deferred: the contractions that read it fold
    // the conversion (KernelInit::cast_from) and read the feed; it becomes a step of its own
    // (materialize()) only for a reader that cannot fold it.
    const Node* deferred_cast = nullptr;
    int cast_source = -1;
  };
  struct Step {
    const Node* node = nullptr;
    std::unique_ptr<Kernel> kernel;
    std::string kernel_name;
    std::vector<int> inputs, outputs;  // value ids
    int scratch = -1;                  // value id of the kernel's scratch memory (or -1)
    KernelContext ctx;
    double total_ms = 0;
    int64_t calls = 0;
  };

  // Device memory owned by the plan (freed through the device's runtime).
  class DeviceBuffer {
   public:
    DeviceBuffer(DeviceRuntime* dev, size_t bytes);
    ~DeviceBuffer();
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    uint8_t* get() const { return p_; }

   private:
    DeviceRuntime* dev_;
    uint8_t* p_ = nullptr;
  };

  // Classifies the needed nodes into static steps, dynamic nodes and the continuation (when
  // allowed) and compiles the static ones. False when a dynamic node would read the
  // continuation (a loop that mixes both): the caller then compiles again without one.
  bool compile(const Graph& g, const std::vector<TensorRef>& fetches, const PlanScope& scope,
               bool allow_tail);
  // Sets up the continuation: what it reads from the static schedule (exported after the
  // fetches) or the executor (fetched from it, appended to dyn_fetches) and its fetches.
  void make_tail(const Graph& g, std::unordered_set<const Node*> nodes,
                 std::vector<TensorRef> fetches,
                 const std::unordered_map<std::string, std::vector<int>>& ids,
                 const std::unordered_map<const Node*, int>& dyn_idx,
                 std::vector<std::pair<int, int>>& dyn_fetches);
  // Runs the continuation plan for this run's shapes (compiling it the first time they occur).
  std::vector<Tensor> run_tail(const std::vector<Tensor>& static_out,
                               const std::vector<Tensor>& dyn_out);
  // The node's output values, or nullopt when it needs dynamic execution (a shape that depends
  // on a value only known at run time).
  std::optional<std::vector<int>> compile_node(const Node& n, const std::vector<int>& in, int feed);
  // run() without the views: runs everything and fetches; `leave_on_device` (device plans)
  // skips the download of the static fetches the steps computed (left as empty Tensors).
  std::vector<Tensor> run_and_fetch(const std::vector<const Tensor*>& feeds, bool feeds_resident,
                                    bool leave_on_device);
  // Whether fetch_values_[k] is a static fetch a device plan computed (in device memory).
  bool left_on_device(size_t k) const;
  // Runs (queues, on a device) every step's kernel.
  void run_steps();
  // Device plans: replays the captured graph of the steps, capturing it at the second run;
  // false when the steps must run one by one (first run, profiling, capture failed or off).
  bool replay_graph();
  // Whether the Cast node n over value `src` may be deferred (see Value::deferred_cast).
  bool may_defer_cast(const Node& n, int src, DType to) const;
  // Makes a deferred Cast a step (appended now, so before the reader being compiled).
  void materialize(int v);
  // Appends a step: counts its kernel, and gives it its scratch value (Kernel::scratch_bytes).
  void push_step(Step s);
  void plan_memory_and_bind();
  // Device plans: uploads the constants kernels read, lays out the feeds' device copies and the
  // fetches' host staging buffer.
  void place_device_inputs();
  // Device plans: fills narrow_src_ (see there) and keeps those values alive to the end.
  void choose_narrow_downloads();
  uint8_t* value_ptr(int v, const std::vector<const Tensor*>* feeds) const;
  int root(int v) const;
  bool external(int root_value) const;

  const SessionOptions opts_;
  int threads_ = 1;
  std::vector<FeedSpec> feeds_;
  std::vector<Value> values_;
  std::vector<Step> steps_;
  // Values copied out at the end of the static schedule: the static fetches, then the boundary
  // values the dynamic executor reads that are not constants.
  std::vector<int> fetch_values_;
  // Per fetch given at compile time: an index into fetch_values_ (static) or into the executor's
  // fetches (dynamic).
  struct FetchSlot {
    enum class From { kStatic, kDynamic, kTail } from = From::kStatic;
    int index = 0;  // into fetch_values_, the executor's fetches or the continuation's fetches
  };
  std::vector<FetchSlot> fetch_slots_;
  std::vector<Tensor> resident_kept_;  // host fetches that ResidentTensor views point into
  size_t n_static_fetches_ = 0;        // fetch_values_[0, n): the static fetches
  // The continuation (plan_continuation.cc).
  struct Tail {
    std::unordered_set<const Node*> nodes;
    // What the continuation reads from outside it: per feed, an index into the static
    // schedule's fetch_values_ (kStatic; -1: a constant, in the FeedSpec) or into the executor's
    // fetches (kDynamic).
    std::vector<FeedSpec> feeds;
    struct Source {
      FetchSlot::From from = FetchSlot::From::kStatic;
      int index = -1;
    };
    std::vector<Source> sources;
    std::vector<TensorRef> fetches;
    // Per signature (dtype and shape of each value from the executor).
    std::map<std::vector<std::vector<int64_t>>, std::unique_ptr<Plan>> plans;
    std::unique_ptr<Plan> any_shape;  // all dynamic, once kMaxTailPlans signatures were seen
    const Plan* last = nullptr;
  };
  std::unique_ptr<DynamicExecutor> dyn_;
  std::unique_ptr<Tail> tail_;
  std::unordered_set<const Node*> tail_blocked_;  // while compiling: kept out of the continuation
  const Graph* graph_def_ = nullptr;  // the Session's graph (continuation plans compile from it)
  std::vector<int> boundary_fetch_;   // per boundary value: index into fetch_values_, -1: constant
  std::vector<int> parent_;           // storage union-find over values (aliases, in place)
  std::vector<size_t> offset_;        // arena offset of each root value
  std::unique_ptr<uint8_t, void (*)(void*)> arena_;  // host arena (CPU plans)
  DeviceRuntime* dev_ = nullptr;                     // nullptr on the CPU
  void* stream_ = nullptr;
  uint8_t* arena_base_ = nullptr;  // arena_ or dev_arena_
  std::unique_ptr<DeviceBuffer> dev_arena_, dev_consts_, dev_feeds_;
  std::vector<size_t> dev_offset_;  // per root value: offset in dev_consts_ or dev_feeds_
  // (step, input index, feed index) for views to patch with each run's feed pointers.
  struct FeedPatch {
    int step, input, feed;
  };
  std::vector<FeedPatch> feed_patches_;
  bool feeds_uploaded_ = false;  // device plans: the feeds buffer holds a run's feeds
  int64_t runs_ = 0;
  void* graph_ = nullptr;  // device plans: the captured steps (DeviceRuntime graph handle)
  bool graph_failed_ = false;
  std::vector<void*> events_;  // device profiling: an event per step boundary
  // Device plans: page-locked host memory the fetches computed on the device are downloaded
  // into, laid out at compile time (offset per fetch; -1: a constant or feed, copied on the host).
  struct HostFree {
    DeviceRuntime* dev = nullptr;
    void operator()(uint8_t* p) const {
      if (p) dev->deallocate_host(p);
    }
  };
  std::unique_ptr<uint8_t, HostFree> staging_{nullptr, HostFree{}};
  std::vector<int64_t> staging_offset_;
  // Per fetch: where the fetch is a float32 Cast of a float16 / bfloat16 value computed on the
  // device, that value (else -1). It is downloaded instead, half the bytes over the bus, and
  // widened on the host (exact). The Cast still runs on the device for run_resident() views.
  // AAMP_NARROW_DOWNLOAD=0 turns this off.
  std::vector<int> narrow_src_;
  bool timed_run_ = false;  // the steps just queued recorded events_
  PlanStats stats_;
};

// Evaluates one node on constant inputs with the reference kernels (constant folding). Returns
// nullopt when no reference kernel can run it.
std::optional<std::vector<Tensor>> evaluate_node(const Node& n, const std::vector<Tensor>& inputs,
                                                 const std::vector<DType>& out_dtypes,
                                                 const std::vector<Shape>& out_shapes);

}  // namespace aamp
