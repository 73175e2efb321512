// Pass tests run their passes under the PassManager's strictest checks: after each pass the
// graph's structure and validate() (op signatures, attrs, input dtypes) are checked, and a pass
// that throws or leaves a problem the graph did not have before fails the test with an Error
// naming the pass and the first problem, instead of being rolled back quietly.
//
//   RemapperResult r;
//   run_checked(g, "Remapper", [&](Graph& h, const PassContext&) { r = run_remapper(h, o); });
//   OptimizeResult o = optimize(g, checked(config), DeviceKind::kCPU);
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "aamp/api/config.h"
#include "aamp/io/graph_io.h"
#include "aamp/passes/pass_manager.h"

namespace aamp::testing {

// A GraphDef from pbtxt text (the golden tests' inline graphs).
inline Graph parse(const std::string& text) { return parse_graphdef_text(text, "<test>"); }

// verify_each_pass and strict on.
inline PassManagerOptions checked_passes() {
  PassManagerOptions o;
  o.verify_each_pass = true;
  o.strict = true;
  return o;
}

// `config` for optimize() with verify_each_pass and strict on (tests of the rollback itself
// pass an unchecked config instead).
inline AmpConfig checked(AmpConfig config) {
  config.verify_each_pass = true;
  config.strict = true;
  return config;
}

// A pass made of a function, so that a test can run any rewrite as a checked pass.
class FunctionPass : public Pass {
 public:
  using Fn = std::function<void(Graph&, const PassContext&)>;
  FunctionPass(std::string name, Fn fn) : name_(std::move(name)), fn_(std::move(fn)) {}
  std::string name() const override { return name_; }
  PassResult run(Graph& g, const PassContext& ctx) override {
    fn_(g, ctx);
    return {true, name_};
  }

 private:
  std::string name_;
  Fn fn_;
};

// Runs fn(g, ctx) as the one pass `name` of a PassManager with checked_passes(): throws Error
// naming the pass when it throws, breaks the structure or introduces a validation problem.
inline void run_checked(Graph& g, const std::string& name, FunctionPass::Fn fn,
                        const PassContext& ctx = {}) {
  PassManager pm(checked_passes());
  pm.add(std::make_unique<FunctionPass>(name, std::move(fn)));
  pm.run(g, ctx);
}

}  // namespace aamp::testing
