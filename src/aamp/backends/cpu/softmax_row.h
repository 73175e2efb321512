// The float32 softmax row of aamp's CPU kernels (_AampFusedAddSoftmax, all three
// _AampFusedAttention kernels): vectorized, compiled for AVX-512, AVX2 and baseline x86-64
// (cpu_clones.h), no subnormal results.
#pragma once

#include <cstdint>

namespace aamp::cpu {

// s[0..n) = softmax(s[0..n)) in place; probabilities below e^-80 are 0.
void softmax_in_place(float* s, int64_t n);

}  // namespace aamp::cpu
