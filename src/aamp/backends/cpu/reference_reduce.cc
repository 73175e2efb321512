// Reference reduction kernels: Sum, Mean, Max, Min, Prod, All, Any over constant axes
// (negative axes, keep_dims: the output layout is the same either way) and ArgMax / ArgMin.
// float16 / bfloat16 accumulate in float32.
#include <algorithm>
#include <cmath>
#include <limits>

#include "aamp/backends/cpu/reference_common.h"
#include "aamp/ops/shape_inference.h"

namespace aamp::ref {
namespace {

enum class Red { kSum, kMean, kMax, kMin, kProd, kAll, kAny };

// The input viewed as [outer, reduce, inner] blocks is not general enough (axes need not be
// adjacent), so the kernel folds the input's dims into alternating kept / reduced runs and walks
// every input element once, adding it to its output element.
class ReduceKernel : public Kernel {
 public:
  ReduceKernel(Red r, const std::vector<int64_t>& in, const std::vector<bool>& red) : r_(r) {
    // Output strides of each input dim (0 on reduced dims), dims merged where possible.
    std::vector<int64_t> kept;
    for (size_t d = 0; d < in.size(); ++d)
      if (!red[d]) kept.push_back(in[d]);
    const std::vector<int64_t> ost = strides_of(kept);
    size_t k = 0;
    for (size_t d = 0; d < in.size(); ++d) {
      const int64_t s = red[d] ? 0 : ost[k++];
      if (in[d] == 1) continue;
      if (!dims_.empty() && (s == 0) == (ostride_.back() == 0) &&
          (s == 0 || ostride_.back() == s * in[d])) {
        dims_.back() *= in[d];
        ostride_.back() = s;
        continue;
      }
      dims_.push_back(in[d]);
      ostride_.push_back(s);
    }
    count_ = 1;
    for (size_t d = 0; d < in.size(); ++d)
      if (red[d]) count_ *= in[d];
  }

  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    TensorView& y = ctx.outputs[0];
    dispatch_all(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, bool>) {
        run_typed<T, bool>(x, y);
      } else {
        run_typed<T, compute_t<T>>(x, y);
      }
    });
  }

 private:
  template <typename T, typename A>
  void run_typed(const TensorView& x, TensorView& y) {
    const int64_t no = y.num_elements();
    using S = std::conditional_t<std::is_same_v<A, bool>, uint8_t, A>;
    std::vector<S> acc(static_cast<size_t>(no), static_cast<S>(init<A>()));
    const T* in = x.as<T>();
    const int64_t n = x.num_elements();
    const size_t r = dims_.size();
    std::vector<int64_t> idx(r, 0);
    int64_t o = 0;
    for (int64_t i = 0; i < n; ++i) {
      S& a = acc[static_cast<size_t>(o)];
      const A v = static_cast<A>(ld(in[i]));
      if constexpr (std::is_same_v<A, bool>) {
        a = r_ == Red::kAny ? (a || v) : (a && v);
      } else {
        switch (r_) {
          case Red::kSum:
          case Red::kMean:
            a = static_cast<A>(a + v);
            break;
          case Red::kProd:
            a = static_cast<A>(a * v);
            break;
          case Red::kMax:
            a = (v > a || is_nan(v)) && !is_nan(a) ? v : a;
            break;
          case Red::kMin:
            a = (v < a || is_nan(v)) && !is_nan(a) ? v : a;
            break;
          default:
            break;
        }
      }
      // Advance the multi-index (last dim fastest).
      for (size_t d = r; d-- > 0;) {
        o += ostride_[d];
        if (++idx[d] < dims_[d]) break;
        o -= ostride_[d] * dims_[d];
        idx[d] = 0;
      }
    }
    T* out = y.as<T>();
    for (int64_t i = 0; i < no; ++i) {
      A v = static_cast<A>(acc[static_cast<size_t>(i)]);
      if constexpr (!std::is_same_v<A, bool>) {
        if (r_ == Red::kMean) {
          if constexpr (std::is_floating_point_v<A>)
            v = v / static_cast<A>(count_);
          else
            v = count_ ? static_cast<A>(v / static_cast<A>(count_)) : A(0);
        }
      }
      out[i] = st<T>(v);
    }
  }

  template <typename A>
  static bool is_nan(A v) {
    if constexpr (std::is_floating_point_v<A>)
      return std::isnan(v);
    else
      return false;
  }

  template <typename A>
  A init() const {
    if constexpr (std::is_same_v<A, bool>) {
      return r_ == Red::kAll;
    } else {
      switch (r_) {
        case Red::kProd:
          return A(1);
        case Red::kMax:
          if constexpr (std::is_floating_point_v<A>)
            return -std::numeric_limits<A>::infinity();
          else
            return std::numeric_limits<A>::lowest();
        case Red::kMin:
          if constexpr (std::is_floating_point_v<A>)
            return std::numeric_limits<A>::infinity();
          else
            return std::numeric_limits<A>::max();
        default:
          return A(0);
      }
    }
  }

  Red r_;
  std::vector<int64_t> dims_, ostride_;
  int64_t count_ = 1;
};

