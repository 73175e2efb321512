// DynamicExecutor: runs the part of a plan that static planning cannot (see plan.h): TensorFlow
// v1 control flow, ops whose output shapes depend on values, TensorArray / TensorList
// containers, and what reads them until shapes are static again (the plan's continuation).
//
// A Plan compiles what it can into its static schedule (static shapes, one arena, kernels made
// once) and hands the rest, the "dynamic nodes", to a DynamicExecutor together with the static
// values they read (the boundary). Each run, the executor interprets the dynamic nodes as a
// dataflow machine in the manner of TensorFlow's own executor:
//   - tokens are tagged with a frame and an iteration: Enter moves a value into a child frame
//     (frame_name; is_constant values reach every iteration), NextIteration into the next
//     iteration, Exit back to the parent frame;
//   - Switch sends its data to one port and a dead token to the other; a node with a dead input
//     outputs dead tokens; Merge forwards its first live input (and outputs dead only when all
//     inputs it expects are dead); dead NextIteration and untaken-branch Exit tokens are dropped,
//     which ends a loop;
//   - control inputs from dynamic nodes are honoured (a branch's constants hang off its pivot);
//     control inputs from static nodes carry nothing and are ignored.
// Values are allocated per run (a Tensor per output, shared without copies by aliasing ops);
// kernels are created for each input signature (dtypes, shapes and the values of small integer
// inputs) and cached per node. Dynamic nodes always run on the host, with CPU kernels.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/ir/tensor.h"
#include "aamp/runtime/kernel.h"
#include "aamp/runtime/session.h"

namespace aamp {

// Whether the node always runs in the dynamic executor: v1 control flow, output shapes that
// depend on values, or resource / variant values (TensorArray, TensorList, and the Identity or
// Enter that carries one). Nodes reading such a node's outputs (or its control signal) run there
// too; others only when their shapes depend on a value computed at run time.
bool needs_dynamic_execution(const Node& n);

// Nesting depth in v1 while-loop frames of every node (0: the root frame): Enter adds one, Exit
// takes one, other nodes take their inputs' deepest frame (loop back edges aside). Nodes inside
// a loop body cannot be fetched.
std::unordered_map<const Node*, int> loop_depths(const Graph& g);

class DynamicExecutor {
 public:
  // Where a dynamic node's data input comes from: another dynamic node's output, or a boundary
  // value (a static value of the plan: constant, feed or computed by the static schedule).
  struct Source {
    int node = -1;      // index into the executor's nodes, or -1 for a boundary value
    int port = 0;       // output port of that node
    int boundary = -1;  // index into the boundary values when node == -1
  };
  struct NodeSpec {
    const Node* node = nullptr;
    std::vector<Source> data;  // one per data input
    std::vector<int> control;  // dynamic nodes this one has control inputs from
  };

  // nodes: the dynamic nodes in a topological order (NextIteration -> Merge back edges aside).
  // boundary_constants: per boundary value, its value when it is a plan-time constant (kernels
  // may then pack it), else nullopt (given to each run()). fetches: (node, port) of the dynamic
  // outputs run() returns, in order.
  DynamicExecutor(std::vector<NodeSpec> nodes,
                  std::vector<std::optional<Tensor>> boundary_constants,
                  std::vector<std::pair<int, int>> fetches, const SessionOptions& opts,
                  int threads);
  ~DynamicExecutor();

  // boundary: one tensor per boundary value (ignored where a constant was given). Returns the
  // fetched values. Throws Error naming the node on a kernel failure, a dead fetch or a fetch
  // that control flow never reached.
  std::vector<Tensor> run(const std::vector<Tensor>& boundary);

  size_t num_nodes() const { return nodes_.size(); }
  // Bytes of the recycled value buffers (after a run: what its values took, about its peak).
  size_t buffer_bytes() const;
  const std::vector<std::optional<Tensor>>& boundary_constants() const {
    return boundary_constants_;
  }
  // Node executions of the last run (a loop body counts once per iteration).
  int64_t last_executions() const { return last_executions_; }
  // Per node timing (with SessionOptions::profile), over all runs.
  std::vector<NodeProfile> profile() const;

 private:
  struct Frame;
  struct Instance;
  struct Value;
  struct Run;
  struct CachedKernel {
    std::unique_ptr<Kernel> kernel;
    std::string name;
  };
  struct NodeInfo {
    NodeSpec spec;
    int num_outputs = 0;
    // Consumers per output port: (dynamic node, data input index); control consumers.
    std::vector<std::vector<std::pair<int, int>>> consumers;
    std::vector<int> control_consumers;
    int dynamic_data_inputs = 0;
    int forward_merge_inputs = 0;  // Merge: dynamic data inputs not from a NextIteration
    int back_merge_inputs = 0;     // Merge: dynamic data inputs from a NextIteration
    bool is_const = false;
    std::optional<Tensor> const_value;
    std::map<std::string, CachedKernel> kernels;
    double total_ms = 0;
    int64_t calls = 0;
  };

  void execute(Run& r, int idx, Frame* f, int64_t iter, Instance& inst);
  std::vector<Tensor> compute(int idx, std::vector<Tensor>& inputs, const Run& r);
  void deliver(Run& r, int idx, int slot, Frame* f, int64_t iter, const Value& v);
  void emit(Run& r, int idx, Frame* f, int64_t iter, std::vector<Value> outs);
  Instance& instance(Run& r, int idx, Frame* f, int64_t iter);
  void start_iteration(Run& r, Frame* f, int64_t iter);

  // A buffer for an output of `bytes` bytes: one of an earlier run's that nothing holds any more
  // (kept mapped, so a run does not pay first touches and zero-filling again), else a new one.
  std::shared_ptr<std::vector<uint8_t>> buffer(size_t bytes);
  // Drops pooled buffers that the last few runs did not use.
  void trim_pool();

  std::vector<NodeInfo> nodes_;
  struct Pooled {
    std::shared_ptr<std::vector<uint8_t>> bytes;
    int64_t last_run = 0;
  };
  std::multimap<size_t, Pooled> pool_;
  int64_t runs_ = 0;
  std::vector<std::optional<Tensor>> boundary_constants_;
  std::vector<std::pair<int, int>> fetches_;
  std::vector<int> roots_;  // nodes without dynamic inputs: ready at the start of each run
  SessionOptions opts_;
  int threads_ = 1;
  int64_t last_executions_ = 0;
};

}  // namespace aamp
