// float32 -> bfloat16 over an array with AVX512_BF16's conversion instruction: round to nearest
// even and NaN kept quiet, as float_to_bf16_bits (dtype.h), except that subnormal float32
// values become +-0 (as in oneDNN's bfloat16 kernels). Header only, because the TensorFlow
// plugin's adapter uses it without linking aamp. Callers check
// cpu_has_avx512_bf16_convert() first.
#pragma once

#include <cstdint>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define AAMP_HAVE_AVX512_BF16_CONVERT 1

namespace aamp {

inline bool cpu_has_avx512_bf16_convert() {
  static const bool has = __builtin_cpu_supports("avx512bf16");
  return has;
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"))) inline void narrow_bf16_avx512(
    const float* in, uint16_t* out, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256bh v = _mm512_cvtneps_pbh(_mm512_loadu_ps(in + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), reinterpret_cast<const __m256i&>(v));
  }
  if (i < n) {
    const auto m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    const __m256bh v = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, in + i));
    _mm256_mask_storeu_epi16(out + i, m, reinterpret_cast<const __m256i&>(v));
  }
}

}  // namespace aamp
#endif
