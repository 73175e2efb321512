// CUDA kernels of the data-movement ops, as byte moves of any dtype: a strided copy (Transpose,
// Slice, StridedSlice), a tiled transpose of the last two dims, constant padding, a gather that
// records out-of-range indices instead of reading out of bounds, and Select's broadcast choice.
#include <cstdint>

#include "aamp/backends/cuda/cuda_device_util.cuh"
#include "aamp/backends/cuda/cuda_kernels.h"

namespace aamp::cuda {
namespace {

template <typename E>
__global__ void strided_copy_kernel(const E* x, E* y, int64_t n, StridedMap m) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    y[i] = x[m.base + strided_offset(m, i)];
  }
}

constexpr int kTile = 32;
constexpr int kTileRows = 8;

// Block (32, 8) moves a 32x32 tile of one matrix: coalesced reads of x's rows, coalesced writes
// of y's rows, through shared memory (one padding column against bank conflicts).
template <typename E>
__global__ void transpose_last2_kernel(const E* x, E* y, int64_t rows, int64_t cols) {
  __shared__ E tile[kTile][kTile + 1];
  const int64_t b = blockIdx.z;
  const int64_t tr = blockIdx.y, tc = blockIdx.x;
  const E* in = x + b * rows * cols;
  E* out = y + b * rows * cols;
  const int64_t c = tc * kTile + threadIdx.x;
  for (int j = threadIdx.y; j < kTile; j += kTileRows) {
    const int64_t r = tr * kTile + j;
    if (r < rows && c < cols) tile[j][threadIdx.x] = in[r * cols + c];
  }
  __syncthreads();
  const int64_t r2 = tr * kTile + threadIdx.x;  // y's column
  for (int j = threadIdx.y; j < kTile; j += kTileRows) {
    const int64_t c2 = tc * kTile + j;  // y's row
    if (c2 < cols && r2 < rows) out[c2 * rows + r2] = tile[threadIdx.x][j];
  }
}

template <typename E>
__global__ void pad_kernel(const E* x, E* y, int64_t n, PadIndex p, E fill) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t rest = i, off = 0, st = 1;
    bool inside = true;
    for (int d = p.rank - 1; d >= 0; --d) {
      const int64_t k = rest % p.out[d] - p.lo[d];
      rest /= p.out[d];
      inside &= k >= 0 && k < p.in[d];
      off += k * st;
      st *= p.in[d];
    }
    y[i] = inside ? x[off] : fill;
  }
}

template <typename E, typename I>
__global__ void gather_kernel(const E* params, const I* indices, E* y, int64_t n, int64_t axis_size,
                              int64_t inner, int64_t n_idx, GatherError* err) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t j = i % inner;
    const int64_t q = i / inner;
    const int64_t pos = q % n_idx;
    const int64_t o = q / n_idx;
    const int64_t k = static_cast<int64_t>(indices[pos]);
    if (k < 0 || k >= axis_size) {
      if (atomicCAS(&err->flag, 0, 1) == 0) {
        err->index = k;
        err->position = pos;
      }
      y[i] = E{};
      continue;
    }
    y[i] = params[(o * axis_size + k) * inner + j];
  }
}

template <typename E>
__global__ void select_kernel(const bool* c, const E* t, const E* e, E* y, int64_t n,
                              SelectIndex s) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t rest = i, co = 0, to = 0, eo = 0;
    for (int d = s.rank - 1; d >= 0; --d) {
      const int64_t k = rest % s.out[d];
      rest /= s.out[d];
      co += k * s.c_stride[d];
      to += k * s.t_stride[d];
      eo += k * s.e_stride[d];
    }
    y[i] = c[co] ? t[to] : e[eo];
  }
}

}  // namespace

void launch_select(size_t elem_bytes, const void* cond, const void* t, const void* e, void* y,
                   const SelectIndex& s, void* stream) {
  int64_t n = 1;
  for (int d = 0; d < s.rank; ++d) n *= s.out[d];
  if (n <= 0) return;
  dispatch_bytes(elem_bytes, [&](auto tag) {
    using E = typename decltype(tag)::type;
    select_kernel<E><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(
        static_cast<const bool*>(cond), static_cast<const E*>(t), static_cast<const E*>(e),
        static_cast<E*>(y), n, s);
  });
  check_launch("Select kernel");
}

void launch_strided_copy(size_t elem_bytes, const void* x, void* y, const StridedMap& map,
                         void* stream) {
  int64_t n = 1;
  for (int d = 0; d < map.rank; ++d) n *= map.dims[d];
  if (n <= 0) return;
  dispatch_bytes(elem_bytes, [&](auto tag) {
    using E = typename decltype(tag)::type;
    strided_copy_kernel<E><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(
        static_cast<const E*>(x), static_cast<E*>(y), n, map);
  });
  check_launch("strided copy kernel");
}

void launch_transpose_last2(size_t elem_bytes, const void* x, void* y, int64_t batch, int64_t rows,
                            int64_t cols, void* stream) {
  if (batch <= 0 || rows <= 0 || cols <= 0) return;
  const int64_t tiles_r = (rows + kTile - 1) / kTile, tiles_c = (cols + kTile - 1) / kTile;
  if (batch > 65535 || tiles_r > 65535)
    throw Error(ErrorCode::kUnimplemented, "transpose too large for one CUDA grid");
  const dim3 grid(static_cast<unsigned>(tiles_c), static_cast<unsigned>(tiles_r),
                  static_cast<unsigned>(batch));
  const dim3 block(kTile, kTileRows);
  dispatch_bytes(elem_bytes, [&](auto tag) {
    using E = typename decltype(tag)::type;
    transpose_last2_kernel<E><<<grid, block, 0, as_stream(stream)>>>(
        static_cast<const E*>(x), static_cast<E*>(y), rows, cols);
  });
  check_launch("transpose kernel");
}

void launch_pad(size_t elem_bytes, const void* x, void* y, const PadIndex& p, uint64_t fill,
                void* stream) {
  int64_t n = 1;
  for (int d = 0; d < p.rank; ++d) n *= p.out[d];
  if (n <= 0) return;
  dispatch_bytes(elem_bytes, [&](auto tag) {
    using E = typename decltype(tag)::type;
    if constexpr (sizeof(E) <= 8) {
      E f;
      memcpy(&f, &fill, sizeof(E));
      pad_kernel<E><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(static_cast<const E*>(x),
                                                                       static_cast<E*>(y), n, p, f);
    } else {
      throw Error(ErrorCode::kUnimplemented, "Pad of 16-byte elements");
    }
  });
  check_launch("Pad kernel");
}

void launch_gather(size_t elem_bytes, const void* params, const void* indices, DType index_type,
                   void* y, int64_t outer, int64_t axis_size, int64_t inner, int64_t n_idx,
                   GatherError* error, void* stream) {
  const int64_t n = outer * n_idx * inner;
  if (n <= 0) return;
  dispatch_bytes(elem_bytes, [&](auto tag) {
    using E = typename decltype(tag)::type;
    auto go = [&](auto itag) {
      using I = typename decltype(itag)::type;
      gather_kernel<E, I><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(
          static_cast<const E*>(params), static_cast<const I*>(indices), static_cast<E*>(y), n,
          axis_size, inner, n_idx, error);
    };
    if (index_type == DType::kInt64)
      go(TypeTag<int64_t>{});
    else if (index_type == DType::kInt32)
      go(TypeTag<int32_t>{});
    else
      throw Error(ErrorCode::kUnimplemented, "gather indices must be int32 or int64");
  });
  check_launch("GatherV2 kernel");
}

}  // namespace aamp::cuda
