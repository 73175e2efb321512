// aamp run MODEL [--input NAME=FILE.npy ...] [--output-dir DIR] [--stats] [--threads N]: runs a
// model once on the CPU runtime. Inputs not given as .npy files get seeded random values;
// prints every output's dtype, shape and value summary, optionally writes the outputs as .npy
// files and the plan's memory statistics.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/io/npy.h"
#include "aamp/runtime/session.h"
#include "cli_util.h"
#include "commands.h"
#include "inputs.h"

namespace aamp::cli {
namespace {

namespace fs = std::filesystem;

struct RunOptions {
  std::string model;
  std::vector<std::string> inputs;
  std::string output_dir;
  bool stats = false;
  bool json = false;
  bool reference = false;
  int threads = 0;
  int64_t batch = 1;
  uint64_t seed = 0;
};

// "a/b:1" -> "a_b_1.npy".
std::string file_name_for(const std::string& tensor) {
  std::string s = tensor;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') c = '_';
  return s + ".npy";
}

struct Summary {
  double min = 0, max = 0, mean = 0;
  int64_t nonfinite = 0;
};

Summary summarize(const Tensor& t) {
  Summary s;
  int64_t n = 0;
  double sum = 0;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    const double v = t.element_as_double(i);
    if (!std::isfinite(v)) {
      ++s.nonfinite;
      continue;
    }
    s.min = n ? std::min(s.min, v) : v;
    s.max = n ? std::max(s.max, v) : v;
    sum += v;
    ++n;
  }
  s.mean = n ? sum / static_cast<double>(n) : 0;
  return s;
}

void run_model(const RunOptions& o) {
  if (o.threads < 0)
    throw Error(ErrorCode::kInvalidArgument, "--threads must be 0 (one per physical core) or more");
  if (o.batch < 1) throw Error(ErrorCode::kInvalidArgument, "--batch must be at least 1");
  LoadedModel m = load_model(o.model);
  Feeds feeds = make_inputs(m.graph, o.inputs, o.batch, o.seed);
  // Said after the run (the one error line carries it when the model rejects the scalar).
  const std::string note = scalar_defaults_note(scalar_defaults(m.graph, o.inputs));
  SessionOptions so;
  so.threads = o.threads;
  so.reference_kernels_only = o.reference;
  Session s(std::move(m.graph), so);
  const std::vector<std::string> fetches = s.output_names();
  std::vector<Tensor> outs;
  try {
    outs = s.run(feeds, fetches);
  } catch (const Error& e) {
    if (note.empty()) throw;
    throw Error(e.code(), std::string(e.what()) + " (" + note + ")");
  }
  if (!note.empty()) std::cerr << "aamp: note: " << note << "\n";
  const PlanStats& st = s.last_stats();

  if (!o.output_dir.empty()) {
    std::error_code ec;
    fs::create_directories(o.output_dir, ec);
    if (ec)
      throw Error(ErrorCode::kInvalidArgument,
                  "--output-dir '" + o.output_dir + "': " + ec.message());
    for (size_t i = 0; i < outs.size(); ++i)
      write_npy((fs::path(o.output_dir) / file_name_for(fetches[i])).string(), outs[i]);
  }

  if (o.json) {
    nlohmann::ordered_json j;
    j["model"] = o.model;
    j["inputs"] = nlohmann::ordered_json::array();
    for (const auto& [name, t] : feeds)
      j["inputs"].push_back(
          {{"name", name}, {"dtype", dtype_name(t.dtype())}, {"shape", shape_json(t.shape())}});
    j["outputs"] = nlohmann::ordered_json::array();
    for (size_t i = 0; i < outs.size(); ++i) {
      const Summary sm = summarize(outs[i]);
      nlohmann::ordered_json e = {{"name", fetches[i]},
                                  {"dtype", dtype_name(outs[i].dtype())},
                                  {"shape", shape_json(outs[i].shape())},
                                  {"min", sm.min},
                                  {"max", sm.max},
                                  {"mean", sm.mean},
                                  {"nonfinite", sm.nonfinite}};
      if (!o.output_dir.empty())
        e["file"] = (fs::path(o.output_dir) / file_name_for(fetches[i])).string();
      j["outputs"].push_back(e);
    }
    if (o.stats)
      j["stats"] = {{"weight_bytes", st.weight_bytes},
                    {"arena_bytes", st.arena_bytes},
                    {"naive_bytes", st.naive_bytes},
                    {"nodes", st.nodes},
                    {"steps", st.steps},
                    {"folded", st.folded},
                    {"aliases", st.aliases},
                    {"inplace", st.inplace},
                    {"dynamic_nodes", st.dynamic_nodes},
                    {"dynamic_executions", st.dynamic_executions},
                    {"dynamic_bytes", st.dynamic_bytes}};
    print_json(std::cout, j);
    return;
  }

  std::cout << "model: " << o.model << "\n";
  std::cout << "inputs:\n";
  Table in({"name", "dtype", "shape"});
  for (const auto& [name, t] : feeds)
    in.add_row({name, dtype_name(t.dtype()), shape_string(t.shape())});
  in.print(std::cout);
  std::cout << "outputs:\n";
  Table out({"name", "dtype", "shape", "min", "max", "mean"});
  for (size_t c = 3; c < 6; ++c) out.align_right(c);
  for (size_t i = 0; i < outs.size(); ++i) {
    const Summary sm = summarize(outs[i]);
    out.add_row({fetches[i], dtype_name(outs[i].dtype()), shape_string(outs[i].shape()),
                 fmt::format("{:.6g}", sm.min), fmt::format("{:.6g}", sm.max),
                 fmt::format("{:.6g}", sm.mean)});
  }
  out.print(std::cout);
  if (!o.output_dir.empty())
    std::cout << "wrote " << outs.size() << " output(s) to " << o.output_dir << "\n";
  if (o.stats) {
    std::cout << "stats:\n";
    std::cout << "  weight bytes:         " << format_bytes(st.weight_bytes) << " ("
              << format_count(st.weight_bytes) << ")\n";
    std::cout << "  planned peak (arena): " << format_bytes(st.arena_bytes) << " ("
              << format_count(st.arena_bytes) << ")\n";
    std::cout << "  naive sum of outputs: " << format_bytes(st.naive_bytes) << " ("
              << format_count(st.naive_bytes) << ")\n";
    std::cout << "  nodes " << st.nodes << ", kernels " << st.steps << ", folded " << st.folded
              << ", aliases " << st.aliases << ", in place " << st.inplace << "\n";
    if (st.dynamic_nodes)
      std::cout << "  dynamic execution:    " << st.dynamic_nodes << " nodes, "
                << st.dynamic_executions << " executions this run, "
                << format_bytes(st.dynamic_bytes) << " of values (control flow and "
                << "data-dependent shapes; docs/runtime.md)\n";
  }
}

}  // namespace

void register_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* sub = app.add_subcommand("run", "Run a model once on the CPU runtime");
  sub->add_option("model", o->model, "Model file (.pb, .pbtxt or model.json)")->required();
  sub->add_option("--input", o->inputs, "NAME=FILE.npy: feed this input from a .npy file");
  sub->add_option("--output-dir", o->output_dir, "Write every output to DIR/<name>.npy");
  sub->add_flag("--stats", o->stats, "Print weight bytes, planned peak (arena) and naive bytes");
  sub->add_option("--threads", o->threads, "Worker threads (default: one per physical core)");
  sub->add_option("--batch", o->batch, "Size of unknown (-1) input dims (default 1)");
  sub->add_option("--seed", o->seed, "Seed of the random inputs (default 0)");
  sub->add_flag("--reference", o->reference, "Use the reference kernels only");
  sub->add_flag("--json", o->json, "Print the results as JSON");
  set_examples(sub,
               {"aamp run model.json", "aamp run model.pb --input x=x.npy --output-dir out",
                "aamp run model.json --stats --threads 1"},
               "Inputs not given with --input get seeded random values.");
  sub->callback([o] { run_model(*o); });
}

}  // namespace aamp::cli
