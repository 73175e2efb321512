// The C interface between libaamp_tf.so (the adapter TensorFlow loads) and
// libaamp_tf_impl.so (aamp's api layer with its own protobuf), see docs/tf-plugin.md.
//
// The adapter links TensorFlow and nothing of aamp; the implementation links aamp and nothing of
// TensorFlow. The adapter dlopen()s the implementation with RTLD_LOCAL | RTLD_DEEPBIND, so the
// implementation's protobuf references bind to Debian's libprotobuf, never to TensorFlow's copy
// already in the process's global scope. Everything crossing this boundary is plain C: bytes,
// integers and function pointers. Dtypes are TensorFlow's TF_DataType numbers.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AAMP_TF_IMPL_ABI 1
#define AAMP_TF_MAX_RANK 8

// What the implementation asks TensorFlow through the adapter during one optimize call.
typedef struct AampTfCallbacks {
  void* ctx;
  // 1 when TensorFlow has a CPU kernel for `op` whose constraint on `attr` allows `dtype` (or
  // that does not constrain `attr`); 0 otherwise. `op` is TensorFlow's op name.
  int (*has_kernel)(void* ctx, const char* op, const char* attr, int dtype);
  // The serialized OpDef of an op in TensorFlow's registry (or the graph's library) into a
  // malloc()ed buffer the caller free()s; 0 when TensorFlow does not know the op.
  int (*lookup_op_def)(void* ctx, const char* op, char** data, size_t* size);
} AampTfCallbacks;

typedef struct AampTfOptimizeResult {
  int rewritten;      // 1: `graph` holds the new GraphDef; 0: keep the input graph
  char* graph;        // serialized GraphDef (impl-allocated, release with free_result)
  size_t graph_size;
  char* summary;      // one line ("Converted N/M nodes ..."), or NULL
  char* warnings;     // '\n'-separated warnings for the user, or NULL
} AampTfOptimizeResult;

// What optimize and the init-time query decide from the effective config (API > env > defaults).
typedef struct AampTfConfigState {
  int plugin_off;   // AAMP_TF_PLUGIN=0
  int amp_on;       // auto_mixed_precision on (default off in TensorFlow)
  int remapper_on;  // aamp's remapper (default: on when AMP is on, else off)
} AampTfConfigState;

typedef struct AampTfTensor {
  int dtype;
  int rank;
  int64_t dims[AAMP_TF_MAX_RANK];
  void* data;
} AampTfTensor;

// Allocates output `index` in TensorFlow's memory; returns its data pointer or NULL (then the
// adapter has set the kernel's failure).
typedef void* (*AampTfAllocFn)(void* ctx, int index, const AampTfTensor* desc);

typedef struct AampTfImpl {
  int abi_version;
  // Returns 0 and fills *state, or 1 with *error (free with free_string) for a bad config.
  int (*config_state)(AampTfConfigState* state, char** error);
  // Optimizes one serialized GraphDef. Never throws; on internal failure rewritten = 0 and the
  // warning names the pass. `label` names the graph in log file names.
  void (*optimize)(const char* graph, size_t size, const char* const* preserve, int n_preserve,
                   const char* label, const AampTfCallbacks* cb, AampTfOptimizeResult* out);
  void (*free_result)(AampTfOptimizeResult* r);
  void (*free_string)(char* s);
  // aamp's fused ops registered with TensorFlow: their TensorFlow names, NULL-terminated.
  const char* const* (*fused_op_names)(void);
  // Creates a kernel from the node's serialized NodeDef (TensorFlow op name); NULL + *error.
  void* (*kernel_create)(const char* node_def, size_t size, char** error);
  // Runs it: inputs in TensorFlow's memory, outputs allocated through `alloc`. 0 ok, else 1 and
  // *error naming the node.
  int (*kernel_compute)(void* kernel, const AampTfTensor* inputs, int n_inputs, AampTfAllocFn alloc,
                        void* alloc_ctx, char** error);
  void (*kernel_delete)(void* kernel);
} AampTfImpl;

// The one symbol the implementation library exports.
const AampTfImpl* aamp_tf_impl_get(void);
typedef const AampTfImpl* (*AampTfImplGetFn)(void);

#ifdef __cplusplus
}  // extern "C"
#endif
