// The backend harness's walk over KernelRegistry::global() (see harness.h) and the builders the
// case files share.
#include "backends/harness/harness.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/ops/epilogue.h"
#include "aamp/runtime/plan.h"

namespace aamp::testing {

const std::vector<DType>& harness_dtypes() {
  static const std::vector<DType> v = {DType::kFloat, DType::kBFloat16, DType::kHalf,
                                       DType::kInt32, DType::kInt64,    DType::kUInt8};
  return v;
}

std::vector<HarnessCase> harness_cases(const std::string& op, DType t) {
  std::vector<HarnessCase> out;
  for (const auto& family : {linalg_cases(), elementwise_cases()})
    for (const OpCases& oc : family)
      if (std::find(oc.ops.begin(), oc.ops.end(), op) != oc.ops.end()) oc.build(op, t, out);
  // Name the data inputs (node checks count them) and run the CPU kernels on two threads.
  for (HarnessCase& h : out) {
    h.kc.node.inputs.clear();
    for (size_t i = 0; i < h.kc.inputs.size(); ++i)
      h.kc.node.inputs.push_back("in" + std::to_string(i));
    h.kc.threads = 2;
  }
  return out;
}

Tensor harness_input(DType t, const Dims& shape, uint32_t seed, float lo, float hi) {
  if (is_float(t)) return random_tensor(t, shape, seed, lo, hi);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> dist(static_cast<int64_t>(lo), static_cast<int64_t>(hi));
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(rng);
  switch (t) {
    case DType::kInt32:
      return Tensor::from_vector<int32_t>(Shape(shape), std::vector<int32_t>(v.begin(), v.end()));
    case DType::kInt64:
      return Tensor::from_vector<int64_t>(Shape(shape), v);
    case DType::kUInt8: {
      std::vector<uint8_t> b(v.size());
      for (size_t i = 0; i < v.size(); ++i) b[i] = static_cast<uint8_t>(v[i] & 0xff);
      return Tensor::from_bytes(DType::kUInt8, Shape(shape), b);
    }
    case DType::kInt8: {
      std::vector<uint8_t> b(v.size());
      for (size_t i = 0; i < v.size(); ++i) b[i] = static_cast<uint8_t>(static_cast<int8_t>(v[i]));
      return Tensor::from_bytes(DType::kInt8, Shape(shape), b);
    }
    default:
      ADD_FAILURE() << "harness_input: no integer inputs of " << dtype_name(t);
      return Tensor(t, Shape(shape));
  }
}

Tensor int32s(const Dims& v) {
  std::vector<int32_t> w(v.begin(), v.end());
  return Tensor::from_vector<int32_t>(Shape{static_cast<int64_t>(w.size())}, w);
}

Dims broadcast_dims(Dims a, Dims b) {
  if (a.size() < b.size()) std::swap(a, b);
  for (size_t i = 0; i < b.size(); ++i) {
    int64_t& d = a[a.size() - b.size() + i];
    d = std::max(d, b[i]);
  }
  return a;
}

const std::vector<std::vector<std::string>>& epilogues() {
  static const std::vector<std::vector<std::string>> v = [] {
    // Bias then each activation of the vocabulary, then the multi-step and argument forms.
    std::vector<std::vector<std::string>> e = {{"BiasAdd"}};
    for (const EpilogueOpDef& d : epilogue_ops())
      if (is_activation(d.op)) e.push_back({"BiasAdd", std::string(d.name)});
    const std::vector<std::vector<std::string>> more = {
        {"BiasAdd", "Prelu"},       {"BiasAdd", "Prelu", "Relu"},
        {"BiasAdd", "Add"},         {"BiasAdd", "Add", "Relu"},
        {"Add", "BiasAdd", "Relu"}, {"BiasAdd", "Relu", "Add"},
        {"BiasAdd", "Mul"},         {"Mul", "Add"},
        {"FusedBatchNorm"},         {"FusedBatchNorm", "Relu"}};
    e.insert(e.end(), more.begin(), more.end());
    return e;
  }();
  return v;
}

std::string join(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + v[i];
  return s + "]";
}

namespace {

const char* device_name(DeviceKind d) { return d == DeviceKind::kCPU ? "cpu" : "gpu"; }

std::string kernel_label(const KernelRegistration& r) {
  return std::string(device_name(r.device)) + " " + r.name + " " + r.op;
}

bool lists(const KernelRegistration& r, DType t) {
  return std::find(r.dtypes.begin(), r.dtypes.end(), t) != r.dtypes.end();
}

// The fast registrations of a device, in registration order.
std::vector<const KernelRegistration*> fast_kernels(DeviceKind d) {
  std::vector<const KernelRegistration*> v;
  for (const KernelRegistration& r : KernelRegistry::global().registrations())
    if (r.device == d && r.priority > 0) v.push_back(&r);
  return v;
}

bool has_reference(const std::string& op, DType t) {
  for (const KernelRegistration* r : KernelRegistry::global().all(op, DeviceKind::kCPU))
    if (r->priority == 0 && lists(*r, t)) return true;
  return false;
}

// "" when the outputs agree, else what differs.
std::string compare(const HarnessCase& h, const std::vector<Tensor>& got,
                    const std::vector<Tensor>& want, const HarnessDevice& dev) {
  if (got.size() != want.size())
    return std::to_string(got.size()) + " outputs, reference has " + std::to_string(want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].dtype() != want[i].dtype() || got[i].shape().dims != want[i].shape().dims)
      return "output " + std::to_string(i) + " is " + dtype_name(got[i].dtype()) + " " +
             got[i].shape().to_string() + ", reference " + dtype_name(want[i].dtype()) + " " +
             want[i].shape().to_string();
    const DType t = want[i].dtype();
    if (h.exact || !is_float(t)) {
      if (std::memcmp(got[i].raw(), want[i].raw(), want[i].byte_size()) != 0)
        return "output " + std::to_string(i) + " differs from the reference (exact compare)";
      continue;
    }
    const double err = scaled_max_err(got[i], want[i]), tol = dev.tolerance(t);
    if (!(err <= tol)) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "output %zu: scaled max error %.3g > tolerance %.3g", i, err,
                    tol);
      return buf;
    }
  }
  return "";
}

