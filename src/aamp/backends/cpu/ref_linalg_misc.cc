// Reference kernels (plain loops, float32) for MaxPool, AvgPool, Softmax and
// FusedBatchNorm / FusedBatchNormV2 / FusedBatchNormV3.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/core/error.h"
#include "aamp/ops/activation.h"
#include "aamp/ops/attrs.h"
#include "aamp/ops/pool_window.h"

namespace aamp {
namespace {

using linalg::Conv2DGeom;

// Flat index of (b, h, w, c) in NHWC or NCHW.
inline int64_t at4(bool nchw, int64_t b, int64_t h, int64_t w, int64_t c, int64_t H, int64_t W,
                   int64_t C) {
  return nchw ? ((b * C + c) * H + h) * W + w : ((b * H + h) * W + w) * C + c;
}

class RefPoolKernel : public Kernel {
 public:
  explicit RefPoolKernel(const KernelInit& init)
      : desc_(init.node->describe()), max_(init.node->op == "MaxPool") {
    g_ = linalg::pool_geom(*init.node, init.inputs.at(0).shape);
  }

  void run(KernelContext& ctx) override {
    const Conv2DGeom& g = g_;
    linalg::to_floats(ctx.inputs[0], x_);
    y_.assign(static_cast<size_t>(g.n * g.out_h * g.out_w * g.out_c), 0.0f);
    AAMP_CHECK(ctx.outputs[0].num_elements() == static_cast<int64_t>(y_.size()),
               ErrorCode::kInternal, desc_ + ": output size mismatch");
    for (int64_t b = 0; b < g.n; ++b)
      for (int64_t c = 0; c < g.in_c; ++c)
        for (int64_t oh = 0; oh < g.out_h; ++oh)
          for (int64_t ow = 0; ow < g.out_w; ++ow) {
            auto load = [&](int64_t ih, int64_t iw) {
              return x_[static_cast<size_t>(at4(g.nchw, b, ih, iw, c, g.in_h, g.in_w, g.in_c))];
            };
            y_[static_cast<size_t>(at4(g.nchw, b, oh, ow, c, g.out_h, g.out_w, g.out_c))] =
                max_ ? pool_window<true>(g, oh, ow, load) : pool_window<false>(g, oh, ow, load);
          }
    linalg::from_floats(y_, ctx.outputs[0]);
  }

 private:
  std::string desc_;
  bool max_;
  Conv2DGeom g_;
  std::vector<float> x_, y_;
};

class RefSoftmaxKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    linalg::to_floats(x, y_);
    const int64_t cols = x.shape.empty() ? 1 : x.shape.back();
    const int64_t rows = cols ? static_cast<int64_t>(y_.size()) / cols : 0;
    for (int64_t r = 0; r < rows; ++r) {
      float* p = y_.data() + r * cols;
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t c = 0; c < cols; ++c) mx = std::max(mx, p[c]);
      float sum = 0;
      for (int64_t c = 0; c < cols; ++c) sum += (p[c] = std::exp(p[c] - mx));
      for (int64_t c = 0; c < cols; ++c) p[c] /= sum;
    }
    linalg::from_floats(y_, ctx.outputs[0]);
  }

 private:
  std::vector<float> y_;
};

class RefBatchNormKernel : public Kernel {
 public:
  explicit RefBatchNormKernel(const KernelInit& init) : desc_(init.node->describe()) {
    const Node& n = *init.node;
    eps_ = op_attr_float(n, "epsilon");
    training_ = op_attr_bool(n, "is_training");
    const std::string& f = op_attr_string(n, "data_format");
    AAMP_CHECK(f == "NHWC" || f == "NCHW", ErrorCode::kUnimplemented,
               desc_ + ": unsupported data_format '" + f + "'");
    nchw_ = f == "NCHW";
    AAMP_CHECK(init.inputs.size() >= 5 && init.inputs[0].shape.size() == 4,
               ErrorCode::kInvalidGraph, desc_ + ": needs a 4-D x and 4 per-channel inputs");
  }

