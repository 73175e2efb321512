#include "aamp/io/graph_io.h"

#include <fcntl.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>

#include "aamp/core/error.h"
#include "aamp/io/proto_convert.h"

namespace aamp {

namespace pb = google::protobuf;
using io_internal::graph_from_proto;
using io_internal::graph_to_proto;

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Converts a parsed GraphDef and runs the structural checks; every error names the source.
Graph finish(const tfproto::GraphDef& gd, const std::string& source) {
  Graph g;
  try {
    g = graph_from_proto(gd, source);
  } catch (const Error& e) {
    std::string msg = e.what();
    if (msg.rfind(source + ":", 0) != 0) msg = source + ": " + msg;
    throw Error(e.code(), msg);
  }
  try {
    g.check_structure();
  } catch (const Error& e) {
    throw Error(e.code(), source + ": " + e.what());
  }
  return g;
}

class TextErrors : public pb::io::ErrorCollector {
 public:
  explicit TextErrors(const std::string& source) : source_(source) {}
  void AddError(int line, int column, const std::string& message) override {
    if (!first_.empty()) return;
    first_ = source_ + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " +
             message;
  }
  void AddWarning(int, int, const std::string&) override {}
  const std::string& first() const { return first_; }

 private:
  std::string source_;
  std::string first_;
};

std::string errno_text() { return std::strerror(errno); }

}  // namespace

GraphFormat graph_format_for_path(const std::string& path) {
  std::string l = lower(path);
  if (ends_with(l, ".pbtxt") || ends_with(l, ".pb.txt") || ends_with(l, ".txt"))
    return GraphFormat::kText;
  if (ends_with(l, ".pb")) return GraphFormat::kBinary;
  if (ends_with(l, ".json")) return GraphFormat::kTfjs;
  throw Error(ErrorCode::kInvalidArgument,
              "'" + path +
                  "': unknown graph file extension (accepted: .pb, .pbtxt, .pb.txt, "
                  ".txt, .json)");
}

Graph load_graph(const std::string& path) {
  switch (graph_format_for_path(path)) {
    case GraphFormat::kBinary:
      return parse_graphdef_binary(read_file(path), path);
    case GraphFormat::kText:
      return parse_graphdef_text(read_file(path), path);
    case GraphFormat::kTfjs:
      return load_tfjs(path);
  }
  throw Error(ErrorCode::kInternal, "unreachable");
}

void save_graph(const Graph& g, const std::string& path) {
  switch (graph_format_for_path(path)) {
    case GraphFormat::kBinary:
      return write_file_atomic(path, serialize_graphdef_binary(g));
    case GraphFormat::kText:
      return write_file_atomic(path, serialize_graphdef_text(g));
    case GraphFormat::kTfjs:
      throw Error(ErrorCode::kUnimplemented,
                  "'" + path + "': saving TF.js models is not supported; use .pb or .pbtxt");
  }
}

Graph parse_graphdef_binary(std::string_view bytes, const std::string& source_name) {
  AAMP_CHECK(!bytes.empty(), ErrorCode::kParse, source_name + ": empty file, not a GraphDef");
  AAMP_CHECK(bytes.size() <= static_cast<size_t>(INT_MAX), ErrorCode::kParse,
             source_name + ": file larger than 2 GiB cannot be parsed as a GraphDef");
  tfproto::GraphDef gd;
  if (!gd.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw Error(ErrorCode::kParse, source_name +
                                       ": cannot parse binary GraphDef (truncated, corrupt, or "
                                       "not a GraphDef)");
  return finish(gd, source_name);
}

Graph parse_graphdef_text(std::string_view text, const std::string& source_name) {
  AAMP_CHECK(!text.empty(), ErrorCode::kParse, source_name + ": empty file, not a GraphDef");
  AAMP_CHECK(text.size() <= static_cast<size_t>(INT_MAX), ErrorCode::kParse,
             source_name + ": file larger than 2 GiB cannot be parsed as a GraphDef");
  tfproto::GraphDef gd;
  TextErrors errors(source_name);
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  pb::io::ArrayInputStream in(text.data(), static_cast<int>(text.size()));
  if (!parser.Parse(&in, &gd)) {
    std::string msg =
        errors.first().empty() ? source_name + ": cannot parse text GraphDef" : errors.first();
    throw Error(ErrorCode::kParse, msg);
  }
  return finish(gd, source_name);
}

std::string serialize_graphdef_binary(const Graph& g) {
  tfproto::GraphDef gd;
  graph_to_proto(g, &gd);
  return io_internal::serialize_deterministic(gd);
}

std::string serialize_graphdef_text(const Graph& g) {
  tfproto::GraphDef gd;
  graph_to_proto(g, &gd);
  pb::TextFormat::Printer printer;
  // Unknown fields print as bare numbers, which no text parser accepts back.
  printer.SetHideUnknownFields(true);
  std::string out;
  AAMP_CHECK(printer.PrintToString(gd, &out), ErrorCode::kInternal,
             "cannot print GraphDef as text");
  return out;
}

std::string read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    ErrorCode code = (errno == ENOENT || errno == ENOTDIR) ? ErrorCode::kNotFound : ErrorCode::kIO;
    throw Error(code, "cannot open '" + path + "': " + errno_text());
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    std::string why = S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
    ::close(fd);
    throw Error(ErrorCode::kIO, "cannot read '" + path + "': " + why);
  }
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof(buf));
    if (r < 0) {
      if (errno == EINTR) continue;
      std::string why = errno_text();
      ::close(fd);
      throw Error(ErrorCode::kIO, "cannot read '" + path + "': " + why);
    }
    if (r == 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  ::close(fd);
  return out;
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(ErrorCode::kIO, "cannot write '" + path + "': " + errno_text());
  auto fail = [&](const std::string& what) {
    std::string why = errno_text();
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw Error(ErrorCode::kIO, "cannot write '" + path + "': " + what + ": " + why);
  };
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    done += static_cast<size_t>(w);
  }
  int rc = ::close(fd);
  fd = -1;
  if (rc != 0) fail("close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename");
}

}  // namespace aamp
