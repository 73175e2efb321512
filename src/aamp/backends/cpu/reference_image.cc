// Reference image kernels (NHWC): ResizeBilinear and ResizeNearestNeighbor with TF's
// align_corners / half_pixel_centers semantics (which TF.js follows as well). ResizeBilinear
// interpolates in double and rounds once, as TF.js does (its source coordinates and lerps are
// JavaScript numbers): float32 lerps differ from it by an ulp, which deep heads that upsample
// repeatedly amplify (BlazePose's segmentation output: 3e-4 instead of bit-identical values).
#include <algorithm>
#include <cmath>

#include "aamp/backends/cpu/reference_array.h"
#include "aamp/ops/attrs.h"

namespace aamp::ref {
namespace {

// in / out ratio used to map output coordinates to input ones.
float resize_scale(int64_t in, int64_t out, bool align_corners) {
  if (align_corners && out > 1) return static_cast<float>(in - 1) / static_cast<float>(out - 1);
  return static_cast<float>(in) / static_cast<float>(out);
}

struct Lerp {
  int64_t lo = 0, hi = 0;
  double frac = 0;
};

std::vector<Lerp> bilinear_weights(int64_t in, int64_t out, bool align, bool half) {
  const double scale = align && out > 1 ? static_cast<double>(in - 1) / static_cast<double>(out - 1)
                                        : static_cast<double>(in) / static_cast<double>(out);
  std::vector<Lerp> w(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    const double src =
        half ? (static_cast<double>(o) + 0.5) * scale - 0.5 : static_cast<double>(o) * scale;
    const double fl = std::floor(src);
    Lerp& l = w[static_cast<size_t>(o)];
    l.lo = std::max<int64_t>(static_cast<int64_t>(fl), 0);
    l.hi = std::min<int64_t>(static_cast<int64_t>(std::ceil(src)), in - 1);
    l.lo = std::min(l.lo, in - 1);
    l.frac = src - fl;
  }
  return w;
}

class ResizeBilinearKernel : public Kernel {
 public:
  ResizeBilinearKernel(const std::vector<int64_t>& in, const std::vector<int64_t>& out, bool align,
                       bool half)
      : in_(in),
        out_(out),
        ys_(bilinear_weights(in[1], out[1], align, half)),
        xs_(bilinear_weights(in[2], out[2], align, half)) {}

  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    TensorView& y = ctx.outputs[0];
    dispatch_numeric(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      dispatch_float(y.dtype, [&](auto otag) {
        using O = typename decltype(otag)::type;
        run_typed<T, O>(x.as<T>(), y.as<O>(), ctx.threads);
      });
    });
  }

 private:
  // Separable: an input row's horizontal lerps (tl + (tr - tl) * fx, in double) are computed once
  // and kept while consecutive output rows read that row (an upsampling reads each input row
  // for several output rows). Each output row is then one vertical lerp of two such rows, a
  // contiguous loop (store_each: vector lanes). The arithmetic is that of a lerp per output
  // element, except that the clones for CPUs with FMA may fuse the vertical lerp's multiply-add
  // (one rounding in double fewer). meet's three resizes went from 0.33 to 0.14 ms.
  template <typename T, typename O>
  void run_typed(const T* in, O* out, int threads) const {
    const int64_t h = in_[1], w = in_[2], c = in_[3];
    const int64_t oh = out_[1], ow = out_[2], len = ow * c;
    parallel_for(out_[0] * oh, 1, threads, [&](int64_t b, int64_t e) {
      // Two horizontally lerped input rows and which (n * h + y) each holds (-1: none).
      std::vector<double> held[2] = {std::vector<double>(static_cast<size_t>(len)),
                                     std::vector<double>(static_cast<size_t>(len))};
      int64_t which[2] = {-1, -1};
      int next = 0;  // the slot to refill
      auto lerped = [&](int64_t key) -> const double* {
        for (int s = 0; s < 2; ++s)
          if (which[s] == key) {
            next = 1 - s;
            return held[s].data();
          }
        const int s = next;
        next = 1 - s;
        which[s] = key;
        const T* src = in + key * w * c;
        double* dst = held[s].data();
        for (int64_t ox = 0; ox < ow; ++ox) {
          const Lerp& lx = xs_[static_cast<size_t>(ox)];
          for (int64_t k = 0; k < c; ++k) {
            const double l = static_cast<double>(ld(src[lx.lo * c + k]));
            const double r = static_cast<double>(ld(src[lx.hi * c + k]));
            dst[ox * c + k] = l + (r - l) * lx.frac;
          }
        }
        return dst;
      };
      for (int64_t row = b; row < e; ++row) {
        const int64_t n = row / oh, oy = row % oh;
        const Lerp& ly = ys_[static_cast<size_t>(oy)];
        const double* top = lerped(n * h + ly.lo);
        const double* bot = lerped(n * h + ly.hi);
        const double fy = ly.frac;
        store_each(out + row * len, len,
                   [&](int64_t j) { return static_cast<float>(top[j] + (bot[j] - top[j]) * fy); });
      }
    });
  }

  std::vector<int64_t> in_, out_;
  std::vector<Lerp> ys_, xs_;
};

// Nearest input index of each output coordinate.
std::vector<int64_t> nearest_index(int64_t in, int64_t out, bool align, bool half) {
  const float scale = resize_scale(in, out, align);
  std::vector<int64_t> r(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    const float src = half ? (static_cast<float>(o) + 0.5f) * scale : static_cast<float>(o) * scale;
    int64_t k = static_cast<int64_t>(align ? std::floor(src + 0.5f) : std::floor(src));
    k = std::min(k, in - 1);
    if (half) k = std::max<int64_t>(k, 0);
    r[static_cast<size_t>(o)] = k;
  }
  return r;
}

std::unique_ptr<Kernel> make_nearest(const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  const auto& out = init.outputs[0].shape;
  const bool align = op_attr_bool(*init.node, "align_corners");
  const bool half = op_attr_bool(*init.node, "half_pixel_centers");
  const std::vector<int64_t> st = strides_of(in);
  std::vector<std::vector<int64_t>> o(4);
  for (int64_t i = 0; i < out[0]; ++i) o[0].push_back(i * st[0]);
  for (int64_t k : nearest_index(in[1], out[1], align, half)) o[1].push_back(k * st[1]);
  for (int64_t k : nearest_index(in[2], out[2], align, half)) o[2].push_back(k * st[2]);
  for (int64_t i = 0; i < out[3]; ++i) o[3].push_back(i);
  return std::make_unique<IndexMapKernel>(std::move(o));
}

const bool kRegistered = register_kernels([] {
  add_ref("ResizeBilinear", numeric_types(), [](const KernelInit& i) -> std::unique_ptr<Kernel> {
    return std::make_unique<ResizeBilinearKernel>(i.inputs[0].shape, i.outputs[0].shape,
                                                  op_attr_bool(*i.node, "align_corners"),
                                                  op_attr_bool(*i.node, "half_pixel_centers"));
  });
  add_ref("ResizeNearestNeighbor", all_types(), make_nearest);
});

}  // namespace
}  // namespace aamp::ref
