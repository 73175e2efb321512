#include "aamp/backends/cuda/cudnn_engine.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace aamp::cuda {
namespace {

// Tensor unique ids of the graph (virtual tensors from 100 on).
enum : int64_t { kX = 1, kW = 2, kBias = 3, kZ = 4, kY = 5, kVirtual = 100 };

// An owned backend descriptor.
class Desc {
 public:
  explicit Desc(cudnnBackendDescriptorType_t type) {
    check_cudnn(cudnnBackendCreateDescriptor(type, &d_), "BackendCreateDescriptor");
  }
  ~Desc() {
    if (d_) cudnnBackendDestroyDescriptor(d_);
  }
  Desc(const Desc&) = delete;
  Desc& operator=(const Desc&) = delete;
  cudnnBackendDescriptor_t get() const { return d_; }
  cudnnBackendDescriptor_t release() { return std::exchange(d_, nullptr); }

  template <typename T>
  Desc& set(cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type, const T* values,
            int64_t count = 1) {
    check_cudnn(cudnnBackendSetAttribute(d_, name, type, count, values),
                "BackendSetAttribute " + std::to_string(static_cast<int>(name)));
    return *this;
  }
  Desc& set_desc(cudnnBackendAttributeName_t name, const Desc& other) {
    cudnnBackendDescriptor_t o = other.get();
    return set(name, CUDNN_TYPE_BACKEND_DESCRIPTOR, &o);
  }
  Desc& finalize(const char* what) {
    check_cudnn(cudnnBackendFinalize(d_), std::string("BackendFinalize of ") + what);
    return *this;
  }

