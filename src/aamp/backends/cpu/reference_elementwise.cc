// Reference element-wise kernels: one templated implementation per arity (unary, binary with
// NumPy broadcasting, ternary) and a table of scalar functors. Any numeric dtype is read and
// written as is; float16/bfloat16 compute in float32. Fast paths: same shape, scalar operand;
// large tensors are split over threads.
#include <algorithm>
#include <cmath>
#include <memory>
#include <type_traits>

#include "aamp/backends/cpu/reference_common.h"
#include "aamp/ops/activation.h"
#include "aamp/ops/attrs.h"
#include "aamp/ops/epilogue.h"
#include "aamp/ops/registry.h"

namespace aamp::ref {
namespace {

constexpr int64_t kGrain = 1 << 14;

enum class Cat { kFloat, kNumeric, kBool, kAll };

template <Cat C, typename T>
constexpr bool cat_ok() {
  if constexpr (C == Cat::kFloat)
    return std::is_same_v<T, float> || std::is_same_v<T, double> || kLowFloat<T>;
  else if constexpr (C == Cat::kNumeric)
    return !std::is_same_v<T, bool>;
  else if constexpr (C == Cat::kBool)
    return std::is_same_v<T, bool>;
  else
    return true;
}

template <Cat C>
const std::vector<DType>& cat_types() {
  static const std::vector<DType> b = {DType::kBool};
  if constexpr (C == Cat::kFloat)
    return float_types();
  else if constexpr (C == Cat::kNumeric)
    return numeric_types();
  else if constexpr (C == Cat::kBool)
    return b;
  else
    return all_types();
}

[[noreturn]] void bad_dtype(DType t) {
  throw Error(ErrorCode::kUnimplemented, "unsupported dtype " + dtype_name(t));
}

// The output type of functor F on T: bool for predicates, else T.
template <typename T, typename R>
using out_t = std::conditional_t<std::is_same_v<R, bool>, bool, T>;

template <Cat C, typename F>
class UnaryKernel : public Kernel {
 public:
  explicit UnaryKernel(F f) : f_(f) {}
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    TensorView& y = ctx.outputs[0];
    dispatch_all(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (cat_ok<C, T>()) {
        using O = out_t<T, std::invoke_result_t<F, compute_t<T>>>;
        const T* in = x.as<T>();
        O* out = y.as<O>();
        parallel_for(x.num_elements(), kGrain, ctx.threads, [&](int64_t b, int64_t e) {
          store_each(out + b, e - b, [&](int64_t j) { return f_(ld(in[b + j])); });
        });
      } else {
        bad_dtype(x.dtype);
      }
    });
  }
  std::vector<std::pair<int, int>> inplace_pairs() const override { return {{0, 0}}; }

 private:
  F f_;
};

