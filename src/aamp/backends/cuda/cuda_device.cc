// The CUDA DeviceRuntime: device memory through cudaMalloc (no managed memory), one stream per
// Session with its own cuBLASLt workspace, copies and synchronization on that stream.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <vector>

#include "aamp/backends/cuda/cuda_common.h"
#include "aamp/runtime/device.h"

namespace aamp::cuda {

void check(cudaError_t e, const std::string& what) {
  if (e != cudaSuccess)
    throw Error(ErrorCode::kInternal,
                what + ": " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")");
}

const std::vector<DType>& gpu_float_types() {
  static const std::vector<DType> v = {DType::kFloat, DType::kHalf, DType::kBFloat16};
  return v;
}

const std::vector<DType>& gpu_all_types() {
  static const std::vector<DType> v = {
      DType::kFloat, DType::kHalf, DType::kBFloat16, DType::kDouble, DType::kInt32, DType::kInt64,
      DType::kUInt8, DType::kInt8, DType::kInt16,    DType::kUInt16, DType::kBool};
  return v;
}

void add_gpu(const std::string& op, const std::vector<DType>& dtypes, KernelFactory f,
             std::function<bool(const KernelInit&)> supports, const std::string& name) {
  KernelRegistry::global().add(
      {op, DeviceKind::kGPU, dtypes, 1, name, std::move(f), std::move(supports)});
}

void copy_device(void* dst, const void* src, size_t bytes, void* stream) {
  if (dst == src || bytes == 0) return;
  check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream_of(stream)),
        "cudaMemcpyAsync (device to device)");
}

