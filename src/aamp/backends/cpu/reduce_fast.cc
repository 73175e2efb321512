// Sum and Mean on the CPU where the reduced axes are one contiguous run: the input viewed as
// [outer, reduce, inner] (a global average pool [N, H, W, C] -> [N, C], a mean over the last
// axis). float32 / float16 / bfloat16, accumulated in float32 over the reduced axis in order,
// so each output is the reference kernel's exact value; the output elements are split over the
// threads, and the inner axis is walked in vectors. Other axis sets (non-adjacent reduced axes)
// and other dtypes are refused and run on the reference kernel (reference_reduce.cc).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "aamp/backends/cpu/cpu_clones.h"
#include "aamp/backends/cpu/reference_common.h"
#include "aamp/ops/shape_inference.h"
#include "aamp/runtime/thread_pool.h"

namespace aamp::ref {
namespace {

// [outer, reduce, inner] of the input for the node's axes; ok is false when the axes are not
// constant or the reduced axes (those of size > 1) are not one contiguous run.
struct ReduceGeom {
  int64_t outer = 1, reduce = 1, inner = 1;
  bool ok = false;
};

ReduceGeom reduce_geom(const KernelInit& init) {
  ReduceGeom g;
  if (init.inputs.size() != 2 || init.const_inputs.size() != 2 || !init.const_inputs[1])
    return g;  // the axes must be known at plan time
  const auto& in = init.inputs[0].shape;
  std::vector<bool> red(in.size(), false);
  for (int64_t a : const_ints(init, 1))
    red[static_cast<size_t>(normalize_axis(a, static_cast<int64_t>(in.size()), init.node))] = true;
  int first = -1, last = -1;  // the reduced axes of size > 1
  for (size_t d = 0; d < in.size(); ++d)
    if (red[d] && in[d] != 1) {
      if (first < 0) first = static_cast<int>(d);
      last = static_cast<int>(d);
    }
  if (first < 0) return g;  // nothing reduced: a copy, left to the reference kernel
  for (int d = first; d <= last; ++d)
    if (!red[static_cast<size_t>(d)] && in[static_cast<size_t>(d)] != 1) return g;
  for (size_t d = 0; d < in.size(); ++d) {
    const int di = static_cast<int>(d);
    (di < first ? g.outer : di <= last ? g.reduce : g.inner) *= in[d];
  }
  g.ok = true;
  return g;
}

constexpr int64_t kChunk = 512;  // output elements accumulated at a time (on the stack)

// acc[0, len) += row[0, len) in float32 (vectorized per clone).
AAMP_CPU_CLONES void accumulate(float* acc, const float* row, int64_t len) {
  for (int64_t j = 0; j < len; ++j) acc[j] += row[j];
}
AAMP_CPU_CLONES void accumulate(float* acc, const bfloat16* row, int64_t len) {
  for (int64_t j = 0; j < len; ++j) acc[j] += bf16_bits_to_float(row[j].bits);
}
void accumulate(float* acc, const float16* row, int64_t len) {
  float tmp[kChunk];
  widen_to_float(DType::kHalf, row, tmp, len);
  accumulate(acc, tmp, len);
}

class ReduceFastKernel : public Kernel {
 public:
  ReduceFastKernel(const KernelInit& init, bool mean) : g_(reduce_geom(init)), mean_(mean) {}

  void run(KernelContext& ctx) override {
    dispatch_float(ctx.inputs[0].dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, double>)
        throw Error(ErrorCode::kInternal, "ReduceFastKernel: float64 is refused by supports()");
      else
        run_typed<T>(ctx.inputs[0].as<T>(), ctx.outputs[0].as<T>(), ctx.threads);
    });
  }

 private:
  template <typename T>
  void run_typed(const T* x, T* y, int threads) const {
    const int64_t outer = g_.outer, reduce = g_.reduce, inner = g_.inner;
    if (inner == 1) {  // one row per output: rows over the threads, each summed in order
      parallel_for(outer, 64, threads, [&](int64_t b, int64_t e) {
        float tmp[kChunk];
        for (int64_t o = b; o < e; ++o) {
          float a = 0.0f;
          for (int64_t r0 = 0; r0 < reduce; r0 += kChunk) {
            const int64_t len = std::min(kChunk, reduce - r0);
            std::fill(tmp, tmp + len, 0.0f);
            accumulate(tmp, x + o * reduce + r0, len);
            for (int64_t j = 0; j < len; ++j) a += tmp[j];
          }
          y[o] = st<T>(mean_ ? a / static_cast<float>(reduce) : a);
        }
      });
      return;
    }
    // Output elements (o, i) in blocks of the inner axis: each block adds its reduce rows in order.
    parallel_for(outer * inner, 64, threads, [&](int64_t b, int64_t e) {
      float acc[kChunk];
      for (int64_t s = b; s < e;) {
        const int64_t o = s / inner, i0 = s % inner;
        const int64_t len = std::min({e - s, inner - i0, kChunk});
        std::fill(acc, acc + len, 0.0f);
        const T* base = x + o * reduce * inner + i0;
        for (int64_t r = 0; r < reduce; ++r) accumulate(acc, base + r * inner, len);
        T* out = y + o * inner + i0;
        for (int64_t j = 0; j < len; ++j)
          out[j] = st<T>(mean_ ? acc[j] / static_cast<float>(reduce) : acc[j]);
        s += len;
      }
    });
  }

  ReduceGeom g_;
  bool mean_;
};

const bool kRegistered = register_kernels([] {
  for (const char* op : {"Sum", "Mean"}) {
    const bool mean = std::string(op) == "Mean";
    KernelRegistry::global().add(
        {op,
         DeviceKind::kCPU,
         {DType::kFloat, DType::kHalf, DType::kBFloat16},
         5,
         "vectorized",
         [mean](const KernelInit& i) { return std::make_unique<ReduceFastKernel>(i, mean); },
         [](const KernelInit& i) {
           return i.outputs.size() == 1 && i.inputs.size() == 2 &&
                  i.inputs[0].dtype == i.outputs[0].dtype && reduce_geom(i).ok;
         }});
  }
});

}  // namespace
}  // namespace aamp::ref
