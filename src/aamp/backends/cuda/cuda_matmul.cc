// cuBLASLt kernels of MatMul and _FusedMatMul in float32, float16 and bfloat16 (float32
// accumulate and scale). Row-major C[M,N] = op(A) op(B) is computed as the column-major
// C^T = op(B)^T op(A)^T, so no operand is copied. fused_ops: BiasAdd (cuBLASLt BIAS epilogue),
// then optionally a residual Add (cuBLASLt's C with beta 1), then optionally Relu (RELU_BIAS) or
// GeluApproximate (GELU_BIAS), or any other activation of ops/epilogue.h (BIAS epilogue + one
// element-wise kernel). The fastest of the heuristic's candidates (timed once) is cached per
// MatMulKey (dtype, shape, transposes, epilogue) for the process.
#include <cublasLt.h>

#include <cstdlib>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/backends/cuda/cuda_common.h"
#include "aamp/backends/cuda/cuda_kernels.h"
#include "aamp/backends/cuda/cuda_lt.h"

namespace aamp::cuda {
namespace {

void check_lt(cublasStatus_t s, const std::string& what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw Error(ErrorCode::kInternal,
                "cuBLASLt " + what + " failed: " + cublasLtGetStatusString(s));
}

cublasLtHandle_t lt_handle() {
  static cublasLtHandle_t h = [] {
    cublasLtHandle_t x = nullptr;
    check_lt(cublasLtCreate(&x), "cublasLtCreate");
    return x;
  }();
  return h;
}

cudaDataType_t cuda_type(DType t) {
  switch (t) {
    case DType::kFloat:
      return CUDA_R_32F;
    case DType::kHalf:
      return CUDA_R_16F;
    case DType::kBFloat16:
      return CUDA_R_16BF;
    default:
      throw Error(ErrorCode::kUnimplemented, "no cuBLASLt type for " + dtype_name(t));
  }
}

// What follows the GEMM: the cuBLASLt epilogue and an optional element-wise kernel after it.
struct GpuEpilogue {
  cublasLtEpilogue_t lt = CUBLASLT_EPILOGUE_DEFAULT;
  bool has_post = false;  // an activation kernel after the GEMM
  EpilogueOp post = EpilogueOp::kRelu;
  ActParams post_params;
  int bias_arg = -1;  // data input index of the bias
  int add_arg = -1;   // data input index of the residual addend ([M, N], cuBLASLt's C, beta 1)
};

// Parses fused_ops (ops/epilogue.h's parser names unknown entries) and maps it to
// what the GPU runs; throws Error(kUnimplemented) naming the node for other combinations.
GpuEpilogue gpu_epilogue(const Node& n, int num_data_inputs) {
  const Epilogue e = parse_epilogue(n, kFirstEpilogueArg, num_data_inputs);
  GpuEpilogue g;
  if (e.steps.empty()) return g;
  bool ok = e.steps[0].kind == EpilogueOp::kBiasAdd;
  size_t next = 1;
  if (ok) {
    g.lt = CUBLASLT_EPILOGUE_BIAS;
    g.bias_arg = e.steps[0].arg;
    if (e.steps.size() > 1 && e.steps[1].kind == EpilogueOp::kAdd)
      g.add_arg = e.steps[1].arg, ++next;
  }
  ok = ok && e.steps.size() <= next + 1;
  if (ok && e.steps.size() == next + 1) {
    // cuBLASLt's own epilogues where it has one, else any activation as a kernel after it.
    const EpilogueOp k = e.steps[next].kind;
    if (k == EpilogueOp::kRelu)
      g.lt = CUBLASLT_EPILOGUE_RELU_BIAS;
    else if (k == EpilogueOp::kGeluApprox)
      g.lt = CUBLASLT_EPILOGUE_GELU_BIAS;
    else if (is_activation(k))
      g.has_post = true, g.post = k, g.post_params = e.act;
    else
      ok = false;
  }
  if (!ok)
    throw Error(ErrorCode::kUnimplemented,
                n.describe() + ": fused_ops " + fused_ops_text(n) +
                    " not supported on gpu (supported: [], [BiasAdd], [BiasAdd, Add] with a "
                    "residual of the output's shape, each followed by at most one of " +
                    epilogue_activation_names() + ")");
  return g;
}

struct MatMulKey {
  DType t;
  int64_t m, n, k;
  bool ta, tb;
  cublasLtEpilogue_t epi;
  bool add;  // beta 1 (residual addend)
  bool operator==(const MatMulKey&) const = default;
};

struct MatMulKeyHash {
  size_t operator()(const MatMulKey& x) const {
    size_t h = std::hash<int64_t>()(x.m);
    auto mix = [&](size_t v) { h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); };
    mix(std::hash<int64_t>()(x.n));
    mix(std::hash<int64_t>()(x.k));
    mix(static_cast<size_t>(x.t));
    mix(static_cast<size_t>(x.epi));
    mix((x.ta ? 1u : 0u) | (x.tb ? 2u : 0u) | (x.add ? 4u : 0u));
    return h;
  }
};

class LtMatMulKernel : public Kernel {
 public:
  explicit LtMatMulKernel(const KernelInit& init) : stream_(init.stream) {
    const Node& nd = *init.node;
    AAMP_CHECK(init.inputs.size() >= 2 && init.inputs[0].shape.size() == 2 &&
                   init.inputs[1].shape.size() == 2,
               ErrorCode::kUnimplemented, nd.describe() + ": the GPU MatMul takes 2-D operands");
    const DType t = init.inputs[0].dtype;
    AAMP_CHECK(init.inputs[1].dtype == t && init.outputs.at(0).dtype == t,
               ErrorCode::kUnimplemented, nd.describe() + ": mixed dtypes");
    const linalg::MatMulGeom g =
        linalg::matmul_geom(nd, init.inputs[0].shape, init.inputs[1].shape);
    if (nd.op == "_FusedMatMul") epi_ = gpu_epilogue(nd, static_cast<int>(init.inputs.size()));
    m_ = g.m, n_ = g.n, k_ = g.k;
    AAMP_CHECK(m_ > 0 && n_ > 0 && k_ > 0, ErrorCode::kUnimplemented,
               nd.describe() + ": empty matmul");
    gemm_.emplace(t, m_, n_, k_, g.ta, g.tb);
    gemm_->set(CUBLASLT_MATMUL_DESC_EPILOGUE, epi_.lt);
    if (epi_.bias_arg >= 0) {
      const auto& bs = init.inputs.at(static_cast<size_t>(epi_.bias_arg)).shape;
      AAMP_CHECK(bs.size() == 1 && bs[0] == n_, ErrorCode::kInvalidGraph,
                 nd.describe() + ": BiasAdd arg must be [" + std::to_string(n_) + "]");
    }
    if (epi_.add_arg >= 0) {
      const TensorDesc& a = init.inputs.at(static_cast<size_t>(epi_.add_arg));
      AAMP_CHECK(a.shape == init.outputs.at(0).shape && a.dtype == t, ErrorCode::kUnimplemented,
                 nd.describe() + ": on gpu the fused Add needs an addend of the output's shape [" +
                     std::to_string(m_) + ", " + std::to_string(n_) + "] and dtype");
    }
    algo_ = find_algo({t, m_, n_, k_, g.ta, g.tb, epi_.lt, epi_.add_arg >= 0}, nd);
    workspace_ = algo_.workspace ? workspace_of(stream_, algo_.workspace) : nullptr;
  }
  // The output may overwrite the residual addend (cuBLASLt reads C before writing D per tile).
  std::vector<std::pair<int, int>> inplace_pairs() const override {
    if (epi_.add_arg < 0) return {};
    return {{0, epi_.add_arg}};
  }

