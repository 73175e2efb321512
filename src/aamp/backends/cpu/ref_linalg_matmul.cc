// Reference kernels (plain loops, float32 accumulation) for MatMul, BatchMatMul(V2),
// _FusedMatMul and _AampFusedBatchMatMulV2, and integer (int32, int64) MatMul / BatchMatMul(V2).
#include <cstdint>
#include <memory>
#include <type_traits>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/core/error.h"

namespace aamp {
namespace {

using linalg::MatMulGeom;

class RefMatMulKernel : public Kernel {
 public:
  explicit RefMatMulKernel(const KernelInit& init) : desc_(init.node->describe()) {
    const Node& node = *init.node;
    AAMP_CHECK(init.inputs.size() >= 2, ErrorCode::kInvalidGraph,
               node.describe() + ": needs two inputs");
    g_ = linalg::matmul_geom(node, init.inputs[0].shape, init.inputs[1].shape);
    if (node.op == "_FusedMatMul" || node.op == "_AampFusedBatchMatMulV2")
      ep_ = parse_epilogue(node, kFirstEpilogueArg, static_cast<int>(init.inputs.size()));
    // A folded input cast (KernelInit::cast_from): A arrives in float32 and is rounded to the
    // node's dtype as the Cast would have.
    if (!init.cast_from.empty() && init.cast_from[0] != DType::kInvalid) {
      AAMP_CHECK(init.cast_from[0] == DType::kFloat &&
                     (init.cast_from.size() < 2 || init.cast_from[1] == DType::kInvalid),
                 ErrorCode::kUnimplemented, node.describe() + ": folds a float32 input 0 only");
      round_a_to_ = init.inputs[0].dtype;
    }
  }

  void run(KernelContext& ctx) override {
    const int64_t M = g_.m, N = g_.n, K = g_.k;
    linalg::to_floats(ctx.inputs[0], a_);
    if (round_a_to_ == DType::kBFloat16)
      for (float& v : a_) v = as_float(from_float<bfloat16>(v));
    else if (round_a_to_ == DType::kHalf)
      for (float& v : a_) v = as_float(from_float<float16>(v));
    linalg::to_floats(ctx.inputs[1], b_);
    const std::vector<int64_t>& out_shape = ctx.outputs[0].shape;
    const int64_t batch = g_.batch_size();
    y_.assign(static_cast<size_t>(batch * M * N), 0.0f);
    const size_t r = g_.batch.size();
    std::vector<int64_t> idx(r, 0);
    for (int64_t bi = 0; bi < batch; ++bi) {
      // Offsets of this batch element in a and b (broadcast dims stay at 0).
      int64_t ao = 0, bo = 0;
      for (size_t d = 0; d < r; ++d) {
        ao = ao * g_.a_batch[d] + (g_.a_batch[d] == 1 ? 0 : idx[d]);
        bo = bo * g_.b_batch[d] + (g_.b_batch[d] == 1 ? 0 : idx[d]);
      }
      const float* A = a_.data() + ao * M * K;
      const float* B = b_.data() + bo * K * N;
      float* Y = y_.data() + bi * M * N;
      for (int64_t i = 0; i < M; ++i) {
        for (int64_t k = 0; k < K; ++k) {
          const float av = g_.ta ? A[k * M + i] : A[i * K + k];
          if (g_.tb) {
            for (int64_t j = 0; j < N; ++j) Y[i * N + j] += av * B[j * K + k];
          } else {
            for (int64_t j = 0; j < N; ++j) Y[i * N + j] += av * B[k * N + j];
          }
        }
      }
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < g_.batch[d]) break;
        idx[d] = 0;
      }
    }
    AAMP_CHECK(ctx.outputs[0].num_elements() == static_cast<int64_t>(y_.size()),
               ErrorCode::kInternal, desc_ + ": output size mismatch");
    if (!ep_.empty())
      linalg::apply_epilogue(ep_, ctx, out_shape, static_cast<int>(out_shape.size()) - 1, y_);
    linalg::from_floats(y_, ctx.outputs[0]);
  }

 private:
  std::string desc_;
  MatMulGeom g_;
  Epilogue ep_;
  DType round_a_to_ = DType::kInvalid;
  std::vector<float> a_, b_, y_;
};

