// The fused attention kernel (cuda_kernels.h: launch_attention), flash-style on mma.sync
// (m16n8k16, float32 accumulators). One block of 4 warps takes 64 query rows of one (batch,
// head), each warp 16 rows whose q fragments stay in registers. Tiles of 64 keys of k and v come
// into shared memory with cp.async, the next tile's copy in flight while this one is computed.
// Per tile each warp computes its 16x64 scores in registers, applies scale and mask, keeps each
// row's running max and sum (the 4 lanes of a quad share a row), rescales its output
// accumulators and multiplies the probabilities, reused in registers as the A operand, by v
// (B fragments by ldmatrix.trans from row-major v). The [Sq,Sk] scores never leave the SM.
// Fragment layouts: PTX ISA, "Matrix Fragments for mma.m16n8k16" (row = lane / 4 and + 8,
// column pair = 2 * (lane % 4)).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <cstring>

#include "aamp/backends/cuda/cuda_device_util.cuh"
#include "aamp/backends/cuda/cuda_kernels.h"

namespace aamp::cuda {
namespace {

constexpr int kRows = 64;  // query rows per block
constexpr int kKeys = 64;  // keys per tile
constexpr int kWarps = kRows / 16;
constexpr int kPad = 8;  // 16-bit elements of row padding: conflict-free fragment reads

template <typename T>
__device__ __forceinline__ void mma(float c[4], const uint32_t a[4], const uint32_t b[2]) {
  if constexpr (std::is_same_v<T, __half>) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
        "{%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
        "{%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
  }
}

// Two values as one register, the first in the low half; `rounded` (when given) gets them back as
// floats.
template <typename T>
__device__ __forceinline__ uint32_t pack(float lo, float hi, float* rounded = nullptr) {
  T v[2] = {st<T>(lo), st<T>(hi)};
  if (rounded) {
    rounded[0] = ld(v[0]);
    rounded[1] = ld(v[1]);
  }
  uint32_t r;
  memcpy(&r, v, sizeof r);
  return r;
}

template <typename T>
__device__ __forceinline__ uint32_t ld32(const T* p) {
  return *reinterpret_cast<const uint32_t*>(p);
}

__device__ __forceinline__ unsigned smem_addr(const void* p) {
  return static_cast<unsigned>(__cvta_generic_to_shared(p));
}

// rows x kD from global (row stride `stride` elements) into shared (row stride kD + kPad) by
// 16-byte cp.async; rows >= valid are zero-filled (nothing read).
template <typename T, int kD>
__device__ __forceinline__ void copy_tile_async(T* dst, const T* src, int64_t stride, int rows,
                                                int64_t valid) {
  constexpr int kVecs = kD / 8;
  for (int i = threadIdx.x; i < rows * kVecs; i += blockDim.x) {
    const int r = i / kVecs, c = (i % kVecs) * 8;
    const bool in = r < valid;
    const T* from = in ? src + r * stride + c : src;
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(
                     smem_addr(dst + r * (kD + kPad) + c)),
                 "l"(from), "r"(in ? 16 : 0));
  }
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n"); }
template <int kPending>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending));
}

template <int kD>
constexpr size_t smem_bytes() {
  // q tile, two k tiles, two v tiles (16-bit elements), the mask row of a tile (float)
  return size_t{2} * (kRows + 4 * kKeys) * (kD + kPad) + sizeof(float) * kKeys;
}