  void run(KernelContext& ctx) override {
    if (epi_.bias_arg >= 0) {
      const void* bias = ctx.inputs[static_cast<size_t>(epi_.bias_arg)].data;
      if (bias != bias_) {
        gemm_->set(CUBLASLT_MATMUL_DESC_BIAS_POINTER, bias);
        bias_ = bias;
      }
    }
    // D = epilogue(A B + beta C + bias): C is the residual addend (or unused with beta 0).
    const float alpha = 1.0f, beta = epi_.add_arg >= 0 ? 1.0f : 0.0f;
    TensorView& y = ctx.outputs[0];
    const void* c = epi_.add_arg >= 0 ? ctx.inputs[static_cast<size_t>(epi_.add_arg)].data : y.data;
    gemm_->run(ctx.inputs[0].data, ctx.inputs[1].data, c, y.data, alpha, beta, algo_, workspace_,
               ctx.stream, "cublasLtMatmul");
    if (epi_.has_post)
      launch_activation(epi_.post, epi_.post_params, y.dtype, y.data, y.data, y.num_elements(),
                        ctx.stream);
  }

 private:
  LtChoice find_algo(const MatMulKey& key, const Node& nd) {
    static std::mutex mu;
    static auto* cache = new std::unordered_map<MatMulKey, LtChoice, MatMulKeyHash>();
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache->find(key); it != cache->end()) return it->second;
    LtProblem p = gemm_->problem();
    p.bias_bytes = epi_.bias_arg >= 0 ? static_cast<size_t>(key.n) * dtype_size(key.t) : 0;
    p.beta = key.add ? 1.0f : 0.0f;
    const LtChoice c =
        lt_choose(p, stream_,
                  nd.describe() + ": cuBLASLt has no algorithm for " + dtype_name(key.t) + " [" +
                      std::to_string(key.m) + "x" + std::to_string(key.k) + "] x [" +
                      std::to_string(key.k) + "x" + std::to_string(key.n) + "]");
    bias_ = nullptr;  // the search pointed the bias at scratch; run() sets the real one
    cache->emplace(key, c);
    return c;
  }

