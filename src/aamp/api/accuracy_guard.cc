#include "aamp/api/accuracy_guard.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <tuple>

#include "aamp/core/error.h"
#include "aamp/runtime/session.h"

namespace aamp {

namespace {

std::string fmt_err(double e) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", e);
  return buf;
}

// Seeded random samples: float inputs uniform in [0, 1), unknown dims 1.
std::vector<CalibrationSample> random_samples(const Session& s, int n, uint64_t seed) {
  std::vector<CalibrationSample> out;
  for (int k = 0; k < n; ++k) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(k));
    std::uniform_real_distribution<float> u(0.f, 1.f);
    CalibrationSample sample;
    for (const auto& name : s.input_names()) {
      IODesc d = s.input_desc(name);
      if (d.dtype != DType::kFloat || d.shape.unknown_rank)
        throw Error(ErrorCode::kInvalidArgument,
                    "accuracy guard: cannot make a random calibration value for input '" + name +
                        "' (" + dtype_name(d.dtype) +
                        (d.shape.unknown_rank ? ", unknown rank" : "") +
                        "): give calibration inputs");
      Shape shape = d.shape;
      for (auto& v : shape.dims)
        if (v < 0) v = 1;
      std::vector<float> v(static_cast<size_t>(shape.num_elements()));
      for (auto& x : v) x = u(rng);
      sample.push_back({name, Tensor::from_vector<float>(shape, v)});
    }
    out.push_back(std::move(sample));
  }
  return out;
}

struct Measured {
  double error = 0;
  std::string worst;
  int converted = 0;  // nodes in low precision
};

// Runs converted graphs on the samples and compares them with the float32 outputs.
class Evaluator {
 public:
  Evaluator(const Graph& original, const AmpConfig& config, DeviceKind device,
            const std::vector<std::string>& fetches, const AccuracyGuardOptions& opts)
      : original_(original), config_(config), device_(device), fetches_(fetches) {
    config_.log_path = std::nullopt;  // the search writes no logs
    config_.dump_dir = std::nullopt;  // nor pass dumps (the final conversion does)
    so_.device = device;
    so_.threads = opts.threads;
    Session ref(original, so_);
    outputs_ = fetches.empty() ? ref.output_names() : fetches;
    samples_ = opts.calibration.empty() ? random_samples(ref, std::max(1, opts.samples), opts.seed)
                                        : opts.calibration;
    for (const auto& s : samples_) ref_.push_back(ref.run(s, outputs_));
  }

  // Converts a copy of the original with `keep` kept float32 and measures it.
  // `probe`: nodes painted allow whatever their list (one node alone in low precision).
  // `got` (optional) receives the converted graph's outputs, [sample][output].
  Measured measure(const std::vector<std::string>& keep, OptimizeResult* result = nullptr,
                   const std::vector<std::string>& probe = {},
                   std::vector<std::vector<Tensor>>* got_all = nullptr) {
    ++evaluations_;
    Graph g = original_;
    AmpConfig c = config_;
    c.accuracy_guard_nodes = keep;
    c.accuracy_probe_nodes = probe;
    OptimizeResult r = optimize(g, c, device_, fetches_);
    Session s(std::move(g), so_);
    std::vector<double> num(outputs_.size(), 0), den(outputs_.size(), 0), n(outputs_.size(), 0);
    for (size_t k = 0; k < samples_.size(); ++k) {
      std::vector<Tensor> got = s.run(samples_[k], outputs_);
      if (got_all) got_all->push_back(got);
      for (size_t i = 0; i < outputs_.size(); ++i) {
        const Tensor& ref = ref_[k][i];
        if (!is_float(ref.dtype())) continue;
        double e = amp_output_error(ref, got.at(i));
        double d = std::max(sq_norm(ref), static_cast<double>(ref.num_elements()));
        num[i] += e * e * d;  // undo the normalization to pool the samples
        den[i] += sq_norm(ref);
        n[i] += static_cast<double>(ref.num_elements());
      }
    }
    Measured m;
    for (size_t i = 0; i < outputs_.size(); ++i) {
      if (n[i] == 0) continue;
      double e = std::sqrt(num[i] / std::max(den[i], n[i]));
      if (m.worst.empty() || e > m.error) m = {e, outputs_[i], 0};
    }
    m.converted = r.amp.converted_nodes;
    if (result) *result = std::move(r);
    return m;
  }

