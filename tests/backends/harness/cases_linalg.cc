// Backend harness cases of the linear-algebra-shaped ops: convolutions (plain, depthwise,
// backprop, every epilogue), matmuls (transposes, broadcast batch dims, epilogues), pooling,
// batch norm, softmax, layer norm, add + softmax, fused attention and bilinear resize. Shapes are
// small and mostly odd, so that vector tails and partial tiles are hit.
#include <cmath>
#include <string>
#include <vector>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "backends/harness/harness.h"

namespace aamp::testing {
namespace {

using OpLists = std::vector<std::vector<std::string>>;

// The epilogues() with an op's own extra fused_ops lists.
OpLists with(OpLists lists, const OpLists& more) {
  lists.insert(lists.end(), more.begin(), more.end());
  return lists;
}

// ---- convolutions ---------------------------------------------------------------------------

struct Conv {
  int64_t n, h, w, c;  // input (forward) / input_sizes (backprop), logical NHWC
  int64_t kh, kw, oc;  // oc: out channels (Conv2D, backprop) or multiplier (depthwise)
  int64_t stride = 1, dil = 1;
  std::string padding = "SAME";
  Dims pads = {};  // top, bottom, left, right with EXPLICIT
  bool nchw = false;
  bool const_filter = true;

  std::string name() const {
    std::string s = "x " + Shape(Dims{n, h, w, c}).to_string() + " k" + std::to_string(kh) + "x" +
                    std::to_string(kw) + " oc" + std::to_string(oc) + " s" +
                    std::to_string(stride) + " d" + std::to_string(dil) + " " + padding;
    for (int64_t p : pads) s += " " + std::to_string(p);
    return s + (nchw ? " NCHW" : "") + (const_filter ? "" : " runtime filter");
  }
};

Dims layout(bool nchw, int64_t n, int64_t h, int64_t w, int64_t c) {
  return nchw ? Dims{n, c, h, w} : Dims{n, h, w, c};
}

Dims spatial(bool nchw, int64_t a, int64_t b) { return nchw ? Dims{1, 1, a, b} : Dims{1, a, b, 1}; }

KernelCase conv_case(const std::string& op, DType t, const Conv& s) {
  AttrMap attrs;
  attrs["strides"] = int_list(spatial(s.nchw, s.stride, s.stride));
  attrs["dilations"] = int_list(spatial(s.nchw, s.dil, s.dil));
  attrs["padding"] = s.padding;
  attrs["data_format"] = std::string(s.nchw ? "NCHW" : "NHWC");
  if (!s.pads.empty()) {
    const Dims& p = s.pads;
    attrs["explicit_paddings"] = int_list(s.nchw ? Dims{0, 0, 0, 0, p[0], p[1], p[2], p[3]}
                                                 : Dims{0, 0, p[0], p[1], p[2], p[3], 0, 0});
  }
  KernelCase c{make_node(op, t, attrs), {}, {}, {}};
  const bool bwd = op == "Conv2DBackpropInput";
  const bool dw = op.find("Depthwise") != std::string::npos;
  const Dims in = layout(s.nchw, s.n, s.h, s.w, s.c);
  const Dims filter = {s.kh, s.kw, s.c, s.oc};
  const linalg::Conv2DGeom g = linalg::conv_geom(c.node,
                                                 bwd  ? linalg::ConvKind::kBackpropInput
                                                 : dw ? linalg::ConvKind::kDepthwise
                                                      : linalg::ConvKind::kConv2D,
                                                 in, filter);
  const Dims out = linalg::geom_output_shape(g);
  if (bwd) {
    c.inputs = {int32s(in), harness_input(t, filter, 11, -0.5f, 0.5f), harness_input(t, out, 12)};
    c.is_const = {true, s.const_filter, false};
    c.outputs = {{t, in}};
    return c;
  }
  c.inputs = {harness_input(t, in, 13), harness_input(t, filter, 14, -0.5f, 0.5f)};
  c.is_const = {false, s.const_filter};
  c.outputs = {{t, out}};
  return c;
}

void add_conv(const std::string& op, DType t, const Conv& s, std::vector<HarnessCase>& out) {
  out.push_back({s.name(), conv_case(op, t, s)});
}

// Every fused_ops list on each window; the first window also with the args fed at run time.
void add_fused(const std::string& op, DType t, const std::vector<Conv>& windows,
               std::vector<HarnessCase>& out, const OpLists& lists = epilogues()) {
  for (size_t i = 0; i < windows.size(); ++i)
    for (const auto& ops : lists)
      for (bool const_args : {true, false}) {
        if (!const_args && i > 0) continue;
        KernelCase c = conv_case(op, t, windows[i]);
        const Dims o = c.outputs[0].shape;
        add_fused_ops(c, ops, o, windows[i].nchw ? o[1] : o[3], const_args, 15);
        out.push_back({windows[i].name() + " " + join(ops) + (const_args ? "" : " runtime args"),
                       std::move(c)});
      }
}

void conv_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  if (op == "Conv2D") {
    for (const Conv& s : std::vector<Conv>{
             {2, 11, 9, 5, 3, 3, 7},
             {2, 10, 12, 5, 3, 3, 7, 2},  // SAME with asymmetric padding
             {2, 9, 11, 5, 3, 3, 7, 2, 1, "VALID"},
             {1, 12, 13, 4, 3, 3, 5, 1, 2},  // dilation
             {1, 8, 9, 3, 3, 2, 4, 1, 1, "EXPLICIT", {1, 2, 0, 3}},
             {2, 17, 17, 3, 7, 7, 16, 2, 1, "VALID"},                   // a ResNet stem
             {2, 20, 18, 3, 7, 7, 16, 2, 1, "EXPLICIT", {3, 3, 3, 3}},  // its Pad folded
             {2, 8, 8, 32, 1, 1, 64},
             {1, 9, 11, 3, 3, 3, 6, 2},
             {3, 7, 7, 16, 1, 1, 24, 2, 1, "VALID"},  // 1x1, stride 2
             {1, 6, 6, 8, 1, 1, 16, 1, 1, "VALID", {}, false, false},
             {1, 1, 1, 3, 1, 1, 2},
             {2, 11, 9, 5, 3, 3, 7, 1, 1, "SAME", {}, true},
             {1, 8, 8, 3, 3, 3, 4, 2, 1, "EXPLICIT", {1, 2, 0, 1}, true}})
      add_conv(op, t, s, out);
  } else if (op == "_FusedConv2D") {
    add_fused(op, t,
              {{2, 12, 12, 8, 3, 3, 16},
               {1, 13, 13, 3, 3, 3, 8, 2, 1, "VALID"},
               {2, 8, 8, 32, 3, 3, 32, 2},
               {1, 10, 10, 4, 3, 3, 6, 1, 1, "SAME", {}, true}},
              out, with(epilogues(), {{}}));  // also with no fused step at all
  } else if (op == "DepthwiseConv2dNative") {
    for (const Conv& s : std::vector<Conv>{{2, 9, 10, 6, 3, 3, 1},
                                           {2, 9, 10, 6, 3, 3, 2, 2},
                                           {1, 11, 9, 4, 5, 5, 1, 2, 1, "VALID"},
                                           {1, 12, 12, 3, 3, 3, 2, 1, 2},
                                           {1, 8, 9, 5, 3, 3, 1, 1, 1, "EXPLICIT", {2, 0, 1, 1}},
                                           {1, 7, 7, 16, 3, 3, 1, 1, 1, "SAME", {}, false, false},
                                           {2, 11, 9, 6, 3, 3, 1, 1, 1, "SAME", {}, true}})
      add_conv(op, t, s, out);
  } else if (op == "FusedDepthwiseConv2dNative" || op == "_FusedDepthwiseConv2dNative") {
    add_fused(op, t, {{2, 12, 12, 8, 3, 3, 1}, {1, 13, 13, 8, 3, 3, 1, 2}}, out);
  } else if (op == "Conv2DBackpropInput") {
    for (const Conv& s : std::vector<Conv>{{2, 10, 9, 4, 3, 3, 6},
                                           {2, 8, 8, 5, 3, 3, 7, 2},
                                           {1, 11, 11, 3, 3, 3, 5, 2, 1, "VALID"},
                                           {1, 16, 16, 8, 4, 4, 3, 2},
                                           {2, 10, 9, 4, 3, 3, 6, 1, 2},
                                           {1, 9, 9, 4, 3, 3, 6, 2, 1, "SAME", {}, false, false},
                                           {2, 10, 9, 4, 3, 3, 6, 2, 1, "SAME", {}, true}})
      add_conv(op, t, s, out);
  }
}

// ---- matmuls --------------------------------------------------------------------------------

struct Mm {
  Dims a, b;  // as stored
  bool ta = false, tb = false;
  bool const_b = false;