  void* stream_;
  void* workspace_ = nullptr;
  int64_t m_ = 0, n_ = 0, k_ = 0;
  GpuEpilogue epi_;
  std::optional<LtGemm> gemm_;
  LtChoice algo_;
  const void* bias_ = nullptr;
};

}  // namespace

LtChoice lt_choose(const LtProblem& p, void* stream, const std::string& what) {
  cublasLtMatmulPreference_t pref = nullptr;
  check_lt(cublasLtMatmulPreferenceCreate(&pref), "MatmulPreferenceCreate");
  const uint64_t ws_max = kWorkspaceBytes;
  cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws_max,
                                       sizeof(ws_max));
  // How many of the heuristic's candidates are timed: AAMP_CUBLASLT_CANDIDATES (1 to 32).
  constexpr int kMaxCandidates = 32;
  static const int candidates = [] {
    const char* e = std::getenv("AAMP_CUBLASLT_CANDIDATES");
    const int n = e ? std::atoi(e) : 8;
    return n < 1 ? 1 : (n > kMaxCandidates ? kMaxCandidates : n);
  }();
  cublasLtMatmulHeuristicResult_t res[kMaxCandidates] = {};
  int found = 0;
  const cublasStatus_t s = cublasLtMatmulAlgoGetHeuristic(lt_handle(), p.desc, p.a, p.b, p.c, p.c,
                                                          pref, candidates, res, &found);
  cublasLtMatmulPreferenceDestroy(pref);
  if (s != CUBLAS_STATUS_SUCCESS || found == 0)
    throw Error(
        ErrorCode::kUnimplemented,
        what + (s != CUBLAS_STATUS_SUCCESS ? std::string(" (") + cublasLtGetStatusString(s) + ")"
                                           : std::string()));
  const char* env = std::getenv("AAMP_CUBLASLT_AUTOTUNE");
  if (found == 1 || (env && std::string(env) == "0")) return {res[0].algo, res[0].workspaceSize};
  // Zeroed scratch operands and a full-size workspace for the trial runs.
  auto align = [](size_t x) { return (x + 255) / 256 * 256; };
  const size_t total = align(p.a_bytes) + align(p.b_bytes) + align(p.c_bytes) +
                       align(p.bias_bytes) + kWorkspaceBytes;
  uint8_t* scratch = static_cast<uint8_t*>(device_malloc(total));
  uint8_t* a = scratch;
  uint8_t* b = a + align(p.a_bytes);
  uint8_t* c = b + align(p.b_bytes);
  uint8_t* bias = c + align(p.c_bytes);
  uint8_t* ws = bias + align(p.bias_bytes);
  cudaStream_t st = stream_of(stream);
  cudaEvent_t e0 = nullptr, e1 = nullptr;
  int best = 0;
  try {
    check(cudaMemsetAsync(scratch, 0, total, st), "cudaMemsetAsync");
    check(cudaEventCreate(&e0), "cudaEventCreate");
    check(cudaEventCreate(&e1), "cudaEventCreate");
    if (p.bias_bytes) {
      const void* bp = bias;
      check_lt(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bp,
                                              sizeof(bp)),
               "MatmulDescSetAttribute");
    }
    float best_ms = -1;
    for (int i = 0; i < found; ++i) {
      auto launch = [&] {
        return cublasLtMatmul(lt_handle(), p.desc, &p.alpha, a, p.a, b, p.b, &p.beta, c, p.c, c,
                              p.c, &res[i].algo, ws, kWorkspaceBytes, st);
      };
      if (launch() != CUBLAS_STATUS_SUCCESS) continue;  // warm-up; skip what cannot run
      constexpr int kReps = 5;
      check(cudaEventRecord(e0, st), "cudaEventRecord");
      for (int r = 0; r < kReps; ++r) launch();
      check(cudaEventRecord(e1, st), "cudaEventRecord");
      check(cudaEventSynchronize(e1), "cudaEventSynchronize");
      float ms = 0;
      check(cudaEventElapsedTime(&ms, e0, e1), "cudaEventElapsedTime");
      if (best_ms < 0 || ms < best_ms) best = i, best_ms = ms;
    }
  } catch (...) {
    if (e0) cudaEventDestroy(e0);
    if (e1) cudaEventDestroy(e1);
    cudaStreamSynchronize(st);
    device_free(scratch);
    throw;
  }
  cudaEventDestroy(e0);
  cudaEventDestroy(e1);
  cudaStreamSynchronize(st);
  device_free(scratch);
  return {res[best].algo, res[best].workspaceSize};
}

