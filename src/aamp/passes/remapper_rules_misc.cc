// Miscellaneous fusions: AddV2 + Softmax (attention masks), AddN of two -> AddV2, and after AMP
// Const + Cast -> Const stored in the cast's dtype.
#include "aamp/passes/remapper.h"

namespace aamp {

namespace {
using P = Pattern;
}  // namespace

std::vector<FusionRule> misc_rules() {
  std::vector<FusionRule> rules;
  {
    // Softmax(AddV2(logits, mask)) => _AampFusedAddSoftmax(logits, mask)
    FusionRule r;
    r.name = "AddV2+Softmax";
    r.pattern = P::op("Softmax", {P::op("AddV2|Add", {P::any("logits"), P::any("mask")})});
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
      Node n;
      n.op = "_AampFusedAddSoftmax";
      n.inputs = {m.input("logits"), m.input("mask")};
      n.attrs["T"] = remap::node_type(*m.root);
      remap::replace_root(g, m, std::move(n));
      return true;
    };
    rules.push_back(r);
  }
  {
    // AddN(a, b) => AddV2(a, b), before AMP and again after it (issue 5).
    FusionRule r;
    r.name = "AddN->AddV2";
    r.tf_compatible = true;
    r.phase = RemapPhase::kBoth;
    r.pattern = P::op("AddN", {P::any("a"), P::any("b")});
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
      Node n;
      n.op = "AddV2";
      n.inputs = {m.input("a"), m.input("b")};
      n.attrs["T"] = remap::node_type(*m.root);
      remap::replace_root(g, m, std::move(n));
      return true;
    };
    rules.push_back(r);
  }
  {
    // Cast(Const float) => Const in the destination dtype (weights shrink on disk and in memory).
    FusionRule r;
    r.name = "Const+Cast";
    r.tf_compatible = true;
    r.phase = RemapPhase::kPostAmp;
    r.pattern =
        P::op("Cast", {P::constant([](const Tensor& t) { return is_float(t.dtype()); }, "c")});
    r.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
      DType dst = m.root->attr_type("DstT");
      if (!is_float(dst)) return false;
      const Node& c = m.node("c");
      Tensor v = const_value(c)->cast_float(dst);
      // The Const may feed others too: then keep it and add a converted copy.
      Matcher counter(g, {});
      Node n;
      n.op = "Const";
      n.attrs["dtype"] = dst;
      n.attrs["value"] = v;
      for (const auto& in : m.root->inputs)
        if (!in.empty() && in[0] == '^') n.inputs.push_back(in);
      Match root_only = m;
      root_only.interior.clear();
      if (counter.num_consumers(c.name) == 1) root_only.interior.push_back(&c);
      remap::replace_root(g, root_only, std::move(n));
      return true;
    };
    rules.push_back(r);
  }
  return rules;
}

}  // namespace aamp