struct Tally {
  int run = 0, refused = 0, failed = 0, known = 0;
};

// Failures the harness found that are not fixed yet: still run and reported in the summary, but
// not a test failure; one that starts to pass fails, so that it is taken off the list.
struct KnownFailure {
  const char* kernel;  // kernel_label
  const char* what;    // a substring of the case's description
  const char* why;
};
// None now; oneDNN matmul's [BiasAdd Prelu] (execution failed) was the last, fixed by its tail
// epilogue (onednn_tail.h).
constexpr std::array<KnownFailure, 0> kKnownFailures{};

const KnownFailure* known_failure(const KernelRegistration& r, const HarnessCase& h) {
  for (const KnownFailure& k : kKnownFailures)
    if (kernel_label(r) == k.kernel && h.what.find(k.what) != std::string::npos) return &k;
  return nullptr;
}

}  // namespace

void check_harness_coverage(DeviceKind d) {
  const std::vector<const KernelRegistration*> fast = fast_kernels(d);
  for (const KernelRegistration* r : fast) {
    bool tested_dtype = false;
    for (DType t : harness_dtypes()) {
      if (!lists(*r, t)) continue;
      tested_dtype = true;
      if (harness_cases(r->op, t).empty())
        ADD_FAILURE() << "the backend harness has no cases for op '" << r->op << "' in "
                      << dtype_name(t) << " (fast kernel '" << kernel_label(*r)
                      << "'): add them to tests/backends/harness/cases_*.cc";
      if (!has_reference(r->op, t))
        ADD_FAILURE() << "fast kernel '" << kernel_label(*r) << "' has no reference kernel (CPU, "
                      << "priority 0) for " << dtype_name(t) << " to be checked against";
    }
    if (!tested_dtype)
      ADD_FAILURE() << "fast kernel '" << kernel_label(*r)
                    << "' registers none of the harness's dtypes";
  }
}

