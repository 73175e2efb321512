// A 2-D NHWC convolution with its epilogue, y = [relu](conv(x, w) [+ bias] [+ z]), as one graph of
// cuDNN's backend API (the "graph" API of cuDNN 8 and 9), and the execution plans its engines
// offer for it. The legacy entry points (cudnnFindConvolutionForwardAlgorithmEx,
// cudnnConvolutionBiasActivationForward) reach one engine per algorithm enum; the graph API lists
// every engine configuration cuDNN's heuristics propose, including the runtime-fusion engines
// that run the whole epilogue in the convolution's own kernel. CudnnConvKernel times these plans
// against its legacy choice and keeps the faster (see cudnn_conv.cc).
//
// Only float16 and bfloat16 are offered: engines may use TF32 for float32, which aamp's float32
// (strict) does not allow. Engines whose numerical notes say they reduce in reduced precision or
// down-convert inputs are dropped, so results keep float32 accumulation.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aamp/backends/cuda/cudnn_common.h"

namespace aamp::cuda {

// The convolution as cuDNN runs it (g: input [n, in_h, in_w, in_c], the caller's padded copy
// where it padded, filter KRSC [out_c, k_h, k_w, in_c], output [n, out_h, out_w, out_c], pads,
// strides, dilations), all NHWC in dtype t; the epilogue in float32.
struct EngineConvSpec {
  DType t = DType::kHalf;
  linalg::Conv2DGeom g;
  bool bias = false;  // + bias [out_c]
  bool add = false;   // + z, y's shape
  bool relu = false;  // then max(0, .)
};

// The buffers of one call (bias only with spec.bias, z only with spec.add).
struct EngineConvArgs {
  const void* x = nullptr;
  const void* w = nullptr;
  const void* bias = nullptr;
  const void* z = nullptr;
  void* y = nullptr;
  void* workspace = nullptr;
};

struct EngineGraph;  // the graph's descriptors, shared by its plans

// One finalized execution plan of a convolution graph.
class EngineConvPlan {
 public:
  // The plans cuDNN offers for `spec` on handle h: the engine configurations of heuristics mode A,
  // then of the fallback list, in that order, those that finalize, need at most max_workspace
  // bytes and keep float32 accumulation; at most max_plans, and no new plan once max_seconds
  // went into finalizing (runtime-fusion engines compile their kernel then). Empty (and `why`
  // says why) when the graph is not supported at all.
  static std::vector<std::unique_ptr<EngineConvPlan>> candidates(cudnnHandle_t h,
                                                                 const EngineConvSpec& spec,
                                                                 size_t max_workspace,
                                                                 int max_plans, double max_seconds,
                                                                 std::string* why);
  ~EngineConvPlan();
  EngineConvPlan(const EngineConvPlan&) = delete;
  EngineConvPlan& operator=(const EngineConvPlan&) = delete;

  // Queues the convolution on h's stream (the plan's variant pack is rebuilt only when a pointer
  // changed). Returns cuDNN's status rather than throwing: a candidate may fail at its first run.
  cudnnStatus_t run(cudnnHandle_t h, const EngineConvArgs& a);
  // "engine 12" with its knob choices, for logs.
  const std::string& name() const { return name_; }
  size_t workspace_bytes() const { return workspace_; }

 private:
  EngineConvPlan() = default;
  std::shared_ptr<EngineGraph> graph_;
  cudnnBackendDescriptor_t plan_ = nullptr;
  cudnnBackendDescriptor_t pack_ = nullptr;
  const void* pack_ptrs_[6] = {};
  std::mutex mu_;
  std::string name_;
  size_t workspace_ = 0;
};

}  // namespace aamp::cuda
