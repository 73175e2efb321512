// Helpers shared by the aamp CLI's commands: loading a model with clean errors, option parsing,
// usage examples, aligned tables and JSON output.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aamp/core/dtype.h"
#include "aamp/io/graph_io.h"
#include "aamp/ops/op_def.h"
#include "aamp/ir/graph.h"

namespace CLI {
class App;
}  // namespace CLI

namespace aamp::cli {

// Thrown by a command that has printed its own diagnostics and wants the process to end with
// `code` (main catches it).
struct ExitCode {
  int code = 0;
};

struct LoadedModel {
  std::string path;
  GraphFormat format = GraphFormat::kBinary;
  Graph graph;
};

// Loads a model given on the command line: the extension picks the format, the file must exist,
// and (with check_structure) the graph must be well formed (no dangling input, duplicate name
// or cycle). Every failure throws aamp::Error whose message names the file (and the node).
LoadedModel load_model(const std::string& path, bool check_structure = true);

// "binary GraphDef", "text GraphDef", "TF.js graph model".
const char* format_name(GraphFormat f);
// "pb", "pbtxt", "tfjs" (for JSON output).
const char* format_id(GraphFormat f);

// Parses a dtype given to `option` ("bf16", "fp16", "float32", "DT_HALF", ...); throws
// Error(kInvalidArgument) naming the option and the accepted values.
DType parse_dtype_option(const std::string& option, const std::string& value);

// Parses --device ("cpu" or "gpu"); throws Error(kInvalidArgument) listing the valid values.
DeviceKind parse_device_option(const std::string& value);

// Adds --deny-nodes NODES (aamp's node-level denylist, AmpConfig::deny_nodes) to `cmd`: set
// only when given, so that AmpConfig::merge lets the environment decide otherwise.
void add_deny_nodes_option(CLI::App* cmd, std::optional<std::string>* value,
                           const std::string& help);

// Sets a subcommand's help footer to "Examples:" followed by the example command lines.
void set_examples(CLI::App* cmd, const std::vector<std::string>& examples,
                  const std::string& notes = "");

// A text table with a header row; columns are padded to their widest cell.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  // Right-aligns a column (numbers).
  Table& align_right(size_t column);
  void add_row(std::vector<std::string> row);
  size_t rows() const { return rows_.size(); }
  // Each line starts with `indent` spaces; trailing spaces are trimmed.
  void print(std::ostream& os, int indent = 2) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_;
};

std::string format_count(uint64_t n);  // 1234567 -> "1,234,567"
std::string format_bytes(uint64_t n);  // 1536 -> "1.5 KiB", 12 -> "12 B"

// Shape as "[1,224,224,3]" with '?' for unknown dims, "?" for an unknown rank.
std::string shape_string(const Shape& s);
// Shape as a JSON array (-1 for unknown dims) or null for an unknown rank.
nlohmann::ordered_json shape_json(const Shape& s);

// Pretty-prints with a 2-space indent and a final newline.
void print_json(std::ostream& os, const nlohmann::json& j);
void print_json(std::ostream& os, const nlohmann::ordered_json& j);  // keeps insertion order

}  // namespace aamp::cli
