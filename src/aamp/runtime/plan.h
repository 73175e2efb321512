// A compiled plan (see session.h): schedule, static shapes, constants, kernels, memory plan.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/runtime/kernel.h"
#include "aamp/runtime/session.h"

namespace aamp {

struct FeedSpec {
  TensorRef ref;
  DType dtype = DType::kInvalid;
  std::vector<int64_t> shape;
};

class Plan {
 public:
  // Compiles for the given feeds (dtype/shape) and fetches. Throws Error naming the node.
  Plan(const Graph& g, const SessionOptions& o, const std::vector<FeedSpec>& feeds,
       const std::vector<TensorRef>& fetches);
  ~Plan();
  // feeds: in the order of the FeedSpecs given at compile time.
  std::vector<Tensor> run(const std::vector<const Tensor*>& feeds);
  const PlanStats& stats() const { return stats_; }

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
  };
  struct Step {
    const Node* node = nullptr;
    std::unique_ptr<Kernel> kernel;
    std::string kernel_name;
    std::vector<int> inputs, outputs;  // value ids
    KernelContext ctx;
    double total_ms = 0;
    int64_t calls = 0;
  };

  std::vector<int> compile_node(const Node& n, const std::vector<int>& in, int feed);
  void plan_memory_and_bind();
  uint8_t* value_ptr(int v, const std::vector<const Tensor*>* feeds) const;
  int root(int v) const;
  bool external(int root_value) const;

  const SessionOptions opts_;
  int threads_ = 1;
  std::vector<FeedSpec> feeds_;
  std::vector<Value> values_;
  std::vector<Step> steps_;
  std::vector<int> fetch_values_;
  std::vector<int> parent_;     // storage union-find over values (aliases, in place)
  std::vector<size_t> offset_;  // arena offset of each root value
  std::unique_ptr<uint8_t, void (*)(void*)> arena_;
  // (step, input index, feed index) for views to patch with each run's feed pointers.
  struct FeedPatch {
    int step, input, feed;
  };
  std::vector<FeedPatch> feed_patches_;
  PlanStats stats_;
};

// Evaluates one node on constant inputs with the reference kernels (constant folding). Returns
// nullopt when no reference kernel can run it.
std::optional<std::vector<Tensor>> evaluate_node(const Node& n, const std::vector<Tensor>& inputs,
                                                 const std::vector<DType>& out_dtypes,
                                                 const std::vector<Shape>& out_shapes);

// The dtype kernels are registered and looked up by: attr "T", else the first float type attr,
// else the first input's dtype, else the first output's.
DType kernel_dtype(const Node& n, const std::vector<DType>& in, const std::vector<DType>& out);

}  // namespace aamp
