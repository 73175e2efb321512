// Shared helpers of the reference CPU kernels (backends/cpu/reference_*.cc): compute types,
// broadcasting index math, registration.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

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
