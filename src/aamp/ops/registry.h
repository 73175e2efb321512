// The op registry: every op aamp knows, with its signature and per-op knowledge.
//
// An op's knowledge is one record (OpInfo): its signature, its AMP class (with device overrides),
// its shape function, its traits, and the dtypes its kernels run per device. Each
// ops/<family>_ops.cc defines register_<family>_ops(), which declares each op in one statement:
//
//   r.info("Relu").amp(AmpClass::kClear).elementwise();
//   r.info("Conv2D").amp(AmpClass::kAllow).shape_fn(shape_fns::conv2d).same_rank();
//
// Lists that other layers need (the alias ops the planner skips, the rank-keeping and
// broadcasting ops the remapper looks through) are queries over these records, never written
// out again. Attr defaults come from the signature too (ops/attrs.h).
//
// The registry constructor calls every family function (listed in ops/families.h), so nothing
// depends on static-initialisation order or on whole-archive linking.
// TensorFlow signatures come from the generated table (tf_ops_generated.cc, made by
// scripts/gen_op_registry.py from TF's ops.pbtxt); aamp's own ops declare their signature with
// their implementation via register_op(). Kernels live in the backends, which tell the registry
// which (op, device, dtype) they run, so passes can ask "can this op run in bf16 on the CPU"
// without depending on the runtime.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "aamp/ops/op_def.h"

namespace aamp {

class Node;
struct ShapeContext;  // defined in aamp/ops/shape_inference.h
// Infers output dtypes/shapes (and, where cheap, constant values) of one node.
using ShapeFn = std::function<void(ShapeContext&)>;

// What an op's outputs are, structurally (set by the builder methods below).
struct OpTraits {
  // Output i is input i's bytes unchanged (Identity, Reshape, Squeeze, ...): no kernel work, the
  // planner lets the output share the input's memory.
  bool alias = false;
  // Output 0 has input 0's rank (its shape may differ: Conv2D, MaxPool, Pad, ...).
  bool same_rank = false;
  // Output 0 has input 0's shape (implies same_rank).
  bool same_shape = false;
  // Each output element depends on the same input element alone (implies same_shape).
  bool elementwise = false;
  // The data inputs broadcast NumPy-style: output rank = the largest input rank.
  bool broadcasting = false;
  // Output shapes depend on input values, not only on input shapes (Where, NonMaxSuppression*,
  // Unique): the shape function leaves them unknown and the kernel sizes each output at run time
  // (KernelContext::allocate_output). Such nodes run in dynamic execution (runtime/executor.h).
  bool value_dependent_shape = false;
  // v1 control flow (Enter, Exit, Merge, Switch, NextIteration, LoopCond): executed by the
  // dynamic executor itself (frames, iterations, dead branches), never by a kernel.
  bool control_flow = false;
};

class OpInfo {
 public:
  OpDef def;

  // AMP class for a device (device override, else the all-device class).
  AmpClass amp_class(DeviceKind d) const;
  const ShapeFn& shape_fn() const { return shape_fn_; }
  const OpTraits& traits() const { return traits_; }
  // The dtypes (of the op's main type attr) that the device's kernels run; empty when none.
  const std::set<DType>& kernel_dtypes(DeviceKind d) const {
    return d == DeviceKind::kCPU ? kernels_cpu_ : kernels_gpu_;
  }

  // Builder-style setters: each family file (ops/*_ops.cc) registers an op as one chain.
  OpInfo& amp(AmpClass c) {
    amp_ = c;
    return *this;
  }
  OpInfo& amp_on(DeviceKind d, AmpClass c) {
    (d == DeviceKind::kCPU ? amp_cpu_ : amp_gpu_) = c;
    return *this;
  }
  OpInfo& shape_fn(ShapeFn f) {
    shape_fn_ = std::move(f);
    return *this;
  }
  // Traits; elementwise(), same_shape() and broadcasting() also set the matching shape function
  // (a later shape_fn() call replaces it).
  OpInfo& alias() {
    traits_.alias = true;
    return *this;
  }
  OpInfo& same_rank() {
    traits_.same_rank = true;
    return *this;
  }
  OpInfo& value_dependent_shape() {
    traits_.value_dependent_shape = true;
    return *this;
  }
  OpInfo& control_flow() {
    traits_.control_flow = true;
    return *this;
  }
  OpInfo& same_shape();
  OpInfo& elementwise();
  OpInfo& broadcasting();

 private:
  friend class OpRegistry;
  AmpClass amp_ = AmpClass::kNone;
  std::optional<AmpClass> amp_cpu_, amp_gpu_;
  ShapeFn shape_fn_;
  OpTraits traits_;
  std::set<DType> kernels_cpu_, kernels_gpu_;
};

class OpRegistry {
 public:
  // The process-wide registry, with TF's ops loaded on first use.
  static OpRegistry& global();

  const OpInfo* find(std::string_view op) const;
  // Finds or creates the entry (created entries have an empty signature named `op`).
  OpInfo& info(std::string_view op);
  // Registers (or replaces) an op's signature.
  OpInfo& register_op(OpDef def);
  std::vector<std::string> op_names() const;  // sorted
  // The ops whose record satisfies `pred`, sorted (e.g. every alias op).
  std::vector<std::string> ops_where(const std::function<bool(const OpInfo&)>& pred) const;
  // Bumped by every mutable access (info(), register_op(), register_kernel()): a cache of
  // what the records say stays valid while this is unchanged.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Calls f for every op, in name order, under the registry's lock (f must not call back into
  // the registry).
  void for_each(const std::function<void(const std::string&, const OpInfo&)>& f) const;
  // Whether the op is registered with the trait (false for unknown ops).
  bool has_trait(std::string_view op, bool OpTraits::*trait) const;

  // Kernel availability, filled by the backends at start-up.
  void register_kernel(std::string_view op, DeviceKind d, std::vector<DType> dtypes);
  bool has_kernel(std::string_view op, DeviceKind d, DType t) const;
  bool has_any_kernel(std::string_view op, DeviceKind d) const;

 private:
  OpRegistry();
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<OpInfo>, std::less<>> ops_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace aamp