// Integer MatMul / BatchMatMul(V2) (TensorFlow runs int32 and int64 on the CPU): exact products
// summed in 64 bits, the result wrapped to the output type (two's complement, as TensorFlow's
// int32 accumulation wraps). No epilogue: the fused ops are float-only.
class RefIntMatMulKernel : public Kernel {
 public:
  explicit RefIntMatMulKernel(const KernelInit& init) : desc_(init.node->describe()) {
    AAMP_CHECK(init.inputs.size() >= 2, ErrorCode::kInvalidGraph, desc_ + ": needs two inputs");
    g_ = linalg::matmul_geom(*init.node, init.inputs[0].shape, init.inputs[1].shape);
  }

  void run(KernelContext& ctx) override {
    AAMP_CHECK(ctx.outputs[0].num_elements() == g_.batch_size() * g_.m * g_.n, ErrorCode::kInternal,
               desc_ + ": output size mismatch");
    if (ctx.outputs[0].dtype == DType::kInt32)
      compute<int32_t>(ctx);
    else
      compute<int64_t>(ctx);
  }

 private:
  template <typename T>
  void compute(KernelContext& ctx) const {
    const T* a = ctx.inputs[0].as<T>();
    const T* b = ctx.inputs[1].as<T>();
    T* y = ctx.outputs[0].as<T>();
    const int64_t M = g_.m, N = g_.n, K = g_.k;
    const size_t r = g_.batch.size();
    std::vector<int64_t> idx(r, 0);
    std::vector<uint64_t> acc(static_cast<size_t>(N));
    for (int64_t bi = 0; bi < g_.batch_size(); ++bi) {
      int64_t ao = 0, bo = 0;
      for (size_t d = 0; d < r; ++d) {
        ao = ao * g_.a_batch[d] + (g_.a_batch[d] == 1 ? 0 : idx[d]);
        bo = bo * g_.b_batch[d] + (g_.b_batch[d] == 1 ? 0 : idx[d]);
      }
      const T* A = a + ao * M * K;
      const T* B = b + bo * K * N;
      T* Y = y + bi * M * N;
      for (int64_t i = 0; i < M; ++i) {
        // Unsigned arithmetic: wraps instead of overflowing (int64 inputs).
        std::fill(acc.begin(), acc.end(), uint64_t{0});
        for (int64_t k = 0; k < K; ++k) {
          const uint64_t av =
              static_cast<uint64_t>(static_cast<int64_t>(g_.ta ? A[k * M + i] : A[i * K + k]));
          for (int64_t j = 0; j < N; ++j) {
            const T bv = g_.tb ? B[j * K + k] : B[k * N + j];
            acc[static_cast<size_t>(j)] += av * static_cast<uint64_t>(static_cast<int64_t>(bv));
          }
        }
        for (int64_t j = 0; j < N; ++j)
          Y[i * N + j] =
              static_cast<T>(static_cast<std::make_unsigned_t<T>>(acc[static_cast<size_t>(j)]));
      }
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < g_.batch[d]) break;
        idx[d] = 0;
      }
    }
  }

  std::string desc_;
  MatMulGeom g_;
};

const bool kRegistered = register_kernels([] {
  for (const char* op :
       {"MatMul", "_FusedMatMul", "BatchMatMul", "BatchMatMulV2", "_AampFusedBatchMatMulV2"}) {
    KernelRegistry::global().add({op,
                                  DeviceKind::kCPU,
                                  amp_float_types(),
                                  0,
                                  "reference",
                                  [](const KernelInit& i) -> std::unique_ptr<Kernel> {
                                    return std::make_unique<RefMatMulKernel>(i);
                                  },
                                  {},
                                  /*folds_input_casts=*/true});
  }
  for (const char* op : {"MatMul", "BatchMatMul", "BatchMatMulV2"}) {
    KernelRegistry::global().add({op,
                                  DeviceKind::kCPU,
                                  {DType::kInt32, DType::kInt64},
                                  0,
                                  "reference",
                                  [](const KernelInit& i) -> std::unique_ptr<Kernel> {
                                    return std::make_unique<RefIntMatMulKernel>(i);
                                  },
                                  {}});
  }
});

}  // namespace
}  // namespace aamp
