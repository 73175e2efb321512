// The implementation library's one exported symbol: the C function table of aamp_tf_impl.h.
#include <cstdlib>
#include <vector>

#include "aamp_tf_impl.h"
#include "impl/impl_internal.h"
#include "impl/impl_ops.h"

namespace {

void free_result(AampTfOptimizeResult* r) {
  if (!r) return;
  std::free(r->graph);
  std::free(r->summary);
  std::free(r->warnings);
  *r = AampTfOptimizeResult{};
}

void free_string(char* s) { std::free(s); }

const char* const* fused_op_names() {
  static const std::vector<const char*> names = [] {
    std::vector<const char*> v;
    for (const auto& n : aamp::tfplugin::fused_op_tf_names()) v.push_back(n.c_str());
    v.push_back(nullptr);
    return v;
  }();
  return names.data();
}

const AampTfImpl kImpl = {
    AAMP_TF_IMPL_ABI,
    aamp::tfplugin::config_state,
    aamp::tfplugin::optimize,
    free_result,
    free_string,
    fused_op_names,
    aamp::tfplugin::kernel_create,
    aamp::tfplugin::kernel_compute,
    aamp::tfplugin::kernel_delete,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const AampTfImpl* aamp_tf_impl_get(void) {
  return &kImpl;
}
