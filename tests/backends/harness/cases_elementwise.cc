// Backend harness cases of the element-wise and data-movement ops: unary activations and math,
// binary ops with NumPy broadcasting, BiasAdd, Cast, the byte copies (Identity, Reshape, ...),
// Transpose, Slice / StridedSlice, Pad / PadV2, ConcatV2, Select / SelectV2, GatherV2 and the
// reductions. Rank 0 to 6, odd sizes; moves compare bytes exactly, in every dtype.
#include <string>
#include <vector>

#include "backends/harness/harness.h"

namespace aamp::testing {
namespace {

// Data of a move: integers in a range every integer dtype holds, floats in [-3, 3).
Tensor data(DType t, const Dims& shape, uint32_t seed) {
  if (t == DType::kUInt8) return harness_input(t, shape, seed, 0.0f, 200.0f);
  return is_float(t) ? harness_input(t, shape, seed, -3.0f, 3.0f)
                     : harness_input(t, shape, seed, -100.0f, 100.0f);
}

void unary_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  // The domain of each op (Log, Sqrt and Rsqrt: positive; activations: both sides of their knees).
  float lo = -8.0f, hi = 8.0f;
  if (op == "Rsqrt") lo = 0.1f, hi = 4.0f;
  if (op == "Sqrt") lo = 0.0f, hi = 9.0f;
  if (op == "Log") lo = 0.05f, hi = 20.0f;
  if (op == "Exp") lo = -4.0f, hi = 4.0f;
  if (op == "Erf") lo = -3.0f, hi = 3.0f;
  std::vector<std::pair<std::string, AttrMap>> attrs = {{"", {}}};
  if (op == "LeakyRelu") attrs = {{" alpha 0.1", {{"alpha", 0.1f}}}, {"", {}}};
  if (op == "Swish") attrs = {{"", {}}, {" beta 1.7", {{"beta", 1.7f}}}};
  if (op == "Gelu")
    attrs = {{" exact", {{"approximate", false}}}, {" tanh", {{"approximate", true}}}};
  for (const auto& [label, a] : attrs)
    for (const Dims& shape : std::vector<Dims>{{}, {7}, {3, 129}, {2, 3, 1000}, {2, 1, 3, 1, 5}}) {
      KernelCase c{make_node(op, t, a), {harness_input(t, shape, 11, lo, hi)}, {}, {{t, shape}}};
      out.push_back({Shape(shape).to_string() + label, std::move(c)});
    }
}

void binary_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  const std::vector<std::pair<Dims, Dims>> shapes = {
      {{4, 5}, {4, 5}},
      {{2, 3, 4}, {4}},
      {{2, 1, 3}, {3}},
      {{2, 1}, {1, 4}},
      {{5, 3}, {}},
      {{}, {6, 2}},
      {{3}, {2, 4, 3}},
      {{300, 70}, {300, 1}},
      {{}, {}},
      {{1, 1}, {3, 1}},
      {{2, 3, 1, 5}, {3, 4, 1}},
      {{1001}, {1001}},
      {{3, 5, 8}, {1, 5, 8}},
      {{1, 5, 8}, {3, 5, 8}}};  // the last two: a position table
  // Divisors and exponents away from zero; Pow's base positive.
  const bool pos_a = op == "Pow";
  for (const auto& [sa, sb] : shapes)
    for (bool const_b : {true, false}) {
      if (!const_b && sa.size() != 2) continue;  // the runtime operand on a few shapes
      KernelCase c{make_node(op, t),
                   {harness_input(t, sa, 3, pos_a ? 0.5f : -2.0f, 2.0f),
                    harness_input(t, sb, 4, op == "Pow" ? -2.0f : 0.5f, 2.0f)},
                   {false, const_b},
                   {{t, broadcast_dims(sa, sb)}}};
      out.push_back(
          {Shape(sa).to_string() + " with " + Shape(sb).to_string() + (const_b ? " const" : ""),
           std::move(c)});
    }
}

void bias_add_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  for (const std::string fmt : {"NHWC", "NCHW"})
    for (const Dims& shape : std::vector<Dims>{{8, 16}, {2, 3, 4, 5}, {3, 7, 11}, {1, 1, 1, 9}}) {
      const int64_t ch = fmt == "NCHW" && shape.size() > 2 ? shape[1] : shape.back();
      KernelCase c{make_node(op, t, {{"data_format", fmt}}),
                   {harness_input(t, shape, 5), harness_input(t, {ch}, 6)},
                   {false, true},
                   {{t, shape}}};
      out.push_back({Shape(shape).to_string() + " " + fmt, std::move(c)});
    }
}

