// TF_InitGraph: aamp's graph optimizer for TensorFlow's "CPU" device (adapter side).
//
// TensorFlow calls optimize_func after its own passes for every graph and function body placed
// on the CPU. Unless the config asks for aamp (AAMP_CONFIG_JSON from the Python set_config, or an
// ITEX_/AAMP_ AUTO_MIXED_PRECISION / REMAPPER variable), the call hands the graph back unchanged
// without loading aamp. Otherwise the implementation rewrites the serialized GraphDef; any
// failure there returns the original graph with one warning. Nothing here may throw into
// TensorFlow or abort.
#include <tensorflow/c/c_api.h>
#include <tensorflow/c/experimental/grappler/grappler.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "adapter/adapter.h"

namespace aamp_tf {

namespace {

std::vector<std::string> node_list(const TF_GrapplerItem* item, bool fetch) {
  std::vector<std::string> out;
  TF_Status* s = TF_NewStatus();
  int n = 0;
  size_t storage = 0;
  if (fetch)
    TF_GetFetchNodesListSize(item, &n, &storage, s);
  else
    TF_GetNodesToPreserveListSize(item, &n, &storage, s);
  if (TF_GetCode(s) == TF_OK && n > 0) {
    std::vector<char*> values(static_cast<size_t>(n));
    std::vector<size_t> lengths(static_cast<size_t>(n));
    std::vector<char> buf(storage + 1);
    if (fetch)
      TF_GetFetchNodesList(item, values.data(), lengths.data(), n, buf.data(), storage, s);
    else
      TF_GetNodesToPreserveList(item, values.data(), lengths.data(), n, buf.data(), storage, s);
    if (TF_GetCode(s) == TF_OK)
      for (int i = 0; i < n; ++i) out.emplace_back(values[i], lengths[i]);
  }
  TF_DeleteStatus(s);
  return out;
}

void free_bytes(void* data, size_t) { std::free(data); }

void set_output(TF_Buffer* out, const void* data, size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (!p) return;
  if (size) std::memcpy(p, data, size);
  out->data = p;
  out->length = size;
  out->data_deallocator = free_bytes;
}

// What the implementation asks TensorFlow during one call.
struct CallContext {
  const TF_Buffer* graph = nullptr;
  TF_FunctionLibraryDefinition* lib = nullptr;
  ~CallContext() {
    if (lib) TF_DeleteFunctionLibraryDefinition(lib);
  }
};

int cb_has_kernel(void*, const char* op, const char* attr, int dtype) {
  return tf_has_cpu_kernel(op, attr, dtype) ? 1 : 0;
}

int cb_lookup_op_def(void* ctx, const char* op, char** data, size_t* size) {
  auto* c = static_cast<CallContext*>(ctx);
  TF_Status* s = TF_NewStatus();
  if (!c->lib) c->lib = TF_NewFunctionLibraryDefinition(c->graph, s);
  int found = 0;
  if (c->lib && TF_GetCode(s) == TF_OK) {
    TF_Buffer* b = TF_NewBuffer();
    TF_LookUpOpDef(c->lib, op, b, s);
    if (TF_GetCode(s) == TF_OK && b->data) {
      *data = static_cast<char*>(std::malloc(b->length ? b->length : 1));
      if (*data) {
        std::memcpy(*data, b->data, b->length);
        *size = b->length;
        found = 1;
      }
    }
    TF_DeleteBuffer(b);
  }
  TF_DeleteStatus(s);
  return found;
}

// TensorFlow's meta-optimizer takes ABORTED from an optimizer as "returned without changing the
// graph": it keeps its own graph, logs nothing, and no copy of a possibly large GraphDef is made
// (measured on TF 2.21: outputs bit-identical, no log line even at TF_CPP_MIN_LOG_LEVEL=0).
constexpr const char* kUnchanged = "aamp: graph unchanged";

void optimize(void*, const TF_Buffer* graph, const TF_GrapplerItem* item, TF_Buffer* out,
              TF_Status* status) {
  TF_SetStatus(status, TF_OK, "");
  try {
    if (env_is_off("AAMP_TF_PLUGIN") || !config_asks_anything()) {
      TF_SetStatus(status, TF_ABORTED, kUnchanged);
      return;
    }
    const AampTfImpl* t = impl();
    if (!t) {
      TF_SetStatus(status, TF_ABORTED, kUnchanged);
      return;
    }
    std::vector<std::string> keep = node_list(item, true);
    for (auto& n : node_list(item, false)) keep.push_back(std::move(n));
    std::vector<const char*> keep_c;
    for (const auto& n : keep) keep_c.push_back(n.c_str());
    CallContext ctx;
    ctx.graph = graph;
    AampTfCallbacks cb{&ctx, cb_has_kernel, cb_lookup_op_def};
    const std::string label = keep.empty() ? "graph" : keep.front();
    AampTfOptimizeResult r{};
    const auto t0 = std::chrono::steady_clock::now();
    t->optimize(static_cast<const char*>(graph->data), graph->length, keep_c.data(),
                static_cast<int>(keep_c.size()), label.c_str(), &cb, &r);
    if (r.warnings) {
      std::string w = r.warnings;
      size_t start = 0;
      while (start <= w.size()) {
        size_t end = w.find('\n', start);
        if (end == std::string::npos) end = w.size();
        if (end > start) warn_once(w.substr(start, end - start));
        start = end + 1;
      }
    }
    // AAMP_TF_VERBOSE=1: a line per rewritten graph; =2: per graph TensorFlow hands over, with
    // the time aamp took (tf.data builds one per iterator: a slow one shows here).
    const char* verbose = std::getenv("AAMP_TF_VERBOSE");
    if (verbose && !env_is_off("AAMP_TF_VERBOSE") && (r.summary || std::atoi(verbose) >= 2)) {
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "aamp: graph '%s' (%zu bytes, %.1f ms): %s\n", label.c_str(),
                   graph->length, ms, r.summary ? r.summary : "unchanged");
    }
    if (r.rewritten)
      set_output(out, r.graph, r.graph_size);
    else
      TF_SetStatus(status, TF_ABORTED, kUnchanged);
    t->free_result(&r);
  } catch (const std::exception& e) {
    warn_once(std::string("optimizer failed: ") + e.what() + "; graph left unchanged");
    if (!out->data) set_output(out, graph->data, graph->length);
  } catch (...) {
    if (!out->data) set_output(out, graph->data, graph->length);
  }
}

}  // namespace

}  // namespace aamp_tf

