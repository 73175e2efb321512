// The backend harness: every fast kernel (priority > 0) in KernelRegistry::global() is run over a
// set of cases per op (shapes, attrs, fused_ops epilogues) and compared with the plain reference
// kernel (priority 0, CPU; for device kernels on host copies of the inputs). An op without cases
// here, or a fast kernel without a reference kernel, fails the harness, so that a new fast kernel
// cannot land untested. The per-op cases live in cases_*.cc; the walk in harness.cc.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "aamp/runtime/kernel.h"
#include "backends/cpu/kernel_test_util.h"

namespace aamp::testing {

using Dims = std::vector<int64_t>;

struct HarnessCase {
  std::string what;  // shape / attrs / fused_ops, for messages
  KernelCase kc;
  bool exact = false;  // data movement: bytes must match (any dtype)
};

// The dtypes the harness tests, where a registration lists them.
const std::vector<DType>& harness_dtypes();

// The cases of an op in a dtype (the kernel's dtype key, see kernel_dtype): empty if the harness
// has none.
std::vector<HarnessCase> harness_cases(const std::string& op, DType t);

// Ops the case builders of each file know, with their builder. Each cases_*.cc adds its own.
using CaseBuilder = std::function<void(const std::string& op, DType t, std::vector<HarnessCase>&)>;
struct OpCases {
  std::vector<std::string> ops;
  CaseBuilder build;
};
std::vector<OpCases> linalg_cases();       // conv, matmul, pool, norms, softmax, resize
std::vector<OpCases> elementwise_cases();  // unary, binary, cast, copies, moves, reductions

// ---- shared builders of the case files ----------------------------------------------------

// Inputs in [lo, hi): floats rounded to t; integer types get whole numbers in [lo, hi) (so every
// kernel sees the same values).
Tensor harness_input(DType t, const Dims& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f);
Tensor int32s(const Dims& v);
Dims broadcast_dims(Dims a, Dims b);
// The epilogues (fused_ops lists) tried on every fused conv / matmul: each activation after a
// BiasAdd, the residual Add in its orders, Mul, Prelu and FusedBatchNorm.
const std::vector<std::vector<std::string>>& epilogues();
std::string join(const std::vector<std::string>& v);

// ---- the walk -------------------------------------------------------------------------------

// How the harness runs a fast kernel on one device.
class HarnessDevice {
 public:
  virtual ~HarnessDevice() = default;
  virtual DeviceKind kind() const = 0;
  // The KernelInit of the case on this device (device, stream).
  virtual KernelInit init(const KernelCase& c) const = 0;
  // Runs the registration's kernel `runs` times on the case's inputs; the last run's outputs on
  // the host.
  virtual std::vector<Tensor> run(const KernelCase& c, const KernelRegistration& r, int runs) = 0;
  // Scaled max error allowed against the reference for an output dtype.
  virtual double tolerance(DType t) const = 0;
};

// Fails (ADD_FAILURE) for every fast kernel of the device with an op or a tested dtype that has
// no cases, or no reference kernel for the dtype. Needs no device: runs in CI for every backend.
void check_harness_coverage(DeviceKind d);

// Runs every case of every fast kernel of the device (of the ops `only` names, when not empty)
// against the reference and prints the summary (per kernel and dtype: cases run / refused).
// Failures: a disagreement, an Error, a case no reference accepts, a fast kernel that accepts
// none of its cases.
void run_backend_harness(HarnessDevice& dev, const std::vector<std::string>& only = {});

}  // namespace aamp::testing