template <typename T, typename F>
void binary_apply(const TensorView& a, const TensorView& b, const TensorView& o, F f, int threads) {
  using CT = compute_t<T>;
  using O = out_t<T, std::invoke_result_t<F, CT, CT>>;
  const T* pa = a.as<T>();
  const T* pb = b.as<T>();
  O* po = o.as<O>();
  const int64_t n = o.num_elements(), na = a.num_elements(), nb = b.num_elements();
  if (na == n && nb == n) {
    parallel_for(n, kGrain, threads, [&](int64_t s, int64_t e) {
      store_each(po + s, e - s, [&](int64_t j) { return f(ld(pa[s + j]), ld(pb[s + j])); });
    });
  } else if (na == n && nb == 1) {
    const CT bv = ld(pb[0]);
    parallel_for(n, kGrain, threads, [&](int64_t s, int64_t e) {
      store_each(po + s, e - s, [&](int64_t j) { return f(ld(pa[s + j]), bv); });
    });
  } else if (na == 1 && nb == n) {
    const CT av = ld(pa[0]);
    parallel_for(n, kGrain, threads, [&](int64_t s, int64_t e) {
      store_each(po + s, e - s, [&](int64_t j) { return f(av, ld(pb[s + j])); });
    });
  } else if (const int64_t c = o.shape.empty() ? 1 : o.shape.back();
             c > 1 && ((na == n && nb == c && b.shape.back() == c) ||
                       (nb == n && na == c && a.shape.back() == c))) {
    // One full operand and one row of the last dim's length (per-channel Prelu alphas, biases,
    // scales): the row repeated over a span of whole rows (>= 512 elements), so that each
    // store_each call covers many short rows without per-element index arithmetic.
    const bool b_row = nb == c;
    const int64_t span_rows = std::max<int64_t>(512 / c, 1);
    parallel_for(n / c, std::max<int64_t>(kGrain / c, 1), threads, [&](int64_t r0, int64_t r1) {
      // The row operand in compute type, once: the inner loops then vectorize.
      const int64_t tiled = std::min(span_rows, r1 - r0) * c;
      std::unique_ptr<CT[]> row(new CT[static_cast<size_t>(tiled)]);  // CT may be bool
      for (int64_t j = 0; j < tiled; ++j)
        row[static_cast<size_t>(j)] = ld((b_row ? pb : pa)[j % c]);
      const CT* __restrict rw = row.get();
      for (int64_t r = r0; r < r1; r += span_rows) {
        const int64_t len = std::min(span_rows, r1 - r) * c;
        O* __restrict dst = po + r * c;
        const T* __restrict full = (b_row ? pa : pb) + r * c;
        if (b_row)
          store_each(dst, len, [&](int64_t j) { return f(ld(full[j]), rw[j]); });
        else
          store_each(dst, len, [&](int64_t j) { return f(rw[j], ld(full[j])); });
      }
    });
  } else {
    Broadcaster bc(o.shape, {a.shape, b.shape});
    const int64_t inner = bc.inner(), sa = bc.inner_stride(0), sb = bc.inner_stride(1);
    parallel_for(bc.rows(), std::max<int64_t>(kGrain / std::max<int64_t>(inner, 1), 1), threads,
                 [&](int64_t r0, int64_t r1) {
                   int64_t off[2];
                   for (int64_t r = r0; r < r1; ++r) {
                     bc.row_offsets(r, off);
                     O* dst = po + r * inner;
                     store_each(dst, inner, [&](int64_t j) {
                       return f(ld(pa[off[0] + j * sa]), ld(pb[off[1] + j * sb]));
                     });
                   }
                 });
  }
}

template <Cat C, typename F>
class BinaryKernel : public Kernel {
 public:
  explicit BinaryKernel(F f, bool nchw_bias = false) : f_(f), nchw_bias_(nchw_bias) {}
  void run(KernelContext& ctx) override {
    const TensorView& a = ctx.inputs[0];
    TensorView b = ctx.inputs[1];
    if (nchw_bias_ && a.shape.size() >= 2) {  // BiasAdd NCHW: bias [C] -> [C,1,...]
      b.shape.assign(a.shape.size() - 1, 1);
      b.shape[0] = ctx.inputs[1].num_elements();
    }
    dispatch_all(a.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (cat_ok<C, T>())
        binary_apply<T>(a, b, ctx.outputs[0], f_, ctx.threads);
      else
        bad_dtype(a.dtype);
    });
  }
  std::vector<std::pair<int, int>> inplace_pairs() const override { return {{0, 0}, {0, 1}}; }

 private:
  F f_;
  bool nchw_bias_;
};

// out = f(c, x, y) with c of type TC (bool for Select) and x, y, out of type T; broadcasting.
template <typename TC, typename T, typename F>
void ternary_apply(const TensorView& c, const TensorView& x, const TensorView& y,
                   const TensorView& o, F f, int threads) {
  Broadcaster bc(o.shape, {c.shape, x.shape, y.shape});
  const TC* pc = c.as<TC>();
  const T* px = x.as<T>();
  const T* py = y.as<T>();
  T* po = o.as<T>();
  const int64_t inner = bc.inner();
  const int64_t s0 = bc.inner_stride(0), s1 = bc.inner_stride(1), s2 = bc.inner_stride(2);
  parallel_for(bc.rows(), std::max<int64_t>(kGrain / std::max<int64_t>(inner, 1), 1), threads,
               [&](int64_t r0, int64_t r1) {
                 int64_t off[3];
                 for (int64_t r = r0; r < r1; ++r) {
                   bc.row_offsets(r, off);
                   T* dst = po + r * inner;
                   for (int64_t j = 0; j < inner; ++j)
                     dst[j] = st<T>(f(ld(pc[off[0] + j * s0]), ld(px[off[1] + j * s1]),
                                      ld(py[off[2] + j * s2])));
                 }
               });
}

