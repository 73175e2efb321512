// aamp bench: the main job side by side. Runs a model as FP32 and as mixed precision (remapper +
// Advanced AMP; one or both of bf16/fp16) on the CPU runtime, or on the GPU with --device gpu,
// with the same seeded inputs, and prints latency (median and p10-p90 spread), throughput,
// weight bytes, planned peak activation memory (and on a device the device memory allocated)
// and the agreement of the mixed outputs with FP32, overall and per output (max |diff|, relative
// L2, and top-1 agreement only for outputs that are class scores, report_accuracy.h);
// with --labels, the accuracy of each mode against integer class labels (real inputs from
// --input files); with --check-cpu, every device mode's agreement with FP32 on the CPU.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "aamp/api/config.h"
#include "aamp/api/optimize.h"
#include "aamp/api/report_accuracy.h"
#include "aamp/core/error.h"
#include "aamp/io/npy.h"
#include "aamp/runtime/device.h"
#include "aamp/runtime/session.h"
#include "aamp/runtime/thread_pool.h"
#include "cli_util.h"
#include "commands.h"
#include "inputs.h"

namespace aamp::cli {
namespace {

struct BenchOptions {
  std::string model;
  int iters = 20;
  int warmup = 3;
  int64_t batch = 1;
  int threads = 0;
  uint64_t seed = 0;
  std::string dtype = "";  // default: bf16 on the CPU, fp16 on the GPU
  std::string device = "cpu";
  bool fp32_only = false;
  bool no_remapper = false;
  bool json = false;
  bool profile = false;
  bool resident = false;   // gpu: inputs copied to the device once, not at each run
  bool check_cpu = false;  // device runs: also compare every mode with FP32 on the CPU
  std::vector<std::string> inputs;
  std::string labels;  // .npy of integer class labels, one per row of the first output
};

struct Timing {
  double median = 0, p10 = 0, p90 = 0;
  int iters = 0;
};

// How a mode's outputs agree with reference outputs (float outputs of matching sizes).
struct OutputRow {
  std::string name, shape;
  bool class_scores = false;
  OutputAgreement a;
};
struct Agreement {
  double max_abs = 0, rel_l2 = 0;  // over all float outputs
  std::optional<double> top1;      // the lowest top-1 agreement of the class-score outputs
  std::vector<OutputRow> outputs;  // per float output
};

struct ModeResult {
  std::string mode;  // "fp32", "bf16", "fp16"
  Timing t;
  PlanStats stats;
  std::vector<std::string> fetches;
  int nodes = 0;
  std::optional<OptimizeResult> opt;
  std::vector<Tensor> outputs;
  Agreement agree;                 // with FP32 on the same device (mixed modes only)
  std::optional<double> accuracy;  // with --labels
  // Device runs: the most device memory allocated at once while the session lived (arena,
  // weights, feeds, kernels' workspaces).
  std::optional<size_t> device_peak;
  std::optional<Agreement> vs_cpu;  // with --check-cpu: with FP32 on the CPU runtime
  // Device runs: the median with the outputs left in device memory (Session::run_resident).
  std::optional<double> median_on_device;
};

// Index of the largest of the c values of row `row` of t (the first one on ties).
int64_t row_argmax(const Tensor& t, int64_t row, int64_t c) {
  int64_t best = 0;
  for (int64_t j = 1; j < c; ++j)
    if (t.element_as_double(row * c + j) > t.element_as_double(row * c + best)) best = j;
  return best;
}

// Fraction of rows of the first float output whose argmax over the last axis equals the label.
double accuracy_of(const std::vector<Tensor>& outputs, const Tensor& labels,
                   const std::string& labels_path) {
  if (outputs.empty() || !is_float(outputs[0].dtype()) || outputs[0].shape().rank() < 1)
    throw Error(ErrorCode::kInvalidArgument,
                "--labels: the model's first output is not a float tensor of class scores");
  const Tensor& y = outputs[0];
  const int64_t c = y.shape().dims.back();
  const int64_t rows = c > 0 ? y.num_elements() / c : 0;
  if (labels.num_elements() != rows)
    throw Error(ErrorCode::kInvalidArgument,
                labels_path + ": " + std::to_string(labels.num_elements()) +
                    " labels, but the first output has " + std::to_string(rows) + " rows of " +
                    std::to_string(c) + " class scores");
  int64_t right = 0;
  for (int64_t r = 0; r < rows; ++r)
    right += static_cast<int64_t>(labels.element_as_double(r)) == row_argmax(y, r, c);
  return rows ? static_cast<double>(right) / static_cast<double>(rows) : 0.0;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  const double f = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

// `names`: the fetched outputs of `g` (the input graph), for the class-score test.
Agreement agreement(const std::vector<Tensor>& ref, const std::vector<Tensor>& got, const Graph& g,
                    const std::vector<std::string>& names) {
  Agreement r;
  double num = 0, den = 0;
  for (size_t k = 0; k < ref.size() && k < got.size(); ++k) {
    const Tensor& a = ref[k];
    const Tensor& b = got[k];
    if (!is_float(a.dtype()) || !is_float(b.dtype()) || a.num_elements() != b.num_elements())
      continue;
    OutputRow row;
    row.name = k < names.size() ? names[k] : std::to_string(k);
    row.shape = a.shape().to_string();
    row.class_scores = is_class_scores(g, row.name, a.shape());
    row.a = compare_output({&a}, {&b}, row.class_scores);
    r.max_abs = std::max(r.max_abs, row.a.max_abs);
    for (int64_t i = 0; i < a.num_elements(); ++i) {
      const double x = a.element_as_double(i), y = b.element_as_double(i);
      num += (x - y) * (x - y);
      den += x * x;
    }
    if (row.a.top1) r.top1 = r.top1 ? std::min(*r.top1, *row.a.top1) : *row.a.top1;
    r.outputs.push_back(std::move(row));
  }
  r.rel_l2 = den > 0 ? std::sqrt(num / den) : 0.0;
  return r;
}

ModeResult run_mode(const std::string& mode, const Graph& original, const BenchOptions& o,
                    const Feeds& feeds, bool on_cpu = false) {
  ModeResult r;
  r.mode = mode;
  Graph g = original;
  AmpConfig c;
  c.enabled = mode != "fp32";
  if (mode != "fp32") c.data_type = mode;
  if (o.no_remapper) c.remapper = false;
  const DeviceKind device = on_cpu ? DeviceKind::kCPU : parse_device_option(o.device);
  r.opt = optimize(g, AmpConfig::merge(c, AmpConfig::from_env()), device);
  for (const std::string& w : r.opt->warnings) std::cerr << "aamp: warning: " << w << "\n";
  r.nodes = static_cast<int>(g.size());
  SessionOptions so;
  so.device = device;
  so.threads = o.threads;
  so.profile = o.profile;
  DeviceRuntime* dev = device == DeviceKind::kCPU ? nullptr : find_device_runtime(device);
  size_t base = 0;
  if (dev) {
    dev->reset_peak();
    base = dev->bytes_in_use();
  }
  Session s(std::move(g), so);
  const std::vector<std::string> fetches = s.output_names();
  r.fetches = fetches;
  RunOptions ro;
  ro.feeds_resident = o.resident;
  r.outputs = s.run(feeds, fetches, ro);
  // Milliseconds of o.iters calls of run after o.warmup untimed ones.
  auto time_runs = [&](const std::function<void()>& run) {
    for (int i = 0; i < o.warmup; ++i) run();
    std::vector<double> ms;
    for (int i = 0; i < o.iters; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      run();
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return ms;
  };
  const std::vector<double> ms = time_runs([&] { s.run(feeds, fetches, ro); });
  r.t = {quantile(ms, 0.5), quantile(ms, 0.1), quantile(ms, 0.9), o.iters};
  r.stats = s.last_stats();
  if (dev) {  // the same runs without downloading the outputs (for work chained on the device)
    r.median_on_device = quantile(time_runs([&] { s.run_resident(feeds, fetches, ro); }), 0.5);
    r.device_peak = dev->peak_bytes() - base;
  }
  return r;
}

std::string dtype_label(const std::string& mode) {
  return mode == "fp32" ? "FP32" : mode == "fp16" ? "FP16" : "BF16";
}

// The device's name ("NVIDIA H200") for device runs, "" on the CPU.
std::string device_name_of(const BenchOptions& o) {
  const DeviceKind d = parse_device_option(o.device);
  const DeviceRuntime* dev = d == DeviceKind::kCPU ? nullptr : find_device_runtime(d);
  return dev ? dev->device_name() : "";
}

// " (NVIDIA H200, inputs resident)" for device runs, "" on the CPU.
std::string device_suffix(const BenchOptions& o) {
  if (parse_device_option(o.device) == DeviceKind::kCPU) return "";
  return " (" + device_name_of(o) +
         (o.resident ? ", inputs resident" : ", inputs copied from the host at each run") + ")";
}

void print_text(const BenchOptions& o, const LoadedModel& m, const std::vector<ModeResult>& rs) {
  std::cout << "model:   " << m.path << " (" << format_name(m.format) << ")\n"
            << "device " << o.device << device_suffix(o) << ", batch " << o.batch << ", threads "
            << resolve_threads(o.threads) << (o.threads ? "" : " (one per physical core)") << ", "
            << o.iters << " iterations after " << o.warmup << " warm-up\n\n";
  const bool acc = !o.labels.empty();
  std::vector<std::string> head = {"",        "nodes",     "median ms",  "p10-p90 ms", "items/s",
                                   "weights", "peak act.", "max |diff|", "rel-L2",     "top-1"};
  if (acc) head.push_back("accuracy");
  const bool on_dev = !rs.empty() && rs[0].device_peak;
  if (on_dev) {
    head.push_back("device mem");
    head.push_back("ms, out on dev");  // median with the outputs left in device memory
  }
  Table t(head);
  for (size_t c = 1; c < head.size(); ++c) t.align_right(c);
  for (const ModeResult& r : rs) {
    const bool ref = r.mode == "fp32";
    std::vector<std::string> row = {
        dtype_label(r.mode),
        std::to_string(r.nodes),
        fmt::format("{:.3f}", r.t.median),
        fmt::format("{:.3f}-{:.3f}", r.t.p10, r.t.p90),
        fmt::format("{:.1f}", 1e3 * static_cast<double>(o.batch) / r.t.median),
        format_bytes(r.stats.weight_bytes),
        format_bytes(r.stats.arena_bytes + r.stats.dynamic_bytes),
        ref ? "-" : fmt::format("{:.3g}", r.agree.max_abs),
        ref ? "-" : fmt::format("{:.2e}", r.agree.rel_l2),
        ref || !r.agree.top1 ? "-" : fmt::format("{:.3f}", *r.agree.top1)};
    if (acc) row.push_back(r.accuracy ? fmt::format("{:.2f}%", 100 * *r.accuracy) : "-");
    if (on_dev) {
      row.push_back(r.device_peak ? format_bytes(*r.device_peak) : "-");
      row.push_back(r.median_on_device ? fmt::format("{:.3f}", *r.median_on_device) : "-");
    }
    t.add_row(row);
  }
  t.print(std::cout);
  for (size_t m = 1; m < rs.size(); ++m) {
    const ModeResult &a = rs[0], &b = rs[m];
    auto pct = [](double x, double y) { return y > 0 ? fmt::format("{:.0f}%", 100 * x / y) : "-"; };
    std::cout << "\n"
              << dtype_label(b.mode)
              << " vs FP32: " << fmt::format("{:.2f}x", a.t.median / b.t.median)
              << " speed, weights "
              << pct(static_cast<double>(b.stats.weight_bytes),
                     static_cast<double>(a.stats.weight_bytes))
              << ", peak activations "
              << pct(static_cast<double>(b.stats.arena_bytes + b.stats.dynamic_bytes),
                     static_cast<double>(a.stats.arena_bytes + a.stats.dynamic_bytes));
    if (a.device_peak && b.device_peak)
      std::cout << ", device memory "
                << pct(static_cast<double>(*b.device_peak), static_cast<double>(*a.device_peak));
    std::cout << "\n"
              << "AMP: " << b.opt->amp.message() << "\n";
    if (!b.agree.outputs.empty()) {
      std::cout << dtype_label(b.mode) << " vs FP32 per output (top-1 only for class scores):\n";
      Table ot({"output", "shape", "max |diff|", "rel-L2", "top-1"});
      ot.align_right(2).align_right(3).align_right(4);
      for (const OutputRow& row : b.agree.outputs)
        ot.add_row({row.name, row.shape, fmt::format("{:.3g}", row.a.max_abs),
                    fmt::format("{:.2e}", row.a.rel_l2),
                    row.a.top1 ? fmt::format("{:.3f}", *row.a.top1) : "-"});
      ot.print(std::cout);
    }
    if (a.accuracy && b.accuracy)
      std::cout << fmt::format("Accuracy against {}: FP32 {:.2f}%, {} {:.2f}% ({:+.2f} points)\n",
                               o.labels, 100 * *a.accuracy, dtype_label(b.mode), 100 * *b.accuracy,
                               100 * (*b.accuracy - *a.accuracy));
  }
  for (const ModeResult& r : rs) {
    if (!r.stats.graph_note.empty())
      std::cout << dtype_label(r.mode) << ": " << r.stats.graph_note << "\n";
    if (r.vs_cpu)
      std::cout << dtype_label(r.mode) << " on " << o.device << " vs FP32 on the CPU: max |diff| "
                << fmt::format("{:.3g}, rel-L2 {:.2e}", r.vs_cpu->max_abs, r.vs_cpu->rel_l2)
                << "\n";
  }
  for (const ModeResult& r : rs) {
    if (!o.profile || r.stats.profile.empty()) continue;
    std::vector<NodeProfile> p = r.stats.profile;
    std::sort(p.begin(), p.end(),
              [](const NodeProfile& x, const NodeProfile& y) { return x.total_ms > y.total_ms; });
    double total = 0;
    for (const auto& n : p) total += n.total_ms;
    std::cout << "\n" << dtype_label(r.mode) << " profile (top ops by time):\n";
    Table pt({"node", "op", "kernel", "ms/run", "share"});
    pt.align_right(3).align_right(4);
    for (size_t i = 0; i < p.size() && i < 10; ++i) {
      const double per = p[i].calls ? p[i].total_ms / static_cast<double>(p[i].calls) : 0.0;
      pt.add_row({p[i].node, p[i].op, p[i].kernel, fmt::format("{:.3f}", per),
                  fmt::format("{:.1f}%", total > 0 ? 100 * p[i].total_ms / total : 0.0)});
    }
    pt.print(std::cout);
    // The same time summed per op type (repeated layers spread over many nodes).
    std::map<std::string, std::pair<double, int>> by_op;  // op -> (ms per run, nodes)
    for (const NodeProfile& n : p) {
      auto& e = by_op[n.op];
      e.first += n.calls ? n.total_ms / static_cast<double>(n.calls) : 0.0;
      ++e.second;
    }
    std::vector<std::pair<std::string, std::pair<double, int>>> ops(by_op.begin(), by_op.end());
    std::sort(ops.begin(), ops.end(),
              [](const auto& x, const auto& y) { return x.second.first > y.second.first; });
    double per_run = 0;
    for (const auto& o2 : ops) per_run += o2.second.first;
    std::cout << "\n" << dtype_label(r.mode) << " profile by op type:\n";
    Table ot({"op", "nodes", "ms/run", "share"});
    ot.align_right(1).align_right(2).align_right(3);
    for (size_t i = 0; i < ops.size() && i < 10; ++i)
      ot.add_row({ops[i].first, std::to_string(ops[i].second.second),
                  fmt::format("{:.3f}", ops[i].second.first),
                  fmt::format("{:.1f}%", per_run > 0 ? 100 * ops[i].second.first / per_run : 0.0)});
    ot.print(std::cout);
  }
}

void print_json_result(const BenchOptions& o, const LoadedModel& m,
                       const std::vector<ModeResult>& rs) {
  nlohmann::ordered_json j;
  j["model"] = m.path;
  j["format"] = format_id(m.format);
  j["batch"] = o.batch;
  j["device"] = o.device;
  if (const std::string name = device_name_of(o); !name.empty()) j["device_name"] = name;
  j["resident_inputs"] = o.resident;
  j["threads"] = o.threads;
  j["threads_used"] = resolve_threads(o.threads);
  j["iters"] = o.iters;
  j["warmup"] = o.warmup;
  j["modes"] = nlohmann::ordered_json::array();
  for (const ModeResult& r : rs) {
    nlohmann::ordered_json e;
    e["mode"] = r.mode;
    e["nodes"] = r.nodes;
    e["median_ms"] = r.t.median;
    e["p10_ms"] = r.t.p10;
    e["p90_ms"] = r.t.p90;
    e["throughput_per_s"] = 1e3 * static_cast<double>(o.batch) / r.t.median;
    e["weight_bytes"] = r.stats.weight_bytes;
    // The arena, plus what the dynamic executor's values took (control flow, NMS, ...).
    e["peak_activation_bytes"] = r.stats.arena_bytes + r.stats.dynamic_bytes;
    e["dynamic_nodes"] = r.stats.dynamic_nodes;
    e["naive_activation_bytes"] = r.stats.naive_bytes;
    if (r.median_on_device) e["median_ms_output_on_device"] = *r.median_on_device;
    if (r.device_peak) {
      e["device_peak_bytes"] = *r.device_peak;
      e["device_graph_replay"] = r.stats.graph_replay;
      if (!r.stats.graph_note.empty()) e["device_graph_note"] = r.stats.graph_note;
    }
    if (r.accuracy) e["accuracy"] = *r.accuracy;
    if (r.mode != "fp32") {
      e["amp"] = r.opt->amp.message();
      e["max_abs_diff"] = r.agree.max_abs;
      e["rel_l2"] = r.agree.rel_l2;
      e["top1_agreement"] =
          r.agree.top1 ? nlohmann::ordered_json(*r.agree.top1) : nlohmann::ordered_json();
      auto& outs = e["outputs"] = nlohmann::ordered_json::array();
      for (const OutputRow& row : r.agree.outputs)
        outs.push_back({{"name", row.name},
                        {"shape", row.shape},
                        {"class_scores", row.class_scores},
                        {"max_abs_diff", row.a.max_abs},
                        {"rel_l2", row.a.rel_l2},
                        {"top1_agreement", row.a.top1 ? nlohmann::ordered_json(*row.a.top1)
                                                      : nlohmann::ordered_json()}});
    }
    if (r.vs_cpu) {
      e["cpu_fp32_max_abs_diff"] = r.vs_cpu->max_abs;
      e["cpu_fp32_rel_l2"] = r.vs_cpu->rel_l2;
    }
    if (o.profile) {
      auto& p = e["profile"] = nlohmann::ordered_json::array();
      for (const NodeProfile& n : r.stats.profile)
        p.push_back({{"node", n.node},
                     {"op", n.op},
                     {"kernel", n.kernel},
                     {"total_ms", n.total_ms},
                     {"calls", n.calls}});
    }
    j["modes"].push_back(e);
  }
  print_json(std::cout, j);
}

void run_bench(BenchOptions o) {
  if (o.iters < 1) throw Error(ErrorCode::kInvalidArgument, "--iters must be at least 1");
  if (o.batch < 1) throw Error(ErrorCode::kInvalidArgument, "--batch must be at least 1");
  if (o.threads < 0)
    throw Error(ErrorCode::kInvalidArgument, "--threads must be 0 (one per physical core) or more");
  if (o.dtype.empty())
    o.dtype = parse_device_option(o.device) == DeviceKind::kGPU ? "fp16" : "bf16";
  std::vector<std::string> dtypes;
  for (const std::string& d : split_op_list(o.dtype)) {
    if (d != "bf16" && d != "fp16")
      throw Error(ErrorCode::kInvalidArgument,
                  "--dtype '" + o.dtype + "': valid values are bf16, fp16 or both (fp16,bf16)");
    if (std::find(dtypes.begin(), dtypes.end(), d) == dtypes.end()) dtypes.push_back(d);
  }
  LoadedModel m = load_model(o.model);
  Feeds feeds = make_inputs(m.graph, o.inputs, o.batch, o.seed);
  const std::string note = scalar_defaults_note(scalar_defaults(m.graph, o.inputs));
  if (!note.empty() && !o.json) std::cerr << "aamp: note: " << note << "\n";
  // Items per run (throughput): the leading dim of the fed inputs when files are given.
  if (!o.inputs.empty() && !feeds.empty() && feeds[0].second.shape().rank() > 0)
    o.batch = feeds[0].second.shape().dims[0];
  std::optional<Tensor> labels;
  if (!o.labels.empty()) {
    labels = read_npy(o.labels);
    if (is_float(labels->dtype()) || labels->dtype() == DType::kBool)
      throw Error(ErrorCode::kInvalidArgument,
                  o.labels + ": labels must be integers (class indices), got " +
                      dtype_name(labels->dtype()));
  }
  std::vector<ModeResult> rs;
  if (!o.json) std::cerr << "aamp: benchmarking FP32 ...\n";
  rs.push_back(run_mode("fp32", m.graph, o, feeds));
  if (!o.fp32_only) {
    for (const std::string& d : dtypes) {
      if (!o.json) std::cerr << "aamp: benchmarking " << dtype_label(d) << " ...\n";
      rs.push_back(run_mode(d, m.graph, o, feeds));
      rs.back().agree = agreement(rs[0].outputs, rs.back().outputs, m.graph, rs[0].fetches);
    }
  }
  if (o.check_cpu && parse_device_option(o.device) != DeviceKind::kCPU) {
    if (!o.json) std::cerr << "aamp: FP32 on the CPU for --check-cpu ...\n";
    BenchOptions once = o;
    once.iters = 1, once.warmup = 0, once.profile = false;
    const ModeResult cpu = run_mode("fp32", m.graph, once, feeds, /*on_cpu=*/true);
    for (ModeResult& r : rs) r.vs_cpu = agreement(cpu.outputs, r.outputs, m.graph, cpu.fetches);
  }
  if (labels)
    for (ModeResult& r : rs) r.accuracy = accuracy_of(r.outputs, *labels, o.labels);
  if (o.json)
    print_json_result(o, m, rs);
  else
    print_text(o, m, rs);
}

}  // namespace

void register_bench_command(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* sub = app.add_subcommand(
      "bench", "Run a model FP32 and mixed precision side by side: speed, memory, agreement");
  sub->add_option("model", o->model, "Model file (.pb, .pbtxt or model.json)")->required();
  sub->add_option("--iters", o->iters, "Timed runs per mode (default 20)");
  sub->add_option("--warmup", o->warmup, "Untimed runs before timing (default 3)");
  sub->add_option("--batch", o->batch, "Size of unknown (-1) input dims (default 1)");
  sub->add_option("--threads", o->threads, "Worker threads (default: one per physical core)");
  sub->add_option("--seed", o->seed, "Seed of the random inputs (default 0)");
  sub->add_option("--input", o->inputs, "NAME=FILE.npy: feed this input from a .npy file");
  sub->add_option("--labels", o->labels,
                  "FILE.npy of integer class labels (one per row of the first output, e.g. the "
                  "--input file's samples): also print each mode's accuracy");
  sub->add_option("--dtype", o->dtype,
                  "Mixed-precision type: bf16, fp16, or both as fp16,bf16 (one mixed run each; "
                  "default: bf16 on the CPU, fp16 on the GPU)");
  sub->add_option("--device", o->device, "cpu (default) or gpu (a build with CUDA)");
  sub->add_flag("--fp32-only", o->fp32_only, "Only the FP32 run");
  sub->add_flag("--no-remapper", o->no_remapper, "Skip the remapper's fusions in both runs");
  sub->add_flag("--json", o->json, "Print the results as JSON");
  sub->add_flag("--profile", o->profile,
                "Also print the top ops by time (on a device: each step's device time from "
                "events; the steps are launched one by one, not replayed as a captured graph)");
  sub->add_flag("--check-cpu", o->check_cpu,
                "gpu: also run FP32 once on the CPU and report how every mode's outputs agree "
                "with it");
  sub->add_flag(
      "--resident-inputs", o->resident,
      "gpu: copy the inputs to the device once and keep them there for every timed run "
      "(as with a framework's GPU tensors): times the model, not the host-to-device copy");
  set_examples(sub,
               {"aamp bench model.json", "aamp bench model.pb --batch 32 --iters 50 --threads 2",
                "aamp bench model.pb --profile", "aamp bench model.json --json > result.json",
                "aamp bench mnist.pb --input input_1=x_test.npy --labels y_test.npy",
                "aamp bench bert.pb --device gpu --dtype fp16,bf16 --batch 32 --resident-inputs "
                "--check-cpu"},
               "Both runs use the same seeded random inputs (floats in [0,1), ids in [0,100)).\n"
               "FP32 runs the graph after the remapper; the mixed run adds Advanced AMP, with\n"
               "the ITEX_/AAMP_AUTO_MIXED_PRECISION_* environment variables applied.");
  sub->callback([o] { run_bench(*o); });
}

}  // namespace aamp::cli
