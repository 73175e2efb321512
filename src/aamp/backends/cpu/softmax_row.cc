#include "aamp/backends/cpu/softmax_row.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "aamp/backends/cpu/cpu_clones.h"

namespace aamp::cpu {

namespace {

// e^x for softmax, written so that the compiler vectorizes it (libm's expf is a call per
// element): 2^n * 2^f with n = round(x log2 e), |f| <= 1/2, 2^f by its Taylor series to degree 7
// (truncation error < 1e-8 relative, below float32 rounding). x is clamped to [-87, 88], so the
// result stays a normal float; softmax only needs e^x for x <= 0, where that is < 2e-38.
inline float exp_for_softmax(float x) {
  x = x < -87.0f ? -87.0f : x;  // value selects (std::min/max's references kept the loop scalar)
  x = x > 88.0f ? 88.0f : x;
  const float t = x * 1.44269504088896341f;
  // Round to nearest by adding and subtracting 1.5 * 2^23 (plain float adds: vectorizes on the
  // baseline ISA, where floor/nearbyint are library calls).
  const float n = (t + 12582912.0f) - 12582912.0f;
  const float f = (t - n) * 0.693147180559945309f;  // = (x - n ln2), |f| <= ln2 / 2
  float p = 1.0f / 5040.0f;
  p = p * f + 1.0f / 720.0f;
  p = p * f + 1.0f / 120.0f;
  p = p * f + 1.0f / 24.0f;
  p = p * f + 1.0f / 6.0f;
  p = p * f + 0.5f;
  p = p * f + 1.0f;
  p = p * f + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

}  // namespace

// s[0..n) = softmax(s[0..n)) in float32 (_AampFusedAddSoftmax's rows, _AampFusedAttention's
// scores): max and sum in 16 lanes (without -ffast-math a float reduction in one variable keeps a
// loop scalar), the exp vectorized, no subnormal results.
AAMP_CPU_CLONES void softmax_in_place(float* s, int64_t n) {
  // 16 lanes as one GCC vector value (an AVX-512 register, two AVX2 ones): the max and the sum
  // stay in registers, reduced across lanes once.
  constexpr int kLanes = 16;
  typedef float Vec __attribute__((vector_size(kLanes * sizeof(float))));
  Vec vm;
  for (int l = 0; l < kLanes; ++l) vm[l] = -INFINITY;
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    Vec x;
    std::memcpy(&x, s + j, sizeof x);
    vm = x > vm ? x : vm;
  }
  float mx = -INFINITY;
  for (; j < n; ++j) mx = s[j] > mx ? s[j] : mx;
  for (int l = 0; l < kLanes; ++l) mx = vm[l] > mx ? vm[l] : mx;
  // Below e^-80 a probability is 0: exp_for_softmax's clamp would leave e^-87, which times
  // 1 / sum becomes a subnormal float, and every multiply with one stalls the FPU (masked keys
  // made BERT's attention up to 5x slower). The sum is taken in the same pass.
  Vec vs = {};
  for (j = 0; j + kLanes <= n; j += kLanes) {
    float e[kLanes];
    for (int l = 0; l < kLanes; ++l) {
      const float x = s[j + l] - mx;
      e[l] = x < -80.0f ? 0.0f : exp_for_softmax(x);
    }
    Vec ev;
    std::memcpy(&ev, e, sizeof ev);
    vs += ev;
    std::memcpy(s + j, e, sizeof e);
  }
  float sum = 0.0f;
  for (; j < n; ++j) {
    const float x = s[j] - mx;
    sum += s[j] = x < -80.0f ? 0.0f : exp_for_softmax(x);
  }
  for (int l = 0; l < kLanes; ++l) sum += vs[l];
  const float inv = 1.0f / sum;
  for (j = 0; j < n; ++j) s[j] *= inv;
}

}  // namespace aamp::cpu