class SelectKernel : public Kernel {
 public:
  explicit SelectKernel(bool v1) : v1_(v1) {}
  void run(KernelContext& ctx) override {
    TensorView c = ctx.inputs[0];
    const TensorView& x = ctx.inputs[1];
    if (v1_ && c.shape.size() == 1 && x.shape.size() > 1) c.shape.resize(x.shape.size(), 1);
    dispatch_all(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      ternary_apply<bool, T>(
          c, x, ctx.inputs[2], ctx.outputs[0], [](bool k, auto a, auto b) { return k ? a : b; },
          ctx.threads);
    });
  }

 private:
  bool v1_;
};

class ClipKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    dispatch_all(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) {
        // ternary_apply's first operand is x itself here.
        ternary_apply<T, T>(
            x, ctx.inputs[1], ctx.inputs[2], ctx.outputs[0],
            [](auto v, auto lo, auto hi) { return std::min(std::max(v, lo), hi); }, ctx.threads);
      } else {
        bad_dtype(x.dtype);
      }
    });
  }
};

class AddNKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    TensorView& o = ctx.outputs[0];
    dispatch_all(o.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) {
        for (const TensorView& v : ctx.inputs)
          if (v.num_elements() != o.num_elements())
            throw Error(ErrorCode::kUnimplemented, "AddN: inputs must have the same shape");
        T* out = o.as<T>();
        parallel_for(o.num_elements(), kGrain, ctx.threads, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) {
            compute_t<T> acc = 0;
            for (const TensorView& v : ctx.inputs) acc += ld(v.as<T>()[i]);
            out[i] = st<T>(acc);
          }
        });
      } else {
        bad_dtype(o.dtype);
      }
    });
  }
  std::vector<std::pair<int, int>> inplace_pairs() const override { return {{0, 0}}; }
};

template <typename To, typename Ti>
To cast_one(Ti v) {
  if constexpr (std::is_same_v<To, bool>)
    return ld(v) != compute_t<Ti>(0);
  else if constexpr (std::is_same_v<Ti, bool>)
    return st<To>(compute_t<To>(v ? 1 : 0));
  else
    return st<To>(static_cast<compute_t<To>>(ld(v)));
}

class CastKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    TensorView& y = ctx.outputs[0];
    dispatch_all(x.dtype, [&](auto ti) {
      using Ti = typename decltype(ti)::type;
      dispatch_all(y.dtype, [&](auto to) {
        using To = typename decltype(to)::type;
        const Ti* in = x.as<Ti>();
        To* out = y.as<To>();
        parallel_for(x.num_elements(), kGrain, ctx.threads, [&](int64_t b, int64_t e) {
          if constexpr (std::is_same_v<To, bfloat16> && !std::is_same_v<Ti, bool>)
            store_each(out + b, e - b, [&](int64_t j) { return ld(in[b + j]); });
          else
            for (int64_t i = b; i < e; ++i) out[i] = cast_one<To>(in[i]);
        });
      });
    });
  }
};

// Fill(dims, value), ZerosLike, OnesLike.
class FillKernel : public Kernel {
 public:
  explicit FillKernel(int mode) : mode_(mode) {}  // 0 = Fill, 1 = zeros, 2 = ones
  void run(KernelContext& ctx) override {
    TensorView& o = ctx.outputs[0];
    dispatch_all(o.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T v = mode_ == 0 ? ctx.inputs[1].as<T>()[0] : cast_one<T>(mode_ == 2 ? 1 : 0);
      std::fill(o.as<T>(), o.as<T>() + o.num_elements(), v);
    });
  }

 private:
  int mode_;
};