// t is DstT (the registration's key); sources: every GPU float type, int32, int64, bool, and
// uint8 / int8 (images: detection models' image_tensor is uint8).
void cast_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  for (DType src : {DType::kFloat, DType::kHalf, DType::kBFloat16, DType::kInt32, DType::kInt64,
                    DType::kBool, DType::kUInt8, DType::kInt8})
    for (const Dims& shape : std::vector<Dims>{{3, 1001}, {64, 64}, {3}, {}}) {
      Node n;
      n.name = "test_Cast";
      n.op = op;
      n.attrs["SrcT"] = src;
      n.attrs["DstT"] = t;
      Tensor x;
      if (src == DType::kBool) {
        const Tensor v = harness_input(DType::kUInt8, shape, 21, 0.0f, 1.0f);
        x = Tensor::from_bytes(DType::kBool, Shape(shape),
                               std::vector<uint8_t>(v.raw(), v.raw() + v.byte_size()));
      } else if (src == DType::kUInt8) {
        x = harness_input(src, shape, 21, 0.0f, 255.0f);
      } else if (src == DType::kInt8) {
        x = harness_input(src, shape, 21, -128.0f, 127.0f);
      } else {
        x = harness_input(src, shape, 21, -250.0f, 250.0f);
      }
      KernelCase c{n, {x}, {}, {{t, shape}}};
      out.push_back({"from " + dtype_name(src) + " " + Shape(shape).to_string(), std::move(c)});
    }
}

// The byte copies: the output is the input's bytes under another shape.
void copy_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  auto add = [&](const Dims& in, const Dims& shape, std::vector<Tensor> extra, AttrMap attrs) {
    KernelCase c{make_node(op, t, std::move(attrs)), {data(t, in, 2)}, {false}, {{t, shape}}};
    for (Tensor& e : extra) {
      c.inputs.push_back(std::move(e));
      c.is_const.push_back(true);
    }
    out.push_back({Shape(in).to_string() + " -> " + Shape(shape).to_string(), std::move(c)});
    out.back().exact = true;
  };
  if (op == "Reshape") {
    add({4, 6}, {2, 12}, {int32s({2, 12})}, {{"Tshape", DType::kInt32}});
    add({3, 5, 7}, {105}, {int32s({-1})}, {{"Tshape", DType::kInt32}});
    add({1}, {}, {Tensor::from_vector<int32_t>(Shape{0}, {})}, {{"Tshape", DType::kInt32}});
  } else if (op == "Squeeze") {
    add({3, 1, 5, 1}, {3, 5}, {}, {});
    add({1, 7, 1}, {7, 1}, {}, {{"squeeze_dims", int_list({0})}});
  } else if (op == "ExpandDims") {
    add({3, 5}, {3, 1, 5}, {int32s({1})}, {{"Tdim", DType::kInt32}});
    add({}, {1}, {int32s({0})}, {{"Tdim", DType::kInt32}});
  } else if (op == "IdentityN") {
    // Output i is input i (T is a list of types).
    KernelCase c{make_node(op, t),
                 {data(t, {4, 5}, 2), data(t, {3}, 3)},
                 {false, false},
                 {{t, {4, 5}}, {t, {3}}}};
    c.node.attrs["T"] = type_list({t, t});
    out.push_back({"[4,5], [3]", std::move(c)});
    out.back().exact = true;
  } else if (op == "PlaceholderWithDefault") {
    for (const Dims& s : std::vector<Dims>{{}, {4, 33}}) {
      KernelCase c{make_node(op, t), {data(t, s, 2)}, {false}, {{t, s}}};
      c.node.attrs.erase("T");
      c.node.attrs["dtype"] = t;
      c.node.attrs["shape"] = Shape(s);
      out.push_back({Shape(s).to_string(), std::move(c)});
      out.back().exact = true;
    }
  } else {
    for (const Dims& s : std::vector<Dims>{{}, {7}, {4, 33}, {2, 3, 5, 7}}) add(s, s, {}, {});
  }
}

