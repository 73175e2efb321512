// TF_InitKernel: aamp's fused ops as TensorFlow ops with CPU kernels (adapter side).
//
// The remapper emits them (aamp names "LayerNorm", ... ; TensorFlow names "_AampLayerNorm", ...:
// tf_plugin/impl/impl_ops.h). Ops are declared here from a static table generated at build time
// from aamp's op records (gen_op_table.cc: no aamp code runs at `import tensorflow`); a kernel
// loads the implementation on construction, which runs aamp's own CPU kernel for the dtype on
// TensorFlow's buffers. Shape functions follow the records' traits: input 0's shape for the
// same-shape ops, a broadcast of the inputs for _AampFusedAddSoftmax, unknown otherwise
// (_AampFusedBatchMatMulV2: TensorFlow's shape inference of the graph around it is not needed
// once the graph is optimized).
#include <tensorflow/c/kernels.h>
#include <tensorflow/c/ops.h>
#include <tensorflow/c/tf_tensor.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "adapter/adapter.h"

namespace aamp_tf {

namespace {

enum class ShapeFn { kInput0, kBroadcast, kUnknown };

struct OpSpec {
  const char* name;
  std::vector<const char*> inputs, outputs, attrs;
  std::vector<TF_DataType> kernel_dtypes;  // the allowed types of "T"
  ShapeFn shape;
};

const std::vector<OpSpec>& op_specs() {
  static const std::vector<OpSpec> specs = {
#include "aamp_tf_op_table.inc"
  };
  return specs;
}

void same_shape_fn(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* h = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, 0, h, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 0, h, status);
  TF_DeleteShapeHandle(h);
}

void unknown_shape_fn(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeInferenceContextSetUnknownShape(ctx, status);
}

// Whether broadcasting `other` against `big` (rank >= other's) gives big's shape as far as the
// static dims tell: each dim of `other` is 1 or big's, and an unknown one meets a dim of big
// that is unknown or other than 1.
bool broadcasts_into(TF_ShapeInferenceContext* ctx, TF_ShapeHandle* big, TF_ShapeHandle* other) {
  const int64_t rb = TF_ShapeInferenceContextRank(ctx, big);
  const int64_t ro = TF_ShapeInferenceContextRank(ctx, other);
  if (rb < ro) return false;
  bool ok = true;
  TF_DimensionHandle* db = TF_NewDimensionHandle();
  TF_DimensionHandle* dob = TF_NewDimensionHandle();
  for (int64_t i = 0; i < ro && ok; ++i) {
    TF_ShapeInferenceContextDim(ctx, big, rb - ro + i, db);
    TF_ShapeInferenceContextDim(ctx, other, i, dob);
    const bool kb = TF_DimensionHandleValueKnown(db), ko = TF_DimensionHandleValueKnown(dob);
    const int64_t vb = TF_DimensionHandleValue(db), vo = TF_DimensionHandleValue(dob);
    ok = !kb || (ko ? vo == 1 || vo == vb : vb != 1);
  }
  TF_DeleteDimensionHandle(db);
  TF_DeleteDimensionHandle(dob);
  return ok;
}

// Inputs 0 and 1 broadcast NumPy-style: the shape of the one the other broadcasts into; unknown
// when the static shapes do not tell.
void broadcast_shape_fn(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* a = TF_NewShapeHandle();
  TF_ShapeHandle* b = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, 0, a, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextGetInput(ctx, 1, b, status);
  if (TF_GetCode(status) == TF_OK) {
    const bool known =
        TF_ShapeInferenceContextRankKnown(ctx, a) && TF_ShapeInferenceContextRankKnown(ctx, b);
    if (known && broadcasts_into(ctx, a, b))
      TF_ShapeInferenceContextSetOutput(ctx, 0, a, status);
    else if (known && broadcasts_into(ctx, b, a))
      TF_ShapeInferenceContextSetOutput(ctx, 0, b, status);
    else
      TF_ShapeInferenceContextSetUnknownShape(ctx, status);
  }
  TF_DeleteShapeHandle(a);
  TF_DeleteShapeHandle(b);
}

using ShapeInferenceFn = void (*)(TF_ShapeInferenceContext*, TF_Status*);
ShapeInferenceFn shape_fn(ShapeFn f) {
  switch (f) {
    case ShapeFn::kInput0:
      return same_shape_fn;
    case ShapeFn::kBroadcast:
      return broadcast_shape_fn;
    case ShapeFn::kUnknown:
      break;
  }
  return unknown_shape_fn;
}

void* create(TF_OpKernelConstruction* ctx) {
  TF_Status* s = TF_NewStatus();
  void* kernel = nullptr;
  const AampTfImpl* t = impl();
  TF_Buffer* nd = TF_OpKernelConstruction_GetNodeDef(ctx, s);
  if (!t) {
    TF_SetStatus(s, TF_INTERNAL, "aamp: the implementation library could not be loaded");
  } else if (TF_GetCode(s) == TF_OK) {
    char* error = nullptr;
    kernel = t->kernel_create(static_cast<const char*>(nd->data), nd->length, &error);
    if (!kernel) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, error ? error : "aamp: kernel creation failed");
      t->free_string(error);
    }
  }
  if (nd) TF_DeleteBuffer(nd);
  if (kernel && std::getenv("AAMP_TF_VERBOSE") && !env_is_off("AAMP_TF_VERBOSE")) {
    TF_StringView name = TF_OpKernelConstruction_GetName(ctx);
    note_once("TensorFlow runs aamp's kernel for " + std::string(name.data, name.len));
  }
  if (TF_GetCode(s) != TF_OK) TF_OpKernelConstruction_Failure(ctx, s);
  TF_DeleteStatus(s);
  return kernel;
}