  std::string name() const {
    return Shape(a).to_string() + " x " + Shape(b).to_string() + (ta ? " ta" : "") +
           (tb ? " tb" : "") + (const_b ? " const b" : "");
  }
};

Dims mm_out(const Mm& s) {
  Dims out = broadcast_dims(Dims(s.a.begin(), s.a.end() - 2), Dims(s.b.begin(), s.b.end() - 2));
  out.push_back(s.ta ? s.a.back() : s.a[s.a.size() - 2]);
  out.push_back(s.tb ? s.b[s.b.size() - 2] : s.b.back());
  return out;
}

KernelCase mm_case(const std::string& op, DType t, const Mm& s) {
  const bool plain = op == "MatMul" || op == "_FusedMatMul";
  KernelCase c{
      make_node(op, t,
                {{plain ? "transpose_a" : "adj_x", s.ta}, {plain ? "transpose_b" : "adj_y", s.tb}}),
      {harness_input(t, s.a, 1), harness_input(t, s.b, 2)},
      {false, s.const_b},
      {{t, mm_out(s)}}};
  return c;
}

void matmul_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  std::vector<Mm> plain;
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (bool cb : {false, true})
        plain.push_back(
            {ta ? Dims{33, 17} : Dims{17, 33}, tb ? Dims{29, 33} : Dims{33, 29}, ta, tb, cb});
  plain.push_back({{1, 13}, {13, 5}});
  plain.push_back({{13, 1}, {5, 13}, true, true});  // m = 1, both transposed
  plain.push_back({{256, 7}, {256, 5}, true, false, true});
  plain.push_back({{7, 1}, {1, 5}, false, false, true});  // k = 1
  plain.push_back({{64, 256}, {256, 96}, false, false, true});
  const std::vector<Mm> batched = {{{2, 3, 5, 7}, {2, 3, 7, 4}},
                                   {{2, 3, 5, 7}, {2, 3, 4, 7}, false, true},  // BERT's Q K^T
                                   {{2, 3, 7, 5}, {2, 3, 7, 4}, true, false},
                                   {{2, 3, 7, 5}, {2, 3, 4, 7}, true, true},
                                   {{2, 4, 16, 16}, {2, 4, 16, 8}},
                                   {{3, 1, 13}, {3, 13, 1}},
                                   {{4, 6, 9}, {4, 9, 3}},
                                   {{4, 9}, {9, 3}},
                                   {{2, 3, 5, 7}, {7, 4}, false, false, true},  // b broadcast
                                   {{2, 3, 7, 5}, {1, 7, 4}, true, false},
                                   {{2, 1, 5, 7}, {3, 7, 4}},
                                   {{5, 7}, {6, 7, 4}},            // a broadcast
                                   {{2, 1, 5, 7}, {1, 3, 7, 4}}};  // both broadcast
  if (op == "MatMul") {
    for (const Mm& s : plain) out.push_back({s.name(), mm_case(op, t, s)});
  } else if (op == "_FusedMatMul") {
    for (const Mm& s : std::vector<Mm>{{{8, 64}, {64, 48}, false, false, true},
                                       {{64, 8}, {48, 64}, true, true, true},
                                       {{7, 13}, {13, 5}, false, false, true},
                                       {{7, 13}, {13, 5}}})
      // cuBLASLt fuses Relu and GeluApproximate; another activation after the residual Add
      // runs as its own kernel.
      for (const auto& ops : with(epilogues(), {{"BiasAdd", "Add", "GeluExact"}})) {
        KernelCase c = mm_case(op, t, s);
        const Dims o = c.outputs[0].shape;
        add_fused_ops(c, ops, o, o.back(), s.const_b, 3);
        out.push_back(
            {s.name() + " " + join(ops) + (s.const_b ? "" : " runtime args"), std::move(c)});
      }
  } else if (op == "BatchMatMul" || op == "BatchMatMulV2") {
    for (const Mm& s : batched) {
      if (op == "BatchMatMul" && s.a.size() != s.b.size()) continue;
      out.push_back({s.name(), mm_case(op, t, s)});
    }
  } else if (op == "_AampFusedBatchMatMulV2") {
    for (const Mm& s : std::vector<Mm>{{{2, 3, 5, 8}, {2, 3, 6, 8}, false, true},
                                       {{2, 6, 8}, {8, 5}, false, false, true},
                                       {{2, 4, 6, 8}, {2, 4, 8, 6}}})
      // A scale alone (BERT's 1/sqrt(d)) and the activations after a Mul or an Add too.
      for (const auto& ops :
           with(epilogues(), {{"Mul"}, {"Mul", "Tanh"}, {"Add", "GeluApproximate"}}))
        for (bool const_args : {true, false}) {
          KernelCase c = mm_case(op, t, s);
          const Dims o = c.outputs[0].shape;
          add_fused_ops(c, ops, o, o.back(), const_args, 13);
          out.push_back(
              {s.name() + " " + join(ops) + (const_args ? "" : " runtime args"), std::move(c)});
        }
  }
}

