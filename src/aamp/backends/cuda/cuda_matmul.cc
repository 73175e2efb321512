// cuBLASLt kernels of MatMul and _FusedMatMul in float32, float16 and bfloat16 (float32
// accumulate and scale). Row-major C[M,N] = op(A) op(B) is computed as the column-major
// C^T = op(B)^T op(A)^T, so no operand is copied. fused_ops: BiasAdd (cuBLASLt BIAS epilogue),
// then optionally Relu (RELU_BIAS) or GeluApproximate (GELU_BIAS), or GeluExact / Relu6 /
// Sigmoid / Tanh (BIAS epilogue + one element-wise kernel). The heuristic's algorithm is cached
// per MatMulKey (dtype, shape, transposes, epilogue) for the process.
#include <cublasLt.h>

#include <mutex>
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
  bool has_post = false;
  Unary post = Unary::kRelu;
  int bias_arg = -1;  // data input index of the bias
};

const char* kSupportedFusions =
    "[], [BiasAdd], [BiasAdd, Relu], [BiasAdd, Relu6], [BiasAdd, Sigmoid], [BiasAdd, Tanh], "
    "[BiasAdd, GeluExact], [BiasAdd, GeluApproximate]";

// Parses fused_ops (through the shared CPU parser, which names unknown entries) and maps it to
// what the GPU runs; throws Error(kUnimplemented) naming the node for other combinations.
GpuEpilogue gpu_epilogue(const Node& n, int num_data_inputs) {
  using linalg::StepKind;
  const linalg::Epilogue e = linalg::parse_epilogue(n, 2, num_data_inputs);
  GpuEpilogue g;
  if (e.steps.empty()) return g;
  bool ok = e.steps[0].kind == StepKind::kBiasAdd && e.steps.size() <= 2;
  if (ok) {
    g.lt = CUBLASLT_EPILOGUE_BIAS;
    g.bias_arg = e.steps[0].arg;
  }
  if (ok && e.steps.size() == 2) {
    switch (e.steps[1].kind) {
      case StepKind::kRelu:
        g.lt = CUBLASLT_EPILOGUE_RELU_BIAS;
        break;
      case StepKind::kGeluApprox:
        g.lt = CUBLASLT_EPILOGUE_GELU_BIAS;
        break;
      case StepKind::kGeluExact:
        g.has_post = true, g.post = Unary::kGeluExact;
        break;
      case StepKind::kRelu6:
        g.has_post = true, g.post = Unary::kRelu6;
        break;
      case StepKind::kSigmoid:
        g.has_post = true, g.post = Unary::kSigmoid;
        break;
      case StepKind::kTanh:
        g.has_post = true, g.post = Unary::kTanh;
        break;
      default:
        ok = false;
    }
  }
  if (!ok) {
    std::string list;
    for (const std::string& s : n.find_attr("fused_ops")->get<AttrList>().s)
      list += (list.empty() ? "" : ", ") + s;
    throw Error(ErrorCode::kUnimplemented,
                n.describe() + ": fused_ops [" + list +
                    "] not supported on gpu (supported: " + kSupportedFusions + ")");
  }
  return g;
}

