// Shared host-side helpers of the CUDA backend: error checks, registration, per-stream cuBLASLt
// workspace. Included by backends/cuda/*.cc only (never by the runtime).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/runtime/kernel.h"

namespace aamp::cuda {

// Throws Error(kInternal) "<what>: <CUDA message>" unless e is cudaSuccess.
void check(cudaError_t e, const std::string& what);

inline cudaStream_t stream_of(void* s) { return static_cast<cudaStream_t>(s); }

// float32, float16, bfloat16: the float types of the GPU kernels.
const std::vector<DType>& gpu_float_types();
// Every dtype a tensor of plan memory can hold (for byte copies).
const std::vector<DType>& gpu_all_types();

// Registers a kGPU kernel (priority 1, name "cuda" unless given).
void add_gpu(const std::string& op, const std::vector<DType>& dtypes, KernelFactory f,
             std::function<bool(const KernelInit&)> supports = {},
             const std::string& name = "cuda");

// The scratch workspace of a stream created by the CUDA DeviceRuntime, shared by the kernels
// that run on it (one at a time), at least `bytes` long (grown on demand, at kernel creation):
// kernels ask for what their chosen algorithm needs. kWorkspaceBytes: the most any kernel may
// ask for (cuBLASLt / cuDNN algorithm searches are limited to it).
constexpr size_t kWorkspaceBytes = size_t{32} << 20;
void* workspace_of(void* stream, size_t bytes = kWorkspaceBytes);

// NumPy broadcasting: the strides of `in` aligned right to `out` (0 where `in` has size 1 or
// lacks the dim), one per dim of `out`.
void aligned_strides(const std::vector<int64_t>& in, const std::vector<int64_t>& out,
                     int64_t* strides);

// Device memory for kernels' own buffers (packed weights, scratch): counted in the device
// runtime's bytes_in_use/peak_bytes like the plans' arenas. Throws Error naming the size.
void* device_malloc(size_t bytes);
void device_free(void* p) noexcept;

// The GPU kernels read every input from device memory (the plan uploads constants once).
// Copies bytes between device buffers on the kernel's stream.
void copy_device(void* dst, const void* src, size_t bytes, void* stream);

}  // namespace aamp::cuda