  int evaluations() const { return evaluations_; }
  size_t samples() const { return samples_.size(); }
  const std::vector<CalibrationSample>& sample_list() const { return samples_; }
  const std::vector<std::vector<Tensor>>& reference() const { return ref_; }
  const std::vector<std::string>& outputs() const { return outputs_; }

 private:
  static double sq_norm(const Tensor& t) {
    Tensor f = t.dtype() == DType::kFloat ? t : t.cast_float(DType::kFloat);
    double s = 0;
    for (float v : f.values<float>()) s += static_cast<double>(v) * v;
    return s;
  }

  const Graph& original_;
  AmpConfig config_;
  DeviceKind device_;
  std::vector<std::string> fetches_, outputs_;
  SessionOptions so_;
  std::vector<CalibrationSample> samples_;
  std::vector<std::vector<Tensor>> ref_;
  int evaluations_ = 0;
};

// The search of the header comment over `units` (groups of candidate node names).
class Search {
 public:
  Search(Evaluator& ev, const AccuracyGuardOptions& opts, AccuracyGuardReport& rep)
      : ev_(ev), opts_(opts), rep_(rep) {}

  void say(const std::string& s) const {
    if (opts_.progress) opts_.progress("accuracy guard: " + s);
  }
  bool budget() const { return ev_.evaluations() < opts_.max_evaluations; }

  // Measures the float32 set made of the units `chosen` and remembers the best set seen.
  // Best: meeting the target, then most nodes in low precision, then fewest kept float32, then
  // lowest error; while nothing meets it, the lowest error.
  Measured eval(const std::vector<size_t>& chosen, const std::vector<size_t>& probe = {}) {
    std::vector<std::string> keep, probe_nodes;
    for (size_t u : chosen) keep.insert(keep.end(), units_[u].begin(), units_[u].end());
    for (size_t u : probe)
      probe_nodes.insert(probe_nodes.end(), units_[u].begin(), units_[u].end());
    Measured m = ev_.measure(keep, nullptr, probe_nodes);
    if (!probe.empty()) return m;  // a probe graph is never a result
    bool ok = m.error <= opts_.target;
    auto key = [](const Measured& x, size_t kept) {
      return std::make_tuple(-x.converted, kept, x.error);
    };
    bool better = !have_best_ ||
                  (ok && (!best_ok_ || key(m, keep.size()) < key(best_m_, best_.size()))) ||
                  (!ok && !best_ok_ && m.error < best_m_.error);
    if (better) {
      have_best_ = true;
      best_ok_ = ok;
      best_ = keep;
      best_m_ = m;
    }
    return m;
  }

  // Measures the graph where only the units `low` stay in low precision.
  // With `probe`, those units are also painted allow (infer and clear nodes convert only next
  // to allow ones, so alone they would measure nothing).
  Measured eval_low(const std::vector<size_t>& low, bool probe = false) {
    std::vector<char> is_low(units_.size(), 0);
    for (size_t u : low) is_low[u] = 1;
    std::vector<size_t> keep;
    for (size_t u = 0; u < units_.size(); ++u)
      if (!is_low[u]) keep.push_back(u);
    return eval(keep, probe ? low : std::vector<size_t>{});
  }