template <typename T, int kD>
__global__ void __launch_bounds__(kWarps * 32)
    attention_kernel(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                     T* __restrict__ out, AttentionArgs a, int64_t q_tiles) {
  extern __shared__ __align__(16) unsigned char smem[];
  constexpr int kLd = kD + kPad;
  T* qs = reinterpret_cast<T*>(smem);
  T* ks = qs + kRows * kLd;  // [2][kKeys][kLd]
  T* vs = ks + 2 * kKeys * kLd;
  float* msk = reinterpret_cast<float*>(vs + 2 * kKeys * kLd);

  const int64_t tile = blockIdx.x % q_tiles, bh = blockIdx.x / q_tiles;
  const int64_t b = bh / a.heads, h = bh % a.heads;
  const int64_t q0 = tile * kRows;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int g = lane / 4, tig = lane % 4;  // fragment row and column pair
  const T* kb = k + b * a.k_b + h * a.k_h;
  const T* vb = v + b * a.v_b + h * a.v_h;
  const int64_t tiles = (a.kv_len + kKeys - 1) / kKeys;
  // The mask row of this (batch, head) when it is the same for every query ([B,1,1,Sk]): staged
  // in shared memory per tile, with -inf past the keys (also without a mask).
  const bool row_mask = !a.mask || a.m_q == 0;
  const T* mb = a.mask ? static_cast<const T*>(a.mask) + b * a.m_b + h * a.m_h : nullptr;

  copy_tile_async<T, kD>(qs, q + b * a.q_b + h * a.q_h + q0 * a.q_s, a.q_s, kRows, a.q_len - q0);
  cp_async_commit();
  copy_tile_async<T, kD>(ks, kb, a.k_s, kKeys, a.kv_len);
  copy_tile_async<T, kD>(vs, vb, a.v_s, kKeys, a.kv_len);
  cp_async_commit();
  cp_async_wait<1>();  // q is in
  __syncthreads();
  uint32_t qa[kD / 16][4];
  {
    const T* r0 = qs + (warp * 16 + g) * kLd + tig * 2;
#pragma unroll
    for (int kk = 0; kk < kD / 16; ++kk) {
      qa[kk][0] = ld32(r0 + kk * 16);
      qa[kk][1] = ld32(r0 + 8 * kLd + kk * 16);
      qa[kk][2] = ld32(r0 + kk * 16 + 8);
      qa[kk][3] = ld32(r0 + 8 * kLd + kk * 16 + 8);
    }
  }

  // Rows g and g + 8 of this warp: query indices, running max and (partial) sum.
  const int64_t qi[2] = {q0 + warp * 16 + g, q0 + warp * 16 + g + 8};
  const T* mrow[2] = {nullptr, nullptr};
  if (!row_mask)
    for (int r = 0; r < 2; ++r) mrow[r] = mb + (qi[r] < a.q_len ? qi[r] : 0) * a.m_q;
  float m_run[2] = {-INFINITY, -INFINITY}, l_run[2] = {0.0f, 0.0f};
  float o[kD / 8][4];
#pragma unroll
  for (int d = 0; d < kD / 8; ++d) o[d][0] = o[d][1] = o[d][2] = o[d][3] = 0.0f;

  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t k0 = t * kKeys;
    const T* kt = ks + (t % 2) * kKeys * kLd;
    const T* vt = vs + (t % 2) * kKeys * kLd;
    if (t + 1 < tiles) {  // the next tile's copy, in flight during this one
      T* kn = ks + ((t + 1) % 2) * kKeys * kLd;
      T* vn = vs + ((t + 1) % 2) * kKeys * kLd;
      copy_tile_async<T, kD>(kn, kb + (k0 + kKeys) * a.k_s, a.k_s, kKeys, a.kv_len - k0 - kKeys);
      copy_tile_async<T, kD>(vn, vb + (k0 + kKeys) * a.v_s, a.v_s, kKeys, a.kv_len - k0 - kKeys);
    }
    cp_async_commit();
    if (row_mask && threadIdx.x < kKeys) {
      const int64_t key = k0 + threadIdx.x;
      msk[threadIdx.x] = key >= a.kv_len ? -INFINITY : mb ? ld(mb[key * a.m_k]) : 0.0f;
    }
    cp_async_wait<1>();  // this tile is in
    __syncthreads();

    // Scores of 8 key columns per n-tile: s[n][0..1] row g, s[n][2..3] row g + 8.
    float s[kKeys / 8][4];
#pragma unroll
    for (int n = 0; n < kKeys / 8; ++n) {
      s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.0f;
      const T* kr = kt + (n * 8 + g) * kLd + tig * 2;
#pragma unroll
      for (int kk = 0; kk < kD / 16; ++kk) {
        const uint32_t bf[2] = {ld32(kr + kk * 16), ld32(kr + kk * 16 + 8)};
        mma<T>(s[n], qa[kk], bf);
      }
    }

    float mx[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int n = 0; n < kKeys / 8; ++n)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int r = e / 2, c = n * 8 + tig * 2 + (e & 1);
        float x;
        if (row_mask) {
          x = s[n][e] * a.scale + msk[c];
        } else {
          const int64_t key = k0 + c;
          x = key < a.kv_len ? s[n][e] * a.scale + ld(mrow[r][key * a.m_k]) : -INFINITY;
        }
        s[n][e] = x;
        mx[r] = fmaxf(mx[r], x);
      }
    float alpha[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 1));
      mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 2));
      const float m_new = fmaxf(m_run[r], mx[r]);
      // Rows masked out so far (m_new = -inf) keep p = 0 instead of exp(-inf + inf) = NaN.
      alpha[r] = m_new == -INFINITY ? 1.0f : __expf(m_run[r] - m_new);
      m_run[r] = m_new;
      l_run[r] *= alpha[r];
    }
