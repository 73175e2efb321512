// Kernel interface and kernel registry. A kernel is created once per plan (static shapes known,
// constant inputs available for packing weights) and then run many times on arena memory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aamp/core/dtype.h"
#include "aamp/ir/graph.h"
#include "aamp/ir/tensor.h"
#include "aamp/ops/op_def.h"

namespace aamp {

// A tensor in plan memory: dtype, static shape and a pointer (not owned).
struct TensorView {
  DType dtype = DType::kInvalid;
  std::vector<int64_t> shape;
  void* data = nullptr;
  // Strings for DT_STRING views (not owned), else nullptr.
  std::vector<std::string>* strings = nullptr;
  // The object slot of a DT_VARIANT / DT_RESOURCE tensor (a TensorList, a TensorArray; see
  // Tensor::object), else nullptr. Only dynamic execution (runtime/executor.h) holds such values.
  std::shared_ptr<TensorObject>* object = nullptr;

  int64_t num_elements() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
  size_t byte_size() const { return static_cast<size_t>(num_elements()) * dtype_size(dtype); }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data);
  }
};

struct TensorDesc {
  DType dtype = DType::kInvalid;
  std::vector<int64_t> shape;
};

// What a kernel knows when it is created.
struct KernelInit {
  const Node* node = nullptr;
  std::vector<TensorDesc> inputs;  // data inputs only
  std::vector<TensorDesc> outputs;
  std::vector<std::vector<int64_t>> input_shapes() const {
    std::vector<std::vector<int64_t>> s;
    for (const TensorDesc& d : inputs) s.push_back(d.shape);
    return s;
  }
  // For each data input: the constant value if it is known at plan time, else nullptr.
  std::vector<const Tensor*> const_inputs;
  DeviceKind device = DeviceKind::kCPU;
  int threads = 1;
  // The Session's device stream (opaque, e.g. a cudaStream_t) on devices other than the CPU;
  // const_inputs stay host Tensors on every device.
  void* stream = nullptr;
  // Folded input casts (plans fold the Cast of a float32 graph input into the contraction that
  // reads it, so that the low-precision copy never takes arena memory): per data input, the dtype
  // it arrives in when that differs from inputs[i].dtype, the dtype the kernel computes in (the
  // kernel converts it); kInvalid or empty: as inputs[i]. Only registrations with
  // folds_input_casts are offered such an init.
  std::vector<DType> cast_from;
  bool has_cast_from() const {
    for (DType t : cast_from)
      if (t != DType::kInvalid) return true;
    return false;
  }
};

// Views point to the device's memory: host memory on the CPU, device memory otherwise (constants
// included: the plan uploads them once).
struct KernelContext {
  std::vector<TensorView> inputs;
  std::vector<TensorView> outputs;
  int threads = 1;
  void* stream = nullptr;  // as KernelInit::stream; kernels queue their work on it
  // Dynamic execution only (runtime/executor.h; nullptr in static plans): allocates output i with
  // the given shape and returns its view (also stored in outputs[i]). Kernels of ops whose output
  // shapes depend on input values (OpTraits::value_dependent_shape) size their outputs with it;
  // the KernelInit of such kernels has -1 for the dims it could not know.
  std::function<TensorView(int, const std::vector<int64_t>&)> allocator;
  TensorView& allocate_output(int i, const std::vector<int64_t>& shape);
  // Kernel::scratch_bytes() of memory for this run only (device memory on a device): a plan
  // takes it from its arena, live during the kernel's step alone; nullptr when none was asked.
  void* scratch = nullptr;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void run(KernelContext& ctx) = 0;
  // Outputs that may share memory with an input (output index, input index), if the kernel
  // supports running in place. Default: none.
  virtual std::vector<std::pair<int, int>> inplace_pairs() const { return {}; }
  // Like inplace_pairs, for an output with fewer bytes than its input: it may be written over the
  // input's first bytes (the kernel reads every input byte before it overwrites it, and detects
  // the shared memory at run time). Default: none.
  virtual std::vector<std::pair<int, int>> inplace_shrink_pairs() const { return {}; }
  // Temporary memory run() needs (KernelContext::scratch), asked once after creation. Plans place
  // it in their arena, where it shares bytes with values not live at the kernel's step, so a
  // kernel's scratch costs peak memory only where the step is at the peak. Its contents do not
  // survive from one run to the next. Default: none.
  virtual size_t scratch_bytes() const { return 0; }
  // Device kernels whose errors depend on data (e.g. out-of-range gather indices) record them on
  // the device during run() and report them here, called after the plan's run has synchronized
  // the stream: throw Error naming what was wrong. Default: nothing to check.
  virtual void check_after_sync() {}
};

