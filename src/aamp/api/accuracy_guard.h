// Accuracy-guarded AMP: optimize() with an error bound. The converted graph is run against the
// float32 graph on calibration inputs; while the error is above the target, the most
// error-sensitive converted nodes are kept float32 (AmpConfig::accuracy_guard_nodes, rule
// "accuracy-guard" in the decision log), as few as the search can find.
//
//   AccuracyGuardOptions o;
//   o.target = 1e-2;                       // max over float outputs of amp_output_error()
//   o.calibration = {feeds};               // or empty: o.samples seeded random samples
//   o.progress = [](const std::string& s) { std::cerr << s << "\n"; };
//   AccuracyGuardReport rep;
//   OptimizeResult r = optimize_with_accuracy_guard(g, config, DeviceKind::kCPU, {}, o, &rep);
//   std::cout << rep.summary() << "\n";   // "3 nodes kept float32 for accuracy 0.01: error ..."
//
// The search (every evaluation converts a copy of the input graph and runs it on all samples):
//  1. convert with the config as given, measure e0; done when e0 <= target;
//  2. sensitivity: for each converted node (or, when there are more than the evaluation cap
//     allows, each group of consecutive converted nodes) the error e_i with only it in low
//     precision (every other candidate float32, the node itself painted allow: an infer or clear
//     node converts only next to an allow one). This also finds nodes whose rounding is harmful
//     only in combination (a difference of two large values: keeping one of them float32 helps
//     nothing while the other is rounded);
//  3. rank by e_i; leave in low precision the longest prefix of the ranking (least sensitive
//     first) that meets the target: start where the e_i add up in quadrature (independent
//     rounding errors do) to the target, then bisect on the measured error;
//  4. with evaluations left, try each remaining node in low precision too (least sensitive
//     first), keeping it there when the target stays met.
// Of the graphs that meet the target the one with the most nodes in low precision wins, then the
// one with the fewest nodes kept float32. Deny propagation applies to the chosen nodes
// as to denylisted ops, so a few infer/clear nodes after them can end float32 as well.
// When the cap is reached or the target is not met even with every candidate float32, the best
// graph found (lowest error, then fewest float32 nodes) is returned and the report says why.
// Lives in the api layer because it needs both the passes and the runtime.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "aamp/api/optimize.h"
#include "aamp/ir/tensor.h"

namespace aamp {

using CalibrationSample = std::vector<std::pair<std::string, Tensor>>;  // one feed per input

struct AccuracyGuardOptions {
  double target = 1e-2;  // > 0: the bound on max over outputs of amp_output_error()
  // Calibration samples (placeholder name -> value). Empty: `samples` seeded random samples
  // (float inputs uniform in [0, 1), unknown dims 1; other dtypes need explicit samples).
  std::vector<CalibrationSample> calibration;
  int samples = 1;
  uint64_t seed = 0;
  int max_evaluations = 200;  // conversions + runs of the search, the first one included
  int threads = 0;            // runtime threads of the measuring runs (0: all cores)
  // Progress lines ("accuracy guard: ..."), e.g. to stderr; none when unset.
  std::function<void(const std::string&)> progress;
};

struct AccuracyGuardReport {
  double target = 0;
  double error_before = 0;              // of the plain conversion
  double error_after = 0;               // of the returned graph
  std::string worst_output;             // the output with the largest error in the returned graph
  std::vector<std::string> kept_float;  // the accuracy-guard nodes of the returned graph
  int candidates = 0;                   // converted nodes the search could keep float32
  int evaluations = 0;
  bool met = false;
  std::string note;  // why the target was not met (empty when met)

  // "N nodes kept float32 for accuracy 0.01: error 0.031 -> 0.0087", or with the target not
  // met "... (target not met: <note>)", or "accuracy 0.01 met without float32 nodes: error x".
  std::string summary() const;
};

// The error of one output: ||got - ref||_2 / max(||ref||_2, sqrt(n)) over all its elements
// (relative L2 for outputs of RMS >= 1, RMS error for smaller ones). Tensors of any float dtype;
// throws Error(kInvalidArgument) when the element counts differ.
double amp_output_error(const Tensor& ref, const Tensor& got);

// optimize() (same arguments, same result for the returned graph, log files written once for the
// final graph) with the search above. Throws Error(kInvalidArgument) for a target <= 0, a sample
// that does not fit the graph, or inputs that cannot be generated; runtime errors of the float32
// graph propagate (the graph must run on this machine's runtime).
OptimizeResult optimize_with_accuracy_guard(Graph& g, const AmpConfig& config, DeviceKind device,
                                            const std::vector<std::string>& fetches,
                                            const AccuracyGuardOptions& opts,
                                            AccuracyGuardReport* report = nullptr);

// The error of a conversion, output by output and node by node (the conversion report,
// report.h): the converted graph (config as given) and the float32 graph run on the calibration
// samples (opts.calibration, or opts.samples seeded random ones), and with `per_node` each
// converted node's share measured with the search's probe of step 2 (only it in low precision,
// painted allow; `own` subtracts its converted producers' rounding in quadrature). With more
// converted nodes than opts.max_evaluations - 1, consecutive nodes are probed in groups (each
// member gets its group's error). Progress lines go to opts.progress.
struct AmpNodeError {
  std::string node;
  double alone = 0, own = 0;
  int group = 1;  // nodes probed together
};
struct AmpErrorProfile {
  std::vector<std::string> outputs;  // fetched outputs
  std::vector<CalibrationSample> samples;
  std::vector<std::vector<Tensor>> reference, converted;  // [sample][output]
  std::vector<AmpNodeError> nodes;                        // most `own` error first
  int evaluations = 0;
  std::string note;  // e.g. that nodes were probed in groups
};
AmpErrorProfile amp_error_profile(const Graph& g, const AmpConfig& config, DeviceKind device,
                                  const std::vector<std::string>& fetches,
                                  const AccuracyGuardOptions& opts, bool per_node);

}  // namespace aamp
