#include "aamp/ops/epilogue.h"

#include <array>

#include "aamp/core/error.h"
#include "aamp/ir/graph.h"
#include "aamp/ops/attrs.h"

namespace aamp {

namespace {

using E = EpilogueOp;

// One row per EpilogueOp, in its order (checked below).
constexpr auto kOps = std::to_array<EpilogueOpDef>({
    // op             fused_ops name     args  per-channel  folds        stock TF runs it
    {E::kBiasAdd, "BiasAdd", 1, true, "", true},
    {E::kAdd, "Add", 1, false, "", true},
    {E::kMul, "Mul", 1, false, "", false},
    {E::kPrelu, "Prelu", 1, false, "", false},
    {E::kBatchNorm, "FusedBatchNorm", 4, true, "", true},
    {E::kRelu, "Relu", 0, false, "Relu", true},
    {E::kRelu6, "Relu6", 0, false, "Relu6", true},
    {E::kElu, "Elu", 0, false, "Elu", true},
    {E::kLeakyRelu, "LeakyRelu", 0, false, "LeakyRelu", true},
    {E::kSigmoid, "Sigmoid", 0, false, "Sigmoid", false},
    {E::kTanh, "Tanh", 0, false, "Tanh", false},
    {E::kSwish, "Swish", 0, false, "Swish", false},
    {E::kMish, "Mish", 0, false, "Mish", false},
    {E::kHardSwish, "HardSwish", 0, false, "HardSwish", false},
    {E::kGeluExact, "GeluExact", 0, false, "Gelu", false},
    {E::kGeluApprox, "GeluApproximate", 0, false, "Gelu", false},
});

constexpr bool rows_in_order() {
  for (size_t i = 0; i < kOps.size(); ++i)
    if (static_cast<size_t>(kOps[i].op) != i) return false;
  return true;
}
static_assert(rows_in_order(), "kOps rows must follow EpilogueOp's order");
static_assert(kOps.size() == static_cast<size_t>(EpilogueOp::kLast) + 1,
              "every EpilogueOp needs its row in kOps");

}  // namespace

std::span<const EpilogueOpDef> epilogue_ops() { return kOps; }

const EpilogueOpDef& epilogue_op_def(EpilogueOp op) { return kOps.at(static_cast<size_t>(op)); }

const EpilogueOpDef* find_epilogue_op(std::string_view name) {
  for (const EpilogueOpDef& d : kOps)
    if (d.name == name) return &d;
  return nullptr;
}

bool is_activation(EpilogueOp op) { return epilogue_op_def(op).num_args == 0; }

std::string epilogue_op_names(std::initializer_list<EpilogueOp> ops) {
  std::string out;
  auto add = [&](const EpilogueOpDef& d) {
    if (!out.empty()) out += ", ";
    out += d.name;
  };
  if (ops.size() == 0)
    for (const EpilogueOpDef& d : kOps) add(d);
  for (EpilogueOp op : ops) add(epilogue_op_def(op));
  return out;
}

std::string epilogue_activation_names() {
  std::string out;
  for (const EpilogueOpDef& d : kOps)
    if (d.num_args == 0) out += (out.empty() ? "" : ", ") + std::string(d.name);
  return out;
}

std::vector<const EpilogueOpDef*> activation_source_rows() {
  std::vector<const EpilogueOpDef*> rows;
  for (const EpilogueOpDef& d : kOps) {
    bool seen = d.source_op.empty();
    for (const EpilogueOpDef* r : rows) seen |= r->source_op == d.source_op;
    if (!seen) rows.push_back(&d);
  }
  return rows;
}

bool is_fused_depthwise(std::string_view op) {
  return op == "FusedDepthwiseConv2dNative" || op == "_FusedDepthwiseConv2dNative";
}

bool activation_of_node(const Node& n, EpilogueOp& op, ActParams& params) {
  const EpilogueOpDef* found = nullptr;
  for (const EpilogueOpDef& d : kOps)
    if (d.source_op == n.op) {
      found = &d;
      break;
    }
  if (!found) return false;
  op = found->op;
  if (n.op == "Gelu" && op_attr_bool(n, "approximate")) op = EpilogueOp::kGeluApprox;
  if (op == EpilogueOp::kLeakyRelu) params.alpha = op_attr_float(n, "alpha");
  if (op == EpilogueOp::kSwish) params.beta = op_attr_float(n, "beta");
  return true;
}

std::string fused_ops_text(const Node& n) {
  std::string all;
  if (const AttrValue* f = n.find_attr("fused_ops"); f && f->is<AttrList>())
    for (const std::string& s : f->get<AttrList>().s) all += (all.empty() ? "" : ", ") + s;
  return "[" + all + "]";
}

Epilogue parse_epilogue(const Node& n, int first_arg, int num_data_inputs) {
  Epilogue e;
  const AttrValue* f = n.find_attr("fused_ops");
  if (!f || !f->is<AttrList>()) return e;
  const std::vector<std::string>& list = f->get<AttrList>().s;
  if (list.empty()) return e;
  int next = first_arg;
  for (const std::string& s : list) {
    const EpilogueOpDef* d = find_epilogue_op(s);
    if (!d)
      throw Error(ErrorCode::kUnimplemented, n.describe() + ": unsupported fused op '" + s +
                                                 "' in fused_ops " + fused_ops_text(n) +
                                                 " (supported: " + epilogue_op_names() + ")");
    e.steps.push_back({d->op, d->num_args ? next : -1});
    next += d->num_args;
  }
  if (next > num_data_inputs)
    throw Error(ErrorCode::kInvalidGraph, n.describe() + ": fused_ops " + fused_ops_text(n) +
                                              " need " + std::to_string(next - first_arg) +
                                              " args, node has " +
                                              std::to_string(num_data_inputs - first_arg));
  // The parameters are read only when a step uses them (other ops have no such attrs).
  for (const EpilogueStep& s : e.steps) {
    if (s.kind == EpilogueOp::kBatchNorm) e.epsilon = op_attr_float(n, "epsilon");
    if (s.kind == EpilogueOp::kLeakyRelu) e.act.alpha = op_attr_float(n, "leakyrelu_alpha");
  }
  return e;
}

void check_fused_ops(const Node& n) { parse_epilogue(n, kFirstEpilogueArg, n.num_data_inputs()); }

}  // namespace aamp
