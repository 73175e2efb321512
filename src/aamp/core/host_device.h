// AAMP_HOST_DEVICE: a function that host code and CUDA device code (.cu files) both call, for
// the formulas every backend shares (ops/activation.h, ops/pool_window.h).
#pragma once

#if defined(__CUDACC__)
#define AAMP_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define AAMP_HOST_DEVICE inline
#endif