struct MatMulKey {
  DType t;
  int64_t m, n, k;
  bool ta, tb;
  cublasLtEpilogue_t epi;
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
    mix((x.ta ? 1u : 0u) | (x.tb ? 2u : 0u));
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
    workspace_ = workspace_of(stream_);
    const cudaDataType_t ct = cuda_type(t);
    check_lt(cublasLtMatmulDescCreate(&desc_, CUBLAS_COMPUTE_32F, CUDA_R_32F), "MatmulDescCreate");
    // cuBLASLt's first operand is our B, the second our A (see the file comment).
    const cublasOperation_t op_b = g.tb ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t op_a = g.ta ? CUBLAS_OP_T : CUBLAS_OP_N;
    set(CUBLASLT_MATMUL_DESC_TRANSA, op_b);
    set(CUBLASLT_MATMUL_DESC_TRANSB, op_a);
    set(CUBLASLT_MATMUL_DESC_EPILOGUE, epi_.lt);
    const uint64_t b_rows = static_cast<uint64_t>(g.tb ? k_ : n_);
    const uint64_t b_cols = static_cast<uint64_t>(g.tb ? n_ : k_);
    const uint64_t a_rows = static_cast<uint64_t>(g.ta ? m_ : k_);
    const uint64_t a_cols = static_cast<uint64_t>(g.ta ? k_ : m_);
    check_lt(cublasLtMatrixLayoutCreate(&lb_, ct, b_rows, b_cols, static_cast<int64_t>(b_rows)),
             "MatrixLayoutCreate");
    check_lt(cublasLtMatrixLayoutCreate(&la_, ct, a_rows, a_cols, static_cast<int64_t>(a_rows)),
             "MatrixLayoutCreate");
    check_lt(cublasLtMatrixLayoutCreate(&lc_, ct, static_cast<uint64_t>(n_),
                                        static_cast<uint64_t>(m_), n_),
             "MatrixLayoutCreate");
    if (epi_.bias_arg >= 0) {
      const auto& bs = init.inputs.at(static_cast<size_t>(epi_.bias_arg)).shape;
      AAMP_CHECK(bs.size() == 1 && bs[0] == n_, ErrorCode::kInvalidGraph,
                 nd.describe() + ": BiasAdd arg must be [" + std::to_string(n_) + "]");
    }
    algo_ = find_algo({t, m_, n_, k_, g.ta, g.tb, epi_.lt}, nd);
  }
  ~LtMatMulKernel() override {
    if (la_) cublasLtMatrixLayoutDestroy(la_);
    if (lb_) cublasLtMatrixLayoutDestroy(lb_);
    if (lc_) cublasLtMatrixLayoutDestroy(lc_);
    if (desc_) cublasLtMatmulDescDestroy(desc_);
  }

  void run(KernelContext& ctx) override {
    if (epi_.bias_arg >= 0) {
      const void* bias = ctx.inputs[static_cast<size_t>(epi_.bias_arg)].data;
      if (bias != bias_) {
        set(CUBLASLT_MATMUL_DESC_BIAS_POINTER, bias);
        bias_ = bias;
      }
    }
    const float alpha = 1.0f, beta = 0.0f;
    TensorView& y = ctx.outputs[0];
    check_lt(cublasLtMatmul(lt_handle(), desc_, &alpha, ctx.inputs[1].data, lb_, ctx.inputs[0].data,
                            la_, &beta, y.data, lc_, y.data, lc_, &algo_, workspace_,
                            kWorkspaceBytes, stream_of(ctx.stream)),
             "cublasLtMatmul");
    if (epi_.has_post)
      launch_unary(epi_.post, y.dtype, y.data, y.data, y.num_elements(), ctx.stream);
  }

 private:
  template <typename V>
  void set(cublasLtMatmulDescAttributes_t a, const V& v) {
    check_lt(cublasLtMatmulDescSetAttribute(desc_, a, &v, sizeof(v)), "MatmulDescSetAttribute");
  }

  cublasLtMatmulAlgo_t find_algo(const MatMulKey& key, const Node& nd) {
    static std::mutex mu;
    static auto* cache = new std::unordered_map<MatMulKey, cublasLtMatmulAlgo_t, MatMulKeyHash>();
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache->find(key); it != cache->end()) return it->second;
    cublasLtMatmulPreference_t pref = nullptr;
    check_lt(cublasLtMatmulPreferenceCreate(&pref), "MatmulPreferenceCreate");
    const uint64_t ws = kWorkspaceBytes;
    cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws,
                                         sizeof(ws));
    cublasLtMatmulHeuristicResult_t res{};
    int found = 0;
    const cublasStatus_t s = cublasLtMatmulAlgoGetHeuristic(lt_handle(), desc_, lb_, la_, lc_, lc_,
                                                            pref, 1, &res, &found);
    cublasLtMatmulPreferenceDestroy(pref);
    if (s != CUBLAS_STATUS_SUCCESS || found == 0)
      throw Error(
          ErrorCode::kUnimplemented,
          nd.describe() + ": cuBLASLt has no algorithm for " + dtype_name(key.t) + " [" +
              std::to_string(key.m) + "x" + std::to_string(key.k) + "] x [" +
              std::to_string(key.k) + "x" + std::to_string(key.n) + "]" +
              (s != CUBLAS_STATUS_SUCCESS ? std::string(" (") + cublasLtGetStatusString(s) + ")"
                                          : ""));
    cache->emplace(key, res.algo);
    return res.algo;
  }

  void* stream_;
  void* workspace_ = nullptr;
  int64_t m_ = 0, n_ = 0, k_ = 0;
  GpuEpilogue epi_;
  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t la_ = nullptr, lb_ = nullptr, lc_ = nullptr;
  cublasLtMatmulAlgo_t algo_{};
  const void* bias_ = nullptr;
};

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

cublasLtHandle_t lt_shared_handle() { return lt_handle(); }
void lt_check(cublasStatus_t s, const std::string& what) { check_lt(s, what); }
cudaDataType_t lt_data_type(DType t) { return cuda_type(t); }

}  // namespace aamp::cuda