// ---- pooling, normalization, softmax, resize --------------------------------------------------

void pool_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  struct P {
    Dims nhwc;
    int64_t k, stride;
    const char* padding;
    Dims pads = {};  // top, bottom, left, right with EXPLICIT (MaxPool only, as in TensorFlow)
  };
  std::vector<P> windows = {{{2, 11, 10, 5}, 3, 2, "SAME"}, {{2, 11, 10, 5}, 3, 2, "VALID"},
                            {{2, 11, 10, 5}, 2, 2, "SAME"}, {{1, 8, 8, 16}, 2, 2, "VALID"},
                            {{1, 7, 9, 3}, 3, 1, "SAME"},   {{1, 6, 6, 4}, 1, 2, "SAME"},
                            {{1, 5, 5, 3}, 5, 1, "VALID"},  {{2, 13, 12, 24}, 3, 2, "SAME"}};
  if (op == "MaxPool") {  // the remapper's Pad + MaxPool (ResNet's stem), and asymmetric pads
    windows.push_back({{2, 12, 12, 8}, 3, 2, "EXPLICIT", {1, 1, 1, 1}});
    windows.push_back({{1, 9, 8, 5}, 3, 2, "EXPLICIT", {2, 0, 1, 2}});
  }
  for (bool nchw : {false, true})
    for (const P& p : windows) {
      AttrMap attrs;
      attrs["ksize"] = int_list(spatial(nchw, p.k, p.k));
      attrs["strides"] = int_list(spatial(nchw, p.stride, p.stride));
      attrs["padding"] = std::string(p.padding);
      attrs["data_format"] = std::string(nchw ? "NCHW" : "NHWC");
      if (!p.pads.empty()) {
        const Dims& q = p.pads;
        attrs["explicit_paddings"] = int_list(nchw ? Dims{0, 0, 0, 0, q[0], q[1], q[2], q[3]}
                                                   : Dims{0, 0, q[0], q[1], q[2], q[3], 0, 0});
      }
      const Dims in = layout(nchw, p.nhwc[0], p.nhwc[1], p.nhwc[2], p.nhwc[3]);
      KernelCase c{make_node(op, t, attrs), {harness_input(t, in, 5, -3.0f, 3.0f)}, {}, {}};
      c.outputs = {{t, linalg::geom_output_shape(linalg::pool_geom(c.node, in))}};
      std::string name = Shape(in).to_string() + " k" + std::to_string(p.k) + " s" +
                         std::to_string(p.stride) + " " + p.padding;
      for (int64_t q : p.pads) name += " " + std::to_string(q);
      out.push_back({name + (nchw ? " NCHW" : ""), std::move(c)});
    }
}

