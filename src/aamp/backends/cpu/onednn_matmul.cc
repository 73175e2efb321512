// oneDNN kernels for MatMul, _FusedMatMul, BatchMatMul, BatchMatMulV2 and
// _AampFusedBatchMatMulV2. A constant B is packed once into oneDNN's preferred layout; a
// BatchMatMul whose B has no batch dims is run as one 2-D matmul over the flattened batch.
// A PReLU and the steps after it run as a TailEpilogue (onednn_tail.h).
// A folded input cast (KernelInit::cast_from: a float32 graph input read by a bfloat16 / float16
// MatMul) runs as CastMatMulKernel: blocks of rows converted into a small buffer, each multiplied
// by a kernel made for that block, so the low-precision copy of the whole input never exists.
#include <algorithm>
#include <memory>

#include "aamp/backends/cpu/onednn_common.h"
#include "aamp/backends/cpu/onednn_tail.h"
#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"
#include "aamp/ops/attrs.h"
#include "aamp/ops/epilogue.h"
#include "aamp/runtime/thread_pool.h"

namespace aamp::onednn {
namespace {

class MatMulKernel : public PrimitiveKernel {
 public:
  MatMulKernel(const KernelInit& init, bool probe) : PrimitiveKernel(init) {
    const Node& n = *init.node;
    AAMP_CHECK(init.inputs.size() >= 2 && !init.outputs.empty(), ErrorCode::kInvalidGraph,
               n.describe() + ": needs two inputs");
    const DType t = init.inputs[0].dtype;
    AAMP_CHECK(init.inputs[1].dtype == t && init.outputs[0].dtype == t, ErrorCode::kUnimplemented,
               n.describe() + ": mixed dtypes");
    const memory::data_type mt = dt(t);
    const linalg::MatMulGeom g = linalg::matmul_geom(n, init.inputs[0].shape, init.inputs[1].shape);
    Epilogue ep;
    if (n.op == "_FusedMatMul" || n.op == "_AampFusedBatchMatMulV2")
      ep = parse_epilogue(n, kFirstEpilogueArg, static_cast<int>(init.inputs.size()));
    AAMP_CHECK(g.m > 0 && g.n > 0 && g.k > 0 && g.batch_size() > 0, ErrorCode::kUnimplemented,
               n.describe() + ": empty matmul");

    const size_t r = g.batch.size();
    bool b_no_batch = true, broadcast_args = false;
    for (int64_t d : g.b_batch) b_no_batch &= d == 1;
    for (const auto& s : ep.steps)
      broadcast_args |= s.kind == EpilogueOp::kAdd || s.kind == EpilogueOp::kMul;
    memory::dims adims, astr, bdims, bstr, ddims;
    if (r == 0 || (b_no_batch && g.a_batch == g.batch && !g.ta && !broadcast_args)) {
      const int64_t rows = g.batch_size() * g.m;
      adims = {rows, g.k};
      astr = g.ta ? memory::dims{1, g.m} : memory::dims{g.k, 1};
      bdims = {g.k, g.n};
      bstr = g.tb ? memory::dims{1, g.k} : memory::dims{g.n, 1};
      ddims = {rows, g.n};
    } else {
      auto operand = [&](const std::vector<int64_t>& batch, int64_t rows, int64_t cols, bool t,
                         memory::dims& dims, memory::dims& strides) {
        memory::dims phys(batch.begin(), batch.end());
        phys.push_back(t ? cols : rows);
        phys.push_back(t ? rows : cols);
        strides = row_major(phys);
        if (t) std::swap(strides[r], strides[r + 1]);
        dims.assign(batch.begin(), batch.end());
        dims.push_back(rows);
        dims.push_back(cols);
      };
      operand(g.a_batch, g.m, g.k, g.ta, adims, astr);
      operand(g.b_batch, g.k, g.n, g.tb, bdims, bstr);
      ddims.assign(g.batch.begin(), g.batch.end());
      ddims.push_back(g.m);
      ddims.push_back(g.n);
    }
    const memory::desc a_md(adims, mt, astr);
    const memory::desc d_md(ddims, mt, row_major(ddims));
    const Tensor* b_const = init.const_inputs.size() > 1 ? init.const_inputs[1] : nullptr;
    const memory::desc b_md =
        b_const ? memory::desc(bdims, mt, memory::format_tag::any) : memory::desc(bdims, mt, bstr);
    // oneDNN 2.6's reference matmul, the only one with a PReLU post-op, fails to execute it.
    Epilogue head = ep;
    if (TailEpilogue::split(head, init, tail_)) channels_ = g.n;
    for (const EpilogueStep& s : head.steps)
      AAMP_CHECK(s.kind != EpilogueOp::kPrelu, ErrorCode::kUnimplemented,
                 n.describe() + ": oneDNN cannot run fused_ops " + fused_ops_text(n) +
                     " (a PReLU followed by Add, Mul or FusedBatchNorm)");
    epi_ = std::make_unique<EpilogueBuilder>(head, init, ddims, static_cast<int>(ddims.size()) - 1,
                                             std::vector<int>{});
    const dnnl::matmul::desc desc = epi_->has_bias()
                                        ? dnnl::matmul::desc(a_md, b_md, epi_->bias_desc(), d_md)
                                        : dnnl::matmul::desc(a_md, b_md, d_md);
    const dnnl::matmul::primitive_desc pd(desc, epi_->attr(), engine());
    if (probe) return;

    prim_ = dnnl::matmul(pd);
    bind(DNNL_ARG_SRC, a_md, Source::kInput, 0);
    if (b_const)
      bind_fixed(DNNL_ARG_WEIGHTS, pack_const(*b_const, bdims, bstr, pd.weights_desc()));
    else
      bind(DNNL_ARG_WEIGHTS, b_md, Source::kInput, 1);
    if (epi_->has_bias()) bind(DNNL_ARG_BIAS, epi_->bias_desc(), Source::kInput, epi_->bias_arg());
    bind(DNNL_ARG_DST, d_md, Source::kOutput, 0);
    epi_->bind([this](int arg, const memory::desc& md, int i) { bind(arg, md, Source::kInput, i); },
               [this](int arg, const memory& m) { bind_fixed(arg, m); });
  }

