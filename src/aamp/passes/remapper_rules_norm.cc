// Normalisation fusions: LayerNorm (last axis) and InstanceNorm (spatial axes) from the
// Keras / transformer decompositions.
#include "aamp/passes/remapper.h"

namespace aamp {

namespace {
using P = Pattern;
const char* kAdd = "AddV2|Add";

P keep_dims_mean(P x, const std::string& capture) {
  return P::op("Mean", {std::move(x), P::constant(nullptr, capture + "_axes")}, capture)
      .where([](const Node& n) { return n.attr_bool_or("keep_dims", false); });
}
P epsilon() {
  return P::constant([](const Tensor& t) { return t.num_elements() == 1 && is_float(t.dtype()); },
                     "eps");
}
// rsqrt(var + eps) where var = Mean(SquaredDifference(x, mean)) or Mean(Square(Sub(x, mean))).
std::vector<P> rstd_patterns(const P& mean) {
  P sqdiff = P::op("SquaredDifference", {P::any("x"), mean}).commutative();
  P sq_sub = P::op("Square", {P::op("Sub", {P::any("x"), mean}, "centered")});
  std::vector<P> out;
  for (const P& d : {sqdiff, sq_sub})
    out.push_back(
        P::op("Rsqrt", {P::op(kAdd, {keep_dims_mean(d, "var"), epsilon()}).commutative()}, "rstd"));
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

Node norm_node(const std::string& op, const Match& m) {
  Node n;
  n.op = op;
  n.inputs = {m.input("x"), m.input("gamma"), m.input("beta")};
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
      int rank = remap::static_rank(g, m.tensor("x"));
      auto axes = remap::const_axes(m.node("mean_axes"), rank);
      bool last = axes.size() == 1 && (axes[0] == -1 || (rank > 0 && axes[0] == rank - 1));
      if (!last || remap::const_axes(m.node("var_axes"), rank) != axes) return false;
      remap::replace_root(g, m, norm_node("LayerNorm", m));
      return true;
    };
    rules.push_back(ln);

    FusionRule in;
    in.name = "InstanceNorm";
    in.pattern = p;
    in.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
      int rank = remap::static_rank(g, m.tensor("x"));
      if (rank != 4) return false;
      std::string fmt;
      if (same_axes(m, rank, {1, 2}))
        fmt = "NHWC";
      else if (same_axes(m, rank, {2, 3}))
        fmt = "NCHW";
      else
        return false;
      Node n = norm_node("InstanceNorm", m);
      n.attrs["data_format"] = fmt;
      AttrList none;
      n.attrs["fused_ops"] = none;
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
    AttrList ops;
    ops.s.push_back(m.root->op);
    n.attrs["fused_ops"] = ops;
    if (m.root->op == "LeakyRelu")
      n.attrs["leakyrelu_alpha"] = m.root->attr_float_or("alpha", 0.2f);
    remap::replace_root(g, m, std::move(n));
    return true;
  };
  rules.push_back(act);
  return rules;
}

}  // namespace aamp
