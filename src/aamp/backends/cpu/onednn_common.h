// Shared plumbing of the oneDNN kernels (oneDNN 2.x API as shipped by Debian: libdnnl 2.6,
// OpenMP CPU runtime).
//
// - one process-wide CPU engine, one stream per thread;
// - PrimitiveKernel: a primitive created once with memory objects created once; run() only sets
//   data handles and executes (no allocation, no primitive creation);
// - EpilogueBuilder: maps a fused_ops epilogue onto primitive bias + oneDNN post-ops;
// - set_threads(): honours KernelContext::threads through omp_set_num_threads.
#pragma once

#include <functional>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/ops/activation.h"
#include "aamp/runtime/kernel.h"

namespace aamp::onednn {

using dnnl::memory;

dnnl::engine& engine();
dnnl::stream& stream();  // this thread's stream

// float32 / bfloat16 map to oneDNN types; anything else throws Error(kUnimplemented).
memory::data_type dt(DType t);
// Sets the OpenMP thread count of this thread for the following primitive executions (n < 1:
// leave as is).
void set_threads(int n);
// Name of oneDNN's CPU runtime and version, for reports ("oneDNN 2.6.3 (OpenMP)").
std::string version_string();

memory::dims to_dims(const std::vector<int64_t>& v);
// Row-major strides of `shape`.
memory::dims row_major(const memory::dims& shape);
// A memory desc for logical dims `dims` laid out as the plain TF tensor of `tf_shape`, where
// logical dim i is TF dim perm[i] (perm empty = identity).
memory::desc plain_desc(const memory::dims& dims, memory::data_type t,
                        const std::vector<int>& perm);

// Packs a constant tensor (any float dtype) whose elements are laid out with logical `dims` and
// `strides` into a new memory of `dst_md` (e.g. a primitive's preferred weights layout).
memory pack_const(const Tensor& value, const memory::dims& dims, const memory::dims& strides,
                  const memory::desc& dst_md);

// Where a memory object's data comes from at run time.
enum class Source { kInput, kOutput, kOwned };

class PrimitiveKernel : public Kernel {
 public:
  // oneDNN sizes a primitive's thread team when the primitive is created, from OpenMP's current
  // maximum, and keeps it: the kernel's thread count must be in force before its primitive
  // descriptors are made, not only when it runs (else `--threads 1` ran float32 convolutions on
  // every core).
  explicit PrimitiveKernel(const KernelInit& init) { set_threads(init.threads); }
  void run(KernelContext& ctx) override;

 protected:
  // Binds a oneDNN arg to a context tensor: its data handle is set before each execution.
  void bind(int arg, const memory::desc& md, Source src, int index);
  // Binds a oneDNN arg to a fixed memory object (packed weights, owned buffers).
  void bind_fixed(int arg, const memory& m) { args_[arg] = m; }
  // Called before execution (e.g. to refresh non-constant derived buffers).
  virtual void prepare(KernelContext& ctx) { (void)ctx; }

  dnnl::primitive prim_;
  std::unordered_map<int, memory> args_;

 private:
  struct Binding {
    int arg;
    Source src;
    int index;
  };
  std::vector<Binding> bindings_;
};

// fused_ops -> primitive bias + post-ops. The contraction's dst has oneDNN logical dims
// `dst_dims`, channels on `ch_dim`, and TF layout given by `perm` (see plain_desc).
class EpilogueBuilder {
 public:
  EpilogueBuilder(const Epilogue& e, const KernelInit& init, const memory::dims& dst_dims,
                  int ch_dim, std::vector<int> perm);
  // True when the first step is BiasAdd and it is taken as the primitive's bias.
  bool has_bias() const { return bias_arg_ >= 0; }
  int bias_arg() const { return bias_arg_; }
  memory::desc bias_desc() const { return bias_md_; }
  const dnnl::primitive_attr& attr() const { return attr_; }
  // After primitive creation: binds post-op args to the kernel.
  void bind(std::function<void(int, const memory::desc&, int)> bind_input,
            std::function<void(int, const memory&)> bind_fixed);
  // Recomputes per-run derived buffers (BatchNorm / Prelu folded from non-constant inputs).
  void prepare(const KernelContext& ctx);
  bool needs_prepare() const { return !dynamic_.empty(); }

 private:
  struct Arg {
    int post_op;  // index in the post-ops chain
    int dnnl_arg;
    memory::desc md;
    int input = -1;            // bound to a context input, or
    std::vector<float> owned;  // an owned float32 buffer
  };
  struct Dynamic {  // owned buffer recomputed from inputs each run
    size_t arg;     // index into args_
    EpilogueOp kind;
    int input;
    int part;  // BatchNorm: 0 = scale, 1 = shift
  };
  void fill_owned(Arg& a, EpilogueOp kind, int input, int part,
                  const std::function<void(int, std::vector<float>&)>& read);

  const Epilogue ep_;
  dnnl::primitive_attr attr_;
  int bias_arg_ = -1;
  memory::desc bias_md_;
  std::vector<Arg> args_;
  std::vector<Dynamic> dynamic_;
  std::vector<memory> owned_mems_;
  std::vector<float> scratch_[4];
};

// The oneDNN eltwise algorithm (and its alpha / beta) of an activation; false for steps that are
// not a single eltwise (BiasAdd, Add, Mul, Prelu, BatchNorm).
bool eltwise_of(EpilogueOp k, const ActParams& p, dnnl::algorithm& alg, float& alpha, float& beta);

// Registers a oneDNN kernel at priority 10 for float32 and bfloat16. `probe` builds the kernel's
// primitive descriptors without packing weights; it may throw to refuse the configuration.
// `folds_input_casts`: the kernel honours KernelInit::cast_from (its probe refuses what it
// cannot fold).
void register_onednn(const std::string& op, std::function<void(const KernelInit&)> probe,
                     KernelFactory factory, bool folds_input_casts = false);

}  // namespace aamp::onednn