void transpose_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  const std::vector<std::pair<Dims, Dims>> cases = {
      {{4, 6}, {1, 0}},                          // tiled
      {{3, 33, 70}, {0, 2, 1}},                  // tiled, partial tiles
      {{2, 16, 12, 64}, {0, 2, 1, 3}},           // BERT heads: 16-byte rows
      {{2, 5, 3, 7}, {0, 2, 1, 3}},              // same, odd rows
      {{2, 3, 4, 5}, {3, 1, 0, 2}},              // general
      {{1, 5, 1, 7}, {2, 3, 0, 1}},              // size-1 dims
      {{2, 3, 2, 3, 2, 3}, {5, 4, 3, 2, 1, 0}},  // rank 6
      {{2, 8, 8, 3}, {0, 3, 1, 2}},              // NHWC -> NCHW
      {{5, 4}, {0, 1}},                          // identity
      {{7}, {0}}};
  for (const auto& [shape, perm] : cases) {
    Dims o;
    for (int64_t p : perm) o.push_back(shape[static_cast<size_t>(p)]);
    KernelCase c{make_node(op, t, {{"Tperm", DType::kInt32}}),
                 {data(t, shape, 1), int32s(perm)},
                 {false, true},
                 {{t, o}}};
    out.push_back(
        {Shape(shape).to_string() + " perm " + Shape(perm).to_string(), std::move(c), true});
  }
}

void slice_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (op == "Slice") {
    struct S {
      Dims in, begin, size, out;
    };
    for (const S& s : std::vector<S>{{{5, 6, 7}, {1, 0, 2}, {3, -1, 4}, {3, 6, 4}},
                                     {{9}, {2}, {5}, {5}},
                                     {{2, 3, 4, 5}, {0, 1, 1, 0}, {2, 2, 3, 5}, {2, 2, 3, 5}}}) {
      KernelCase c{make_node(op, t, {{"Index", DType::kInt32}}),
                   {data(t, s.in, 3), int32s(s.begin), int32s(s.size)},
                   {false, true, true},
                   {{t, s.out}}};
      out.push_back(
          {Shape(s.in).to_string() + " begin " + Shape(s.begin).to_string(), std::move(c), true});
    }
    return;
  }
  struct S {
    Dims in, begin, end, strides;
    int64_t shrink, begin_mask, end_mask;
    Dims out;
  };
  const std::vector<S> cases = {
      {{10, 8}, {1, 0}, {9, 8}, {2, 3}, 0, 0, 0, {4, 3}},
      {{4, 6}, {0, 5}, {4, 0}, {1, -2}, 0, 0, 0, {4, 3}},                  // negative stride
      {{3, 4, 5}, {1, 0, 0}, {2, 4, 5}, {1, 1, 1}, 1, 0, 0, {4, 5}},       // shrink axis 0
      {{2, 128, 16}, {0, 0, 0}, {2, 1, 16}, {1, 1, 1}, 2, 0, 0, {2, 16}},  // BERT's [CLS]
      {{6, 7}, {9, 1}, {2, 4}, {1, 1}, 0, 1, 0, {2, 3}},                   // begin_mask
      {{2, 3, 4, 5, 6},                                                    // rank 5, strided
       {0, 1, 0, 2, 1},
       {2, 3, 4, 5, 6},
       {1, 1, 2, 1, 2},
       0,
       0,
       0,
       {2, 2, 2, 3, 3}}};
  for (const S& s : cases) {
    KernelCase c{make_node(op, t,
                           {{"Index", DType::kInt32},
                            {"shrink_axis_mask", s.shrink},
                            {"begin_mask", s.begin_mask},
                            {"end_mask", s.end_mask}}),
                 {data(t, s.in, 4), int32s(s.begin), int32s(s.end), int32s(s.strides)},
                 {false, true, true, true},
                 {{t, s.out}}};
    out.push_back(
        {Shape(s.in).to_string() + " strides " + Shape(s.strides).to_string(), std::move(c), true});
  }
}

