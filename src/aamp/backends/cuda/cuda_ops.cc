// CUDA kernels of the element-wise ops (the activations of ops/epilogue.h's vocabulary: Relu,
// Relu6, Elu, LeakyRelu, Sigmoid, Tanh, Gelu and aamp's Swish, Mish, HardSwish; Erf, Rsqrt, Sqrt,
// Exp, Log, Neg, Square, Abs; AddV2/Add/Sub/Mul/RealDiv/Maximum/Minimum/Pow/SquaredDifference
// with NumPy broadcasting), BiasAdd, Cast to float32/float16/bfloat16 (from those, int32, int64
// and bool), Softmax over the last axis, and the alias ops (the alias trait of ops/registry.h:
// the plan runs them as aliases, the kernel copies bytes when one runs as a kernel).
#include <algorithm>
#include <memory>

#include "aamp/backends/cuda/cuda_common.h"
#include "aamp/backends/cuda/cuda_kernels.h"
#include "aamp/ops/attrs.h"
#include "aamp/ops/epilogue.h"
#include "aamp/ops/registry.h"

namespace aamp::cuda {

void aligned_strides(const std::vector<int64_t>& in, const std::vector<int64_t>& out,
                     int64_t* strides) {
  const size_t r = out.size();
  int64_t s = 1;
  for (size_t k = r; k-- > 0;) {
    const size_t off = r - in.size();
    const int64_t d = k >= off ? in[k - off] : 1;
    strides[k] = d == 1 ? 0 : s;
    s *= d;
  }
}

namespace {

class UnaryKernel : public Kernel {
 public:
  explicit UnaryKernel(Unary op) : op_(op) {}
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    launch_unary(op_, x.dtype, x.data, ctx.outputs[0].data, x.num_elements(), ctx.stream);
  }
  std::vector<std::pair<int, int>> inplace_pairs() const override { return {{0, 0}}; }

 private:
  Unary op_;
};

// A standalone activation op (Relu, Gelu, LeakyRelu, ...): ops/epilogue.h's activation_of_node.
class ActivationKernel : public Kernel {
 public:
  explicit ActivationKernel(const Node& n) {
    AAMP_CHECK(activation_of_node(n, op_, params_), ErrorCode::kInternal,
               n.describe() + ": not an activation");
  }
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    launch_activation(op_, params_, x.dtype, x.data, ctx.outputs[0].data, x.num_elements(),
                      ctx.stream);
  }
  std::vector<std::pair<int, int>> inplace_pairs() const override { return {{0, 0}}; }

 private:
  EpilogueOp op_ = EpilogueOp::kRelu;
  ActParams params_;
};

class BinaryKernel : public Kernel {
 public:
  BinaryKernel(Binary op, const KernelInit& init) : op_(op) {
    const auto& a = init.inputs[0].shape;
    const auto& b = init.inputs[1].shape;
    const auto& out = init.outputs[0].shape;
    a_full_ = a == out;
    b_full_ = b == out;
    if (a_full_ && b_full_) return;
    bc_ = std::make_unique<BroadcastIndex>();
    bc_->rank = static_cast<int>(out.size());
    std::copy(out.begin(), out.end(), bc_->out);
    aligned_strides(a, out, bc_->a_stride);
    aligned_strides(b, out, bc_->b_stride);
  }
  void run(KernelContext& ctx) override {
    const TensorView& y = ctx.outputs[0];
    launch_binary(op_, y.dtype, ctx.inputs[0].data, ctx.inputs[1].data, y.data, y.num_elements(),
                  bc_.get(), ctx.stream);
  }
  std::vector<std::pair<int, int>> inplace_pairs() const override {
    std::vector<std::pair<int, int>> v;
    if (a_full_) v.push_back({0, 0});
    if (b_full_) v.push_back({0, 1});
    return v;
  }

 private:
  Binary op_;
  bool a_full_ = false, b_full_ = false;
  std::unique_ptr<BroadcastIndex> bc_;
};

bool broadcast_supported(const KernelInit& init) {
  return init.inputs.size() == 2 && init.outputs.size() == 1 &&
         init.outputs[0].shape.size() <= static_cast<size_t>(kMaxRank) &&
         init.inputs[0].dtype == init.outputs[0].dtype &&
         init.inputs[1].dtype == init.outputs[0].dtype;
}

