// Contraction fusions: MatMul / Conv2D / DepthwiseConv2dNative / BatchMatMulV2 with bias,
// scale, residual Add and activations; Conv + FusedBatchNorm folding; Pad + Conv; Pad + MaxPool;
// a bias or activation moved before the Reshape that separates it from its contraction (Keras'
// Dense on 3-D inputs: Reshape -> MatMul -> Reshape -> BiasAdd -> Gelu).
#include <cmath>
#include <optional>
#include <vector>

#include "aamp/core/dispatch.h"
#include "aamp/ops/attrs.h"
#include "aamp/ops/epilogue.h"
#include "aamp/passes/remapper.h"

namespace aamp {

namespace {
using P = Pattern;

struct Contraction {
  const char* op;
  const char* fused_op;
  bool tf_fused;  // the fused form is a stock TensorFlow op
};
constexpr Contraction kContractions[] = {
    {"MatMul", "_FusedMatMul", true},
    {"Conv2D", "_FusedConv2D", true},
    // FusedDepthwiseConv2dNative is TF.js's op: stock TensorFlow has no fused depthwise conv.
    {"DepthwiseConv2dNative", "FusedDepthwiseConv2dNative", false},
    {"BatchMatMulV2", "_AampFusedBatchMatMulV2", false},
    {"BatchMatMul", "_AampFusedBatchMatMulV2", false},
};
const char* fused_name(const std::string& op) {
  for (const auto& c : kContractions)
    if (op == c.op) return c.fused_op;
  return nullptr;
}

const std::vector<std::string>& fused_ops_of(const Node& n) {
  static const std::vector<std::string> kEmpty;
  const AttrValue* f = n.find_attr("fused_ops");
  return f && f->is<AttrList>() ? f->get<AttrList>().s : kEmpty;
}

// The unfused contraction turned into its fused form with no fused ops yet.
// `as` names the fused op when it is not the table's (TensorFlow's _FusedDepthwiseConv2dNative).
Node to_fused(const Node& c, const char* as = nullptr) {
  Node f = c;
  f.op = as ? as : fused_name(c.op);
  f.inputs.resize(static_cast<size_t>(c.num_data_inputs()));
  f.attrs.erase("_output_shapes");
  if (c.op == "BatchMatMul") f.op = "_AampFusedBatchMatMulV2";
  // Attrs of the unfused op that the fused op does not declare (MatMul's grad_a / grad_b since
  // TensorFlow 2.13) would not validate; internal "_" attrs stay.
  for (auto it = f.attrs.begin(); it != f.attrs.end();) {
    if (it->first.rfind('_', 0) != 0 && !op_declares_attr(f, it->first))
      it = f.attrs.erase(it);
    else
      ++it;
  }
  f.attrs["num_args"] = int64_t{0};
  f.attrs["fused_ops"] = AttrList{};
  if (!f.has_attr("epsilon")) f.attrs["epsilon"] = 1e-4f;
  if (!f.has_attr("leakyrelu_alpha")) f.attrs["leakyrelu_alpha"] = 0.2f;
  return f;
}

void append_op(Node& f, const std::string& op, const std::string* arg) {
  AttrList l = f.attrs.count("fused_ops") ? f.attr_list("fused_ops") : AttrList{};
  l.s.push_back(op);
  f.attrs["fused_ops"] = l;
  if (arg) {
    // args go after the existing data inputs and before control inputs
    f.inputs.insert(f.inputs.begin() + f.num_data_inputs(), *arg);
    f.attrs["num_args"] = op_attr_int(f, "num_args") + 1;
  }
}

// Size of the contraction's last output dim (the channel of NHWC convs): from the static shape,
// else from the weights' (constant, or a variable's recorded shape); -1 when unknown.
int64_t output_channels(const Graph& g, const Node& c) {
  const Shape s = remap::static_shape(g, TensorRef{c.name, 0});
  if (!s.unknown_rank && s.rank() > 0 && s.dims.back() >= 0) return s.dims.back();
  if (c.num_data_inputs() < 2) return -1;
  const Node* wn = g.find(c.input(1).node);
  const Tensor* w = wn ? const_value(*wn) : nullptr;
  const Shape ws = w ? w->shape() : remap::static_shape(g, c.input(1));
  if (ws.unknown_rank || !ws.is_fully_defined()) return -1;
  const auto& d = ws.dims;
  std::string op = c.op;  // the fused forms read their weights alike
  for (const auto& k : kContractions)
    if (op == k.fused_op) op = k.op;
  if (op == "MatMul" && d.size() == 2) return d[op_attr_bool(c, "transpose_b") ? 0 : 1];
  if (op == "Conv2D" && d.size() == 4) return d[3];
  if (op == "DepthwiseConv2dNative" && d.size() == 4) return d[2] * d[3];
  if (op.rfind("BatchMatMul", 0) == 0 && d.size() >= 2)
    return d[d.size() - (op_attr_bool(c, "adj_y") ? 2 : 1)];
  return -1;
}

// A contraction's or bias' data_format (its attr, else its OpDef's default). MatMul,
// BatchMatMul(V2) and BiasAddV1 declare none: they are channels-last, NHWC (an explicit attr is
// still read, as before).
std::string data_format_of(const Node& n) {
  if (op_declares_attr(n, "data_format")) return op_attr_string(n, "data_format");
  return n.attr_string_or("data_format", "NHWC");
}

bool data_format_matches(const Node& a, const Node& b) {
  return data_format_of(a) == data_format_of(b);
}

}  // namespace

bool remap::tf_runs_fused_depthwise(const Node& conv, bool tf_onednn) {
  const std::string pad = op_attr_string(conv, "padding");
  return tf_onednn && (pad == "SAME" || pad == "VALID");
}

bool remap::tf_fused_activation(const std::string& op, const std::vector<std::string>& before,
                                const std::string& step, bool tf_onednn) {
  const EpilogueOpDef* d = find_epilogue_op(step);
  if (!d || !is_activation(d->op)) return false;
  const bool lone_bias = before.size() == 1 && before[0] == "BiasAdd";
  if (is_fused_depthwise(op))  // TensorFlow's oneDNN fused depthwise (TF 2.21, float32 / bfloat16)
    return tf_onednn && lone_bias &&
           (d->op == EpilogueOp::kRelu || d->op == EpilogueOp::kRelu6 || d->op == EpilogueOp::kElu);
  if (d->tf_fusable) return true;
  const bool onednn_matmul =
      tf_onednn && op == "_FusedMatMul" && before.size() == 1 && before[0] == "BiasAdd";
  return onednn_matmul && (d->op == EpilogueOp::kGeluExact || d->op == EpilogueOp::kGeluApprox ||
                           d->op == EpilogueOp::kSigmoid || d->op == EpilogueOp::kTanh);
}

namespace {
// Whether the activation node `act` can become the next step of the fused contraction `f`
// (its last step BiasAdd, Add or Mul; stock TensorFlow's fused MatMul / Conv2D running the step
// in tf_compatible mode), with the step and its parameters.
bool activation_fuses(const Node& f, const Node& act, const RemapperOptions& o, EpilogueOp& step,
                      ActParams& params) {
  const auto& ops = fused_ops_of(f);
  if (ops.empty()) return false;
  const std::string& last = ops.back();
  if (last != "BiasAdd" && last != "Add" && last != "Mul" && last != "FusedBatchNorm") return false;
  if (o.tf_compatible && f.op != "_FusedConv2D" && f.op != "_FusedMatMul" &&
      f.op != "_FusedDepthwiseConv2dNative")
    return false;
  if (!activation_of_node(act, step, params)) return false;
  if (o.tf_compatible &&
      !remap::tf_fused_activation(f.op, ops, std::string(epilogue_op_def(step).name), o.tf_onednn))
    return false;
  // The epilogue's Swish has beta 1 (fused ops carry no beta attr).
  return step != EpilogueOp::kSwish || params.beta == 1.0f;
}

const char* kUnfusedContractions = "MatMul|Conv2D|DepthwiseConv2dNative|BatchMatMulV2|BatchMatMul";
const char* kFusedContractions =
    "_FusedConv2D|_FusedMatMul|FusedDepthwiseConv2dNative|_FusedDepthwiseConv2dNative|"
    "_AampFusedBatchMatMulV2";

// op(Reshape(c, shape) [, arg]) => Reshape(op(c [, arg]), shape): the root keeps its name and
// becomes the Reshape; the moved op gets a new one; c (interior to the match, so removed with
// it) is put back unchanged.
void move_before_reshape(Graph& g, const Match& m) {
  const Node& reshape = m.node("reshape");
  Node c = m.node("c");
  Node moved = *m.root;
  moved.name = g.unique_name(m.root->name + "/before_reshape");
  moved.inputs[0] = m.input("c");
  moved.attrs.erase("_output_shapes");
  Node r = reshape;
  r.inputs = {moved.name, reshape.inputs.at(1)};
  for (const std::string& in : reshape.inputs)
    if (!in.empty() && in[0] == '^') r.inputs.push_back(in);
  r.attrs.erase("_output_shapes");
  if (const AttrValue* os = m.root->find_attr("_output_shapes")) r.attrs["_output_shapes"] = *os;
  remap::replace_root(g, m, std::move(r));
  g.add(std::move(c));
  g.add(std::move(moved));
}

// A Reshape that keeps the last dim (static and equal on both sides), over which a bias on the
// last dim commutes.
bool keeps_last_dim(const Graph& g, const Match& m) {
  const Shape in = remap::static_shape(g, m.tensor("c"));
  const Shape out = remap::static_shape(g, TensorRef{m.node("reshape").name, 0});
  return !in.unknown_rank && !out.unknown_rank && in.rank() > 0 && out.rank() > 0 &&
         in.dims.back() >= 0 && in.dims.back() == out.dims.back();
}

// TensorFlow's own fused depthwise convolution, for a DepthwiseConv2dNative it takes (run by its
// oneDNN ops; SAME / VALID padding), in tf_compatible mode.
bool tf_fused_depthwise(const Node& c, const RemapperOptions& o) {
  return o.tf_compatible && c.op == "DepthwiseConv2dNative" &&
         remap::tf_runs_fused_depthwise(c, o.tf_onednn);
}

FusionRule bias_rule(const Contraction& c, bool bias_add) {
  FusionRule r;
  r.name = std::string(c.op) + "+BiasAdd";
  // A depthwise convolution fuses for TensorFlow with its oneDNN ops only (the rewrite checks).
  r.tf_compatible = c.tf_fused || std::string(c.op) == "DepthwiseConv2dNative";
  P contraction = P::op(c.op, {}, "c");
  if (bias_add) {
    r.pattern = P::op("BiasAdd|BiasAddV1", {contraction, P::any("bias")});
  } else {
    // AddV2 with a 1-D constant acts as a bias over the last axis (NHWC / row-major).
    r.pattern = P::op("AddV2|Add", {contraction, P::constant(is_vector, "bias")}).commutative();
  }
  r.rewrite = [](Graph& g, const Match& m, const RemapperOptions& o) {
    const Node& cn = m.node("c");
    const bool tf_depthwise = tf_fused_depthwise(cn, o);
    if (o.tf_compatible && cn.op == "DepthwiseConv2dNative" && !tf_depthwise) return false;
    if (m.root->op.rfind("BiasAdd", 0) == 0 && !data_format_matches(cn, *m.root)) return false;
    if (m.root->op.rfind("BiasAdd", 0) != 0) {
      if (data_format_of(cn) != "NHWC") return false;
      // A bias has one value per output channel; a shorter vector (length 1) broadcasts and is
      // no bias.
      const int64_t channels = output_channels(g, cn);
      if (channels < 0 || const_value(m.node("bias"))->num_elements() != channels) return false;
    }
    Node f = to_fused(cn, tf_depthwise ? "_FusedDepthwiseConv2dNative" : nullptr);
    std::string bias = m.input("bias");
    append_op(f, "BiasAdd", &bias);
    remap::replace_root(g, m, std::move(f));
    return true;
  };
  return r;
}

// FusedBatchNorm(conv(x, w) [+ bias]) => fused conv [BiasAdd] with the BN folded (see below).
FusionRule batch_norm_rule(const char* conv, bool biased) {
  const bool depthwise = std::string(conv) == "DepthwiseConv2dNative";
  FusionRule r;
  r.name = std::string(conv) + (biased ? "+BiasAdd" : "") + "+FusedBatchNorm";
  r.tf_compatible = !depthwise;
  P c = biased ? P::op(fused_name(conv),
                       {P::any("x"), P::constant(nullptr, "w"), P::constant(nullptr, "bias")}, "c")
                     .where([](const Node& n) {
                       return fused_ops_of(n) == std::vector<std::string>{"BiasAdd"};
                     })
               : P::op(conv, {P::any("x"), P::constant(nullptr, "w")}, "c");
  r.pattern = P::op("FusedBatchNorm|FusedBatchNormV2|FusedBatchNormV3",
                    {c, P::constant(nullptr, "scale"), P::constant(nullptr, "offset"),
                     P::constant(nullptr, "mean"), P::constant(nullptr, "var")})
                  .where([](const Node& n) { return !op_attr_bool(n, "is_training"); });
  r.rewrite = [biased, depthwise](Graph& g, const Match& m, const RemapperOptions&) {
    // Only y (port 0) may be used.
    const auto consumers = g.consumer_map();
    if (auto it = consumers.find(m.root->name); it != consumers.end())
      for (const auto& [consumer, idx] : it->second)
        if (consumer->input(idx).port != 0) return false;
    const Node& cn = m.node("c");
    if (!data_format_matches(cn, *m.root)) return false;
    const Tensor& w = *const_value(m.node("w"));
    const Tensor* sc = const_value(m.node("scale"));
    const Tensor* of = const_value(m.node("offset"));
    const Tensor* mu = const_value(m.node("mean"));
    const Tensor* va = const_value(m.node("var"));
    const Tensor* b0 = biased ? const_value(m.node("bias")) : nullptr;
    if (!is_float(w.dtype()) || w.shape().rank() != 4) return false;
    int64_t out_ch = depthwise ? w.shape().dims[2] * w.shape().dims[3] : w.shape().dims[3];
    for (const Tensor* t : {sc, of, mu, va, b0})
      if (t && (!is_float(t->dtype()) || t->num_elements() != out_ch)) return false;
    float eps = op_attr_float(*m.root, "epsilon");
    std::vector<float> mult(static_cast<size_t>(out_ch)), bias(static_cast<size_t>(out_ch));
    for (int64_t o = 0; o < out_ch; ++o) {
      double s = sc->element_as_double(o) / std::sqrt(va->element_as_double(o) + eps);
      double b = b0 ? b0->element_as_double(o) : 0.0;
      mult[static_cast<size_t>(o)] = static_cast<float>(s);
      bias[static_cast<size_t>(o)] =
          static_cast<float>(of->element_as_double(o) + (b - mu->element_as_double(o)) * s);
    }
    // Filters are HWIO (Conv2D) / HWCM (depthwise): the output channel is the flattened
    // last one or two dims, so it is the fastest-varying index modulo out_ch.
    Tensor w32 = w.cast_float(DType::kFloat);
    float* wp = w32.mutable_data<float>();
    for (int64_t i = 0; i < w32.num_elements(); ++i) wp[i] *= mult[static_cast<size_t>(i % out_ch)];
    Tensor new_w = w32.cast_float(w.dtype());
    DType t = remap::node_type(cn);
    Tensor new_b =
        Tensor::from_vector<float>(Shape{out_ch}, bias).cast_float(is_float(t) ? t : DType::kFloat);
    Node f = biased ? cn : to_fused(cn);
    f.inputs[1] = remap::add_const(g, m.node("w").name + "_bn_folded", new_w, cn.device);
    std::string b = remap::add_const(g, m.root->name + "_bn_bias", new_b, cn.device);
    if (biased)
      f.inputs[2] = b;
    else
      append_op(f, "BiasAdd", &b);
    remap::replace_root(g, m, std::move(f));
    return true;
  };
  return r;
}

// True when every value of `t` is >= 0 whatever the inputs: the output of Relu / Relu6, of a
// fused contraction ending in one, of pooling or Identity over such a value. (A zero Pad before
// MaxPool then changes nothing that EXPLICIT padding, which ignores the padded cells, would not.)
bool nonnegative(const Graph& g, const TensorRef& t, int depth = 0) {
  const Node* n = g.find(t.node);
  if (!n || t.port != 0 || depth > 8) return false;
  if (n->op == "Relu" || n->op == "Relu6") return true;
  if (n->op == "_FusedConv2D" || n->op == "_FusedMatMul" || is_fused_depthwise(n->op)) {
    const auto& f = fused_ops_of(*n);
    return !f.empty() && (f.back() == "Relu" || f.back() == "Relu6");
  }
  if (n->op == "MaxPool" || n->op == "Identity")
    return n->num_data_inputs() >= 1 && nonnegative(g, n->input(0), depth + 1);
  return false;
}

// Pad(x, const "pads") or PadV2 with a zero value, matched as the interior of `m`: its paddings
// as 8 non-negative ints (before, after per dim) with the batch dim and the channel dim `ch`
// unpadded; nullopt when the Pad is not such a zero spatial padding.
std::optional<std::vector<int64_t>> zero_spatial_pads(const Graph& g, const Match& m, int ch) {
  const Node* pad = nullptr;
  for (const Node* n : m.interior) pad = n;
  if (!pad) return std::nullopt;
  if (pad->op == "PadV2") {
    const Node* cv = g.find(pad->input(2).node);
    const Tensor* v = cv ? const_value(*cv) : nullptr;
    if (!v || v->num_elements() != 1 || scalar_value(*v) != 0.0) return std::nullopt;
  }
  const Tensor& pads = *const_value(m.node("pads"));
  if (pads.num_elements() != 8) return std::nullopt;
  std::vector<int64_t> p(8);
  for (int i = 0; i < 8; ++i) {
    p[static_cast<size_t>(i)] = static_cast<int64_t>(pads.element_as_double(i));
    if (p[static_cast<size_t>(i)] < 0) return std::nullopt;
  }
  const size_t c = static_cast<size_t>(ch);
  if (p[0] || p[1] || p[2 * c] || p[2 * c + 1]) return std::nullopt;
  return p;
}

// The root of `m` reading the Pad's input "x" with the paddings `p` as EXPLICIT padding.
Node with_explicit_padding(const Match& m, const std::vector<int64_t>& p) {
  Node n = *m.root;
  n.inputs[0] = m.input("x");
  n.attrs["padding"] = std::string("EXPLICIT");
  n.attrs["explicit_paddings"] = int_list(p);
  return n;
}

}  // namespace

std::vector<FusionRule> contraction_rules() {
  std::vector<FusionRule> rules;
  // Pad(x, const paddings) + Conv2D/DepthwiseConv2dNative(VALID) => conv with EXPLICIT padding.
  for (const char* conv : {"Conv2D", "DepthwiseConv2dNative"}) {
    FusionRule r;
    r.name = std::string("Pad+") + conv;
    r.tf_compatible = true;
    r.pattern =
        P::op(conv,
              {P::op("Pad|PadV2", {P::any("x"), P::constant(nullptr, "pads")}).allow_extra_inputs(),
               P::any("w")})
            // padding is required (its OpDef declares no default): a conv without one is no
            // match (a predicate must not throw).
            .where([](const Node& n) { return n.attr_string_or("padding", "") == "VALID"; });
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
      const bool nhwc = op_attr_string(*m.root, "data_format") == "NHWC";
      const auto p = zero_spatial_pads(g, m, nhwc ? 3 : 1);
      if (!p) return false;
      remap::replace_root(g, m, with_explicit_padding(m, *p));
      return true;
    };
    rules.push_back(r);
  }