  void run(KernelContext& ctx) override {
    PrimitiveKernel::run(ctx);
    if (!tail_.empty()) tail_.apply(ctx, channels_, 1);
  }

 protected:
  void prepare(KernelContext& ctx) override {
    if (epi_->needs_prepare()) epi_->prepare(ctx);
  }

 private:
  std::unique_ptr<EpilogueBuilder> epi_;
  TailEpilogue tail_;
  int64_t channels_ = 1;
};

// Rows per block of a folded input cast: about 256 KiB of converted input.
int64_t cast_block_rows(int64_t k, DType t) {
  return std::max<int64_t>(1, (int64_t{256} << 10) / std::max<int64_t>(k * dtype_size(t), 1));
}

// The init of a block of `rows` rows of a 2-D MatMul whose input 0 is cast by the kernel.
KernelInit block_init(const KernelInit& init, int64_t rows) {
  KernelInit b = init;
  b.cast_from.clear();
  b.inputs[0].shape[0] = rows;
  b.outputs[0].shape[0] = rows;
  return b;
}

// MatMul / _FusedMatMul reading a float32 input as its low-precision A: 2-D, A not transposed,
// an epilogue of bias and activations only (row-independent), so that blocks of rows multiply
// independently. One kernel serves every block: the last block ends at the last row and may
// overlap the one before it, whose rows it recomputes to the same values.
class CastMatMulKernel : public Kernel {
 public:
  CastMatMulKernel(const KernelInit& init, bool probe) {
    const Node& n = *init.node;
    AAMP_CHECK(init.cast_from.size() >= 1 && init.cast_from[0] == DType::kFloat &&
                   !(init.cast_from.size() > 1 && init.cast_from[1] != DType::kInvalid),
               ErrorCode::kUnimplemented, n.describe() + ": folds a float32 input 0 only");
    AAMP_CHECK(init.inputs[0].shape.size() == 2 && !op_attr_bool(n, "transpose_a"),
               ErrorCode::kUnimplemented, n.describe() + ": folds the cast of a 2-D A only");
    if (n.op == "_FusedMatMul")
      for (const EpilogueStep& s :
           parse_epilogue(n, kFirstEpilogueArg, static_cast<int>(init.inputs.size())).steps)
        AAMP_CHECK(is_activation(s.kind) || epilogue_op_def(s.kind).per_channel_only,
                   ErrorCode::kUnimplemented,
                   n.describe() + ": an epilogue whose args may vary by row does not fold a cast");
    t_ = init.inputs[0].dtype;
    rows_ = init.inputs[0].shape[0];
    k_ = init.inputs[0].shape[1];
    block_ = std::min(rows_, cast_block_rows(k_, t_));
    block_kernel_ = std::make_unique<MatMulKernel>(block_init(init, block_), probe);
    if (!probe) buf_.resize(static_cast<size_t>(block_ * k_) * dtype_size(t_));
  }

  void run(KernelContext& ctx) override {
    const TensorView& a = ctx.inputs[0];
    const TensorView& y = ctx.outputs[0];
    const size_t row_bytes = static_cast<size_t>(y.shape[1]) * dtype_size(y.dtype);
    for (int64_t start = 0; start < rows_; start += block_) {
      const int64_t r0 = std::min(start, rows_ - block_);
      const int64_t rows = block_;
      const float* src = a.as<float>() + r0 * k_;
      dispatch_float(t_, [&](auto tag) {
        using T = typename decltype(tag)::type;
        T* dst = reinterpret_cast<T*>(buf_.data());
        parallel_for(rows * k_, 1 << 14, ctx.threads, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) dst[i] = from_float<T>(src[i]);
        });
      });
      KernelContext sub = ctx;
      sub.inputs[0] = {t_, {rows, k_}, buf_.data(), nullptr};
      sub.outputs[0] = {
          y.dtype, {rows, y.shape[1]}, static_cast<uint8_t*>(y.data) + r0 * row_bytes, nullptr};
      block_kernel_->run(sub);
    }
  }

 private:
  DType t_ = DType::kBFloat16;
  int64_t rows_ = 0, k_ = 0, block_ = 1;
  std::unique_ptr<MatMulKernel> block_kernel_;
  std::vector<uint8_t> buf_;
};

std::unique_ptr<Kernel> make_matmul(const KernelInit& i, bool probe) {
  if (i.has_cast_from()) return std::make_unique<CastMatMulKernel>(i, probe);
  return std::make_unique<MatMulKernel>(i, probe);
}

const bool kRegistered = register_kernels([] {
  for (const char* op :
       {"MatMul", "_FusedMatMul", "BatchMatMul", "BatchMatMulV2", "_AampFusedBatchMatMulV2"}) {
    const bool two_d = std::string(op) == "MatMul" || std::string(op) == "_FusedMatMul";
    register_onednn(
        op, [](const KernelInit& i) { make_matmul(i, true); },
        [](const KernelInit& i) { return make_matmul(i, false); }, two_d);
  }
});

}  // namespace
}  // namespace aamp::onednn