void pad_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  const std::vector<std::pair<Dims, Dims>> cases = {{{2, 3}, {1, 2, 0, 3}},
                                                    {{1, 5, 5, 3}, {0, 0, 1, 1, 2, 0, 0, 0}},
                                                    {{7}, {3, 0}},
                                                    {{2, 3, 4}, {0, 0, 0, 0, 0, 0}}};
  for (const auto& [shape, pads] : cases) {
    Dims o = shape;
    for (size_t d = 0; d < shape.size(); ++d) o[d] += pads[2 * d] + pads[2 * d + 1];
    KernelCase c{make_node(op, t, {{"Tpaddings", DType::kInt32}}),
                 {data(t, shape, 9),
                  Tensor::from_vector<int32_t>(Shape{static_cast<int64_t>(shape.size()), 2},
                                               std::vector<int32_t>(pads.begin(), pads.end()))},
                 {false, true},
                 {{t, o}}};
    if (op == "PadV2") {
      c.inputs.push_back(data(t, {}, 4));
      c.is_const.push_back(true);
    }
    out.push_back(
        {Shape(shape).to_string() + " pads " + Shape(pads).to_string(), std::move(c), true});
  }
}

void concat_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  const std::vector<std::pair<std::vector<Dims>, int64_t>> cases = {
      {{{2, 3}, {2, 5}}, 1},        {{{2, 3, 4}, {1, 3, 4}, {3, 3, 4}}, 0},
      {{{3, 1, 2}, {3, 1, 5}}, -1}, {{{2, 0}, {2, 3}}, 1},
      {{{5}, {7}, {1}, {2}}, 0},    {{{2, 3, 4, 5}, {2, 1, 4, 5}}, 1}};
  for (const auto& [shapes, axis] : cases) {
    KernelCase c{
        make_node(op, t, {{"N", static_cast<int64_t>(shapes.size())}, {"Tidx", DType::kInt32}}),
        {},
        {},
        {}};
    Dims o = shapes[0];
    const size_t ax = static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(o.size()) : axis);
    o[ax] = 0;
    uint32_t seed = 5;
    std::string what;
    for (const Dims& s : shapes) {
      c.inputs.push_back(data(t, s, seed++));
      c.is_const.push_back(false);
      o[ax] += s[ax];
      what += Shape(s).to_string() + " ";
    }
    c.inputs.push_back(int32s({axis}));
    c.is_const.push_back(true);
    c.outputs = {{t, o}};
    out.push_back({what + "axis " + std::to_string(axis), std::move(c), true});
  }
}

void select_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  struct S {
    Dims c, x, y, out;
  };
  const std::vector<S> cases = op == "Select"
                                   ? std::vector<S>{{{4}, {4, 3}, {4, 3}, {4, 3}},  // picks rows
                                                    {{2, 6}, {2, 6}, {2, 6}, {2, 6}},
                                                    {{}, {3, 2}, {3, 2}, {3, 2}}}
                                   : std::vector<S>{{{3, 5}, {3, 5}, {3, 5}, {3, 5}},
                                                    {{5}, {2, 3, 5}, {}, {2, 3, 5}},
                                                    {{2, 1, 1}, {1, 4}, {3, 1}, {2, 3, 4}},
                                                    {{}, {7}, {7}, {7}}};
  for (const S& s : cases) {
    int64_t n = 1;
    for (int64_t d : s.c) n *= d;
    std::vector<uint8_t> cv(static_cast<size_t>(n));
    for (size_t i = 0; i < cv.size(); ++i) cv[i] = (i * 5 + 1) % 3 == 0;
    KernelCase c{
        make_node(op, t),
        {Tensor::from_bytes(DType::kBool, Shape(s.c), cv), data(t, s.x, 1), data(t, s.y, 2)},
        {false, false, true},
        {{t, s.out}}};
    out.push_back({"cond " + Shape(s.c).to_string() + " x " + Shape(s.x).to_string() + " y " +
                       Shape(s.y).to_string(),
                   std::move(c), true});
  }
}

