// Shared by the C++ benchmarks (bench/*.cc): the median of a run's timings, "--name value"
// command-line options and a deterministic input pattern.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "aamp/core/dtype.h"

namespace aamp_bench {

inline double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// n float32 or bfloat16 values in [-1, 1) into `bytes` (sized for them), the same every run.
inline void fill_pattern(std::vector<uint8_t>& bytes, aamp::DType t, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = static_cast<float>((i * 37) % 61) / 30.5f - 1.0f;
    if (t == aamp::DType::kFloat)
      std::memcpy(bytes.data() + i * 4, &v, 4);
    else
      reinterpret_cast<aamp::bfloat16*>(bytes.data())[i] = aamp::to_bf16(v);
  }
}

// "--name value" options. An option not in the list, one without a value, or a value that is not
// a number where one is read prints `usage` and exits with status 2.
class Options {
 public:
  Options(int argc, char** argv, std::string usage, const std::vector<std::string>& names)
      : usage_(std::move(usage)) {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (std::find(names.begin(), names.end(), a) == names.end() || i + 1 >= argc)
        fail(a + (i + 1 >= argc ? ": no value" : ": unknown option"));
      values_[a] = argv[++i];
    }
  }
  std::string str(const std::string& name, const std::string& fallback = "") const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  int64_t num(const std::string& name, int64_t fallback, int64_t min = INT64_MIN) const {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    char* end = nullptr;
    const long long v = std::strtoll(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || v < min)
      fail(name + ": bad value '" + it->second + "'");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    std::cerr << why << "\nusage: " << usage_ << "\n";
    std::exit(2);
  }
  std::string usage_;
  std::map<std::string, std::string> values_;
};

}  // namespace aamp_bench
