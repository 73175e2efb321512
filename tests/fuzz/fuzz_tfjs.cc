// Fuzzes the TF.js loader. Input: model.json text, then optionally a NUL byte followed by the
// bytes every weight shard of the manifest reads as.
#include <cstdint>
#include <string>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/io/tfjs_internal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  std::string_view json = in.substr(0, nul);
  std::string shard =
      nul == std::string_view::npos ? std::string() : std::string(in.substr(nul + 1));
  try {
    aamp::Graph g = aamp::io_internal::parse_tfjs_with(
        json, [&shard](const std::string&) { return shard; }, "fuzz.json");
    (void)aamp::serialize_graphdef_binary(g);
  } catch (const aamp::Error&) {
  }
  return 0;
}
