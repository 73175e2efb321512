// Fuzzes the binary GraphDef parser; whatever parses must re-serialize stably.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    aamp::Graph g = aamp::parse_graphdef_binary(bytes, "fuzz.pb");
    const std::string pb = aamp::serialize_graphdef_binary(g);
    (void)aamp::serialize_graphdef_text(g);
    aamp::Graph g2 = aamp::parse_graphdef_binary(pb, "again.pb");
    if (aamp::serialize_graphdef_binary(g2) != pb) std::abort();
  } catch (const aamp::Error&) {
  }
  return 0;
}
