// Normalisation fusions: LayerNorm (last axis) and InstanceNorm (spatial axes) from the
// Keras / transformer decompositions.
#include "aamp/ops/attrs.h"
#include "aamp/passes/remapper.h"

namespace aamp {

namespace {
using P = Pattern;
const char* kAdd = "AddV2|Add";

P keep_dims_mean(P x, const std::string& capture) {
  return P::op("Mean", {std::move(x), P::constant(nullptr, capture + "_axes")}, capture)
      .where([](const Node& n) { return op_attr_bool(n, "keep_dims"); });
}
P epsilon() {
  return P::constant([](const Tensor& t) { return t.num_elements() == 1 && is_float(t.dtype()); },
                     "eps");
}
// rsqrt(var + eps) where var = Mean(SquaredDifference(x, mean)) or Mean(Square(Sub(x, mean))),
// the mean there optionally behind StopGradient / Identity (tf.nn.moments stops the gradient).
std::vector<P> rstd_patterns(const P& mean) {
  P stopped = P::op("StopGradient|Identity", {mean});
  std::vector<P> out;
  for (const P& mu : {mean, stopped}) {
    P sqdiff = P::op("SquaredDifference", {P::any("x"), mu}).commutative();
    P sq_sub = P::op("Square", {P::op("Sub", {P::any("x"), mu}, "centered")});
    for (const P& d : {sqdiff, sq_sub})
      out.push_back(P::op(
          "Rsqrt", {P::op(kAdd, {keep_dims_mean(d, "var"), epsilon()}).commutative()}, "rstd"));
  }
  return out;
}

// Both decompositions of y = (x - mean) * rstd * gamma + beta.
std::vector<P> norm_patterns() {
  P mean = keep_dims_mean(P::any("x"), "mean");
  std::vector<P> out;
  for (const P& rstd : rstd_patterns(mean)) {
    // Keras: inv = rstd * gamma; y = x * inv + (beta - mean * inv)
    P inv = P::op("Mul", {rstd, P::any("gamma")}, "inv").commutative();
    out.push_back(
        P::op(kAdd, {P::op("Mul", {P::any("x"), inv}).commutative(),
                     P::op("Sub", {P::any("beta"), P::op("Mul", {mean, inv}).commutative()})})
            .commutative());
    // Keras 3 after TensorFlow's arithmetic optimizer: y = beta + ((-mean) * inv + x * inv), or
    // y = (beta + (-mean) * inv) + x * inv (an AddN of two there is AddV2 by then: misc_rules'
    // AddN->AddV2).
    P neg_mean_inv = P::op("Mul", {P::op("Neg", {mean}), inv}).commutative();
    P x_inv = P::op("Mul", {P::any("x"), inv}).commutative();
    out.push_back(P::op(kAdd, {P::any("beta"), P::op(kAdd, {neg_mean_inv, x_inv}).commutative()})
                      .commutative());
    out.push_back(P::op(kAdd, {P::op(kAdd, {P::any("beta"), neg_mean_inv}).commutative(), x_inv})
                      .commutative());
    // Transformer: y = ((x - mean) * rstd) * gamma + beta
    P centered = P::op("Sub", {P::any("x"), mean}, "centered");
    out.push_back(
        P::op(kAdd, {P::op("Mul", {P::op("Mul", {centered, rstd}).commutative(), P::any("gamma")})
                         .commutative(),
                     P::any("beta")})
            .commutative());
  }
  return out;
}

bool same_axes(const Match& m, int rank, const std::vector<int64_t>& want) {
  return remap::const_axes(m.node("mean_axes"), rank) == want &&
         remap::const_axes(m.node("var_axes"), rank) == want;
}

// Length of a scale/offset tensor of shape `s` over the normalised channel: after leading 1s it
// must be [C] (channel last) or [C, 1, 1] (NCHW), or hold a single value (returns 1); its rank
// may not exceed x's (it would broadcast x up). -1: not per-channel (e.g. a residual tensor).
int64_t param_length(const Shape& s, bool nchw, int x_rank) {
  if (s.unknown_rank || !s.is_fully_defined()) return -1;
  if (s.rank() > (x_rank >= 0 ? x_rank : 1)) return -1;
  const int r = s.rank();
  bool all_ones = true;
  for (int64_t d : s.dims) all_ones &= d == 1;
  if (all_ones) return 1;
  const int channel = nchw ? r - 3 : r - 1;
  if (channel < 0) return -1;
  for (int i = 0; i < r; ++i)
    if (i != channel && s.dims[static_cast<size_t>(i)] != 1) return -1;
  return s.dims[static_cast<size_t>(channel)];
}

// gamma and beta of the match as inputs of the fused norm (C values each; a single constant value
// becomes a [C] Const), or false when they are not per-channel of x (channel `x_channels`, -1 when
// unknown).
bool per_channel_params(Graph& g, const Match& m, bool nchw, int x_rank, int64_t x_channels,
                        std::string* gamma, std::string* beta) {
  int64_t c = x_channels;
  int64_t len[2];
  const char* caps[2] = {"gamma", "beta"};
  for (int i = 0; i < 2; ++i) {
    len[i] = param_length(remap::static_shape(g, m.tensor(caps[i])), nchw, x_rank);
    if (len[i] < 0) return false;
    if (len[i] == 1) continue;
    if (c < 0) c = len[i];
    if (len[i] != c) return false;
  }
  if (c < 0) return false;  // two single values and an unknown channel count
  std::string* out[2] = {gamma, beta};
  for (int i = 0; i < 2; ++i) {
    *out[i] = m.input(caps[i]);
    if (len[i] == c) continue;
    // One value for every channel: the kernel reads C values.
    const TensorRef& t = m.tensor(caps[i]);
    const Node* n = g.find(t.node);
    const Tensor* v = n && t.port == 0 ? const_value(*n) : nullptr;
    if (!v || !is_float(v->dtype())) return false;
    std::vector<float> fill(static_cast<size_t>(c), static_cast<float>(scalar_value(*v)));
    *out[i] = remap::add_const(g, m.root->name + "_" + caps[i],
                               Tensor::from_vector<float>(Shape{c}, fill), m.root->device);
  }
  return true;
}

// Rank of the normalised input x of shape xs: the shape inference knows ranks the quick walk
// does not (Keras' residual adds of a LayerNorm output inside TensorFlow's graphs), the walk
// covers what it cannot infer.
int rank_of(const Graph& g, const Match& m, const Shape& xs) {
  return !xs.unknown_rank ? xs.rank() : remap::static_rank(g, m.tensor("x"));
}

Node norm_node(const std::string& op, const Match& m, const std::string& gamma,
               const std::string& beta) {
  Node n;
  n.op = op;
  n.inputs = {m.input("x"), gamma, beta};
  n.attrs["T"] = remap::node_type(*m.root);
  n.attrs["U"] = DType::kFloat;
  n.attrs["epsilon"] = static_cast<float>(scalar_value(*const_value(m.node("eps"))));
  return n;
}
}  // namespace

std::vector<FusionRule> norm_rules() {
  std::vector<FusionRule> rules;
  for (const P& p : norm_patterns()) {
    FusionRule ln;
    ln.name = "LayerNorm";
    ln.pattern = p;
    ln.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
      const Shape xs = remap::static_shape(g, m.tensor("x"));
      const int rank = rank_of(g, m, xs);
      auto axes = remap::const_axes(m.node("mean_axes"), rank);
      bool last = axes.size() == 1 && (axes[0] == -1 || (rank > 0 && axes[0] == rank - 1));
      if (!last || remap::const_axes(m.node("var_axes"), rank) != axes) return false;
      const int64_t channels = !xs.unknown_rank && xs.rank() > 0 ? xs.dims.back() : -1;
      std::string gamma, beta;
      if (!per_channel_params(g, m, false, rank, channels, &gamma, &beta)) return false;
      remap::replace_root(g, m, norm_node("LayerNorm", m, gamma, beta));
      return true;
    };
    rules.push_back(ln);

    FusionRule in;
    in.name = "InstanceNorm";
    in.pattern = p;
    in.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
      const Shape xs = remap::static_shape(g, m.tensor("x"));
      const int rank = rank_of(g, m, xs);
      if (rank != 4) return false;
      std::string fmt;
      if (same_axes(m, rank, {1, 2}))
        fmt = "NHWC";
      else if (same_axes(m, rank, {2, 3}))
        fmt = "NCHW";
      else
        return false;
      const int64_t channels = xs.rank() == 4 ? xs.dims[fmt == "NCHW" ? 1 : 3] : -1;
      std::string gamma, beta;
      if (!per_channel_params(g, m, fmt == "NCHW", rank, channels, &gamma, &beta)) return false;
      Node n = norm_node("InstanceNorm", m, gamma, beta);
      n.attrs["data_format"] = fmt;
      n.attrs["fused_ops"] = string_list({});
      remap::replace_root(g, m, std::move(n));
      return true;
    };
    rules.push_back(in);
  }
  // InstanceNorm + Relu / LeakyRelu => InstanceNorm with fused_ops [Relu] / [LeakyRelu].
  FusionRule act;
  act.name = "InstanceNorm+Activation";
  act.pattern = P::op("Relu|LeakyRelu", {P::op("InstanceNorm", {}, "norm").where([](const Node& n) {
                        const AttrValue* f = n.find_attr("fused_ops");
                        return !f || (f->is<AttrList>() && f->get<AttrList>().s.empty());
                      })});
  act.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
    Node n = m.node("norm");
    n.attrs["fused_ops"] = string_list({m.root->op});
    if (m.root->op == "LeakyRelu") n.attrs["leakyrelu_alpha"] = op_attr_float(*m.root, "alpha");
    remap::replace_root(g, m, std::move(n));
    return true;
  };
  rules.push_back(act);
  return rules;
}

}  // namespace aamp