void run_backend_harness(HarnessDevice& dev, const std::vector<std::string>& only) {
  const DeviceKind d = dev.kind();
  std::vector<const KernelRegistration*> fast = fast_kernels(d);
  if (!only.empty())
    std::erase_if(fast, [&](const KernelRegistration* r) {
      return std::find(only.begin(), only.end(), r->op) == only.end();
    });
  ASSERT_FALSE(fast.empty()) << "no fast kernels registered for " << device_name(d);
  std::printf("backend harness, %s: %zu fast kernels\n", device_name(d), fast.size());
  int total_run = 0, total_refused = 0, total_failed = 0, total_known = 0;
  std::vector<std::string> rows;
  for (const KernelRegistration* r : fast) {
    std::map<DType, Tally> per_dtype;
    std::string first_refusal;
    for (DType t : harness_dtypes()) {
      if (!lists(*r, t)) continue;
      Tally& tally = per_dtype[t];
      for (const HarnessCase& h : harness_cases(r->op, t)) {
        const std::string what = kernel_label(*r) + " " + dtype_name(t) + " " + h.what;
        if (h.kc.kernel_dtype() != t) {
          ADD_FAILURE() << what << ": the case's kernel dtype is "
                        << dtype_name(h.kc.kernel_dtype());
          continue;
        }
        // What the Session would refuse (node checks) or the kernel's supports refuses.
        bool accepted = true;
        try {
          KernelRegistry::global().check_node(h.kc.node, d);
          accepted = !r->supports || r->supports(dev.init(h.kc));
        } catch (const Error& e) {
          accepted = false;
          if (first_refusal.empty()) first_refusal = h.what + ": " + e.what();
        }
        if (!accepted) {
          ++tally.refused;
          if (first_refusal.empty()) first_refusal = h.what;
          continue;
        }
        const KernelRegistration* ref = KernelRegistry::global().lookup(
            h.kc.node.op, DeviceKind::kCPU, t, h.kc.init(), /*reference_only=*/true);
        if (!ref) {
          ++tally.failed;
          ADD_FAILURE() << what << ": no reference kernel accepts the case";
          continue;
        }
        ++tally.run;
        std::string diff;
        try {
          const std::vector<Tensor> want = run_kernel(h.kc, *ref);
          const std::vector<Tensor> got = dev.run(h.kc, *r, 2);  // twice: re-running is stable
          diff = compare(h, got, want, dev);
        } catch (const std::exception& e) {  // aamp::Error and the libraries' (dnnl::error)
          diff = std::string("exception: ") + e.what();
        }
        const KnownFailure* known = known_failure(*r, h);
        if (known && diff.empty()) {
          ADD_FAILURE() << what << " passes, but is listed in kKnownFailures (" << known->why
                        << "): take it off the list";
        } else if (known) {
          ++tally.known;
          std::printf("  known failure: %s: %s\n", what.c_str(), diff.c_str());
        } else if (!diff.empty()) {
          ++tally.failed;
          ADD_FAILURE() << what << ": " << diff;
        }
      }
    }
    int kernel_run = 0;
    for (const auto& [t, tally] : per_dtype) {
      char row[200];
      std::snprintf(row, sizeof row, "  %-40s %-9s %5d %7d %6d %5d", kernel_label(*r).c_str(),
                    dtype_name(t).c_str(), tally.run, tally.refused, tally.failed, tally.known);
      rows.push_back(row);
      kernel_run += tally.run;
      total_run += tally.run;
      total_refused += tally.refused;
      total_failed += tally.failed;
      total_known += tally.known;
    }
    if (kernel_run == 0)
      ADD_FAILURE() << "fast kernel '" << kernel_label(*r) << "' accepts none of its cases"
                    << (first_refusal.empty() ? "" : " (first refused: " + first_refusal + ")");
  }
  // The table after the per-case lines, so that it reads as one block.
  std::printf("  %-40s %-9s %5s %7s %6s %5s\n", "kernel", "dtype", "run", "refused", "failed",
              "known");
  for (const std::string& row : rows) std::printf("%s\n", row.c_str());
  std::printf("backend harness, %s: %d cases run, %d refused, %d failed, %d known failures\n",
              device_name(d), total_run, total_refused, total_failed, total_known);
  std::fflush(stdout);
}

}  // namespace aamp::testing