  // `producers[i]`: the candidates feeding candidates[i], for nodes outside the allowlist
  // (whose probe also rounds their inputs; empty for allowlisted nodes).
  void run(const std::vector<std::string>& candidates, const Measured& e0,
           const std::vector<std::vector<size_t>>& producers) {
    best_m_ = e0;
    have_best_ = true;
    best_ok_ = false;
    // Units: one node each when the cap allows, else groups of consecutive nodes.
    const size_t n = candidates.size();
    if (n == 0) {
      rep_.note = "no converted node to keep float32";
      return;
    }
    int reserve = 2;
    for (size_t p = 1; p < n + 1; p *= 2) reserve += 1;
    const size_t room =
        static_cast<size_t>(std::max(1, opts_.max_evaluations - ev_.evaluations() - reserve));
    const size_t groups = std::min(n, room);
    for (size_t g = 0; g < groups; ++g) {
      size_t b = g * n / groups, e = (g + 1) * n / groups;
      units_.emplace_back(candidates.begin() + static_cast<std::ptrdiff_t>(b),
                          candidates.begin() + static_cast<std::ptrdiff_t>(e));
    }
    const std::string what = groups < n ? "groups" : "nodes";
    say("ranking " + std::to_string(n) + " converted nodes" +
        (groups < n ? " in " + std::to_string(groups) + " groups" : "") +
        " by the error with only each in low precision");
    // 2. Sensitivity: the error of each unit alone in low precision.
    std::vector<double> alone(groups, 0);
    for (size_t u = 0; u < groups; ++u) {
      if (!budget()) {
        rep_.note = "evaluation cap " + std::to_string(opts_.max_evaluations) + " reached";
        return;
      }
      alone[u] = eval_low({u}, /*probe=*/true).error;
      if ((u + 1) % 10 == 0 || u + 1 == groups)
        say("ranked " + std::to_string(u + 1) + "/" + std::to_string(groups));
    }
    // A probed infer/clear node's error includes the rounding of its inputs, which in the real
    // graph belongs to its producers: keep its own share (quadrature difference).
    if (groups == n) {
      std::vector<double> own = alone;
      for (size_t u = 0; u < n; ++u) {
        double sq = alone[u] * alone[u];
        for (size_t p : producers[u]) sq -= alone[p] * alone[p];
        if (!producers[u].empty()) own[u] = std::sqrt(std::max(0.0, sq));
      }
      alone = own;
    }
    std::vector<size_t> order(groups);
    for (size_t u = 0; u < groups; ++u) order[u] = u;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return alone[a] < alone[b]; });
    say("most sensitive: " + units_[order.back()].front() + " (error " +
        fmt_err(alone[order.back()]) + " with only it in low precision)");
    // 3. The longest prefix of the ranking (least sensitive first) left in low precision that
    // meets the target: start at the prefix whose errors add up (in quadrature) to the target,
    // then bisect. Prefix 0 (all float32) meets it, prefix `groups` (e0) does not.
    auto prefix = [&](size_t k) { return std::vector<size_t>(order.begin(), order.begin() + k); };
    double sum = 0;
    size_t k = 0;
    while (k < groups && sum + alone[order[k]] * alone[order[k]] <= opts_.target * opts_.target)
      sum += alone[order[k]] * alone[order[k]], ++k;
    size_t lo = 0, hi = groups;  // prefix lo meets, prefix hi does not
    if (k == 0) k = 1;
    while (hi - lo > 1 && budget()) {
      Measured m = eval_low(prefix(k));
      say(std::to_string(k) + " of " + std::to_string(groups) + " ranked " + what +
          " in low precision: error " + fmt_err(m.error));
      (m.error <= opts_.target ? lo : hi) = k;
      k = (lo + hi) / 2;
    }
    if (lo == 0 && !best_ok_) {
      // Every candidate float32 is the input graph up to untouched ops: met unless the cap hit.
      Measured m = budget() ? eval_low({}) : e0;
      if (m.error > opts_.target) {
        rep_.note = budget()
                        ? "not met with all " + std::to_string(n) + " converted nodes float32"
                        : "evaluation cap " + std::to_string(opts_.max_evaluations) + " reached";
        return;
      }
    }
    // 4. Try the remaining units in low precision one at a time, least sensitive first.
    std::vector<size_t> low = prefix(lo);
    size_t added = 0;
    for (size_t i = lo + 1; i < groups && budget(); ++i) {
      std::vector<size_t> trial = low;
      trial.push_back(order[i]);
      if (eval_low(trial).error <= opts_.target) {
        low = trial;
        ++added;
      }
    }
    if (added > 0)
      say(std::to_string(added) + " more " + what +
          " stay in low precision after one-by-one checks");
  }

  std::vector<std::string> best() const { return best_; }
  Measured best_measured() const { return best_m_; }
  bool best_ok() const { return best_ok_; }

 private:
  Evaluator& ev_;
  const AccuracyGuardOptions& opts_;
  AccuracyGuardReport& rep_;
  std::vector<std::vector<std::string>> units_;
  std::vector<std::string> best_;
  Measured best_m_;
  bool have_best_ = false, best_ok_ = false;
};