extern "C" __attribute__((visibility("default"))) void TF_InitGraph(
    TP_OptimizerRegistrationParams* params, TF_Status* status) {
  using namespace aamp_tf;
  TF_SetStatus(status, TF_OK, "");
  params->struct_size = TP_OPTIMIZER_REGISTRATION_PARAMS_STRUCT_SIZE;
  params->device_type = "CPU";
  params->optimizer_configs->struct_size = TP_OPTIMIZER_CONFIGS_STRUCT_SIZE;
  params->optimizer->struct_size = TP_OPTIMIZER_STRUCT_SIZE;
  params->optimizer->optimize_func = optimize;
  if (env_is_off("AAMP_TF_PLUGIN") || !config_asks_anything()) return;
  // Asked at import time: TensorFlow's own AMP and remapper make way for aamp's (ITEX does the
  // same). A config set later through set_config() switches them off through
  // tf.config.optimizer.set_experimental_options (python/aamp/config.py).
  const AampTfImpl* t = impl();
  if (!t) return;
  AampTfConfigState st{};
  char* error = nullptr;
  if (t->config_state(&st, &error) != 0) {
    warn_once(error ? error : "aamp: bad configuration");
    t->free_string(error);
    return;
  }
  TP_OptimizerConfigs* c = params->optimizer_configs;
  if (st.amp_on) {
    c->auto_mixed_precision = TF_TriState_Off;
    c->auto_mixed_precision_onednn_bfloat16 = TF_TriState_Off;
    c->auto_mixed_precision_mkl = TF_TriState_Off;
  }
  if (st.remapper_on) c->remapping = TF_TriState_Off;
}