struct AllocContext {
  TF_OpKernelContext* ctx;
  TF_Status* status;
  std::vector<TF_Tensor*>* tensors;
};

void* allocate(void* c, int index, const AampTfTensor* desc) {
  auto* a = static_cast<AllocContext*>(c);
  size_t bytes = TF_DataTypeSize(static_cast<TF_DataType>(desc->dtype));
  for (int d = 0; d < desc->rank; ++d) bytes *= static_cast<size_t>(desc->dims[d]);
  TF_Tensor* t = TF_AllocateOutput(a->ctx, index, static_cast<TF_DataType>(desc->dtype), desc->dims,
                                   desc->rank, bytes, a->status);
  if (TF_GetCode(a->status) != TF_OK || !t) return nullptr;
  a->tensors->push_back(t);
  return TF_TensorData(t);
}

void compute(void* kernel, TF_OpKernelContext* ctx) {
  const AampTfImpl* t = impl();
  TF_Status* s = TF_NewStatus();
  std::vector<TF_Tensor*> tensors;
  std::vector<AampTfTensor> inputs;
  const int n = TF_NumInputs(ctx);
  for (int i = 0; i < n && TF_GetCode(s) == TF_OK; ++i) {
    TF_Tensor* in = nullptr;
    TF_GetInput(ctx, i, &in, s);
    if (TF_GetCode(s) != TF_OK) break;
    tensors.push_back(in);
    AampTfTensor d{};
    d.dtype = static_cast<int>(TF_TensorType(in));
    d.rank = TF_NumDims(in);
    if (d.rank > AAMP_TF_MAX_RANK) {
      TF_SetStatus(s, TF_UNIMPLEMENTED, "aamp kernels take tensors of rank <= 8");
      break;
    }
    for (int k = 0; k < d.rank; ++k) d.dims[k] = TF_Dim(in, k);
    d.data = TF_TensorData(in);
    inputs.push_back(d);
  }
  if (TF_GetCode(s) == TF_OK) {
    AllocContext a{ctx, s, &tensors};
    char* error = nullptr;
    if (t->kernel_compute(kernel, inputs.data(), static_cast<int>(inputs.size()), allocate, &a,
                          &error) != 0) {
      if (TF_GetCode(s) == TF_OK)
        TF_SetStatus(s, TF_INTERNAL, error ? error : "aamp kernel failed");
      t->free_string(error);
    }
  }
  if (TF_GetCode(s) != TF_OK) TF_OpKernelContext_Failure(ctx, s);
  for (TF_Tensor* x : tensors) TF_DeleteTensor(x);
  TF_DeleteStatus(s);
}

void destroy(void* kernel) {
  if (kernel && impl()) impl()->kernel_delete(kernel);
}

}  // namespace

}  // namespace aamp_tf

extern "C" __attribute__((visibility("default"))) void TF_InitKernel() {
  using namespace aamp_tf;
  TF_Status* s = TF_NewStatus();
  for (const OpSpec& op : op_specs()) {
    TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(op.name);
    for (const char* a : op.inputs) TF_OpDefinitionBuilderAddInput(b, a);
    for (const char* a : op.outputs) TF_OpDefinitionBuilderAddOutput(b, a);
    for (const char* a : op.attrs) TF_OpDefinitionBuilderAddAttr(b, a);
    TF_OpDefinitionBuilderSetShapeInferenceFunction(b, shape_fn(op.shape));
    TF_RegisterOpDefinition(b, s);
    if (TF_GetCode(s) != TF_OK) {
      warn_once(std::string("cannot register op ") + op.name + ": " + TF_Message(s));
      TF_SetStatus(s, TF_OK, "");
      continue;
    }
    for (TF_DataType dt : op.kernel_dtypes) {
      TF_KernelBuilder* kb = std::strcmp(op.name, "_AampCachedCast") == 0
                                 ? cached_cast_kernel_builder(op.name)
                                 : TF_NewKernelBuilder(op.name, "CPU", create, compute, destroy);
      TF_KernelBuilder_TypeConstraint(kb, "T", dt, s);
      const std::string kernel_name = std::string(op.name) + "_CPU_" + std::to_string(dt);
      if (TF_GetCode(s) == TF_OK) TF_RegisterKernelBuilder(kernel_name.c_str(), kb, s);
      if (TF_GetCode(s) != TF_OK) {
        warn_once(std::string("cannot register a CPU kernel of ") + op.name + ": " + TF_Message(s));
        TF_SetStatus(s, TF_OK, "");
      }
    }
  }
  TF_DeleteStatus(s);
}