// For each candidate outside the allowlist, the candidates among its data inputs, in the graph
// AMP paints (the remapper's output).
std::vector<std::vector<size_t>> candidate_producers(const Graph& original, const AmpConfig& config,
                                                     DeviceKind device,
                                                     const std::vector<std::string>& candidates,
                                                     const AmpReport& plain) {
  Graph g = original;
  AmpConfig c = config;
  c.enabled = false;  // the remapper only
  c.log_path = std::nullopt;
  c.dump_dir = std::nullopt;
  optimize(g, c, device);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < candidates.size(); ++i) index[candidates[i]] = i;
  std::map<std::string, std::string> rule;
  for (const auto& d : plain.decisions) rule[d.node] = d.rule;
  std::vector<std::vector<size_t>> out(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Node* n = g.find(candidates[i]);
    if (!n || rule[candidates[i]] == "allowlist" || rule[candidates[i]] == "force-all") continue;
    for (int k = 0; k < n->num_data_inputs(); ++k) {
      std::string in = n->inputs[static_cast<size_t>(k)];
      in = in.substr(0, in.find(':'));
      auto it = index.find(in);
      if (it != index.end() && it->second != i) out[i].push_back(it->second);
    }
  }
  return out;
}

}  // namespace

double amp_output_error(const Tensor& ref, const Tensor& got) {
  if (ref.num_elements() != got.num_elements())
    throw Error(ErrorCode::kInvalidArgument,
                "amp_output_error: " + std::to_string(ref.num_elements()) + " vs " +
                    std::to_string(got.num_elements()) + " elements");
  Tensor a = ref.dtype() == DType::kFloat ? ref : ref.cast_float(DType::kFloat);
  Tensor b = got.dtype() == DType::kFloat ? got : got.cast_float(DType::kFloat);
  auto x = a.values<float>();
  auto y = b.values<float>();
  double num = 0, den = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double d = static_cast<double>(x[i]) - y[i];
    num += d * d;
    den += static_cast<double>(x[i]) * x[i];
  }
  return std::sqrt(num / std::max(den, static_cast<double>(x.size())));
}

std::string AccuracyGuardReport::summary() const {
  std::string acc = "accuracy " + fmt_err(target);
  if (kept_float.empty() && met)
    return acc + " met without float32 nodes: error " + fmt_err(error_before);
  std::string s = std::to_string(kept_float.size()) + " node" +
                  (kept_float.size() == 1 ? "" : "s") + " kept float32 for " + acc + ": error " +
                  fmt_err(error_before) + " -> " + fmt_err(error_after);
  if (!met) s += " (target not met: " + note + ")";
  return s;
}

OptimizeResult optimize_with_accuracy_guard(Graph& g, const AmpConfig& config, DeviceKind device,
                                            const std::vector<std::string>& fetches,
                                            const AccuracyGuardOptions& opts,
                                            AccuracyGuardReport* report) {
  if (!(opts.target > 0))
    throw Error(ErrorCode::kInvalidArgument,
                "accuracy target must be > 0 (e.g. 1e-2), got " + fmt_err(opts.target));
  if (opts.max_evaluations < 1)
    throw Error(ErrorCode::kInvalidArgument, "accuracy guard: max_evaluations must be >= 1");
  AccuracyGuardReport rep;
  rep.target = opts.target;
  Evaluator ev(g, config, device, fetches, opts);
  OptimizeResult first;
  Measured e0 = ev.measure(config.accuracy_guard_nodes, &first);
  rep.error_before = e0.error;
  std::vector<std::string> candidates;
  for (const auto& d : first.amp.decisions)
    if (d.dtype == first.amp.target && d.op != "Const") candidates.push_back(d.node);
  rep.candidates = static_cast<int>(candidates.size());
  std::string samples =
      std::to_string(ev.samples()) + " calibration sample" + (ev.samples() == 1 ? "" : "s");
  Search search(ev, opts, rep);
  search.say("converted graph: error " + fmt_err(e0.error) + " on " + samples + " (target " +
             fmt_err(opts.target) + ", worst output " + e0.worst + ")");
  std::vector<std::string> keep = config.accuracy_guard_nodes;
  Measured final_m = e0;
  if (e0.error > opts.target) {
    search.run(candidates, e0, candidate_producers(g, config, device, candidates, first.amp));
    Measured b = search.best_measured();
    if (b.error < e0.error || search.best_ok()) {
      std::vector<std::string> chosen = search.best();
      keep.insert(keep.end(), chosen.begin(), chosen.end());
      rep.kept_float = chosen;
      final_m = b;
    }
  }
  rep.error_after = final_m.error;
  rep.worst_output = final_m.worst;
  rep.met = final_m.error <= opts.target;
  if (!rep.met && rep.note.empty()) rep.note = "evaluation cap reached";
  if (rep.met) rep.note.clear();
  rep.evaluations = ev.evaluations();
  search.say(rep.summary() + " (" + std::to_string(rep.evaluations) + " evaluations)");
  AmpConfig c = config;
  c.accuracy_guard_nodes = keep;
  OptimizeResult r = optimize(g, c, device, fetches);
  if (!rep.met)
    r.warnings.push_back("accuracy target " + fmt_err(opts.target) + " not met (" + rep.note +
                         "): returning the best graph found, error " + fmt_err(rep.error_after));
  if (report) *report = std::move(rep);
  return r;
}