  // Pad(x, const zero paddings) + MaxPool(VALID) => MaxPool with EXPLICIT padding, where x >= 0
  // (ResNet's stem: ZeroPadding2D after conv1's Relu). EXPLICIT padding takes no part in the max,
  // so it equals the zero Pad only over non-negative x; each pad must be smaller than the window
  // so that no window is padding only. Saves the padded copy (0.5 ms of ResNet-50 b64's stem on
  // the GPU).
  {
    FusionRule r;
    r.name = "Pad+MaxPool";
    r.tf_compatible = true;
    r.pattern =
        P::op(
            "MaxPool",
            {P::op("Pad|PadV2", {P::any("x"), P::constant(nullptr, "pads")}).allow_extra_inputs()})
            .where([](const Node& n) { return n.attr_string_or("padding", "") == "VALID"; });
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
      if (!nonnegative(g, m.tensor("x"))) return false;
      const AttrValue* ks = m.root->find_attr("ksize");
      if (!ks || !ks->is<AttrList>() || ks->get<AttrList>().i.size() != 4) return false;
      const auto& k = ks->get<AttrList>().i;
      const bool nchw = op_attr_string(*m.root, "data_format") == "NCHW";
      const auto p = zero_spatial_pads(g, m, nchw ? 1 : 3);
      if (!p) return false;
      for (size_t i = 0; i < 8; ++i)
        if ((*p)[i] >= k[i / 2]) return false;
      Node pool = with_explicit_padding(m, *p);
      pool.attrs.erase("_output_shapes");
      remap::replace_root(g, m, std::move(pool));
      return true;
    };
    rules.push_back(r);
  }

  // Conv2D / DepthwiseConv2dNative + FusedBatchNorm(V3) (inference) => _FusedConv2D /
  // FusedDepthwiseConv2dNative [BiasAdd] with the normalisation folded into filter and bias.
  // _FusedConv2D / FusedDepthwiseConv2dNative [BiasAdd] + FusedBatchNorm(V3) (Keras conv with
  // use_bias=True, then BN) => the same fused conv with both folded: bias' = (bias - mean) * s +
  // offset. (FusedDepthwiseConv2dNative is TF.js's op: not in tf_compatible mode.)
  for (const char* conv : {"Conv2D", "DepthwiseConv2dNative"})
    for (bool biased : {false, true}) rules.push_back(batch_norm_rule(conv, biased));

  for (const auto& c : kContractions) {
    rules.push_back(bias_rule(c, true));
    rules.push_back(bias_rule(c, false));
  }

  // BatchMatMulV2(x, y) * scalar => _AampFusedBatchMatMulV2 [Mul] (attention scaling).
  {
    FusionRule r;
    r.name = "BatchMatMulV2+Mul";
    r.pattern =
        P::op("Mul",
              {P::op("BatchMatMulV2|BatchMatMul", {}, "c"),
               P::constant(
                   [](const Tensor& t) { return t.num_elements() == 1 && is_float(t.dtype()); },
                   "scale")})
            .commutative();
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
      Node f = to_fused(m.node("c"));
      std::string s = m.input("scale");
      append_op(f, "Mul", &s);
      remap::replace_root(g, m, std::move(f));
      return true;
    };
    rules.push_back(r);
  }

  // fused[..., BiasAdd] + residual => fused[..., BiasAdd, Add] (same-shape, non-constant y).
  {
    FusionRule r;
    r.name = "Fused+Add";
    r.tf_compatible = true;
    r.pattern = P::op("AddV2|Add", {P::op("_FusedConv2D|_FusedMatMul|FusedDepthwiseConv2dNative|"
                                          "_AampFusedBatchMatMulV2",
                                          {}, "f")
                                        .allow_extra_inputs()
                                        // In the predicate, not the rewrite: when both operands
                                        // are fused ops (ResNet: block output + next block's
                                        // conv), the commuted match must be tried too.
                                        .where([](const Node& n) {
                                          const auto& ops = fused_ops_of(n);
                                          return !ops.empty() && ops.back() == "BiasAdd";
                                        }),
                                    P::any("y")})
                    .commutative();
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions& o) {
      const Node& f0 = m.node("f");
      const auto& ops = fused_ops_of(f0);
      if (ops.empty() || ops.back() != "BiasAdd") return false;
      // Stock TensorFlow runs a residual Add only in its oneDNN fused convolution.
      if (o.tf_compatible && (f0.op != "_FusedConv2D" || !o.tf_onednn)) return false;
      const Node* y = g.find(m.tensor("y").node);
      if (!y || const_value(*y)) return false;
      int ry = remap::static_rank(g, m.tensor("y"));
      int rf = remap::static_rank(g, TensorRef{f0.name, 0});
      if (ry < 0 || rf < 0 || ry != rf) return false;
      if (o.tf_compatible) {
        // TensorFlow's fused kernels read the addend as a tensor of the output's shape (a
        // broadcast one, e.g. [1,1,1,C], made TensorFlow 2.21 crash): equal shapes only (a dim
        // unknown on both sides, e.g. the batch, counts as equal).
        const Shape sy = remap::static_shape(g, m.tensor("y"));
        const Shape sf = remap::static_shape(g, TensorRef{f0.name, 0});
        if (sy.unknown_rank || sf.unknown_rank || sy.dims != sf.dims) return false;
        // Measured, cause not narrowed down: TensorFlow 2.21 crashes (SIGSEGV) running a fused
        // conv whose addend is a Pad's output (blazeface's channel-padded shortcut).
        if (y->op == "Pad" || y->op == "PadV2" || y->op == "MirrorPad") return false;
      }
      Node f = f0;
      std::string yin = m.input("y");
      append_op(f, "Add", &yin);
      remap::replace_root(g, m, std::move(f));
      return true;
    };
    rules.push_back(r);
  }

  // Activation(fused[..., BiasAdd|Add|Mul]) => fused[..., <activation>], for every standalone
  // activation of the epilogue vocabulary (ops/epilogue.h; Gelu's two steps are one op).
  for (const EpilogueOpDef* a : activation_source_rows()) {
    FusionRule r;
    r.name = "Fused+" + std::string(a->source_op);
    r.tf_compatible = true;  // the rewrite refuses what stock TensorFlow does not run
    r.pattern =
        P::op(std::string(a->source_op), {P::op(kFusedContractions, {}, "f").allow_extra_inputs()});
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions& o) {
      const Node& f0 = m.node("f");
      EpilogueOp step = EpilogueOp::kRelu;
      ActParams params;
      if (!activation_fuses(f0, *m.root, o, step, params)) return false;
      Node f = f0;
      if (step == EpilogueOp::kLeakyRelu) f.attrs["leakyrelu_alpha"] = params.alpha;
      append_op(f, std::string(epilogue_op_def(step).name), nullptr);
      remap::replace_root(g, m, std::move(f));
      return true;
    };
    rules.push_back(r);
  }

  // Prelu(fused[..., BiasAdd|Add], alpha) => fused[..., Prelu](alpha), alpha one value per output
  // channel: TF.js models put a PReLU after each residual Add (iris: 26), and TF.js fuses a PReLU
  // into a convolution only before the Add. Not for stock TensorFlow (it has no PReLU step: the
  // tf_compatible rules take TF.js's fused PReLUs apart instead) and, until measured there, not
  // for the GPU. A channels-first convolution does not apply: Prelu broadcasts alpha over the
  // last dim, which is not its channel.
  {
    FusionRule r;
    r.name = "Fused+Prelu";
    r.pattern = P::op("Prelu", {P::op("_FusedConv2D|_FusedMatMul", {}, "f").allow_extra_inputs(),
                                P::any("alpha")});
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions& o) {
      if (o.device != DeviceKind::kCPU) return false;
      const Node& f0 = m.node("f");
      const auto& ops = fused_ops_of(f0);
      if (ops.empty() || (ops.back() != "BiasAdd" && ops.back() != "Add")) return false;
      if (std::find(ops.begin(), ops.end(), "Prelu") != ops.end()) return false;
      if (f0.op == "_FusedConv2D" && data_format_of(f0) != "NHWC") return false;
      const int64_t channels = output_channels(g, f0);
      const Shape a = remap::static_shape(g, m.tensor("alpha"));
      if (channels <= 0 || a.unknown_rank || a.rank() < 1 || a.dims.back() != channels)
        return false;
      for (int d = 0; d + 1 < a.rank(); ++d)
        if (a.dims[static_cast<size_t>(d)] != 1) return false;
      if (remap::node_type(f0) != remap::node_type(*m.root)) return false;
      Node f = f0;
      const std::string alpha = m.input("alpha");
      append_op(f, "Prelu", &alpha);
      remap::replace_root(g, m, std::move(f));
      return true;
    };
    rules.push_back(r);
  }

  // conv [+ bias] * scale + shift, scale and shift per-channel tensors computed at run time (Keras
  // 3's BatchNormalization over variables: scale = gamma * rsqrt(var + eps), shift = beta -
  // mean * scale) => conv[FusedBatchNorm](scale, bias * scale + shift, 0, 1), epsilon 0; an
  // activation after it then fuses. Not for TensorFlow: its oneDNN convolution ran Keras'
  // ResNet-50 with this step 10 ms slower per run (28 -> 38 ms of conv time, 2-core Xeon) than
  // with the separate Mul and Add.
  {
    FusionRule r;
    r.name = "Conv2D+ScaleShift";
    r.pattern = P::op("AddV2|Add",
                      {P::op("Mul", {P::op("Conv2D|_FusedConv2D", {}, "c").allow_extra_inputs(),
                                     P::any("scale")})
                           .commutative(),
                       P::any("shift")})
                    .commutative();
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
      const Node& c = m.node("c");
      const bool biased = c.op == "_FusedConv2D";
      if (biased && fused_ops_of(c) != std::vector<std::string>{"BiasAdd"}) return false;
      if (data_format_of(c) != "NHWC") return false;
      const int64_t channels = output_channels(g, c);
      if (channels <= 0) return false;
      // Constant scale and shift: left to the constant folds (no run-time vector ops needed).
      const Node* sn = g.find(m.tensor("scale").node);
      const Node* tn = g.find(m.tensor("shift").node);
      if (!sn || !tn || (const_value(*sn) && const_value(*tn))) return false;
      std::string flat[2];
      const char* caps[2] = {"scale", "shift"};
      for (int i = 0; i < 2; ++i) {
        const Shape s = remap::static_shape(g, m.tensor(caps[i]));
        if (s.unknown_rank || s.rank() < 1 || s.rank() > 4 || s.dims.back() != channels)
          return false;
        for (int d = 0; d + 1 < s.rank(); ++d)
          if (s.dims[static_cast<size_t>(d)] != 1) return false;
        flat[i] = m.input(caps[i]);
        if (s.rank() == 1) continue;
        Node rs;
        rs.name = g.unique_name(m.root->name + "/" + caps[i] + "_c");
        rs.op = "Reshape";
        rs.device = m.root->device;
        rs.inputs = {flat[i], remap::add_const(g, rs.name + "_shape",
                                               Tensor::from_vector<int32_t>(
                                                   Shape{1}, {static_cast<int32_t>(channels)}),
                                               m.root->device)};
        rs.attrs["T"] = remap::node_type(*m.root);
        rs.attrs["Tshape"] = DType::kInt32;
        flat[i] = rs.name;
        g.add(std::move(rs));
      }
      auto binary = [&](const std::string& op, const std::string& a, const std::string& b) {
        Node n;
        n.name = g.unique_name(m.root->name + "/" + (op == "Mul" ? "bias_scaled" : "offset"));
        n.op = op;
        n.device = m.root->device;
        n.inputs = {a, b};
        n.attrs["T"] = remap::node_type(*m.root);
        const std::string name = n.name;
        g.add(std::move(n));
        return name;
      };
      std::string offset = flat[1];
      if (biased) offset = binary("AddV2", binary("Mul", c.inputs.at(2), flat[0]), flat[1]);
      const auto fill = [&](const char* what, float v) {
        return remap::add_const(
            g, m.root->name + "/" + what,
            Tensor::from_vector<float>(Shape{channels},
                                       std::vector<float>(static_cast<size_t>(channels), v)),
            m.root->device);
      };
      Node f = biased ? c : to_fused(c);
      f.inputs.resize(2);
      f.attrs["fused_ops"] = AttrList{};
      f.attrs["num_args"] = int64_t{0};
      f.attrs.erase("_output_shapes");
      append_op(f, "FusedBatchNorm", &flat[0]);
      f.inputs.insert(f.inputs.begin() + f.num_data_inputs(),
                      {offset, fill("zero_mean", 0.0f), fill("unit_variance", 1.0f)});
      f.attrs["num_args"] = int64_t{4};
      f.attrs["epsilon"] = 0.0f;
      remap::replace_root(g, m, std::move(f));
      return true;
    };
    rules.push_back(r);
  }

  // BiasAdd(Reshape(contraction)) => Reshape(BiasAdd(contraction)) when the Reshape keeps the
  // last dim: the bias then fuses into the contraction (Keras' Dense over a [batch, seq, features]
  // input is Reshape -> MatMul -> Reshape -> BiasAdd).
  {
    FusionRule r;
    r.name = "BiasAdd before Reshape";
    r.tf_compatible = true;
    r.pattern =
        P::op("BiasAdd|BiasAddV1",
              {P::op("Reshape", {P::op(kUnfusedContractions, {}, "c"), P::any("shape")}, "reshape"),
               P::any("bias")});
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
      if (data_format_of(*m.root) != "NHWC" || !data_format_matches(m.node("c"), *m.root))
        return false;
      if (!keeps_last_dim(g, m)) return false;
      move_before_reshape(g, m);
      return true;
    };
    rules.push_back(r);
  }
  // Activation(Reshape(fused contraction)) => Reshape(Activation(fused)), where the activation
  // then fuses (element-wise: any Reshape commutes).
  for (const EpilogueOpDef* a : activation_source_rows()) {
    FusionRule r;
    r.name = std::string(a->source_op) + " before Reshape";
    r.tf_compatible = true;
    r.pattern =
        P::op(std::string(a->source_op),
              {P::op("Reshape",
                     {P::op(kFusedContractions, {}, "c").allow_extra_inputs(), P::any("shape")},
                     "reshape")});
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions& o) {
      EpilogueOp step = EpilogueOp::kRelu;
      ActParams params;
      if (!activation_fuses(m.node("c"), *m.root, o, step, params)) return false;
      move_before_reshape(g, m);
      return true;
    };
    rules.push_back(r);
  }
  return rules;
}

}  // namespace aamp