template <Cat C, typename F>
void unary(const char* op, F f) {
  add_ref(op, cat_types<C>(), [f](const KernelInit&) -> std::unique_ptr<Kernel> {
    return std::make_unique<UnaryKernel<C, F>>(f);
  });
}
template <Cat C, typename F>
void binary(const char* op, F f) {
  add_ref(op, cat_types<C>(), [f](const KernelInit&) -> std::unique_ptr<Kernel> {
    return std::make_unique<BinaryKernel<C, F>>(f);
  });
}

// aamp's own activation ops (the vocabulary's source ops that are aamp_only: Swish, Mish,
// HardSwish, Gelu) over activate(), the formula their fused epilogue steps use. TensorFlow's
// activations keep the generic formulas below (see ops/activation.h).
void add_aamp_activations() {
  for (const EpilogueOpDef* d : activation_source_rows()) {
    const OpInfo* info = OpRegistry::global().find(d->source_op);
    if (!info || !info->def.aamp_only) continue;
    add_ref(std::string(d->source_op), amp_float_types(),
            [](const KernelInit& i) -> std::unique_ptr<Kernel> {
              EpilogueOp k = EpilogueOp::kRelu;
              ActParams p;
              AAMP_CHECK(activation_of_node(*i.node, k, p), ErrorCode::kInternal,
                         i.node->describe() + ": not an activation");
              auto f = [k, p](auto x) { return activate(k, static_cast<float>(x), p); };
              return std::make_unique<UnaryKernel<Cat::kFloat, decltype(f)>>(f);
            });
  }
}

template <typename V>
V int_pow(V a, V b) {
  if (b < 0) return a == 1 ? 1 : 0;
  V r = 1;
  for (; b > 0; b = static_cast<V>(b - 1)) r = static_cast<V>(r * a);
  return r;
}