void gather_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  struct G {
    Dims params, indices;
    int64_t axis;
    bool i64;
  };
  for (const G& g : std::vector<G>{{{50, 16}, {2, 7}, 0, false},  // embeddings: 16-byte rows
                                   {{50, 3}, {5}, 0, true},       // odd rows
                                   {{3, 10, 5}, {4}, 1, true},
                                   {{3, 4, 6}, {2, 2}, -1, false},
                                   {{9}, {}, 0, false}}) {  // scalar index
    int64_t nidx = 1;
    for (int64_t d : g.indices) nidx *= d;
    const size_t ax = static_cast<size_t>(g.axis < 0 ? g.axis + 3 : g.axis);
    std::vector<int64_t> iv(static_cast<size_t>(nidx));
    for (size_t i = 0; i < iv.size(); ++i) iv[i] = static_cast<int64_t>(i * 7 + 3) % g.params[ax];
    Tensor idx = g.i64 ? Tensor::from_vector<int64_t>(Shape(g.indices), iv)
                       : Tensor::from_vector<int32_t>(Shape(g.indices),
                                                      std::vector<int32_t>(iv.begin(), iv.end()));
    Dims o(g.params.begin(), g.params.begin() + static_cast<int64_t>(ax));
    o.insert(o.end(), g.indices.begin(), g.indices.end());
    o.insert(o.end(), g.params.begin() + static_cast<int64_t>(ax) + 1, g.params.end());
    KernelCase c{make_node(op, t,
                           {{"batch_dims", int64_t{0}},
                            {"Tindices", g.i64 ? DType::kInt64 : DType::kInt32},
                            {"Taxis", DType::kInt32}}),
                 {data(t, g.params, 2), idx, int32s({g.axis})},
                 {true, false, true},
                 {{t, o}}};
    out.push_back({Shape(g.params).to_string() + " indices " + Shape(g.indices).to_string() +
                       " axis " + std::to_string(g.axis),
                   std::move(c), true});
  }
}

void reduce_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  struct R {
    Dims in, axes;
    bool keep;
  };
  for (const R& r : std::vector<R>{{{2, 7, 7, 64}, {1, 2}, false},  // global average pool
                                   {{3, 50}, {1}, true},
                                   {{2, 3, 100}, {-1}, false},
                                   {{4, 5, 6}, {0, 2}, false},  // non-adjacent axes
                                   {{4, 5, 6}, {0, 1, 2}, true},
                                   {{3, 5}, {0}, false},
                                   {{3, 4097}, {1}, false},
                                   {{7}, {0}, false},
                                   {{2, 3, 1100}, {1}, false},  // inner over 512 values
                                   {{3, 1, 4, 1, 5}, {1, 2, 3}, true}}) {
    Dims o;
    for (size_t d = 0; d < r.in.size(); ++d) {
      bool red = false;
      for (int64_t a : r.axes)
        red |= static_cast<size_t>(a < 0 ? a + static_cast<int64_t>(r.in.size()) : a) == d;
      if (!red)
        o.push_back(r.in[d]);
      else if (r.keep)
        o.push_back(1);
    }
    KernelCase c{make_node(op, t, {{"keep_dims", r.keep}, {"Tidx", DType::kInt32}}),
                 {harness_input(t, r.in, 6, -2.0f, 2.0f), int32s(r.axes)},
                 {false, true},
                 {{t, o}}};
    out.push_back({Shape(r.in).to_string() + " axes " + Shape(r.axes).to_string() +
                       (r.keep ? " keep_dims" : ""),
                   std::move(c)});
  }
}

}  // namespace

std::vector<OpCases> elementwise_cases() {
  return {
      {{"Relu", "Relu6", "Sigmoid", "Tanh", "Erf", "Rsqrt", "Sqrt", "Exp", "Log", "Neg", "Square",
        "Abs", "Elu", "Mish", "HardSwish", "LeakyRelu", "Swish", "Gelu"},
       unary_cases},
      {{"AddV2", "Add", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Pow", "SquaredDifference"},
       binary_cases},
      {{"BiasAdd"}, bias_add_cases},
      {{"Cast"}, cast_cases},
      {{"Identity", "IdentityN", "Reshape", "Squeeze", "ExpandDims", "Snapshot", "StopGradient",
        "PreventGradient", "EnsureShape", "CheckNumerics", "PlaceholderWithDefault"},
       copy_cases},
      {{"Transpose"}, transpose_cases},
      {{"Slice", "StridedSlice"}, slice_cases},
      {{"Pad", "PadV2"}, pad_cases},
      {{"ConcatV2"}, concat_cases},
      {{"Select", "SelectV2"}, select_cases},
      {{"GatherV2"}, gather_cases},
      {{"Sum", "Mean", "Max", "Min"}, reduce_cases}};
}

}  // namespace aamp::testing
