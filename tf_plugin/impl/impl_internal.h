// Functions of the implementation library behind its C table (impl_entry.cc).
#pragma once

#include <cstddef>

#include "aamp/api/config.h"
#include "aamp_tf_impl.h"

namespace aamp::tfplugin {

// AAMP_CONFIG_JSON (the Python set_config) > ITEX_*/AAMP_* environment; throws Error.
AmpConfig effective_config();
int config_state(AampTfConfigState* state, char** error);
void optimize(const char* graph, size_t size, const char* const* preserve, int n_preserve,
              const char* label, const AampTfCallbacks* cb, AampTfOptimizeResult* out);

void* kernel_create(const char* node_def, size_t size, char** error);
int kernel_compute(void* kernel, const AampTfTensor* inputs, int n_inputs, AampTfAllocFn alloc,
                   void* alloc_ctx, char** error);
void kernel_delete(void* kernel);

}  // namespace aamp::tfplugin
