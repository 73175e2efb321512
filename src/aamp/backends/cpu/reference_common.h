// Shared helpers of the reference CPU kernels (backends/cpu/reference_*.cc): compute types,
// broadcasting index math, registration.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "aamp/backends/cpu/cpu_clones.h"
#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"
#include "aamp/runtime/kernel.h"
#include "aamp/runtime/thread_pool.h"

namespace aamp::ref {

// 16-bit floats compute in float32; everything else in its own type.
template <typename T>
constexpr bool kLowFloat = std::is_same_v<T, bfloat16> || std::is_same_v<T, float16>;
template <typename T>
using compute_t = std::conditional_t<kLowFloat<T>, float, T>;

template <typename T>
inline compute_t<T> ld(T v) {
  if constexpr (kLowFloat<T>)
    return as_float(v);
  else
    return v;
}
template <typename T, typename C>
inline T st(C v) {
  if constexpr (kLowFloat<T>)
    return from_float<T>(static_cast<float>(v));
  else
    return static_cast<T>(v);
}

// float32 -> bfloat16 over an array, rounding to nearest even with NaN kept quiet. On CPUs with
// AVX512_BF16 it is the CPU's conversion instruction, which also flushes subnormal float32
// values to +-0 (as oneDNN's bfloat16 kernels do); elsewhere from_float's bit arithmetic,
// compiled for AVX-512 / AVX2 where the CPU has them (cpu_clones.h).
void narrow_to_bf16(const float* in, bfloat16* out, int64_t n);

// dst[j] = g(j) for j in [0, n), rounded to O: the element-wise kernels' inner loop, compiled
// with g inlined for AVX-512 / AVX2 where the CPU has them (cpu_clones.h); bfloat16 results go
// through a float32 block and narrow_to_bf16. In the baseline ISA (SSE2) the float32 math ran 4
// lanes wide and bfloat16's rounding took ~50 instructions per 8 elements: bfloat16 kernels were
// 2-6x slower than float32 ones (bench/bench_elementwise).
template <typename O, typename G>
AAMP_CPU_CLONES AAMP_CPU_FLATTEN void store_each(O* dst, int64_t n, G g) {
  if constexpr (std::is_same_v<O, bfloat16>) {
    constexpr int64_t kBlock = 512;
    float tmp[kBlock];
    for (int64_t j0 = 0; j0 < n; j0 += kBlock) {
      const int64_t m = n - j0 < kBlock ? n - j0 : kBlock;
      for (int64_t j = 0; j < m; ++j) tmp[j] = static_cast<float>(g(j0 + j));
      narrow_to_bf16(tmp, dst + j0, m);
    }
  } else {
    for (int64_t j = 0; j < n; ++j) dst[j] = st<O>(g(j));
  }
}

// Any dtype a runtime tensor can hold (numeric and bool).
template <typename F>
decltype(auto) dispatch_all(DType t, F&& f) {
  return dispatch_numeric(t, std::forward<F>(f));
}

// Dtype lists for registrations.
const std::vector<DType>& float_types();    // float32, bfloat16, float16, float64
const std::vector<DType>& numeric_types();  // floats + int32/int64/uint8/int8/int16/uint16
const std::vector<DType>& all_types();      // numeric + bool

// Registers a priority-0 "reference" CPU kernel.
void add_ref(const std::string& op, const std::vector<DType>& dtypes, KernelFactory f);

// Row-major strides.
std::vector<int64_t> strides_of(const std::vector<int64_t>& shape);

// Broadcasting of several inputs to an output shape, iterated row by row (a row = the output's
// last dim). For each input: its strides aligned to the output (0 on broadcast dims).
class Broadcaster {
 public:
  Broadcaster(const std::vector<int64_t>& out, const std::vector<std::vector<int64_t>>& ins);
  int64_t rows() const { return rows_; }
  int64_t inner() const { return inner_; }
  // Input k's stride along the last output dim.
  int64_t inner_stride(size_t k) const { return inner_stride_[k]; }
  // Offsets of every input at the start of `row`.
  void row_offsets(int64_t row, int64_t* offs) const;

 private:
  std::vector<int64_t> outer_dims_;
  std::vector<std::vector<int64_t>> strides_;  // per input, per outer dim
  std::vector<int64_t> inner_stride_;
  int64_t rows_ = 1, inner_ = 1;
};

// Reads a small integer tensor (axes, shapes) from a view.
std::vector<int64_t> read_ints(const TensorView& v);
// Same from the plan-time constant of input i; throws naming the node when not constant.
std::vector<int64_t> const_ints(const KernelInit& init, int i);

// Copies input i to output i for every output: the kernel of every alias op (ops/registry.h's
// alias trait) when it runs as a kernel, e.g. in constant folding.
class CopyKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override;
};

}  // namespace aamp::ref
