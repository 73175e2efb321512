// What the host CPU computes natively: decides whether float16 graphs may run on the CPU
// (runtime) and whether bfloat16 conversion is worth a warning (optimize()).
#pragma once

namespace aamp {

// Native FP16 arithmetic (AVX512-FP16).
bool cpu_has_native_fp16();
// Native BF16 arithmetic (AVX512_BF16 or AMX-BF16).
bool cpu_has_native_bf16();
// The CPU features for which TensorFlow (2.9 and later) turns its oneDNN ops on by default:
// AVX512_VNNI, AVX512_BF16, AVX_VNNI or AMX.
bool cpu_has_tf_onednn_features();
// Whether TensorFlow runs its CPU ops through oneDNN in this process: TF_ENABLE_ONEDNN_OPTS
// decides when set ("1" / "true" on, anything else off); else cpu_has_tf_onednn_features().
bool tf_runs_onednn();

}  // namespace aamp
