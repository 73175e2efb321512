#include "aamp/passes/variable_cast_cache.h"

#include <string>

namespace aamp {

namespace {

// Whether t is a variable's value: ReadVariableOp's output, through any Identity.
bool reads_variable(const Graph& g, TensorRef t) {
  for (int depth = 0; depth < 8; ++depth) {
    const Node* n = g.find(t.node);
    if (!n) return false;
    if (n->op == "ReadVariableOp") return true;
    if (n->op != "Identity" || n->num_data_inputs() != 1) return false;
    t = n->input(0);
  }
  return false;
}

// Whether the op writes a variable: assignments, optimizers' updates, scatters.
bool updates_variable(const std::string& op) {
  return (op.rfind("Assign", 0) == 0 && op.find("VariableOp") != std::string::npos) ||
         op.rfind("ResourceApply", 0) == 0 || op.rfind("ResourceSparseApply", 0) == 0 ||
         op.rfind("ResourceScatter", 0) == 0 || op == "ResourceStridedSliceAssign";
}

}  // namespace

PassResult VariableCastCachePass::run(Graph& g, const PassContext& ctx) {
  PassResult r;
  if (!ctx.hooks.cache_variable_casts) {
    r.summary = "not asked for";
    return r;
  }
  for (const auto& n : g.nodes())
    if (updates_variable(n->op)) {
      r.summary = "a training step (" + n->op + " " + n->name + "): every run reads new weights";
      return r;
    }
  const auto fetches = ctx.fetch_nodes(g);
  int n_cached = 0;
  for (const auto& n : g.nodes()) {
    if (n->op != "Cast" || n->num_data_inputs() != 1 || fetches.count(n->name)) continue;
    const AttrValue* src = n->find_attr("SrcT");
    const AttrValue* dst = n->find_attr("DstT");
    if (!src || !dst || !src->is<DType>() || !dst->is<DType>() ||
        src->get<DType>() != DType::kFloat || dst->get<DType>() != DType::kBFloat16)
      continue;
    if (!reads_variable(g, n->input(0))) continue;
    n->op = "CachedCast";
    n->attrs.clear();
    n->attrs["T"] = DType::kBFloat16;
    ++n_cached;
  }
  r.changed = n_cached > 0;
  r.summary = std::to_string(n_cached) + " variable cast(s) cached";
  return r;
}

}  // namespace aamp
