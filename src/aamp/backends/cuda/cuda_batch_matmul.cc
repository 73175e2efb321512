// cuBLASLt kernels of BatchMatMul, BatchMatMulV2 and _AampFusedBatchMatMulV2 in float32, float16
// and bfloat16 (float32 accumulate): one strided batched GEMM, row-major C = op(A) op(B) computed
// as the column-major C^T = op(B)^T op(A)^T like cuda_matmul.cc. Batch dims broadcast where one
// operand has them all 1 (stride 0; a broadcast B under an untransposed A folds the batch into
// M: one plain GEMM); other broadcast patterns are refused by `supports`. fused_ops: a leading
// Mul by a constant scalar becomes the GEMM's alpha; later Mul / Add / BiasAdd steps and the
// activations run as element-wise kernels on the output, in order. The fastest of cuBLASLt's
// candidates (lt_choose) is cached per typed key for the process. run() neither allocates nor
// synchronizes.
#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/backends/cuda/cuda_common.h"
#include "aamp/backends/cuda/cuda_kernels.h"
#include "aamp/backends/cuda/cuda_lt.h"

namespace aamp::cuda {
namespace {

// One element-wise step after the GEMM, in place on the output.
struct PostStep {
  bool binary = false;
  Binary b = Binary::kAdd;
  EpilogueOp act = EpilogueOp::kRelu;
  ActParams params;
  int arg = -1;
  std::unique_ptr<BroadcastIndex> bc;  // nullptr: the arg has the output's shape
};

// Throws Error(kUnimplemented) naming the node when a fused_ops entry has no GPU form.
Epilogue gpu_bmm_epilogue(const Node& n, int num_data_inputs) {
  Epilogue e;
  if (n.op == "_AampFusedBatchMatMulV2") e = parse_epilogue(n, kFirstEpilogueArg, num_data_inputs);
  for (const EpilogueStep& s : e.steps) {
    const bool ok = s.kind == EpilogueOp::kMul || s.kind == EpilogueOp::kAdd ||
                    s.kind == EpilogueOp::kBiasAdd || is_activation(s.kind);
    if (!ok)
      throw Error(ErrorCode::kUnimplemented,
                  n.describe() + ": fused_ops " + fused_ops_text(n) +
                      " not supported on gpu (supported: " +
                      epilogue_op_names({EpilogueOp::kMul, EpilogueOp::kAdd, EpilogueOp::kBiasAdd}) +
                      ", " + epilogue_activation_names() + ")");
  }
  return e;
}

// Broadcast of `arg` against `out` for an in-place binary step (nullptr when shapes match).
std::unique_ptr<BroadcastIndex> broadcast_of(const std::vector<int64_t>& arg,
                                             const std::vector<int64_t>& out) {
  if (arg == out) return nullptr;
  auto bc = std::make_unique<BroadcastIndex>();
  const size_t r = out.size();
  bc->rank = static_cast<int>(r);
  int64_t sa = 1, sb = 1;
  for (size_t k = r; k-- > 0;) {
    bc->out[k] = out[k];
    bc->a_stride[k] = sa;
    sa *= out[k];
    const size_t off = r - arg.size();
    const int64_t d = k >= off ? arg[k - off] : 1;
    bc->b_stride[k] = d == 1 ? 0 : sb;
    sb *= d;
  }
  return bc;
}

// How a BatchMatMul maps to one cuBLASLt call.
struct BatchPlan {
  int64_t m = 0, n = 0, k = 0;
  bool ta = false, tb = false;
  int64_t count = 1;                   // batch count of the call
  int64_t stride_a = 0, stride_b = 0;  // element strides between batch entries (0: broadcast)
  bool ok = false;
};

BatchPlan batch_plan(const Node& nd, const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  const linalg::MatMulGeom g = linalg::matmul_geom(nd, a, b);
  BatchPlan p;
  p.m = g.m, p.n = g.n, p.k = g.k, p.ta = g.ta, p.tb = g.tb;
  const int64_t total = g.batch_size();
  bool a_full = true, a_one = true, b_full = true, b_one = true;
  for (size_t i = 0; i < g.batch.size(); ++i) {
    a_full &= g.a_batch[i] == g.batch[i];
    a_one &= g.a_batch[i] == 1;
    b_full &= g.b_batch[i] == g.batch[i];
    b_one &= g.b_batch[i] == 1;
  }
  if (!(a_full || a_one) || !(b_full || b_one)) return p;  // mixed broadcast: refused
  p.ok = true;
  if (b_one && !g.ta) {  // [batch * M, K] x [K, N]: one GEMM
    p.m = g.m * total;
    return p;
  }
  p.count = total;
  p.stride_a = a_one ? 0 : g.m * g.k;
  p.stride_b = b_one ? 0 : g.k * g.n;
  return p;
}

using AlgoKey = std::array<int64_t, 9>;

class LtBatchMatMulKernel : public Kernel {
 public:
  explicit LtBatchMatMulKernel(const KernelInit& init) : stream_(init.stream) {
    const Node& nd = *init.node;
    const DType t = init.inputs.at(0).dtype;
    const std::vector<int64_t>& out = init.outputs.at(0).shape;
    p_ = batch_plan(nd, init.inputs[0].shape, init.inputs.at(1).shape);
    AAMP_CHECK(p_.ok, ErrorCode::kUnimplemented,
               nd.describe() + ": batch dims broadcast in a way one strided GEMM cannot express");
    const Epilogue e = gpu_bmm_epilogue(nd, static_cast<int>(init.inputs.size()));
    for (size_t i = 0; i < e.steps.size(); ++i) {
      const EpilogueStep& s = e.steps[i];
      const auto arg = static_cast<size_t>(s.arg);
      if (i == 0 && s.kind == EpilogueOp::kMul && arg < init.const_inputs.size() &&
          init.const_inputs[arg] && init.const_inputs[arg]->num_elements() == 1) {
        std::vector<float> v;
        linalg::to_floats(*init.const_inputs[arg], v);
        alpha_ = v.at(0);
        continue;
      }
      PostStep ps;
      if (is_activation(s.kind)) {
        ps.act = s.kind;
        ps.params = e.act;
      } else {
        ps.binary = true;
        ps.b = s.kind == EpilogueOp::kMul ? Binary::kMul : Binary::kAdd;
        ps.arg = s.arg;
        ps.bc = broadcast_of(init.inputs.at(arg).shape, out);
      }
      post_.push_back(std::move(ps));
    }
    gemm_.emplace(t, p_.m, p_.n, p_.k, p_.ta, p_.tb, p_.count, p_.stride_a, p_.stride_b);
    algo_ = find_algo({static_cast<int64_t>(t), p_.m, p_.n, p_.k, p_.ta, p_.tb, p_.count,
                       p_.stride_a, p_.stride_b},
                      nd);
    workspace_ = algo_.workspace ? workspace_of(stream_, algo_.workspace) : nullptr;
  }
  void run(KernelContext& ctx) override {
    TensorView& y = ctx.outputs[0];
    gemm_->run(ctx.inputs[0].data, ctx.inputs[1].data, y.data, y.data, alpha_, 0.0f, algo_,
               workspace_, ctx.stream, "cublasLtMatmul (batched)");
    const int64_t n = y.num_elements();
    for (const PostStep& s : post_) {
      if (s.binary)
        launch_binary(s.b, y.dtype, y.data, ctx.inputs[static_cast<size_t>(s.arg)].data, y.data, n,
                      s.bc.get(), ctx.stream);
      else
        launch_activation(s.act, s.params, y.dtype, y.data, y.data, n, ctx.stream);
    }
  }

