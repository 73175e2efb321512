// The backend harness on the CPU: every oneDNN kernel (and any other CPU kernel above the
// reference's priority) over its cases against the reference kernel, plus the checks that need
// no device: every fast kernel of every backend built in has cases and a reference kernel, and
// every case the harness has is one its reference kernel runs.
#include <gtest/gtest.h>

#include <exception>
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "backends/harness/harness.h"

namespace aamp::testing {
namespace {

class CpuDevice : public HarnessDevice {
 public:
  DeviceKind kind() const override { return DeviceKind::kCPU; }
  KernelInit init(const KernelCase& c) const override { return c.init(); }
  std::vector<Tensor> run(const KernelCase& c, const KernelRegistration& r, int runs) override {
    return run_kernel(c, r, runs);
  }
  double tolerance(DType t) const override { return testing::tolerance(t); }
};

TEST(BackendHarness, EveryCpuFastKernelHasCasesAndAReference) {
  check_harness_coverage(DeviceKind::kCPU);
}

// The GPU's kernels are registered in a CUDA build even without a device: their coverage is
// checked here, so that CI (no GPU) fails on a GPU kernel the harness cannot test.
TEST(BackendHarness, EveryGpuFastKernelHasCasesAndAReference) {
  if (!KernelRegistry::global().has_device(DeviceKind::kGPU))
    GTEST_SKIP() << "built without a GPU backend";
  check_harness_coverage(DeviceKind::kGPU);
}

TEST(BackendHarness, CpuFastKernelsMatchTheReference) {
  CpuDevice dev;
  run_backend_harness(dev);
}

// Every case of every op the harness knows runs on its reference kernel (the GPU's cases too:
// a malformed case shows here, not only on a GPU machine).
TEST(BackendHarness, EveryCaseRunsOnTheReference) {
  std::vector<std::string> ops;
  for (const auto& family : {linalg_cases(), elementwise_cases()})
    for (const OpCases& oc : family) ops.insert(ops.end(), oc.ops.begin(), oc.ops.end());
  int ran = 0;
  for (const std::string& op : ops)
    for (DType t : harness_dtypes())
      for (const HarnessCase& h : harness_cases(op, t)) {
        const std::string what = op + " " + dtype_name(t) + " " + h.what;
        const KernelRegistration* ref = KernelRegistry::global().lookup(
            op, DeviceKind::kCPU, t, h.kc.init(), /*reference_only=*/true);
        if (!ref) {
          ADD_FAILURE() << what << ": no reference kernel";
          continue;
        }
        try {
          const std::vector<Tensor> out = run_kernel(h.kc, *ref);
          EXPECT_EQ(out.size(), h.kc.outputs.size()) << what;
          ++ran;
        } catch (const std::exception& e) {
          ADD_FAILURE() << what << ": " << e.what();
        }
      }
  EXPECT_GT(ran, 0);
  std::printf("backend harness: %d cases run on the reference kernels\n", ran);
}

}  // namespace
}  // namespace aamp::testing
