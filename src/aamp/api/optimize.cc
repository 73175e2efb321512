#include "aamp/api/optimize.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <system_error>

#include "aamp/api/report.h"
#include "aamp/core/cpu_features.h"
#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/ops/attrs.h"
#include "aamp/ops/registry.h"
#include "aamp/passes/variable_cast_cache.h"

namespace aamp {

namespace {

// Microseconds since the epoch: unique enough for several runs per second into one folder.
std::string make_timestamp() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

// "AutoMixedPrecision" -> "auto_mixed_precision": a pass name as a file name's part.
std::string snake_case(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (i > 0) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

// Creates `dir` (and its parents) for `what`; throws Error(kIO) naming it when that fails.
void make_dir(const std::string& dir, const std::string& what) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!ec && !std::filesystem::is_directory(dir, ec))
    ec = std::make_error_code(std::errc::not_a_directory);
  if (ec) throw Error(ErrorCode::kIO, "cannot create " + what + " '" + dir + "': " + ec.message());
}

// AAMP_TEST_BREAK_PASS=<pass name>: that pass, after it ran, retypes the first node with a float
// T attr and a data input to float64, so that its input no longer matches its signature. A
// fault to inject, for testing the pipeline's checks end to end (`aamp convert --strict` in
// tests/tools/convert_pipeline_test.cc); never set otherwise.
class BreakDtypesAfter : public Pass {
 public:
  explicit BreakDtypesAfter(std::unique_ptr<Pass> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  PassResult run(Graph& g, const PassContext& ctx) override {
    PassResult r = inner_->run(g, ctx);
    for (const auto& n : g.nodes()) {
      const AttrValue* t = n->find_attr("T");
      if (!t || !t->is<DType>() || n->num_data_inputs() == 0) continue;
      if (t->get<DType>() != DType::kFloat && t->get<DType>() != DType::kBFloat16) continue;
      n->attrs["T"] = AttrValue(DType::kDouble);
      break;
    }
    return r;
  }

 private:
  std::unique_ptr<Pass> inner_;
};

// The pass, wrapped in BreakDtypesAfter when AAMP_TEST_BREAK_PASS names it.
std::unique_ptr<Pass> maybe_broken(std::unique_ptr<Pass> p) {
  const char* v = std::getenv("AAMP_TEST_BREAK_PASS");
  if (!v || p->name() != v) return p;
  return std::make_unique<BreakDtypesAfter>(std::move(p));
}

DType node_dtype(const Node& n) {
  const AttrValue* t = n.find_attr("T");
  return t && t->is<DType>() ? t->get<DType>() : DType::kFloat;
}

}  // namespace

OptimizeResult optimize(Graph& g, const AmpConfig& config, DeviceKind device,
                        const std::vector<std::string>& fetches) {
  return optimize(g, config, device, fetches, PassHooks{});
}

OptimizeResult optimize(Graph& g, const AmpConfig& config, DeviceKind device,
                        const std::vector<std::string>& fetches, const PassHooks& hooks,
                        const std::string& log_prefix) {
  OptimizeResult res;
  // Validate everything before touching the graph.
  DType target = config.target(device);
  if (device == DeviceKind::kCPU && target == DType::kHalf && !cpu_has_native_fp16())
    throw Error(ErrorCode::kUnimplemented,
                "AMP data type FLOAT16 needs a CPU with native FP16 (AVX512-FP16), which this "
                "CPU lacks; use BFLOAT16 on the CPU");
  AmpOptions ao;
  ao.target = target;
  ao.lists = config.lists(device, &res.warnings);
  ao.unsafe_force_all = config.unsafe_force_all.value_or(false);
  if (config.deny_nodes)
    for (const auto& n : split_op_list(*config.deny_nodes)) ao.deny_nodes[n] = "deny-node";
  for (const auto& n : config.accuracy_guard_nodes) ao.deny_nodes[n] = "accuracy-guard";
  for (const auto& n : config.accuracy_probe_nodes) ao.allow_nodes[n] = "accuracy-probe";
  bool remap = config.remapper.value_or(true);
  bool tf_compat = config.tf_compatible.value_or(false);
  bool amp_on = config.enabled.value_or(true);
  if (amp_on && device == DeviceKind::kCPU && target == DType::kBFloat16 && !cpu_has_native_bf16())
    res.warnings.push_back(
        "this CPU has no native bfloat16 instructions (AVX512_BF16 or AMX): bfloat16 kernels "
        "run emulated here and can be slower than float32; the converted graph is meant for CPUs "
        "that have them");

  WarningSink sink;
  PassContext ctx;
  ctx.device = device;
  ctx.fetches = fetches;
  ctx.warnings = &sink;
  ctx.hooks = hooks;
  if (tf_compat && !ctx.hooks.has_kernel)
    // Files for stock TensorFlow: its OpDef of _FusedConv2D allows T in {half, float, double,
    // int8, qint8}, no bfloat16 (importing such a graph fails), though its grappler runs one.
    ctx.hooks.has_kernel = [device](const std::string& op, const std::string&, DType t) {
      if (op == "_FusedConv2D" && t == DType::kBFloat16) return false;
      const OpRegistry& r = OpRegistry::global();
      return !r.has_any_kernel(op, device) || r.has_kernel(op, device, t);
    };
  ctx.fetch_nodes(g);  // throws for an unknown fetch

  PassManagerOptions pmo;
  pmo.verify_each_pass = config.verify_each_pass.value_or(false);
  pmo.strict = config.strict.value_or(false);
  PassManager pm(pmo);
  if (remap)
    pm.add(maybe_broken(std::make_unique<RemapperPass>(false, tf_compat, &res.remapper_pre)));
  if (amp_on) pm.add(maybe_broken(std::make_unique<AutoMixedPrecisionPass>(ao, &res.amp)));
  if (remap && amp_on)
    pm.add(maybe_broken(std::make_unique<RemapperPass>(true, tf_compat, &res.remapper_post)));
  if (amp_on && hooks.cache_variable_casts)
    pm.add(maybe_broken(std::make_unique<VariableCastCachePass>()));

  if (config.dump_dir && !config.dump_dir->empty()) {
    // <prefix>NN-<pass>.pbtxt: the graph before any pass (00-input) and after each pass.
    std::string dump_dir = *config.dump_dir;
    make_dir(dump_dir, "the pass dump folder");
    pm.set_dump([dump_dir, log_prefix, &res](int i, const std::string& pass, const Graph& dg) {
      char num[16];
      std::snprintf(num, sizeof num, "%02d-", i);
      std::string file = log_prefix + num + snake_case(pass) + ".pbtxt";
      std::string path = (std::filesystem::path(dump_dir) / file).string();
      write_file_atomic(path, serialize_graphdef_text(dg));
      res.log_files.push_back(path);
    });
  }

  std::string dir = config.log_path.value_or("");
  res.timestamp = make_timestamp();
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::string path = (std::filesystem::path(dir) / (log_prefix + name)).string();
    write_file_atomic(path, bytes);
    res.log_files.push_back(path);
  };
  Graph before;  // with a log path: the input graph's skeleton, for the report
  if (!dir.empty()) {
    make_dir(dir, "AMP log path");
    write("graphdef_preop_" + res.timestamp + ".pb", serialize_graphdef_binary(g));
    write("graphdef_preop_" + res.timestamp + ".pb.txt", serialize_graphdef_text(g));
    for (const auto& n : g.nodes()) {  // names, ops and inputs are all the report needs
      Node skel;
      skel.name = n->name, skel.op = n->op, skel.inputs = n->inputs;
      before.add(std::move(skel));
    }
  }
  res.amp.lists = *ao.lists;
  res.amp.target = target;
  res.passes = pm.run(g, ctx);
  if (tf_compat) {
    // TensorFlow's _FusedConv2D requires TArgs, the dtype of each of its num_args args
    // (num_args is required too: its OpDef declares no default).
    for (const auto& n : g.nodes()) {
      if (n->op != "_FusedConv2D") continue;
      n->attrs["TArgs"] = type_list(
          std::vector<DType>(static_cast<size_t>(op_attr_int(*n, "num_args")), node_dtype(*n)));
    }
  }
  // A rolled-back pass changed nothing: its result must not claim otherwise (the pass filled it
  // in before it failed, e.g. AMP's "Converted N/M nodes" for a conversion that was undone).
  for (const auto& r : res.passes) {
    if (r.pass == "AutoMixedPrecision") res.amp_ran = r.ok;
    if (r.ok) continue;
    if (r.pass == "AutoMixedPrecision") {
      res.amp = AmpReport{};
      res.amp.lists = *ao.lists;
      res.amp.target = target;
    }
    if (r.pass == "Remapper") res.remapper_pre = RemapperResult{};
    if (r.pass == "RemapperPostAmp") res.remapper_post = RemapperResult{};
  }
  for (auto& w : sink.messages) res.warnings.push_back(std::move(w));
  if (!res.amp.unknown_deny_nodes.empty()) {
    std::string msg =
        "AMP deny_nodes name node(s) not in the graph (after the remapper's fusions; "
        "see the decision log for the names):";
    for (const auto& n : res.amp.unknown_deny_nodes) msg += " " + n;
    res.warnings.push_back(msg);
  }
  if (!dir.empty()) {
    const std::string& ts = res.timestamp;
    write("graphdef_AutoMixedPrecision_" + ts + ".pb", serialize_graphdef_binary(g));
    write("graphdef_AutoMixedPrecision_" + ts + ".pb.txt", serialize_graphdef_text(g));
    write("paintbuckets_AutoMixedPrecision_" + ts + ".txt", ao.lists->paintbuckets_text());
    write("decisions_" + ts + ".tsv", res.amp.decisions_tsv());
    try {  // the HTML conversion report (report.h); a failure there does not fail the conversion
      ReportInput in;
      in.title = (log_prefix.empty() ? "AMP log " : log_prefix + " ") + ts;
      in.before = &before, in.after = &g, in.result = &res;
      in.device = device;
      write("report_" + ts + ".html", render_report_html(in));
    } catch (const Error& e) {
      res.warnings.push_back(std::string("conversion report not written: ") + e.what());
    }
  }
  return res;
}

}  // namespace aamp