 private:
  LtChoice find_algo(const AlgoKey& key, const Node& nd) {
    static std::mutex mu;
    static auto* cache = new std::map<AlgoKey, LtChoice>();
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache->find(key); it != cache->end()) return it->second;
    LtProblem lp = gemm_->problem();
    lp.alpha = alpha_;
    const LtChoice c =
        lt_choose(lp, stream_,
                  nd.describe() + ": cuBLASLt has no algorithm for " +
                      dtype_name(static_cast<DType>(key[0])) + " " + std::to_string(p_.count) +
                      " x [" + std::to_string(p_.m) + "x" + std::to_string(p_.k) + "] x [" +
                      std::to_string(p_.k) + "x" + std::to_string(p_.n) + "]");
    cache->emplace(key, c);
    return c;
  }

  void* stream_;
  void* workspace_ = nullptr;
  BatchPlan p_;
  float alpha_ = 1.0f;
  std::vector<PostStep> post_;
  std::optional<LtGemm> gemm_;
  LtChoice algo_;
};

bool bmm_supported(const KernelInit& i) {
  if (i.inputs.size() < 2 || i.outputs.size() != 1) return false;
  const DType t = i.inputs[0].dtype;
  for (const TensorDesc& d : i.inputs)
    if (d.dtype != t) return false;
  if (i.outputs[0].dtype != t || i.outputs[0].shape.size() > static_cast<size_t>(kMaxRank))
    return false;
  try {
    const BatchPlan p = batch_plan(*i.node, i.inputs[0].shape, i.inputs[1].shape);
    gpu_bmm_epilogue(*i.node, static_cast<int>(i.inputs.size()));
    return p.ok && p.m > 0 && p.n > 0 && p.k > 0 && p.count <= INT32_MAX;
  } catch (const Error&) {
    return false;
  }
}

const bool kRegistered = [] {
  for (const char* op : {"BatchMatMul", "BatchMatMulV2", "_AampFusedBatchMatMulV2"})
    add_gpu(
        op, gpu_float_types(),
        [](const KernelInit& i) { return std::make_unique<LtBatchMatMulKernel>(i); },
        bmm_supported);
  // fused_ops the GPU cannot run are reported when the Session is created.
  KernelRegistry::global().add_check(
      "_AampFusedBatchMatMulV2", DeviceKind::kGPU,
      [](const Node& n) { gpu_bmm_epilogue(n, n.num_data_inputs()); });
  return true;
}();

}  // namespace
}  // namespace aamp::cuda