// BiasAdd: bias [C] over the last axis (NHWC) or axis 1 (NCHW).
class BiasAddKernel : public Kernel {
 public:
  explicit BiasAddKernel(const KernelInit& init) {
    const Node& n = *init.node;
    const auto& x = init.inputs.at(0).shape;
    const auto& b = init.inputs.at(1).shape;
    const bool nchw = op_attr_string(n, "data_format") == "NCHW" && x.size() >= 3;
    const size_t axis = nchw ? 1 : x.size() - 1;
    AAMP_CHECK(!x.empty() && b.size() == 1 && b[0] == x[axis], ErrorCode::kInvalidGraph,
               n.describe() + ": bias must be 1-D with the size of the channel dim");
    channels_ = b[0];
    for (size_t k = axis + 1; k < x.size(); ++k) inner_ *= x[k];
  }
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    launch_bias_add(x.dtype, x.data, ctx.inputs[1].data, ctx.outputs[0].data, x.num_elements(),
                    channels_, inner_, ctx.stream);
  }
  std::vector<std::pair<int, int>> inplace_pairs() const override { return {{0, 0}}; }

 private:
  int64_t channels_ = 1, inner_ = 1;
};

class CastKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    TensorView& y = ctx.outputs[0];
    if (x.dtype == y.dtype)
      copy_device(y.data, x.data, y.byte_size(), ctx.stream);
    else
      launch_cast(x.dtype, y.dtype, x.data, y.data, x.num_elements(), ctx.stream);
  }
};

bool is_gpu_float(DType t) {
  const auto& v = gpu_float_types();
  return std::find(v.begin(), v.end(), t) != v.end();
}

class SoftmaxKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    const int64_t cols = x.shape.empty() ? 1 : x.shape.back();
    const int64_t rows = cols ? x.num_elements() / cols : 0;
    launch_softmax(x.dtype, x.data, ctx.outputs[0].data, rows, cols, ctx.stream);
  }
  std::vector<std::pair<int, int>> inplace_pairs() const override { return {{0, 0}}; }
};

// Output i = input i: every alias op (ops/registry.h's alias trait) when it runs as a kernel.
class CopyKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    for (size_t i = 0; i < ctx.outputs.size(); ++i)
      if (ctx.outputs[i].data != ctx.inputs[i].data)
        copy_device(ctx.outputs[i].data, ctx.inputs[i].data, ctx.outputs[i].byte_size(),
                    ctx.stream);
  }
};

const bool kRegistered = [] {
  const std::pair<const char*, Unary> unary[] = {
      {"Erf", Unary::kErf},       {"Rsqrt", Unary::kRsqrt}, {"Sqrt", Unary::kSqrt},
      {"Exp", Unary::kExp},       {"Log", Unary::kLog},     {"Neg", Unary::kNeg},
      {"Square", Unary::kSquare}, {"Abs", Unary::kAbs}};
  for (const auto& [op, u] : unary)
    add_gpu(op, gpu_float_types(),
            [u = u](const KernelInit&) { return std::make_unique<UnaryKernel>(u); });
  // Every standalone activation of the epilogue vocabulary (Gelu's two forms are one op).
  for (const EpilogueOpDef* d : activation_source_rows())
    add_gpu(std::string(d->source_op), gpu_float_types(),
            [](const KernelInit& i) { return std::make_unique<ActivationKernel>(*i.node); });
  const std::pair<const char*, Binary> binary[] = {
      {"AddV2", Binary::kAdd},
      {"Add", Binary::kAdd},
      {"Sub", Binary::kSub},
      {"Mul", Binary::kMul},
      {"RealDiv", Binary::kDiv},
      {"Maximum", Binary::kMaximum},
      {"Minimum", Binary::kMinimum},
      {"Pow", Binary::kPow},
      {"SquaredDifference", Binary::kSquaredDifference}};
  for (const auto& [op, b] : binary)
    add_gpu(
        op, gpu_float_types(),
        [b = b](const KernelInit& i) { return std::make_unique<BinaryKernel>(b, i); },
        broadcast_supported);
  add_gpu("BiasAdd", gpu_float_types(),
          [](const KernelInit& i) { return std::make_unique<BiasAddKernel>(i); });
  add_gpu(
      "Cast", gpu_float_types(), [](const KernelInit&) { return std::make_unique<CastKernel>(); },
      [](const KernelInit& i) {
        if (i.inputs.size() != 1 || !is_gpu_float(i.outputs.at(0).dtype)) return false;
        const DType s = i.inputs[0].dtype;
        return is_gpu_float(s) || s == DType::kInt32 || s == DType::kInt64 || s == DType::kBool ||
               s == DType::kUInt8 || s == DType::kInt8;
      });
  add_gpu("Softmax", gpu_float_types(),
          [](const KernelInit&) { return std::make_unique<SoftmaxKernel>(); });
  for (const std::string& op :
       OpRegistry::global().ops_where([](const OpInfo& i) { return i.traits().alias; }))
    add_gpu(op, gpu_all_types(), [](const KernelInit&) { return std::make_unique<CopyKernel>(); });
  return true;
}();

}  // namespace
}  // namespace aamp::cuda
