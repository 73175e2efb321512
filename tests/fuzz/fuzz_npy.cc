// Fuzzes the .npy parser; whatever parses must encode and parse back to the same tensor, and
// encode to the same bytes the second time.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "aamp/core/error.h"
#include "aamp/io/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const aamp::Tensor t = aamp::parse_npy(bytes, "fuzz.npy");
    if (t.byte_size() > size) std::abort();  // the data must come from the input
    const std::string npy = aamp::encode_npy(t, "fuzz.npy");
    const aamp::Tensor back = aamp::parse_npy(npy, "again.npy");
    if (!(back == t)) std::abort();
    if (aamp::encode_npy(back, "again.npy") != npy) std::abort();
  } catch (const aamp::Error&) {
  }
  return 0;
}
