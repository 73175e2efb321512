// The memory planner on the real core models: the planned arena (peak activation bytes, with
// reuse, aliases and in-place kernels) is at most 60% of the naive sum of all kernel outputs on
// every one of them (antispoof only gets there because its first MaxPool writes its output over
// its conv input: that conv output alone is 58% of all bytes), and over all of them together.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "aamp/api/optimize.h"
#include "aamp/io/graph_io.h"
#include "aamp/runtime/session.h"
#include "session_test_util.h"
#include "test_util.h"

namespace aamp {
namespace {

using testing::Feeds;
using testing::zero_feeds;

const char* kCoreModels[] = {"blazeface",     "emotion",   "gender",        "movenet-lightning",
                             "mobilefacenet", "faceres",   "iris",          "facemesh",
                             "handdetect",    "selfie",    "efficientpose", "gear",
                             "liveness",      "antispoof", "posenet",       "meet"};

// (arena, naive) summed over the models run so far.
std::pair<double, double>& totals() {
  static std::pair<double, double> t{0, 0};
  return t;
}

class ModelMemoryPlan : public ::testing::TestWithParam<const char*> {};

TEST_P(ModelMemoryPlan, PeakIsAtMostSixtyPercentOfNaive) {
  std::string path = AAMP_MODELS_DIR;  // appended step by step: GCC 12's -Warray-bounds
  path += "/";                         // misfires on a chain of operator+ here
  path += GetParam();
  path += ".json";
  AAMP_REQUIRE_MODELS(std::filesystem::exists(path), path);
  Session s(load_tfjs(path));
  Feeds feeds;  // zeros: the plan does not depend on values
  if (const std::string why = zero_feeds(s, feeds, 1 << 24); !why.empty()) GTEST_SKIP() << why;
  s.run(feeds);
  const PlanStats& st = s.last_stats();
  EXPECT_GT(st.weight_bytes, 0u);
  EXPECT_GT(st.naive_bytes, 0u);
  const double arena = static_cast<double>(st.arena_bytes);
  const double naive = static_cast<double>(st.naive_bytes);
  const double bound = static_cast<double>(st.live_peak_bytes);
  EXPECT_LE(bound, arena);
  EXPECT_LE(arena, 0.6 * naive) << "arena " << st.arena_bytes << " naive " << st.naive_bytes
                                << " live peak " << st.live_peak_bytes;
  totals().first += arena;
  totals().second += naive;
  RecordProperty("arena_bytes", std::to_string(st.arena_bytes));
  RecordProperty("naive_bytes", std::to_string(st.naive_bytes));
}

// Mixed precision never costs memory: after AMP to bfloat16 the planned peak (the arena) is at
// most the float32 one on every core model (the inputs' Casts feed convolutions here, which hold
// far more than the input; an MLP's input Cast is folded into its MatMul, fold_cast_test.cc).
TEST_P(ModelMemoryPlan, Bfloat16PeakIsAtMostFloat32s) {
  std::string path = AAMP_MODELS_DIR;
  path += "/";
  path += GetParam();
  path += ".json";
  AAMP_REQUIRE_MODELS(std::filesystem::exists(path), path);
  const Graph fp32 = load_tfjs(path);
  Graph bf16 = fp32;
  AmpConfig c;
  c.data_type = "BFLOAT16";
  optimize(bf16, c, DeviceKind::kCPU);
  size_t arena[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    Session s(i == 0 ? fp32 : bf16);
    Feeds feeds;
    if (const std::string why = zero_feeds(s, feeds); !why.empty()) GTEST_SKIP() << why;
    s.run(feeds);
    arena[i] = s.last_stats().arena_bytes;
  }
  EXPECT_LE(arena[1], arena[0]) << GetParam() << ": bfloat16 " << arena[1] << " float32 "
                                << arena[0];
  RecordProperty("bf16_over_fp32",
                 std::to_string(static_cast<double>(arena[1]) / static_cast<double>(arena[0])));
}

TEST(MemoryPlanTotal, AllCoreModelsTogetherAtMostSixtyPercent) {
  // Runs the core models itself when the parameterised tests did not run first (ctest runs each
  // test in its own process).
  if (totals().second == 0) {
    for (const char* m : kCoreModels) {
      std::string path = AAMP_MODELS_DIR;
      path += "/";
      path += m;
      path += ".json";
      if (!std::filesystem::exists(path)) continue;
      Session s(load_tfjs(path));
      std::vector<std::pair<std::string, Tensor>> feeds;
      for (const std::string& name : s.input_names()) {
        Shape shape = s.input_desc(name).shape;
        for (auto& d : shape.dims)
          if (d < 0) d = 1;
        feeds.emplace_back(name, Tensor(s.input_desc(name).dtype, shape));
      }
      s.run(feeds);
      totals().first += static_cast<double>(s.last_stats().arena_bytes);
      totals().second += static_cast<double>(s.last_stats().naive_bytes);
    }
  }
  AAMP_REQUIRE_MODELS(totals().second != 0, "no models in " << AAMP_MODELS_DIR);
  EXPECT_LE(totals().first, 0.6 * totals().second);
}

INSTANTIATE_TEST_SUITE_P(Core, ModelMemoryPlan, ::testing::ValuesIn(kCoreModels),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace aamp