std::unique_ptr<Kernel> make_reduce(Red r, const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  std::vector<bool> red(in.size(), false);
  for (int64_t a : const_ints(init, 1))
    red[static_cast<size_t>(normalize_axis(a, static_cast<int64_t>(in.size()), init.node))] = true;
  return std::make_unique<ReduceKernel>(r, in, red);
}

class ArgKernel : public Kernel {
 public:
  ArgKernel(bool max, int64_t outer, int64_t n, int64_t inner)
      : max_(max), outer_(outer), n_(n), inner_(inner) {}
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    TensorView& y = ctx.outputs[0];
    std::vector<int64_t> res(static_cast<size_t>(outer_ * inner_), 0);
    dispatch_all(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.as<T>();
      for (int64_t o = 0; o < outer_; ++o)
        for (int64_t i = 0; i < inner_; ++i) {
          const T* p = in + o * n_ * inner_ + i;
          int64_t best = 0;
          auto bv = ld(p[0]);
          for (int64_t k = 1; k < n_; ++k) {
            const auto v = ld(p[k * inner_]);
            if (max_ ? v > bv : v < bv) {
              bv = v;
              best = k;
            }
          }
          res[static_cast<size_t>(o * inner_ + i)] = best;
        }
    });
    dispatch_int(y.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      for (size_t i = 0; i < res.size(); ++i) y.as<T>()[i] = static_cast<T>(res[i]);
    });
  }

 private:
  bool max_;
  int64_t outer_, n_, inner_;
};

std::unique_ptr<Kernel> make_arg(bool max, const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  const int64_t axis =
      normalize_axis(const_ints(init, 1).at(0), static_cast<int64_t>(in.size()), init.node);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= in[static_cast<size_t>(i)];
  for (size_t i = static_cast<size_t>(axis) + 1; i < in.size(); ++i) inner *= in[i];
  return std::make_unique<ArgKernel>(max, outer, in[static_cast<size_t>(axis)], inner);
}

const bool kRegistered = register_kernels([] {
  const std::pair<const char*, Red> ops[] = {{"Sum", Red::kSum},
                                             {"Mean", Red::kMean},
                                             {"Max", Red::kMax},
                                             {"Min", Red::kMin},
                                             {"Prod", Red::kProd}};
  for (const auto& [op, r] : ops) {
    const Red rr = r;
    add_ref(op, numeric_types(), [rr](const KernelInit& i) { return make_reduce(rr, i); });
  }
  const std::vector<DType> b = {DType::kBool};
  add_ref("All", b, [](const KernelInit& i) { return make_reduce(Red::kAll, i); });
  add_ref("Any", b, [](const KernelInit& i) { return make_reduce(Red::kAny, i); });
  add_ref("ArgMax", numeric_types(), [](const KernelInit& i) { return make_arg(true, i); });
  add_ref("ArgMin", numeric_types(), [](const KernelInit& i) { return make_arg(false, i); });
});

}  // namespace
}  // namespace aamp::ref
