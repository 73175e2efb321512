// Accuracy figures that mean what they say, per output: max |diff|, relative L2, the accuracy
// guard's error, and top-1 agreement only for outputs that are class scores. Shared by the
// conversion report (report.h) and `aamp bench`.
//
//   OutputAgreement a = compare_output({&ref}, {&got}, is_class_scores(g, "logits", ref.shape()));
//   ReportAccuracy r = report_accuracy(amp_error_profile(g, config, device, {}, opts, true),
//                                      g, "seeded random inputs (seed 0)");
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aamp/api/accuracy_guard.h"
#include "aamp/api/report.h"
#include "aamp/ir/graph.h"
#include "aamp/ir/tensor.h"

namespace aamp {

struct OutputAgreement {
  int64_t elements = 0;
  double max_abs = 0;
  double rel_l2 = 0;           // ||d|| / ||ref|| (0 when ||ref|| is 0 and d is 0)
  double error = 0;            // ||d|| / max(||ref||, sqrt(n)), as amp_output_error()
  std::optional<double> top1;  // argmax agreement over rows of the last axis (class scores only)
};

// Whether output `output` ("node" or "node:k") of g is a tensor of class scores whose last axis
// is the class axis: computed by Softmax/LogSoftmax (through Identity-like ops), or of rank 2
// ([batch, classes >= 2]) from a MatMul (+ bias) head. Box regressions, keypoints and feature
// maps (rank 3 or more without a softmax) are not.
bool is_class_scores(const Graph& g, const std::string& output, const Shape& shape);

// One output over several samples (pooled: sums over all samples' elements). Non-float or
// mismatched tensors give an agreement with elements = 0.
OutputAgreement compare_output(const std::vector<const Tensor*>& ref,
                               const std::vector<const Tensor*>& got, bool class_scores);

// Error along the graph (ReportAccuracy::along): converts two copies of `g` (remapper only, and
// remapper + AMP with `config`), runs both on `sample` fetching every node's first output that
// both graphs have and that is float, and measures each. Empty (with `note` saying why) for
// graphs with control flow (loop tensors cannot be fetched) or more than `max_nodes` nodes.
std::map<std::string, double> error_along_graph(const Graph& g, const AmpConfig& config,
                                                DeviceKind device, const CalibrationSample& sample,
                                                int threads, std::string* note,
                                                size_t max_nodes = 6000);

// The report's accuracy section from a profile of `g` (the input graph).
ReportAccuracy report_accuracy(const AmpErrorProfile& p, const Graph& g, const std::string& inputs);

}  // namespace aamp
