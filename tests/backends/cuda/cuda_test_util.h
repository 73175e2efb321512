// Helpers of the CUDA tests: skip without a device, run one GPU kernel standalone on device
// copies of a KernelCase's inputs (constants stay host Tensors in KernelInit, as in a plan).
#pragma once

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "aamp/runtime/device.h"
#include "aamp/runtime/plan.h"
#include "backends/cpu/kernel_test_util.h"

namespace aamp::testing {

inline bool has_cuda_device() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

#define AAMP_SKIP_WITHOUT_GPU() \
  if (!::aamp::testing::has_cuda_device()) GTEST_SKIP() << "no CUDA device"

// The CPU reference kernel's outputs.
inline std::vector<Tensor> run_reference(const KernelCase& c) {
  const KernelInit init = c.init();
  const KernelRegistration* r = KernelRegistry::global().lookup(
      c.node.op, DeviceKind::kCPU, c.kernel_dtype(), init, /*reference_only=*/true);
  EXPECT_NE(r, nullptr) << "no reference kernel for " << c.node.op;
  return r ? run_kernel(c, *r) : std::vector<Tensor>{};
}

// The outputs of the registration's kernel on the GPU: inputs uploaded, `runs` times on the same
// buffers, each run followed by a synchronization and Kernel::check_after_sync (whose Error
// propagates), outputs downloaded.
inline std::vector<Tensor> run_gpu(const KernelCase& c, const KernelRegistration& r, int runs = 1);

// The GPU kernel's outputs (the best kGPU registration), as above.
inline std::vector<Tensor> run_gpu(const KernelCase& c, int runs = 1) {
  KernelInit init = c.init();
  init.device = DeviceKind::kGPU;
  const KernelRegistration* r =
      KernelRegistry::global().lookup(c.node.op, DeviceKind::kGPU, c.kernel_dtype(), init);
  if (!r) {
    ADD_FAILURE() << "no GPU kernel for " << c.node.op << " " << dtype_name(c.kernel_dtype());
    return {};
  }
  return run_gpu(c, *r, runs);
}

inline std::vector<Tensor> run_gpu(const KernelCase& c, const KernelRegistration& r, int runs) {
  DeviceRuntime* dev = find_device_runtime(DeviceKind::kGPU);
  EXPECT_NE(dev, nullptr);
  if (!dev) return {};
  void* stream = dev->create_stream();
  KernelInit init = c.init();
  init.device = DeviceKind::kGPU;
  init.stream = stream;
  std::vector<Tensor> outs;
  std::vector<void*> bufs;
  KernelContext ctx;
  ctx.stream = stream;
  for (const Tensor& t : c.inputs) {
    void* p = dev->allocate(std::max<size_t>(t.byte_size(), 16));
    bufs.push_back(p);
    dev->copy_to_device(p, t.raw(), t.byte_size(), stream);
    ctx.inputs.push_back({t.dtype(), t.shape().dims, p, nullptr});
  }
  for (const TensorDesc& d : c.outputs) {
    outs.emplace_back(d.dtype, Shape(d.shape));
    void* p = dev->allocate(std::max<size_t>(outs.back().byte_size(), 16));
    bufs.push_back(p);
    ctx.outputs.push_back({d.dtype, d.shape, p, nullptr});
  }
  auto release = [&] {
    for (void* p : bufs) dev->deallocate(p);
    dev->destroy_stream(stream);
  };
  try {
    std::unique_ptr<Kernel> k = r.factory(init);
    // Scratch memory holds garbage (0x7f bytes: NaN in float16 and bfloat16) before every run,
    // as a plan's arena may.
    const std::vector<uint8_t> garbage(k->scratch_bytes(), uint8_t{0x7f});
    if (!garbage.empty()) {
      ctx.scratch = dev->allocate(garbage.size());
      bufs.push_back(ctx.scratch);
    }
    for (int i = 0; i < runs; ++i) {
      if (ctx.scratch) dev->copy_to_device(ctx.scratch, garbage.data(), garbage.size(), stream);
      k->run(ctx);
      dev->synchronize(stream);
      k->check_after_sync();  // as the plan does: data-dependent errors throw here
    }
    for (size_t i = 0; i < outs.size(); ++i)
      dev->copy_to_host(outs[i].mutable_raw(), ctx.outputs[i].data, outs[i].byte_size(), stream);
    dev->synchronize(stream);
  } catch (...) {
    release();
    throw;
  }
  release();
  return outs;
}

// GPU kernels vs the reference: float32 differs in summation order only; 16-bit types by about
// one rounding of the output.
inline double gpu_tolerance(DType t) {
  return t == DType::kFloat ? 1e-4 : (t == DType::kHalf ? 5e-3 : 2e-2);
}

}  // namespace aamp::testing
