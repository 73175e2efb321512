// A user's own TensorFlow ops, unknown to aamp, for the plugin's custom-op tests (loaded with
// tf.load_op_library). Written against TensorFlow's C API so that it builds in seconds.
//   AampTestScale(x: T) -> y = 2 x      T in {float, bfloat16}: CPU kernels for both
//   AampTestScaleF32(x: T) -> y = 2 x   T in {float, bfloat16}: a float32 CPU kernel only
#include <tensorflow/c/kernels.h>
#include <tensorflow/c/ops.h>
#include <tensorflow/c/tf_tensor.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

void same_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* h = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, 0, h, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 0, h, status);
  TF_DeleteShapeHandle(h);
}

void* create(TF_OpKernelConstruction*) { return nullptr; }
void destroy(void*) {}

void compute(void*, TF_OpKernelContext* ctx) {
  TF_Status* s = TF_NewStatus();
  TF_Tensor* x = nullptr;
  TF_GetInput(ctx, 0, &x, s);
  if (TF_GetCode(s) == TF_OK) {
    std::vector<int64_t> dims(static_cast<size_t>(TF_NumDims(x)));
    for (size_t i = 0; i < dims.size(); ++i) dims[i] = TF_Dim(x, static_cast<int>(i));
    TF_DataType t = TF_TensorType(x);
    TF_Tensor* y = TF_AllocateOutput(ctx, 0, t, dims.data(), static_cast<int>(dims.size()),
                                     TF_TensorByteSize(x), s);
    if (TF_GetCode(s) == TF_OK) {
      const int64_t n = TF_TensorElementCount(x);
      if (t == TF_FLOAT) {
        const float* a = static_cast<const float*>(TF_TensorData(x));
        float* b = static_cast<float*>(TF_TensorData(y));
        for (int64_t i = 0; i < n; ++i) b[i] = 2.0f * a[i];
      } else {  // bfloat16: doubling adds one to the exponent (finite, non-zero values)
        const uint16_t* a = static_cast<const uint16_t*>(TF_TensorData(x));
        uint16_t* b = static_cast<uint16_t*>(TF_TensorData(y));
        for (int64_t i = 0; i < n; ++i) {
          uint32_t f = static_cast<uint32_t>(a[i]) << 16;
          float v;
          std::memcpy(&v, &f, 4);
          v *= 2.0f;
          std::memcpy(&f, &v, 4);
          b[i] = static_cast<uint16_t>(f >> 16);
        }
      }
      TF_DeleteTensor(y);
    }
    TF_DeleteTensor(x);
  }
  if (TF_GetCode(s) != TF_OK) TF_OpKernelContext_Failure(ctx, s);
  TF_DeleteStatus(s);
}

void register_op(const char* name, bool bf16_kernel) {
  TF_Status* s = TF_NewStatus();
  TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(name);
  TF_OpDefinitionBuilderAddInput(b, "x: T");
  TF_OpDefinitionBuilderAddOutput(b, "y: T");
  TF_OpDefinitionBuilderAddAttr(b, "T: {float, bfloat16}");
  TF_OpDefinitionBuilderSetShapeInferenceFunction(b, same_shape);
  TF_RegisterOpDefinition(b, s);
  std::vector<TF_DataType> types = {TF_FLOAT};
  if (bf16_kernel) types.push_back(TF_BFLOAT16);
  for (TF_DataType t : types) {
    TF_KernelBuilder* k = TF_NewKernelBuilder(name, "CPU", create, compute, destroy);
    TF_KernelBuilder_TypeConstraint(k, "T", t, s);
    TF_RegisterKernelBuilder((std::string(name) + std::to_string(t)).c_str(), k, s);
  }
  TF_DeleteStatus(s);
}

struct Registrar {
  Registrar() {
    register_op("AampTestScale", true);
    register_op("AampTestScaleF32", false);
  }
} registrar;

}  // namespace
