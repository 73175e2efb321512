// The cuBLASLt plumbing of cuda_matmul.cc shared with the other cuBLASLt kernels
// (cuda_batch_matmul.cc): status checks, the descriptors of a row-major GEMM on the process's
// handle and the choice of its algorithm.
#pragma once

#include <cublasLt.h>

#include <string>

#include "aamp/core/dtype.h"

namespace aamp::cuda {

// Throws Error(kInternal) "cuBLASLt <what> failed: <status>" unless s is success.
void lt_check(cublasStatus_t s, const std::string& what);

// One cuBLASLt matmul as cuBLASLt sees it (D = alpha op(a) op(b) + beta c, D laid out as c),
// with the bytes each operand spans (batches included) and of the bias, 0 without one.
struct LtProblem {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  size_t a_bytes = 0, b_bytes = 0, c_bytes = 0, bias_bytes = 0;
  float alpha = 1.0f, beta = 0.0f;
};
struct LtChoice {
  cublasLtMatmulAlgo_t algo{};
  size_t workspace = 0;  // bytes the algorithm needs
};
// The fastest of the heuristic's first 8 candidates (each timed once on zeroed scratch operands,
// on `stream`, at kernel creation; the first one alone with AAMP_CUBLASLT_AUTOTUNE=0): the
// heuristic's first choice can be several times slower (e.g. for N = 10). Leaves desc's bias
// pointer at scratch (set it before running). Throws Error(kUnimplemented) with `what` when
// cuBLASLt has no algorithm.
LtChoice lt_choose(const LtProblem& p, void* stream, const std::string& what);

// The descriptors of the row-major GEMM C[M, N] = op(A)[M, K] op(B)[K, N], in float32 compute
// and scale, as cuBLASLt's column-major C^T = op(B)^T op(A)^T, so that no operand is copied:
// cuBLASLt's first operand is our B, its second our A. With count > 1, a strided batch: A's and
// B's matrices stride_a / stride_b elements apart (0: one broadcast matrix), C's M * N apart.
class LtGemm {
 public:
  LtGemm(DType t, int64_t m, int64_t n, int64_t k, bool ta, bool tb, int64_t count = 1,
         int64_t stride_a = 0, int64_t stride_b = 0);
  ~LtGemm();
  LtGemm(const LtGemm&) = delete;
  LtGemm& operator=(const LtGemm&) = delete;

  template <typename V>
  void set(cublasLtMatmulDescAttributes_t attr, const V& v) {
    lt_check(cublasLtMatmulDescSetAttribute(desc_, attr, &v, sizeof(v)), "MatmulDescSetAttribute");
  }
  // For lt_choose: the descriptors and the bytes A, B and C span (batches included).
  LtProblem problem() const;
  // D = alpha op(A) op(B) + beta C (C and D in C's layout) with `algo`, queued on `stream`.
  void run(const void* a, const void* b, const void* c, void* d, float alpha, float beta,
           const LtChoice& algo, void* workspace, void* stream, const char* what) const;

 private:
  void destroy();

  DType t_;
  int64_t m_, n_, k_, count_, stride_a_, stride_b_;
  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t la_ = nullptr, lb_ = nullptr, lc_ = nullptr;
};

}  // namespace aamp::cuda