 private:
  cudnnBackendDescriptor_t d_ = nullptr;
};

// An NHWC tensor given as cuDNN's [n, c, h, w] dimensions with channel-innermost strides.
std::unique_ptr<Desc> nhwc_tensor(int64_t uid, cudnnDataType_t dt, int64_t n, int64_t c, int64_t h,
                                  int64_t w, bool is_virtual) {
  auto t = std::make_unique<Desc>(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
  const int64_t dims[4] = {n, c, h, w};
  const int64_t strides[4] = {h * w * c, 1, w * c, c};
  const int64_t align = 16;
  const bool virt = is_virtual;
  t->set(CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, &dt)
      .set(CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, dims, 4)
      .set(CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, strides, 4)
      .set(CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, &uid)
      .set(CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, &align)
      .set(CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, &virt)
      .finalize("a tensor descriptor");
  return t;
}

// A pointwise operation y = mode(x [, b]) in float32 math.
std::unique_ptr<Desc> pointwise(std::vector<std::unique_ptr<Desc>>& keep, cudnnPointwiseMode_t mode,
                                const Desc& x, const Desc* b, const Desc& y) {
  auto pw = std::make_unique<Desc>(CUDNN_BACKEND_POINTWISE_DESCRIPTOR);
  const cudnnDataType_t prec = CUDNN_DATA_FLOAT;
  pw->set(CUDNN_ATTR_POINTWISE_MODE, CUDNN_TYPE_POINTWISE_MODE, &mode)
      .set(CUDNN_ATTR_POINTWISE_MATH_PREC, CUDNN_TYPE_DATA_TYPE, &prec)
      .finalize("a pointwise descriptor");
  auto op = std::make_unique<Desc>(CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR);
  op->set_desc(CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR, *pw)
      .set_desc(CUDNN_ATTR_OPERATION_POINTWISE_XDESC, x);
  if (b) op->set_desc(CUDNN_ATTR_OPERATION_POINTWISE_BDESC, *b);
  op->set_desc(CUDNN_ATTR_OPERATION_POINTWISE_YDESC, y).finalize("a pointwise operation");
  keep.push_back(std::move(pw));
  return op;
}

// Whether an engine keeps float32 accumulation and full-precision inputs.
bool numerics_ok(cudnnBackendDescriptor_t engine) {
  cudnnBackendNumericalNote_t notes[CUDNN_NUMERICAL_NOTE_TYPE_COUNT];
  int64_t n = 0;
  if (cudnnBackendGetAttribute(engine, CUDNN_ATTR_ENGINE_NUMERICAL_NOTE, CUDNN_TYPE_NUMERICAL_NOTE,
                               CUDNN_NUMERICAL_NOTE_TYPE_COUNT, &n, notes) != CUDNN_STATUS_SUCCESS)
    return false;
  for (int64_t i = 0; i < n && i < CUDNN_NUMERICAL_NOTE_TYPE_COUNT; ++i)
    if (notes[i] == CUDNN_NUMERICAL_NOTE_REDUCED_PRECISION_REDUCTION ||
        notes[i] == CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS)
      return false;
  return true;
}

// "engine G" with "k=v" per knob choice.
std::string engine_name(cudnnBackendDescriptor_t cfg, cudnnBackendDescriptor_t engine) {
  int64_t index = -1, n = 0;
  cudnnBackendGetAttribute(engine, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1, &n, &index);
  std::string s = "engine " + std::to_string(index);
  constexpr int kMaxKnobs = 16;
  std::vector<std::unique_ptr<Desc>> knobs;
  cudnnBackendDescriptor_t raw[kMaxKnobs];
  for (int i = 0; i < kMaxKnobs; ++i) {
    knobs.push_back(std::make_unique<Desc>(CUDNN_BACKEND_KNOB_CHOICE_DESCRIPTOR));
    raw[i] = knobs.back()->get();
  }
  int64_t count = 0;
  if (cudnnBackendGetAttribute(cfg, CUDNN_ATTR_ENGINECFG_KNOB_CHOICES,
                               CUDNN_TYPE_BACKEND_DESCRIPTOR, kMaxKnobs, &count,
                               raw) != CUDNN_STATUS_SUCCESS)
    return s;
  for (int64_t i = 0; i < count && i < kMaxKnobs; ++i) {
    cudnnBackendKnobType_t type{};
    int64_t value = 0, m = 0;
    cudnnBackendGetAttribute(raw[i], CUDNN_ATTR_KNOB_CHOICE_KNOB_TYPE, CUDNN_TYPE_KNOB_TYPE, 1, &m,
                             &type);
    cudnnBackendGetAttribute(raw[i], CUDNN_ATTR_KNOB_CHOICE_KNOB_VALUE, CUDNN_TYPE_INT64, 1, &m,
                             &value);
    s += (i ? "," : " ") + std::to_string(static_cast<int>(type)) + "=" + std::to_string(value);
  }
  return s;
}

}  // namespace

// The operation graph and every descriptor it refers to (kept alive for the plans).
struct EngineGraph {
  std::vector<std::unique_ptr<Desc>> keep;
  std::unique_ptr<Desc> graph;
  int64_t uids[5] = {};
  int n_uids = 0;
};

namespace {

std::shared_ptr<EngineGraph> build_graph(cudnnHandle_t h, const EngineConvSpec& spec) {
  auto g = std::make_shared<EngineGraph>();
  const linalg::Conv2DGeom& s = spec.g;
  const cudnnDataType_t dt = cudnn_type(spec.t);
  auto& keep = g->keep;
  auto tensor = [&](int64_t uid, cudnnDataType_t t, int64_t n, int64_t c, int64_t hh, int64_t ww,
                    bool virt) -> const Desc& {
    keep.push_back(nhwc_tensor(uid, t, n, c, hh, ww, virt));
    return *keep.back();
  };
  const Desc& x = tensor(kX, dt, s.n, s.in_c, s.in_h, s.in_w, false);
  const Desc& w = tensor(kW, dt, s.out_c, s.in_c, s.k_h, s.k_w, false);
  const Desc& y = tensor(kY, dt, s.n, s.out_c, s.out_h, s.out_w, false);
  g->n_uids = 0;
  for (int64_t u : {kX, kW, kY}) g->uids[g->n_uids++] = u;
  const bool epilogue = spec.bias || spec.add || spec.relu;

  auto conv = std::make_unique<Desc>(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
  {
    const cudnnDataType_t comp = CUDNN_DATA_FLOAT;
    const cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
    const int64_t dims = 2;
    const int64_t dil[2] = {s.dil_h, s.dil_w}, str[2] = {s.stride_h, s.stride_w};
    const int64_t pre[2] = {s.pad_t, s.pad_l}, post[2] = {s.pad_b, s.pad_r};
    conv->set(CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, &comp)
        .set(CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, &mode)
        .set(CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, &dims)
        .set(CUDNN_ATTR_CONVOLUTION_DILATIONS, CUDNN_TYPE_INT64, dil, 2)
        .set(CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, CUDNN_TYPE_INT64, str, 2)
        .set(CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, CUDNN_TYPE_INT64, pre, 2)
        .set(CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, CUDNN_TYPE_INT64, post, 2)
        .finalize("the convolution descriptor");
  }
  int64_t next_virtual = kVirtual;
  const Desc* cur =
      epilogue ? &tensor(next_virtual++, CUDNN_DATA_FLOAT, s.n, s.out_c, s.out_h, s.out_w, true)
               : &y;
  std::vector<cudnnBackendDescriptor_t> ops;
  {
    auto op = std::make_unique<Desc>(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
    const float alpha = 1.0f, beta = 0.0f;
    op->set_desc(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, x)
        .set_desc(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, w)
        .set_desc(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, *cur)
        .set_desc(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, *conv)
        .set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, &alpha)
        .set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, &beta)
        .finalize("the convolution operation");
    ops.push_back(op->get());
    keep.push_back(std::move(conv));
    keep.push_back(std::move(op));
  }
  // The epilogue's steps in order; the last writes y.
  struct Step {
    cudnnPointwiseMode_t mode;
    const Desc* b;
  };
  std::vector<Step> steps;
  if (spec.bias) {
    steps.push_back({CUDNN_POINTWISE_ADD, &tensor(kBias, dt, 1, s.out_c, 1, 1, false)});
    g->uids[g->n_uids++] = kBias;
  }
  if (spec.add) {
    steps.push_back({CUDNN_POINTWISE_ADD, &tensor(kZ, dt, s.n, s.out_c, s.out_h, s.out_w, false)});
    g->uids[g->n_uids++] = kZ;
  }
  if (spec.relu) steps.push_back({CUDNN_POINTWISE_RELU_FWD, nullptr});
  for (size_t i = 0; i < steps.size(); ++i) {
    const Desc* out = i + 1 == steps.size() ? &y
                                            : &tensor(next_virtual++, CUDNN_DATA_FLOAT, s.n,
                                                      s.out_c, s.out_h, s.out_w, true);
    auto op = pointwise(keep, steps[i].mode, *cur, steps[i].b, *out);
    ops.push_back(op->get());
    keep.push_back(std::move(op));
    cur = out;
  }
  g->graph = std::make_unique<Desc>(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
  g->graph->set(CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, &h)
      .set(CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR, ops.data(),
           static_cast<int64_t>(ops.size()))
      .finalize("the operation graph");
  return g;
}

// The engine configurations of one heuristics mode (empty when the mode has none).
std::vector<std::unique_ptr<Desc>> engine_configs(const EngineGraph& g,
                                                  cudnnBackendHeurMode_t mode) {
  std::vector<std::unique_ptr<Desc>> out;
  Desc heur(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR);
  cudnnBackendDescriptor_t graph = g.graph->get();
  if (cudnnBackendSetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH,
                               CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &graph) != CUDNN_STATUS_SUCCESS ||
      cudnnBackendSetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1,
                               &mode) != CUDNN_STATUS_SUCCESS ||
      cudnnBackendFinalize(heur.get()) != CUDNN_STATUS_SUCCESS)
    return out;
  int64_t count = 0;
  if (cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                               CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &count,
                               nullptr) != CUDNN_STATUS_SUCCESS ||
      count <= 0)
    return out;
  std::vector<cudnnBackendDescriptor_t> raw;
  for (int64_t i = 0; i < count; ++i) {
    out.push_back(std::make_unique<Desc>(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR));
    raw.push_back(out.back()->get());
  }
  int64_t got = 0;
  if (cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                               CUDNN_TYPE_BACKEND_DESCRIPTOR, count, &got,
                               raw.data()) != CUDNN_STATUS_SUCCESS)
    return {};
  out.resize(static_cast<size_t>(std::clamp<int64_t>(got, 0, count)));
  return out;
}

}  // namespace

