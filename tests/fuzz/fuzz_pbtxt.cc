// Fuzzes the text GraphDef parser and both serializers.
#include <cstdint>
#include <string>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    aamp::Graph g = aamp::parse_graphdef_text(text, "fuzz.pbtxt");
    (void)aamp::serialize_graphdef_binary(g);
    (void)aamp::parse_graphdef_text(aamp::serialize_graphdef_text(g), "again.pbtxt");
  } catch (const aamp::Error&) {
  }
  return 0;
}
