// aamp: the command-line tool. Subcommands live in cmd_<name>.cc and register themselves through
// the functions of commands.h. Exit codes: 0 success, 2 user error (bad options, unreadable or
// invalid model, unsupported op), 1 internal error. Errors print one line: "aamp: error: ...".
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <new>
#include <string>

#include "aamp/core/error.h"
#include "cli_util.h"
#include "commands.h"

#ifndef AAMP_VERSION
#define AAMP_VERSION "unknown"
#endif

namespace {

constexpr int kExitUserError = 2;
constexpr int kExitInternalError = 1;

// One line: newlines in a message become "; ".
std::string one_line(std::string msg) {
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  for (size_t p = msg.find('\n'); p != std::string::npos; p = msg.find('\n', p)) {
    msg.replace(p, 1, "; ");
  }
  return msg;
}

void print_error(const std::string& msg) {
  std::cout.flush();
  std::cerr << "aamp: error: " << one_line(msg) << std::endl;
}

// The deepest subcommand the user named ("aamp inspect"), for usage hints.
std::string command_path(CLI::App& app) {
  std::string path = "aamp";
  CLI::App* cur = &app;
  for (;;) {
    auto subs = cur->get_subcommands();
    if (subs.empty()) break;
    cur = subs.front();
    path += " " + cur->get_name();
  }
  return path;
}

int run(int argc, char** argv) {
  CLI::App app{
      "aamp: Advanced Auto Mixed Precision for TensorFlow graphs. Loads TensorFlow GraphDefs\n"
      "(.pb, .pbtxt) and TF.js graph models (model.json), rewrites them (remapper fusions, then\n"
      "bfloat16/float16 painting), saves them and runs them on its own CPU runtime.",
      "aamp"};
  app.set_version_flag("--version", AAMP_VERSION);
  app.require_subcommand(1);
  app.footer(
      "\nExamples:\n"
      "  aamp inspect model.json                 summary: inputs, outputs, ops, parameters\n"
      "  aamp convert model.pb -o model_bf16.pb  remapper + AMP rewrite (bfloat16 on the CPU)\n"
      "  aamp run model.pb --input x=image.npy   run on the CPU runtime\n"
      "  aamp bench model.json                   FP32 vs AMP latency\n"
      "  aamp report model.json -o report.html   the conversion report (HTML)\n"
      "\nRun 'aamp COMMAND --help' for a command's options. AMP options also come from the\n"
      "environment (ITEX_AUTO_MIXED_PRECISION_* or AAMP_AUTO_MIXED_PRECISION_*, see README.md).\n"
      "Exit codes: 0 ok, 2 bad input or options, 1 internal error.");

  aamp::cli::register_inspect_command(app);
  aamp::cli::register_run_command(app);
  aamp::cli::register_bench_command(app);
  aamp::cli::register_convert_command(app);
  aamp::cli::register_report_command(app);

  if (argc <= 1) {
    std::cout << app.help();
    return 0;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    // "aamp frob": CLI11 reports "A subcommand is required"; name the unknown command instead.
    if (app.get_subcommands().empty() && argc > 1 && argv[1][0] != '-') {
      std::string names;
      for (const CLI::App* sub : app.get_subcommands({})) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
      }
      print_error("unknown command '" + std::string(argv[1]) + "' (commands: " + names +
                  "; see 'aamp --help')");
      return kExitUserError;
    }
    std::string where = command_path(app);
    print_error(std::string(e.what()) + " (see '" + where + " --help')");
    return kExitUserError;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const aamp::cli::ExitCode& e) {
    return e.code;
  } catch (const aamp::Error& e) {
    print_error(e.what());
    return e.is_user_error() ? kExitUserError : kExitInternalError;
  } catch (const std::bad_alloc&) {
    print_error("out of memory");
    return kExitInternalError;
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return kExitInternalError;
  } catch (...) {
    print_error("internal error: unknown exception");
    return kExitInternalError;
  }
}