std::vector<std::unique_ptr<EngineConvPlan>> EngineConvPlan::candidates(
    cudnnHandle_t h, const EngineConvSpec& spec, size_t max_workspace, int max_plans,
    double max_seconds, std::string* why) {
  std::vector<std::unique_ptr<EngineConvPlan>> plans;
  if (spec.t != DType::kHalf && spec.t != DType::kBFloat16) {
    if (why) *why = "float16 and bfloat16 only";
    return plans;
  }
  std::shared_ptr<EngineGraph> g;
  try {
    g = build_graph(h, spec);
  } catch (const Error& e) {
    if (why) *why = e.what();
    return plans;
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> seen;
  for (cudnnBackendHeurMode_t mode : {CUDNN_HEUR_MODE_A, CUDNN_HEUR_MODE_FALLBACK}) {
    for (auto& cfg : engine_configs(*g, mode)) {
      const double spent =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (static_cast<int>(plans.size()) >= max_plans || spent > max_seconds) return plans;
      Desc engine(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
      cudnnBackendDescriptor_t e = engine.get();
      int64_t n = 0;
      if (cudnnBackendGetAttribute(cfg->get(), CUDNN_ATTR_ENGINECFG_ENGINE,
                                   CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &n,
                                   &e) != CUDNN_STATUS_SUCCESS ||
          !numerics_ok(e))
        continue;
      const std::string name = engine_name(cfg->get(), e);
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
      seen.push_back(name);
      Desc plan(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR);
      cudnnBackendDescriptor_t c = cfg->get();
      if (cudnnBackendSetAttribute(plan.get(), CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE,
                                   1, &h) != CUDNN_STATUS_SUCCESS ||
          cudnnBackendSetAttribute(plan.get(), CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG,
                                   CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &c) != CUDNN_STATUS_SUCCESS ||
          cudnnBackendFinalize(plan.get()) != CUDNN_STATUS_SUCCESS)
        continue;
      int64_t ws = 0;
      if (cudnnBackendGetAttribute(plan.get(), CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE,
                                   CUDNN_TYPE_INT64, 1, &n, &ws) != CUDNN_STATUS_SUCCESS ||
          ws < 0 || static_cast<size_t>(ws) > max_workspace)
        continue;
      std::unique_ptr<EngineConvPlan> p(new EngineConvPlan());
      p->graph_ = g;
      p->plan_ = plan.release();
      p->name_ = name;
      p->workspace_ = static_cast<size_t>(ws);
      plans.push_back(std::move(p));
    }
  }
  if (plans.empty() && why) *why = "no engine configuration finalized";
  return plans;
}

EngineConvPlan::~EngineConvPlan() {
  if (pack_) cudnnBackendDestroyDescriptor(pack_);
  if (plan_) cudnnBackendDestroyDescriptor(plan_);
}

cudnnStatus_t EngineConvPlan::run(cudnnHandle_t h, const EngineConvArgs& a) {
  std::lock_guard<std::mutex> lock(mu_);
  const void* ptrs[6] = {a.x, a.w, a.y, a.bias, a.z, a.workspace};
  if (!pack_ || !std::equal(ptrs, ptrs + 6, pack_ptrs_)) {
    if (pack_) cudnnBackendDestroyDescriptor(pack_);
    pack_ = nullptr;
    cudnnBackendDescriptor_t pack = nullptr;
    cudnnStatus_t st = cudnnBackendCreateDescriptor(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR, &pack);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    // The graph's uids in order x, w, y [, bias] [, z]: the pointers in the same order.
    void* data[5];
    int n = 0;
    for (int i = 0; i < graph_->n_uids; ++i) {
      const int64_t u = graph_->uids[i];
      const void* p = u == kX ? a.x : u == kW ? a.w : u == kY ? a.y : u == kBias ? a.bias : a.z;
      data[n++] = const_cast<void*>(p);
    }
    void* ws = a.workspace;
    if ((st = cudnnBackendSetAttribute(pack, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64,
                                       n, graph_->uids)) != CUDNN_STATUS_SUCCESS ||
        (st = cudnnBackendSetAttribute(pack, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS,
                                       CUDNN_TYPE_VOID_PTR, n, data)) != CUDNN_STATUS_SUCCESS ||
        (st = cudnnBackendSetAttribute(pack, CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR,
                                       1, &ws)) != CUDNN_STATUS_SUCCESS ||
        (st = cudnnBackendFinalize(pack)) != CUDNN_STATUS_SUCCESS) {
      cudnnBackendDestroyDescriptor(pack);
      return st;
    }
    pack_ = pack;
    std::copy(ptrs, ptrs + 6, pack_ptrs_);
  }
  return cudnnBackendExecute(h, plan_, pack_);
}

}  // namespace aamp::cuda