namespace {

class CudaRuntime : public DeviceRuntime {
 public:
  std::string unavailable_reason() const override {
    int n = 0;
    const cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess)
      return std::string("no usable CUDA device (cudaGetDeviceCount: ") + cudaGetErrorString(e) +
             ")";
    if (n == 0) return "no CUDA device is visible";
    return "";
  }
  std::string device_name() const override {
    cudaDeviceProp p{};
    int dev = 0;
    if (cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&p, dev) != cudaSuccess)
      return "CUDA device";
    return p.name;
  }
  void* allocate(size_t bytes) override {
    void* p = nullptr;
    check(cudaMalloc(&p, bytes), "cudaMalloc of " + std::to_string(bytes) + " bytes");
    std::lock_guard<std::mutex> lock(mu_);
    sizes_[p] = bytes;
    in_use_ += bytes;
    peak_ = std::max(peak_, in_use_);
    return p;
  }
  void deallocate(void* p) noexcept override {
    if (!p) return;
    cudaFree(p);
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = sizes_.find(p); it != sizes_.end()) {
      in_use_ -= it->second;
      sizes_.erase(it);
    }
  }
  size_t bytes_in_use() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return in_use_;
  }
  size_t peak_bytes() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return peak_;
  }
  void reset_peak() override {
    std::lock_guard<std::mutex> lock(mu_);
    peak_ = in_use_;
  }
  void begin_capture(void* stream) override {
    // Thread-local mode: a kernel that calls an unsafe API (cudaMalloc, a synchronization)
    // during capture fails the capture instead of running.
    check(cudaStreamBeginCapture(stream_of(stream), cudaStreamCaptureModeThreadLocal),
          "cudaStreamBeginCapture");
  }
  void* end_capture(void* stream, std::string* why) override {
    cudaGraph_t g = nullptr;
    cudaError_t e = cudaStreamEndCapture(stream_of(stream), &g);
    cudaGraphExec_t exec = nullptr;
    if (e == cudaSuccess) e = cudaGraphInstantiate(&exec, g, 0);
    if (g) cudaGraphDestroy(g);
    if (e != cudaSuccess) {
      cudaGetLastError();  // clear the (non-sticky) error the failed capture left
      if (why) *why = std::string(cudaGetErrorName(e)) + " (" + cudaGetErrorString(e) + ")";
      return nullptr;
    }
    return exec;
  }
  void launch_graph(void* graph, void* stream) override {
    check(cudaGraphLaunch(static_cast<cudaGraphExec_t>(graph), stream_of(stream)),
          "cudaGraphLaunch");
  }
  void destroy_graph(void* graph) noexcept override {
    if (graph) cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(graph));
  }
  void* allocate_host(size_t bytes) override {
    void* p = nullptr;
    check(cudaMallocHost(&p, bytes), "cudaMallocHost of " + std::to_string(bytes) + " bytes");
    return p;
  }
  void deallocate_host(void* p) noexcept override {
    if (p) cudaFreeHost(p);
  }
  void* create_event() override {
    cudaEvent_t e = nullptr;
    check(cudaEventCreate(&e), "cudaEventCreate");
    return e;
  }
  void destroy_event(void* event) noexcept override {
    if (event) cudaEventDestroy(static_cast<cudaEvent_t>(event));
  }
  void record_event(void* event, void* stream) override {
    check(cudaEventRecord(static_cast<cudaEvent_t>(event), stream_of(stream)), "cudaEventRecord");
  }
  double elapsed_ms(void* from, void* to) override {
    float ms = 0;
    check(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(from), static_cast<cudaEvent_t>(to)),
          "cudaEventElapsedTime");
    return ms;
  }
  void* create_stream() override {
    cudaStream_t s = nullptr;
    check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreate");
    std::lock_guard<std::mutex> lock(mu_);
    workspaces_[s] = {};
    return s;
  }
  void destroy_stream(void* stream) noexcept override {
    cudaStream_t s = stream_of(stream);
    cudaStreamSynchronize(s);
    Workspace ws;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = workspaces_.find(s);
      if (it != workspaces_.end()) {
        ws = std::move(it->second);
        workspaces_.erase(it);
      }
    }
    for (void* p : ws.buffers) deallocate(p);
    cudaStreamDestroy(s);
  }
  void copy_to_device(void* dst, const void* src, size_t bytes, void* stream) override {
    check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_of(stream)),
          "cudaMemcpyAsync (host to device) of " + std::to_string(bytes) + " bytes");
  }
  void copy_to_host(void* dst, const void* src, size_t bytes, void* stream) override {
    check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_of(stream)),
          "cudaMemcpyAsync (device to host) of " + std::to_string(bytes) + " bytes");
  }
  void synchronize(void* stream) override {
    check(cudaStreamSynchronize(stream_of(stream)), "CUDA stream");
  }

  // Grows the stream's workspace to at least `bytes`. Kernels keep the pointer they got (captured
  // graphs too), so a buffer outgrown by a later kernel stays allocated with the stream.
  void* workspace(void* stream, size_t bytes) {
    std::unique_lock<std::mutex> lock(mu_);
    auto it = workspaces_.find(stream_of(stream));
    if (it == workspaces_.end())
      throw Error(ErrorCode::kInternal, "CUDA stream not created by aamp's device runtime");
    if (bytes == 0 || it->second.bytes >= bytes) return it->second.current();
    lock.unlock();
    void* p = allocate(bytes);
    lock.lock();
    it = workspaces_.find(stream_of(stream));
    it->second.buffers.push_back(p);
    it->second.bytes = bytes;
    return p;
  }

 private:
  struct Workspace {
    std::vector<void*> buffers;  // the last is the current one
    size_t bytes = 0;
    void* current() const { return buffers.empty() ? nullptr : buffers.back(); }
  };
  mutable std::mutex mu_;
  std::map<cudaStream_t, Workspace> workspaces_;
  std::map<void*, size_t> sizes_;
  size_t in_use_ = 0, peak_ = 0;
};

CudaRuntime& runtime() {
  static CudaRuntime* r = new CudaRuntime();  // lives for the process (kernels may outlive main)
  return *r;
}

const bool kRegistered = [] {
  register_device_runtime(DeviceKind::kGPU, &runtime());
  return true;
}();

}  // namespace

void* workspace_of(void* stream, size_t bytes) { return runtime().workspace(stream, bytes); }

void* device_malloc(size_t bytes) { return runtime().allocate(bytes); }
void device_free(void* p) noexcept { runtime().deallocate(p); }

}  // namespace aamp::cuda