AmpErrorProfile amp_error_profile(const Graph& g, const AmpConfig& config, DeviceKind device,
                                  const std::vector<std::string>& fetches,
                                  const AccuracyGuardOptions& opts, bool per_node) {
  auto say = [&](const std::string& s) {
    if (opts.progress) opts.progress("accuracy: " + s);
  };
  Evaluator ev(g, config, device, fetches, opts);
  AmpErrorProfile p;
  OptimizeResult first;
  Measured e0 = ev.measure(config.accuracy_guard_nodes, &first, {}, &p.converted);
  p.outputs = ev.outputs();
  p.samples = ev.sample_list();
  p.reference = ev.reference();
  say("converted graph: error " + fmt_err(e0.error) + " (worst output " + e0.worst + ")");
  if (per_node) {
    std::vector<std::string> candidates;
    for (const auto& d : first.amp.decisions)
      if (d.dtype == first.amp.target && d.op != "Const") candidates.push_back(d.node);
    const size_t n = candidates.size();
    const size_t groups = std::min(n, static_cast<size_t>(std::max(1, opts.max_evaluations - 1)));
    if (groups < n)
      p.note = std::to_string(n) + " converted nodes probed in " + std::to_string(groups) +
               " groups of consecutive nodes (evaluation cap " +
               std::to_string(opts.max_evaluations) + ")";
    std::vector<double> alone(groups, 0);
    std::vector<std::pair<size_t, size_t>> range(groups);
    for (size_t u = 0; u < groups; ++u) {
      range[u] = {u * n / groups, (u + 1) * n / groups};
      std::vector<std::string> keep = config.accuracy_guard_nodes, probe;
      for (size_t i = 0; i < n; ++i)
        (i >= range[u].first && i < range[u].second ? probe : keep).push_back(candidates[i]);
      alone[u] = ev.measure(keep, nullptr, probe).error;
      if ((u + 1) % 10 == 0 || u + 1 == groups)
        say("probed " + std::to_string(u + 1) + "/" + std::to_string(groups) +
            (groups < n ? " groups" : " converted nodes") + " alone in low precision");
    }
    std::vector<double> own = alone;
    if (groups == n && n > 0) {
      auto producers = candidate_producers(g, config, device, candidates, first.amp);
      for (size_t u = 0; u < n; ++u) {
        double sq = alone[u] * alone[u];
        for (size_t q : producers[u]) sq -= alone[q] * alone[q];
        if (!producers[u].empty()) own[u] = std::sqrt(std::max(0.0, sq));
      }
    }
    for (size_t u = 0; u < groups; ++u)
      for (size_t i = range[u].first; i < range[u].second; ++i)
        p.nodes.push_back(
            {candidates[i], alone[u], own[u], static_cast<int>(range[u].second - range[u].first)});
    std::stable_sort(p.nodes.begin(), p.nodes.end(),
                     [](const AmpNodeError& a, const AmpNodeError& b) { return a.own > b.own; });
  }
  p.evaluations = ev.evaluations();
  return p;
}

}  // namespace aamp
