// tf_compatible rules: TF.js graph models contain ops stock TensorFlow does not have
// (FusedDepthwiseConv2dNative, Prelu, _FusedConv2D / _FusedMatMul with a Prelu step). With
// --tf-compatible they are rewritten back into the stock ops they stand for (for TensorFlow with
// its oneDNN ops, a depthwise convolution's BiasAdd [+ Relu | Relu6 | Elu] stays fused as its
// _FusedDepthwiseConv2dNative); what cannot be rewritten is left for validate() to report (node
// and op named).
#include <optional>

#include "aamp/ops/attrs.h"
#include "aamp/ops/epilogue.h"
#include "aamp/ops/registry.h"
#include "aamp/passes/remapper.h"

namespace aamp {

namespace {
using P = Pattern;

const std::vector<std::string>& fused_steps(const Node& n) {
  static const std::vector<std::string> kEmpty;
  const AttrValue* f = n.find_attr("fused_ops");
  return f && f->is<AttrList>() ? f->get<AttrList>().s : kEmpty;
}

// The attrs of `n` that the signature of `op` declares (TF's internal '_' attrs kept).
std::map<std::string, AttrValue> attrs_for(const Node& n, const std::string& op) {
  const OpInfo* info = OpRegistry::global().find(op);
  std::map<std::string, AttrValue> out;
  for (const auto& [k, v] : n.attrs)
    if ((!k.empty() && k[0] == '_') || (info && info->def.find_attr(k))) out.emplace(k, v);
  return out;
}

std::vector<std::string> control_inputs(const Node& n) {
  std::vector<std::string> c;
  for (const auto& in : n.inputs)
    if (!in.empty() && in[0] == '^') c.push_back(in);
  return c;
}

// How many of `steps` (from the front) stock TensorFlow's fused kernel of `op` accepts:
// BiasAdd [, Add (conv only)] [, an activation it runs (remap::tf_fused_activation)]. 0 for
// TF.js's depthwise form.
size_t tf_prefix(const std::string& op, const std::vector<std::string>& steps, bool tf_onednn) {
  if ((op == "FusedDepthwiseConv2dNative" && !tf_onednn) || steps.empty() || steps[0] != "BiasAdd")
    return 0;
  size_t k = 1;
  if (op == "_FusedConv2D" && k < steps.size() && steps[k] == "Add") ++k;
  if (k < steps.size() &&
      remap::tf_fused_activation(op, std::vector<std::string>(steps.begin(), steps.begin() + k),
                                 steps[k], tf_onednn))
    ++k;
  return k;
}

// The vocabulary's row of an activation step whose standalone op stock TensorFlow has (Relu,
// Relu6, Elu, LeakyRelu, Sigmoid, Tanh); nullptr for any other step (aamp's own Swish, Mish,
// HardSwish and Gelu, argument steps).
const EpilogueOpDef* stock_activation(const std::string& step) {
  const EpilogueOpDef* d = find_epilogue_op(step);
  if (!d || !is_activation(d->op) || d->source_op.empty()) return nullptr;
  const OpInfo* info = OpRegistry::global().find(d->source_op);
  return info && info->def.has_signature && !info->def.aamp_only ? d : nullptr;
}

// One unfused step applied to `in`: the stock node, or nullopt for a step it cannot express.
std::optional<Node> step_node(const Node& fused, const std::string& step, const std::string& in,
                              const std::vector<std::string>& args, size_t* next_arg) {
  Node n;
  n.device = fused.device;
  n.attrs["T"] = remap::node_type(fused);
  n.inputs = {in};
  auto take_arg = [&]() -> bool {
    if (*next_arg >= args.size()) return false;
    n.inputs.push_back(args[(*next_arg)++]);
    return true;
  };
  if (step == "BiasAdd") {
    n.op = "BiasAdd";
    // _FusedMatMul declares no data_format (its bias is over the last axis): the BiasAdd's own
    // default then.
    const std::string format =
        op_attr_string(op_declares_attr(fused, "data_format") ? fused : n, "data_format");
    n.attrs["data_format"] = format;
    if (!take_arg()) return std::nullopt;
  } else if (step == "Add") {
    n.op = "AddV2";
    if (!take_arg()) return std::nullopt;
  } else if (step == "Prelu") {
    n.op = "Prelu";  // becomes stock ops by the Prelu rule
    if (!take_arg()) return std::nullopt;
  } else if (const EpilogueOpDef* d = stock_activation(step)) {
    n.op = std::string(d->source_op);
    if (d->op == EpilogueOp::kLeakyRelu) n.attrs["alpha"] = op_attr_float(fused, "leakyrelu_alpha");
  } else {
    return std::nullopt;
  }
  return n;
}
}  // namespace

std::vector<FusionRule> tfjs_rules() {
  std::vector<FusionRule> rules;
  {
    // FusedDepthwiseConv2dNative(x, w, args)[BiasAdd, act] =>
    //     act(BiasAdd(DepthwiseConv2dNative(x, w), bias));
    // _FusedConv2D / _FusedMatMul(x, w, args)[BiasAdd, Prelu] =>
    //     Prelu(_FusedConv2D / _FusedMatMul(x, w, bias)[BiasAdd], alpha)
    // (the steps stock TensorFlow's fused kernel accepts stay fused).
    FusionRule r;
    r.name = "UnfuseTfjsContraction";
    r.tf_compatible = true;
    r.only_tf_compatible = true;
    // In the predicate, not the rewrite: a declined match costs a copy of the graph.
    r.pattern =
        P::op("FusedDepthwiseConv2dNative|_FusedConv2D|_FusedMatMul").where([](const Node& n) {
          if (n.op == "FusedDepthwiseConv2dNative") return true;
          // Stock TensorFlow's Eigen kernels run it as it is (or it is not ours to split); the
          // rewrite also knows its oneDNN kernels.
          const size_t keep = tf_prefix(n.op, fused_steps(n), false);
          return keep > 0 && keep < fused_steps(n).size();
        });
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions& o) {
      const Node& f = *m.root;
      const std::vector<std::string>& steps = fused_steps(f);
      const bool depthwise = f.op == "FusedDepthwiseConv2dNative";
      // TensorFlow's oneDNN ops run the accepted steps of a depthwise convolution as its own
      // _FusedDepthwiseConv2dNative.
      const size_t keep = depthwise && !remap::tf_runs_fused_depthwise(f, o.tf_onednn)
                              ? 0
                              : tf_prefix(f.op, steps, o.tf_onednn);
      // TensorFlow's oneDNN kernel runs it as it is.
      if (!depthwise && keep == steps.size()) return false;
      const int ndata = f.num_data_inputs();
      if (ndata < 2) return false;
      std::vector<std::string> args(f.inputs.begin() + 2, f.inputs.begin() + ndata);
      // num_args is required on these ops (no OpDef default): a node without it is not
      // rewritten (the remapper declines a rewrite that throws).
      if (static_cast<int64_t>(args.size()) != op_attr_int(f, "num_args")) return false;
      // The contraction with the steps TF accepts.
      Node base;
      base.device = f.device;
      base.inputs = {f.inputs[0], f.inputs[1]};
      size_t next_arg = 0;
      if (keep == 0) {
        base.op = "DepthwiseConv2dNative";
        base.attrs = attrs_for(f, base.op);
      } else {
        base = f;
        if (depthwise) {
          base.op = "_FusedDepthwiseConv2dNative";
          base.attrs = attrs_for(f, base.op);
        }
        base.inputs.resize(2);
        const std::vector<std::string> prefix(steps.begin(),
                                              steps.begin() + static_cast<std::ptrdiff_t>(keep));
        for (const auto& s : prefix)
          if (s == "BiasAdd" || s == "Add") base.inputs.push_back(args[next_arg++]);
        base.attrs["fused_ops"] = string_list(prefix);
        base.attrs["num_args"] = static_cast<int64_t>(next_arg);
      }
      for (const auto& c : control_inputs(f)) base.inputs.push_back(c);
      if (keep == steps.size()) {  // all of it: TensorFlow's fused depthwise in its place
        if (next_arg != args.size()) return false;
        remap::replace_root(g, m, std::move(base));
        return true;
      }
      std::vector<Node> chain;
      std::string cur = base.name = g.unique_name(f.name + "/" + base.op);
      for (size_t i = keep; i < steps.size(); ++i) {
        std::optional<Node> n = step_node(f, steps[i], cur, args, &next_arg);
        if (!n) return false;
        n->name = g.unique_name(f.name + "/" + steps[i]);
        for (const Node& c : chain)  // unique among the nodes not yet added too
          if (c.name == n->name) n->name += "_" + std::to_string(i);
        cur = n->name;
        chain.push_back(std::move(*n));
      }
      if (chain.empty() || next_arg != args.size()) return false;
      Node last = std::move(chain.back());
      chain.pop_back();
      g.add(std::move(base));
      for (Node& n : chain) g.add(std::move(n));
      remap::replace_root(g, m, std::move(last));
      return true;
    };
    rules.push_back(r);
  }
  {
    // Prelu(x, alpha) => AddV2(Relu(x), Mul(alpha, Minimum(x, 0)))   (x > 0 ? x : alpha * x)
    FusionRule r;
    r.name = "Prelu->StockOps";
    r.tf_compatible = true;
    r.only_tf_compatible = true;
    r.pattern = P::op("Prelu", {P::any("x"), P::any("alpha")});
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
      const Node& p = *m.root;
      const DType t = remap::node_type(p);
      if (!is_float(t)) return false;
      auto add = [&](const std::string& suffix, const std::string& op,
                     std::vector<std::string> inputs) {
        Node n;
        n.name = g.unique_name(p.name + "/" + suffix);
        n.op = op;
        n.device = p.device;
        n.inputs = std::move(inputs);
        n.attrs["T"] = t;
        return g.add(std::move(n)).name;
      };
      const std::string zero = remap::add_const(
          g, p.name + "/zero", Tensor::from_vector<float>(Shape{}, {0.0f}).cast_float(t), p.device);
      const std::string pos = add("pos", "Relu", {m.input("x")});
      const std::string neg = add("neg", "Minimum", {m.input("x"), zero});
      const std::string scaled = add("scaled", "Mul", {m.input("alpha"), neg});
      Node sum;
      sum.op = "AddV2";
      sum.inputs = {pos, scaled};
      sum.attrs["T"] = t;
      remap::replace_root(g, m, std::move(sum));
      return true;
    };
    rules.push_back(r);
  }
  return rules;
}

}  // namespace aamp
