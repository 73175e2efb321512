// The backend harness on the GPU (tests/backends/harness): every CUDA kernel over its cases
// against the CPU reference kernel on host copies of the inputs, and _FusedConv2D again in each
// form AAMP_CUDNN_FUSED forces. Skipped without a CUDA device; the coverage check (cases and a
// reference for every GPU kernel) runs without one in test_backends_harness.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backends/cuda/cuda_test_util.h"
#include "backends/harness/harness.h"
#include "test_util.h"

namespace aamp::testing {
namespace {

class GpuDevice : public HarnessDevice {
 public:
  GpuDevice() : runtime_(find_device_runtime(DeviceKind::kGPU)) {
    stream_ = runtime_->create_stream();
  }
  ~GpuDevice() override { runtime_->destroy_stream(stream_); }
  GpuDevice(const GpuDevice&) = delete;
  GpuDevice& operator=(const GpuDevice&) = delete;

  DeviceKind kind() const override { return DeviceKind::kGPU; }
  // As a plan asks: the device and a stream (supports may look at either).
  KernelInit init(const KernelCase& c) const override {
    KernelInit i = c.init();
    i.device = DeviceKind::kGPU;
    i.stream = stream_;
    return i;
  }
  // Inputs uploaded, run on a stream, synchronized, outputs downloaded (run_gpu).
  std::vector<Tensor> run(const KernelCase& c, const KernelRegistration& r, int runs) override {
    return run_gpu(c, r, runs);
  }
  double tolerance(DType t) const override { return gpu_tolerance(t); }

 private:
  DeviceRuntime* runtime_;
  void* stream_ = nullptr;
};

TEST(CudaBackendHarness, GpuKernelsMatchTheReference) {
  AAMP_SKIP_WITHOUT_GPU();
  ASSERT_NE(find_device_runtime(DeviceKind::kGPU), nullptr);
  GpuDevice dev;
  run_backend_harness(dev);
}

// The run above takes the cuDNN kernels' default form; _FusedConv2D's cases also run in the two
// forms AAMP_CUDNN_FUSED forces (read at kernel creation): cuDNN's fused call wherever it runs
// (1), and the convolution followed by aamp's epilogue kernel (0).
TEST(CudaBackendHarness, FusedConv2DInEachCudnnForm) {
  AAMP_SKIP_WITHOUT_GPU();
#ifndef AAMP_HAVE_CUDNN
  GTEST_SKIP() << "built without cuDNN: no GPU convolution kernels";
#endif
  GpuDevice dev;
  for (const char* form : {"1", "0"}) {
    SCOPED_TRACE(std::string("AAMP_CUDNN_FUSED=") + form);
    ScopedEnv env("AAMP_CUDNN_FUSED", form);
    run_backend_harness(dev, {"_FusedConv2D"});
  }
}

// And on each side of AAMP_CUDNN_ENGINES: cuDNN's graph-API plans wherever one exists (force),
// the legacy calls only (0), the latter also without folding stride-2 convolutions of few
// channels into 16 (AAMP_CUDNN_S2D=0).
TEST(CudaBackendHarness, ConvolutionsOnGraphApiPlansAndLegacyCalls) {
  AAMP_SKIP_WITHOUT_GPU();
#ifndef AAMP_HAVE_CUDNN
  GTEST_SKIP() << "built without cuDNN: no GPU convolution kernels";
#endif
  GpuDevice dev;
  for (const char* mode : {"force", "0"}) {
    SCOPED_TRACE(std::string("AAMP_CUDNN_ENGINES=") + mode + " AAMP_CUDNN_S2D=" + mode);
    ScopedEnv env("AAMP_CUDNN_ENGINES", mode), s2d("AAMP_CUDNN_S2D", mode);
    run_backend_harness(dev, {"_FusedConv2D", "Conv2D"});
  }
}

}  // namespace
}  // namespace aamp::testing
