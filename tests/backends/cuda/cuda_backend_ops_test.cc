// The backend harness on the GPU (tests/backends/harness): every CUDA kernel over its cases
// against the CPU reference kernel on host copies of the inputs. Skipped without a CUDA device;
// the coverage check (cases and a reference for every GPU kernel) runs without one in
// test_backends_harness.
#include <gtest/gtest.h>

#include <vector>

#include "backends/cuda/cuda_test_util.h"
#include "backends/harness/harness.h"

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

}  // namespace
}  // namespace aamp::testing
