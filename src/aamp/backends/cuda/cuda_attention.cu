// The fused attention kernel (cuda_kernels.h: launch_attention), flash-style on mma.sync
// (m16n8k16, float32 accumulators). One block of 4 warps takes 64 query rows of one (batch,
// head), each warp 16 rows whose q fragments stay in registers. Per tile of 64 keys: k and v (v
// transposed) come into shared memory; each warp computes its 16x64 scores in registers, applies
// scale and mask, keeps each row's running max and sum (the 4 lanes of a quad share a row),
// rescales its output accumulators and multiplies the probabilities, reused in registers as the
// A operand, by v. The [Sq,Sk] scores never leave the SM. Fragment layouts: PTX ISA, "Matrix
// Fragments for mma.m16n8k16" (row = lane / 4 and + 8, column pair = 2 * (lane % 4)).
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

// Two values as one register, the first in the low half; `rounded` gets them back as floats.
template <typename T>
__device__ __forceinline__ uint32_t pack(float lo, float hi, float* rounded) {
  T v[2] = {st<T>(lo), st<T>(hi)};
  rounded[0] = ld(v[0]);
  rounded[1] = ld(v[1]);
  uint32_t r;
  memcpy(&r, v, sizeof r);
  return r;
}

template <typename T>
__device__ __forceinline__ uint32_t ld32(const T* p) {
  return *reinterpret_cast<const uint32_t*>(p);
}

// rows x kD from global (row stride `stride`) into shared (row stride kD + kPad), zeros for rows
// >= valid; 16-byte moves. kTransposed: stored as shared[col * (rows + kPad) + row].
template <typename T, int kD, bool kTransposed>
__device__ __forceinline__ void load_tile(T* dst, const T* src, int64_t stride, int rows,
                                          int64_t valid) {
  constexpr int kVecs = kD / 8;
  for (int i = threadIdx.x; i < rows * kVecs; i += blockDim.x) {
    const int r = i / kVecs, c = (i % kVecs) * 8;
    uint4 val = make_uint4(0, 0, 0, 0);
    if (r < valid) val = *reinterpret_cast<const uint4*>(src + r * stride + c);
    if constexpr (kTransposed) {
      const T* e = reinterpret_cast<const T*>(&val);
#pragma unroll
      for (int j = 0; j < 8; ++j) dst[(c + j) * (rows + kPad) + r] = e[j];
    } else {
      *reinterpret_cast<uint4*>(dst + r * (kD + kPad) + c) = val;
    }
  }
}

template <typename T, int kD>
__global__ void __launch_bounds__(kWarps * 32)
    attention_kernel(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                     T* __restrict__ out, AttentionArgs a, int64_t q_tiles) {
  __shared__ __align__(16) T ks[kKeys * (kD + kPad)];  // k tile (q tile at the start)
  __shared__ __align__(16) T vt[kD * (kKeys + kPad)];  // v tile, transposed
  constexpr int kLd = kD + kPad, kLdv = kKeys + kPad;

  const int64_t tile = blockIdx.x % q_tiles, bh = blockIdx.x / q_tiles;
  const int64_t b = bh / a.heads, h = bh % a.heads;
  const int64_t q0 = tile * kRows;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int g = lane / 4, tig = lane % 4;  // fragment row and column pair

  // This warp's q rows as A fragments, through shared memory.
  load_tile<T, kD, false>(ks, q + b * a.q_b + h * a.q_h + q0 * a.q_s, a.q_s, kRows,
                          a.q_len - q0);
  __syncthreads();
  uint32_t qa[kD / 16][4];
  {
    const T* r0 = ks + (warp * 16 + g) * kLd + tig * 2;
#pragma unroll
    for (int kk = 0; kk < kD / 16; ++kk) {
      qa[kk][0] = ld32(r0 + kk * 16);
      qa[kk][1] = ld32(r0 + 8 * kLd + kk * 16);
      qa[kk][2] = ld32(r0 + kk * 16 + 8);
      qa[kk][3] = ld32(r0 + 8 * kLd + kk * 16 + 8);
    }
  }

  // Rows g and g + 8 of this warp: query indices, mask rows, running max and (partial) sum.
  int64_t qi[2] = {q0 + warp * 16 + g, q0 + warp * 16 + g + 8};
  const T* mrow[2] = {nullptr, nullptr};
  if (a.mask)
    for (int r = 0; r < 2; ++r)
      mrow[r] = static_cast<const T*>(a.mask) + b * a.m_b + h * a.m_h +
                (qi[r] < a.q_len ? qi[r] : 0) * a.m_q;
  float m_run[2] = {-INFINITY, -INFINITY}, l_run[2] = {0.0f, 0.0f};
  float o[kD / 8][4];
#pragma unroll
  for (int d = 0; d < kD / 8; ++d) o[d][0] = o[d][1] = o[d][2] = o[d][3] = 0.0f;

  for (int64_t k0 = 0; k0 < a.kv_len; k0 += kKeys) {
    __syncthreads();  // q fragments read / the previous tile consumed
    load_tile<T, kD, false>(ks, k + b * a.k_b + h * a.k_h + k0 * a.k_s, a.k_s, kKeys,
                            a.kv_len - k0);
    load_tile<T, kD, true>(vt, v + b * a.v_b + h * a.v_h + k0 * a.v_s, a.v_s, kKeys,
                           a.kv_len - k0);
    __syncthreads();

    // Scores of 8 key columns per n-tile: s[n][0..1] row g, s[n][2..3] row g + 8.
    float s[kKeys / 8][4];
#pragma unroll
    for (int n = 0; n < kKeys / 8; ++n) {
      s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.0f;
      const T* kr = ks + (n * 8 + g) * kLd + tig * 2;
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
        const int r = e / 2;
        const int64_t key = k0 + n * 8 + tig * 2 + (e & 1);
        float x = -INFINITY;
        if (key < a.kv_len) {
          x = s[n][e] * a.scale;
          if (mrow[r]) x += ld(mrow[r][key * a.m_k]);
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
    // P (rounded to T, as the unfused softmax writes it) times v, 16 keys per step.
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
#pragma unroll
      for (int d = 0; d < kD / 8; ++d) {
        const T* vr = vt + (d * 8 + g) * kLdv + j * 16 + tig * 2;
        const uint32_t bf[2] = {ld32(vr), ld32(vr + 8)};
        mma<T>(o[d], pa, bf);
      }
    }
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
      float unused[2];
      *reinterpret_cast<uint32_t*>(orow + d * 8) =
          pack<T>(o[d][2 * r] * inv, o[d][2 * r + 1] * inv, unused);
    }
  }
}

template <typename T, typename F>
void dispatch_depth(int depth, F&& f) {
  switch (depth) {
    case 16:
      return f(attention_kernel<T, 16>);
    case 32:
      return f(attention_kernel<T, 32>);
    case 64:
      return f(attention_kernel<T, 64>);
    case 128:
      return f(attention_kernel<T, 128>);
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
      dispatch_depth<T>(a.depth, [&](auto kernel) {
        kernel<<<static_cast<unsigned>(a.batch * a.heads * q_tiles), kWarps * 32, 0,
                 as_stream(stream)>>>(static_cast<const T*>(q), static_cast<const T*>(k),
                                      static_cast<const T*>(v), static_cast<T*>(out), a, q_tiles);
      });
    }
  });
  check_launch("attention");
}

}  // namespace aamp::cuda