using KernelFactory = std::function<std::unique_ptr<Kernel>(const KernelInit&)>;

// A check of a node's attrs alone (no shapes), run at Session creation for every node of the op
// on the device, so that what no kernel can run (e.g. an unknown fused_ops entry) is reported
// before any plan is compiled. Throws Error naming the node and op.
using NodeCheck = std::function<void(const Node&)>;

struct KernelRegistration {
  std::string op;
  DeviceKind device = DeviceKind::kCPU;
  std::vector<DType> dtypes;  // the dtype of the op's main type attr ("T" or the first float)
  // Higher wins. Reference kernels use priority 0; fast kernels > 0.
  int priority = 0;
  std::string name;  // e.g. "onednn", "reference"
  KernelFactory factory;
  // Optional: may refuse a particular node/shape (e.g. unsupported attr); then the next
  // registration by priority is tried.
  std::function<bool(const KernelInit&)> supports;
  // The kernel honours KernelInit::cast_from (its supports() says for which inits).
  bool folds_input_casts = false;
};

class KernelRegistry {
 public:
  static KernelRegistry& global();
  // Also tells the OpRegistry which (op, device, dtype) can run.
  void add(KernelRegistration r);
  // Best registration for the node; nullptr if none. `reference_only` picks priority-0 kernels.
  const KernelRegistration* lookup(std::string_view op, DeviceKind d, DType t,
                                   const KernelInit& init, bool reference_only = false) const;
  std::vector<const KernelRegistration*> all(std::string_view op, DeviceKind d) const;
  // Every registration, in the order added (read-only: tests walk it to cover every kernel).
  const std::vector<KernelRegistration>& registrations() const { return regs_; }
  // Whether any kernel is registered for the device (false for kGPU in a build without CUDA).
  bool has_device(DeviceKind d) const;
  // Adds a static node check (see NodeCheck) for the op on the device.
  void add_check(std::string op, DeviceKind d, NodeCheck f);
  // Runs every check registered for the node's op on the device (throws the first failure).
  void check_node(const Node& n, DeviceKind d) const;

 private:
  struct CheckEntry {
    std::string op;
    DeviceKind device;
    NodeCheck check;
  };
  std::vector<KernelRegistration> regs_;
  std::vector<CheckEntry> checks_;
};

// The dtype kernels are registered and looked up by: attr "T", else the first float type attr,
// else the first input's dtype, else the first output's.
DType kernel_dtype(const Node& n, const std::vector<DType>& in, const std::vector<DType>& out);

// Creates the best kernel for the node on the device (priority-0 kernels only with
// `reference_only`); sets *name to the registration's name. Throws Error(kUnimplemented) naming
// the node when no kernel runs its dtype, and rethrows a factory's failure with the node named.
std::unique_ptr<Kernel> create_kernel(const Node& n, const KernelInit& init, DeviceKind d,
                                      bool reference_only, std::string* name);

// Rethrows an exception raised while running or creating the node's kernel as an Error that names
// the node (unless the message names it already); non-aamp exceptions become kInternal.
[[noreturn]] void rethrow_for_node(const Node& n, const std::exception& e);

// Registers kernels at static-init time (backends are linked whole-archive):
//   static const bool kReg = register_kernels([] { KernelRegistry::global().add({...}); });
inline bool register_kernels(const std::function<void()>& f) {
  f();
  return true;
}

}  // namespace aamp