#pragma unroll
    for (int d = 0; d < kD / 8; ++d) {
      o[d][0] *= alpha[0], o[d][1] *= alpha[0];
      o[d][2] *= alpha[1], o[d][3] *= alpha[1];
    }
    // P (rounded to T, as the unfused softmax writes it) times v, 16 keys per step; v's B
    // fragments for two 8-column tiles per ldmatrix.x4.trans.
#pragma unroll
    for (int j = 0; j < kKeys / 16; ++j) {
      uint32_t pa[4];
#pragma unroll
      for (int half = 0; half < 2; ++half)
#pragma unroll
        for (int r = 0; r < 2; ++r) {
          const float* sv = s[2 * j + half] + 2 * r;
          float p[2];
          for (int e = 0; e < 2; ++e)
            p[e] = m_run[r] == -INFINITY ? 0.0f : __expf(sv[e] - m_run[r]);
          float rounded[2];
          pa[half * 2 + r] = pack<T>(p[0], p[1], rounded);
          l_run[r] += rounded[0] + rounded[1];
        }
      // Lanes 0-15 address keys j*16 + lane of columns d*8.., lanes 16-31 the next 8 columns.
      const T* vrow = vt + (j * 16 + (lane % 16)) * kLd + (lane / 16) * 8;
#pragma unroll
      for (int d = 0; d < kD / 8; d += 2) {
        uint32_t bf[4];
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                     : "=r"(bf[0]), "=r"(bf[1]), "=r"(bf[2]), "=r"(bf[3])
                     : "r"(smem_addr(vrow + d * 8)));
        mma<T>(o[d], pa, bf);
        mma<T>(o[d + 1], pa, bf + 2);
      }
    }
    __syncthreads();  // this tile's buffers are read before the next copy overwrites them
  }

#pragma unroll
  for (int r = 0; r < 2; ++r) {
    l_run[r] += __shfl_xor_sync(0xffffffffu, l_run[r], 1);
    l_run[r] += __shfl_xor_sync(0xffffffffu, l_run[r], 2);
    if (qi[r] >= a.q_len) continue;
    const float inv = 1.0f / l_run[r];  // every key masked: 0 / 0 = NaN, as softmax gives
    T* orow = out + b * a.o_b + h * a.o_h + qi[r] * a.o_s + tig * 2;
#pragma unroll
    for (int d = 0; d < kD / 8; ++d) {
      *reinterpret_cast<uint32_t*>(orow + d * 8) =
          pack<T>(o[d][2 * r] * inv, o[d][2 * r + 1] * inv);
    }
  }
}

// The kernel for a depth, its shared-memory limit raised once (above the default 48 KiB).
template <typename T, int kD>
auto kernel_for() {
  static const bool raised = [] {
    const cudaError_t e =
        cudaFuncSetAttribute(attention_kernel<T, kD>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                             static_cast<int>(smem_bytes<kD>()));
    if (e != cudaSuccess)
      throw Error(ErrorCode::kInternal, std::string("attention kernel: shared memory of ") +
                                            std::to_string(smem_bytes<kD>()) +
                                            " bytes refused: " + cudaGetErrorString(e));
    return true;
  }();
  (void)raised;
  return attention_kernel<T, kD>;
}

template <typename T, typename F>
void dispatch_depth(int depth, F&& f) {
  switch (depth) {
    case 16:
      return f(kernel_for<T, 16>(), smem_bytes<16>());
    case 32:
      return f(kernel_for<T, 32>(), smem_bytes<32>());
    case 64:
      return f(kernel_for<T, 64>(), smem_bytes<64>());
    case 128:
      return f(kernel_for<T, 128>(), smem_bytes<128>());
    default:
      throw Error(ErrorCode::kUnimplemented,
                  "the fused attention kernel takes depths 16, 32, 64 and 128, not " +
                      std::to_string(depth));
  }
}

}  // namespace

void launch_attention(DType t, const void* q, const void* k, const void* v, void* out,
                      const AttentionArgs& a, void* stream) {
  if (a.batch * a.heads * a.q_len == 0) return;
  if (a.depth != a.v_depth)
    throw Error(ErrorCode::kUnimplemented, "the fused attention kernel needs depth == v_depth");
  const int64_t q_tiles = (a.q_len + kRows - 1) / kRows;
  dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, float>) {
      throw Error(ErrorCode::kUnimplemented, "the fused attention kernel takes float16 / bfloat16");
    } else {
      dispatch_depth<T>(a.depth, [&](auto kernel, size_t smem) {
        kernel<<<static_cast<unsigned>(a.batch * a.heads * q_tiles), kWarps * 32, smem,
                 as_stream(stream)>>>(static_cast<const T*>(q), static_cast<const T*>(k),
                                      static_cast<const T*>(v), static_cast<T*>(out), a, q_tiles);
      });
    }
  });
  check_launch("attention");
}

}  // namespace aamp::cuda