void batch_norm_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  const DType u = DType::kFloat;
  for (bool nchw : {false, true})
    for (const Dims& nhwc : std::vector<Dims>{{2, 5, 7, 6}, {1, 3, 3, 17}}) {
      AttrMap attrs = {{"epsilon", 1e-3f},
                       {"is_training", false},
                       {"data_format", std::string(nchw ? "NCHW" : "NHWC")}};
      if (op != "FusedBatchNorm") attrs["U"] = u;
      const int64_t ch = nhwc[3];
      const Dims x = layout(nchw, nhwc[0], nhwc[1], nhwc[2], ch);
      KernelCase c{make_node(op, t, attrs),
                   {harness_input(t, x, 1, -2.0f, 2.0f), harness_input(u, {ch}, 2, 0.5f, 1.5f),
                    harness_input(u, {ch}, 3), harness_input(u, {ch}, 4),
                    harness_input(u, {ch}, 5, 0.5f, 2.0f)},
                   {false, true, true, true, true},
                   {{t, x}, {u, {ch}}, {u, {ch}}, {u, {ch}}, {u, {ch}}}};
      if (op == "FusedBatchNormV3") c.outputs.push_back({u, {ch}});
      out.push_back({Shape(x).to_string() + (nchw ? " NCHW" : ""), std::move(c)});
    }
}

