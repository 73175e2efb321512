// What the host CPU computes natively: decides whether float16 graphs may run on the CPU
// (runtime) and whether bfloat16 conversion is worth a warning (optimize()).
#pragma once

namespace aamp {

// Native FP16 arithmetic (AVX512-FP16).
bool cpu_has_native_fp16();
// Native BF16 arithmetic (AVX512_BF16 or AMX-BF16).
bool cpu_has_native_bf16();

}  // namespace aamp