  void run(KernelContext& ctx) override {
    const auto& s = ctx.inputs[0].shape;
    const int64_t C = nchw_ ? s[1] : s[3];
    const int64_t H = nchw_ ? s[2] : s[1], W = nchw_ ? s[3] : s[2], N = s[0];
    linalg::to_floats(ctx.inputs[0], y_);
    linalg::to_floats(ctx.inputs[1], scale_);
    linalg::to_floats(ctx.inputs[2], offset_);
    linalg::to_floats(ctx.inputs[3], mean_);
    linalg::to_floats(ctx.inputs[4], var_);
    const size_t uc = static_cast<size_t>(C);
    AAMP_CHECK(scale_.size() == uc && offset_.size() == uc, ErrorCode::kInvalidArgument,
               desc_ + ": scale/offset must have one value per channel");
    const int64_t count = N * H * W;
    std::vector<float> batch_var;
    if (training_) {
      mean_.assign(uc, 0.0f);
      var_.assign(uc, 0.0f);
      std::vector<double> sum(uc, 0.0), sq(uc, 0.0);
      for (int64_t i = 0; i < static_cast<int64_t>(y_.size()); ++i) {
        const size_t c = static_cast<size_t>(nchw_ ? (i / (H * W)) % C : i % C);
        sum[c] += y_[static_cast<size_t>(i)];
      }
      for (size_t c = 0; c < uc; ++c)
        mean_[c] = static_cast<float>(sum[c] / static_cast<double>(count));
      for (int64_t i = 0; i < static_cast<int64_t>(y_.size()); ++i) {
        const size_t c = static_cast<size_t>(nchw_ ? (i / (H * W)) % C : i % C);
        const double d = y_[static_cast<size_t>(i)] - mean_[c];
        sq[c] += d * d;
      }
      batch_var.resize(uc);
      for (size_t c = 0; c < uc; ++c) {
        var_[c] = static_cast<float>(sq[c] / static_cast<double>(count));
        batch_var[c] =
            static_cast<float>(sq[c] / static_cast<double>(std::max<int64_t>(count - 1, 1)));
      }
    } else {
      AAMP_CHECK(mean_.size() == uc && var_.size() == uc, ErrorCode::kInvalidArgument,
                 desc_ + ": mean/variance must have one value per channel");
      batch_var = var_;
    }
    for (int64_t i = 0; i < static_cast<int64_t>(y_.size()); ++i) {
      const size_t c = static_cast<size_t>(nchw_ ? (i / (H * W)) % C : i % C);
      float& v = y_[static_cast<size_t>(i)];
      v = batch_norm(v, scale_[c], offset_[c], mean_[c], var_[c], eps_);
    }
    linalg::from_floats(y_, ctx.outputs[0]);
    // batch_mean, batch_variance, reserve_space_1, reserve_space_2, (reserve_space_3).
    const std::vector<float>* extra[] = {&mean_, &batch_var, &mean_, &var_};
    for (size_t o = 1; o < ctx.outputs.size(); ++o) {
      TensorView& out = ctx.outputs[o];
      if (!out.data || out.num_elements() == 0) continue;
      if (o <= 4 && out.num_elements() == C) {
        linalg::from_floats(*extra[o - 1], out);
      } else {
        std::vector<float> zeros(static_cast<size_t>(out.num_elements()), 0.0f);
        linalg::from_floats(zeros, out);
      }
    }
  }

 private:
  std::string desc_;
  float eps_ = 1e-4f;
  bool training_ = true;
  bool nchw_ = false;
  std::vector<float> y_, scale_, offset_, mean_, var_;
};

void add(const char* op, KernelFactory f) {
  KernelRegistry::global().add(
      {op, DeviceKind::kCPU, amp_float_types(), 0, "reference", std::move(f), {}});
}

const bool kRegistered = register_kernels([] {
  for (const char* op : {"MaxPool", "AvgPool"})
    add(op, [](const KernelInit& i) { return std::make_unique<RefPoolKernel>(i); });
  add("Softmax", [](const KernelInit&) { return std::make_unique<RefSoftmaxKernel>(); });
  for (const char* op : {"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"})
    add(op, [](const KernelInit& i) { return std::make_unique<RefBatchNormKernel>(i); });
});

}  // namespace
}  // namespace aamp