void softmax_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  for (const Dims& shape :
       std::vector<Dims>{{7}, {3, 10}, {4, 33}, {2, 4, 1001}, {2, 3, 4, 5}, {3, 4096}, {1, 1}}) {
    KernelCase c{make_node(op, t), {harness_input(t, shape, 6, -8.0f, 8.0f)}, {}, {{t, shape}}};
    out.push_back({Shape(shape).to_string(), std::move(c)});
  }
}

void layer_norm_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  for (const Dims& shape : std::vector<Dims>{
           {4, 768}, {13, 768}, {3, 520}, {5, 1024}, {2, 3, 13}, {3, 1001}, {2, 5000}, {1, 8}})
    for (DType gt :
         t == DType::kFloat ? std::vector<DType>{t} : std::vector<DType>{DType::kFloat, t}) {
      const int64_t ch = shape.back();
      KernelCase c{make_node(op, t, {{"U", gt}, {"epsilon", 1e-5f}}),
                   {harness_input(t, shape, 3, -4.0f, 6.0f), harness_input(gt, {ch}, 4, 0.5f, 1.5f),
                    harness_input(gt, {ch}, 5)},
                   {false, true, true},
                   {{t, shape}}};
      out.push_back({Shape(shape).to_string() + " gamma " + dtype_name(gt), std::move(c)});
    }
}

void add_softmax_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  const std::vector<std::pair<Dims, Dims>> shapes = {
      {{2, 12, 16, 128}, {2, 1, 1, 128}},  // BERT: [B,H,S,S] + [B,1,1,S]
      {{2, 3, 5, 7}, {2, 3, 5, 7}},
      {{3, 2000}, {2000}},
      {{3, 33}, {33}},
      {{2, 300}, {1}},
      {{2, 1024}, {1024}},
      {{4, 9}, {4, 1}},
      {{1, 7}, {3, 7}},
      {{5}, {}}};
  for (const auto& [sx, sm] : shapes) {
    KernelCase c{make_node(op, t),
                 {harness_input(t, sx, 7, -5.0f, 5.0f), harness_input(t, sm, 8, -3.0f, 0.0f)},
                 {false, true},
                 {{t, broadcast_dims(sx, sm)}}};
    out.push_back({Shape(sx).to_string() + " + " + Shape(sm).to_string(), std::move(c)});
  }
}

