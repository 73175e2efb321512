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

}  // namespace aamp::cuda
