// libaamp_tf.so, the library TensorFlow loads (adapter side; see docs/tf-plugin.md). It links
// TensorFlow's C API and nothing of aamp: aamp's implementation (with its own protobuf) is
// loaded on first use from libaamp_tf_impl.so next to this library, with RTLD_LOCAL |
// RTLD_DEEPBIND so that none of its symbols bind to TensorFlow's copies.
#pragma once

#include <string>

#include "aamp_tf_impl.h"

struct TF_KernelBuilder;  // tensorflow/c/kernels.h

namespace aamp_tf {

// The implementation's table, loaded on first call; nullptr (with one warning on stderr) when it
// cannot be loaded.
const AampTfImpl* impl();
// Prints "aamp: <msg>" on stderr once per distinct message.
void warn_once(const std::string& msg);
// The same for information asked for with AAMP_TF_VERBOSE=1.
inline void note_once(const std::string& msg) { warn_once(msg); }
// Whether an environment switch is set to 0/false/off/no (true) or not (false).
bool env_is_off(const char* name);
// Whether the config asks for anything (AAMP_CONFIG_JSON, or an AMP / remapper env variable);
// when not, the plugin does nothing and never loads the implementation.
bool config_asks_anything();

// The kernel builder of _AampCachedCast (cached_cast.cc): TF_InitKernel registers it in place of
// the implementation's generic kernel.
::TF_KernelBuilder* cached_cast_kernel_builder(const char* op);

// TensorFlow CPU kernel availability from TF_GetRegisteredKernelsForOp, cached per op.
bool tf_has_cpu_kernel(const std::string& op, const std::string& attr, int dtype);

}  // namespace aamp_tf