void attention_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  struct A {
    int64_t b, h, sq, sk, d, dv;
    std::string layout;
    Dims mask;  // empty: none
  };
  for (const A& a : std::vector<A>{{2, 12, 128, 128, 64, 64, "BSHD", {2, 1, 1, 128}},  // BERT
                                   {2, 3, 100, 70, 64, 64, "BHSD", {2, 1, 1, 70}},
                                   {1, 2, 65, 130, 32, 32, "BSHD", {1, 2, 65, 130}},
                                   {3, 1, 5, 9, 16, 16, "BHSD", {}},
                                   {2, 2, 7, 9, 32, 16, "BHSD", {1, 9}},  // not on the GPU
                                   {1, 2, 200, 64, 128, 128, "BSHD", {64}},
                                   {2, 4, 77, 77, 64, 64, "BS3HD", {2, 1, 1, 77}},
                                   {1, 2, 130, 130, 32, 32, "BS3HD", {}}}) {
    auto dims = [&](int64_t s, int64_t d) {
      return a.layout == "BHSD" ? Dims{a.b, a.h, s, d} : Dims{a.b, s, a.h, d};
    };
    const bool masked = !a.mask.empty();
    std::vector<Tensor> in;
    if (a.layout == "BS3HD") {  // q, k, v: one [B,S,3,H,D] tensor
      const Tensor qkv = harness_input(t, {a.b, a.sq, 3, a.h, a.d}, 11, -2.0f, 2.0f);
      in = {qkv, qkv, qkv};
    } else {
      in = {harness_input(t, dims(a.sq, a.d), 11, -2.0f, 2.0f),
            harness_input(t, dims(a.sk, a.d), 12, -2.0f, 2.0f),
            harness_input(t, dims(a.sk, a.dv), 13, -1.0f, 1.0f)};
    }
    if (masked) in.push_back(harness_input(t, a.mask, 14, -4.0f, 0.0f));
    const Dims q_dims = in[0].shape().dims;
    KernelCase c{make_node(op, t,
                           {{"scale", 1.0f / std::sqrt(static_cast<float>(a.d))},
                            {"layout", AttrValue(a.layout)},
                            {"num_args", int64_t{masked ? 1 : 0}}}),
                 std::move(in),
                 std::vector<bool>(masked ? 4 : 3, false),
                 {{t, dims(a.sq, a.dv)}}};
    out.push_back({Shape(q_dims).to_string() + " " + a.layout + " k " +
                       Shape(dims(a.sk, a.d)).to_string() + " mask " + Shape(a.mask).to_string(),
                   std::move(c)});
  }
}

void resize_cases(const std::string& op, DType t, std::vector<HarnessCase>& out) {
  if (!is_float(t)) return;
  struct R {
    Dims in;
    int64_t oh, ow;
    bool align, half;
  };
  for (const R& r : std::vector<R>{{{2, 5, 7, 3}, 11, 13, false, false},
                                   {{2, 5, 7, 3}, 11, 13, true, false},
                                   {{2, 5, 7, 3}, 11, 13, false, true},
                                   {{1, 9, 9, 4}, 4, 5, false, true},
                                   {{1, 9, 9, 4}, 4, 5, true, false},
                                   {{1, 1, 1, 2}, 3, 3, true, false}}) {
    KernelCase c{make_node(op, t, {{"align_corners", r.align}, {"half_pixel_centers", r.half}}),
                 {harness_input(t, r.in, 6, -4.0f, 4.0f), int32s({r.oh, r.ow})},
                 {false, true},
                 {{DType::kFloat, {r.in[0], r.oh, r.ow, r.in[3]}}}};
    out.push_back({Shape(r.in).to_string() + " -> " + std::to_string(r.oh) + "x" +
                       std::to_string(r.ow) + (r.align ? " align" : "") + (r.half ? " half" : ""),
                   std::move(c)});
  }
}

}  // namespace

std::vector<OpCases> linalg_cases() {
  return {{{"Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative",
            "_FusedDepthwiseConv2dNative", "Conv2DBackpropInput"},
           conv_cases},
          {{"MatMul", "_FusedMatMul", "BatchMatMul", "BatchMatMulV2", "_AampFusedBatchMatMulV2"},
           matmul_cases},
          {{"MaxPool", "AvgPool"}, pool_cases},
          {{"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"}, batch_norm_cases},
          {{"Softmax"}, softmax_cases},
          {{"LayerNorm"}, layer_norm_cases},
          {{"_AampFusedAddSoftmax"}, add_softmax_cases},
          {{"_AampFusedAttention"}, attention_cases},
          {{"ResizeBilinear"}, resize_cases}};
}

}  // namespace aamp::testing
