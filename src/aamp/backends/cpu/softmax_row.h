// The float32 softmax row of aamp's CPU kernels (_AampFusedAddSoftmax, both _AampFusedAttention
// kernels): vectorized, compiled for AVX-512, AVX2 and baseline x86-64 (AAMP_CPU_CLONES: chosen
// when the program loads), no subnormal results.
#pragma once

#include <cstdint>

#if defined(__GNUC__) && defined(__x86_64__)
#define AAMP_CPU_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define AAMP_CPU_CLONES
#endif

namespace aamp::cpu {

// s[0..n) = softmax(s[0..n)) in place; probabilities below e^-80 are 0.
void softmax_in_place(float* s, int64_t n);

}  // namespace aamp::cpu
