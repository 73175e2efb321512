// The aamp CLI's subcommands. Each lives in its own file, tools/aamp/cmd_<name>.cc, and adds
// itself to the top-level app through one registration function declared here:
//
//   // tools/aamp/cmd_foo.cc
//   #include "cli_util.h"
//   #include "commands.h"
//   namespace aamp::cli {
//   void register_foo_command(CLI::App& app) {
//     auto opts = std::make_shared<FooOptions>();   // outlives this function
//     CLI::App* sub = app.add_subcommand("foo", "One line saying what foo does");
//     sub->add_option("model", opts->model, "Model file (.pb, .pbtxt or model.json)")->required();
//     set_examples(sub, {"aamp foo model.pb", "aamp foo model.json --json"});
//     sub->callback([opts] { run_foo(*opts); });
//   }
//   }  // namespace aamp::cli
//
// To add a command: declare its function below, call it from main.cc (kCommands), and create
// the .cc file (tools/CMakeLists.txt globs tools/aamp/*.cc). Callbacks report failures by
// throwing aamp::Error (user errors exit with code 2, kInternal with 1) or cli::ExitCode to exit
// with a specific status after printing their own diagnostics.
#pragma once

namespace CLI {
class App;
}  // namespace CLI

namespace aamp::cli {

void register_inspect_command(CLI::App& app);  // cmd_inspect.cc: summary of a model
void register_run_command(CLI::App& app);      // cmd_run.cc: run a model on the CPU runtime
void register_bench_command(CLI::App& app);    // cmd_bench.cc: FP32 vs AMP latency
void register_convert_command(CLI::App& app);  // cmd_convert.cc: remapper + AMP rewrite, save
void register_report_command(CLI::App& app);   // cmd_report.cc: the HTML conversion report

}  // namespace aamp::cli