namespace {

const bool kRegistered = [] {
  for (const char* op : {"MatMul", "_FusedMatMul"})
    add_gpu(op, gpu_float_types(),
            [](const KernelInit& i) { return std::make_unique<LtMatMulKernel>(i); });
  // fused_ops the GPU cannot run are reported when the Session is created.
  KernelRegistry::global().add_check("_FusedMatMul", DeviceKind::kGPU,
                                     [](const Node& n) { gpu_epilogue(n, n.num_data_inputs()); });
  return true;
}();

}  // namespace

LtGemm::LtGemm(DType t, int64_t m, int64_t n, int64_t k, bool ta, bool tb, int64_t count,
               int64_t stride_a, int64_t stride_b)
    : t_(t), m_(m), n_(n), k_(k), count_(count), stride_a_(stride_a), stride_b_(stride_b) {
  const cudaDataType_t ct = cuda_type(t);
  // A layout of `rows` x `cols` (column-major, packed), batched `stride` apart.
  auto layout = [&](cublasLtMatrixLayout_t* l, int64_t rows, int64_t cols, int64_t stride) {
    check_lt(cublasLtMatrixLayoutCreate(l, ct, static_cast<uint64_t>(rows),
                                        static_cast<uint64_t>(cols), rows),
             "MatrixLayoutCreate");
    if (count_ == 1) return;
    const auto batch = static_cast<int32_t>(count_);
    check_lt(cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &batch,
                                              sizeof(batch)),
             "MatrixLayoutSetAttribute");
    check_lt(cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                                              &stride, sizeof(stride)),
             "MatrixLayoutSetAttribute");
  };
  try {
    check_lt(cublasLtMatmulDescCreate(&desc_, CUBLAS_COMPUTE_32F, CUDA_R_32F), "MatmulDescCreate");
    set(CUBLASLT_MATMUL_DESC_TRANSA, tb ? CUBLAS_OP_T : CUBLAS_OP_N);
    set(CUBLASLT_MATMUL_DESC_TRANSB, ta ? CUBLAS_OP_T : CUBLAS_OP_N);
    layout(&lb_, tb ? k : n, tb ? n : k, stride_b);
    layout(&la_, ta ? m : k, ta ? k : m, stride_a);
    layout(&lc_, n, m, m * n);
  } catch (...) {
    destroy();
    throw;
  }
}

LtGemm::~LtGemm() { destroy(); }

void LtGemm::destroy() {
  for (cublasLtMatrixLayout_t* l : {&la_, &lb_, &lc_}) {
    if (*l) cublasLtMatrixLayoutDestroy(*l);
    *l = nullptr;
  }
  if (desc_) cublasLtMatmulDescDestroy(desc_);
  desc_ = nullptr;
}

LtProblem LtGemm::problem() const {
  const size_t es = dtype_size(t_);
  // Bytes an operand spans: its last matrix starts (count - 1) * stride elements in.
  auto span = [&](int64_t rows, int64_t cols, int64_t stride) {
    return static_cast<size_t>(rows * cols + (count_ - 1) * stride) * es;
  };
  LtProblem p{desc_, lb_, la_, lc_};
  p.a_bytes = span(k_, n_, stride_b_);  // cuBLASLt's A is our B
  p.b_bytes = span(m_, k_, stride_a_);
  p.c_bytes = span(m_, n_, m_ * n_);
  return p;
}

void LtGemm::run(const void* a, const void* b, const void* c, void* d, float alpha, float beta,
                 const LtChoice& algo, void* workspace, void* stream, const char* what) const {
  check_lt(cublasLtMatmul(lt_handle(), desc_, &alpha, b, lb_, a, la_, &beta, c, lc_, d, lc_,
                          &algo.algo, workspace, algo.workspace, stream_of(stream)),
           what);
}

void lt_check(cublasStatus_t s, const std::string& what) { check_lt(s, what); }

}  // namespace aamp::cuda