// Integer-safe division helpers (division by zero gives 0 instead of a trap).
template <typename V>
V floor_div(V a, V b) {
  if constexpr (std::is_floating_point_v<V>)
    return std::floor(a / b);
  else {
    if (b == 0) return 0;
    V q = static_cast<V>(a / b);
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
  }
}
template <typename V>
V floor_mod(V a, V b) {
  if constexpr (std::is_floating_point_v<V>) {
    V r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else {
    if (b == 0) return 0;
    V r = static_cast<V>(a % b);
    if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<V>(r + b);
    return r;
  }
}

const bool kRegistered = register_kernels([] {
  // ---- unary, float ----
  unary<Cat::kFloat>("Exp", [](auto x) { return std::exp(x); });
  unary<Cat::kFloat>("Expm1", [](auto x) { return std::expm1(x); });
  unary<Cat::kFloat>("Log", [](auto x) { return std::log(x); });
  unary<Cat::kFloat>("Log1p", [](auto x) { return std::log1p(x); });
  unary<Cat::kFloat>("Sqrt", [](auto x) { return std::sqrt(x); });
  unary<Cat::kFloat>("Rsqrt", [](auto x) { return decltype(x)(1) / std::sqrt(x); });
  unary<Cat::kFloat>("Sigmoid",
                     [](auto x) { return decltype(x)(1) / (decltype(x)(1) + std::exp(-x)); });
  unary<Cat::kFloat>("Tanh", [](auto x) { return std::tanh(x); });
  unary<Cat::kFloat>("Erf", [](auto x) { return std::erf(x); });
  unary<Cat::kFloat>("Erfc", [](auto x) { return std::erfc(x); });
  unary<Cat::kFloat>("Sin", [](auto x) { return std::sin(x); });
  unary<Cat::kFloat>("Cos", [](auto x) { return std::cos(x); });
  unary<Cat::kFloat>("Tan", [](auto x) { return std::tan(x); });
  unary<Cat::kFloat>("Asin", [](auto x) { return std::asin(x); });
  unary<Cat::kFloat>("Acos", [](auto x) { return std::acos(x); });
  unary<Cat::kFloat>("Atan", [](auto x) { return std::atan(x); });
  unary<Cat::kFloat>("Sinh", [](auto x) { return std::sinh(x); });
  unary<Cat::kFloat>("Cosh", [](auto x) { return std::cosh(x); });
  unary<Cat::kFloat>("Softplus",
                     [](auto x) { return x > decltype(x)(20) ? x : std::log1p(std::exp(x)); });
  unary<Cat::kFloat>("Softsign", [](auto x) { return x / (decltype(x)(1) + std::abs(x)); });
  unary<Cat::kFloat>("Elu", [](auto x) { return x < 0 ? std::expm1(x) : x; });
  unary<Cat::kFloat>("Selu", [](auto x) {
    using V = decltype(x);
    return x < 0 ? V(1.0507009873554805) * V(1.6732632423543772) * std::expm1(x)
                 : V(1.0507009873554805) * x;
  });
  unary<Cat::kFloat>("Floor", [](auto x) { return std::floor(x); });
  unary<Cat::kFloat>("Ceil", [](auto x) { return std::ceil(x); });
  unary<Cat::kFloat>("Round", [](auto x) { return std::nearbyint(x); });  // half to even
  unary<Cat::kFloat>("Rint", [](auto x) { return std::nearbyint(x); });
  unary<Cat::kFloat>("Reciprocal", [](auto x) { return decltype(x)(1) / x; });
  unary<Cat::kFloat>("Inv", [](auto x) { return decltype(x)(1) / x; });
  unary<Cat::kFloat>("IsNan", [](auto x) { return std::isnan(x); });
  unary<Cat::kFloat>("IsInf", [](auto x) { return std::isinf(x); });
  unary<Cat::kFloat>("IsFinite", [](auto x) { return std::isfinite(x); });
  add_ref("LeakyRelu", float_types(), [](const KernelInit& i) -> std::unique_ptr<Kernel> {
    const float a = op_attr_float(*i.node, "alpha");
    auto f = [a](auto x) { return x < 0 ? x * static_cast<decltype(x)>(a) : x; };
    return std::make_unique<UnaryKernel<Cat::kFloat, decltype(f)>>(f);
  });
  add_aamp_activations();
  // ---- unary, numeric ----
  unary<Cat::kNumeric>("Neg", [](auto x) { return static_cast<decltype(x)>(-x); });
  unary<Cat::kNumeric>("Abs", [](auto x) { return x < 0 ? static_cast<decltype(x)>(-x) : x; });
  unary<Cat::kNumeric>("Square", [](auto x) { return static_cast<decltype(x)>(x * x); });
  unary<Cat::kNumeric>("Sign", [](auto x) { return static_cast<decltype(x)>((x > 0) - (x < 0)); });
  unary<Cat::kNumeric>("Relu", [](auto x) { return x > 0 ? x : decltype(x)(0); });
  unary<Cat::kNumeric>("Relu6", [](auto x) {
    using V = decltype(x);
    return x > 0 ? (x < V(6) ? x : V(6)) : V(0);
  });
  unary<Cat::kBool>("LogicalNot", [](bool x) { return !x; });
  // ---- binary ----
  binary<Cat::kNumeric>("Add", [](auto a, auto b) { return a + b; });
  binary<Cat::kNumeric>("AddV2", [](auto a, auto b) { return a + b; });
  binary<Cat::kNumeric>("Sub", [](auto a, auto b) { return a - b; });
  binary<Cat::kNumeric>("Mul", [](auto a, auto b) { return a * b; });
  binary<Cat::kNumeric>("Div", [](auto a, auto b) {
    if constexpr (std::is_integral_v<decltype(a)>)
      return b == 0 ? decltype(a)(0) : decltype(a)(a / b);
    else
      return a / b;
  });
  binary<Cat::kNumeric>("TruncateDiv", [](auto a, auto b) {
    if constexpr (std::is_integral_v<decltype(a)>)
      return b == 0 ? decltype(a)(0) : decltype(a)(a / b);
    else
      return std::trunc(a / b);
  });
  binary<Cat::kFloat>("RealDiv", [](auto a, auto b) { return a / b; });
  binary<Cat::kFloat>("DivNoNan", [](auto a, auto b) { return b == 0 ? decltype(a)(0) : a / b; });
  binary<Cat::kNumeric>("Maximum", [](auto a, auto b) { return a > b ? a : b; });
  binary<Cat::kNumeric>("Minimum", [](auto a, auto b) { return a < b ? a : b; });
  binary<Cat::kNumeric>("SquaredDifference", [](auto a, auto b) { return (a - b) * (a - b); });
  binary<Cat::kNumeric>("FloorDiv", [](auto a, auto b) { return floor_div(a, b); });
  binary<Cat::kNumeric>("FloorMod", [](auto a, auto b) { return floor_mod(a, b); });
  binary<Cat::kNumeric>("Mod", [](auto a, auto b) {
    if constexpr (std::is_integral_v<decltype(a)>)
      return b == 0 ? decltype(a)(0) : decltype(a)(a % b);
    else
      return std::fmod(a, b);
  });
  binary<Cat::kNumeric>("Pow", [](auto a, auto b) {
    if constexpr (std::is_integral_v<decltype(a)>)
      return int_pow(a, b);
    else
      return std::pow(a, b);
  });
  binary<Cat::kFloat>("Atan2", [](auto a, auto b) { return std::atan2(a, b); });
  // Branch-free (vectorizes; the select form did not): x for x >= 0, a * x below.
  binary<Cat::kFloat>("Prelu", [](auto x, auto a) {
    using V = decltype(x);
    return std::max(x, V(0)) + a * std::min(x, V(0));
  });
  binary<Cat::kAll>("Equal", [](auto a, auto b) { return a == b; });
  binary<Cat::kAll>("NotEqual", [](auto a, auto b) { return a != b; });
  binary<Cat::kAll>("Less", [](auto a, auto b) { return a < b; });
  binary<Cat::kAll>("LessEqual", [](auto a, auto b) { return a <= b; });
  binary<Cat::kAll>("Greater", [](auto a, auto b) { return a > b; });
  binary<Cat::kAll>("GreaterEqual", [](auto a, auto b) { return a >= b; });
  binary<Cat::kBool>("LogicalAnd", [](bool a, bool b) { return a && b; });
  binary<Cat::kBool>("LogicalOr", [](bool a, bool b) { return a || b; });
  for (const char* op : {"BiasAdd", "BiasAddV1"}) {
    add_ref(op, numeric_types(), [](const KernelInit& i) -> std::unique_ptr<Kernel> {
      // BiasAddV1 declares no data_format (it is NHWC; an explicit attr is still read).
      const bool nchw = (op_declares_attr(*i.node, "data_format")
                             ? op_attr_string(*i.node, "data_format")
                             : i.node->attr_string_or("data_format", "NHWC")) == "NCHW";
      auto f = [](auto a, auto b) { return a + b; };
      return std::make_unique<BinaryKernel<Cat::kNumeric, decltype(f)>>(f, nchw);
    });
  }
  // ---- others ----
  add_ref("Select", all_types(),
          [](const KernelInit&) { return std::make_unique<SelectKernel>(true); });
  add_ref("SelectV2", all_types(),
          [](const KernelInit&) { return std::make_unique<SelectKernel>(false); });
  add_ref("ClipByValue", numeric_types(),
          [](const KernelInit&) { return std::make_unique<ClipKernel>(); });
  add_ref("AddN", numeric_types(),
          [](const KernelInit&) { return std::make_unique<AddNKernel>(); });
  add_ref("Cast", all_types(), [](const KernelInit&) { return std::make_unique<CastKernel>(); });
  // aamp's runtime has no variables to cache: a plain Cast (the TensorFlow plugin keeps results).
  add_ref("CachedCast", {DType::kBFloat16},
          [](const KernelInit&) { return std::make_unique<CastKernel>(); });
  add_ref("Fill", all_types(), [](const KernelInit&) { return std::make_unique<FillKernel>(0); });
  add_ref("ZerosLike", all_types(),
          [](const KernelInit&) { return std::make_unique<FillKernel>(1); });
  add_ref("OnesLike", all_types(),
          [](const KernelInit&) { return std::make_unique<FillKernel>(2); });
});

}  // namespace
}  // namespace aamp::ref
