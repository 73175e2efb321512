#include "cli_util.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <new>
#include <ostream>

#include "aamp/core/error.h"

namespace aamp::cli {

namespace {

// Re-throws a loader error with the file name in front unless the message already names it.
[[noreturn]] void rethrow_with_path(const Error& e, const std::string& path) {
  std::string msg = e.what();
  if (msg.find(path) != std::string::npos) throw e;
  throw Error(e.code(), path + ": " + msg);
}

}  // namespace

LoadedModel load_model(const std::string& path, bool check_structure) {
  namespace fs = std::filesystem;
  LoadedModel m;
  m.path = path;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    throw Error(ErrorCode::kNotFound, "model file '" + path + "' does not exist");
  }
  if (fs::is_directory(st)) {
    // A TF.js model folder: use its model.json.
    fs::path json = fs::path(path) / "model.json";
    if (!fs::exists(json, ec)) {
      throw Error(ErrorCode::kInvalidArgument,
                  "'" + path +
                      "' is a directory without a model.json; give a model file (.pb, .pbtxt or "
                      ".json)");
    }
    m.path = json.string();
  }
  try {
    m.format = graph_format_for_path(m.path);
    m.graph = load_graph(m.path);
    if (check_structure) m.graph.check_structure();
  } catch (const Error& e) {
    rethrow_with_path(e, m.path);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kParse, m.path + ": invalid JSON: " + e.what());
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::kInternal, m.path + ": out of memory while loading");
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInternal, m.path + ": unexpected failure while loading: " + e.what());
  }
  return m;
}

const char* format_name(GraphFormat f) {
  switch (f) {
    case GraphFormat::kBinary:
      return "binary GraphDef";
    case GraphFormat::kText:
      return "text GraphDef";
    case GraphFormat::kTfjs:
      return "TF.js graph model";
  }
  return "unknown";
}

const char* format_id(GraphFormat f) {
  switch (f) {
    case GraphFormat::kBinary:
      return "pb";
    case GraphFormat::kText:
      return "pbtxt";
    case GraphFormat::kTfjs:
      return "tfjs";
  }
  return "unknown";
}

DType parse_dtype_option(const std::string& option, const std::string& value) {
  std::optional<DType> t = parse_dtype(value);
  if (!t) {
    throw Error(ErrorCode::kInvalidArgument,
                option + ": unknown data type '" + value +
                    "' (use e.g. float32/fp32, bfloat16/bf16, float16/fp16)");
  }
  return *t;
}

DeviceKind parse_device_option(const std::string& value) {
  if (value == "cpu") return DeviceKind::kCPU;
  if (value == "gpu") return DeviceKind::kGPU;
  throw Error(ErrorCode::kInvalidArgument,
              "--device: invalid value '" + value + "'; valid values: cpu, gpu");
}

void add_deny_nodes_option(CLI::App* cmd, std::optional<std::string>* value,
                           const std::string& help) {
  cmd->add_option_function<std::string>(
         "--deny-nodes", [value](const std::string& v) { *value = v; }, help)
      ->type_name("NODES");
}

void set_examples(CLI::App* cmd, const std::vector<std::string>& examples,
                  const std::string& notes) {
  std::string footer = "\nExamples:\n";
  for (const auto& e : examples) footer += "  " + e + "\n";
  if (!notes.empty()) footer += "\n" + notes + "\n";
  cmd->footer(footer);
}

// ---- Table -----------------------------------------------------------------------------------
Table& Table::align_right(size_t column) {
  if (right_.size() <= column) right_.resize(column + 1, false);
  right_[column] = true;
  return *this;
}

void Table::add_row(std::vector<std::string> row) {
  row.resize(std::max(row.size(), header_.size()));
  rows_.push_back(std::move(row));
}

void Table::print(std::ostream& os, int indent) const {
  size_t ncol = header_.size();
  for (const auto& r : rows_) ncol = std::max(ncol, r.size());
  std::vector<size_t> width(ncol, 0);
  auto measure = [&](const std::vector<std::string>& r) {
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  };
  measure(header_);
  for (const auto& r : rows_) measure(r);
  auto line = [&](const std::vector<std::string>& r) {
    std::string out(static_cast<size_t>(std::max(indent, 0)), ' ');
    for (size_t i = 0; i < ncol; ++i) {
      const std::string cell = i < r.size() ? r[i] : "";
      std::string pad(width[i] - cell.size(), ' ');
      bool right = i < right_.size() && right_[i];
      out += right ? pad + cell : cell + pad;
      if (i + 1 < ncol) out += "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    os << out << '\n';
  };
  if (!header_.empty()) line(header_);
  for (const auto& r : rows_) line(r);
}

// ---- Formatting ------------------------------------------------------------------------------
std::string format_count(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_bytes(uint64_t n) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (n < 1024) return std::to_string(n) + " B";
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f %s", v, kUnits[u]);
  return buf;
}

std::string shape_string(const Shape& s) { return s.unknown_rank ? "?" : s.to_string(); }

nlohmann::ordered_json shape_json(const Shape& s) {
  if (s.unknown_rank) return nullptr;
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (int64_t d : s.dims) a.push_back(d < 0 ? -1 : d);
  return a;
}

void print_json(std::ostream& os, const nlohmann::json& j) {
  // Node names from a model file need not be valid UTF-8: replace bad bytes, never throw.
  os << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}
void print_json(std::ostream& os, const nlohmann::ordered_json& j) {
  os << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace aamp::cli
