#include "aamp/api/report_accuracy.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "aamp/api/optimize.h"
#include "aamp/core/error.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/signature.h"
#include "aamp/runtime/session.h"

namespace aamp {

namespace {

int64_t row_argmax(const Tensor& t, int64_t row, int64_t c) {
  int64_t best = 0;
  for (int64_t j = 1; j < c; ++j)
    if (t.element_as_double(row * c + j) > t.element_as_double(row * c + best)) best = j;
  return best;
}

}  // namespace

bool is_class_scores(const Graph& g, const std::string& output, const Shape& shape) {
  if (shape.unknown_rank || shape.rank() < 2 || shape.dims.back() < 2) return false;
  static const std::set<std::string> kHead = {"MatMul", "_FusedMatMul", "BiasAdd", "Add", "AddV2"};
  std::string name = output.substr(0, output.find(':'));
  for (int hop = 0; hop < 8; ++hop) {
    const Node* n = g.find(name);
    if (!n) return false;
    if (n->op == "Softmax" || n->op == "LogSoftmax") return true;
    if (kHead.count(n->op)) return shape.rank() == 2;
    // Through alias ops (Identity, Reshape, ...) and Casts to the producer.
    const bool pass_through =
        n->op == "Cast" || OpRegistry::global().has_trait(n->op, &OpTraits::alias);
    if (!pass_through || n->num_data_inputs() < 1) return false;
    name = n->input(0).node;
  }
  return false;
}

OutputAgreement compare_output(const std::vector<const Tensor*>& ref,
                               const std::vector<const Tensor*>& got, bool class_scores) {
  OutputAgreement a;
  double num = 0, den = 0;
  int64_t rows = 0, same = 0;
  for (size_t k = 0; k < ref.size() && k < got.size(); ++k) {
    const Tensor& x = *ref[k];
    const Tensor& y = *got[k];
    if (!is_float(x.dtype()) || !is_float(y.dtype()) || x.num_elements() != y.num_elements())
      return OutputAgreement{};
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      const double p = x.element_as_double(i), q = y.element_as_double(i);
      a.max_abs = std::max(a.max_abs, std::abs(p - q));
      num += (p - q) * (p - q);
      den += p * p;
    }
    a.elements += x.num_elements();
    if (class_scores && x.shape().rank() >= 1) {
      const int64_t c = x.shape().dims.back();
      const int64_t r = c > 0 ? x.num_elements() / c : 0;
      for (int64_t row = 0; row < r; ++row) same += row_argmax(x, row, c) == row_argmax(y, row, c);
      rows += r;
    }
  }
  a.rel_l2 = den > 0 ? std::sqrt(num / den) : (num > 0 ? INFINITY : 0.0);
  a.error = std::sqrt(num / std::max(den, static_cast<double>(a.elements)));
  if (class_scores && rows > 0) a.top1 = static_cast<double>(same) / static_cast<double>(rows);
  return a;
}

std::map<std::string, double> error_along_graph(const Graph& g, const AmpConfig& config,
                                                DeviceKind device, const CalibrationSample& sample,
                                                int threads, std::string* note, size_t max_nodes) {
  static const std::set<std::string> kLoop = {
      "Enter",    "Exit",     "Switch",   "Merge",     "NextIteration",
      "LoopCond", "RefEnter", "RefMerge", "RefSwitch", "RefNextIteration"};
  std::map<std::string, double> out;
  for (const auto& n : g.nodes())
    if (kLoop.count(n->op)) {
      if (note) *note = "no error along the graph: it has control flow (" + n->describe() + ")";
      return out;
    }
  if (g.size() > max_nodes) {
    if (note) *note = "no error along the graph: more than " + std::to_string(max_nodes) + " nodes";
    return out;
  }
  AmpConfig c = config;
  c.log_path = std::nullopt;
  c.dump_dir = std::nullopt;  // these conversions are measurements, not the user's pipeline
  Graph ref = g, mix = g;
  c.enabled = false;
  optimize(ref, c, device);
  c.enabled = true;
  optimize(mix, c, device);
  std::vector<std::string> fetches;
  for (const auto& n : mix.nodes()) {
    if (n->op == "Const" || n->op == "Placeholder" || n->op == "Cast") continue;
    const Node* r = ref.find(n->name);
    if (!r) continue;
    try {
      std::vector<DType> a = output_dtypes(*n), b = output_dtypes(*r);
      if (a.empty() || b.empty() || !is_float(a[0]) || !is_float(b[0])) continue;
    } catch (const Error&) {
      continue;  // an op without a signature: skip it
    }
    fetches.push_back(n->name);
  }
  if (fetches.empty()) return out;
  SessionOptions so;
  so.device = device;
  so.threads = threads;
  std::vector<Tensor> x = Session(std::move(ref), so).run(sample, fetches);
  std::vector<Tensor> y = Session(std::move(mix), so).run(sample, fetches);
  for (size_t i = 0; i < fetches.size(); ++i)
    if (x[i].num_elements() == y[i].num_elements() && x[i].num_elements() > 0)
      out[fetches[i]] = amp_output_error(x[i], y[i]);
  return out;
}

ReportAccuracy report_accuracy(const AmpErrorProfile& p, const Graph& g,
                               const std::string& inputs) {
  ReportAccuracy r;
  r.inputs = inputs;
  r.samples = static_cast<int>(p.samples.size());
  for (size_t i = 0; i < p.outputs.size(); ++i) {
    std::vector<const Tensor*> a, b;
    for (size_t k = 0; k < p.reference.size() && k < p.converted.size(); ++k) {
      a.push_back(&p.reference[k].at(i));
      b.push_back(&p.converted[k].at(i));
    }
    if (a.empty() || !is_float(a[0]->dtype())) continue;
    OutputAgreement o = compare_output(a, b, is_class_scores(g, p.outputs[i], a[0]->shape()));
    ReportOutputError e;
    e.output = p.outputs[i];
    e.shape = a[0]->shape().to_string();
    e.elements = o.elements;
    e.max_abs = o.max_abs;
    e.rel_l2 = o.rel_l2;
    e.error = o.error;
    e.top1 = o.top1;
    r.outputs.push_back(e);
  }
  for (const AmpNodeError& n : p.nodes) r.nodes.push_back({n.node, n.alone, n.own, n.group});
  r.evaluations = p.evaluations;
  r.note = p.note;
  return r;
}

}  // namespace aamp
