#include "aamp/core/cpu_features.h"

#include <cstdlib>
#include <string>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace aamp {

bool cpu_has_native_fp16() {
#if defined(__x86_64__) && defined(__GNUC__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  // CPUID leaf 7 subleaf 0: EDX bit 23 = AVX512-FP16.
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (d & (1u << 23))) return true;
#endif
  return false;
}

bool cpu_has_native_bf16() {
#if defined(__x86_64__) && defined(__GNUC__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  // CPUID leaf 7: subleaf 1 EAX bit 5 = AVX512_BF16; subleaf 0 EDX bit 22 = AMX-BF16.
  if (__get_cpuid_count(7, 1, &a, &b, &c, &d) && (a & (1u << 5))) return true;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (d & (1u << 22))) return true;
#endif
  return false;
}

bool cpu_has_tf_onednn_features() {
#if defined(__x86_64__) && defined(__GNUC__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  // Leaf 7 subleaf 0: ECX bit 11 = AVX512_VNNI, EDX bits 22/24/25 = AMX-BF16/-TILE/-INT8;
  // subleaf 1: EAX bit 4 = AVX_VNNI.
  if (cpu_has_native_bf16()) return true;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) &&
      ((c & (1u << 11)) || (d & ((1u << 24) | (1u << 25)))))
    return true;
  if (__get_cpuid_count(7, 1, &a, &b, &c, &d) && (a & (1u << 4))) return true;
#endif
  return false;
}

bool tf_runs_onednn() {
  const char* e = std::getenv("TF_ENABLE_ONEDNN_OPTS");
  if (e && *e) {
    const std::string v = e;
    return v == "1" || v == "true" || v == "True";
  }
  return cpu_has_tf_onednn_features();
}

}  // namespace aamp
