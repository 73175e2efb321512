// The cuBLASLt plumbing of cuda_matmul.cc shared with the other cuBLASLt kernels
// (cuda_batch_matmul.cc): the process's handle, status checks and data types.
#pragma once

#include <cublasLt.h>

#include <string>

#include "aamp/core/dtype.h"

namespace aamp::cuda {

// The process's cuBLASLt handle (created on first use).
cublasLtHandle_t lt_shared_handle();
// Throws Error(kInternal) "cuBLASLt <what> failed: <status>" unless s is success.
void lt_check(cublasStatus_t s, const std::string& what);
// CUDA_R_32F / 16F / 16BF; throws Error(kUnimplemented) for other dtypes.
cudaDataType_t lt_data_type(DType t);

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

}  // namespace aamp::cuda
