// Activation fusions: Swish, Mish, HardSwish and GELU (exact Erf form and approximate Tanh form).
#include "aamp/passes/remapper.h"

namespace aamp {

namespace {
using P = Pattern;

P near(float v) {
  return P::constant([v](const Tensor& t) { return is_scalar_near(t, v); });
}
const char* kAdd = "AddV2|Add";

Node unary(const Match& m, const std::string& op, const std::string& in_attr = "T") {
  Node n;
  n.op = op;
  n.inputs = {m.input("x")};
  n.attrs[in_attr] = remap::node_type(*m.root);
  return n;
}

FusionRule unary_rule(std::string name, P pattern,
                      std::function<void(Node&, const Match&)> extra = nullptr,
                      const std::string& op = "") {
  FusionRule r;
  r.name = name;
  r.pattern = std::move(pattern);
  std::string fused_op = op.empty() ? name : op;
  r.rewrite = [fused_op, extra](Graph& g, const Match& m, const RemapperOptions&) {
    Node n = unary(m, fused_op);
    if (extra) extra(n, m);
    remap::replace_root(g, m, std::move(n));
    return true;
  };
  return r;
}

// 0.5 * x * inner, in the association orders TensorFlow graphs use.
std::vector<P> half_x_times(const P& inner) {
  return {
      // Mul(Mul(x, 0.5), inner)
      P::op("Mul", {P::op("Mul", {P::any("x"), near(0.5f)}).commutative(), inner}).commutative(),
      // Mul(x, Mul(0.5, inner))
      P::op("Mul", {P::any("x"), P::op("Mul", {near(0.5f), inner}).commutative()}).commutative(),
      // Mul(Mul(x, inner), 0.5)
      P::op("Mul", {P::op("Mul", {P::any("x"), inner}).commutative(), near(0.5f)}).commutative(),
  };
}
}  // namespace

std::vector<FusionRule> activation_rules() {
  std::vector<FusionRule> rules;
  // Mul(x, Sigmoid(x)) => Swish(x)
  rules.push_back(unary_rule(
      "Swish", P::op("Mul", {P::any("x"), P::op("Sigmoid", {P::any("x")})}).commutative()));
  // Mul(x, Sigmoid(Mul(x, beta))) => Swish(x, beta)
  rules.push_back(unary_rule(
      "Swish",
      P::op("Mul", {P::any("x"),
                    P::op("Sigmoid", {P::op("Mul", {P::any("x"), P::constant(
                                                                     [](const Tensor& t) {
                                                                       return t.num_elements() ==
                                                                                  1 &&
                                                                              is_float(t.dtype());
                                                                     },
                                                                     "beta")})
                                          .commutative()})})
          .commutative(),
      [](Node& n, const Match& m) {
        n.attrs["beta"] = static_cast<float>(scalar_value(*const_value(m.node("beta"))));
      }));
  // Mul(x, Tanh(Softplus(x))) => Mish(x)
  rules.push_back(unary_rule(
      "Mish", P::op("Mul", {P::any("x"), P::op("Tanh", {P::op("Softplus", {P::any("x")})})})
                  .commutative()));
  // Mul(x, Relu6(AddV2(x, 3))) * (1/6)  or  / 6  => HardSwish(x)
  P x_relu6 = P::op("Mul", {P::any("x"),
                            P::op("Relu6", {P::op(kAdd, {P::any("x"), near(3.0f)}).commutative()})})
                  .commutative();
  rules.push_back(
      unary_rule("HardSwish", P::op("Mul", {x_relu6, near(1.0f / 6.0f)}).commutative()));
  rules.push_back(unary_rule("HardSwish", P::op("RealDiv", {x_relu6, near(6.0f)})));
  // Mul(Mul(x, 1/6), Relu6(AddV2(x, 3))) => HardSwish(x) (MediaPipe's selfie segmenter)
  rules.push_back(unary_rule(
      "HardSwish",
      P::op("Mul", {P::op("Mul", {P::any("x"), near(1.0f / 6.0f)}).commutative(),
                    P::op("Relu6", {P::op(kAdd, {P::any("x"), near(3.0f)}).commutative()})})
          .commutative()));

  // GELU exact: 0.5 * x * (1 + Erf(x * 0.7071068)) or Erf(x / 1.4142135).
  P erf_arg = P::op("Mul", {P::any("x"), near(0.70710678f)}).commutative();
  P erf_arg_div = P::op("RealDiv", {P::any("x"), near(1.41421356f)});
  for (const P& arg : {erf_arg, erf_arg_div}) {
    P inner = P::op(kAdd, {near(1.0f), P::op("Erf", {arg})}).commutative();
    for (P& p : half_x_times(inner))
      rules.push_back(unary_rule(
          "GeluExact", p, [](Node& n, const Match&) { n.attrs["approximate"] = false; }, "Gelu"));
  }
  // GELU exact as Keras 3 writes it: 0.5 * x * Erfc(-x * 0.7071068) (or Erfc(-(x * 0.7071068))).
  for (const P& arg : {P::op("Mul", {P::op("Neg", {P::any("x")}), near(0.70710678f)}).commutative(),
                       P::op("Neg", {erf_arg})})
    for (P& p : half_x_times(P::op("Erfc", {arg})))
      rules.push_back(unary_rule(
          "GeluExact", p, [](Node& n, const Match&) { n.attrs["approximate"] = false; }, "Gelu"));
  // GELU approximate: 0.5 * x * (1 + Tanh(0.7978846 * (x + 0.044715 * x^3))), with x^3 as
  // Pow(x, 3), Mul(x, Mul(x, x)) or Mul(Mul(x, x), x).
  std::vector<P> cubes = {
      P::op("Pow", {P::any("x"), near(3.0f)}),
      P::op("Mul", {P::any("x"), P::op("Mul|Square", {P::any("x"), P::any("x")})}).commutative(),
      P::op("Mul", {P::any("x"), P::op("Square", {P::any("x")})}).commutative(),
  };
  for (const P& cube : cubes) {
    P poly = P::op(kAdd, {P::any("x"), P::op("Mul", {near(0.044715f), cube}).commutative()})
                 .commutative();
    P inner = P::op(kAdd, {near(1.0f),
                           P::op("Tanh", {P::op("Mul", {near(0.7978846f), poly}).commutative()})})
                  .commutative();
    for (P& p : half_x_times(inner))
      rules.push_back(unary_rule(
          "GeluApproximate", p, [](Node& n, const Match&) { n.attrs["approximate"] = true; },
          "Gelu"));
  }
  return rules;
}

}  // namespace aamp
